"""Localize: a case plus a locale's catalogs, segment by segment, along the fallback chain.

Each localized segment knows where its text came from: ``translated`` (the locale's own
catalog), ``draft`` (a fuzzy entry, used only where the locale allows drafts), ``fallback``
(another locale of the chain, e.g. Quechua falling back to Spanish) or ``source`` (nothing
else had it). Leaflets print what they used, so nobody mistakes a draft for a checked text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from plainlang.catalogs import load_po, load_theme_ui, needs_translation, po_path, usable
from plainlang.config import ProjectConfig
from plainlang.content import Case, Segment, iter_segments
from plainlang.po import Catalog


class Status(StrEnum):
    TRANSLATED = "translated"
    DRAFT = "draft"
    FALLBACK = "fallback"
    SOURCE = "source"


@dataclass(frozen=True)
class LocalizedText:
    """A segment's text in the leaflet's language, or what stood in for it."""

    segment: Segment
    text: str  # Markdown inline source, as in the catalog
    status: Status
    locale: str  # the locale the text is actually in

    @property
    def kind(self) -> str:
        return self.segment.kind


@dataclass(frozen=True)
class LocalizedCase:
    """A case in one locale: the same blocks, each segment swapped for a LocalizedText."""

    case: Case
    locale: str
    texts: Mapping[Segment, LocalizedText]

    def text(self, segment: Segment) -> LocalizedText:
        return self.texts[segment]

    def visible(self, audience: str | None = None) -> list[LocalizedText]:
        """The texts a leaflet for ``audience`` prints (every text when None)."""
        case = self.case
        segments = (
            list(case.segments())
            if audience is None
            else [
                case.title,
                *([case.summary] if case.summary else []),
                *([case.source] if case.source else []),
                *iter_segments(case.blocks_for(audience)),
            ]
        )
        return [self.text(s) for s in segments]

    def counts(self, audience: str | None = None) -> Counter[Status]:
        """How many segments (seen by ``audience``, or all) have each status."""
        return Counter(t.status for t in self.visible(audience))

    def coverage(self, audience: str | None = None) -> float:
        """Share (0-100) of segments shown in the locale's own, checked translation."""
        counts = self.counts(audience)
        total = sum(counts.values())
        return 100.0 * counts[Status.TRANSLATED] / total if total else 100.0


#: Reads the PO file at a path for a domain; None when there is none.
CatalogLoader = Callable[[Path, str], Catalog | None]


class CatalogSet:
    """The PO catalogs of a project, read once each and kept (one per locale and domain).

    ``load`` reads one file; by default straight from disk, in a project session
    (:class:`plainlang.session.Session`) through the session, which parses each file once
    for every command and notices when it changes.
    """

    def __init__(self, config: ProjectConfig, load: CatalogLoader | None = None) -> None:
        self.config = config
        self._load = load or self._read
        self._cache: dict[tuple[str, str], Catalog | None] = {}

    def _read(self, path: Path, domain: str) -> Catalog | None:
        return load_po(path, self.config.root, domain=domain) if path.exists() else None

    def theme_ui(self, locale: str) -> Catalog | None:
        """The shipped theme's ``ui`` catalog of ``locale`` (None when the theme has none)."""
        key = (locale, "theme:ui")
        if key not in self._cache:
            self._cache[key] = load_theme_ui(self.config.theme, locale)
        return self._cache[key]

    def get(self, locale: str, domain: str) -> Catalog | None:
        """The project's catalog of ``locale`` and ``domain`` (None when it has no such file)."""
        key = (locale, domain)
        if key not in self._cache:
            self._cache[key] = self._load(po_path(self.config, locale, domain), domain)
        return self._cache[key]

    def with_config(self, config: ProjectConfig) -> CatalogSet:
        """The same parsed catalogs under another config of the same project.

        For proofs, whose config allows drafts for the locale under review: the files are
        the same, only what counts as usable differs, so nothing is parsed twice.
        """
        other = CatalogSet(config, self._load)
        other._cache = self._cache
        return other


def localize(case: Case, locale: str, catalogs: CatalogSet) -> LocalizedCase:
    """Translate every segment of ``case`` into ``locale`` along its fallback chain.

    The first locale of the chain is the leaflet's own: its fuzzy entries count as drafts
    when the locale allows them (``use_fuzzy``). Later locales are fallbacks, and only their
    checked translations are used. Failing all, the source text is printed.
    """
    config = catalogs.config
    chain = config.fallback_chain(locale) if locale != config.source_locale else ()
    texts: dict[Segment, LocalizedText] = {}
    for segment in case.segments():
        texts[segment] = _localize_segment(
            segment, case.id, locale, chain, catalogs
        )
    return LocalizedCase(
        case=case,
        locale=locale,
        texts=texts,
    )


def _localize_segment(
    segment: Segment,
    domain: str,
    locale: str,
    chain: Sequence[str],
    catalogs: CatalogSet,
) -> LocalizedText:
    config = catalogs.config
    if not chain or not needs_translation(segment.msgid):
        status = Status.TRANSLATED if chain or locale == config.source_locale else Status.SOURCE
        return LocalizedText(segment, segment.msgid, status, locale)
    for index, loc in enumerate(chain):
        catalog = catalogs.get(loc, domain)
        if catalog is None:
            continue
        own = index == 0
        info = config.locale_info.get(loc)
        allow_fuzzy = own and info is not None and info.use_fuzzy
        found = usable(catalog.find(segment.msgid), allow_fuzzy)
        if found is None:
            continue
        text, draft = found
        if not isinstance(text, str):  # a plural entry cannot stand for a segment
            continue
        if own:
            return LocalizedText(
                segment, text, Status.DRAFT if draft else Status.TRANSLATED, loc
            )
        return LocalizedText(segment, text, Status.FALLBACK, loc)
    return LocalizedText(segment, segment.msgid, Status.SOURCE, config.source_locale)
