"""Failed logins are throttled per account and per address, in the database (issue 8.9)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.users import ratelimit
from tests.admin.helpers import PASSWORD, T0, make_user, page_token
from tests.users.helpers import Clock


@pytest.fixture
def app(client: TestClient) -> FastAPI:
    application: FastAPI = client.app  # type: ignore[assignment]
    application.state.clock = Clock(T0)
    make_user(application, "ann@example.com")
    make_user(application, "bob@example.com")
    return application


@pytest.fixture
def from_address(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    clients = {host: TestClient(app, client=(host, 4000)) for host in ("10.0.0.1", "10.0.0.2", "10.0.0.3")}
    yield clients
    for c in clients.values():
        c.close()


def login(client: TestClient, email: str, password: str = "wrong password") -> int:
    data = {"email": email, "password": password, "csrf_token": page_token(client)}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_ten_failures_lock_the_account_for_fifteen_minutes(
    app: FastAPI, from_address: dict[str, TestClient]
) -> None:
    first, second = from_address["10.0.0.1"], from_address["10.0.0.2"]
    for attempt in range(10):
        app.state.clock.advance(seconds=30)
        assert login(first if attempt % 2 else second, "ann@example.com") == 401
    refused = first.post(
        "/login",
        data={"email": "Ann@Example.com", "password": PASSWORD, "csrf_token": page_token(first)},
        follow_redirects=False,
    )
    # Even the right password waits: it is T0 + 5 min, and the oldest failure (T0 + 30 s) ages out
    # at T0 + 15.5 min.
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "630")
    assert "Too many failed logins. Please try again in 11 minute(s)." in refused.text
    assert login(from_address["10.0.0.3"], "ann@example.com", PASSWORD) == 429  # any address
    assert login(from_address["10.0.0.3"], "bob@example.com", PASSWORD) == 303  # other accounts are fine
    app.state.clock.advance(seconds=629)
    assert login(from_address["10.0.0.3"], "ann@example.com", PASSWORD) == 429
    app.state.clock.advance(seconds=1)
    assert login(from_address["10.0.0.3"], "ann@example.com", PASSWORD) == 303


def test_ten_failures_from_one_address_lock_that_address(
    app: FastAPI, from_address: dict[str, TestClient]
) -> None:
    attacker = from_address["10.0.0.1"]
    for n in range(10):
        assert login(attacker, f"guess{n}@example.com") == 401
    assert login(attacker, "bob@example.com", PASSWORD) == 429
    assert login(from_address["10.0.0.2"], "bob@example.com", PASSWORD) == 303


def test_a_success_forgets_the_accounts_failures(app: FastAPI, from_address: dict[str, TestClient]) -> None:
    for _ in range(9):
        assert login(from_address["10.0.0.1"], "ann@example.com") == 401
    assert login(from_address["10.0.0.2"], "ann@example.com", PASSWORD) == 303
    for _ in range(9):
        assert login(from_address["10.0.0.3"], "ann@example.com") == 401  # a fresh count of ten


def test_the_token_api_is_throttled_too(app: FastAPI, client: TestClient) -> None:
    wrong = {"email": "ann@example.com", "password": "wrong password", "name": "t"}
    for _ in range(10):
        assert client.post("/api/v1/tokens", json=wrong).status_code == 401
    refused = client.post("/api/v1/tokens", json={**wrong, "password": PASSWORD})
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "900")
    assert refused.json() == {"detail": "Too many failed logins; try again in 900 seconds"}


def test_old_failures_are_pruned(app: FastAPI) -> None:
    with app.state.db.session() as session:
        for minutes in (0, 10, 20):
            ratelimit.record_failure(
                session, email="x@y.z", address=None, now=T0 + timedelta(minutes=minutes)
            )
        keys = session.scalars(
            select(ratelimit.LoginFailure.created_at).order_by(ratelimit.LoginFailure.id)
        ).all()
    assert keys == [T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)]
