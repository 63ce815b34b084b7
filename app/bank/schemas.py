"""API shapes of topics and questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.bank.models import Question, Topic


class TextPublic(BaseModel):
    """A text in Chinese and English."""

    zh: str
    en: str


class TopicPublic(BaseModel):
    """A topic and its number of active questions."""

    slug: str
    title: TextPublic
    description: TextPublic | None = None
    count: int

    @classmethod
    def of(cls, topic: Topic, count: int) -> TopicPublic:
        """Build from a row."""
        return cls(
            slug=topic.slug,
            title=TextPublic(zh=topic.title_zh, en=topic.title_en),
            description=TextPublic.model_validate(topic.description) if topic.description else None,
            count=count,
        )


class ChoicePublic(BaseModel):
    """An option with its correctness and the reason."""

    text: str | TextPublic
    correct: bool
    why: TextPublic


class QuestionSummary(BaseModel):
    """What a list shows: the prompt, not the answer."""

    id: str = Field(description="Stable item id from the bank, e.g. norm-bn-stat-shape")
    topic: str
    kind: str
    difficulty: int
    tags: list[str]
    prompt: TextPublic
    version: int

    @classmethod
    def of(cls, q: Question) -> QuestionSummary:
        """Build from a row."""
        return cls(
            id=q.slug,
            topic=q.topic.slug,
            kind=q.kind,
            difficulty=q.difficulty,
            tags=q.tag_names,
            prompt=TextPublic.model_validate(q.body["prompt"]),
            version=q.version,
        )


class QuestionPublic(QuestionSummary):
    """A whole item, answer fields included."""

    seeds: list[str]
    answer: TextPublic | None = None
    key_points: list[TextPublic] = Field(default_factory=list)
    choices: list[ChoicePublic] | None = None
    value: float | list[float] | None = None
    tolerance: float | None = None
    unit: str | TextPublic | None = None
    calculator: str | None = None
    params: dict[str, Any] | None = None
    ask: str | None = None
    updated_at: datetime

    @classmethod
    def of(cls, q: Question) -> QuestionPublic:
        """Build from a row."""
        summary = QuestionSummary.of(q).model_dump()
        extra = {k: q.body[k] for k in _DETAIL_FIELDS if k in q.body}
        return cls(**summary, **extra, seeds=q.body.get("seeds", []), updated_at=q.updated_at)


_DETAIL_FIELDS = (
    "answer",
    "key_points",
    "choices",
    "value",
    "tolerance",
    "unit",
    "calculator",
    "params",
    "ask",
)


class QuestionPage(BaseModel):
    """One page of a question list."""

    items: list[QuestionSummary]
    total: int
    page: int
    per_page: int
    pages: int
