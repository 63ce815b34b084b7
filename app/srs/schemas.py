"""API shapes of the review queue, reviews, cards and statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.bank.schemas import QuestionPublic
from app.srs import scheduler as core
from app.srs.models import Card, ReviewLog


def _strict_int(value: Any) -> Any:
    """Refuse ``true`` and ``"3"`` for integers; accept ``3.0`` (JSON Schema calls it an integer)."""
    if isinstance(value, bool | str):
        raise ValueError("must be an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Field bounds first so the schema shows minimum/maximum; the strict check runs before them.
Rating = Annotated[
    int, Field(ge=1, le=4, description="1 again, 2 hard, 3 good, 4 easy"), BeforeValidator(_strict_int)
]
DurationMs = Annotated[int, Field(ge=0, le=86_400_000), BeforeValidator(_strict_int)]
ClientReviewId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class ReviewIn(BaseModel):
    """One answer. Send a fresh ``client_review_id`` per answer and reuse it on retries."""

    model_config = ConfigDict(extra="forbid")

    rating: Rating
    duration_ms: DurationMs | None = None
    client_review_id: ClientReviewId | None = Field(
        None, description="Makes retries safe: the same id returns the first result"
    )
    affects_schedule: bool = Field(True, description="false = practice: logged, schedule untouched")


class CardBrief(BaseModel):
    """A card's scheduling state."""

    id: int
    state: str = Field(description="new, learning, review or relearning")
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    @classmethod
    def of(cls, card: Card) -> CardBrief:
        """Build from a row."""
        return cls(
            id=card.id,
            state=core.STATE_NAMES[card.state],
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )


class CardPublic(CardBrief):
    """A card with its question and flags."""

    question_id: str = Field(description="The bank's stable item id")
    reps: int
    lapses: int
    suspended: bool
    buried_until: datetime | None
    leech: bool
    question: QuestionPublic

    @classmethod
    def of(cls, card: Card) -> CardPublic:
        """Build from a row."""
        return cls(
            **CardBrief.of(card).model_dump(),
            question_id=card.question.slug,
            reps=card.reps,
            lapses=card.lapses,
            suspended=card.suspended,
            buried_until=card.buried_until,
            leech=card.leech,
            question=QuestionPublic.of(card.question),
        )


class Intervals(BaseModel):
    """Seconds until the card is due again after each rating."""

    again: int
    hard: int
    good: int
    easy: int


class CountsPublic(BaseModel):
    """Cards left today."""

    new: int
    learning: int
    review: int


class NextCardPublic(BaseModel):
    """The next card to study."""

    card: CardPublic
    intervals: Intervals
    counts: CountsPublic


class ReviewResult(BaseModel):
    """The stored review and the card after it."""

    review_id: int
    reviewed_at: datetime
    card: CardBrief


class ReviewPublic(BaseModel):
    """One line of a card's history."""

    review_id: int
    reviewed_at: datetime
    rating: int
    duration_ms: int | None
    affects_schedule: bool
    state_before: str
    due_after: datetime

    @classmethod
    def of(cls, log: ReviewLog) -> ReviewPublic:
        """Build from a row."""
        return cls(
            review_id=log.id,
            reviewed_at=log.reviewed_at,
            rating=log.rating,
            duration_ms=log.duration_ms,
            affects_schedule=log.affects_schedule,
            state_before=core.STATE_NAMES[log.state_before],
            due_after=datetime.fromisoformat(log.card_after["due"]),
        )


class CardInfo(CardPublic):
    """A card, how likely it is to be recalled now, and every review of it."""

    retrievability: float
    history: list[ReviewPublic]
