"""Render: a localized case, for one audience and layout, to leaflet HTML through Jinja2.

One Jinja ``Environment`` per locale, autoescaping on, with the ``ui`` catalog installed as
newstyle gettext along the locale's fallback chain. Templates see :class:`Leaflet`, made of
view objects whose text is already safe HTML (see :mod:`plainlang.markup`): a template can
print ``{{ text }}`` and nothing a translator wrote can become markup.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup, escape

from plainlang import __version__
from plainlang.catalogs import ui_chain, usable
from plainlang.config import AudienceSpec, LayoutSpec, LocaleInfo, ProjectConfig
from plainlang.content import (
    AudienceBlock,
    Block,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Segment,
    Table,
)
from plainlang.errors import (
    BuildError,
    PlainlangError,
    SourceLocation,
    TemplateError,
    line_at,
)
from plainlang.hyphenate import hyphenator, needs_soft_hyphens
from plainlang.localize import CatalogSet, LocalizedCase, Status
from plainlang.markup import REPLACEMENT, drawable, plain_text, render_inline, text_html
from plainlang.pictures import picture_url
from plainlang.theme import TEMPLATE_SUFFIXES

UI_DOMAIN = "ui"
#: More text than any layout holds (the phone page, the longest, takes about 32,000
#: characters): such a leaflet fails before layout, which for a case of 10,000 paragraphs
#: took WeasyPrint 20 s and 400 MB only to say it does not fit.
MAX_LEAFLET_CHARS = 40_000
#: Longest text one segment (a paragraph, a list item, a template string) may print.
#: WeasyPrint encodes the rest of a paragraph again for every line it breaks, so a
#: paragraph costs time in the square of its length: one of 45,000 characters took 20 s
#: to say it does not fit. The longest paragraph of the sample cases has about 400
#: characters; plain language (5 sentences of 20 words) is under 800.
MAX_SEGMENT_CHARS = 2_000


@dataclass(frozen=True)
class TextView:
    """One segment as a template sees it: safe HTML plus where the text came from."""

    html: Markup
    plain: str
    status: str  # translated | draft | fallback | source
    lang: str  # BCP 47 tag of the language the text is in
    kind: str
    doc_lang: str

    def __html__(self) -> str:
        return str(self.html)

    def __str__(self) -> str:
        return str(self.html)

    @property
    def attrs(self) -> Markup:
        """`` lang="es" class="status-fallback"`` where the text differs from the leaflet."""
        return self.attributes()

    def attributes(self, cls: str = "") -> Markup:
        """:attr:`attrs` for an element with its own class ``cls`` (one ``class`` attribute:
        of two, a browser and WeasyPrint read only the first, and the mark was lost).

        >>> TextView(Markup("x"), "x", "draft", "qu", "summary", "qu").attributes("summary")
        Markup(' class="summary status-draft"')
        """
        return status_attributes(self.status, self.lang, self.doc_lang, cls)

    @property
    def lang_attrs(self) -> Markup:
        """`` lang="es"`` where the text's language is not the leaflet's: for text nobody
        sees marked (a picture's ``alt``, the page's ``<title>``)."""
        return status_attributes(Status.TRANSLATED, self.lang, self.doc_lang)


def status_attributes(status: str, lang: str, doc_lang: str, cls: str = "") -> Markup:
    """`` lang="…" class="… status-…"`` for text in ``lang`` of ``status`` on a page in
    ``doc_lang``: the lang where it differs, the mark unless it is a checked translation."""
    parts = []
    if lang != doc_lang:
        parts.append(f'lang="{escape(lang)}"')
    classes = [c for c in (cls, f"status-{status}" if status != Status.TRANSLATED else "") if c]
    if classes:
        parts.append(f'class="{escape(" ".join(classes))}"')
    return Markup(" " + " ".join(parts)) if parts else Markup("")


class UiMarkup(Markup):
    """A ui string as a template prints it, with its language and status kept for the
    places where the text is not printed as it is (the QR code's text alternative)."""

    lang: str = ""
    status: str = Status.TRANSLATED
    plain: str = ""


@dataclass(frozen=True)
class BlockView:
    """A body block for templates; ``type`` says which fields are set."""

    type: str  # heading | paragraph | list | quote | image | table | audience
    text: TextView | None = None
    level: int = 0
    ordered: bool = False
    start: int = 1
    items: tuple[TextView, ...] = ()
    paragraphs: tuple[TextView, ...] = ()
    attribution: TextView | None = None
    src: str = ""
    header: tuple[TextView, ...] = ()
    rows: tuple[tuple[TextView, ...], ...] = ()
    audiences: tuple[str, ...] = ()
    blocks: tuple[BlockView, ...] = ()


@dataclass(frozen=True)
class Pictogram:
    """A theme pictogram (``pictograms/<name>.svg``): its view box and its drawing."""

    view_box: str
    drawing: str  # the SVG's content, without its root element

    def svg(self, colour: str) -> Markup:
        """The pictogram as inline SVG drawn in ``colour`` (its ``currentColor``)."""
        return Markup(
            f'<svg viewBox="{escape(self.view_box)}" width="48" height="48" '
            f'aria-hidden="true" color="{escape(colour)}">{self.drawing}</svg>'
        )


@dataclass(frozen=True)
class Leaflet:
    """Everything a leaflet template needs. Text fields are :class:`TextView`.

    ``audience_spec`` and ``layout_spec`` are the config's description of the audience
    (label, pictogram, next steps) and the layout (stylesheet, page size); ``choices``
    are the fitter's (see :mod:`plainlang.fit`), read with :meth:`choice`.
    """

    case_id: str
    locale: LocaleInfo
    source_locale: LocaleInfo
    audience: str
    layout: str
    lang: str
    title: TextView
    summary: TextView | None
    source: TextView | None
    blocks: tuple[BlockView, ...]
    example: bool
    qr_url: str | None
    qr_svg: Markup | None
    date: str | None
    publisher: str | None
    contact: str | None
    counts: Mapping[str, int]
    fallback_languages: tuple[str, ...]
    theme: str = "default"
    #: The language (BCP 47) of :attr:`date`: the first CLDR knows along the chain.
    date_lang: str = ""
    soft_hyphens: bool = False
    ui_drafts: bool = False
    #: The leaflet prints ui text in another language (a fallback catalog's, or the msgid).
    ui_fallback: bool = False
    #: Who reads the audio version (:class:`plainlang.audio.VoiceChoice`), when it is made.
    voice: Any = None
    generator: str = f"plainlang {__version__}"
    extra: Mapping[str, Any] = field(default_factory=dict)
    audience_spec: AudienceSpec | None = None
    layout_spec: LayoutSpec | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    title_size: str = "mid"
    colours: Mapping[str, str] = field(default_factory=dict)
    pictograms: Mapping[str, Pictogram] = field(default_factory=dict)

    def choice(self, name: str, default: str = "") -> str:
        """The fitter's option for choice ``name`` of the layout (``default`` if none)."""
        return self.choices.get(name, default)

    def pictogram(self, name: str, tone: str = "accent") -> Markup:
        """Pictogram ``name`` as inline SVG in the theme's colour for ``tone``.

        ``tone`` is where it stands: ``accent`` (on the paper), ``band`` (the cover's
        audience band) or ``label`` (beside a call-out's label); see
        :data:`plainlang.theme.PICTOGRAM_TONES`.
        """
        found = self.pictograms.get(name)
        if found is None:
            raise BuildError(
                f"no pictogram '{name}' in the theme",
                hint=f"add templates/pictograms/{name}.svg, or use one of: "
                f"{', '.join(sorted(self.pictograms))}",
            )
        return found.svg(self.colours.get(tone) or self.colours.get("accent", "#000000"))

    @property
    def page_size(self) -> str:
        """The CSS page size of the layout (from the config, never from a translation)."""
        return self.layout_spec.size if self.layout_spec is not None else "A4"

    @property
    def stylesheet(self) -> str:
        return self.layout_spec.stylesheet if self.layout_spec is not None else ""

    @property
    def has_drafts(self) -> bool:
        return self.counts.get(Status.DRAFT, 0) > 0 or self.ui_drafts

    @property
    def has_fallback(self) -> bool:
        return (
            self.counts.get(Status.FALLBACK, 0) > 0
            or self.counts.get(Status.SOURCE, 0) > 0
            or self.ui_fallback
        )

    @property
    def date_html(self) -> Markup:
        """The date, marked with its language where it is not the leaflet's (an Aymara
        leaflet's date is Spanish: CLDR has no Aymara)."""
        if not self.date:
            return Markup("")
        lang = self.date_lang or self.lang
        if lang == self.lang:
            return escape(self.date)
        return Markup('<span lang="{}">{}</span>').format(lang, self.date)

    def qr_image(self, alt: str) -> Markup:
        """The QR code with ``alt`` (what it links to, in the leaflet's words) as its text
        alternative; empty when the leaflet has no QR code. ``alt`` a ui string
        (:class:`UiMarkup`) in another language tags the code with that language."""
        if not self.qr_url:
            return Markup("")
        lang = getattr(alt, "lang", "") or self.lang
        text = alt.striptags() if isinstance(alt, Markup) else alt
        return qr_svg(self.qr_url, text, lang if lang != self.lang else None)

    @property
    def headings(self) -> tuple[BlockView, ...]:
        return tuple(b for b in _walk(self.blocks) if b.type == "heading")


def _texts(leaflet: Leaflet) -> Iterator[TextView]:
    """Every text a leaflet prints from its case: front matter and every block."""
    yield from (t for t in (leaflet.title, leaflet.summary, leaflet.source) if t is not None)
    for block in _walk(leaflet.blocks):
        yield from (t for t in (block.text, block.attribution) if t is not None)
        yield from block.items
        yield from block.paragraphs
        yield from block.header
        for row in block.rows:
            yield from row


def _walk(blocks: Sequence[BlockView]) -> list[BlockView]:
    out: list[BlockView] = []
    for block in blocks:
        out.append(block)
        out.extend(_walk(block.blocks))
    return out


class UiTranslations:
    """gettext for templates: the ``ui`` catalogs along the locale's chain, drafts if allowed.

    The chain is :func:`plainlang.catalogs.ui_chain` (the fallback chain, then the source
    locale); in each of its locales the project's ``ui.po`` comes first, then the theme's
    catalog of that locale: a project translation wins, an empty or missing one falls
    through. Drafts (fuzzy) count only in the leaflet's own locale, where it allows them.
    ``has_drafts`` says whether the leaflet's own locale lends it any draft ui text, so
    the leaflet can say so even when its case text is all checked. The methods return
    the translation as written (placeholders and all); :func:`ui_text` makes it a
    leaflet's text, and :meth:`translations` gives it every candidate along the chain, with
    the locale of its catalog, so that text a fallback catalog lends is marked as that
    language (:meth:`lang_of`).
    """

    def __init__(self, catalogs: CatalogSet, locale: str) -> None:
        config = catalogs.config
        self.chain: list[tuple[Any, bool]] = []
        self.chain_locales: list[str] = []  # the locale of each catalog of the chain
        #: Where each catalog of the chain is, for warnings that name ui.po:LINE.
        self.paths: list[str] = []

        def lang_of(code: str) -> str:
            info = config.locale_info.get(code)
            return info.lang if info is not None else code

        self._lang_of = lang_of
        self.lang = lang_of(locale)
        self.source_lang = lang_of(config.source_locale)
        own: list[Any] = []
        for index, loc in enumerate(ui_chain(config, locale)):
            info = config.locale_info.get(loc)
            allow_fuzzy = index == 0 and bool(info and info.use_fuzzy)
            for catalog in (catalogs.get(loc, UI_DOMAIN), catalogs.theme_ui(loc)):
                if catalog is not None:
                    self.chain.append((catalog, allow_fuzzy))
                    self.paths.append(catalog.path)
                    self.chain_locales.append(loc)
                    if allow_fuzzy:
                        own.append(catalog)
        self.has_drafts = any(
            (found := self._find(m.msgid, m.msgctxt)) is not None and found[1]
            for catalog in own
            for m in catalog
            if m.msgid or m.msgctxt
        )
        self.language = self._main_language(locale)

    def _find(self, msgid: Any, context: str | None) -> tuple[str | tuple[str, ...], bool] | None:
        """The translation of ``msgid`` and whether it is a draft, or None."""
        found = self.find(msgid, context, drafts=True)
        return (found[0], found[2]) if found is not None else None

    def find(self, msgid: Any, context: str | None = None, *, drafts: bool = False) -> Any:
        """The translation of ``msgid`` and the locale of the catalog that has it, or None.

        The audio version reads each ui string with the voice of the language it is in.
        With ``drafts``, a third item says whether the translation is a draft.
        """
        for (catalog, allow_fuzzy), loc in zip(self.chain, self.chain_locales, strict=True):
            found = usable(catalog.find(msgid, context), allow_fuzzy)
            if found is not None:
                return (found[0], loc, found[1]) if drafts else (found[0], loc)
        return None

    def lang_of(self, locale: str | None) -> str:
        """The language (BCP 47) of text from ``locale``'s catalog (None: the source)."""
        return self._lang_of(locale) if locale is not None else self.source_lang

    def lang_for(self, msgid: str, context: str | None = None) -> str:
        """The language (BCP 47) ``msgid`` is shown in when its first translation along the
        chain is good text: that catalog's, else the source's."""
        first = next(self.translations(msgid, context), None)
        return self.lang_of(first[2] if first is not None else None)

    def _main_language(self, locale: str) -> str:
        """The locale most of the leaflet's ui text is in (where its strings are found).

        A Quechua leaflet whose ui strings all fall back to Spanish has Spanish sentences:
        the languages they name are named in Spanish.
        """
        answered: Counter[str] = Counter()
        keys = {m.key for catalog, _ in self.chain for m in catalog}
        for context, msgid in keys:
            found = self.find(msgid, context)
            if found is not None:
                answered[found[1]] += 1
        if not answered:
            return locale
        return max(answered, key=lambda loc: (answered[loc], -self.chain_locales.index(loc)))

    def translations(
        self, msgid: str, context: str | None = None, n: int | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """Each usable translation of ``msgid`` along the chain, with its ``ui.po:LINE``
        and the locale of its catalog.

        With ``n``, the entry must be a plural one and its form for ``n`` is given.
        """
        for text, where, loc, _ in self.candidates(msgid, context, n):
            yield text, where, loc

    def candidates(
        self, msgid: str, context: str | None = None, n: int | None = None
    ) -> Iterator[tuple[str, str, str, bool]]:
        """:meth:`translations`, each with whether it is a draft (fuzzy, where allowed)."""
        chain = zip(self.chain, self.paths, self.chain_locales, strict=True)
        for (catalog, allow_fuzzy), path, loc in chain:
            message = catalog.find(msgid, context)
            found = usable(message, allow_fuzzy)
            if message is None or found is None:
                continue
            where = f"{path}:{message.line}" if message.line else path
            if n is None and isinstance(found[0], str):
                yield found[0], where, loc, found[1]
            elif n is not None and isinstance(found[0], tuple):
                strings = found[0]
                rule = catalog.plural_forms  # None: a rule gettext cannot read
                index = rule.form(n) if rule is not None else int(n != 1)
                yield strings[min(max(index, 0), len(strings) - 1)], where, loc, found[1]

    def gettext(self, message: str) -> str:
        return next((text for text, _, _ in self.translations(message)), message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._plural(None, singular, plural, n)

    def _plural(self, context: str | None, singular: str, plural: str, n: int) -> str:
        found = next((text for text, _, _ in self.translations(singular, context, n)), None)
        if found is not None:
            return found
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return next((text for text, _, _ in self.translations(message, context)), message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._plural(context, singular, plural, n)


# -- template strings are text: placeholders by name, nothing else ---------------------------

# "%%", a "%(name)..." with whatever follows the parenthesis, or a lone "%". Quantifiers are
# bounded: a hostile "%(%(%(..." or "%(x)0000...0s" costs time linear in its length.
_UI_TOKEN = re.compile(
    r"%%|%\((?P<name>[^()%]{0,100})\)"
    r"(?P<spec>[-+ #0]{0,10}\d{0,10}(?:\.\d{0,10})?[A-Za-z]?)|%"
)


def ui_placeholders(text: str) -> tuple[frozenset[str], str | None]:
    """The names of the ``%(name)s`` in ``text``, and its first other placeholder (or None).

    >>> ui_placeholders("%(n)s letters, 100% sure, %(w)5s")
    (frozenset({'n'}), '%(w)5s')
    """
    names: set[str] = set()
    bad = None
    for match in _UI_TOKEN.finditer(text):
        name = match.group("name")
        if name is None:
            continue
        if match.group("spec") == "s" and name.isidentifier():
            names.add(name)
        elif bad is None:
            bad = match.group(0)
    return frozenset(names), bad


def format_ui(
    text: str, allowed: frozenset[str], variables: Mapping[str, Any], required: frozenset[str]
) -> Markup:
    """``text`` (a ui msgid or translation) as safe HTML, its ``%(name)s`` replaced by name.

    Only ``%(name)s`` is a placeholder (no width, precision or other conversion: a
    translation cannot ask for a 3,000,000-character field), ``%%`` is a percent sign,
    and any other ``%`` prints as it is. The text and the values are escaped. ValueError
    says what is wrong: a placeholder that is not ``%(name)s``, one whose name is not in
    ``allowed`` (the msgid's) or not given, or one of ``required`` left out.

    >>> str(format_ui("El 100% de %(n)s <b>", frozenset({"n"}), {"n": "<i>"}, frozenset()))
    'El 100% de &lt;i&gt; &lt;b&gt;'
    """
    out: list[str] = []
    seen: set[str] = set()
    pos = 0
    for match in _UI_TOKEN.finditer(text):
        out.append(_ui_escape(text[pos : match.start()]))
        pos = match.end()
        token, name = match.group(0), match.group("name")
        if name is None:  # "%%" or a lone "%"
            out.append("%")
            continue
        shown = token if len(token) <= 40 else token[:37] + "..."
        if match.group("spec") != "s" or not name.isidentifier():
            raise ValueError(f"placeholder '{shown}' is not %(name)s")
        if name not in allowed or name not in variables:
            raise ValueError(f"placeholder '{shown}' is not one of the source text's")
        seen.add(name)
        out.append(_ui_escape(variables[name]))
    out.append(_ui_escape(text[pos:]))
    left_out = sorted(required - seen)
    if left_out:
        raise ValueError(f"placeholder '%({left_out[0]})s' of the source text is missing")
    return Markup("".join(out))


def _ui_escape(value: Any) -> str:
    """Text (or a value a template passes) as HTML, as :func:`markup.text_html` makes it."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return text_html(str(value))


def ui_text(
    source: str,
    candidates: Iterable[tuple[str, str]],
    variables: Mapping[str, Any],
    warn: Callable[[str], None],
    *,
    allowed: frozenset[str] | None = None,
    plural: bool = False,
) -> Markup:
    """The text :func:`ui_choice` chooses."""
    return ui_choice(source, candidates, variables, warn, allowed=allowed, plural=plural)[0]


def ui_choice(
    source: str,
    candidates: Iterable[tuple[str, str]],
    variables: Mapping[str, Any],
    warn: Callable[[str], None],
    *,
    allowed: frozenset[str] | None = None,
    plural: bool = False,
) -> tuple[Markup, int | None]:
    """The first of ``candidates`` (translation, ``ui.po:LINE``) that makes good text, else
    ``source`` (the msgid, or its plural for a count other than one), with the index of
    the candidate chosen (None: the source).

    A msgid without placeholders (and without ``%%``) is never formatted: its translation
    prints as written, percent signs and all. Otherwise each candidate goes through
    :func:`format_ui`; one that fails is skipped with a ``warn``ing naming its ``ui.po``
    line, and the next catalog of the chain is tried. Plural forms need not repeat every
    placeholder (``una carta`` for ``%(num)s letter``).
    """
    names, bad = ui_placeholders(source)
    allowed = names if allowed is None else allowed

    def fits(text: str, where: str) -> bool:
        if len(text) <= MAX_SEGMENT_CHARS:
            return True
        warn(
            f"{where}: warning: the translation is {len(text):,} characters, more than a"
            f" template string holds ({MAX_SEGMENT_CHARS:,}); the text falls back"
        )
        return False

    if not allowed and bad is None and "%%" not in source:
        for index, (text, where) in enumerate(candidates):
            if fits(text, where):
                return Markup(_ui_escape(text)), index
        return Markup(_ui_escape(source)), None
    required = frozenset() if plural else allowed
    for index, (text, where) in enumerate(candidates):
        if not fits(text, where):
            continue
        try:
            return format_ui(text, allowed, variables, required), index
        except ValueError as problem:
            warn(f"{where}: warning: {problem}; the text falls back to the next language")
    return format_ui(source, allowed, variables, frozenset()), None


def _babel_locale(config: ProjectConfig, locale: str) -> Any:
    """The first locale of the chain CLDR knows (for dates and numbers), else the source."""
    from babel import Locale

    for code in (*config.fallback_chain(locale), config.source_locale, "en"):
        info = config.locale_info.get(code)
        if info is None or info.in_cldr:
            try:
                return Locale.parse(code)
            except (ValueError, LookupError):
                continue
    return Locale.parse("en")


def _babel_lang(config: ProjectConfig, babel_locale: Any) -> str:
    """The language (BCP 47) of text Babel writes for ``babel_locale`` (dates, numbers)."""
    code = str(babel_locale)
    for candidate in (code, code.split("_")[0]):
        info = config.locale_info.get(candidate)
        if info is not None:
            return info.lang
    return code.replace("_", "-")


def qr_svg(url: str, alt: str | None = None, lang: str | None = None) -> Markup:
    """A vector QR code for ``url`` as inline SVG (no fetch, scales to any size).

    With ``alt``, the SVG is an image (``role="img"``) whose ``<title>`` is ``alt``: its
    text alternative, which WeasyPrint writes as the PDF figure's ``/Alt`` and browsers
    give screen readers as its name; ``lang`` is its language, where it is not the page's.
    """
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=2, dark="#000", light="#fff", omitsize=True, title=alt or None
    )
    if alt and svg.startswith("<svg "):
        tag = f'<svg role="img" lang="{escape(lang)}" ' if lang else '<svg role="img" '
        svg = tag + svg[len("<svg ") :]
    return Markup(svg)


class LeafletRenderer:
    """Makes leaflet HTML for one project; keeps one Jinja environment per locale."""

    def __init__(
        self, config: ProjectConfig, catalogs: CatalogSet, covered: frozenset[int] | None = None
    ) -> None:
        self.config = config
        self.catalogs = catalogs
        #: Code points the leaflet fonts draw; when given, other characters of translations
        #: and content print as U+FFFD, with a warning (see :func:`markup.drawable`).
        self.covered = covered
        #: The warnings of the last leaflet made (:meth:`html`): ui translations skipped,
        #: characters replaced. The build records them in the leaflet's manifest entry.
        self.warnings: list[str] = []
        #: (status, locale) of each ui string the leaflet being rendered printed.
        self._ui_printed: set[tuple[str, str]] = set()

    def _drawn(self, text: str, where: str) -> str:
        """``text`` as the leaflet fonts can draw it; a warning when something is replaced."""
        if self.covered is None:
            return text
        text, missing = drawable(text, self.covered)
        if missing:
            shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in sorted(missing)[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            self._warn(
                f"{where}: warning: characters the leaflet fonts cannot draw: {shown}{more};"
                f" they print as {REPLACEMENT} (plainlang check names them: glyphs)"
            )
        return text

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @functools.cached_property
    def pictograms(self) -> dict[str, Pictogram]:
        """Every pictogram of the theme, read once."""
        theme = self.config.theme
        found = {}
        for name in theme.pictograms():
            path = theme.pictogram(name)
            if path is not None:
                shown = theme.shown(f"pictograms/{name}.svg")
                found[name] = read_pictogram(path.read_bytes(), shown)
        return found

    @functools.cache  # noqa: B019 - one renderer per build; it lives as long as the build
    def palette(self, theme_name: str) -> dict[str, str]:
        return self.config.theme.palette(theme_name)

    @functools.cache  # noqa: B019 - one renderer per build; it lives as long as the build
    def ui_translations(self, locale: str) -> UiTranslations:
        return UiTranslations(self.catalogs, locale)

    @functools.cache  # noqa: B019 - one renderer per build; envs live as long as it does
    def environment(self, locale: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=self.config.theme.loader(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Templates call gettext with keyword arguments (newstyle). Jinja's own newstyle
        # callables mark the translation as safe HTML and then run `text % variables` on
        # every string, with or without placeholders: "el 100% de" failed the leaflet,
        # "%(name)3000000s" hung it. These are plainlang's: text is escaped, and only
        # %(name)s placeholders are filled (see ui_text).
        # Text a fallback catalog lends (Spanish in a Quechua leaflet), or the source's, is
        # marked as its own language, so that hyphenation, the PDF's /Lang and screen
        # readers follow it; and, like the case's text, it carries the mark of its status
        # on the page (a draft's dotted line, another language's double line).
        ui = self.ui_translations(locale)
        warn = self._warn

        def marked(
            source: str,
            candidates: Iterable[tuple[str, str, str, bool]],
            variables: Any,
            **kw: Any,
        ) -> Markup:
            found = list(candidates)
            drawn = [(self._drawn(t, where), where) for t, where, _, _ in found]
            text, used = ui_choice(source, drawn, variables, warn, **kw)
            loc = found[used][2] if used is not None else None
            lang = ui.lang_of(loc)
            if used is not None and found[used][3]:
                status = Status.DRAFT
            elif lang == ui.lang:
                status = Status.TRANSLATED
            else:
                status = Status.FALLBACK if loc is not None else Status.SOURCE
            self._ui_printed.add((str(status), loc or self.config.source_locale))
            attributes = status_attributes(status, lang, ui.lang)
            out = UiMarkup(
                Markup("<span{}>{}</span>").format(attributes, text) if attributes else text
            )
            out.lang, out.status, out.plain = lang, str(status), text.striptags()
            return out

        def gettext(message: str, **variables: Any) -> Markup:
            return marked(message, list(ui.candidates(message)), variables)

        def pgettext(context: str, message: str, **variables: Any) -> Markup:
            return marked(message, list(ui.candidates(message, context)), variables)

        def ngettext(singular: str, plural: str, n: int, **variables: Any) -> Markup:
            return npgettext(None, singular, plural, n, **variables)

        def npgettext(
            context: str | None, singular: str, plural: str, n: int, **variables: Any
        ) -> Markup:
            variables.setdefault("num", n)
            allowed = ui_placeholders(singular)[0] | ui_placeholders(plural)[0]
            return marked(
                singular if n == 1 else plural,
                list(ui.candidates(singular, context, n)),
                variables,
                allowed=allowed,
                plural=True,
            )

        env.newstyle_gettext = True  # type: ignore[attr-defined]
        env.globals.update(
            gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
        )
        babel_locale = _babel_locale(self.config, locale)
        env.filters["format_number"] = lambda n: _format_number(n, babel_locale)
        env.filters["format_date"] = lambda d, fmt="long": _format_date(d, fmt, babel_locale)
        return env

    def image_url(self, src: str) -> str:
        """A content image's URL: relative paths are relative to the case file's folder.

        Whatever it is, the PDF stage's fetcher serves only files inside the project.
        """
        return picture_url(src, self.config)

    def leaflet(
        self,
        lc: LocalizedCase,
        audience: str,
        layout: str,
        choices: Mapping[str, str] | None = None,
    ) -> Leaflet:
        """The view model of one leaflet; ``choices`` are the fitter's (first options if None)."""
        from plainlang.fit import first_choices, title_size

        config = self.config
        audience_spec = config.audience(audience)
        layout_spec = config.layout(layout)
        info = config.locale(lc.locale) if lc.locale != config.source_locale else None
        locale_info = info or config.locale_info[config.source_locale]
        doc_lang = locale_info.lang
        hyphen_for: dict[str, Callable[[str], str] | None] = {}

        def view(segment: Segment | None) -> TextView | None:
            if segment is None:
                return None
            text = lc.text(segment)
            known = config.locale_info.get(text.locale)
            lang = known.lang if known is not None else text.locale
            if lang not in hyphen_for:
                hyphen_for[lang] = hyphenator(lang)
            source = self._drawn(text.text, f"{lc.case.path}:{segment.line}")
            return TextView(
                html=render_inline(source, hyphen_for[lang]),
                plain=plain_text(source),
                status=str(text.status),
                lang=lang,
                kind=segment.kind,
                doc_lang=doc_lang,
            )

        def must(segment: Segment) -> TextView:
            result = view(segment)
            assert result is not None
            return result

        def block_view(block: Block) -> BlockView:
            if isinstance(block, Heading):
                return BlockView("heading", text=must(block.text), level=block.level)
            if isinstance(block, Paragraph):
                return BlockView("paragraph", text=must(block.text))
            if isinstance(block, ListBlock):
                return BlockView(
                    "list",
                    ordered=block.ordered,
                    start=block.start,
                    items=tuple(must(s) for s in block.items),
                )
            if isinstance(block, Quote):
                return BlockView(
                    "quote",
                    paragraphs=tuple(must(s) for s in block.paragraphs),
                    attribution=view(block.attribution),
                )
            if isinstance(block, Image):
                return BlockView("image", text=must(block.alt), src=self.image_url(block.src))
            if isinstance(block, Table):
                return BlockView(
                    "table",
                    header=tuple(must(s) for s in block.header),
                    rows=tuple(tuple(must(s) for s in row) for row in block.rows),
                )
            assert isinstance(block, AudienceBlock)
            return BlockView(
                "audience",
                audiences=tuple(sorted(block.audiences)),
                blocks=tuple(block_view(b) for b in block.blocks),
            )

        case = lc.case
        # Audience blocks stay blocks: templates style them as call-outs for their readers.
        shown = [
            b for b in case.blocks if not isinstance(b, AudienceBlock) or audience in b.audiences
        ]
        # The cover prints the title: a first heading that repeats it would print it twice.
        if shown and isinstance(shown[0], Heading) and shown[0].text.msgid == case.title.msgid:
            shown = shown[1:]
        counts: Counter[str] = Counter({str(k): v for k, v in lc.counts(audience).items()})
        fallback_codes = sorted(
            {t.locale for t in lc.visible(audience) if t.status in (Status.FALLBACK, Status.SOURCE)}
        )
        babel_locale = _babel_locale(config, lc.locale)
        # Every back panel gets a QR code: the case's own, else the project's contact page.
        contact = config.contact or ""
        qr_target = case.qr or (contact if contact.startswith(("http://", "https://")) else None)
        return Leaflet(
            case_id=case.id,
            locale=locale_info,
            source_locale=config.locale_info[config.source_locale],
            audience=audience,
            layout=layout,
            lang=doc_lang,
            title=must(case.title),
            summary=view(case.summary),
            source=view(case.source),
            blocks=tuple(block_view(b) for b in shown),
            example=case.example,
            qr_url=qr_target,
            qr_svg=qr_svg(qr_target) if qr_target else None,
            date=_format_date(dt.date.fromisoformat(case.date), "long", babel_locale)
            if case.date
            else None,
            date_lang=_babel_lang(config, babel_locale),
            publisher=config.publisher,
            contact=config.contact,
            counts=dict(counts),
            theme=audience_spec.theme,
            ui_drafts=self.ui_translations(lc.locale).has_drafts,
            soft_hyphens=needs_soft_hyphens(doc_lang),
            # Each language named as the leaflet's ui sentences name it (in its own language,
            # unless they fall back to another one).
            fallback_languages=tuple(
                config.language_name(c, self.ui_translations(lc.locale).language)
                for c in fallback_codes
            ),
            audience_spec=audience_spec,
            layout_spec=layout_spec,
            choices=dict(choices) if choices is not None else first_choices(layout_spec),
            title_size=title_size(plain_text(lc.text(case.title).text)),
            colours=self.palette(audience_spec.theme),
            pictograms=self.pictograms,
        )

    def check_templates(self, layouts: Sequence[str]) -> None:
        """Load every layout's template (and what it extends and imports) to find errors early."""
        env = self.environment(self.config.source_locale)
        for layout in layouts:
            name = self.config.layout(layout).template
            with self.template_errors(name):
                template = env.get_template(name)
                for name in _referenced_templates(env, template):
                    env.get_template(name)

    def html(
        self,
        lc: LocalizedCase,
        audience: str,
        layout: str,
        choices: Mapping[str, str] | None = None,
    ) -> str:
        """The leaflet HTML; template problems become TemplateError with file and line.

        ``choices`` are the layout fitter's options (:mod:`plainlang.fit`).

        A leaflet with more than :data:`MAX_LEAFLET_CHARS` characters of text, or a segment
        of more than :data:`MAX_SEGMENT_CHARS`, is a BuildError: it fits no layout, and
        laying it out would only take time and memory.
        """
        self.warnings = []
        for text in lc.visible(audience):
            if len(text.text) > MAX_SEGMENT_CHARS:
                where = SourceLocation(lc.case.path, text.segment.line)
                language = "source" if text.locale == self.config.source_locale else text.locale
                raise BuildError(
                    f"too long for any layout: the {language} text of this {text.kind} is"
                    f" {len(text.text):,} characters, and one holds at most"
                    f" {MAX_SEGMENT_CHARS:,}",
                    where,
                    hint="shorten it, or split it into several paragraphs",
                )
        return self.render(self.leaflet(lc, audience, layout, choices))

    def render(self, leaflet: Leaflet) -> str:
        """The HTML of a view model (made by :meth:`leaflet`, perhaps adapted, e.g. the web
        page's with its pictures inline), through its layout's template; as :meth:`html`."""
        size = sum(len(text.plain) for text in _texts(leaflet))
        if size > MAX_LEAFLET_CHARS:
            raise BuildError(
                f"too long for any layout: {size:,} characters of text, and a leaflet holds"
                f" at most about {MAX_LEAFLET_CHARS:,}",
                hint="shorten the case or its translation, or split it into several cases",
            )
        env = self.environment(leaflet.locale.code)
        spec = leaflet.layout_spec
        name = spec.template if spec is not None else f"layouts/{leaflet.layout}.html.j2"
        # The notes on the back explain the marks of the ui text too, which only the
        # templates know they print: a leaflet whose ui text turns out to hold a draft or
        # another language is made again with the notes that explain it (the notes' own
        # text can add one more language, hence the loop; languages only grow).
        for _ in range(4):
            self._ui_printed = set()
            with self.template_errors(name):
                html = env.get_template(name).render(leaflet=leaflet)
            explained = self._explained(leaflet, self._ui_printed)
            if explained is leaflet:
                break
            leaflet = explained
        return html

    def _explained(self, leaflet: Leaflet, printed: set[tuple[str, str]]) -> Leaflet:
        """``leaflet`` with notes for the drafts and languages of the ui text it printed."""
        drafts = leaflet.ui_drafts or any(status == Status.DRAFT for status, _ in printed)
        other = sorted(
            loc for status, loc in printed if status in (Status.FALLBACK, Status.SOURCE)
        )
        in_locale = self.ui_translations(leaflet.locale.code).language
        names = list(leaflet.fallback_languages)
        for loc in other:
            name = self.config.language_name(loc, in_locale)
            if name not in names:
                names.append(name)
        fallback = leaflet.ui_fallback or bool(other)
        if (drafts, fallback, tuple(names)) == (
            leaflet.ui_drafts,
            leaflet.ui_fallback,
            leaflet.fallback_languages,
        ):
            return leaflet
        return dataclasses.replace(
            leaflet, ui_drafts=drafts, ui_fallback=fallback, fallback_languages=tuple(names)
        )

    @contextlib.contextmanager
    def template_errors(self, name: str) -> Iterator[None]:
        try:
            yield
        except jinja2.TemplateSyntaxError as exc:
            theme = self.config.theme
            shown = theme.location(exc.filename) if exc.filename else theme.shown(exc.name or name)
            raise TemplateError(
                exc.message or "syntax error",
                SourceLocation(shown, exc.lineno),
                hint="fix the template syntax",
            ) from exc
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(
                f"template not found: {exc.name}",
                SourceLocation("templates"),
                hint=f"add templates/{exc.name}, or copy a shipped one: plainlang theme copy",
            ) from exc
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                f"{exc.message}",
                _template_location(exc, self.config),
                hint="check the variable name; templates see `leaflet`",
            ) from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(
                str(exc), _template_location(exc, self.config), hint="fix the template"
            ) from exc
        except UnicodeDecodeError as exc:
            raise TemplateError(
                "not valid UTF-8", _undecodable_template(self.config), hint="save it as UTF-8"
            ) from exc
        except PlainlangError:
            raise
        except Exception as exc:  # a filter that raises, 1 // 0, a bad gettext placeholder
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise TemplateError(
                message[:300],
                _template_location(exc, self.config),
                hint="fix the template at that line",
            ) from exc


def read_pictogram(data: bytes, shown: str) -> Pictogram:
    """A pictogram from the bytes of its SVG file; a TemplateError names a bad file.

    The file is a theme file (shipped, or the project's own, as trusted as its templates):
    it must be well-formed SVG; its drawing is inlined into the leaflet as it is.
    """
    import re
    from xml.etree import ElementTree

    try:
        text = data.decode("utf-8")
        root = ElementTree.fromstring(text)
    except (UnicodeDecodeError, ElementTree.ParseError) as exc:
        line = exc.position[0] if isinstance(exc, ElementTree.ParseError) else None
        raise TemplateError(
            f"not a well-formed SVG file: {exc}",
            SourceLocation(shown, line),
            hint="save the pictogram as UTF-8 SVG",
        ) from exc
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise TemplateError(
            "a pictogram's root element must be <svg>", SourceLocation(shown, 1)
        )
    start = re.search(r"<svg\b[^>]*>", text)
    end = text.rfind("</svg>")
    drawing = text[start.end() : end].strip("\n") if start and end > start.end() else ""
    return Pictogram(view_box=root.get("viewBox", "0 0 48 48"), drawing=drawing)


def _undecodable_template(config: ProjectConfig) -> SourceLocation:
    """Where the first template that is not UTF-8 goes wrong: Jinja's loader does not say."""
    theme = config.theme
    for rel in theme.templates():
        path = theme.resolve(rel)
        if path is None:
            continue
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return SourceLocation(theme.shown(rel), line_at(data, exc.start))
    return SourceLocation("templates")


def _referenced_templates(env: jinja2.Environment, template: jinja2.Template) -> list[str]:
    """Names of the templates ``template`` extends, includes or imports (recursively)."""
    from jinja2 import meta

    seen: list[str] = []
    todo = [template.name or ""]
    while todo:
        name = todo.pop()
        if not name:
            continue
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        for ref in meta.find_referenced_templates(env.parse(source, name, filename)):
            if ref and ref not in seen:
                seen.append(ref)
                todo.append(ref)
    return seen


def _template_location(exc: BaseException, config: ProjectConfig) -> SourceLocation:
    """The template frame nearest the error (Jinja rewrites tracebacks to template lines)."""
    tb = exc.__traceback__
    location = SourceLocation("templates")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES):
            location = SourceLocation(config.theme.location(filename), tb.tb_lineno)
        tb = tb.tb_next
    return location


def _format_number(n: float, locale: Any) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=locale))


def _format_date(value: dt.date | str, fmt: str, locale: Any) -> str:
    from babel.dates import format_date

    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return str(format_date(value, format=fmt, locale=locale))
