"""Cards (one per user and bank item) and the review log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bank.models import Question
from app.core.db import Base, JSONType, UTCDateTime, utcnow


class Card(Base):
    """A user's memory of one question; FSRS columns mirror ``fsrs.Card`` (state 0 = not yet seen)."""

    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        # The queue asks "this user's cards due before T, oldest first": one index range scan.
        Index("ix_card_user_id_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    state: Mapped[int] = mapped_column(SmallInteger, default=0)
    step: Mapped[int | None] = mapped_column(Integer, default=None)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic lock: every UPDATE checks and bumps it, so two writers can never both win.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Loaded on access: the queue and the review write never need the question's body.
    question: Mapped[Question] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads a plain dict)


class ReviewLog(Base):
    """One answer. ``card_before``/``card_after`` make undo exact and imports replayable."""

    __tablename__ = "review_log"
    __table_args__ = (
        # A client retrying a review sends the same id: the constraint makes the retry harmless.
        UniqueConstraint("user_id", "client_review_id"),
        Index("ix_review_log_user_id_reviewed_at", "user_id", "reviewed_at"),
        Index("ix_review_log_card_id_reviewed_at", "card_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    client_review_id: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(SmallInteger)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    affects_schedule: Mapped[bool] = mapped_column(Boolean, default=True)
    # Denormalised from card_before so limits and stats are plain SQL aggregates:
    # the card's state before the answer, and the interval it had been scheduled for (days).
    state_before: Mapped[int] = mapped_column(SmallInteger)
    interval_days: Mapped[float | None] = mapped_column(Float, default=None)
    card_before: Mapped[dict[str, Any]] = mapped_column(JSONType)
    card_after: Mapped[dict[str, Any]] = mapped_column(JSONType)
