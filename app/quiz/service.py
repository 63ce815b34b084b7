"""Quizzes and mock interviews: create, answer, finish, self-grade, history; results may feed FSRS."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.models import Question, Topic
from app.core.db import write_lock
from app.quiz import grading, picking
from app.quiz.models import Attempt, Quiz
from app.quiz.present import Outcome, Presentation, Response, grade, grade_points, present
from app.quiz.schemas import QuizConfig, QuizCreate, QuizDefaults
from app.srs import cards
from app.srs import service as srs_service
from app.users.models import User

# A mock interview is "mostly open": this share of its questions are open questions.
INTERVIEW_OPEN_SHARE = 0.75
HISTORY_LIMIT = 100


class QuizNotFound(LookupError):
    """No such quiz for this user."""


class NoQuestions(ValueError):
    """No active question matches the quiz's filters."""


class NotAnswerable(ValueError):
    """The question is already answered, or the quiz is over."""


def defaults_of(user: User) -> QuizDefaults:
    """The user's quiz preferences (defaults where missing or unreadable)."""
    try:
        return QuizDefaults.model_validate((user.settings or {}).get("quiz") or {})
    except ValidationError:
        return QuizDefaults()


def save_defaults(session: Session, *, user: User, defaults: QuizDefaults) -> QuizDefaults:
    """Store the user's quiz preferences; commit."""
    user.settings = {**(user.settings or {}), "quiz": defaults.model_dump()}
    with write_lock(session):
        session.commit()
    return defaults


def config_for(user: User, request: QuizCreate) -> QuizConfig:
    """The settings of a new quiz: what was asked, the user's defaults for the rest."""
    d = defaults_of(user)
    interview = request.mode == "interview"
    return QuizConfig(
        topics=request.topics,
        kinds=[] if interview else request.kinds,
        count=request.count or (d.interview_count if interview else d.count),
        difficulty_min=min(request.difficulty_min, request.difficulty_max),
        difficulty_max=max(request.difficulty_min, request.difficulty_max),
        layout="one" if interview else (request.layout or d.layout),
        feedback="end" if interview else (request.feedback or d.feedback),
        feeds_schedule=d.feeds_schedule if request.feeds_schedule is None else request.feeds_schedule,
        seconds_per_question=request.seconds_per_question or d.interview_seconds,
    )


def create(
    session: Session, *, user: User, mode: str, config: QuizConfig, now: datetime, rng: random.Random
) -> Quiz:
    """Pick the questions and store the new quiz; NoQuestions when nothing matches; commit."""
    pool = _candidates(session, config)
    if mode == "interview":
        chosen = picking.interview_order(
            picking.pick(pool, count=config.count, rng=rng, open_share=INTERVIEW_OPEN_SHARE)
        )
    else:
        chosen = picking.pick(pool, count=config.count, rng=rng)
    if not chosen:
        raise NoQuestions()
    quiz = Quiz(user_id=user.id, mode=mode, config=config.model_dump(mode="json"), created_at=now)
    quiz.attempts = [
        Attempt(position=i, question_id=c.id, params={"seed": rng.randrange(2**31)})
        for i, c in enumerate(chosen)
    ]
    with write_lock(session):
        session.add(quiz)
        session.commit()
    return quiz


def _candidates(session: Session, config: QuizConfig) -> list[picking.Candidate]:
    stmt = (
        select(Question.id, Topic.slug, Question.kind, Question.difficulty)
        .join(Topic, Question.topic_id == Topic.id)
        .where(
            Question.retired.is_(False),
            Topic.retired.is_(False),
            Question.difficulty.between(config.difficulty_min, config.difficulty_max),
        )
        .order_by(Topic.position, Question.position)
    )
    if config.topics:
        stmt = stmt.where(Topic.slug.in_(config.topics))
    if config.kinds:
        stmt = stmt.where(Question.kind.in_(config.kinds))
    return [picking.Candidate(*row) for row in session.execute(stmt).tuples()]


def get(session: Session, *, user: User, quiz_id: int) -> Quiz:
    """The user's quiz ``quiz_id``; QuizNotFound otherwise (another user's quiz too)."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or quiz.user_id != user.id:
        raise QuizNotFound(quiz_id)
    return quiz


def find(session: Session, *, user: User, quiz_id: int, mode: str) -> Quiz | None:
    """The user's quiz ``quiz_id`` if it is a ``mode`` ("quiz" or "interview"); None otherwise."""
    quiz = session.get(Quiz, quiz_id)
    if quiz is None or quiz.user_id != user.id or quiz.mode != mode:
        return None
    return quiz


def presentation(attempt: Attempt) -> Presentation:
    """How the attempt's question is shown (same options order and numbers every time)."""
    return present(attempt.question.body, int(attempt.params.get("seed", 0)))


@dataclass(frozen=True)
class AttemptView:
    """An attempt with its presentation, the learner's response and its grade (None while open)."""

    attempt: Attempt
    shown: Presentation
    response: Response | None
    outcome: Outcome | None

    @property
    def position(self) -> int:
        """The attempt's place in the quiz."""
        return self.attempt.position


def view(quiz: Quiz, attempt: Attempt) -> AttemptView:
    """What a page shows of one attempt; an interview answer is graded by its ticked key points."""
    shown = presentation(attempt)
    if attempt.answer is None:
        return AttemptView(attempt, shown, None, None)
    response = Response(**attempt.answer)
    if quiz.mode == "interview":
        graded = quiz.score is not None
        return AttemptView(
            attempt, shown, response, grade_points(shown, response.points or []) if graded else None
        )
    return AttemptView(attempt, shown, response, grade(shown, response))


