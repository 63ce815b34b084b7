"""For any review history, our stored card equals what py-fsrs computes for the same sequence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.bank.models import Question
from app.srs import service
from app.srs.cards import ensure_card, read_card
from app.users import service as user_service
from app.users.settings import UserSettingsUpdate
from tests.users.helpers import T0

MINUTE = 60
histories = st.lists(
    st.tuples(st.integers(1, 4), st.integers(0, 45 * 24 * 60)),  # (rating, minutes since the last)
    min_size=1,
    max_size=30,
)
rules = st.fixed_dictionaries(
    {
        "desired_retention": st.sampled_from([0.7, 0.9, 0.97]),
        "learning_steps_minutes": st.sampled_from([[1.0, 10.0], [], [5.0], [1.0, 30.0, 240.0]]),
        "relearning_steps_minutes": st.sampled_from([[10.0], [], [1.0, 20.0]]),
        "maximum_interval_days": st.sampled_from([36500, 30]),
    }
)


def _reference(card_id: int, rule: dict[str, Any]) -> tuple[Scheduler, FsrsCard]:
    scheduler = Scheduler(
        desired_retention=rule["desired_retention"],
        learning_steps=[timedelta(minutes=m) for m in rule["learning_steps_minutes"]],
        relearning_steps=[timedelta(minutes=m) for m in rule["relearning_steps_minutes"]],
        maximum_interval=rule["maximum_interval_days"],
        enable_fuzzing=False,
    )
    return scheduler, FsrsCard(card_id=card_id, due=T0)


@pytest.mark.slow
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, rule=rules)
def test_stored_state_equals_py_fsrs(
    app: FastAPI, history: list[tuple[int, int]], rule: dict[str, Any]
) -> None:
    with app.state.db.session() as session:
        user = user_service.create_guest(session, now=T0)
        user_service.update_settings(session, user=user, update=UserSettingsUpdate(**rule))
        question = session.scalars(select(Question).order_by(Question.id)).first()
        assert question is not None
        card = ensure_card(session, user=user, question=question, now=T0)
        scheduler, expected = _reference(card.id, rule)
        now = T0
        for rating, minutes in history:
            now += timedelta(minutes=minutes)
            outcome = service.review(session, user=user, card_id=card.id, rating=rating, now=now, fuzz=False)
            expected, _ = scheduler.review_card(expected, Rating(rating), review_datetime=now)
            stored = read_card(session, user_id=user.id, card_id=card.id).state
            assert outcome.card.state == stored
            got = stored
            assert (got.state, got.step, got.stability, got.difficulty, got.due, got.last_review) == (
                expected.state.value,
                expected.step,
                expected.stability,
                expected.difficulty,
                expected.due,
                expected.last_review,
            )
        session.expire_all()  # and what was stored reads back bit for bit
        stored = session.get(type(card), card.id)
        assert stored is not None
        assert (stored.stability, stored.difficulty, stored.due) == (
            expected.stability,
            expected.difficulty,
            expected.due,
        )


def test_personal_weights_are_used(app: FastAPI) -> None:
    weights = [
        0.3,
        1.1,
        2.5,
        9.0,
        6.0,
        0.7,
        2.8,
        0.01,
        1.6,
        0.2,
        0.9,
        1.5,
        0.07,
        0.3,
        1.5,
        0.5,
        1.9,
        0.6,
        0.1,
        0.07,
        0.2,
    ]
    with app.state.db.session() as session:
        user = user_service.create_guest(session, now=T0)
        user.fsrs_parameters = {"weights": weights}
        session.commit()
        question = session.scalars(select(Question)).first()
        assert question is not None
        card = ensure_card(session, user=user, question=question, now=T0)
        scheduler, expected = (
            Scheduler(parameters=weights, enable_fuzzing=False),
            FsrsCard(card_id=card.id, due=T0),
        )
        now = T0
        for rating, days in ((3, 0), (3, 0.01), (2, 3), (1, 9), (4, 1)):
            now += timedelta(days=days)
            outcome = service.review(session, user=user, card_id=card.id, rating=rating, now=now, fuzz=False)
            got = outcome.card.state
            expected, _ = scheduler.review_card(expected, Rating(rating), review_datetime=now)
            assert (got.stability, got.difficulty, got.due) == (
                expected.stability,
                expected.difficulty,
                expected.due,
            )
