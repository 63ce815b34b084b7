"""The question-bank YAML schema: one file per topic, a list of items of five kinds.

These pydantic models are the single definition of what a valid bank item is; the loader, the
admin editor and the API all validate through them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SEED_PATTERN = r"^s\d{3}-\d{2}$"
KINDS = ("open", "choice", "multi", "numeric", "computed")
Kind = Literal["open", "choice", "multi", "numeric", "computed"]
_PLACEHOLDERS = re.compile(r"^\s*(?:todo|tbd|fixme|xxx|\.\.\.|…|待补充|待定)\s*$", re.IGNORECASE)


def _real_text(value: str) -> str:
    if not value.strip():
        raise ValueError("empty translation: write the text in this language")
    if _PLACEHOLDERS.match(value):
        raise ValueError(f"placeholder text {value.strip()!r}: write the real text")
    return value


Text = Annotated[str, AfterValidator(_real_text)]


class Strict(BaseModel):
    """Unknown fields are errors: a typo in a key must not silently drop content."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    """The same text in Chinese and in English (Markdown with $LaTeX$)."""

    zh: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en


class Choice(Strict):
    """One option of a choice/multi item; ``why`` says why it is right or wrong."""

    text: Text | Bilingual
    correct: bool = False
    why: Bilingual

    def text_in(self, lang: str) -> str:
        """The option text in ``lang``; plain strings are language-neutral."""
        return self.text if isinstance(self.text, str) else self.text.get(lang)


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=2, max_length=80)]
Tag = Annotated[str, Field(pattern=ID_PATTERN, max_length=40)]
SeedId = Annotated[str, Field(pattern=SEED_PATTERN)]


class ItemBase(Strict):
    """Fields every item has."""

    id: Id
    kind: Kind
    difficulty: int = Field(ge=1, le=5)
    tags: list[Tag] = Field(default_factory=list)
    seeds: list[SeedId] = Field(default_factory=list)
    prompt: Bilingual
    answer: Bilingual | None = None
    key_points: list[Bilingual] = Field(default_factory=list, max_length=8)

    @field_validator("tags", "seeds")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return values


class OpenItem(ItemBase):
    """Answered in words; the learner grades themself against the key points."""

    kind: Literal["open"]
    answer: Bilingual
    key_points: list[Bilingual] = Field(min_length=1, max_length=8)


class _ChoiceBase(ItemBase):
    choices: list[Choice] = Field(min_length=2, max_length=6)

    @field_validator("choices")
    @classmethod
    def _distinct_options(cls, choices: list[Choice]) -> list[Choice]:
        texts = [c.text_in("en") for c in choices]
        if len(set(texts)) != len(texts):
            raise ValueError("two options have the same text")
        return choices


class ChoiceItem(_ChoiceBase):
    """Exactly one option is correct."""

    kind: Literal["choice"]

    @field_validator("choices")
    @classmethod
    def _exactly_one_correct(cls, choices: list[Choice]) -> list[Choice]:
        found = sum(c.correct for c in choices)
        if found != 1:
            raise ValueError(
                f"expected exactly one correct option in a 'choice' item, found {found} "
                "(use kind: multi for several)"
            )
        return choices


class MultiItem(_ChoiceBase):
    """One or more options are correct; the learner must pick exactly those."""

    kind: Literal["multi"]

    @field_validator("choices")
    @classmethod
    def _at_least_one_correct(cls, choices: list[Choice]) -> list[Choice]:
        if not any(c.correct for c in choices):
            raise ValueError("expected at least one correct option in a 'multi' item, found 0")
        return choices


Number = float | int


class NumericItem(ItemBase):
    """A number (or a list of numbers, e.g. a shape) graded within an absolute tolerance."""

    kind: Literal["numeric"]
    value: Number | list[Number]
    tolerance: float = Field(default=0.0, ge=0)
    unit: Text | Bilingual | None = None
    answer: Bilingual


class ComputedItem(ItemBase):
    """The answer comes from an explain-engine calculator; learners get fresh variants."""

    kind: Literal["computed"]
    calculator: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    params: dict[str, Any] = Field(default_factory=dict)
    # Which quantity of the calculator's answer the question asks for (None: the default one).
    ask: str | None = None


Item = OpenItem | ChoiceItem | MultiItem | NumericItem | ComputedItem
ITEM_MODELS: dict[str, type[ItemBase]] = {
    "open": OpenItem,
    "choice": ChoiceItem,
    "multi": MultiItem,
    "numeric": NumericItem,
    "computed": ComputedItem,
}


class TopicHeader(Strict):
    """The top of a topic file; ``items`` are validated one by one by the loader."""

    topic: Id
    title: Bilingual
    description: Bilingual | None = None
    items: list[dict[str, Any]] = Field(min_length=1)


class GlossaryTerm(Strict):
    """One zh ↔ en term pair used across the bank."""

    zh: Text
    en: Text
    note: Bilingual | None = None


class Glossary(Strict):
    """``questions/glossary.yaml``."""

    terms: list[GlossaryTerm] = Field(min_length=1)
