"""Translation QA over any gettext catalog: what pofilter and Weblate check, for print.

Before a thousand leaflets are printed, every translation is compared with its source:
placeholders, plural forms, Markdown markup, link targets, e-mail addresses and numbers must
survive; untranslated, fuzzy and unchanged entries, stray whitespace, missing end
punctuation, text over the layout's length budget, glossary terms and characters the
leaflet fonts cannot draw are reported. Each finding is a
:class:`~plainlang.checks.diagnostics.Diagnostic` with a stable check id (see
:data:`CHECKS`).

**Lines.** Every diagnostic about an entry points at the line of the ``msgstr`` keyword it
concerns (``msgstr[n]`` for a plural form), because that is where an editor's cursor has to
go to fix it; ``extra["msgid_line"]`` holds the ``msgid`` keyword's line. Catalog-wide
findings (the ``Plural-Forms`` header) point at the header line that holds the field. The
lines are the ones :mod:`plainlang.po` keeps for every entry and field.

**Which entries.** Obsolete entries (``#~``) and the header are skipped. An untranslated
entry gets only ``untranslated``; a fuzzy entry gets only ``fuzzy`` (its text is a draft)
unless ``include_fuzzy`` is set. ``plurals`` is structural and checks every entry (projects
may print fuzzy drafts, with ``use_fuzzy``). Plural forms are checked one by one:
``msgstr[0]`` against ``msgid`` (against ``msgid_plural`` when the locale has a single
form), ``msgstr[n]`` against ``msgid_plural``.

**Markdown.** ``markup`` runs on entries our extract wrote (they carry ``#. kind: ...``)
and on entries with Weblate's ``md-text`` flag; in other projects' catalogs a backquote or
an asterisk is plain text.

**Silencing.** One entry is silenced for some checks by a flag ``#, ignore-<check-id>``
(Weblate's spelling; Weblate's own ids such as ``ignore-end-stop`` or
``ignore-python-brace-format`` are understood too) or by a translator comment
``# plainlang-ignore: url, number`` (``all`` silences every check).
"""

from __future__ import annotations

import bisect
import difflib
import functools
import io
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

from plainlang import markup
from plainlang.checks.diagnostics import Diagnostic, Severity
from plainlang.checks.glossary import Glossary, load_glossary, locale_language, normalize_locale
from plainlang.errors import ConfigError, SourceLocation
from plainlang.po import Catalog, Entry, load_po, plural_forms_problem

# --------------------------------------------------------------------------- check table


@dataclass(frozen=True)
class CheckInfo:
    """What a check id means: default severity, one line for ``--help``, and a fix hint."""

    id: str
    severity: Severity
    description: str
    hint: str


_CHECK_LIST = (
    CheckInfo(
        "placeholder",
        Severity.ERROR,
        "placeholders ({name}, {0}, %(x)s, %s, %d) missing or added",
        "keep every placeholder of the source, spelled exactly the same",
    ),
    CheckInfo(
        "plurals",
        Severity.ERROR,
        "plural forms do not match the Plural-Forms header's nplurals",
        "give one msgstr[n] per plural form the header declares",
    ),
    CheckInfo(
        "markup",
        Severity.ERROR,
        "Markdown inline markup (**, *, _, `, [ ]( ) not balanced as in the source",
        "keep the source's **bold**, *emphasis*, `code` and [links](...) markup",
    ),
    CheckInfo(
        "url",
        Severity.ERROR,
        "link targets or web addresses changed, missing or added",
        "keep the link target as in the source",
    ),
    CheckInfo(
        "email",
        Severity.ERROR,
        "e-mail addresses changed, missing or added",
        "keep the e-mail address as in the source",
    ),
    CheckInfo(
        "number",
        Severity.ERROR,
        "a number of the source (date, amount, days) is missing",
        "keep every number of the source, written in digits",
    ),
    CheckInfo(
        "untranslated",
        Severity.WARNING,
        "entry not translated yet (the leaflet falls back to another language)",
        "translate it, or leave it to the fallback language on purpose",
    ),
    CheckInfo(
        "fuzzy",
        Severity.WARNING,
        "translation marked fuzzy: a draft, or its source changed",
        "review the translation, then remove the fuzzy flag",
    ),
    CheckInfo(
        "same",
        Severity.WARNING,
        "translation identical to the source",
        "translate it; if it must stay the same (a name), add it to same_allow",
    ),
    CheckInfo(
        "whitespace",
        Severity.WARNING,
        "leading or trailing whitespace differs from the source",
        "start and end the translation with the same spaces as the source",
    ),
    CheckInfo(
        "double-space",
        Severity.WARNING,
        "doubled space inside the translation",
        "use a single space between words",
    ),
    CheckInfo(
        "end-punctuation",
        Severity.WARNING,
        "source ends with . ? ! or : and the translation does not",
        "end the translation with the same punctuation as the source",
    ),
    CheckInfo(
        "length",
        Severity.WARNING,
        "translation longer than the segment's length budget (#. max-length)",
        "shorten the translation so it fits the leaflet layout",
    ),
    CheckInfo(
        "length-ratio",
        Severity.WARNING,
        "translation far longer than the source (length_ratio)",
        "shorten the translation, or raise length_ratio for this locale",
    ),
    CheckInfo(
        "glossary",
        Severity.WARNING,
        "a glossary term is not translated with its approved term",
        "use the approved translation from the project glossary",
    ),
    CheckInfo(
        "glyphs",
        Severity.ERROR,
        "characters the leaflet fonts cannot draw",
        "use the usual character, or add a font that covers it",
    ),
)

