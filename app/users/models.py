"""Users (guests and accounts) and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, JSONType, UTCDateTime, utcnow

ROLES = ("user", "admin")


class User(Base):
    """A learner. Guests have no email or password until they register (same row, progress kept)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[str] = mapped_column(String(16), default="user")
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    # Validated through app.users.settings.UserSettings on every write.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # {"weights": [21 floats], "optimised_at", "reviews", "log_loss_before", ...} or None (defaults).
    fsrs_parameters: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role == "admin"

    @property
    def display_name(self) -> str:
        """The email, or a neutral label for guests."""
        return self.email or f"guest-{self.id}"


@dataclass(frozen=True)
class UserView:
    """What pages show of the signed-in user: plain values, safe after the request's session
    rolled back or closed (an ORM row would try to reload itself there and fail)."""

    id: int
    email: str | None
    role: str
    is_guest: bool
    lang: str | None = None  # the saved interface language, if the learner chose one

    @property
    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role == "admin"

    @classmethod
    def of(cls, user: User) -> UserView:
        """A snapshot of ``user``."""
        return cls.from_columns(user.id, user.email, user.role, user.is_guest, user.settings)

    @classmethod
    def from_columns(
        cls, user_id: int, email: str | None, role: str, is_guest: bool, settings: dict[str, Any] | None
    ) -> UserView:
        """A snapshot from the user's columns (``settings`` holds the saved language)."""
        lang = (settings or {}).get("lang")
        return cls(user_id, email, role, is_guest, lang if isinstance(lang, str) else None)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the prefix lets people tell tokens apart."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
