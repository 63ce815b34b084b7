"""API shapes of users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.users.models import ApiToken, User

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=254,
        # Explicit ranges (no @, space or control character), not \s: regex engines disagree on
        # which Unicode characters \s covers, and the OpenAPI pattern must mean what the server checks.
        pattern=r"^[^@\x00-\x20\x7f-\x9f]+@[^@\x00-\x20\x7f-\x9f]+\.[^@\x00-\x20\x7f-\x9f]+$",
    ),
]
# Argon2 hashes any length, but a cap keeps one request from costing megabytes of hashing.
Password = Annotated[str, Field(min_length=8, max_length=256)]
TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class UserCreate(BaseModel):
    """Sign-up data."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password


class UserPublic(BaseModel):
    """What the API shows of a user."""

    id: int
    email: str | None
    role: str
    is_guest: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserPublic:
        """Build from a row."""
        return cls(
            id=user.id, email=user.email, role=user.role, is_guest=user.is_guest, created_at=user.created_at
        )


class TokenCreate(BaseModel):
    """Credentials and a name for the new token."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Annotated[str, Field(min_length=1, max_length=256)]
    name: TokenName = "api"


class TokenPublic(BaseModel):
    """A token as listed: never the secret itself."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenPublic:
        """Build from a row."""
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenCreated(TokenPublic):
    """A new token: ``token`` is shown this once and cannot be recovered."""

    token: str = Field(description="Send as 'Authorization: Bearer <token>'")


class RoleUpdate(BaseModel):
    """An admin changes a user's role."""

    model_config = ConfigDict(extra="forbid")

    role: Annotated[str, Field(pattern="^(user|admin)$")]
