"""Several processes at once: ``deepprep serve --workers 2`` and start-ups that race each other.

Real subprocesses on a free port and a temporary data directory, on SQLite and PostgreSQL. Nothing
per-process may matter: the session cookie and its CSRF token come from one worker and are used
on the other, and the bank sync and migrations run once however many processes start together.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from app.bank.loader import load_bank
from tests.conftest import admin_sql
from tests.faults.procs import (
    Served,
    cpu_ticks,
    deepprep,
    deepprep_env,
    free_port,
    serve,
    stop,
    wait_healthy,
)
from tests.pgcluster import Cluster

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROUNDS = 24


def fresh(base: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    """A client that opens a new connection per request, so requests spread over the workers."""
    limits = httpx.Limits(max_keepalive_connections=0)
    return httpx.Client(base_url=base, cookies=cookies, limits=limits, timeout=30, follow_redirects=False)


def browser_login(base: str, email: str) -> tuple[httpx.Cookies, str]:
    """Sign in through the HTML form; the session cookie and the CSRF token of the signed-in session."""
    with fresh(base) as client:
        token = CSRF.search(client.get("/login").text)
        assert token is not None
        form = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/login", data=form).status_code == 303
        # Signing in starts a new session nonce: read the new token from a page.
        token = CSRF.search(client.get("/login").text)
        assert token is not None
        return client.cookies, token.group(1)


def review_round(base: str, cookies: httpx.Cookies, csrf: str, n: int) -> int:
    """Next card + answer through the JSON API with the browser's cookie; returns the review id."""
    with fresh(base, cookies) as client:
        card = client.get("/api/v1/review/next")
        assert card.status_code == 200, card.text
        # "Again" keeps the card in learning, due within the learn-ahead limit: the queue never empties.
        body = {"rating": 1, "client_review_id": f"round-{n}"}
        url = f"/api/v1/review/{card.json()['card']['id']}"
        done = client.post(url, json=body, headers={"X-CSRF-Token": csrf})
        assert done.status_code == 200, done.text
        review_id: int = done.json()["review_id"]
        return review_id


def same_review_everywhere(base: str, cookies: httpx.Cookies, csrf: str) -> list[tuple[int, int]]:
    """One answer sent 16 times at once on new connections (so to both workers)."""
    with fresh(base, cookies) as client:
        card = client.get("/api/v1/review/next").json()["card"]["id"]

    def send(_: int) -> tuple[int, int]:
        with fresh(base, cookies) as other:
            body = {"rating": 1, "client_review_id": "retried"}
            reply = other.post(f"/api/v1/review/{card}", json=body, headers={"X-CSRF-Token": csrf})
            return reply.status_code, reply.json().get("review_id", -1)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(send, range(16)))


def busy_workers(served: Served, before: dict[int, int]) -> int:
    """How many worker processes used CPU since ``before``."""
    return sum(1 for pid, ticks in before.items() if cpu_ticks(pid) > ticks + 1)


def test_two_workers_share_sessions_csrf_and_store_each_review_once(
    tmp_path: Path, bank_dir: Path, database_url: str
) -> None:
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    with serve(env, workers=2) as served:
        workers = served.children()
        assert len(workers) >= 2, f"expected two uvicorn workers, found {workers}"
        with fresh(served.base) as api:
            assert (
                api.post("/api/v1/users", json={"email": "ann@example.com", "password": PASSWORD}).status_code
                == 201
            )
        cookies, csrf = browser_login(served.base, "ann@example.com")
        before = {pid: cpu_ticks(pid) for pid in workers}
        with ThreadPoolExecutor(4) as pool:
            ids = list(pool.map(lambda n: review_round(served.base, cookies, csrf, n), range(ROUNDS)))
        assert busy_workers(served, before) >= 2, "every request went to one worker"
        # The signed session cookie works on any worker.
        with fresh(served.base, cookies) as client:
            me = client.get("/api/v1/users/me")
            assert me.status_code == 200 and me.json()["email"] == "ann@example.com"
        retried = same_review_everywhere(served.base, cookies, csrf)
    assert {status for status, _ in retried} == {200}
    assert len({review for _, review in retried}) == 1, "a retried review was stored twice"
    ids.append(retried[0][1])
    assert len(set(ids)) == ROUNDS + 1
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        logged = connection.execute(sa.text("SELECT id, client_review_id FROM review_log")).all()
    engine.dispose()
    assert sorted(r.id for r in logged) == sorted(ids)
    assert sorted(r.client_review_id for r in logged) == sorted(
        [*(f"round-{n}" for n in range(ROUNDS)), "retried"]
    )
    assert (tmp_path / "data" / "secret_key").exists()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (migrations must run during the race)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/deepprep.db"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin_sql(cluster, f"CREATE DATABASE {name}")
    yield cluster.url(name)
    admin_sql(cluster, f"DROP DATABASE {name} WITH (FORCE)")


def test_imports_and_servers_starting_together_migrate_and_sync_once(
    tmp_path: Path, bank_dir: Path, empty_database: str
) -> None:
    env = deepprep_env(tmp_path / "data", bank_dir, empty_database)
    imports = [
        subprocess.Popen(
            deepprep("import"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    ports = [free_port() for _ in range(2)]
    # Server output to files: an unread pipe fills up and blocks a server that logs.
    logs = [(tmp_path / f"serve-{port}.log").open("w") for port in ports]
    servers = [
        subprocess.Popen(
            deepprep("serve", "--port", str(port)), env=env, stdout=log, stderr=subprocess.STDOUT, text=True
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        outputs = [process.communicate(timeout=120) for process in imports]
        assert [p.returncode for p in imports] == [0, 0], outputs
        for port, process in zip(ports, servers, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", process, tmp_path / f"serve-{port}.log")
            topics = httpx.get(f"http://127.0.0.1:{port}/api/v1/topics", timeout=10)
            assert topics.status_code == 200
    finally:
        for process, log in zip(servers, logs, strict=True):
            stop(process)
            log.close()
    expected = len(load_bank(bank_dir).items)
    engine = sa.create_engine(empty_database, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        questions = connection.execute(sa.text("SELECT count(*), count(DISTINCT slug) FROM question")).one()
    engine.dispose()
    assert len(versions) == 1
    assert tuple(questions) == (expected, expected)
