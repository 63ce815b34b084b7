"""The editor pages: fix an answer, validation with the loader's messages, stale saves, YAML tab,
create, retire/restore, history and restore, preview (issue 8.2, 8.3)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.admin.editor import field_errors
from app.admin.forms import from_body, from_form, to_raw
from app.admin.models import QuestionRevision
from app.admin.validation import FieldError, validate_item
from app.bank.models import Question
from app.bank.source import load
from app.bank.sync import item_body
from app.core.config import PROJECT_ROOT
from tests.admin.helpers import edit_form, form_pairs, page_token

NEW_ANSWER = "Seven has no divisors but 1 and itself."


def stored(client: TestClient, slug: str) -> Question:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = session.scalars(select(Question).where(Question.slug == slug)).one()
        row.topic  # noqa: B018 (load before the session closes)
        return row


def revisions(client: TestClient, slug: str) -> list[tuple[int, int | None, str]]:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        stmt = (
            select(QuestionRevision.version, QuestionRevision.author_id, QuestionRevision.note)
            .join(Question, Question.id == QuestionRevision.question_id)
            .where(Question.slug == slug)
            .order_by(QuestionRevision.version)
        )
        return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def test_fix_an_answer_and_learners_see_it_at_once(admin: TestClient) -> None:
    form = edit_form(admin, "fx-choice", **{"answer.en": NEW_ANSWER, "note": "clearer"})
    response = admin.post("/admin/items/fx-choice", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/items/fx-choice?saved=2")
    assert "Saved version 2." in admin.get(response.headers["location"]).text
    assert NEW_ANSWER in admin.get("/q/fx-choice?choice=1").text
    row = stored(admin, "fx-choice")
    assert (row.version, row.body["answer"], row.content_hash != row.source_hash) == (
        2,
        {"zh": "7 是质数。", "en": NEW_ANSWER},
        True,
    )
    assert revisions(admin, "fx-choice") == [(1, None, "from YAML"), (2, 1, "clearer")]


def test_a_broken_edit_names_each_field_with_the_loaders_message_and_saves_nothing(admin: TestClient) -> None:
    form = edit_form(
        admin, "fx-choice", **{"prompt.en": "TODO", "choices.1.correct": "off", "difficulty": "7"}
    )
    response = admin.post("/admin/items/fx-choice", data=form)
    assert response.status_code == 422
    page = response.text
    for message in (
        "difficulty: input should be less than or equal to 5 (got 7)",
        "prompt.en: placeholder text &#39;TODO&#39;: write the real text",
        "choices: expected exactly one correct option in a &#39;choice&#39; item, found 0 "
        "(use kind: multi for several)",
    ):
        assert message in page
    assert 'id="f-prompt.en" name="prompt.en" rows="3" lang="en" aria-invalid="true"' in page
    assert ">TODO</textarea>" in page  # what was typed is kept
    assert (stored(admin, "fx-choice").version, revisions(admin, "fx-choice")) == (1, [])


def test_a_stale_save_gets_409_and_a_diff_never_a_silent_overwrite(admin: TestClient) -> None:
    first = edit_form(admin, "fx-open", **{"prompt.en": "Explain Euler's identity."})
    second = edit_form(admin, "fx-open", **{"prompt.en": "Why is $e^{i\\pi}=-1$?"})
    assert admin.post("/admin/items/fx-open", data=first, follow_redirects=False).status_code == 303
    response = admin.post("/admin/items/fx-open", data=second)
    assert response.status_code == 409
    assert "someone saved version 2 meanwhile" in response.text
    removed = re.findall(r'<span class="del">(.*?)</span>', response.text)
    added = re.findall(r'<span class="add">(.*?)</span>', response.text)
    head = "prompt: {zh: &#39;解释 $e^{i\\pi}+1=0$。&#39;, en: "
    assert removed == [f"-{head}Explain Euler&#39;s identity.}}"]
    assert added == [f"+{head}&#39;Why is $e^{{i\\pi}}=-1$?&#39;}}"]
    assert '<input type="hidden" name="version" value="2">' in response.text  # saving again is deliberate
    assert stored(admin, "fx-open").body["prompt"]["en"] == "Explain Euler's identity."


def test_the_yaml_tab_saves_and_reports_lines(admin: TestClient) -> None:
    yaml_text = (
        "id: fx-numeric\nkind: numeric\ndifficulty: 3\nprompt: {zh: 一加一？, en: One plus one?}\n"
        "value: 2\nanswer: {zh: 二。, en: Two.}\n"
    )
    data = {
        "mode": "yaml",
        "version": "1",
        "topic": "numbers",
        "yaml": yaml_text,
        "csrf_token": page_token(admin),
    }
    assert admin.post("/admin/items/fx-numeric", data=data, follow_redirects=False).status_code == 303
    row = stored(admin, "fx-numeric")
    assert (row.version, row.difficulty, row.body["value"], row.body["tolerance"]) == (2, 3, 2, 0.0)
    broken = {**data, "version": "2", "yaml": yaml_text.replace("value: 2", "value: [2")}
    response = admin.post("/admin/items/fx-numeric", data=broken)
    assert response.status_code == 422
    assert "line 6: invalid YAML:" in response.text
    wrong_type = {**data, "version": "2", "yaml": yaml_text.replace("difficulty: 3", "difficulty: hard")}
    assert (
        "line 3: difficulty: input should be a valid integer"
        in admin.post("/admin/items/fx-numeric", data=wrong_type).text
    )


def test_create_an_item_and_refuse_a_taken_id(admin: TestClient) -> None:
    state = from_body(
        {
            "id": "fx-new",
            "kind": "open",
            "difficulty": 2,
            "tags": ["beta"],
            "prompt": {"zh": "什么是 $\\mathbb{R}$？", "en": "What is $\\mathbb{R}$?"},
            "answer": {"zh": "实数集。", "en": "The real numbers."},
            "key_points": [{"zh": "实数", "en": "real numbers"}],
        },
        "basics",
    )
    form = form_pairs(state, mode="form", csrf_token=page_token(admin))
    response = admin.post("/admin/new", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/items/fx-new?saved=1")
    assert "The real numbers." in admin.get("/q/fx-new").text
    row = stored(admin, "fx-new")
    assert (row.topic.slug, row.version, row.source_hash) == ("basics", 1, None)
    again = admin.post("/admin/new", data=form)
    assert again.status_code == 422 and "id &#39;fx-new&#39; is already used by another item" in again.text
    unknown_seed = {**form, "id": "fx-new-2", "seeds": "s001-15, s999-01"}
    refused = admin.post("/admin/new", data=unknown_seed)
    assert refused.status_code == 422
    assert "seeds[1]: unknown seed id &#39;s999-01&#39; (not in questions/_seeds.yaml)" in refused.text


def test_retire_then_restore(admin: TestClient) -> None:
    token = page_token(admin)
    assert (
        admin.post("/admin/items/fx-multi/retire", data={"version": "1", "csrf_token": token}).status_code
        == 200
    )
    assert admin.get("/q/fx-multi").status_code == 404
    assert "fx-multi" in admin.get("/admin?status=retired").text
    assert "fx-multi" not in admin.get("/admin").text
    stale = admin.post("/admin/items/fx-multi/restore", data={"version": "1", "csrf_token": token})
    assert stale.status_code == 409
    assert (
        admin.post("/admin/items/fx-multi/restore", data={"version": "2", "csrf_token": token}).status_code
        == 200
    )
    assert admin.get("/q/fx-multi").status_code == 200
    assert [r[2] for r in revisions(admin, "fx-multi")] == ["from YAML", "retired", "restored"]


def test_history_shows_each_diff_and_restores_an_old_version(admin: TestClient) -> None:
    admin.post("/admin/items/fx-choice", data=edit_form(admin, "fx-choice", **{"answer.en": NEW_ANSWER}))
    page = admin.get("/admin/items/fx-choice/history").text
    assert '<span class="del">-answer: {zh: 7 是质数。, en: 7 is prime.}</span>' in page
    assert f'<span class="add">+answer: {{zh: 7 是质数。, en: {NEW_ANSWER}}}</span>' in page
    assert "from YAML" in page and "admin@example.com" in page
    token = page_token(admin)
    response = admin.post(
        "/admin/items/fx-choice/revert/1", data={"version": "2", "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/admin/items/fx-choice?saved=3"
    row = stored(admin, "fx-choice")
    assert (row.version, row.body["answer"]["en"], row.content_hash == row.source_hash) == (
        3,
        "7 is prime.",
        True,
    )


def test_preview_renders_the_learner_view_in_both_languages(admin: TestClient) -> None:
    form = edit_form(admin, "fx-choice", **{"prompt.en": "Which is prime, $p$?"})
    result = admin.post("/admin/preview", data=form).json()
    assert result["errors"] == []
    html = result["html"]
    assert '<article class="item preview-item" data-kind="choice" lang="zh-CN">' in html
    assert '<article class="item preview-item" data-kind="choice" lang="en">' in html
    assert 'Which is prime, <span class="math inline">p</span>?' in html
    assert "Its only divisors are 1 and 7." in html  # answered: every reason shows
    assert result["yaml"].startswith("id: fx-choice\nkind: choice\n")
    broken = admin.post("/admin/preview", data=edit_form(admin, "fx-choice", **{"prompt.zh": " "})).json()
    assert (broken["html"], broken["errors"]) == (
        "",
        ["prompt.zh: empty translation: write the text in this language"],
    )
    fields = admin.post(
        "/admin/preview",
        data={
            "mode": "yaml",
            "topic": "basics",
            "want": "fields",
            "yaml": result["yaml"],
            "csrf_token": page_token(admin),
        },
    ).json()
    assert 'name="choices.1.correct" checked' in fields["fields"]


def test_the_list_searches_and_filters(admin: TestClient) -> None:
    assert [s for s in ("fx-choice", "fx-multi", "fx-open") if s in admin.get("/admin?q=prime").text] == [
        "fx-choice"
    ]
    page = admin.get("/admin?kind=numeric").text
    assert "fx-numeric" in page and "fx-open" not in page
    assert "1 item(s)" in admin.get("/admin?tag=gamma&kind=computed").text


def test_errors_find_their_inputs() -> None:
    errors = [
        FieldError("choices[2].why.en", "a"),
        FieldError("tags[1]", "b"),
        FieldError("params.kernel", "c"),
    ]
    assert field_errors(errors) == {"choices.2.why.en": ["a"], "tags": ["b"], "params": ["c"]}


def test_every_real_item_survives_the_form_unchanged() -> None:
    """Open an item in the editor and save without touching it: the item must not change."""
    bank_dir = PROJECT_ROOT / "questions"
    for loaded in load(bank_dir).items:
        body = item_body(loaded.item)
        raw, problems = to_raw(from_form(form_pairs(from_body(body, loaded.topic)).items()))
        assert problems == []
        assert item_body(validate_item(raw, bank_dir=bank_dir)) == body, loaded.item.id
