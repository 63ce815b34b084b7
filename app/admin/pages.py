"""The editor pages: list and filter items, create, edit (form or YAML), preview, retire, history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.admin import editor, flags, forms, revisions, service
from app.admin.dependencies import AdminPageUser, BankDirDep, FormDep
from app.admin.validation import ItemInvalid
from app.bank import service as bank_service
from app.bank.models import Question
from app.core.deps import LangDep, NowDep, SessionDep, TemplatesDep
from app.users.dependencies import CsrfProtected

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[CsrfProtected])
Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
FilterSlug = Annotated[str, Query(max_length=80, pattern=r"^[a-z0-9-]*$")]
Version = Annotated[int, Form(ge=1, le=2**31)]
PER_PAGE = 50


@router.get("", response_class=HTMLResponse)
def index(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    _: AdminPageUser,
    topic: FilterSlug = "",
    kind: FilterSlug = "",
    tag: FilterSlug = "",
    q: Annotated[str, Query(max_length=200)] = "",
    status: Literal["active", "retired", "all"] = "active",
    flagged: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Every item, searchable and filtered by topic, kind, tag, retirement and flags."""
    filters = service.AdminFilter(topic or None, kind or None, tag or None, q or None, status, flagged)
    context = {
        "result": service.list_items(session, filters=filters, page=page, per_page=PER_PAGE),
        "filters": filters,
        "topics": service.topics(session),
        "tags": bank_service.all_tags(session),
        "stats": flags.item_stats(session),
        "open_reports": len(flags.open_reports(session)),
        **editor.choices_context(),
    }
    return templates.TemplateResponse(request, "admin/index.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    _: AdminPageUser,
    kind: FilterSlug = "open",
    topic: FilterSlug = "",
) -> Response:
    """An empty editor for a new item."""
    state = forms.FormState({"kind": kind, "topic": topic, "difficulty": "2"}, [], [])
    return _editor(request, session, templates, state=state, yaml_text="", question=None)


@router.post("/new", response_class=HTMLResponse)
def create(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: AdminPageUser,
    form: FormDep,
    bank_dir: BankDirDep,
) -> Response:
    """Validate and add a new item."""
    sub = editor.read(form, bank_dir=bank_dir)
    if sub.item is not None:
        try:
            row = service.create_item(
                session, topic=sub.topic, item=sub.item, author=user, now=now, note=sub.note
            )
        except ItemInvalid as exc:
            sub.errors = exc.errors
        else:
            return RedirectResponse(f"/admin/items/{row.slug}?saved={row.version}", status_code=303)
    return _editor(request, session, templates, submission=sub, question=None, status=422)


@router.get("/items/{slug}", response_class=HTMLResponse)
def edit_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    _: AdminPageUser,
    slug: Slug,
    saved: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    """The editor for one item, with its live preview."""
    row = _item(session, slug)
    state = forms.from_body(row.body, row.topic.slug)
    yaml_text = revisions.item_text(row.topic.slug, row.body).split("\n", 1)[1]
    return _editor(request, session, templates, state=state, yaml_text=yaml_text, question=row, saved=saved)


@router.post("/items/{slug}", response_class=HTMLResponse)
def save(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
    user: AdminPageUser,
    form: FormDep,
    bank_dir: BankDirDep,
    slug: Slug,
) -> Response:
    """Save an edit; a stale version gets a 409 with the diff, and nothing is written."""
    row = _item(session, slug)
    sub = editor.read(form, bank_dir=bank_dir)
    if sub.version is None:
        raise HTTPException(422, "The form lost its version number; reload the page.")
    stale: service.StaleVersion | None = None
    if sub.item is not None:
        try:
            row = service.update_item(
                session,
                slug=slug,
                version=sub.version,
                topic=sub.topic,
                item=sub.item,
                author=user,
                now=now,
                note=sub.note,
            )
        except ItemInvalid as exc:
            sub.errors = exc.errors
        except service.StaleVersion as exc:
            stale = exc
        else:
            return RedirectResponse(f"/admin/items/{slug}?saved={row.version}", status_code=303)
    status = 409 if stale else 422
    return _editor(request, session, templates, submission=sub, question=row, stale=stale, status=status)


