"""Server-side SVG charts and the dashboard's streak: pure functions with exact output (issue 7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.web import charts
from app.web.charts import Series
from app.web.dashboard import streak

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1.0), (1, 1.0), (3, 5.0), (7, 10.0), (10, 10.0), (11, 20.0), (420, 500.0)]
)
def test_axis_maximum_is_a_round_number(value: float, top: float) -> None:
    assert charts._nice_max(value) == top


@pytest.mark.parametrize(
    ("count", "level"), [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)]
)
def test_heat_levels_are_quarters_of_the_busiest_day(count: int, level: int) -> None:
    assert charts.heat_level(count, 12) == level


def test_stacked_bars_have_one_rect_per_nonzero_value_and_an_accessible_title() -> None:
    svg = charts.bar_chart(
        "c",
        ["Mon", "Tue", "Wed"],
        [Series("pass", [1, 0, 2], "s-pass"), Series("fail", [1, 1, 0], "s-fail")],
        title="Reviews <per> day",
    )
    assert svg.startswith(
        '<svg class="chart bars" id="c" viewBox="0 0 640 180" role="img" aria-labelledby="c-title"'
    )
    assert '<title id="c-title">Reviews &lt;per&gt; day</title>' in svg
    assert svg.count('<rect class="s-pass"') == 2 and svg.count('<rect class="s-fail"') == 2
    assert "<title>Tue: fail 1</title>" in svg
    assert [t for t in ("Mon", "Tue", "Wed") if f">{t}</text>" in svg] == ["Mon", "Tue", "Wed"]


def test_long_axes_label_first_middle_and_last() -> None:
    labels = [f"d{i}" for i in range(30)]
    svg = charts.bar_chart("c", labels, [Series("n", [1] * 30, "s-review")], title="t")
    assert [t for t in labels if f">{t}</text>" in svg] == ["d0", "d15", "d29"]


def test_a_line_chart_breaks_where_there_is_no_value() -> None:
    svg = charts.line_chart(
        "r", ["w1", "w2", "w3"], [Series("retention", [0.5, None, 1.0], "s-line")], title="t"
    )
    assert svg.count("<circle") == 2 and "<title>w1: 50%</title>" in svg and "<title>w3: 100%</title>" in svg
    single = charts.line_chart("r", ["w1", "w2"], [Series("retention", [None, 0.9], "s-line")], title="t")
    assert "<polyline" not in single and single.count("<circle") == 1


def test_proportions_split_one_bar() -> None:
    svg = charts.proportions(
        "p", [("New", 1, "s-new"), ("Review", 3, "s-review"), ("Lost", 0, "s-fail")], title="t"
    )
    assert (
        '<rect class="s-new" x="0.00" width="25.00"' in svg
        and '<rect class="s-review" x="25.00" width="75.00"' in svg
    )
    assert "s-fail" not in svg


def test_the_heatmap_has_a_cell_per_day_in_weeks_from_monday() -> None:
    first = date(2026, 3, 4)  # a Wednesday
    counts = {first + timedelta(days=i): i % 3 for i in range(10)}
    svg = charts.heatmap("h", counts, title="Reviews per day", month_names=MONTHS)
    assert svg.count("<rect") == 10 and svg.count('class="h0"') == 4
    assert '<rect class="h0" x="28" y="42"' in svg  # Wednesday: third row of the first week
    assert "<title>2026-03-13: 0</title>" in svg and ">Mar</text>" in svg
    assert charts.heatmap("h", {}, title="t", month_names=MONTHS) == ""


def test_a_streak_counts_back_from_today_or_yesterday() -> None:
    today = date(2026, 3, 10)
    days = {today - timedelta(days=i): 1 for i in (1, 2, 3, 5)}
    assert streak(days, today) == 3
    assert streak({**days, today: 2}, today) == 4
    assert streak({today - timedelta(days=2): 1}, today) == 0
