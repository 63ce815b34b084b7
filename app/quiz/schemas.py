"""Quiz settings, the per-user defaults, and the JSON API's shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from app.bank.schema import Kind
from app.srs.schemas import DurationMs


def _whole(value: Any) -> Any:
    """Refuse ``true`` and ``"3"`` where JSON Schema says integer; accept ``3.0``, which it allows."""
    if isinstance(value, bool | str):
        raise ValueError("must be an integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Slug = Annotated[str, Field(max_length=80, pattern=r"^[a-z0-9-]+$")]
Mode = Literal["quiz", "interview"]
Layout = Literal["one", "all"]
Feedback = Literal["immediate", "end"]
Whole = BeforeValidator(_whole)
# Bounds first so the schema shows minimum/maximum; the strict check runs before them.
Count = Annotated[int, Field(ge=1, le=50), Whole]
Level = Annotated[int, Field(ge=1, le=5), Whole]
Seconds = Annotated[int, Field(ge=5, le=3600), Whole]
OptionIndex = Annotated[int, Field(ge=0, le=20), Whole]
Position = Annotated[int, Field(ge=0, le=49), Whole]
INTERVIEW_COUNT = 8
INTERVIEW_SECONDS = 180


class QuizDefaults(BaseModel):
    """A learner's quiz preferences, kept in ``User.settings["quiz"]``."""

    model_config = ConfigDict(extra="ignore")

    count: Count = 10
    layout: Layout = "one"
    feedback: Feedback = "immediate"
    feeds_schedule: StrictBool = False
    interview_count: Count = INTERVIEW_COUNT
    interview_seconds: Seconds = INTERVIEW_SECONDS


class QuizConfig(BaseModel):
    """What a quiz asks and how it runs (stored with the quiz)."""

    model_config = ConfigDict(extra="forbid")

    topics: list[Slug] = Field(default_factory=list, max_length=50, description="empty: every topic")
    kinds: list[Kind] = Field(default_factory=list, max_length=5, description="empty: every kind")
    count: Count = 10
    difficulty_min: Level = 1
    difficulty_max: Level = 5
    layout: Layout = "one"
    feedback: Feedback = "immediate"
    feeds_schedule: bool = False
    seconds_per_question: Seconds = INTERVIEW_SECONDS

    @model_validator(mode="after")
    def _ordered_levels(self) -> QuizConfig:
        if self.difficulty_min > self.difficulty_max:
            raise ValueError("difficulty_min must not exceed difficulty_max")
        return self


class QuizCreate(BaseModel):
    """A new quiz or interview; fields left out take the learner's defaults (a difficulty range
    given the wrong way round is read the right way round)."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = "quiz"
    topics: list[Slug] = Field(default_factory=list, max_length=50)
    kinds: list[Kind] = Field(default_factory=list, max_length=5)
    count: Count | None = None
    difficulty_min: Level = 1
    difficulty_max: Level = 5
    layout: Layout | None = None
    feedback: Feedback | None = None
    feeds_schedule: StrictBool | None = None
    seconds_per_question: Seconds | None = None


class AnswerIn(BaseModel):
    """An answer: picked options (choice, multi), text (numbers, words), key points ticked (open)."""

    model_config = ConfigDict(extra="forbid")

    choice: list[OptionIndex] | None = Field(None, max_length=20)
    text: str | None = Field(None, max_length=5000)
    points: list[OptionIndex] | None = Field(None, max_length=20)
    duration_ms: DurationMs | None = None


class PointsIn(BaseModel):
    """The key points one interview answer covered."""

    model_config = ConfigDict(extra="forbid")

    position: Position
    points: list[OptionIndex] = Field(default_factory=list, max_length=20)


class GradeIn(BaseModel):
    """Self-assessment of a finished interview."""

    model_config = ConfigDict(extra="forbid")

    grades: list[PointsIn] = Field(max_length=50)


class OptionPublic(BaseModel):
    """An option in display order; ``index`` is what an answer sends."""

    index: int
    text: Any
    correct: bool | None = None
    why: dict[str, str] | None = None


class AttemptPublic(BaseModel):
    """One question of a quiz; the solution fields appear once feedback is due."""

    position: int
    question_id: str
    topic: str
    kind: str
    difficulty: int
    input: str
    prompt: dict[str, str]
    options: list[OptionPublic]
    rubric: list[dict[str, str]] | None = None
    answered: bool
    answer: dict[str, Any] | None = None
    correct: bool | None = None
    score: float | None = None
    duration_ms: int | None = None
    expected: Any = None
    model_answer: dict[str, str] | None = None
    slip: dict[str, Any] | None = None


class QuizPublic(BaseModel):
    """A quiz or interview with its questions."""

    id: int
    mode: str
    config: QuizConfig
    created_at: datetime
    finished_at: datetime | None
    score: float | None
    attempts: list[AttemptPublic]


class QuizSummary(BaseModel):
    """A line of the history."""

    id: int
    mode: str
    created_at: datetime
    finished_at: datetime | None
    questions: int
    answered: int
    correct: int
    score: float | None
    total_ms: int
