"""Shapes of the admin API: questions as stored (retired ones too), writes, revisions, errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.admin.models import QuestionRevision
from app.admin.validation import FieldError
from app.bank.models import Question
from app.bank.schemas import TextPublic

TopicSlug = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Note = Annotated[str, Field(max_length=200, description="Why the change was made (kept in the history)")]
ItemData = Annotated[
    dict[str, Any],
    Field(
        description="The item exactly as written in a topic YAML file (fields of app/bank/schema.py); "
        "checked with the same rules and messages as `deepprep check`",
        examples=[
            {
                "id": "norm-ln-axis",
                "kind": "open",
                "difficulty": 2,
                "prompt": {
                    "zh": "LayerNorm 在哪些维度上统计？",
                    "en": "Over which axes does LayerNorm normalise?",
                },
                "answer": {"zh": "每个样本的特征维度。", "en": "Each sample's feature axes."},
                "key_points": [{"zh": "按样本", "en": "per sample"}],
            }
        ],
    ),
]


class AdminQuestionSummary(BaseModel):
    """A question in the admin list."""

    id: str
    topic: str
    kind: str
    difficulty: int
    prompt: TextPublic
    version: int
    retired: bool
    needs_checking: bool

    @classmethod
    def of(cls, q: Question, *, flagged: bool) -> AdminQuestionSummary:
        """Build from a row."""
        prompt = TextPublic.model_validate(q.body["prompt"])
        return cls(
            id=q.slug,
            topic=q.topic.slug,
            kind=q.kind,
            difficulty=q.difficulty,
            prompt=prompt,
            version=q.version,
            retired=q.retired,
            needs_checking=flagged,
        )


class AdminQuestionPage(BaseModel):
    """One page of the admin list."""

    items: list[AdminQuestionSummary]
    total: int
    page: int
    per_page: int
    pages: int


class AdminQuestion(BaseModel):
    """A whole stored question; send ``version`` back with an update."""

    id: str
    topic: str
    version: int
    retired: bool
    item: dict[str, Any]
    updated_at: datetime

    @classmethod
    def of(cls, q: Question) -> AdminQuestion:
        """Build from a row."""
        return cls(
            id=q.slug,
            topic=q.topic.slug,
            version=q.version,
            retired=q.retired,
            item=q.body,
            updated_at=q.updated_at,
        )


class QuestionCreate(BaseModel):
    """A new item and the topic it belongs to."""

    model_config = ConfigDict(extra="forbid")

    topic: TopicSlug
    item: ItemData
    note: Note = ""


class QuestionUpdate(QuestionCreate):
    """A changed item and the version the change was made on (optimistic concurrency)."""

    version: Annotated[int, Field(ge=1, le=2**31)]


class VersionBody(BaseModel):
    """The version a retire or restore was decided on."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1, le=2**31)]


class Revision(BaseModel):
    """One saved version of a question."""

    version: int
    topic: str
    retired: bool
    author: str | None = Field(description="The admin's email; null for a state imported from YAML")
    note: str
    created_at: datetime
    item: dict[str, Any]

    @classmethod
    def of(cls, revision: QuestionRevision, author: str | None) -> Revision:
        """Build from a row."""
        return cls(
            version=revision.version,
            topic=revision.topic,
            retired=revision.retired,
            author=author,
            note=revision.note,
            created_at=revision.created_at,
            item=revision.body,
        )


class StaleDetail(BaseModel):
    """Someone saved the question since your version: nothing was written."""

    message: str
    current_version: int
    diff: str = Field(description="Unified diff from the saved version to yours (YAML)")


class StaleResponse(BaseModel):
    """A 409 answer."""

    detail: StaleDetail


# ``choices[2].why.en`` → choices, 2, why, en (only ASCII digits in brackets are list indexes).
_PATH_PART = re.compile(r"\[([0-9]+)\]|([^.\[\]]+)")


def validation_detail(errors: list[FieldError]) -> list[dict[str, Any]]:
    """Bank-rule errors in FastAPI's 422 shape, located inside the request's ``item``."""
    detail = []
    for error in errors:
        path: list[str | int] = [
            int(index) if index else key for index, key in _PATH_PART.findall(error.field)
        ]
        where = (
            ["body", "topic"]
            if path == ["topic"] and error.message.startswith("unknown topic")
            else ["body", "item", *path]
        )
        detail.append({"loc": where, "msg": error.message, "type": "bank_rule"})
    return detail
