"""Concurrent reviewers as one user: no lost update, no duplicate log, no "database is locked"."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from sqlalchemy import select

from app.srs.models import Card, ReviewLog
from tests.users.helpers import T0, make_app, signup

THREADS = 8


@pytest.fixture
def big_app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    application = make_app(tmp_path, database_url, sizes=(24,))
    yield application
    application.state.db.dispose()


def run_together(app: FastAPI, jobs: list[Callable[[TestClient], Any]]) -> list[Any]:
    """Run each job on its own client and thread, all released at the same moment."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[TestClient], Any]) -> Any:
        # No ``with``: the app's lifespan (which disposes the engine) must not end under other threads.
        client = TestClient(app)
        barrier.wait()
        return job(client)

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def card_ids(client: TestClient, auth: dict[str, str], n: int) -> list[int]:
    ids = []
    for _ in range(n):
        card = client.get("/api/v1/review/next", headers=auth).json()["card"]
        client.post(f"/api/v1/cards/{card['id']}/bury", headers=auth)
        ids.append(card["id"])
    for card_id in ids:
        client.post(f"/api/v1/cards/{card_id}/unbury", headers=auth)
    return ids


def test_duplicate_submissions_race_and_write_one_log_each(big_app: FastAPI) -> None:
    with TestClient(big_app) as client:
        auth = signup(client)
        cards = card_ids(client, auth, 8)
    tasks = [(card, 1 + i % 4, f"key-{i}") for i, card in enumerate(cards)]

    def reviewer(client: TestClient) -> list[tuple[int, dict[str, Any]]]:
        # Every thread sends every review: each key arrives THREADS times at once.
        return [
            (r.status_code, r.json())
            for card, rating, key in tasks
            for r in [
                client.post(
                    f"/api/v1/review/{card}", headers=auth, json={"rating": rating, "client_review_id": key}
                )
            ]
        ]

    results = run_together(big_app, [reviewer] * THREADS)
    assert {status for thread in results for status, _ in thread} == {200}
    for index in range(len(tasks)):  # every thread saw the same stored result for a key
        assert len({repr(thread[index][1]) for thread in results}) == 1
    with big_app.state.db.session() as session:
        keys = list(session.scalars(select(ReviewLog.client_review_id)))
    assert sorted(keys) == sorted(key for _, _, key in tasks)


def test_reviews_of_one_card_from_many_clients_are_all_applied(big_app: FastAPI) -> None:
    with TestClient(big_app) as client:
        auth = signup(client)
        (card_id,) = card_ids(client, auth, 1)
    per_thread = 5

    def reviewer(thread: int) -> Callable[[TestClient], list[int]]:
        def run(client: TestClient) -> list[int]:
            return [
                client.post(
                    f"/api/v1/review/{card_id}",
                    headers=auth,
                    json={"rating": 1 + (thread + i) % 4, "client_review_id": f"t{thread}-{i}"},
                ).status_code
                for i in range(per_thread)
            ]

        return run

    statuses = run_together(big_app, [reviewer(t) for t in range(THREADS)])
    assert {s for thread in statuses for s in thread} == {200}
    with big_app.state.db.session() as session:
        card = session.get(Card, card_id)
        logs = list(
            session.scalars(select(ReviewLog).where(ReviewLog.card_id == card_id).order_by(ReviewLog.id))
        )
    assert card is not None
    assert (len(logs), card.reps) == (THREADS * per_thread, THREADS * per_thread)
    # No lost update: the card is exactly the fold of its logs, in commit order, through py-fsrs.
    scheduler, expected = Scheduler(enable_fuzzing=False), FsrsCard(card_id=card_id, due=T0)
    for log in logs:
        assert log.card_before["reps"] == logs.index(log)
        expected, _ = scheduler.review_card(expected, Rating(log.rating), review_datetime=log.reviewed_at)
    assert (card.stability, card.difficulty, card.due, card.state) == (
        expected.stability,
        expected.difficulty,
        expected.due,
        expected.state.value,
    )


def test_a_writer_in_another_process_never_surfaces_as_locked(big_app: FastAPI, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock only")
    with TestClient(big_app) as client:
        auth = signup(client)
        (card_id,) = card_ids(client, auth, 1)
        path = database_url.removeprefix("sqlite:///")
        holding = threading.Event()

        def other_process_writes() -> None:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")  # take SQLite's write lock, as another process would
            holding.set()
            time.sleep(0.5)
            connection.execute("COMMIT")
            connection.close()

        holder = threading.Thread(target=other_process_writes)
        holder.start()
        holding.wait()
        response = client.post(f"/api/v1/review/{card_id}", headers=auth, json={"rating": 3})
        holder.join()
    assert response.status_code == 200
