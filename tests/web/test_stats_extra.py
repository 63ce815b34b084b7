"""The statistics behind the dashboard and the charts: days, recall on a date, buttons, retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.srs import stats
from app.users import service as user_service
from tests.users.helpers import Clock, make_app, signup


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    application = make_app(tmp_path, database_url, sizes=(2, 1))
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def review(client: TestClient, auth: dict[str, str], rating: int) -> None:
    card = client.get("/api/v1/review/next", headers=auth).json()["card"]
    response = client.post(f"/api/v1/review/{card['id']}", json={"rating": rating}, headers=auth)
    assert response.status_code == 200, response.text


def test_daily_counts_recall_buttons_and_weekly_retention(app: FastAPI, client: TestClient) -> None:
    auth = signup(client)
    clock: Clock = app.state.clock
    review(client, auth, 4)  # t0-q0 → review state
    review(client, auth, 4)  # t0-q1 → review state
    review(client, auth, 1)  # t1-q0 → learning
    clock.advance(days=20)
    review(client, auth, 3)  # the learning card comes first and graduates
    review(client, auth, 3)  # a review-state card passes…
    review(client, auth, 1)  # …and one lapses
    now = clock.now
    with app.state.db.session() as session:
        user = user_service.get_by_email(session, email="ann@example.com")
        assert user is not None
        per_day = stats.daily_counts(session, user=user, now=now, span=30)
        recall_now = stats.topic_recall(session, user=user, at=now)
        recall_later = stats.topic_recall(session, user=user, at=now + timedelta(days=60))
        buttons = stats.answer_buttons(session, user=user, now=now)
        weeks = stats.retention_by_week(session, user=user, now=now, weeks=4)
    today = date(2026, 3, 22)
    assert len(per_day) == 30 and max(per_day) == today
    assert {d: n for d, n in per_day.items() if n} == {date(2026, 3, 2): 3, today: 3}
    assert [(r.topic, r.questions, r.studied) for r in recall_now] == [("t0", 2, 2), ("t1", 1, 1)]
    assert recall_now[0].expected == pytest.approx(recall_now[0].recall or 0)
    assert all(later.expected < now_.expected for later, now_ in zip(recall_later, recall_now, strict=True))
    assert [(b.rating, b.learning, b.review) for b in buttons] == [(1, 1, 1), (2, 0, 0), (3, 1, 1), (4, 2, 0)]
    assert [(w.reviews, w.passed, w.rate) for w in weeks] == [(0, 0, None)] * 3 + [(2, 1, 0.5)]
    assert weeks[-1].start == today - timedelta(days=6)
