"""Personal FSRS weights: fit the 21 parameters to a user's own reviews with fsrs-rs (Rust, no torch).

The new weights are kept only when they predict the user's history better (lower log loss) than
the ones in use; otherwise the user keeps what they had, and is told so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.db import write_lock
from app.srs import days
from app.srs.cards import weights_of
from app.srs.models import ReviewLog
from app.users.models import User
from app.users.settings import load_settings

MIN_REVIEWS = 512  # py-fsrs's optimizer refuses fewer; we keep the same bar


class NotEnoughReviews(ValueError):
    """Too few scheduled reviews to fit weights."""

    def __init__(self, have: int) -> None:
        super().__init__(f"{have} reviews; at least {MIN_REVIEWS} are needed")
        self.have = have


@dataclass(frozen=True)
class Optimisation:
    """Before/after fit on the user's data; ``adopted`` when the new weights are now in use."""

    reviews: int
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float
    adopted: bool
    weights: list[float]


def training_sequences(histories: Sequence[Sequence[tuple[date, int]]]) -> list[list[tuple[int, int]]]:
    """fsrs-rs's training convention: per card, after each review that follows a day gap, the
    (rating, days since the previous review) pairs so far. Same-day reviews only feed the next one."""
    sequences = []
    for history in histories:
        reviews: list[tuple[int, int]] = []
        last = history[0][0] if history else None
        for day, rating in history:
            delta = (day - last).days if last else 0
            reviews.append((rating, delta))
            if delta > 0:
                sequences.append(list(reviews))
            last = day
    return sequences


def training_items(histories: Sequence[Sequence[tuple[date, int]]]) -> list[Any]:
    """``training_sequences`` as fsrs-rs items."""
    items = [
        fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in seq]) for seq in training_sequences(histories)
    ]
    return [item for item in items if item.long_term_review_cnt() > 0]


def fit(items: list[Any], current: Sequence[float]) -> tuple[list[float], Any, Any]:
    """New weights (clamped to py-fsrs's bounds) and the evaluations before and after."""
    before = fsrs_rs.FSRS(list(current)).evaluate(items)
    raw = fsrs_rs.FSRS([]).compute_parameters(items)
    # fsrs-rs works in float32: 0.8 can come back as 0.80000001, which py-fsrs would refuse.
    weights = [
        min(max(float(w), lo), hi)
        for w, lo, hi in zip(raw, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    ]
    after = fsrs_rs.FSRS(weights).evaluate(items)
    return weights, before, after


def optimise(session: Session, *, user: User, now: datetime) -> Optimisation:
    """Fit weights to the user's scheduled reviews; adopt them if they fit better; commit."""
    histories, count = _histories(session, user)
    if count < MIN_REVIEWS:
        raise NotEnoughReviews(count)
    current = list(weights_of(user) or DEFAULT_PARAMETERS)
    weights, before, after = fit(training_items(histories), current)
    adopted = after.log_loss < before.log_loss
    result = Optimisation(
        reviews=count,
        log_loss_before=before.log_loss,
        log_loss_after=after.log_loss,
        rmse_before=before.rmse_bins,
        rmse_after=after.rmse_bins,
        adopted=adopted,
        weights=weights if adopted else current,
    )
    if adopted:
        user.fsrs_parameters = {
            "weights": weights,
            "optimised_at": now.isoformat(),
            "reviews": count,
            "log_loss_before": before.log_loss,
            "log_loss_after": after.log_loss,
            "rmse_before": before.rmse_bins,
            "rmse_after": after.rmse_bins,
        }
        with write_lock(session):
            session.commit()
    return result


def reset(session: Session, *, user: User) -> None:
    """Go back to the default weights; commit."""
    user.fsrs_parameters = None
    with write_lock(session):
        session.commit()


def _histories(session: Session, user: User) -> tuple[list[list[tuple[date, int]]], int]:
    settings = load_settings(user.settings)
    zone, hour = settings.zone(), settings.day_start_hour
    stmt = (
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)
        .where(ReviewLog.user_id == user.id, ReviewLog.affects_schedule.is_(True))
        .order_by(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.id)
    )
    per_card: dict[int, list[tuple[date, int]]] = defaultdict(list)
    count = 0
    for card_id, at, rating in session.execute(stmt).tuples():
        per_card[card_id].append((days.study_date(at, zone, hour), rating))
        count += 1
    return list(per_card.values()), count
