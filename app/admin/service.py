"""Admin edits of the bank: list, create, update, retire, restore and revert items.

Every write is optimistic: it names the version it edited, and a conditional UPDATE bumps the
version only if nobody saved in between — otherwise StaleVersion, and nothing is written. Every
write records a revision. Admin writes change ``content_hash`` only, never ``source_hash``, so the
next start-up sync sees them as admin edits and keeps them (see app/bank/sync.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.admin import flags, revisions
from app.admin.validation import FieldError, ItemInvalid, validate_item
from app.bank.models import Question, QuestionTag, Topic
from app.bank.schema import Item
from app.bank.service import Page
from app.bank.sync import content_hash, item_body, retired_hash, store_item
from app.core.db import write_lock
from app.users.models import User

Status = Literal["active", "retired", "all"]


class NotFound(LookupError):
    """No item has this id."""


class StaleVersion(Exception):
    """Someone saved the item since this edit began; ``diff`` goes from theirs to this edit."""

    def __init__(self, current_version: int, diff: str) -> None:
        super().__init__(f"the item is now at version {current_version}")
        self.current_version = current_version
        self.diff = diff


@dataclass(frozen=True)
class AdminFilter:
    """The editor list's filters; ``flagged`` keeps only items that need checking."""

    topic: str | None = None
    kind: str | None = None
    tag: str | None = None
    q: str | None = None
    status: Status = "active"
    flagged: bool = False


def list_items(session: Session, *, filters: AdminFilter, page: int, per_page: int) -> Page:
    """Items matching ``filters`` (retired ones too, when asked), in bank order."""
    stmt = _filtered(session, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Topic.position, Question.position, Question.slug)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(rows), total, page, per_page)


def get_item(session: Session, *, slug: str) -> Question:
    """An item by id, retired or not; raise NotFound."""
    row = session.scalar(select(Question).where(Question.slug == slug))
    if row is None:
        raise NotFound(slug)
    return row


def items_by_id(session: Session, *, ids: set[int]) -> list[Question]:
    """The questions with these database ids, in bank order."""
    stmt = select(Question).join(Topic, Topic.id == Question.topic_id).where(Question.id.in_(ids))
    return list(session.scalars(stmt.order_by(Topic.position, Question.position)))


def topics(session: Session) -> list[Topic]:
    """Every topic an item may belong to, in bank order."""
    return list(session.scalars(select(Topic).order_by(Topic.retired, Topic.position, Topic.slug)))


def create_item(
    session: Session, *, topic: str, item: Item, author: User, now: datetime, note: str = ""
) -> Question:
    """Add a new item (version 1) with its first revision; commit."""
    topic_found = topic_row(session, slug=topic)
    taken = ItemInvalid([FieldError("id", f"id {item.id!r} is already used by another item")])
    if session.scalar(select(Question.id).where(Question.slug == item.id)) is not None:
        raise taken
    try:
        with write_lock(session):
            row = insert(
                session, topic=topic_found, item=item, author=author, now=now, note=note or "created"
            )
            session.commit()
    except IntegrityError as exc:  # a concurrent create won the id
        session.rollback()
        raise taken from exc
    return row


def insert(session: Session, *, topic: Topic, item: Item, author: User, now: datetime, note: str) -> Question:
    """Add a new item at the end of the bank with its first revision, without committing."""
    last = session.scalar(select(func.max(Question.position))) or 0
    row = Question(slug=item.id, topic_id=topic.id, version=1, position=last + 1, created_at=now)
    row.topic = topic
    body = store_item(row, item, now=now)
    # No source hash: the item exists only in the database until it is exported to YAML.
    row.content_hash, row.source_hash = content_hash(topic.slug, body), None
    with write_lock(session):
        session.add(row)
        session.flush()
        revisions.record(session, row=row, author=author, note=note)
    return row


def update_item(
    session: Session,
    *,
    slug: str,
    version: int,
    topic: str,
    item: Item,
    author: User,
    now: datetime,
    note: str = "",
) -> Question:
    """Save an edit made on ``version``; raise StaleVersion if the item moved on; commit."""
    row = get_item(session, slug=slug)
    if item.id != slug:
        raise ItemInvalid([FieldError("id", "the id of an existing item cannot change")])
    with write_lock(session):
        write(
            session,
            row=row,
            version=version,
            topic=topic_row(session, slug=topic),
            item=item,
            retired=row.retired,
            author=author,
            now=now,
            note=note or "edited",
        )
        session.commit()
    return row


