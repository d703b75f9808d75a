"""Inline Markdown of one segment to safe HTML: translations are text, never markup.

Only what the content format allows comes out as elements: ``**strong**``, ``*em*``,
`` `code` `` and links to http(s), mailto and tel. Raw HTML is never parsed (markdown-it's
``html`` option is off), so ``<script>`` prints as the characters ``<script>``; images inside
a segment print their alt text (a translation cannot make the PDF fetch anything); links
with any other scheme (``javascript:``, ``file:``, ``data:``) print as their text alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# Bidi overrides and isolates can make printed text read differently from the catalog;
# zero-width characters hide text from reviewers. Neither belongs in a leaflet.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufeff"),
    None,
)


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    return md


def clean(text: str) -> str:
    """Drop invisible direction overrides and zero-width characters.

    >>> clean("a\\u202eb")
    'ab'
    """
    return text.translate(_INVISIBLE)


def safe_href(url: str) -> str | None:
    """The URL when its scheme is one a leaflet may link to, else None.

    >>> safe_href("javascript:alert(1)") is None
    True
    """
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


def render_inline(source: str, hyphenate: Callable[[str], str] | None = None) -> Markup:
    """Render a segment's inline Markdown to HTML that cannot carry markup of its own.

    ``hyphenate`` (text -> text with soft hyphens) is applied to plain text runs only.

    >>> str(render_inline("Ask **now** <b>x</b>"))
    'Ask <strong>now</strong> &lt;b&gt;x&lt;/b&gt;'
    """
    tokens = _parser().parseInline(clean(source))
    children = tokens[0].children if tokens else []
    out: list[str] = []
    link_open: list[bool] = []

    def text(value: str) -> str:
        return str(escape(hyphenate(value) if hyphenate else value))

    skip_depth = 0  # inside an image: its alt text is already written
    for tok in children or []:
        kind = tok.type
        if skip_depth:
            if kind == "image":
                skip_depth += 1
            continue
        if kind == "text":
            out.append(text(tok.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("<br>" if kind == "hardbreak" else " ")
        elif kind == "strong_open":
            out.append("<strong>")
        elif kind == "strong_close":
            out.append("</strong>")
        elif kind == "em_open":
            out.append("<em>")
        elif kind == "em_close":
            out.append("</em>")
        elif kind == "code_inline":
            out.append(f"<code>{escape(tok.content)}</code>")
        elif kind == "link_open":
            href = safe_href(str(tok.attrs.get("href", "")))
            link_open.append(href is not None)
            if href is not None:
                out.append(f'<a href="{escape(href)}">')
        elif kind == "link_close":
            if link_open and link_open.pop():
                out.append("</a>")
        elif kind == "image":
            out.append(text("".join(c.content for c in tok.children or [])))
        else:  # html_inline cannot occur with html off; anything else prints as text
            out.append(text(tok.content))
    return Markup("".join(out))


def plain_text(source: str) -> str:
    """The words of a segment without markup, for counting and for PDF metadata.

    >>> plain_text("Ask **now**: [here](https://a.org)")
    'Ask now: here'
    """
    tokens = _parser().parseInline(clean(source))
    parts: list[str] = []
    for tok in (tokens[0].children if tokens else None) or []:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append("".join(c.content for c in tok.children or []))
    return "".join(parts)
