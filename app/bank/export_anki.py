"""Anki decks (.apkg) of the bank: one subdeck per topic, both languages on every card.

Note GUIDs, the note type id and the deck ids are derived from stable names (item id, topic slug),
so importing a newer export into Anki updates the notes it already has instead of adding copies.
Math: Markdown is rendered by ``app.core.markdown`` and its math spans become MathJax delimiters
``\\(…\\)`` / ``\\[…\\]``, which Anki typesets itself.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import genanki
from markupsafe import escape

from app.bank.export_yaml import BankTopic
from app.bank.schema import ChoiceItem, ComputedItem, Item, MultiItem, NumericItem
from app.core.markdown import render, render_inline
from app.explain.service import item_solution

ROOT_DECK = "deepprep"
FIELDS = ("Id", "PromptZh", "PromptEn", "OptionsZh", "OptionsEn", "AnswerZh", "AnswerEn")
LABELS = {
    "zh": {"value": "答案：", "steps": "解题步骤", "points": "要点", "pick": "（选出所有正确选项）"},
    "en": {
        "value": "Answer:",
        "steps": "Worked answer",
        "points": "Key points",
        "pick": "(select all that apply)",
    },
}
_FRONT = (
    '<div class="zh" lang="zh">{{PromptZh}}{{OptionsZh}}</div>\n'
    '<div class="en" lang="en">{{PromptEn}}{{OptionsEn}}</div>'
)
_BACK = (
    '{{FrontSide}}\n<hr id="answer">\n'
    '<div class="zh" lang="zh">{{AnswerZh}}</div>\n<div class="en" lang="en">{{AnswerEn}}</div>'
)
_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; line-height: 1.5; }
.en { color: #555; border-top: 1px dashed #ccc; margin-top: 0.8em; padding-top: 0.4em; }
li.correct { color: #1b7a1b; } li.wrong { color: #a12b2b; } .why { color: #444; }
"""
_MATH = re.compile(r'<(span|div) class="math (inline|display|block)">(.*?)</\1>', re.DOTALL)


