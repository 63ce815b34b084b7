"""Web security: inert content, cookie flags, CSRF on learner forms, production secret (issue 8.9)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.core.config import Settings
from app.main import create_app
from tests.admin.helpers import bearer, make_user, page_token
from tests.users.helpers import make_app

ATTACKS = (
    "<script>alert('x')</script> "
    '<img src=x onerror="alert(1)"> '
    "[click](javascript:alert(1)) "
    '<a href="#" onclick="alert(1)">a</a>'
)
MALICIOUS = {
    "id": "evil-item",
    "kind": "choice",
    "difficulty": 1,
    "prompt": {"zh": f"恶意 {ATTACKS}", "en": f"Evil {ATTACKS}"},
    "choices": [
        {"text": "<b onmouseover=alert(1)>bold</b>", "correct": True, "why": {"zh": ATTACKS, "en": ATTACKS}},
        {"text": "plain", "why": {"zh": "无", "en": "none"}},
    ],
    "answer": {"zh": ATTACKS, "en": ATTACKS},
}


class Markup(HTMLParser):
    """Every element and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = Markup()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert tag not in ("img", "b", "iframe"), tag
        assert tag != "script" or str(attrs.get("src", "")).startswith("/static/"), attrs
        assert not str(attrs.get("href", "")).startswith("javascript:"), attrs


def test_script_in_question_content_renders_as_text(admin: TestClient) -> None:
    auth = bearer(admin, "admin@example.com")
    created = admin.post("/api/v1/admin/questions", json={"topic": "basics", "item": MALICIOUS}, headers=auth)
    assert created.status_code == 201
    learner_page = admin.get("/q/evil-item?choice=0").text
    assert_inert(learner_page)
    assert "<p>Evil &lt;script&gt;alert('x')&lt;/script&gt; &lt;img src=x" in learner_page
    assert '<a href="#" rel="noopener noreferrer nofollow">' not in learner_page  # raw HTML is never markup
    assert_inert(admin.get("/admin/items/evil-item").text)
    form = {"mode": "yaml", "topic": "basics", "yaml": "id: evil-item", "csrf_token": page_token(admin)}
    assert_inert(admin.post("/admin/preview", data=form).json()["html"])
    assert_inert(admin.get("/admin?q=evil").text)


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(tmp_path: Path) -> None:
    plain = make_app(tmp_path / "plain", f"sqlite:///{tmp_path}/plain.db")
    with TestClient(plain) as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    settings = plain.state.settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(settings), base_url="https://deepprep.test") as client:
        cookie = client.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "; secure" in cookie
    production = Settings(mode="production", secret_key="k" * 40, database_url="sqlite://")
    assert production.cookies_https_only is True


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-random-1234"])
def test_production_refuses_a_default_or_weak_secret_key(secret: str) -> None:
    with pytest.raises(ValidationError, match="DEEPPREP_SECRET_KEY must be set"):
        Settings(mode="production", secret_key=secret, database_url="sqlite://")


def test_the_report_form_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/review")
    assert client.post("/q/fx-open/report", data={"text": "forged"}).status_code == 403
    make_user(client.app, "ann@example.com")  # type: ignore[arg-type]
    forged = client.post("/api/v1/questions/fx-open/reports", json={"text": "forged"})  # cookie, no header
    assert forged.status_code == 403
