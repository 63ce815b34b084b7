"""Next-card latency as the card table grows: 10 k, 100 k and 1 M rows, 1,000 cards per user.

One client asks ``GET /api/v1/review/next`` for a user in the middle of the table, over and over
(nothing is answered, so every request does the same work). With the ``(user_id, due)`` index and
per-user queries the latency must stay flat: the goal is 1 M ≤ 1.5 × 10 k.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from app.bank.models import Question
from bench import common, seed
from bench.loadgen import Connection, Outcome, expect, run_phase

SIZES = (10_000, 100_000, 1_000_000)
CARDS_PER_USER = 1000


def run(sizes: tuple[int, ...] = SIZES, seconds: float = 5.0) -> list[tuple[int, float, Outcome]]:
    """(card rows, seconds to write them, latency outcome) per size."""
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            env, db = common.prepare(Path(tmp), CARDS_PER_USER)
            users = seed.add_users(db, max(1, size // CARDS_PER_USER), settings=common.STUDY_SETTINGS)
            with db.session() as session:
                questions = list(session.scalars(select(Question.id).order_by(Question.id)))
            started = time.perf_counter()
            rows = seed.add_review_cards(db, users, questions)
            written = time.perf_counter() - started
            db.dispose()
            auth = {"Authorization": f"Bearer {seed.token_for(len(users) // 2)}"}

            async def step(connection: Connection, index: int, auth: dict[str, str] = auth) -> None:
                expect(await connection.request("GET", "/api/v1/review/next", headers=auth), 200)

            with common.server(env) as srv:
                run_phase("warm-up", srv.base, 1, 1, step)
                outcome = run_phase("next card", srv.base, 1, seconds, step)
            results.append((rows, written, outcome))
            print(
                f"next card with {rows:>9,} card rows (written in {written:.0f} s): "
                f"p50 {outcome.pct(0.5):.2f} ms  p99 {outcome.pct(0.99):.2f} ms  errors {outcome.errors}",
                flush=True,
            )
    return results


def report(results: list[tuple[int, float, Outcome]]) -> list[str]:
    """The RESULTS.md section."""
    first = results[0][2].pct(0.5) if results else float("nan")
    rows = [
        [
            f"{n:,}",
            f"{o.pct(0.5):.2f}",
            f"{o.pct(0.99):.2f}",
            f"{o.pct(0.5) / first:.2f}",
            str(len(o.latencies)),
            str(o.errors),
        ]
        for n, _, o in results
    ]
    note = (
        "Next-card latency, one client, 1 uvicorn worker, SQLite; 1,000 review cards per user (due dates "
        "over ±100 days), the user in the middle of the table; goal: 1 M ≤ 1.5 × 10 k."
    )
    columns = ["card rows", "p50 ms", "p99 ms", "p50 vs 10 k", "requests", "errors"]
    return common.header("next card vs table size", note) + common.table(columns, rows)
