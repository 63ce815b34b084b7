"""What the review page shows: the card as presented, intervals per rating, counts, a checked answer."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.quiz import grading
from app.quiz.present import Outcome, Presentation, Response, grade, present
from app.srs import queue
from app.srs import scheduler as core
from app.srs.cards import get_card, scheduler_for, state_of
from app.srs.models import Card
from app.users.models import User

_UNITS = ((365 * 86400, "y"), (30 * 86400, "mo"), (86400, "d"), (3600, "h"), (60, "m"))


def interval_label(seconds: int) -> str:
    """Anki-style short interval: 10m, 3h, 4d, 2.5mo, 1.2y."""
    for size, unit in _UNITS:
        if seconds >= size:
            value = seconds / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if unit in ("mo", "y") else str(round(value))
            return f"{text}{unit}"
    return f"{max(seconds, 0)}s"


@dataclass(frozen=True)
class Study:
    """The learner's choice of what to study: a topic, a tag, and practice (schedule untouched)."""

    topic: str = ""
    tag: str = ""
    practice: bool = False

    @property
    def filters(self) -> queue.QueueFilter:
        """The queue filter for these choices."""
        return queue.QueueFilter(topic=self.topic or None, tag=self.tag or None)

    def url(self) -> str:
        """``/review`` with these choices in the query."""
        pairs = [("topic", self.topic), ("tag", self.tag), ("practice", "1" if self.practice else "")]
        query = urlencode([(k, v) for k, v in pairs if v])
        return "/review" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Screen:
    """Everything review.html needs besides the request context."""

    card: Card | None
    shown: Presentation | None
    counts: queue.Counts
    labels: dict[str, str] = field(default_factory=dict)
    outcome: Outcome | None = None
    response: Response | None = None
    suggested: int | None = None
    elapsed_ms: int | None = None

    @property
    def revealed(self) -> bool:
        """True once the answer was checked (the back of the card is shown)."""
        return self.response is not None


def presentation_seed(card: Card) -> int:
    """Fresh numbers and option order per review of a card, stable while the page is reloaded."""
    return card.id * 1000 + card.reps


def next_screen(
    session: Session,
    *,
    user: User,
    study: Study,
    now: datetime,
    fuzz: bool,
    rng: random.Random,
    skip_question: int | None = None,
) -> Screen:
    """The next card to study (or practise), or an empty screen with today's counts."""
    if study.practice:
        card = queue.practice_card(
            session, user=user, filters=study.filters, now=now, rng=rng, skip_question=skip_question
        )
        counts = queue.count_left(session, user=user, filters=study.filters, now=now)
        seed = rng.randrange(2**31)
        return Screen(card, present(card.question.body, seed) if card else None, counts)
    upcoming = queue.next_card(session, user=user, filters=study.filters, now=now, fuzz=fuzz)
    card = upcoming.card
    if card is None:
        return Screen(None, None, upcoming.counts)
    labels = {name: interval_label(s) for name, s in upcoming.intervals.items()}
    return Screen(card, present(card.question.body, presentation_seed(card)), upcoming.counts, labels)


def checked_screen(
    session: Session,
    *,
    user: User,
    study: Study,
    card_id: int,
    seed: int,
    response: Response,
    elapsed_ms: int | None,
    now: datetime,
) -> Screen:
    """The same card, its answer graded and revealed, with the rating the answer suggests.

    Raises CardNotFound for a card that is not the user's.
    """
    card = get_card(session, user=user, card_id=card_id)
    shown = present(card.question.body, seed)
    answered = bool(response.choice) or bool((response.text or "").strip())
    outcome = grade(shown, response) if answered and shown.input != "text" else None
    suggested = None
    if outcome is not None and not outcome.unreadable:
        suggested = grading.suggested_rating(shown.kind, correct=outcome.correct, duration_ms=elapsed_ms)
    labels = {}
    if not study.practice:
        preview = core.preview(
            scheduler_for(user, fuzz=False), card_id=card.id, before=state_of(card), now=now
        )
        labels = {name: interval_label(s) for name, s in preview.items()}
    counts = queue.count_left(session, user=user, filters=study.filters, now=now)
    return Screen(card, shown, counts, labels, outcome, response, suggested, elapsed_ms)
