"""Regression tests for the defects schemathesis found (tests/fuzz/test_schemathesis.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path",
    ["/api/v1/users", "/api/v1/tokens", "/api/v1/review/1"],
)
def test_a_body_that_is_not_utf8_is_a_422_like_any_malformed_json(client: TestClient, path: str) -> None:
    # FastAPI answered an undocumented 400 "There was an error parsing the body" here.
    reply = client.post(path, content=b'{"email": "\xff"}', headers={"Content-Type": "application/json"})
    assert reply.status_code == 422
    [error] = reply.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body"]
    assert error["msg"].startswith("The body is not valid JSON: 'utf-8' codec can't decode byte 0xff")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/tokens", "GET, POST"),  # two routes share the path: both count
        ("OPTIONS", "/api/v1/users", "GET, POST"),
        ("DELETE", "/healthz", "GET"),
        ("PATCH", "/api/v1/review/undo", "POST"),
    ],
)
def test_405_allow_header_names_every_method_of_the_path(
    client: TestClient, method: str, path: str, allow: str
) -> None:
    reply = client.request(method, path)
    assert (reply.status_code, reply.headers["allow"]) == (405, allow)


def test_post_to_review_next_is_405_not_a_card_id_parse_error(client: TestClient) -> None:
    # "next" used to reach POST /review/{card_id} and fail as a non-integer card id (422).
    reply = client.post("/api/v1/review/next")
    assert (reply.status_code, reply.headers["allow"]) == (405, "GET")


def test_settings_update_with_nulls_keeps_settings_that_cannot_be_empty(client: TestClient) -> None:
    # {"leech_action": null} was merged as a value, failed validation after the request's, and 500ed.
    client.post("/api/v1/users", json={"email": "nul@example.com", "password": "correct horse battery"})
    body = {"email": "nul@example.com", "password": "correct horse battery", "name": "t"}
    auth = {"Authorization": f"Bearer {client.post('/api/v1/tokens', json=body).json()['token']}"}
    reply = client.patch(
        "/api/v1/settings", headers=auth, json={"leech_action": None, "lang": None, "new_per_day": 5}
    )
    assert reply.status_code == 200, reply.text
    assert (reply.json()["leech_action"], reply.json()["lang"], reply.json()["new_per_day"]) == (
        "suspend",
        None,
        5,
    )
