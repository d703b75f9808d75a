"""PO and POT files: the one model, reader and writer of gettext catalogs in plainlang.

Every command that touches a catalog (``check``, ``stats``, ``update``, ``compile``,
``build``, ``serve``, ``proof``) reads it with :func:`read_po` and writes it with
:func:`write_po`. The model is polib's, with gettext's own field names (``msgid``,
``msgctxt``, ``msgstr_plural``, ``previous_msgid``, ``occurrences``, ``flags``,
``comment`` for ``#.`` and ``tcomment`` for ``#``), and every entry keeps the 1-based
line of each of its fields.

**Reading** follows GNU gettext 0.21 (``po-lex.c``, ``po-gram-gen.y``, ``read-catalog.c``,
``msgl-check.c``): only a line feed ends a line (a carriage return is white space), a
backslash before a line feed joins two lines anywhere, ``#~`` marks the rest of its line
obsolete and ``#|`` as a previous string, escapes are C's (octal and ``\\x`` give bytes in
the catalog's charset), the header's ``charset=`` says how the bytes are decoded, the same
(msgctxt, msgid) twice is an error even if one of them is obsolete, and a catalog (not a
template) gets ``msgfmt --check``'s checks: the Plural-Forms header against the plural
entries, and leading and trailing newlines of each translated entry. What msgfmt refuses
is a :class:`~plainlang.errors.CatalogError` naming the file and the 1-based line.

Three deliberate differences, where gettext's reading silently differs from what the
file shows: a NUL byte (gettext cuts the text there), a carriage return inside a comment
(old Mac line ends: gettext reads the whole rest of the file as that comment), and
format-string checks (``c-format`` and the like: ``plainlang check`` reports placeholders
as findings instead). Flags on two ``#,`` lines are merged, as gettext after 0.21 does.

**Writing** is msgcat's: the same order of comments, flags and strings, and the same line
breaking (libunistring's UAX #14 line breaking and column widths, tables in
:mod:`plainlang.po_unidata`; 79 columns; an empty first line when a string wraps or holds
a newline). Flags gettext does not know (Weblate's ``max-length:N``, ``ignore-*``) are kept
after the ones it knows; msgcat and msgmerge drop those.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plainlang.errors import CatalogError, SourceLocation
from plainlang.fsio import read_project_file

#: gettext's page width (msgcat, msgmerge, xgettext, Poedit).
PO_WIDTH = 79
#: Plural forms a language can have; more in a header is nonsense (CLDR has at most 6).
MAX_NPLURALS = 10

# -- the model ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One PO entry; field names are polib's (gettext's own).

    ``msgstr_plural`` holds the forms of a plural entry (``msgstr[0]``, ``msgstr[1]``, ...)
    and ``msgstr`` stays empty there. ``line`` is the 1-based line of the ``msgid``
    keyword, ``msgstr_lines`` the line of each ``msgstr`` (key ``None``) or ``msgstr[n]``
    (key ``n``), ``comment_line`` the first line of the entry's block (its first comment).
    """

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # extracted (#.), one per line
    tcomments: list[str] = field(default_factory=list)  # the translator's (#), one per line
    occurrences: list[tuple[str, int | None]] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int | None = None
    msgstr_lines: dict[int | None, int] = field(default_factory=dict)
    comment_line: int | None = None

    @property
    def comment(self) -> str:
        """The extracted comments (``#.``), one a line, as polib has them."""
        return "\n".join(self.comments)

    @property
    def tcomment(self) -> str:
        """The translator comments (``#``), one a line, as polib has them."""
        return "\n".join(self.tcomments)

    @property
    def key(self) -> tuple[str | None, str]:
        """(msgctxt, msgid): what makes an entry unique in a catalog."""
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @fuzzy.setter
    def fuzzy(self, value: bool) -> None:
        if value and "fuzzy" not in self.flags:
            self.flags.insert(0, "fuzzy")
        elif not value:
            self.flags = [f for f in self.flags if f != "fuzzy"]

    @property
    def is_header(self) -> bool:
        return self.msgctxt is None and self.msgid == "" and not self.obsolete

    @property
    def strings(self) -> tuple[str, ...]:
        """The translation: ``(msgstr,)``, or every ``msgstr[n]`` of a plural entry."""
        return tuple(self.msgstr_plural) if self.msgid_plural is not None else (self.msgstr,)

    @property
    def has_previous(self) -> bool:
        return self.previous_msgid is not None or self.previous_msgctxt is not None

    def translated(self) -> bool:
        """Every form translated and not fuzzy (polib's ``translated()``)."""
        strings = self.strings
        return not self.fuzzy and bool(strings) and all(strings)

    def msgstr_line(self, index: int | None = None) -> int | None:
        """The line of ``msgstr`` (``index`` None) or ``msgstr[index]``, else the msgid's."""
        return self.msgstr_lines.get(index, self.line)


@dataclass
class Catalog:
    """A PO or POT file: its entries in file order (obsolete ones too) and where it is.

    ``path`` is the name errors show; ``charset`` the codec its bytes are read and
    written in; ``template`` says it is a POT (read as msgmerge reads one: no msgfmt
    checks of its header).
    """

    entries: list[Entry] = field(default_factory=list)
    path: str = ""
    charset: str = "UTF-8"
    template: bool = False

    def __iter__(self) -> Iterator[Entry]:
        """The active entries, the header excluded."""
        return (e for e in self.entries if not e.obsolete and not e.is_header)

    @property
    def header(self) -> Entry | None:
        return next((e for e in self.entries if e.is_header), None)

    def obsolete_entries(self) -> list[Entry]:
        return [e for e in self.entries if e.obsolete]

    def find(self, msgid: str, msgctxt: str | None = None) -> Entry | None:
        """The active entry with this msgid and context (None when there is none)."""
        return self._index().get((msgctxt, msgid))

    def _index(self) -> dict[tuple[str | None, str], Entry]:
        # Rebuilt when entries were added or removed; the keys of entries never change
        # in place (merge makes new entries).
        cached = self.__dict__.get("_cache")
        if cached is None or cached[0] != len(self.entries):
            index = {e.key: e for e in self.entries if not e.obsolete and not e.is_header}
            cached = (len(self.entries), index)
            self.__dict__["_cache"] = cached
        index_: dict[tuple[str | None, str], Entry] = cached[1]
        return index_

    def invalidate(self) -> None:
        """Forget the lookup index (after replacing entries in place)."""
        self.__dict__.pop("_cache", None)

    # -- the header ---------------------------------------------------------------------

    def header_fields(self) -> list[tuple[str, str]]:
        """The header's ``Name: value`` lines, in order."""
        header = self.header
        return parse_header(header.msgstr) if header is not None else []

    def header_field(self, name: str) -> str | None:
        """The value of one header field (case-insensitive name), or None."""
        wanted = name.lower()
        return next((v for k, v in self.header_fields() if k.lower() == wanted), None)

    def set_header_field(self, name: str, value: str, *, after: str | None = None) -> None:
        """Set a header field, keeping the others where they are.

        A new field goes after the field named ``after`` when there is one, else last.
        """
        header = self.header
        if header is None:
            header = Entry(msgid="", msgstr="")
            self.entries.insert(0, header)
        fields = parse_header(header.msgstr)
        for i, (key, _) in enumerate(fields):
            if key.lower() == name.lower():
                fields[i] = (key, value)
                break
        else:
            at = next(
                (i + 1 for i, (k, _) in enumerate(fields) if after and k.lower() == after.lower()),
                len(fields),
            )
            fields.insert(at, (name, value))
        header.msgstr = "".join(f"{k}: {v}\n" for k, v in fields)

    @property
    def language(self) -> str | None:
        value = (self.header_field("Language") or "").strip()
        return value or None

    @property
    def plural_forms(self) -> PluralForms | None:
        """The header's Plural-Forms rule, or None when it has none that gettext reads."""
        value = self.header_field("Plural-Forms")
        if value is None:
            return None
        try:
            return parse_plural_forms(value)
        except ValueError:
            return None


