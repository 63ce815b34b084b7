"""Statistics: reviews per day, true retention, the 30-day due forecast, mastery per topic."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from statistics import fmean

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.bank import service as bank_service
from app.bank.models import Question, Topic
from app.srs import days
from app.srs import scheduler as core
from app.srs.cards import scheduler_for
from app.srs.models import Card, ReviewLog
from app.users.models import User
from app.users.settings import UserSettings, load_settings

HISTORY_DAYS = 30
FORECAST_DAYS = 30


class DayCount(BaseModel):
    """Reviews on one study day: scheduled ones, how many passed, and practice ones."""

    date: date
    reviews: int
    passed: int
    practice: int


class Retention(BaseModel):
    """Pass rate of reviews of mature cards (scheduled interval ≥ 21 days) in one period."""

    period: str
    reviews: int
    passed: int
    rate: float | None


class Forecast(BaseModel):
    """Cards falling due on one study day (overdue ones count today)."""

    date: date
    due: int


class TopicMastery(BaseModel):
    """How well a topic is known: mean retrievability of its studied cards."""

    topic: str
    questions: int
    studied: int
    mastery: float | None


class Stats(BaseModel):
    """Everything the statistics page shows."""

    today: date
    total_reviews: int
    cards: dict[str, int]
    reviews_per_day: list[DayCount]
    true_retention: list[Retention]
    forecast: list[Forecast]
    topics: list[TopicMastery]


def stats(session: Session, *, user: User, now: datetime) -> Stats:
    """The user's statistics as of ``now``."""
    settings = load_settings(user.settings)
    today = days.study_date(now, settings.zone(), settings.day_start_hour)
    states = dict(
        session.execute(select(Card.state, func.count()).where(Card.user_id == user.id).group_by(Card.state))
        .tuples()
        .all()
    )
    total = session.scalar(select(func.count()).where(ReviewLog.user_id == user.id)) or 0
    return Stats(
        today=today,
        total_reviews=total,
        cards={name: states.get(code, 0) for code, name in core.STATE_NAMES.items()},
        reviews_per_day=_per_day(session, user, settings, today),
        true_retention=_retention(session, user, settings, today),
        forecast=_forecast(session, user, settings, today),
        topics=_mastery(session, user, now),
    )


def _logs_since(
    session: Session, user: User, start: datetime
) -> list[tuple[datetime, int, bool, int, float | None]]:
    stmt = select(
        ReviewLog.reviewed_at,
        ReviewLog.rating,
        ReviewLog.affects_schedule,
        ReviewLog.state_before,
        ReviewLog.interval_days,
    ).where(ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= start)
    return list(session.execute(stmt).tuples())


def _per_day(session: Session, user: User, settings: UserSettings, today: date) -> list[DayCount]:
    zone, hour = settings.zone(), settings.day_start_hour
    first = today - timedelta(days=HISTORY_DAYS - 1)
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for at, rating, scheduled, _, _ in _logs_since(session, user, days.day_start(first, zone, hour)):
        day = counts[days.study_date(at, zone, hour)]
        day["reviews" if scheduled else "practice"] += 1
        day["passed"] += int(scheduled and rating > 1)
    return [
        DayCount(
            date=d, reviews=counts[d]["reviews"], passed=counts[d]["passed"], practice=counts[d]["practice"]
        )
        for d in (first + timedelta(days=i) for i in range(HISTORY_DAYS))
    ]


_PERIODS = (
    ("today", 0, 1),
    ("yesterday", 1, 1),
    ("last_7_days", 0, 7),
    ("last_30_days", 0, 30),
    ("last_365_days", 0, 365),
)


def _retention(session: Session, user: User, settings: UserSettings, today: date) -> list[Retention]:
    zone, hour = settings.zone(), settings.day_start_hour
    since = days.day_start(today - timedelta(days=365), zone, hour)
    mature = [
        (days.study_date(at, zone, hour), rating > 1)
        for at, rating, scheduled, state, interval in _logs_since(session, user, since)
        if scheduled and state == core.REVIEW and (interval or 0) >= core.MATURE_DAYS
    ]
    result = []
    for name, offset, length in _PERIODS:
        last = today - timedelta(days=offset)
        first = last - timedelta(days=length - 1)
        passes = [ok for day, ok in mature if first <= day <= last]
        result.append(
            Retention(
                period=name,
                reviews=len(passes),
                passed=sum(passes),
                rate=sum(passes) / len(passes) if passes else None,
            )
        )
    return result


def _forecast(session: Session, user: User, settings: UserSettings, today: date) -> list[Forecast]:
    zone, hour = settings.zone(), settings.day_start_hour
    end = days.day_start(today + timedelta(days=FORECAST_DAYS), zone, hour)
    dues = session.scalars(
        select(Card.due).where(
            Card.user_id == user.id, Card.state != core.NEW, Card.suspended.is_(False), Card.due < end
        )
    )
    per_day = Counter(max(today, days.study_date(due, zone, hour)) for due in dues)
    return [
        Forecast(date=d, due=per_day[d]) for d in (today + timedelta(days=i) for i in range(FORECAST_DAYS))
    ]


