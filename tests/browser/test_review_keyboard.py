"""A new learner reviews by keyboard alone: reveal, check an answer, rate, undo (issue 7)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shots import shot

pytestmark = pytest.mark.browser


def expect_counts(page: Page, new: int, learning: int, review: int) -> None:
    """The three numbers above the card: new, learning and review cards left today."""
    numbers = page.locator("#counts .n")
    expect(numbers).to_have_text([str(new), str(learning), str(review)])


def option_key(page: Page, text: str) -> str:
    """The digit that picks the option showing ``text`` (options are shuffled per card)."""
    labels = page.locator("#check-form .choice-text").all_inner_texts()
    return str(labels.index(text) + 1)


def suggested(page: Page, name: str) -> None:
    expect(page.locator(".rate-btn.suggested")).to_contain_text(name)


def choice_answered_before_revealing(page: Page) -> None:
    """Pick "7" by its number, Enter checks it; right and fast pre-selects Easy, Enter accepts it."""
    shot(page, "review-front")
    page.keyboard.press(option_key(page, "7"))
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_have_text("Correct")
    suggested(page, "Easy")
    expect(page.locator(".rate-btn.suggested")).to_be_focused()
    shot(page, "review-back")
    page.keyboard.press("Enter")


def open_item_with_its_checklist(page: Page) -> None:
    """Space reveals; the key points are a checklist whose share ticked suggests the rating."""
    page.keyboard.press(" ")
    expect(page.locator("[data-checklist] label")).to_have_text(["Euler's formula"])
    expect(page.locator(".katex").first).to_be_visible()
    for _ in range(3):  # from Good back past Hard and Again to the key point
        page.keyboard.press("Shift+Tab")
    page.keyboard.press(" ")  # ticked: every key point covered suggests Good
    suggested(page, "Good")
    page.keyboard.press(" ")  # none covered suggests Again
    suggested(page, "Again")
    page.keyboard.press("3")


def test_a_review_session_by_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/review")
    expect_counts(page, 5, 0, 0)
    kind = page.locator("[data-review]")
    expect(kind).to_have_attribute("data-kind", "choice")
    choice_answered_before_revealing(page)
    # A multi item: Space reveals without answering (Good has the focus), 1 rates Again.
    expect(kind).to_have_attribute("data-kind", "multi")
    expect_counts(page, 4, 0, 0)
    page.keyboard.press(" ")
    expect(page.locator(".rate-btn.good")).to_be_focused()
    page.keyboard.press("1")
    expect(kind).to_have_attribute("data-kind", "open")
    open_item_with_its_checklist(page)
    # Undo twice by keyboard: the open item, then the multi item come back; answer them again.
    expect(kind).to_have_attribute("data-kind", "numeric")
    page.keyboard.press("u")
    expect(kind).to_have_attribute("data-kind", "open")
    page.keyboard.press("Control+z")
    expect(kind).to_have_attribute("data-kind", "multi")
    for next_kind in ("open", "numeric"):
        page.keyboard.press(" ")
        page.keyboard.press("3")
        expect(kind).to_have_attribute("data-kind", next_kind)
    # A numeric item: typing a digit starts the answer; a wrong number pre-selects Again.
    page.keyboard.type("0.5")
    expect(page.get_by_label("Your answer")).to_have_value("0.5")
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_have_text("Not quite")
    suggested(page, "Again")
    page.keyboard.press("2")  # the learner overrides the suggestion
    # A computed item with fresh numbers: Space on the empty answer reveals the worked answer.
    expect(kind).to_have_attribute("data-kind", "computed")
    page.keyboard.press(" ")
    expect(page.locator("#reveal .expected")).to_contain_text("Expected:")
    page.keyboard.press("4")
    expect_counts(page, 0, 3, 0)
    history = page.request.get(f"{live_server.url}/api/v1/history").json()
    assert [r["rating"] for r in history["reviews"]] == [4, 3, 3, 2, 4]
    assert all(r["duration_ms"] is not None and r["duration_ms"] >= 0 for r in history["reviews"])