def stable_id(*parts: str) -> int:
    """A deterministic Anki id in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(item_id: str) -> str:
    """The note GUID of an item: the same in every export."""
    return str(genanki.guid_for(ROOT_DECK, item_id))


MODEL = genanki.Model(
    stable_id(ROOT_DECK, "note-model", "v1"),
    "deepprep (中文 + English)",
    fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Card", "qfmt": _FRONT, "afmt": _BACK}],
    css=_CSS,
)


def mathjax_html(markdown: str, *, inline: bool = False) -> str:
    """Sanitised HTML of Markdown, with math spans turned into MathJax delimiters."""
    html = str(render_inline(markdown) if inline else render(markdown)).strip()
    return _MATH.sub(_delimit, html)


def _delimit(match: re.Match[str]) -> str:
    tag, kind, tex = match.groups()
    if kind == "inline":
        return f"\\({tex}\\)"
    return f"<div>\\[{tex.strip()}\\]</div>" if tag == "div" else f"\\[{tex}\\]"


def build_decks(topics: list[BankTopic]) -> list[genanki.Deck]:
    """One deck per topic, named ``deepprep::<title>`` so they nest under one parent deck."""
    decks = []
    for topic in topics:
        # "::" nests decks in Anki, so a title must not contain it.
        title = f"{topic.title.en} · {topic.title.zh}".replace("::", ":")
        deck = genanki.Deck(stable_id(ROOT_DECK, "deck", topic.slug), f"{ROOT_DECK}::{title}")
        for item in topic.items:
            deck.add_note(_note(topic.slug, item))
        decks.append(deck)
    return decks


def write_apkg(topics: list[BankTopic], path: Path, *, timestamp: float) -> int:
    """Write the decks to ``path`` atomically; return the number of notes.

    ``timestamp`` (seconds) stamps the notes: Anki updates a known note when the file's is newer.
    """
    decks = build_decks(topics)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    try:
        _write_package(decks, staging, timestamp)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return sum(len(deck.notes) for deck in decks)


def _write_package(decks: list[genanki.Deck], target: Path, timestamp: float) -> None:
    # genanki's own write_to_file leaves its temporary database behind in /tmp; this one does not.
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            ids = itertools.count(int(timestamp * 1000))
            genanki.Package(decks).write_to_db(connection.cursor(), timestamp, ids)
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            archive.writestr("media", "{}")


def _note(topic: str, item: Item) -> genanki.Note:
    values = [item.id]
    values += [_front(item, lang) for lang in ("zh", "en")]
    values += [_options(item, lang, marked=False) for lang in ("zh", "en")]
    values += [_back(item, lang) for lang in ("zh", "en")]
    tags = [*item.tags, f"topic::{topic}", f"kind::{item.kind}", f"difficulty::{item.difficulty}"]
    return genanki.Note(model=MODEL, fields=values, tags=tags, guid=note_guid(item.id))


def _front(item: Item, lang: str) -> str:
    html = mathjax_html(item.prompt.get(lang))
    if isinstance(item, MultiItem):
        html += f'\n<p class="pick">{LABELS[lang]["pick"]}</p>'
    return html


def _options(item: Item, lang: str, *, marked: bool) -> str:
    if not isinstance(item, ChoiceItem | MultiItem):
        return ""
    rows = []
    for choice in item.choices:
        text = mathjax_html(choice.text_in(lang), inline=True)
        if marked:
            mark, css = ("✓", "correct") if choice.correct else ("✗", "wrong")
            why = mathjax_html(choice.why.get(lang), inline=True)
            text = f'{mark} {text}<br><span class="why">{why}</span>'
            rows.append(f'<li class="{css}">{text}</li>')
        else:
            rows.append(f"<li>{text}</li>")
    return '<ol class="options" type="A">' + "".join(rows) + "</ol>"


def _back(item: Item, lang: str) -> str:
    parts = [_options(item, lang, marked=True)]
    if isinstance(item, NumericItem):
        unit = item.unit if isinstance(item.unit, str | None) else item.unit.get(lang)
        parts.append(_value(lang, item.value, unit, item.tolerance))
    if isinstance(item, ComputedItem):
        parts.append(_worked(item, lang))
    if item.answer is not None:
        parts.append(mathjax_html(item.answer.get(lang)))
    if item.key_points:
        points = "".join(f"<li>{mathjax_html(p.get(lang), inline=True)}</li>" for p in item.key_points)
        parts.append(
            f'<p><strong>{LABELS[lang]["points"]}</strong></p>\n<ul class="key-points">{points}</ul>'
        )
    return "\n".join(part for part in parts if part)


def _value(lang: str, value: Any, unit: str | None, tolerance: float) -> str:
    # An engine answer may be text (a shape like "(1, C, 1, 1)"): escape like any other text.
    shown = escape(", ".join(str(v) for v in value) if isinstance(value, list) else str(value))
    if unit:
        shown += f" {escape(unit)}"
    if tolerance:
        shown += f" (± {tolerance:g})"
    return f'<p class="value"><strong>{LABELS[lang]["value"]}</strong> {shown}</p>'


def _worked(item: ComputedItem, lang: str) -> str:
    """The explain engine's answer for the item's own parameters, step by step."""
    solution = item_solution(item.model_dump(mode="json", exclude_none=True))
    steps = []
    for step in solution["steps"]:
        latex = f"<div>\\[{escape(step['latex'])}\\]</div>" if step.get("latex") else ""
        steps.append(f"<li>{escape(step[lang])}{latex}</li>")
    value = _value(lang, solution["graded"], None, 0.0)
    return (
        f'{value}\n<p><strong>{LABELS[lang]["steps"]}</strong></p>\n<ol class="steps">{"".join(steps)}</ol>'
    )
