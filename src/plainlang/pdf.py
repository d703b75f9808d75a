"""HTML to PDF: accessible (PDF/UA-1), reproducible, and fetching nothing outside the project.

This is the only module that imports WeasyPrint, and it does so inside functions, so that
``plainlang check`` and ``stats`` (which only need :func:`missing_glyphs`) start fast.

Three promises from DESIGN.md are kept here:

- *No network at build time*: WeasyPrint fetches every stylesheet, image and font through a
  :class:`ConfinedFetcher`, which serves only regular files inside the project folder (after
  resolving symlinks and ``..``) and a few kinds of ``data:`` images, and records every URL
  it was asked for, so tests can prove what was refused.
- *Same inputs, same bytes*: the PDF dates come from :attr:`PdfMetadata.date`, else
  ``SOURCE_DATE_EPOCH``, else :data:`FALLBACK_DATE`; the file ``/ID`` is a hash of the content;
  WeasyPrint names font subsets from a hash of the font description, not at random.
- *Fonts shipped and embedded*: fonts come from the theme's ``fonts/`` through ``@font-face``
  and are embedded as subsets; :func:`missing_glyphs` tells the check stage which characters
  a translation uses that those fonts cannot draw.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from plainlang import __version__
from plainlang.config import source_date_epoch
from plainlang.errors import BuildError, PlainlangError
from plainlang.fsio import read_project_file, write_bytes_atomic
from plainlang.markup import undrawable
from plainlang.pictures import decode_data_image
from plainlang.theme import Theme

logger = logging.getLogger("plainlang.pdf")

#: The PDF flavour we ask WeasyPrint for: tagged, with a language and a displayed title.
PDF_VARIANT = "pdf/ua-1"

#: Date written into PDFs when neither the content nor ``SOURCE_DATE_EPOCH`` gives one.
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=UTC)

#: Largest file or ``data:`` payload the fetcher serves; bigger means a mistake or an attack.
MAX_FETCH_BYTES = 64 * 1024 * 1024

# Media types by suffix, fixed here rather than read from the system's mime.types, so that
# the same project renders the same way on every machine.
_MEDIA_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".html": "text/html",
    ".xml": "application/xml",
}

# --------------------------------------------------------------------------- fonts


@functools.lru_cache(maxsize=64)
def _cmap(path: str, mtime_ns: int, size: int) -> frozenset[int]:
    # mtime and size are part of the key so that an edited font is read again.
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        best = font.getBestCmap() or {}
        return frozenset(best)


def font_coverage(font_paths: Iterable[Path]) -> frozenset[int]:
    """Code points drawn by at least one of ``font_paths`` (the union of their cmaps)."""
    covered: set[int] = set()
    for path in font_paths:
        st = path.stat()
        covered |= _cmap(str(path), st.st_mtime_ns, st.st_size)
    return frozenset(covered)


def missing_glyphs(text: str, font_paths: Sequence[Path]) -> set[str]:
    """Characters of ``text`` that none of ``font_paths`` can draw.

    A precomposed letter the fonts lack still counts as covered when the fonts have all of
    its decomposed parts, because the shaper then draws base letter and accent.

    >>> sorted(missing_glyphs("año", []))
    ['a', 'o', 'ñ']
    """
    return undrawable(unicodedata.normalize("NFC", text), font_coverage(font_paths))


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class PdfMetadata:
    """What a PDF says about itself: document info, XMP, and the catalog's ``/Lang``.

    ``date`` is the creation and modification date; leave it ``None`` to use
    ``SOURCE_DATE_EPOCH`` or :data:`FALLBACK_DATE` (never the clock: the same inputs must
    give the same bytes). ``creator`` defaults to ``plainlang <version>``.
    """

    title: str
    lang: str
    author: str | None = None
    publisher: str | None = None
    creator: str | None = None
    subject: str | None = None
    keywords: tuple[str, ...] = ()
    date: datetime | None = None


def document_date(date: datetime | None, environ: Mapping[str, str] | None = None) -> datetime:
    """The date to print into a PDF: ``date``, else ``SOURCE_DATE_EPOCH``, else a fixed one.

    A naive ``date`` is taken as UTC. An invalid ``SOURCE_DATE_EPOCH`` is an error rather
    than ignored, as reproducible-builds.org asks, so a CI misconfiguration is seen.

    >>> document_date(None, {"SOURCE_DATE_EPOCH": "86400"}).isoformat()
    '1970-01-02T00:00:00+00:00'
    >>> document_date(None, {}) == FALLBACK_DATE
    True
    """
    if date is not None:
        return date if date.tzinfo is not None else date.replace(tzinfo=UTC)
    return source_date_epoch(environ) or FALLBACK_DATE


def _w3c_date(date: datetime) -> str:
    # WeasyPrint takes W3C-profile ISO 8601 strings for both the info dict and XMP.
    return date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- fetcher


class FetchRefused(ValueError):
    """A URL the fetcher will not serve.

    WeasyPrint turns any ``Exception`` from a fetcher (other than its fatal kind) into a
    failed fetch: it logs the failure and renders without the resource.
    """


@dataclass(frozen=True)
class FetchedResource:
    """Bytes the fetcher agreed to serve, with their media type and file (if any)."""

    url: str
    body: bytes
    media_type: str
    path: Path | None = None


class ConfinedFetcher:
    """A WeasyPrint URL fetcher that serves only files inside ``root``.

    Served: ``file:`` URLs whose real path (symlinks and ``..`` resolved) is a regular file
    inside ``root``, and, if ``allow_data_images``, ``data:`` URLs holding a PNG, JPEG or GIF
    (checked by their first bytes). Refused: everything else, including ``http(s):``,
    ``ftp:``, files outside ``root``, symlinks leading out, and ``data:`` HTML or SVG.

    Every URL asked for is appended to :attr:`requests` with whether it was served, so a
    test can show that a hostile input was refused and not merely ignored.

    WeasyPrint 70 calls a fetcher as ``fetcher(url)`` and reads its ``_fail_on_errors``;
    older versions passed ``timeout`` and ``ssl_context`` and wanted a dict back. Both work.
    """

    #: Read by ``weasyprint.urls.fetch``: a refusal is a failed fetch, not a fatal error.
    _fail_on_errors = False

    def __init__(
        self, root: Path, allow_data_images: bool = True, theme: Theme | None = None
    ) -> None:
        self.root = root.resolve(strict=True)
        self.allow_data_images = allow_data_images
        self.theme = theme
        # The shipped theme lives inside the installed package: its files are served too,
        # but only through the theme (a URL under the project's templates/ folder).
        self._theme_root = theme.shipped_dir.resolve() if theme is not None else None
        self.requests: list[tuple[str, bool]] = []

    def __call__(self, url: str, timeout: float = 10, ssl_context: object = None) -> Any:
        try:
            resource = self.resolve(url)
        except FetchRefused as exc:
            self.requests.append((url, False))
            logger.warning("refused to fetch %s: %s", _short(url), exc)
            raise
        self.requests.append((url, True))
        return _weasyprint_response(resource)

    def fetch(self, url: str, headers: object = None) -> Any:
        """WeasyPrint 70's ``URLFetcher.fetch`` signature; same as calling the fetcher."""
        return self(url)

    def refused(self) -> list[str]:
        """The URLs refused so far, in the order they were asked for."""
        return [url for url, served in self.requests if not served]

    def served(self) -> list[str]:
        """The URLs served so far, in the order they were asked for."""
        return [url for url, served in self.requests if served]

    def resolve(self, url: str) -> FetchedResource:
        """The resource ``url`` names, or :class:`FetchRefused` saying why not."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise FetchRefused(f"malformed URL ({exc})") from exc
        scheme = parts.scheme.lower()
        if scheme == "file":
            return self._file(url, parts.netloc, parts.path)
        if scheme == "data":
            if not self.allow_data_images:
                raise FetchRefused("data: URLs are not allowed")
            return _data_image(url)
        if not scheme:
            raise FetchRefused("not an absolute URL")
        raise FetchRefused(f"{scheme}: URLs are not allowed, only files inside the project")

    def _file(self, url: str, netloc: str, url_path: str) -> FetchedResource:
        if netloc not in ("", "localhost"):
            raise FetchRefused(f"file URL on another host ({netloc})")
        asked = Path(os.path.normpath(url2pathname(url_path)))
        mapped = self.theme.resolve_url_path(asked) if self.theme is not None else None
        path = mapped or asked
        # A shipped theme file is read from the installed package, confined to the theme.
        root = self.root
        if mapped is not None and self._theme_root is not None:
            real_mapped = mapped.resolve()
            if not real_mapped.is_relative_to(self.root) and real_mapped.is_relative_to(
                self._theme_root
            ):
                root = self._theme_root
        try:
            body = read_project_file(path, root, max_bytes=MAX_FETCH_BYTES, missing_ok=True)
        except PlainlangError as exc:
            raise FetchRefused(exc.message) from None
        if body is None:
            raise FetchRefused("no such file")
        real = path.resolve()
        media_type = _MEDIA_TYPES.get(real.suffix.lower(), "application/octet-stream")
        return FetchedResource(url=url, body=body, media_type=media_type, path=real)


def _short(url: str, limit: int = 120) -> str:
    # data: URLs can be megabytes; a log line needs only their start.
    return url if len(url) <= limit else url[:limit] + "…"


def _data_image(url: str) -> FetchedResource:
    try:
        media_type, raw = decode_data_image(url, MAX_FETCH_BYTES)
    except ValueError as exc:
        raise FetchRefused(f"data: URL refused: {exc}") from None
    return FetchedResource(url=url, body=raw, media_type=media_type)


def _weasyprint_response(resource: FetchedResource) -> Any:
    try:
        from weasyprint.urls import URLFetcherResponse
    except ImportError:  # WeasyPrint < 68 wants a dict
        result: dict[str, Any] = {
            "string": resource.body,
            "mime_type": resource.media_type,
            "redirected_url": resource.url,
        }
        if resource.path is not None:
            result["filename"] = resource.path.name
        return result
    return URLFetcherResponse(
        resource.url, resource.body, headers={"Content-Type": resource.media_type}
    )


# --------------------------------------------------------------------------- renderer


@dataclass(frozen=True)
class RenderResult:
    """What :meth:`PdfRenderer.write` made: the file's sha256 (hex), page count and size.

    ``messages`` are WeasyPrint's warnings and errors for this document (bad CSS, refused
    or missing resources), already logged to ``plainlang.pdf``; a strict build can fail on
    them.
    """

    sha256: str
    pages: int
    size: int
    messages: tuple[str, ...] = ()


@dataclass
class LaidOut:
    """A document laid out into pages, not yet written: measure it, then finish it."""

    document: Any  # weasyprint.Document
    messages: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return len(self.document.pages)

    def page_text_lengths(self) -> list[int]:
        """Characters of text laid out on each page (to say how much a layout overflows)."""
        return [_text_length(page._page_box) for page in self.document.pages]

    def content_bottom_mm(self, page: int = 0) -> float:
        """Where the content of ``page`` ends, from the top edge, in millimetres."""
        page_box = self.document.pages[page]._page_box
        bottom = 0.0
        for child in page_box.children:
            bottom = max(bottom, child.position_y + child.margin_height())
        bottom += page_box.margin_bottom
        return float(bottom) * 25.4 / 96


def _text_length(box: Any) -> int:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        return len(text.strip())
    return sum(_text_length(child) for child in getattr(box, "children", ()) or ())


@dataclass(frozen=True)
class _Rendered:
    pdf: bytes
    pages: int
    messages: tuple[str, ...]


@dataclass(frozen=True)
class _CachedSheet:
    css: Any  # weasyprint.CSS
    counter_styles: Mapping[str, Any]


class _ForwardToPlainlang(logging.Handler):
    """Collects WeasyPrint's warnings and errors and re-logs them under ``plainlang.pdf``."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not stop the build
            message = str(record.msg)
        self.messages.append(message)
        # WeasyPrint says "error" for a resource it could not load, but it carries on
        # without it: for us that is a warning, and it is reported once, here.
        logger.warning("weasyprint: %s", message)


