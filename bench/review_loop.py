"""The review loop over HTTP against a real uvicorn server, beside two baselines of the same server.

Each bench user owns 1,000 review cards (due dates spread over ±100 days) in a 3,000-item bank.
Phases, at 1, 16 and 64 concurrent clients (bench/loadgen.py, each client its own user):

- ``review loop``: ``GET /api/v1/review/next`` then ``POST /api/v1/review/{id}``;
- ``review submit``: ``POST /api/v1/review/{id}`` alone, on the client's own cards;
- ``async ping``: ``GET /bench/ping`` (an ``async def`` returning a dict);
- ``insert 1 row``: ``POST /bench/insert`` (one SQLAlchemy insert under the SQLite write lock).

Ratios to the insert baseline of the same run are what to compare across machines.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.bank.models import Question
from app.srs.models import Card
from bench import common, seed
from bench.loadgen import Connection, Outcome, expect, run_phase

CLIENTS = (1, 16, 64)
BANK_SIZE = 3000
CARDS_PER_USER = 1000


@dataclass
class Deck:
    """Bench users' tokens and card ids (index ``i`` is client ``i``)."""

    tokens: list[str]
    cards: list[list[int]]

    def auth(self, index: int) -> dict[str, str]:
        """Bearer header of client ``index``."""
        return {"Authorization": f"Bearer {self.tokens[index]}"}


def make_steps(deck: Deck, rng: random.Random) -> dict[str, object]:
    """The request sequence of each phase."""

    async def loop(connection: Connection, index: int) -> None:
        auth = deck.auth(index)
        reply = expect(await connection.request("GET", "/api/v1/review/next", headers=auth), 200, 204)
        if reply.status == 200:
            card = reply.json()["card"]["id"]
            body = {"rating": rng.choice((1, 3, 3, 3, 4)), "client_review_id": uuid.uuid4().hex}
            expect(await connection.request("POST", f"/api/v1/review/{card}", headers=auth, body=body), 200)

    async def submit(connection: Connection, index: int) -> None:
        card = rng.choice(deck.cards[index])
        body = {"rating": rng.choice((1, 3, 3, 3, 4)), "client_review_id": uuid.uuid4().hex}
        reply = await connection.request(
            "POST", f"/api/v1/review/{card}", headers=deck.auth(index), body=body
        )
        expect(reply, 200)

    async def ping(connection: Connection, index: int) -> None:
        expect(await connection.request("GET", "/bench/ping"), 200)

    async def insert(connection: Connection, index: int) -> None:
        expect(await connection.request("POST", "/bench/insert"), 200)

    return {"review loop": loop, "review submit": submit, "async ping": ping, "insert 1 row": insert}


def seed_deck(tmp: Path, users: int, database_url: str | None = None) -> tuple[dict[str, str], Deck]:
    """A database with the bench bank, ``users`` users and their review cards."""
    env, db = common.prepare(tmp, BANK_SIZE, database_url)
    ids = seed.add_users(db, users, settings=common.STUDY_SETTINGS)
    with db.session() as session:
        questions = list(session.scalars(select(Question.id).order_by(Question.id)))[:CARDS_PER_USER]
    seed.add_review_cards(db, ids, questions)
    with db.session() as session:
        rows = session.execute(select(Card.user_id, Card.id)).tuples().all()
    db.dispose()
    per_user: dict[int, list[int]] = {uid: [] for uid in ids}
    for uid, card in rows:
        per_user[uid].append(card)
    return env, Deck([seed.token_for(i) for i in range(users)], [per_user[uid] for uid in ids])


def run(clients: tuple[int, ...] = CLIENTS, seconds: float = 8.0, workers: int = 1) -> list[Outcome]:
    """Every phase at every client count; prints each line as it is measured."""
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        env, deck = seed_deck(Path(tmp), max(clients))
        steps = make_steps(deck, random.Random(9))
        with common.server(env, workers=workers) as srv:
            run_phase("warm-up", srv.base, 4, 2, steps["review loop"])  # type: ignore[arg-type]
            for count in clients:
                for name, step in steps.items():
                    outcome = measured(srv, name, count, seconds, step)
                    outcomes.append(outcome)
                    print(line(outcome), flush=True)
    return outcomes


def measured(srv: common.Server, name: str, clients: int, seconds: float, step: object) -> Outcome:
    """One phase, with the server's CPU time per request."""
    cpu = srv.cpu_seconds()
    outcome = run_phase(name, srv.base, clients, seconds, step)  # type: ignore[arg-type]
    if outcome.latencies:
        outcome.cpu_ms = (srv.cpu_seconds() - cpu) / len(outcome.latencies) * 1000
    return outcome


def line(o: Outcome) -> str:
    """One console line."""
    return (
        f"{o.name:14} c={o.clients:3}  {o.rps:7.0f} req/s  p50 {o.pct(0.5):7.1f} ms  "
        f"p99 {o.pct(0.99):7.1f} ms  cpu {o.cpu_ms:5.2f} ms/req  errors {o.errors} {o.messages[:1]}"
    )


def report(outcomes: list[Outcome], seconds: float, workers: int) -> list[str]:
    """The RESULTS.md section."""
    insert = {o.clients: o for o in outcomes if o.name == "insert 1 row"}
    rows = []
    for o in outcomes:
        base = insert.get(o.clients)
        ratio = f"{o.rps / base.rps:.2f}" if base and base.rps else "n/a"
        rows.append(
            [
                o.name,
                str(o.clients),
                f"{o.rps:.0f}",
                f"{o.pct(0.5):.1f}",
                f"{o.pct(0.99):.1f}",
                ratio,
                str(o.errors),
            ]
        )
    note = (
        f"Review loop over HTTP: {workers} uvicorn worker(s) (uvloop, httptools), SQLite WAL; clients are "
        f"coroutines of bench/loadgen.py in one process on the same machine, {seconds:.0f} s per phase; "
        "a loop iteration is two requests (next + submit)."
    )
    columns = ["phase", "clients", "req/s", "p50 ms", "p99 ms", "req/s vs insert", "errors"]
    return common.header("review loop", note) + common.table(columns, rows)
