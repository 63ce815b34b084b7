"""Quiz pages: pick what to be asked, answer one question at a time or all on one page, results.

Plain forms (with CSRF tokens) that work without JavaScript; ``static/js/quiz.js`` only adds the
time spent on each question of a one-page quiz.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.bank import service as bank_service
from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, SettingsDep, TemplatesDep
from app.core.errors import error_page
from app.quiz import forms, grading, results, service
from app.quiz.dependencies import RngDep
from app.quiz.models import Quiz
from app.quiz.schemas import QuizCreate
from app.users.dependencies import CsrfProtected, CurrentUser

router = APIRouter(prefix="/quiz", include_in_schema=False, dependencies=[CsrfProtected])
QuizId = Annotated[int, Path(ge=1, le=ID_MAX)]
Millis = Annotated[int | None, Form(ge=0, le=2**53)]
Slugs = Annotated[list[str], Form(max_length=50)]


async def posted_form(request: Request) -> FormData:
    """The posted form, whatever its field names (a quiz page has fields per question)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def _not_found(request: Request) -> Response:
    # Returned rather than raised, so the request's session ends normally (no rollback).
    return error_page(request, 404, "No such quiz")


def _page(
    request: Request, templates: TemplatesDep, name: str, status: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, f"quiz/{name}.html", context, status_code=status, headers={"Cache-Control": "no-store"}
    )


