"""Export and import of review history: formats, replay through FSRS, validation before writing."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.srs.models import Card, ReviewLog
from tests.srs.test_review_api import answer, next_card
from tests.users.helpers import T0, Clock, signup

Headers = dict[str, str]


def study_a_little(client: TestClient, auth: Headers, clock: Clock) -> None:
    first = next_card(client, auth)["card"]["id"]
    answer(client, auth, first, 3, duration_ms=1200, client_review_id="r1")
    clock.advance(minutes=10)
    answer(client, auth, first, 3, client_review_id="r2")
    second = next_card(client, auth)["card"]["id"]
    answer(client, auth, second, 1, affects_schedule=False, client_review_id="r3")
    clock.advance(days=3)
    answer(client, auth, first, 2, client_review_id="r4")


def test_json_and_csv_exports(client: TestClient, auth: Headers, clock: Clock) -> None:
    study_a_little(client, auth, clock)
    document = client.get("/api/v1/history", headers=auth).json()
    assert (document["format"], document["version"]) == ("deepprep.review-history", 1)
    assert document["reviews"][0] == {
        "question_id": "t0-q0",
        "reviewed_at": "2026-03-02T12:00:00+00:00",
        "rating": 3,
        "duration_ms": 1200,
        "affects_schedule": True,
        "client_review_id": "r1",
    }
    assert [r["client_review_id"] for r in document["reviews"]] == ["r1", "r2", "r3", "r4"]
    csv_text = client.get("/api/v1/history", headers=auth, params={"format": "csv"}).text
    assert csv_text.splitlines() == [
        "question_id,reviewed_at,rating,duration_ms,affects_schedule,client_review_id",
        "t0-q0,2026-03-02T12:00:00+00:00,3,1200,true,r1",
        "t0-q0,2026-03-02T12:10:00+00:00,3,,true,r2",
        "t0-q1,2026-03-02T12:10:00+00:00,1,,false,r3",
        "t0-q0,2026-03-05T12:10:00+00:00,2,,true,r4",
    ]


def test_import_into_another_account_rebuilds_the_same_cards(
    app: FastAPI, client: TestClient, auth: Headers, clock: Clock
) -> None:
    study_a_little(client, auth, clock)
    for fmt in ("json", "csv"):
        exported = client.get("/api/v1/history", headers=auth, params={"format": fmt}).content
        other = signup(client, f"{fmt}@example.com")
        response = client.post("/api/v1/history", headers=other, params={"format": fmt}, content=exported)
        assert response.json() == {"imported": 4, "skipped": 0, "cards": 2}
        again = client.post("/api/v1/history", headers=other, params={"format": fmt}, content=exported)
        assert again.json() == {"imported": 0, "skipped": 4, "cards": 0}
    with app.state.db.session() as session:
        cards = session.scalars(select(Card).order_by(Card.user_id, Card.question_id)).all()
        by_user: dict[int, list[tuple[object, ...]]] = {}
        for card in cards:
            if card.state:
                by_user.setdefault(card.user_id, []).append(
                    (
                        card.question_id,
                        card.state,
                        card.step,
                        card.stability,
                        card.difficulty,
                        card.due,
                        card.last_review,
                        card.reps,
                        card.lapses,
                    )
                )
    assert len(by_user) == 3
    assert len({json.dumps(v, default=str) for v in by_user.values()}) == 1


def test_import_merges_with_existing_history_in_time_order(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    clock.advance(days=2)
    answer(client, auth, card_id, 3, client_review_id="later")
    earlier = {"reviews": [{"question_id": "t0-q0", "reviewed_at": T0.isoformat(), "rating": 4}]}
    response = client.post("/api/v1/history", headers=auth, content=json.dumps(earlier))
    assert response.json() == {"imported": 1, "skipped": 0, "cards": 1}
    info = client.get(f"/api/v1/cards/{card_id}", headers=auth).json()
    assert [(h["rating"], h["state_before"]) for h in info["history"]] == [(4, "new"), (3, "review")]
    assert info["reps"] == 2


def test_an_invalid_import_names_every_problem_and_writes_nothing(
    app: FastAPI, client: TestClient, auth: Headers
) -> None:
    rows = [
        {"question_id": "t0-q0", "reviewed_at": T0.isoformat(), "rating": 3},
        {"question_id": "nope", "reviewed_at": T0.isoformat(), "rating": 3},
        {"question_id": "t0-q1", "reviewed_at": "2026-03-02T12:00:00", "rating": 3},
        {"question_id": "t0-q1", "reviewed_at": T0.isoformat(), "rating": 7, "duration_ms": -5},
        {"question_id": "t0-q2", "reviewed_at": (T0 + timedelta(days=1)).isoformat(), "rating": 3},
    ]
    response = client.post("/api/v1/history", headers=auth, content=json.dumps({"reviews": rows}))
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["detail"]] == [
        (3, "reviewed_at"),
        (4, "rating"),
        (4, "duration_ms"),
    ]
    rows[2]["reviewed_at"] = rows[3]["reviewed_at"] = T0.isoformat()
    rows[3].update(rating=2, duration_ms=5)
    response = client.post("/api/v1/history", headers=auth, content=json.dumps({"reviews": rows}))
    assert [(e["row"], e["field"]) for e in response.json()["detail"]] == [
        (2, "question_id"),
        (4, "client_review_id"),
        (5, "reviewed_at"),
    ]
    with app.state.db.session() as session:
        assert session.scalar(select(func.count()).select_from(ReviewLog)) == 0
        assert session.scalar(select(func.count()).select_from(Card)) == 0
    bad_files = (("json", b"{not json"), ("csv", b"question_id,rating\nx,3\n"), ("json", b"\xff\xfe"))
    for fmt, content in bad_files:
        response = client.post("/api/v1/history", headers=auth, params={"format": fmt}, content=content)
        assert response.status_code == 422
        assert response.json()["detail"][0]["row"] == 0
