"""The app as served in production, plus two baseline endpoints for the benchmark only.

``uvicorn bench.server:make_app --factory`` with DEEPPREP_* variables set. The baselines show
what the stack costs on its own, measured by the same server in the same run:
``GET /bench/ping`` (an ``async def`` returning a dict) and ``POST /bench/insert`` (one-row
SQLAlchemy insert, through the same write lock the review path uses).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table

from app.core.config import Settings
from app.core.db import write_lock
from app.core.deps import SessionDep
from app.main import create_app

_metadata = MetaData()  # not the app's: the bench table must never reach a migration
bench_row = Table("bench_row", _metadata, Column("id", Integer, primary_key=True), Column("note", String(40)))


def make_app() -> FastAPI:
    """The real app with /bench/ping and /bench/insert added."""
    app = create_app(Settings())
    _metadata.create_all(app.state.db.engine)

    @app.get("/bench/ping", include_in_schema=False)
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/bench/insert", include_in_schema=False)
    def insert(session: SessionDep) -> dict[str, bool]:
        with write_lock(session):
            session.execute(bench_row.insert().values(note="x"))
            session.commit()
        return {"ok": True}

    return app
