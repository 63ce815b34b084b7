"""The review page: prompt, optional answer check, reveal, rate 1–4, undo, practice mode.

Plain forms with CSRF tokens, so it works without JavaScript; ``static/js/review.js`` adds the
keyboard, timing and page swaps on top. A first visit gets a guest account (see ``CurrentUser``).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from app.bank import catalog
from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, SettingsDep, TemplatesDep, get_settings, get_templates
from app.quiz import forms as quiz_forms
from app.quiz.dependencies import get_rng
from app.quiz.present import Response as Answer
from app.srs import service
from app.users.dependencies import CsrfProtected, CurrentUser, PageCallDep
from app.users.models import User
from app.web import review_view
from app.web.review_view import Screen, Study

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
Slug = Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9-]*$")]
FormSlug = Annotated[str, Form(max_length=80, pattern=r"^[a-z0-9-]*$")]
CardId = Annotated[int, Path(ge=1, le=ID_MAX)]
Millis = Annotated[int | None, Form(ge=0, le=2**53)]
ReviewKey = Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


def _render(
    request: Request, templates: TemplatesDep, session: Session, screen: Screen, study: Study, shown_at: int
) -> Response:
    menus = catalog.get(session)
    context: dict[str, Any] = {
        "screen": screen,
        "study": study,
        "shown_at": shown_at,
        "client_review_id": uuid.uuid4().hex,
        "topics": menus.topic_pairs,
        "menus": menus,
    }
    return templates.TemplateResponse(request, "review.html", context, headers={"Cache-Control": "no-store"})


@router.get("/review", response_class=HTMLResponse)
async def review_page(
    request: Request,
    call: PageCallDep,
    topic: Slug = "",
    tag: Slug = "",
    practice: bool = False,
    skip: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
) -> Response:
    """The next card, or "done for today" with what is left."""
    study = Study(topic, tag, practice)
    fuzz, rng = get_settings(request).fsrs_fuzz, get_rng(request)

    def page(session: Session, user: User) -> Response:
        screen = review_view.next_screen(
            session, user=user, study=study, now=call.now, fuzz=fuzz, rng=rng, skip_question=skip
        )
        shown_at = int(call.now.timestamp() * 1000)
        return _render(request, get_templates(request), session, screen, study, shown_at)

    return await call.run(page)


@router.post("/review/undo")
def undo(
    session: SessionDep,
    user: CurrentUser,
    topic: FormSlug = "",
    tag: FormSlug = "",
    practice: Annotated[bool, Form()] = False,
) -> Response:
    """Undo the latest review and show that card again."""
    # Nothing (sensible) to undo: just show the queue again.
    with contextlib.suppress(service.NothingToUndo, service.UndoConflict):
        service.undo(session, user=user)
    return RedirectResponse(Study(topic, tag, practice).url(), status_code=303)


@router.post("/review/{card_id}/check", response_class=HTMLResponse)
def check(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: CurrentUser,
    card_id: CardId,
    seed: Annotated[int, Form(ge=0, le=2**63 - 1)],
    shown_at: Millis = None,
    elapsed_ms: Millis = None,
    choice: Annotated[list[Annotated[int, Field(ge=0, le=20)]] | None, Form()] = None,
    answer: Annotated[str | None, Form(max_length=200)] = None,
    topic: FormSlug = "",
    tag: FormSlug = "",
    practice: Annotated[bool, Form()] = False,
) -> Response:
    """Grade the answer given before revealing, show the back and the rating it suggests."""
    study = Study(topic, tag, practice)
    elapsed = quiz_forms.elapsed_ms(elapsed_ms, shown_at, int(now.timestamp() * 1000))
    try:
        screen = review_view.checked_screen(
            session,
            user=user,
            study=study,
            card_id=card_id,
            seed=seed,
            response=Answer(choice=choice, text=answer),
            elapsed_ms=elapsed,
            now=now,
        )
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc
    return _render(request, templates, session, screen, study, shown_at or 0)


@router.post("/review/{card_id}")
def submit(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    card_id: CardId,
    rating: Annotated[int, Form(ge=1, le=4)],
    client_review_id: ReviewKey,
    shown_at: Millis = None,
    duration_ms: Millis = None,
    topic: FormSlug = "",
    tag: FormSlug = "",
    practice: Annotated[bool, Form()] = False,
) -> Response:
    """Record a rating (a double-submitted form is recorded once) and show the next card."""
    study = Study(topic, tag, practice)
    skip = None
    try:
        outcome = service.review(
            session,
            user=user,
            card_id=card_id,
            rating=rating,
            now=now,
            fuzz=settings.fsrs_fuzz,
            duration_ms=quiz_forms.elapsed_ms(duration_ms, shown_at, int(now.timestamp() * 1000)),
            client_review_id=client_review_id,
            affects_schedule=not practice,
        )
        skip = outcome.card.question_id
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc
    except service.ReviewConflict:
        pass  # the same form sent twice with another button: the first answer stands
    url = study.url()
    if practice and skip is not None:
        url += f"&skip={skip}"
    return RedirectResponse(url, status_code=303)
