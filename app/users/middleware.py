"""Browser identity: a session nonce, its CSRF token, and the signed-in user for templates.

Runs inside Starlette's SessionMiddleware (the signed ``deepprep_session`` cookie). Pure ASGI so it
adds no response buffering; the one database read runs in a worker thread.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import database_error
from app.users import security
from app.users.models import User, UserView

SESSION_COOKIE = "deepprep_session"
# A guest's progress lives behind this cookie; Starlette re-sends it on each response, so a year
# counts from the last visit.
SESSION_MAX_AGE = 365 * 24 * 3600
_NO_SESSION_PREFIXES = ("/static/", "/api/", "/healthz")
# Every page runs it: built once (building a select per request cost more than running it).
_VIEW_OF_USER = select(User.id, User.email, User.role, User.is_guest, User.settings).where(
    User.id == bindparam("uid")
)


class IdentityMiddleware:
    """Sets ``request.state.csrf_token`` and ``request.state.user`` (None when signed out)."""

    def __init__(self, app: ASGIApp, *, secret: str, db: Database) -> None:
        self.app = app
        self.secret = secret
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                await self._identify(scope)
            except DBAPIError as exc:
                # Outside the app's exception handlers: answer the database's 503 here, not a 500.
                await (await database_error(Request(scope), exc))(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _identify(self, scope: Scope) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        session: dict[str, Any] = scope.get("session", {})
        path: str = scope["path"]
        browser_page = not path.startswith(_NO_SESSION_PREFIXES)
        # API clients and static files get no cookie; pages need a nonce for their forms' CSRF token.
        if browser_page and "sid" not in session:
            session["sid"] = security.new_session_id()
        sid = session.get("sid")
        state["csrf_token"] = security.csrf_token(self.secret, sid) if sid else ""
        state["user"] = None
        uid = session.get("uid")
        if browser_page and isinstance(uid, int):
            # On the database's own worker thread(s): sixteen pages at once each taking a thread of
            # the default pool made them fight the database thread for the GIL (bench/RESULTS.md).
            state["user"] = await self.db.run(partial(self._load, uid))
            if state["user"] is None:
                session.pop("uid", None)  # the user was deleted: forget them

    def _load(self, uid: int) -> UserView | None:
        with self.db.engine.connect() as connection:  # five plain columns: no session, no ORM row
            row = connection.execute(_VIEW_OF_USER, {"uid": uid}).first()
        return UserView.from_columns(*row._tuple()) if row is not None else None


def install_identity(app: FastAPI, *, settings: Settings, db: Database) -> None:
    """Signed session cookie + identity on ``app`` (the session middleware must run first)."""
    app.add_middleware(IdentityMiddleware, secret=settings.resolved_secret_key(), db=db)
    # Added last = outermost: the session is decoded before IdentityMiddleware reads it.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.cookies_https_only,
    )
