"""Moodle XML of the bank's choice, multi and numeric items, in one language, for teachers.

One ``category`` question per topic (``$course$/deepprep/<topic>``), then its questions:
``multichoice`` (single, or multi with fractions summing to +100 over the right options and -100
over the wrong ones, so ticking everything scores 0), ``numerical`` with tolerance and unit, and
``cloze`` for numeric items whose answer is a list of numbers (a shape), one NUMERICAL blank each.
Open and computed items have no faithful Moodle form here and are listed as skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from app.bank.export_anki import mathjax_html
from app.bank.export_yaml import BankTopic
from app.bank.schema import ChoiceItem, Item, MultiItem, NumericItem

Lang = Literal["zh", "en"]
CATEGORY_ROOT = "$course$/deepprep"
_UNIT = {"zh": "单位：", "en": "Unit: "}
_EXPECTED = {"zh": "正确答案：", "en": "Expected answer: "}


@dataclass
class MoodleExport:
    """The XML document, how many questions of each Moodle type it holds, and what was left out."""

    xml: str
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)


def moodle_xml(topics: list[BankTopic], *, lang: Lang) -> MoodleExport:
    """The whole export as one ``<quiz>`` document."""
    result = MoodleExport(xml="")
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for topic in topics:
        written = []
        for item in topic.items:
            question = _question(item, lang)
            if question is None:
                result.skipped.append(item.id)
                continue
            result.counts[question[0]] += 1
            written.append(question[1])
        if written:  # a topic of only open questions would be an empty category
            parts += [_category(topic, lang), *written]
    parts.append("</quiz>\n")
    result.xml = "\n".join(parts)
    return result


def write_xml(result: MoodleExport, path: Path) -> None:
    """Write the document next to ``path`` first, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(result.xml, encoding="utf-8", newline="\n")
    os.replace(staging, path)


def fraction(percent: float) -> str:
    """A grade fraction as Moodle writes it: percent with up to five decimals (33.33333)."""
    return f"{percent:.5f}".rstrip("0").rstrip(".")


def _question(item: Item, lang: Lang) -> tuple[str, str] | None:
    if isinstance(item, ChoiceItem | MultiItem):
        return "multichoice", _multichoice(item, lang)
    if isinstance(item, NumericItem) and isinstance(item.value, list):
        return "cloze", _cloze(item, lang)
    if isinstance(item, NumericItem):
        return "numerical", _numerical(item, lang)
    return None


def _category(topic: BankTopic, lang: Lang) -> str:
    return (
        '<question type="category">'
        f"<category><text>{escape(CATEGORY_ROOT)}/{escape(topic.slug)}</text></category>"
        f"{_html('info', escape(topic.title.get(lang)))}</question>"
    )


def _cdata(html: str) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _html(tag: str, html: str, attrs: str = "") -> str:
    return f'<{tag}{attrs} format="html"><text>{_cdata(html)}</text></{tag}>'


def _header(item: Item, lang: Lang, qtype: str, text: str) -> str:
    """Name, text, general feedback (model answer and key points), grade and tags."""
    feedback = mathjax_html(item.answer.get(lang)) if item.answer else ""
    if item.key_points:
        points = (mathjax_html(p.get(lang), inline=True) for p in item.key_points)
        feedback += "<ul>" + "".join(f"<li>{p}</li>" for p in points) + "</ul>"
    tags = "".join(f"<tag><text>{escape(tag)}</text></tag>" for tag in item.tags)
    return (
        f'<question type="{qtype}">\n'
        f"<name><text>{escape(item.id)}</text></name>\n"
        f"{_html('questiontext', text)}\n"
        f"{_html('generalfeedback', feedback)}\n"
        "<defaultgrade>1</defaultgrade><penalty>0.3333333</penalty><hidden>0</hidden>\n"
        f"<idnumber>{escape(item.id)}</idnumber>\n"
        f"<tags>{tags}</tags>\n"
    )


def _multichoice(item: ChoiceItem | MultiItem, lang: Lang) -> str:
    right = sum(c.correct for c in item.choices)
    wrong = len(item.choices) - right
    single = isinstance(item, ChoiceItem)
    answers = []
    for choice in item.choices:
        if choice.correct:
            share = fraction(100 / right)
        else:
            share = "0" if single else fraction(-100 / wrong)
        text = mathjax_html(choice.text_in(lang), inline=True)
        why = _html("feedback", mathjax_html(choice.why.get(lang), inline=True))
        answers.append(f'<answer fraction="{share}" format="html"><text>{_cdata(text)}</text>{why}</answer>')
    return (
        _header(item, lang, "multichoice", mathjax_html(item.prompt.get(lang)))
        + f"<single>{'true' if single else 'false'}</single>"
        + "<shuffleanswers>true</shuffleanswers><answernumbering>abc</answernumbering>"
        + ("" if single else "<shownumcorrect/>")
        + "\n"
        + "\n".join(answers)
        + "\n</question>"
    )


def _unit(item: NumericItem, lang: Lang) -> str:
    if item.unit is None:
        return ""
    return item.unit if isinstance(item.unit, str) else item.unit.get(lang)


def _prompt_with_unit(item: NumericItem, lang: Lang) -> str:
    unit = _unit(item, lang)
    hint = f"<p>{_UNIT[lang]}{escape(unit)}</p>" if unit else ""
    return mathjax_html(item.prompt.get(lang)) + hint


def _numerical(item: NumericItem, lang: Lang) -> str:
    unit = _unit(item, lang)
    value = escape(f"{item.value} {unit}".strip())
    # "*" matches any other number, so a wrong answer still shows the expected value.
    answers = (
        f'<answer fraction="100"><text>{item.value}</text><tolerance>{item.tolerance}</tolerance>'
        f"{_html('feedback', f'✓ {value}')}</answer>\n"
        f'<answer fraction="0"><text>*</text><tolerance>0</tolerance>'
        f"{_html('feedback', _EXPECTED[lang] + value)}</answer>\n"
    )
    units = (
        f"<units><unit><multiplier>1</multiplier><unit_name>{escape(unit)}</unit_name></unit></units>"
        if unit
        else ""
    )
    # showunits 0 with unitgradingtype 0: a unit may be typed but is not graded.
    options = f"{units}<unitgradingtype>0</unitgradingtype><unitpenalty>0.1</unitpenalty>"
    options += f"<showunits>{0 if unit else 3}</showunits><unitsleft>0</unitsleft>"
    header = _header(item, lang, "numerical", _prompt_with_unit(item, lang))
    return header + answers + options + "\n</question>"


def _cloze(item: NumericItem, lang: Lang) -> str:
    assert isinstance(item.value, list)
    blanks = ", ".join(f"{{1:NUMERICAL:={v}:{item.tolerance}}}" for v in item.value)
    text = _prompt_with_unit(item, lang) + f"<p>({blanks})</p>"
    return _header(item, lang, "cloze", text) + "</question>"
