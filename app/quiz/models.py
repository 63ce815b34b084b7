"""Quizzes and mock interviews (one table, ``mode`` tells them apart) and their attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bank.models import Question
from app.core.db import Base, JSONType, UTCDateTime, utcnow

MODES = ("quiz", "interview")


class Quiz(Base):
    """A quiz or a mock interview: its settings, when it started, when it was finished."""

    __tablename__ = "quiz"
    # History pages list a user's sessions newest first.
    __table_args__ = (Index("ix_quiz_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(16), default="quiz")
    # Validated through app.quiz.schemas.QuizConfig: topics, kinds, layout, feedback, timer…
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Mean attempt score once finished (an interview: once its answers are graded).
    score: Mapped[float | None] = mapped_column(Float, default=None)

    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="quiz",
        cascade="all, delete-orphan",
        order_by="Attempt.position",
        lazy="selectin",
    )


class Attempt(Base):
    """One question of a quiz: what was shown (``params``), what was answered, how it scored."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    # The presentation: seed of a computed variant and the shuffled option order.
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    correct: Mapped[bool | None] = mapped_column(Boolean, default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # True once the answer went into the spaced-repetition schedule as a review.
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)

    quiz: Mapped[Quiz] = relationship(back_populates="attempts")
    question: Mapped[Question] = relationship(lazy="joined")
