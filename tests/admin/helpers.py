"""Factories for the admin tests: accounts with roles, signed-in clients, form tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.admin.forms import FormState, from_body
from app.admin.service import get_item
from app.users import service as user_service

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(app: FastAPI, email: str, *, role: str = "user") -> int:
    """An account with ``role``; returns its id."""
    with app.state.db.session() as session:
        user = user_service.register(session, email=email, password=PASSWORD, now=T0, cheap_hash=True)
        if role != "user":
            user_service.set_role(session, user=user, role=role)
        return user.id


def csrf(page: str) -> str:
    """The CSRF token of a rendered page."""
    match = CSRF.search(page)
    assert match, page[:500]
    return match.group(1)


def sign_in(client: TestClient, email: str) -> None:
    """Log ``client`` in through the login form."""
    token = csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def bearer(client: TestClient, email: str) -> dict[str, str]:
    """Authorization headers with a fresh API token of ``email``."""
    response = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD, "name": "t"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def page_token(client: TestClient) -> str:
    """A CSRF token for ``client``'s session."""
    return csrf(client.get("/login").text)


def form_pairs(state: FormState, **extra: str) -> dict[str, str]:
    """What a browser submits for an editor form showing ``state`` (plus hidden fields)."""
    pairs = [(k, v) for k, v in state.values.items()]
    for i, row in enumerate(state.choices):
        pairs += [(f"choices.{i}.{k}", v) for k, v in row.items() if k != "correct"]
        pairs += [(f"choices.{i}.correct", "on")] if row["correct"] else []
    for i, point in enumerate(state.key_points):
        pairs += [(f"key_points.{i}.{k}", v) for k, v in point.items()]
    return dict(pairs) | extra


def edit_form(client: TestClient, slug: str, version: int = 1, **changes: str) -> dict[str, str]:
    """The editor form of a stored item with some fields changed, ready to post."""
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        row = get_item(session, slug=slug)
        state = from_body(row.body, row.topic.slug)
    state.values.update({k: v for k, v in changes.items() if not k.startswith("choices.")})
    for key, value in changes.items():
        if key.startswith("choices."):
            _, index, field = key.split(".", 2)
            state.choices[int(index)][field] = value == "on" if field == "correct" else value
    return form_pairs(state, mode="form", version=str(version), csrf_token=page_token(client))
