"""A read-only, full or vanished database: clear 503 answers, reads go on where they can, and the
database is intact afterwards (``PRAGMA integrity_check``)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.bootstrap import import_bank
from app.core.config import Settings
from app.main import create_app
from tests.conftest import admin_sql

PASSWORD = "correct horse battery"
READ_ONLY = "The database is read-only: nothing can be saved right now; please retry later."
FULL = "The database is full: nothing can be saved until space is freed; please retry later."
GONE = "The database is temporarily unavailable; please retry."


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    import_bank(settings)
    application = create_app(settings)
    yield application
    application.state.db.dispose()


def sign_up(client: TestClient) -> tuple[dict[str, str], int]:
    """Bearer headers of a new account and the id of its first card."""
    client.post("/api/v1/users", json={"email": "lee@example.com", "password": PASSWORD})
    body = {"email": "lee@example.com", "password": PASSWORD, "name": "t"}
    auth = {"Authorization": f"Bearer {client.post('/api/v1/tokens', json=body).json()['token']}"}
    return auth, client.get("/api/v1/review/next", headers=auth).json()["card"]["id"]


def on_every_connection(app: FastAPI, statement: str) -> Callable[[], None]:
    """Run ``statement`` on each new SQLite connection (pool emptied first); returns the undo."""
    engine = app.state.db.engine

    def apply(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(statement)

    event.listen(engine, "connect", apply)
    engine.dispose()

    def undo() -> None:
        event.remove(engine, "connect", apply)
        engine.dispose()

    return undo


def make_read_only(app: FastAPI, settings: Settings, pg: Any) -> Callable[[], None]:
    """SQLite: ``PRAGMA query_only``; PostgreSQL: the database's default transactions read-only."""
    if settings.is_sqlite:
        return on_every_connection(app, "PRAGMA query_only = ON")
    name = sa.engine.make_url(settings.database_url).database
    admin_sql(pg, f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    app.state.db.engine.dispose()

    def undo() -> None:
        admin_sql(pg, f"ALTER DATABASE {name} SET default_transaction_read_only = off")
        app.state.db.engine.dispose()

    return undo


def integrity(settings: Settings) -> str:
    """``PRAGMA integrity_check`` of an SQLite database ("ok" for PostgreSQL, which has none)."""
    if not settings.is_sqlite:
        return "ok"
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_read_only_database_refuses_writes_with_503_and_keeps_reading(
    app: FastAPI, settings: Settings, request: pytest.FixtureRequest
) -> None:
    pg = None if settings.is_sqlite else request.getfixturevalue("pg_cluster")
    with TestClient(app) as client:
        auth, card = sign_up(client)
        undo = make_read_only(app, settings, pg)
        refused = client.post(f"/api/v1/review/{card}", headers=auth, json={"rating": 3})
        assert refused.status_code == 503
        assert refused.json() == {"detail": READ_ONLY}
        assert refused.headers["retry-after"] == "1"
        page = client.post("/signup", data={"email": "x@example.com", "password": PASSWORD})
        assert page.status_code in (403, 503)  # a form without CSRF token is refused before any write
        assert client.get("/api/v1/topics").status_code == 200
        assert client.get(f"/api/v1/cards/{card}", headers=auth).status_code == 200
        undo()
        done = client.post(f"/api/v1/review/{card}", headers=auth, json={"rating": 3})
        assert done.status_code == 200, done.text
    assert integrity(settings) == "ok"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_full_disk_refuses_writes_with_503_and_corrupts_nothing(app: FastAPI, settings: Settings) -> None:
    with TestClient(app) as client:
        auth, card = sign_up(client)
        path = settings.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
        undo = on_every_connection(app, f"PRAGMA max_page_count = {pages}")
        answered, refused = 0, None
        for n in range(400):  # review logs grow the file: the limit is reached within a few pages
            reply = client.post(
                f"/api/v1/review/{card}", headers=auth, json={"rating": 1, "client_review_id": f"k{n}"}
            )
            if reply.status_code != 200:
                refused = reply
                break
            answered += 1
        assert refused is not None and refused.status_code == 503
        assert refused.json() == {"detail": FULL}
        assert client.get("/api/v1/review/next", headers=auth).status_code in (200, 503)
        assert client.get("/api/v1/topics").status_code == 200
        undo()
        assert integrity(settings) == "ok"
        history = client.get(f"/api/v1/cards/{card}", headers=auth).json()["history"]
        assert len(history) == answered  # every acknowledged review, none of the refused one
        assert client.post(f"/api/v1/review/{card}", headers=auth, json={"rating": 3}).status_code == 200


def test_vanished_database_answers_503_on_reads_writes_and_pages(
    app: FastAPI, settings: Settings, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with TestClient(app) as client:
        auth, card = sign_up(client)
        client.get("/review")  # a guest session: later pages look the user up in the middleware
        gone = vanish(app, settings, request, tmp_path)
        try:
            for method, url, kwargs in [
                ("GET", "/api/v1/topics", {}),
                ("GET", "/api/v1/review/next", {"headers": auth}),
                ("POST", f"/api/v1/review/{card}", {"headers": auth, "json": {"rating": 3}}),
            ]:
                reply = client.request(method, url, **kwargs)
                assert (reply.status_code, reply.json()) == (503, {"detail": GONE}), (url, reply.text)
            page = client.get("/review", headers={"Accept": "text/html"})
            assert page.status_code == 503
            assert "text/html" in page.headers["content-type"]
            assert client.get("/healthz").status_code == 503
        finally:
            gone()
        assert client.get("/api/v1/topics").status_code == 200
    assert integrity(settings) == "ok"


def vanish(
    app: FastAPI, settings: Settings, request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[], None]:
    """Make new connections fail (SQLite: its directory is gone; PostgreSQL: connections refused)."""
    if settings.is_sqlite:
        data = Path(settings.database_url.removeprefix("sqlite:///")).parent
        app.state.db.engine.dispose()
        shutil.move(data, tmp_path / "moved")

        def back() -> None:
            app.state.db.engine.dispose()
            shutil.move(tmp_path / "moved", data)

        return back
    pg = request.getfixturevalue("pg_cluster")
    name = sa.engine.make_url(settings.database_url).database
    admin_sql(pg, f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    admin_sql(pg, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    app.state.db.engine.dispose()

    def allow() -> None:
        admin_sql(pg, f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        app.state.db.engine.dispose()

    return allow