#: Every translation check by its stable id, for `--help`, docs and config validation.
CHECKS: Mapping[str, CheckInfo] = MappingProxyType({c.id: c for c in _CHECK_LIST})

# Weblate's check ids (as used in ``ignore-*`` flags) that map onto ours.
_WEBLATE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "python-format": "placeholder",
        "python-brace-format": "placeholder",
        "c-format": "placeholder",
        "placeholders": "placeholder",
        "plural-form": "plurals",
        "md-syntax": "markup",
        "md-link": "url",
        "md-reflink": "url",
        "urls": "url",
        "end-stop": "end-punctuation",
        "end-colon": "end-punctuation",
        "end-question": "end-punctuation",
        "end-exclamation": "end-punctuation",
        "end-ellipsis": "end-punctuation",
        "begin-space": "whitespace",
        "end-space": "whitespace",
        "begin-newline": "whitespace",
        "end-newline": "whitespace",
        "max-length": "length",
        "check-glossary": "glossary",
        "font-glyphs": "glyphs",
    }
)


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class TranslationOptions:
    """How strict the translation checks are; build it with :meth:`from_mapping`.

    ``include_untranslated`` reports each untranslated entry (turn it off while a locale is
    being started); ``include_fuzzy`` also runs the content checks on fuzzy drafts.
    ``locale_overrides`` holds complete options for the locales that override the
    project-wide ``[checks]`` table; :meth:`for_locale` picks one.
    """

    disabled: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    same_allow: frozenset[str] = frozenset()
    length_ratio: float | None = None
    include_untranslated: bool = True
    include_fuzzy: bool = False
    glossary: Glossary | None = None
    font_paths: tuple[Path, ...] = ()
    locale_overrides: Mapping[str, TranslationOptions] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def for_locale(self, locale: str | None) -> TranslationOptions:
        """The options for ``locale``: its override (exact, then by language) or these."""
        if not locale or not self.locale_overrides:
            return self
        by_key = {normalize_locale(k): v for k, v in self.locale_overrides.items()}
        wanted = normalize_locale(locale)
        return by_key.get(wanted) or by_key.get(locale_language(wanted)) or self

    def severity(self, check: str) -> Severity:
        return self.severities.get(check, CHECKS[check].severity)

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        base_dir: Path,
        origin: str = "plainlang.toml",
        known_checks: Collection[str] | None = None,
        locate: Callable[[str, str | None], SourceLocation] | None = None,
    ) -> TranslationOptions:
        """Options from a ``plainlang.toml`` ``[checks]`` table; paths relative to ``base_dir``.

        Keys read (others belong to other checks and are left alone)::

            [checks]
            disable = ["same"]                  # check ids turned off
            severity = { length = "error" }     # error | warning | info | off
            same_allow = ["OGP", "Ayacucho"]    # may stay identical to the source
            length_ratio = 1.6                  # translation / source, in characters
            include_untranslated = true
            include_fuzzy = false
            glossary = "glossary.csv"           # or .tbx
            glossary_source = "en"              # TBX source language, if not declared
            fonts = ["templates/fonts"]         # files or folders (.ttf, .otf)

            [checks.locales.qu]                 # per-locale: same keys, merged over the above
            disable = ["end-punctuation"]       # added to the project's list
            enable = ["same"]                   # taken off the project's list
            same_allow = ["Tayta"]              # added to the project's list

        A check id that none of ``known_checks`` (default: no validation, because the table
        is shared with the readability checks) names raises :class:`ConfigError`, at the
        line of its key when ``locate(table, key)`` (e.g. ``ProjectConfig.where``) says it.
        """
        location = SourceLocation(origin)

        def where(table: str, key: str | None) -> SourceLocation:
            return locate(table, key) if locate is not None else location

        base = _options_from_table(cls(), data, base_dir, where, known_checks, "checks")
        overrides: dict[str, TranslationOptions] = {}
        locales = data.get("locales", {})
        if not isinstance(locales, Mapping):
            raise ConfigError("[checks] locales must be a table", where("checks", "locales"))
        for loc, table in locales.items():
            name = f"checks.locales.{loc}"
            if not isinstance(table, Mapping):
                raise ConfigError(f"[{name}] must be a table", where(name, None))
            overrides[str(loc)] = _options_from_table(
                base, table, base_dir, where, known_checks, name
            )
        return replace(base, locale_overrides=MappingProxyType(overrides))