@contextlib.contextmanager
def _weasyprint_messages() -> Iterator[list[str]]:
    wp_logger = logging.getLogger("weasyprint")
    handler = _ForwardToPlainlang()
    propagate = wp_logger.propagate
    wp_logger.addHandler(handler)
    wp_logger.propagate = False
    try:
        yield handler.messages
    finally:
        wp_logger.removeHandler(handler)
        wp_logger.propagate = propagate


class PdfRenderer:
    """Renders leaflet HTML to PDF bytes, confined to ``project_root``.

    Keeps one WeasyPrint ``FontConfiguration`` (so ``@font-face`` fonts are loaded once) and
    a cache of parsed stylesheets for its lifetime: make one per worker process and reuse
    it for every leaflet. Every fetch goes through :attr:`fetcher`, whose ``requests``
    accumulate over the renderer's life. Not thread-safe: while rendering it routes the
    ``weasyprint`` logger to ``plainlang.pdf``; use processes for parallel builds.
    """

    def __init__(self, project_root: Path, theme: Theme | None = None) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.project_root = project_root.resolve(strict=True)
        self.theme = theme
        self.fetcher = ConfinedFetcher(self.project_root, theme=theme)
        self._font_config = FontConfiguration()
        self._sheets: dict[tuple[Path, str], _CachedSheet] = {}

    def render(
        self,
        html: str,
        *,
        base_url: Path,
        metadata: PdfMetadata,
        stylesheets: Sequence[Path] = (),
    ) -> bytes:
        """PDF bytes for ``html``; relative URLs in it resolve against ``base_url``.

        ``base_url`` is a folder (or a file, whose folder is used); ``stylesheets`` are
        user stylesheets inside the project, applied after the document's own. The PDF's
        title, language and authors come from ``metadata``, not from the HTML.
        """
        return self._render(html, base_url, metadata, stylesheets).pdf

    def write(
        self,
        html: str,
        out_path: Path,
        *,
        base_url: Path,
        metadata: PdfMetadata,
        stylesheets: Sequence[Path] = (),
    ) -> RenderResult:
        """Render like :meth:`render` and write the PDF to ``out_path`` atomically."""
        rendered = self._render(html, base_url, metadata, stylesheets)
        write_bytes_atomic(out_path, rendered.pdf)
        return RenderResult(
            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            pages=rendered.pages,
            size=len(rendered.pdf),
            messages=rendered.messages,
        )

    def layout(
        self, html: str, *, base_url: Path, stylesheets: Sequence[Path] = ()
    ) -> LaidOut:
        """Lay ``html`` out into pages without writing a PDF (to measure, then :meth:`finish`)."""
        import weasyprint
        from weasyprint.css.counters import CounterStyle

        with _weasyprint_messages() as messages:
            sheets = [self._stylesheet(path) for path in stylesheets]
            # A fresh CounterStyle per document, so @counter-style rules in one leaflet
            # cannot change the next one; the cached sheets' rules are replayed into it.
            counter_style = CounterStyle()
            for sheet in sheets:
                counter_style.update(sheet.counter_styles)
            document = weasyprint.HTML(
                string=html, base_url=_base_url(base_url), url_fetcher=self.fetcher
            ).render(
                font_config=self._font_config,
                counter_style=counter_style,
                stylesheets=[sheet.css for sheet in sheets],
                pdf_variant=PDF_VARIANT,
            )
        return LaidOut(document=document, messages=tuple(messages))

    def finish(self, laid_out: LaidOut, metadata: PdfMetadata) -> bytes:
        """PDF bytes of a laid-out document, with ``metadata`` and reproducible dates."""
        date = document_date(metadata.date)
        with _weasyprint_messages() as messages:
            document = laid_out.document
            # Replace what WeasyPrint read from <title>/<meta>: the PDF says what the
            # metadata says, and HTML <link rel=attachment> files are never embedded.
            document.metadata = _document_metadata(metadata, date)
            pdf: bytes = document.write_pdf(
                pdf_variant=PDF_VARIANT, pdf_identifier=True, custom_metadata=True
            )
        laid_out.messages += tuple(messages)
        # What WeasyPrint's tags leave out (languages of passages, decoration as artifacts,
        # the layout's reading order, table header scopes): see plainlang.tagging.
        from plainlang.tagging import retag

        return retag(pdf, document)

    def _render(
        self, html: str, base_url: Path, metadata: PdfMetadata, stylesheets: Sequence[Path]
    ) -> _Rendered:
        laid_out = self.layout(html, base_url=base_url, stylesheets=stylesheets)
        pdf = self.finish(laid_out, metadata)
        return _Rendered(pdf=pdf, pages=laid_out.pages, messages=laid_out.messages)

    def _stylesheet(self, path: Path) -> _CachedSheet:
        from weasyprint import CSS
        from weasyprint.urls import URLFetchingError

        real = path.resolve()
        mapped = self.theme.resolve_url_path(path) if self.theme is not None else None
        if mapped is not None:
            real = mapped.resolve()
        elif not real.is_relative_to(self.project_root):
            raise BuildError(
                f"stylesheet {path} is outside the project folder {self.project_root}",
                hint="keep stylesheets under templates/",
            )
        try:
            data = real.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot read stylesheet {path}: {exc.strerror}") from exc
        # Keyed by content, so an edited stylesheet is parsed again; files it @imports
        # and the fonts it declares are read once per renderer (one build).
        key = (real, hashlib.sha256(data).hexdigest())
        cached = self._sheets.get(key)
        if cached is None:
            counter_styles: dict[str, Any] = {}
            try:
                css = CSS(
                    # A theme stylesheet keeps its URL under templates/, so that what it
                    # names (fonts, pictures) is looked up in the theme the same way.
                    url=(Path(os.path.abspath(path)) if mapped is not None else real).as_uri(),
                    url_fetcher=self.fetcher,
                    font_config=self._font_config,
                    counter_style=counter_styles,
                    media_type="print",
                )
            except URLFetchingError as exc:
                raise BuildError(f"cannot load stylesheet {path}: {exc}") from exc
            cached = _CachedSheet(css=css, counter_styles=counter_styles)
            self._sheets[key] = cached
        return cached


