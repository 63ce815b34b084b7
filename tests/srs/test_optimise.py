"""Personal FSRS weights fitted with fsrs-rs on a simulated learner's history."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

from app.srs.optimise import training_items, training_sequences
from tests.users.helpers import T0, make_app, signup

# A learner who forgets faster than FSRS's defaults assume (higher decay, lower initial stability).
LEARNER = (
    0.1,
    0.5,
    1.0,
    4.0,
    6.4,
    0.83,
    3.0,
    0.001,
    1.2,
    0.17,
    0.8,
    1.5,
    0.06,
    0.26,
    1.6,
    0.6,
    1.9,
    0.54,
    0.09,
    0.07,
    0.5,
)


@pytest.fixture
def big_app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    application = make_app(tmp_path, database_url, sizes=(60,))
    yield application
    application.state.db.dispose()


def simulated_history(cards: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    truth = Scheduler(parameters=LEARNER, enable_fuzzing=False, learning_steps=(), relearning_steps=())
    rows = []
    for index in range(cards):
        card, now = FsrsCard(card_id=index + 1, due=T0), T0 - timedelta(days=400 - index)
        while now < T0 - timedelta(days=1):
            recall = truth.get_card_retrievability(card, now) if card.last_review else 0.0
            rating = Rating(rng.choice((2, 3, 3, 3, 4))) if rng.random() < recall else Rating.Again
            if card.last_review is None:
                rating = Rating(rng.choice((1, 2, 3, 3, 4)))
            rows.append(
                {"question_id": f"t0-q{index}", "reviewed_at": now.isoformat(), "rating": int(rating)}
            )
            card, _ = truth.review_card(card, rating, review_datetime=now)
            now = card.due + timedelta(hours=rng.randint(0, 72))
    return rows


def test_training_sequences_follow_the_fsrs_rs_convention() -> None:
    day = T0.date()
    history = [(day, 3), (day, 3), (day + timedelta(days=2), 1), (day + timedelta(days=5), 3)]
    assert training_sequences([history]) == [[(3, 0), (3, 0), (1, 2)], [(3, 0), (3, 0), (1, 2), (3, 3)]]
    assert len(training_items([history])) == 2


def test_too_few_reviews_is_409(big_app: FastAPI) -> None:
    with TestClient(big_app) as client:
        auth = signup(client)
        response = client.post("/api/v1/parameters/optimise", headers=auth)
    assert (response.status_code, response.json()) == (409, {"detail": "0 reviews; at least 512 are needed"})


def test_optimise_fits_better_weights_and_uses_them(big_app: FastAPI) -> None:
    # fsrs-rs keeps its defaults on small data sets; ~1,200 reviews are enough to move.
    history = simulated_history(60)
    assert len(history) == 1259
    with TestClient(big_app) as client:
        auth = signup(client)
        client.post("/api/v1/history", headers=auth, content=json.dumps({"reviews": history}))
        result = client.post("/api/v1/parameters/optimise", headers=auth).json()
        assert result["reviews"] == len(history)
        assert result["adopted"] is True
        assert result["log_loss_after"] < result["log_loss_before"]
        weights = result["weights"]
        stored = client.get("/api/v1/parameters", headers=auth).json()
        assert (stored["weights"], stored["reviews"], stored["log_loss_after"]) == (
            weights,
            len(history),
            result["log_loss_after"],
        )
        card = client.get("/api/v1/review/next", headers=auth).json()["card"]
        after = client.post(f"/api/v1/review/{card['id']}", headers=auth, json={"rating": 3}).json()["card"]
        before = FsrsCard(
            card_id=card["id"],
            state=State[card["state"].capitalize()],
            step=card["step"],
            stability=card["stability"],
            difficulty=card["difficulty"],
            due=datetime.fromisoformat(card["due"]),
            last_review=datetime.fromisoformat(card["last_review"]),
        )
        expected, _ = Scheduler(parameters=weights, enable_fuzzing=False).review_card(
            before, Rating.Good, review_datetime=T0
        )
        assert after["stability"] == expected.stability
        assert client.delete("/api/v1/parameters", headers=auth).status_code == 204
        assert client.get("/api/v1/parameters", headers=auth).json() == {"weights": None, "personal": False}
