"""Admin downloads (YAML, Anki, Moodle) and topic-file upload: validate, diff, apply (issue 8.4–8.6)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.admin import service
from app.admin.models import QuestionRevision
from app.bank.export_yaml import topics_from_bank
from app.bank.models import Question, Topic
from app.bank.source import load
from app.bootstrap import import_bank
from app.core.config import Settings
from tests.admin.helpers import bearer, page_token

NEW_ANSWER = "Seven is prime: its only divisors are 1 and 7."


def fix_answer(admin: TestClient) -> None:
    auth = bearer(admin, "admin@example.com")
    item = admin.get("/api/v1/admin/questions/fx-choice", headers=auth).json()["item"]
    body = {
        "topic": "basics",
        "item": {**item, "answer": {"zh": "7 是质数。", "en": NEW_ANSWER}},
        "version": 1,
    }
    assert admin.put("/api/v1/admin/questions/fx-choice", json=body, headers=auth).status_code == 200


def test_the_yaml_download_holds_the_fix_and_imports_back_identically(
    admin: TestClient, tmp_path: Path
) -> None:
    fix_answer(admin)
    response = admin.get("/admin/export/questions.zip")
    assert response.headers["content-disposition"] == 'attachment; filename="questions.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
        names = sorted(archive.namelist())
    assert names == [
        f"questions/{n}" for n in ("_seeds.yaml", "basics.yaml", "glossary.yaml", "numbers.yaml")
    ]
    exported = tmp_path / "questions"
    assert f"answer: {{zh: 7 是质数。, en: '{NEW_ANSWER}'}}" in (exported / "basics.yaml").read_text(
        encoding="utf-8"
    )
    with admin.app.state.db.session() as session:  # type: ignore[attr-defined]
        stored = {q.slug: (q.topic.slug, q.body) for q in session.scalars(select(Question))}
    reloaded = {
        i.item.id: (i.topic, i.item.model_dump(mode="json", exclude_none=True)) for i in load(exported).items
    }
    assert reloaded == stored
    topic = admin.get("/admin/export/yaml/basics.yaml")
    assert topic.text == (exported / "basics.yaml").read_text(encoding="utf-8")
    assert admin.get("/admin/export/yaml/nope.yaml").status_code == 404


def test_the_anki_download_opens_in_real_anki(admin: TestClient, tmp_path: Path) -> None:
    fix_answer(admin)
    deck = tmp_path / "deck.apkg"
    deck.write_bytes(admin.get("/admin/export/deepprep.apkg?topic=basics").content)
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
        )
        notes = {col.get_note(n)["Id"]: col.get_note(n) for n in col.find_notes("")}
        assert sorted(notes) == ["fx-choice", "fx-multi", "fx-open"]
        assert NEW_ANSWER in notes["fx-choice"]["AnswerEn"]
        assert sorted(col.decks.all_names()) == ["Default", "deepprep", "deepprep::Basics · 基础"]
    finally:
        col.close()


def test_the_moodle_download(admin: TestClient) -> None:
    response = admin.get("/admin/export/moodle.xml?lang=zh")
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    quiz = ElementTree.fromstring(response.content)
    kinds = [q.get("type") for q in quiz.findall("question")]
    assert kinds == ["category", "multichoice", "multichoice", "category", "numerical"]
    assert "哪个是质数？" in response.text
    assert admin.get("/admin/export/moodle.xml?topic=nope").status_code == 404


def upload(admin: TestClient, name: str, text: str) -> Any:
    token = page_token(admin)
    return admin.post(
        "/admin/upload", data={"csrf_token": token}, files={"file": (name, text.encode(), "text/yaml")}
    )


def test_a_broken_upload_lists_every_problem_and_changes_nothing(admin: TestClient, bank_dir: Path) -> None:
    text = (bank_dir / "basics.yaml").read_text(encoding="utf-8")
    broken = text.replace("difficulty: 1", "difficulty: 9").replace("correct: true", "correct: false", 1)
    response = upload(admin, "basics.yaml", broken)
    assert response.status_code == 422
    assert (
        "basics.yaml:6: items[0].difficulty: input should be less than or equal to 5 (got 9)" in response.text
    )
    assert "basics.yaml:10: items[0].choices: expected exactly one correct option" in response.text
    binary = admin.post(
        "/admin/upload",
        data={"csrf_token": page_token(admin)},
        files={"file": ("x.yaml", b"\xff\xfe", "text/yaml")},
    )
    assert binary.status_code == 422 and "not a UTF-8 text file" in binary.text


def edited_basics(bank_dir: Path) -> str:
    """basics.yaml with fx-choice changed, fx-multi removed and a new item added."""
    text = (bank_dir / "basics.yaml").read_text(encoding="utf-8")
    text = text.replace("Which number is prime?", "Which one is prime?")
    start, end = text.index("  - id: fx-multi"), text.index("  - id: fx-open")
    new_item = (
        "  - id: fx-new\n    kind: open\n    difficulty: 1\n    prompt: {zh: 新题？, en: New?}\n"
        "    answer: {zh: 是的。, en: Yes.}\n    key_points:\n      - {zh: 新, en: new}\n"
    )
    return text[:start] + text[end:] + new_item


def test_an_upload_shows_its_diff_then_applies_everything_at_once(admin: TestClient, bank_dir: Path) -> None:
    preview = upload(admin, "basics.yaml", edited_basics(bank_dir))
    assert preview.status_code == 200
    page = preview.text
    assert "1 added · 1 changed · 1 retired" in page
    assert (
        '<span class="del">-prompt: {zh: 哪个是质数？, en: &#39;Which number is prime?&#39;}</span>' in page
    )
    assert '<span class="add">+prompt: {zh: 哪个是质数？, en: &#39;Which one is prime?&#39;}</span>' in page
    form = dict(re.findall(r'name="(name|fingerprint)" value="([^"]*)"', page))
    data = {**form, "text": edited_basics(bank_dir), "csrf_token": page_token(admin)}
    applied = admin.post("/admin/upload/apply", data=data, follow_redirects=False)
    assert (applied.status_code, applied.headers["location"]) == (303, "/admin?applied=3")
    with admin.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = {
            q.slug: (q.version, q.retired, q.body["prompt"]["en"]) for q in session.scalars(select(Question))
        }
        notes = set(session.scalars(select(QuestionRevision.note)))
    assert rows["fx-choice"] == (2, False, "Which one is prime?")
    assert rows["fx-multi"] == (2, True, "Which numbers are even?")
    assert rows["fx-new"] == (1, False, "New?")
    assert notes == {"from YAML", "upload basics.yaml"}
    again = admin.post("/admin/upload/apply", data=data)  # the same form twice: the bank moved on
    assert again.status_code == 409 and "The bank changed since the preview" in again.text
    assert "The file matches the bank: nothing to change." in again.text


def test_a_failing_apply_changes_nothing(
    admin: TestClient, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = upload(admin, "basics.yaml", edited_basics(bank_dir)).text
    form = dict(re.findall(r'name="(name|fingerprint)" value="([^"]*)"', page))
    calls = []
    real_write = service.write

    def flaky(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(service, "write", flaky)
    data = {**form, "text": edited_basics(bank_dir), "csrf_token": page_token(admin)}
    with pytest.raises(RuntimeError, match="disk on fire"):
        admin.post("/admin/upload/apply", data=data)
    with admin.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = {q.slug: (q.version, q.retired) for q in session.scalars(select(Question))}
        revisions = session.scalars(select(QuestionRevision)).all()
    assert rows == dict.fromkeys(
        ("fx-choice", "fx-multi", "fx-open", "fx-numeric", "fx-computed"), (1, False)
    )
    assert revisions == []


def test_an_uploaded_new_topic_survives_start_up_sync(admin: TestClient, settings: Settings) -> None:
    text = (
        "topic: extra\ntitle: {zh: 附加, en: Extra}\nitems:\n"
        "  - id: ex-one\n    kind: open\n    difficulty: 1\n    prompt: {zh: 一？, en: One?}\n"
        "    answer: {zh: 一。, en: One.}\n    key_points:\n      - {zh: 一, en: one}\n"
    )
    page = upload(admin, "extra.yaml", text).text
    form = dict(re.findall(r'name="(name|fingerprint)" value="([^"]*)"', page))
    admin.post("/admin/upload/apply", data={**form, "text": text, "csrf_token": page_token(admin)})
    report = import_bank(settings)
    assert (report.retired, report.conflicts) == ([], [])
    assert "Extra" in admin.get("/").text and "One?" in admin.get("/topics/extra").text
    with admin.app.state.db.session() as session:  # type: ignore[attr-defined]
        assert session.scalars(select(Topic.retired).where(Topic.slug == "extra")).one() is False


def test_export_then_upload_is_a_no_op(admin: TestClient, settings: Settings) -> None:
    exported = admin.get("/admin/export/yaml/numbers.yaml").text
    assert "The file matches the bank: nothing to change." in upload(admin, "numbers.yaml", exported).text
    assert topics_from_bank(load(settings.questions_dir))  # the bank on disk still loads
