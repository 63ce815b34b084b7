"""Every admin page and admin API route refuses signed-out visitors, guests and plain users (issue 8.1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.admin.bank_pages import router as bank_pages
from app.admin.pages import router as editor_pages
from app.admin.router import router as admin_api
from tests.admin.helpers import bearer, make_user, page_token, sign_in
from tests.users.helpers import make_app


def routes(*routers: object) -> list[tuple[str, str]]:
    found = []
    for router in routers:
        for route in router.routes:  # type: ignore[attr-defined]
            assert isinstance(route, APIRoute)
            found += [(method, route.path) for method in sorted(route.methods - {"HEAD"})]
    return found


PAGES = routes(editor_pages, bank_pages)
API = routes(admin_api)


VALUES = {"{report_id}": "1", "{to_version}": "1", "{action}": "retire", "{slug}": "t0-q0"}


def url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: VALUES[m.group(0)], path)


def test_every_admin_route_is_covered() -> None:
    assert len(PAGES) == 21 and len(API) == 7
    assert all(path.startswith("/admin") for _, path in PAGES)
    assert all(path.startswith("/api/v1/admin/") for _, path in API)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """One app for the module (a refusal changes nothing): a client per kind of visitor."""
    tmp = tmp_path_factory.mktemp("access")
    app = make_app(Path(tmp), f"sqlite:///{tmp}/access.db")
    make_user(app, "user@example.com")
    make_user(app, "root@example.com", role="admin")
    found = {name: TestClient(app) for name in ("anonymous", "guest", "user", "admin")}
    found["guest"].get("/review")  # a first visit makes a guest
    sign_in(found["user"], "user@example.com")
    sign_in(found["admin"], "root@example.com")
    yield found
    for client in found.values():
        client.close()
    app.state.db.dispose()


@pytest.mark.parametrize(("method", "path"), PAGES)
@pytest.mark.parametrize("who", ["anonymous", "guest"])
def test_admin_pages_send_visitors_and_guests_to_log_in(
    clients: dict[str, TestClient], who: str, method: str, path: str
) -> None:
    client = clients[who]
    data = {"csrf_token": page_token(client)} if method == "POST" else None
    response = client.request(method, url(path), data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/login?next=/admin")


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_admin_pages_refuse_plain_users(clients: dict[str, TestClient], method: str, path: str) -> None:
    client = clients["user"]
    data = {"csrf_token": page_token(client)} if method == "POST" else None
    response = client.request(method, url(path), data=data, follow_redirects=False)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(("method", "path"), [r for r in PAGES if r[0] == "POST"])
def test_admin_forms_need_the_csrf_token(clients: dict[str, TestClient], method: str, path: str) -> None:
    response = clients["admin"].post(url(path), data={"version": "1"}, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text


@pytest.mark.parametrize(("method", "path"), API)
def test_admin_api_refuses_anonymous_guest_and_user(
    clients: dict[str, TestClient], method: str, path: str
) -> None:
    anonymous = clients["anonymous"].request(method, url(path), json={"version": 1})
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")
    guest = clients["guest"]
    as_guest = guest.request(
        method, url(path), json={"version": 1}, headers={"X-CSRF-Token": page_token(guest)}
    )
    assert as_guest.status_code == 403
    as_user = clients["user"].request(
        method, url(path), json={"version": 1}, headers=bearer(clients["user"], "user@example.com")
    )
    assert as_user.status_code == 403
    assert as_user.json() == {"detail": "Admins only"}


def test_an_admin_gets_in(clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    assert admin.get("/admin").status_code == 200
    assert admin.get("/api/v1/admin/questions", headers=bearer(admin, "root@example.com")).status_code == 200
    assert 'href="/admin"' in admin.get("/review").text  # the nav links admins to the admin
    assert 'href="/admin"' not in clients["user"].get("/review").text
