"""Factories shared by the users and srs tests: a tiny bank, an app on a temp database, a clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.bank.loader import load_bank
from app.bank.sync import sync_bank
from app.core.config import Settings
from app.core.migrations import upgrade
from app.main import create_app

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC
PASSWORD = "correct horse battery"


@dataclass
class Clock:
    """A settable clock for ``app.state.clock``."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _open_item(slug: str, tags: list[str]) -> dict[str, Any]:
    return {
        "id": slug,
        "kind": "open",
        "difficulty": 2,
        "tags": tags,
        "prompt": {"zh": f"问题 {slug}", "en": f"Question {slug}?"},
        "answer": {"zh": f"答案 {slug}", "en": f"Answer to {slug}."},
        "key_points": [{"zh": "要点", "en": "A key point"}],
    }


def write_bank(directory: Path, sizes: tuple[int, ...] = (4, 3)) -> Path:
    """Topic files t0, t1, … with ``sizes[i]`` open items each; item j of a topic is tagged
    ``even`` or ``odd``."""
    directory.mkdir(parents=True, exist_ok=True)
    for t, size in enumerate(sizes):
        items = [_open_item(f"t{t}-q{j}", ["even" if j % 2 == 0 else "odd"]) for j in range(size)]
        doc = {"topic": f"t{t}", "title": {"zh": f"主题 {t}", "en": f"Topic {t}"}, "items": items}
        (directory / f"t{t}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return directory


def make_app(tmp_path: Path, database_url: str, *, sizes: tuple[int, ...] = (4, 3)) -> FastAPI:
    """An app on a fresh, migrated database with a tiny bank synced in, fuzz off, a settable clock."""
    bank_dir = write_bank(tmp_path / "bank", sizes)
    settings = Settings(
        data_dir=tmp_path / "data",
        mode="test",
        fsrs_fuzz=False,
        questions_dir=bank_dir,
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )
    app = create_app(settings)
    upgrade(app.state.db)
    with app.state.db.session() as session:
        sync_bank(session, bank=load_bank(bank_dir), now=T0 - timedelta(days=1))
    app.state.clock = Clock()
    return app


def signup(client: TestClient, email: str = "ann@example.com") -> dict[str, str]:
    """Register and return bearer headers for a fresh token."""
    assert client.post("/api/v1/users", json={"email": email, "password": PASSWORD}).status_code == 201
    response = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD, "name": "t"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
