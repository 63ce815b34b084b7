"""Shared fixtures: settings on a temp directory, an app with a synced bank, a test client."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.bootstrap import import_bank
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.main import create_app
from tests.pgcluster import Cluster, find_bindir

# Derandomized: CI must be repeatable; deadline off because the machines are shared and noisy.
hypothesis_settings.register_profile("deepprep", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.load_profile("deepprep")

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"
PG_TEMPLATE = "deepprep_template"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster for the session, with a migrated template database."""
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL server not installed (tests/run installs it): PostgreSQL tests NOT run"
        if os.environ.get("DEEPPREP_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(bindir)
    cluster.start()
    try:
        admin_sql(cluster, f"CREATE DATABASE {PG_TEMPLATE}")
        template = Database(cluster.url(PG_TEMPLATE))
        upgrade(template)
        template.dispose()
        yield cluster
    finally:
        cluster.stop()


def admin_sql(cluster: Cluster, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
    engine = sa.create_engine(cluster.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: an SQLite file, or a PostgreSQL database from the template."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/deepprep.db"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin_sql(cluster, f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    yield cluster.url(name)
    admin_sql(cluster, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture bank (every item kind)."""
    target = tmp_path / "questions"
    shutil.copytree(FIXTURE_BANK, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, bank_dir: Path, database_url: str) -> Settings:
    """Settings on a fresh database (SQLite and PostgreSQL) and the fixture bank, fuzz off."""
    return Settings(
        mode="test",
        data_dir=tmp_path / "data",
        questions_dir=bank_dir,
        database_url=database_url,
        fsrs_fuzz=False,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of an app whose database holds the synced fixture bank."""
    import_bank(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
