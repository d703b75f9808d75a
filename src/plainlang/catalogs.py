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
import functools
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
from plainlang.theme import Theme

__all__ = ["PO_WIDTH", "UI_DOMAIN"]

UI_DOMAIN = "ui"
# Room a segment has on the tightest layout, in characters; written as ``#. max-length: N``
# for people and as Weblate's ``max-length:N`` flag, which Weblate enforces.
LENGTH_BUDGETS = {"title": 70, "heading": 60, "summary": 200, "attribution": 80, "cell": 40}
_HAS_LETTER = re.compile(r"[^\W\d_]")
_MAX_LENGTH_FLAG = re.compile(r"max-length:\d+")


def usable(
    message: Entry | None, allow_fuzzy: bool
) -> tuple[str | tuple[str, ...], bool] | None:
    """The message's text (a tuple for plurals) and whether it is a draft; None if unusable.

    A fuzzy entry is a draft only where drafts are allowed, and never when it carries a
    previous msgid (``#|``): that translation was made for a text that has since changed,
    and printing it would print something the source no longer says.
    """
    if message is None:
        return None
    if message.fuzzy and (not allow_fuzzy or message.has_previous):
        return None
    if message.msgid_plural is not None:
        forms = message.strings
        return (forms, message.fuzzy) if forms and all(forms) else None
    return (message.msgstr, message.fuzzy) if message.msgstr else None


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
    """The POT catalog of the ``ui`` domain: every ui string the project's leaflets print.

    The texts of its audiences (labels, next steps: from the theme's ``theme.toml`` or
    the project's ``plainlang.toml``) and the strings of every template, shipped or the
    project's own. It is the whole list, so a team adding a language the theme does not
    have can translate all of it; ``update`` puts in each locale's ``ui.po`` only what the
    theme does not already translate (:func:`ui_entries_for`). Babel extracts the
    templates' strings (with Jinja's extractor); ``python-format`` marks those with a
    ``%(name)s`` placeholder, as Babel and xgettext mark them.
    """
    catalog = _new_template(config, UI_DOMAIN)
    by_key: dict[tuple[str | None, str], Entry] = {}
    for string in config.ui_strings:
        place = (string.location.path, string.location.line)
        existing = by_key.get((None, string.msgid))
        if existing is None:
            existing = Entry(msgid=string.msgid, comments=["kind: ui", string.comment])
            by_key[(None, string.msgid)] = existing
            catalog.entries.append(existing)
        if place not in existing.occurrences:
            existing.occurrences.append(place)
    _extract_templates(config.theme, catalog, by_key)
    for entry in catalog.entries:
        entry.occurrences.sort(key=lambda o: (o[0], o[1] or 0))
    return catalog


def _extract_templates(
    theme: Theme, catalog: Catalog, by_key: dict[tuple[str | None, str], Entry]
) -> None:
    """Add the gettext strings of every template of ``theme`` to ``catalog``."""
    from babel.messages.catalog import PYTHON_FORMAT
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


# -- the theme's ui catalogs -----------------------------------------------------------------
#
# The theme ships ui catalogs (es, qu, ay); a project's locales/<l>/LC_MESSAGES/ui.po lays
# its own translations over them, entry by entry. Leaflets look a ui string up along the
# locale's chain (ui_chain), in each locale first in the project's catalog, then in the
# theme's: a project translation wins, an empty or missing one falls through.


@functools.lru_cache(maxsize=32)
def _theme_catalog(path: str, mtime_ns: int, size: int) -> Catalog:
    return _load_po_file(Path(path), path)


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
    return frozenset(e.key for e in _theme_catalog(str(path), st.st_mtime_ns, st.st_size))


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
        entries=[e for e in template.entries if e.is_header],
        path=template.path,
        charset=template.charset,
        template=True,
    )
    for entry in template:
        own = existing.find(entry.msgid, entry.msgctxt) if existing is not None else None
        if own is None or not any(own.strings):
            if is_source and (_theme_language(locale) or entry.key not in theme_ids):
                continue
            theirs = shipped.find(entry.msgid, entry.msgctxt) if shipped is not None else None
            if usable(theirs, allow_fuzzy) is not None:
                continue
        out.entries.append(entry)
    return out


