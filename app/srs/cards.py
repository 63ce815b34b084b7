"""Card rows ⇄ pure card states, and lookups that never reveal another user's cards."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from fsrs import Scheduler
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.bank.models import Question
from app.core.db import retry_locked, write_lock
from app.srs import scheduler as core
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import UserSettings, load_settings

T = TypeVar("T")
_STATE_COLUMNS = tuple(field.name for field in fields(core.CardState))
# Built once: their SQL and cache keys are reused by every review (see save_review).
# Run on the Connection, not the Session: plain Core, none of the ORM's per-statement work.
_INSERT_LOG = insert(ReviewLog).returning(ReviewLog.id)
_MOVE_CARD = (
    update(Card)  # SET: the columns named in the parameters
    .where(Card.id == bindparam("card_id"))
    .where(Card.version == bindparam("seen_version"))
)
# A concurrent write to the same card (version mismatch) or the same client_review_id (unique key).
RACES = (StaleDataError, IntegrityError)


class CardNotFound(LookupError):
    """No such card for this user (another user's card is reported the same way)."""


def state_of(card: Card) -> core.CardState:
    """The pure state of a card row."""
    return core.CardState(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=card.reps,
        lapses=card.lapses,
        suspended=card.suspended,
        buried_until=card.buried_until,
        leech=card.leech,
    )


def state_columns(state: core.CardState) -> dict[str, Any]:
    """The card columns that hold ``state`` (they share the state's field names)."""
    return {name: getattr(state, name) for name in _STATE_COLUMNS}


def apply_state(card: Card, state: core.CardState) -> None:
    """Write a pure state onto a card row."""
    for name, value in state_columns(state).items():
        setattr(card, name, value)


def save_review(session: Session, *, card: Card, after: core.CardState, log: dict[str, Any]) -> ReviewLog:
    """Insert the review ``log`` and move ``card`` to ``after`` in one transaction; commit.

    Two prepared Core statements: the ORM's unit of work cost more than all the rest of a review.
    The UPDATE checks ``Card.version`` as the mapper does, so a concurrent writer makes it match
    no row, and StaleDataError sends the caller round again (see ``RACES``).
    """
    moved = {**state_columns(after), "version": card.version + 1}
    with write_lock(session):
        connection = session.connection()
        log_id = connection.execute(_INSERT_LOG, log).scalar_one()
        updated = connection.execute(_MOVE_CARD, {**moved, "card_id": card.id, "seen_version": card.version})
        if updated.rowcount != 1:
            raise StaleDataError(f"card {card.id} changed while it was being reviewed")
        session.commit()
    for name, value in moved.items():  # the loaded row now matches the database, and stays clean
        set_committed_value(card, name, value)
    return ReviewLog(id=log_id, **log)


def get_card(session: Session, *, user: User, card_id: int, for_update: bool = False) -> Card:
    """The user's card ``card_id`` (row-locked when ``for_update``); CardNotFound otherwise."""
    # FOR UPDATE OF card: the joined question row is only read, never locked.
    lock = {"of": Card} if for_update else None
    card = session.get(Card, card_id, with_for_update=lock, populate_existing=for_update)
    if card is None or card.user_id != user.id:
        raise CardNotFound(card_id)
    return card


def weights_of(user: User) -> Sequence[float] | None:
    """The user's fitted FSRS weights, or None for py-fsrs's defaults."""
    params = user.fsrs_parameters
    return params.get("weights") if params else None


def scheduler_for(user: User, *, fuzz: bool, settings: UserSettings | None = None) -> Scheduler:
    """The py-fsrs scheduler for this user's settings and weights."""
    return core.make_scheduler(settings or load_settings(user.settings), weights_of(user), fuzz=fuzz)


def ensure_card(session: Session, *, user: User, question: Question, now: datetime) -> Card:
    """The user's card for ``question``, created (state new) on first study; commit."""
    stmt = select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
    card = session.scalar(stmt)
    if card is not None:
        return card
    # Holding the question keeps it in the (weak) identity map: the caller's card.question is free.
    card = Card(user_id=user.id, question_id=question.id, question=question, created_at=now)
    apply_state(card, core.new_state(now))
    try:
        with write_lock(session):
            session.add(card)
            session.commit()
    except IntegrityError:  # a concurrent request created it first: use theirs
        session.rollback()
        return session.scalars(stmt).one()
    return card


def optimistic_then_locked(session: Session, work: Callable[[bool], T]) -> T:
    """Run ``work(False)``: read and compute unlocked, then one short locked write. If it lost a race,
    run ``work(True)``: write lock (SQLite) and row locks (FOR UPDATE) held from the first read, so a
    busy card cannot starve a writer."""
    tries = itertools.count()

    def attempt() -> T:
        if next(tries) == 0:
            return work(False)
        with write_lock(session):
            return work(True)

    return retry_locked(session, attempt, retry_on=RACES)
