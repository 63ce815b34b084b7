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


def test_settings_refuse_booleans_numbers_as_dates_and_unknown_zones(client: TestClient) -> None:
    # Each was accepted although the schema says otherwise (schemathesis: negative data accepted).
    client.post("/api/v1/users", json={"email": "strict@example.com", "password": "correct horse battery"})
    body = {"email": "strict@example.com", "password": "correct horse battery", "name": "t"}
    auth = {"Authorization": f"Bearer {client.post('/api/v1/tokens', json=body).json()['token']}"}
    for body in (
        {"day_start_hour": False},
        {"desired_retention": True},
        {"interview_date": 0},
        {"timezone": ""},
        {"timezone": "Mars/Olympus"},
    ):
        response = client.patch("/api/v1/settings", json=body, headers=auth)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][-1] == next(iter(body))


def test_token_requests_are_throttled_per_address_too(client: TestClient) -> None:
    # Only the account was counted: guessing many accounts' passwords from one address went unchecked.
    for n in range(10):
        wrong = {"email": f"nobody{n}@example.com", "password": "wrong password", "name": "t"}
        assert client.post("/api/v1/tokens", json=wrong).status_code == 401
    blocked = client.post(
        "/api/v1/tokens", json={"email": "new@example.com", "password": "x" * 8, "name": "t"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_email_pattern_means_the_same_to_every_regex_engine(client: TestClient) -> None:
    # The pattern used \\s, which Python and the schema's readers understand differently.
    accepted = client.post("/api/v1/users", json={"email": "ü@例子.中国", "password": "correct horse 1"})
    assert accepted.status_code == 201, accepted.text
    for email in ("a b@example.com", "a\u0085b@example.com", "a@b@example.com"):
        refused = client.post("/api/v1/users", json={"email": email, "password": "correct horse 1"})
        assert refused.status_code == 422, email