def parse_header(msgstr: str) -> list[tuple[str, str]]:
    """``Name: value`` pairs of a header msgstr, in order (lines without a colon skipped).

    >>> parse_header("Language: qu\\nPlural-Forms: nplurals=2; plural=(n != 1);\\n")
    [('Language', 'qu'), ('Plural-Forms', 'nplurals=2; plural=(n != 1);')]
    """
    out = []
    for line in msgstr.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            out.append((name.strip(), value.strip()))
    return out


# -- plural forms (the one parser of gettext's plural expressions) ------------------------


@dataclass(frozen=True)
class PluralForms:
    """A Plural-Forms rule as gettext reads it: ``nplurals=N; plural=EXPRESSION;``."""

    nplurals: int
    expression: str
    _rule: Callable[[int], int] = field(repr=False, compare=False)

    def form(self, n: int) -> int:
        """The index of the form a count takes (the English rule if it fails at run time)."""
        try:
            value = self._rule(n)
        except ZeroDivisionError:
            return int(n != 1)
        return value if 0 <= value < self.nplurals else int(n != 1)

    def __str__(self) -> str:
        return f"nplurals={self.nplurals}; plural={self.expression};"


_ULONG = (1 << 64) - 1


def parse_plural_forms(value: str) -> PluralForms:
    """Parse and check a Plural-Forms value as ``msgfmt --check`` does; ValueError if bad.

    ``nplurals`` must be a number and the expression one gettext's grammar reads (C
    arithmetic on ``n``); for n = 0..1000 it must pick a form below ``nplurals``, never
    divide by zero. Like gettext, ``plural=`` and ``nplurals=`` are found anywhere.

    >>> str(parse_plural_forms("nplurals=2; plural=(n != 1);"))
    'nplurals=2; plural=(n != 1);'
    >>> parse_plural_forms("nplurals=3; plural=n%10==1 ? 0 : n ? 1 : 2;").form(11)
    1
    """
    return _parse_plural_forms(value)


@functools.lru_cache(maxsize=256)
def _parse_plural_forms(value: str) -> PluralForms:
    at_n = value.find("nplurals=")
    at_p = value.find("plural=")  # never inside "nplurals=": an "s" comes before its "="
    if at_n < 0:
        raise ValueError('no "nplurals=INTEGER"')
    if at_p < 0:
        raise ValueError('no "plural=EXPRESSION"')
    rest = value[at_n + 9 :].lstrip(" \t\n\v\f\r")
    digits = re.match(r"[0-9]+", rest)
    if digits is None:
        raise ValueError("nplurals is not a number")
    nplurals = min(int(digits.group()), _ULONG)
    try:
        tree, end = _PluralParser(value, at_p + 7).parse()
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops it first
        raise ValueError("the plural expression is nested too deeply") from None
    expression = value[at_p + 7 : end].strip(" \t")
    rule = _compile_plural(tree)
    for n in range(1001):
        try:
            result = rule(n)
        except ZeroDivisionError:
            raise ValueError("the plural expression can divide by zero") from None
        if result > (_ULONG >> 1):
            raise ValueError("the plural expression can produce negative values")
        if result >= nplurals:
            raise ValueError(
                f"picks form {result} of a count, but nplurals is {nplurals} (nplurals = "
                f"{nplurals} but the plural expression can produce {result})"
            )
    return PluralForms(nplurals, expression, rule)


def plural_forms_problem(value: str) -> str:
    """What ``msgfmt --check`` says of a Plural-Forms value ("" when nothing)."""
    try:
        parse_plural_forms(value)
    except ValueError as exc:
        return str(exc)
    return ""


class _PluralParser:
    """gettext's plural grammar (``plural.y``): ?:, ||, &&, == !=, < > <= >=, + -, * / %, !."""

    # Real rules nest a few levels; gettext's own parser goes to about 10,000. Each level
    # costs this parser nine Python frames, so it stops well before Python's limit.
    MAX_DEPTH = 60

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.pos = start
        self.depth = 0

    def _token(self) -> tuple[str, int | str | None]:
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \t":
            self.pos += 1
        if self.pos >= len(text) or text[self.pos] in ";\n":
            return ("end", None)
        c = text[self.pos]
        if c.isdigit() and c in "0123456789":
            m = re.compile(r"[0-9]+").match(text, self.pos)
            assert m is not None
            self.pos = m.end()
            return ("num", int(m.group()) & _ULONG)
        two = text[self.pos : self.pos + 2]
        if two in ("==", "!=", "<=", ">=", "&&", "||"):
            self.pos += 2
            return ("op", two)
        if c in "<>*/%+-!n?:()":
            self.pos += 1
            return ("op", c)
        raise ValueError(f"invalid token {text[self.pos : self.pos + 12]!r}")

    def _peek(self) -> tuple[str, int | str | None]:
        saved = self.pos
        token = self._token()
        self.pos = saved
        return token

    def parse(self) -> tuple[tuple[object, ...], int]:
        tree = self._ternary()
        end = self.pos
        if self._token()[0] != "end":
            raise ValueError("not a plural expression")
        return tree, end

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",),
        ("&&",),
        ("==", "!="),
        ("<", ">", "<=", ">="),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def _ternary(self) -> tuple[object, ...]:
        self.depth += 1
        if self.depth > self.MAX_DEPTH:
            raise ValueError("the plural expression is nested too deeply")
        cond = self._binary(0)
        if self._peek() == ("op", "?"):
            self._token()
            yes = self._ternary()
            if self._token() != ("op", ":"):
                raise ValueError("not a plural expression")
            no = self._ternary()
            cond = ("?", cond, yes, no)
        self.depth -= 1
        return cond

    def _binary(self, level: int) -> tuple[object, ...]:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while True:
            kind, op = self._peek()
            if kind == "op" and op in self._LEVELS[level]:
                self._token()
                left = (op, left, self._binary(level + 1))
            else:
                return left

    def _unary(self) -> tuple[object, ...]:
        kind, value = self._token()
        if (kind, value) == ("op", "!"):
            self.depth += 1
            if self.depth > self.MAX_DEPTH:
                raise ValueError("the plural expression is nested too deeply")
            inner = self._unary()
            self.depth -= 1
            return ("!", inner)
        if (kind, value) == ("op", "n"):
            return ("n",)
        if kind == "num":
            return ("num", value)
        if (kind, value) == ("op", "("):
            inner = self._ternary()
            if self._token() != ("op", ")"):
                raise ValueError("unbalanced parenthesis")
            return inner
        raise ValueError("not a plural expression")


