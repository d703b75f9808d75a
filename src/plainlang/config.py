"""Project configuration: ``plainlang.toml`` and what each locale is called and how it plurals.

Language names come from Babel (CLDR) first, then langcodes, then the config; plural forms
from Babel, else the config. A locale that none of them knows is a config error, not a guess.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plainlang.errors import ConfigError, SourceLocation, UsageError, line_at
from plainlang.printing import SHIPPED_PROFILES, PrintProfile, parse_print_profiles
from plainlang.theme import Theme

CONFIG_NAME = "plainlang.toml"
KNOWN_LAYOUTS = ("trifold", "flyer", "phone")
DEFAULT_AUDIENCES = ("youth", "women", "municipality")

_PROJECT_KEYS = {
    "name": str,
    "source_locale": str,
    "locales": list,
    "audiences": list,
    "layouts": list,
    "publisher": str,
    "author": str,
    "contact": str,
    "date": str,
}
_LOCALE_KEYS = {
    "name": str,
    "english_name": str,
    "plural_forms": str,
    "fallback": list,
    "use_fuzzy": bool,
    "min_coverage": (int, float),
    "voice": str,
    "compendium": list,
}
_TOP_KEYS = {"project", "locales", "checks", "build", "layouts", "print"}
_BUILD_KEYS = {"min_coverage": (int, float), "strict": bool}
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


def _check_keys(
    data: Mapping[str, Any], allowed: Mapping[str, Any], table: str, lines: _Lines
) -> None:
    for key, value in data.items():
        if key not in allowed:
            raise ConfigError(
                f"unknown key '{key}' in [{table}]",
                lines.of(table, key),
                hint=f"known keys: {', '.join(sorted(allowed))}",
            )
        expected = allowed[key]
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            names = (
                " or ".join(t.__name__ for t in expected)
                if isinstance(expected, tuple)
                else expected.__name__
            )
            raise ConfigError(
                f"'{key}' in [{table}] must be a {names}, not {type(value).__name__}",
                lines.of(table, key),
            )
        if expected is list and not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"'{key}' in [{table}] must be a list of strings", lines.of(table, key)
            )


def parse_config(text: str, path: Path) -> ProjectConfig:
    """Parse the text of a ``plainlang.toml`` found at ``path`` (its folder is the project root)."""
    lines = _Lines(Path(path.name), text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        loc = SourceLocation(path.name, int(match.group(1)) if match else None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"not valid TOML: {message}", loc, hint="fix the TOML syntax") from exc
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"unknown table [{key}]",
                lines.of(key),
                hint=f"known tables: {', '.join(sorted(_TOP_KEYS))}",
            )
    project = data.get("project")
    if not isinstance(project, dict):
        raise ConfigError("missing [project] table", SourceLocation(path.name, 1))
    _check_keys(project, _PROJECT_KEYS, "project", lines)
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
    for audience in audiences:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", audience):
            raise ConfigError(
                f"audience '{audience}' must be lower-case letters, digits or '-'",
                lines.of("project", "audiences"),
            )
    layouts = tuple(project.get("layouts", ["trifold"]))
    for layout in layouts:
        if layout not in KNOWN_LAYOUTS:
            raise ConfigError(
                f"unknown layout '{layout}'",
                lines.of("project", "layouts"),
                hint=f"known layouts: {', '.join(KNOWN_LAYOUTS)}",
            )
    locale_tables = data.get("locales", {})
    if not isinstance(locale_tables, dict):
        raise ConfigError("[locales] must be a table of tables", lines.of("locales"))
    info: dict[str, LocaleInfo] = {}
    normalized_tables = {normalize_locale(k): (k, v) for k, v in locale_tables.items()}
    for code, (raw, settings) in normalized_tables.items():
        if not isinstance(settings, dict):
            raise ConfigError(f"[locales.{raw}] must be a table", lines.of("locales", raw))
        _check_keys(settings, _LOCALE_KEYS, f"locales.{raw}", lines)
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
    build = data.get("build", {})
    if not isinstance(build, dict):
        raise ConfigError("[build] must be a table", lines.of("build"))
    _check_keys(build, _BUILD_KEYS, "build", lines)
    checks = data.get("checks", {})
    if not isinstance(checks, dict):
        raise ConfigError("[checks] must be a table", lines.of("checks"))
    layout_options = data.get("layouts", {})
    if not isinstance(layout_options, dict):
        raise ConfigError("[layouts] must be a table", lines.of("layouts"))
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
        contact=project.get("contact"),
        checks=checks,
        build=build,
        layout_options=layout_options,
        print_profiles=parse_print_profiles(data.get("print", {}), lines.of),
    )


def load_config(root: Path) -> ProjectConfig:
    """Read ``<root>/plainlang.toml``; a missing file is a usage error that says what to do."""
    path = root / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"no {CONFIG_NAME} in {root}",
            hint="run plainlang in a project folder, or pass --project DIR",
        ) from None
    except UnicodeDecodeError as exc:
        line = line_at(exc.object, exc.start)
        raise ConfigError(
            "not valid UTF-8", SourceLocation(CONFIG_NAME, line), hint="save the file as UTF-8"
        ) from exc
    except OSError as exc:  # a folder of that name, no permission
        raise ConfigError(f"cannot read: {exc.strerror}", SourceLocation(CONFIG_NAME)) from exc
    # Notepad saves UTF-8 with a byte order mark, which TOML does not allow; it is no error.
    return parse_config(text.removeprefix("\ufeff"), path)
