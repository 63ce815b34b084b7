"""Every protected API route refuses a request without credentials (401), and the open ones stay open."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.users.helpers import make_app

# Routes anyone may call: the bank and calculators are public; sign-up and token creation take credentials.
PUBLIC = {
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/tokens"),
    ("GET", "/api/v1/topics"),
    ("GET", "/api/v1/questions"),
    ("GET", "/api/v1/questions/{question_id}"),
}
PUBLIC_PREFIXES = ("/api/v1/explain",)


def api_routes() -> list[tuple[str, str]]:
    """Every API operation, from the OpenAPI document (which is what clients see)."""
    app = create_app(Settings(mode="test", database_url="sqlite://", secret_key="x" * 40))
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path) for path, item in paths.items() if path.startswith("/api/") for method in item
    ]


PROTECTED = [r for r in api_routes() if r not in PUBLIC and not r[1].startswith(PUBLIC_PREFIXES)]


def test_the_contract_routes_are_protected() -> None:
    for route in (
        ("GET", "/api/v1/review/next"),
        ("POST", "/api/v1/review/{card_id}"),
        ("POST", "/api/v1/review/undo"),
        ("GET", "/api/v1/cards/{card_id}"),
        ("GET", "/api/v1/stats"),
        ("DELETE", "/api/v1/tokens/{token_id}"),
    ):
        assert route in PROTECTED


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the whole module: refusing a request never touches the data."""
    tmp = tmp_path_factory.mktemp("auth")
    app = make_app(tmp, f"sqlite:///{tmp}/auth.db")
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_route_without_token_is_401(anonymous: TestClient, method: str, path: str) -> None:
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = anonymous.request(method, url, json={"rating": 3})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
