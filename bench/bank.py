"""Bank load and validation for 1 k and 10 k items, beside plain YAML parsing of the same files.

``deepprep check``/``import``/``serve`` parse every topic file with line numbers (so errors name
file:line:field), validate every item against the schema and check cross-file rules. The baseline
is PyYAML's C loader reading the same files (no line numbers, no validation); the sync column is
the first import of the validated bank into an empty SQLite database.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from app.bank import source
from app.bank.sync import sync_bank
from app.core.db import Database, utcnow
from app.core.migrations import upgrade
from bench import common, seed

SIZES = (1_000, 10_000)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_only(directory: Path) -> int:
    return sum(
        len(yaml.load(p.read_text("utf-8"), Loader=_LOADER)["items"]) for p in directory.glob("*.yaml")
    )


def _sync(directory: Path, database: Path) -> None:
    db = Database(f"sqlite:///{database}")
    upgrade(db)
    with db.session() as session:
        sync_bank(session, bank=source.load(directory), now=utcnow())
    db.dispose()


def run(sizes: tuple[int, ...] = SIZES, repeat: int = 3) -> list[tuple[int, float, float, float]]:
    """(items, load + validate s, plain YAML parse s, first sync into SQLite s) per size."""
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            bank = Path(tmp) / "bank"
            seed.write_bank(bank, size, mixed=True)
            loaded = common.best_of(repeat, lambda: source.load(bank))  # noqa: B023 (called at once)
            parsed = common.best_of(repeat, lambda: _parse_only(bank))  # noqa: B023
            synced = common.best_of(1, lambda: _sync(bank, Path(tmp) / "sync.db"))  # noqa: B023
            assert len(source.load(bank).items) == size
        results.append((size, loaded, parsed, synced))
        print(
            f"bank of {size:>6,} items: load+validate {loaded:.2f} s, YAML parse {parsed:.2f} s, "
            f"sync {synced:.2f} s",
            flush=True,
        )
    return results


def report(results: list[tuple[int, float, float, float]]) -> list[str]:
    """The RESULTS.md section."""
    rows = [
        [f"{n:,}", f"{lv:.2f}", f"{pv:.2f}", f"{lv / pv:.1f}", f"{n / lv:,.0f}", f"{sv:.2f}"]
        for n, lv, pv, sv in results
    ]
    note = (
        "Bank load and validation (best of 3), generated banks of open and choice items in files of "
        "500; baseline: PyYAML's C loader on the same files."
    )
    columns = ["items", "load + validate s", "YAML parse s", "× parse", "items/s", "first sync into SQLite s"]
    return common.header("bank load", note) + common.table(columns, rows)
