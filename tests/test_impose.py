"""Imposition: real A5 documents from WeasyPrint, imposed, then read back by pdfium and pypdf.

Each A5 page prints its own number big; the tests read which number lands in which half of
every sheet side (pdfium's text in a rectangle), and fold the sheets on paper in their head
(:func:`_fold`) instead of restating the saddle-stitch formula.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from plainlang.errors import BuildError
from plainlang.impose import booklet_sheets, saddle_stitch_order, two_up_sheets

A4_W, A4_H = 841.89, 595.28


def _numbered_pages(count: int, *, size: str = "A5", extra_css: str = "") -> bytes:
    import weasyprint

    pages = "".join(f'<section><p class="n">{i}</p></section>' for i in range(1, count + 1))
    html = f"""<!doctype html><html lang="qu"><head><title>Willakuy</title><style>
      @page {{ size: {size}; margin: 12mm }}
      body {{ margin: 0; font-family: sans-serif }}
      section {{ break-after: page }} section:last-child {{ break-after: auto }}
      .n {{ font-size: 150pt; text-align: center; margin: 40mm 0 0 }}
      {extra_css}</style></head><body>{pages}</body></html>"""
    return bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))


def _halves(pdf: bytes) -> list[tuple[str, str]]:
    """The text in the left and right half of every page (pdfium, PDF coordinates)."""
    doc = pdfium.PdfDocument(pdf)
    out = []
    for page in doc:
        width, height = page.get_size()
        text = page.get_textpage()
        left = text.get_text_bounded(0, 0, width / 2, height).split()
        right = text.get_text_bounded(width / 2, 0, width, height).split()
        out.append((" ".join(left), " ".join(right)))
    return out


def _fold(sides: list[tuple[str, str]]) -> list[str]:
    """Reading order of the booklet made by stacking the printed sheets, folding, stapling.

    Sheet k (outermost first) has a front (left, right) and a back (left, right), printed
    flipping on the short edge: the back's left lies behind the front's right. Folded, the
    outer sheet's front right is the cover; going through the booklet one reads each sheet's
    front right and back left going in, then each back right and front left coming out.
    """
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    going_in = [page for front, back in sheets for page in (front[1], back[0])]
    coming_out = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return going_in + coming_out


@pytest.mark.parametrize("count", [4, 8, 12, 16])
def test_booklet_sheets_fold_into_the_booklet(count: int) -> None:
    sheets = booklet_sheets(_numbered_pages(count))
    sides = _halves(sheets)
    assert len(sides) == count // 2
    assert sides[0] == (str(count), "1")  # side 1: last page | page 1
    assert sides[1] == ("2", str(count - 1))  # side 2: page 2 | second-to-last
    assert _fold(sides) == [str(n) for n in range(1, count + 1)]


def test_eight_pages_in_the_order_a_printer_expects() -> None:
    # Written out by hand from a folded paper dummy.
    assert _halves(booklet_sheets(_numbered_pages(8))) == [
        ("8", "1"), ("2", "7"), ("6", "3"), ("4", "5")
    ]


@pytest.mark.parametrize("count", [4, 16])
def test_sheets_are_a4_landscape_and_reproducible(count: int) -> None:
    source = _numbered_pages(count)
    sheets = booklet_sheets(source)
    assert booklet_sheets(source) == sheets
    reader = PdfReader(io.BytesIO(sheets))
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.left)) < 0.01 and abs(float(box.bottom)) < 0.01
        assert abs(float(box.width) - A4_W) < 0.5 and abs(float(box.height) - A4_H) < 0.5
    assert reader.trailer["/Root"]["/Lang"] == "qu"
    assert reader.metadata is not None and reader.metadata.title == "Willakuy — print sheets"


def test_pages_meet_at_the_fold() -> None:
    """Each A5 page is drawn at its full size, the two touching at the middle of the sheet."""
    sheets = booklet_sheets(_numbered_pages(4, extra_css="@page { background: #000 }"))
    image = pdfium.PdfDocument(sheets)[0].render(scale=2).to_pil().convert("L")
    width, height = image.size
    middle, row = width // 2, height // 2
    assert image.getpixel((middle - 2, row)) < 40 and image.getpixel((middle + 2, row)) < 40
    # 1 mm of A4 is left over: half a millimetre at each outer edge stays white.
    assert image.getpixel((0, row)) > 215 and image.getpixel((width - 1, row)) > 215
    assert image.getpixel((5, row)) < 40  # 5 px at scale 2 is 1.8 mm in


def test_page_with_bleed_is_placed_by_its_trim_box() -> None:
    source = _numbered_pages(4, extra_css="@page { bleed: 3mm; background: #000 }")
    sheets = booklet_sheets(source)
    image = pdfium.PdfDocument(sheets)[0].render(scale=2).to_pil().convert("L")
    width, height = image.size
    assert image.getpixel((0, height // 2)) > 215  # the bleed is clipped at the trim
    assert image.getpixel((width // 2 - 2, height // 2)) < 40
    assert _fold(_halves(sheets)) == ["1", "2", "3", "4"]


@pytest.mark.parametrize("count", [1, 2, 3, 6, 10])
def test_booklet_refuses_a_page_count_that_is_not_a_multiple_of_four(count: int) -> None:
    with pytest.raises(BuildError) as info:
        booklet_sheets(_numbered_pages(count))
    assert f"a booklet of {count} pages" in info.value.message
    assert "multiple of four" in info.value.message
    assert info.value.hint is not None and "blank pages before the back cover" in info.value.hint


def test_pages_larger_than_a5_are_refused() -> None:
    with pytest.raises(BuildError, match=r"page 1 is 210 x 297 mm"):
        booklet_sheets(_numbered_pages(4, size="A4"))


def test_not_a_pdf_is_a_build_error() -> None:
    with pytest.raises(BuildError, match="cannot read the PDF"):
        two_up_sheets(b"%PDF-1.7 not really")


def test_saddle_stitch_order_pairs_add_up() -> None:
    for pages in range(4, 68, 4):
        sides = saddle_stitch_order(pages)
        assert sorted(n for side in sides for n in side) == list(range(1, pages + 1))
        assert all(left + right == pages + 1 for left, right in sides)


def test_two_up_flyer_fronts_and_backs() -> None:
    source = _numbered_pages(2)
    sheets = two_up_sheets(source)
    assert two_up_sheets(source) == sheets
    assert _halves(sheets) == [("1", "1"), ("2", "2")]
    reader = PdfReader(io.BytesIO(sheets))
    assert [round(float(p.mediabox.width), 1) for p in reader.pages] == [841.9, 841.9]
    assert reader.metadata is not None and reader.metadata.title == "Willakuy — print sheets"


def test_two_up_has_cut_marks_in_the_middle_of_the_front_only() -> None:
    sheets = two_up_sheets(_numbered_pages(2))
    doc = pdfium.PdfDocument(sheets)
    scale = 4  # 288 dpi: a 0.5 pt line is 2 px wide
    front, back = (page.render(scale=scale).to_pil().convert("L") for page in doc)
    width, height = front.size
    mm = scale * 72 / 25.4
    middle = width // 2

    def darkest(image: object, y: int) -> int:
        return min(image.getpixel((x, y)) for x in range(middle - 3, middle + 4))  # type: ignore[attr-defined]

    for y in (int(1 * mm), int(5 * mm), height - int(1 * mm), height - int(5 * mm)):
        assert darkest(front, y) < 80, y
        assert darkest(back, y) > 230, y
    assert darkest(front, int(8 * mm)) > 230  # the mark stops 6 mm in, short of the text
    assert darkest(front, height // 2) > 230


def test_cut_marks_are_artifacts() -> None:
    import pikepdf

    sheets = two_up_sheets(_numbered_pages(1))
    with pikepdf.open(io.BytesIO(sheets)) as pdf:
        ops = [str(op.operator) for op in pikepdf.parse_content_stream(pdf.pages[0])]
        start = ops.index("BMC")
        assert ops[start + 1 :].count("S") == 2 and "EMC" in ops[start:]
        operands = pikepdf.parse_content_stream(pdf.pages[0])[start].operands
        assert operands == [pikepdf.Name.Artifact]
