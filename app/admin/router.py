"""Admin API: ``/api/v1/admin/questions`` — list, read, create, update, retire, restore, history.

Same validation (the loader's rules) and the same optimistic concurrency as the editor pages:
writes name the version they were made on, and a stale one gets 409 with a diff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from app.admin import flags, revisions, service
from app.admin.dependencies import BankDirDep
from app.admin.schemas import (
    AdminQuestion,
    AdminQuestionPage,
    AdminQuestionSummary,
    QuestionCreate,
    QuestionUpdate,
    Revision,
    StaleResponse,
    VersionBody,
    validation_detail,
)
from app.admin.validation import ItemInvalid, validate_item
from app.bank.models import Question
from app.core.deps import NowDep, SessionDep
from app.users.dependencies import FORBIDDEN, UNAUTHORIZED, AdminUser
from app.users.models import User

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
FilterSlug = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]+$")]
GUARDED: dict[int | str, dict[str, Any]] = {**UNAUTHORIZED, **FORBIDDEN}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such question"}}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "The item breaks a bank rule (`loc`, `msg`)"}
}
STALE: dict[int | str, dict[str, Any]] = {409: {"model": StaleResponse, "description": "Stale version"}}


@router.get("/questions", responses=GUARDED)
def list_questions(
    session: SessionDep,
    _: AdminUser,
    topic: FilterSlug = None,
    kind: Literal["open", "choice", "multi", "numeric", "computed"] | None = None,
    tag: FilterSlug = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Literal["active", "retired", "all"] = "active",
    needs_checking: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AdminQuestionPage:
    """Questions, retired ones too when asked, filtered like the editor's list."""
    filters = service.AdminFilter(topic, kind, tag, q, status, needs_checking)
    result = service.list_items(session, filters=filters, page=page, per_page=per_page)
    flagged = flags.flagged_ids(session)
    items = [AdminQuestionSummary.of(x, flagged=x.id in flagged) for x in result.items]
    return AdminQuestionPage(
        items=items, total=result.total, page=result.page, per_page=result.per_page, pages=result.pages
    )


@router.post("/questions", status_code=201, responses={**GUARDED, **INVALID})
def create_question(
    body: QuestionCreate, session: SessionDep, now: NowDep, user: AdminUser, bank_dir: BankDirDep
) -> AdminQuestion:
    """Add a question to a topic (version 1)."""
    try:
        item = validate_item(body.item, bank_dir=bank_dir)
        row = service.create_item(session, topic=body.topic, item=item, author=user, now=now, note=body.note)
    except ItemInvalid as exc:
        raise HTTPException(422, validation_detail(exc.errors)) from exc
    return AdminQuestion.of(row)


@router.get("/questions/{slug}", responses={**GUARDED, **NOT_FOUND})
def get_question(session: SessionDep, _: AdminUser, slug: Slug) -> AdminQuestion:
    """One question as stored, with the version to send back on update."""
    return AdminQuestion.of(_get(session, slug))


@router.put("/questions/{slug}", responses={**GUARDED, **NOT_FOUND, **INVALID, **STALE})
def update_question(
    body: QuestionUpdate, session: SessionDep, now: NowDep, user: AdminUser, bank_dir: BankDirDep, slug: Slug
) -> AdminQuestion:
    """Replace a question's content; 409 with a diff when ``version`` is no longer current."""
    _get(session, slug)
    try:
        item = validate_item(body.item, bank_dir=bank_dir)
        row = service.update_item(
            session,
            slug=slug,
            version=body.version,
            topic=body.topic,
            item=item,
            author=user,
            now=now,
            note=body.note,
        )
    except ItemInvalid as exc:
        raise HTTPException(422, validation_detail(exc.errors)) from exc
    except service.StaleVersion as exc:
        raise _stale(exc) from exc
    return AdminQuestion.of(row)


@router.delete("/questions/{slug}", responses={**GUARDED, **NOT_FOUND, **STALE})
def retire_question(
    session: SessionDep,
    now: NowDep,
    user: AdminUser,
    slug: Slug,
    version: Annotated[int, Query(ge=1, le=2**31, description="The version you decided on")],
) -> AdminQuestion:
    """Retire a question: learners stop seeing it; its history and cards are kept."""
    return _set_retired(session, slug=slug, version=version, retired=True, user=user, now=now)


@router.post("/questions/{slug}/restore", responses={**GUARDED, **NOT_FOUND, **STALE})
def restore_question(
    body: VersionBody, session: SessionDep, now: NowDep, user: AdminUser, slug: Slug
) -> AdminQuestion:
    """Bring a retired question back."""
    return _set_retired(session, slug=slug, version=body.version, retired=False, user=user, now=now)


@router.get("/questions/{slug}/revisions", responses={**GUARDED, **NOT_FOUND})
def list_revisions(session: SessionDep, _: AdminUser, slug: Slug) -> list[Revision]:
    """Every saved version, newest first."""
    row = _get(session, slug)
    return [Revision.of(e.revision, e.author) for e in revisions.history(session, question_id=row.id)]


def _get(session: SessionDep, slug: str) -> Question:
    try:
        return service.get_item(session, slug=slug)
    except service.NotFound as exc:
        raise HTTPException(404, f"No question with id {slug!r}") from exc


def _set_retired(
    session: SessionDep, *, slug: str, version: int, retired: bool, user: User, now: datetime
) -> AdminQuestion:
    _get(session, slug)
    try:
        row = service.set_retired(session, slug=slug, version=version, retired=retired, author=user, now=now)
    except service.StaleVersion as exc:
        raise _stale(exc) from exc
    return AdminQuestion.of(row)


def _stale(exc: service.StaleVersion) -> HTTPException:
    detail = {
        "message": f"Someone saved version {exc.current_version} since yours; nothing was written",
        "current_version": exc.current_version,
        "diff": exc.diff,
    }
    return HTTPException(409, detail)
