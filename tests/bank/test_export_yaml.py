"""YAML export (issue 8.4): canonical files, round trip through the loader and the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.bank.export_yaml import (
    bank_files,
    item_from_body,
    item_yaml,
    topic_yaml,
    topics_from_bank,
    write_directory,
)
from app.bank.models import Question, Topic
from app.bank.service import export_topics
from app.bank.source import load
from app.bootstrap import import_bank
from app.core.config import PROJECT_ROOT, Settings
from app.core.db import Database
from tests.bank.test_sync import edit_in_database

EXPORT_FIXTURE = Path(__file__).parents[1] / "fixtures" / "bank_export"
REAL_BANK = PROJECT_ROOT / "questions"


def stored_files(settings: Settings) -> dict[str, str]:
    """What ``deepprep export`` writes for the bank in this database."""
    db = Database(settings.database_url)
    with db.session() as session:
        topics = export_topics(session)
    db.dispose()
    return bank_files(topics, source_dir=settings.questions_dir)


def stored_bodies(url: str) -> dict[str, tuple[str, dict[str, object], bool]]:
    db = Database(url)
    with db.session() as session:
        found = {q.slug: (q.topic.slug, q.body, q.retired) for q in session.scalars(select(Question))}
    db.dispose()
    return found


def test_export_of_a_canonical_bank_reproduces_every_file_byte_for_byte() -> None:
    files = bank_files(topics_from_bank(load(EXPORT_FIXTURE)), source_dir=EXPORT_FIXTURE)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in EXPORT_FIXTURE.glob("*.yaml")}
    assert sorted(files) == ["_seeds.yaml", "glossary.yaml", "layers.yaml", "shapes.yaml"]
    assert files == on_disk


def test_key_order_and_spelled_out_defaults_do_not_change_the_output() -> None:
    # As PostgreSQL's JSONB may hand it back: keys in any order, defaults written out.
    body = {
        "choices": [
            {"why": {"en": "Even.", "zh": "偶数。"}, "correct": False, "text": "4"},
            {"why": {"en": "Prime.", "zh": "质数。"}, "correct": True, "text": "7"},
        ],
        "prompt": {"en": "Which is prime?", "zh": "哪个是质数？"},
        "seeds": [],
        "tags": [],
        "difficulty": 1,
        "kind": "choice",
        "id": "x-prime",
    }
    assert item_yaml(item_from_body(body)) == (
        "id: x-prime\n"
        "kind: choice\n"
        "difficulty: 1\n"
        "prompt: {zh: 哪个是质数？, en: 'Which is prime?'}\n"
        "choices:\n"
        "  - text: '4'\n"
        "    why: {zh: 偶数。, en: Even.}\n"
        "  - text: '7'\n"
        "    correct: true\n"
        "    why: {zh: 质数。, en: Prime.}\n"
    )


def test_multi_line_text_is_a_literal_block_and_unicode_is_kept() -> None:
    text = topic_yaml(topics_from_bank(load(EXPORT_FIXTURE))[0])
    assert "      zh: |\n        **训练时**用当前 batch 的统计量：\n\n" in text
    assert "\\u" not in text and "\\x" not in text


def test_the_real_bank_round_trips_through_the_database(settings: Settings, tmp_path: Path) -> None:
    real = settings.model_copy(update={"questions_dir": REAL_BANK})
    original = load(REAL_BANK)
    import_bank(real)
    write_directory(tmp_path / "export", stored_files(real))
    exported = load(tmp_path / "export")
    assert [(i.topic, i.item) for i in exported.items] == [(i.topic, i.item) for i in original.items]
    headers = [(t.slug, t.title_zh, t.title_en, t.description) for t in original.topics]
    assert [(t.slug, t.title_zh, t.title_en, t.description) for t in exported.topics] == headers
    assert exported.glossary == original.glossary
    assert exported.seed_ids == original.seed_ids


def test_an_export_imports_into_a_second_database_with_identical_bodies(
    settings: Settings, tmp_path: Path
) -> None:
    # The fixture has every kind and YAML form; the real bank's round trip is proven above.
    source = settings.model_copy(update={"questions_dir": EXPORT_FIXTURE})
    import_bank(source)
    first = stored_files(source)
    assert stored_files(source) == first  # stable: a second export is byte-identical
    write_directory(tmp_path / "export", first)
    second = source.model_copy(
        update={"questions_dir": tmp_path / "export", "database_url": f"sqlite:///{tmp_path}/second.db"}
    )
    import_bank(second)
    assert stored_bodies(second.database_url) == stored_bodies(source.database_url)
    assert stored_files(second) == first


def test_an_admin_edit_appears_in_the_export(settings: Settings, tmp_path: Path) -> None:
    import_bank(settings)
    edit_in_database(settings, "fx-open", "Edited by an admin")
    write_directory(tmp_path / "export", stored_files(settings))
    items = {i.item.id: i.item for i in load(tmp_path / "export").items}
    assert items["fx-open"].prompt.en == "Edited by an admin"
    assert items["fx-open"].prompt.zh == r"解释 $e^{i\pi}+1=0$。"


def test_retired_items_and_their_empty_topics_are_left_out(settings: Settings, bank_dir: Path) -> None:
    import_bank(settings)
    (bank_dir / "numbers.yaml").rename(bank_dir / "numbers.yaml.off")
    assert sorted(import_bank(settings).retired) == ["fx-computed", "fx-numeric"]
    files = stored_files(settings)
    assert "basics.yaml" in files and "numbers.yaml" not in files
    db = Database(settings.database_url)
    with db.session() as session:
        assert session.scalars(select(Topic.slug).where(Topic.retired.is_(False))).all() == ["basics"]
    db.dispose()


def test_write_directory_refuses_a_non_empty_directory_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        write_directory(target, {"a.yaml": "a: 1\n"})
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    write_directory(target, {"a.yaml": "a: 1\n"}, force=True)
    assert [p.name for p in target.iterdir()] == ["a.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left behind


def test_a_failed_write_leaves_the_old_directory_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_directory(target, {"a.yaml": "a: 1\n"})
    with pytest.raises(FileNotFoundError):
        write_directory(target, {"b.yaml": "b: 2\n", "missing/c.yaml": "c: 3\n"}, force=True)
    assert [p.name for p in target.iterdir()] == ["a.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
