"""Flashcard API (/api/v1): next card, review, undo, card details, suspend and bury.

A contract for flashcard clients: every route takes ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response
from sqlalchemy.orm import Session
from starlette.convertors import StringConvertor, register_url_convertor

from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, get_db
from app.srs import queue, service, together
from app.srs.data_router import router as data_router
from app.srs.models import Card
from app.srs.scheduler import STATE_NAMES
from app.srs.schemas import CardInfo, CardPublic, NextCardPublic, ReviewIn, ReviewPublic, ReviewResult
from app.users.dependencies import UNAUTHORIZED, ApiCall, ApiCallDep, ApiUser, Responses
from app.users.models import User

router = APIRouter(prefix="/api/v1", tags=["review"], responses=UNAUTHORIZED)


class _CardSegment(StringConvertor):
    regex = r"(?!next$)[^/]+"


register_url_convertor("card", _CardSegment())
CardId = Annotated[int, Path(ge=1, le=ID_MAX, description="A card id from /review/next")]
Slug = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]+$")]
NOT_FOUND: Responses = {404: {"description": "No such card"}}


@router.get(
    "/review/next",
    response_model=NextCardPublic,
    responses={204: {"description": "Nothing left to study today"}},
)
async def next_card(call: ApiCallDep, topic: Slug = None, tag: Slug = None) -> Any:
    """The next card (due learning steps, due reviews, then new cards) with intervals and counts."""
    filters = queue.QueueFilter(topic=topic, tag=tag)
    return await call.run(lambda session, user: _next_card(session, user, call, filters))


def _next_card(session: Session, user: User, call: ApiCall, filters: queue.QueueFilter) -> Any:
    now = call.now
    result = queue.next_card(session, user=user, filters=filters, now=now, fuzz=call.settings.fsrs_fuzz)
    if result.card is None:
        headers = {}
        later = queue.next_learning_due(session, user=user, filters=filters, now=now)
        if later is not None:  # a learning step is due later today: say when to ask again
            headers["Retry-After"] = str(max(1, int((later - now).total_seconds())))
        return Response(status_code=204, headers=headers)
    return NextCardPublic.model_validate(
        {
            "card": CardPublic.of(result.card),
            "intervals": result.intervals,
            "counts": vars(result.counts),
        }
    )


@router.post(
    "/review/undo",
    responses={
        404: {"description": "Nothing to undo"},
        409: {"description": "The card changed after that review"},
    },
)
def undo(session: SessionDep, user: ApiUser) -> CardPublic:
    """Undo the latest review: its card returns exactly to its earlier state."""
    try:
        return CardPublic.of(service.undo(session, user=user))
    except service.NothingToUndo as exc:
        raise HTTPException(404, "Nothing to undo") from exc
    except service.UndoConflict as exc:
        raise HTTPException(409, str(exc)) from exc


# ":card" is any segment but "next": POST /review/next is a 405 (GET only), not a card id that
# fails to parse, while "abc" still reaches the route and is refused as a bad card_id (422).
@router.post(
    "/review/{card_id:card}", responses={**NOT_FOUND, 409: {"description": "client_review_id reused"}}
)
async def review(card_id: CardId, body: ReviewIn, call: ApiCallDep) -> ReviewResult:
    """Answer a card; retrying with the same client_review_id returns the first result."""
    key = body.client_review_id or uuid.uuid4().hex
    answer = service.Answer(card_id, body.rating, key, body.duration_ms, body.affects_schedule)
    submit = together.Submit(call.user_in, answer, call.now, call.settings.fsrs_fuzz)
    try:  # answered in one trip and one commit with the submits waiting beside it
        outcome = await together.SUBMITS.submit(get_db(call.request), submit)
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc
    except service.ReviewConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    return ReviewResult.model_validate(
        {
            "review_id": outcome.log.id,
            "reviewed_at": outcome.log.reviewed_at,
            "card": {
                **outcome.log.card_after,
                "id": outcome.card.id,
                "state": STATE_NAMES[outcome.log.card_after["state"]],
            },
        }
    )


@router.get("/cards/{card_id}", responses=NOT_FOUND)
def card_info(card_id: CardId, session: SessionDep, now: NowDep, user: ApiUser) -> CardInfo:
    """A card with its retrievability now and its review history."""
    card = _own(session, user, card_id)
    return CardInfo(
        **CardPublic.of(card).model_dump(),
        retrievability=service.retrievability(user, card, now=now),
        history=[ReviewPublic.of(log) for log in service.history(session, card=card)],
    )


@router.post("/cards/{card_id}/suspend", responses=NOT_FOUND)
def suspend(card_id: CardId, session: SessionDep, user: ApiUser) -> CardPublic:
    """Take a card out of the queue until it is unsuspended."""
    return _card_call(service.set_suspended, session, user=user, card_id=card_id, suspended=True)


@router.post("/cards/{card_id}/unsuspend", responses=NOT_FOUND)
def unsuspend(card_id: CardId, session: SessionDep, user: ApiUser) -> CardPublic:
    """Put a suspended card back in the queue."""
    return _card_call(service.set_suspended, session, user=user, card_id=card_id, suspended=False)


@router.post("/cards/{card_id}/bury", responses=NOT_FOUND)
def bury(card_id: CardId, session: SessionDep, now: NowDep, user: ApiUser) -> CardPublic:
    """Hide a card until the next study day."""
    return _card_call(service.bury, session, user=user, card_id=card_id, now=now)


@router.post("/cards/{card_id}/unbury", responses=NOT_FOUND)
def unbury(card_id: CardId, session: SessionDep, user: ApiUser) -> CardPublic:
    """Show a buried card again today."""
    return _card_call(service.unbury, session, user=user, card_id=card_id)


def _card_call(action: Callable[..., Card], session: Session, **kwargs: Any) -> CardPublic:
    try:
        return CardPublic.of(action(session, **kwargs))
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc


def _own(session: Session, user: User, card_id: int) -> Card:
    try:
        return service.get_card(session, user=user, card_id=card_id)
    except service.CardNotFound as exc:
        raise HTTPException(404, "No such card") from exc


router.include_router(data_router)
