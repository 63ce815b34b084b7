"""Start-up work shared by ``deepprep serve`` and ``deepprep import``: migrate, then sync the bank."""

from __future__ import annotations

from app.bank import source
from app.bank.sync import SyncReport, sync_bank
from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.migrations import startup_lock, upgrade


def import_bank(settings: Settings) -> SyncReport:
    """Migrate the database and sync the bank into it; raise BankInvalid and change nothing."""
    bank = source.load(settings.questions_dir)
    db = Database(settings.database_url)
    try:
        with startup_lock(db):
            upgrade(db)
            with db.session() as session:
                return sync_bank(session, bank=bank, now=utcnow())
    finally:
        db.dispose()
