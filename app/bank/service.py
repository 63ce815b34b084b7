"""Read the bank from the database: topics, filtered question lists, single questions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.bank.export_yaml import BankTopic, item_from_body
from app.bank.models import Question, QuestionTag, Topic
from app.bank.schema import Bilingual


@dataclass(frozen=True)
class QuestionFilter:
    """Filters shared by the API and the pages; ``q`` searches both languages."""

    topic: str | None = None
    tag: str | None = None
    kind: str | None = None
    difficulty: int | None = None
    q: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of questions and the total across all pages."""

    items: list[Question]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def list_topics(session: Session) -> list[tuple[Topic, int]]:
    """Active topics in bank order, each with its number of active questions."""
    count = func.count(Question.id)
    stmt = (
        select(Topic, count)
        .outerjoin(Question, (Question.topic_id == Topic.id) & Question.retired.is_(False))
        .where(Topic.retired.is_(False))
        .group_by(Topic.id)
        .order_by(Topic.position, Topic.slug)
    )
    return [(topic, n) for topic, n in session.execute(stmt).tuples()]


def get_topic(session: Session, *, slug: str) -> Topic | None:
    """An active topic by slug."""
    return session.scalar(select(Topic).where(Topic.slug == slug, Topic.retired.is_(False)))


def list_questions(session: Session, *, filters: QuestionFilter, page: int, per_page: int) -> Page:
    """Active questions matching ``filters``, in bank order, one page of them."""
    stmt = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Topic.position, Question.position).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(list(rows), total, page, per_page)


def get_question(session: Session, *, slug: str, include_retired: bool = False) -> Question | None:
    """A question by its stable id."""
    stmt = select(Question).where(Question.slug == slug)
    if not include_retired:
        stmt = stmt.where(Question.retired.is_(False))
    return session.scalar(stmt)


def all_tags(session: Session) -> list[str]:
    """Every tag used by an active question, sorted."""
    stmt = (
        select(QuestionTag.tag)
        .join(Question)
        .where(Question.retired.is_(False))
        .distinct()
        .order_by(QuestionTag.tag)
    )
    return list(session.scalars(stmt))


def export_topics(session: Session, *, topic: str | None = None) -> list[BankTopic]:
    """Topics with their active questions in bank order, validated, for the exporters."""
    stmt = (
        select(Question)
        .join(Topic)
        .where(Question.retired.is_(False))
        .order_by(Topic.position, Topic.slug, Question.position, Question.slug)
    )
    if topic is not None:
        stmt = stmt.where(Topic.slug == topic)
    grouped: dict[str, list[Question]] = {}
    for question in session.scalars(stmt):
        grouped.setdefault(question.topic.slug, []).append(question)
    # Only topics with active items: a topic file without items would not load again.
    return [_bank_topic(rows[0].topic, rows) for rows in grouped.values()]


def _bank_topic(topic: Topic, rows: list[Question]) -> BankTopic:
    description = Bilingual.model_validate(topic.description) if topic.description else None
    title = Bilingual(zh=topic.title_zh, en=topic.title_en)
    return BankTopic(topic.slug, title, description, tuple(item_from_body(q.body) for q in rows))


def _filtered(filters: QuestionFilter) -> Select[tuple[Question]]:
    stmt = select(Question).join(Topic).where(Question.retired.is_(False))
    if filters.topic:
        stmt = stmt.where(Topic.slug == filters.topic)
    if filters.kind:
        stmt = stmt.where(Question.kind == filters.kind)
    if filters.difficulty:
        stmt = stmt.where(Question.difficulty == filters.difficulty)
    if filters.tag:
        tagged = select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag)
        stmt = stmt.where(Question.id.in_(tagged))
    if filters.q:
        for word in filters.q.casefold().split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            stmt = stmt.where(Question.search_text.like(pattern, escape="\\"))
    return stmt
