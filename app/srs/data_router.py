"""Data API (/api/v1): statistics, review-history export and import, personal FSRS weights."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response

from app.core.deps import NowDep, SessionDep, SettingsDep
from app.srs import history, optimise
from app.srs.stats import Stats, stats
from app.users.dependencies import UNAUTHORIZED, ApiUser

router = APIRouter(tags=["data"], responses=UNAUTHORIZED)
Format = Annotated[Literal["json", "csv"], Query(description="File format")]
MAX_IMPORT_BYTES = 20 * 1024 * 1024


async def raw_body(request: Request) -> bytes:
    """The request body as bytes (imports are files, not JSON objects to validate)."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise HTTPException(413, f"Import files are limited to {MAX_IMPORT_BYTES // 1024 // 1024} MB")
    return body


@router.get("/stats")
def get_stats(session: SessionDep, now: NowDep, user: ApiUser) -> Stats:
    """Reviews per day, true retention, 30-day forecast and per-topic mastery."""
    return stats(session, user=user, now=now)


@router.get("/history", responses={200: {"content": {"text/csv": {}}}})
def export_history(session: SessionDep, now: NowDep, user: ApiUser, format: Format = "json") -> Any:
    """Every review of the caller, as JSON or CSV."""
    if format == "csv":
        return PlainTextResponse(
            history.export_csv(session, user=user),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="reviews.csv"'},
        )
    return history.export_json(session, user=user, now=now)


@router.post(
    "/history",
    responses={422: {"description": "Rows that failed validation"}, 413: {"description": "File too large"}},
)
def import_history(
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: ApiUser,
    body: Annotated[bytes, Depends(raw_body)],
    format: Format = "json",
) -> dict[str, int]:
    """Import reviews (as exported); all rows are checked before anything is written."""
    try:
        content = body.decode("utf-8-sig")
        return history.import_history(
            session, user=user, content=content, fmt=format, now=now, fuzz=settings.fsrs_fuzz
        )
    except UnicodeDecodeError as exc:
        raise HTTPException(422, [{"row": 0, "field": "file", "message": "not UTF-8 text"}]) from exc
    except history.ImportInvalid as exc:
        raise HTTPException(422, [vars(e) for e in exc.errors[:100]]) from exc


@router.get("/parameters")
def get_parameters(user: ApiUser) -> dict[str, Any]:
    """The caller's FSRS weights: personal ones with their fit, or the defaults."""
    return user.fsrs_parameters or {"weights": None, "personal": False}


@router.post("/parameters/optimise", responses={409: {"description": "Not enough reviews yet"}})
def optimise_parameters(session: SessionDep, now: NowDep, user: ApiUser) -> dict[str, Any]:
    """Fit FSRS weights to the caller's reviews; kept only if they fit better (lower log loss)."""
    try:
        result = optimise.optimise(session, user=user, now=now)
    except optimise.NotEnoughReviews as exc:
        raise HTTPException(409, str(exc)) from exc
    return vars(result)


@router.delete("/parameters", status_code=204)
def reset_parameters(session: SessionDep, user: ApiUser) -> Response:
    """Go back to the default FSRS weights."""
    optimise.reset(session, user=user)
    return Response(status_code=204)
