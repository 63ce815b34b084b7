"""``deepprep create-admin EMAIL`` (issue 8.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.admin.accounts import create_admin
from app.cli import main
from app.core.config import Settings
from app.core.db import Database
from app.users.models import User
from app.users.security import verify_password

PASSWORD = "a long enough secret"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DEEPPREP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DEEPPREP_ADMIN_PASSWORD", raising=False)
    return Settings()


def accounts(settings: Settings) -> dict[str, tuple[str, str | None]]:
    db = Database(settings.database_url)
    with db.session() as session:
        found = {u.email or "": (u.role, u.password_hash) for u in session.scalars(select(User))}
    db.dispose()
    return found


def test_create_admin_reads_the_password_from_the_environment(
    env: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEEPPREP_ADMIN_PASSWORD", PASSWORD)
    assert main(["create-admin", "Root@Example.com"]) == 0
    assert capsys.readouterr().out == "created the admin account root@example.com\n"
    role, password_hash = accounts(env)["root@example.com"]
    assert role == "admin" and verify_password(password_hash, PASSWORD)


def test_create_admin_asks_twice_and_promotes_an_existing_account(env: Settings) -> None:
    answers = iter([PASSWORD, PASSWORD])
    assert create_admin(env, email="ann@example.com", ask=lambda _: next(answers)) == (
        "created the admin account ann@example.com"
    )
    db = Database(env.database_url)
    with db.session() as session:
        user = session.scalars(select(User)).one()
        user.role = "user"
        session.commit()
    db.dispose()
    assert (
        create_admin(env, email="ann@example.com", ask=lambda _: "unused")
        == "ann@example.com is now an admin"
    )
    assert accounts(env)["ann@example.com"][0] == "admin"


def test_create_admin_refuses_bad_input(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    mismatch = iter([PASSWORD, "something else"])
    with pytest.raises(ValueError, match="the two passwords differ"):
        create_admin(env, email="ann@example.com", ask=lambda _: next(mismatch))
    short = iter(["short", "short"])
    with pytest.raises(ValueError, match="invalid password"):
        create_admin(env, email="ann@example.com", ask=lambda _: next(short))
    assert main(["create-admin", "ann@example.com"]) == 1  # no terminal, no variable
    assert "set DEEPPREP_ADMIN_PASSWORD" in capsys.readouterr().err
    assert accounts(env) == {}
