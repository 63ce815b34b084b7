"""Dashboard, statistics, settings and the remembered language, as pages (issue 7)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.users.models import User
from tests.users.helpers import Clock
from tests.web.study import CSRF, found, rate

SETTINGS = {
    "lang": "",
    "interview_date": "",
    "retention_percent": "90",
    "new_per_day": "20",
    "reviews_per_day": "200",
    "day_start_hour": "4",
    "timezone": "UTC",
    "count": "10",
    "layout": "one",
    "feedback": "immediate",
    "interview_count": "8",
    "interview_minutes": "3",
}


def users(client: TestClient) -> int:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(User)) or 0


def save(client: TestClient, **changes: str) -> TestClient:
    token = found(CSRF, client.get("/settings").text)
    response = client.post(
        "/settings", data={**SETTINGS, **changes, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def test_a_visitor_sees_the_topics_without_becoming_a_guest(client: TestClient) -> None:
    html = client.get("/").text
    assert "Start review" in html and 'href="/topics/basics"' in html and "3 questions" in html
    assert 'class="tiles"' not in html and users(client) == 0


def test_the_dashboard_counts_today_the_streak_and_the_year(client: TestClient) -> None:
    clock = client.app.state.clock = Clock()  # type: ignore[attr-defined]
    rate(client, 3)  # the first card goes to learning…
    clock.advance(days=1)
    rate(client, 3)  # …comes back first the next day and graduates; then a new card…
    rate(client, 1)  # …is answered Again
    html = client.get("/").text
    tiles = re.findall(r'<span class="n[^"]*">(\d+)</span>', html)
    assert tiles == ["3", "1", "0", "2", "2"]  # new, learning, due, streak (days), reviewed today
    assert html.count('<rect class="h') == 365 and html.count('class="h4"') == 1
    assert "Mastery 67 % · studied 2/3" in html and "Mastery 0 % · studied 0/2" in html
    clock.advance(days=2)
    assert re.findall(r'<span class="n[^"]*">(\d+)</span>', client.get("/").text)[3] == "0"  # streak broken


def test_the_interview_day_shows_predicted_recall_and_what_to_study_first(client: TestClient) -> None:
    client.app.state.clock = Clock()  # type: ignore[attr-defined]  # 2026-03-02
    rate(client, 4)
    save(client, interview_date="2026-03-30")
    html = client.get("/").text
    assert "28 days to your interview" in html and "Interview on 2026-03-30" in html
    study_first = re.findall(r'<li><a href="/review\?topic=(\w+)">', html)
    assert study_first == ["basics", "numbers"]
    assert "about 2 of 2 questions likely forgotten" in html
    recall = re.search(r"Mastery 33 % · studied 1/3 · on the day (\d+) %", html)
    assert recall is not None and 0 < int(recall.group(1)) < 33


def test_a_past_interview_date_is_not_counted_down(client: TestClient) -> None:
    client.app.state.clock = Clock()  # type: ignore[attr-defined]
    save(client, interview_date="2026-03-01")
    html = client.get("/").text
    assert "days to your interview" not in html and "Set your interview date" in html


def test_the_stats_page_draws_every_chart_with_its_numbers(client: TestClient) -> None:
    client.app.state.clock = Clock()  # type: ignore[attr-defined]
    rate(client, 3)
    rate(client, 1)
    html = client.get("/stats").text
    for chart in ("reviews", "forecast", "retention", "states", "buttons"):
        assert f'id="chart-{chart}"' in html and f'aria-labelledby="chart-{chart}-title"' in html
    assert html.count('<details class="data-table">') == 5 and html.count("<caption") == 6
    assert html.count('<rect class="s-pass"') == 1 and html.count('<rect class="s-fail"') == 1
    assert '<th scope="row">Mar 2</th><td>1</td><td>1</td><td>0</td>' in html
    assert "<title>Learning: 2</title>" in html


def test_settings_are_validated_field_by_field(client: TestClient) -> None:
    token = found(CSRF, client.get("/settings").text)
    bad = {**SETTINGS, "retention_percent": "99", "new_per_day": "many", "csrf_token": token}
    response = client.post("/settings", data=bad)
    assert response.status_code == 422
    assert "2 field(s) need a fix." in response.text
    assert response.text.count('aria-invalid="true"') == 2
    assert 'value="many"' in response.text  # what was typed stays in the form


def test_settings_are_saved_and_used(client: TestClient) -> None:
    save(
        client,
        retention_percent="85",
        timezone="Asia/Shanghai",
        feeds_schedule="true",
        interview_minutes="1.5",
    )
    page = client.get("/settings?saved=true").text
    assert "Saved." in page and "<option selected>Asia/Shanghai</option>" in page
    assert 'value="85"' in page and 'value="1.5"' in page
    settings = client.get("/api/v1/settings", headers={"X-CSRF-Token": found(CSRF, page)})
    assert settings.status_code == 200
    assert (settings.json()["desired_retention"], settings.json()["timezone"]) == (0.85, "Asia/Shanghai")
    quiz = client.get("/quiz").text
    assert 'name="feeds_schedule" value="true" checked' in quiz


def test_the_language_is_remembered_for_the_learner(client: TestClient) -> None:
    client.get("/review")  # become a guest
    client.get("/lang/zh?next=/review")
    client.cookies.delete("lang")
    html = client.get("/quiz", headers={"accept-language": "en-US"}).text
    assert '<html lang="zh-CN">' in html and "<h1>测验</h1>" in html
    save(client, lang="")  # back to "as my browser"
    assert '<html lang="en">' in client.get("/quiz", headers={"accept-language": "en-US"}).text