def _base_url(base: Path) -> str:
    """``base`` as the base URL of a document: a folder's URL ends with ``/``.

    WeasyPrint takes a path that is not an existing folder for a file and resolves against
    its parent; the project's ``templates/`` folder need not exist (the shipped theme
    serves), and its files must still resolve inside it.
    """
    real = base.resolve()
    return real.as_uri() if real.is_file() else real.as_uri().rstrip("/") + "/"


@functools.cache
def _metadata_class() -> Callable[..., Any]:
    """A WeasyPrint ``DocumentMetadata`` that also writes publisher and language to XMP."""
    from xml.etree.ElementTree import SubElement, fromstring, tostring

    from weasyprint.pdf.metadata import NS, DocumentMetadata

    rdf_ns, dc_ns = NS["rdf"], NS["dc"]

    class _Metadata(DocumentMetadata):  # type: ignore[misc]
        publisher: str | None = None

        def generate_rdf_metadata(self, variant: str, version: int, conformance: Any) -> bytes:
            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            for tag, container, values in (
                ("publisher", "Bag", [self.publisher] if self.publisher else []),
                ("language", "Bag", [self.lang] if self.lang else []),
            ):
                if not values:
                    continue
                desc = SubElement(rdf, f"{{{rdf_ns}}}Description")
                desc.attrib[f"{{{rdf_ns}}}about"] = ""
                bag = SubElement(SubElement(desc, f"{{{dc_ns}}}{tag}"), f"{{{rdf_ns}}}{container}")
                for value in values:
                    SubElement(bag, f"{{{rdf_ns}}}li").text = value
            result: bytes = tostring(rdf, encoding="utf-8")
            return result

    return _Metadata


