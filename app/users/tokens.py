"""API tokens: create (shown once), list, revoke, and resolve a bearer token to its user."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.core.db import write_lock
from app.users import security
from app.users.models import ApiToken, User

# Recording every use would turn each API read into a write; once a minute is plenty to audit.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Built once: every API request runs it, and building (and keying) a select cost more than running it.
# One entity (the user) plus the token's three columns: loading the token as an ORM object too
# doubled the cost of the look-up.
_OWNER_OF_DIGEST = (
    select(User, ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"))
)
_NOTE_USE = update(ApiToken).where(ApiToken.id == bindparam("token_id")).values(last_used_at=bindparam("now"))


def create_token(session: Session, *, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plain token (never stored); commit."""
    plain = security.new_api_token()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=security.token_digest(plain),
        prefix=security.display_prefix(plain),
        created_at=now,
    )
    with write_lock(session):
        session.add(token)
        session.commit()
    return token, plain


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first, revoked ones included."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_token(session: Session, *, user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of ``user``'s tokens; False when it is not theirs or does not exist; commit."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return False
    if token.revoked_at is None:
        token.revoked_at = now
        with write_lock(session):
            session.commit()
    return True


def user_for_token(session: Session, *, token: str, now: datetime) -> User | None:
    """The owner of a live token, or None; notes when it was last used."""
    found = session.execute(_OWNER_OF_DIGEST, {"digest": security.token_digest(token)}).first()
    if found is None:
        return None
    user, token_id, revoked_at, last_used_at = found._tuple()
    if revoked_at is not None:
        return None
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        with write_lock(session):
            session.connection().execute(_NOTE_USE, {"token_id": token_id, "now": now})
            session.commit()
    return user
