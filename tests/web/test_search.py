"""Search in both languages: FTS5 trigrams on SQLite, LIKE for short words and on PostgreSQL (issue 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.bootstrap import import_bank
from app.core import search
from app.core.config import Settings
from app.core.db import Database
from app.web import browse

LINK = re.compile(r'<li>\s*<a href="/q/([a-z-]+)">')


def found(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/search?{query}")
    assert response.status_code == 200, response.text
    return LINK.findall(response.text)


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("q=prime", ["fx-choice"]),
        ("q=PRIME", ["fx-choice"]),
        ("q=质数", ["fx-choice"]),  # two characters: too short for a trigram, found by LIKE
        ("q=欧拉公式", ["fx-open"]),
        ("q=even+numbers", ["fx-multi"]),
        ("q=even+prime", []),  # every word must match
        ("q=100%25", []),
        ("q=&kind=numeric", ["fx-numeric"]),
        ("tag=gamma", ["fx-numeric", "fx-computed"]),
        ("topic=numbers&difficulty=2", ["fx-numeric", "fx-computed"]),
        ("q=2&topic=basics", ["fx-multi"]),
        ("", ["fx-choice", "fx-multi", "fx-open", "fx-numeric", "fx-computed"]),
    ],
)
def test_search_and_filters(client: TestClient, query: str, ids: list[str]) -> None:
    assert found(client, query) == ids


def test_the_index_uses_trigrams_on_sqlite_only(client: TestClient, settings: Settings) -> None:
    html = client.get("/search?q=prime").text
    assert ("best matches first" in html) is settings.is_sqlite
    db = Database(settings.database_url)
    with db.session() as session:
        assert search.has_index(session) is settings.is_sqlite
        assert search.ensure_index(session) is settings.is_sqlite  # a second call changes nothing
        fts, likes = search.matches(session, "梯度 normalisation", text_column=browse.Question.search_text)
        assert (fts is not None, len(likes)) == ((True, 1) if settings.is_sqlite else (False, 2))
    db.dispose()


def test_the_index_follows_bank_edits(client: TestClient, settings: Settings, bank_dir: Path) -> None:
    path = bank_dir / "basics.yaml"
    path.write_text(path.read_text().replace("Which number is prime?", "Which integer is a prime?"))
    import_bank(settings)
    assert found(client, "q=integer") == ["fx-choice"]
    assert found(client, "q=number+prime") == []


def test_results_are_paged(client: TestClient, settings: Settings) -> None:
    db = Database(settings.database_url)
    with db.session() as session:
        first = browse.find(session, query=browse.Query(), page=1, per_page=2)
        last = browse.find(session, query=browse.Query(), page=3, per_page=2)
    db.dispose()
    assert (first.total, first.pages, [q.slug for q in first.items]) == (5, 3, ["fx-choice", "fx-multi"])
    assert [q.slug for q in last.items] == ["fx-computed"]
    html = client.get("/search?page=1").text
    assert "Found: 5" in html and "Page 1 of" not in html


def test_bad_filters_are_refused(client: TestClient) -> None:
    assert client.get("/search?kind=essay").status_code == 422
    assert client.get("/search?difficulty=9").status_code == 422
