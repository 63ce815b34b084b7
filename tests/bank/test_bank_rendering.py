"""Every text in the bank renders: Markdown leaves no stray `$`, and KaTeX accepts every formula."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from app.bank.source import load
from app.core.config import PROJECT_ROOT
from app.core.markdown import render

KATEX = PROJECT_ROOT / "static" / "vendor" / "katex" / "katex.min.js"
_MATH = re.compile(r'<(span|div) class="math (inline|display|block)">(.*?)</\1>', re.DOTALL)


def texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every (location, text) pair of an item's bilingual fields."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from texts(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from texts(inner, f"{where}[{index}]")
    elif isinstance(value, str) and not where.endswith((".id", ".kind", ".calculator", ".ask")):
        yield where, value


@cache
def rendered() -> list[tuple[str, str]]:
    bank = load(PROJECT_ROOT / "questions")
    out = []
    for loaded in bank.items:
        body = loaded.item.model_dump(mode="json", exclude={"params", "tags", "seeds"})
        out += [(loc, str(render(text))) for loc, text in texts(body, loaded.item.id)]
    return out


def test_no_stray_dollar_signs() -> None:
    stray = [loc for loc, page in rendered() if "$" in _MATH.sub("", page)]
    assert stray == []


def test_katex_accepts_every_formula(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: KaTeX formulas were NOT checked")
    formulas = sorted(
        {
            (html.unescape(m.group(3)).strip(), m.group(2) != "inline")
            for _, page in rendered()
            for m in _MATH.finditer(page)
        }
    )
    source = tmp_path / "formulas.json"
    source.write_text(json.dumps(formulas), encoding="utf-8")
    script = (
        f"const katex = require({json.dumps(str(KATEX))});"
        f"const items = require({json.dumps(str(source))});"
        "const bad = [];"
        "for (const [tex, display] of items) {"
        "  try { katex.renderToString(tex, {displayMode: display, throwOnError: true, strict: 'error'}); }"
        "  catch (e) { bad.push(tex + '  ->  ' + e.message); } }"
        "console.log(JSON.stringify(bad));"
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(result.stdout) == []
    assert len(formulas) > 100
