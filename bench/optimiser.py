"""Per-user FSRS optimisation time for 10 k reviews (``app.srs.optimise.optimise``, fsrs-rs).

A simulated learner reviews 1,000 cards for a year: py-fsrs schedules every answer, and the learner
recalls with the probability FSRS predicts, slightly perturbed, so the weights have something to
fit. The logs go into SQLite; the timed call reads them, builds the training items, fits the 21
weights, evaluates old and new, and stores the result. Best of 3; the fit alone is shown too.
"""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from sqlalchemy import insert, select

from app.core.db import Database
from app.srs import optimise
from app.srs.models import Card, ReviewLog
from app.users.models import User
from bench import common, seed

REVIEWS = 10_000
CARDS = 1_000


def simulate(reviews: int, cards: int, rng: random.Random) -> list[tuple[int, Any, int]]:
    """(card index, reviewed at, rating) for ``reviews`` answers, oldest first."""
    scheduler = Scheduler(enable_fuzzing=False)
    per_card = reviews // cards
    log = []
    for index in range(cards):
        card = FsrsCard(card_id=index + 1, due=seed.T0 - timedelta(days=365))
        at = card.due
        for _ in range(per_card):
            recall = scheduler.get_card_retrievability(card, current_datetime=at) if card.last_review else 0.5
            rating = (
                Rating.Again
                if rng.random() > min(0.98, recall * 1.05)
                else rng.choice((Rating.Hard, Rating.Good, Rating.Good, Rating.Good, Rating.Easy))
            )
            card, _ = scheduler.review_card(card, rating, review_datetime=at)
            log.append((index, at, int(rating)))
            at = card.due + timedelta(hours=rng.randint(0, 48))
    return log


def _store(db: Database, user_id: int, questions: list[int], log: list[tuple[int, Any, int]]) -> None:
    with db.engine.begin() as connection:
        ids = (
            connection.execute(
                insert(Card).returning(Card.id, sort_by_parameter_order=True),
                [
                    {
                        "user_id": user_id,
                        "question_id": q,
                        "state": 2,
                        "due": seed.T0,
                        "created_at": seed.T0,
                        "version": 1,
                        "reps": 0,
                        "lapses": 0,
                        "suspended": False,
                        "leech": False,
                    }
                    for q in questions
                ],
            )
            .scalars()
            .all()
        )
        empty = {"state": 2}
        connection.execute(
            insert(ReviewLog),
            [
                {
                    "user_id": user_id,
                    "card_id": ids[i],
                    "client_review_id": f"sim-{n}",
                    "rating": rating,
                    "reviewed_at": at,
                    "affects_schedule": True,
                    "state_before": 2,
                    "card_before": empty,
                    "card_after": empty,
                }
                for n, (i, at, rating) in enumerate(log)
            ],
        )


def run(repeat: int = 3) -> tuple[float, float, Any]:
    """(whole optimise() s, fit alone s, the last Optimisation)."""
    from app.bank.models import Question

    with tempfile.TemporaryDirectory() as tmp:
        _, db = common.prepare(Path(tmp), CARDS)
        [uid] = seed.add_users(db, 1, settings={})
        with db.session() as session:
            questions = list(session.scalars(select(Question.id).order_by(Question.id)))
        _store(db, uid, questions, simulate(REVIEWS, CARDS, random.Random(7)))
        outcome: list[Any] = []

        def whole() -> None:
            with db.session() as session:
                user = session.get(User, uid)
                assert user is not None
                user.fsrs_parameters = None
                outcome.append(optimise.optimise(session, user=user, now=seed.T0))

        seconds = common.best_of(repeat, whole)
        with db.session() as session:
            user = session.get(User, uid)
            assert user is not None
            histories, _ = optimise._histories(session, user)
        items = optimise.training_items(histories)
        fit = common.best_of(repeat, lambda: optimise.fit(items, list(optimise.DEFAULT_PARAMETERS)))
        db.dispose()
    result = outcome[-1]
    print(
        f"optimise {result.reviews} reviews: {seconds:.2f} s (fit alone {fit:.2f} s), log loss "
        f"{result.log_loss_before:.4f} -> {result.log_loss_after:.4f}",
        flush=True,
    )
    return seconds, fit, result


def report(seconds: float, fit: float, result: Any) -> list[str]:
    """The RESULTS.md section."""
    note = (
        "Per-user FSRS optimisation, SQLite, simulated learner (1,000 cards, 10 reviews each); "
        "FIELD-NOTES measured py-fsrs's torch optimizer at ≈ 74 s for 10 k reviews on this machine type."
    )
    rows = [
        [
            f"{result.reviews:,}",
            f"{seconds:.2f}",
            f"{fit:.2f}",
            f"{result.log_loss_before:.4f}",
            f"{result.log_loss_after:.4f}",
            "yes" if result.adopted else "no",
        ]
    ]
    columns = ["reviews", "optimise() s", "fit alone s", "log loss before", "after", "adopted"]
    return common.header("FSRS optimisation", note) + common.table(columns, rows)
