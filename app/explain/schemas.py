"""API shapes of the explain engine."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TextPublic(BaseModel):
    """A text in Chinese and English."""

    zh: str
    en: str


class CalculatorPublic(BaseModel):
    """A calculator: its name, title, parameter JSON Schema and defaults."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    name: str
    title: TextPublic
    params_schema: dict[str, Any] = Field(alias="schema")
    defaults: dict[str, Any]
    asks: list[str]


class StepPublic(BaseModel):
    """One line of the worked answer."""

    zh: str
    en: str
    latex: str | None = None


class CheckPublic(BaseModel):
    """An independent verification of the answer."""

    method: str
    passed: bool
    detail: str


class SolutionPublic(BaseModel):
    """A worked answer."""

    name: str
    params: dict[str, Any]
    answer: Any
    steps: list[StepPublic]
    checks: list[CheckPublic]


class SlipPublic(BaseModel):
    """A wrong answer from a named, common slip."""

    name: str
    label: TextPublic
    why: TextPublic
    answer: Any


class VariantPublic(BaseModel):
    """A generated question with its answer, working and distractors."""

    name: str
    seed: int
    ask: str
    params: dict[str, Any]
    prompt: TextPublic
    answer: Any
    tolerance: float
    solution: dict[str, Any]
    steps: list[StepPublic]
    checks: list[CheckPublic]
    distractors: list[SlipPublic]
