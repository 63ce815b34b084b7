"""Load soak: 64 clients for 5 minutes against one server; zero errors and flat memory expected.

Clients 0–55 run the API review loop as their own users (next + submit), clients 56–63 browse
``/review`` as guests. The server's resident memory is read every 10 s; "flat" means the last
minute's average is within 10 % of the second minute's (the first fills caches and pools).

    .venv/bin/python -m bench.soak [--minutes 5] [--clients 64]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from pathlib import Path

from bench import common, review_loop
from bench.loadgen import Connection, Outcome, expect, run_phase

PAGE_CLIENTS = 8
SAMPLE_SECONDS = 10.0


def soak(minutes: float, clients: int) -> tuple[Outcome, list[tuple[float, float]]]:
    """The whole run as one phase, and (seconds since start, RSS MB) samples."""
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env, deck = review_loop.seed_deck(Path(tmp), clients)
        steps = review_loop.make_steps(deck, random.Random(5))
        api = steps["review loop"]
        cookies: dict[int, str] = {}

        async def mixed(connection: Connection, index: int) -> None:
            if index < clients - PAGE_CLIENTS:
                await api(connection, index)  # type: ignore[operator]
                return
            headers = {"Cookie": f"deepprep_session={cookies[index]}"} if index in cookies else {}
            reply = expect(await connection.request("GET", "/review", headers=headers), 200)
            if reply.headers.get("set-cookie", "").startswith("deepprep_session="):
                cookies[index] = reply.headers["set-cookie"].split(";")[0].split("=", 1)[1]

        with common.server(env) as srv:
            run_phase("warm-up", srv.base, 8, 5, mixed)
            stop = threading.Event()
            start = time.monotonic()

            def sample() -> None:
                while not stop.wait(0 if not samples else SAMPLE_SECONDS):
                    samples.append((time.monotonic() - start, srv.rss_mb()))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            outcome = run_phase("soak", srv.base, clients, minutes * 60, mixed)
            stop.set()
            sampler.join()
    return outcome, samples


def report(outcome: Outcome, samples: list[tuple[float, float]], minutes: float) -> list[str]:
    """The RESULTS.md section."""
    # The first minute of load is the baseline (caches and pools fill during it) unless the run is short.
    first = [mb for t, mb in samples if 60 <= t <= 120] if samples[-1][0] >= 180 else []
    first = first or [samples[len(samples) // 2][1]]
    last = [mb for t, mb in samples if t >= samples[-1][0] - 60] or [samples[-1][1]]
    growth = (sum(last) / len(last)) / (sum(first) / len(first)) - 1
    verdict = "flat" if abs(growth) <= 0.10 else "NOT flat"
    note = (
        f"Soak: {outcome.clients} clients ({outcome.clients - PAGE_CLIENTS} API review loops, "
        f"{PAGE_CLIENTS} guests on /review) for {minutes:g} min, 1 uvicorn worker, SQLite. "
        f"Errors: {outcome.errors} {outcome.messages[:3]}. Memory {verdict}: second minute "
        f"{sum(first) / len(first):.0f} MB, last minute {sum(last) / len(last):.0f} MB ({growth:+.1%})."
    )
    rows = [
        [
            f"{outcome.rps:.0f}",
            f"{outcome.pct(0.5):.1f}",
            f"{outcome.pct(0.99):.1f}",
            f"{len(outcome.latencies):,}",
            str(outcome.errors),
        ]
    ]
    rss = [
        "RSS MB every minute: "
        + ", ".join(f"{mb:.0f}" for t, mb in samples if round(t) % 60 < SAMPLE_SECONDS)
    ]
    return (
        common.header("load soak", note)
        + common.table(["req/s", "p50 ms", "p99 ms", "requests", "errors"], rows)
        + ["", *rss]
    )


def main() -> None:
    """Run the soak and append its section to bench/RESULTS.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    outcome, samples = soak(args.minutes, args.clients)
    text = "\n".join(report(outcome, samples, args.minutes)) + "\n"
    print(text)
    if not args.no_write:
        with common.RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
