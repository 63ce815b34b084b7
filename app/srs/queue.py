"""What to study next: due learning steps, then due reviews (least likely recalled first), then new
cards within the daily limit. Counts of what is left today come with every answer."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.bank.models import Question, QuestionTag, Topic
from app.srs import days
from app.srs import queue_sql as sql
from app.srs import scheduler as core
from app.srs.cards import ensure_card, scheduler_for, state_of
from app.srs.models import Card
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
    """The card to show (None when nothing is left), seconds to its next due per rating, and
    what is left today."""

    card: Card | None
    intervals: dict[str, int]
    counts: Counts


@dataclass(frozen=True)
class _Day:
    """Today as the learner's settings see it: what the daily limits still allow, what is left."""

    end: datetime
    new_left: int
    reviews_left: int
    counts: Counts


def next_card(session: Session, *, user: User, filters: QueueFilter, now: datetime, fuzz: bool) -> NextCard:
    """The next card to study and today's counts; the card is None when nothing is left (a new
    card is created on first study)."""
    settings = load_settings(user.settings)
    # Counted before the pick: a card the pick creates is new and unanswered, so it changes no count.
    day = _today(session, user, filters, settings, now)
    card = _pick(session, user, filters, day, now)
    if card is None:
        return NextCard(card=None, intervals={}, counts=day.counts)
    preview = scheduler_for(user, fuzz=False, settings=settings)
    intervals = core.preview(preview, card_id=card.id, before=state_of(card), now=now)
    return NextCard(card=card, intervals=intervals, counts=day.counts)


def count_left(session: Session, *, user: User, filters: QueueFilter, now: datetime) -> Counts:
    """New, learning and review cards left in today's queue."""
    return _today(session, user, filters, load_settings(user.settings), now).counts


def next_learning_due(
    session: Session, *, user: User, filters: QueueFilter, now: datetime
) -> datetime | None:
    """When the next learning step of today falls due (for a client waiting on an empty queue)."""
    settings = load_settings(user.settings)
    _, end = days.today_bounds(now, settings.zone(), settings.day_start_hour)
    return session.scalar(sql.next_learning(_shape(filters)), _bind(user, filters, now=now, end=end))


def _pick(session: Session, user: User, filters: QueueFilter, day: _Day, now: datetime) -> Card | None:
    learning = sql.learning_due(_shape(filters))
    card = session.scalar(learning, _bind(user, filters, now=now, until=now))
    if card is None and day.reviews_left > 0:
        card = _lowest_retrievability(session, user, filters, day, now)
    if card is None and day.new_left > 0:
        card = _new_card(session, user, filters, now)
    if card is None:
        card = session.scalar(learning, _bind(user, filters, now=now, until=now + LEARN_AHEAD))
    return card


def _lowest_retrievability(
    session: Session, user: User, filters: QueueFilter, day: _Day, now: datetime
) -> Card | None:
    stmt = sql.review_window(_shape(filters), REVIEW_WINDOW)
    window = session.execute(stmt, _bind(user, filters, now=now, end=day.end)).all()
    if not window:
        return None
    scheduler = scheduler_for(user, fuzz=False)

    def recall(row: Any) -> tuple[float, datetime, int]:
        state = core.CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
        return core.retrievability(scheduler, state, now), row.due, row.id

    return session.get(Card, min(window, key=recall).id, options=sql.WITH_QUESTION)


def _new_card(session: Session, user: User, filters: QueueFilter, now: datetime) -> Card | None:
    shape = _shape(filters)
    card = session.scalar(sql.seen_new(shape), _bind(user, filters, now=now))
    if card is not None:
        return card
    for topic_id in session.scalars(sql.topics(shape[0]), _bind(user, filters)).all():
        params = {**_bind(user, filters), "topic_id": topic_id}
        question = session.scalar(sql.unseen_in_topic(shape), params)
        if question is not None:
            return ensure_card(session, user=user, question=question, now=now)
    return None


def _today(session: Session, user: User, filters: QueueFilter, settings: UserSettings, now: datetime) -> _Day:
    """The daily limits against today's answers, and the counts (new = active questions never
    answered: no card, or a new unsuspended one), from one statement."""
    start, end = days.today_bounds(now, settings.zone(), settings.day_start_hour)
    params = _bind(user, filters, now=now, start=start, end=end)
    session.flush()  # the Core statement below does not autoflush: let it see pending changes
    row = session.connection().execute(sql.overview(_shape(filters)), params).one()
    new_left = max(0, settings.new_per_day - row.done_new)
    reviews_left = max(0, settings.reviews_per_day - row.done_review)
    counts = Counts(
        new=min(new_left, row.questions - row.answered),
        learning=row.learning,
        review=min(reviews_left, row.review),
    )
    return _Day(end=end, new_left=new_left, reviews_left=reviews_left, counts=counts)


def _shape(filters: QueueFilter) -> sql.Shape:
    return bool(filters.topic), bool(filters.tag)


def _bind(user: User, filters: QueueFilter | None, **values: datetime) -> dict[str, Any]:
    topic, tag = (filters.topic, filters.tag) if filters else (None, None)
    return sql.bind(user.id, topic, tag, **values)


def _filtered(stmt: S, filters: QueueFilter) -> S:
    if filters.topic:
        stmt = stmt.where(Question.topic_id.in_(select(Topic.id).where(Topic.slug == filters.topic)))
    if filters.tag:
        tagged = select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag)
        stmt = stmt.where(Question.id.in_(tagged))
    return stmt


def practice_card(
    session: Session,
    *,
    user: User,
    filters: QueueFilter,
    now: datetime,
    rng: random.Random,
    skip_question: int | None = None,
) -> Card | None:
    """A random active question's card to practise outside the schedule (not ``skip_question``,
    the one just shown, while there is another); the card is created on first practice."""
    active = select(Question.id).where(Question.retired.is_(False)).order_by(Question.id)
    ids = list(session.scalars(_filtered(active, filters)))
    choices = [i for i in ids if i != skip_question] or ids
    if not choices:
        return None
    question = session.get(Question, rng.choice(choices))
    return ensure_card(session, user=user, question=question, now=now) if question else None