def _compile_plural(tree: tuple[object, ...]) -> Callable[[int], int]:
    """An evaluator with C's unsigned long arithmetic (wrapping, division by zero raises)."""
    op = tree[0]
    if op == "n":
        return lambda n: n & _ULONG
    if op == "num":
        value = int(tree[1])  # type: ignore[call-overload]
        return lambda n: value
    args = [_compile_plural(t) for t in tree[1:]]  # type: ignore[arg-type]
    if op == "!":
        (a,) = args
        return lambda n: int(not a(n))
    if op == "?":
        c, y, z = args
        return lambda n: y(n) if c(n) else z(n)
    a, b = args
    table: dict[object, Callable[[int], int]] = {
        "||": lambda n: int(bool(a(n)) or bool(b(n))),
        "&&": lambda n: int(bool(a(n)) and bool(b(n))),
        "==": lambda n: int(a(n) == b(n)),
        "!=": lambda n: int(a(n) != b(n)),
        "<": lambda n: int(a(n) < b(n)),
        ">": lambda n: int(a(n) > b(n)),
        "<=": lambda n: int(a(n) <= b(n)),
        ">=": lambda n: int(a(n) >= b(n)),
        "+": lambda n: (a(n) + b(n)) & _ULONG,
        "-": lambda n: (a(n) - b(n)) & _ULONG,
        "*": lambda n: (a(n) * b(n)) & _ULONG,
        "/": lambda n: a(n) // b(n),
        "%": lambda n: a(n) % b(n),
    }
    return table[op]


# -- charsets -------------------------------------------------------------------------------

# gettext's portable charset names (po-charset.c), and the Python codec of each.
_CHARSETS = {
    "ASCII": "ascii",
    "ANSI_X3.4-1968": "ascii",
    "US-ASCII": "ascii",
    **{f"ISO-8859-{n}": f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15)},
    **{f"ISO_8859-{n}": f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15)},
    "KOI8-R": "koi8_r",
    "KOI8-U": "koi8_u",
    "KOI8-T": "koi8_t",
    **{f"CP{n}": f"cp{n}" for n in (850, 866, 874, 932, 949, 950)},
    **{f"CP{n}": f"cp{n}" for n in range(1250, 1258)},
    "GB2312": "gb2312",
    "EUC-JP": "euc_jp",
    "EUC-KR": "euc_kr",
    "EUC-TW": "",
    "BIG5": "big5",
    "BIG5-HKSCS": "big5hkscs",
    "GBK": "gbk",
    "GB18030": "gb18030",
    "SHIFT_JIS": "shift_jis",
    "JOHAB": "johab",
    "TIS-620": "tis_620",
    "VISCII": "",
    "GEORGIAN-PS": "",
    "UTF-8": "utf-8",
}
_CANONICAL = {name.upper(): name for name in _CHARSETS}
_CJK_ENCODINGS = frozenset(
    {"EUC-JP", "GB2312", "GBK", "EUC-TW", "BIG5", "EUC-KR", "CP949", "JOHAB"}
)


def _header_charset(msgstr: str) -> str | None:
    """The ``charset=`` of a header msgstr as gettext finds it (anywhere, up to white space)."""
    at = msgstr.find("charset=")
    if at < 0:
        return None
    return re.split(r"[ \t\n]", msgstr[at + 8 :], maxsplit=1)[0]


def _codec(charset: str | None, shown: str, line: int | None) -> tuple[str, str, bool]:
    """(gettext's name, Python codec, whether gettext converts and so checks the bytes)."""
    if charset is None or charset == "CHARSET":
        return ("UTF-8" if charset is None else "CHARSET", "utf-8", False)
    canonical = _CANONICAL.get(charset.upper())
    if canonical is None:
        # gettext reads such a file without converting it; so do we, as UTF-8 if it is.
        return (charset, "utf-8", False)
    codec = _CHARSETS[canonical]
    if not codec:
        raise CatalogError(
            f"charset {charset}: plainlang has no converter for it",
            SourceLocation(shown, line),
            hint="convert the file: msgconv --to-code=UTF-8 FILE",
        )
    name = canonical if not canonical.startswith(("ISO_", "ANSI", "US-")) else {
        "ANSI_X3.4-1968": "ASCII",
        "US-ASCII": "ASCII",
    }.get(canonical, canonical.replace("ISO_", "ISO-"))
    return (name, codec, True)


# -- reading ----------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\r\f\v]+")
_STRING = re.compile(r'"((?:[^"\\\n]++|\\.)*+)"')
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"[0-9]+")
_TO_EOL = re.compile(r"[^\n]*")
_ESCAPE = re.compile(r"\\(?:([ntbrfva\\\"])|([0-7]{1,3})|x([0-9a-fA-F]+)|(.)|$)", re.S)
_SIMPLE = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_KEYWORDS = {"msgid", "msgid_plural", "msgstr", "msgctxt", "domain"}
_PREV_KEYWORDS = {"msgid", "msgid_plural", "msgctxt"}


@dataclass
class _Token:
    kind: str  # a keyword, "prev_<keyword>", "string", "prev_string", "comment", "[", "]"...
    value: str
    pos: int  # offset in the text the lexer read
    obsolete: bool


