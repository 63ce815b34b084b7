"""Bank-wide admin pages: downloads, topic-file upload, sync conflicts, learner reports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.admin import conflicts, flags, interchange, service
from app.admin.dependencies import AdminPageUser, BankDirDep
from app.bank import service as bank_service
from app.bank.loader import BankInvalid
from app.core.db import ID_MAX
from app.core.deps import NowDep, SessionDep, TemplatesDep
from app.users.dependencies import CsrfProtected

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[CsrfProtected])
Topic = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]+$")]
Slug = Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+$")]
MAX_UPLOAD = 2_000_000  # bytes; the largest topic file in the bank is far smaller


@router.get("/export", response_class=HTMLResponse)
def export_page(request: Request, session: SessionDep, templates: TemplatesDep, _: AdminPageUser) -> Response:
    """Download links: YAML (whole bank or one topic), Anki decks, Moodle XML."""
    return templates.TemplateResponse(
        request, "admin/export.html", {"topics": bank_service.list_topics(session)}
    )


@router.get("/export/questions.zip")
def export_zip(session: SessionDep, bank_dir: BankDirDep, _: AdminPageUser) -> Response:
    """The bank as YAML files, exactly as ``deepprep export`` writes them."""
    return _download(interchange.yaml_zip(session, bank_dir=bank_dir), "questions.zip", "application/zip")


@router.get("/export/yaml/{slug}.yaml")
def export_topic(session: SessionDep, _: AdminPageUser, slug: Slug) -> Response:
    """One topic's YAML file."""
    text = interchange.topic_file(session, topic=slug)
    if text is None:
        raise HTTPException(404, "No such topic, or it has no active items")
    return _download(text.encode(), f"{slug}.yaml", "application/yaml; charset=utf-8")


@router.get("/export/deepprep.apkg")
def export_anki(session: SessionDep, now: NowDep, _: AdminPageUser, topic: Topic = None) -> Response:
    """An Anki deck of the whole bank or one topic."""
    data = interchange.apkg(session, topic=topic, now=now)
    if data is None:
        raise HTTPException(404, "Nothing to export")
    return _download(data, f"deepprep-{topic or 'all'}.apkg", "application/octet-stream")


@router.get("/export/moodle.xml")
def export_moodle(
    session: SessionDep, _: AdminPageUser, topic: Topic = None, lang: Literal["en", "zh"] = "en"
) -> Response:
    """Choice and numeric items as Moodle XML in one language."""
    xml = interchange.moodle(session, topic=topic, lang=lang)
    if xml is None:
        raise HTTPException(404, "Nothing to export")
    return _download(xml.encode(), f"deepprep-{topic or 'all'}-{lang}.xml", "application/xml; charset=utf-8")


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, templates: TemplatesDep, _: AdminPageUser) -> Response:
    """The upload form for a topic file."""
    return templates.TemplateResponse(request, "admin/upload.html", {})


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    bank_dir: BankDirDep,
    _: AdminPageUser,
    file: UploadFile,
) -> Response:
    """Validate an uploaded topic file and show what applying it would change."""
    data = file.file.read(MAX_UPLOAD + 1)
    name = (file.filename or "upload.yaml").rsplit("/", 1)[-1]
    try:
        text = data.decode("utf-8") if len(data) <= MAX_UPLOAD else None
    except UnicodeDecodeError:
        text = None
    if text is None:
        context = {"problems": [f"{name}: not a UTF-8 text file of at most {MAX_UPLOAD} bytes"]}
        return templates.TemplateResponse(request, "admin/upload.html", context, status_code=422)
    return _preview_page(request, session, templates, bank_dir, name=name, text=text)


@router.post("/upload/apply", response_class=HTMLResponse)
def apply_upload(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    bank_dir: BankDirDep,
    now: NowDep,
    user: AdminPageUser,
    name: Annotated[str, Form(max_length=200)],
    text: Annotated[str, Form(max_length=MAX_UPLOAD)],
    fingerprint: Annotated[str, Form(max_length=64)],
) -> Response:
    """Apply a previewed upload in one transaction (or show the new diff if the bank moved on)."""
    try:
        preview = interchange.preview_upload(session, name=name, text=text, bank_dir=bank_dir)
        interchange.apply_upload(session, preview=preview, fingerprint=fingerprint, author=user, now=now)
    except (BankInvalid, interchange.StaleUpload, service.StaleVersion):
        return _preview_page(request, session, templates, bank_dir, name=name, text=text, stale=True)
    changed = len(preview.diff.added) + len(preview.diff.changed) + len(preview.diff.removed)
    return RedirectResponse(f"/admin?applied={changed}", status_code=303)


@router.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    bank_dir: BankDirDep,
    now: NowDep,
    _: AdminPageUser,
) -> Response:
    """Items edited both here and in the YAML since the last sync."""
    try:
        found, problems = conflicts.find(session, bank_dir=bank_dir, now=now), []
    except BankInvalid as exc:
        found, problems = [], [str(issue) for issue in exc.issues]
    return templates.TemplateResponse(
        request, "admin/conflicts.html", {"conflicts": found, "problems": problems}
    )


@router.post("/conflicts/{slug}")
def resolve_conflict(
    session: SessionDep,
    bank_dir: BankDirDep,
    now: NowDep,
    user: AdminPageUser,
    slug: Slug,
    take: Annotated[Literal["yaml", "admin"], Form()],
) -> Response:
    """Take the YAML version, or keep the admin version."""
    try:
        conflicts.resolve(session, slug=slug, take=take, bank_dir=bank_dir, author=user, now=now)
    except service.NotFound as exc:
        raise HTTPException(404, "No such item") from exc
    except BankInvalid as exc:
        raise HTTPException(422, "The bank directory does not load; run deepprep check") from exc
    return RedirectResponse("/admin/conflicts", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, session: SessionDep, templates: TemplatesDep, _: AdminPageUser
) -> Response:
    """Learners' reports and the items learners find far too hard."""
    stats = flags.item_stats(session)
    hard_ids = {qid for qid, s in stats.items() if s.hard}
    hard = service.items_by_id(session, ids=hard_ids)
    context = {"reports": flags.open_reports(session), "hard": hard, "stats": stats}
    return templates.TemplateResponse(request, "admin/reports.html", context)


@router.post("/reports/{report_id}/resolve")
def resolve_report(
    session: SessionDep, now: NowDep, user: AdminPageUser, report_id: Annotated[int, Path(ge=1, le=ID_MAX)]
) -> Response:
    """Close a report once the item is fixed (or the report was mistaken)."""
    if not flags.resolve_report(session, report_id=report_id, admin=user, now=now):
        raise HTTPException(404, "No such open report")
    return RedirectResponse("/admin/reports", status_code=303)


def _preview_page(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    bank_dir: BankDirDep,
    *,
    name: str,
    text: str,
    stale: bool = False,
) -> Response:
    try:
        preview = interchange.preview_upload(session, name=name, text=text, bank_dir=bank_dir)
    except BankInvalid as exc:
        context = {"problems": [str(i) for i in exc.issues]}
        return templates.TemplateResponse(request, "admin/upload.html", context, status_code=422)
    found: dict[str, object] = {"preview": preview, "text": text, "stale": stale}
    status = 409 if stale else 200
    return templates.TemplateResponse(request, "admin/upload_preview.html", found, status_code=status)


def _download(data: bytes, filename: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(data, media_type=media_type, headers=headers)
