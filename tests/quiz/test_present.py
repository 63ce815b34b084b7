"""Presenting and grading items in review, quiz and interview: seeds, shuffles, rubrics (issue 7)."""

from __future__ import annotations

import pytest

from app.quiz import grading
from app.quiz.present import Response, grade, grade_points, present
from tests.quiz.items import CHOICE, COMPUTED, MULTI, NUMERIC, OPEN


def test_options_are_shuffled_per_seed_and_keep_their_item_index() -> None:
    assert [o.index for o in present(CHOICE, 0).options] == [0, 2, 1]
    assert [o.index for o in present(CHOICE, 1).options] == [1, 2, 0]
    assert [o.index for o in present(CHOICE, 0).options] == [0, 2, 1]  # the same seed, the same order
    assert [o.text for o in present(CHOICE, 1).options] == ["7", "9", "4"]


@pytest.mark.parametrize(
    ("picked", "correct", "score"), [([1], True, 1.0), ([0], False, 0.0), ([], False, 0.0)]
)
def test_choice_is_graded_by_item_index(picked: list[int], correct: bool, score: float) -> None:
    outcome = grade(present(CHOICE, 3), Response(choice=picked))
    assert (outcome.correct, outcome.score) == (correct, score)


def test_multi_gives_partial_credit() -> None:
    shown = present(MULTI, 0)
    assert grade(shown, Response(choice=[0, 2])).score == 1.0
    half = grade(shown, Response(choice=[0]))
    assert (half.correct, half.score) == (False, 0.5)
    assert grade(shown, Response(choice=[0, 1])).score == 0.0


@pytest.mark.parametrize(
    ("typed", "correct"), [("0.3", True), ("0.3009", True), ("0.302", False), ("", False)]
)
def test_numeric_uses_the_item_tolerance(typed: str, correct: bool) -> None:
    assert grade(present(NUMERIC, 0), Response(text=typed)).correct is correct


def test_unreadable_number_is_flagged_not_graded_right() -> None:
    outcome = grade(present(NUMERIC, 0), Response(text="about a third"))
    assert (outcome.correct, outcome.unreadable) == (False, True)


def test_computed_items_get_fresh_numbers_per_seed_and_name_the_slip() -> None:
    shown = present(COMPUTED, 7)
    assert shown.input == "number"
    assert shown.expected == [227.0, 227.0]
    assert shown.prompt["en"].startswith("A 227×227 input feature map")
    assert present(COMPUTED, 8).prompt != shown.prompt
    assert grade(shown, Response(text="227 × 227")).correct
    slipped = grade(shown, Response(text="226, 226"))
    assert slipped.slip is not None and slipped.slip["name"] == "forgot_plus_one"
    assert shown.rubric[0].text == {"zh": "227 × 227", "en": "227 × 227"}


def test_open_items_score_the_share_of_key_points() -> None:
    shown = present(OPEN, 0)
    assert [p.text["en"] for p in shown.rubric] == ["scale", "shift", "statistics", "training speed"]
    assert grade(shown, Response(points=[0, 1])).score == 0.5
    assert grade_points(shown, [0]).correct is False
    assert grade_points(shown, [0, 1]).correct is True
    assert grade_points(shown, [0, 0, 9]).score == 0.25  # repeats and unknown points do not count


def test_items_without_key_points_get_their_answer_as_the_rubric() -> None:
    assert present(MULTI, 0).rubric[0].text["en"] == "2 · 8"
    assert present(NUMERIC, 0).rubric[0].text["en"] == "0.3"
    assert all(p.derived for p in present(CHOICE, 0).rubric)


@pytest.mark.parametrize(
    ("kind", "correct", "ms", "rating"),
    [
        ("choice", False, 1000, grading.AGAIN),
        ("choice", True, 8000, grading.EASY),
        ("choice", True, 8001, grading.GOOD),
        ("computed", True, 25_000, grading.EASY),
        ("numeric", True, None, grading.GOOD),
        ("open", True, 100, grading.GOOD),
    ],
)
def test_suggested_rating(kind: str, correct: bool, ms: int | None, rating: int) -> None:
    assert grading.suggested_rating(kind, correct=correct, duration_ms=ms) == rating


@pytest.mark.parametrize(
    ("ticked", "total", "rating"), [(4, 4, 3), (2, 4, 2), (3, 4, 2), (1, 4, 1), (0, 4, 1), (0, 0, 3)]
)
def test_rating_for_share_of_key_points(ticked: int, total: int, rating: int) -> None:
    assert grading.rating_for_share(ticked, total) == rating


@pytest.mark.parametrize(("score", "rating"), [(1.0, 3), (0.75, 2), (0.5, 2), (0.25, 1), (0.0, 1)])
def test_quiz_scores_become_ratings(score: float, rating: int) -> None:
    assert grading.rating_for_score(score) == rating
