"""Project configuration: ``plainlang.toml`` and what each locale is called and how it plurals.

Language names come from Babel (CLDR) first, then langcodes, then the config; plural forms
from Babel, else the config. A locale that none of them knows is a config error, not a guess.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plainlang.errors import ConfigError, SourceLocation, UsageError, line_at
from plainlang.fsio import read_project_file
from plainlang.printing import SHIPPED_PROFILES, PrintProfile, parse_print_profiles
from plainlang.theme import Theme

CONFIG_NAME = "plainlang.toml"
KNOWN_LAYOUTS = ("trifold", "flyer", "phone")
DEFAULT_AUDIENCES = ("youth", "women", "municipality")

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
    layout_options: Mapping[str, Any] = field(default_factory=dict)
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
        pattern = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
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
                "layouts": Key("strings", unique=True, choices=KNOWN_LAYOUTS, what="layout"),
                "publisher": Key("str"),
                "author": Key("str"),
                "contact": Key("str"),
                "date": Key("date"),
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
                    {**_PLAIN_KEYS, "avoid_words_dir": Key("str")},
                    each=Table(_PLAIN_KEYS),
                    each_what="language",
                ),
            }
        ),
        "layouts": Table(
            each=Table(
                {
                    "template": Key("str"),
                    "stylesheet": Key("str"),
                    "size": Key("str"),
                    "pages": Key("int", low=1, high=100),
                }
            ),
            each_pattern=_NAME,
            each_what="layout",
        ),
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
    audiences = tuple(project.get("audiences", DEFAULT_AUDIENCES))
    if not audiences:
        raise ConfigError(
            "'audiences' in [project] is empty: no leaflet would be made",
            lines.of("project", "audiences"),
            hint='name at least one, e.g. audiences = ["youth"]',
        )
    layouts = tuple(project.get("layouts", ["trifold"]))
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
        layout_options=data.get("layouts", {}),
        config_lines=tuple(lines.lines),
        print_profiles=parse_print_profiles(data.get("print", {}), lines.of),
    )


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
