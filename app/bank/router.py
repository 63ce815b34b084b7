"""Read API of the bank: /api/v1/topics and /api/v1/questions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from app.bank import service
from app.bank.schemas import QuestionPage, QuestionPublic, QuestionSummary, TopicPublic
from app.core.deps import SessionDep

router = APIRouter(prefix="/api/v1", tags=["bank"])
Slug = Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9-]+$")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such question"}}


@router.get("/topics")
def list_topics(session: SessionDep) -> list[TopicPublic]:
    """Every topic with its number of questions."""
    return [TopicPublic.of(t, n) for t, n in service.list_topics(session)]


@router.get("/questions")
def list_questions(
    session: SessionDep,
    topic: Slug | None = None,
    tag: Slug | None = None,
    kind: Literal["open", "choice", "multi", "numeric", "computed"] | None = None,
    difficulty: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str | None, Query(max_length=200, description="words searched in both languages")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> QuestionPage:
    """Questions filtered by topic, tag, kind, difficulty and text; paginated."""
    filters = service.QuestionFilter(topic=topic, tag=tag, kind=kind, difficulty=difficulty, q=q)
    result = service.list_questions(session, filters=filters, page=page, per_page=per_page)
    return QuestionPage(
        items=[QuestionSummary.of(x) for x in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.get("/questions/{question_id}", responses=NOT_FOUND)
def get_question(
    session: SessionDep,
    question_id: Annotated[str, Path(max_length=80)],
) -> QuestionPublic:
    """One question with its answer, key points and option reasons."""
    question = service.get_question(session, slug=question_id)
    if question is None:
        raise HTTPException(404, f"No question with id {question_id!r}")
    return QuestionPublic.of(question)
