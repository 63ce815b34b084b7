"""Sync a validated bank into the database in one transaction; never delete, never clobber."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.loader import Bank, LoadedItem, LoadedTopic
from app.bank.models import Question, QuestionTag, Topic
from app.bank.schema import Item
from app.core import search


@dataclass
class SyncReport:
    """What a sync did; ``conflicts`` lists items edited both in the admin and in YAML."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.retired)} retired",
            f"{len(self.restored)} restored",
            f"{self.unchanged} unchanged",
        ]
        text = "bank synced: " + ", ".join(parts)
        if self.kept_edits:
            text += f"; kept admin edits of {len(self.kept_edits)} item(s)"
        if self.conflicts:
            text += f"; CONFLICTS (edited in the admin and in YAML): {', '.join(self.conflicts)}"
        return text


def item_body(item: Item) -> dict[str, Any]:
    """The JSON stored for an item."""
    return item.model_dump(mode="json", exclude_none=True)


def content_hash(topic: str, body: dict[str, Any]) -> str:
    """A stable hash of an item's content and topic."""
    canonical = json.dumps({"topic": topic, "item": body}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def retired_hash(topic: str, body: dict[str, Any]) -> str:
    """The content hash of an item an admin retired: it differs from the YAML's hash, so sync
    counts the retirement as an admin edit and never quietly brings the item back."""
    return hashlib.sha256(f"retired\x1f{content_hash(topic, body)}".encode()).hexdigest()


def search_text(body: dict[str, Any]) -> str:
    """Lower-cased text of every field a learner might search, in both languages."""
    parts: list[str] = [body["id"], *body.get("tags", [])]
    for value in (body.get("prompt"), body.get("answer"), *body.get("key_points", [])):
        if isinstance(value, dict):
            parts += [value.get("zh", ""), value.get("en", "")]
    for choice in body.get("choices", []):
        text = choice["text"]
        parts += [text] if isinstance(text, str) else [text["zh"], text["en"]]
    return "\n".join(parts).casefold()


def sync_bank(session: Session, *, bank: Bank, now: datetime, dry_run: bool = False) -> SyncReport:
    """Upsert topics and items, retire vanished items, report admin-edit conflicts; commit
    (``dry_run``: roll back instead, to report what a sync would do)."""
    report = SyncReport()
    topics = _sync_topics(session, bank.topics)
    existing = {q.slug: q for q in session.scalars(select(Question))}
    seen: set[str] = set()
    for position, loaded in enumerate(bank.items):
        seen.add(loaded.item.id)
        row = existing.get(loaded.item.id)
        if row is None:
            session.add(_new_question(loaded, topics[loaded.topic], position, now))
            report.added.append(loaded.item.id)
        else:
            _update_question(row, loaded, topics[loaded.topic], position, now, report)
    for slug, row in existing.items():
        if slug not in seen and not row.retired and row.source_hash is not None:
            if row.content_hash == row.source_hash:
                row.retired, row.updated_at = True, now
                report.retired.append(slug)
            else:
                report.conflicts.append(slug)
    _retire_empty_topics(session, {t.slug for t in bank.topics})
    if dry_run:
        session.rollback()
    else:
        search.ensure_index(session)  # first sync: build the full-text index (triggers keep it current)
        session.commit()
    return report


def _sync_topics(session: Session, loaded: list[LoadedTopic]) -> dict[str, Topic]:
    rows = {t.slug: t for t in session.scalars(select(Topic))}
    for topic in loaded:
        row = rows.get(topic.slug)
        if row is None:
            row = rows[topic.slug] = Topic(slug=topic.slug)
            session.add(row)
        row.title_zh, row.title_en = topic.title_zh, topic.title_en
        row.description = topic.description
        row.position, row.retired = topic.position, False
    session.flush()
    return rows


def _retire_empty_topics(session: Session, in_yaml: set[str]) -> None:
    # A topic missing from YAML stays while it holds active items the admin created or kept.
    session.flush()
    alive = set(session.scalars(select(Question.topic_id).where(Question.retired.is_(False)).distinct()))
    for row in session.scalars(select(Topic)):
        if row.slug not in in_yaml:
            row.retired = row.id not in alive


def _new_question(loaded: LoadedItem, topic: Topic, position: int, now: datetime) -> Question:
    body = item_body(loaded.item)
    digest = content_hash(loaded.topic, body)
    question = Question(
        slug=loaded.item.id,
        topic_id=topic.id,
        created_at=now,
        version=1,
        content_hash=digest,
        source_hash=digest,
    )
    _apply(question, loaded, position, now)
    return question


def _update_question(
    row: Question,
    loaded: LoadedItem,
    topic: Topic,
    position: int,
    now: datetime,
    report: SyncReport,
) -> None:
    body = item_body(loaded.item)
    yaml_hash = content_hash(loaded.topic, body)
    row.position = position
    if row.retired and row.source_hash is not None and row.content_hash == row.source_hash:
        row.retired = False
        report.restored.append(row.slug)
    if yaml_hash == row.source_hash:
        if row.content_hash == yaml_hash:
            report.unchanged += 1
        else:
            report.kept_edits.append(row.slug)  # YAML unchanged: keep the admin's edit
        return
    if row.content_hash != row.source_hash and row.content_hash != yaml_hash:
        report.conflicts.append(row.slug)  # both sides changed: an admin must decide
        return
    if row.content_hash != yaml_hash:
        row.topic_id, row.version = topic.id, row.version + 1
        _apply(row, loaded, position, now)
        report.updated.append(row.slug)
    else:
        report.unchanged += 1
    row.content_hash = row.source_hash = yaml_hash


def _apply(row: Question, loaded: LoadedItem, position: int, now: datetime) -> None:
    store_item(row, loaded.item, now=now)
    row.position = position


def store_item(row: Question, item: Item, *, now: datetime) -> dict[str, Any]:
    """Write ``item`` into ``row`` (body, kind, difficulty, search text, tags); return the body.
    Hashes, version and position are the caller's business."""
    body = item_body(item)
    row.kind, row.difficulty, row.body = item.kind, item.difficulty, body
    row.search_text, row.updated_at = search_text(body), now
    row.tags = [QuestionTag(tag=t) for t in item.tags]
    return body
