"""What to study next: due learning steps, then due reviews (least likely recalled first), then new
cards within the daily limit. Counts of what is left today come with every answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.bank.models import Question, QuestionTag, Topic
from app.srs import days
from app.srs import scheduler as core
from app.srs.cards import ensure_card, scheduler_for, state_of
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import UserSettings, load_settings

# Anki's "learn ahead limit": with nothing else left, a learning step due this soon is shown now.
LEARN_AHEAD = timedelta(minutes=20)
# Due reviews are read oldest-first through the (user_id, due) index; among this many of the most
# overdue, the lowest retrievability goes first. A window keeps the query flat at a million cards.
REVIEW_WINDOW = 50
S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True)
class QueueFilter:
    """Study one topic or one tag (both optional)."""

    topic: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Counts:
    """Cards left today, like Anki's three numbers."""

    new: int
    learning: int
    review: int


@dataclass(frozen=True)
class NextCard:
    """The card to show, seconds to its next due per rating, and what is left today."""

    card: Card
    intervals: dict[str, int]
    counts: Counts


@dataclass(frozen=True)
class _Day:
    start: datetime
    end: datetime
    new_left: int
    reviews_left: int


def next_card(
    session: Session, *, user: User, filters: QueueFilter, now: datetime, fuzz: bool
) -> NextCard | None:
    """The next card to study, or None when nothing is left (creates a new card on first study)."""
    settings = load_settings(user.settings)
    day = _today(session, user, settings, now)
    card = _pick(session, user, filters, day, now)
    if card is None:
        return None
    preview = scheduler_for(user, fuzz=False, settings=settings)
    intervals = core.preview(preview, card_id=card.id, before=state_of(card), now=now)
    return NextCard(card=card, intervals=intervals, counts=_counts(session, user, filters, day, now))


def count_left(session: Session, *, user: User, filters: QueueFilter, now: datetime) -> Counts:
    """New, learning and review cards left in today's queue."""
    return _counts(session, user, filters, _today(session, user, load_settings(user.settings), now), now)


def _counts(session: Session, user: User, filters: QueueFilter, day: _Day, now: datetime) -> Counts:
    is_learning = Card.state.in_((core.LEARNING, core.RELEARNING))
    stmt = select(func.count().filter(is_learning), func.count().filter(Card.state == core.REVIEW))
    learning, review = session.execute(
        _studyable(stmt.select_from(Card), user, filters, now).where(Card.due < day.end)
    ).one()
    return Counts(
        new=min(day.new_left, _new_available(session, user, filters)),
        learning=learning,
        review=min(day.reviews_left, review),
    )


def next_learning_due(
    session: Session, *, user: User, filters: QueueFilter, now: datetime
) -> datetime | None:
    """When the next learning step of today falls due (for a client waiting on an empty queue)."""
    day = _today(session, user, load_settings(user.settings), now)
    stmt = (
        _cards(user, filters, now)
        .where(Card.state.in_((core.LEARNING, core.RELEARNING)), Card.due < day.end)
        .order_by(Card.due)
        .limit(1)
    )
    card = session.scalar(stmt)
    return card.due if card else None


def _pick(session: Session, user: User, filters: QueueFilter, day: _Day, now: datetime) -> Card | None:
    learning = _cards(user, filters, now).where(Card.state.in_((core.LEARNING, core.RELEARNING)))
    card = session.scalar(learning.where(Card.due <= now).order_by(Card.due).limit(1))
    if card is None and day.reviews_left > 0:
        card = _lowest_retrievability(session, user, filters, day, now)
    if card is None and day.new_left > 0:
        card = _new_card(session, user, filters, now)
    if card is None:
        card = session.scalar(learning.where(Card.due <= now + LEARN_AHEAD).order_by(Card.due).limit(1))
    return card


def _lowest_retrievability(
    session: Session, user: User, filters: QueueFilter, day: _Day, now: datetime
) -> Card | None:
    columns = select(
        Card.id, Card.state, Card.step, Card.stability, Card.difficulty, Card.due, Card.last_review
    )
    stmt = _studyable(columns.select_from(Card), user, filters, now).where(
        Card.state == core.REVIEW, Card.due < day.end
    )
    window = session.execute(stmt.order_by(Card.due).limit(REVIEW_WINDOW)).all()
    if not window:
        return None
    scheduler = scheduler_for(user, fuzz=False)

    def recall(row: Any) -> tuple[float, datetime, int]:
        state = core.CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
        return core.retrievability(scheduler, state, now), row.due, row.id

    return session.get(Card, min(window, key=recall).id)


def _new_card(session: Session, user: User, filters: QueueFilter, now: datetime) -> Card | None:
    seen = _cards(user, filters, now).where(Card.state == core.NEW).order_by(Card.id).limit(1)
    card = session.scalar(seen)
    if card is not None:
        return card
    has_card = select(Card.id).where(Card.user_id == user.id, Card.question_id == Question.id).exists()
    stmt = _questions(filters).where(~has_card).order_by(Topic.position, Question.position).limit(1)
    question = session.scalar(stmt)
    return ensure_card(session, user=user, question=question, now=now) if question else None


def _new_available(session: Session, user: User, filters: QueueFilter) -> int:
    """Active questions the user has never answered (their card is missing, or new and not suspended)."""
    questions = _count(session, _questions(filters))
    touched = (
        select(func.count())
        .select_from(Card)
        .join(Question, Card.question_id == Question.id)
        .where(
            Card.user_id == user.id,
            Question.retired.is_(False),
            or_(Card.state != core.NEW, Card.suspended.is_(True)),
        )
    )
    return questions - (session.scalar(_filtered(touched, filters)) or 0)


def _today(session: Session, user: User, settings: UserSettings, now: datetime) -> _Day:
    start, end = days.today_bounds(now, settings.zone(), settings.day_start_hour)
    done = dict(
        session.execute(
            select(ReviewLog.state_before, func.count())
            .where(
                ReviewLog.user_id == user.id,
                ReviewLog.reviewed_at >= start,
                ReviewLog.affects_schedule.is_(True),
            )
            .group_by(ReviewLog.state_before)
        )
        .tuples()
        .all()
    )
    return _Day(
        start=start,
        end=end,
        new_left=max(0, settings.new_per_day - done.get(core.NEW, 0)),
        reviews_left=max(0, settings.reviews_per_day - done.get(core.REVIEW, 0)),
    )


def _cards(user: User, filters: QueueFilter, now: datetime) -> Select[tuple[Card]]:
    """The user's studyable cards: not suspended, not buried, question active, filters applied."""
    return _studyable(select(Card), user, filters, now)


def _studyable(stmt: S, user: User, filters: QueueFilter, now: datetime) -> S:
    stmt = stmt.join(Question, Card.question_id == Question.id).where(
        Card.user_id == user.id,
        Card.suspended.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
        Question.retired.is_(False),
    )
    return _filtered(stmt, filters)


def _questions(filters: QueueFilter) -> Select[tuple[Question]]:
    stmt = select(Question).join(Topic, Question.topic_id == Topic.id).where(Question.retired.is_(False))
    return _filtered(stmt, filters)


def _filtered(stmt: S, filters: QueueFilter) -> S:
    if filters.topic:
        stmt = stmt.where(Question.topic_id.in_(select(Topic.id).where(Topic.slug == filters.topic)))
    if filters.tag:
        tagged = select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag)
        stmt = stmt.where(Question.id.in_(tagged))
    return stmt


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