class _Reader:
    """One pass over a catalog's text: tokens, then entries (see the module docstring)."""

    def __init__(self, text: str, shown: str, codec: str, strict: bool) -> None:
        self.shown = shown
        self.codec = codec
        self.strict = strict
        self.original_text = text
        # A backslash before a line feed joins the lines, anywhere (gettext's lex_getc).
        self.joins: list[int] = []
        if "\\\n" in text:
            parts = text.split("\\\n")
            pos = 0
            for part in parts[:-1]:
                pos += len(part)
                self.joins.append(pos)
            text = "".join(parts)
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", self.original_text)]

    def line_of(self, pos: int) -> int:
        original = pos + 2 * bisect.bisect_right(self.joins, pos)
        return bisect.bisect_right(self.newlines, original - 1) + 1

    def fail(self, pos: int, message: str, hint: str = "fix the PO syntax at that line") -> None:
        raise CatalogError(message, SourceLocation(self.shown, self.line_of(pos)), hint=hint)

    # -- lexer --------------------------------------------------------------------------

    def tokens(self) -> Iterator[_Token]:
        text = self.text
        n = len(text)
        pos = 0
        obsolete = previous = False
        while pos < n:
            c = text[pos]
            if c == "\n":
                obsolete = previous = False
                pos += 1
            elif c in " \t\r\f\v":
                m = _WS.match(text, pos)
                assert m is not None
                pos = m.end()
            elif c == "#":
                nxt = text[pos + 1 : pos + 2]
                if nxt == "~":
                    obsolete = True
                    pos += 2
                    if text[pos : pos + 1] == "|":
                        previous = True
                        pos += 1
                elif nxt == "|":
                    previous = True
                    pos += 2
                else:
                    m = _TO_EOL.match(text, pos + 1)
                    assert m is not None
                    body = m.group()
                    body = body.rstrip("\r")  # CRLF line ends (gettext > 0.21 reads them so)
                    if "\r" in body:
                        self.fail(
                            pos,
                            "a comment holds a carriage return: gettext reads everything up to "
                            "the next line feed as this comment",
                            "the file has old Mac line ends (CR): save it with LF or CRLF "
                            "line ends",
                        )
                    yield _Token("comment", body, pos, obsolete)
                    obsolete = False
                    pos = m.end()
            elif c == '"':
                m = _STRING.match(text, pos)
                if m is None:
                    end = text.find("\n", pos)
                    self.fail(
                        pos,
                        "end-of-file within string"
                        if end < 0
                        else "string is not closed (end of line within string)",
                        'end the string with " on the same line',
                    )
                    return
                value = self._unescape(m.group(1), pos)
                yield _Token("prev_string" if previous else "string", value, pos, obsolete)
                pos = m.end()
            elif c.isascii() and (c.isalpha() or c in "_$"):
                m = _NAME.match(text, pos)
                assert m is not None
                word = m.group()
                if previous and word in _PREV_KEYWORDS:
                    yield _Token("prev_" + word, word, pos, obsolete)
                elif not previous and word in _KEYWORDS:
                    yield _Token(word, word, pos, obsolete)
                elif pos and text[pos - 1] == '"':
                    self.fail(
                        pos,
                        f'unknown keyword "{word[:40]}" right after a string: an unescaped '
                        "double quote ended the string early",
                        'write \\" for a double quote inside a string',
                    )
                else:
                    self.fail(pos, f'unknown keyword "{word[:40]}"')
                pos = m.end()
            elif c in "0123456789":
                m = _NUMBER.match(text, pos)
                assert m is not None
                yield _Token("number", m.group(), pos, obsolete)
                pos = m.end()
            elif c in "[]":
                yield _Token(c, c, pos, obsolete)
                pos += 1
            else:
                shown = repr(c)[1:-1] if not c.isprintable() else c
                self.fail(pos, f"syntax error: unexpected '{shown}'")
                return

    def _unescape(self, body: str, pos: int) -> str:
        if self.strict and _has_surrogate(body):
            self.fail(
                pos,
                f"invalid multibyte sequence: not valid {self.codec.upper()}",
                "save the file in the charset its header declares (or fix charset=)",
            )
        if "\\" not in body:
            value = body
        else:
            pieces: list[str | bytes] = []
            last = 0
            raw = False
            for m in _ESCAPE.finditer(body):
                pieces.append(body[last : m.start()])
                last = m.end()
                simple, octal, hexa, other = m.groups()
                if simple is not None:
                    pieces.append(_SIMPLE.get(simple, simple))
                elif octal is not None or hexa is not None:
                    byte = (int(octal, 8) if octal is not None else int(hexa, 16)) & 0xFF
                    pieces.append(bytes([byte]))
                    raw = raw or byte >= 0x80
                else:
                    letter = other if other is not None else ""
                    self.fail(
                        pos,
                        f"unknown escape '\\{letter}' in a string (invalid control sequence)",
                        "write the character itself, or \\\\ for a backslash",
                    )
            pieces.append(body[last:])
            if raw:
                data = b"".join(
                    p if isinstance(p, bytes) else p.encode(self.codec, "surrogateescape")
                    for p in pieces
                )
                value = data.decode(self.codec, "surrogateescape")
                if self.strict and _has_surrogate(value):
                    # msgfmt compiles such bytes; msgcat and msgmerge refuse to write them.
                    self.fail(
                        pos,
                        "an escape makes an invalid multibyte sequence in the catalog's charset",
                        "write the character itself instead of its octal or \\x code",
                    )
            else:
                value = "".join(p.decode("latin-1") if isinstance(p, bytes) else p for p in pieces)
        if "\x00" in value:
            self.fail(
                pos,
                "a \\0 escape in a string: gettext cuts the text there",
                "remove it; a string cannot hold a NUL character",
            )
        if "\x04" in value:
            self.fail(pos, "context separator <EOT> within string", "remove the \\004 character")
        return value

    # -- grammar ------------------------------------------------------------------------

    def entries(self) -> Iterator[Entry]:
        tokens = _Lazy(self.tokens())
        i = 0
        pending = _Pending()
        while tokens.has(i):
            token = tokens[i]
            if token.kind == "comment":
                pending.add(token.value, self.line_of(token.pos))
                i += 1
            elif token.kind == "domain":
                self.fail(
                    token.pos,
                    "a 'domain' directive: a plainlang catalog holds one domain",
                    "remove the line; each domain has its own .po file",
                )
            elif token.kind in ("msgid", "msgctxt", "prev_msgid", "prev_msgctxt"):
                entry, i = self._message(tokens, i)
                pending.apply(entry)
                pending = _Pending()
                yield entry
            elif token.kind == "msgstr":
                self.fail(token.pos, "msgstr without its msgid (a second msgstr?)")
            elif token.kind in ("string", "prev_string"):
                self.fail(token.pos, "a string outside any entry")
            else:
                self.fail(token.pos, f"syntax error: '{token.value}' is out of place")

    def _message(self, tokens: _Lazy, i: int) -> tuple[Entry, int]:
        first = tokens[i]
        obsolete = first.obsolete

        def at(j: int) -> _Token | None:
            """The token at ``j`` (no check: it may start the next entry)."""
            return tokens[j] if tokens.has(j) else None

        def take(token: _Token) -> None:
            """``token`` belongs to this entry: its #~ must be the entry's."""
            if token.obsolete != obsolete:
                self.fail(token.pos, "inconsistent use of #~", "mark every line of the entry #~")

        def strings(j: int, kind: str, what: str) -> tuple[str, int]:
            token = at(j)
            if token is None or token.kind != kind:
                pos = token.pos if token is not None else tokens[j - 1].pos
                self.fail(pos, f"{what} needs a string")
            parts = []
            while (token := at(j)) is not None and token.kind == kind:
                take(token)
                parts.append(token.value)
                j += 1
            return "".join(parts), j

        entry = Entry(msgid="", obsolete=obsolete)
        if first.kind.startswith("prev_"):
            if first.kind == "prev_msgctxt":
                entry.previous_msgctxt, i = strings(i + 1, "prev_string", "#| msgctxt")
                token = at(i)
                if token is None or token.kind != "prev_msgid":
                    self.fail(tokens[i - 1].pos, "#| msgctxt without #| msgid")
                    raise AssertionError  # unreachable
                take(token)
            entry.previous_msgid, i = strings(i + 1, "prev_string", "#| msgid")
            token = at(i)
            if token is not None and token.kind == "prev_msgid_plural":
                take(token)
                entry.previous_msgid_plural, i = strings(i + 1, "prev_string", "#| msgid_plural")
            token = at(i)
            if token is None or token.kind not in ("msgid", "msgctxt"):
                self.fail(tokens[i - 1].pos, "a previous string (#|) without its entry")
                raise AssertionError  # unreachable
            take(token)
            first = token
        if first.kind == "msgctxt":
            entry.msgctxt, i = strings(i + 1, "string", "msgctxt")
            token = at(i)
            if token is None or token.kind != "msgid":
                self.fail(tokens[i - 1].pos, "msgctxt without msgid")
                raise AssertionError  # unreachable
            take(token)
            first = token
        msgid_token = first
        entry.line = self.line_of(msgid_token.pos)
        entry.msgid, i = strings(i + 1, "string", "msgid")
        token = at(i)
        if token is not None and token.kind == "msgid_plural":
            take(token)
            entry.msgid_plural, i = strings(i + 1, "string", "msgid_plural")
            token = at(i)
            if token is None or token.kind != "msgstr" or not self._bracket(tokens, i + 1):
                self.fail(
                    msgid_token.pos,
                    "missing 'msgstr[]' section",
                    "an entry with msgid_plural needs msgstr[0], msgstr[1], ...",
                )
            while (token := at(i)) is not None and token.kind == "msgstr":
                if not self._bracket(tokens, i + 1):
                    self.fail(token.pos, "plain msgstr after msgstr[n]")
                index = len(entry.msgstr_plural)
                number = tokens[i + 2]
                for part in (tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]):
                    take(part)
                if int(number.value) != index:
                    self.fail(
                        token.pos,
                        f"msgstr[{number.value}] where msgstr[{index}] was expected"
                        if index
                        else f"first plural form has nonzero index (msgstr[{number.value}])",
                    )
                entry.msgstr_lines[index] = self.line_of(token.pos)
                value, i = strings(i + 4, "string", f"msgstr[{index}]")
                entry.msgstr_plural.append(value)
        elif token is not None and token.kind == "msgstr":
            take(token)
            if self._bracket(tokens, i + 1):
                self.fail(
                    token.pos,
                    "msgstr[n] without msgid_plural",
                    "use plain msgstr, or add msgid_plural",
                )
            entry.msgstr_lines[None] = self.line_of(token.pos)
            entry.msgstr, i = strings(i + 1, "string", "msgstr")
        else:
            self.fail(msgid_token.pos, "entry is cut short: msgstr is missing", "add msgstr")
        return entry, i

    def _bracket(self, tokens: _Lazy, j: int) -> bool:
        """Whether tokens[j:] is ``[ NUMBER ]`` (a plural form's index)."""
        if tokens.has(j) and tokens[j].kind == "[":
            if (
                tokens.has(j + 2)
                and tokens[j + 1].kind == "number"
                and tokens[j + 2].kind == "]"
            ):
                return True
            self.fail(tokens[j].pos, "msgstr[ needs a number and ]")
        return False


