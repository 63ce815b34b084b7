"""Interface language: choice from cookie or Accept-Language, and the UI strings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"

Translator = Callable[..., str]


def pick_lang(cookie: str | None, accept_language: str | None, preferred: str | None = None) -> str:
    """A saved preference wins, then the cookie, then the browser's first zh/en choice."""
    for choice in (preferred, cookie):
        if choice in LANGS:
            return choice
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANG


def bilingual(value: Any, lang: str) -> str:
    """The ``lang`` text of a ``{zh, en}`` mapping; plain strings are language-neutral."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or "")
    return "" if value is None else str(value)


def translator(lang: str, messages: Mapping[str, Mapping[str, str]]) -> Translator:
    """A ``t(key, **values)`` function for one language; unknown keys show themselves."""

    def t(key: str, **values: Any) -> str:
        entry = messages.get(key)
        text = entry[lang] if entry else key
        return text.format(**values) if values else text

    return t