@router.post("/items/{slug}/{action}")
def retire_or_restore(
    session: SessionDep,
    now: NowDep,
    user: AdminPageUser,
    slug: Slug,
    action: Literal["retire", "restore"],
    version: Version,
) -> Response:
    """Retire an item (learners stop seeing it) or bring it back."""
    try:
        row = service.set_retired(
            session, slug=slug, version=version, retired=action == "retire", author=user, now=now
        )
    except service.NotFound as exc:
        raise HTTPException(404, "No such item") from exc
    except service.StaleVersion as exc:
        raise HTTPException(409, "Someone saved this item meanwhile; reload and try again.") from exc
    return RedirectResponse(f"/admin/items/{slug}?saved={row.version}", status_code=303)


@router.post("/preview")
def preview(
    session: SessionDep,
    templates: TemplatesDep,
    lang: LangDep,
    _: AdminPageUser,
    form: FormDep,
    bank_dir: BankDirDep,
) -> JSONResponse:
    """The learner view of the form or YAML being edited, its canonical YAML, or its errors."""
    sub = editor.read(form, bank_dir=bank_dir)
    payload: dict[str, Any] = {"errors": [str(e) for e in sub.errors], "html": "", "yaml": sub.yaml_text}
    if sub.item is not None:
        payload["html"] = str(editor.preview(templates, sub.body))
    if form.get("want") == "fields":
        topics = service.topics(session)
        existing = form.get("existing") == "1"
        payload["fields"] = editor.render_fields(
            templates, state=sub.state, topics=topics, lang=lang, existing=existing
        )
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


@router.get("/items/{slug}/history", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, templates: TemplatesDep, _: AdminPageUser, slug: Slug
) -> Response:
    """Every saved version of an item with its diff, and one-click restore."""
    row = _item(session, slug)
    entries = revisions.history(session, question_id=row.id)
    return templates.TemplateResponse(request, "admin/history.html", {"question": row, "entries": entries})


@router.post("/items/{slug}/revert/{to_version}")
def revert(
    session: SessionDep,
    now: NowDep,
    user: AdminPageUser,
    bank_dir: BankDirDep,
    slug: Slug,
    to_version: Annotated[int, Path(ge=1, le=2**31)],
    version: Version,
) -> Response:
    """Make an old version current again (as a new version)."""
    try:
        row = service.revert(
            session,
            slug=slug,
            version=version,
            to_version=to_version,
            bank_dir=bank_dir,
            author=user,
            now=now,
        )
    except service.NotFound as exc:
        raise HTTPException(404, "No such version") from exc
    except service.StaleVersion as exc:
        raise HTTPException(409, "Someone saved this item meanwhile; reload and try again.") from exc
    except ItemInvalid as exc:
        raise HTTPException(422, f"That version breaks today's bank rules: {exc}") from exc
    return RedirectResponse(f"/admin/items/{slug}?saved={row.version}", status_code=303)


def _item(session: SessionDep, slug: str) -> Question:
    try:
        return service.get_item(session, slug=slug)
    except service.NotFound as exc:
        raise HTTPException(404, "No such item") from exc


def _editor(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    *,
    question: Question | None,
    state: forms.FormState | None = None,
    yaml_text: str = "",
    submission: editor.Submission | None = None,
    stale: service.StaleVersion | None = None,
    saved: int | None = None,
    status: int = 200,
) -> Response:
    errors = submission.errors if submission else []
    version = question.version if question else None
    body = question.body if question else None
    if submission is not None:
        state, yaml_text, version = submission.state, submission.yaml_text, submission.version
        body = submission.body if submission.item else None
    assert state is not None
    context = {
        **editor.choices_context(),
        "question": question,
        "state": state,
        "yaml_text": yaml_text,
        "mode": submission.mode if submission else "form",
        "note": submission.note if submission else "",
        "error_list": [str(e) for e in errors],
        "errors": editor.field_errors(errors),
        "stale": stale,
        "saved": saved,
        "topics": service.topics(session),
        "preview": editor.preview(templates, body) if body is not None else "",
        "stats": flags.item_stats(session).get(question.id) if question is not None else None,
        # A stale save re-renders with the new version: saving again is a deliberate overwrite.
        "version": stale.current_version if stale else version,
    }
    return templates.TemplateResponse(
        request, "admin/edit.html", context, status_code=status, headers={"Cache-Control": "no-store"}
    )
