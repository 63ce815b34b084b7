"""How an item is shown and graded in review, quiz and interview. Pure: item JSON and a seed in.

The seed fixes one presentation: the shuffled option order and, for computed items, the generated
variant. Keeping the seed in a form or an attempt row makes the page reproducible when it is graded.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from app.explain import service as explain_service
from app.quiz import grading

Input = Literal["choice", "multi", "number", "text"]


@dataclass(frozen=True)
class Option:
    """One option as shown; ``index`` is its place in the item (what answers refer to)."""

    index: int
    text: Any
    correct: bool
    why: dict[str, str] | None = None


@dataclass(frozen=True)
class RubricPoint:
    """A point an answer in words should make; ``derived`` when the item has no key points."""

    text: dict[str, str]
    derived: bool = False


@dataclass(frozen=True)
class Presentation:
    """An item ready to show: prompt, options in display order, the expected number(s)."""

    body: dict[str, Any]
    seed: int
    input: Input
    prompt: dict[str, str]
    options: list[Option] = field(default_factory=list)
    variant: dict[str, Any] | None = None
    expected: Any = None
    tolerance: float = 0.0
    rubric: list[RubricPoint] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The item's kind."""
        return str(self.body["kind"])


@dataclass(frozen=True)
class Response:
    """What a learner answered: picked option indices, typed text, key points ticked."""

    choice: list[int] | None = None
    text: str | None = None
    points: list[int] | None = None

    def to_json(self) -> dict[str, Any]:
        """Stored in ``attempt.answer``."""
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class Outcome:
    """A graded response; ``slip`` names the common mistake behind a wrong number."""

    correct: bool
    score: float
    selected: frozenset[int] = frozenset()
    unreadable: bool = False
    slip: dict[str, Any] | None = None


def present(body: dict[str, Any], seed: int) -> Presentation:
    """The presentation of ``body`` for ``seed``."""
    kind = body["kind"]
    rubric = _rubric(body)
    if kind in ("choice", "multi"):
        options = [
            Option(i, c["text"], bool(c.get("correct")), c.get("why")) for i, c in enumerate(body["choices"])
        ]
        return Presentation(body, seed, kind, body["prompt"], _shuffled(options, seed), rubric=rubric)
    if kind == "numeric":
        return Presentation(
            body,
            seed,
            "number",
            body["prompt"],
            expected=body["value"],
            tolerance=body.get("tolerance", 0.0),
            rubric=rubric,
        )
    if kind == "computed":
        return _computed(body, seed)
    return Presentation(body, seed, "text", body["prompt"], rubric=rubric)


def _computed(body: dict[str, Any], seed: int) -> Presentation:
    variant = explain_service.item_variant(body, seed).to_dict()
    prompt = variant["prompt"]
    expected = grading.numeric_answer(variant["answer"])
    rubric = [RubricPoint(_same(_show(variant["answer"])), derived=True)]
    if expected is not None:
        return Presentation(
            body,
            seed,
            "number",
            prompt,
            variant=variant,
            expected=expected,
            tolerance=variant["tolerance"],
            rubric=rubric,
        )
    # An answer that is not a number (a shape table, a word): choose it among the named slips.
    answers = [variant["answer"], *(d["answer"] for d in variant["distractors"])]
    unique = [a for i, a in enumerate(answers) if a not in answers[:i]]
    options = [Option(i, _show(a), i == 0) for i, a in enumerate(unique)]
    return Presentation(body, seed, "choice", prompt, _shuffled(options, seed), variant, rubric=rubric)


def grade(p: Presentation, response: Response) -> Outcome:
    """Grade ``response``; open items (and interviews) score the share of rubric points ticked."""
    if p.input in ("choice", "multi"):
        choices = [{"correct": o.correct} for o in sorted(p.options, key=lambda o: o.index)]
        g = grading.grade_choice(choices, response.choice or [])
        return Outcome(g.correct, g.score, g.selected)
    if p.input == "number":
        return _grade_number(p, response.text or "")
    return grade_points(p, response.points or [])


def grade_points(p: Presentation, points: list[int]) -> Outcome:
    """Self-assessment: the share of rubric points the answer covered; half or more passes."""
    ticked = len({i for i in points if 0 <= i < len(p.rubric)})
    score = ticked / len(p.rubric) if p.rubric else 0.0
    return Outcome(correct=score >= 0.5, score=score)


def _grade_number(p: Presentation, text: str) -> Outcome:
    if not text.strip():
        return Outcome(False, 0.0)
    try:
        g = grading.grade_number(p.expected, text, p.tolerance)
    except grading.UnreadableAnswer:
        return Outcome(False, 0.0, unreadable=True)
    slip = None
    if not g.correct and p.variant is not None:
        slip = grading.matching_slip(p.variant["distractors"], text, p.tolerance)
    return Outcome(g.correct, g.score, slip=slip)


def _rubric(body: dict[str, Any]) -> list[RubricPoint]:
    points = [RubricPoint(dict(k)) for k in body.get("key_points", [])]
    if points:
        return points
    kind = body["kind"]
    if kind in ("choice", "multi"):
        right = [c["text"] for c in body["choices"] if c.get("correct")]
        texts = [_same(t) if isinstance(t, str) else t for t in right]
        return [RubricPoint({lang: " · ".join(t[lang] for t in texts) for lang in ("zh", "en")}, True)]
    if kind == "numeric":
        return [RubricPoint(_same(_show(body["value"])), derived=True)]
    return []


def _shuffled(options: list[Option], seed: int) -> list[Option]:
    order = list(options)
    random.Random(seed).shuffle(order)
    return order


def _show(value: Any) -> str:
    """A value as compact text: 112, [112, 112] → 112 × 112, other data as JSON."""
    numbers = grading.numeric_answer(value)
    if isinstance(numbers, list):
        return " × ".join(_number(v) for v in numbers)
    if numbers is not None:
        return _number(numbers)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _same(text: str) -> dict[str, str]:
    return {"zh": text, "en": text}
