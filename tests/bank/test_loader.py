"""The loader reports every problem with file, line and field (issue 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from app.bank.loader import BankInvalid, Issue, load_bank
from app.bank.source import load

SEEDS = "ids: [s001-01, s001-15]\n"
GOOD_ITEM = """
  - id: good-one
    kind: open
    difficulty: 2
    tags: [x]
    prompt: {zh: 问题, en: Question}
    answer: {zh: 答案, en: Answer}
    key_points:
      - {zh: 要点, en: Point}
"""


def write_bank(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "_seeds.yaml").write_text(SEEDS, encoding="utf-8")
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def problems(directory: Path) -> list[Issue]:
    with pytest.raises(BankInvalid) as caught:
        load(directory)
    return caught.value.issues


def topic(items: str) -> str:
    return "topic: alpha\ntitle: {zh: 题, en: T}\nitems:" + textwrap.dedent(items)


def test_valid_bank_loads(tmp_path: Path) -> None:
    bank = load(write_bank(tmp_path / "q", {"t.yaml": topic(GOOD_ITEM)}))
    assert [i.item.id for i in bank.items] == ["good-one"]
    assert bank.topics[0].slug == "alpha"
    assert bank.items[0].line == 4


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = "topic: alpha\ntitle: {zh: 题, en: T}\nitems:\n  - id: a\n    kind: open\n   oops: 1\n"
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": bad}))
    assert (issue.file, issue.line) == ("q/t.yaml", 6)
    assert "invalid YAML" in issue.message


def test_unknown_field(tmp_path: Path) -> None:
    items = GOOD_ITEM + "    colour: red\n"
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.file, issue.line, issue.field) == ("q/t.yaml", 12, "items[0].colour")
    assert "unknown field" in issue.message


def test_missing_field(tmp_path: Path) -> None:
    items = GOOD_ITEM.replace("    difficulty: 2\n", "")
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field, issue.message) == (
        4,
        "items[0].difficulty",
        "missing required field",
    )


def test_wrong_type(tmp_path: Path) -> None:
    items = GOOD_ITEM.replace("difficulty: 2", "difficulty: hard")
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field) == (6, "items[0].difficulty")
    assert "integer" in issue.message and "'hard'" in issue.message


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    other = topic(GOOD_ITEM).replace("topic: alpha", "topic: beta")
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(GOOD_ITEM), "u.yaml": other}))
    assert (issue.file, issue.line, issue.field) == ("q/u.yaml", 4, "items[0].id")
    assert "already used at q/t.yaml:4" in issue.message


@pytest.mark.parametrize("flags", [(False, False, False), (True, True, False)])
def test_choice_needs_exactly_one_correct(tmp_path: Path, flags: tuple[bool, ...]) -> None:
    options = "".join(
        f"      - {{text: o{i}, correct: {str(c).lower()}, why: {{zh: 因为, en: because}}}}\n"
        for i, c in enumerate(flags)
    )
    items = (
        "\n  - id: pick\n    kind: choice\n    difficulty: 1\n"
        "    prompt: {zh: 选, en: Pick}\n    choices:\n" + options
    )
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field) == (8, "items[0].choices")
    assert f"exactly one correct option in a 'choice' item, found {sum(flags)}" in issue.message


def test_unknown_seed_id(tmp_path: Path) -> None:
    items = GOOD_ITEM.replace("tags: [x]", "tags: [x]\n    seeds: [s001-15, s009-99]")
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field) == (8, "items[0].seeds[1]")
    assert "unknown seed id 's009-99'" in issue.message


@pytest.mark.parametrize("text", ['""', '"   "', "TODO", "待补充"])
def test_empty_or_placeholder_translation(tmp_path: Path, text: str) -> None:
    items = GOOD_ITEM.replace(
        "answer: {zh: 答案, en: Answer}", f"answer:\n      zh: {text}\n      en: Answer"
    )
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field) == (10, "items[0].answer.zh")


def test_unknown_kind(tmp_path: Path) -> None:
    items = GOOD_ITEM.replace("kind: open", "kind: essay")
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert (issue.line, issue.field) == (5, "items[0].kind")
    assert "expected one of open, choice, multi, numeric, computed" in issue.message


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    items = GOOD_ITEM + "    difficulty: 3\n"
    [issue] = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert issue.line == 12 and "duplicate key 'difficulty'" in issue.message


def test_computed_item_with_bad_parameters(tmp_path: Path) -> None:
    items = """
      - id: conv
        kind: computed
        difficulty: 2
        prompt: {zh: 算, en: Compute}
        calculator: conv_output_size
        params: {input: 3, kernel: 7}
      - id: conv-two
        kind: computed
        difficulty: 2
        prompt: {zh: 算二, en: Compute two}
        calculator: no_such_calculator
    """
    found = problems(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert [(i.line, i.field) for i in found] == [
        (9, "items[0].params.kernel"),
        (14, "items[1].calculator"),
    ]
    assert "larger than the padded input" in found[0].message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    broken = topic(GOOD_ITEM.replace("difficulty: 2", "difficulty: 9") + "    colour: red\n")
    files = {"a.yaml": broken, "b.yaml": "topic: [\n"}
    found = problems(write_bank(tmp_path / "q", files))
    assert [(i.file, i.field) for i in found] == [
        ("q/a.yaml", "items[0].difficulty"),
        ("q/a.yaml", "items[0].colour"),
        ("q/b.yaml", ""),
    ]


def test_issue_prints_as_file_line_field(tmp_path: Path) -> None:
    issue = Issue("questions/cnn.yaml", 42, "items[3].choices", "expected exactly one correct option")
    assert str(issue) == "questions/cnn.yaml:42: items[3].choices: expected exactly one correct option"


def test_glossary_is_validated(tmp_path: Path) -> None:
    files = {"t.yaml": topic(GOOD_ITEM), "glossary.yaml": "terms:\n  - {zh: 感受野, en: ''}\n"}
    [issue] = problems(write_bank(tmp_path / "q", files))
    assert (issue.file, issue.line, issue.field) == ("q/glossary.yaml", 2, "terms[0].en")


def test_loader_without_engine_skips_calculator_rules(tmp_path: Path) -> None:
    items = (
        GOOD_ITEM
        + """
  - id: conv
    kind: computed
    difficulty: 2
    prompt: {zh: 算, en: Compute}
    calculator: anything
"""
    )
    bank = load_bank(write_bank(tmp_path / "q", {"t.yaml": topic(items)}))
    assert len(bank.items) == 2
