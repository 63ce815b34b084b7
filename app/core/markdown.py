"""Markdown with $LaTeX$ to safe HTML, rendered on the server.

markdown-it escapes raw HTML (html=False) and nh3 then removes anything outside a small allowlist,
so content from YAML or the admin can never inject script. Math is left as text inside
``span.math``/``div.math`` for KaTeX to typeset in the browser.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    .enable("table")
    .enable("strikethrough")
)
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
_CLASSES = {"span": {"math", "inline"}, "div": {"math", "block"}}


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