class _Lazy:
    """Tokens read from the lexer as the parser needs them (a few ahead at most)."""

    def __init__(self, source: Iterator[_Token]) -> None:
        self.source = source
        self.items: list[_Token] = []
        self.offset = 0  # index of items[0]

    def has(self, j: int) -> bool:
        while j - self.offset >= len(self.items):
            token = next(self.source, None)
            if token is None:
                return False
            self.items.append(token)
        return True

    def __getitem__(self, j: int) -> _Token:
        if not self.has(j):
            raise IndexError(j)
        if j - self.offset > 64:  # drop what the parser has passed
            drop = j - self.offset - 16
            del self.items[:drop]
            self.offset += drop
        return self.items[j - self.offset]


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text) if not text.isascii() else False


class _Pending:
    """Comments seen since the last entry: they belong to the next one."""

    def __init__(self) -> None:
        self.tcomments: list[str] = []
        self.comments: list[str] = []
        self.occurrences: list[tuple[str, int | None]] = []
        self.flags: list[str] = []
        self.first_line: int | None = None

    def add(self, body: str, line: int) -> None:
        if self.first_line is None:
            self.first_line = line
        if body.startswith("."):
            self.comments.append(body[2:] if body.startswith(". ") else body[1:])
        elif body.startswith(":"):
            self.occurrences.extend(_parse_references(body[1:]))
        elif body.startswith((",", "!")):
            for flag in _parse_flags(body[1:]):
                if flag not in self.flags:
                    self.flags.append(flag)
        else:
            solaris = _SOLARIS.match(body)
            if solaris is not None:
                self.occurrences.append((solaris.group(1), int(solaris.group(2))))
            else:
                self.tcomments.append(body[1:] if body.startswith(" ") else body)

    def apply(self, entry: Entry) -> None:
        entry.tcomments = self.tcomments
        entry.comments = self.comments
        entry.occurrences = list(dict.fromkeys(self.occurrences))  # gettext drops repeats
        entry.flags = self.flags
        entry.comment_line = self.first_line if self.first_line is not None else entry.line


_SOLARIS = re.compile(
    r" [Ff]ile:[ \t]*(.*?)[ \t]*,[ \t]*line[ \t]*(?:number[ \t]*)?:([0-9]+)[ \t\n]*$"
)
_FLAG_SEP = re.compile(r"[\n \t\r\f\v,]+")
_RANGE_VALUE = re.compile(r"([0-9]+)\.\.([0-9]+)")


def _parse_flags(body: str) -> list[str]:
    """The tokens of a ``#,`` line; ``range: 1..5`` is one flag, as gettext writes it."""
    words = [w for w in _FLAG_SEP.split(body) if w]
    out = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "range:" and i + 1 < len(words):
            m = _RANGE_VALUE.match(words[i + 1])
            i += 2
            if m is not None and int(m.group(1)) <= int(m.group(2)):
                out.append(f"range: {int(m.group(1))}..{int(m.group(2))}")
            continue
        out.append(word)
        i += 1
    return out


def _parse_references(body: str) -> list[tuple[str, int | None]]:
    """``#:`` references as gettext reads them: ``file:line``, ``file: line``, ``file :line``
    or ``file`` alone (read-catalog-abstract.c)."""
    out: list[tuple[str, int | None]] = []
    ws = " \t\n"
    n = len(body)
    s = 0

    def skip(p: int) -> int:
        while p < n and body[p] in ws:
            p += 1
        return p

    def number_end(p: int) -> int:
        while p < n and body[p] in "0123456789":
            p += 1
        return p

    while True:
        s = skip(s)
        if s >= n:
            return out
        start = s
        while s < n and body[s] not in ws:
            s += 1
        word = body[start:s]
        p = skip(s)
        if p < n and body[p] == ":":
            q = skip(p + 1)
            e = number_end(q)
            if e > q and (e >= n or body[e] in ws):
                out.append((word, int(body[q:e])))
                s = e
                continue
        if word.endswith(":"):
            q = skip(s)
            e = number_end(q)
            if e > q and (e >= n or body[e] in ws):
                out.append((word[:-1], int(body[q:e])))
                s = e
                continue
        digits = len(word) - len(word.rstrip("0123456789"))
        if digits and len(word) - digits > 1 and word[-digits - 1] == ":":
            out.append((word[: -digits - 1], int(word[-digits:])))
            continue
        out.append((word, None))


