"""API review submits grouped into one trip and one commit (app/srs/together.py).

The requests here share one event loop, so submits that arrive while the database thread is busy
really are answered together; each test checks that groups formed, then that every answer is what
answering alone would have given: one log per key, retries replayed, races applied in order, one
request's error kept to that request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from sqlalchemy import func, select

from app.core.db import Database
from app.core.grouping import Grouped
from app.srs import service, together
from app.srs.cards import read_card
from app.srs.models import ReviewLog
from app.users.models import User
from tests.srs.test_concurrency import card_ids
from tests.users.helpers import T0, make_app, signup

T = TypeVar("T")


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    application = make_app(tmp_path, database_url, sizes=(24,))
    yield application
    application.state.db.dispose()


@pytest.fixture
def group_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every group the review submits were answered in."""
    sizes: list[int] = []

    def counted(db: Database, submits: Sequence[together.Submit]) -> list[together.Answer]:
        sizes.append(len(submits))
        return together.answer_all(db, submits)

    monkeypatch.setattr(together.SUBMITS, "_handler", counted)
    return sizes


Post = tuple[str, dict[str, str], dict[str, Any]]


def post_all(app: FastAPI, requests: list[Post]) -> list[httpx.Response]:
    """POST every request at once from one event loop."""

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            posts = (client.post(url, headers=h, json=body) for url, h, body in requests)
            return await asyncio.gather(*posts)

    return in_fresh_loop(main())


def in_fresh_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` on a new event loop in its own thread (the browser tests' loop may be running
    in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def test_duplicate_keys_in_one_group_write_one_log_each(app: FastAPI, group_sizes: list[int]) -> None:
    with TestClient(app) as client:
        auth = signup(client)
        cards = card_ids(client, auth, 6)
    group_sizes.clear()
    tasks = [(card, 1 + i % 4, f"key-{i}") for i, card in enumerate(cards)]
    sent = [
        (f"/api/v1/review/{card}", auth, {"rating": rating, "client_review_id": key})
        for _ in range(4)
        for card, rating, key in tasks
    ]
    replies = post_all(app, sent)
    assert max(group_sizes) > 1  # the submits really were answered together
    assert {r.status_code for r in replies} == {200}
    by_key: dict[str, set[str]] = {}
    for (_, _, body), reply in zip(sent, replies, strict=True):
        by_key.setdefault(body["client_review_id"], set()).add(reply.text)
    assert all(len(texts) == 1 for texts in by_key.values())  # a retry returns the first result
    with app.state.db.session() as session:
        keys = list(session.scalars(select(ReviewLog.client_review_id)))
    assert sorted(keys) == sorted(key for _, _, key in tasks)


def test_one_card_reviewed_many_times_in_one_group_loses_no_update(
    app: FastAPI, group_sizes: list[int]
) -> None:
    with TestClient(app) as client:
        auth = signup(client)
        (card_id,) = card_ids(client, auth, 1)
    with app.state.db.session() as session:
        owner = session.scalars(select(User.id).where(User.email.is_not(None))).one()
        version = read_card(session, user_id=owner, card_id=card_id).version
    group_sizes.clear()
    sent = [
        (f"/api/v1/review/{card_id}", auth, {"rating": 1 + i % 4, "client_review_id": f"k{i}"})
        for i in range(24)
    ]
    replies = post_all(app, sent)
    assert max(group_sizes) > 1
    assert {r.status_code for r in replies} == {200}
    with app.state.db.session() as session:
        logs = list(session.scalars(select(ReviewLog).order_by(ReviewLog.id)))
        stored = read_card(session, user_id=owner, card_id=card_id)
    assert (len(logs), stored.state.reps, stored.version) == (24, 24, version + 24)
    scheduler, expected = Scheduler(enable_fuzzing=False), FsrsCard(card_id=card_id, due=T0)
    for index, log in enumerate(logs):  # the card is exactly the fold of its logs, in commit order
        assert log.card_before["reps"] == index
        expected, _ = scheduler.review_card(expected, Rating(log.rating), review_datetime=log.reviewed_at)
    assert (stored.state.stability, stored.state.due) == (expected.stability, expected.due)


def test_each_submit_of_a_group_gets_its_own_answer(app: FastAPI) -> None:
    with TestClient(app) as client:
        auth = signup(client)
        first, second = card_ids(client, auth, 2)
    db: Database = app.state.db
    with db.session() as session:
        user_id = session.scalars(select(User.id).where(User.email.is_not(None))).one()

    def owner(session: Any) -> User:
        user = session.get(User, user_id)
        assert user is not None
        return user

    def nobody(session: Any) -> User:
        raise HTTPException(401, "Invalid or revoked token")

    def submit(who: Any, card: int, rating: int, key: str) -> together.Submit:
        return together.Submit(who, service.Answer(card, rating, key), T0, fuzz=False)

    answers = together.answer_all(
        db,
        [
            submit(owner, first, 3, "a"),
            submit(owner, first, 1, "b"),  # the same card again: reads the first one's result
            submit(owner, second, 3, "a"),  # key "a" reused for another card
            submit(owner, first, 3, "a"),  # a retry of the first
            submit(owner, 999_999, 3, "c"),  # no such card
            submit(nobody, second, 3, "d"),  # not authenticated
        ],
    )
    ok_a, ok_b, reused, retry, missing, refused = answers
    assert isinstance(ok_a, service.ReviewOutcome) and isinstance(ok_b, service.ReviewOutcome)
    assert ok_b.log.card_before == ok_a.log.card_after
    assert isinstance(reused, service.ReviewConflict)
    assert isinstance(retry, service.ReviewOutcome) and retry.replayed and retry.log.id == ok_a.log.id
    assert isinstance(missing, service.CardNotFound)
    assert isinstance(refused, HTTPException) and refused.status_code == 401
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ReviewLog)) == 2
        assert read_card(session, user_id=user_id, card_id=second).state.reps == 0


def test_a_failed_trip_fails_only_its_own_jobs() -> None:
    db = Database("sqlite://")
    calls: list[list[int]] = []

    def handler(_: Database, jobs: Sequence[int]) -> list[int | Exception]:
        calls.append(list(jobs))
        if 13 in jobs:
            raise RuntimeError("the trip broke")
        return [job * 10 if job % 2 else ValueError(job) for job in jobs]

    grouped: Grouped[int, int] = Grouped("test", handler)

    async def main() -> list[int | BaseException]:
        first = await asyncio.gather(*(grouped.submit(db, job) for job in (1, 2, 3)), return_exceptions=True)
        second = await asyncio.gather(grouped.submit(db, 13), return_exceptions=True)
        return [*first, *second]

    one, two, three, broken = in_fresh_loop(main())
    assert (one, three) == (10, 30)
    assert isinstance(two, ValueError) and isinstance(broken, RuntimeError)
    assert calls[0] == [1, 2, 3]  # queued while the first trip was starting: one trip
    db.dispose()
