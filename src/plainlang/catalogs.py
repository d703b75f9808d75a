"""Catalogs: extract POT templates, create and update PO files, compile MO, count coverage.

The promise to translators is GNU gettext's: an update never drops a translation. A changed
source segment keeps its old translation as fuzzy with the previous msgid (``#|``); a removed
one becomes obsolete (``#~``); a segment that comes back gets its obsolete translation back.
Files are written atomically, and only when their bytes would change, so running any step
twice leaves ``git status`` clean.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, generate_po, normalize, read_po, unescape

from plainlang.config import LocaleInfo, ProjectConfig
from plainlang.content import Case, Segment, case_paths, load_case
from plainlang.errors import CatalogError, SourceLocation, TemplateError, display_path, line_at
from plainlang.fsio import write_bytes_atomic, write_if_changed
from plainlang.powrap import linear_wrapping
from plainlang.theme import Theme

UI_DOMAIN = "ui"
# gettext's own page width (msgmerge, msgcat, Poedit): the same wrapping everywhere keeps the
# diffs of a round trip through an editor small.
PO_WIDTH = 79
# Room a segment has on the tightest layout, in characters; written as ``#. max-length: N``.
LENGTH_BUDGETS = {"title": 70, "heading": 60, "summary": 200, "attribution": 80, "cell": 40}
_HAS_LETTER = re.compile(r"[^\W\d_]")
_EPOCH_FALLBACK = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def usable(
    message: Message | None, allow_fuzzy: bool
) -> tuple[str | tuple[str, ...], bool] | None:
    """The message's text (a tuple for plurals) and whether it is a draft; None if unusable.

    A fuzzy entry is a draft only where drafts are allowed, and never when it carries a
    previous msgid (``#|``): that translation was made for a text that has since changed,
    and printing it would print something the source no longer says.
    """
    if message is None:
        return None
    if message.fuzzy and (not allow_fuzzy or message.previous_id):
        return None
    strings = message.string
    if isinstance(strings, tuple | list):
        return (tuple(strings), message.fuzzy) if strings and all(strings) else None
    return (strings, message.fuzzy) if strings else None


def needs_translation(msgid: str) -> bool:
    """False for segments with no letters (``9``, ``2012``): they read the same everywhere."""
    return bool(_HAS_LETTER.search(msgid))


def segment_comments(segments: Sequence[Segment]) -> list[str]:
    """The ``#.`` lines that tell a translator what a text is and how much room it has.

    One msgid can stand in several places (a title repeated as the first heading): the kinds
    are listed together, the audiences joined, and the tightest length budget wins.
    """
    kinds = list(dict.fromkeys(s.kind for s in segments))
    comments = [f"kind: {', '.join(kinds)}"]
    if any(s.audiences is None for s in segments):
        audiences = "all"
    else:
        audiences = ", ".join(sorted(set().union(*(s.audiences or () for s in segments))))
    comments.append(f"audiences: {audiences}")
    budgets = [LENGTH_BUDGETS[k] for k in kinds if k in LENGTH_BUDGETS]
    if budgets:
        comments.append(f"max-length: {min(budgets)}")
    for note in dict.fromkeys(s.note for s in segments if s.note):
        comments.append(f"translators: {note}")
    return comments


# -- paths -------------------------------------------------------------------------------


def pot_path(config: ProjectConfig, domain: str) -> Path:
    return config.locales_dir / f"{domain}.pot"


def po_path(config: ProjectConfig, locale: str, domain: str) -> Path:
    return config.locales_dir / locale / "LC_MESSAGES" / f"{domain}.po"


def pot_domains(config: ProjectConfig) -> list[str]:
    """Domains that have a POT file on disk, in a stable order."""
    if not config.locales_dir.is_dir():
        return []
    return sorted(p.stem for p in config.locales_dir.glob("*.pot"))


# -- reading and writing -----------------------------------------------------------------


def parse_po(data: bytes, shown: str, *, domain: str | None = None) -> Catalog:
    """Parse PO/POT bytes; any problem is a CatalogError naming ``shown`` and a 1-based line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # The declared charset first: a Latin-1 catalog is not "invalid UTF-8" but a file to
    # convert, and the header says so in ASCII whatever the encoding.
    charset = re.search(rb'^"Content-Type:[^"]*charset=([\w.-]+)', data, re.M | re.I)
    if charset and charset.group(1).lower() not in (b"utf-8", b"utf8", b"charset"):
        name = charset.group(1).decode("ascii")
        raise CatalogError(
            f"declares charset {name}; plainlang reads and writes UTF-8",
            SourceLocation(shown, line_at(data, charset.start())),
            hint="convert it: msgconv --to-code=UTF-8 FILE, and fix the Content-Type header",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_at(data, exc.start)
        raise CatalogError(
            "not valid UTF-8",
            SourceLocation(shown, line),
            hint="save the file as UTF-8 (Poedit does by default; or msgconv --to-code=UTF-8)",
        ) from exc
    if "\x00" in text:
        # A NUL is how MO files separate plural forms: inside a translation it would split
        # it. It only gets into a PO file by mistake (a binary file, a bad paste).
        raise CatalogError(
            "contains a NUL byte: this is not a text catalog",
            SourceLocation(shown, text[: text.index("\x00")].count("\n") + 1),
            hint="remove the invisible character at that line, or restore the file",
        )
    check_po_syntax(text, shown, escapes=ROUND_TRIP_ESCAPES)
    _check_plural_forms(text, shown)
    text, previous = _take_previous_ids(text)
    try:
        catalog = read_po(io.StringIO(text), domain=domain, abort_invalid=True)
    except PoFileError as exc:
        lineno = getattr(exc, "lineno", None)
        message = re.sub(r"\s+on \d+$", "", str(exc)).strip() or "syntax error"
        raise CatalogError(
            message,
            SourceLocation(shown, lineno + 1 if lineno is not None else None),
            hint="fix the PO syntax at that line (msgfmt --check FILE shows it too)",
        ) from exc
    except (ValueError, IndexError) as exc:
        raise CatalogError(
            f"cannot read PO file: {exc}", SourceLocation(shown), hint="check the PO syntax"
        ) from exc
    _check_duplicates(text, shown)
    for entry in catalog:
        key = entry.id[0] if isinstance(entry.id, tuple | list) else entry.id
        if (entry.context, key) in previous:
            entry.previous_id = list(previous[(entry.context, key)])
    return catalog


def _string_at(lines: list[str], i: int, prefix: str) -> str:
    """The (unescaped) string that starts after ``prefix`` on line ``i`` and its continuations."""
    parts = [lines[i].strip()[len(prefix) :].strip()]
    j = i + 1
    while j < len(lines) and lines[j].lstrip().startswith('"'):
        parts.append(lines[j].strip())
        j += 1
    return _unquote(parts)


def _unquote(parts: Sequence[str]) -> str:
    """The text of PO string lines (``"..."`` each), unescaped and joined.

    Not Babel's ``denormalize``: it splits on every line break ``str.splitlines`` knows
    (form feed, U+2028, ...), which can sit inside a string, and cut the text there.
    """
    return "".join(str(unescape(part)) for part in parts)


def _take_previous_ids(text: str) -> tuple[str, dict[tuple[str | None, str], tuple[str, ...]]]:
    """Read gettext's ``#|`` lines (previous msgid) and blank them out for Babel's reader.

    Babel's reader takes ``#| msgid ...`` for a translator comment (so a second ``update``
    rewrote it as ``# | msgid ...``) and refuses ``#~|`` (written by ``msgmerge
    --previous`` for obsolete entries). Lines are blanked, not removed, so error line
    numbers still match the file. Returns the text and the previous ids by
    (msgctxt, msgid) of the entry they belong to.
    """
    lines = text.split("\n")
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    pending: dict[str, list[str]] = {}
    keyword = ""
    context: str | None = None
    for i, raw in enumerate(list(lines)):
        line = raw.strip()
        if line.startswith("#~|"):
            lines[i] = ""
        elif line.startswith("#|"):
            rest = line[2:].strip()
            if rest.startswith('"') and keyword:
                pending[keyword].append(rest)
            else:
                keyword, _, value = rest.partition(" ")
                pending[keyword] = [value.strip()]
            lines[i] = ""
        elif line.startswith("msgctxt "):
            context = _string_at(lines, i, "msgctxt ")
        elif line.startswith("msgid "):
            try:
                ids = tuple(_unquote(pending[k]) for k in ("msgid", "msgid_plural") if k in pending)
            except (ValueError, IndexError):  # a mangled #| line is only a hint: drop it
                ids = ()
            if ids:
                found[(context, _string_at(lines, i, "msgid "))] = ids
            pending, keyword, context = {}, "", None
    return "\n".join(lines), found


# Possessive: a string line is never read two ways, and a 5 MB line would otherwise fill
# 600 MB of the regex engine's backtracking stack.
_PO_STRING = re.compile(r'^"(?:[^"\\]++|\\.)*+"\s*$')
_ESCAPE = re.compile(r"\\(.)")
# Escapes msgfmt knows (octal digits and \x too), and the ones Babel reads and writes back
# unchanged: it takes "\101" or "\?" for a backslash and writes "\\101", changing the text.
MSGFMT_ESCAPES = frozenset("ntbrfva\\\"?'01234567x")
ROUND_TRIP_ESCAPES = frozenset('ntbrfva\\"')
MAX_NPLURALS = 10
_PO_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")


def check_po_syntax(text: str, shown: str, *, escapes: frozenset[str] = MSGFMT_ESCAPES) -> None:
    """Check the PO grammar line by line, as strictly as ``msgfmt``.

    Babel's reader forgives a second ``msgstr`` or a ``msgstr[1]`` without ``msgid_plural``,
    and would write such a file back changed; we stop at the line instead. Strings of
    obsolete (``#~``) entries are checked too: Babel reads an unclosed one as empty, and
    the next update would write the translation away. ``escapes`` are the letters allowed
    after a backslash.
    """
    state = "start"  # start | ctxt | id | plural | str | strn
    next_index = 0

    def fail(i: int, message: str, hint: str = "fix the PO syntax at that line") -> None:
        raise CatalogError(message, SourceLocation(shown, i + 1), hint=hint)

    def check_string(i: int, string: str) -> None:
        if not _PO_STRING.match(string):
            fail(i, "string is not closed or has a bad escape", 'end the line with "')
        for match in _ESCAPE.finditer(string.rstrip()[1:-1]):
            letter = match.group(1)
            if letter not in escapes:
                known = letter in MSGFMT_ESCAPES
                fail(
                    i,
                    f"escape '\\{letter}' would read back changed after an update"
                    if known
                    else f"unknown escape '\\{letter}' in a string",
                    "write the character itself, or \\\\ for a backslash",
                )

    for i, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if line.startswith("#~") and not line.startswith("#~|"):
            rest = line[2:].strip()
            obsolete = _PO_KEYWORD.match(rest)
            if rest.startswith('"') or obsolete is not None:
                check_string(i, obsolete.group(3).strip() if obsolete is not None else rest)
        if not line or line.startswith("#"):
            if state in ("ctxt", "id", "plural"):
                fail(i, "entry is cut short: msgstr is missing")
            continue
        if line.startswith('"'):
            if state == "start":
                fail(i, "a string line outside any entry")
            check_string(i, line)
            continue
        match = _PO_KEYWORD.match(line)
        if match is None:
            fail(i, f"unknown keyword: {line.split()[0][:30]}")
            return
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        check_string(i, rest.strip())
        if keyword == "msgctxt":
            if state not in ("start", "str", "strn"):
                fail(i, "msgctxt where msgstr was expected")
            state = "ctxt"
        elif keyword == "msgid":
            if state not in ("start", "str", "strn", "ctxt"):
                fail(i, "msgid where msgstr was expected")
            state = "id"
        elif keyword == "msgid_plural":
            if state != "id":
                fail(i, "msgid_plural must follow msgid")
            state, next_index = "plural", 0
        elif index is None:
            if state == "plural":
                fail(i, "an entry with msgid_plural needs msgstr[0], msgstr[1], ...")
            if state != "id":
                fail(i, "msgstr without its msgid (a second msgstr?)")
            state = "str"
        else:
            if state not in ("plural", "strn"):
                fail(
                    i,
                    f"msgstr[{index}] without msgid_plural",
                    "use plain msgstr, or add msgid_plural",
                )
            if int(index) != next_index:
                fail(i, f"msgstr[{index}] where msgstr[{next_index}] was expected")
            state, next_index = "strn", next_index + 1
    if state in ("ctxt", "id", "plural"):
        fail(len(text.rstrip("\n").split("\n")) - 1, "the last entry has no msgstr")


def _check_plural_forms(text: str, shown: str) -> None:
    """Check the header's ``nplurals`` and that no entry has more forms than it says.

    Babel makes a list of ``nplurals`` strings for every plural entry it reads: a header
    saying ``nplurals=2000000000`` would take all the memory there is. No language has
    more than six forms (CLDR: Arabic, Welsh); :data:`MAX_NPLURALS` leaves room.
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith(("msgid ", "msgctxt "))), 0)
    if not (
        lines[first].startswith('msgid ""')
        and first + 1 < len(lines)
        and lines[first + 1].startswith("msgstr ")
    ):
        return  # no header: Babel takes the plural count from the language, or 2
    end = first + 2
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    at = next((i for i in range(first + 1, end) if "plural-forms:" in lines[i].lower()), None)
    match = re.search(r"Plural-Forms:([^\\]*)", _po_string(lines, first + 1, "msgstr "), re.I)
    if match is None or at is None:
        return
    found = re.search(r"nplurals\s*=\s*([^;\s]*)", match.group(1))
    raw = found.group(1) if found else ""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_NPLURALS:
        raise CatalogError(
            f"Plural-Forms says nplurals={raw}: a language has 1 to {MAX_NPLURALS} plural forms",
            SourceLocation(shown, at + 1),
            hint="copy the Plural-Forms line of your language from the POT header or CLDR",
        )
    nplurals = int(raw)
    for i, line in enumerate(lines):
        index = re.match(r"\s*(?:#~\s*)?msgstr\[(\d+)\]", line)
        if index is not None and int(index.group(1)) >= nplurals:
            raise CatalogError(
                f"msgstr[{index.group(1)}], but Plural-Forms says nplurals={nplurals}"
                f" (forms 0 to {nplurals - 1})",
                SourceLocation(shown, i + 1),
                hint="remove the extra form, or fix the Plural-Forms header",
            )


def _check_duplicates(text: str, shown: str) -> None:
    """Babel silently keeps the last of two entries with one msgid; gettext refuses. So do we.

    The header (``msgid ""``) counts too: a second one would replace the first, and the
    next update would write the other header's language and plural rule into the file.
    So do obsolete (``#~``) entries, as in msgmerge: one that repeats an active entry
    would be overwritten by it when the active one went obsolete, losing its translation.
    """
    seen: dict[tuple[str | None, str], int] = {}
    context: str | None = None
    raw_lines = text.split("\n")
    lines = [
        line[3:] if line.startswith("#~ ") and not line.startswith("#~|") else line
        for line in raw_lines
    ]
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgctxt "):
            context = _po_string(lines, i, "msgctxt ")
        elif line.startswith("msgid "):
            key = (context, _po_string(lines, i, "msgid "))
            if key in seen:
                what = 'header entry (msgid "")' if key == (None, "") else "message definition"
                if raw_lines[i].startswith("#~") or raw_lines[seen[key] - 1].startswith("#~"):
                    what += " (one of them obsolete, #~)"
                raise CatalogError(
                    f"duplicate {what} (first at line {seen[key]})",
                    SourceLocation(shown, i + 1),
                    hint="remove one of the two entries, or merge them with msguniq",
                )
            seen[key] = i + 1
            context = None
        i += 1


def _po_string(lines: list[str], i: int, prefix: str) -> str:
    parts = [lines[i][len(prefix) :].strip()]
    j = i + 1
    while j < len(lines) and lines[j].startswith('"'):
        parts.append(lines[j].strip())
        j += 1
    return "".join(p[1:-1] for p in parts if len(p) >= 2)


def load_po(path: Path, root: Path, *, domain: str | None = None) -> Catalog:
    """Read a PO or POT file from disk (see :func:`parse_po`)."""
    shown = display_path(path, root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", SourceLocation(shown)) from exc
    return parse_po(data, shown, domain=domain)


def serialize_po(catalog: Catalog, *, template: bool = False) -> bytes:
    """PO bytes as plainlang always writes them: gettext's width, previous msgids, obsolete."""
    if catalog.domain != UI_DOMAIN:
        # Babel guesses python-format from any "%"; a case's msgids are prose, never formats.
        for message in (*catalog, *catalog.obsolete.values()):
            message.flags.discard("python-format")
    chunks = generate_po(
        catalog, width=PO_WIDTH, include_previous=False, ignore_obsolete=template
    )
    if not template:
        chunks = _with_obsolete_flags(catalog, _with_previous_ids(catalog, chunks))
    with linear_wrapping():  # Babel's own splitter is quadratic in the length of a word
        text = "".join(chunks)
    return text.encode(catalog.charset or "utf-8", "backslashreplace")


def _previous_lines(previous_id: Sequence[str]) -> Iterator[str]:
    """``#| msgid`` lines as msgmerge writes them: one quoted string a line.

    Babel wraps a long previous msgid like prose, cutting through its quotes, which
    gettext tools reject ("end-of-line within string").
    """
    for keyword, value in zip(("msgid", "msgid_plural"), previous_id, strict=False):
        first, *rest = normalize(value, width=PO_WIDTH - 3).split("\n")
        yield f"#| {keyword} {first}\n"
        for line in rest:
            yield f"#| {line}\n"


def _with_previous_ids(catalog: Catalog, chunks: Iterable[str]) -> Iterator[str]:
    """Babel's PO output with each entry's previous msgid put back before its msgctxt/msgid."""
    messages = list(catalog)  # generate_po writes them in this order, header first
    index = 0
    at_start = True
    for chunk in chunks:
        if at_start and index < len(messages) and chunk.startswith(("msgctxt ", "msgid ")):
            previous = messages[index].previous_id
            if previous:
                yield from _previous_lines(previous)
            index += 1
            at_start = False
        elif chunk == "\n":
            at_start = True
        yield chunk


def _with_obsolete_flags(catalog: Catalog, chunks: Iterable[str]) -> Iterator[str]:
    """Babel's PO output with the flags of obsolete entries put back, as msgmerge keeps them.

    Babel writes an obsolete entry without its ``#, fuzzy``: a draft that went obsolete
    came back, when its sentence returned, as a checked translation.
    """
    obsolete = list(catalog.obsolete.values())  # generate_po writes them last, in this order
    index = 0
    at_start = True
    for chunk in chunks:
        if at_start and index < len(obsolete) and chunk.startswith(("#~ msgctxt ", "#~ msgid ")):
            if obsolete[index].flags:
                yield f"#, {', '.join(sorted(obsolete[index].flags))}\n"
            index += 1
            at_start = False
        elif chunk == "\n":
            at_start = True
        yield chunk


def source_date() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- extract -------------------------------------------------------------------------------


def _new_template(config: ProjectConfig, domain: str) -> Catalog:
    catalog = Catalog(
        domain=domain,
        project=config.name,
        version="1.0",
        msgid_bugs_address=config.contact or "",
        copyright_holder=config.publisher or config.name,
        charset="utf-8",
        fuzzy=False,
        header_comment=(
            f"# Translations template for {config.name}, domain '{domain}'.\n"
            "# Generated by `plainlang extract`: edit the source, not this file."
        ),
    )
    return catalog


def case_template(config: ProjectConfig, case: Case) -> Catalog:
    """The POT catalog of one case: one entry per distinct text with letters, in source order."""
    catalog = _new_template(config, case.id)
    grouped: dict[str, list[Segment]] = {}
    for segment in case.segments():
        if needs_translation(segment.msgid):
            grouped.setdefault(segment.msgid, []).append(segment)
    for msgid, segments in grouped.items():
        catalog.add(
            msgid,
            locations=[(case.path, s.line) for s in segments],
            auto_comments=segment_comments(segments),
        )
    return catalog


UI_KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def ui_template(config: ProjectConfig) -> Catalog:
    """The POT catalog of the ``ui`` domain: every ui string the project's leaflets print.

    The texts of its audiences (labels, next steps: from the theme's ``theme.toml`` or
    the project's ``plainlang.toml``) and the strings of every template, shipped or the
    project's own. It is the whole list, so a team adding a language the theme does not
    have can translate all of it; ``update`` puts in each locale's ``ui.po`` only what the
    theme does not already translate (:func:`ui_entries_for`).
    """
    catalog = _new_template(config, UI_DOMAIN)
    for string in config.ui_strings:
        location = (string.location.path, string.location.line or 1)
        existing = catalog.get(string.msgid)
        if existing is None:
            catalog.add(
                string.msgid, locations=[location], auto_comments=["kind: ui", string.comment]
            )
        elif location not in existing.locations:
            existing.locations.append(location)
    _extract_templates(config.theme, catalog)
    return catalog


def _extract_templates(theme: Theme, catalog: Catalog) -> None:
    """Add the gettext strings of every template of ``theme`` to ``catalog``."""
    from babel.messages.extract import extract
    from jinja2.ext import babel_extract

    for rel in theme.templates():
        path = theme.resolve(rel)
        if path is None:
            continue
        shown = theme.ref(rel)
        try:
            with path.open("rb") as fh:
                found = list(
                    extract(
                        babel_extract,  # type: ignore[arg-type]
                        fh,
                        keywords=UI_KEYWORDS,
                        comment_tags=("Translators:", "translators:"),
                        # silent=false: Jinja's extractor skips a template it cannot
                        # parse, so ui.pot lost its strings without a word.
                        options={
                            "trimmed": "true",
                            "extensions": "jinja2.ext.do",
                            "silent": "false",
                        },
                        strip_comment_tags=True,
                    )
                )
        except UnicodeDecodeError as exc:
            raise TemplateError(
                "not valid UTF-8",
                SourceLocation(theme.shown(rel), line_at(path.read_bytes(), exc.start)),
                hint="save the template as UTF-8",
            ) from exc
        except Exception as exc:  # jinja2.TemplateSyntaxError and friends
            lineno = getattr(exc, "lineno", None)
            raise TemplateError(
                f"cannot extract strings: {getattr(exc, 'message', None) or exc}",
                SourceLocation(theme.shown(rel), lineno),
                hint="fix the template syntax",
            ) from exc
        for lineno, message, comments, context in found:
            key = message[0] if isinstance(message, tuple) else message
            if not key:
                continue
            existing = catalog.get(key, context=context)
            if existing is None:
                catalog.add(
                    message,
                    locations=[(shown, lineno)],
                    auto_comments=["kind: ui", *comments],
                    context=context,
                )
                continue
            if (shown, lineno) not in existing.locations:
                existing.locations.append((shown, lineno))
            for comment in comments:
                if comment not in existing.auto_comments:
                    existing.auto_comments.append(comment)


# -- the theme's ui catalogs -----------------------------------------------------------------
#
# The theme ships ui catalogs (es, qu, ay); a project's locales/<l>/LC_MESSAGES/ui.po lays
# its own translations over them, entry by entry. Leaflets look a ui string up along the
# locale's chain (ui_chain), in each locale first in the project's catalog, then in the
# theme's: a project translation wins, an empty or missing one falls through.


@functools.lru_cache(maxsize=32)
def _theme_catalog(path: str, mtime_ns: int, size: int) -> Catalog:
    return load_po(Path(path), Path(path).parent, domain=UI_DOMAIN)


def load_theme_ui(theme: Theme, locale: str) -> Catalog | None:
    """The shipped ``ui`` catalog of ``locale``, parsed once (None when the theme has none).

    Shared: callers read it and never change it.
    """
    path = theme.ui_catalog(locale)
    if path is None:
        return None
    st = path.stat()
    return _theme_catalog(str(path), st.st_mtime_ns, st.st_size)


def theme_msgids(theme: Theme) -> frozenset[tuple[str | None, str]]:
    """(msgctxt, msgid) of every string of the shipped theme (its ``locales/ui.pot``)."""
    path = theme.ui_template()
    st = path.stat()
    return frozenset(
        (m.context, _key(m)) for m in _theme_catalog(str(path), st.st_mtime_ns, st.st_size) if m.id
    )


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def ui_chain(config: ProjectConfig, locale: str) -> tuple[str, ...]:
    """The locales a leaflet in ``locale`` looks its ui strings up in, in order.

    Its fallback chain, then the source locale: the theme's msgids are English, so a
    Spanish-source project's Quechua leaflet falls back to the theme's Spanish, not to
    English; a source-locale leaflet reads its own language's catalogs.
    """
    chain = config.fallback_chain(locale) if locale != config.source_locale else ()
    return (*chain, config.source_locale)


def _theme_language(locale: str) -> bool:
    """True for English, the language of the theme's msgids: nothing to translate."""
    return locale.split("_")[0] == "en"


def ui_entries_for(
    config: ProjectConfig, template: Catalog, locale: str, existing: Catalog | None
) -> Catalog:
    """The entries of the project's ``ui.pot`` that ``locale``'s ``ui.po`` holds.

    Those its leaflets would not get from the theme: entries the theme's catalog of that
    locale has no usable translation for (a checked one, or a draft where the locale
    prints drafts), and every entry the project's file already translates (its own
    translation of a theme string overrides the theme's). For the source locale, only
    the theme's own strings (English msgids): the project's strings are written in the
    source language already.
    """
    info = config.locale_info.get(locale)
    allow_fuzzy = bool(info and info.use_fuzzy)
    shipped = load_theme_ui(config.theme, locale)
    is_source = locale == config.source_locale
    theme_ids = theme_msgids(config.theme) if is_source else frozenset()
    out = Catalog(
        domain=UI_DOMAIN,
        project=template.project,
        version=template.version,
        copyright_holder=template.copyright_holder,
        msgid_bugs_address=template.msgid_bugs_address,
        creation_date=template.creation_date,
        charset="utf-8",
        fuzzy=False,
    )
    for message in template:
        if not message.id:
            continue
        own = existing.get(message.id, context=message.context) if existing else None
        if own is None or not any(_strings(own)):
            theirs = shipped.get(message.id, context=message.context) if shipped else None
            if is_source and (
                _theme_language(locale) or (message.context, _key(message)) not in theme_ids
            ):
                continue
            if usable(theirs, allow_fuzzy) is not None:
                continue
        out.add(
            message.id,
            locations=list(message.locations),
            flags=set(message.flags),
            auto_comments=list(message.auto_comments),
            context=message.context,
        )
    return out


#: The config the shipped theme's own catalogs are made with (its locales and their rules).
THEME_CATALOGS_CONFIG = """\
[project]
name = "plainlang theme"
source_locale = "en"
locales = ["es", "qu", "ay"]
[locales.qu]
use_fuzzy = true
[locales.ay]
name = "Aymar aru"
english_name = "Aymara"
plural_forms = "nplurals=2; plural=(n != 1);"
use_fuzzy = true
"""


def theme_catalogs(theme: Theme) -> dict[Path, bytes]:
    """The shipped theme's ``locales/ui.pot`` and ``ui.po`` files, as they should be now.

    ``ui.pot`` extracted from the shipped templates and ``theme.toml`` alone, and every
    ``ui.po`` merged with it (whole: the theme's catalogs hold every entry). For the
    theme's maintainers: ``python tools/theme_catalogs.py`` writes what changed, and a test
    fails when a template's strings and the shipped catalogs disagree.
    """
    from plainlang.config import parse_config

    config = parse_config(
        THEME_CATALOGS_CONFIG, theme.shipped_dir / "_no_project" / "plainlang.toml"
    )
    template = ui_template(config)
    pot = theme.ui_template()
    out: dict[Path, bytes] = {}
    old = load_po(pot, theme.shipped_dir) if pot.exists() else None
    template.creation_date = old.creation_date if old is not None else source_date()
    out[pot] = serialize_po(template, template=True)
    if old is not None and out[pot] != pot.read_bytes():
        template.creation_date = source_date()
        out[pot] = serialize_po(template, template=True)
    for locale in config.locales:
        path = theme.shipped_dir / "locales" / locale / "LC_MESSAGES" / f"{UI_DOMAIN}.po"
        info = config.locale_info[locale]
        if path.exists():
            catalog = load_po(path, theme.shipped_dir, domain=UI_DOMAIN)
            merge(catalog, template)
        else:
            catalog = new_catalog(template, info, UI_DOMAIN)
        out[path] = serialize_po(catalog)
    return out


def effective_ui_catalog(
    config: ProjectConfig, template: Catalog, locale: str, project: Catalog | None
) -> Catalog:
    """What ``locale``'s leaflets print for each entry of ``ui.pot``, as one catalog.

    Each entry takes the project's translation when it has one, else the theme's (with
    its fuzzy flag: a theme draft counts as a draft). For ``stats``.
    """
    shipped = load_theme_ui(config.theme, locale)
    out = Catalog(locale=None, domain=UI_DOMAIN, fuzzy=False)
    for message in template:
        if not message.id:
            continue
        chosen = None
        for catalog in (project, shipped):
            found = catalog.get(message.id, context=message.context) if catalog else None
            if found is not None and any(_strings(found)):
                chosen = found
                break
        empty: str | tuple[str, ...] = "" if isinstance(message.id, str) else ("",) * 2
        out.add(
            message.id,
            string=chosen.string if chosen is not None else empty,
            flags={"fuzzy"} if chosen is not None and chosen.fuzzy else set(),
            context=message.context,
        )
    return out


def load_cases(config: ProjectConfig, only: Iterable[str] | None = None) -> list[Case]:
    """Parse every case (or only the given ids); the first bad file stops with its error."""
    wanted = set(only) if only is not None else None
    cases = []
    for path in case_paths(config.content_dir):
        if wanted is not None and path.stem not in wanted:
            continue
        cases.append(load_case(path, config.root, config.audiences))
    return cases


def _write_template(path: Path, catalog: Catalog, root: Path) -> bool:
    """Write a POT unless only its creation date would change. True if written."""
    if path.exists():
        try:
            old = load_po(path, root)
            catalog.creation_date = old.creation_date
            if serialize_po(catalog, template=True) == path.read_bytes():
                return False
        except CatalogError:
            pass  # a broken POT is simply regenerated
    catalog.creation_date = source_date()
    write_bytes_atomic(path, serialize_po(catalog, template=True))
    return True


@dataclass(frozen=True)
class FileChange:
    path: Path
    written: bool


def extract(config: ProjectConfig) -> list[FileChange]:
    """Write ``locales/<case>.pot`` for every case and ``locales/ui.pot``.

    Everything is parsed before anything is written, so bad content changes no file.
    """
    templates: list[tuple[str, Catalog]] = [
        (case.id, case_template(config, case)) for case in load_cases(config)
    ]
    templates.append((UI_DOMAIN, ui_template(config)))
    changes = []
    for domain, catalog in templates:
        path = pot_path(config, domain)
        changes.append(FileChange(path, _write_template(path, catalog, config.root)))
    return changes


# -- init and update -------------------------------------------------------------------------


def new_catalog(template: Catalog, info: LocaleInfo, domain: str) -> Catalog:
    """A fresh PO catalog for ``info`` from ``template``, like ``msginit``/``pybabel init``."""
    catalog = Catalog(
        locale=None,
        domain=domain,
        project=template.project,
        version=template.version,
        copyright_holder=template.copyright_holder,
        msgid_bugs_address=template.msgid_bugs_address,
        creation_date=template.creation_date,
        revision_date=source_date(),
        language_team=f"{info.english_name} ({info.name})",
        charset="utf-8",
        fuzzy=False,
        header_comment=(
            f"# {info.english_name} ({info.name}) translations for {template.project}, "
            f"domain '{domain}'.\n"
            "# Edit this file in Poedit, Weblate or any PO editor; "
            "`plainlang update` keeps your work."
        ),
    )
    catalog.locale = info.code
    catalog.mime_headers = [("Plural-Forms", info.plural_forms)]
    for message in template:
        if message.id:
            catalog[message.id] = _copy_message(message)
    return catalog


def _copy_message(message: Message) -> Message:
    return Message(
        message.id,
        string="" if not isinstance(message.id, tuple) else ("",) * 2,
        locations=list(message.locations),
        flags=set(message.flags) - {"fuzzy"},
        auto_comments=list(message.auto_comments),
        user_comments=[],
        context=message.context,
    )


#: Fuzzy matching compares each new msgid with every translated old one (difflib, as Babel
#: and msgmerge do): a case of 1,000 sentences all edited took 90 s, of 10,000 hours. Past
#: this many comparisons in one catalog, the remaining new msgids get no fuzzy suggestion;
#: the old translations are kept all the same (obsolete, where a returning sentence finds
#: them again).
FUZZY_MATCH_BUDGET = 20_000


@contextlib.contextmanager
def _bounded_fuzzy_matching(budget: int) -> Iterator[None]:
    """Let Babel's ``Catalog.update`` make at most ``budget`` fuzzy comparisons."""
    import babel.messages.catalog as babel_catalog

    original = babel_catalog.get_close_matches
    left = budget

    def bounded(word: str, possibilities: Any, n: int = 3, cutoff: float = 0.6) -> list[str]:
        nonlocal left
        if len(possibilities) > left:
            left = 0
            return []
        left -= len(possibilities)
        return _close_matches(word, possibilities, n, cutoff)

    babel_catalog.get_close_matches = bounded
    try:
        yield
    finally:
        babel_catalog.get_close_matches = original


def _close_matches(word: str, possibilities: Iterable[str], n: int, cutoff: float) -> list[str]:
    """Babel's ``get_close_matches`` (difflib's, without autojunk), each ratio made once."""
    import heapq
    from difflib import SequenceMatcher

    scored = []
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    for candidate in possibilities:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, candidate))
    return [candidate for _, candidate in heapq.nlargest(n, scored)]


def merge(catalog: Catalog, template: Catalog) -> Catalog:
    """Merge ``template`` into ``catalog`` in place, never dropping a translation."""
    # gettext's msgmerge brings an obsolete translation back when its msgid returns.
    for message in template:
        if not message.id or catalog.get(message.id, message.context) is not None:
            continue
        key = catalog._key_for(message.id, message.context)
        old = catalog.obsolete.pop(key, None)
        if old is not None:
            catalog[message.id] = old
    # Babel forgets the previous msgid of an entry that is still fuzzy and matched exactly;
    # msgmerge keeps it, so the translator still sees what changed until they clear it.
    previous = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): m.previous_id
        for m in catalog
        if m.id and m.fuzzy and m.previous_id
    }
    with _bounded_fuzzy_matching(FUZZY_MATCH_BUDGET):
        catalog.update(
            template,
            no_fuzzy_matching=False,
            update_header_comment=False,
            keep_user_comments=True,
            update_creation_date=True,
        )
    # Like msgmerge (and msgcat), keep an obsolete entry only when it holds a translation:
    # an empty one is nothing to lose, and editors drop it on save.
    for key, message in list(catalog.obsolete.items()):
        if not any(_strings(message)):
            del catalog.obsolete[key]
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if message.fuzzy and not message.previous_id and (message.context, msgid) in previous:
            message.previous_id = list(previous[(message.context, msgid)])
    return catalog


