"""Quizzes as the JSON API shows them: solutions appear only once feedback is due."""

from __future__ import annotations

from app.quiz import results
from app.quiz.models import Quiz
from app.quiz.schemas import AttemptPublic, OptionPublic, QuizConfig, QuizPublic, QuizSummary
from app.quiz.service import AttemptView, views


def feedback_due(quiz: Quiz, item: AttemptView) -> bool:
    """Solutions show after the quiz, or right after each answer in an immediate-feedback quiz."""
    if quiz.finished_at is not None:
        return True
    immediate = quiz.mode == "quiz" and quiz.config.get("feedback") == "immediate"
    return immediate and item.response is not None


def attempt_public(quiz: Quiz, item: AttemptView) -> AttemptPublic:
    """One question of a quiz for the API."""
    shown, attempt, reveal = item.shown, item.attempt, feedback_due(quiz, item)
    question = attempt.question
    options = [
        OptionPublic(
            index=o.index, text=o.text, correct=o.correct if reveal else None, why=o.why if reveal else None
        )
        for o in shown.options
    ]
    # Open questions are self-graded against their key points, so those are always part of them.
    rubric = [p.text for p in shown.rubric] if reveal or shown.input == "text" else None
    return AttemptPublic(
        position=attempt.position,
        question_id=question.slug,
        topic=question.topic.slug,
        kind=question.kind,
        difficulty=question.difficulty,
        input=shown.input,
        prompt=shown.prompt,
        options=options,
        rubric=rubric,
        answered=attempt.answer is not None,
        answer=attempt.answer,
        correct=attempt.correct if reveal else None,
        score=attempt.score if reveal else None,
        duration_ms=attempt.duration_ms,
        expected=shown.expected if reveal else None,
        model_answer=question.body.get("answer") if reveal else None,
        slip=item.outcome.slip if reveal and item.outcome else None,
    )


def quiz_public(quiz: Quiz) -> QuizPublic:
    """A quiz with its questions for the API."""
    return QuizPublic(
        id=quiz.id,
        mode=quiz.mode,
        config=QuizConfig.model_validate(quiz.config),
        created_at=quiz.created_at,
        finished_at=quiz.finished_at,
        score=quiz.score,
        attempts=[attempt_public(quiz, item) for item in views(quiz)],
    )


def quiz_summary(quiz: Quiz) -> QuizSummary:
    """A line of the history."""
    summary = results.summarise(quiz)
    return QuizSummary(
        id=quiz.id,
        mode=quiz.mode,
        created_at=quiz.created_at,
        finished_at=quiz.finished_at,
        questions=summary.questions,
        answered=summary.answered,
        correct=summary.correct,
        score=quiz.score,
        total_ms=summary.total_ms,
    )
