"""Search and browse the bank: full text in both languages plus topic, tag, kind and difficulty."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.bank.models import Question, QuestionTag, Topic
from app.core import search

PER_PAGE = 20


@dataclass(frozen=True)
class Query:
    """What the learner searches for; empty fields do not filter."""

    q: str = ""
    topic: str = ""
    tag: str = ""
    kind: str = ""
    difficulty: int | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is asked (the page then lists the whole bank)."""
        return not (self.q.strip() or self.topic or self.tag or self.kind or self.difficulty)


@dataclass(frozen=True)
class Results:
    """One page of matches; ``ranked`` when ordered by full-text relevance rather than bank order."""

    items: list[Question]
    total: int
    page: int
    pages: int
    ranked: bool


def find(session: Session, *, query: Query, page: int, per_page: int = PER_PAGE) -> Results:
    """Active questions matching every word of ``query.q`` and every filter, one page of them."""
    stmt = select(Question).join(Topic, Question.topic_id == Topic.id).where(Question.retired.is_(False))
    stmt = _filtered(stmt, query)
    fts, likes = search.matches(session, query.q, text_column=Question.search_text)
    stmt = stmt.where(*likes)
    if fts is not None:
        stmt = stmt.join(fts, fts.c.rowid == Question.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = (fts.c.rank,) if fts is not None else ()
    rows = session.scalars(
        stmt.order_by(*order, Topic.position, Question.position).offset((page - 1) * per_page).limit(per_page)
    )
    return Results(list(rows), total, page, max(1, -(-total // per_page)), fts is not None)


def _filtered(stmt: Select[tuple[Question]], query: Query) -> Select[tuple[Question]]:
    if query.topic:
        stmt = stmt.where(Topic.slug == query.topic)
    if query.kind:
        stmt = stmt.where(Question.kind == query.kind)
    if query.difficulty:
        stmt = stmt.where(Question.difficulty == query.difficulty)
    if query.tag:
        stmt = stmt.where(
            Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == query.tag))
        )
    return stmt