def update_locale(
    config: ProjectConfig, locale: str, domains_: Sequence[str] | None = None
) -> list[FileChange]:
    """Merge every POT into ``locale``'s PO files, creating the missing ones.

    All files are read and merged in memory first; only then is anything written.
    """
    info = config.locale(locale)
    planned: list[tuple[Path, bytes]] = []
    for domain in domains_ if domains_ is not None else pot_domains(config):
        template = load_po(pot_path(config, domain), config.root, domain=domain)
        path = po_path(config, info.code, domain)
        existing = load_po(path, config.root, domain=domain) if path.exists() else None
        if domain == UI_DOMAIN:
            # Only what the theme does not translate: a translator is not shown the
            # strings the leaflets already print in their language.
            template = ui_entries_for(config, template, info.code, existing)
            if existing is None and not any(m.id for m in template):
                continue
        if existing is not None:
            catalog = existing
            _complete_header(catalog, path, template, info)
            merge(catalog, template)
        else:
            catalog = new_catalog(template, info, domain)
        planned.append((path, serialize_po(catalog)))
    return [FileChange(path, write_if_changed(path, data)) for path, data in planned]


def _complete_header(catalog: Catalog, path: Path, template: Catalog, info: LocaleInfo) -> None:
    """Give a PO file that names no language the language and plural rule of its folder.

    A catalog saved without its header entry (a hand-made file, a bad merge) was written
    back with Babel's placeholders: no language, no plural rule, the header marked fuzzy.
    Without an entry the whole header is the one ``init`` writes; a header that only
    lacks ``Language`` (older gettext did not write it) keeps everything it has.
    """
    if catalog.locale_identifier is not None:
        return
    has_plural_rule = any(name == "Plural-Forms" for name, _ in catalog.mime_headers)
    if not _has_header_entry(path.read_bytes()):
        fresh = new_catalog(template, info, catalog.domain or path.stem)
        for name in ("project", "version", "copyright_holder", "msgid_bugs_address"):
            setattr(catalog, name, getattr(fresh, name))
        catalog.header_comment = fresh.header_comment
        catalog.language_team = fresh.language_team
        catalog.revision_date = fresh.revision_date
        catalog.fuzzy = False
        has_plural_rule = False
    catalog.locale = info.code
    if not has_plural_rule:
        catalog.mime_headers = [("Plural-Forms", info.plural_forms)]


