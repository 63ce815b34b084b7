"""Fixtures for the quiz tests: a signed-up learner on the fixture bank, and the right answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.quiz import service
from app.quiz.models import Attempt
from tests.users.helpers import signup


@pytest.fixture(autouse=True)
def repeatable_picks(client: TestClient) -> None:
    """Quizzes pick and shuffle from a fixed seed, so every run asks the same."""
    client.app.state.rng_seed = 1  # type: ignore[attr-defined]


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    """Bearer headers of a freshly registered learner."""
    return signup(client)


def right_answer(client: TestClient, quiz_id: int, position: int) -> dict[str, Any]:
    """The answer that scores 1 for a quiz question, worked out from its stored presentation."""
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        attempt = session.scalar(
            select(Attempt).where(Attempt.quiz_id == quiz_id, Attempt.position == position)
        )
        assert attempt is not None
        shown = service.presentation(attempt)
    if shown.input in ("choice", "multi"):
        return {"choice": [o.index for o in shown.options if o.correct]}
    if shown.input == "number":
        expected = shown.expected if isinstance(shown.expected, list) else [shown.expected]
        return {"text": ", ".join(f"{v:g}" for v in expected)}
    return {"points": list(range(len(shown.rubric)))}
