"""Users API: sign up, tokens (create with credentials, list, revoke), settings, admin roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response

from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep
from app.users import ratelimit, service, tokens
from app.users.dependencies import (
    FORBIDDEN,
    UNAUTHORIZED,
    AccountUser,
    AdminUser,
    ApiUser,
    CheapHashDep,
)
from app.users.schemas import RoleUpdate, TokenCreate, TokenCreated, TokenPublic, UserCreate, UserPublic
from app.users.settings import UserSettings, UserSettingsUpdate

router = APIRouter(prefix="/api/v1", tags=["users"])
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many failed sign-ins for this account or address; see Retry-After"}
}


@router.post("/users", status_code=201, responses={409: {"description": "Email already registered"}})
def create_user(body: UserCreate, session: SessionDep, now: NowDep, cheap: CheapHashDep) -> UserPublic:
    """Register an account with email and password."""
    try:
        user = service.register(session, email=body.email, password=body.password, now=now, cheap_hash=cheap)
    except service.EmailTaken as exc:
        raise HTTPException(409, "This email is already registered") from exc
    return UserPublic.of(user)


@router.get("/users/me", responses=UNAUTHORIZED)
def me(user: ApiUser) -> UserPublic:
    """The authenticated user."""
    return UserPublic.of(user)


@router.get("/users", responses={**UNAUTHORIZED, **FORBIDDEN})
def list_users(session: SessionDep, _: AdminUser) -> list[UserPublic]:
    """Every account (admins only)."""
    return [UserPublic.of(u) for u in service.list_users(session)]


@router.put(
    "/users/{user_id}/role", responses={**UNAUTHORIZED, **FORBIDDEN, 404: {"description": "No such user"}}
)
def set_role(user_id: Id, body: RoleUpdate, session: SessionDep, _: AdminUser) -> UserPublic:
    """Make a user an admin or a plain user (admins only)."""
    user = service.get_user(session, user_id=user_id)
    if user is None or user.is_guest:
        raise HTTPException(404, "No such user")
    return UserPublic.of(service.set_role(session, user=user, role=body.role))


@router.post("/tokens", status_code=201, responses={**UNAUTHORIZED, **TOO_MANY})
def create_token(
    request: Request, body: TokenCreate, session: SessionDep, now: NowDep, cheap: CheapHashDep
) -> TokenCreated:
    """Exchange email and password for a new API token (shown once); failures are throttled."""
    user = service.authenticate(
        session,
        email=body.email,
        password=body.password,
        cheap_hash=cheap,
        address=ratelimit.client_address(request),
        now=now,
    )
    if user is None:
        raise HTTPException(401, "Wrong email or password")
    token, plain = tokens.create_token(session, user=user, name=body.name, now=now)
    return TokenCreated(**TokenPublic.of(token).model_dump(), token=plain)


@router.get("/tokens", responses={**UNAUTHORIZED, **FORBIDDEN})
def list_tokens(session: SessionDep, user: AccountUser) -> list[TokenPublic]:
    """The caller's tokens, newest first (secrets are never shown again)."""
    return [TokenPublic.of(t) for t in tokens.list_tokens(session, user=user)]


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses={**UNAUTHORIZED, **FORBIDDEN, 404: {"description": "No such token"}},
)
def revoke_token(token_id: Id, session: SessionDep, now: NowDep, user: AccountUser) -> Response:
    """Revoke one of the caller's tokens; it stops working at once."""
    if not tokens.revoke_token(session, user=user, token_id=token_id, now=now):
        raise HTTPException(404, "No such token")
    return Response(status_code=204)


@router.get("/settings", responses=UNAUTHORIZED)
def get_settings(user: ApiUser) -> UserSettings:
    """The caller's scheduling limits and preferences."""
    return service.settings_of(user)


@router.patch("/settings", responses=UNAUTHORIZED)
def update_settings(body: UserSettingsUpdate, session: SessionDep, user: ApiUser) -> UserSettings:
    """Change some settings; the rest stay as they are."""
    return service.update_settings(session, user=user, update=body)
