"""Project configuration: ``plainlang.toml`` and what each locale is called and how it plurals.

Language names come from Babel (CLDR) first, then langcodes, then the config; plural forms
from Babel, else the config. A locale that none of them knows is a config error, not a guess.

Layouts and audiences are data: the shipped theme describes its own in ``theme.toml``
(:data:`plainlang.theme.THEME_DATA`) with the keys a project uses in its ``[layouts.<name>]``
and ``[audiences.<name>]`` tables; a project's table changes the keys it sets, or adds a
layout or an audience. Every bad value is a ConfigError at the line of its key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plainlang.errors import ConfigError, SourceLocation, UsageError, line_at
from plainlang.fsio import read_project_file
from plainlang.printing import SHIPPED_PROFILES, PrintProfile, parse_print_profiles
from plainlang.theme import Theme

CONFIG_NAME = "plainlang.toml"
#: What ``plainlang build`` makes when neither ``--format`` nor ``[project] formats`` says.
DEFAULT_FORMATS = ("pdf",)

_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class LocaleInfo:
    """What plainlang knows of one locale: names, plural rule, fallback chain."""

    code: str
    name: str
    english_name: str
    plural_forms: str
    fallback: tuple[str, ...] = ()
    use_fuzzy: bool = False
    min_coverage: float | None = None
    in_cldr: bool = False
    voice: str | None = None  # espeak-ng voice of the audio version (checked when it is made)
    compendium: tuple[str, ...] = ()  # translation memories (PO or TMX) inside the project

    @property
    def nplurals(self) -> int:
        from plainlang.po import parse_plural_forms

        try:
            return parse_plural_forms(self.plural_forms).nplurals
        except ValueError:
            return 2

    @property
    def lang(self) -> str:
        """BCP 47 tag for HTML ``lang`` and PDF ``/Lang`` (``pt_BR`` -> ``pt-BR``)."""
        return self.code.replace("_", "-")


@dataclass(frozen=True)
class FitChoice:
    """Something the layout fitter may change, roomiest option first (see :mod:`plainlang.fit`).

    The template reads the chosen option as ``leaflet.choice(name)``. ``part`` is the class
    of the element that must fit, ``within`` how: ``column`` (not split), ``page`` (on one
    page) or ``leaflet`` (the whole leaflet in its pages; no part).
    """

    name: str
    options: tuple[str, ...]
    part: str | None
    within: str


@dataclass(frozen=True)
class LayoutSpec:
    """One layout: its template and stylesheet (theme paths), page size and page count.

    ``pages`` is the most it holds; the page count is a multiple of ``page_step`` (a
    booklet: ``pages = 16``, ``page_step = 4``). A ``grow`` layout is one page as tall as
    its content, ``size`` giving the width and the smallest height.
    """

    name: str
    template: str
    stylesheet: str
    size: str
    pages: int
    page_step: int = 1
    grow: bool = False
    fit: tuple[FitChoice, ...] = ()

    def sheet_pages(self, pages: int) -> int:
        """The pages a leaflet of ``pages`` is printed with: the next multiple of ``page_step``.

        >>> LayoutSpec("booklet", "-", "-", "A5", pages=16, page_step=4).sheet_pages(6)
        8
        """
        return -(-pages // self.page_step) * self.page_step


@dataclass(frozen=True)
class NextStep:
    """One step of the "what to do next" box: a pictogram and the words that say it."""

    pictogram: str
    text: str


@dataclass(frozen=True)
class AudienceSpec:
    """One audience: who it is (``label``, a ui string), its theme, pictogram and texts."""

    name: str
    label: str
    theme: str
    pictogram: str
    callout_label: str
    next_steps_heading: str
    next_steps: tuple[NextStep, ...]
    next_steps_note: str


@dataclass(frozen=True)
class UiString:
    """A text from the config or the theme's data that leaflets print: a ``ui`` msgid.

    ``location`` is the line it is written on (``plainlang.toml:12`` or
    ``templates/theme.toml:40``), ``comment`` what a translator needs to know.
    """

    msgid: str
    location: SourceLocation
    comment: str


@dataclass(frozen=True)
class ProjectConfig:
    """A parsed ``plainlang.toml`` plus the project folder it lives in."""

    root: Path
    name: str
    source_locale: str
    locales: tuple[str, ...]
    audiences: tuple[str, ...]
    layouts: tuple[str, ...]
    locale_info: Mapping[str, LocaleInfo]
    publisher: str | None = None
    author: str | None = None
    contact: str | None = None
    checks: Mapping[str, Any] = field(default_factory=dict)
    build: Mapping[str, Any] = field(default_factory=dict)
    layout_specs: Mapping[str, LayoutSpec] = field(default_factory=dict)
    audience_specs: Mapping[str, AudienceSpec] = field(default_factory=dict)
    ui_strings: tuple[UiString, ...] = ()
    formats: tuple[str, ...] = DEFAULT_FORMATS
    #: Where some keys are in ``plainlang.toml`` (``"project.formats"``), for errors that
    #: later stages find in their values.
    locations: Mapping[str, SourceLocation] = field(default_factory=dict)
    #: The lines of plainlang.toml, for errors found after parsing that name a key's line.
    config_lines: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def where(self, table: str | None, key: str | None = None) -> SourceLocation:
        """The line of ``key`` in ``[table]`` of plainlang.toml (the table's, else line 1).

        For errors found after parsing: an unknown check id in ``[checks] disable``, a
        glossary or font that does not exist.
        """
        return _Lines(Path(CONFIG_NAME), "\n".join(self.config_lines)).of(table, key)
    print_profiles: Mapping[str, PrintProfile] = field(default_factory=lambda: SHIPPED_PROFILES)

    @property
    def content_dir(self) -> Path:
        return self.root / "content" / "cases"

    @property
    def templates_dir(self) -> Path:
        """The project's own theme files, overriding the shipped theme file by file."""
        return self.root / "templates"

    @property
    def theme(self) -> Theme:
        """The shipped theme with the project's ``templates/`` laid over it."""
        return Theme(self.templates_dir)

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def layout(self, name: str) -> LayoutSpec:
        """The spec of layout ``name`` (shipped or the project's); a UsageError if none."""
        spec = self.layout_specs.get(name)
        if spec is None:
            raise UsageError(
                f"{name} is not a layout",
                hint=f"choose from: {', '.join(self.layout_specs)}, or add [layouts.{name}]",
            )
        return spec

    def audience(self, name: str) -> AudienceSpec:
        """The spec of audience ``name``; a UsageError if the project has no such audience."""
        spec = self.audience_specs.get(name)
        if spec is None:
            raise UsageError(
                f"{name} is not an audience of this project",
                hint=f"choose from: {', '.join(self.audiences)}",
            )
        return spec

    def language_name(self, code: str, in_locale: str) -> str:
        """The name of language ``code`` as a text in language ``in_locale`` writes it.

        CLDR's name (through Babel) where it has one, else the language's own name (the
        configured autonym): a Spanish leaflet says "inglés", a Quechua one "Español Simi",
        an Aymara one (CLDR has no Aymara names) "español". Never English by default.
        """
        code = normalize_locale(code)
        own = self.locale_info.get(code)
        if own is None:
            try:
                own = self.locale(code)
            except (ConfigError, UsageError):
                return code
        if normalize_locale(in_locale) == code:
            return own.name
        babel_locale = _babel_locale(normalize_locale(in_locale))
        if babel_locale is not None:
            names = babel_locale.languages
            found = names.get(code) or names.get(code.split("_")[0])
            if found:
                return str(found)
        return own.name

    def locale(self, code: str) -> LocaleInfo:
        """The info for ``code``, configured or known to CLDR/langcodes; else a ConfigError."""
        code = normalize_locale(code)
        if code in self.locale_info:
            return self.locale_info[code]
        return describe_locale(code, {}, location=None)

    def chosen_locales(
        self, codes: Iterable[str], option: str = "--locale"
    ) -> list[str] | None:
        """The project locales named on the command line (None when none were named).

        A locale that is not one of ``locales`` in plainlang.toml is a usage error that
        lists them: ``stats --locale zz`` printed zeros and exited 0.
        """
        chosen = [normalize_locale(code) for code in codes]
        for code in chosen:
            if code not in self.locales:
                extra = (
                    f" ({code} is the source locale)" if code == self.source_locale else ""
                )
                raise UsageError(
                    f"{option} {code} is not a locale of this project{extra}",
                    hint=f"choose from: {', '.join(self.locales) or '(none configured)'}",
                )
        return chosen or None

    def fallback_chain(self, code: str) -> tuple[str, ...]:
        """``code`` followed by its fallbacks, without the source locale.

        The source text is the last resort and is not a catalog, so it is not in the chain.
        """
        seen: list[str] = []
        todo = [normalize_locale(code)]
        while todo:
            current = todo.pop(0)
            if current in seen or current == self.source_locale:
                continue
            seen.append(current)
            info = self.locale_info.get(current)
            if info is not None:
                todo.extend(info.fallback)
        return tuple(seen)


def normalize_locale(code: str) -> str:
    """Folder-style locale id: ``pt-br`` -> ``pt_BR``, ``qu`` -> ``qu``.

    >>> normalize_locale("pt-br")
    'pt_BR'
    """
    parts = code.strip().replace("-", "_").split("_")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) in (2, 3):
            out.append(part.upper())
        else:
            out.append(part)
    return "_".join(out)


