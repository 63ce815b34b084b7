"""The review page: prompt, reveal, rate 1–4. Plain forms with CSRF tokens, no JavaScript needed.

A first visit gets a guest account (see ``CurrentUser``), so anyone can start reviewing at once.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.bank import service as bank_service
from app.core.deps import NowDep, SessionDep, SettingsDep, TemplatesDep
from app.explain import service as explain_service
from app.srs import queue, service
from app.users.dependencies import CsrfProtected, CurrentUser

router = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
Slug = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]*$")]
FormSlug = Annotated[str, Form(max_length=80, pattern=r"^[a-z0-9-]*$")]
_UNITS = ((365 * 86400, "y"), (30 * 86400, "mo"), (86400, "d"), (3600, "h"), (60, "m"))


def interval_label(seconds: int) -> str:
    """Anki-style short interval: 10m, 3h, 4d, 2.5mo, 1.2y."""
    for size, unit in _UNITS:
        if seconds >= size:
            value = seconds / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if unit in ("mo", "y") else str(round(value))
            return f"{text}{unit}"
    return f"{max(seconds, 0)}s"


def _back(topic: str | None, tag: str | None) -> str:
    query = urlencode({k: v for k, v in (("topic", topic), ("tag", tag)) if v})
    return "/review" + (f"?{query}" if query else "")


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    topic: Slug = None,
    tag: Slug = None,
) -> Response:
    """The next card, or "done for today" with what is left."""
    filters = queue.QueueFilter(topic=topic or None, tag=tag or None)
    upcoming = queue.next_card(session, user=user, filters=filters, now=now, fuzz=settings.fsrs_fuzz)
    context: dict[str, Any] = {
        "next": upcoming,
        "topic": topic or "",
        "tag": tag or "",
        "shown_at": int(now.timestamp() * 1000),
        "client_review_id": uuid.uuid4().hex,
        "topics": bank_service.list_topics(session),
        "counts": upcoming.counts
        if upcoming
        else queue.count_left(session, user=user, filters=filters, now=now),
    }
    if upcoming is not None:
        body = upcoming.card.question.body
        context["body"] = body
        context["labels"] = {k: interval_label(v) for k, v in upcoming.intervals.items()}
        if body["kind"] == "computed":  # fresh numbers per review, stable while the page is reloaded
            seed = upcoming.card.id * 1000 + upcoming.card.reps
            context["variant"] = explain_service.item_variant(body, seed).to_dict()
    return templates.TemplateResponse(request, "review.html", context, headers={"Cache-Control": "no-store"})


@router.post("/review/undo")
def undo(session: SessionDep, user: CurrentUser, topic: FormSlug = "", tag: FormSlug = "") -> Response:
    """Undo the latest review and show that card again."""
    # Nothing (sensible) to undo: just show the queue again.
    with contextlib.suppress(service.NothingToUndo, service.UndoConflict):
        service.undo(session, user=user)
    return RedirectResponse(_back(topic, tag), status_code=303)


@router.post("/review/{card_id}")
def submit(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    card_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    rating: Annotated[int, Form(ge=1, le=4)],
    client_review_id: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")],
    shown_at: Annotated[int, Form(ge=0)] = 0,
    topic: FormSlug = "",
    tag: FormSlug = "",
) -> Response:
    """Record a rating (a double-submitted form is recorded once) and show the next card."""
    duration = now.timestamp() * 1000 - shown_at if shown_at else None
    duration_ms = None if duration is None else int(min(max(duration, 0), 86_400_000))
    try:
        service.review(
            session,
            user=user,
            card_id=card_id,
            rating=rating,
            now=now,
            fuzz=settings.fsrs_fuzz,
            duration_ms=duration_ms,
            client_review_id=client_review_id,
        )
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc
    except service.ReviewConflict:
        pass  # the same form sent twice with another button: the first answer stands
    return RedirectResponse(_back(topic, tag), status_code=303)