def set_retired(
    session: Session, *, slug: str, version: int, retired: bool, author: User, now: datetime
) -> Question:
    """Retire an item (learners stop seeing it) or restore it; commit."""
    row = get_item(session, slug=slug)
    with write_lock(session):
        write(
            session,
            row=row,
            version=version,
            topic=row.topic,
            item=None,
            retired=retired,
            author=author,
            now=now,
            note="retired" if retired else "restored",
        )
        session.commit()
    return row


def revert(
    session: Session,
    *,
    slug: str,
    version: int,
    to_version: int,
    bank_dir: Path,
    author: User,
    now: datetime,
) -> Question:
    """Make an old revision's content current again as a new version, if today's rules allow; commit."""
    row = get_item(session, slug=slug)
    old = revisions.get_revision(session, question_id=row.id, version=to_version)
    if old is None:
        raise NotFound(f"{slug} version {to_version}")
    item = validate_item(old.body, bank_dir=bank_dir)
    with write_lock(session):
        write(
            session,
            row=row,
            version=version,
            topic=topic_row(session, slug=old.topic),
            item=item,
            retired=row.retired,
            author=author,
            now=now,
            note=f"restored version {to_version}",
        )
        session.commit()
    return row


def retire(session: Session, *, row: Question, author: User | None, now: datetime, note: str) -> None:
    """Retire ``row`` at the version it holds now, with a revision; no commit (see ``write``)."""
    write(
        session,
        row=row,
        version=row.version,
        topic=row.topic,
        item=None,
        retired=True,
        author=author,
        now=now,
        note=note,
    )


def write(
    session: Session,
    *,
    row: Question,
    version: int,
    topic: Topic,
    item: Item | None,
    retired: bool,
    author: User | None,
    now: datetime,
    note: str,
) -> bool:
    """Apply one admin change and its revision without committing; False when nothing changes."""
    # No commit here: an upload applies many of these in one transaction. Raises StaleVersion.
    body = item_body(item) if item is not None else row.body
    digest = (retired_hash if retired else content_hash)(topic.slug, body)
    if digest == row.content_hash and retired == row.retired and topic.id == row.topic_id:
        return False  # nothing to save: no new version, even if the form was stale
    with write_lock(session):
        _claim(session, row, version, stale_text=revisions.item_text(topic.slug, body, retired=retired))
        # The row is locked now: record the state before this edit if no revision holds it yet.
        revisions.ensure_baseline(session, row=row, version=version)
        row.version = version + 1
        if row.retired and not retired and row.content_hash == row.source_hash:
            row.source_hash = None  # sync retired it (gone from YAML): the restore belongs to the admin
        if item is not None:
            store_item(row, item, now=now)
        row.topic_id, row.topic, row.retired = topic.id, topic, retired
        row.content_hash, row.updated_at = digest, now
        session.flush()
        revisions.record(session, row=row, author=author, note=note)
    return True


def _claim(session: Session, row: Question, version: int, *, stale_text: str) -> None:
    """Bump the version if it is still ``version``; raise StaleVersion otherwise."""
    # One conditional UPDATE, which also locks the row until commit: concurrent writers in any
    # process queue here, and all but the first find the version gone.
    result = session.execute(
        update(Question)
        .where(Question.id == row.id, Question.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(row)
        diff = revisions.text_diff(
            revisions.row_text(row), stale_text, old=f"version {row.version} (saved)", new="your edit"
        )
        raise StaleVersion(row.version, diff)
    session.refresh(row)  # the state this edit replaces, as committed (the row may have been read earlier)


def topic_row(session: Session, *, slug: str) -> Topic:
    """A topic by slug; ItemInvalid on the ``topic`` field when there is none."""
    row = session.scalar(select(Topic).where(Topic.slug == slug))
    if row is None:
        raise ItemInvalid([FieldError("topic", f"unknown topic {slug!r}")])
    return row


def _filtered(session: Session, filters: AdminFilter) -> Select[tuple[Question]]:
    stmt = select(Question).join(Topic, Topic.id == Question.topic_id)
    if filters.status != "all":
        stmt = stmt.where(Question.retired.is_(filters.status == "retired"))
    if filters.topic:
        stmt = stmt.where(Topic.slug == filters.topic)
    if filters.kind:
        stmt = stmt.where(Question.kind == filters.kind)
    if filters.tag:
        stmt = stmt.where(
            Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == filters.tag))
        )
    for word in (filters.q or "").casefold().split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(Question.search_text.like(pattern, escape="\\"))
    if filters.flagged:
        stmt = stmt.where(Question.id.in_(flags.flagged_ids(session)))
    return stmt
