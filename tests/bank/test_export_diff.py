"""The upload preview's diff (issue 8.4): added, changed with a unified diff, removed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from app.bank.diff import diff_banks
from app.bank.export_yaml import BankTopic, item_from_body, topics_from_bank
from app.bank.loader import load_bank
from app.bank.schema import Bilingual

FIXTURE_BANK = Path(__file__).parents[1] / "fixtures" / "bank"


def fixture_topics() -> list[BankTopic]:
    return topics_from_bank(load_bank(FIXTURE_BANK))


def with_items(topic: BankTopic, bodies: list[dict[str, Any]]) -> BankTopic:
    return dataclasses.replace(topic, items=tuple(item_from_body(b) for b in bodies))


def bodies(topic: BankTopic) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in topic.items]


def test_the_same_bank_has_no_changes() -> None:
    result = diff_banks(fixture_topics(), fixture_topics())
    assert result.empty
    assert (result.added, result.changed, result.removed, result.changed_topics) == ([], [], [], [])


def test_a_changed_item_comes_with_a_unified_diff_of_its_yaml() -> None:
    basics, numbers = fixture_topics()
    edited = bodies(basics)
    edited[0]["prompt"]["en"] = "Which one is prime?"
    result = diff_banks([basics, numbers], [with_items(basics, edited), numbers])
    assert [c.id for c in result.changed] == ["fx-choice"]
    assert result.changed[0].diff == (
        "--- fx-choice (current)\n"
        "+++ fx-choice (incoming)\n"
        "@@ -4,7 +4,7 @@\n"
        " difficulty: 1\n"
        " tags: [alpha]\n"
        " seeds: [s001-15]\n"
        "-prompt: {zh: 哪个是质数？, en: 'Which number is prime?'}\n"
        "+prompt: {zh: 哪个是质数？, en: 'Which one is prime?'}\n"
        " choices:\n"
        "   - text: '4'\n"
        "     why: {zh: 4 = 2×2。, en: 4 = 2×2.}\n"
    )
    assert (result.added, result.removed) == ([], [])


def test_added_and_removed_items_are_listed_in_bank_order() -> None:
    basics, numbers = fixture_topics()
    new = {**bodies(basics)[2], "id": "fx-open-2"}
    incoming = [with_items(basics, [*bodies(basics)[1:], new]), numbers]
    result = diff_banks([basics, numbers], incoming)
    assert (result.added, result.removed, result.changed) == (["fx-open-2"], ["fx-choice"], [])


def test_key_order_and_spelled_out_defaults_are_not_changes() -> None:
    basics, numbers = fixture_topics()
    reordered = [dict(reversed(list(b.items()))) for b in bodies(basics)]
    assert list(reordered[1])[:2] == ["choices", "key_points"]  # reversed, defaults spelled out
    assert (reordered[1]["seeds"], reordered[1]["choices"][1]["correct"]) == ([], False)
    assert diff_banks([basics, numbers], [with_items(basics, reordered), numbers]).empty


def test_moving_an_item_to_another_topic_is_a_change() -> None:
    basics, numbers = fixture_topics()
    moved = bodies(basics)[2]
    incoming = [with_items(basics, bodies(basics)[:2]), with_items(numbers, [*bodies(numbers), moved])]
    result = diff_banks([basics, numbers], incoming)
    assert [c.id for c in result.changed] == ["fx-open"]
    assert "-# topic: basics\n+# topic: numbers\n" in result.changed[0].diff


def test_a_new_topic_title_is_reported() -> None:
    basics, numbers = fixture_topics()
    renamed = dataclasses.replace(numbers, title=Bilingual(zh="数字", en="Numbers and units"))
    result = diff_banks([basics, numbers], [basics, renamed])
    assert (result.changed_topics, result.changed, result.empty) == (["numbers"], [], False)


def test_one_uploaded_topic_is_compared_with_that_topic_only() -> None:
    basics, numbers = fixture_topics()
    result = diff_banks([basics], [basics])
    assert result.empty  # the other topic's items are not "removed"
    assert diff_banks([basics, numbers], [basics]).removed == ["fx-numeric", "fx-computed"]
