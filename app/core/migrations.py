"""Apply Alembic migrations from code, under a lock so concurrent start-ups do not race."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from app.core.config import PROJECT_ROOT
from app.core.db import Database

ALEMBIC_DIR = PROJECT_ROOT / "alembic"
# Arbitrary constant naming deepprep's start-up lock among PostgreSQL advisory locks.
_PG_LOCK_ID = 0x64656570


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations, bound to ``connection`` when given."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision."""
    sqlite_file = _sqlite_path(db.url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def make_revision(db: Database, *, message: str, rev_id: str) -> None:
    """Write a new migration with the difference between the models and ``db``'s schema."""
    with db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)


@contextmanager
def startup_lock(db: Database) -> Iterator[None]:
    """Serialise migrations and bank sync across processes starting together."""
    sqlite_file = _sqlite_path(db.url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{sqlite_file}.startup-lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _PG_LOCK_ID})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _PG_LOCK_ID})
    else:
        yield


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))
