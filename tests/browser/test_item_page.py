"""A real browser answers a choice item, reveals an open answer and finds typeset math (issue 2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_answer_a_choice_item(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/q/fx-choice")
    page.get_by_label("9").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("status")).to_have_text("Not quite")
    expect(page.locator(".choice.wrong")).to_contain_text("9 = 3×3.")
    expect(page.locator(".choice.right")).to_contain_text("Its only divisors are 1 and 7.")


def test_reveal_an_open_answer_with_rendered_math(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/q/fx-open")
    expect(page.locator(".prompt .katex")).to_have_count(1)
    answer = page.locator("details.reveal .answer")
    expect(answer).to_be_hidden()
    page.get_by_text("Show answer").click()
    expect(answer).to_be_visible()
    expect(answer.locator(".katex").first).to_be_visible()
    expect(page.locator(".key-points li")).to_have_text(["Euler's formula"])


def test_switch_language_by_keyboard(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/topics/basics")
    page.get_by_role("link", name="Switch to Chinese").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("基础")
