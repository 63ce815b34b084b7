"""``deepprep create-admin EMAIL``: promote an account to admin, or create one."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from pydantic import ValidationError

from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.migrations import upgrade
from app.users import service as user_service
from app.users.schemas import UserCreate

PASSWORD_ENV = "DEEPPREP_ADMIN_PASSWORD"
Prompt = Callable[[str], str]


class AdminRefused(ValueError):
    """The email or password is not acceptable; the message says why."""


def create_admin(settings: Settings, *, email: str, ask: Prompt = getpass.getpass) -> str:
    """Make ``email`` an admin (creating the account if needed) and say what was done."""
    # A new account's password comes from DEEPPREP_ADMIN_PASSWORD (automation) or is asked twice.
    db = Database(settings.database_url)
    try:
        upgrade(db)
        with db.session() as session:
            user = user_service.get_by_email(session, email=email)
            if user is not None and not user.is_guest:
                user_service.set_role(session, user=user, role="admin")
                return f"{user.email} is now an admin"
            data = _validated(email, _password(ask))
            user = user_service.register(session, email=data.email, password=data.password, now=utcnow())
            user_service.set_role(session, user=user, role="admin")
            return f"created the admin account {user.email}"
    finally:
        db.dispose()


def _password(ask: Prompt) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty() and ask is getpass.getpass:
        raise AdminRefused(f"no terminal to ask for the password: set {PASSWORD_ENV}")
    first = ask("Password for the new admin (at least 8 characters): ")
    if ask("Repeat the password: ") != first:
        raise AdminRefused("the two passwords differ")
    return first


def _validated(email: str, password: str) -> UserCreate:
    try:
        return UserCreate(email=email, password=password)
    except ValidationError as exc:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors()}))
        raise AdminRefused(f"invalid {fields}: an email address and a password of 8+ characters") from exc
