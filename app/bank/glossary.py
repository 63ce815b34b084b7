"""The glossary (questions/glossary.yaml) and the terms a piece of text mentions."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.bank.loader import GLOSSARY_FILE, load_glossary
from app.bank.schema import GlossaryTerm

MAX_TERMS_SHOWN = 8


def terms_in(questions_dir: Path, body: dict[str, Any]) -> list[GlossaryTerm]:
    """Glossary terms that an item's text mentions, in either language, in order of first mention."""
    path = questions_dir / GLOSSARY_FILE
    if not path.exists():
        return []
    terms, patterns = _compiled(path, path.stat().st_mtime_ns)
    zh, en = _texts(body, "zh"), _texts(body, "en")
    found: list[tuple[int, GlossaryTerm]] = []
    for term, pattern in zip(terms, patterns, strict=True):
        positions = [p for p in (zh.find(term.zh), _search(pattern, en)) if p >= 0]
        if positions:
            found.append((min(positions), term))
    return [term for _, term in sorted(found, key=lambda pair: pair[0])][:MAX_TERMS_SHOWN]


@lru_cache(maxsize=4)
def _compiled(path: Path, _mtime_ns: int) -> tuple[list[GlossaryTerm], list[re.Pattern[str]]]:
    # Keyed by mtime so an edited glossary is picked up without a restart.
    glossary = load_glossary(path)
    terms = list(glossary.terms) if glossary else []
    return terms, [re.compile(rf"\b{re.escape(t.en)}s?\b", re.IGNORECASE) for t in terms]


def _search(pattern: re.Pattern[str], text: str) -> int:
    match = pattern.search(text)
    return match.start() if match else -1


def _texts(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        if set(value) >= {"zh", "en"} and isinstance(value.get(lang), str):
            return str(value[lang])
        return "\n".join(_texts(v, lang) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_texts(v, lang) for v in value)
    return ""
