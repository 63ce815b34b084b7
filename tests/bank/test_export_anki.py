"""Anki export (issue 8.5): decks open in a real Anki collection, and re-imports update notes.

The ``anki`` package (AGPL) is a test-only dependency: it opens what genanki wrote, exactly as the
desktop app would import it. App code never imports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from app.bank.export_anki import MODEL, build_decks, mathjax_html, note_guid, write_apkg
from app.bank.export_yaml import BankTopic, item_from_body, topics_from_bank
from app.bank.loader import load_bank
from app.bank.schema import Item

FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = 1_700_000_000.0


def fixture_topics(name: str = "bank") -> list[BankTopic]:
    return topics_from_bank(load_bank(FIXTURES / name))


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection on disk."""
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col: Collection, path: Path) -> None:
    """What Anki's File → Import does with default options (update notes if newer)."""
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    col.import_anki_package(request)


def notes_by_id(col: Collection) -> dict[str, dict[str, object]]:
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        found[note["Id"]] = {"guid": note.guid, "tags": sorted(note.tags), **dict(note.items())}
    return found


def edited(item: Item, prompt_en: str) -> Item:
    body = item.model_dump(mode="json")
    return item_from_body({**body, "prompt": {**body["prompt"], "en": prompt_en}})


def test_the_deck_opens_in_a_real_anki_collection(collection: Collection, tmp_path: Path) -> None:
    assert write_apkg(fixture_topics(), tmp_path / "bank.apkg", timestamp=T0) == 5
    import_apkg(collection, tmp_path / "bank.apkg")
    notes = notes_by_id(collection)
    assert sorted(notes) == ["fx-choice", "fx-computed", "fx-multi", "fx-numeric", "fx-open"]
    choice = notes["fx-choice"]
    assert choice["guid"] == note_guid("fx-choice")
    assert choice["tags"] == ["alpha", "difficulty::1", "kind::choice", "topic::basics"]
    assert (choice["PromptZh"], choice["PromptEn"]) == (
        "<p>哪个是质数？</p>",
        "<p>Which number is prime?</p>",
    )
    assert '<li class="correct">✓ 7<br><span class="why">Its only divisors are 1 and 7.</span></li>' in str(
        choice["AnswerEn"]
    )
    assert notes["fx-open"]["PromptEn"] == r"<p>Explain \(e^{i\pi}+1=0\).</p>"
    assert sorted(collection.decks.all_names()) == [
        "Default",
        "deepprep",
        "deepprep::Basics · 基础",
        "deepprep::Numbers · 数字",
    ]
    assert len(collection.find_cards('"deck:deepprep::Numbers · 数字"')) == 2
    assert len(collection.find_notes("tag:kind::multi")) == 1


def test_a_newer_export_updates_the_notes_instead_of_adding_copies(
    collection: Collection, tmp_path: Path
) -> None:
    basics, numbers = fixture_topics()
    write_apkg([basics, numbers], tmp_path / "v1.apkg", timestamp=T0)
    import_apkg(collection, tmp_path / "v1.apkg")
    changed = dataclasses.replace(
        basics, items=(edited(basics.items[0], "Which one is prime?"), *basics.items[1:])
    )
    write_apkg([changed, numbers], tmp_path / "v2.apkg", timestamp=T0 + 60)
    import_apkg(collection, tmp_path / "v2.apkg")
    write_apkg([numbers], tmp_path / "numbers.apkg", timestamp=T0 + 120)  # one topic alone
    import_apkg(collection, tmp_path / "numbers.apkg")
    notes = notes_by_id(collection)
    assert len(notes) == 5
    assert notes["fx-choice"]["PromptEn"] == "<p>Which one is prime?</p>"
    assert len(collection.find_cards("")) == 5


def test_ids_are_pinned_so_every_export_updates_the_same_notes() -> None:
    # Changing any of these would make Anki users' next import duplicate every note.
    decks = build_decks(fixture_topics())
    assert [(d.deck_id, d.name) for d in decks] == [
        (2034812406, "deepprep::Basics · 基础"),
        (1336606107, "deepprep::Numbers · 数字"),
    ]
    assert MODEL.model_id == 2140655128
    assert [n.guid for n in decks[0].notes] == ["qA5v9?N6nw", "D93ba!Jc+p", "ww_A{r?]q~"]
    assert [n.guid for n in build_decks(fixture_topics())[0].notes] == [n.guid for n in decks[0].notes]


def test_math_becomes_mathjax_delimiters() -> None:
    assert mathjax_html("If $a<b$ then\n\n$$\n\\frac{a}{b}\n$$") == (
        "<p>If \\(a&lt;b\\) then</p>\n<div>\\[\\frac{a}{b}\\]</div>"
    )
    assert mathjax_html("$$x^2$$ in a line", inline=True) == "\\[x^2\\] in a line"


def test_the_back_shows_options_values_units_and_the_worked_answer() -> None:
    layers, shapes = fixture_topics("bank_export")
    fields = {
        d.notes[i].fields[0]: d.notes[i].fields
        for d in build_decks([layers, shapes])
        for i in range(len(d.notes))
    }
    multi = fields["ex-multi"]
    assert multi[1] == '<p>哪些层没有可学习的参数？</p>\n<p class="pick">（选出所有正确选项）</p>'
    assert multi[4] == (
        '<ol class="options" type="A"><li>Max pooling</li><li>ReLU</li><li>Dropout</li>'
        "<li>Convolution</li><li>BatchNorm</li></ol>"
    )
    assert fields["ex-shape"][6].startswith(
        '<p class="value"><strong>Answer:</strong> 96, 55, 55 channels × pixels × pixels</p>'
    )
    assert fields["ex-size"][5].startswith(
        '<p class="value"><strong>答案：</strong> 12.442624 MB (± 0.001)</p>'
    )
    macs = fields["ex-macs"][6]
    assert macs.startswith('<p class="value"><strong>Answer:</strong> 105415200</p>')
    assert '<ol class="steps"><li>' in macs and "\\[" in macs
    assert fields["ex-open"][6].endswith(
        '<ul class="key-points"><li>Training uses batch statistics</li><li>Inference uses the running '
        "averages accumulated in training, so each output depends on one sample only</li></ul>"
    )
