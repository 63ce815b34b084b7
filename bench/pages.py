"""Page render throughput: ``GET /review`` beside a bare Jinja page of the same size, same server.

The database holds the real bank (``questions/``); each client is a guest with its own session
cookie, so every request runs the whole page: session, user, queue, Markdown, template.

A third phase asks for the bare page with the same guest cookies ("bare page, signed in"): the
signed session cookie is checked and re-signed, the CSRF token derived and the user read, and
nothing else. That is what any signed-in page costs before its own work, so it bounds the ratio
``/review`` can reach on this stack.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx2 as httpx

from app.bootstrap import import_bank
from app.core.config import PROJECT_ROOT, Settings
from bench import common
from bench.loadgen import Connection, Outcome, expect, run_phase

CLIENTS = (1, 16)
COOKIE = "deepprep_session"
SIGNED_IN = "bare page, signed in"


def _as_guest(cookie: str) -> dict[str, str]:
    """Request headers of the guest behind session ``cookie``."""
    return {"Accept-Language": "en", "Cookie": f"{COOKIE}={cookie}"}


def bare_paragraphs(base: str, target_bytes: int) -> int:
    """How many paragraphs make the bare page about as large as ``target_bytes``."""
    one = len(httpx.get(f"{base}/bench/page?n=1").content)
    ten = len(httpx.get(f"{base}/bench/page?n=11").content)
    return max(1, round(1 + (target_bytes - one) / ((ten - one) / 10)))


def run(clients: tuple[int, ...] = CLIENTS, seconds: float = 8.0) -> tuple[list[Outcome], int, int]:
    """Both pages at each client count; returns the outcomes and the two page sizes in bytes."""
    cookies: dict[int, str] = {}

    async def review(connection: Connection, index: int) -> None:
        headers = _as_guest(cookies[index]) if index in cookies else {}
        reply = expect(await connection.request("GET", "/review", headers=headers), 200)
        if "set-cookie" in reply.headers and reply.headers["set-cookie"].startswith(COOKIE + "="):
            cookies[index] = reply.headers["set-cookie"].split(";")[0].split("=", 1)[1]

    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        env = common.environment(data, PROJECT_ROOT / "questions")
        settings = Settings(
            mode="production",
            secret_key=env["DEEPPREP_SECRET_KEY"],
            data_dir=data,
            questions_dir=PROJECT_ROOT / "questions",
            database_url=env["DEEPPREP_DATABASE_URL"],
        )
        import_bank(settings)
        with common.server(env) as srv:
            review_bytes = len(httpx.get(f"{srv.base}/review", headers={"Accept-Language": "en"}).content)
            n = bare_paragraphs(srv.base, review_bytes)
            bare_bytes = len(httpx.get(f"{srv.base}/bench/page?n={n}").content)

            async def bare(connection: Connection, index: int) -> None:
                expect(await connection.request("GET", f"/bench/page?n={n}"), 200)

            async def bare_signed_in(connection: Connection, index: int) -> None:
                headers = _as_guest(cookies[index % len(cookies)])  # the guests the warm-up made
                expect(await connection.request("GET", f"/bench/page?n={n}", headers=headers), 200)

            run_phase("warm-up", srv.base, max(clients), 2, review)
            phases = (("/review", review), ("bare Jinja page", bare), (SIGNED_IN, bare_signed_in))
            for count in clients:
                for name, step in phases:
                    cpu = srv.cpu_seconds()
                    outcome = run_phase(name, srv.base, count, seconds, step)
                    if outcome.latencies:
                        outcome.cpu_ms = (srv.cpu_seconds() - cpu) / len(outcome.latencies) * 1000
                    outcomes.append(outcome)
                    print(
                        f"{name:20} c={count:3} {outcome.rps:6.0f} req/s  p50 {outcome.pct(0.5):6.1f} ms  "
                        f"p99 {outcome.pct(0.99):6.1f} ms  cpu {outcome.cpu_ms:.2f} ms/req  "
                        f"errors {outcome.errors}",
                        flush=True,
                    )
    return outcomes, review_bytes, bare_bytes


def report(outcomes: list[Outcome], review_bytes: int, bare_bytes: int, seconds: float) -> list[str]:
    """The RESULTS.md section."""
    bare = {o.clients: o for o in outcomes if o.name == "bare Jinja page"}
    rows = []
    for o in outcomes:
        base = bare.get(o.clients)
        ratio = f"{o.rps / base.rps:.2f}" if base and base.rps else "n/a"
        rows.append(
            [
                o.name,
                str(o.clients),
                f"{o.rps:.0f}",
                f"{o.pct(0.5):.1f}",
                f"{o.pct(0.99):.1f}",
                f"{o.cpu_ms:.2f}",
                ratio,
                str(o.errors),
            ]
        )
    note = (
        f"Page render throughput, 1 uvicorn worker, SQLite, the real bank; `/review` is "
        f"{review_bytes:,} bytes as a guest with a card shown, the bare page {bare_bytes:,} bytes "
        f'(plain `def` endpoint, Jinja only); {seconds:.0f} s per phase. "{SIGNED_IN}" is the bare page '
        "with the guests' session cookies: cookie checked and re-signed, CSRF token, one user read, "
        "no queue — the floor of any signed-in page here."
    )
    columns = ["page", "clients", "req/s", "p50 ms", "p99 ms", "server CPU ms/req", "req/s vs bare", "errors"]
    return common.header("page render", note) + common.table(columns, rows)
