"""Errors: JSON ``{"detail": ...}`` under /api, friendly HTML pages elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from app.core.messages import MESSAGES
from app.core.templating import request_lang

log = logging.getLogger("deepprep")
# PostgreSQL SQLSTATEs: read_only_sql_transaction, disk_full; classes 53 (insufficient resources:
# memory, connections) and 08 (connection exceptions) mean "unavailable for now".
_PG_READ_ONLY, _PG_DISK_FULL, _PG_TRANSIENT = "25006", "53100", ("53", "08")
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_UNPARSABLE_BODY = "There was an error parsing the body"  # FastAPI's words for an undecodable body
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
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY and exc.__cause__ is not None:
        return await _validation_error(request, _unparsable_body(exc.__cause__))
    response = error_page(request, exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path. Starlette's 405 names only the first route
    that matched the path, so /api/v1/tokens (GET and POST routes) answered ``Allow: POST``."""
    routes: list[BaseRoute] = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]


def _unparsable_body(cause: BaseException) -> RequestValidationError:
    """A body that is not even text (bad UTF-8) is invalid input like malformed JSON: 422, the
    status every body-taking route documents, not FastAPI's undocumented 400."""
    error = {"type": "json_invalid", "loc": ("body",), "msg": f"The body is not valid JSON: {cause}"}
    return RequestValidationError([{**error, "input": None}])


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in exc.errors())
    return error_page(request, 422, f"Invalid input: {fields}")


def database_problem(exc: DBAPIError) -> str | None:
    """The ``error.db_*`` message key when the database cannot serve the request right now
    (unreachable, locked, read-only, full), None for errors that are bugs."""
    orig = exc.orig
    name = getattr(orig, "sqlite_errorname", "")  # sqlite3, Python ≥ 3.11
    state = getattr(orig, "sqlstate", None) or ""  # psycopg
    if name == "SQLITE_READONLY" or state == _PG_READ_ONLY:
        return "error.db_read_only"
    if name == "SQLITE_FULL" or state == _PG_DISK_FULL:
        return "error.db_full"
    if isinstance(exc, OperationalError) or state.startswith(_PG_TRANSIENT):
        return "error.db_unavailable"
    return None


async def database_error(request: Request, exc: DBAPIError) -> Response:
    """503 with the reason for an unavailable database, 422 for a value it cannot store, else 500."""
    if isinstance(exc, DataError):
        # A client's number beyond PostgreSQL's INTEGER, a NUL byte in a text: bad input, not a crash.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        error = {
            "type": "value_error",
            "loc": ("request",),
            "msg": "A value is out of the range the database can store",
        }
        return await _validation_error(request, RequestValidationError([{**error, "input": None}]))
    key = database_problem(exc)
    if key is None:
        return await _unexpected(request, exc)
    # Tell the client what is wrong and to retry; the driver's own words go to the log only.
    log.error("database unavailable: %s", exc.orig)
    lang = request_lang(request) if not wants_json(request) else "en"
    response = error_page(request, 503, MESSAGES[key][lang])
    response.headers["Retry-After"] = "1"
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_page(request, 500, "Internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, database_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
