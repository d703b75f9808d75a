"""The project glossary: key terms and their approved translation in each locale.

A glossary keeps a case's key words (``public office``, ``request``) translated the same
way in every leaflet, so a reader who learns a word on one leaflet recognises it on the
next. Two formats are read:

- **CSV**, one term a row. The header names the columns: the first is the source term
  (its header is the source locale, e.g. ``en``), the others are locales (``es,qu,ay``),
  and an optional ``note`` column explains the choice to translators. An empty cell means
  "no approved translation for this locale yet" and is not enforced.
- **TBX** (TermBase eXchange, ISO 30042): TBX-Basic/TBX core 2008 (``martif``,
  ``termEntry``/``langSet``/``tig`` or ``ntig``/``term``) and TBX v3 (``tbx``,
  ``conceptEntry``/``langSec``/``termSec``). Terms marked deprecated or superseded are
  skipped; the first remaining term of a language is its approved translation.

TBX files come from outside the project, so they are parsed defensively, as defusedxml
does: entity declarations, internal DTD subsets and external entities are refused (the
"billion laughs" and external-entity attacks need them). A plain ``<!DOCTYPE martif
SYSTEM "TBXBasiccoreStructV02.dtd">`` line, which real TBX-Basic files start with, is
accepted and the DTD is never fetched.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.parsers import expat

from plainlang.errors import ConfigError, SourceLocation, line_at
from plainlang.fsio import read_project_file

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOTE_COLUMNS = frozenset({"note", "notes"})
_DEPRECATED = ("deprecated", "superseded", "obsolete")


def normalize_locale(locale: str) -> str:
    """A locale in one spelling, for comparing: ``es-PE``, ``es_pe`` -> ``es_pe``.

    >>> normalize_locale("es-PE")
    'es_pe'
    """
    return locale.strip().replace("-", "_").lower()


def locale_language(locale: str) -> str:
    """The language part of a locale: ``es_PE`` -> ``es``, ``sr@latin`` -> ``sr``."""
    return re.split(r"[_@.]", normalize_locale(locale), maxsplit=1)[0]


@dataclass(frozen=True)
class Term:
    """One source term and its approved translation per locale.

    ``translations`` keys are locales as the glossary spells them; use
    :meth:`translation_for` to look one up for a catalog's locale.
    """

    source: str
    translations: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    line: int | None = None

    def translation_for(self, locale: str | None) -> str | None:
        """The approved translation for ``locale``: exact locale first, then its language.

        >>> Term("office", {"es": "oficina"}).translation_for("es_PE")
        'oficina'
        """
        if not locale:
            return None
        by_locale = {normalize_locale(k): v for k, v in self.translations.items() if v}
        wanted = normalize_locale(locale)
        if wanted in by_locale:
            return by_locale[wanted]
        return by_locale.get(locale_language(locale))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Whole-word, case-insensitive match of the source term (any run of spaces)."""
        words = (re.escape(w) for w in self.source.split())
        return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Glossary:
    """The terms of one glossary file, in file order."""

    terms: tuple[Term, ...] = ()
    source_locale: str = "en"
    path: str | None = None

    def terms_in(self, text: str) -> Iterator[Term]:
        """The terms whose source form appears in ``text`` (whole word, any case)."""
        for term in self.terms:
            if term.pattern.search(text):
                yield term


#: Largest glossary read: a term list of many thousand rows is a few megabytes.
MAX_GLOSSARY_BYTES = 64 * 1024 * 1024