def read_po(data: bytes, path: str, *, template: bool = False) -> Catalog:
    """Read PO (or POT, ``template=True``) bytes; a problem is a CatalogError at its line.

    ``path`` is the name errors show. A template is read as msgmerge and msgcat read one
    (its header may keep xgettext's placeholders); a catalog also gets ``msgfmt --check``'s
    checks of its header and entries.
    """
    if b"\x00" in data:
        raise CatalogError(
            "contains a NUL byte: this is not a text catalog",
            SourceLocation(path, data[: data.index(b"\x00")].count(b"\n") + 1),
            hint="remove the invisible character at that line, or restore the file",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        raise CatalogError(
            "starts with a byte order mark (BOM), which gettext tools refuse",
            SourceLocation(path, 1),
            hint="save it as UTF-8 without BOM (Notepad: 'UTF-8', not 'UTF-8 with BOM')",
        )
    # The charset is in the header, in ASCII: read the first entries byte for byte to find
    # it, then read the file in it.
    probe = _Reader(data.decode("latin-1"), path, "latin-1", strict=False)
    charset: str | None = None
    header_line: int | None = None
    for entry in probe.entries():
        if entry.is_header:
            charset = _header_charset(entry.msgstr)
            header_line = entry.msgstr_line()
            break
    name, codec, strict = _codec(charset, path, header_line)
    try:
        text = data.decode(codec, "surrogateescape")
    except UnicodeDecodeError as exc:  # a codec without surrogateescape support
        raise CatalogError(
            f"not valid {name}", SourceLocation(path, data[: exc.start].count(b"\n") + 1)
        ) from exc
    reader = _Reader(text, path, codec, strict)
    charset_name = name if charset is not None else "UTF-8"
    catalog = Catalog(path=path, charset=charset_name, template=template)
    seen: dict[tuple[str | None, str], Entry] = {}
    for entry in reader.entries():
        first = seen.get(entry.key)
        if first is not None:
            what = 'header entry (msgid "")' if entry.key == (None, "") else "message definition"
            if entry.obsolete or first.obsolete:
                what += " (one of them obsolete, #~)"
            raise CatalogError(
                f"duplicate {what} (first at line {first.line})",
                SourceLocation(path, entry.line),
                hint="remove one of the two entries, or merge them with msguniq",
            )
        seen[entry.key] = entry
        catalog.entries.append(entry)
    if not template:
        _check_like_msgfmt(catalog)
    return catalog


#: Largest catalog read (a sample catalog is ~100 KB; Weblate's largest are ~10 MB).
MAX_CATALOG_BYTES = 256 * 1024 * 1024


def load_po(
    path: Path, shown: str, *, template: bool | None = None, root: Path | None = None
) -> Catalog:
    """Read a PO or POT file from disk: the one place plainlang reads catalog files.

    Read through :func:`plainlang.fsio.read_project_file`: confined to the project folder
    ``root`` when given (a link out is refused unread), never a FIFO, device or folder, at
    most :data:`MAX_CATALOG_BYTES`. ``template`` defaults to whether the name ends in
    ``.pot``.
    """
    data = read_project_file(
        path, root, max_bytes=MAX_CATALOG_BYTES, error=CatalogError, shown=shown
    )
    return read_po(data, shown, template=path.suffix == ".pot" if template is None else template)


def _check_like_msgfmt(catalog: Catalog) -> None:
    """``msgfmt --check``'s checks on translated entries (fuzzy and empty ones are skipped)."""
    shown = catalog.path
    header = catalog.header
    checked = [
        e
        for e in catalog.entries
        if not e.obsolete and e.strings and e.strings[0] and (not e.fuzzy or e.is_header)
    ]
    plural_entries = [e for e in checked if e.msgid_plural is not None]
    header_ok = header is not None and bool(header.msgstr)
    if header_ok:
        assert header is not None
        text = header.msgstr
        has_plural, has_nplurals = "plural=" in text, "nplurals=" in text
        where = SourceLocation(shown, _header_field_line(header, "plural"))
        hint = "copy your language's Plural-Forms line, e.g. nplurals=2; plural=(n != 1);"
        if plural_entries and not (has_plural and has_nplurals):
            missing = "plural=EXPRESSION" if not has_plural else "nplurals=INTEGER"
            raise CatalogError(
                f'the catalog has plural entries but the header lacks "{missing}"',
                where,
                hint=hint,
            )
        if has_plural and has_nplurals:
            problem = plural_forms_problem(text)
            if problem:
                value = catalog.header_field("Plural-Forms") or text.strip()
                raise CatalogError(f"Plural-Forms {value!r}: {problem}", where, hint=hint)
            rule = parse_plural_forms(text)
            for entry in plural_entries:
                count = len(entry.msgstr_plural)
                if count != rule.nplurals:
                    extra = f"msgstr[{rule.nplurals}]: " if count > rule.nplurals else ""
                    raise CatalogError(
                        f"{extra}{count} plural forms, but Plural-Forms says "
                        f"nplurals={rule.nplurals}",
                        SourceLocation(
                            shown,
                            entry.msgstr_line(rule.nplurals)
                            if count > rule.nplurals
                            else entry.line,
                        ),
                        hint="give one msgstr[n] per form, or fix the Plural-Forms header",
                    )
    elif not catalog.entries:
        raise CatalogError(
            "an empty catalog: msgfmt needs at least the header entry",
            SourceLocation(shown, 1),
            hint="delete the file and run plainlang update, which writes a fresh catalog",
        )
    elif header is None:
        raise CatalogError(
            'no header entry (msgid ""): msgfmt --check refuses a catalog without one',
            SourceLocation(shown, catalog.entries[0].comment_line or 1),
            hint='add it first: msgid "" and msgstr "Content-Type: text/plain; '
            'charset=UTF-8\\n"',
        )
    elif not header.msgstr:
        raise CatalogError(
            "the header entry is empty: msgfmt --check refuses it",
            SourceLocation(shown, header.line),
            hint='fill it: msgstr "Content-Type: text/plain; charset=UTF-8\\n"',
        )
    if plural_entries and not header_ok:
        raise CatalogError(
            "the catalog has plural entries but no header with Plural-Forms",
            SourceLocation(shown, plural_entries[0].line),
            hint='add a header entry (msgid "") with "Plural-Forms: nplurals=...; plural=...;"',
        )
    for entry in checked:
        if entry.msgid == "":
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        starts = sources[0].startswith("\n")
        ends = sources[0].endswith("\n")
        for source in sources[1:]:
            if source.startswith("\n") != starts or source.endswith("\n") != ends:
                raise CatalogError(
                    "'msgid' and 'msgid_plural' do not both begin (or end) with '\\n'",
                    SourceLocation(shown, entry.line),
                    hint="make both start and end alike",
                )
        for index, string in enumerate(entry.strings):
            key = None if entry.msgid_plural is None else index
            name = "msgstr" if key is None else f"msgstr[{index}]"
            if string.startswith("\n") != starts:
                raise CatalogError(
                    f"'msgid' and '{name}' do not both begin with '\\n'",
                    SourceLocation(shown, entry.msgstr_line(key)),
                    hint="start the translation with \\n exactly when the source does",
                )
            if (bool(string) and string.endswith("\n")) != ends:
                raise CatalogError(
                    f"'msgid' and '{name}' do not both end with '\\n'",
                    SourceLocation(shown, entry.msgstr_line(key)),
                    hint="end the translation with \\n exactly when the source does",
                )


def _header_field_line(header: Entry, needle: str) -> int | None:
    """The line of the header's string that holds ``needle`` (best effort), else msgstr's."""
    start = header.msgstr_line()
    lines = header.msgstr.split("\n")
    for offset, line in enumerate(lines):
        if needle in line:
            return (start or 0) + 1 + offset if start is not None else None
    return start


# -- writing ----------------------------------------------------------------------------------

# gettext 0.21's format languages, in the order it writes their flags (message.c).
FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript",
    "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal",
    "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace",
    "php", "gcc-internal", "gfc-internal", "ycp",
)  # fmt: skip
_FORMAT_ORDER = {lang: i for i, lang in enumerate(FORMAT_LANGUAGES)}


def _format_flag(flag: str) -> tuple[int, str] | None:
    """(order, how gettext writes it) for a format flag, None for other flags; ("", "")
    drops it (``impossible-``)."""
    if not flag.endswith("-format"):
        return None
    lang = flag[: -len("-format")]
    prefix = ""
    for p in ("no-", "possible-", "impossible-"):
        if lang.startswith(p):
            prefix, lang = p, lang[len(p) :]
            break
    if lang not in _FORMAT_ORDER:
        return None
    if prefix == "impossible-":
        return (_FORMAT_ORDER[lang], "")
    return (_FORMAT_ORDER[lang], f"{'no-' if prefix == 'no-' else ''}{lang}-format")


def known_flag(flag: str) -> bool:
    """Whether GNU gettext knows a flag (msgcat and msgmerge keep only those)."""
    return (
        flag in ("fuzzy", "wrap", "no-wrap")
        or flag.startswith("range: ")
        or _format_flag(flag) is not None
        or (flag.endswith("-check") and flag.removeprefix("no-")[:-6] in _SYNTAX_CHECKS)
    )


