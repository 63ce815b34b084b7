"""Two admins save one version at the same moment: one wins, the other is told it is stale (issue 8.3)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.admin import service
from app.admin.models import QuestionRevision
from app.bank.export_yaml import item_from_body
from app.users.models import User
from tests.admin.helpers import T0, make_user


def test_concurrent_saves_of_one_version_never_both_win(client: TestClient) -> None:
    db = client.app.state.db  # type: ignore[attr-defined]
    make_user(client.app, "root@example.com", role="admin")  # type: ignore[arg-type]
    barrier = threading.Barrier(2)

    def save(text: str) -> str:
        with db.session() as session:
            author = session.scalars(select(User)).one()
            row = service.get_item(session, slug="fx-open")  # both read version 1 first
            body: dict[str, Any] = {**row.body, "prompt": {"zh": "改过的题目", "en": text}}
            barrier.wait()
            try:
                service.update_item(
                    session,
                    slug="fx-open",
                    version=1,
                    topic="basics",
                    item=item_from_body(body),
                    author=author,
                    now=T0,
                )
            except service.StaleVersion as exc:
                return f"stale at {exc.current_version}"
            return "saved"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(save, ["first edit", "second edit"]))
    assert outcomes == ["saved", "stale at 2"]
    with db.session() as session:
        versions = list(session.scalars(select(QuestionRevision.version).order_by(QuestionRevision.version)))
        row = service.get_item(session, slug="fx-open")
    assert (versions, row.version) == ([1, 2], 2)
