"""Preview: one leaflet as PNG pages, for a quick look, the README and ``plainlang serve``.

The leaflet is made by :mod:`plainlang.build` exactly as ``plainlang build`` makes it
(and only when its inputs changed); its pages are then drawn with pdfium (pypdfium2).
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from plainlang.build import BuildOptions, Leaflet, TargetResult, build
from plainlang.config import normalize_locale
from plainlang.errors import BuildError, PlainlangError, UsageError
from plainlang.fsio import write_bytes_atomic
from plainlang.session import Session

#: pdfium is not thread-safe: every use of it in this process goes through this lock.
PDFIUM_LOCK = threading.Lock()


class LeafletFailed(PlainlangError):
    """The build's own error line for a leaflet it could not make, shown as it is."""

    category = "build error"

    def __init__(self, line: str, exit_code: int) -> None:
        super().__init__(line)
        self.exit_code = exit_code

    def format(self) -> str:
        return self.message


@dataclass(frozen=True)
class PreviewRequest:
    """Which leaflet to preview."""

    case: str
    locale: str
    audience: str
    layout: str

    def leaflet(self) -> Leaflet:
        return Leaflet(self.case, normalize_locale(self.locale), self.audience, self.layout)


@dataclass(frozen=True)
class PreviewResult:
    """The PNG pages of a leaflet, and the build's word on it."""

    leaflet: Leaflet
    pdf: Path
    pngs: tuple[Path, ...]
    build: TargetResult
    counts: dict[str, int] = field(default_factory=dict)


def png_paths(out_dir: Path, leaflet: Leaflet, pages: int) -> list[Path]:
    """``<out>/<locale>/<case>-<audience>-<layout>-<page>.png``, pages counted from 1."""
    stem = f"{leaflet.case}-{leaflet.audience}-{leaflet.layout}"
    return [out_dir / leaflet.locale / f"{stem}-{n}.png" for n in range(1, pages + 1)]


def pdf_to_pngs(pdf: Path, pngs: list[Path], dpi: int) -> None:
    """Draw each page of ``pdf`` into the matching file of ``pngs`` (written atomically)."""
    import pypdfium2

    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            if len(document) != len(pngs):
                raise BuildError(f"{pdf} has {len(document)} pages, expected {len(pngs)}")
            for index, target in enumerate(pngs):
                page = document[index]
                try:
                    bitmap = page.render(scale=dpi / 72)
                    image = bitmap.to_pil()
                    buf = io.BytesIO()
                    image.save(buf, format="PNG", optimize=False)
                    write_bytes_atomic(target, buf.getvalue())
                finally:
                    page.close()
        finally:
            document.close()


def page_count(pdf: Path) -> int:
    import pypdfium2

    with PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            return len(document)
        finally:
            document.close()


def _remove_stale_pages(out_dir: Path, leaflet: Leaflet, keep: list[Path]) -> None:
    """PNGs of pages the leaflet no longer has (it got shorter) would mislead: remove them."""
    folder = out_dir / leaflet.locale
    if not folder.is_dir():
        return
    pattern = re.compile(
        re.escape(f"{leaflet.case}-{leaflet.audience}-{leaflet.layout}-") + r"\d+\.png$"
    )
    for path in folder.iterdir():
        if pattern.fullmatch(path.name) and path not in keep:
            path.unlink(missing_ok=True)


def preview_pages(
    session: Session, request: PreviewRequest, *, out_dir: Path | None = None, dpi: int = 96
) -> PreviewResult:
    """Build the leaflet ``request`` names (if its inputs changed) and write its PNG pages.

    A leaflet below its locale's minimum coverage is still made: a preview is for looking
    at work in progress. A leaflet that cannot be made raises its error (exit 1 or 2).
    """
    config = session.config
    leaflet = request.leaflet()
    if request.case not in session.case_ids():
        raise UsageError(
            f"no case '{request.case}' in content/cases/",
            hint="the case id is the file name without .md",
        )
    options = BuildOptions(
        cases=(leaflet.case,),
        locales=(leaflet.locale,),
        audiences=(leaflet.audience,),
        layouts=(leaflet.layout,),
        outputs=("pdf",),
        jobs=1,
        min_coverage=0.0,
    )
    report = build(session, options)
    results = [r for r in report.results if r.kind == "pdf" and r.leaflet == leaflet]
    if not results:
        raise UsageError(
            f"case {leaflet.case} has no leaflet for audience {leaflet.audience}",
            hint="check the audiences: line of the case's front matter",
        )
    result = results[0]
    if result.status == "failed":
        raise LeafletFailed(result.error or "failed", result.error_code or 1)
    pdf = leaflet.pdf_path(config)
    out = out_dir if out_dir is not None else config.build_dir / "preview"
    pngs = png_paths(out, leaflet, page_count(pdf))
    pdf_to_pngs(pdf, pngs, dpi)
    _remove_stale_pages(out, leaflet, pngs)
    return PreviewResult(leaflet, pdf, tuple(pngs), result, dict(result.counts))