_SYNTAX_CHECKS = ("ellipsis-unicode", "space-ellipsis", "quote-unicode", "bullet-unicode")


def _flag_line(entry: Entry) -> str | None:
    """The ``#,`` line msgcat writes for an entry, then the flags it does not know."""
    fuzzy = entry.fuzzy and bool(entry.strings[0])
    formats: dict[int, str] = {}
    rng = None
    no_wrap = False
    others = []
    for flag in entry.flags:
        spec = _format_flag(flag)
        if flag == "fuzzy":
            continue
        if spec is not None:
            formats[spec[0]] = spec[1]
        elif flag.startswith("range: "):
            rng = flag
        elif flag == "no-wrap":
            no_wrap = True
        elif flag == "wrap":
            no_wrap = False
        elif not known_flag(flag):
            others.append(flag)
    out = ["fuzzy"] if fuzzy else []
    out += [formats[k] for k in sorted(formats) if formats[k]]
    if entry.obsolete:
        rng = None
    if rng is not None:
        out.append(rng)
    if no_wrap:
        out.append("no-wrap")
    out += others
    return "#, " + ", ".join(out) if out else None


def write_po(catalog: Catalog, *, width: int = PO_WIDTH) -> bytes:
    """The catalog as msgcat writes it (active entries in order, then obsolete ones).

    Obsolete entries without a translation are left out, as gettext does; so is the
    fuzzy flag of an entry whose msgstr is empty. One difference, so that no translation
    is lost: an obsolete plural entry whose first form is empty but another is not is
    written (gettext leaves it out).
    """
    charset = catalog.charset
    codec = _python_codec(charset)
    out: list[str] = []
    active = [e for e in catalog.entries if not e.obsolete]
    obsolete = [e for e in catalog.entries if e.obsolete and any(e.strings)]
    for entry in (*active, *obsolete):
        if out:
            out.append("\n")
        out.extend(_entry_lines(entry, charset, width))
    text = "".join(out)
    try:
        return text.encode(codec, "surrogateescape")
    except UnicodeEncodeError as exc:
        raise CatalogError(
            f"a translation has a character the catalog's charset {charset} cannot hold "
            f"({text[exc.start]!r})",
            SourceLocation(catalog.path),
            hint="convert the catalog to UTF-8: msgconv --to-code=UTF-8 FILE",
        ) from exc


def _python_codec(charset: str) -> str:
    canonical = _CANONICAL.get(charset.upper())
    return (_CHARSETS.get(canonical, "") if canonical else "") or "utf-8"


def _entry_lines(entry: Entry, charset: str, width: int) -> Iterator[str]:
    # A backslash at the end of a line would join the next line to the comment (gettext's
    # reading): such a comment gets a space after it.
    for line in entry.tcomments:
        yield "#\n" if not line else f"# {line}{' ' if line.endswith(chr(92)) else ''}\n"
    for line in entry.comments:
        yield "#.\n" if not line else f"#. {line}{' ' if line.endswith(chr(92)) else ''}\n"
    if entry.occurrences:
        yield from _reference_lines(entry.occurrences, width)
    flags = _flag_line(entry)
    if flags is not None:
        yield flags + "\n"
    no_wrap = "no-wrap" in entry.flags
    keep = (charset, width, no_wrap)
    prev_prefix = "#~| " if entry.obsolete else "#| "
    for name, value in (
        ("msgctxt", entry.previous_msgctxt),
        ("msgid", entry.previous_msgid),
        ("msgid_plural", entry.previous_msgid_plural),
    ):
        if value is not None:
            yield from wrap_string(prev_prefix, name, value, *keep)
    prefix = "#~ " if entry.obsolete else ""
    if entry.msgctxt is not None:
        yield from wrap_string(prefix, "msgctxt", entry.msgctxt, *keep)
    yield from wrap_string(prefix, "msgid", entry.msgid, *keep)
    if entry.msgid_plural is not None:
        yield from wrap_string(prefix, "msgid_plural", entry.msgid_plural, *keep)
        for index, string in enumerate(entry.msgstr_plural):
            yield from wrap_string(prefix, f"msgstr[{index}]", string, *keep)
    else:
        yield from wrap_string(prefix, "msgstr", entry.msgstr, *keep)


def _reference_lines(occurrences: Sequence[tuple[str, int | None]], width: int) -> Iterator[str]:
    line = "#:"
    column = 2
    for name, number in occurrences:
        while name.startswith("./"):
            name = name[2:]
        piece = f"{name}:{number}" if number is not None else name
        size = len(piece.encode("utf-8")) + 1
        if column > 2 and column + size > width:
            yield line + "\n"
            line, column = "#:", 2
        line += " " + piece
        column += size
    yield line + "\n"


# Line breaking: libunistring's, on the escaped text (see po_unidata).
_BREAK_PROHIBITED, _BREAK_POSSIBLE, _BREAK_UNDEFINED = 0, 1, 2
_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}


def wrap_string(
    prefix: str, name: str, value: str, charset: str, width: int = PO_WIDTH, no_wrap: bool = False
) -> Iterator[str]:
    """The lines msgcat writes for one keyword and string (``msgid "..."`` and the rest).

    A port of write-po.c's ``wrap``: the string is cut after each ``\\n``; each piece is
    escaped, then broken where libunistring's line breaking allows, so that lines fit
    ``width`` columns with their quotes; a string that needs more than one line starts
    with ``name ""``.
    """
    from plainlang.po_unidata import PAIRS, RANGES  # noqa: F401  (loaded once)

    cjk = charset.upper() in _CJK_ENCODINGS
    first_line = True
    portions = _portions(value)
    for k, portion in enumerate(portions):
        more_after = k + 1 < len(portions)
        chars, overrides = _escaped(portion)
        if portion.endswith("\n"):
            overrides[-2] = _BREAK_PROHIBITED
        after_break = len(prefix) + 1
        line_width = (10**9 if no_wrap else width) - 1 - after_break
        start = len(prefix) + (len(name) + 1 if first_line else 0) + 1 - after_break
        if not more_after and start + _columns(chars) <= line_width:
            # It fits: no break can be needed (columns only add up), as GNU finds too.
            head = f"{prefix}{name} " if first_line else prefix
            first_line = False
            yield head + '"' + "".join(chars) + '"\n'
            continue
        while True:
            start = len(prefix) + (len(name) + 1 if first_line else 0) + 1 - after_break
            breaks = _width_linebreaks(chars, line_width, start, overrides, cjk)
            if first_line and chars and (
                more_after or start > line_width or _BREAK_POSSIBLE in breaks
            ):
                yield f'{prefix}{name} ""\n'
                first_line = False
                continue
            break
        head = f"{prefix}{name} " if first_line else prefix
        first_line = False
        pieces = [head, '"']
        for c, brk in zip(chars, breaks, strict=True):
            if brk == _BREAK_POSSIBLE:
                pieces.append(f'"\n{prefix}"')
            pieces.append(c)
        pieces.append('"\n')
        yield "".join(pieces)


