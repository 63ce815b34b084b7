"""The app as served in production, plus baseline endpoints that exist only for the benchmarks.

``uvicorn bench.server:make_app --factory`` with DEEPPREP_* variables set. The baselines show what
the stack costs on its own, measured by the same server in the same run:

- ``GET /bench/ping``: an ``async def`` returning ``{"ok": true}``;
- ``POST /bench/insert``: a plain ``def`` that inserts one row with SQLAlchemy (session dependency,
  the SQLite write lock the review path also takes, commit);
- ``GET /bench/page?n=N``: a plain ``def`` rendering a bare Jinja page of N paragraphs (no database,
  no shared context), sized by the benchmark to match the ``/review`` page it is compared with.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import DictLoader, Environment
from sqlalchemy import Column, Integer, MetaData, String, Table

from app.core.config import Settings
from app.core.db import write_lock
from app.core.deps import SessionDep
from app.main import create_app

_metadata = MetaData()  # not the app's: the bench table must never reach a migration
bench_row = Table("bench_row", _metadata, Column("id", Integer, primary_key=True), Column("note", String(40)))
BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% for i in range(n) %}<p class="line">Paragraph {{ i }}: {{ text }}</p>
{% endfor %}</main></body></html>
"""
_bare = Jinja2Templates(env=Environment(loader=DictLoader({"bare.html": BARE_PAGE}), autoescape=True))


def make_app() -> FastAPI:
    """The real app with the /bench/* baselines added."""
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

    @app.get("/bench/page", include_in_schema=False, response_class=HTMLResponse)
    def page(request: Request, n: int = 40) -> HTMLResponse:
        context = {"title": "Bare page", "n": n, "text": "a plain sentence of filler text, " * 2}
        return _bare.TemplateResponse(request, "bare.html", context)

    return app