def _options_from_table(
    start: TranslationOptions,
    table: Mapping[str, Any],
    base_dir: Path,
    where: Callable[[str, str | None], SourceLocation],
    known: Collection[str] | None,
    name: str,
) -> TranslationOptions:
    def fail(key: str, what: str) -> ConfigError:
        return ConfigError(f"[{name}] {key} must be {what}", where(name, key.split(".")[0]))

    def unknown(key: str, check: str) -> ConfigError:
        close = difflib.get_close_matches(check, sorted(known or ()), n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        return ConfigError(
            f"[{name}] {key}: unknown check id {check!r}",
            where(name, key),
            hint=f"{guess}see `plainlang check --help` for the check ids",
        )

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "a list of strings")
        return value

    def check_ids(key: str) -> set[str]:
        ids = set(strings(key))
        strangers = sorted(ids - set(known)) if known is not None else []
        if strangers:
            raise unknown(key, strangers[0])
        return ids

    disabled = (set(start.disabled) | check_ids("disable")) - check_ids("enable")
    severities = dict(start.severities)
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, Mapping):
        raise fail("severity", "a table of check id = level")
    check_ids_in_severity = [str(k) for k in raw_severity]
    if known is not None and (bad := sorted(set(check_ids_in_severity) - set(known))):
        raise unknown("severity", bad[0])
    for check, level in raw_severity.items():
        if not isinstance(level, str):
            raise fail(f"severity.{check}", "a string")
        if level.strip().lower() in {"off", "ignore", "none"}:
            disabled.add(str(check))
            continue
        try:
            severities[str(check)] = Severity.parse(level)
        except KeyError:
            raise fail(f"severity.{check}", "error, warning, info or off") from None

    options = replace(
        start,
        disabled=frozenset(disabled),
        severities=MappingProxyType(severities),
        same_allow=start.same_allow | frozenset(strings("same_allow")),
    )
    if "length_ratio" in table:
        ratio = table["length_ratio"]
        if ratio is not None and (
            isinstance(ratio, bool) or not isinstance(ratio, int | float) or ratio <= 0
        ):
            raise fail("length_ratio", "a positive number such as 1.6")
        options = replace(options, length_ratio=None if ratio is None else float(ratio))
    for key in ("include_untranslated", "include_fuzzy"):
        if key in table:
            if not isinstance(table[key], bool):
                raise fail(key, "true or false")
            options = replace(options, **{key: table[key]})
    if "glossary" in table:
        glossary_path = table["glossary"]
        source = table.get("glossary_source")
        if not isinstance(glossary_path, str) or not isinstance(source, str | None):
            raise fail("glossary", "a path to a .csv or .tbx file")
        resolved = base_dir / glossary_path
        options = replace(
            options,
            glossary=load_glossary(
                resolved, display=glossary_path, source_locale=source, root=base_dir
            ),
        )
    if "fonts" in table:
        fonts = _font_files(strings("fonts"), base_dir, where(name, "fonts"))
        options = replace(options, font_paths=fonts)
    return options


_FONT_SUFFIXES = (".ttf", ".otf")


def _font_files(
    entries: Sequence[str], base_dir: Path, location: SourceLocation
) -> tuple[Path, ...]:
    found: list[Path] = []
    for entry in entries:
        path = base_dir / entry
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in _FONT_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(
                f"[checks] fonts: {entry!r} does not exist",
                location,
                hint="list font files or folders relative to plainlang.toml",
            )
    return tuple(found)


