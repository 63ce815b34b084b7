"""Browser pages for browsing the bank and answering single items."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field

from app.bank import glossary
from app.bank import service as bank_service
from app.core.deps import LangDep, NowDep, SessionDep, SettingsDep, TemplatesDep
from app.core.i18n import LANG_COOKIE, LANGS
from app.users import service as user_service
from app.users.dependencies import OptionalUser
from app.users.settings import UserSettingsUpdate
from app.web import dashboard, item_view, stats_view

router = APIRouter(include_in_schema=False)
_YEAR = 365 * 24 * 3600


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    lang: LangDep,
    user: OptionalUser,
) -> Response:
    """The dashboard: today's queue, streak, a year of reviews, mastery per topic, the interview day."""
    dash = dashboard.build(session, user=user, now=now)
    context = {"dash": dash, "heatmap": stats_view.heatmap(dash.heatmap, lang)}
    return templates.TemplateResponse(request, "dashboard.html", context)


@router.get("/topics/{slug}", response_class=HTMLResponse)
def topic_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    slug: Annotated[str, Path(max_length=80)],
) -> Response:
    """Every question of one topic."""
    topic = bank_service.get_topic(session, slug=slug)
    if topic is None:
        raise HTTPException(404, "No such topic")
    filters = bank_service.QuestionFilter(topic=slug)
    page = bank_service.list_questions(session, filters=filters, page=1, per_page=1000)
    return templates.TemplateResponse(request, "topic.html", {"topic": topic, "questions": page.items})


@router.get("/q/{question_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    lang: LangDep,
    question_id: Annotated[str, Path(max_length=80)],
    choice: Annotated[list[Annotated[int, Field(ge=0, le=10)]] | None, Query()] = None,
    answer: Annotated[str | None, Query(max_length=200)] = None,
    seed: Annotated[int | None, Query(ge=0, le=2**31)] = None,
) -> Response:
    """One item: answer it here (GET form, works without JavaScript) and get feedback."""
    question = bank_service.get_question(session, slug=question_id)
    if question is None:
        raise HTTPException(404, "No such question")
    if question.kind == "computed" and seed is None:
        return RedirectResponse(f"/q/{question.slug}?seed={secrets.randbelow(2**31)}", status_code=303)
    context: dict[str, Any] = {
        "question": question,
        "body": question.body,
        "terms": glossary.terms_in(settings.questions_dir, question.body),
    }
    context.update(item_view.feedback(question.body, choice=choice, answer=answer, seed=seed))
    return templates.TemplateResponse(request, "item.html", context)


@router.get("/lang/{lang}")
def switch_language(
    session: SessionDep, user: OptionalUser, lang: Annotated[str, Path(pattern="^(zh|en)$")], next: str = "/"
) -> Response:
    """Remember the interface language in a cookie (and the learner's settings) and go back."""
    if user is not None:
        user_service.update_settings(
            session, user=user, update=UserSettingsUpdate.model_validate({"lang": lang})
        )
    target = next if _is_local(next) else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=_YEAR, samesite="lax", httponly=True)
    return response


def _is_local(url: str) -> bool:
    """Only same-site paths: never an open redirect."""
    parts = urlsplit(url)
    return url.startswith("/") and not url.startswith("//") and not parts.scheme and not parts.netloc
