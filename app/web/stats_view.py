"""The statistics page's charts (and the dashboard's heatmap), each with a data table beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy.orm import Session

from app.core.i18n import Translator, translator
from app.core.messages import MESSAGES
from app.srs import stats
from app.users.models import User
from app.web import charts
from app.web.charts import Series

RATING_KEYS = {1: "review.again", 2: "review.hard", 3: "review.good", 4: "review.easy"}
STATE_CSS = {"new": "s-new", "learning": "s-learning", "review": "s-review", "relearning": "s-fail"}


@dataclass(frozen=True)
class ChartView:
    """A chart, its legend, and the same numbers as a table (the accessible version)."""

    key: str
    title: str
    svg: Markup
    head: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class StatsPage:
    """Totals and charts of the statistics page."""

    total_reviews: int
    cards: dict[str, int]
    retention: list[stats.Retention]
    charts: list[ChartView]
    topics: list[stats.TopicRecall]


def _short(day: date, lang: str) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else day.strftime("%b %-d")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def heatmap(counts: dict[date, int], lang: str) -> Markup:
    """The calendar of the last year's reviews."""
    t = translator(lang, MESSAGES)
    return charts.heatmap(
        "heatmap",
        counts,
        title=t("dash.heatmap"),
        month_names=t("chart.months").split(),
        day_names=t("chart.weekdays").split(),
    )


def build(session: Session, *, user: User, now: datetime, lang: str) -> StatsPage:
    """Every chart of the statistics page for ``user`` as of ``now``."""
    t = translator(lang, MESSAGES)
    data = stats.stats(session, user=user, now=now)
    weeks = stats.retention_by_week(session, user=user, now=now)
    buttons = stats.answer_buttons(session, user=user, now=now)
    views = [
        _reviews(data.reviews_per_day, t, lang),
        _forecast(data.forecast, t, lang),
        _retention(weeks, t, lang),
        _states(data.cards, t),
        _buttons(buttons, t),
    ]
    topics = stats.topic_recall(session, user=user, at=now)
    return StatsPage(data.total_reviews, data.cards, data.true_retention, views, topics)


def _reviews(days: list[stats.DayCount], t: Translator, lang: str) -> ChartView:
    labels = [_short(d.date, lang) for d in days]
    series = [
        Series(t("stats.passed"), [d.passed for d in days], "s-pass"),
        Series(t("stats.failed"), [d.reviews - d.passed for d in days], "s-fail"),
        Series(t("stats.practice"), [d.practice for d in days], "s-practice"),
    ]
    rows = [[_short(d.date, lang), str(d.passed), str(d.reviews - d.passed), str(d.practice)] for d in days]
    head = [t("stats.day"), *(s.label for s in series)]
    svg = charts.bar_chart("chart-reviews", labels, series, title=t("stats.reviews_per_day"))
    return ChartView(
        "reviews", t("stats.reviews_per_day"), svg, head, rows, [(s.css, s.label) for s in series]
    )


def _forecast(forecast: list[stats.Forecast], t: Translator, lang: str) -> ChartView:
    labels = [_short(f.date, lang) for f in forecast]
    series = [Series(t("stats.due"), [f.due for f in forecast], "s-review")]
    svg = charts.bar_chart("chart-forecast", labels, series, title=t("stats.forecast"))
    rows = [[_short(f.date, lang), str(f.due)] for f in forecast]
    return ChartView("forecast", t("stats.forecast"), svg, [t("stats.day"), t("stats.due")], rows)


def _retention(weeks: list[stats.WeekRetention], t: Translator, lang: str) -> ChartView:
    labels = [_short(w.start, lang) for w in weeks]
    series = [Series(t("stats.retention"), [w.rate for w in weeks], "s-line")]
    svg = charts.line_chart("chart-retention", labels, series, title=t("stats.retention_over_time"))
    rows = [[_short(w.start, lang), str(w.reviews), str(w.passed), _pct(w.rate)] for w in weeks]
    head = [t("stats.week_of"), t("stats.reviews"), t("stats.passed"), t("stats.retention")]
    return ChartView("retention", t("stats.retention_over_time"), svg, head, rows)


def _states(cards: dict[str, int], t: Translator) -> ChartView:
    parts = [(t(f"state.{name}"), float(n), STATE_CSS[name]) for name, n in cards.items()]
    svg = charts.proportions("chart-states", parts, title=t("stats.card_states"))
    rows = [[label, f"{n:g}"] for label, n, _ in parts]
    legend = [(css, f"{label} {n:g}") for label, n, css in parts]
    return ChartView(
        "states", t("stats.card_states"), svg, [t("stats.state"), t("stats.cards")], rows, legend
    )


def _buttons(buttons: list[stats.ButtonCount], t: Translator) -> ChartView:
    labels = [t(RATING_KEYS[b.rating]) for b in buttons]
    series = [
        Series(t("stats.in_learning"), [b.learning for b in buttons], "s-learning"),
        Series(t("stats.in_review"), [b.review for b in buttons], "s-review"),
    ]
    svg = charts.bar_chart("chart-buttons", labels, series, title=t("stats.buttons"), height=160)
    rows = [[t(RATING_KEYS[b.rating]), str(b.learning), str(b.review)] for b in buttons]
    head = [t("stats.button"), *(s.label for s in series)]
    return ChartView("buttons", t("stats.buttons"), svg, head, rows, [(s.css, s.label) for s in series])
