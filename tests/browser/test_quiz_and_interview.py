"""A learner takes a quiz with every item kind and a mock interview with a short timer (issue 7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.shots import shot

pytestmark = pytest.mark.browser


def answer_current_question(page: Page) -> str:
    """Answer whatever the page asks (the quiz order is random): right, except multi and computed."""
    kind = page.locator("article.item .badge").first.inner_text()
    if kind == "Single choice":
        page.get_by_role("radio", name="7", exact=True).check()
    elif kind == "Multiple choice":
        # Only one of the two even numbers: half marks.
        page.get_by_role("checkbox", name="2", exact=True).check()
    elif kind == "Numeric":
        page.get_by_label("Your answer").fill("0.3")
    elif kind == "Computed":
        page.get_by_label("Your answer").fill("1")
    else:
        page.get_by_label("Your answer (optional").fill("Euler's formula at pi.")
        page.get_by_text("Show the model answer and key points").click()
        page.get_by_label("Euler's formula").check()
    return kind


def test_a_quiz_with_every_kind_then_the_results(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/quiz")
    page.get_by_label("Number of questions").fill("5")
    page.get_by_label("One question at a time").check()
    page.get_by_label("After each answer").check()
    page.get_by_role("button", name="Start the quiz").click()
    seen = []
    for n in range(1, 6):
        expect(page.locator(".progress-line span")).to_have_text(f"Question {n} of 5")
        seen.append(answer_current_question(page))
        if n == 1:
            shot(page, "quiz-question")
        page.get_by_role("button", name="Check answer").click()
        expect(page.locator(".feedback")).to_be_visible()
        if seen[-1] == "Multiple choice":
            expect(page.locator(".verdict")).to_have_text("Not quite (50 %)")
            expect(page.locator(".options-why .why").first).to_be_visible()  # each option's reason
            shot(page, "quiz-feedback")
        if seen[-1] == "Computed":
            expect(page.locator(".working")).to_be_visible()  # the worked steps
        page.get_by_role("link", name="See the results" if n == 5 else "Next question").click()
    assert sorted(seen) == ["Computed", "Multiple choice", "Numeric", "Open", "Single choice"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz results")
    tiles = page.locator(".tiles .tile")
    expect(tiles.nth(0)).to_contain_text("3 / 5")
    expect(tiles.nth(1)).to_contain_text("70 %")
    rows = page.locator("table.per-topic tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Basics")
    expect(rows.nth(0)).to_contain_text("83 %")
    expect(rows.nth(1)).to_contain_text("Numbers")
    expect(rows.nth(1)).to_contain_text("50 %")
    expect(page.locator(".revisit li")).to_have_count(2)
    expect(page.locator(".answer-review > li")).to_have_count(5)
    shot(page, "quiz-results")
    page.get_by_role("link", name="Past quizzes").click()
    expect(page.locator("table.history tbody tr")).to_have_count(1)


def test_a_one_page_quiz_handed_in_at_the_end(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/quiz")
    page.get_by_label("Numeric").check()
    page.get_by_label("All questions on one page").check()
    page.get_by_label("At the end of the quiz").check()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("article.item")).to_have_count(1)
    page.get_by_label("Your answer").fill("0.30004")  # within the item's tolerance of 0.001
    page.get_by_role("button", name="Hand in").click()
    expect(page.locator(".tiles .tile").first).to_contain_text("1 / 1")


def test_a_mock_interview_with_a_short_timer(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/interview")
    page.get_by_label("Number of questions").fill("2")
    page.get_by_label("Minutes per question").fill("0.1")  # six seconds
    page.get_by_role("button", name="Start the interview").click()
    clock = page.locator("[data-clock]")
    expect(clock).to_have_text(re.compile(r"0:0[0-6]"))
    expect(page.get_by_label("Your answer")).to_be_focused()
    shot(page, "interview-question")
    page.keyboard.type("My answer to the first question.")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".progress-line span")).to_have_text("Question 2 of 2")
    page.keyboard.type("Started, but the time ran out.")
    # Nobody presses anything: when the countdown reaches zero the answer is sent.
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade your answers", timeout=15_000)
    answers = page.locator(".your-words")
    expect(answers).to_have_text(["My answer to the first question.", "Started, but the time ran out."])
    page.locator("article.item").first.locator("input[type=checkbox]").check()
    shot(page, "interview-grade")
    page.get_by_role("button", name="See the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interview report")
    tiles = page.locator(".tiles .tile")
    expect(tiles.nth(0)).to_contain_text("50 %")
    expect(tiles.nth(2)).to_contain_text("2 / 2")
    expect(page.get_by_role("heading", name="What to study next")).to_be_visible()
    shot(page, "interview-report")
    page.get_by_role("link", name="Past interviews").click()
    expect(page.locator("table.history tbody tr")).to_have_count(1)