def _has_header_entry(data: bytes) -> bool:
    """Whether the first entry of a PO file is its header: ``msgid ""`` then ``msgstr``."""
    lines = data.decode("utf-8", "replace").removeprefix("\ufeff").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("msgid ", "msgctxt ")):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            return line.split(None, 1)[1].strip() == '""' and following.startswith("msgstr")
    return False


def init_locale(config: ProjectConfig, locale: str) -> list[FileChange]:
    """Create ``locale``'s catalogs for every domain (existing files are merged, not replaced)."""
    if not pot_domains(config):
        raise CatalogError(
            "no POT files yet", SourceLocation("locales/"), hint="run plainlang extract first"
        )
    return update_locale(config, locale)


def update(config: ProjectConfig, locales: Sequence[str] | None = None) -> list[FileChange]:
    """Merge every POT into every configured locale's PO files (``pybabel update``, safely)."""
    domains_ = pot_domains(config)
    if not domains_:
        raise CatalogError(
            "no POT files yet", SourceLocation("locales/"), hint="run plainlang extract first"
        )
    # Read every catalog before writing any: a broken PO stops the run with nothing changed.
    targets = [(locale, domains_) for locale in (locales or config.locales)]
    source = config.source_locale
    if locales is None and UI_DOMAIN in domains_ and not _theme_language(source):
        # The source locale's leaflets print the theme's strings too, in its language.
        targets.append((source, [UI_DOMAIN]))
    for locale, domains_of in targets:
        for domain in domains_of:
            path = po_path(config, locale, domain)
            if path.exists():
                load_po(path, config.root, domain=domain)
    changes: list[FileChange] = []
    for locale, domains_of in targets:
        changes.extend(update_locale(config, locale, domains_of))
    return changes


