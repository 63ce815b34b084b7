"""Fixtures for the SRS tests: an app with a tiny bank, a client and a signed-up user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.users.helpers import Clock, make_app, signup


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    """An app on SQLite and on PostgreSQL (``database_url`` is parametrized in tests/conftest.py)."""
    application = make_app(tmp_path, database_url)
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    clock: Clock = app.state.clock
    return clock


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    return signup(client)
