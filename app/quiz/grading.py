"""Grade a learner's answer to any item kind. Pure functions over the item's JSON body."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.explain.engine.base import same_answer

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SEPARATORS = re.compile(r"^[\s,;×xX*\[\]()（），；]*$")


class UnreadableAnswer(ValueError):
    """The learner's text is not a number or list of numbers."""


@dataclass(frozen=True)
class Grade:
    """Whether the answer is right, a score in [0, 1], and which options were picked."""

    correct: bool
    score: float
    selected: frozenset[int] = field(default_factory=frozenset)
    expected: Any = None


def parse_numbers(text: str) -> list[float]:
    """``"112, 112"``, ``"[112 112]"``, ``"112×112"`` or ``"0.25"`` → list of floats."""
    numbers = _NUMBER.findall(text)
    if not numbers or not _SEPARATORS.match(_NUMBER.sub("", text)):
        raise UnreadableAnswer(text)
    return [float(n) for n in numbers]


def grade_choice(choices: Sequence[dict[str, Any]], selected: Sequence[int]) -> Grade:
    """Right when exactly the correct options are picked; partial credit for multi items."""
    picked = frozenset(i for i in selected if 0 <= i < len(choices))
    right = frozenset(i for i, c in enumerate(choices) if c.get("correct"))
    hits = len(picked & right)
    wrong = len(picked - right)
    score = max(0.0, (hits - wrong) / len(right)) if right else 0.0
    return Grade(
        correct=picked == right,
        score=score if picked != right else 1.0,
        selected=picked,
        expected=sorted(right),
    )


def grade_number(expected: float | list[float], given: str, tolerance: float) -> Grade:
    """Right when every number is within ``tolerance`` (plus float rounding) of the expected."""
    values = parse_numbers(given)
    target = expected if isinstance(expected, list) else [expected]
    ok = len(values) == len(target) and all(
        math.isclose(v, t, rel_tol=1e-9, abs_tol=tolerance + 1e-9)
        for v, t in zip(values, target, strict=True)
    )
    return Grade(correct=ok, score=1.0 if ok else 0.0, expected=expected)


def numeric_answer(answer: Any) -> float | list[float] | None:
    """The number(s) a learner types for an engine answer: a number, or a (nested) list of them.

    Nested lists are read row by row (an attention output ``[[0.2, 0.8]]`` is typed ``0.2, 0.8``);
    answers with other structure, or more numbers than anyone would type, are not auto-graded.
    """
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return float(answer)
    flat = _flatten(answer)
    if flat is None or not 0 < len(flat) <= MAX_TYPED_NUMBERS:
        return None
    return flat


MAX_TYPED_NUMBERS = 16


def _flatten(value: Any) -> list[float] | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return [float(value)]
    if not isinstance(value, list):
        return None
    out: list[float] = []
    for inner in value:
        part = _flatten(inner)
        if part is None:
            return None
        out += part
    return out


def matching_slip(
    distractors: Sequence[dict[str, Any]], given: str, tolerance: float
) -> dict[str, Any] | None:
    """The named slip whose wrong answer the learner gave, so a page can say what went wrong."""
    try:
        numbers = parse_numbers(given)
    except UnreadableAnswer:
        return None
    for slip in distractors:
        wrong = numeric_answer(slip["answer"])
        if wrong is None:
            continue
        if same_answer(numbers, wrong if isinstance(wrong, list) else [wrong], tolerance):
            return dict(slip)
    return None


# Rating suggestions: an answer checked before revealing proposes a rating the learner may change.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
# "Right and fast" earns Easy: quick recall of a fact, more time for a number worked out by hand.
FAST_MS = {"choice": 8_000, "multi": 12_000, "numeric": 20_000, "computed": 30_000}


def suggested_rating(kind: str, *, correct: bool, duration_ms: int | None) -> int:
    """Wrong → Again, right → Good, right within the kind's fast limit → Easy."""
    if not correct:
        return AGAIN
    fast = FAST_MS.get(kind)
    if fast is not None and duration_ms is not None and duration_ms <= fast:
        return EASY
    return GOOD


def rating_for_share(ticked: int, total: int) -> int:
    """The rating that the share of key points covered suggests: all → Good, half → Hard, less → Again."""
    if total <= 0:
        return GOOD
    share = ticked / total
    if share >= 1:
        return GOOD
    return HARD if share >= 0.5 else AGAIN


def rating_for_score(score: float) -> int:
    """A quiz score in [0, 1] as a review rating (what a graded quiz answer feeds the schedule)."""
    if score >= 1:
        return GOOD
    return HARD if score >= 0.5 else AGAIN
