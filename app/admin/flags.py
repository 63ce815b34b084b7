"""Items that need checking: learners fail them far more than a sound item allows, or reported them.

FSRS difficulty runs from 1 (easy) to 10 (hard) and settles near 5 for an ordinary card. An item
that several learners all find near the top of that scale, or keep forgetting, is more often wrong,
ambiguous or badly worded than truly hard — so it is flagged for an admin to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.models import ItemReport
from app.bank.models import Question
from app.core.db import write_lock
from app.srs.models import Card
from app.users.models import User

MIN_LEARNERS = 3  # below this, one struggling learner would flag an item
HIGH_DIFFICULTY = 8.0
LAPSES_PER_LEARNER = 2.0
REPORT_MAX_LENGTH = 1000


@dataclass(frozen=True)
class ItemStats:
    """How learners fare with one item, and its open reports."""

    learners: int = 0
    mean_difficulty: float | None = None
    lapses: int = 0
    open_reports: int = 0

    @property
    def hard(self) -> bool:
        """Several learners rate it very hard or keep forgetting it."""
        if self.learners < MIN_LEARNERS:
            return False
        too_hard = (self.mean_difficulty or 0.0) >= HIGH_DIFFICULTY
        return too_hard or self.lapses / self.learners >= LAPSES_PER_LEARNER

    @property
    def needs_checking(self) -> bool:
        """Flagged for an admin: hard for learners, or reported."""
        return self.hard or self.open_reports > 0


def item_stats(session: Session) -> dict[int, ItemStats]:
    """Question id → stats, for every question anyone has reviewed or reported."""
    studied = (
        select(Card.question_id, func.count(), func.avg(Card.difficulty), func.sum(Card.lapses))
        .where(Card.reps > 0)
        .group_by(Card.question_id)
    )
    stats = {
        qid: ItemStats(n, float(d) if d is not None else None, int(lapses or 0))
        for qid, n, d, lapses in session.execute(studied).tuples()
    }
    reported = (
        select(ItemReport.question_id, func.count())
        .where(ItemReport.resolved_at.is_(None))
        .group_by(ItemReport.question_id)
    )
    for qid, n in session.execute(reported).tuples():
        base = stats.get(qid, ItemStats())
        stats[qid] = ItemStats(base.learners, base.mean_difficulty, base.lapses, n)
    return stats


def flagged_ids(session: Session) -> set[int]:
    """Ids of the questions that need checking."""
    return {qid for qid, s in item_stats(session).items() if s.needs_checking}


def report_problem(
    session: Session, *, question: Question, user: User, text: str, now: datetime
) -> ItemReport:
    """Record a learner's report; a second report on the same item replaces their open one; commit."""
    existing = session.scalar(
        select(ItemReport).where(
            ItemReport.question_id == question.id,
            ItemReport.user_id == user.id,
            ItemReport.resolved_at.is_(None),
        )
    )
    report = existing or ItemReport(question_id=question.id, user_id=user.id)
    report.text, report.created_at = text.strip()[:REPORT_MAX_LENGTH], now
    with write_lock(session):
        session.add(report)
        session.commit()
    return report


def open_reports(session: Session) -> list[tuple[ItemReport, Question]]:
    """Unresolved reports, oldest first, with their questions."""
    stmt = (
        select(ItemReport, Question)
        .join(Question, Question.id == ItemReport.question_id)
        .where(ItemReport.resolved_at.is_(None))
        .order_by(ItemReport.created_at, ItemReport.id)
    )
    return [(r, q) for r, q in session.execute(stmt).tuples()]


def resolve_report(session: Session, *, report_id: int, admin: User, now: datetime) -> bool:
    """Mark a report resolved; False when there is no such open report; commit."""
    report = session.get(ItemReport, report_id)
    if report is None or report.resolved_at is not None:
        return False
    report.resolved_at, report.resolved_by = now, admin.id
    with write_lock(session):
        session.commit()
    return True
