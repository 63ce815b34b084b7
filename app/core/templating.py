"""Jinja2 templates with the shared context every page needs."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.core import markdown
from app.core.config import PROJECT_ROOT
from app.core.i18n import LANG_COOKIE, bilingual, pick_lang, translator
from app.core.messages import MESSAGES

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"


def request_lang(request: Request) -> str:
    """The language of this request (saved preference, cookie, then Accept-Language)."""
    lang = getattr(request.state, "lang", None)
    if lang is None:
        preferred = getattr(request.state, "preferred_lang", None)
        lang = pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"), preferred)
        request.state.lang = lang
    return str(lang)


@cache
def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>`` so browsers may cache assets for a long time."""
    return f"/static/{path}?v={_file_hash(STATIC_DIR / path)}"


def _shared_context(request: Request) -> dict[str, Any]:
    lang = request_lang(request)
    return {
        "lang": lang,
        "t": translator(lang, MESSAGES),
        "current_user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }


def make_templates() -> Jinja2Templates:
    """Templates with autoescape, Markdown filters and the shared context processor."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_shared_context])
    env = templates.env
    env.globals.update(static_url=static_url, bl=bilingual)
    env.filters.update(md=markdown.render, md_inline=markdown.render_inline)
    env.trim_blocks = env.lstrip_blocks = True
    return templates
