"""PO line wrapping in linear time: Babel's word splitter, without its quadratic regex.

Babel wraps PO strings by splitting them with ``babel.messages.pofile.WORD_SEP``. One of its
alternatives, ``[^\\s\\w]*\\w+[a-zA-Z]-``, backtracks over every run of word characters
from every position in it: a translation holding a 10,000-character word (a pasted
``data:`` URL, base64, a hostile catalog) took a second to write, 80,000 characters two
minutes, a 5 MB one days. :func:`split_words` gives exactly the same pieces by walking
runs of characters once, and :func:`linear_wrapping` lends it to Babel while plainlang
writes a catalog.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import babel.messages.pofile as _pofile

# Babel's splitter, as of Babel 2.x; we stand in for it only while it is exactly this.
BABEL_WORD_SEP = (
    r"(\s+|"  # any whitespace
    r"[^\s\w]*\w+[a-zA-Z]-(?=\w+[a-zA-Z])|"  # hyphenated words
    r"(?<=[\w\!\"\'\&\.\,\?])-{2,}(?=\w))"  # em-dash
)
_RUNS = re.compile(r"(?P<s>\s+)|(?P<w>\w+)|(?P<p>[^\s\w]+)")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_BEFORE_DASHES = re.compile(r"[\w\!\"\'\&\.\,\?]")
_WORD = re.compile(r"\w")


def split_words(line: str) -> list[str]:
    """``re.split(BABEL_WORD_SEP, line)``, in time linear in ``len(line)``.

    >>> split_words("a well-known -- and long line")
    ['a', ' ', '', 'well-', 'known', ' ', '-- and', ' ', 'long', ' ', 'line']
    """
    out: list[str] = []
    last = 0
    for start, end in _matches(line):
        out.append(line[last:start])
        out.append(line[start:end])
        last = end
    out.append(line[last:])
    return out


def _matches(line: str) -> list[tuple[int, int]]:
    """Where Babel's regex matches, leftmost first, as (start, end) pairs.

    The line is cut into maximal runs of whitespace (s), word characters (w) and other
    characters (p). A match of the hyphen alternative starts at the first free place of a
    w run, or of a p run just before one, and takes that whole w run and the ``-`` after
    it; the em-dash alternative is a run of two or more ``-`` ending a p run before a w
    run. Every decision reads a run once, so nothing backtracks.
    """
    runs = [(m.start(), m.end(), m.lastgroup or "p") for m in _RUNS.finditer(line)]

    def hyphenated(k: int, start: int) -> int | None:
        """End of ``\\w+[a-zA-Z]-(?=\\w+[a-zA-Z])`` matched from ``start`` in w run ``k``."""
        end = runs[k][1]
        if end - start < 2 or line[end - 1] not in _ASCII_LETTERS:
            return None
        # The "-" must be a p run of its own, followed by a w run of 2+ characters with an
        # ASCII letter after its first.
        if k + 2 >= len(runs) or runs[k + 1][:2] != (end, end + 1) or line[end] != "-":
            return None
        after_start, after_end, _ = runs[k + 2]
        if not any(c in _ASCII_LETTERS for c in line[after_start + 1 : after_end]):
            return None
        return end + 1

    found: list[tuple[int, int]] = []
    pos = 0
    for k, (run_start, run_end, kind) in enumerate(runs):
        start = max(pos, run_start)
        if start >= run_end:
            continue  # taken by the match before
        match: tuple[int, int] | None = None
        if kind == "s":
            match = (start, run_end)
        elif kind == "w":
            end = hyphenated(k, start)
            match = (start, end) if end is not None else None
        else:
            end = hyphenated(k + 1, runs[k + 1][0]) if k + 1 < len(runs) else None
            if end is not None and runs[k + 1][2] == "w":
                match = (start, end)
            else:
                match = _em_dash(line, start, run_end)
        if match is not None:
            found.append(match)
            pos = match[1]
    return found


def _em_dash(line: str, start: int, end: int) -> tuple[int, int] | None:
    """The ``(?<=[\\w!"'&.,?])-{2,}(?=\\w)`` starting in ``line[start:end]``, a p run."""
    p = start
    while p < end:
        if line[p] != "-":
            p += 1
            continue
        q = p
        while q < end and line[q] == "-":
            q += 1
        before_ok = p > 0 and _BEFORE_DASHES.match(line[p - 1]) is not None
        if before_ok and q - p >= 2 and q == end and q < len(line) and _WORD.match(line[q]):
            return p, q
        p = q
    return None


class _LinearSplitter:
    """Stands in for ``WORD_SEP``: Babel only ever calls its ``split``."""

    pattern = BABEL_WORD_SEP

    def split(self, string: str) -> list[str]:
        return split_words(string)


@contextlib.contextmanager
def linear_wrapping() -> Iterator[None]:
    """Let Babel wrap PO strings with :func:`split_words` for the duration.

    Does nothing when Babel's splitter is not the one :func:`split_words` reproduces (a
    future Babel may have fixed it differently): the output stays Babel's own.
    """
    original = getattr(_pofile, "WORD_SEP", None)
    if original is None or getattr(original, "pattern", None) != BABEL_WORD_SEP:
        yield
        return
    _pofile.WORD_SEP = _LinearSplitter()  # type: ignore[assignment]
    try:
        yield
    finally:
        _pofile.WORD_SEP = original
