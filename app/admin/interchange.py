"""Downloads (YAML, Anki, Moodle) and the upload of a topic file: validate, preview, apply at once."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin import service
from app.bank import export_anki, export_moodle
from app.bank.diff import BankDiff, diff_banks
from app.bank.export_yaml import BankTopic, bank_files, topic_yaml, topics_from_bank
from app.bank.loader import GLOSSARY_FILE, SEEDS_FILE, load_bank
from app.bank.models import Question, Topic
from app.bank.service import export_topics
from app.bank.source import validate_computed
from app.core.db import write_lock
from app.users.models import User

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.ya?ml$")


class StaleUpload(Exception):
    """The items the preview showed have changed since; preview again."""


@dataclass(frozen=True)
class UploadPreview:
    """What applying an uploaded topic file would do, and a fingerprint of the state it saw."""

    name: str
    topics: list[BankTopic]
    diff: BankDiff
    fingerprint: str
    restored: list[str]


def yaml_zip(session: Session, *, bank_dir: Path) -> bytes:
    """The whole bank as ``deepprep export`` writes it, in one zip."""
    files = bank_files(export_topics(session), source_dir=bank_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"questions/{name}", text)
    return buffer.getvalue()


def topic_file(session: Session, *, topic: str) -> str | None:
    """One topic's YAML file, or None when it has no active items."""
    topics = export_topics(session, topic=topic)
    return topic_yaml(topics[0]) if topics else None


def apkg(session: Session, *, topic: str | None, now: datetime) -> bytes | None:
    """An Anki deck of one topic or the whole bank (None when empty)."""
    topics = export_topics(session, topic=topic)
    if not topics:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        export_anki.write_apkg(topics, path, timestamp=now.timestamp())
        return path.read_bytes()


def moodle(session: Session, *, topic: str | None, lang: export_moodle.Lang) -> str | None:
    """Moodle XML of the choice and numeric items (None when empty)."""
    topics = export_topics(session, topic=topic)
    return export_moodle.moodle_xml(topics, lang=lang).xml if topics else None


def preview_upload(session: Session, *, name: str, text: str, bank_dir: Path) -> UploadPreview:
    """Validate an uploaded topic file with the loader's rules (BankInvalid) and diff it."""
    incoming = _load_upload(name, text, bank_dir)
    slugs = {t.slug for t in incoming}
    ids = {item.id for t in incoming for item in t.items}
    current = [t for t in export_topics(session) if t.slug in slugs or ids & {i.id for i in t.items}]
    diff = diff_banks(current, incoming)
    diff.removed = [i for t in current if t.slug in slugs for i in (x.id for x in t.items) if i not in ids]
    existing = set(session.scalars(select(Question.slug).where(Question.slug.in_(diff.added))))
    return UploadPreview(
        name, incoming, diff, _fingerprint(session, ids | set(diff.removed)), sorted(existing)
    )


def apply_upload(
    session: Session, *, preview: UploadPreview, fingerprint: str, author: User, now: datetime
) -> None:
    """Write every change of ``preview`` with revisions in one transaction (StaleUpload if outdated)."""
    ids = {item.id for t in preview.topics for item in t.items}
    if _fingerprint(session, ids | set(preview.diff.removed)) != fingerprint:
        raise StaleUpload(preview.name)
    note = f"upload {preview.name}"[:200]
    changed = set(preview.diff.added) | {c.id for c in preview.diff.changed}
    with write_lock(session):
        _apply(session, preview, changed, author=author, now=now, note=note)
        session.commit()


def _apply(
    session: Session, preview: UploadPreview, changed: set[str], *, author: User, now: datetime, note: str
) -> None:
    try:
        for bank_topic in preview.topics:
            topic = _topic_row(session, bank_topic)
            for item in bank_topic.items:
                if item.id not in changed:
                    continue
                row = session.scalar(select(Question).where(Question.slug == item.id))
                if row is None:
                    service.insert(session, topic=topic, item=item, author=author, now=now, note=note)
                else:
                    service.write(
                        session,
                        row=row,
                        version=row.version,
                        topic=topic,
                        item=item,
                        retired=False,
                        author=author,
                        now=now,
                        note=note,
                    )
        for slug in preview.diff.removed:
            row = service.get_item(session, slug=slug)
            service.retire(session, row=row, author=author, now=now, note=note)
    except BaseException:
        session.rollback()  # all or nothing
        raise


def _load_upload(name: str, text: str, bank_dir: Path) -> list[BankTopic]:
    safe = name if _SAFE_NAME.match(name) and name not in (GLOSSARY_FILE, SEEDS_FILE) else "upload.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / safe).write_text(text, encoding="utf-8")
        if (bank_dir / SEEDS_FILE).is_file():
            shutil.copy(bank_dir / SEEDS_FILE, directory / SEEDS_FILE)
        bank = load_bank(directory, validate_computed=validate_computed, label_root=directory)
    return topics_from_bank(bank)


def _fingerprint(session: Session, slugs: set[str]) -> str:
    rows = session.execute(
        select(Question.slug, Question.version, Question.retired).where(Question.slug.in_(slugs))
    )
    state = sorted(f"{slug}:{version}:{retired}" for slug, version, retired in rows.tuples())
    return hashlib.sha256("\n".join(state).encode()).hexdigest()


def _topic_row(session: Session, bank_topic: BankTopic) -> Topic:
    """The topic's row; a new topic is created (topic headers of known topics stay YAML-owned)."""
    row = session.scalar(select(Topic).where(Topic.slug == bank_topic.slug))
    if row is None:
        last = session.scalar(select(func.max(Topic.position))) or 0
        description = bank_topic.description.model_dump() if bank_topic.description else None
        row = Topic(
            slug=bank_topic.slug,
            title_zh=bank_topic.title.zh,
            title_en=bank_topic.title.en,
            description=description,
            position=last + 1,
            retired=False,
        )
        session.add(row)
    row.retired = False  # it holds active items again
    session.flush()
    return row