@router.get("", response_class=HTMLResponse)
def new_quiz(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    user: CurrentUser,
    topic: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """The form to start a quiz, pre-filled with the learner's defaults."""
    defaults = service.defaults_of(user)
    topics = bank_service.list_topics(session)
    return _page(request, templates, "new", topics=topics, defaults=defaults, chosen=set(topic), error=None)


@router.post("")
def create_quiz(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    rng: RngDep,
    topics: Slugs = [],  # noqa: B006
    kinds: Slugs = [],  # noqa: B006
    count: Annotated[int, Form()] = 10,
    difficulty_min: Annotated[int, Form()] = 1,
    difficulty_max: Annotated[int, Form()] = 5,
    layout: Annotated[str, Form(max_length=16)] = "one",
    feedback: Annotated[str, Form(max_length=16)] = "immediate",
    feeds_schedule: Annotated[bool, Form()] = False,
) -> Response:
    """Start a quiz with the chosen settings."""
    error = None
    try:
        asked = QuizCreate.model_validate(
            {
                "topics": topics,
                "kinds": kinds,
                "count": count,
                "difficulty_min": difficulty_min,
                "difficulty_max": difficulty_max,
                "layout": layout,
                "feedback": feedback,
                "feeds_schedule": feeds_schedule,
            }
        )
        config = service.config_for(user, asked)
        quiz = service.create(session, user=user, mode="quiz", config=config, now=now, rng=rng)
        return RedirectResponse(f"/quiz/{quiz.id}", status_code=303)
    except ValidationError:
        error = "quiz.invalid"
    except service.NoQuestions:
        error = "quiz.no_questions"
    return _page(
        request,
        templates,
        "new",
        422,
        topics=bank_service.list_topics(session),
        defaults=service.defaults_of(user),
        chosen=set(topics),
        error=error,
    )


@router.get("/history", response_class=HTMLResponse)
def quiz_history(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser
) -> Response:
    """Past quizzes, newest first."""
    quizzes = service.history(session, user=user, mode="quiz")
    return _page(request, templates, "history", rows=[(q, results.summarise(q)) for q in quizzes])


@router.get("/{quiz_id}", response_class=HTMLResponse)
def take(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
    feedback: Annotated[int | None, Query(ge=0, le=49)] = None,
) -> Response:
    """The next question (one at a time), the feedback on one just answered, or the whole quiz."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="quiz")
    if quiz is None:
        return _not_found(request)
    shown_at = int(now.timestamp() * 1000)
    if quiz.config.get("layout") == "all" and quiz.finished_at is None:
        return _page(request, templates, "all", quiz=quiz, items=service.views(quiz), shown_at=shown_at)
    if feedback is not None:
        answered = next((a for a in quiz.attempts if a.position == feedback and a.answer is not None), None)
        if answered is not None:
            return _page(
                request, templates, "one", quiz=quiz, item=service.view(quiz, answered), shown_at=shown_at
            )
    attempt = service.current(quiz)
    if attempt is None:
        return RedirectResponse(f"/quiz/{quiz.id}/results", status_code=303)
    return _page(request, templates, "one", quiz=quiz, item=service.view(quiz, attempt), shown_at=shown_at)


@router.post("/{quiz_id}/answer")
def answer_one(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
    form: PostedForm,
    shown_at: Millis = None,
) -> Response:
    """Record the answer to one question, then show its feedback or the next question."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="quiz")
    if quiz is None:
        return _not_found(request)
    asked = forms.positions(form)
    if not asked:
        raise HTTPException(422, "Missing field: pos")
    position = asked[0]
    response = forms.answers(form, [position])[position]
    elapsed = forms.elapsed_ms(
        forms.durations(form, [position])[position], shown_at, int(now.timestamp() * 1000)
    )
    try:
        service.answer(
            session,
            user=user,
            quiz=quiz,
            position=position,
            response=response,
            duration_ms=elapsed,
            now=now,
            fuzz=settings.fsrs_fuzz,
        )
    except grading.UnreadableAnswer:
        attempt = next(a for a in quiz.attempts if a.position == position)
        item = service.AttemptView(attempt, service.presentation(attempt), response, None)
        return _page(request, templates, "one", 422, quiz=quiz, item=item, shown_at=shown_at, unreadable=True)
    except service.NotAnswerable:
        pass  # answered twice (a resent form): carry on from where the quiz is
    return RedirectResponse(_after_answer(quiz, position), status_code=303)


def _after_answer(quiz: Quiz, position: int) -> str:
    immediate = quiz.config.get("feedback") == "immediate"
    if quiz.config.get("layout") == "all":
        return f"/quiz/{quiz.id}#q{position}" if quiz.finished_at is None else f"/quiz/{quiz.id}/results"
    if immediate:
        return f"/quiz/{quiz.id}?feedback={position}"
    return f"/quiz/{quiz.id}" if quiz.finished_at is None else f"/quiz/{quiz.id}/results"


@router.post("/{quiz_id}/submit")
def submit_all(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
    form: PostedForm,
) -> Response:
    """Hand in a whole one-page quiz and see the results."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="quiz")
    if quiz is None:
        return _not_found(request)
    asked = forms.positions(form)
    with contextlib.suppress(service.NotAnswerable):  # already handed in: show the results
        service.answer_all(
            session,
            user=user,
            quiz=quiz,
            responses=forms.answers(form, asked),
            durations=forms.durations(form, asked),
            now=now,
            fuzz=settings.fsrs_fuzz,
        )
    return RedirectResponse(f"/quiz/{quiz.id}/results", status_code=303)


@router.post("/{quiz_id}/finish")
def finish(
    request: Request, session: SessionDep, now: NowDep, user: CurrentUser, quiz_id: QuizId
) -> Response:
    """End the quiz now (unanswered questions count as wrong)."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="quiz")
    if quiz is None:
        return _not_found(request)
    service.finish(session, user=user, quiz=quiz, now=now)
    return RedirectResponse(f"/quiz/{quiz.id}/results", status_code=303)


@router.get("/{quiz_id}/results", response_class=HTMLResponse)
def quiz_results(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser, quiz_id: QuizId
) -> Response:
    """Score per topic, time per question, every answer with its explanation, what to revisit."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="quiz")
    if quiz is None:
        return _not_found(request)
    if quiz.finished_at is None:
        return RedirectResponse(f"/quiz/{quiz.id}", status_code=303)
    return _page(
        request, templates, "results", quiz=quiz, summary=results.summarise(quiz), items=service.views(quiz)
    )