def _escaped(portion: str) -> tuple[list[str], list[int]]:
    """The characters msgcat writes for ``portion`` (``\\n`` is two) and, for each, whether
    a line may break before it (never inside an escape)."""
    if not _NEEDS_ESCAPE.search(portion):
        return list(portion), [_BREAK_UNDEFINED] * len(portion)
    chars: list[str] = []
    overrides: list[int] = []
    for c in portion:
        letter = _ESCAPES.get(c)
        if letter is not None or c in '\\"':
            chars += ["\\", letter or c]
            overrides += [_BREAK_UNDEFINED, _BREAK_PROHIBITED]
        else:
            chars.append(c)
            overrides.append(_BREAK_UNDEFINED)
    return chars, overrides


_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')


def _columns(chars: Sequence[str]) -> int:
    """An upper bound of the columns ``chars`` take (exact for ASCII text)."""
    if "".join(chars).isascii():
        return len(chars)
    return sum(max(_char_width(c, True), 0) for c in chars)


def _portions(value: str) -> list[str]:
    """``value`` cut after each newline; "" is one empty portion, "a\\n" one portion."""
    if not value:
        return [""]
    out = []
    start = 0
    while start < len(value):
        end = value.find("\n", start)
        end = len(value) if end < 0 else end + 1
        out.append(value[start:end])
        start = end
    return out


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[list[int], list[int], list[int], bytes]:
    from plainlang.po_unidata import PAIRS, RANGES

    starts = [r[0] for r in RANGES]
    classes = [r[1] for r in RANGES]
    widths = [r[2] for r in RANGES]
    return starts, classes, widths, PAIRS


_PROPS: dict[str, tuple[int, int]] = {}


def _props(c: str) -> tuple[int, int]:
    """(line-breaking class, width) of a character, remembered once looked up."""
    found = _PROPS.get(c)
    if found is None:
        starts, classes, widths, _ = _tables()
        i = bisect.bisect_right(starts, ord(c)) - 1
        found = _PROPS[c] = (classes[i], widths[i])
    return found


# libunistring's line-breaking classes (lbrktables.h).
_WJ, _AL, _ID1, _HY, _BA, _HL, _RI, _ZWJ = 0, 20, 23, 5, 3, 28, 29, 30
_BK, _CR, _LF, _CM, _ZW, _SP, _CB, _AI, _SA, _XX = 33, 34, 35, 36, 37, 38, 39, 40, 41, 42
_HL_BA = 100
_MANDATORY = 3


# Runs of ASCII letters: inside one, after its first letter, nothing can break and nothing
# changes (AL after AL without a space is a prohibited break), so both loops jump over it.
# This keeps a 5 MB word (a pasted data: URL) from costing seconds.
_LETTER_RUN = re.compile(r"[A-Za-z]{3,}")


@functools.lru_cache(maxsize=1)
def _ascii_tables() -> tuple[bytes, bytes]:
    """bytes.translate tables of ASCII: line-breaking class, and width + 1."""
    classes = bytes(_props(chr(b))[0] for b in range(128)) + bytes(128)
    widths = bytes(_props(chr(b))[1] + 1 for b in range(128)) + bytes(128)
    return classes, widths


def _letter_runs(chars: Sequence[str]) -> dict[int, int]:
    return {m.start(): m.end() for m in _LETTER_RUN.finditer("".join(chars))}


def _possible_linebreaks(
    classes: Sequence[int], cjk: bool, runs: dict[int, int] | None = None
) -> list[int]:
    """UAX #14 break opportunities before each character, as libunistring 1.0 finds them."""
    pairs = _tables()[3]
    ai = _ID1 if cjk else _AL
    out = [_BREAK_PROHIBITED] * len(classes)
    prev_prop = last_prop = _BK
    seen_space = False
    ri_count = 0
    runs = runs or {}
    i = -1
    n = len(classes)
    while i + 1 < n:
        i += 1
        prop = classes[i]
        end = runs.get(i - 1)
        if end is not None and last_prop == _AL and prev_prop == _AL and not seen_space:
            i = end - 1  # the rest of the run: prohibited, the state stays
            continue
        if prop >= _BK:  # the classes resolved at run time (lbrktables.h: values >= 33)
            if prop in (_BK, _LF, _CR):
                out[i] = _MANDATORY
                prev_prop, last_prop, seen_space = prop, _BK, False
                ri_count = 0
                continue
            if prop == _AI:
                prop = ai
            elif prop == _CB:
                prop = _ID1
            elif prop in (_SA, _XX):
                prop = _AL
        if prop == _SP:
            seen_space = True
        elif prop == _ZW:
            last_prop, seen_space = _ZW, False
        elif prop in (_CM, _ZWJ):
            if last_prop == _BK:
                last_prop, seen_space = _AL, False
            elif last_prop == _ZW or seen_space:
                out[i] = _BREAK_POSSIBLE
                last_prop, seen_space = _AL, False
        else:
            if last_prop == _BK:
                pass
            elif last_prop == _ZW:
                out[i] = _BREAK_POSSIBLE
            elif prev_prop in (_ZWJ, _HL_BA):
                pass
            elif last_prop == _RI and prop == _RI:
                if seen_space or ri_count % 2 == 0:
                    out[i] = _BREAK_POSSIBLE
            else:
                rule = pairs[last_prop * 33 + prop]
                if rule == 1 or (rule == 2 and seen_space):
                    out[i] = _BREAK_POSSIBLE
            last_prop, seen_space = prop, False
        prev_prop = _HL_BA if prev_prop == _HL and prop in (_HY, _BA) else prop
        ri_count = ri_count + 1 if prop == _RI else 0
    return out


def _width_linebreaks(
    chars: Sequence[str], width: int, start_column: int, overrides: Sequence[int], cjk: bool
) -> list[int]:
    """Where to break so lines fit ``width`` columns (libunistring's width_linebreaks)."""
    text = "".join(chars)
    runs = _letter_runs(chars)
    classes: Sequence[int]
    widths: Sequence[int]
    if not cjk and text.isascii():  # the common case, at C speed: bytes.translate
        raw = text.encode("ascii")
        classes = raw.translate(_ascii_tables()[0])
        widths = [w - 1 for w in raw.translate(_ascii_tables()[1])]
    else:
        props = [_PROPS.get(c) or _props(c) for c in chars]
        classes = [prop[0] for prop in props]
        widths = [_char_width(c, True) for c in chars] if cjk else [prop[1] for prop in props]
    p = _possible_linebreaks(classes, cjk, runs)
    last_p: int | None = None
    last_column = start_column
    piece_width = 0
    undefined, possible, mandatory = _BREAK_UNDEFINED, _BREAK_POSSIBLE, _MANDATORY
    i = -1
    n = len(p)
    while i + 1 < n:
        i += 1
        brk = p[i]
        end = runs.get(i - 1)
        if end is not None and end > i:
            # inside a run of letters: no break (p stays prohibited), one column each
            piece_width += end - i
            i = end - 1
            continue
        override = overrides[i]
        if override != undefined:
            brk = override
        if brk in (possible, mandatory):
            if last_p is not None and last_column + piece_width > width:
                p[last_p] = possible
                last_column = 0
            if brk == mandatory:
                last_p, last_column, piece_width = None, 0, 0
                p[i] = mandatory
                continue
            last_p = i
            last_column += piece_width
            piece_width = 0
        p[i] = _BREAK_PROHIBITED
        w = widths[i]
        if w >= 0:
            piece_width += w
    if last_p is not None and last_column + piece_width > width:
        p[last_p] = possible
    return p


def _char_width(c: str, cjk: bool) -> int:
    width = _props(c)[1]
    if width == 1 and cjk and "\u00a1" <= c < "\uff61" and c != "\u20a9":
        return 2
    return width

