"""Inline Markdown of one segment to safe HTML: translations are text, never markup.

Only what the content format allows comes out as elements: ``**strong**``, ``*em*``,
`` `code` `` and links to http(s), mailto and tel. Raw HTML is never parsed (markdown-it's
``html`` option is off), so ``<script>`` prints as the characters ``<script>``; images inside
a segment print their alt text (a translation cannot make the PDF fetch anything); links
with any other scheme (``javascript:``, ``file:``, ``data:``) print as their text alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
# Bidi overrides and isolates can make printed text read differently from the catalog;
# zero-width characters hide text from reviewers. Neither belongs in a leaflet. Control
# characters (a form feed, a bell: PO files can hold them) print as a box; they become a
# space, except the tab and line ends, which are whitespace to Markdown already.
_INVISIBLE: dict[int, str | None] = {
    **dict.fromkeys(
        map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\ufeff"),
        None,
    ),
    **{c: " " for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\t\n\r"},
}

#: Longest run of printed characters without a place to break the line. WeasyPrint's line
#: breaking lays the rest of a paragraph out again for each break or hyphenation point it
#: tries inside an unbreakable run, which makes its time grow with the square of the run:
#: a 45,000-character translation of "*a_" or "kuna" took 80 s to minutes per leaflet. No
#: word of any language comes near 40 letters; a longer run (a URL, a hostile string) gets
#: a line-break opportunity that prints nothing (``<wbr>``) every 40 characters.
MAX_UNBROKEN = 40
BREAK = "\u200b"
_LONG_RUN = re.compile(rf"[^\s\u200b]{{{MAX_UNBROKEN + 1},}}")


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


def breakable(text: str) -> str:
    """``text`` with a line-break opportunity in every run of more than :data:`MAX_UNBROKEN`
    characters without one, never between a letter and its accent. Linear in its length.

    >>> breakable("a" * 45).count(BREAK), breakable("short words stay").count(BREAK)
    (1, 0)
    """
    return _LONG_RUN.sub(lambda m: _split_run(m.group(0)), text)


def text_html(text: str) -> str:
    """Plain text as HTML: cleaned, escaped, with ``<wbr>`` where :func:`breakable` breaks.

    ``<wbr>`` rather than a zero-width space in the text, so that no invisible character
    is ever in a leaflet's HTML (a reviewer's copy-paste gets the word as written).

    >>> text_html("<b>" + "x" * 41)
    '&lt;b&gt;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx<wbr>xxxx'
    """
    return str(escape(breakable(clean(text)))).replace(BREAK, "<wbr>")


def _split_run(run: str) -> str:
    parts = []
    start = 0
    while len(run) - start > MAX_UNBROKEN:
        cut = start + MAX_UNBROKEN
        # Not before a combining mark, a joiner or a variation selector: they belong to
        # the character before them.
        while cut < len(run) and (
            unicodedata.category(run[cut])[0] == "M" or run[cut] in "\u200d\ufe0e\ufe0f"
        ):
            cut += 1
        parts.append(run[start:cut])
        start = cut
    parts.append(run[start:])
    return BREAK.join(p for p in parts if p)


def _needs_glyph(char: str) -> bool:
    # Controls, format characters (soft hyphen, zero-width joiners, bidi marks) and line
    # separators are not drawn, so a font need not have them.
    return unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"}


def undrawable(text: str, covered: frozenset[int]) -> set[str]:
    """Characters of ``text`` that fonts drawing the code points ``covered`` cannot draw.

    A precomposed letter the fonts lack still counts as drawn when the fonts have all of
    its decomposed parts, because the shaper then draws base letter and accent.

    >>> sorted(undrawable("año 漢", frozenset(map(ord, "ano \u0303"))))
    ['漢']
    """
    missing: set[str] = set()
    for char in set(text):
        if ord(char) in covered or not _needs_glyph(char):
            continue
        parts = unicodedata.normalize("NFD", char)
        if len(parts) > 1 and all(ord(p) in covered or not _needs_glyph(p) for p in parts):
            continue
        missing.add(char)
    return missing


def drawable(text: str, covered: frozenset[int]) -> tuple[str, set[str]]:
    """``text`` with every character the fonts cannot draw replaced by U+FFFD, and those.

    WeasyPrint draws a character its fonts lack from whatever font the machine has (a
    leaflet then differs from one machine to the next) after a font search that costs
    milliseconds a line: 14,000 characters of CJK took 140 s. ``check`` reports such
    characters as errors (``glyphs``); a build prints the replacement character instead.
    """
    missing = undrawable(text, covered)
    if not missing:
        return text, missing
    return "".join(REPLACEMENT if c in missing else c for c in text), missing


REPLACEMENT = "\ufffd"


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
    children = _inline_tokens(source)
    out: list[str] = []
    link_open: list[bool] = []

    def text(value: str) -> str:
        return text_html(hyphenate(value) if hyphenate else value)

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
            out.append(f"<code>{text_html(tok.content)}</code>")
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


@functools.lru_cache(maxsize=4096)
def _inline_tokens(source: str) -> tuple[Any, ...]:
    """markdown-it's inline tokens of a segment, parsed once for HTML and plain text.

    markdown-it is linear in the length of hostile input, but slowly (about 40 µs a
    character for 45,000 ``[``): a segment is parsed once, not once for each reader.
    """
    tokens = _parser().parseInline(clean(source))
    return tuple((tokens[0].children if tokens else None) or ())


def plain_text(source: str) -> str:
    """The words of a segment without markup, for counting and for PDF metadata.

    >>> plain_text("Ask **now**: [here](https://a.org)")
    'Ask now: here'
    """
    parts: list[str] = []
    for tok in _inline_tokens(source):
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif tok.type == "image":
            parts.append("".join(c.content for c in tok.children or []))
    return "".join(parts)
