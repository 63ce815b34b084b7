"""Learners report a problem with an item: a form under every item page, and its API twin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app.admin import flags
from app.bank import service as bank_service
from app.bank.models import Question
from app.core.deps import NowDep, SessionDep
from app.users.dependencies import UNAUTHORIZED, ApiUser, CsrfProtected, CurrentUser

pages = APIRouter(include_in_schema=False, dependencies=[CsrfProtected])
api = APIRouter(prefix="/api/v1", tags=["bank"])
Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
ReportText = Annotated[str, Field(min_length=1, max_length=flags.REPORT_MAX_LENGTH)]


class ReportCreate(BaseModel):
    """What is wrong with the item, in the learner's words."""

    model_config = ConfigDict(extra="forbid")

    text: ReportText


class ReportCreated(BaseModel):
    """The report was recorded; admins see it in the admin's reports list."""

    id: int
    question: str


@pages.post("/q/{slug}/report")
def report_page(
    session: SessionDep,
    now: NowDep,
    user: CurrentUser,
    slug: Slug,
    text: Annotated[str, Form(min_length=1, max_length=flags.REPORT_MAX_LENGTH)],
    seed: Annotated[int | None, Form(ge=0, le=2**31)] = None,
) -> Response:
    """Record a report and go back to the item (the same numbers, for a computed one) with thanks."""
    question = _question(session, slug)
    flags.report_problem(session, question=question, user=user, text=text, now=now)
    same = f"seed={seed}&" if seed is not None else ""
    return RedirectResponse(f"/q/{slug}?{same}reported=1", status_code=303)


@api.post(
    "/questions/{slug}/reports",
    status_code=201,
    responses={**UNAUTHORIZED, 404: {"description": "No such question"}},
)
def report_api(
    body: ReportCreate, session: SessionDep, now: NowDep, user: ApiUser, slug: Slug
) -> ReportCreated:
    """Report a problem with a question (a wrong answer, a typo, an unclear prompt)."""
    question = _question(session, slug)
    report = flags.report_problem(session, question=question, user=user, text=body.text, now=now)
    return ReportCreated(id=report.id, question=slug)


def _question(session: SessionDep, slug: str) -> Question:
    question = bank_service.get_question(session, slug=slug)
    if question is None:
        raise HTTPException(404, "No such question")
    return question
