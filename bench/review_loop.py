"""Benchmark the review loop over HTTP against a real uvicorn server, and next-card latency vs. size.

    .venv/bin/python -m bench.review_loop            # full run (~3 minutes), appends to bench/RESULTS.md
    .venv/bin/python -m bench.review_loop --quick    # smoke run, prints only

Part 1: clients (threads, keep-alive) loop "GET /api/v1/review/next, POST /api/v1/review/{id}" as
their own users for a fixed time at 1, 16 and 64 concurrent clients; the same server's bare
``async def`` endpoint and one-row insert endpoint (bench/server.py) are measured the same way, so
the ratios hold even when the machine is busy. Part 2: a database with 10 k and 1 M card rows
(1,000 cards per user) and the latency of GET /review/next for one user, which the (user_id, due)
index must keep flat.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import select

from app.bank.models import Question
from app.bootstrap import import_bank
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import Database
from bench import seed

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
STUDY_SETTINGS = {"new_per_day": 9999, "reviews_per_day": 99999}


@dataclass
class Run:
    """Latencies (seconds) of every request in one timed phase."""

    name: str
    clients: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data: Path, bank: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEEPPREP_MODE": "production",
        "DEEPPREP_SECRET_KEY": secrets.token_urlsafe(40),
        "DEEPPREP_DATA_DIR": str(data),
        "DEEPPREP_QUESTIONS_DIR": str(bank),
        "DEEPPREP_DATABASE_URL": f"sqlite:///{data / 'bench.db'}",
    }


def prepare(data: Path, questions: int) -> tuple[dict[str, str], Database]:
    """A migrated database with a generated bank synced in."""
    bank = data / "bank"
    seed.write_bank(bank, questions)
    env = environment(data, bank)
    settings = Settings(
        mode="production",
        secret_key=env["DEEPPREP_SECRET_KEY"],
        data_dir=data,
        questions_dir=bank,
        database_url=env["DEEPPREP_DATABASE_URL"],
    )
    import_bank(settings)
    return env, Database(settings.database_url)


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """uvicorn in a subprocess on a free port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.server:make_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def timed(
    name: str, clients: int, seconds: float, step: Callable[[httpx.Client, int], list[float]], base: str
) -> Run:
    """Run ``step`` in a loop on ``clients`` threads for ``seconds``; gather every request's latency."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    barrier = threading.Barrier(clients + 1)

    def worker(index: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=30) as client:
            barrier.wait()
            while time.perf_counter() < deadline:
                try:
                    mine += step(client, index)
                except (httpx.HTTPError, AssertionError):
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return Run(name, clients, time.perf_counter() - start, latencies, errors[0])


def request(client: httpx.Client, method: str, url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    response = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    return response, time.perf_counter() - start


def review_step(client: httpx.Client, index: int) -> list[float]:
    auth = {"Authorization": f"Bearer {seed.token_for(index)}"}
    nxt, t1 = request(client, "GET", "/api/v1/review/next", headers=auth)
    assert nxt.status_code in (200, 204), nxt.text
    if nxt.status_code == 204:
        return [t1]
    card = nxt.json()["card"]["id"]
    body = {
        "rating": random.choice((1, 3, 3, 3, 4)),
        "client_review_id": uuid.uuid4().hex,
        "duration_ms": 4000,
    }
    done, t2 = request(client, "POST", f"/api/v1/review/{card}", headers=auth, json=body)
    assert done.status_code == 200, done.text
    return [t1, t2]


def ping_step(client: httpx.Client, index: int) -> list[float]:
    response, elapsed = request(client, "GET", "/bench/ping")
    assert response.status_code == 200
    return [elapsed]


def insert_step(client: httpx.Client, index: int) -> list[float]:
    response, elapsed = request(client, "POST", "/bench/insert")
    assert response.status_code == 200
    return [elapsed]


def loop_benchmark(clients: list[int], seconds: float) -> list[Run]:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        env, db = prepare(Path(tmp), 3000)
        seed.add_users(db, max(clients), settings=STUDY_SETTINGS)
        db.dispose()
        with server(env) as base:
            timed("warm-up", 4, 2, review_step, base)
            for count in clients:
                for name, step in (
                    ("review loop", review_step),
                    ("async ping", ping_step),
                    ("insert 1 row", insert_step),
                ):
                    run = timed(name, count, seconds, step, base)
                    runs.append(run)
                    print(
                        f"{name:13} c={count:3}  {run.rps:7.0f} req/s  p50 {run.pct(0.5):6.1f} ms  "
                        f"p99 {run.pct(0.99):7.1f} ms  errors {run.errors}",
                        flush=True,
                    )
    return runs


def size_benchmark(sizes: list[int], requests: int) -> list[tuple[int, Run]]:
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            env, db = prepare(Path(tmp), 1000)
            users = seed.add_users(db, max(1, size // 1000), settings=STUDY_SETTINGS)
            with db.session() as session:
                questions = list(session.scalars(select(Question.id).order_by(Question.id)))
            started = time.perf_counter()
            rows = seed.add_review_cards(db, users, questions)
            print(f"{rows} card rows written in {time.perf_counter() - started:.1f} s", flush=True)
            db.dispose()
            with server(env) as base:
                index = len(users) // 2  # a user in the middle of the table
                timed("warm-up", 1, 1, lambda c, _, i=index: review_next_only(c, i), base)
                run = timed(
                    "next card", 1, requests / 100, lambda c, _, i=index: review_next_only(c, i), base
                )
            results.append((rows, run))
            print(
                f"next card with {rows:>9,} card rows: p50 {run.pct(0.5):.2f} ms  p99 {run.pct(0.99):.2f} ms",
                flush=True,
            )
    return results


def review_next_only(client: httpx.Client, index: int) -> list[float]:
    auth = {"Authorization": f"Bearer {seed.token_for(index)}"}
    response, elapsed = request(client, "GET", "/api/v1/review/next", headers=auth)
    assert response.status_code == 200, response.text
    return [elapsed]


def report(runs: list[Run], sizes: list[tuple[int, Run]], seconds: float) -> str:
    ping = {r.clients: r for r in runs if r.name == "async ping"}
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "",
        f"fastapi {version('fastapi')}, uvicorn {version('uvicorn')}, SQLAlchemy {version('sqlalchemy')}, "
        f"fsrs {version('fsrs')}, SQLite {__import__('sqlite3').sqlite_version}; 1 uvicorn worker, "
        f"clients are threads in one process on the same machine, {seconds:.0f} s per phase.",
        "",
        "| phase | clients | req/s | p50 ms | p99 ms | req/s vs async ping | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        ratio = r.rps / ping[r.clients].rps if r.clients in ping else float("nan")
        lines.append(
            f"| {r.name} | {r.clients} | {r.rps:.0f} | {r.pct(0.5):.1f} | {r.pct(0.99):.1f} | "
            f"{ratio:.2f} | {r.errors} |"
        )
    if sizes:
        lines += ["", "| card rows | next-card p50 ms | p99 ms | requests |", "|---:|---:|---:|---:|"]
        lines += [
            f"| {rows:,} | {run.pct(0.5):.2f} | {run.pct(0.99):.2f} | {len(run.latencies)} |"
            for rows, run in sizes
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short phases, small sizes, no RESULTS.md")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    clients, sizes, seconds = [1, 16, 64], [10_000, 1_000_000], args.seconds
    if args.quick:
        clients, sizes, seconds = [1, 8], [10_000], 2.0
    runs = loop_benchmark(clients, seconds)
    size_runs = size_benchmark(sizes, 300)
    text = report(runs, size_runs, seconds)
    print(text)
    if not args.quick:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
