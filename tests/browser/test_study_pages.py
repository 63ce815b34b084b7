"""Dashboard, stats, search, settings, language, a phone-sized screen, and no JavaScript (issue 7)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shots import shot

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


def review_two_cards(page: Page, url: str) -> None:
    """Reveal and rate two cards by keyboard (Good, then Again)."""
    page.goto(f"{url}/review")
    for key in ("3", "1"):
        card = page.locator("[data-review]").get_attribute("data-card")
        page.keyboard.press(" ")
        page.keyboard.press(key)
        expect(page.locator("[data-review]")).not_to_have_attribute("data-card", card or "")


def test_stats_page_draws_its_charts(page: Page, live_server: LiveServer) -> None:
    review_two_cards(page, live_server.url)
    page.goto(f"{live_server.url}/stats")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("#chart-reviews rect.s-pass")).to_have_count(1)
    expect(page.locator("#chart-reviews rect.s-fail")).to_have_count(1)
    expect(page.locator("#chart-buttons rect")).to_have_count(2)
    expect(page.locator("#chart-forecast title").first).to_have_text("Cards due in the next 30 days")
    expect(page.locator(".tiles .tile").first).to_contain_text("2")
    page.locator(".data-table summary").first.click()
    expect(page.locator(".data-table table").first).to_be_visible()
    shot(page, "stats")
    page.goto(live_server.url)
    expect(page.locator(".tiles .tile").nth(4)).to_contain_text("2")  # reviewed today
    expect(page.locator("svg.heatmap rect.h4")).to_have_count(1)
    shot(page, "dashboard")


def test_search_finds_chinese_and_english_words(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/search")
    page.get_by_label("Search words").fill("质数")  # two characters: below a trigram, still found
    page.keyboard.press("Enter")
    expect(page.locator(".results li")).to_have_count(1)
    expect(page.locator(".results a")).to_have_text("Which number is prime?")
    page.get_by_label("Search words").fill("even numbers")
    page.get_by_label("Kind").select_option("multi")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".results li")).to_have_count(1)
    shot(page, "search")


def test_settings_set_the_interview_day_and_the_language(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/settings")
    page.get_by_label("Interview date").fill("2099-06-01")
    page.get_by_label("Desired retention (%)").fill("85")
    page.get_by_label("Language", exact=True).select_option("zh")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("status")).to_have_text("已保存。")
    shot(page, "settings")
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=2).first).to_have_text("今天")
    expect(page.locator(".interview-day h2")).to_contain_text("距离面试还有")
    shot(page, "dashboard-zh")


def test_language_switch_is_remembered_for_the_learner(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/review")  # a guest is created on the first review
    page.get_by_role("link", name="Switch to Chinese").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("复习")
    # Without the language cookie the saved preference still wins over the browser's English.
    page.context.clear_cookies(name="lang")
    page.goto(f"{live_server.url}/quiz")
    expect(page.get_by_role("heading", level=1)).to_have_text("测验")
    shot(page, "quiz-zh")


def test_a_phone_sized_screen(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size(PHONE)
    for path in ("/", "/review", "/quiz", "/interview", "/stats", "/search", "/settings"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways: {width}px"
    page.goto(f"{live_server.url}/review")
    page.keyboard.press(" ")
    buttons = page.locator(".rate-btn")
    expect(buttons).to_have_count(4)
    boxes = [buttons.nth(i).bounding_box() for i in range(4)]
    assert all(b is not None and b["x"] + b["width"] <= PHONE["width"] for b in boxes)
    shot(page, "review-375px")


def test_pages_work_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/review")
    page.get_by_text("Show answer").click()  # a native <details>
    page.get_by_role("button", name="Good").click()
    expect(page.locator("[data-review]")).to_have_attribute("data-kind", "multi")
    page.goto(f"{live_server.url}/quiz")
    page.get_by_label("Numeric").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Your answer").fill("0.3")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".verdict")).to_have_text("Correct")
    page.get_by_role("link", name="See the results").click()
    expect(page.locator(".tiles .tile").first).to_contain_text("1 / 1")
    context.close()
