"""Pure security helpers: password hashing, API tokens, CSRF tokens. No database, no FastAPI."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "dp_"
# Shown in token lists so people can tell tokens apart; far too short to guess the rest.
DISPLAY_PREFIX_LENGTH = 10


@cache
def password_hasher(*, cheap: bool = False) -> PasswordHasher:
    """Argon2id with the library's defaults; ``cheap`` (tests only) keeps suites fast."""
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, *, cheap: bool = False) -> str:
    """An Argon2id hash of ``password``."""
    return password_hasher(cheap=cheap).hash(password)


def verify_password(password_hash: str | None, password: str, *, cheap: bool = False) -> bool:
    """True when ``password`` matches; a missing or malformed hash never matches."""
    if not password_hash:
        # Spend the same work as a real check so response time does not reveal unknown emails.
        password_hasher(cheap=cheap).hash(password)
        return False
    try:
        return password_hasher(cheap=cheap).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    """A fresh bearer token: ``dp_`` and 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 hex of a token: tokens are random, so a fast hash is enough (no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """The first characters of a token, for lists."""
    return token[:DISPLAY_PREFIX_LENGTH]


def new_session_id() -> str:
    """A random nonce naming one browser session (the CSRF token is derived from it)."""
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, session_id: str) -> str:
    """HMAC of the session id: forms carry it, so other sites cannot forge our POSTs."""
    return hmac.new(secret.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison of two tokens."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())