def load_glossary(
    path: Path,
    *,
    display: str | None = None,
    source_locale: str | None = None,
    root: Path | None = None,
) -> Glossary:
    """Read a glossary file; the format comes from the suffix (``.csv``, ``.tbx``, ``.xml``).

    Raises :class:`~plainlang.errors.ConfigError` naming the file and line of any problem.
    ``source_locale`` overrides the source language a TBX file declares. With ``root`` (the
    project folder) the file must be inside it (see :func:`plainlang.fsio.read_project_file`).
    """
    origin = display or str(path)
    try:
        data = read_project_file(
            path, root, max_bytes=MAX_GLOSSARY_BYTES, error=ConfigError, shown=origin
        )
    except ConfigError as exc:
        raise ConfigError(
            f"cannot read glossary: {exc.message}",
            exc.location,
            hint=exc.hint or "check the [checks] glossary path in plainlang.toml",
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = line_at(data, exc.start)
            raise ConfigError(
                "glossary is not UTF-8 text",
                SourceLocation(origin, line),
                hint="save the CSV as UTF-8",
            ) from exc
        return parse_glossary_csv(text, origin)
    if suffix in {".tbx", ".xml"}:
        return parse_glossary_tbx(data, origin, source_locale=source_locale)
    raise ConfigError(
        f"unknown glossary format {suffix or '(no suffix)'!r}",
        SourceLocation(origin),
        hint="use a .csv or .tbx file",
    )


# --------------------------------------------------------------------------- CSV


def parse_glossary_csv(text: str, origin: str) -> Glossary:
    """A glossary from CSV text: header ``en,es,qu[,note]``, then one term a row.

    >>> g = parse_glossary_csv("en,es,note\\npublic office,oficina pública,\\n", "g.csv")
    >>> g.terms[0].translations["es"]
    'oficina pública'
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if header is None:
            header = _csv_header(cells, origin, line)
            continue
        term = _csv_term(header, cells, origin, line)
        key = term.source.casefold()
        if key in seen:
            raise ConfigError(
                f"term {term.source!r} is listed twice (first on line {seen[key]})",
                SourceLocation(origin, line),
                hint="keep one row per source term",
            )
        seen[key] = line
        terms.append(term)
    if header is None:
        raise ConfigError(
            "glossary is empty: no header row",
            SourceLocation(origin, 1),
            hint="start with a header such as: en,es,qu,ay,note",
        )
    return Glossary(tuple(terms), source_locale=header[0], path=origin)


def _csv_header(cells: list[str], origin: str, line: int) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    for index, name in enumerate(cells):
        if not name:
            raise ConfigError(
                f"column {index + 1} of the header has no name",
                SourceLocation(origin, line),
                hint="name every column: the source locale first, then locales, then note",
            )
    lowered = [c.lower() for c in cells]
    if len(set(lowered)) != len(lowered):
        raise ConfigError("the header names a column twice", SourceLocation(origin, line))
    if lowered[0] in _NOTE_COLUMNS or len(cells) < 2:
        raise ConfigError(
            "the header needs the source locale first and at least one locale after it",
            SourceLocation(origin, line),
            hint="for example: en,es,qu,ay,note",
        )
    return cells


def _csv_term(header: list[str], cells: list[str], origin: str, line: int) -> Term:
    if len(cells) > len(header) and any(cells[len(header) :]):
        raise ConfigError(
            f"row has {len(cells)} cells but the header has {len(header)} columns",
            SourceLocation(origin, line),
            hint="quote cells that contain commas",
        )
    cells = cells + [""] * (len(header) - len(cells))
    source = cells[0]
    if not source:
        raise ConfigError(
            "row has translations but no source term",
            SourceLocation(origin, line),
            hint=f"put the {header[0]} term in the first column",
        )
    note: str | None = None
    translations: dict[str, str] = {}
    for name, value in zip(header[1:], cells[1:], strict=True):
        if name.lower() in _NOTE_COLUMNS:
            note = value or None
        elif value:
            translations[name] = value
    return Term(source, translations, note, line)


# --------------------------------------------------------------------------- TBX


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def refuse_unsafe_xml(data: bytes, origin: str) -> None:
    """Raise :class:`ConfigError` if ``data`` declares entities or an internal DTD subset.

    Entity expansion is how an XML file of a few hundred bytes grows to gigabytes ("billion
    laughs") or reads a local file (external entities); a glossary never needs either. This
    runs expat with handlers that stop at the first declaration, before anything expands.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(what: str) -> ConfigError:
        return ConfigError(
            f"refusing {what}: XML entities and DTD declarations are not allowed in a glossary",
            SourceLocation(origin, parser.CurrentLineNumber),
            hint="remove the <!DOCTYPE ...[...]> block; TBX needs no entities",
        )

    def on_doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if internal:
            raise refuse(f"the internal DTD subset of <!DOCTYPE {name}>")

    def on_entity(name: str, *_: object) -> None:
        raise refuse(f"entity declaration {name!r}")

    def on_external(*_: object) -> int:
        raise refuse("an external entity reference")

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_entity
    parser.ExternalEntityRefHandler = on_external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ConfigError(
            f"glossary is not well-formed XML: {expat.ErrorString(exc.code)}",
            SourceLocation(origin, exc.lineno, exc.offset + 1),
            hint="open it in an XML editor to find the broken tag",
        ) from exc


def parse_glossary_tbx(data: bytes, origin: str, *, source_locale: str | None = None) -> Glossary:
    """A glossary from TBX bytes (TBX-Basic 2008 or TBX v3), refusing entity tricks.

    The source language is ``source_locale``, else the root element's ``xml:lang``, else
    ``en``. Each non-deprecated source term of an entry becomes one :class:`Term` (so
    synonyms share the approved translations).
    """
    refuse_unsafe_xml(data, origin)
    root = ET.fromstring(data)
    if _local(root.tag) not in {"martif", "tbx"}:
        raise ConfigError(
            f"not a TBX file: the root element is <{_local(root.tag)}>",
            SourceLocation(origin, 1),
            hint="a TBX glossary starts with <martif> (TBX 2008) or <tbx> (TBX v3)",
        )
    source = source_locale or root.get(_XML_LANG) or "en"
    terms: list[Term] = []
    for entry in root.iter():
        if _local(entry.tag) in {"termEntry", "conceptEntry"}:
            terms.extend(_tbx_entry_terms(entry, source))
    return Glossary(tuple(terms), source_locale=source, path=origin)


def _tbx_entry_terms(entry: ET.Element, source: str) -> list[Term]:
    sources: list[str] = []
    translations: dict[str, str] = {}
    for lang_set in entry:
        if _local(lang_set.tag) not in {"langSet", "langSec"}:
            continue
        lang = lang_set.get(_XML_LANG) or lang_set.get("lang")
        if not lang:
            continue
        approved = list(_approved_terms(lang_set))
        if not approved:
            continue
        if _same_locale(lang, source):
            sources.extend(approved)
        else:
            translations.setdefault(lang, approved[0])
    note = _tbx_note(entry)
    return [Term(s, dict(translations), note) for s in dict.fromkeys(sources)]


def _same_locale(lang: str, source: str) -> bool:
    a, b = normalize_locale(lang), normalize_locale(source)
    return a == b or locale_language(a) == b or a == locale_language(b)


def _approved_terms(lang_set: ET.Element) -> Iterable[str]:
    """Terms of one language, preferred first, without deprecated or superseded ones."""
    groups = [e for e in lang_set.iter() if _local(e.tag) in {"tig", "ntig", "termSec"}]
    found: list[tuple[int, str]] = []
    if not groups:
        groups = [lang_set]
    for group in groups:
        term = next((e for e in group.iter() if _local(e.tag) == "term"), None)
        if term is None:
            continue
        text = " ".join("".join(term.itertext()).split())
        status = ""
        for note in group.iter():
            if _local(note.tag) == "termNote" and note.get("type") == "administrativeStatus":
                status = "".join(note.itertext()).strip().lower()
        if not text or status.startswith(_DEPRECATED):
            continue
        found.append((0 if status.startswith("preferred") else 1, text))
    found.sort(key=lambda item: item[0])  # stable: file order within each rank
    return [text for _, text in found]


def _tbx_note(entry: ET.Element) -> str | None:
    for element in entry.iter():
        name = _local(element.tag)
        if name == "note" or (name == "descrip" and element.get("type") == "definition"):
            text = " ".join("".join(element.itertext()).split())
            if text:
                return text
    return None
