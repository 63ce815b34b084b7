"""Card rows ⇄ pure card states, and lookups that never reveal another user's cards."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from fsrs import Scheduler
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.bank.models import Question
from app.core.db import retry_locked, write_lock
from app.srs import scheduler as core
from app.srs.models import Card
from app.users.models import User
from app.users.settings import UserSettings, load_settings

T = TypeVar("T")
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


def apply_state(card: Card, state: core.CardState) -> None:
    """Write a pure state onto a card row."""
    card.state, card.step, card.due, card.last_review = state.state, state.step, state.due, state.last_review
    card.stability, card.difficulty = state.stability, state.difficulty
    card.reps, card.lapses, card.leech = state.reps, state.lapses, state.leech
    card.suspended, card.buried_until = state.suspended, state.buried_until


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
