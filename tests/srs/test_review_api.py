"""The review API contract: next, review, idempotency, practice, undo, suspend, bury, leeches, 404/422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from sqlalchemy import func, select, text

from app.srs.models import ReviewLog
from tests.users.helpers import T0, Clock, signup

Headers = dict[str, str]


def next_card(client: TestClient, auth: Headers, **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/review/next", headers=auth, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def answer(client: TestClient, auth: Headers, card_id: int, rating: int, **extra: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/review/{card_id}", headers=auth, json={"rating": rating, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def log_count(app: FastAPI) -> int:
    with app.state.db.session() as session:
        return session.scalar(select(func.count()).select_from(ReviewLog)) or 0


def test_next_card_contract(client: TestClient, auth: Headers) -> None:
    body = next_card(client, auth)
    assert set(body) == {"card", "intervals", "counts"}
    card = body["card"]
    assert {"id", "question_id", "state", "due", "question"} <= set(card)
    assert (card["question_id"], card["state"], card["due"]) == ("t0-q0", "new", "2026-03-02T12:00:00Z")
    assert card["question"]["prompt"] == {"zh": "问题 t0-q0", "en": "Question t0-q0?"}
    assert card["question"]["answer"] == {"zh": "答案 t0-q0", "en": "Answer to t0-q0."}
    # py-fsrs defaults: 1 min, (1 + 10) / 2 min, 10 min, and Easy's first interval of 8 days.
    assert body["intervals"] == {"again": 60, "hard": 330, "good": 600, "easy": 8 * 86400}
    assert body["counts"] == {"new": 7, "learning": 0, "review": 0}


def test_review_contract_and_fsrs_equivalence_over_http(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    scheduler, expected = Scheduler(enable_fuzzing=False), FsrsCard(card_id=card_id, due=T0)
    for rating, minutes in ((3, 0), (3, 10), (3, 60 * 24), (1, 60 * 24 * 3), (2, 10), (4, 60 * 24 * 2)):
        now = clock.advance(minutes=minutes)
        body = answer(client, auth, card_id, rating, duration_ms=1500)
        expected, _ = scheduler.review_card(expected, Rating(rating), review_datetime=now)
        assert set(body) == {"review_id", "reviewed_at", "card"}
        assert set(body["card"]) == {"id", "state", "step", "stability", "difficulty", "due", "last_review"}
        assert body["reviewed_at"] == now.isoformat().replace("+00:00", "Z")
        assert body["card"]["stability"] == expected.stability
        assert body["card"]["difficulty"] == expected.difficulty
        assert body["card"]["due"] == expected.due.isoformat().replace("+00:00", "Z")
        assert body["card"]["state"] == expected.state.name.lower()


def test_retry_with_same_client_review_id_is_answered_once(
    app: FastAPI, client: TestClient, auth: Headers, clock: Clock
) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    first = answer(client, auth, card_id, 3, client_review_id="phone-1")
    clock.advance(minutes=5)
    again = answer(client, auth, card_id, 3, client_review_id="phone-1")
    assert again == first
    assert log_count(app) == 1
    conflict = client.post(
        f"/api/v1/review/{card_id}", headers=auth, json={"rating": 1, "client_review_id": "phone-1"}
    )
    assert conflict.status_code == 409
    assert log_count(app) == 1


def test_practice_review_leaves_the_schedule_alone(app: FastAPI, client: TestClient, auth: Headers) -> None:
    card = next_card(client, auth)["card"]
    body = answer(client, auth, card["id"], 1, affects_schedule=False)
    assert body["card"] == {
        k: card[k] for k in ("id", "state", "step", "stability", "difficulty", "due", "last_review")
    }
    info = client.get(f"/api/v1/cards/{card['id']}", headers=auth).json()
    assert (info["reps"], info["state"], [h["affects_schedule"] for h in info["history"]]) == (
        0,
        "new",
        [False],
    )
    assert log_count(app) == 1


def _raw_card(app: FastAPI, card_id: int) -> tuple[Any, ...]:
    """Every stored column but the optimistic-lock counter, exactly as the database returns it."""
    with app.state.db.engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM card WHERE id = :id"), {"id": card_id}).mappings().one()
    return tuple((k, v) for k, v in row.items() if k != "version")


def test_undo_restores_the_card_byte_for_byte(
    app: FastAPI, client: TestClient, auth: Headers, clock: Clock
) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    snapshots = [_raw_card(app, card_id)]
    for rating, minutes in ((3, 0), (3, 10), (1, 60 * 24 * 2), (3, 10)):
        clock.advance(minutes=minutes)
        answer(client, auth, card_id, rating)
        snapshots.append(_raw_card(app, card_id))
    while len(snapshots) > 1:
        snapshots.pop()
        response = client.post("/api/v1/review/undo", headers=auth)
        assert response.status_code == 200, response.text
        assert _raw_card(app, card_id) == snapshots[-1]
    assert log_count(app) == 0
    assert client.post("/api/v1/review/undo", headers=auth).status_code == 404


def test_undo_refuses_when_the_card_changed_since(client: TestClient, auth: Headers) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    answer(client, auth, card_id, 3)
    assert client.post(f"/api/v1/cards/{card_id}/suspend", headers=auth).json()["suspended"] is True
    assert client.post("/api/v1/review/undo", headers=auth).status_code == 409


def test_suspend_and_bury_take_cards_out_of_the_queue(
    client: TestClient, auth: Headers, clock: Clock
) -> None:
    first = next_card(client, auth)["card"]["id"]
    client.post(f"/api/v1/cards/{first}/suspend", headers=auth)
    second = next_card(client, auth)["card"]
    assert second["question_id"] == "t0-q1"
    buried = client.post(f"/api/v1/cards/{second['id']}/bury", headers=auth).json()
    assert buried["buried_until"] == "2026-03-03T04:00:00Z"  # the next 4 a.m. (UTC by default)
    assert next_card(client, auth)["card"]["question_id"] == "t0-q2"
    clock.now = T0.replace(day=3, hour=4)
    client.post(f"/api/v1/cards/{first}/unsuspend", headers=auth)
    assert next_card(client, auth)["card"]["id"] == first


def test_eight_lapses_make_a_suspended_leech(client: TestClient, auth: Headers, clock: Clock) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    answer(client, auth, card_id, 4)  # straight to review
    for lapse in range(1, 9):
        clock.advance(days=30)
        answer(client, auth, card_id, 1)  # lapse
        clock.advance(minutes=10)
        body = answer(client, auth, card_id, 3)  # relearnt
        info = client.get(f"/api/v1/cards/{card_id}", headers=auth).json()
        assert (info["lapses"], info["leech"], info["suspended"]) == (lapse, lapse == 8, lapse == 8)
    assert body["card"]["state"] == "review"


def test_unknown_and_foreign_cards_are_404(client: TestClient, auth: Headers) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    other = signup(client, "bob@example.com")
    for method, url, body in (
        ("GET", "/api/v1/cards/{}", None),
        ("POST", "/api/v1/review/{}", {"rating": 3}),
        ("POST", "/api/v1/cards/{}/suspend", None),
    ):
        foreign = client.request(method, url.format(card_id), headers=other, json=body)
        missing = client.request(method, url.format(999999), headers=auth, json=body)
        assert (foreign.status_code, foreign.json()) == (404, {"detail": "No such card"})
        assert (missing.status_code, missing.json()) == (404, {"detail": "No such card"})


BAD_BODIES = [
    ({"rating": 0}, "rating"),
    ({"rating": 5}, "rating"),
    ({"rating": True}, "rating"),
    ({"rating": "3"}, "rating"),
    ({"rating": 2.5}, "rating"),
    ({}, "rating"),
    ({"rating": 3, "duration_ms": -1}, "duration_ms"),
    ({"rating": 3, "client_review_id": "a b"}, "client_review_id"),
    ({"rating": 3, "client_review_id": "x" * 65}, "client_review_id"),
    ({"rating": 3, "extra": 1}, "extra"),
]


def test_bad_review_bodies_are_422_naming_the_field(app: FastAPI, client: TestClient, auth: Headers) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    for body, field in BAD_BODIES:
        response = client.post(f"/api/v1/review/{card_id}", headers=auth, json=body)
        assert response.status_code == 422, body
        assert [e["loc"] for e in response.json()["detail"]] == [["body", field]], body
    assert log_count(app) == 0


def test_malformed_card_ids_are_422_naming_the_field(client: TestClient, auth: Headers) -> None:
    for card_id in ("abc", "0", "-1", "1.5", str(2**64)):
        for response in (
            client.post(f"/api/v1/review/{card_id}", headers=auth, json={"rating": 3}),
            client.get(f"/api/v1/cards/{card_id}", headers=auth),
        ):
            assert response.status_code == 422, card_id
            assert [e["loc"] for e in response.json()["detail"]] == [["path", "card_id"]]


def test_integral_float_rating_is_accepted(client: TestClient, auth: Headers) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    assert answer(client, auth, card_id, 3.0)["card"]["state"] == "learning"  # type: ignore[arg-type]


def test_card_info_has_retrievability_and_history(client: TestClient, auth: Headers, clock: Clock) -> None:
    card_id = next_card(client, auth)["card"]["id"]
    answer(client, auth, card_id, 4, duration_ms=2000)
    clock.advance(days=4)
    info = client.get(f"/api/v1/cards/{card_id}", headers=auth).json()
    expected = Scheduler(enable_fuzzing=False)
    fsrs_card, _ = expected.review_card(FsrsCard(card_id=card_id, due=T0), Rating.Easy, review_datetime=T0)
    assert info["retrievability"] == expected.get_card_retrievability(fsrs_card, T0 + timedelta(days=4))
    assert info["history"] == [
        {
            "review_id": 1,
            "reviewed_at": "2026-03-02T12:00:00Z",
            "rating": 4,
            "duration_ms": 2000,
            "affects_schedule": True,
            "state_before": "new",
            "due_after": "2026-03-10T12:00:00Z",
        }
    ]
