"""SIGKILL in the middle of a review load, then a restart: no acknowledged review is lost or doubled.

Clients answer cards as fast as they can, each answer with its own ``client_review_id``. The
server is killed with SIGKILL (no shutdown of any kind) while requests are in flight, then started
again. A request that got no reply is "in doubt" (its commit may or may not have happened); the
client protocol is to send it again with the same id. After that, the database must hold exactly
the acknowledged answers, once each, with the ids the server reported, and every card's state
must agree with its log.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from tests.faults.load import Ledger, reviewer
from tests.faults.procs import Served, deepprep_env, free_port, serve

pytestmark = pytest.mark.slow
CLIENTS = 6
PASSWORD = "correct horse battery"


def load_then_kill(served: Served, auth: dict[str, str], ledger: Ledger) -> None:
    """Run the clients, SIGKILL the server once enough answers are in, wait for the clients."""
    assert served.children() == [], "one worker: the server is a single process"
    halt = threading.Event()
    threads = [
        threading.Thread(target=reviewer, args=(served.base, auth, i, ledger, halt)) for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with ledger.lock:  # kill while an answer is on the wire, once enough have been acknowledged
            if len(ledger.acknowledged) >= 60 and ledger.in_doubt:
                break
        time.sleep(0.001)
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=30)
    halt.set()


def resend(base: str, auth: dict[str, str], ledger: Ledger) -> None:
    """The client protocol after a failure: send every unanswered review again, same id."""
    with httpx.Client(base_url=base, headers=auth, timeout=10) as client:
        for key, (card, rating) in sorted(ledger.in_doubt.items()):
            reply = client.post(f"/api/v1/review/{card}", json={"rating": rating, "client_review_id": key})
            assert reply.status_code == 200, reply.text
            ledger.acknowledged[key] = reply.json()["review_id"]


def stored(database_url: str) -> tuple[list[sa.Row[tuple[str, int]]], list[sa.Row[tuple[int, int, int]]]]:
    """(client_review_id, id) of every log row; (card id, reps, log rows) of every card."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        logs = connection.execute(sa.text("SELECT client_review_id, id FROM review_log")).all()
        cards = connection.execute(
            sa.text(
                "SELECT card.id, card.reps, count(review_log.id) FROM card "
                "LEFT JOIN review_log ON review_log.card_id = card.id GROUP BY card.id, card.reps"
            )
        ).all()
    engine.dispose()
    return list(logs), list(cards)


def test_sigkill_mid_load_loses_and_doubles_nothing(
    tmp_path: Path, bank_dir: Path, database_url: str
) -> None:
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    port = free_port()
    ledger = Ledger()
    with serve(env, port=port) as served:
        base = served.base
        httpx.post(f"{base}/api/v1/users", json={"email": "kim@example.com", "password": PASSWORD})
        token = httpx.post(
            f"{base}/api/v1/tokens", json={"email": "kim@example.com", "password": PASSWORD, "name": "t"}
        )
        auth = {"Authorization": f"Bearer {token.json()['token']}"}
        load_then_kill(served, auth, ledger)
    assert len(ledger.acknowledged) >= 60
    before_restart = dict(ledger.acknowledged)
    with serve(env, port=port) as restarted:
        resend(restarted.base, auth, ledger)
    logs, cards = stored(database_url)
    keys = [key for key, _ in logs]
    assert len(keys) == len(set(keys)), "an answer was stored twice"
    assert dict(logs) == ledger.acknowledged, "the database differs from what clients were told"
    assert all(dict(logs)[key] == review for key, review in before_restart.items())
    assert all(reps == count for _, reps, count in cards), "a card's state disagrees with its log"
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
