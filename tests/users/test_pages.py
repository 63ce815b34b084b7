"""Browser pages: a guest reviews at once, CSRF on every form, sign-up keeps progress, tokens page."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.bootstrap import import_bank
from app.core.config import Settings
from app.core.deps import SessionDep
from app.main import create_app
from app.srs.models import Card, ReviewLog
from app.users.dependencies import browser_user
from app.users.models import User
from tests.users.helpers import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CARD = re.compile(r'action="/review/(\d+)"')
REVIEW_KEY = re.compile(r'name="client_review_id" value="([^"]+)"')


def csrf(page: str) -> str:
    match = CSRF.search(page)
    assert match, page
    return match.group(1)


def rate(client: TestClient, page: str, rating: int = 3) -> tuple[int, str]:
    card = CARD.search(page)
    key = REVIEW_KEY.search(page)
    assert card and key
    response = client.post(
        f"/review/{card.group(1)}",
        follow_redirects=False,
        data={"rating": rating, "csrf_token": csrf(page), "client_review_id": key.group(1)},
    )
    return response.status_code, response.headers.get("location", "")


def count(app: FastAPI, model: type) -> int:
    with app.state.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_first_visit_reviews_straight_away_as_a_guest(app: FastAPI, client: TestClient) -> None:
    page = client.get("/review")
    assert page.status_code == 200
    assert "Question t0-q0?" in page.text and "Answer to t0-q0." in page.text
    cookie = page.headers["set-cookie"]
    assert (
        cookie.startswith("deepprep_session=")
        and "httponly" in cookie.lower()
        and "samesite=lax" in cookie.lower()
    )
    assert rate(client, page.text) == (303, "/review")
    nxt = client.get("/review").text
    assert "Question t0-q1?" in nxt and "New 6 · Learning 1 · Review 0" in nxt
    with app.state.db.session() as session:
        guest = session.scalars(select(User)).one()
    assert (guest.is_guest, guest.email, count(app, ReviewLog)) == (True, None, 1)


def test_forms_without_the_csrf_token_are_refused(app: FastAPI, client: TestClient) -> None:
    page = client.get("/review").text
    card_id = CARD.search(page).group(1)  # type: ignore[union-attr]
    for data in (
        {"rating": 3, "client_review_id": "x"},
        {"rating": 3, "client_review_id": "x", "csrf_token": "forged"},
    ):
        assert client.post(f"/review/{card_id}", data=data).status_code == 403
    assert client.post("/logout").status_code == 403
    assert client.post("/signup", data={"email": "a@b.co", "password": PASSWORD}).status_code == 403
    assert count(app, ReviewLog) == 0


def test_a_double_submitted_rating_is_recorded_once(app: FastAPI, client: TestClient) -> None:
    page = client.get("/review").text
    assert rate(client, page)[0] == 303
    assert rate(client, page)[0] == 303
    assert count(app, ReviewLog) == 1


def test_undo_from_the_page(app: FastAPI, client: TestClient) -> None:
    page = client.get("/review").text
    rate(client, page, rating=4)
    page = client.get("/review").text
    response = client.post("/review/undo", data={"csrf_token": csrf(page)}, follow_redirects=False)
    assert response.status_code == 303
    assert count(app, ReviewLog) == 0
    assert "Question t0-q0?" in client.get("/review").text


def test_signing_up_as_a_guest_keeps_the_progress(app: FastAPI, client: TestClient) -> None:
    page = client.get("/review").text
    rate(client, page)
    form = client.get("/signup").text
    assert "move to your new account" in form
    response = client.post(
        "/signup",
        follow_redirects=False,
        data={"email": "Ann@Example.com", "password": PASSWORD, "csrf_token": csrf(form)},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/review")
    with app.state.db.session() as session:
        user = session.scalars(select(User)).one()  # the same row: no second user
        cards = session.scalar(select(func.count()).select_from(Card).where(Card.user_id == user.id))
    assert (user.email, user.is_guest, cards) == ("ann@example.com", False, 1)
    assert "Log out" in client.get("/review").text


def test_sign_up_form_errors(client: TestClient) -> None:
    form = client.get("/signup").text
    bad = client.post("/signup", data={"email": "nope", "password": "short", "csrf_token": csrf(form)})
    assert bad.status_code == 422 and "Please check: email, password" in bad.text
    client.post("/signup", data={"email": "a@b.co", "password": PASSWORD, "csrf_token": csrf(form)})
    client.post("/logout", data={"csrf_token": csrf(client.get("/review").text)})
    form = client.get("/signup").text
    taken = client.post("/signup", data={"email": "a@b.co", "password": PASSWORD, "csrf_token": csrf(form)})
    assert taken.status_code == 409 and "already registered" in taken.text


def test_log_in_log_out_and_no_open_redirect(client: TestClient) -> None:
    form = client.get("/signup").text
    client.post("/signup", data={"email": "a@b.co", "password": PASSWORD, "csrf_token": csrf(form)})
    client.post("/logout", data={"csrf_token": csrf(client.get("/review").text)})
    login = client.get("/login").text
    wrong = client.post(
        "/login", data={"email": "a@b.co", "password": "nope-nope", "csrf_token": csrf(login)}
    )
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    ok = client.post(
        "/login",
        follow_redirects=False,
        data={"email": "a@b.co", "password": PASSWORD, "next": "//evil.example/", "csrf_token": csrf(login)},
    )
    assert (ok.status_code, ok.headers["location"]) == (303, "/review")
    assert csrf(login) != csrf(client.get("/review").text)  # a fresh session nonce after signing in


def test_tokens_page_shows_a_new_token_once_and_revokes(client: TestClient) -> None:
    assert client.get("/tokens", follow_redirects=False).headers["location"] == "/login?next=/tokens"
    form = client.get("/signup").text
    client.post("/signup", data={"email": "a@b.co", "password": PASSWORD, "csrf_token": csrf(form)})
    page = client.get("/tokens").text
    created = client.post("/tokens", data={"name": "laptop", "csrf_token": csrf(page)})
    token = re.search(r'<code id="new-token">(dp_[^<]+)</code>', created.text)
    assert token and created.headers["cache-control"] == "no-store"
    auth = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get("/api/v1/users/me", headers=auth).json()["email"] == "a@b.co"
    listing = client.get("/tokens").text
    assert token.group(1) not in listing and "laptop" in listing
    client.post("/tokens/1/revoke", data={"csrf_token": csrf(listing)})
    assert client.get("/api/v1/users/me", headers=auth).status_code == 401


def test_the_api_accepts_the_session_cookie_with_a_csrf_header(client: TestClient) -> None:
    page = client.get("/review").text
    card = client.get("/api/v1/review/next").json()["card"]
    assert client.post(f"/api/v1/review/{card['id']}", json={"rating": 3}).status_code == 403
    ok = client.post(f"/api/v1/review/{card['id']}", json={"rating": 3}, headers={"X-CSRF-Token": csrf(page)})
    assert ok.status_code == 200


def test_an_error_after_a_guest_is_created_still_renders_the_error_page(settings: Settings) -> None:
    # The page showing the error read the new guest's ORM row after the request's session had rolled
    # back and closed, and the error page itself crashed with a 500.
    import_bank(settings)
    app = create_app(settings)

    @app.get("/boom")
    def boom(session: SessionDep, user: Annotated[User, Depends(browser_user)]) -> None:
        session.execute(select(func.count()).select_from(Card))  # a transaction is now open
        raise HTTPException(404, "nothing here")

    with TestClient(app) as client:
        response = client.get("/boom", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "nothing here" in response.text
