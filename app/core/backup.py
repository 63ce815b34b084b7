"""Online backup and restore of the SQLite database; PostgreSQL is left to pg_dump/pg_restore."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why and what to do."""


def sqlite_file(url: str) -> Path:
    """The file behind an SQLite URL; raise BackupError for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupError(
            "deepprep backup/restore handle SQLite files; for PostgreSQL use "
            "`pg_dump --format=custom --file=PATH DBNAME` and `pg_restore --clean --dbname=DBNAME PATH`"
        )
    return Path(parsed.database)


def backup(url: str, target: Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup API; return pages copied."""
    source_path = sqlite_file(url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with _connect(source_path) as source, _connect(partial) as copy:
        source.backup(copy)
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
    partial.rename(target)  # never leave a half-written backup under the final name
    return pages


def restore(url: str, source: Path) -> None:
    """Replace the database's content with a checked backup, in one step readers never see half-done."""
    target_path = sqlite_file(url)
    with _connect(source) as backup_db:
        verdict = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"{source} failed its integrity check: {verdict}")
        tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is not a deepprep database (no alembic_version table)")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        with _connect(target_path) as live:
            backup_db.backup(live)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout=30000")
    return connection
