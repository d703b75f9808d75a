"""Phone images: every sample phone leaflet as slides, checked against its PDF read by pdfium.

The slides' bounds (1080 px wide, at most 1920 tall, under 1.5 MB), that put back together
they are the page (nothing lost, nothing twice), that no cut goes through a character
(pdfium's character boxes, not the layout the cutter used), their numbers and their words.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from pdftags import letters
from PIL import Image, ImageChops, ImageDraw, ImageFont

from plainlang.errors import BuildError
from plainlang.slides import (
    BAND_HEIGHT,
    INK,
    LABEL_SIZE,
    MAX_SLIDE_BYTES,
    PAPER,
    SLIDE_MAX_HEIGHT,
    SLIDE_WIDTH,
    TOP_PAD,
    Cut,
    PageMap,
    Slide,
    choose_cuts,
    png_rgb,
    write_slides,
)
from plainlang.theme import SHIPPED_THEME


@pytest.fixture(scope="module")
def leaflets(built_sample: Path) -> list[tuple[Path, list[Path]]]:
    """(phone PDF, its slides) for every phone leaflet of the sample."""
    out = []
    for pdf in sorted((built_sample / "build/pdf").rglob("*-phone.pdf")):
        stem = pdf.stem[: -len("-phone")]
        slides = sorted((built_sample / "build/images" / pdf.parent.name).glob(f"{stem}-[0-9][0-9].png"))
        out.append((pdf, slides))
    assert len(out) == 27
    return out


def _body_rows(number: int, image: Image.Image) -> tuple[int, int]:
    """The rows of a slide that show the page: below the top space, above the band."""
    top = TOP_PAD if number > 1 else 0
    return top, image.height - BAND_HEIGHT


def test_every_slide_is_within_bounds(leaflets):
    for _, slides in leaflets:
        assert len(slides) >= 3
        for path in slides:
            size = path.stat().st_size
            with Image.open(path) as image:
                assert image.width == SLIDE_WIDTH, path.name
                assert image.height <= SLIDE_MAX_HEIGHT, path.name
            assert size < MAX_SLIDE_BYTES, (path.name, size)


def _page_image(pdf_path: Path) -> tuple[Image.Image, float, list[tuple[float, float, str]]]:
    """The page rendered 1080 px wide, the scale, and every character's rows (pdfium)."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[0]
        width, height = page.get_size()
        scale = SLIDE_WIDTH / width
        image = page.render(scale=scale, fill_color=(*PAPER, 255), draw_annots=False).to_pil().convert("RGB")
        textpage = page.get_textpage()
        chars = []
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if not char.strip():
                continue
            _, bottom, _, top = textpage.get_charbox(i)
            chars.append(((height - top) * scale, (height - bottom) * scale, char))
        textpage.close()
    finally:
        pdf.close()
    return image, scale, chars


def test_slides_put_together_are_the_page_and_no_cut_goes_through_a_line(leaflets):
    for pdf_path, slides in leaflets:
        page, _, chars = _page_image(pdf_path)
        row = 0
        cuts = []
        for number, path in enumerate(slides, start=1):
            with Image.open(path) as image:
                top, bottom = _body_rows(number, image.convert("RGB"))
                body = image.convert("RGB").crop((0, top, SLIDE_WIDTH, bottom))
            expected = page.crop((0, row, SLIDE_WIDTH, row + body.height))
            # the pixels of the whole page rendered at once: nothing lost, nothing shown
            # twice, not a row out of place
            assert ImageChops.difference(body, expected).getbbox() is None, path.name
            row += body.height
            cuts.append(row)
        assert row == page.height, (pdf_path.name, row, page.height)
        for cut in cuts[:-1]:
            through = [c for top, bottom, c in chars if top + 0.5 < cut < bottom - 0.5]
            assert not through, f"{pdf_path.name}: the cut at row {cut} goes through {through}"


