"""The read API of the bank (issue 2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_topics_with_counts(client: TestClient) -> None:
    response = client.get("/api/v1/topics")
    assert response.status_code == 200
    assert [(t["slug"], t["count"], t["title"]["zh"]) for t in response.json()] == [
        ("basics", 3, "基础"),
        ("numbers", 2, "数字"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["fx-choice", "fx-multi", "fx-open", "fx-numeric", "fx-computed"]),
        ("topic=numbers", ["fx-numeric", "fx-computed"]),
        ("tag=beta", ["fx-multi", "fx-open"]),
        ("kind=multi", ["fx-multi"]),
        ("difficulty=3", ["fx-open"]),
        ("q=prime", ["fx-choice"]),
        ("q=质数", ["fx-choice"]),
        ("q=EULER", ["fx-open"]),
        ("q=50%25", []),
        ("topic=basics&tag=alpha&kind=choice", ["fx-choice"]),
    ],
)
def test_question_filters(client: TestClient, query: str, expected: list[str]) -> None:
    response = client.get(f"/api/v1/questions?{query}")
    assert response.status_code == 200
    assert [q["id"] for q in response.json()["items"]] == expected


def test_pagination(client: TestClient) -> None:
    body = client.get("/api/v1/questions?per_page=2&page=3").json()
    assert (body["total"], body["pages"], body["page"]) == (5, 3, 3)
    assert [q["id"] for q in body["items"]] == ["fx-computed"]


def test_list_hides_answers(client: TestClient) -> None:
    item = client.get("/api/v1/questions?kind=choice").json()["items"][0]
    assert "choices" not in item and "answer" not in item


def test_one_question_includes_its_answer(client: TestClient) -> None:
    body = client.get("/api/v1/questions/fx-choice").json()
    assert body["choices"][1] == {
        "text": "7",
        "correct": True,
        "why": {"zh": "只有 1 和 7 两个因数。", "en": "Its only divisors are 1 and 7."},
    }
    assert body["answer"]["en"] == "7 is prime."
    assert body["version"] == 1


def test_unknown_question_is_404_json(client: TestClient) -> None:
    response = client.get("/api/v1/questions/no-such-item")
    assert response.status_code == 404
    assert response.json() == {"detail": "No question with id 'no-such-item'"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=essay", "kind"),
        ("per_page=0", "per_page"),
        ("difficulty=6", "difficulty"),
        ("page=x", "page"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client: TestClient, query: str, field: str) -> None:
    response = client.get(f"/api/v1/questions?{query}")
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/topics",
        "/api/v1/questions",
        "/api/v1/questions/{question_id}",
        "/healthz",
    } <= set(paths)
    assert client.get("/docs").status_code == 200
