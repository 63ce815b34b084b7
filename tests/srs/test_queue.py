"""The queue: learning steps when due, reviews before new cards, daily limits, filters, day rollover."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.bank.models import Question
from tests.srs.test_review_api import answer, next_card
from tests.users.helpers import T0, Clock

Headers = dict[str, str]


def study(client: TestClient, auth: Headers, rating: int = 3, **params: str) -> str:
    """Answer the next card; return its question id."""
    card = next_card(client, auth, **params)["card"]
    answer(client, auth, card["id"], rating)
    return str(card["question_id"])


def test_new_cards_come_in_bank_order_up_to_the_daily_limit(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    client.patch("/api/v1/settings", headers=auth, json={"new_per_day": 3, "learning_steps_minutes": []})
    seen = [study(client, auth, rating=4) for _ in range(3)]
    assert seen == ["t0-q0", "t0-q1", "t0-q2"]
    response = client.get("/api/v1/review/next", headers=auth)
    assert (response.status_code, response.content) == (204, b"")
    clock.now = T0.replace(day=3, hour=4)  # a new study day starts at 4 a.m.
    assert next_card(client, auth)["counts"] == {"new": 3, "learning": 0, "review": 0}


def test_learning_step_comes_back_when_due_and_before_new_cards(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    assert study(client, auth, rating=1) == "t0-q0"  # again: due in 1 minute
    body = next_card(client, auth)
    assert (body["card"]["question_id"], body["counts"]) == ("t0-q1", {"new": 6, "learning": 1, "review": 0})
    clock.advance(minutes=1)
    assert next_card(client, auth)["card"]["question_id"] == "t0-q0"


def test_empty_queue_says_when_the_next_learning_step_is_due(client: TestClient, auth: Headers) -> None:
    client.patch("/api/v1/settings", headers=auth, json={"new_per_day": 1, "learning_steps_minutes": [60]})
    study(client, auth, rating=1)  # due again in an hour: beyond the 20-minute learn-ahead window
    response = client.get("/api/v1/review/next", headers=auth)
    assert (response.status_code, response.headers["retry-after"]) == (204, "3600")


def test_due_reviews_come_first_least_retrievable_first(
    app: FastAPI, client: TestClient, auth: Headers, clock: Clock
) -> None:
    client.patch("/api/v1/settings", headers=auth, json={"learning_steps_minutes": []})
    assert [study(client, auth, rating=r) for r in (2, 4, 1)] == ["t0-q0", "t0-q1", "t0-q2"]
    clock.advance(days=40)  # all three overdue; the Again card has the lowest stability
    order = [study(client, auth) for _ in range(3)]
    assert order == ["t0-q2", "t0-q0", "t0-q1"]
    assert next_card(client, auth)["card"]["question_id"] == "t0-q3"


def test_review_limit_caps_reviews_but_not_new_cards(client: TestClient, auth: Headers, clock: Clock) -> None:
    client.patch("/api/v1/settings", headers=auth, json={"learning_steps_minutes": [], "reviews_per_day": 1})
    study(client, auth, rating=3)
    study(client, auth, rating=3)
    clock.advance(days=30)
    body = next_card(client, auth)
    assert (body["card"]["state"], body["counts"]) == ("review", {"new": 5, "learning": 0, "review": 1})
    answer(client, auth, body["card"]["id"], 3)
    assert next_card(client, auth)["card"]["state"] == "new"


def test_topic_and_tag_filters(client: TestClient, auth: Headers) -> None:
    assert next_card(client, auth, topic="t1")["card"]["question_id"] == "t1-q0"
    body = next_card(client, auth, topic="t1", tag="odd")
    assert (body["card"]["question_id"], body["counts"]["new"]) == ("t1-q1", 1)
    assert next_card(client, auth, tag="odd")["counts"]["new"] == 3
    assert client.get("/api/v1/review/next", headers=auth, params={"topic": "nope"}).status_code == 204
    assert client.get("/api/v1/review/next", headers=auth, params={"topic": "Bad Slug"}).status_code == 422


def test_retired_questions_leave_the_queue_but_keep_their_cards(
    app: FastAPI, client: TestClient, auth: Headers
) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    answer(client, auth, card_id, 1)
    with app.state.db.session() as session:
        session.execute(update(Question).where(Question.slug == "t0-q0").values(retired=True))
        session.commit()
    body = next_card(client, auth)
    assert (body["card"]["question_id"], body["counts"]) == ("t0-q1", {"new": 6, "learning": 0, "review": 0})
    assert client.get(f"/api/v1/cards/{card_id}", headers=auth).status_code == 200


def test_the_day_rolls_over_at_the_users_hour_in_their_time_zone(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    # Shanghai is UTC+8: 4 a.m. there is 20:00 UTC the day before.
    client.patch(
        "/api/v1/settings",
        headers=auth,
        json={"timezone": "Asia/Shanghai", "day_start_hour": 4, "new_per_day": 1},
    )
    clock.now = datetime(2026, 3, 2, 19, 50, tzinfo=UTC)
    study(client, auth, rating=4)
    assert client.get("/api/v1/review/next", headers=auth).status_code == 204
    clock.now = datetime(2026, 3, 2, 19, 59, 59, tzinfo=UTC)
    assert client.get("/api/v1/review/next", headers=auth).status_code == 204
    clock.now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert next_card(client, auth)["counts"] == {"new": 1, "learning": 0, "review": 0}


def test_invalid_settings_are_422_naming_the_field(client: TestClient, auth: Headers) -> None:
    for body, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"desired_retention": 0.99}, "desired_retention"),
        ({"day_start_hour": 24}, "day_start_hour"),
        ({"new_per_day": -1}, "new_per_day"),
        ({"learning_steps_minutes": [0]}, "learning_steps_minutes"),
        ({"colour": "red"}, "colour"),
    ):
        response = client.patch("/api/v1/settings", headers=auth, json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][:2] == ["body", field]
    assert client.get("/api/v1/settings", headers=auth).json()["desired_retention"] == 0.9
