"""Items changed both in the admin and in the YAML since the last sync, and their resolution.

The start-up sync never decides between the two sides; it reports them. Here an admin sees each
conflict as a diff and either takes the YAML version or keeps the admin version (which then stays
an admin edit until the YAML catches up, e.g. by committing an export).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from app.admin import revisions, service
from app.bank import source
from app.bank.loader import LoadedItem
from app.bank.models import Question
from app.bank.sync import content_hash, item_body, sync_bank
from app.core.db import write_lock
from app.users.models import User

Resolution = Literal["yaml", "admin"]


@dataclass(frozen=True)
class Conflict:
    """One conflicting item: the admin's version, the YAML's (None: deleted there), their diff."""

    slug: str
    admin_text: str
    yaml_text: str | None
    diff: str


def find(session: Session, *, bank_dir: Path, now: datetime) -> list[Conflict]:
    """What the next sync would report as conflicts (a dry run); raise BankInvalid."""
    bank = source.load(bank_dir)
    with write_lock(session):
        report = sync_bank(session, bank=bank, now=now, dry_run=True)
    in_yaml = {loaded.item.id: loaded for loaded in bank.items}
    found = []
    for slug in report.conflicts:
        row = service.get_item(session, slug=slug)
        loaded = in_yaml.get(slug)
        admin = revisions.row_text(row)
        theirs = _yaml_text(loaded)
        diff = revisions.text_diff(admin, theirs or "", old="admin version", new="YAML version")
        found.append(Conflict(slug, admin, theirs, diff))
    return found


def resolve(
    session: Session, *, slug: str, take: Resolution, bank_dir: Path, author: User, now: datetime
) -> None:
    """Settle one conflict; afterwards sync and admin agree on what the YAML said; commit."""
    row = service.get_item(session, slug=slug)
    loaded = {li.item.id: li for li in source.load(bank_dir).items}.get(slug)
    with write_lock(session):
        if take == "yaml":
            _take_yaml(session, row, loaded, author=author, now=now)
        elif loaded is None:
            row.source_hash = None  # deleted from YAML, kept here: the item now lives in the admin
        else:
            row.source_hash = content_hash(loaded.topic, item_body(loaded.item))
        session.commit()


def _take_yaml(
    session: Session, row: Question, loaded: LoadedItem | None, *, author: User, now: datetime
) -> None:
    note = "took the YAML version"
    if loaded is None:  # deleted from YAML: retire it as the sync would have
        service.retire(session, row=row, author=author, now=now, note=note)
        row.source_hash = row.content_hash
        return
    topic = service.topic_row(session, slug=loaded.topic)
    service.write(
        session,
        row=row,
        version=row.version,
        topic=topic,
        item=loaded.item,
        retired=False,
        author=author,
        now=now,
        note=note,
    )
    row.source_hash = row.content_hash


def _yaml_text(loaded: LoadedItem | None) -> str | None:
    if loaded is None:
        return None
    return revisions.item_text(loaded.topic, item_body(loaded.item))
