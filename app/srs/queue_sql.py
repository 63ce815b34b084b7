"""The study queue's statements, built once per filter shape and bound per call.

Building a SQLAlchemy statement and its cache key costs about as much CPU as running it on SQLite
(profiled: ~0.6 ms of the ~1.2 ms of the counts query). A statement object memoises its cache
key, so each one here is built once per shape (topic filter or not, tag filter or not) with
``bindparam`` placeholders, and every request only binds values (see ``bind``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, true
from sqlalchemy.orm import joinedload, lazyload

from app.bank.models import Question, QuestionTag, Topic
from app.srs import scheduler as core
from app.srs.models import Card, ReviewLog

# Every picked card is shown with its question: load both (and the topic) in one query; the
# question's tags relationship is not needed (tags are read from the body).
WITH_QUESTION = (joinedload(Card.question).lazyload(Question.tags),)
LEARNING_STATES = (core.LEARNING, core.RELEARNING)
Shape = tuple[bool, bool]  # (filtered by topic, filtered by tag)


def bind(user_id: int, topic: str | None, tag: str | None, **values: datetime) -> dict[str, Any]:
    """Parameters for any statement here: unused ones are ignored by SQLAlchemy."""
    return {"uid": user_id, "topic": topic, "tag": tag, **values}


def _filtered(stmt: Any, shape: Shape) -> Any:
    by_topic, by_tag = shape
    if by_topic:
        stmt = stmt.where(Question.topic_id.in_(select(Topic.id).where(Topic.slug == bindparam("topic"))))
    if by_tag:
        tagged = select(QuestionTag.question_id).where(QuestionTag.tag == bindparam("tag"))
        stmt = stmt.where(Question.id.in_(tagged))
    return stmt


def _studyable(stmt: Any, shape: Shape) -> Any:
    """The user's cards that are not suspended or buried, on active questions, filters applied."""
    stmt = stmt.join(Question, Card.question_id == Question.id).where(
        Card.user_id == bindparam("uid"),
        Card.suspended.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= bindparam("now")),
        Question.retired.is_(False),
    )
    return _filtered(stmt, shape)


@cache
def learning_due(shape: Shape) -> Select[tuple[Card]]:
    """The learning card due first, if it is due by ``until``."""
    stmt = _studyable(select(Card).options(*WITH_QUESTION), shape)
    stmt = stmt.where(Card.state.in_(LEARNING_STATES), Card.due <= bindparam("until"))
    return stmt.order_by(Card.due).limit(1)  # type: ignore[no-any-return]


@cache
def review_window(shape: Shape, size: int) -> Select[Any]:
    """The ``size`` most overdue review cards due before ``end`` (columns for retrievability)."""
    columns = select(
        Card.id, Card.state, Card.step, Card.stability, Card.difficulty, Card.due, Card.last_review
    ).select_from(Card)
    stmt = _studyable(columns, shape).where(Card.state == core.REVIEW, Card.due < bindparam("end"))
    return stmt.order_by(Card.due).limit(size)  # type: ignore[no-any-return]


@cache
def seen_new(shape: Shape) -> Select[tuple[Card]]:
    """The user's oldest card that was created but never answered."""
    stmt = _studyable(select(Card).options(*WITH_QUESTION), shape).where(Card.state == core.NEW)
    return stmt.order_by(Card.id).limit(1)  # type: ignore[no-any-return]


@cache
def topics(by_topic: bool) -> Select[tuple[int]]:
    """Topic ids in study order (just the filtered one with a topic filter)."""
    stmt = select(Topic.id).order_by(Topic.position, Topic.id)
    return stmt.where(Topic.slug == bindparam("topic")) if by_topic else stmt


@cache
def unseen_in_topic(shape: Shape) -> Select[tuple[Question]]:
    """The first active question of topic ``topic_id`` the user has no card for.

    One (topic_id, position) index range per topic, stopping at the first hit: an ORDER BY over
    topic and question columns together would sort the whole bank on every request.
    """
    has_card = select(Card.id).where(Card.user_id == bindparam("uid"), Card.question_id == Question.id)
    stmt = select(Question).where(
        Question.topic_id == bindparam("topic_id"), Question.retired.is_(False), ~has_card.exists()
    )
    # The topic filter is already the loop over topics; only the tag filter applies here.
    stmt = _filtered(stmt, (False, shape[1])).options(lazyload(Question.tags))
    return stmt.order_by(Question.position).limit(1)  # type: ignore[no-any-return]


def _left_today(shape: Shape) -> Any:
    """One pass over the user's cards: learning and review cards due before ``end``, and cards
    already answered (or suspended), which no longer count as new."""
    due = and_(
        Card.suspended.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= bindparam("now")),
        Card.due < bindparam("end"),
    )
    touched = or_(Card.state != core.NEW, Card.suspended.is_(True))
    stmt = select(
        func.count().filter(due, Card.state.in_(LEARNING_STATES)).label("learning"),
        func.count().filter(due, Card.state == core.REVIEW).label("review"),
        func.count().filter(touched).label("answered"),
    ).join_from(Card, Question, Card.question_id == Question.id)
    stmt = stmt.where(Card.user_id == bindparam("uid"), Question.retired.is_(False))
    return _filtered(stmt, shape)


def _active_questions(shape: Shape) -> Any:
    """Active questions, counted from the covering index on ``retired`` (no row or body is read)."""
    stmt = select(func.count(Question.id).label("questions")).where(Question.retired.is_(False))
    return _filtered(stmt, shape)


def _done_today() -> Any:
    """Scheduled answers since ``start`` by the card's state before them (for the daily limits)."""
    return select(
        func.count().filter(ReviewLog.state_before == core.NEW).label("done_new"),
        func.count().filter(ReviewLog.state_before == core.REVIEW).label("done_review"),
    ).where(
        ReviewLog.user_id == bindparam("uid"),
        ReviewLog.reviewed_at >= bindparam("start"),
        ReviewLog.affects_schedule.is_(True),
    )


@cache
def overview(shape: Shape) -> Select[tuple[int, int, int, int, int, int]]:
    """Today's answers and what is left, as one row: ``done_new``, ``done_review``, ``learning``,
    ``review``, ``answered``, ``questions``.

    Three one-row aggregates cross-joined: one statement instead of three, because on this stack
    each statement's fixed cost (≈ 60 µs) outweighed what SQLite spent answering it.
    """
    done, left, active = (
        _done_today().subquery(),
        _left_today(shape).subquery(),
        _active_questions(shape).subquery(),
    )
    return select(done, left, active).select_from(done).join(left, true()).join(active, true())


@cache
def next_learning(shape: Shape) -> Select[tuple[datetime]]:
    """When the user's first learning card due before ``end`` falls due."""
    stmt = _studyable(select(Card.due).select_from(Card), shape)
    stmt = stmt.where(Card.state.in_(LEARNING_STATES), Card.due < bindparam("end"))
    return stmt.order_by(Card.due).limit(1)  # type: ignore[no-any-return]