def _mastery(session: Session, user: User, now: datetime) -> list[TopicMastery]:
    return [
        TopicMastery(
            topic=topic.slug,
            questions=n,
            studied=len(recall),
            mastery=fmean(recall) if recall else None,
        )
        for topic, n, recall in _recall_by_topic(session, user, now)
    ]


# ---- for the browser pages (issue 7): heatmap, streak, predicted recall, answer buttons ----------

HEATMAP_DAYS = 365
RETENTION_WEEKS = 12


class TopicRecall(BaseModel):
    """Predicted recall of a topic at some moment (now, or the interview day)."""

    topic: str
    questions: int
    studied: int
    recall: float | None  # mean retrievability of the studied cards
    expected: float  # share of the topic's questions likely recalled (unstudied ones count 0)


class ButtonCount(BaseModel):
    """How often one answer button was pressed, for cards in learning and in review."""

    rating: int
    learning: int
    review: int


class WeekRetention(BaseModel):
    """Pass rate of scheduled reviews of cards in review state, over one week."""

    start: date
    reviews: int
    passed: int
    rate: float | None


def daily_counts(session: Session, *, user: User, now: datetime, span: int = HEATMAP_DAYS) -> dict[date, int]:
    """Reviews (scheduled and practice) per study day over the last ``span`` days, today included."""
    settings = load_settings(user.settings)
    zone, hour = settings.zone(), settings.day_start_hour
    first = days.study_date(now, zone, hour) - timedelta(days=span - 1)
    logs = _logs_since(session, user, days.day_start(first, zone, hour))
    counts = Counter(days.study_date(at, zone, hour) for at, *_ in logs)
    return {d: counts[d] for d in (first + timedelta(days=i) for i in range(span))}


def topic_recall(session: Session, *, user: User, at: datetime) -> list[TopicRecall]:
    """Per topic, the predicted recall at ``at`` of the user's studied cards, in bank order."""
    return [
        TopicRecall(
            topic=topic.slug,
            questions=n,
            studied=len(recall),
            recall=fmean(recall) if recall else None,
            expected=sum(recall) / n,
        )
        for topic, n, recall in _recall_by_topic(session, user, at)
    ]


def _recall_by_topic(session: Session, user: User, at: datetime) -> list[tuple[Topic, int, list[float]]]:
    """Active topics with items, in bank order: the topic, its number of active items, and the
    retrievability at ``at`` of each studied card of an active item."""
    scheduler = scheduler_for(user, fuzz=False)
    recall: dict[int, list[float]] = defaultdict(list)
    columns = (Card.state, Card.step, Card.stability, Card.difficulty, Card.due, Card.last_review)
    stmt = (
        select(Question.topic_id, *columns)
        .join(Question, Card.question_id == Question.id)
        .where(Card.user_id == user.id, Card.state != core.NEW, Question.retired.is_(False))
    )
    for row in session.execute(stmt):
        state = core.CardState(row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
        recall[row.topic_id].append(core.retrievability(scheduler, state, at))
    return [(topic, n, recall[topic.id]) for topic, n in bank_service.list_topics(session) if n]


def answer_buttons(
    session: Session, *, user: User, now: datetime, span: int = HISTORY_DAYS
) -> list[ButtonCount]:
    """Presses of Again, Hard, Good and Easy in the last ``span`` days (scheduled reviews only)."""
    since = now - timedelta(days=span)
    counts: Counter[tuple[int, bool]] = Counter(
        (rating, state == core.REVIEW)
        for _, rating, scheduled, state, _ in _logs_since(session, user, since)
        if scheduled
    )
    return [
        ButtonCount(rating=r, learning=counts[(r, False)], review=counts[(r, True)]) for r in core.RATINGS
    ]


def retention_by_week(
    session: Session, *, user: User, now: datetime, weeks: int = RETENTION_WEEKS
) -> list[WeekRetention]:
    """True retention per week, oldest first: passed / all scheduled reviews of review-state cards."""
    settings = load_settings(user.settings)
    zone, hour = settings.zone(), settings.day_start_hour
    first = days.study_date(now, zone, hour) - timedelta(days=7 * weeks - 1)
    tally: dict[int, list[bool]] = defaultdict(list)
    for at, rating, scheduled, state, _ in _logs_since(session, user, days.day_start(first, zone, hour)):
        if scheduled and state == core.REVIEW:
            tally[(days.study_date(at, zone, hour) - first).days // 7].append(rating > 1)
    return [
        WeekRetention(
            start=first + timedelta(days=7 * w),
            reviews=len(tally[w]),
            passed=sum(tally[w]),
            rate=sum(tally[w]) / len(tally[w]) if tally[w] else None,
        )
        for w in range(weeks)
    ]
