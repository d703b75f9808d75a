"""Render: a localized case, for one audience and layout, to leaflet HTML through Jinja2.

One Jinja ``Environment`` per locale, autoescaping on, with the ``ui`` catalog installed as
newstyle gettext along the locale's fallback chain. Templates see :class:`Leaflet`, made of
view objects whose text is already safe HTML (see :mod:`plainlang.markup`): a template can
print ``{{ text }}`` and nothing a translator wrote can become markup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup, escape

from plainlang import __version__
from plainlang.config import LocaleInfo, ProjectConfig
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
from plainlang.errors import BuildError, SourceLocation, TemplateError, line_at
from plainlang.hyphenate import hyphenator, needs_soft_hyphens
from plainlang.localize import CatalogSet, LocalizedCase, Status, usable
from plainlang.markup import plain_text, render_inline
from plainlang.theme import TEMPLATE_SUFFIXES

UI_DOMAIN = "ui"
#: More text than any layout holds (the phone page, the longest, takes about 32,000
#: characters): such a leaflet fails before layout, which for a case of 10,000 paragraphs
#: took WeasyPrint 20 s and 400 MB only to say it does not fit.
MAX_LEAFLET_CHARS = 100_000


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
        parts = []
        if self.lang != self.doc_lang:
            parts.append(f'lang="{escape(self.lang)}"')
        if self.status != Status.TRANSLATED:
            parts.append(f'class="status-{self.status}"')
        return Markup(" " + " ".join(parts)) if parts else Markup("")


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
class Leaflet:
    """Everything a leaflet template needs. Text fields are :class:`TextView`."""

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
    soft_hyphens: bool = False
    ui_drafts: bool = False
    #: Who reads the audio version (:class:`plainlang.audio.VoiceChoice`), when it is made.
    voice: Any = None
    generator: str = f"plainlang {__version__}"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_drafts(self) -> bool:
        return self.counts.get(Status.DRAFT, 0) > 0 or self.ui_drafts

    @property
    def has_fallback(self) -> bool:
        return self.counts.get(Status.FALLBACK, 0) > 0 or self.counts.get(Status.SOURCE, 0) > 0

    def qr_image(self, alt: str) -> Markup:
        """The QR code with ``alt`` (what it links to, in the leaflet's words) as its text
        alternative; empty when the leaflet has no QR code."""
        return qr_svg(self.qr_url, alt) if self.qr_url else Markup("")

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
    """gettext for templates: the ``ui`` catalogs along the fallback chain, drafts if allowed.

    ``has_drafts`` says whether the leaflet's own ui catalog lends it any draft text, so
    the leaflet can say so even when its case text is all checked. :meth:`language` says
    which language a message is shown in (``lang`` says the leaflet's own), so that text a
    fallback catalog lends is marked as that language.
    """

    def __init__(self, catalogs: CatalogSet, locale: str) -> None:
        config = catalogs.config
        self.chain: list[tuple[Any, bool]] = []
        self.chain_locales: list[str] = []

        def lang_of(code: str) -> str:
            info = config.locale_info.get(code)
            return info.lang if info is not None else code

        self._lang_of = lang_of
        self.lang = lang_of(locale)
        self.source_lang = lang_of(config.source_locale)
        if locale != config.source_locale:
            for index, loc in enumerate(config.fallback_chain(locale)):
                catalog = catalogs.get(loc, UI_DOMAIN)
                if catalog is not None:
                    info = config.locale_info.get(loc)
                    self.chain.append((catalog, index == 0 and bool(info and info.use_fuzzy)))
                    self.chain_locales.append(loc)
        own = self.chain[0] if self.chain and self.chain[0][1] else None
        self.has_drafts = own is not None and any(
            (found := usable(m, True)) is not None and found[1] for m in own[0] if m.msgid
        )

    def _lookup(self, msgid: str, context: str | None = None) -> str | tuple[str, ...] | None:
        found = self.find(msgid, context)
        return found[0] if found is not None else None

    def find(
        self, msgid: str, context: str | None = None
    ) -> tuple[str | tuple[str, ...], str] | None:
        """The translation of ``msgid`` and the locale of the catalog that has it, or None.

        The audio version reads each ui string with the voice of the language it is in.
        """
        for (catalog, allow_fuzzy), loc in zip(self.chain, self.chain_locales, strict=True):
            found = usable(catalog.find(msgid, context), allow_fuzzy)
            if found is not None:
                return found[0], loc
        return None

    def language(self, msgid: str, context: str | None = None) -> str:
        """The language (BCP 47) ``msgid`` is shown in: that of the first catalog of the
        chain that translates it (:meth:`find`), else the source's."""
        found = self.find(msgid, context)
        return self._lang_of(found[1]) if found is not None else self.source_lang

    def gettext(self, message: str) -> str:
        found = self._lookup(message)
        return found if isinstance(found, str) else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._plural(None, singular, plural, n)

    def _plural(self, context: str | None, singular: str, plural: str, n: int) -> str:
        for catalog, allow_fuzzy in self.chain:
            found = usable(catalog.find(singular, context), allow_fuzzy)
            if found is not None and isinstance(found[0], tuple):
                strings = found[0]
                rule = catalog.plural_forms  # None: a rule gettext cannot read
                index = rule.form(n) if rule is not None else int(n != 1)
                return strings[min(index, len(strings) - 1)]
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        found = self._lookup(message, context)
        return found if isinstance(found, str) else message

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._plural(context, singular, plural, n)


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


def qr_svg(url: str, alt: str | None = None) -> Markup:
    """A vector QR code for ``url`` as inline SVG (no fetch, scales to any size).

    With ``alt``, the SVG is an image (``role="img"``) whose ``<title>`` is ``alt``: its
    text alternative, which WeasyPrint writes as the PDF figure's ``/Alt`` and browsers
    give screen readers as its name.
    """
    import segno

    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=2, dark="#000", light="#fff", omitsize=True, title=alt or None
    )
    if alt and svg.startswith("<svg "):
        svg = '<svg role="img" ' + svg[len("<svg ") :]
    return Markup(svg)


class LeafletRenderer:
    """Makes leaflet HTML for one project; keeps one Jinja environment per locale."""

    def __init__(self, config: ProjectConfig, catalogs: CatalogSet) -> None:
        self.config = config
        self.catalogs = catalogs

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
        # Jinja's newstyle gettext marks what gettext returns as safe HTML, so a ui.po
        # translation would be markup (<script>, <style>, <img src=...>). The templates get
        # it escaped: text, like every other translation. Jinja escapes the variables.
        # Text a fallback catalog lends (Spanish in a Quechua leaflet) is marked as its own
        # language, so that hyphenation, the PDF's /Lang and screen readers follow it.
        ui = self.ui_translations(locale)

        def marked(text: str, msgid: str, context: str | None = None) -> Markup:
            lang = ui.language(msgid, context)
            if lang == ui.lang:
                return escape(text)
            return Markup('<span lang="{}">{}</span>').format(lang, text)

        env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda s: marked(ui.gettext(s), s),
            ngettext=lambda s, p, n: marked(ui.ngettext(s, p, n), s),
            pgettext=lambda c, s: marked(ui.pgettext(c, s), s, c),
            npgettext=lambda c, s, p, n: marked(ui.npgettext(c, s, p, n), s, c),
            newstyle=True,
        )
        babel_locale = _babel_locale(self.config, locale)
        env.filters["format_number"] = lambda n: _format_number(n, babel_locale)
        env.filters["format_date"] = lambda d, fmt="long": _format_date(d, fmt, babel_locale)
        return env

    def image_url(self, src: str) -> str:
        """A content image's URL: relative paths are relative to the case file's folder.

        Whatever it is, the PDF stage's fetcher serves only files inside the project.
        """
        if "://" in src or src.startswith(("data:", "/")):
            return src
        return (self.config.content_dir / src).resolve().as_uri()

    def leaflet(self, lc: LocalizedCase, audience: str, layout: str) -> Leaflet:
        """The view model of one leaflet."""
        config = self.config
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
            return TextView(
                html=render_inline(text.text, hyphen_for[lang]),
                plain=plain_text(text.text),
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
            publisher=config.publisher,
            contact=config.contact,
            counts=dict(counts),
            theme=audience if config.theme.resolve(f"css/theme-{audience}.css") else "default",
            ui_drafts=self.ui_translations(lc.locale).has_drafts,
            soft_hyphens=needs_soft_hyphens(doc_lang),
            fallback_languages=tuple(
                config.locale_info[c].name if c in config.locale_info else c
                for c in fallback_codes
            ),
        )

    def check_templates(self, layouts: Sequence[str]) -> None:
        """Load every layout's template (and what it extends and imports) to find errors early."""
        env = self.environment(self.config.source_locale)
        for layout in layouts:
            with self.template_errors(f"layouts/{layout}.html.j2"):
                template = env.get_template(f"layouts/{layout}.html.j2")
                for name in _referenced_templates(env, template):
                    env.get_template(name)

    def html(self, lc: LocalizedCase, audience: str, layout: str) -> str:
        """The leaflet HTML; template problems become TemplateError with file and line.

        A leaflet with more than :data:`MAX_LEAFLET_CHARS` characters of text is a
        BuildError: it fits no layout, and laying it out would only take time and memory.
        """
        return self.render(self.leaflet(lc, audience, layout))

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
        name = f"layouts/{leaflet.layout}.html.j2"
        with self.template_errors(name):
            return env.get_template(name).render(leaflet=leaflet)
        raise AssertionError("unreachable")  # pragma: no cover

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
