"""Card rows ⇄ pure card states, and lookups that never reveal another user's cards."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from fsrs import Scheduler
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from app.bank.models import Question
from app.core.db import retry_locked, write_lock
from app.srs import scheduler as core
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import UserSettings, load_settings

T = TypeVar("T")
_STATE_COLUMNS = tuple(field.name for field in fields(core.CardState))
# Built once: their SQL and cache keys are reused by every review (see save_reviews).
# Run on the Connection, not the Session: plain Core, none of the ORM's per-statement work.
# sort_by_parameter_order: with several logs in one execute, ids come back in the order given.
_INSERT_LOG = insert(ReviewLog).returning(ReviewLog.id, sort_by_parameter_order=True)
_MOVE_CARD = (
    update(Card)  # SET: the columns named in the parameters
    .where(Card.id == bindparam("card_id"))
    .where(Card.version == bindparam("seen_version"))
)
# The review path reads cards as plain Core rows through statements built once: loading an ORM
# Card, and building and keying a select per request, cost more than running the query.
_CARD_ROW = select(
    Card.id, Card.user_id, Card.question_id, Card.version, *(getattr(Card, name) for name in _STATE_COLUMNS)
).where(Card.id == bindparam("card_id"))
_CARD_ROW_LOCKED = _CARD_ROW.with_for_update()
# A concurrent write to the same card (version mismatch) or the same client_review_id (unique key).
RACES = (StaleDataError, IntegrityError)


class CardNotFound(LookupError):
    """No such card for this user (another user's card is reported the same way)."""


@dataclass(frozen=True)
class CardRow:
    """A card as a review reads and writes it: its ids, its optimistic-lock version, its state."""

    id: int
    user_id: int
    question_id: int
    version: int
    state: core.CardState


def read_card(session: Session, *, user_id: int, card_id: int, locked: bool = False) -> CardRow:
    """The user's card ``card_id`` as a plain row (row-locked when ``locked``); CardNotFound otherwise."""
    stmt = _CARD_ROW_LOCKED if locked else _CARD_ROW
    row = session.connection().execute(stmt, {"card_id": card_id}).first()
    if row is None or row.user_id != user_id:
        raise CardNotFound(card_id)
    card_id, owner, question_id, version, *state = row._tuple()
    return CardRow(card_id, owner, question_id, version, core.CardState(*state))


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


@dataclass(frozen=True)
class PlannedReview:
    """A review computed from what was read, not yet written: the card, its new state, the log row."""

    card: CardRow
    after: core.CardState
    log: dict[str, Any]


def _move(planned: PlannedReview) -> dict[str, Any]:
    """The UPDATE's parameters: the new state, the next version, and the version the review read."""
    seen = planned.card.version
    card = {"card_id": planned.card.id, "seen_version": seen, "version": seen + 1}
    return {**state_columns(planned.after), **card}


def save_reviews(session: Session, planned: Sequence[PlannedReview]) -> list[ReviewLog]:
    """Insert every planned log and move every card, in one transaction; commit.

    Two prepared Core statements, each run once for all the reviews: the ORM's unit of work cost
    more than the rest of a review. The UPDATE checks ``Card.version`` as the mapper does, so a
    concurrent writer makes it match fewer rows, and StaleDataError sends the caller round again
    (see ``RACES``) with nothing written.
    """
    if not planned:
        return []
    moves = [_move(p) for p in planned]
    with write_lock(session):
        connection = session.connection()
        log_ids = connection.execute(_INSERT_LOG, [p.log for p in planned]).scalars().all()
        if len(moves) == 1 or not connection.dialect.supports_sane_multi_rowcount:
            updated = sum(connection.execute(_MOVE_CARD, move).rowcount for move in moves)
        else:
            updated = connection.execute(_MOVE_CARD, moves).rowcount
        if updated != len(moves):
            raise StaleDataError("a card changed while it was being reviewed")
        session.commit()
    for move in moves:  # a caller may hold a card as an ORM object (the quiz made it): keep it current
        loaded = session.identity_map.get(identity_key(Card, move["card_id"]))
        if loaded is not None:
            for name in (*_STATE_COLUMNS, "version"):
                set_committed_value(loaded, name, move[name])
    return [ReviewLog(id=log_id, **p.log) for log_id, p in zip(log_ids, planned, strict=True)]


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
