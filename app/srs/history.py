"""Export and import a user's review history (JSON or CSV).

An import is validated completely before anything is written. Imported reviews are merged with the
card's own (a ``client_review_id`` already present is skipped, so importing twice changes nothing)
and each touched card is replayed from scratch through FSRS, exactly as py-fsrs's
``reschedule_card`` does, so card state and log always agree.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.models import Question
from app.core.db import write_lock
from app.srs import scheduler as core
from app.srs.cards import apply_state, scheduler_for, state_of
from app.srs.history_format import FORMAT, ImportInvalid, ImportRow, RowError, parse_rows
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import load_settings

__all__ = ["ImportInvalid", "RowError", "export_csv", "export_json", "import_history"]
CSV_FIELDS = ("question_id", "reviewed_at", "rating", "duration_ms", "affects_schedule", "client_review_id")
# Clocks drift; a review a few minutes "in the future" is a clock, one a day ahead is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


def export_rows(session: Session, *, user: User) -> list[dict[str, Any]]:
    """Every review of the user, oldest first, in the export's row shape."""
    stmt = (
        select(ReviewLog, Question.slug)
        .join(Card, ReviewLog.card_id == Card.id)
        .join(Question, Card.question_id == Question.id)
        .where(ReviewLog.user_id == user.id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    return [
        {
            "question_id": slug,
            "reviewed_at": log.reviewed_at.isoformat(),
            "rating": log.rating,
            "duration_ms": log.duration_ms,
            "affects_schedule": log.affects_schedule,
            "client_review_id": log.client_review_id,
        }
        for log, slug in session.execute(stmt).tuples()
    ]


def export_json(session: Session, *, user: User, now: datetime) -> dict[str, Any]:
    """The history as a JSON document."""
    return {
        "format": FORMAT,
        "version": 1,
        "exported_at": now.isoformat(),
        "reviews": export_rows(session, user=user),
    }


def export_csv(session: Session, *, user: User) -> str:
    """The history as CSV with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(session, user=user):
        writer.writerow(
            {
                **row,
                "duration_ms": "" if row["duration_ms"] is None else row["duration_ms"],
                "affects_schedule": str(row["affects_schedule"]).lower(),
            }
        )
    return out.getvalue()


def import_history(
    session: Session, *, user: User, content: str, fmt: str, now: datetime, fuzz: bool
) -> dict[str, int]:
    """Validate every row, then merge and replay in one transaction; ImportInvalid lists problems."""
    rows = parse_rows(content, fmt)
    questions = _check(session, rows, now)
    existing = set(session.scalars(select(ReviewLog.client_review_id).where(ReviewLog.user_id == user.id)))
    fresh = [r for r in rows if r.key() not in existing]
    by_question: dict[str, list[ImportRow]] = defaultdict(list)
    for row in fresh:
        by_question[row.question_id].append(row)
    with write_lock(session):
        for slug, new_rows in by_question.items():
            _merge(session, user, questions[slug], new_rows, now, fuzz)
        session.commit()
    return {"imported": len(fresh), "skipped": len(rows) - len(fresh), "cards": len(by_question)}


def _check(session: Session, rows: list[ImportRow], now: datetime) -> dict[str, Question]:
    slugs = {r.question_id for r in rows}
    questions = {q.slug: q for q in session.scalars(select(Question).where(Question.slug.in_(slugs)))}
    errors, keys = [], set[str]()
    for index, row in enumerate(rows, start=1):
        if row.question_id not in questions:
            errors.append(
                RowError(row=index, field="question_id", message=f"unknown question {row.question_id!r}")
            )
        if row.reviewed_at > now + FUTURE_TOLERANCE:
            errors.append(RowError(row=index, field="reviewed_at", message="is in the future"))
        if row.key() in keys:
            errors.append(RowError(row=index, field="client_review_id", message="appears twice in the file"))
        keys.add(row.key())
    if errors:
        raise ImportInvalid(errors)
    return questions


def _merge(
    session: Session, user: User, question: Question, rows: list[ImportRow], now: datetime, fuzz: bool
) -> None:
    card = session.scalar(select(Card).where(Card.user_id == user.id, Card.question_id == question.id))
    if card is None:
        card = Card(user_id=user.id, question_id=question.id, created_at=now)
        apply_state(card, core.new_state(now))
        session.add(card)
        session.flush()
    logs = list(session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)))
    logs += [
        ReviewLog(
            user_id=user.id,
            card_id=card.id,
            client_review_id=r.key(),
            rating=r.rating,
            reviewed_at=r.reviewed_at,
            duration_ms=r.duration_ms,
            affects_schedule=r.affects_schedule,
        )
        for r in rows
    ]
    logs.sort(key=lambda log: (log.reviewed_at, log.id is None, log.id or 0))
    kept = state_of(card)
    final = replay(user, card.id, logs, start=core.new_state(card.created_at), fuzz=fuzz)
    apply_state(card, _keep_manual_flags(final, kept))
    session.add_all(logs)


def replay(
    user: User, card_id: int, logs: list[ReviewLog], *, start: core.CardState, fuzz: bool
) -> core.CardState:
    """Run ``logs`` (time order) through FSRS from ``start``, rewriting each log's before/after."""
    settings = load_settings(user.settings)
    scheduler = scheduler_for(user, fuzz=fuzz, settings=settings)
    state = start
    for log in logs:
        after = (
            state
            if not log.affects_schedule
            else core.review(
                scheduler,
                card_id=card_id,
                before=state,
                rating=log.rating,
                now=log.reviewed_at,
                leech_threshold=settings.leech_threshold,
                leech_suspends=settings.leech_action == "suspend",
            )
        )
        log.state_before, log.interval_days = state.state, core.scheduled_interval_days(state)
        log.card_before, log.card_after = state.to_json(), after.to_json()
        state = after
    return state


def _keep_manual_flags(replayed: core.CardState, current: core.CardState) -> core.CardState:
    """A suspension or burial the user set by hand survives the replay."""
    return replace(
        replayed, suspended=replayed.suspended or current.suspended, buried_until=current.buried_until
    )
