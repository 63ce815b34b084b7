"""Sync inserts, updates with a version bump, retires, and never clobbers admin edits (issue 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bank.loader import BankInvalid
from app.bank.models import Question, Topic
from app.bank.source import load
from app.bank.sync import content_hash, retired_hash, sync_bank
from app.bootstrap import import_bank
from app.core.config import Settings
from app.core.db import Database


def rows(settings: Settings) -> dict[str, Question]:
    db = Database(settings.database_url)
    with db.session() as session:
        found = {q.slug: q for q in session.scalars(select(Question))}
    db.dispose()
    return found


def test_first_import_inserts_every_item(settings: Settings) -> None:
    report = import_bank(settings)
    assert sorted(report.added) == ["fx-choice", "fx-computed", "fx-multi", "fx-numeric", "fx-open"]
    stored = rows(settings)
    assert stored["fx-choice"].version == 1
    assert stored["fx-choice"].body["choices"][1]["correct"] is True
    assert stored["fx-choice"].topic.slug == "basics"
    assert stored["fx-choice"].created_at.tzinfo is UTC


def test_reimport_of_an_unchanged_bank_changes_nothing(settings: Settings) -> None:
    import_bank(settings)
    report = import_bank(settings)
    assert (report.added, report.updated, report.retired, report.unchanged) == ([], [], [], 5)


def test_changed_item_is_updated_with_a_version_bump(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    path = bank_dir / "basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Which number is prime?", "Which one is prime?"))
    report = import_bank(settings)
    assert report.updated == ["fx-choice"]
    question = rows(settings)["fx-choice"]
    assert (question.version, question.body["prompt"]["en"]) == (2, "Which one is prime?")


def test_vanished_item_is_retired_not_deleted_and_comes_back(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    (bank_dir / "numbers.yaml").rename(bank_dir / "numbers.yaml.off")
    report = import_bank(settings)
    assert sorted(report.retired) == ["fx-computed", "fx-numeric"]
    assert rows(settings)["fx-numeric"].retired is True
    (bank_dir / "numbers.yaml.off").rename(bank_dir / "numbers.yaml")
    assert sorted(import_bank(settings).restored) == ["fx-computed", "fx-numeric"]
    assert rows(settings)["fx-numeric"].retired is False


def test_refused_bank_leaves_the_database_exactly_as_it_was(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    before = {slug: (q.version, q.body, q.retired) for slug, q in rows(settings).items()}
    path = bank_dir / "basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: 7"))
    (bank_dir / "numbers.yaml").unlink()
    with pytest.raises(BankInvalid) as caught:
        import_bank(settings)
    assert [i.field for i in caught.value.issues] == ["items[0].difficulty"]
    after = {slug: (q.version, q.body, q.retired) for slug, q in rows(settings).items()}
    assert after == before


def test_admin_edit_is_kept_when_yaml_is_unchanged(settings: Settings) -> None:
    import_bank(settings)
    edit_in_database(settings, "fx-open", "Edited by an admin")
    report = import_bank(settings)
    assert report.kept_edits == ["fx-open"]
    assert rows(settings)["fx-open"].body["prompt"]["en"] == "Edited by an admin"


def test_edit_on_both_sides_is_a_reported_conflict(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    edit_in_database(settings, "fx-open", "Edited by an admin")
    path = bank_dir / "basics.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(r"Explain $e^{i\pi}+1=0$.", "Prove it."))
    report = import_bank(settings)
    assert report.conflicts == ["fx-open"]
    assert "CONFLICTS" in report.summary()
    assert rows(settings)["fx-open"].body["prompt"]["en"] == "Edited by an admin"


def test_topics_are_synced_with_titles(settings: Settings) -> None:
    import_bank(settings)
    db = Database(settings.database_url)
    with db.session() as session:
        topics = {t.slug: t.title_zh for t in session.scalars(select(Topic))}
        count = session.scalar(select(func.count()).select_from(Question))
    db.dispose()
    assert topics == {"basics": "基础", "numbers": "数字"}
    assert count == 5


def edit_in_database(settings: Settings, slug: str, prompt_en: str) -> None:
    """What the admin editor does: change the body and content hash, not the source hash."""
    db = Database(settings.database_url)
    with db.session() as session:
        question = session.scalars(select(Question).where(Question.slug == slug)).one()
        body = {**question.body, "prompt": {**question.body["prompt"], "en": prompt_en}}
        question.body = body
        question.content_hash = content_hash(question.topic.slug, body)
        question.updated_at = datetime.now(UTC)
        session.commit()
    db.dispose()


def test_an_item_retired_by_an_admin_stays_retired(settings: Settings) -> None:
    import_bank(settings)
    db = Database(settings.database_url)
    with db.session() as session:  # what the admin does: retire, and mark the content as edited
        question = session.scalars(select(Question).where(Question.slug == "fx-open")).one()
        question.retired = True
        question.content_hash = retired_hash(question.topic.slug, question.body)
        session.commit()
    db.dispose()
    report = import_bank(settings)
    assert (report.kept_edits, report.restored, report.conflicts) == (["fx-open"], [], [])
    assert rows(settings)["fx-open"].retired is True


def test_a_dry_run_reports_and_changes_nothing(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    (bank_dir / "numbers.yaml").unlink()
    db = Database(settings.database_url)
    with db.session() as session:
        report = sync_bank(session, bank=load(bank_dir), now=datetime.now(UTC), dry_run=True)
        topics = {t.slug: t.retired for t in session.scalars(select(Topic))}
    db.dispose()
    assert sorted(report.retired) == ["fx-computed", "fx-numeric"]
    assert rows(settings)["fx-numeric"].retired is False
    assert topics == {"basics": False, "numbers": False}
