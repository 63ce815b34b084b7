"""Markdown with $LaTeX$ to safe HTML, rendered on the server.

markdown-it escapes raw HTML (html=False) and nh3 then removes anything outside a small allowlist,
so content from YAML or the admin can never inject script. Math is left as text inside
``span.math``/``div.math`` for KaTeX to typeset in the browser.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

# allow_space=False: "$ x $" is not math, so prices like "5$ and 6$" stay text. (allow_digits=False
# would do that too but mis-parses "$a$ x $b$ y 1" in mdit-py-plugins 0.7.)
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .use(dollarmath_plugin, allow_space=False, allow_digits=True, double_inline=True)
    .enable("table")
    .enable("strikethrough")
)


def _display_math_in_paragraph(_renderer: Any, tokens: Any, idx: int, *_: Any) -> str:
    # $$…$$ inside a paragraph: a span, so the HTML stays valid (a div may not sit in a <p>).
    return f'<span class="math display">{escapeHtml(tokens[idx].content)}</span>'


_md.add_render_rule("math_inline_double", _display_math_in_paragraph)
_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "del",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "div",
    "a",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}}
_CLASSES = {"span": {"math", "inline", "display"}, "div": {"math", "block"}}


@lru_cache(maxsize=8192)
def render(text: str) -> Markup:
    """Sanitised HTML for a Markdown text (block level: paragraphs, lists, math)."""
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        allowed_classes=_CLASSES,
    )
    return Markup(clean)


@lru_cache(maxsize=8192)
def render_inline(text: str) -> Markup:
    """Like ``render`` but without the wrapping paragraph, for option labels and titles."""
    html = str(render(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
