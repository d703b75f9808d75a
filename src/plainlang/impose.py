"""Imposition: A5 pages laid out two to an A4 landscape sheet, for printing at home or at a shop.

Two ways to put A5 pages on A4 paper, both through pikepdf (QPDF): every page becomes a
Form XObject (its TrimBox, so a page with bleed is placed by its finished size and clipped
there) drawn into one half of a sheet.

- :func:`booklet_sheets`: a booklet folded from A4 sheets and stapled on the fold
  (saddle stitch). Sheet side 1 holds the last page at the left and page 1 at the right,
  side 2 holds page 2 and the second-to-last, and so on inwards. Print both sides, flipping
  on the **short edge**, stack the sheets in order, fold, staple.
- :func:`two_up_sheets`: a flyer twice on every side (front | front, back | back) with cut
  marks at the middle: print both sides (short edge), cut once down the middle, two flyers.

A booklet's page count must be a multiple of four. Imposition refuses any other count
rather than padding, because where blank pages go is the layout's decision (before the back
cover, which must stay the last page), not the printer's.

Imposed sheets are for a printer, not for a screen reader: they keep the document's
language (``/Lang``) and say in their title what they are (``"<title> — print sheets"``),
but carry no structure tree; the reading-order PDF beside them is the accessible one.
The same input gives the same bytes (no dates, a file identifier derived from the content).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from plainlang.errors import BuildError

MM = 72 / 25.4
#: A4 landscape in PostScript points.
A4_LANDSCAPE = (297 * MM, 210 * MM)
#: How much larger than half an A4 sheet a page may be (rounding in the page's own size).
_TOLERANCE = 0.5
#: Cut marks: length from the paper edge, and line width (a hairline a cutter can see).
CUT_MARK_LENGTH = 6 * MM
MARK_WIDTH = 0.5


def saddle_stitch_order(pages: int) -> list[tuple[int, int]]:
    """The (left, right) page numbers, 1-based, of every sheet side in printing order.

    >>> saddle_stitch_order(8)
    [(8, 1), (2, 7), (6, 3), (4, 5)]
    """
    if pages < 4 or pages % 4:
        raise BuildError(
            f"a booklet of {pages} pages cannot be folded from A4 sheets: "
            "saddle stitching needs a multiple of four pages",
            hint="the booklet layout adds blank pages before the back cover "
            "to reach 4, 8, 12 or 16",
        )
    sides: list[tuple[int, int]] = []
    for sheet in range(pages // 4):
        sides.append((pages - 2 * sheet, 2 * sheet + 1))
        sides.append((2 * sheet + 2, pages - 2 * sheet - 1))
    return sides


def booklet_sheets(pdf: bytes, *, title: str | None = None) -> bytes:
    """A4 landscape sheets that fold into the booklet ``pdf`` (A5 pages in reading order).

    Two pages a side, in saddle-stitch order (:func:`saddle_stitch_order`); the pages meet
    at the middle of the sheet, where it is folded. ``title`` defaults to the document's
    own. Raises BuildError for a page count that is not a multiple of four, or pages larger
    than A5.
    """
    source = _open(pdf)
    sides = saddle_stitch_order(len(source.pages))
    return _impose(source, [(left - 1, right - 1) for left, right in sides], title, marks=False)


def two_up_sheets(pdf: bytes, *, title: str | None = None) -> bytes:
    """A4 landscape sheets holding every page of ``pdf`` (an A5 flyer) twice, side by side.

    Page 1 | page 1 on the first side, page 2 | page 2 on the second, and so on; cut marks
    at the top and bottom of the middle line of odd sides. Raises BuildError for pages
    larger than A5.
    """
    source = _open(pdf)
    if not source.pages:
        raise BuildError("the flyer has no pages to print")
    return _impose(source, [(i, i) for i in range(len(source.pages))], title, marks=True)


def mark_lines(segments: Iterable[tuple[float, float, float, float]], width: float) -> bytes:
    """A content stream that strokes ``segments`` (x0, y0, x1, y1) in black, as an artifact.

    Marks are not part of the document's content, so they are marked ``/Artifact`` (what
    PDF/UA asks of page furniture), and drawn in DeviceGray so a greyscale page stays grey.
    """
    body = "".join(f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S\n" for x0, y0, x1, y1 in segments)
    return f"q /Artifact BMC 0 G {width:g} w 0 J []0 d\n{body}EMC Q\n".encode("ascii")


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (read with pikepdf, as the imposition reads it)."""
    return len(_open(pdf).pages)


# --------------------------------------------------------------------------- internals


def _open(pdf: bytes) -> Any:
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        raise BuildError(f"cannot read the PDF to impose: {exc}") from exc


def _impose(source: Any, sides: Sequence[tuple[int, int]], title: str | None, marks: bool) -> bytes:
    import pikepdf

    width, height = A4_LANDSCAPE
    half = width / 2
    out = pikepdf.new()
    forms = []
    for number, page in enumerate(source.pages, start=1):
        x0, y0, x1, y1 = (float(v) for v in page.trimbox)
        if x1 - x0 > half + _TOLERANCE or y1 - y0 > height + _TOLERANCE:
            raise BuildError(
                f"page {number} is {(x1 - x0) / MM:.0f} x {(y1 - y0) / MM:.0f} mm; "
                "only pages of A5 or smaller fit two to an A4 sheet",
                hint="impose the A5 layouts (booklet, flyer)",
            )
        forms.append((out.copy_foreign(page.as_form_xobject()), x1 - x0, y1 - y0))
    for side, (left, right) in enumerate(sides):
        sheet = out.add_blank_page(page_size=(width, height))
        for index, at_left in ((left, True), (right, False)):
            form, w, h = forms[index]
            # The pages meet at the middle (the fold, or the cut) and are centred in height.
            x = half - w if at_left else half
            y = (height - h) / 2
            # Named by page, not at random as add_overlay() does: the same bytes every run.
            name = sheet.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/Page{index + 1}"))
            placement = sheet.calc_form_xobject_placement(
                form, name, pikepdf.Rectangle(x, y, x + w, y + h)
            )
            sheet.contents_add(b"q\n" + placement + b"\nQ\n")
        if marks and side % 2 == 0:
            top = (half, height, half, height - CUT_MARK_LENGTH)
            bottom = (half, 0, half, CUT_MARK_LENGTH)
            sheet.contents_add(mark_lines([top, bottom], MARK_WIDTH))
    _describe(out, source, title)
    buffer = io.BytesIO()
    out.save(
        buffer,
        deterministic_id=True,
        compress_streams=True,
        min_version=source.pdf_version,
    )
    return buffer.getvalue()


def _describe(out: Any, source: Any, title: str | None) -> None:
    import pikepdf

    own_title = str(source.docinfo.get("/Title", "")) if source.docinfo is not None else ""
    name = f"{title or own_title or 'Leaflet'} — print sheets"
    lang = source.Root.get("/Lang")
    if lang is not None:
        out.Root.Lang = pikepdf.String(str(lang))
    out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    out.docinfo = out.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(name)))
    for key in ("/Author", "/Creator"):
        if source.docinfo is not None and key in source.docinfo:
            out.docinfo[key] = pikepdf.String(str(source.docinfo[key]))
    out.docinfo.Subject = pikepdf.String(
        "Imposed for printing; read the reading-order PDF on screen"
    )
