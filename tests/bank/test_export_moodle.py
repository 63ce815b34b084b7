"""Moodle XML export (issue 8.6): well-formed, the structure Moodle imports, counts match the bank."""

from __future__ import annotations

import dataclasses
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.bank.export_moodle import Lang, fraction, moodle_xml
from app.bank.export_yaml import topics_from_bank
from app.bank.loader import Bank, load_bank
from app.bank.schema import NumericItem
from app.core.config import PROJECT_ROOT

FIXTURES = Path(__file__).parents[1] / "fixtures"
REAL_BANK = PROJECT_ROOT / "questions"


def questions(xml: str) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "quiz"
    return root.findall("question")


def by_name(xml: str) -> dict[str, ET.Element]:
    return {q.findtext("name/text") or "": q for q in questions(xml) if q.get("type") != "category"}


def check_question(question: ET.Element) -> None:
    """What Moodle's XML importer needs of each question type we write."""
    qtype = question.get("type")
    assert qtype in {"multichoice", "numerical", "cloze"}
    assert question.findtext("name/text")
    assert question.find("questiontext[@format='html']/text") is not None
    answers = question.findall("answer")
    assert all((a.findtext("feedback/text") or "").strip() for a in answers), "every answer has feedback"
    if qtype == "multichoice":
        check_fractions(question.findtext("single"), [float(a.get("fraction", "nan")) for a in answers])
    elif qtype == "numerical":
        assert [a.get("fraction") for a in answers] == ["100", "0"]
        assert math.isfinite(float(answers[0].findtext("text") or "nan"))
        assert answers[1].findtext("text") == "*"
        assert answers[0].findtext("tolerance") is not None
    else:
        assert answers == []
        assert "{1:NUMERICAL:=" in (question.findtext("questiontext/text") or "")


def check_fractions(single: str | None, fractions: list[float]) -> None:
    right = [f for f in fractions if f > 0]
    wrong = [f for f in fractions if f <= 0]
    if single == "true":
        assert (right, set(wrong)) == ([100.0], {0.0})
        return
    assert single == "false"
    assert math.isclose(sum(right), 100, abs_tol=1e-4) and len(set(right)) == 1
    assert math.isclose(sum(wrong), -100, abs_tol=1e-4) and len(set(wrong)) == 1


def expected_counts(bank: Bank) -> dict[str, int]:
    counts = {"multichoice": 0, "numerical": 0, "cloze": 0, "skipped": 0}
    for loaded in bank.items:
        item = loaded.item
        if isinstance(item, NumericItem):
            counts["cloze" if isinstance(item.value, list) else "numerical"] += 1
        else:
            counts["multichoice" if item.kind in ("choice", "multi") else "skipped"] += 1
    return counts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_real_bank_exports_as_valid_moodle_xml(lang: Lang) -> None:
    bank = load_bank(REAL_BANK)
    result = moodle_xml(topics_from_bank(bank), lang=lang)
    found = questions(result.xml)
    categories = [q.findtext("category/text") for q in found if q.get("type") == "category"]
    exportable = {i.topic for i in bank.items if i.item.kind in ("choice", "multi", "numeric")}
    assert categories == [f"$course$/deepprep/{t.slug}" for t in bank.topics if t.slug in exportable]
    for question in found:
        if question.get("type") != "category":
            check_question(question)
    counts = expected_counts(bank)
    assert {**result.counts, "skipped": len(result.skipped)} == counts
    assert len(found) == len(categories) + counts["multichoice"] + counts["numerical"] + counts["cloze"]


def test_a_multi_item_scores_plus_100_over_right_and_minus_100_over_wrong_options() -> None:
    result = moodle_xml(topics_from_bank(load_bank(FIXTURES / "bank_export")), lang="en")
    multi = by_name(result.xml)["ex-multi"]
    assert multi.findtext("single") == "false"
    answers = [
        (a.get("fraction"), a.findtext("text"), a.findtext("feedback/text")) for a in multi.iter("answer")
    ]
    assert answers == [
        ("33.33333", "Max pooling", "It only takes the window maximum."),
        ("33.33333", "ReLU", "A fixed element-wise function."),
        ("33.33333", "Dropout", "Its drop probability is a hyper-parameter, not a parameter."),
        ("-50", "Convolution", "It has kernels and biases."),
        (
            "-50",
            "BatchNorm",
            r"It learns \(\gamma\) and \(\beta\) and also keeps running averages that are not trained.",
        ),
    ]


def test_a_numeric_item_is_numerical_with_tolerance_and_unit() -> None:
    result = moodle_xml(topics_from_bank(load_bank(FIXTURES / "bank_export")), lang="zh")
    size = by_name(result.xml)["ex-size"]
    answer = size.find("answer")
    assert answer is not None
    answer.tail = None
    assert ET.tostring(answer, encoding="unicode") == (
        '<answer fraction="100"><text>12.442624</text><tolerance>0.001</tolerance>'
        '<feedback format="html"><text>✓ 12.442624 MB</text></feedback></answer>'
    )
    assert size.findtext("units/unit/unit_name") == "MB"
    assert size.findtext("questiontext/text", "").endswith("<p>单位：MB</p>")
    assert (size.findtext("showunits"), size.findtext("unitgradingtype")) == ("0", "0")


def test_a_shape_answer_becomes_a_cloze_with_one_numerical_blank_per_number() -> None:
    result = moodle_xml(topics_from_bank(load_bank(FIXTURES / "bank_export")), lang="en")
    text = by_name(result.xml)["ex-shape"].findtext("questiontext/text", "")
    assert text.endswith(
        "<p>Unit: channels × pixels × pixels</p>"
        "<p>({1:NUMERICAL:=96:0.0}, {1:NUMERICAL:=55:0.0}, {1:NUMERICAL:=55:0.0})</p>"
    )
    assert result.skipped == ["ex-open", "ex-macs"]


def test_one_language_per_export_and_topic_categories() -> None:
    topics = topics_from_bank(load_bank(FIXTURES / "bank"))
    zh, en = moodle_xml(topics, lang="zh").xml, moodle_xml(topics, lang="en").xml
    assert "哪个是质数？" in zh and "Which number is prime?" not in zh
    assert "Which number is prime?" in en and "哪个是质数？" not in en
    info = [q.findtext("info/text") for q in questions(zh) if q.get("type") == "category"]
    assert info == ["基础", "数字"]


def test_a_topic_with_nothing_to_export_gets_no_category() -> None:
    layers, shapes = topics_from_bank(load_bank(FIXTURES / "bank_export"))
    only_open = dataclasses.replace(layers, items=layers.items[:1])
    result = moodle_xml([only_open, shapes], lang="en")
    categories = [q.findtext("category/text") for q in questions(result.xml) if q.get("type") == "category"]
    assert categories == ["$course$/deepprep/shapes"]
    assert result.skipped == ["ex-open", "ex-macs"]


def test_fractions_are_written_as_moodle_writes_them() -> None:
    assert [fraction(100 / k) for k in range(1, 7)] == ["100", "50", "33.33333", "25", "20", "16.66667"]
    assert fraction(-100 / 3) == "-33.33333"
