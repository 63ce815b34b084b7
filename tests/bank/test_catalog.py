"""The filter-menu catalog: equal to the database, fresh after a bank write here, bounded staleness
for writes from other processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.bank import catalog
from app.bank import service as bank_service
from app.bank.models import Question
from app.bootstrap import import_bank
from app.core.config import Settings
from app.core.db import Database


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    import_bank(settings)
    database = Database(settings.database_url)
    yield database
    database.dispose()


def test_the_catalog_lists_what_the_database_holds(db: Database) -> None:
    with db.session() as session:
        menus = catalog.get(session)
        expected = [(t.slug, t.title_en, n) for t, n in bank_service.list_topics(session)]
        assert [(t.slug, t.title("en"), t.count) for t in menus.topics] == expected
        assert list(menus.tags) == bank_service.all_tags(session)
        assert menus.tags, "the fixture bank has tags"


def test_a_committed_bank_write_in_this_process_shows_at_once(db: Database) -> None:
    with db.session() as session:
        before = catalog.get(session)
        question = session.scalars(select(Question).order_by(Question.id)).first()
        assert question is not None
        topic = question.topic.slug
        for row in session.scalars(select(Question).where(Question.topic_id == question.topic_id)):
            row.retired = True
        session.commit()
        after = catalog.get(session)
    assert topic in [t.slug for t in before.topics if t.count]
    assert [t.count for t in after.topics if t.slug == topic] in ([], [0])


def test_a_rolled_back_write_keeps_the_cache(db: Database) -> None:
    with db.session() as session:
        first = catalog.get(session)
        question = session.scalars(select(Question)).first()
        assert question is not None
        question.retired = True
        session.flush()
        session.rollback()
        assert catalog.get(session) is first


def test_another_process_s_write_shows_within_the_ttl(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(catalog.time, "monotonic", lambda: clock[0])
    with db.session() as session:
        catalog.forget(db.engine)
        first = catalog.get(session)
    # A write no ORM session of this process sees, like one from another worker.
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE question SET retired = :yes"), {"yes": True})
    with db.session() as session:
        assert catalog.get(session) is first
        clock[0] += catalog.TTL_SECONDS + 1
        assert catalog.get(session).tags == ()


def test_tag_options_escape_tags_and_mark_the_selected_one() -> None:
    menus = catalog.Catalog(topics=(), tags=("a<b", "relu"))
    html = str(menus.tag_options("relu"))
    assert html == ('<option value="a&lt;b">#a&lt;b</option><option value="relu" selected>#relu</option>')
    assert "selected" not in str(menus.tag_options(""))
