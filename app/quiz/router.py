"""Quiz and mock-interview API (/api/v1): the JSON twin of the quiz and interview pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy.orm import Session

from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, SettingsDep
from app.quiz import grading, service
from app.quiz.dependencies import RngDep
from app.quiz.models import Quiz
from app.quiz.present import Response as Answer
from app.quiz.public import attempt_public, quiz_public, quiz_summary
from app.quiz.schemas import (
    AnswerIn,
    AttemptPublic,
    GradeIn,
    Mode,
    QuizCreate,
    QuizDefaults,
    QuizPublic,
    QuizSummary,
)
from app.users.dependencies import UNAUTHORIZED, ApiUser, Responses
from app.users.models import User

# FastAPI answers a body that is not JSON with 400: documented on every route of this router.
router = APIRouter(
    prefix="/api/v1", tags=["quiz"], responses={**UNAUTHORIZED, 400: {"description": "Malformed request"}}
)
QuizId = Annotated[int, Path(ge=1, le=ID_MAX, description="A quiz id from POST /quizzes")]
Position = Annotated[int, Path(ge=0, le=49, description="The question's place in the quiz, from 0")]
NOT_FOUND: Responses = {404: {"description": "No such quiz"}}
CONFLICT: Responses = {409: {"description": "Already answered, or the quiz is over"}}


def _own(session: Session, user: User, quiz_id: int) -> Quiz:
    try:
        return service.get(session, user=user, quiz_id=quiz_id)
    except service.QuizNotFound as exc:
        raise HTTPException(404, "No such quiz") from exc


@router.post("/quizzes", status_code=201, responses={404: {"description": "No question matches"}})
def create_quiz(body: QuizCreate, session: SessionDep, now: NowDep, user: ApiUser, rng: RngDep) -> QuizPublic:
    """Start a quiz or a mock interview; settings left out take the caller's defaults."""
    config = service.config_for(user, body)
    try:
        quiz = service.create(session, user=user, mode=body.mode, config=config, now=now, rng=rng)
    except service.NoQuestions as exc:
        raise HTTPException(404, "No question matches these filters") from exc
    return quiz_public(quiz)


@router.get("/quizzes")
def list_quizzes(
    session: SessionDep, user: ApiUser, mode: Annotated[Mode, Query()] = "quiz"
) -> list[QuizSummary]:
    """The caller's quizzes (or interviews), newest first."""
    return [quiz_summary(q) for q in service.history(session, user=user, mode=mode)]


@router.get("/quizzes/{quiz_id}", responses=NOT_FOUND)
def get_quiz(quiz_id: QuizId, session: SessionDep, user: ApiUser) -> QuizPublic:
    """A quiz with its questions; solutions once feedback is due."""
    return quiz_public(_own(session, user, quiz_id))


@router.post(
    "/quizzes/{quiz_id}/answers/{position}",
    responses={
        **NOT_FOUND,
        **CONFLICT,
        400: {"description": "Malformed request, or text that is not a number"},
    },
)
def answer(
    quiz_id: QuizId,
    position: Position,
    body: AnswerIn,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: ApiUser,
) -> AttemptPublic:
    """Answer one question: options by index, numbers or words as text, key points ticked."""
    quiz = _own(session, user, quiz_id)
    response = Answer(choice=body.choice, text=body.text, points=body.points)
    try:
        attempt = service.answer(
            session,
            user=user,
            quiz=quiz,
            position=position,
            response=response,
            duration_ms=body.duration_ms,
            now=now,
            fuzz=settings.fsrs_fuzz,
        )
    except service.NotAnswerable as exc:
        raise HTTPException(409, str(exc)) from exc
    except grading.UnreadableAnswer as exc:
        raise HTTPException(400, "text: enter a number, or several separated by commas") from exc
    return attempt_public(quiz, service.view(quiz, attempt))


@router.post("/quizzes/{quiz_id}/finish", responses=NOT_FOUND)
def finish_quiz(quiz_id: QuizId, session: SessionDep, now: NowDep, user: ApiUser) -> QuizPublic:
    """End a quiz now; unanswered questions count as wrong."""
    quiz = _own(session, user, quiz_id)
    return quiz_public(service.finish(session, user=user, quiz=quiz, now=now))


@router.post("/quizzes/{quiz_id}/grades", responses={**NOT_FOUND, **CONFLICT})
def grade_interview(
    quiz_id: QuizId, body: GradeIn, session: SessionDep, settings: SettingsDep, now: NowDep, user: ApiUser
) -> QuizPublic:
    """Self-grade a finished mock interview: the key points each answer covered."""
    quiz = _own(session, user, quiz_id)
    points = {g.position: g.points for g in body.grades}
    try:
        service.grade_interview(
            session, user=user, quiz=quiz, points=points, now=now, fuzz=settings.fsrs_fuzz
        )
    except service.NotAnswerable as exc:
        raise HTTPException(409, str(exc)) from exc
    return quiz_public(quiz)


@router.get("/quiz-defaults")
def get_defaults(user: ApiUser) -> QuizDefaults:
    """The caller's quiz and interview defaults."""
    return service.defaults_of(user)


@router.put("/quiz-defaults")
def put_defaults(body: QuizDefaults, session: SessionDep, user: ApiUser) -> QuizDefaults:
    """Replace the caller's quiz and interview defaults."""
    return service.save_defaults(session, user=user, defaults=body)
