"""Reviews: answer a card (idempotent, race-safe), undo exactly, suspend, bury, card details.

Each write follows the same shape: read and compute outside any lock, then one short transaction
under the SQLite write lock. ``Card.version`` makes a concurrent change fail the UPDATE instead of
being overwritten; the whole unit then runs again on fresh data (``retry_locked``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from fsrs import Scheduler
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import write_lock
from app.srs import days
from app.srs import scheduler as core
from app.srs.cards import (
    CardNotFound,
    CardRow,
    PlannedReview,
    apply_state,
    get_card,
    optimistic_then_locked,
    read_card,
    save_reviews,
    scheduler_for,
    state_of,
)
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import UserSettings, load_settings

__all__ = ["CardNotFound", "NothingToUndo", "ReviewConflict", "UndoConflict", "get_card"]


class ReviewConflict(ValueError):
    """A ``client_review_id`` was reused for a different card or rating."""


class NothingToUndo(LookupError):
    """The user has no review left to undo."""


class UndoConflict(ValueError):
    """The card changed after the review (e.g. suspended), so undoing it would lose that change."""


@dataclass(frozen=True)
class ReviewOutcome:
    """The stored log and the card after it; ``replayed`` when a retry found an earlier result."""

    log: ReviewLog
    card: CardRow
    replayed: bool


@dataclass(frozen=True)
class Answer:
    """What the learner sent for one card; ``client_review_id`` makes a retry return the first result."""

    card_id: int
    rating: int
    client_review_id: str
    duration_ms: int | None = None
    affects_schedule: bool = True


@dataclass(frozen=True)
class Rules:
    """The user's scheduler and settings, built once per review."""

    scheduler: Scheduler
    settings: UserSettings

    @classmethod
    def of(cls, user: User, *, fuzz: bool) -> Rules:
        settings = load_settings(user.settings)
        return cls(scheduler_for(user, fuzz=fuzz, settings=settings), settings)


def review(
    session: Session,
    *,
    user: User,
    card_id: int,
    rating: int,
    now: datetime,
    fuzz: bool,
    duration_ms: int | None = None,
    client_review_id: str | None = None,
    affects_schedule: bool = True,
) -> ReviewOutcome:
    """Answer a card; a retry with the same ``client_review_id`` returns the first result; commit."""
    answer = Answer(card_id, rating, client_review_id or uuid.uuid4().hex, duration_ms, affects_schedule)
    return answer_card(session, user=user, answer=answer, now=now, fuzz=fuzz)


def answer_card(session: Session, *, user: User, answer: Answer, now: datetime, fuzz: bool) -> ReviewOutcome:
    """``review`` for one prepared answer: optimistic first, locked on a lost race; commit."""
    rules = Rules.of(user, fuzz=fuzz)

    def attempt(locked: bool) -> ReviewOutcome:
        step = plan_review(session, user=user, answer=answer, now=now, rules=rules, locked=locked)
        if isinstance(step, ReviewOutcome):
            return step
        return written(step, save_reviews(session, [step])[0])

    return optimistic_then_locked(session, attempt)


def plan_review(
    session: Session, *, user: User, answer: Answer, now: datetime, rules: Rules, locked: bool
) -> PlannedReview | ReviewOutcome:
    """Read the card and compute the review (nothing written); or the earlier result of a retry.

    The optimistic first try (``locked`` false) skips the look-up of the key: a retry then fails
    the INSERT on the (user_id, client_review_id) unique key, and the locked re-run replays it.
    """
    key = answer.client_review_id
    earlier = _earlier(session, user, key) if locked else None
    if earlier is not None:
        return _replay(session, user, earlier, answer)
    try:
        card = read_card(session, user_id=user.id, card_id=answer.card_id, locked=locked)
    except CardNotFound:
        earlier = _earlier(session, user, key)  # a reused key still answers 409, as before
        if earlier is None:
            raise
        return _replay(session, user, earlier, answer)
    before = card.state
    # Two clients can race: never log a review earlier than the one it follows.
    at = max(now, before.last_review) if before.last_review else now
    after = before
    if answer.affects_schedule:
        after = core.review(
            rules.scheduler,
            card_id=card.id,
            before=before,
            rating=answer.rating,
            now=at,
            leech_threshold=rules.settings.leech_threshold,
            leech_suspends=rules.settings.leech_action == "suspend",
        )
    log = {
        "user_id": user.id,
        "card_id": card.id,
        "client_review_id": key,
        "rating": answer.rating,
        "reviewed_at": at,
        "duration_ms": answer.duration_ms,
        "affects_schedule": answer.affects_schedule,
        "state_before": before.state,
        "interval_days": core.scheduled_interval_days(before),
        "card_before": before.to_json(),
        "card_after": after.to_json(),
    }
    return PlannedReview(card=card, after=after, log=log)


