"""The explain-engine contract: calculators that solve, show their working, check and vary.

Pure core: NumPy and pydantic only. Every value a calculator returns is plain JSON data
(ints, floats, lists, dicts, strings) so the API, the CLI and the bank can pass it on unchanged.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema


@dataclass(frozen=True)
class Text:
    """A sentence in Chinese and English."""

    zh: str
    en: str


@dataclass(frozen=True)
class Step:
    """One line of the worked answer; ``latex`` holds the formula when one helps."""

    zh: str
    en: str
    latex: str | None = None


@dataclass(frozen=True)
class Check:
    """An independent verification of the answer, e.g. the shape of a real NumPy convolution."""

    method: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Solution:
    """The answer (plain JSON data) with its worked steps and checks."""

    answer: Any
    steps: list[Step]
    checks: list[Check]


@dataclass(frozen=True)
class Slip:
    """A wrong answer produced by a named, common mistake."""

    name: str
    label: Text
    why: Text
    answer: Any


@dataclass(frozen=True)
class Variant:
    """A generated question: fresh parameters, its prompt, answer, working and distractors."""

    name: str
    seed: int
    ask: str
    params: dict[str, Any]
    prompt: Text
    answer: Any
    tolerance: float
    solution: Solution
    distractors: list[Slip] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = plain(asdict(self))
        return data


class InvalidParams(ValueError):
    """Parameters break a rule; ``errors`` are (parameter, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors))
        self.errors = errors


class Params(BaseModel):
    """Base of every calculator's parameter model: unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=Params)


class Calculator(ABC, Generic[P]):
    """One kind of computable interview question."""

    name: ClassVar[str]
    title: ClassVar[Text]
    params_model: ClassVar[type[Params]]
    # Quantities a question can ask for; "answer" means the whole answer.
    asks: ClassVar[tuple[str, ...]] = ("answer",)
    # Absolute tolerance when grading a learner's number against the answer.
    tolerance: ClassVar[float] = 0.0

    def validate(self, p: P) -> list[tuple[str, str]]:
        """Rules across parameters, as (parameter, message) pairs; empty when valid."""
        return []

    @abstractmethod
    def solve(self, p: P) -> Solution:
        """The answer, worked steps and checks for valid parameters."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, template: P | None) -> P:
        """Fresh valid parameters, in the spirit of ``template`` when one is given."""

    @abstractmethod
    def prompt(self, p: P, ask: str) -> Text:
        """The question text for these parameters."""

    @abstractmethod
    def slips(self, p: P, ask: str) -> list[Slip]:
        """Wrong answers from named slips, most common first (may include the right answer)."""

    def pick(self, answer: Any, ask: str) -> Any:
        """The part of ``answer`` a question asking for ``ask`` is graded on."""
        return answer if ask == "answer" else answer[ask]


# ---- shared parameter types -------------------------------------------------------------


def to_pair(value: Any) -> Any:
    """An int means a square size; a two-element list means [height, width]."""
    if isinstance(value, bool):
        raise ValueError("expected an integer or a pair [height, width], got a boolean")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (value, value)
    if isinstance(value, list | tuple) and len(value) != 2:
        raise ValueError(f"expected an integer or a pair [height, width], got {len(value)} values")
    return value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    return value


PositiveInt = Annotated[int, Field(ge=1, le=100_000), BeforeValidator(_no_bool)]
NonNegativeInt = Annotated[int, Field(ge=0, le=100_000), BeforeValidator(_no_bool)]


def _size_schema(minimum: int) -> dict[str, Any]:
    # What clients may send (an int or [height, width]), not just the pair validation produces.
    number = {"type": "integer", "minimum": minimum, "maximum": 100_000}
    pair = {"type": "array", "items": number, "minItems": 2, "maxItems": 2}
    return {"anyOf": [number, pair]}


Pair = Annotated[
    tuple[PositiveInt, PositiveInt],
    BeforeValidator(to_pair),
    WithJsonSchema(_size_schema(1), mode="validation"),
]
NonNegativePair = Annotated[
    tuple[NonNegativeInt, NonNegativeInt],
    BeforeValidator(to_pair),
    WithJsonSchema(_size_schema(0), mode="validation"),
]


# ---- helpers ----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Convert NumPy scalars/arrays and tuples to JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value
    return value


def size_text(pair: tuple[int, int] | list[int]) -> str:
    """``(224, 224)`` → ``224×224``."""
    return f"{pair[0]}×{pair[1]}"


def same_answer(a: Any, b: Any, tolerance: float = 0.0) -> bool:
    """Structural equality of two answers, numbers compared within ``tolerance``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_answer(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_answer(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(a), abs(b))
    return bool(a == b)
