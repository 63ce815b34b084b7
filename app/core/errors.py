"""Errors: JSON ``{"detail": ...}`` under /api, friendly HTML pages elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("deepprep")
_PLAIN = {
    400: ("Bad request", "请求有误"),
    401: ("Please sign in", "请先登录"),
    403: ("Not allowed", "没有权限"),
    404: ("Not found", "找不到这个页面"),
    409: ("Conflict", "冲突"),
    422: ("Invalid input", "输入有误"),
    429: ("Too many requests", "请求过于频繁"),
    503: ("Temporarily unavailable", "暂时不可用"),
}


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def error_page(request: Request, status: int, detail: object) -> Response:
    """Render templates/error.html, or JSON for API clients."""
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    en, zh = _PLAIN.get(status, ("Something went wrong", "出错了"))
    templates: Jinja2Templates = request.app.state.templates
    message = detail if isinstance(detail, str) else None
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": {"en": en, "zh": zh}, "message": message},
        status_code=status,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    response = error_page(request, exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in exc.errors())
    return error_page(request, 422, f"Invalid input: {fields}")


async def _database_unavailable(request: Request, exc: OperationalError) -> Response:
    # A locked, read-only or full database: tell the client to retry, keep the details in the log.
    log.error("database unavailable: %s", exc.orig)
    response = error_page(request, 503, "The database is temporarily unavailable; please retry.")
    response.headers["Retry-After"] = "1"
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_page(request, 500, "Internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_unavailable)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
