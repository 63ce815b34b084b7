"""Who is asking: browser session (guests created lazily), bearer tokens, roles, CSRF checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.core.deps import NowDep, SessionDep, SettingsDep, get_db, get_now, get_settings
from app.users import security, tokens
from app.users import service as user_service
from app.users.models import User, UserView

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
Responses = dict[int | str, dict[str, Any]]
UNAUTHORIZED: Responses = {401: {"description": "Missing, invalid or revoked credentials"}}
FORBIDDEN: Responses = {403: {"description": "Signed in, but not allowed"}}


def _unauthorized(detail: str = "Not authenticated") -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def session_user(request: Request, session: SessionDep) -> User | None:
    """The user named by the browser session, if any."""
    uid = request.session.get("uid")
    return user_service.get_user(session, user_id=uid) if isinstance(uid, int) else None


def browser_user(
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: Annotated[User | None, Depends(session_user)],
) -> User:
    """The session's user; a first visit gets a guest so it can study at once."""
    if user is None:
        user = user_service.create_guest(session, now=now)
        request.session["uid"] = user.id
        request.state.user = UserView.of(user)
    return user


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing browser request without this session's CSRF token (403)."""
    if request.method in SAFE_METHODS:
        return
    expected = getattr(request.state, "csrf_token", "")
    given = request.headers.get(CSRF_HEADER)
    if given is None and "form" in request.headers.get("content-type", ""):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not security.same_token(expected, given):
        raise HTTPException(403, "Missing or invalid CSRF token; reload the page and try again.")


def authenticate(request: Request, session: Session, *, now: datetime) -> User:
    """A bearer token's user; or the browser session's, with ``X-CSRF-Token`` on writes."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Use 'Authorization: Bearer <token>'")
        user = tokens.user_for_token(session, token=token.strip(), now=now)
        if user is None:
            raise _unauthorized("Invalid or revoked token")
    else:
        cookie_user = session_user(request, session)
        if cookie_user is None:
            raise _unauthorized()
        expected = getattr(request.state, "csrf_token", "")
        if request.method not in SAFE_METHODS and not security.same_token(
            expected, request.headers.get(CSRF_HEADER)
        ):
            raise HTTPException(403, "Cookie-authenticated API writes need the X-CSRF-Token header")
        user = cookie_user
    request.state.user = UserView.of(user)
    return user


def api_user(request: Request, session: SessionDep, now: NowDep) -> User:
    """A bearer token's user; or the browser session's, with ``X-CSRF-Token`` on writes."""
    # The session cookie is read inside (not as a dependency of its own): every sync dependency
    # costs a trip through the thread pool, and API clients with a token never need it.
    return authenticate(request, session, now=now)


@dataclass(frozen=True)
class _OneTrip:
    """A request whose database work runs as one unit: open a session, find the user, call
    ``work(session, user)``, close, in a single worker-thread trip (``Database.run``).

    The hot routes use it: with a session, settings, clock and user each resolved as a sync
    dependency, FastAPI made seven thread-pool trips per request, as costly as the work.
    """

    request: Request
    now: datetime

    async def run(self, work: Callable[[Session, User], T]) -> T:
        """``work(session, user)`` on a database worker thread."""
        db = get_db(self.request)
        return await db.run(partial(self._unit, db, work))

    def _unit(self, db: Database, work: Callable[[Session, User], T]) -> T:
        with db.session() as session:
            return work(session, self.user_in(session))

    def user_in(self, session: Session) -> User:
        """The request's user, found with ``session`` (401/403 or a new guest, as the subclass says)."""
        raise NotImplementedError


@dataclass(frozen=True)
class ApiCall(_OneTrip):
    """An API request (bearer token or session cookie; 401/403 as for ``ApiUser``)."""

    settings: Settings

    def user_in(self, session: Session) -> User:
        return authenticate(self.request, session, now=self.now)


@dataclass(frozen=True)
class PageCall(_OneTrip):
    """A browser page, rendering included (many threads rendering at once fought over the GIL,
    bench/RESULTS.md); the session's user, a guest on a first visit as for ``CurrentUser``."""

    def user_in(self, session: Session) -> User:
        return browser_user(self.request, session, self.now, session_user(self.request, session))


async def page_call(request: Request) -> PageCall:
    """The request and its clock (no database work yet)."""
    return PageCall(request, get_now(request))


async def api_call(request: Request) -> ApiCall:
    """The request, its settings and its clock (no database work yet)."""
    return ApiCall(request, get_now(request), get_settings(request))


async def account_user(user: Annotated[User, Depends(api_user)]) -> User:
    """An API user that has registered (guests cannot manage tokens)."""
    if user.is_guest:
        raise HTTPException(403, "Register an account first")
    return user


async def admin_user(user: Annotated[User, Depends(api_user)]) -> User:
    """An API user with the admin role (403 otherwise)."""
    if not user.is_admin:
        raise HTTPException(403, "Admins only")
    return user


async def cheap_hashing(settings: SettingsDep) -> bool:
    """Tests hash passwords with tiny Argon2 parameters; every other mode uses the defaults."""
    return settings.mode == "test"


CurrentUser = Annotated[User, Depends(browser_user)]
OptionalUser = Annotated[User | None, Depends(session_user)]
ApiUser = Annotated[User, Depends(api_user)]
AccountUser = Annotated[User, Depends(account_user)]
AdminUser = Annotated[User, Depends(admin_user)]
ApiCallDep = Annotated[ApiCall, Depends(api_call)]
PageCallDep = Annotated[PageCall, Depends(page_call)]
CheapHashDep = Annotated[bool, Depends(cheap_hashing)]
CsrfProtected = Depends(require_csrf)
