"""The home dashboard: today's queue, streak, a year of reviews, mastery per topic, the interview day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.bank import service as bank_service
from app.bank.models import Topic
from app.srs import days, queue, stats
from app.users.models import User
from app.users.settings import load_settings

# Predicted recall is read at this local hour of the interview day: the morning of the interview.
INTERVIEW_HOUR = 9
STUDY_FIRST = 3


@dataclass(frozen=True)
class TopicRow:
    """A topic with its size, how much is studied, and predicted recall now and on the interview day."""

    topic: Topic
    questions: int
    studied: int = 0
    now: float = 0.0
    on_interview: float | None = None

    @property
    def likely_forgotten(self) -> int:
        """Questions of the topic likely not recalled on the interview day."""
        share = self.now if self.on_interview is None else self.on_interview
        return round(self.questions * (1 - share))


@dataclass(frozen=True)
class Dashboard:
    """What the home page shows; ``counts`` is None for a visitor who has not studied yet."""

    topics: list[TopicRow]
    counts: queue.Counts | None = None
    streak: int = 0
    today: int = 0
    heatmap: dict[date, int] = field(default_factory=dict)
    interview_date: date | None = None
    days_left: int | None = None
    study_first: list[TopicRow] = field(default_factory=list)


def streak(per_day: dict[date, int], today: date) -> int:
    """Consecutive study days with a review, up to today (or yesterday, if today is still empty)."""
    day = today if per_day.get(today) else today - timedelta(days=1)
    run = 0
    while per_day.get(day):
        run += 1
        day -= timedelta(days=1)
    return run


def build(session: Session, *, user: User | None, now: datetime) -> Dashboard:
    """The dashboard of ``user`` (a visitor without an account or guest yet gets the topic list)."""
    listed = bank_service.list_topics(session)
    if user is None:
        return Dashboard(topics=[TopicRow(t, n) for t, n in listed])
    settings = load_settings(user.settings)
    zone, hour = settings.zone(), settings.day_start_hour
    today = days.study_date(now, zone, hour)
    per_day = stats.daily_counts(session, user=user, now=now)
    recall_now = {r.topic: r for r in stats.topic_recall(session, user=user, at=now)}
    interview = (
        settings.interview_date if settings.interview_date and settings.interview_date >= today else None
    )
    recall_then = {}
    if interview is not None:
        at = datetime.combine(interview, time(INTERVIEW_HOUR), tzinfo=zone).astimezone(UTC)
        recall_then = {r.topic: r.expected for r in stats.topic_recall(session, user=user, at=max(at, now))}
    rows = [_row(t, n, recall_now.get(t.slug), recall_then.get(t.slug)) for t, n in listed]
    ranked = sorted((r for r in rows if r.likely_forgotten > 0), key=lambda r: -r.likely_forgotten)
    return Dashboard(
        topics=rows,
        counts=queue.count_left(session, user=user, filters=queue.QueueFilter(), now=now),
        streak=streak(per_day, today),
        today=per_day.get(today, 0),
        heatmap=per_day,
        interview_date=interview,
        days_left=(interview - today).days if interview else None,
        study_first=ranked[:STUDY_FIRST] if interview else [],
    )


def _row(topic: Topic, questions: int, now: stats.TopicRecall | None, then: float | None) -> TopicRow:
    if now is None:
        return TopicRow(topic, questions, on_interview=then)
    return TopicRow(topic, questions, now.studied, now.expected, then)
