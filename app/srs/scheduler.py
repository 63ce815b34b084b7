"""Pure FSRS core: build a scheduler from a user's settings, review a card state, preview intervals.

Wraps py-fsrs (``fsrs``). No database, no web: states in, states out, ``now`` passed in.
A card that has never been answered has state 0 ("new"); py-fsrs models it as Learning step 0
with no stability, which is exactly what ``to_fsrs`` builds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from app.users.settings import UserSettings

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
MATURE_DAYS = 21  # Anki's line between young and mature cards
_DATETIME_FIELDS = ("due", "last_review", "buried_until")


@dataclass(frozen=True)
class CardState:
    """Everything a review can change on a card; the unit of undo (stored as JSON in the log)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: datetime | None = None
    leech: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict; floats keep every bit (JSON writes their shortest exact repr)."""
        # Shallow on purpose: asdict() deep-copies every value and showed up in review profiles.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        for key in _DATETIME_FIELDS:
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CardState:
        """Inverse of ``to_json``."""
        values = dict(data)
        for key in _DATETIME_FIELDS:
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(CardState))


def new_state(now: datetime) -> CardState:
    """A card nobody has answered yet."""
    return CardState(state=NEW, step=None, stability=None, difficulty=None, due=now, last_review=None)


def make_scheduler(settings: UserSettings, weights: Sequence[float] | None, *, fuzz: bool) -> Scheduler:
    """A py-fsrs scheduler for one user's settings and (optional) personal weights."""
    kwargs: dict[str, Any] = {} if weights is None else {"parameters": tuple(weights)}
    return Scheduler(
        **kwargs,
        desired_retention=settings.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps_minutes),
        relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps_minutes),
        maximum_interval=settings.maximum_interval_days,
        enable_fuzzing=fuzz,
    )


def to_fsrs(card_id: int, state: CardState) -> FsrsCard:
    """The py-fsrs card for a state (always with our id: ``Card()`` without one sleeps 1 ms)."""
    if state.state == NEW:
        return FsrsCard(card_id=card_id, state=State.Learning, step=0, due=state.due)
    return FsrsCard(
        card_id=card_id,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


def review(
    scheduler: Scheduler,
    *,
    card_id: int,
    before: CardState,
    rating: int,
    now: datetime,
    leech_threshold: int,
    leech_suspends: bool,
) -> CardState:
    """The state after answering ``rating`` at ``now``, with Anki's lapse and leech rules."""
    after, _ = scheduler.review_card(to_fsrs(card_id, before), Rating(rating), review_datetime=now)
    lapsed = before.state == REVIEW and rating == 1
    lapses = before.lapses + int(lapsed)
    became_leech = lapsed and is_leech(lapses, leech_threshold)
    return replace(
        before,
        state=after.state.value,
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=after.last_review,
        reps=before.reps + 1,
        lapses=lapses,
        leech=before.leech or became_leech,
        suspended=before.suspended or (became_leech and leech_suspends),
    )


def is_leech(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at the threshold, and again every half threshold after it."""
    return lapses >= threshold and (lapses - threshold) % max(threshold // 2, 1) == 0


def preview(scheduler: Scheduler, *, card_id: int, before: CardState, now: datetime) -> dict[str, int]:
    """Seconds until the card would be due again after each rating (shown on the answer buttons)."""
    fsrs_card = to_fsrs(card_id, before)
    result = {}
    for value, name in RATINGS.items():
        after, _ = scheduler.review_card(fsrs_card, Rating(value), review_datetime=now)
        result[name] = round((after.due - now).total_seconds())
    return result


def retrievability(scheduler: Scheduler, state: CardState, now: datetime) -> float:
    """Predicted probability of recall at ``now`` (0 for a card never answered)."""
    if state.state == NEW:
        return 0.0
    return float(scheduler.get_card_retrievability(to_fsrs(0, state), current_datetime=now))


def scheduled_interval_days(state: CardState) -> float | None:
    """The interval the card was scheduled for at its last review, in days."""
    if state.last_review is None:
        return None
    return (state.due - state.last_review).total_seconds() / 86400
