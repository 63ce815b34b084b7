"""Fill a database for the benchmark: a generated bank, users with tokens, and many card rows."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import insert

from app.core.db import Database
from app.srs.models import Card
from app.users.models import ApiToken, User
from app.users.security import token_digest

T0 = datetime.now(UTC).replace(microsecond=0)


def open_item(topic: str, i: int) -> dict[str, object]:
    """An open question with a model answer and a key point."""
    return {
        "id": f"{topic}-q{i}",
        "kind": "open",
        "difficulty": 1 + i % 5,
        "tags": ["bench"],
        "prompt": {"zh": f"问题 {i}", "en": f"Question {i}?"},
        "answer": {"zh": f"答案 {i}", "en": f"Answer {i}."},
        "key_points": [{"zh": "要点", "en": "A key point"}],
    }


def choice_item(topic: str, i: int) -> dict[str, object]:
    """A single-answer choice item with a reason per option and a formula in the prompt."""
    options = [
        {
            "text": f"${n}$",
            "why": {"zh": f"理由 {n}", "en": f"Because {n}."},
            **({"correct": True} if n == 2 else {}),
        }
        for n in range(4)
    ]
    return {
        "id": f"{topic}-c{i}",
        "kind": "choice",
        "difficulty": 1 + i % 5,
        "tags": ["bench", "choice"],
        "prompt": {"zh": f"$x^2 = {i}$ 时选哪个？", "en": f"Which one when $x^2 = {i}$?"},
        "choices": options,
        "answer": {"zh": "选 2。", "en": "Pick 2."},
    }


def write_bank(directory: Path, questions: int, per_topic: int = 500, *, mixed: bool = False) -> None:
    """Topic files of ``per_topic`` items each: open items, or open and choice items in turn."""
    directory.mkdir(parents=True, exist_ok=True)
    for start in range(0, questions, per_topic):
        topic = f"bench{start // per_topic}"
        items = [
            choice_item(topic, i) if mixed and i % 2 else open_item(topic, i)
            for i in range(start, min(start + per_topic, questions))
        ]
        doc = {"topic": topic, "title": {"zh": topic, "en": topic}, "items": items}
        (directory / f"{topic}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def token_for(index: int) -> str:
    """A deterministic bearer token for bench user ``index``."""
    return "dp_bench_" + hashlib.sha256(f"bench-{index}".encode()).hexdigest()[:32]


def add_users(db: Database, count: int, *, settings: dict[str, object]) -> list[int]:
    """``count`` users with one token each; returns their ids."""
    with db.engine.begin() as connection:
        first = (
            connection.execute(
                insert(User)
                .values(
                    [
                        {
                            "email": f"bench{i}@example.com",
                            "role": "user",
                            "is_guest": False,
                            "settings": settings,
                            "created_at": T0,
                        }
                        for i in range(count)
                    ]
                )
                .returning(User.id)
            )
            .scalars()
            .all()
        )
        ids = sorted(first)
        connection.execute(
            insert(ApiToken),
            [
                {
                    "user_id": uid,
                    "name": "bench",
                    "token_hash": token_digest(token_for(i)),
                    "prefix": token_for(i)[:10],
                    "created_at": T0,
                }
                for i, uid in enumerate(ids)
            ],
        )
    return ids


def add_review_cards(
    db: Database, user_ids: list[int], question_ids: list[int], *, batch: int = 50_000
) -> int:
    """One review-state card per user and question, due spread over the past and next 100 days."""
    rows, total = [], 0
    with db.engine.begin() as connection:
        for uid in user_ids:
            for n, qid in enumerate(question_ids):
                due = T0 + timedelta(hours=(n * 37) % 4800 - 2400)
                rows.append(
                    {
                        "user_id": uid,
                        "question_id": qid,
                        "state": 2,
                        "step": None,
                        "stability": 30.0,
                        "difficulty": 5.0,
                        "due": due,
                        "last_review": due - timedelta(days=30),
                        "reps": 3,
                        "lapses": 0,
                        "suspended": False,
                        "leech": False,
                        "created_at": T0,
                        "version": 1,
                    }
                )
                if len(rows) >= batch:
                    connection.execute(insert(Card), rows)
                    total, rows = total + len(rows), []
        if rows:
            connection.execute(insert(Card), rows)
            total += len(rows)
    return total
