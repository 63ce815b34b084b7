"""A malformed bank at start-up: ``deepprep serve`` and ``import`` refuse with every error and
change nothing, whether the database is empty or already holds an earlier bank."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.faults.procs import deepprep, deepprep_env, free_port

pytestmark = pytest.mark.slow


def break_bank(bank_dir: Path) -> None:
    """Two errors in two files, at known lines."""
    basics = bank_dir / "basics.yaml"
    basics.write_text(basics.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: 0", 1))
    numbers = bank_dir / "numbers.yaml"
    numbers.write_text(numbers.read_text(encoding="utf-8").replace("kind: numeric", "kind: essay", 1))


def snapshot(url: str) -> list[tuple[object, ...]]:
    """Every question row (and the schema version): what a refused start must leave alone."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT slug, version, content_hash, retired, updated_at FROM question ORDER BY slug")
        ).all()
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return [(version,), *(tuple(r) for r in rows)]


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(deepprep(*args), env=env, capture_output=True, text=True, timeout=120, check=False)


def assert_refused(result: subprocess.CompletedProcess[str], last_line: str) -> None:
    errors = result.stderr.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert any("basics.yaml:6: items[0].difficulty:" in line for line in errors), errors
    assert any("numbers.yaml:" in line and "kind" in line for line in errors), errors
    assert errors[-1] == last_line


def test_serve_and_import_refuse_a_malformed_bank_and_change_nothing(
    tmp_path: Path, bank_dir: Path, database_url: str
) -> None:
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    assert run(env, "import").returncode == 0
    before = snapshot(database_url)
    break_bank(bank_dir)
    assert_refused(
        run(env, "serve", "--port", str(free_port())), "refusing to start: fix the question bank first"
    )
    assert_refused(run(env, "import"), "import refused: the database was not changed")
    assert snapshot(database_url) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_first_start_with_a_malformed_bank_creates_nothing(
    tmp_path: Path, bank_dir: Path, database_url: str
) -> None:
    break_bank(bank_dir)
    env = deepprep_env(tmp_path / "data", bank_dir, database_url)
    assert_refused(
        run(env, "serve", "--port", str(free_port())), "refusing to start: fix the question bank first"
    )
    assert not Path(database_url.removeprefix("sqlite:///")).exists()
