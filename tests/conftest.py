"""Shared fixtures: settings on a temp directory, an app with a synced bank, a test client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.bootstrap import import_bank
from app.core.config import Settings
from app.main import create_app

# Derandomized: CI must be repeatable; deadline off because the machines are shared and noisy.
hypothesis_settings.register_profile("deepprep", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.load_profile("deepprep")

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture bank (every item kind)."""
    target = tmp_path / "questions"
    shutil.copytree(FIXTURE_BANK, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, bank_dir: Path) -> Settings:
    """Settings on a temp SQLite file and the fixture bank, fuzz off."""
    return Settings(
        mode="test",
        data_dir=tmp_path / "data",
        questions_dir=bank_dir,
        fsrs_fuzz=False,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of an app whose database holds the synced fixture bank."""
    import_bank(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
