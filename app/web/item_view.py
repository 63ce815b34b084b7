"""What an item page shows after an answer: grade, per-option feedback, worked steps."""

from __future__ import annotations

from typing import Any

from app.explain import service as explain_service
from app.quiz import grading


def feedback(
    body: dict[str, Any], *, choice: list[int] | None, answer: str | None, seed: int | None
) -> dict[str, Any]:
    """Template context for ``body`` given the learner's answer (if any)."""
    kind = body["kind"]
    if kind in ("choice", "multi"):
        return _choice_feedback(body, choice)
    if kind == "numeric":
        return _number_feedback(body["value"], body.get("tolerance", 0.0), answer)
    if kind == "computed" and seed is not None:
        return _computed_feedback(body, seed, answer)
    return {}


def _choice_feedback(body: dict[str, Any], choice: list[int] | None) -> dict[str, Any]:
    if not choice:
        return {}
    return {"grade": grading.grade_choice(body["choices"], choice)}


def _number_feedback(expected: Any, tolerance: float, answer: str | None) -> dict[str, Any]:
    if answer is None or not answer.strip():
        return {}
    try:
        return {"grade": grading.grade_number(expected, answer, tolerance), "given": answer}
    except grading.UnreadableAnswer:
        return {"unreadable": True, "given": answer}


def _computed_feedback(body: dict[str, Any], seed: int, answer: str | None) -> dict[str, Any]:
    variant = explain_service.item_variant(body, seed).to_dict()
    context: dict[str, Any] = {"variant": variant, "seed": seed}
    expected = grading.numeric_answer(variant["answer"])
    if expected is not None:
        context.update(_number_feedback(expected, variant["tolerance"], answer))
    grade = context.get("grade")
    if grade is not None and not grade.correct and answer:
        context["slip"] = grading.matching_slip(variant["distractors"], answer, variant["tolerance"])
    return context
