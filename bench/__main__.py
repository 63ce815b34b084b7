"""Run every benchmark and append the results to bench/RESULTS.md (see bench/README.md).

    .venv/bin/python -m bench                      # everything (~10 minutes)
    .venv/bin/python -m bench --only review,pages  # some parts
    .venv/bin/python -m bench --quick              # short smoke run, prints only

The load soak is separate: ``.venv/bin/python -m bench.soak``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench import bank, common, nan_sim, optimiser, pages, review_loop, sizes

PARTS = ("review", "sizes", "pages", "bank", "nan", "optimiser")


def _parts(quick: bool, seconds: float) -> dict[str, Callable[[], list[str]]]:
    clients = (1, 8) if quick else review_loop.CLIENTS

    def review() -> list[str]:
        return review_loop.report(review_loop.run(clients, seconds), seconds, workers=1)

    def size() -> list[str]:
        return sizes.report(sizes.run((10_000,) if quick else sizes.SIZES, min(seconds, 5)))

    def page() -> list[str]:
        return pages.report(*pages.run((1, 8) if quick else pages.CLIENTS, seconds), seconds)

    def banks() -> list[str]:
        return bank.report(bank.run((1_000,) if quick else bank.SIZES, 1 if quick else 3))

    def nan() -> list[str]:
        return nan_sim.report(nan_sim.run(2 if quick else 5))

    def fit() -> list[str]:
        return optimiser.report(*optimiser.run(1 if quick else 3))

    return {"review": review, "sizes": size, "pages": page, "bank": banks, "nan": nan, "optimiser": fit}


def main() -> None:
    """Parse the command line, run the chosen parts, write RESULTS.md."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short phases, small sizes, print only")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}"
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each timed HTTP phase")
    parser.add_argument("--no-write", action="store_true", help="print only, even for a full run")
    args = parser.parse_args()
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    seconds = 2.0 if args.quick else args.seconds
    parts = _parts(args.quick, seconds)
    sections = []
    for name in chosen:
        started = time.monotonic()
        print(f"== {name}", flush=True)
        sections.append("\n".join(parts[name]()) + "\n")
        print(f"== {name} done in {time.monotonic() - started:.0f} s", flush=True)
    text = "\n".join(sections)
    print(text)
    if not (args.quick or args.no_write):
        with common.RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
