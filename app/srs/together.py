"""API review submits answered together: one session, one transaction, one commit per group.

Each submit is authenticated and planned on its own (reads only); then every planned review is
written by one INSERT and one UPDATE, committed once (``save_reviews``). If that write fails (two
submits raced for one card, a retry reused its key, another process held the lock) or anything
unexpected happens, nothing of the group was written: it is rolled back and every submit is
answered alone by the usual path (``answer_card``), so a retry, a race or an error reaches only
the request it belongs to, exactly as without grouping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.grouping import Grouped
from app.srs import service
from app.srs.cards import PlannedReview, save_reviews
from app.users.models import User

# What a single submit may answer with, before anything is written; the group goes on without it.
_ANSWERED_ALONE = (HTTPException, service.CardNotFound, service.ReviewConflict)
Answer = service.ReviewOutcome | Exception


@dataclass(frozen=True)
class Submit:
    """One POST of an answer: who sent it (resolved inside the trip) and what they sent."""

    user: Callable[[Session], User]
    answer: service.Answer
    now: datetime
    fuzz: bool


def answer_all(db: Database, submits: Sequence[Submit]) -> list[Answer]:
    """Every submit's outcome, or the exception its request should raise."""
    with db.session() as session:
        try:
            return _together(session, submits)
        except Exception:  # nothing of the group is written: answer each alone
            session.rollback()
    return [_alone(db, submit) for submit in submits]


def _together(session: Session, submits: Sequence[Submit]) -> list[Answer]:
    steps: list[PlannedReview | Answer] = []
    for submit in submits:
        try:
            user = submit.user(session)
            rules = service.Rules.of(user, fuzz=submit.fuzz)
            steps.append(
                service.plan_review(
                    session, user=user, answer=submit.answer, now=submit.now, rules=rules, locked=False
                )
            )
        except _ANSWERED_ALONE as exc:
            steps.append(exc)
    planned = [step for step in steps if isinstance(step, PlannedReview)]
    logs = iter(save_reviews(session, planned))
    return [service.written(step, next(logs)) if isinstance(step, PlannedReview) else step for step in steps]


def _alone(db: Database, submit: Submit) -> Answer:
    """As without grouping: its own session (a rollback for one cannot expire another's result)."""
    try:
        with db.session() as session:
            user = submit.user(session)
            return service.answer_card(
                session, user=user, answer=submit.answer, now=submit.now, fuzz=submit.fuzz
            )
    except Exception as exc:  # this request's own error, raised in its own handler
        return exc


SUBMITS: Grouped[Submit, service.ReviewOutcome] = Grouped("review-submits", answer_all)