def metadata_text(value: str) -> str:
    """``value`` as the PDF's info dictionary and XMP can hold it: one line, no controls.

    A title comes from a translation, and a translation can hold a form feed, a bell or
    any control character (PO files escape them as ``\\f``, ``\\a``); XML 1.0, which XMP
    is, has no way to write most of them, and WeasyPrint's XMP then fails to parse. Every
    control, line or paragraph separator, surrogate and non-character becomes a space,
    and runs of spaces fold to one.

    >>> metadata_text("Pregunte\\fpor el\\a agua\\n")
    'Pregunte por el agua'
    """
    out = [
        " "
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
        or (ord(char) & 0xFFFE) == 0xFFFE
        or 0xFDD0 <= ord(char) <= 0xFDEF
        else char
        for char in value
    ]
    return " ".join("".join(out).split())


def _document_metadata(metadata: PdfMetadata, date: datetime) -> Any:
    # Every text field crosses into XML here: this is the one place it is cleaned.
    clean = metadata_text
    stamp = _w3c_date(date)
    publisher = clean(metadata.publisher) if metadata.publisher else None
    doc_meta = _metadata_class()(
        title=clean(metadata.title),
        authors=[clean(metadata.author)] if metadata.author else [],
        description=clean(metadata.subject) if metadata.subject else None,
        keywords=[clean(k) for k in metadata.keywords],
        generator=clean(metadata.creator or f"plainlang {__version__}"),
        created=stamp,
        modified=stamp,
        lang=clean(metadata.lang),
        # Written to the info dict by write_pdf(custom_metadata=True).
        custom={"Publisher": publisher} if publisher else {},
    )
    doc_meta.publisher = publisher
    return doc_meta