def test_slides_are_numbered_in_the_theme_font(leaflets):
    font = ImageFont.truetype(str(SHIPPED_THEME / "fonts/Andika-Bold.ttf"), LABEL_SIZE)
    for _, slides in leaflets:
        count = len(slides)
        for number, path in enumerate(slides, start=1):
            with Image.open(path) as image:
                band = image.convert("RGB").crop((0, image.height - BAND_HEIGHT, SLIDE_WIDTH, image.height))
            # the band holds exactly "number/count", centred, in the ink colour
            label = Image.new("RGB", band.size, PAPER)
            ImageDraw.Draw(label).text(
                (SLIDE_WIDTH // 2, BAND_HEIGHT // 2 + 2), f"{number}/{count}", fill=INK, font=font, anchor="mm"
            )
            ink = ImageChops.difference(band, Image.new("RGB", band.size, PAPER)).getbbox()
            drawn = ImageChops.difference(label, Image.new("RGB", band.size, PAPER)).getbbox()
            assert ink is not None and drawn is not None
            text_rows = (drawn[1], drawn[3])
            assert ImageChops.difference(
                band.crop((0, *text_rows[:1], SLIDE_WIDTH, text_rows[1])),
                label.crop((0, *text_rows[:1], SLIDE_WIDTH, text_rows[1])),
            ).getbbox() is None, f"{path.name} is not numbered {number}/{count}"


def test_each_slide_has_its_words_beside_it(leaflets):
    for pdf_path, slides in leaflets:
        _, _, chars = _page_image(pdf_path)
        row = 0
        for number, path in enumerate(slides, start=1):
            with Image.open(path) as image:
                top, bottom = _body_rows(number, image)
            height = bottom - top
            shown = "".join(c for t, b, c in chars if row <= t and b <= row + height)
            row += height
            words = path.with_suffix(".txt").read_text(encoding="utf-8")
            # every letter the slide shows, and only those (hyphens undone); in reading
            # order, which is not pdfium's (it reads in the order things are painted, the
            # numbered steps, positioned boxes, after the text that follows them)
            assert sorted(letters(words)) == sorted(letters(shown)), path.name
            assert "\u00ad" not in words and "\u2010\n" not in words


# -- choosing cuts, on made-up pages ---------------------------------------------------------

SCALE = 2.5  # image px per CSS px (a 432 px wide page)


def _room(first: bool) -> float:
    return (SLIDE_MAX_HEIGHT - BAND_HEIGHT - (0 if first else TOP_PAD) - 1) / SCALE


@st.composite
def _pages(draw) -> PageMap:
    """A page of lines (ink) with block boundaries in some of the gaps between them."""
    y = 20.0
    ink, cuts = [], []
    for _ in range(draw(st.integers(5, 400))):
        if draw(st.booleans()):
            cuts.append(Cut(y + 4, draw(st.integers(0, 2)), draw(st.integers(0, 5))))
            y += 8
        height = draw(st.floats(10, 60))
        ink.append((y, y + height))
        y += height + draw(st.floats(0, 3))
    cuts.append(Cut(y + 4, 0, 0))
    return PageMap(width=432, height=y + 30, ink=tuple(ink), cuts=tuple(cuts), lines=())


@seed(14)
@settings(max_examples=120, deadline=None)
@given(_pages())
def test_cuts_are_at_block_boundaries_and_make_slides_that_fit(page):
    try:
        cuts = choose_cuts(page, SCALE)
    except BuildError:
        # only when some stretch of the page has no boundary within a slide's height
        ys = [0.0, *(c.y for c in page.cuts), page.height]
        assert any(b - a > _room(False) for a, b in itertools.pairwise(ys))
        return
    candidates = {c.y for c in page.cuts}
    assert all(c in candidates for c in cuts)
    edges = [0.0, *cuts, page.height]
    assert edges == sorted(edges)
    for i, (top, bottom) in enumerate(itertools.pairwise(edges)):
        assert 0 < bottom - top <= _room(i == 0) + 1e-6
    # never more slides than the greedy cutter (always the lowest boundary that fits) makes
    greedy, start = 0, 0.0
    while page.height - start > _room(greedy == 0):
        start = max(c.y for c in page.cuts if start < c.y <= start + _room(greedy == 0))
        greedy += 1
    assert len(cuts) <= greedy


def test_a_page_with_no_place_to_cut_is_an_error():
    page = PageMap(width=432, height=2000, ink=((0, 2000),), cuts=(), lines=())
    with pytest.raises(BuildError, match="no place to cut"):
        choose_cuts(page, SCALE)


def test_a_short_page_is_one_slide():
    page = PageMap(width=432, height=300, ink=(), cuts=(Cut(100, 0, 0),), lines=())
    assert choose_cuts(page, SCALE) == []


def test_a_framed_box_is_not_cut_when_another_place_will_do():
    room = _room(True)
    inside_box = Cut(room * 0.9, frames=1, depth=3)
    before_box = Cut(room * 0.6, frames=0, depth=1)
    page = PageMap(width=432, height=room * 1.5, ink=(), cuts=(before_box, inside_box), lines=())
    assert choose_cuts(page, SCALE) == [before_box.y]


def test_write_slides_replaces_a_longer_set(tmp_path):
    def slides(n: int) -> list[Slide]:
        out = []
        for k in range(1, n + 1):
            data = io.BytesIO()
            Image.new("RGB", (SLIDE_WIDTH, 100), PAPER).save(data, format="PNG")
            out.append(Slide(k, n, 0, 100, data.getvalue(), f"words {k}"))
        return out

    write_slides(slides(5), tmp_path, "case-youth")
    written = write_slides(slides(3), tmp_path, "case-youth")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert [p.name for p in written if p.suffix == ".png"] == [f"case-youth-0{k}.png" for k in (1, 2, 3)]
    assert (tmp_path / "case-youth-02.txt").read_text() == "words 2\n"


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    width=st.integers(1, 40),
    height=st.integers(1, 40),
    mode=st.sampled_from(["RGB", "RGBA", "L", "P"]),
    data=st.data(),
)
def test_png_rgb_is_lossless_and_unfiltered(width, height, mode, data):
    """What Pillow and zlib read back is the image, as RGB; every row says filter 0."""
    import zlib

    raw = data.draw(st.binary(min_size=width * height * 4, max_size=width * height * 4))
    image = Image.frombytes("RGBA", (width, height), raw).convert(mode)
    png = png_rgb(image)
    back = Image.open(io.BytesIO(png))
    back.load()
    assert back.mode == "RGB" and back.size == (width, height)
    assert back.tobytes() == image.convert("RGB").tobytes()
    start = png.index(b"IDAT") + 4
    size = int.from_bytes(png[start - 8 : start - 4], "big")
    rows = zlib.decompress(png[start : start + size])
    assert rows[:: 1 + width * 3] == bytes(height)


def test_a_real_slide_is_smaller_than_pillows_png(leaflets):
    """No filter suits flat paper and text: the slides come out smaller than Pillow's
    adaptive filtering at the same zlib level."""
    for _, slides in leaflets:
        data = slides[0].read_bytes()
        image = Image.open(io.BytesIO(data))
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        assert len(data) < len(out.getvalue()), slides[0]


def test_a_slide_of_shades_keeps_its_colours():
    """A picture's smooth shades compress only with PNG's filters: where the unfiltered
    PNG is over the limit but Pillow's filtered one is not, the slide stays RGB, not a
    256-colour palette."""
    import numpy as np

    from plainlang.slides import _png

    rng = np.random.default_rng(7)
    steps = rng.choice([-1, 0, 1], size=(1800, SLIDE_WIDTH, 3), p=[0.1, 0.8, 0.1])
    shades = (128 + np.cumsum(steps, axis=1)).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(shades, "RGB")
    assert len(png_rgb(image)) > MAX_SLIDE_BYTES  # the case this test is about
    data = _png(image)
    back = Image.open(io.BytesIO(data))
    back.load()
    assert len(data) <= MAX_SLIDE_BYTES and back.mode == "RGB"
    assert back.tobytes() == image.tobytes()
