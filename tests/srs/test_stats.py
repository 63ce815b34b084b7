"""Statistics over a known history: reviews per day, true retention, forecast, mastery."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.users.helpers import T0

Headers = dict[str, str]


def at(days: float, hours: float = 0) -> str:
    return (T0 - timedelta(days=days, hours=hours)).isoformat()


HISTORY = [  # intervals (days) each review was scheduled at, with default FSRS weights, in comments
    {"question_id": "t0-q0", "reviewed_at": at(90), "rating": 4},  # new → review for 8 d
    {"question_id": "t0-q0", "reviewed_at": at(82), "rating": 4},  # young (8 d)
    {"question_id": "t0-q0", "reviewed_at": at(40), "rating": 3},  # mature (66 d), passed
    {"question_id": "t0-q0", "reviewed_at": at(0, 1), "rating": 1},  # mature (192 d), failed, today
    {"question_id": "t0-q1", "reviewed_at": at(90), "rating": 4},
    {"question_id": "t0-q1", "reviewed_at": at(60), "rating": 3},  # young (8 d)
    {"question_id": "t0-q1", "reviewed_at": at(1), "rating": 3},  # mature (77 d), passed, yesterday
    {"question_id": "t1-q0", "reviewed_at": at(1), "rating": 3},  # new, yesterday
    {"question_id": "t1-q0", "reviewed_at": at(1, -1), "rating": 2, "affects_schedule": False},  # practice
]


def test_statistics_of_a_known_history(client: TestClient, auth: Headers) -> None:
    imported = client.post("/api/v1/history", headers=auth, content=json.dumps({"reviews": HISTORY}))
    assert imported.json() == {"imported": 9, "skipped": 0, "cards": 3}
    stats = client.get("/api/v1/stats", headers=auth).json()
    assert (stats["today"], stats["total_reviews"]) == ("2026-03-02", 9)
    assert stats["cards"] == {"new": 0, "learning": 1, "review": 1, "relearning": 1}
    assert len(stats["reviews_per_day"]) == 30
    assert [d for d in stats["reviews_per_day"] if d["reviews"] or d["practice"]] == [
        {"date": "2026-03-01", "reviews": 2, "passed": 2, "practice": 1},
        {"date": "2026-03-02", "reviews": 1, "passed": 0, "practice": 0},
    ]
    assert stats["true_retention"] == [
        {"period": "today", "reviews": 1, "passed": 0, "rate": 0.0},
        {"period": "yesterday", "reviews": 1, "passed": 1, "rate": 1.0},
        {"period": "last_7_days", "reviews": 2, "passed": 1, "rate": 0.5},
        {"period": "last_30_days", "reviews": 2, "passed": 1, "rate": 0.5},
        {"period": "last_365_days", "reviews": 3, "passed": 2, "rate": 2 / 3},
    ]
    # The relearning card (due 11:10) and the overdue learning card (due yesterday) fall due today.
    assert [f for f in stats["forecast"] if f["due"]] == [{"date": "2026-03-02", "due": 2}]
    assert (stats["forecast"][0]["date"], stats["forecast"][-1]["date"], len(stats["forecast"])) == (
        "2026-03-02",
        "2026-03-31",
        30,
    )
    assert stats["topics"] == [
        {"topic": "t0", "questions": 4, "studied": 2, "mastery": 0.9996883485668683},
        {"topic": "t1", "questions": 3, "studied": 1, "mastery": 0.9468474993825461},
    ]


def test_statistics_follow_the_users_day(client: TestClient, auth: Headers) -> None:
    client.patch("/api/v1/settings", headers=auth, json={"timezone": "America/New_York", "day_start_hour": 4})
    client.post("/api/v1/history", headers=auth, content=json.dumps({"reviews": HISTORY}))
    stats = client.get("/api/v1/stats", headers=auth).json()
    # 12:00 UTC is 07:00 in New York (EST): the same study day as in UTC here.
    assert stats["today"] == "2026-03-02"
    assert [d["date"] for d in stats["reviews_per_day"] if d["reviews"]] == ["2026-03-01", "2026-03-02"]
