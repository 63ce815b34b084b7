"""Quality gates over the bundled question bank (issue 3): coverage, completeness, no filler."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pytest
import yaml

from app.bank.loader import Bank, LoadedItem
from app.bank.schema import ChoiceItem, MultiItem, NumericItem, OpenItem
from app.bank.source import load
from app.core.config import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "questions"
SHARED_INDEX = PROJECT_ROOT.parent / "shared" / "seed-index.yaml"
_LATEX = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")


@cache
def bank() -> Bank:
    return load(QUESTIONS)


def items_of(kind: type) -> list[LoadedItem]:
    return [i for i in bank().items if isinstance(i.item, kind)]


def en_words(text: str) -> int:
    return len(_EN_WORD.findall(_LATEX.sub(" x ", text)))


def zh_chars(text: str) -> int:
    return len(_CJK.findall(text))


def test_seed_list_matches_the_shared_index() -> None:
    if not SHARED_INDEX.exists():
        pytest.skip(f"{SHARED_INDEX} not present on this machine")
    shared = set(re.findall(r"id: (s\d{3}-\d{2})", SHARED_INDEX.read_text(encoding="utf-8")))
    ours = set(yaml.safe_load((QUESTIONS / "_seeds.yaml").read_text(encoding="utf-8"))["ids"])
    assert ours == shared


def test_every_seed_is_taught() -> None:
    taught = {s for i in bank().items for s in i.item.seeds}
    assert sorted(bank().seed_ids - taught) == []


def test_every_open_seed_is_also_auto_gradable() -> None:
    index = yaml.safe_load(SHARED_INDEX.read_text(encoding="utf-8")) if SHARED_INDEX.exists() else {}
    open_seeds = {e["id"] for entries in index.values() for e in entries if e["kind"] == "open"}
    gradable = {s for i in bank().items if isinstance(i.item, ChoiceItem | MultiItem) for s in i.item.seeds}
    assert sorted(open_seeds - gradable) == []


def test_bank_is_large_enough() -> None:
    assert len(bank().items) >= 200


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_two_items_share_a_prompt(lang: str) -> None:
    prompts = Counter(" ".join(i.item.prompt.get(lang).split()).casefold() for i in bank().items)
    assert [p for p, n in prompts.items() if n > 1] == []


def test_every_item_has_tags() -> None:
    assert [i.item.id for i in bank().items if not i.item.tags] == []


def test_open_items_have_interview_grade_answers() -> None:
    problems = []
    for loaded in items_of(OpenItem):
        item = loaded.item
        assert isinstance(item, OpenItem)
        if not 3 <= len(item.key_points) <= 6:
            problems.append(f"{item.id}: {len(item.key_points)} key points (want 3–6)")
        if not 80 <= en_words(item.answer.en) <= 300:
            problems.append(f"{item.id}: English answer has {en_words(item.answer.en)} words (want 80–300)")
        if not 100 <= zh_chars(item.answer.zh) <= 700:
            problems.append(
                f"{item.id}: Chinese answer has {zh_chars(item.answer.zh)} characters (want 100–700)"
            )
    assert problems == []


def test_choice_items_have_three_to_five_options() -> None:
    bad = [i.item.id for i in items_of(ChoiceItem) + items_of(MultiItem) if not 3 <= len(i.item.choices) <= 5]  # type: ignore[union-attr]
    assert bad == []


def test_numeric_items_show_their_working() -> None:
    thin = [i.item.id for i in items_of(NumericItem) if en_words(i.item.answer.en) < 15]  # type: ignore[union-attr]
    assert thin == []


def test_topics_cover_every_difficulty_band() -> None:
    by_topic: dict[str, set[int]] = {}
    for loaded in bank().items:
        by_topic.setdefault(loaded.topic, set()).add(loaded.item.difficulty)
    narrow = {t: sorted(d) for t, d in by_topic.items() if len(d) < 2}
    assert narrow == {}


def test_glossary_exists_and_is_used() -> None:
    glossary = bank().glossary
    assert glossary is not None
    assert len(glossary.terms) >= 40
    text = "\n".join(
        p.read_text(encoding="utf-8") for p in QUESTIONS.glob("*.yaml") if p.name != "glossary.yaml"
    )
    unused = [t.zh for t in glossary.terms if t.zh not in text]
    assert len(unused) <= len(glossary.terms) // 4


SEEDS_DIR = PROJECT_ROOT.parent / "shared" / "seeds"
_SHINGLE = 16
_NOISE = re.compile(r"[\s，。、；：,.;:！？!?（）()“”\"'《》\-—…]+")


def test_answers_are_written_in_our_own_words() -> None:
    """No answer, reason or key point repeats a 16-character run of the seed documents.

    Prompts are exempt: an interview question may be asked the way the seed asks it.
    """
    if not SEEDS_DIR.exists():
        pytest.skip(f"{SEEDS_DIR} not present on this machine")
    seeds = "".join(_NOISE.sub("", p.read_text(encoding="utf-8")) for p in SEEDS_DIR.glob("*.txt"))
    shingles = {seeds[i : i + _SHINGLE] for i in range(len(seeds) - _SHINGLE)}
    copied = []
    for loaded in bank().items:
        body = loaded.item.model_dump(mode="json", exclude={"prompt"})
        text = _NOISE.sub("", yaml.safe_dump(body, allow_unicode=True))
        runs = {text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE)}
        overlap = sorted(r for r in runs & shingles if _CJK.search(r))
        if overlap:
            copied.append(f"{loaded.item.id}: {overlap[0]}")
    assert copied == []
