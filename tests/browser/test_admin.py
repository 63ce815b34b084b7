"""An admin fixes an answer in a real browser with live preview, learners see it, the history and the
YAML export show it; script in question content never runs (issue 8)."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from app.core.config import Settings
from app.core.db import Database
from app.users import service as user_service
from tests.admin.helpers import PASSWORD, T0
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser
ADMIN = "admin@example.com"
NEW_ANSWER = r"Seven is prime: $7 = 1 \times 7$ and nothing else."


@pytest.fixture
def admin_page(page: Page, live_server: LiveServer, settings: Settings) -> Page:
    """The browser signed in as an admin."""
    db = Database(settings.database_url)
    with db.session() as session:
        user = user_service.register(session, email=ADMIN, password=PASSWORD, now=T0, cheap_hash=True)
        user_service.set_role(session, user=user, role="admin")
    db.dispose()
    page.goto(f"{live_server.url}/login?next=/admin")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bank admin")
    return page


def test_fix_an_answer_with_live_preview_history_and_export(
    admin_page: Page, live_server: LiveServer
) -> None:
    page = admin_page
    page.get_by_role("searchbox").fill("prime")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="fx-choice").click()
    preview = page.locator("#preview")
    expect(preview.locator("article")).to_have_count(2)  # Chinese and English
    page.locator('[name="answer.en"]').fill(NEW_ANSWER)
    explanation = preview.locator('article[lang="en"] .explanation')
    expect(explanation).to_contain_text("Seven is prime")  # the preview follows the typing
    expect(explanation.locator(".katex")).to_have_count(1)
    page.locator('[name="note"]').first.fill("clearer explanation")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status").first).to_have_text("Saved version 2.")

    page.goto(f"{live_server.url}/q/fx-choice")
    page.get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".explanation")).to_contain_text("Seven is prime")
    expect(page.locator(".explanation .katex")).to_have_count(1)

    page.goto(f"{live_server.url}/admin/items/fx-choice/history")
    expect(page.locator("pre.diff .add")).to_contain_text("Seven is prime")
    expect(page.get_by_text("clearer explanation")).to_be_visible()

    page.goto(f"{live_server.url}/admin/export")
    with page.expect_download() as download:
        page.get_by_role("link", name="questions.zip").click()
    data = download.value.path().read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        basics = archive.read("questions/basics.yaml").decode()
    assert "Seven is prime: $7 = 1 \\times 7$ and nothing else." in basics


def test_the_yaml_tab_and_the_form_stay_in_step(admin_page: Page, live_server: LiveServer) -> None:
    page = admin_page
    page.goto(f"{live_server.url}/admin/items/fx-numeric")
    page.get_by_role("tab", name="Raw YAML").click()
    yaml_box = page.get_by_label("The item as YAML")
    expect(yaml_box).to_be_visible()
    yaml_box.fill(yaml_box.input_value().replace("difficulty: 2", "difficulty: 4"))
    page.get_by_role("tab", name="Form").click()
    expect(page.get_by_label("Difficulty (1–5)")).to_have_value("4")
    expect(page.locator('#item-form [name="value"]')).to_have_value("0.3")
    page.locator("#item-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_have_text("Saved version 2.")


def test_script_in_a_question_never_runs(admin_page: Page, live_server: LiveServer) -> None:
    page = admin_page
    page.goto(f"{live_server.url}/admin/new")
    attack = "<img src=x onerror=\"window.pwned=1;console.error('pwned')\"> <script>window.pwned=2</script>"
    page.locator('[name="id"]').fill("evil-item")
    page.locator('[name="prompt.zh"]').fill(f"恶意 {attack}")
    page.locator('[name="prompt.en"]').fill(f"Evil {attack} [x](javascript:window.pwned=3)")
    page.locator('[name="answer.zh"]').fill(attack)
    page.locator('[name="answer.en"]').fill(attack)
    page.locator('[name="key_points.0.zh"]').fill("无")
    page.locator('[name="key_points.0.en"]').fill(f"none {attack}")
    expect(page.locator("#preview article")).to_have_count(2)  # the preview rendered it, inertly
    page.locator("#item-form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_have_text("Saved version 1.")

    page.goto(f"{live_server.url}/q/evil-item")
    expect(page.locator(".prompt")).to_contain_text("Evil <img src=x onerror=")
    page.get_by_text("Show answer").click()
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.pwned") is None
