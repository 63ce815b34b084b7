"""Migrations build the schema from nothing on both backends, and the models never drift (issue 2, 9)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import app.models  # noqa: F401  (registers every table)
from app.core.db import Base, Database
from app.core.migrations import upgrade
from tests.conftest import admin_sql
from tests.pgcluster import Cluster


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    """A database with no tables at all."""
    if request.param == "sqlite":
        return Database(f"sqlite:///{tmp_path}/empty.db")
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"empty_{uuid.uuid4().hex[:12]}"
    admin_sql(cluster, f"CREATE DATABASE {name}")
    return Database(cluster.url(name))


def test_upgrade_head_on_an_empty_database_then_no_drift(empty_database: Database) -> None:
    upgrade(empty_database)
    tables = set(inspect(empty_database.engine).get_table_names())
    with empty_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    empty_database.dispose()
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    assert diff == []


def test_upgrade_is_idempotent(empty_database: Database) -> None:
    upgrade(empty_database)
    upgrade(empty_database)
    empty_database.dispose()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/pragmas.db")
    with db.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    db.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000}