# -- compile -------------------------------------------------------------------------------


def compile_catalogs(
    config: ProjectConfig, locales: Sequence[str] | None = None, *, use_fuzzy: bool = False
) -> list[FileChange]:
    """Write an MO file beside every PO file.

    Every PO file is read before any MO file is written: a broken one stops the run with
    nothing changed, not with half the locales compiled from the new catalogs.
    """
    from babel.messages.mofile import write_mo

    planned: list[tuple[Path, bytes]] = []
    for locale in locales if locales is not None else config.locales:
        for path in sorted((config.locales_dir / locale / "LC_MESSAGES").glob("*.po")):
            catalog = load_po(path, config.root, domain=path.stem)
            buf = io.BytesIO()
            write_mo(buf, catalog, use_fuzzy=use_fuzzy)
            planned.append((path.with_suffix(".mo"), buf.getvalue()))
    return [FileChange(target, write_if_changed(target, data)) for target, data in planned]


# -- stats ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Counts for one catalog. Plural entries count once, translated only when every form is."""

    locale: str
    domain: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    source_words: int
    translated_words: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def to_json(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "domain": self.domain,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "obsolete": self.obsolete,
            "source_words": self.source_words,
            "translated_words": self.translated_words,
            "percent": round(self.percent, 1),
        }


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def is_translated(message: Message) -> bool:
    strings = _strings(message)
    return not message.fuzzy and bool(strings) and all(s for s in strings)