def _babel_locale(code: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None


def is_locale_code(code: str) -> bool:
    """Whether ``code`` is written like a locale (``es``, ``qu``, ``pt_BR``, ``sr_Latn``)."""
    return bool(_LOCALE_RE.match(normalize_locale(code)))


def langcodes_names(code: str) -> tuple[str, str] | None:
    """The language's own name and its English name, from langcodes; None if it has none."""
    return _langcodes_names(normalize_locale(code))


def _langcodes_names(code: str) -> tuple[str, str] | None:
    import langcodes

    try:
        lang = langcodes.Language.get(code.replace("_", "-"))
    except (ValueError, LookupError):
        return None
    if not lang.language:
        return None
    english = lang.display_name("en")
    if english.startswith("Unknown language"):
        return None
    try:
        autonym = lang.autonym()
    except (LookupError, ValueError):
        autonym = english
    if autonym.startswith("Unknown language"):
        autonym = english
    return autonym, english


def describe_locale(
    code: str,
    settings: Mapping[str, Any],
    *,
    location: SourceLocation | None,
    plural_location: SourceLocation | None = None,
) -> LocaleInfo:
    """Build a :class:`LocaleInfo` from Babel, langcodes and ``settings`` (config wins).

    ``plural_location`` is where a bad ``plural_forms`` is reported (default ``location``).

    Raises ConfigError (or UsageError when no config location) for a locale nobody knows.
    """
    code = normalize_locale(code)
    error_cls = ConfigError if location is not None else UsageError
    if not _LOCALE_RE.match(code):
        raise error_cls(
            f"'{code}' is not a locale code",
            location,
            hint="use a language code such as es, qu, ay or pt_BR",
        )
    babel_locale = _babel_locale(code)
    name = settings.get("name")
    english = settings.get("english_name")
    plural = settings.get("plural_forms")
    if babel_locale is not None:
        from babel.messages.plurals import get_plural

        name = name or babel_locale.display_name or code
        english = english or babel_locale.english_name or code
        if plural is None:
            rule = get_plural(babel_locale)
            plural = f"nplurals={rule.num_plurals}; plural={rule.plural_expr};"
    else:
        names = _langcodes_names(code) if (name is None or english is None) else None
        if names is not None:
            name = name or names[0]
            english = english or names[1]
        missing = [k for k, v in (("name", name), ("english_name", english)) if v is None]
        if plural is None:
            missing.append("plural_forms")
        if missing:
            where = f"[locales.{code}] in {CONFIG_NAME}"
            known = (
                f"unknown locale '{code}': neither CLDR nor langcodes knows it"
                if "name" in missing or "english_name" in missing
                else f"locale '{code}' has no plural rule in CLDR"
            )
            suggestion = suggested_plural_forms(code)
            keys = ", ".join(missing)
            hint = f"add {keys} to {where}"
            if "plural_forms" in missing:
                hint += (
                    f'; {suggestion[1]} has plural_forms = "{suggestion[0]}"'
                    if suggestion
                    else '; e.g. plural_forms = "nplurals=2; plural=(n != 1);" if it has '
                    "singular and plural like English (check with a speaker)"
                )
            raise error_cls(known, location, hint=hint)
    assert isinstance(name, str) and isinstance(english, str) and isinstance(plural, str)
    problem = _plural_rule_problem(plural) if "plural_forms" in settings else ""
    if problem:
        raise error_cls(
            f"plural_forms for '{code}' {problem}: {plural!r}",
            plural_location or location,
            hint='write it like "nplurals=2; plural=(n != 1);"',
        )
    min_cov = settings.get("min_coverage")
    return LocaleInfo(
        code=code,
        name=name,
        english_name=english,
        plural_forms=plural.strip(),
        fallback=tuple(normalize_locale(f) for f in settings.get("fallback", ())),
        use_fuzzy=bool(settings.get("use_fuzzy", False)),
        min_coverage=float(min_cov) if min_cov is not None else None,
        in_cldr=babel_locale is not None,
        voice=settings.get("voice"),
        compendium=tuple(settings.get("compendium", ())),
    )


def suggested_plural_forms(code: str) -> tuple[str, str] | None:
    """A plural rule for a language CLDR (Babel) has none for: (rule, where it is from).

    Babel's plural table first (CLDR), then Weblate's language data, which knows more
    languages (Aymara, Guarani, ...).
    """
    language = code.replace("-", "_").split("_")[0].lower()
    try:
        from babel.messages.plurals import PLURALS

        if language in PLURALS:
            count, expr = PLURALS[language]
            return f"nplurals={count}; plural={expr};", "CLDR"
    except ImportError:  # pragma: no cover - Babel is a dependency
        pass
    try:
        from weblate_language_data.languages import LANGUAGES
    except ImportError:
        return None
    for row in LANGUAGES:
        if row[0] in (code, language):
            return f"nplurals={row[2]}; plural={row[3]};", f"Weblate's data for {row[1]}"
    return None


def _plural_rule_problem(plural_forms: str) -> str:
    """What is wrong with a configured rule ("" when nothing), as msgfmt --check reads it.

    The rule goes into every PO header and MO file: gettext's parser (plainlang.po's, the
    one plainlang has) must read it, for every count it must pick one of the ``nplurals``
    forms, and no language has more than :data:`plainlang.po.MAX_NPLURALS`.
    """
    from plainlang.po import MAX_NPLURALS, plural_forms_problem

    if not re.match(r"\s*nplurals\s*=", plural_forms) or "plural=" not in plural_forms:
        return "is not a gettext plural rule"
    count = re.match(r"\s*nplurals\s*=\s*([0-9]+)", plural_forms)
    if count is not None and not 1 <= int(count.group(1)) <= MAX_NPLURALS:
        return f"has nplurals={count.group(1)}; a language has 1 to {MAX_NPLURALS} plural forms"
    problem = plural_forms_problem(plural_forms)
    if problem.startswith("picks form"):
        return problem
    return f"is not a plural rule gettext reads ({problem})" if problem else ""


class _Lines:
    """Finds the 1-based line of a key in a TOML file, for errors that point at it."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def _table_start(self, table: str) -> int:
        pattern = re.compile(
            r"^\s*\[\[?\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]"
        )
        for i, line in enumerate(self.lines):
            if pattern.match(line):
                return i
        return -1

    def of(self, table: str | None, key: str | None = None) -> SourceLocation:
        start = self._table_start(table) if table else -1
        if key is None:
            return SourceLocation(self.path.as_posix(), start + 1 if start >= 0 else 1)
        key_re = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        for i in range(start + 1, len(self.lines)):
            if i > start + 1 and table and self.lines[i].lstrip().startswith("["):
                break
            if key_re.match(self.lines[i]):
                return SourceLocation(self.path.as_posix(), i + 1)
        if table:  # [locales.qu.x] makes "x" a key of [locales.qu] too
            sub = self._table_start(f"{table}.{key}")
            if sub >= 0:
                return SourceLocation(self.path.as_posix(), sub + 1)
        return SourceLocation(self.path.as_posix(), start + 1 if start >= 0 else 1)


# -- the schema: every key of every table, its type, range and choices ----------------------
#
# One entry a key. A table that takes tables of any name ([locales.qu], [checks.plain.es])
# says so with ``each``. A new table joins with one entry in SCHEMA.

MAX_QR_CHARS = 250
"""Longest address printed as a QR code: past it the code is too dense to scan at the
25-30 mm the layouts print it (version 11, 61 modules, 0.4 mm each); segno's limit, 2,331
bytes, is far past what a phone reads off paper."""


@dataclass(frozen=True)
class Key:
    """What one config key holds: ``kind`` and, where they apply, bounds and choices.

    Kinds: ``str``, ``bool``, ``int``, ``number`` (int or float, finite), ``strings`` (a
    list of strings), ``date`` (YYYY-MM-DD that exists), ``levels`` (a table of name =
    one of ``choices``).
    """

    kind: str
    low: float | None = None  # inclusive
    high: float | None = None  # inclusive
    above: float | None = None  # exclusive
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # every string (or list item) must match it in full
    unique: bool = False  # a list naming one thing twice is an error
    max_length: int | None = None
    hint: str | None = None
    what: str | None = None  # what a choice names, for "unknown layout 'poster'"


@dataclass(frozen=True)
class Table:
    """A table's keys; ``each``: the schema of the sub-tables of any name it holds."""

    keys: Mapping[str, Key | Table] = field(default_factory=dict)
    each: Table | None = None
    each_pattern: str = r"[A-Za-z][A-Za-z0-9_-]*"
    each_what: str = "table"
    #: Checked by its own parser, at its keys' lines (``[print]``: printing.parse_print_profiles).
    external: bool = False


_NAME = r"[a-z][a-z0-9-]*"
_LEVELS = ("error", "warning", "info", "off", "ignore", "none")
_PERCENT = Key("number", low=0, high=100, hint="a percentage from 0 to 100")
_CHECKS_KEYS: dict[str, Key | Table] = {
    "disable": Key("strings"),
    "enable": Key("strings"),
    "severity": Key("levels", choices=_LEVELS),
    "same_allow": Key("strings"),
    "length_ratio": Key("number", above=0, high=100, hint="e.g. 1.6: translation / source"),
    "include_untranslated": Key("bool"),
    "include_fuzzy": Key("bool"),
    "glossary": Key("str"),
    "glossary_source": Key("str"),
    "fonts": Key("strings"),
}
_PLAIN_KEYS: dict[str, Key | Table] = {
    "max_sentence_words": Key("int", low=1, high=1000),
    "max_paragraph_sentences": Key("int", low=1, high=1000),
    "passive_voice": Key("bool"),
    "max_word_chars": Key("int", low=1, high=1000),
    "min_flesch": Key("number", low=-500, high=206.835, hint="Flesch Reading Ease, e.g. 60"),
    "min_szigriszt": Key("number", low=-500, high=206.835, hint="Szigriszt-Pazos, e.g. 55"),
    "max_mean_sentence_words": Key("number", above=0, high=1000),
    "max_mean_word_chars": Key("number", above=0, high=1000),
    "min_words_for_score": Key("int", low=0, high=1_000_000),
    "worst_sentences": Key("int", low=0, high=100),
}
SCHEMA = Table(
    {
        "project": Table(
            {
                "name": Key("str"),
                "source_locale": Key("str"),
                "locales": Key("strings", unique=True),
                "audiences": Key(
                    "strings",
                    unique=True,
                    pattern=_NAME,
                    hint="lower-case letters, digits or '-'",
                ),
                "layouts": Key(
                    "strings",
                    unique=True,
                    pattern=_NAME,
                    hint="lower-case letters, digits or '-'",
                ),
                "publisher": Key("str"),
                "author": Key("str"),
                "contact": Key("str"),
                "date": Key("date"),
                # Which formats exist is the build's registry's to say; here only the shape.
                "formats": Key(
                    "strings", unique=True, pattern=_NAME, hint='e.g. formats = ["pdf", "audio"]'
                ),
            }
        ),
        "locales": Table(
            each=Table(
                {
                    "name": Key("str"),
                    "english_name": Key("str"),
                    "plural_forms": Key("str"),
                    "fallback": Key("strings", unique=True),
                    "use_fuzzy": Key("bool"),
                    "min_coverage": _PERCENT,
                    "voice": Key("str"),  # an espeak-ng voice, checked when audio is made
                    "compendium": Key("strings", unique=True),  # PO or TMX memories
                }
            ),
            each_what="locale",
        ),
        "print": Table(external=True),
        "build": Table({"min_coverage": _PERCENT, "strict": Key("bool")}),
        "checks": Table(
            {
                **_CHECKS_KEYS,
                "locales": Table(each=Table(_CHECKS_KEYS), each_what="locale"),
                "plain": Table(
                    {
                        **_PLAIN_KEYS,
                        "avoid_words_dir": Key("str"),
                        "avoid_words_shipped": Key("bool"),
                    },
                    each=Table(_PLAIN_KEYS),
                    each_what="language",
                ),
            }
        ),
        # Layouts and audiences merge the theme's theme.toml with the project's tables
        # key by key, and are checked there, each error at its own file and line.
        "layouts": Table(external=True),
        "audiences": Table(external=True),
    }
)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return {"str": "text", "int": "a whole number", "float": "a number"}.get(
        type(value).__name__, type(value).__name__
    )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"did you mean 'x'?"`` for the closest of ``choices``, or None.

    >>> did_you_mean("disabel", ["disable", "enable"])
    "did you mean 'disable'?"
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _unknown(what: str, name: str, known: Iterable[str]) -> tuple[str, str]:
    known = sorted(known)
    guess = did_you_mean(name, known)
    listed = f"known {what}s: {', '.join(known)}" if known else f"[{what}] takes no keys"
    return f"unknown {what} '{name}'", f"{guess} {listed}" if guess else listed


def _validate_table(data: Mapping[str, Any], schema: Table, table: str, lines: _Lines) -> None:
    """Check every key of ``data`` (the table named ``table``) against ``schema``."""
    for key, value in data.items():
        entry = schema.keys.get(key)
        where = lines.of(table or None, key) if table else lines.of(key)
        path = f"{table}.{key}" if table else key
        if entry is None and schema.each is not None:
            if not isinstance(value, dict):
                raise ConfigError(
                    f"[{path}] must be a table, not {_type_name(value)}",
                    where,
                    hint=f"write it as [{path}] followed by key = value lines",
                )
            if not re.fullmatch(schema.each_pattern, key):
                raise ConfigError(
                    f"[{path}]: '{key}' is not a {schema.each_what} name", where
                )
            _validate_table(value, schema.each, path, lines)
            continue
        if entry is None:
            if not table:
                message, hint = _unknown("table", key, schema.keys)
                raise ConfigError(message.replace(f"'{key}'", f"[{key}]"), where, hint=hint)
            message, hint = _unknown("key", key, schema.keys)
            raise ConfigError(f"{message} in [{table}]", where, hint=hint)
        if isinstance(entry, Table) and entry.external:
            continue
        if isinstance(entry, Table):
            if not isinstance(value, dict):
                raise ConfigError(
                    f"[{path}] must be a table, not {_type_name(value)}",
                    where,
                    hint=f"write it as [{path}] followed by key = value lines",
                )
            _validate_table(value, entry, path, lines)
            continue
        problem = _value_problem(value, entry)
        if problem:
            # The key's hint says what a value looks like; a duplicate needs another one.
            advice = "list each one once" if problem.endswith(" twice") else entry.hint
            raise ConfigError(f"'{key}' in [{table}] {problem}", where, hint=advice)


def _value_problem(value: Any, key: Key) -> str:
    """What is wrong with ``value`` for ``key`` ("" when nothing)."""
    kind = key.kind
    if kind == "bool":
        if isinstance(value, bool):
            return ""
        return f"must be true or false (a bool), not {_type_name(value)}"
    if kind == "str":
        if not isinstance(value, str):
            return f"must be a str (text), not {_type_name(value)}"
        return _string_problem(value, key)
    if kind in ("int", "number"):
        whole = isinstance(value, int) and not isinstance(value, bool)
        if kind == "int" and not whole:
            return f"must be a whole number, not {_type_name(value)}"
        if not whole and not isinstance(value, float):
            return f"must be a number, not {_type_name(value)}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"must be a number, not {value}"
        return _range_problem(float(value), key)
    if kind == "strings":
        if not isinstance(value, list):
            return f"must be a list of strings, not {_type_name(value)}"
        if not all(isinstance(v, str) for v in value):
            return "must be a list of strings"
        for item in value:
            problem = _string_problem(item, key)
            if problem:
                return problem
        if key.unique:
            twice = [v for i, v in enumerate(value) if v in value[:i]]
            if twice:
                return f"names '{twice[0]}' twice"
        return ""
    if kind == "levels":
        if not isinstance(value, dict):
            return f"must be a table of name = level, not {_type_name(value)}"
        for name, level in value.items():
            if not isinstance(level, str) or level.strip().lower() not in key.choices:
                return f"gives '{name}' the level {level!r}; use one of {', '.join(key.choices)}"
        return ""
    if kind == "date":
        return _date_problem(value)
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover - a schema typo


def _string_problem(value: str, key: Key) -> str:
    if key.choices and value not in key.choices:
        guess = did_you_mean(value, key.choices)
        named = f"names an unknown {key.what} '{value}'" if key.what else f"has '{value}'"
        return f"{named}; known: {', '.join(key.choices)}" + (f" ({guess})" if guess else "")
    if key.pattern and not re.fullmatch(key.pattern, value):
        return f"has '{value}', which is not allowed"
    if key.max_length is not None and len(value) > key.max_length:
        return f"is {len(value)} characters; at most {key.max_length}"
    return ""


def _range_problem(number: float, key: Key) -> str:
    if key.low is not None and number < key.low:
        return f"is {number:g}; it must be at least {key.low:g}"
    if key.above is not None and number <= key.above:
        return f"is {number:g}; it must be more than {key.above:g}"
    if key.high is not None and number > key.high:
        return f"is {number:g}; it must be at most {key.high:g}"
    return ""


def _date_problem(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "must be a date (YYYY-MM-DD), not a date and time"
    if isinstance(value, dt.date):
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "must be a date written YYYY-MM-DD"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"is {value}, a date that does not exist"
    return ""


def parse_date(value: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None when it is not written so or does not exist.

    >>> parse_date("2024-02-29"), parse_date("2024-02-30")
    (datetime.date(2024, 2, 29), None)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


# -- SOURCE_DATE_EPOCH: read here and nowhere else ------------------------------------------


def source_date_epoch(environ: Mapping[str, str] | None = None) -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC date and time, or None when it is not set.

    The one reader of the variable (PDF dates, POT and PO dates, the build's input keys).
    A value that is not a whole number of seconds since 1970 is a usage error, as
    reproducible-builds.org asks, so that a CI misconfiguration is seen, not ignored.

    >>> source_date_epoch({"SOURCE_DATE_EPOCH": "86400"}).isoformat()
    '1970-01-02T00:00:00+00:00'
    >>> source_date_epoch({}) is None
    True
    """
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        if not raw.isdigit():
            raise ValueError(raw)
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {raw[:40]!r}, not a number of seconds since 1970",
            hint="set it to a whole number such as `git log -1 --format=%ct`, or unset it",
        ) from exc


# -- layouts and audiences ------------------------------------------------------------------

_KIND_OF_TYPE = {str: "str", int: "int", bool: "bool", float: "number", list: "strings"}


def _check_keys(
    data: Mapping[str, Any], allowed: Mapping[str, Any], table: str, lines: _Lines
) -> None:
    """A theme table's keys (``theme.toml``'s or the project's) checked as :data:`SCHEMA`'s
    are: an unknown key with the closest known one, a wrong type, each at its line."""
    for key, value in data.items():
        if key not in allowed:
            message, hint = _unknown("key", key, allowed)
            raise ConfigError(f"{message} in [{table}]", lines.of(table, key), hint=hint)
        problem = _value_problem(value, Key(_KIND_OF_TYPE[allowed[key]]))
        if problem:
            raise ConfigError(f"'{key}' in [{table}] {problem}", lines.of(table, key))


_LAYOUT_KEYS = {
    "template": str,
    "stylesheet": str,
    "size": str,
    "pages": int,
    "page_step": int,
    "grow": bool,
    "fit": list,
}
_FIT_KEYS = {"name": str, "options": list, "part": str, "within": str}
_FIT_WITHIN = ("column", "page", "leaflet")
_AUDIENCE_KEYS = {
    "label": str,
    "theme": str,
    "pictogram": str,
    "callout_label": str,
    "next_steps_heading": str,
    "next_steps": list,
    "next_steps_note": str,
}
_NEXT_STEP_KEYS = {"pictogram": str, "text": str}
#: What a translator is told about each text of an audience (``#.`` in ui.pot).
AUDIENCE_TEXT_COMMENTS = {
    "label": "who the leaflet is for, printed in a band at the top of the cover; "
    "about 30 characters.",
    "callout_label": "label of a box written for one audience; short (about 30 characters).",
    "next_steps_heading": 'heading of the "what to do next" box; short.',
    "next_steps": 'one step of the "what to do next" box, beside a pictogram; one sentence.',
    "next_steps_note": 'at the end of the "what to do next" box; short.',
}
#: Most pages a layout may have (a 16-page booklet is the largest the theme plans for).
MAX_LAYOUT_PAGES = 64
_NAME_RE = re.compile(r"[a-z][a-z0-9-]*")
_CLASS_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_CHOICE_RE = re.compile(r"[a-z][a-z0-9_]*")
_OPTION_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_LENGTH = r"\d+(?:\.\d+)?(?:mm|cm|in|pt|pc|px)"
_PAGE_SIZE_RE = re.compile(
    rf"(?:(?:A[3-6]|B[4-5]|JIS-B[4-5]|letter|legal|ledger)(?:\s+(?:portrait|landscape))?"
    rf"|{_LENGTH}(?:\s+{_LENGTH})?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Where:
    """Where an entry's key was written: a file's lines and the table it is in."""

    lines: _Lines
    table: str
    ref: str  # the file as a ui string's reference names it

    def of(self, key: str | None = None) -> SourceLocation:
        return self.lines.of(self.table, key)

    def ref_line(self, key: str, text: str) -> SourceLocation:
        """The line of ``text`` under ``key`` (an item of an array), for a PO reference."""
        start = self.of(key).line or 1
        quoted = (f'"{text}"', f"'{text}'")
        for i in range(start - 1, len(self.lines.lines)):
            if any(q in self.lines.lines[i] for q in quoted):
                return SourceLocation(self.ref, i + 1)
        return SourceLocation(self.ref, start)


@dataclass(frozen=True)
class _ThemeData:
    layouts: dict[str, Any]
    audiences: dict[str, Any]
    audience_defaults: dict[str, Any]
    lines: _Lines
    ref: str


def _theme_data(theme: Theme) -> _ThemeData:
    """The shipped theme's ``theme.toml``, parsed (once per file content)."""
    path = theme.data_file()
    return _parse_theme_data(path.read_text(encoding="utf-8"), str(path), theme.ref(path.name))


@functools.lru_cache(maxsize=4)
def _parse_theme_data(text: str, shown: str, ref: str) -> _ThemeData:
    lines = _Lines(Path(shown), text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", SourceLocation(shown)) from exc
    return _ThemeData(
        layouts=data.get("layouts", {}),
        audiences=data.get("audiences", {}),
        audience_defaults=data.get("audience_defaults", {}),
        lines=lines,
        ref=ref,
    )


def _merged_entries(
    kind: str,
    shipped: Mapping[str, Any],
    shipped_where: Callable[[str], _Where],
    own: Any,
    own_lines: _Lines,
) -> dict[str, dict[str, tuple[Any, _Where]]]:
    """Entries by name, each key with its value and where it was written.

    The project's table of a shipped name changes only the keys it sets.
    """
    if not isinstance(own, dict):
        raise ConfigError(f"[{kind}] must be a table of tables", own_lines.of(kind))
    entries: dict[str, dict[str, tuple[Any, _Where]]] = {}
    for name, table in shipped.items():
        where = shipped_where(name)
        entries[name] = {key: (value, where) for key, value in table.items()}
    for name, table in own.items():
        where = _Where(own_lines, f"{kind}.{name}", CONFIG_NAME)
        if not isinstance(table, dict):
            raise ConfigError(f"[{kind}.{name}] must be a table", where.of())
        if not _NAME_RE.fullmatch(name):
            raise ConfigError(
                f"{kind[:-1]} name '{name}' must be lower-case letters, digits or '-'",
                where.of(),
            )
        entry = entries.setdefault(name, {})
        entry.update({key: (value, where) for key, value in table.items()})
    return entries


def _entry_keys(entry: Mapping[str, tuple[Any, _Where]], allowed: Mapping[str, Any]) -> None:
    """Check each key of a merged entry, at its own line: unknown keys, wrong types.

    List values (``fit``, ``next_steps``) are only checked to be lists here; their items
    are checked where they are read.
    """
    by_where: dict[_Where, dict[str, Any]] = {}
    for key, (value, where) in entry.items():
        by_where.setdefault(where, {})[key] = value
    scalars = {k: t for k, t in allowed.items() if t is not list}
    for where, values in by_where.items():
        for key, value in values.items():
            if key not in allowed:
                message, hint = _unknown("key", key, allowed)
                raise ConfigError(f"{message} in [{where.table}]", where.of(key), hint=hint)
            if allowed[key] is list and not isinstance(value, list):
                raise ConfigError(
                    f"'{key}' in [{where.table}] must be a list, not {type(value).__name__}",
                    where.of(key),
                )
        _check_keys({k: v for k, v in values.items() if k in scalars}, scalars, where.table,
                    where.lines)


def _theme_file(
    theme: Theme, rel: str, what: str, where: _Where, key: str, copy_hint: str
) -> str:
    if theme.resolve(rel) is None:
        raise ConfigError(
            f"{what} '{rel}' is neither in the project's templates/ nor in the shipped theme",
            where.of(key),
            hint=f"add templates/{rel}, or start from a shipped one: {copy_hint}",
        )
    return rel


def _parse_fit(value: Any, where: _Where, layout: str) -> tuple[FitChoice, ...]:
    choices = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ConfigError(
                f"fit choice {index} of layout '{layout}' must be a table "
                "(name, options, part, within)",
                where.of("fit"),
            )
        table = f"{where.table}.fit"
        lines = where.lines
        options = item.get("options")
        _check_keys({k: v for k, v in item.items() if k != "options"}, _FIT_KEYS, table, lines)
        name = item.get("name")
        within = item.get("within", "column")
        part = item.get("part")
        location = where.of("fit")
        if not isinstance(name, str) or not _CHOICE_RE.fullmatch(name):
            raise ConfigError(
                f"fit choice {index} of layout '{layout}' needs a name: lower-case letters, "
                "digits or '_'",
                location,
            )
        if (
            not isinstance(options, list)
            or not options
            or not all(isinstance(o, str) and _OPTION_RE.fullmatch(o) for o in options)
        ):
            raise ConfigError(
                f"fit choice '{name}' of layout '{layout}' needs options: a list of names, "
                "roomiest first",
                location,
                hint='e.g. options = ["roomy", "compact"]',
            )
        if within not in _FIT_WITHIN:
            raise ConfigError(
                f"fit choice '{name}' of layout '{layout}': within is '{within}'",
                location,
                hint=f"choose from: {', '.join(_FIT_WITHIN)}",
            )
        if within != "leaflet" and not (isinstance(part, str) and _CLASS_RE.fullmatch(part)):
            raise ConfigError(
                f"fit choice '{name}' of layout '{layout}' needs a part: the class of the "
                "element that must fit",
                location,
                hint='or within = "leaflet" to fit the whole leaflet in its pages',
            )
        choices.append(
            FitChoice(name, tuple(options), part if within != "leaflet" else None, within)
        )
    return tuple(choices)


def _parse_layout(
    name: str, entry: Mapping[str, tuple[Any, _Where]], theme: Theme, table: _Where
) -> LayoutSpec:
    _entry_keys(entry, _LAYOUT_KEYS)

    def get(key: str, default: Any = None) -> Any:
        return entry[key][0] if key in entry else default

    def where(key: str) -> _Where:
        return entry[key][1] if key in entry else table

    for key in ("size", "pages"):
        if key not in entry:
            raise ConfigError(
                f"layout '{name}' needs '{key}'",
                table.of(),
                hint='e.g. size = "A4 landscape" and pages = 2',
            )
    template = _theme_file(
        theme,
        get("template", f"layouts/{name}.html.j2"),
        "template",
        where("template"),
        "template",
        "plainlang theme copy layouts/flyer.html.j2",
    )
    stylesheet = _theme_file(
        theme,
        get("stylesheet", f"css/{name}.css"),
        "stylesheet",
        where("stylesheet"),
        "stylesheet",
        "plainlang theme copy css/flyer.css",
    )
    size = " ".join(str(get("size")).split())
    if not _PAGE_SIZE_RE.fullmatch(size):
        raise ConfigError(
            f"size '{size}' of layout '{name}' is not a page size",
            where("size").of("size"),
            hint='write a paper size such as "A4 landscape" or "A5", or "297mm 420mm"',
        )
    pages, step = get("pages"), get("page_step", 1)
    if not 1 <= pages <= MAX_LAYOUT_PAGES:
        raise ConfigError(
            f"pages of layout '{name}' is {pages}; a layout has 1 to {MAX_LAYOUT_PAGES} pages",
            where("pages").of("pages"),
        )
    if not 1 <= step <= pages or pages % step:
        raise ConfigError(
            f"page_step of layout '{name}' is {step}, which does not divide pages = {pages}",
            where("page_step").of("page_step"),
            hint="a booklet of up to 16 pages printed 4 to a sheet: pages = 16, page_step = 4",
        )
    grow = bool(get("grow", False))
    if grow and pages != 1:
        raise ConfigError(
            f"layout '{name}' grows to its content, so it has one page, not {pages}",
            where("pages").of("pages"),
        )
    if grow and not re.fullmatch(rf"{_LENGTH}\s+\d+(?:\.\d+)?mm", size):
        raise ConfigError(
            f"layout '{name}' grows to its content: its size is a width and the smallest "
            f"height in mm, not '{size}'",
            where("size").of("size"),
            hint='e.g. size = "108mm 192mm"',
        )
    fit = _parse_fit(get("fit", []), where("fit"), name)
    return LayoutSpec(name, template, stylesheet, size, pages, step, grow, fit)


def _check_ui_text(value: Any, key: str, where: _Where) -> None:
    """A ui text goes through gettext like a template's ``_("...")``: ``%`` is ``%%``."""
    if isinstance(value, str) and "%" in value.replace("%%", ""):
        raise ConfigError(
            f"'{key}' in [{where.table}] has a '%': ui texts are gettext format strings",
            where.of(key),
            hint="write %% for a percent sign",
        )


def _parse_audience(
    name: str,
    entry: Mapping[str, tuple[Any, _Where]],
    defaults: Mapping[str, tuple[Any, _Where]],
    theme: Theme,
    table: _Where,
) -> tuple[AudienceSpec, list[UiString]]:
    _entry_keys(entry, _AUDIENCE_KEYS)
    if "label" not in entry:
        raise ConfigError(
            f"audience '{name}' needs a label: who the leaflet is for",
            table.of(),
            hint=f"e.g. label = \"For {name}\" (a ui string, translated in ui.po)",
        )
    merged = {**defaults, **entry}

    def get(key: str) -> Any:
        return merged[key][0]

    def where(key: str) -> _Where:
        return merged[key][1]

    strings: list[UiString] = []
    for key in ("label", "callout_label", "next_steps_heading", "next_steps_note"):
        value = get(key)
        _check_ui_text(value, key, where(key))
        if value:
            location = where(key).ref_line(key, value)
            strings.append(UiString(value, location, AUDIENCE_TEXT_COMMENTS[key]))
    theme_name = get("theme")
    if not isinstance(theme_name, str) or not _NAME_RE.fullmatch(theme_name):
        raise ConfigError(
            f"theme '{theme_name}' of audience '{name}' must be lower-case letters, digits or '-'",
            where("theme").of("theme"),
        )
    _theme_file(
        theme,
        f"css/theme-{theme_name}.css",
        f"theme '{theme_name}': stylesheet",
        where("theme"),
        "theme",
        "plainlang theme copy css/theme-women.css",
    )

    def pictogram(value: Any, key: str, at: _Where) -> str:
        if not isinstance(value, str) or theme.pictogram(value) is None:
            raise ConfigError(
                f"pictogram '{value}' of audience '{name}' is not a pictogram of the theme",
                at.of(key),
                hint=f"choose from: {', '.join(theme.pictograms())}, "
                f"or add templates/pictograms/{value}.svg",
            )
        return value

    steps = []
    for item in get("next_steps"):
        at = where("next_steps")
        if not isinstance(item, dict) or set(item) != set(_NEXT_STEP_KEYS) or not all(
            isinstance(v, str) and v for v in item.values()
        ):
            raise ConfigError(
                f"a step of next_steps of audience '{name}' must be "
                '{ pictogram = "...", text = "..." }',
                at.of("next_steps"),
            )
        _check_ui_text(item["text"], "next_steps", at)
        steps.append(NextStep(pictogram(item["pictogram"], "next_steps", at), item["text"]))
        strings.append(
            UiString(
                item["text"], at.ref_line("next_steps", item["text"]),
                AUDIENCE_TEXT_COMMENTS["next_steps"],
            )
        )
    spec = AudienceSpec(
        name=name,
        label=get("label"),
        theme=theme_name,
        pictogram=pictogram(get("pictogram"), "pictogram", where("pictogram")),
        callout_label=get("callout_label"),
        next_steps_heading=get("next_steps_heading"),
        next_steps=tuple(steps),
        next_steps_note=get("next_steps_note"),
    )
    return spec, strings


def _layouts_and_audiences(
    data: Mapping[str, Any], lines: _Lines, theme: Theme
) -> tuple[
    dict[str, LayoutSpec], dict[str, AudienceSpec], dict[str, list[UiString]], list[str]
]:
    """The shipped layouts and audiences with the project's tables laid over them.

    Returns the layouts, the audiences (shipped first, in the theme's order), the ui
    strings each audience prints, and the names of the audiences the project adds.
    """
    shipped = _theme_data(theme)

    def shipped_where(kind: str) -> Callable[[str], _Where]:
        return lambda name: _Where(shipped.lines, f"{kind}.{name}", shipped.ref)

    layout_entries = _merged_entries(
        "layouts", shipped.layouts, shipped_where("layouts"), data.get("layouts", {}), lines
    )
    layouts = {
        name: _parse_layout(name, entry, theme, _table_of(name, "layouts", entry, lines))
        for name, entry in layout_entries.items()
    }
    own_audiences = data.get("audiences", {})
    audience_entries = _merged_entries(
        "audiences", shipped.audiences, shipped_where("audiences"), own_audiences, lines
    )
    defaults_where = _Where(shipped.lines, "audience_defaults", shipped.ref)
    defaults = {key: (value, defaults_where) for key, value in shipped.audience_defaults.items()}
    audiences: dict[str, AudienceSpec] = {}
    strings: dict[str, list[UiString]] = {}
    # What a project's new audience starts from is a ui string too, used or not yet.
    strings[""] = [
        UiString(value, defaults_where.ref_line(key, value), AUDIENCE_TEXT_COMMENTS[key])
        for key, (value, _) in defaults.items()
        if key in AUDIENCE_TEXT_COMMENTS and isinstance(value, str) and value
    ]
    for name, entry in audience_entries.items():
        audiences[name], strings[name] = _parse_audience(
            name, entry, defaults, theme, _table_of(name, "audiences", entry, lines)
        )
    added = [name for name in own_audiences if name not in shipped.audiences]
    return layouts, audiences, strings, added


def _shipped_audiences(theme: Theme) -> list[str]:
    return list(_theme_data(theme).audiences)


def _table_of(
    name: str, kind: str, entry: Mapping[str, tuple[Any, _Where]], lines: _Lines
) -> _Where:
    """The table an entry's errors without a key point at: the project's, else the shipped."""
    project = [where for _, where in entry.values() if where.lines is lines]
    if project or not entry:
        return _Where(lines, f"{kind}.{name}", CONFIG_NAME)
    return next(iter(entry.values()))[1]


def parse_config(text: str, path: Path) -> ProjectConfig:
    """Parse the text of a ``plainlang.toml`` found at ``path`` (its folder is the project root).

    Every key of every table is checked against :data:`SCHEMA` (type, range, choices, a
    list naming one thing twice, an unknown key with the closest known one) before
    anything is read from it; every error names the line of its key.
    """
    lines = _Lines(Path(path.name), text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        loc = SourceLocation(path.name, int(match.group(1)) if match else None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {message}", loc, hint="fix the TOML syntax") from exc
    _validate_table(data, SCHEMA, "", lines)
    project = data.get("project")
    if not isinstance(project, dict):
        raise ConfigError("missing [project] table", SourceLocation(path.name, 1))
    source = normalize_locale(project.get("source_locale", "en"))
    locales = tuple(normalize_locale(c) for c in project.get("locales", []))
    if len(set(locales)) != len(locales):
        raise ConfigError("a locale is listed twice in 'locales'", lines.of("project", "locales"))
    if source in locales:
        raise ConfigError(
            f"the source locale '{source}' is also in 'locales'",
            lines.of("project", "locales"),
            hint="list only the locales you translate into",
        )
    theme = Theme(path.parent / "templates")
    layout_specs, audience_specs, ui_strings, added = _layouts_and_audiences(data, lines, theme)
    audiences = tuple(project.get("audiences", [*_shipped_audiences(theme), *added]))
    if not audiences:
        raise ConfigError(
            "'audiences' in [project] is empty: no leaflet would be made",
            lines.of("project", "audiences"),
            hint='name at least one, e.g. audiences = ["youth"]',
        )
    for audience in audiences:
        if not _NAME_RE.fullmatch(audience):
            raise ConfigError(
                f"audience '{audience}' must be lower-case letters, digits or '-'",
                lines.of("project", "audiences"),
            )
        if audience not in audience_specs:
            raise ConfigError(
                f"unknown audience '{audience}'",
                lines.of("project", "audiences"),
                hint=f"add [audiences.{audience}] with a label, or choose from: "
                f"{', '.join(audience_specs)}",
            )
    for audience in added:
        if audience not in audiences:
            raise ConfigError(
                f"[audiences.{audience}] configures an audience that is not in 'audiences'",
                lines.of(f"audiences.{audience}"),
                hint=f"add '{audience}' to audiences in [project], or remove the table",
            )
    layouts = tuple(project.get("layouts", ["trifold"]))
    for layout in layouts:
        if layout not in layout_specs:
            raise ConfigError(
                f"unknown layout '{layout}'",
                lines.of("project", "layouts"),
                hint=f"add [layouts.{layout}], or choose from: {', '.join(layout_specs)}",
            )
    formats = tuple(project.get("formats", DEFAULT_FORMATS))
    contact = project.get("contact")
    if contact and contact.startswith(("http://", "https://")) and len(contact) > MAX_QR_CHARS:
        raise ConfigError(
            f"'contact' is a {len(contact)}-character address, printed as a QR code;"
            f" at most {MAX_QR_CHARS} characters scan from paper",
            lines.of("project", "contact"),
            hint="use a shorter address, such as a short link",
        )
    locale_tables = data.get("locales", {})
    info: dict[str, LocaleInfo] = {}
    normalized_tables = {normalize_locale(k): (k, v) for k, v in locale_tables.items()}
    for code, (raw, _settings) in normalized_tables.items():
        if code not in locales and code != source:
            raise ConfigError(
                f"[locales.{raw}] configures a locale that is not in 'locales'",
                lines.of(f"locales.{raw}"),
                hint=f"add '{code}' to locales in [project], or remove the table",
            )
    for code in (source, *locales):
        raw, settings = normalized_tables.get(code, (code, {}))
        table = f"locales.{raw}" if code in normalized_tables else "project"
        key_name: str | None = None if code in normalized_tables else "locales"
        info[code] = describe_locale(
            code,
            settings,
            location=lines.of(table, key_name),
            plural_location=lines.of(table, "plural_forms") if "plural_forms" in settings else None,
        )
    for code, item in info.items():
        for fb in item.fallback:
            if fb not in info:
                raise ConfigError(
                    f"fallback '{fb}' of '{code}' is not a configured locale",
                    lines.of(f"locales.{normalized_tables[code][0]}", "fallback"),
                    hint=f"add '{fb}' to locales, or remove it from the fallback list",
                )
    return ProjectConfig(
        root=path.parent,
        name=project.get("name", path.parent.resolve().name),
        source_locale=source,
        locales=locales,
        audiences=audiences,
        layouts=layouts,
        locale_info=info,
        publisher=project.get("publisher"),
        author=project.get("author"),
        contact=contact,
        checks=data.get("checks", {}),
        build=data.get("build", {}),
        layout_specs=layout_specs,
        audience_specs={name: audience_specs[name] for name in audiences},
        ui_strings=tuple(string for name in ("", *audiences) for string in ui_strings[name]),
        formats=formats,
        locations={"project.formats": lines.of("project", "formats")},
        config_lines=tuple(lines.lines),
        print_profiles=parse_print_profiles(data.get("print", {}), lines.of),
    )


def find_project_root(start: Path) -> Path | None:
    """The folder holding ``plainlang.toml``: ``start`` or its nearest parent, as git does.

    None when neither ``start`` nor any folder above it has one. Anything named
    ``plainlang.toml`` counts (a folder of that name is an error :func:`load_config` names).
    """
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_NAME).exists():
            return candidate
    return None


#: A plainlang.toml is a few dozen lines; more than this is not one.
MAX_CONFIG_BYTES = 1_000_000


def load_config(root: Path) -> ProjectConfig:
    """Read ``<root>/plainlang.toml``; a missing file is a usage error that says what to do."""
    data = read_project_file(
        root / CONFIG_NAME,
        root,
        max_bytes=MAX_CONFIG_BYTES,
        error=ConfigError,
        shown=CONFIG_NAME,
        missing_ok=True,
    )
    if data is None:
        raise UsageError(
            f"no {CONFIG_NAME} in {root}",
            hint="run plainlang in a project folder, or pass --project DIR",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_at(data, exc.start)
        raise ConfigError(
            "not valid UTF-8", SourceLocation(CONFIG_NAME, line), hint="save the file as UTF-8"
        ) from exc
    # Notepad saves UTF-8 with a byte order mark, which TOML does not allow; it is no error.
    return parse_config(text.removeprefix("\ufeff"), root / CONFIG_NAME)
