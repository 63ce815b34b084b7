"""deepprep backup / restore round-trip an SQLite database (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.bank.models import Question
from app.bootstrap import import_bank
from app.cli import main
from app.core.backup import BackupError, backup, restore
from app.core.config import Settings
from app.core.db import Database


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Backups are an SQLite feature: PostgreSQL has pg_dump."""
    return f"sqlite:///{tmp_path}/data/deepprep.db"


def prompts(url: str) -> dict[str, str]:
    db = Database(url)
    with db.session() as session:
        found = {q.slug: q.body["prompt"]["en"] for q in session.scalars(select(Question))}
    db.dispose()
    return found


def test_backup_then_restore_round_trips(settings: Settings, tmp_path: Path) -> None:
    import_bank(settings)
    before = prompts(settings.database_url)
    target = tmp_path / "backups" / "deepprep.db"
    assert backup(settings.database_url, target) > 0
    db = Database(settings.database_url)
    with db.session() as session:
        session.execute(Question.__table__.delete())
        session.commit()
    db.dispose()
    assert prompts(settings.database_url) == {}
    restore(settings.database_url, target)
    assert prompts(settings.database_url) == before


def test_backup_refuses_to_overwrite(settings: Settings, tmp_path: Path) -> None:
    import_bank(settings)
    target = tmp_path / "b.db"
    backup(settings.database_url, target)
    with pytest.raises(BackupError, match="exists"):
        backup(settings.database_url, target)


def test_restore_refuses_a_file_that_is_not_a_deepprep_database(settings: Settings, tmp_path: Path) -> None:
    import_bank(settings)
    other = tmp_path / "other.db"
    Database(f"sqlite:///{other}").engine.connect().close()
    with pytest.raises(BackupError, match="not a deepprep database"):
        restore(settings.database_url, other)
    assert len(prompts(settings.database_url)) == 5


def test_postgresql_gets_a_pg_dump_hint() -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql+psycopg://u@localhost/db", Path("x"))


def test_cli_backup(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_bank(settings)
    monkeypatch.setenv("DEEPPREP_DATABASE_URL", settings.database_url)
    assert main(["backup", str(tmp_path / "cli.db")]) == 0
    assert main(["restore", str(tmp_path / "cli.db")]) == 0
    assert main(["backup", str(tmp_path / "cli.db")]) == 1