def coverage(catalog: Catalog, locale: str, domain: str) -> Coverage:
    """Count translated / fuzzy / untranslated entries of a catalog."""
    total = translated = fuzzy = 0
    words = translated_words = 0
    for message in catalog:
        if not message.id:
            continue
        total += 1
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        n_words = len(str(msgid).split())
        words += n_words
        if message.fuzzy and any(_strings(message)):
            fuzzy += 1
        elif is_translated(message):
            translated += 1
            translated_words += n_words
    return Coverage(
        locale=locale,
        domain=domain,
        total=total,
        translated=translated,
        fuzzy=fuzzy,
        untranslated=total - translated - fuzzy,
        obsolete=len(catalog.obsolete),
        source_words=words,
        translated_words=translated_words,
    )


def stats(config: ProjectConfig, locales: Sequence[str] | None = None) -> list[Coverage]:
    """Coverage of every domain in every locale; a missing PO counts as all untranslated."""
    out = []
    domains_ = pot_domains(config)
    for locale in locales if locales is not None else config.locales:
        for domain in domains_:
            path = po_path(config, locale, domain)
            own = load_po(path, config.root, domain=domain) if path.exists() else None
            if domain == UI_DOMAIN:
                # The theme's translations count: they are what the leaflets print.
                template = load_po(pot_path(config, domain), config.root, domain=domain)
                catalog = effective_ui_catalog(config, template, locale, own)
                if own is not None:
                    catalog.obsolete = own.obsolete
            elif own is not None:
                catalog = own
            else:
                catalog = load_po(pot_path(config, domain), config.root, domain=domain)
            out.append(coverage(catalog, locale, domain))
    return out


def iter_po_files(config: ProjectConfig) -> Iterator[Path]:
    for locale in config.locales:
        yield from sorted((config.locales_dir / locale / "LC_MESSAGES").glob("*.po"))
