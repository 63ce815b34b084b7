"""Accounts and guests: create, register (a guest keeps its progress), authenticate, settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.db import retry_locked, utcnow, write_lock
from app.users import ratelimit, security
from app.users.models import ROLES, User
from app.users.settings import UserSettings, UserSettingsUpdate, load_settings

_NULLABLE_SETTINGS = frozenset(name for name, f in UserSettings.model_fields.items() if f.default is None)


class EmailTaken(ValueError):
    """Another account already uses this email."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


_USER_BY_ID = select(User).where(User.id == bindparam("uid"))


def get_user(session: Session, *, user_id: int) -> User | None:
    """A user by id."""
    # A prebuilt select, not session.get: every page and cookie API call runs this, and get()
    # rebuilt its statement each time (profiled: most of the look-up's cost).
    return session.scalars(_USER_BY_ID, {"uid": user_id}).first()


def get_by_email(session: Session, *, email: str) -> User | None:
    """An account by email (any case)."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_guest(session: Session, *, now: datetime) -> User:
    """A fresh guest: no email, no password, default settings; commit."""
    guest = User(is_guest=True, role="user", settings={}, created_at=now)

    def write() -> User:
        with write_lock(session):
            session.add(guest)
            session.commit()
        return guest

    return retry_locked(session, write)


def register(
    session: Session,
    *,
    email: str,
    password: str,
    now: datetime,
    guest: User | None = None,
    cheap_hash: bool = False,
) -> User:
    """Create an account, or turn ``guest`` into one so its progress is kept; commit."""
    email = normalise_email(email)
    password_hash = security.hash_password(password, cheap=cheap_hash)  # slow: outside the lock
    if get_by_email(session, email=email) is not None:
        raise EmailTaken(email)
    user = guest if guest is not None and guest.is_guest else User(role="user", settings={}, created_at=now)
    user.email, user.password_hash, user.is_guest = email, password_hash, False
    try:
        with write_lock(session):
            session.add(user)
            session.commit()
    except IntegrityError as exc:  # a concurrent sign-up won the unique email
        session.rollback()
        raise EmailTaken(email) from exc
    return user


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    cheap_hash: bool = False,
    address: str | None = None,
    now: datetime | None = None,
) -> User | None:
    """The account with these credentials, or None (same work either way); failures count
    towards the per-account and per-address limits, and raise ratelimit.TooManyAttempts past them."""
    now = now or utcnow()
    earlier_failures = ratelimit.check(session, email=email, address=address, now=now)
    user = get_by_email(session, email=email)
    ok = security.verify_password(user.password_hash if user else None, password, cheap=cheap_hash)
    if ok and user is not None and not user.is_guest:
        if earlier_failures:
            ratelimit.clear_account(session, email=email)
        return user
    ratelimit.record_failure(session, email=email, address=address, now=now)
    return None


def settings_of(user: User) -> UserSettings:
    """A user's validated settings."""
    return load_settings(user.settings)


def update_settings(session: Session, *, user: User, update: UserSettingsUpdate) -> UserSettings:
    """Merge a partial update, validate the whole, store; commit."""
    changes = update.model_dump(mode="json", exclude_unset=True)
    # null means "no change" for a setting that cannot be empty (clients that send every field):
    # merged as a value it failed validation after the request's, a 500 found by schemathesis.
    changes = {k: v for k, v in changes.items() if v is not None or k in _NULLABLE_SETTINGS}
    merged = settings_of(user).model_dump(mode="json") | changes
    validated = UserSettings.model_validate(merged)
    user.settings = validated.model_dump(mode="json")
    with write_lock(session):
        session.commit()
    return validated


def list_users(session: Session, *, include_guests: bool = False) -> list[User]:
    """Accounts in creation order (guests too when asked)."""
    stmt = select(User).order_by(User.id)
    if not include_guests:
        stmt = stmt.where(User.is_guest.is_(False))
    return list(session.scalars(stmt))


def set_role(session: Session, *, user: User, role: str) -> User:
    """Give ``user`` a role; commit."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.role = role
    with write_lock(session):
        session.commit()
    return user
