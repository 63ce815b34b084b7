"""The admin API: CRUD with an admin token, the loader's rules, 409 on a stale version (issue 8.8)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.admin.helpers import bearer, make_user

OPEN_ITEM: dict[str, Any] = {
    "id": "api-open",
    "kind": "open",
    "difficulty": 2,
    "prompt": {"zh": "为什么要归一化？", "en": "Why normalise?"},
    "answer": {"zh": "让优化更稳定。", "en": "It steadies optimisation."},
    "key_points": [{"zh": "稳定", "en": "stability"}],
}


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    make_user(client.app, "root@example.com", role="admin")  # type: ignore[arg-type]
    return bearer(client, "root@example.com")


def test_create_read_update_retire_restore(client: TestClient, auth: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/admin/questions", json={"topic": "basics", "item": OPEN_ITEM}, headers=auth
    )
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("id", "topic", "version", "retired")} == {
        "id": "api-open",
        "topic": "basics",
        "version": 1,
        "retired": False,
    }
    assert created.json()["item"]["tags"] == []  # stored as validated: defaults spelled out
    assert client.get("/api/v1/questions/api-open").json()["answer"]["en"] == "It steadies optimisation."

    changed = {**OPEN_ITEM, "answer": {"zh": "让梯度尺度稳定。", "en": "It keeps gradient scales steady."}}
    update = {"topic": "basics", "item": changed, "version": 1, "note": "sharper"}
    updated = client.put("/api/v1/admin/questions/api-open", json=update, headers=auth)
    assert (updated.status_code, updated.json()["version"]) == (200, 2)
    assert (
        client.get("/api/v1/questions/api-open").json()["answer"]["en"] == "It keeps gradient scales steady."
    )

    # A retry of the same change finds nothing to save: no new version, no conflict.
    again = client.put("/api/v1/admin/questions/api-open", json=update, headers=auth)
    assert (again.status_code, again.json()["version"]) == (200, 2)

    retired = client.delete("/api/v1/admin/questions/api-open?version=2", headers=auth)
    assert (retired.status_code, retired.json()["retired"], retired.json()["version"]) == (200, True, 3)
    assert client.get("/api/v1/questions/api-open").status_code == 404
    listed = client.get("/api/v1/admin/questions?status=retired", headers=auth).json()
    assert [q["id"] for q in listed["items"]] == ["api-open"]
    restored = client.post("/api/v1/admin/questions/api-open/restore", json={"version": 3}, headers=auth)
    assert (restored.status_code, restored.json()["retired"]) == (200, False)

    history = client.get("/api/v1/admin/questions/api-open/revisions", headers=auth).json()
    assert [(r["version"], r["author"], r["note"]) for r in history] == [
        (4, "root@example.com", "restored"),
        (3, "root@example.com", "retired"),
        (2, "root@example.com", "sharper"),
        (1, "root@example.com", "created"),
    ]


def test_a_stale_update_shows_the_diff_and_writes_nothing(client: TestClient, auth: dict[str, str]) -> None:
    item = client.get("/api/v1/admin/questions/fx-numeric", headers=auth).json()
    mine = {**item["item"], "tolerance": 0.01}
    theirs = {**item["item"], "value": 0.30000000000000004}
    assert (
        client.put(
            "/api/v1/admin/questions/fx-numeric",
            json={"topic": "numbers", "item": theirs, "version": 1},
            headers=auth,
        ).status_code
        == 200
    )
    stale = client.put(
        "/api/v1/admin/questions/fx-numeric",
        json={"topic": "numbers", "item": mine, "version": 1},
        headers=auth,
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]["diff"].splitlines() == [
        "--- version 2 (saved)",
        "+++ your edit",
        "@@ -4,6 +4,6 @@",
        " difficulty: 2",
        " tags: [gamma]",
        " prompt: {zh: $0.1 + 0.2$ 等于多少？, en: 'What is $0.1 + 0.2$?'}",
        "-value: 0.30000000000000004",
        "-tolerance: 0.001",
        "+value: 0.3",
        "+tolerance: 0.01",
        " answer: {zh: 两数相加得 0.3。, en: Adding the two gives 0.3.}",
    ]
    assert client.get("/api/v1/admin/questions/fx-numeric", headers=auth).json()["item"]["tolerance"] == 0.001


def test_bank_rules_give_422_located_in_the_item(client: TestClient, auth: dict[str, str]) -> None:
    broken = {**OPEN_ITEM, "difficulty": 0, "key_points": [], "extra": 1}
    response = client.post("/api/v1/admin/questions", json={"topic": "basics", "item": broken}, headers=auth)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "item", "difficulty"],
            "msg": "input should be greater than or equal to 1 (got 0)",
            "type": "bank_rule",
        },
        {
            "loc": ["body", "item", "key_points"],
            "msg": "list should have at least 1 item after validation, not 0 (got list)",
            "type": "bank_rule",
        },
        {
            "loc": ["body", "item", "extra"],
            "msg": "unknown field (check the spelling; see app/bank/schema.py for the fields)",
            "type": "bank_rule",
        },
    ]
    unknown_topic = client.post(
        "/api/v1/admin/questions", json={"topic": "nope", "item": OPEN_ITEM}, headers=auth
    )
    assert unknown_topic.json()["detail"] == [
        {"loc": ["body", "topic"], "msg": "unknown topic 'nope'", "type": "bank_rule"}
    ]
    taken = client.post(
        "/api/v1/admin/questions",
        json={"topic": "basics", "item": {**OPEN_ITEM, "id": "fx-open"}},
        headers=auth,
    )
    assert taken.json()["detail"][0]["msg"] == "id 'fx-open' is already used by another item"
    renamed = {"topic": "basics", "item": {**OPEN_ITEM, "id": "other"}, "version": 1}
    assert client.put("/api/v1/admin/questions/fx-open", json=renamed, headers=auth).json()["detail"][0][
        "msg"
    ] == ("the id of an existing item cannot change")
    assert client.get("/api/v1/admin/questions/nope", headers=auth).status_code == 404
    # Python's JSON reader takes NaN; the schema would too, but PostgreSQL cannot store it.
    nan = '{"topic": "numbers", "item": {"id": "x-nan", "kind": "numeric", "difficulty": 1, "value": NaN, '
    nan += '"prompt": {"zh": "多少？", "en": "How much?"}, "answer": {"zh": "无", "en": "None"}}}'
    refused = client.post(
        "/api/v1/admin/questions", content=nan, headers={**auth, "Content-Type": "application/json"}
    )
    assert refused.json()["detail"] == [
        {"loc": ["body", "item"], "msg": "numbers must be finite (no NaN or infinity)", "type": "bank_rule"}
    ]


def test_the_list_filters_and_flags(client: TestClient, auth: dict[str, str]) -> None:
    page = client.get("/api/v1/admin/questions?topic=numbers&per_page=1", headers=auth).json()
    assert (page["total"], page["pages"], [q["id"] for q in page["items"]]) == (2, 2, ["fx-numeric"])
    assert page["items"][0]["needs_checking"] is False
    found = client.get("/api/v1/admin/questions?q=euler", headers=auth).json()
    assert [q["id"] for q in found["items"]] == ["fx-open"]


def test_the_admin_api_is_documented() -> None:
    paths = create_app(Settings(mode="test", database_url="sqlite://", secret_key="x" * 40)).openapi()[
        "paths"
    ]
    ops = paths["/api/v1/admin/questions/{slug}"]
    assert sorted(ops) == ["delete", "get", "put"]
    assert ops["put"]["summary"] == "Update Question"
    assert ops["put"]["description"].startswith("Replace a question's content; 409 with a diff")
    assert set(ops["put"]["responses"]) == {"200", "401", "403", "404", "409", "422"}
    assert ops["put"]["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StaleResponse"
    }
