"""Login throttling kept in the database, so every worker process sees the same counts.

Each failed password check writes one row per key — the account (normalised email, whether or not
it exists, so the limit reveals nothing) and the client address. A key with ``LIMIT`` failures in
the last ``WINDOW`` is refused before any password is hashed, until its oldest failure ages out.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import Base, UTCDateTime, write_lock
from app.core.errors import error_page, wants_json
from app.core.i18n import translator
from app.core.messages import MESSAGES
from app.core.templating import request_lang

LIMIT = 10
WINDOW = timedelta(minutes=15)


class LoginFailure(Base):
    """One failed login for one key (``account:<email>`` or ``address:<ip>``)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_created_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TooManyAttempts(Exception):
    """Too many failed logins for this account or address; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; retry in {retry_after} s")
        self.retry_after = retry_after


def keys(*, email: str, address: str | None) -> list[str]:
    """The throttling keys of one attempt."""
    found = [f"account:{email.strip().lower()}"]
    return [*found, f"address:{address}"] if address else found


def check(session: Session, *, email: str, address: str | None, now: datetime) -> int:
    """Raise TooManyAttempts when a key is over the limit; else the account's recent failures."""
    since = now - WINDOW
    wait, account_failures = 0, 0
    for key in keys(email=email, address=address):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.created_at)).where(
                LoginFailure.key == key, LoginFailure.created_at > since
            )
        ).one()
        if key.startswith("account:"):
            account_failures = count
        if count >= LIMIT and oldest is not None:
            wait = max(wait, math.ceil((oldest + WINDOW - now).total_seconds()))
    if wait > 0:
        raise TooManyAttempts(wait)
    return account_failures


def record_failure(session: Session, *, email: str, address: str | None, now: datetime) -> None:
    """Count one failed attempt against every key, dropping rows too old to matter; commit."""
    with write_lock(session):
        session.execute(delete(LoginFailure).where(LoginFailure.created_at <= now - WINDOW))
        session.add_all(LoginFailure(key=k, created_at=now) for k in keys(email=email, address=address))
        session.commit()


def clear_account(session: Session, *, email: str) -> None:
    """Forget an account's failures after a successful login (its address keeps its count); commit."""
    with write_lock(session):
        session.execute(delete(LoginFailure).where(LoginFailure.key == keys(email=email, address=None)[0]))
        session.commit()


def client_address(request: Request) -> str | None:
    """The peer address (uvicorn's --proxy-headers puts the real client here behind a proxy)."""
    return request.client.host if request.client else None


async def _too_many(request: Request, exc: TooManyAttempts) -> Response:
    if wants_json(request):
        detail = f"Too many failed logins; try again in {exc.retry_after} seconds"
    else:
        t = translator(request_lang(request), MESSAGES)
        detail = t("auth.throttled", minutes=math.ceil(exc.retry_after / 60))
    response = error_page(request, 429, detail)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def install(app: FastAPI) -> None:
    """Answer TooManyAttempts with 429 and Retry-After, wherever a login is attempted."""
    app.add_exception_handler(TooManyAttempts, _too_many)  # type: ignore[arg-type]
