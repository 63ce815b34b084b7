"""Browser pages: statistics, search and browse, settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.bank import catalog
from app.bank import service as bank_service
from app.core.deps import LangDep, NowDep, SessionDep, TemplatesDep
from app.quiz import service as quiz_service
from app.users import service as user_service
from app.users.dependencies import CsrfProtected, CurrentUser
from app.web import browse, settings_form, stats_view

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
Slug = Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9-]*$")]


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    lang: LangDep,
    user: CurrentUser,
) -> Response:
    """Charts of the learner's reviews, forecast, retention, card states, buttons and mastery."""
    page = stats_view.build(session, user=user, now=now, lang=lang)
    topics = {t.slug: t for t, _ in bank_service.list_topics(session)}
    return templates.TemplateResponse(request, "stats.html", {"page": page, "topic_rows": topics})


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    topic: Slug = "",
    tag: Slug = "",
    kind: Annotated[str, Query(pattern=r"^(|open|choice|multi|numeric|computed)$")] = "",
    difficulty: Annotated[str, Query(pattern=r"^[1-5]?$")] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Full-text search in both languages with filters; without a query, the whole bank."""
    level = int(difficulty) if difficulty else None  # the form sends "" for "any"
    query = browse.Query(q=q.strip(), topic=topic, tag=tag, kind=kind, difficulty=level)
    menus = catalog.get(session)
    context: dict[str, Any] = {
        "query": query,
        "results": browse.find(session, query=query, page=page),
        "topics": menus.topic_pairs,
        "menus": menus,
    }
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(
    request: Request, templates: TemplatesDep, user: CurrentUser, saved: bool = False
) -> Response:
    """The learner's settings: language, interview date, review limits, day start, quiz defaults."""
    current = settings_form.values(user_service.settings_of(user), quiz_service.defaults_of(user))
    return _settings(request, templates, current, saved=saved)


FormText = Annotated[str, Form(max_length=64)]


@router.post("/settings", response_class=HTMLResponse)
def save_settings(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    user: CurrentUser,
    lang: FormText = "",
    interview_date: FormText = "",
    retention_percent: FormText = "",
    new_per_day: FormText = "",
    reviews_per_day: FormText = "",
    day_start_hour: FormText = "",
    timezone: FormText = "UTC",
    count: FormText = "",
    layout: FormText = "one",
    feedback: FormText = "immediate",
    feeds_schedule: FormText = "",
    interview_count: FormText = "",
    interview_minutes: FormText = "",
) -> Response:
    """Validate and store the settings; on error show the form again with every problem."""
    form = {k: v for k, v in locals().items() if isinstance(v, str)}  # the form fields: every str argument
    parsed = settings_form.parse(form)
    if parsed.errors or parsed.update is None or parsed.quiz is None:
        return _settings(request, templates, form, errors=parsed.errors, status=422)
    user_service.update_settings(session, user=user, update=parsed.update)
    quiz_service.save_defaults(session, user=user, defaults=parsed.quiz)
    return RedirectResponse("/settings?saved=true", status_code=303)


def _settings(
    request: Request,
    templates: TemplatesDep,
    current: dict[str, Any],
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {"form": current, "zones": settings_form.time_zones(), "saved": saved, "errors": errors or {}}
    return templates.TemplateResponse(request, "settings.html", context, status_code=status)
