"""The application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from app.admin.setup import install_admin
from app.bank.router import router as bank_api
from app.core.config import Settings
from app.core.db import Database
from app.core.deps import get_db
from app.core.errors import install_error_handlers
from app.core.templating import STATIC_DIR, make_templates
from app.explain.router import router as explain_api
from app.quiz.interview_pages import router as interview_pages
from app.quiz.pages import router as quiz_pages
from app.quiz.router import router as quiz_api
from app.srs.router import router as srs_api
from app.users import ratelimit
from app.users.middleware import install_identity
from app.users.pages import router as account_pages
from app.users.router import router as users_api
from app.web.explain_pages import router as explain_pages
from app.web.lang import PreferredLanguage
from app.web.pages import router as study_pages
from app.web.review_pages import router as review_pages
from app.web.router import router as web_pages

VERSION = "0.1.0"


def calm_garbage_collector() -> None:
    """Keep the garbage collector's pauses out of request latency.

    Full collections walked every object the process had built at start-up (modules, routes,
    templates) and stalled all requests at once: they made the review submit's p99 at 64 clients
    twice its p50 (bench/RESULTS.md). Freezing what exists after start-up takes it out of every
    future collection; a larger young generation makes collections rarer, for a few MB of garbage
    waiting longer to be freed.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the database is not touched until the first request."""
    settings = settings or Settings()
    db = Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.mode != "test":  # a long-running server process (tests build many apps in one)
            calm_garbage_collector()
        yield
        db.dispose()

    app = FastAPI(
        title="deepprep",
        version=VERSION,
        lifespan=lifespan,
        description="Deep-learning interview preparation: question bank, FSRS review, explain engine.",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    # Added before the identity middleware, so it runs inside it and sees the signed-in user.
    app.add_middleware(PreferredLanguage)
    install_identity(app, settings=settings, db=db)
    ratelimit.install(app)
    app.include_router(bank_api)
    app.include_router(users_api)
    app.include_router(srs_api)
    app.include_router(quiz_api)
    app.include_router(explain_api)
    app.include_router(web_pages)
    app.include_router(account_pages)
    app.include_router(review_pages)
    app.include_router(explain_pages)
    app.include_router(study_pages)
    app.include_router(quiz_pages)
    app.include_router(interview_pages)
    install_admin(app)
    app.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        tags=["ops"],
        responses={503: {"description": "Database unreachable"}},
    )
    return app


def healthz(db: Annotated[Database, Depends(get_db)]) -> JSONResponse:
    """Liveness and database reachability."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not healthy", reported rather than raised
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "version": VERSION})


def app_from_environment() -> FastAPI:
    """Factory for uvicorn: settings from DEEPPREP_* variables."""
    return create_app(Settings())
