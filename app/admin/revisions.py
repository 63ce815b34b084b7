"""Item revisions: record every saved state, list an item's history, and diff two states as YAML."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.models import QuestionRevision
from app.bank.export_yaml import item_from_body, item_yaml
from app.bank.models import Question
from app.users.models import User

# The state an item had when it came from YAML, recorded before the first admin edit after a sync.
FROM_YAML = "from YAML"


@dataclass(frozen=True)
class HistoryEntry:
    """A revision, who saved it, and the diff from the revision before it."""

    revision: QuestionRevision
    author: str | None
    diff: str


def item_text(topic: str, body: dict[str, Any], *, retired: bool = False) -> str:
    """An item as the YAML an admin reads, headed by its topic (and retirement)."""
    try:
        text = item_yaml(item_from_body(body))
    except ValidationError:  # an old revision the schema has since outgrown: show it as stored
        text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
    head = f"# topic: {topic}\n" + ("# retired\n" if retired else "")
    return head + text


def text_diff(before: str, after: str, *, old: str, new: str) -> str:
    """A unified diff of two texts ("" when they are equal)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old, tofile=new
    )
    return "".join(lines)


def row_text(row: Question) -> str:
    """The YAML of a stored item as it is now."""
    return item_text(row.topic.slug, row.body, retired=row.retired)


def record(
    session: Session, *, row: Question, author: User | None, note: str, version: int | None = None
) -> QuestionRevision:
    """Add a revision holding ``row``'s current state, as ``version`` (default: the row's); no commit."""
    revision = QuestionRevision(
        question_id=row.id,
        version=row.version if version is None else version,
        topic=row.topic.slug,
        body=row.body,
        retired=row.retired,
        author_id=author.id if author else None,
        created_at=row.updated_at,
        note=note[:200],
    )
    session.add(revision)
    return revision


def ensure_baseline(session: Session, *, row: Question, version: int) -> None:
    """Record ``row``'s state as ``version`` unless a revision has it, so every edit has a "before"."""
    # Versions written by the start-up sync have no revision until an admin first edits after them.
    latest = session.scalar(
        select(func.max(QuestionRevision.version)).where(QuestionRevision.question_id == row.id)
    )
    if latest != version:
        record(session, row=row, author=None, note=FROM_YAML, version=version)


def get_revision(session: Session, *, question_id: int, version: int) -> QuestionRevision | None:
    """One revision of an item."""
    return session.scalar(
        select(QuestionRevision).where(
            QuestionRevision.question_id == question_id, QuestionRevision.version == version
        )
    )


def history(session: Session, *, question_id: int) -> list[HistoryEntry]:
    """An item's revisions, newest first, each with its diff from the one before."""
    stmt = (
        select(QuestionRevision, User.email)
        .outerjoin(User, User.id == QuestionRevision.author_id)
        .where(QuestionRevision.question_id == question_id)
        .order_by(QuestionRevision.version)
    )
    entries: list[HistoryEntry] = []
    before = ""
    for revision, email in session.execute(stmt).tuples():
        text = item_text(revision.topic, revision.body, retired=revision.retired)
        diff = (
            text_diff(
                before, text, old=f"version {entries[-1].revision.version}", new=f"version {revision.version}"
            )
            if entries
            else ""
        )
        entries.append(HistoryEntry(revision, email, diff))
        before = text
    return entries[::-1]