def views(quiz: Quiz) -> list[AttemptView]:
    """Every attempt of ``quiz`` as shown on a page."""
    return [view(quiz, a) for a in quiz.attempts]


def current(quiz: Quiz) -> Attempt | None:
    """The first unanswered question (None when the quiz is over or all are answered)."""
    if quiz.finished_at is not None:
        return None
    return next((a for a in quiz.attempts if a.answer is None), None)


def answer(
    session: Session,
    *,
    user: User,
    quiz: Quiz,
    position: int,
    response: Response,
    duration_ms: int | None,
    now: datetime,
    fuzz: bool,
) -> Attempt:
    """Record and grade one answer (an interview's is graded later); commit.

    Text that is not a number, given to a numeric question, raises UnreadableAnswer and is not kept.
    """
    attempt = _open_attempt(quiz, position)
    _record(quiz, attempt, response, duration_ms, now, strict=True)
    if all(a.answer is not None for a in quiz.attempts):
        _close(quiz, now)
    with write_lock(session):
        session.commit()
    _feed_all(session, user, quiz, [attempt], now, fuzz)
    return attempt


def answer_all(
    session: Session,
    *,
    user: User,
    quiz: Quiz,
    responses: Mapping[int, Response],
    durations: Mapping[int, int | None],
    now: datetime,
    fuzz: bool,
) -> Quiz:
    """Record every still-open answer of a one-page quiz at once and finish it; commit."""
    if quiz.finished_at is not None:
        raise NotAnswerable("the quiz is over")
    recorded = []
    for attempt in quiz.attempts:
        if attempt.answer is None and attempt.position in responses:
            duration = durations.get(attempt.position)
            _record(quiz, attempt, responses[attempt.position], duration, now, strict=False)
            recorded.append(attempt)
    _close(quiz, now)
    with write_lock(session):
        session.commit()
    _feed_all(session, user, quiz, recorded, now, fuzz)
    return quiz


def _record(
    quiz: Quiz, attempt: Attempt, response: Response, duration_ms: int | None, now: datetime, *, strict: bool
) -> None:
    if quiz.mode == "quiz":
        result = grade(presentation(attempt), response)
        if result.unreadable and strict:
            raise grading.UnreadableAnswer(response.text or "")
        attempt.correct, attempt.score = result.correct, result.score
    attempt.answer, attempt.duration_ms, attempt.answered_at = response.to_json(), duration_ms, now


def _open_attempt(quiz: Quiz, position: int) -> Attempt:
    if quiz.finished_at is not None:
        raise NotAnswerable("the quiz is over")
    attempt = next((a for a in quiz.attempts if a.position == position), None)
    if attempt is None or attempt.answer is not None:
        raise NotAnswerable("no such question, or already answered")
    return attempt


def finish(session: Session, *, user: User, quiz: Quiz, now: datetime) -> Quiz:
    """End the quiz now; unanswered questions count as wrong (an interview: as empty); commit."""
    if quiz.finished_at is None:
        _close(quiz, now)
        with write_lock(session):
            session.commit()
    return quiz


def _close(quiz: Quiz, now: datetime) -> None:
    quiz.finished_at = now
    if quiz.mode == "quiz":
        quiz.score = sum(a.score or 0.0 for a in quiz.attempts) / len(quiz.attempts)


def grade_interview(
    session: Session,
    *,
    user: User,
    quiz: Quiz,
    points: Mapping[int, list[int]],
    now: datetime,
    fuzz: bool,
) -> Quiz:
    """Score each interview answer by the key points it covered; commit (and feed FSRS if set)."""
    if quiz.mode != "interview" or quiz.finished_at is None:
        raise NotAnswerable("grade an interview once its questions are answered")
    for attempt in quiz.attempts:
        ticked = sorted(set(points.get(attempt.position, [])))
        result = grade_points(presentation(attempt), ticked)
        attempt.answer = {**(attempt.answer or {}), "points": ticked}
        attempt.correct, attempt.score = result.correct, result.score
    quiz.score = sum(a.score or 0.0 for a in quiz.attempts) / len(quiz.attempts)
    with write_lock(session):
        session.commit()
    _feed_all(session, user, quiz, [a for a in quiz.attempts if a.answered_at is not None], now, fuzz)
    return quiz


def _feed_all(
    session: Session, user: User, quiz: Quiz, attempts: list[Attempt], now: datetime, fuzz: bool
) -> None:
    """When the quiz feeds the schedule, submit each graded answer as a review."""
    if not quiz.config.get("feeds_schedule"):
        return
    for attempt in attempts:
        if not attempt.reviewed and attempt.score is not None:
            _feed(session, user, attempt, attempt.score, now, fuzz)


def _feed(session: Session, user: User, attempt: Attempt, score: float, now: datetime, fuzz: bool) -> None:
    """Submit one graded answer as a review; the attempt id makes a repeat harmless."""
    card = cards.ensure_card(session, user=user, question=attempt.question, now=now)
    srs_service.review(
        session,
        user=user,
        card_id=card.id,
        rating=grading.rating_for_score(score),
        now=now,
        fuzz=fuzz,
        duration_ms=attempt.duration_ms,
        client_review_id=f"quiz-{attempt.id}",
    )
    attempt.reviewed = True
    with write_lock(session):
        session.commit()


def history(session: Session, *, user: User, mode: str) -> list[Quiz]:
    """The user's quizzes (or interviews), newest first."""
    stmt = (
        select(Quiz)
        .where(Quiz.user_id == user.id, Quiz.mode == mode)
        .order_by(Quiz.created_at.desc(), Quiz.id.desc())
        .limit(HISTORY_LIMIT)
    )
    return list(session.scalars(stmt))
