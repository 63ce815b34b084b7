"""Full-text search of the bank: SQLite FTS5 with the trigram tokenizer, plain LIKE elsewhere.

Trigrams index every three-character run, so they work for Chinese, which has no spaces between
words. A word shorter than three characters (``梯度``) cannot use them and falls back to LIKE.

The FTS table is derived data, a copy of ``question.search_text``: it is created and filled by the
first bank sync and kept in step by triggers, so syncs, admin edits and deletes all update it. It is
not part of the migrations, where Alembic's model comparison would report it as an unknown table.
PostgreSQL searches with ILIKE-style LIKE over the case-folded ``search_text`` (fine at bank size).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import ColumnElement, Subquery, column, select, table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger("deepprep")
FTS_TABLE = "question_fts"
MIN_TRIGRAM = 3
_DDL = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, tokenize='trigram')",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON question BEGIN
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_text ON question BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON question BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END""",
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM question",
)
_fts = table(FTS_TABLE, column("rowid"), column("rank"))


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def has_index(session: Session) -> bool:
    """True when the FTS table exists (SQLite after the first bank sync)."""
    if not _is_sqlite(session):
        return False
    found = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE}
    )
    return found.first() is not None


def ensure_index(session: Session) -> bool:
    """Create and fill the FTS table and its triggers when missing (SQLite only); True when present."""
    if not _is_sqlite(session):
        return False
    if has_index(session):
        return True
    session.flush()  # the index is filled from the question rows: pending ones must be written first
    try:
        with session.begin_nested():  # a SQLite without FTS5/trigram: leave the outer transaction intact
            for statement in _DDL:
                session.execute(text(statement))
    except OperationalError as exc:
        log.warning("full-text search unavailable, falling back to LIKE: %s", exc.orig)
        return False
    return True


def words(query: str) -> list[str]:
    """The words of a query, case-folded like ``question.search_text``."""
    return query.casefold().split()


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matches(
    session: Session, query: str, *, text_column: Any
) -> tuple[Subquery | None, list[ColumnElement[bool]]]:
    """How to find ``query``: an FTS subquery (columns ``rowid``, ``rank``) to join on the question id,
    or None, plus LIKE conditions for the words the index cannot serve. Every word must match."""
    terms = words(query)
    indexed = [w for w in terms if len(w) >= MIN_TRIGRAM] if has_index(session) else []
    likes = [text_column.like(_like(w), escape="\\") for w in terms if w not in indexed]
    if not indexed:
        return None, likes
    expression = " AND ".join(_phrase(w) for w in indexed)
    fts = select(_fts.c.rowid, _fts.c.rank).where(
        text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=expression)
    )
    return fts.subquery("fts"), likes
