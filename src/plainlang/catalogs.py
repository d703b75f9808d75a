"""Catalogs: extract POT templates, create and update PO files, compile MO, count coverage.

The promise to translators is GNU gettext's: an update never drops a translation. A changed
source segment keeps its old translation as fuzzy with the previous msgid (``#|``); a removed
one becomes obsolete (``#~``); a segment that comes back gets its obsolete translation back.
Files are read and written by :mod:`plainlang.po` (as msgfmt reads them, as msgcat writes
them), atomically, and only when their bytes would change, so running any step twice
leaves ``git status`` clean.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from plainlang.config import LocaleInfo, ProjectConfig, source_date_epoch
from plainlang.content import Case, Segment, case_paths, load_case
from plainlang.errors import (
    CatalogError,
    ContentError,
    SourceLocation,
    TemplateError,
    display_path,
    line_at,
)
from plainlang.fsio import remove_stale_temp_files, write_bytes_atomic, write_if_changed
from plainlang.po import PO_WIDTH, Catalog, Entry, write_po
from plainlang.po import load_po as _load_po_file

__all__ = ["PO_WIDTH", "UI_DOMAIN"]

UI_DOMAIN = "ui"
# Room a segment has on the tightest layout, in characters; written as ``#. max-length: N``
# for people and as Weblate's ``max-length:N`` flag, which Weblate enforces.
LENGTH_BUDGETS = {"title": 70, "heading": 60, "summary": 200, "attribution": 80, "cell": 40}
_HAS_LETTER = re.compile(r"[^\W\d_]")
_MAX_LENGTH_FLAG = re.compile(r"max-length:\d+")


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


def load_po(path: Path, root: Path, *, domain: str | None = None) -> Catalog:
    """Read a PO or POT file of the project (see :func:`plainlang.po.read_po`)."""
    return _load_po_file(path, display_path(path, root), root=root)


def serialize_po(catalog: Catalog) -> bytes:
    """PO bytes as plainlang always writes them: as msgcat writes them."""
    return write_po(catalog)


def source_date() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    return source_date_epoch() or dt.datetime.now(dt.UTC).replace(microsecond=0)


def _po_date(when: dt.datetime) -> str:
    """A header date as xgettext writes it: ``2026-11-26 16:51+0000``."""
    return when.strftime("%Y-%m-%d %H:%M%z")


# -- extract -------------------------------------------------------------------------------


def _header(fields: Sequence[tuple[str, str]], comments: Sequence[str]) -> Entry:
    return Entry(
        msgid="", msgstr="".join(f"{k}: {v}\n" for k, v in fields), tcomments=list(comments)
    )


def _new_template(config: ProjectConfig, domain: str) -> Catalog:
    header = _header(
        [
            ("Project-Id-Version", f"{config.name} 1.0"),
            ("Report-Msgid-Bugs-To", config.contact or ""),
            ("POT-Creation-Date", _po_date(source_date())),
            ("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE"),
            ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
            ("Language-Team", "LANGUAGE <LL@li.org>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        [
            f"Translations template for {config.name}, domain '{domain}'.",
            "Generated by `plainlang extract`: edit the source, not this file.",
        ],
    )
    return Catalog(entries=[header], path=f"locales/{domain}.pot", template=True)


def case_template(config: ProjectConfig, case: Case) -> Catalog:
    """The POT catalog of one case: one entry per distinct text with letters, in source order."""
    catalog = _new_template(config, case.id)
    grouped: dict[str, list[Segment]] = {}
    for segment in case.segments():
        if "\x04" in segment.msgid:
            raise ContentError(
                "a control character (U+0004) that a gettext catalog cannot hold",
                SourceLocation(case.path, segment.line),
                hint="remove the invisible character at that line",
            )
        if needs_translation(segment.msgid):
            grouped.setdefault(segment.msgid, []).append(segment)
    for msgid, segments in grouped.items():
        comments = segment_comments(segments)
        budget = next((c for c in comments if c.startswith("max-length: ")), None)
        catalog.entries.append(
            Entry(
                msgid=msgid,
                occurrences=sorted({(case.path, s.line) for s in segments}),
                comments=comments,
                flags=[f"max-length:{budget.split(': ')[1]}"] if budget else [],
            )
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
    """The POT catalog of the ``ui`` domain: strings in the Jinja2 templates.

    Babel extracts them (with Jinja's extractor); ``python-format`` marks those with a
    ``%(name)s`` placeholder, as Babel and xgettext mark them.
    """
    from babel.messages.catalog import PYTHON_FORMAT
    from babel.messages.extract import extract
    from jinja2.ext import babel_extract

    catalog = _new_template(config, UI_DOMAIN)
    by_key: dict[tuple[str | None, str], Entry] = {}
    theme = config.theme
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
            ids = (message,) if isinstance(message, str) else tuple(message)
            key = ids[0]
            if not key:
                continue
            existing = by_key.get((context, key))
            if existing is None:
                existing = Entry(
                    msgid=key,
                    msgctxt=context,
                    msgid_plural=ids[1] if len(ids) > 1 else None,
                    msgstr_plural=["", ""] if len(ids) > 1 else [],
                    comments=["kind: ui"],
                    flags=["python-format"] if any(PYTHON_FORMAT.search(i) for i in ids) else [],
                )
                by_key[(context, key)] = existing
                catalog.entries.append(existing)
            if (shown, lineno) not in existing.occurrences:
                existing.occurrences.append((shown, lineno))
            for comment in comments:
                if comment not in existing.comments:
                    existing.comments.append(comment)
    for entry in catalog.entries:
        entry.occurrences.sort()
    return catalog


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
            date = old.header_field("POT-Creation-Date")
            if date is not None:
                catalog.set_header_field("POT-Creation-Date", date)
                if write_po(catalog) == path.read_bytes():
                    return False
        except CatalogError:
            pass  # a broken POT is simply regenerated
    catalog.set_header_field("POT-Creation-Date", _po_date(source_date()))
    write_bytes_atomic(path, write_po(catalog))
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
    remove_stale_temp_files(config.locales_dir)
    templates.append((UI_DOMAIN, ui_template(config)))
    changes = []
    for domain, catalog in templates:
        path = pot_path(config, domain)
        changes.append(FileChange(path, _write_template(path, catalog, config.root)))
    return changes


# -- init and update -------------------------------------------------------------------------


def new_catalog(template: Catalog, info: LocaleInfo, domain: str) -> Catalog:
    """A fresh PO catalog for ``info`` from ``template``, like ``msginit``."""
    get = template.header_field
    header = _header(
        [
            ("Project-Id-Version", get("Project-Id-Version") or "PACKAGE VERSION"),
            ("Report-Msgid-Bugs-To", get("Report-Msgid-Bugs-To") or ""),
            ("POT-Creation-Date", get("POT-Creation-Date") or _po_date(source_date())),
            ("PO-Revision-Date", _po_date(source_date())),
            ("Last-Translator", "FULL NAME <EMAIL@ADDRESS>"),
            ("Language-Team", f"{info.english_name} ({info.name})"),
            ("Language", info.code),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Plural-Forms", info.plural_forms),
        ],
        [
            f"{info.english_name} ({info.name}) translations for "
            f"{(get('Project-Id-Version') or '').removesuffix(' 1.0')}, domain '{domain}'.",
            "Edit this file in Poedit, Weblate or any PO editor; `plainlang update` keeps "
            "your work.",
        ],
    )
    catalog = Catalog(entries=[header], path=f"{info.code}/{domain}.po")
    for entry in template:
        catalog.entries.append(_fresh(entry, info.nplurals))
    return catalog


def _fresh(entry: Entry, nplurals: int) -> Entry:
    """An untranslated copy of a template entry for a locale with ``nplurals`` forms."""
    return Entry(
        msgid=entry.msgid,
        msgctxt=entry.msgctxt,
        msgid_plural=entry.msgid_plural,
        msgstr_plural=[""] * nplurals if entry.msgid_plural is not None else [],
        flags=[f for f in entry.flags if f != "fuzzy"],
        comments=list(entry.comments),
        occurrences=list(entry.occurrences),
    )


#: Fuzzy matching compares each new msgid with every translated old one (difflib, as Babel
#: and msgmerge do): a case of 1,000 sentences all edited took 90 s, of 10,000 hours. Past
#: this many comparisons in one catalog, the remaining new msgids get no fuzzy suggestion;
#: the old translations are kept all the same (obsolete, where a returning sentence finds
#: them again).
FUZZY_MATCH_BUDGET = 20_000
#: How alike two msgids must be (difflib's ratio) for an old translation to be offered.
FUZZY_CUTOFF = 0.6


@dataclass
class _Budget:
    left: int = FUZZY_MATCH_BUDGET


def close_match(
    word: str, candidates: Sequence[str], budget: _Budget, cutoff: float = FUZZY_CUTOFF
) -> str | None:
    """The candidate most like ``word`` (ratio >= cutoff), spending ``budget`` comparisons."""
    if not candidates or budget.left < len(candidates):
        budget.left = 0 if candidates else budget.left
        return None
    budget.left -= len(candidates)
    best: tuple[float, str] | None = None
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff and (best is None or ratio > best[0]):
                best = (ratio, candidate)
    return best[1] if best is not None else None


def _has_translation(entry: Entry) -> bool:
    return any(entry.strings)


def _merged_flags(old: Entry, new: Entry, fuzzy: bool) -> list[str]:
    """The template's flags (its budget, its formats), the translator's own, and fuzzy."""
    template_flags = [f for f in new.flags if f != "fuzzy"]
    own = [
        f
        for f in old.flags
        if f not in template_flags
        and f != "fuzzy"
        and not f.endswith("-format")
        and not _MAX_LENGTH_FLAG.fullmatch(f)
    ]
    return (["fuzzy"] if fuzzy else []) + template_flags + own


def _carry(old: Entry, new: Entry, nplurals: int) -> tuple[str, list[str], bool]:
    """Move ``old``'s translation onto ``new``'s shape: (msgstr, forms, needs review).

    A singular translation becomes the first form of a plural entry and the reverse (the
    first form); either change makes it fuzzy, as msgmerge does.
    """
    if (old.msgid_plural is None) == (new.msgid_plural is None):
        if new.msgid_plural is None:
            return old.msgstr, [], False
        forms = list(old.msgstr_plural)
        return "", forms, False
    if new.msgid_plural is None:
        return (old.msgstr_plural[0] if old.msgstr_plural else ""), [], True
    return "", [old.msgstr] + [""] * max(nplurals - 1, 0), True


def merge(
    catalog: Catalog, template: Catalog, *, memory: TranslationMemory | None = None
) -> Catalog:
    """Merge ``template`` into ``catalog`` (msgmerge --previous), never dropping a translation.

    Each template entry keeps the translation of the same (msgctxt, msgid) in the catalog,
    active or obsolete; else the closest old translation comes as fuzzy with the previous
    msgid (``#|``); else ``memory`` (other catalogs of the locale, compendia) may offer
    one, as fuzzy, with a comment saying where from. Old entries no entry kept become
    obsolete. The header is the catalog's own; only POT-Creation-Date follows the template.
    """
    plural_rule = catalog.plural_forms
    nplurals = plural_rule.nplurals if plural_rule is not None else 2
    old_active = {e.key: e for e in catalog.entries if not e.obsolete and not e.is_header}
    old_obsolete = {e.key: e for e in catalog.entries if e.obsolete}
    wanted = {e.key for e in template}
    # Old translations no template entry asks for: what fuzzy matching may offer.
    leftovers = [e for k, e in old_active.items() if k not in wanted and _has_translation(e)]
    leftovers += [e for k, e in old_obsolete.items() if k not in wanted and _has_translation(e)]
    by_msgid: dict[str, Entry] = {}
    for e in leftovers:
        by_msgid.setdefault(e.msgid, e)
    candidates = list(by_msgid)
    budget = _Budget()
    used: set[tuple[str | None, str]] = set()
    merged: list[Entry] = []
    for new in template:
        old = old_active.get(new.key) or old_obsolete.get(new.key)
        entry = _fresh(new, nplurals)
        if old is not None:
            used.add(old.key)
            msgstr, forms, changed = _carry(old, new, nplurals)
            entry.msgstr, entry.msgstr_plural = msgstr, forms or entry.msgstr_plural
            fuzzy = old.fuzzy or changed
            entry.flags = _merged_flags(old, new, fuzzy and _has_translation(entry))
            entry.tcomments = list(old.tcomments)
            if entry.fuzzy and old.has_previous:
                entry.previous_msgctxt = old.previous_msgctxt
                entry.previous_msgid = old.previous_msgid
                entry.previous_msgid_plural = old.previous_msgid_plural
        else:
            match = close_match(new.msgid, candidates, budget) if candidates else None
            if match is not None:
                old = by_msgid[match]
                used.add(old.key)  # its translation lives on here, not as obsolete
                msgstr, forms, _ = _carry(old, new, nplurals)
                entry.msgstr, entry.msgstr_plural = msgstr, forms or entry.msgstr_plural
                entry.flags = _merged_flags(old, new, True)
                entry.tcomments = list(old.tcomments)
                entry.previous_msgctxt = old.msgctxt
                entry.previous_msgid = old.msgid
                entry.previous_msgid_plural = old.msgid_plural
            elif memory is not None:
                memory.fill(entry)
        merged.append(entry)
    obsolete: list[Entry] = []
    for key, old in (*old_active.items(), *old_obsolete.items()):
        if key in used or key in wanted or not _has_translation(old):
            continue
        obsolete.append(
            Entry(
                msgid=old.msgid,
                msgctxt=old.msgctxt,
                msgid_plural=old.msgid_plural,
                msgstr=old.msgstr,
                msgstr_plural=list(old.msgstr_plural),
                flags=[f for f in old.flags if not _MAX_LENGTH_FLAG.fullmatch(f)],
                tcomments=list(old.tcomments),
                previous_msgctxt=old.previous_msgctxt,
                previous_msgid=old.previous_msgid,
                previous_msgid_plural=old.previous_msgid_plural,
                obsolete=True,
            )
        )
    header = catalog.header
    catalog.entries = ([header] if header is not None else []) + merged + obsolete
    catalog.invalidate()
    template_header = template.header
    if header is not None and template_header is not None:
        header.msgstr = merged_header(header.msgstr, template_header.msgstr)
    if header is not None and template.charset == "UTF-8":
        # msgmerge writes the merge in the template's encoding when that is UTF-8 (a
        # Latin-1 catalog comes out in UTF-8) and spells it so ("utf-8" becomes "UTF-8").
        header.msgstr = _CHARSET.sub("charset=UTF-8", header.msgstr, count=1)
        catalog.charset = "UTF-8"
    return catalog


_CHARSET = re.compile(r"charset=[^\s]*")


# The header fields msgmerge knows, in the order it writes them; the others follow as they were.
_MSGMERGE_FIELDS = (
    "Project-Id-Version:", "Report-Msgid-Bugs-To:", "POT-Creation-Date:", "PO-Revision-Date:",
    "Last-Translator:", "Language-Team:", "Language:", "MIME-Version:", "Content-Type:",
    "Content-Transfer-Encoding:",
)  # fmt: skip


def merged_header(catalog_header: str, template_header: str) -> str:
    """The catalog's header as msgmerge writes it after a merge (msgmerge.c).

    Its known fields in gettext's order, each value as the translator's tool wrote it,
    then every other field (Plural-Forms, X-Generator...) as it was;
    ``Report-Msgid-Bugs-To`` and ``POT-Creation-Date`` come from the template.
    """
    known: dict[int, str] = {}
    others: list[str] = []
    for line in catalog_header.splitlines(keepends=True) if catalog_header else []:
        line = line if line.endswith("\n") else line + "\n"
        for index, name in enumerate(_MSGMERGE_FIELDS):
            if line[: len(name)].lower() == name.lower():
                known[index] = line[len(name) :]
                break
        else:
            others.append(line)
    for index in (1, 2):
        name = _MSGMERGE_FIELDS[index]
        at = template_header.find(name)
        if at >= 0:
            end = template_header.find("\n", at)
            value = template_header[at + len(name) : end if end >= 0 else None]
            known[index] = value + "\n"
    return "".join(
        _MSGMERGE_FIELDS[i] + known[i] for i in range(len(_MSGMERGE_FIELDS)) if i in known
    ) + "".join(others)


def update_locale(
    config: ProjectConfig,
    locale: str,
    domains_: Sequence[str] | None = None,
    *,
    compendia: Sequence[Path] = (),
    read: dict[Path, Catalog] | None = None,
) -> list[FileChange]:
    """Merge every POT into ``locale``'s PO files, creating the missing ones.

    All files are read and merged in memory first; only then is anything written.
    ``read`` holds catalogs already read in this run (each file is read once).
    """
    info = config.locale(locale)
    domains = list(domains_) if domains_ is not None else pot_domains(config)
    cache = read if read is not None else {}

    def get(path: Path) -> Catalog:
        if path not in cache:
            cache[path] = load_po(path, config.root)
        return cache[path]

    memory = TranslationMemory.for_locale(config, info.code, compendia, get=get)
    remove_stale_temp_files(config.locales_dir)
    planned: list[tuple[Path, bytes]] = []
    for domain in domains:
        template = get(pot_path(config, domain))
        path = po_path(config, info.code, domain)
        memory.current = display_path(path, config.root)
        if path.exists():
            catalog = cache.pop(path, None) or load_po(path, config.root)
            _complete_header(catalog, info)
            merge(catalog, template, memory=memory)
        else:
            catalog = new_catalog(template, info, domain)
            for entry in catalog:
                memory.fill(entry)
        planned.append((path, write_po(catalog)))
    return [FileChange(path, write_if_changed(path, data)) for path, data in planned]


def _complete_header(catalog: Catalog, info: LocaleInfo) -> None:
    """Give a catalog whose header names no language the language and plural rule of its
    folder (older gettext did not write ``Language``); everything else it has stays."""
    if catalog.language is None:
        catalog.set_header_field("Language", info.code, after="Language-Team")
    if catalog.header_field("Plural-Forms") is None:
        catalog.set_header_field("Plural-Forms", info.plural_forms)


def init_locale(config: ProjectConfig, locale: str) -> list[FileChange]:
    """Create ``locale``'s catalogs for every domain (existing files are merged, not replaced)."""
    if not pot_domains(config):
        raise CatalogError(
            "no POT files yet", SourceLocation("locales/"), hint="run plainlang extract first"
        )
    remove_stale_temp_files(config.locales_dir)
    return update_locale(config, locale)


def update(
    config: ProjectConfig,
    locales: Sequence[str] | None = None,
    *,
    compendia: Sequence[Path] = (),
) -> list[FileChange]:
    """Merge every POT into every configured locale's PO files (msgmerge, safely).

    ``compendia`` are translation memories (PO or TMX) given on the command line, on top
    of each locale's ``compendium`` list in plainlang.toml.
    """
    domains_ = pot_domains(config)
    if not domains_:
        raise CatalogError(
            "no POT files yet", SourceLocation("locales/"), hint="run plainlang extract first"
        )
    remove_stale_temp_files(config.locales_dir)
    # Read every catalog before writing any: a broken PO stops the run with nothing changed.
    targets = list(locales) if locales is not None else list(config.locales)
    read: dict[Path, Catalog] = {}
    for domain in domains_:
        read[pot_path(config, domain)] = load_po(pot_path(config, domain), config.root)
    for locale in targets:
        for domain in domains_:
            path = po_path(config, locale, domain)
            if path.exists():
                read[path] = load_po(path, config.root)
    changes: list[FileChange] = []
    for locale in targets:
        changes.extend(update_locale(config, locale, domains_, compendia=compendia, read=read))
    return changes


# -- compile -------------------------------------------------------------------------------


def mo_bytes(catalog: Catalog, *, use_fuzzy: bool = False) -> bytes:
    """The catalog as a GNU MO file (what msgfmt writes, without its optional hash table).

    The header and every translated entry (fuzzy ones only with ``use_fuzzy``), sorted by
    msgid bytes; a context is ``msgctxt\\x04msgid``, plural forms are NUL-separated.
    """
    codec = "utf-8"
    from plainlang.po import _python_codec

    codec = _python_codec(catalog.charset)
    pairs: list[tuple[bytes, bytes]] = []
    for entry in catalog.entries:
        if entry.obsolete or not entry.strings or not entry.strings[0]:
            continue
        if entry.fuzzy and not use_fuzzy and not entry.is_header:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is not None:
            msgid += "\x00" + entry.msgid_plural
        pairs.append(
            (msgid.encode(codec, "surrogateescape"),
             "\x00".join(entry.strings).encode(codec, "surrogateescape"))
        )
    pairs.sort()
    count = len(pairs)
    ids_at = 28
    strs_at = ids_at + 8 * count
    data_at = strs_at + 8 * count
    table_ids: list[int] = []
    table_strs: list[int] = []
    blob = bytearray()
    for key, _ in pairs:
        table_ids += [len(key), data_at + len(blob)]
        blob += key + b"\x00"
    for _, value in pairs:
        table_strs += [len(value), data_at + len(blob)]
        blob += value + b"\x00"
    head = struct.pack("<7I", 0x950412DE, 0, count, ids_at, strs_at, 0, data_at)
    return head + struct.pack(f"<{2 * count}I", *table_ids) + struct.pack(
        f"<{2 * count}I", *table_strs
    ) + bytes(blob)


def compile_catalogs(
    config: ProjectConfig, locales: Sequence[str] | None = None, *, use_fuzzy: bool = False
) -> list[FileChange]:
    """Write an MO file beside every PO file.

    Every PO file is read before any MO file is written: a broken one stops the run with
    nothing changed, not with half the locales compiled from the new catalogs.
    """
    planned: list[tuple[Path, bytes]] = []
    for locale in locales if locales is not None else config.locales:
        for path in sorted((config.locales_dir / locale / "LC_MESSAGES").glob("*.po")):
            catalog = load_po(path, config.root, domain=path.stem)
            planned.append((path.with_suffix(".mo"), mo_bytes(catalog, use_fuzzy=use_fuzzy)))
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


def is_translated(entry: Entry) -> bool:
    return entry.translated()


def coverage(catalog: Catalog, locale: str, domain: str) -> Coverage:
    """Count translated / fuzzy / untranslated entries of a catalog."""
    total = translated = fuzzy = 0
    words = translated_words = 0
    for entry in catalog:
        if not entry.msgid and entry.msgctxt is None:
            continue
        total += 1
        n_words = len(entry.msgid.split())
        words += n_words
        if entry.fuzzy and any(entry.strings):
            fuzzy += 1
        elif entry.translated():
            translated += 1
            translated_words += n_words
    return Coverage(
        locale=locale,
        domain=domain,
        total=total,
        translated=translated,
        fuzzy=fuzzy,
        untranslated=total - translated - fuzzy,
        obsolete=len([e for e in catalog.obsolete_entries() if any(e.strings)]),
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
            if path.exists():
                catalog = load_po(path, config.root, domain=domain)
            else:
                catalog = load_po(pot_path(config, domain), config.root, domain=domain)
            out.append(coverage(catalog, locale, domain))
    return out


def iter_po_files(config: ProjectConfig) -> Iterator[Path]:
    for locale in config.locales:
        yield from sorted((config.locales_dir / locale / "LC_MESSAGES").glob("*.po"))


def unlisted_locale_folders(config: ProjectConfig) -> list[Path]:
    """Folders under ``locales/`` with catalogs that plainlang.toml does not list.

    Weblate and Poedit add a language by adding a folder; until the config lists it, no
    leaflet is built in it and no check reads it, so ``stats`` and ``check`` say so.
    """
    if not config.locales_dir.is_dir():
        return []
    listed = {*config.locales, config.source_locale}
    return sorted(
        folder
        for folder in config.locales_dir.iterdir()
        if folder.is_dir()
        and folder.name not in listed
        and any((folder / "LC_MESSAGES").glob("*.po"))
    )


# -- translation memory ---------------------------------------------------------------------


@dataclass
class TranslationMemory:
    """Translations a new entry may borrow: other catalogs of the same locale, compendia.

    :meth:`fill` gives an untranslated entry the translation of the same source text found
    elsewhere (exact match), else of the most similar one (difflib ratio >= FUZZY_CUTOFF,
    within FUZZY_MATCH_BUDGET comparisons), always as fuzzy, with a translator comment
    naming where it came from (and ``#|`` the source it was made for, for a near match).
    It never touches an entry that has a translation.
    """

    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (target, origin)
    locale: str = ""
    current: str = ""
    budget: _Budget = field(default_factory=_Budget)

    @classmethod
    def for_locale(
        cls,
        config: ProjectConfig,
        locale: str,
        compendia: Sequence[Path] = (),
        *,
        get: Callable[[Path], Catalog] | None = None,
    ) -> TranslationMemory:
        memory = cls(locale=locale)
        folder = config.locales_dir / locale / "LC_MESSAGES"
        for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            catalog = get(path) if get is not None else load_po(path, config.root)
            memory.add_catalog(catalog, display_path(path, config.root))
        for path in (*_configured_compendia(config, locale), *compendia):
            memory.add_file(path, config.root)
        return memory

    def add_catalog(self, catalog: Catalog, origin: str) -> None:
        for entry in catalog:
            if entry.translated() and entry.msgid_plural is None and entry.msgid:
                self.units.setdefault(entry.msgid, (entry.msgstr, origin))

    def add_file(self, path: Path, root: Path) -> None:
        shown = display_path(path, root)
        if path.suffix.lower() == ".tmx":
            from plainlang.tmx import read_tmx

            for source, target in read_tmx(path, shown, target_lang=self.locale or None):
                self.units.setdefault(source, (target, shown))
        else:
            self.add_catalog(load_po(path, root), shown)

    def fill(self, entry: Entry) -> None:
        if _has_translation(entry) or entry.msgid_plural is not None or not entry.msgid:
            return
        found = self.units.get(entry.msgid)
        if found is not None and found[1] != self.current:
            entry.msgstr = found[0]
            entry.fuzzy = True
            entry.tcomments.append(f"plainlang: translation memory, from {found[1]}")
            return
        others = [s for s, (_, origin) in self.units.items() if origin != self.current]
        match = close_match(entry.msgid, others, self.budget) if others else None
        if match is not None:
            target, origin = self.units[match]
            entry.msgstr = target
            entry.fuzzy = True
            entry.previous_msgid = match
            entry.tcomments.append(f"plainlang: translation memory (near match), from {origin}")


def _configured_compendia(config: ProjectConfig, locale: str) -> list[Path]:
    """``[locales.L] compendium = [...]``: files inside the project (else a config error)."""
    info = config.locale_info.get(locale)
    out = []
    for rel in info.compendium if info is not None else ():
        path = (config.root / rel).resolve()
        if not path.is_relative_to(config.root.resolve()) or not path.is_file():
            raise CatalogError(
                f"compendium {rel!r} of [locales.{locale}] "
                + ("is outside the project" if not path.is_relative_to(config.root.resolve())
                   else "not found"),
                SourceLocation("plainlang.toml"),
                hint="list translation memories inside the project, e.g. tm/qu.po",
            )
        out.append(path)
    return out


def confined_compendium(config: ProjectConfig, path: Path) -> Path:
    """A compendium named on the command line, if it is a file inside the project."""
    resolved = path.resolve()
    if not resolved.is_relative_to(config.root.resolve()):
        raise CatalogError(
            f"compendium {path} is outside the project",
            SourceLocation(str(path)),
            hint="copy the translation memory into the project, e.g. tm/",
        )
    if not resolved.is_file():
        raise CatalogError("compendium not found", SourceLocation(str(path)))
    return resolved


def export_tmx(config: ProjectConfig, locale: str) -> tuple[bytes, int]:
    """TMX 1.4 bytes of every translated entry of ``locale``'s catalogs, and their count."""
    from plainlang.tmx import tmx_bytes, units_of

    folder = config.locales_dir / locale / "LC_MESSAGES"
    if locale not in config.locales or not folder.is_dir():
        raise CatalogError(
            f"no catalogs for locale '{locale}'",
            SourceLocation(display_path(folder, config.root)),
            hint="run plainlang update first, or check the locale code",
        )
    catalogs = [(p.stem, load_po(p, config.root)) for p in sorted(folder.glob("*.po"))]
    units = units_of(catalogs)
    return tmx_bytes(units, source_lang=config.source_locale, target_lang=locale), len(units)