def written(planned: PlannedReview, log: ReviewLog) -> ReviewOutcome:
    """The outcome of a planned review once its log is stored."""
    card = replace(planned.card, version=planned.card.version + 1, state=planned.after)
    return ReviewOutcome(log=log, card=card, replayed=False)


def _earlier(session: Session, user: User, key: str) -> ReviewLog | None:
    return session.scalar(
        select(ReviewLog).where(ReviewLog.user_id == user.id, ReviewLog.client_review_id == key)
    )


def _replay(session: Session, user: User, earlier: ReviewLog, answer: Answer) -> ReviewOutcome:
    if earlier.card_id != answer.card_id or earlier.rating != answer.rating:
        raise ReviewConflict("client_review_id was already used for a different review")
    card = read_card(session, user_id=user.id, card_id=answer.card_id)
    return ReviewOutcome(log=earlier, card=card, replayed=True)


def undo(session: Session, *, user: User) -> Card:
    """Undo the user's latest review: the card gets back exactly its earlier state; commit."""

    def attempt(locked: bool) -> Card:
        log = session.scalar(
            select(ReviewLog).where(ReviewLog.user_id == user.id).order_by(ReviewLog.id.desc()).limit(1)
        )
        if log is None:
            raise NothingToUndo()
        card = get_card(session, user=user, card_id=log.card_id, for_update=locked)
        if state_of(card).to_json() != log.card_after:
            raise UndoConflict("the card changed after this review")
        with write_lock(session):
            apply_state(card, core.CardState.from_json(log.card_before))
            session.delete(log)
            session.commit()
        return card

    return optimistic_then_locked(session, attempt)


def set_suspended(session: Session, *, user: User, card_id: int, suspended: bool) -> Card:
    """Suspend a card (it leaves the queue) or bring it back; commit."""
    return _update(session, user, card_id, suspended=suspended)


def bury(session: Session, *, user: User, card_id: int, now: datetime) -> Card:
    """Hide a card until the user's next study day starts; commit."""
    settings = load_settings(user.settings)
    _, tomorrow = days.today_bounds(now, settings.zone(), settings.day_start_hour)
    return _update(session, user, card_id, buried_until=tomorrow)


def unbury(session: Session, *, user: User, card_id: int) -> Card:
    """Show a buried card again today; commit."""
    return _update(session, user, card_id, buried_until=None)


def _update(session: Session, user: User, card_id: int, **values: object) -> Card:
    def attempt(locked: bool) -> Card:
        card = get_card(session, user=user, card_id=card_id, for_update=locked)
        with write_lock(session):
            for name, value in values.items():
                setattr(card, name, value)
            session.commit()
        return card

    return optimistic_then_locked(session, attempt)


def history(session: Session, *, card: Card) -> list[ReviewLog]:
    """A card's reviews, oldest first."""
    stmt = select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.reviewed_at, ReviewLog.id)
    return list(session.scalars(stmt))


def retrievability(user: User, card: Card, *, now: datetime) -> float:
    """Predicted recall probability of a card now."""
    return core.retrievability(scheduler_for(user, fuzz=False), state_of(card), now)
