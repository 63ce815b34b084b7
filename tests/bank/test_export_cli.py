"""``deepprep export``, ``export-anki`` and ``export-moodle`` read the configured database."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.bank.loader import load_bank
from app.cli import main
from app.core.config import Settings


@pytest.fixture
def configured(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI's environment points at the test database and the fixture bank."""
    monkeypatch.setenv("DEEPPREP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DEEPPREP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DEEPPREP_QUESTIONS_DIR", str(settings.questions_dir))
    return settings


def test_export_writes_a_loadable_bank_and_refuses_to_overwrite(
    configured: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import"]) == 0
    capsys.readouterr()
    out = tmp_path / "exported"
    assert main(["export", str(out)]) == 0
    assert capsys.readouterr().out == f"exported 2 topics, 5 items to {out}\n"
    assert [i.item.id for i in load_bank(out).items] == [
        i.item.id for i in load_bank(configured.questions_dir).items
    ]
    assert main(["export", str(out)]) == 1
    assert capsys.readouterr().err == f"{out} is not empty (use --force to replace it)\n"
    assert main(["export", str(out), "--force"]) == 0


def test_export_anki_and_moodle_write_their_files(
    configured: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import"]) == 0
    capsys.readouterr()
    assert main(["export-anki", str(tmp_path / "numbers.apkg"), "--topic", "numbers"]) == 0
    assert capsys.readouterr().out == f"wrote 2 notes in 1 deck(s) to {tmp_path / 'numbers.apkg'}\n"
    assert sorted(zipfile.ZipFile(tmp_path / "numbers.apkg").namelist()) == ["collection.anki2", "media"]
    assert main(["export-moodle", str(tmp_path / "bank.xml"), "--lang", "zh"]) == 0
    assert capsys.readouterr().out == (
        f"wrote 2 multichoice, 1 numerical question(s) to {tmp_path / 'bank.xml'}; "
        "skipped 2 open/computed items\n"
    )
    assert "哪个是质数？" in (tmp_path / "bank.xml").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_nothing_to_export_is_an_error(
    configured: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-moodle", str(tmp_path / "x.xml")]) == 1
    # A PostgreSQL test database comes migrated but empty; the SQLite file does not exist yet.
    problem = (
        "cannot read the database (OperationalError)"
        if configured.is_sqlite
        else "the database has no questions"
    )
    assert capsys.readouterr().err == f"nothing to export: {problem} (run deepprep import first?)\n"
    assert main(["import"]) == 0
    assert main(["export-anki", str(tmp_path / "x.apkg"), "--topic", "nope"]) == 1
    assert capsys.readouterr().err == (
        "nothing to export: topic 'nope' has no active questions (run deepprep import first?)\n"
    )
    assert not (tmp_path / "x.apkg").exists() and not (tmp_path / "x.xml").exists()