def effective_ui_catalog(
    config: ProjectConfig, template: Catalog, locale: str, project: Catalog | None
) -> Catalog:
    """What ``locale``'s leaflets print for each entry of ``ui.pot``, as one catalog.

    Each entry takes the project's translation when it has one, else the theme's (with
    its fuzzy flag: a theme draft counts as a draft). For ``stats``.
    """
    shipped = load_theme_ui(config.theme, locale)
    out = Catalog(path=f"{locale}/ui.po")
    for entry in template:
        chosen = None
        for catalog in (project, shipped):
            found = catalog.find(entry.msgid, entry.msgctxt) if catalog is not None else None
            if found is not None and any(found.strings):
                chosen = found
                break
        out.entries.append(
            chosen
            if chosen is not None
            else Entry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural)
        )
    if project is not None:
        out.entries.extend(project.obsolete_entries())
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
    old = _load_po_file(pot, str(pot)) if pot.exists() else None
    date = old.header_field("POT-Creation-Date") if old is not None else None
    template.set_header_field("POT-Creation-Date", date or _po_date(source_date()))
    out[pot] = write_po(template)
    if old is not None and out[pot] != pot.read_bytes():
        template.set_header_field("POT-Creation-Date", _po_date(source_date()))
        out[pot] = write_po(template)
    for locale in config.locales:
        path = theme.shipped_dir / "locales" / locale / "LC_MESSAGES" / f"{UI_DOMAIN}.po"
        info = config.locale_info[locale]
        if path.exists():
            catalog = _load_po_file(path, str(path))
            _complete_header(catalog, info)
            merge(catalog, template)
        else:
            catalog = new_catalog(template, info, UI_DOMAIN)
        out[path] = write_po(catalog)
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
        existing = (cache.pop(path, None) or load_po(path, config.root)) if path.exists() else None
        if domain == UI_DOMAIN:
            # Only what the theme does not translate: a translator is not shown the
            # strings the leaflets already print in their language.
            template = ui_entries_for(config, template, info.code, existing)
            if existing is None and not any(True for _ in template):
                continue
        if existing is not None:
            catalog = existing
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
    chosen = locales if locales is not None else config.locales
    targets = [(locale, domains_) for locale in chosen]
    source = config.source_locale
    if locales is None and UI_DOMAIN in domains_ and not _theme_language(source):
        # The source locale's leaflets print the theme's strings too, in its language.
        targets.append((source, [UI_DOMAIN]))
    read: dict[Path, Catalog] = {}
    for domain in domains_:
        read[pot_path(config, domain)] = load_po(pot_path(config, domain), config.root)
    for locale, domains_of in targets:
        for domain in domains_of:
            path = po_path(config, locale, domain)
            if path.exists():
                read[path] = load_po(path, config.root)
    changes: list[FileChange] = []
    for locale, domains_of in targets:
        changes.extend(update_locale(config, locale, domains_of, compendia=compendia, read=read))
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


def stats(
    config: ProjectConfig,
    locales: Sequence[str] | None = None,
    load: Callable[[Path, str], Catalog | None] | None = None,
) -> list[Coverage]:
    """Coverage of every domain in every locale; a missing PO counts as all untranslated.

    ``load`` reads a PO or POT file (None when there is none); by default from disk, in a
    project session through the session, which parses each file once.
    """

    def read(path: Path, domain: str) -> Catalog | None:
        return load_po(path, config.root, domain=domain) if path.exists() else None

    load = load or read
    out = []
    domains_ = pot_domains(config)
    for locale in locales if locales is not None else config.locales:
        for domain in domains_:
            own = load(po_path(config, locale, domain), domain)
            pot = pot_path(config, domain)
            if domain == UI_DOMAIN:
                # The theme's translations count: they are what the leaflets print.
                template = load(pot, domain) or load_po(pot, config.root, domain=domain)
                catalog = effective_ui_catalog(config, template, locale, own)
            elif own is not None:
                catalog = own
            else:
                catalog = load(pot, domain) or load_po(pot, config.root, domain=domain)
            out.append(coverage(catalog, locale, domain))
    return out


@dataclass(frozen=True)
class LocaleTotals:
    """The counts of every domain of one locale, added up."""

    locale: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "percent": round(self.percent, 1),
        }


@dataclass(frozen=True)
class Stats:
    """Coverage of a project: one :class:`Coverage` per catalog and totals per locale."""

    catalogs: tuple[Coverage, ...]
    #: Locale folders under locales/ that plainlang.toml does not list (not counted).
    unlisted_locale_folders: tuple[str, ...] = ()

    @property
    def locales(self) -> dict[str, LocaleTotals]:
        sums: dict[str, list[int]] = {}
        for row in self.catalogs:
            t = sums.setdefault(row.locale, [0, 0, 0, 0])
            t[0] += row.total
            t[1] += row.translated
            t[2] += row.fuzzy
            t[3] += row.untranslated
        return {loc: LocaleTotals(loc, *t) for loc, t in sums.items()}

    def below(self, min_coverage: float) -> list[str]:
        """Locales whose translated share is below ``min_coverage`` percent."""
        return [
            loc for loc, t in self.locales.items() if t.total and t.percent < min_coverage
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "catalogs": [row.to_json() for row in self.catalogs],
            "unlisted_locale_folders": list(self.unlisted_locale_folders),
            "locales": {loc: t.to_json() for loc, t in self.locales.items()},
        }


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
