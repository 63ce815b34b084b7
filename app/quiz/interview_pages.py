"""Mock interview pages: timed questions answered in words, self-grading on key points, a report.

Works without JavaScript (the time limit is then shown, not counted down); ``static/js/quiz.js``
adds the visible countdown, moves on when time is up, and offers dictation where the browser can.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.bank import service as bank_service
from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, SettingsDep, TemplatesDep
from app.core.errors import error_page
from app.quiz import forms, results, service
from app.quiz.dependencies import RngDep
from app.quiz.pages import PostedForm
from app.quiz.schemas import QuizCreate
from app.users.dependencies import CsrfProtected, CurrentUser

router = APIRouter(prefix="/interview", include_in_schema=False, dependencies=[CsrfProtected])
QuizId = Annotated[int, Path(ge=1, le=ID_MAX)]
MIN_SECONDS = 5


def _not_found(request: Request) -> Response:
    # Returned rather than raised, so the request's session ends normally (no rollback).
    return error_page(request, 404, "No such interview")


def _page(
    request: Request, templates: TemplatesDep, name: str, status: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, f"interview/{name}.html", context, status_code=status, headers={"Cache-Control": "no-store"}
    )


@router.get("", response_class=HTMLResponse)
def new_interview(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser
) -> Response:
    """The form to start a mock interview."""
    listed, defaults = bank_service.list_topics(session), service.defaults_of(user)
    return _page(request, templates, "new", topics=listed, defaults=defaults, error=None)


@router.post("")
def create_interview(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    rng: RngDep,
    count: Annotated[int, Form(ge=1, le=50)] = 8,
    minutes: Annotated[float, Form(gt=0, le=60)] = 3.0,
    topics: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006
) -> Response:
    """Pick the questions (mostly open, mixed topics, easier first) and start."""
    try:
        asked = QuizCreate.model_validate(
            {
                "mode": "interview",
                "topics": topics,
                "count": count,
                "seconds_per_question": max(MIN_SECONDS, round(minutes * 60)),
            }
        )
        config = service.config_for(user, asked)
        quiz = service.create(session, user=user, mode="interview", config=config, now=now, rng=rng)
    except (ValueError, service.NoQuestions):
        listed, defaults = bank_service.list_topics(session), service.defaults_of(user)
        return _page(
            request, templates, "new", 422, topics=listed, defaults=defaults, error="quiz.no_questions"
        )
    return RedirectResponse(f"/interview/{quiz.id}", status_code=303)


@router.get("/history", response_class=HTMLResponse)
def interview_history(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser
) -> Response:
    """Past interviews, newest first, each with its score and the change since the one before."""
    past = service.history(session, user=user, mode="interview")
    graded = [q for q in past if q.score is not None]
    changes = [
        (q.score or 0.0) - (graded[i + 1].score or 0.0) if i + 1 < len(graded) else None
        for i, q in enumerate(graded)
    ]
    rows = [(q, results.summarise(q), change) for q, change in zip(graded, changes, strict=True)]
    ungraded = [q for q in past if q.score is None]
    return _page(request, templates, "history", rows=rows, ungraded=ungraded)


@router.get("/{quiz_id}", response_class=HTMLResponse)
def question(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
) -> Response:
    """The current question with its countdown."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    if quiz.score is not None:
        return RedirectResponse(f"/interview/{quiz.id}/report", status_code=303)
    attempt = service.current(quiz)
    if attempt is None:
        return RedirectResponse(f"/interview/{quiz.id}/grade", status_code=303)
    item = service.view(quiz, attempt)
    return _page(request, templates, "question", quiz=quiz, item=item, shown_at=int(now.timestamp() * 1000))


@router.post("/{quiz_id}/answer")
def answer_question(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
    form: PostedForm,
    shown_at: Annotated[int | None, Form(ge=0, le=2**53)] = None,
) -> Response:
    """Keep the answer and go to the next question (or to grading after the last)."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    for pos in forms.positions(form)[:1]:
        elapsed = forms.elapsed_ms(forms.durations(form, [pos])[pos], shown_at, int(now.timestamp() * 1000))
        with contextlib.suppress(service.NotAnswerable):  # a resent form: carry on
            service.answer(
                session,
                user=user,
                quiz=quiz,
                position=pos,
                response=forms.answers(form, [pos])[pos],
                duration_ms=elapsed,
                now=now,
                fuzz=settings.fsrs_fuzz,
            )
    return RedirectResponse(f"/interview/{quiz.id}", status_code=303)


@router.post("/{quiz_id}/finish")
def finish(
    request: Request, session: SessionDep, now: NowDep, user: CurrentUser, quiz_id: QuizId
) -> Response:
    """Stop answering; the questions left count as unanswered."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    service.finish(session, user=user, quiz=quiz, now=now)
    return RedirectResponse(f"/interview/{quiz.id}/grade", status_code=303)


@router.get("/{quiz_id}/grade", response_class=HTMLResponse)
def grade_page(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser, quiz_id: QuizId
) -> Response:
    """Each answer beside the model answer; tick the key points it covered."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    if quiz.finished_at is None:
        return RedirectResponse(f"/interview/{quiz.id}", status_code=303)
    return _page(request, templates, "grade", quiz=quiz, items=service.views(quiz))


@router.post("/{quiz_id}/grade")
def grade(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    quiz_id: QuizId,
    form: PostedForm,
) -> Response:
    """Score the answers by the key points ticked and show the report."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    ticked = forms.answers(form, [a.position for a in quiz.attempts])
    try:
        service.grade_interview(
            session,
            user=user,
            quiz=quiz,
            points={p: r.points or [] for p, r in ticked.items()},
            now=now,
            fuzz=settings.fsrs_fuzz,
        )
    except service.NotAnswerable:
        return RedirectResponse(f"/interview/{quiz.id}", status_code=303)
    return RedirectResponse(f"/interview/{quiz.id}/report", status_code=303)


@router.get("/{quiz_id}/report", response_class=HTMLResponse)
def report(
    request: Request, session: SessionDep, templates: TemplatesDep, user: CurrentUser, quiz_id: QuizId
) -> Response:
    """Strongest and weakest topics, time used, what to study next, and the change since last time."""
    quiz = service.find(session, user=user, quiz_id=quiz_id, mode="interview")
    if quiz is None:
        return _not_found(request)
    if quiz.score is None:
        return RedirectResponse(f"/interview/{quiz.id}/grade", status_code=303)
    summary = results.summarise(quiz)
    earlier = [
        q
        for q in service.history(session, user=user, mode="interview")
        if q.score is not None and q.id < quiz.id
    ]
    previous = earlier[0] if earlier else None
    changes = results.topic_changes(summary, results.summarise(previous) if previous else None)
    items = service.views(quiz)
    return _page(
        request,
        templates,
        "report",
        quiz=quiz,
        summary=summary,
        items=items,
        previous=previous,
        changes=changes,
    )