# --------------------------------------------------------------------------- text helpers

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BACKTICKS = re.compile(r"`+")
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^()\s]*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>", re.IGNORECASE)
_BARE_URL = re.compile(r"(?<![\w/.@-])(?:https?://|www\.)[^\s<>\"'\[\]()]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL_TRAILING = ".,;:!?'\""

_BRACE = re.compile(
    r"\{\{|\}\}|\{(?P<field>[A-Za-z_]\w*(?:\.\w+|\[[^\]{}]*\])*|\d+)?(?:![rsa])?(?::[^{}]*)?\}"
)
# Quantifiers are bounded so that a hostile "%(%(%(..." or "%000...0" costs linear time.
_PRINTF = re.compile(
    r"%(?:(?P<named>\((?P<key>[^()]{0,100})\))|(?P<pos>\d{1,4})\$)?[-+ #0']{0,8}"
    r"(?:\*|\d{1,9})?(?:\.(?:\*|\d{1,9}))?(?:hh|h|ll|l|L|q|j|z|t)?(?P<conv>[diouxXeEfFgGcrsaAp%])"
)
# Unflagged entries: only forms that cannot be ordinary text ("50% de", "100 %d" are text).
_PRINTF_PLAIN = re.compile(
    r"%%|%\(\w{1,100}\)[-+ #0]{0,8}\d{0,9}(?:\.\d{1,9})?[diouxXeEfFgGcrs]|%[sd](?!\w)"
)

_NUMBER = re.compile(
    r"(?<!\d)(?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)(?:[.,]\d+)?|\d+(?:[.,'’]\d+)*)"
)
_NUMBER_SEPARATORS = re.compile(r"[.,'’ \u00a0\u202f\u2009]")

# Emphasis delimiters: a * next to a non-space, a _ at the edge of a word ("snake_case" is
# text, as in CommonMark).
_DOUBLE_UNDERSCORE = re.compile(r"(?<![^\W_])__|__(?![^\W_])")
_STAR = re.compile(r"(?<!\s)\*|\*(?!\s)")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Text cut into (is_code, piece): markup inside a code span is not markup.

    A code span opens with a run of backticks and closes at the next run of the same
    length (CommonMark). Found with a scan over the runs rather than a backtracking regex,
    so that a hostile string of backticks costs linear time.
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    pieces: list[tuple[bool, str]] = []
    pos = index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        after = bisect.bisect_right(same, index)
        if after == len(same):
            index += 1
            continue
        close_start, close_end = runs[same[after]]
        pieces.append((False, text[pos:start]))
        pieces.append((True, text[end:close_start]))
        pos = close_end
        index = same[after] + 1
    pieces.append((False, text[pos:]))
    return pieces


def _outside_code(text: str, replacement: str = " ") -> str:
    return "".join(replacement if is_code else piece for is_code, piece in _split_code(text))


@functools.lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """What a reader sees of a Markdown inline segment: markup and link targets removed.

    >>> plain_text("Ask **now**, see [the law](https://a.org/ley) or `code`.")
    'Ask now, see the law or code.'
    """
    return markup.plain_text(markdown)


def _visible(text: str) -> str:
    return unicodedata.normalize("NFC", plain_text(text))


def _quote(text: str, limit: int = 40, *, tail: bool = False) -> str:
    """``text`` in quotes, shortened to ``limit`` (keeping its end when ``tail``)."""
    text = text.replace("\n", "\\n")
    if len(text) > limit:
        text = "…" + text[-(limit - 1) :] if tail else text[: limit - 1] + "…"
    return f"'{text}'"


def _link_targets(text: str) -> list[str]:
    targets: list[str] = []
    for is_code, piece in _split_code(text):
        if is_code:
            continue
        for match in _LINK.finditer(piece):
            targets.append(match.group(3).strip("<>"))
        targets.extend(m.group(1) for m in _AUTOLINK.finditer(piece))
    return targets


def _without_links(text: str) -> str:
    """Text with link targets, autolinks and bare URLs blanked (for other token checks)."""
    text = _LINK.sub(lambda m: f"{m.group(1)}[{m.group(2)}]()", text)
    text = _AUTOLINK.sub(" ", text)
    return _BARE_URL.sub(" ", text)


def _bare_urls(text: str) -> list[str]:
    text = _LINK.sub(lambda m: f"[{m.group(2)}]()", text)
    text = _AUTOLINK.sub(" ", text)
    urls: list[str] = []
    for is_code, piece in _split_code(text):
        if not is_code:
            urls.extend(_trim_url(m.group(0)) for m in _BARE_URL.finditer(piece))
    return urls


def _trim_url(url: str) -> str:
    return url.rstrip(_URL_TRAILING)


def _emails(text: str) -> set[str]:
    cleaned = _LINK.sub(lambda m: f"[{m.group(2)}]()", text)
    cleaned = _AUTOLINK.sub(" ", cleaned)
    return {m.group(0).rstrip(".").lower() for m in _EMAIL.finditer(cleaned)}


def markup_counts(text: str) -> Counter[str]:
    """How many of each Markdown inline delimiter ``text`` uses, outside code and URLs.

    >>> dict(markup_counts("**a** [b](http://x_y.org) `*c*`"))
    {'`': 2, '**': 2, '[': 1, ']': 1, '](': 1}
    """
    counts: Counter[str] = Counter()
    text = _ESCAPE.sub(" ", text)
    counts["`"] = text.count("`")
    text = _outside_code(text)
    text = _LINK.sub(lambda m: f"{m.group(1)}[{m.group(2)}]()", text)
    text = _AUTOLINK.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    counts["**"] = text.count("**")
    text = text.replace("**", " ")
    counts["__"] = len(_DOUBLE_UNDERSCORE.findall(text))
    text = _DOUBLE_UNDERSCORE.sub(" ", text)
    counts["*"] = len(_STAR.findall(text))
    counts["_"] = len(_UNDERSCORE.findall(text))
    counts["["] = text.count("[")
    counts["]"] = text.count("]")
    counts["]("] = text.count("](")
    return +counts


def _placeholders(text: str, *, printf: bool, plain_printf: bool, brace: bool) -> list[str]:
    found: list[str] = []
    if brace:
        found.extend(m.group(0) for m in _BRACE.finditer(text) if m.group(0) not in {"{{", "}}"})
    if printf:
        found.extend(m.group(0) for m in _PRINTF.finditer(text) if m.group("conv") != "%")
    elif plain_printf:
        found.extend(m.group(0) for m in _PRINTF_PLAIN.finditer(text) if m.group(0) != "%%")
    return found


def _is_positional(placeholder: str) -> bool:
    """``{}``, ``%s``, ``%d``: the order of arguments decides which is which."""
    if placeholder.startswith("{"):
        return bool(re.fullmatch(r"\{(?:![rsa])?(?::[^{}]*)?\}", placeholder))
    return not re.match(r"%(?:\(|\d+\$)", placeholder)


def _numbers(text: str) -> list[tuple[str, str]]:
    """(canonical, as written) for each number: ``1,000``, ``1.000``, ``1 000`` -> ``1000``."""
    cleaned = _without_links(text)
    cleaned = _EMAIL.sub(" ", cleaned)
    cleaned = _BRACE.sub(" ", cleaned)
    cleaned = _PRINTF.sub(" ", cleaned)
    out = []
    for match in _NUMBER.finditer(cleaned):
        written = match.group(0)
        canonical = _NUMBER_SEPARATORS.sub("", written).lstrip("0") or "0"
        out.append((canonical, written))
    return out


def _number_parts(written: str) -> set[str]:
    return {part.lstrip("0") or "0" for part in _NUMBER_SEPARATORS.split(written) if part}


_END_CLASSES: Mapping[str, str] = MappingProxyType(
    {
        ".": ".",
        "…": ".",
        "。": ".",
        "।": ".",
        "։": ".",
        "።": ".",
        "?": "?",
        "？": "?",
        "؟": "?",
        "\u037e": "?",
        "!": "!",
        "！": "!",
        ":": ":",
        "：": ":",
    }
)
_CLOSERS = "\"'”’»›)]}*_`"
_QUESTION_OR_EXCLAMATION = re.compile(r"[?!]")


def _end_mark(text: str) -> tuple[str | None, str]:
    """The class of the final punctuation of ``text`` and the text up to it."""
    visible = _visible(text).rstrip().rstrip(_CLOSERS).rstrip()
    if not visible:
        return None, visible
    return _END_CLASSES.get(visible[-1]), visible


# Languages whose questions and exclamations open with an inverted mark. Quechua and Aymara
# writers often borrow ¿ and ¡ from Spanish, but not always: only the closing mark is
# checked there, as for every other language.
_INVERTED_MARK_LANGUAGES = frozenset({"es"})


# --------------------------------------------------------------------------- catalog input


def catalog_locale(po: Catalog, path: str | PurePath | None) -> str | None:
    """The catalog's locale: the header's ``Language``, else ``<locale>/LC_MESSAGES/`` in
    the path, else a file name like ``es.po`` or ``pt_BR.po``."""
    language = po.language
    if language:
        return language
    if path is None:
        return None
    parts = PurePath(path).parts
    if len(parts) >= 3 and parts[-2] == "LC_MESSAGES":
        return parts[-3]
    stem = PurePath(path).stem
    if re.fullmatch(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:@\w+)?", stem):
        return stem
    return None


def check_po_file(
    path: Path, options: TranslationOptions, *, display: str | None = None
) -> list[Diagnostic]:
    """Read one catalog (as msgfmt --check reads it) and run every enabled check on it.

    A catalog msgfmt would refuse raises :class:`~plainlang.errors.CatalogError` with the
    file and the 1-based line (exit code 2).
    """
    shown = display or str(path)
    return check_catalog(load_po(path, shown, template=False), shown, None, options)


# --------------------------------------------------------------------------- the checks


@dataclass(frozen=True)
class _Form:
    """One translated text of an entry: msgstr, or msgstr[n] of a plural entry."""

    index: int | None
    source: str
    translation: str
    line: int | None
    other_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Found:
    check: str
    message: str
    line: int | None
    index: int | None = None
    hint: str | None = None


@dataclass(frozen=True)
class _Context:
    locale: str | None
    language: str
    options: TranslationOptions
    nplurals: int | None
    glyphs_missing: frozenset[str] | None  # None: no fonts configured


def check_catalog(
    po: Catalog, path: str, locale: str | None, options: TranslationOptions
) -> list[Diagnostic]:
    """Every enabled translation check on ``po``, as diagnostics sorted by line.

    ``path`` is the name diagnostics show; ``locale`` defaults to :func:`catalog_locale`.
    The catalog is never modified.
    """
    locale = locale or catalog_locale(po, path)
    opts = options.for_locale(locale)
    found: list[Diagnostic] = []

    def emit(item: _Found, entry: Entry | None) -> None:
        if item.check in opts.disabled:
            return
        extra: dict[str, Any] = {}
        if entry is not None:
            extra["msgid_line"] = entry.line
            if entry.msgctxt is not None:
                extra["msgctxt"] = entry.msgctxt
        if item.index is not None:
            extra["plural_index"] = item.index
        diag = Diagnostic(
            path=path,
            line=item.line,
            severity=opts.severity(item.check),
            check=item.check,
            message=item.message,
            hint=item.hint or CHECKS[item.check].hint,
            locale=locale,
            msgid=entry.msgid if entry is not None else None,
            extra=extra,
        )
        found.append(diag)

    entries = [e for e in po if e.msgid or e.msgctxt is not None]
    nplurals, header_findings = _check_plural_header(po, entries)
    for item in header_findings:
        emit(item, None)

    context = _Context(
        locale=locale,
        language=locale_language(locale) if locale else "",
        options=opts,
        nplurals=nplurals,
        glyphs_missing=(
            None
            if "glyphs" in opts.disabled
            else _missing_glyphs(_all_translations(entries), opts.font_paths)
        ),
    )
    for entry in entries:
        silenced = _silenced(entry)
        if "all" in silenced:
            continue
        for item in _check_entry(entry, context):
            if item.check not in silenced:
                emit(item, entry)
    # By line; on one line, in the order the checks ran (structure, state, then content).
    found.sort(key=lambda diag: diag.line or 0)
    return found


def _all_translations(entries: Iterable[Entry]) -> Iterator[str]:
    for entry in entries:
        for text in entry.strings:
            if text:
                yield _visible(text)


def _silenced(entry: Entry) -> set[str]:
    ids: set[str] = set()
    for flag in entry.flags:
        if flag.startswith("ignore-"):
            name = flag[len("ignore-") :]
            ids.add(_WEBLATE_ALIASES.get(name, name))
    for comment_line in entry.tcomments:
        match = re.match(r"\s*plainlang-ignore\s*:\s*(.*)$", comment_line)
        if match:
            ids.update(part for part in re.split(r"[\s,]+", match.group(1)) if part)
    return ids


def _check_plural_header(
    po: Catalog, entries: Sequence[Entry]
) -> tuple[int | None, list[_Found]]:
    """``nplurals`` from the header, and what is wrong with it if plural entries need it.

    The reader refuses a bad rule when a translated plural entry needs it (as msgfmt
    does); here untranslated and fuzzy plural entries get a finding too.
    """
    header = po.header
    value = po.header_field("Plural-Forms")
    has_plurals = any(e.msgid_plural is not None for e in entries)
    line = _plural_forms_line(header) if header is not None else 1
    if value is None:
        if not has_plurals:
            return None, []
        return None, [
            _Found(
                "plurals",
                "the catalog has plural entries but no Plural-Forms header",
                header.msgstr_line() if header is not None else 1,
                hint='add e.g. "Plural-Forms: nplurals=2; plural=(n != 1);\\n" to the header',
            )
        ]
    problem = plural_forms_problem(value)
    if problem:
        if not has_plurals:
            return None, []
        return None, [
            _Found(
                "plurals",
                f"invalid Plural-Forms header: {_quote(value, 60)} ({problem})",
                line,
                hint="write it as: nplurals=N; plural=EXPRESSION; (see the gettext manual)",
            )
        ]
    rule = po.plural_forms
    return (rule.nplurals if rule is not None else None), []


def _plural_forms_line(header: Entry) -> int | None:
    """The line of the header string that holds ``Plural-Forms:``."""
    start = header.msgstr_line()
    if start is None:
        return None
    for offset, line in enumerate(header.msgstr.split("\n")):
        if line.startswith("Plural-Forms:"):
            # msgstr "" then one string a field, as gettext writes headers
            return start + 1 + offset
    return start


def _forms(entry: Entry, nplurals: int | None) -> list[_Form]:
    if entry.msgid_plural is None:
        return [_Form(None, entry.msgid, entry.msgstr, entry.msgstr_line())]
    forms = []
    for index, text in enumerate(entry.msgstr_plural):
        singular_only = index == 0 and nplurals != 1
        source = entry.msgid if singular_only else entry.msgid_plural
        other = entry.msgid_plural if singular_only else entry.msgid
        forms.append(_Form(index, source, text, entry.msgstr_line(index), (other,)))
    return forms


def _check_entry(entry: Entry, ctx: _Context) -> Iterator[_Found]:
    forms = _forms(entry, ctx.nplurals)
    first_line = forms[0].line if forms else entry.line
    if entry.msgid_plural is not None and ctx.nplurals is not None:
        yield from _check_plural_count(entry, forms, ctx.nplurals, first_line)

    empty = [f for f in forms if not f.translation]
    if empty:
        if ctx.options.include_untranslated:
            if len(empty) == len(forms):
                message = "not translated yet"
            else:
                names = ", ".join(f"msgstr[{f.index}]" for f in empty)
                message = f"plural form {names} not translated yet"
            yield _Found("untranslated", message, empty[0].line, empty[0].index)
        if len(empty) == len(forms):
            return
    if entry.fuzzy:
        previous = entry.previous_msgid
        message = "marked fuzzy: the translation is a draft or its source changed"
        if previous and previous != entry.msgid:
            message = f"marked fuzzy: the source changed (it was {_quote(previous)})"
        yield _Found("fuzzy", message, first_line)
        if not ctx.options.include_fuzzy:
            return

    flags = set(entry.flags)
    budget = _length_budget(entry)
    kinds = _kinds(entry)
    for form in forms:
        if not form.translation:
            continue
        for check in _FORM_CHECKS:
            yield from check(form, flags, budget, kinds, ctx)


def _check_plural_count(
    entry: Entry, forms: Sequence[_Form], nplurals: int, line: int | None
) -> Iterator[_Found]:
    have = {f.index for f in forms}
    missing = [i for i in range(nplurals) if i not in have]
    extra = [f for f in forms if f.index is not None and f.index >= nplurals]
    if missing:
        names = ", ".join(f"msgstr[{i}]" for i in missing)
        yield _Found(
            "plurals",
            f"{names} missing: the Plural-Forms header says nplurals={nplurals}",
            line,
        )
    for form in extra:
        yield _Found(
            "plurals",
            f"msgstr[{form.index}] is one form too many: the header says nplurals={nplurals}",
            form.line,
            form.index,
        )


def _length_budget(entry: Entry) -> int | None:
    for comment_line in entry.comments:
        match = re.fullmatch(r"\s*max-length\s*:\s*(\d+)\s*", comment_line)
        if match:
            return int(match.group(1))
    for flag in entry.flags:  # Weblate's spelling: #, max-length:60
        match = re.fullmatch(r"max-length:(\d+)", flag)
        if match:
            return int(match.group(1))
    return None


def _kinds(entry: Entry) -> frozenset[str]:
    for comment_line in entry.comments:
        match = re.fullmatch(r"\s*kind\s*:\s*(.*)", comment_line)
        if match:
            return frozenset(k.strip() for k in match.group(1).split(",") if k.strip())
    return frozenset()


_FormCheck = Callable[[_Form, set[str], int | None, frozenset[str], _Context], Iterator[_Found]]


def _diff_message(label: str, missing: Sequence[str], extra: Sequence[str]) -> str:
    if len(missing) == 1 and len(extra) == 1:
        return f"{label} changed: {missing[0]} -> {extra[0]}"
    parts = []
    if missing:
        parts.append(f"{label} missing: {', '.join(missing)}")
    if extra:
        parts.append(f"{label} not in the source: {', '.join(extra)}")
    return "; ".join(parts)


def _check_placeholder(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    printf = bool(flags & {"python-format", "c-format"})
    kwargs = {
        "printf": printf and not flags & {"no-python-format", "no-c-format"},
        "plain_printf": not flags & {"no-python-format", "no-c-format"},
        "brace": "no-python-brace-format" not in flags,
    }
    source = _placeholders(form.source, **kwargs)
    translation = _placeholders(form.translation, **kwargs)
    others = {p for s in form.other_sources for p in _placeholders(s, **kwargs)}
    # Named ones can move and repeat; positional ones ({}, %s) must keep count and order.
    named_src = {p for p in source if not _is_positional(p)}
    named_tr = {p for p in translation if not _is_positional(p)}
    missing = sorted(named_src - named_tr)
    extra = sorted(named_tr - named_src - others)
    pos_src = [p for p in source if _is_positional(p)]
    pos_tr = [p for p in translation if _is_positional(p)]
    if pos_src != pos_tr:
        if Counter(pos_src) == Counter(pos_tr):
            yield _Found(
                "placeholder",
                f"positional placeholders reordered: {' '.join(pos_src)} -> {' '.join(pos_tr)}",
                form.line,
                form.index,
                hint="use named placeholders to reorder, or keep the source order",
            )
        else:
            missing += sorted((Counter(pos_src) - Counter(pos_tr)).elements())
            extra += sorted((Counter(pos_tr) - Counter(pos_src)).elements())
    if missing or extra:
        yield _Found(
            "placeholder", _diff_message("placeholder", missing, extra), form.line, form.index
        )


def _check_markup(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    if not kinds and "md-text" not in flags:
        return  # not Markdown: `quotes' and * in other projects' messages are plain text
    source, translation = markup_counts(form.source), markup_counts(form.translation)
    if source == translation:
        return
    diffs = [
        f"{token} {source[token]} in the source, {translation[token]} here"
        for token in ("**", "__", "*", "_", "`", "[", "]", "](")
        if source[token] != translation[token]
    ]
    yield _Found("markup", "markup differs: " + "; ".join(diffs), form.line, form.index)


def _check_url(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    src_links, tr_links = _link_targets(form.source), _link_targets(form.translation)
    src_bare, tr_bare = _bare_urls(form.source), _bare_urls(form.translation)
    if set(src_links) != set(tr_links):
        missing = sorted(set(src_links) - set(tr_links))
        extra = sorted(set(tr_links) - set(src_links))
        yield _Found("url", _diff_message("link target", missing, extra), form.line, form.index)
    if set(src_bare) != set(tr_bare):
        missing = sorted(set(src_bare) - set(tr_bare))
        extra = sorted(set(tr_bare) - set(src_bare))
        yield _Found("url", _diff_message("web address", missing, extra), form.line, form.index)


def _check_email(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    source, translation = _emails(form.source), _emails(form.translation)
    if source != translation:
        message = _diff_message(
            "e-mail address", sorted(source - translation), sorted(translation - source)
        )
        yield _Found("email", message, form.line, form.index)


def _check_number(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    # A number is kept if the translation has it whole ("1,000" as "1.000" or "1 000"), or
    # has all of its parts ("10:30" as "10.30", "1.5" as "1,5" in a longer token).
    have: set[str] = set()
    for canonical, written in _numbers(form.translation):
        have.add(canonical)
        have.update(_number_parts(written))
    missing: dict[str, str] = {}
    for canonical, written in _numbers(form.source):
        if canonical not in have and not _number_parts(written) <= have:
            missing.setdefault(canonical, written)
    if missing:
        label = "number" if len(missing) == 1 else "numbers"
        yield _Found(
            "number",
            f"{label} missing: {', '.join(missing.values())}",
            form.line,
            form.index,
        )


def _check_same(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    if form.translation.strip() != form.source.strip():
        return
    text = _visible(form.source)
    text = _BARE_URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _BRACE.sub(" ", text)
    for phrase in sorted(ctx.options.same_allow, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", " ", text, flags=re.IGNORECASE)
    words = _WORD.findall(text)
    if not words:
        return  # no letters left: numbers, URLs, placeholders, allowed words
    if "attribution" in kinds or (2 <= len(words) <= 4 and all(w[0].isupper() for w in words)):
        return  # a name: "Ana María Tamayo", "Open Government Partnership"
    yield _Found(
        "same",
        f"translation is identical to the source: {_quote(form.source)}",
        form.line,
        form.index,
    )


def _describe_space(space: str) -> str:
    if not space:
        return "nothing"
    if set(space) == {" "}:
        return "1 space" if len(space) == 1 else f"{len(space)} spaces"
    return repr(space)


def _check_whitespace(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    def ends(text: str) -> tuple[str, str]:
        return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]

    src_lead, src_trail = ends(form.source)
    tr_lead, tr_trail = ends(form.translation)
    problems = []
    if src_lead != tr_lead:
        problems.append(
            f"starts with {_describe_space(tr_lead)}, the source with {_describe_space(src_lead)}"
        )
    if src_trail != tr_trail:
        problems.append(
            f"ends with {_describe_space(tr_trail)}, the source with {_describe_space(src_trail)}"
        )
    if problems:
        yield _Found("whitespace", "translation " + "; ".join(problems), form.line, form.index)


def _check_double_space(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    inner = form.translation.strip()
    match = re.search(r"[ \u00a0]{2,}", inner)
    if match and not re.search(r"[ \u00a0]{2,}", form.source.strip()):
        start = max(0, match.start() - 15)
        around = inner[start : match.end() + 15]
        yield _Found("double-space", f"doubled space in {_quote(around)}", form.line, form.index)


def _check_end_punctuation(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    wanted, _ = _end_mark(form.source)
    if wanted is None:
        return
    got, visible = _end_mark(form.translation)
    if got != wanted:
        if got is None:
            message = f"the source ends with '{wanted}', the translation does not: "
            message += _quote(visible, 30, tail=True)
        else:
            message = f"the source ends with '{wanted}', the translation with '{visible[-1]}'"
        yield _Found("end-punctuation", message, form.line, form.index)
        return
    if wanted in "?!" and ctx.language in _INVERTED_MARK_LANGUAGES:
        body = visible[:-1].rstrip("?!")
        # The final question runs from the previous ? or ! (a full stop may be "Sr." or "1.5").
        cut = max((m.end() for m in _QUESTION_OR_EXCLAMATION.finditer(body)), default=0)
        if not re.search(r"[¿¡]", body[cut:]):
            opener = "¿" if wanted == "?" else "¡"
            kind = "question" if wanted == "?" else "exclamation"
            question = _quote(body[cut:].strip() + wanted)
            yield _Found(
                "end-punctuation",
                f"Spanish {kind} without the opening '{opener}': {question}",
                form.line,
                form.index,
                hint=f"open the {kind} with {opener}",
            )


def _check_length(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    length = len(_visible(form.translation).strip())
    if budget is not None and length > budget:
        yield _Found(
            "length",
            f"translation is {length} characters; the layout has room for {budget}",
            form.line,
            form.index,
        )
    ratio_limit = ctx.options.length_ratio
    source_length = len(_visible(form.source).strip())
    if ratio_limit is not None and source_length >= 10:
        ratio = length / source_length
        if ratio > ratio_limit:
            yield _Found(
                "length-ratio",
                f"translation is {ratio:.2f}x the source's length (limit {ratio_limit:g}x)",
                form.line,
                form.index,
            )


def _check_glossary(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    glossary = ctx.options.glossary
    if glossary is None:
        return
    translation = _visible(form.translation).casefold()
    for term in glossary.terms_in(_visible(form.source)):
        approved = term.translation_for(ctx.locale)
        if approved and approved.casefold() not in translation:
            hint = "use the approved translation from the project glossary"
            if term.note:
                hint += f" ({term.note})"
            yield _Found(
                "glossary",
                f"glossary term {term.source!r} should be translated {approved!r}",
                form.line,
                form.index,
                hint=hint,
            )


def _check_glyphs(
    form: _Form, flags: set[str], budget: int | None, kinds: frozenset[str], ctx: _Context
) -> Iterator[_Found]:
    if not ctx.glyphs_missing:
        return
    missing = sorted(set(_visible(form.translation)) & ctx.glyphs_missing)
    if missing:
        listed = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        yield _Found(
            "glyphs",
            f"the leaflet fonts have no glyph for {listed}{more}",
            form.line,
            form.index,
        )


_FORM_CHECKS: tuple[_FormCheck, ...] = (
    _check_placeholder,
    _check_markup,
    _check_url,
    _check_email,
    _check_number,
    _check_same,
    _check_whitespace,
    _check_double_space,
    _check_end_punctuation,
    _check_length,
    _check_glossary,
    _check_glyphs,
)


# --------------------------------------------------------------------------- glyphs


@functools.lru_cache(maxsize=64)
def _check_font_file(path: str, mtime_ns: int, size: int) -> None:
    # Parsed from bytes so that a broken file leaves no file handle open; cached by
    # mtime and size so a catalog run reads each font once.
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(Path(path).read_bytes()), lazy=True) as parsed:
            parsed.getBestCmap()
    except (OSError, TTLibError, ValueError, AssertionError, struct.error) as exc:
        raise ConfigError(
            f"cannot read font: {exc}",
            SourceLocation(path),
            hint="list only .ttf or .otf font files in [checks] fonts",
        ) from exc


def _missing_glyphs(texts: Iterable[str], font_paths: Sequence[Path]) -> frozenset[str] | None:
    """Characters of any of ``texts`` the fonts cannot draw; None when no fonts are set.

    One call for the whole catalog: whether a character is covered does not depend on the
    entry, and reading the fonts' coverage per entry would dominate the run time. A font
    that cannot be read is a :class:`ConfigError` naming it. ``plainlang.pdf`` (and with it
    fontTools) is imported only when fonts are configured.
    """
    if not font_paths:
        return None
    for font in font_paths:
        try:
            stat = font.stat()
        except OSError as exc:
            raise ConfigError(
                f"cannot read font: {exc.strerror or exc}", SourceLocation(str(font))
            ) from exc
        _check_font_file(str(font), stat.st_mtime_ns, stat.st_size)
    from plainlang.pdf import missing_glyphs

    # Joined by newlines so that NFC cannot compose across two entries.
    return frozenset(missing_glyphs("\n".join(texts), list(font_paths)))
