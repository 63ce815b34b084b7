"""Accounts and API tokens over the API: sign up, tokens, bearer auth, roles, settings."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.users.models import ApiToken, User
from tests.users.helpers import PASSWORD, signup


def test_sign_up_then_token_then_me(app: FastAPI, client: TestClient) -> None:
    created = client.post("/api/v1/users", json={"email": " Ann@Example.COM ", "password": PASSWORD})
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("id", "email", "role", "is_guest")} == {
        "id": 1,
        "email": "ann@example.com",
        "role": "user",
        "is_guest": False,
    }
    token = client.post(
        "/api/v1/tokens", json={"email": "ann@example.com", "password": PASSWORD, "name": "phone"}
    )
    assert token.status_code == 201
    body = token.json()
    assert (body["name"], body["prefix"], body["token"][:10]) == ("phone", body["token"][:10], body["prefix"])
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["email"] == "ann@example.com"
    with app.state.db.session() as session:
        row = session.scalars(select(ApiToken)).one()
        user = session.scalars(select(User)).one()
    assert body["token"] not in (row.token_hash, row.prefix)  # only the hash is stored
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")


def test_sign_up_problems(client: TestClient) -> None:
    assert client.post("/api/v1/users", json={"email": "a@b.co", "password": PASSWORD}).status_code == 201
    again = client.post("/api/v1/users", json={"email": "A@B.CO", "password": PASSWORD})
    assert (again.status_code, again.json()) == (409, {"detail": "This email is already registered"})
    for body, field in (
        ({"email": "nope", "password": PASSWORD}, "email"),
        ({"email": "c@d.co", "password": "short"}, "password"),
        ({"email": "c@d.co", "password": "x" * 257}, "password"),
        ({"email": "c@d.co"}, "password"),
    ):
        response = client.post("/api/v1/users", json=body)
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]


def test_wrong_credentials_get_no_token(client: TestClient) -> None:
    signup(client)
    for email, password in (("ann@example.com", "wrong password"), ("who@example.com", PASSWORD)):
        response = client.post("/api/v1/tokens", json={"email": email, "password": password})
        assert (response.status_code, response.json()) == (401, {"detail": "Wrong email or password"})


def test_list_and_revoke_tokens(client: TestClient) -> None:
    auth = signup(client)
    second = client.post(
        "/api/v1/tokens", json={"email": "ann@example.com", "password": PASSWORD, "name": "b"}
    )
    second_auth = {"Authorization": f"Bearer {second.json()['token']}"}
    listed = client.get("/api/v1/tokens", headers=auth).json()
    assert [(t["id"], t["name"], t["revoked_at"]) for t in listed] == [(2, "b", None), (1, "t", None)]
    assert "token" not in listed[0]
    assert client.delete("/api/v1/tokens/2", headers=auth).status_code == 204
    refused = client.get("/api/v1/users/me", headers=second_auth)
    assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
    assert client.get("/api/v1/tokens", headers=auth).json()[0]["revoked_at"] is not None
    other = signup(client, "bob@example.com")
    assert client.delete("/api/v1/tokens/1", headers=other).status_code == 404
    assert client.get("/api/v1/users/me", headers=auth).status_code == 200


def test_malformed_authorization_headers_are_401(client: TestClient) -> None:
    for header in ("Bearer", "Bearer ", "Basic abc", "Bearer dp_not-a-real-token", "token"):
        assert client.get("/api/v1/users/me", headers={"Authorization": header}).status_code == 401


def test_admin_routes_need_the_admin_role(app: FastAPI, client: TestClient) -> None:
    auth = signup(client)
    bob = signup(client, "bob@example.com")
    assert client.get("/api/v1/users", headers=auth).status_code == 403
    with app.state.db.session() as session:
        session.scalars(select(User).where(User.email == "ann@example.com")).one().role = "admin"
        session.commit()
    assert [u["email"] for u in client.get("/api/v1/users", headers=auth).json()] == [
        "ann@example.com",
        "bob@example.com",
    ]
    promoted = client.put("/api/v1/users/2/role", headers=auth, json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert client.get("/api/v1/users", headers=bob).status_code == 200
    assert client.put("/api/v1/users/99/role", headers=auth, json={"role": "admin"}).status_code == 404
    assert client.put("/api/v1/users/2/role", headers=auth, json={"role": "root"}).status_code == 422


def test_settings_round_trip(client: TestClient) -> None:
    auth = signup(client)
    defaults = client.get("/api/v1/settings", headers=auth).json()
    assert {
        k: defaults[k]
        for k in (
            "desired_retention",
            "new_per_day",
            "reviews_per_day",
            "day_start_hour",
            "timezone",
            "leech_threshold",
            "leech_action",
        )
    } == {
        "desired_retention": 0.9,
        "new_per_day": 20,
        "reviews_per_day": 200,
        "day_start_hour": 4,
        "timezone": "UTC",
        "leech_threshold": 8,
        "leech_action": "suspend",
    }
    changed = client.patch(
        "/api/v1/settings", headers=auth, json={"desired_retention": 0.85, "timezone": "Asia/Shanghai"}
    )
    assert (
        changed.json()["desired_retention"],
        changed.json()["timezone"],
        changed.json()["new_per_day"],
    ) == (0.85, "Asia/Shanghai", 20)
