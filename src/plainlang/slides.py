"""Phone images: the phone leaflet cut into slides that messaging apps show whole.

A phone leaflet is one page as tall as its text (7000 px and more at 1080 px wide), which
messaging apps shrink to nothing. Its slides are 1080 px wide and at most 1920 px tall
(9:16, a phone screen), each under 1.5 MB, numbered "2/4" in a band at its foot, in the
theme's font (drawn with Pillow). They are cut between blocks, never through a line of
text or a picture: the cut points come from the laid-out boxes (the same layout the PDF
was written from), and the slides are rendered from the PDF with pdfium at the scale
that makes the page 1080 px wide. Each slide also carries its words (:attr:`Slide.text`),
for the caption or alternative text of the message that sends it.

Choosing cuts: every boundary between two block boxes that crosses no line, picture or
rotated box is a candidate. From the top, the next cut is the candidate that keeps the
slide within bounds and costs least: crossing a framed box (a call-out, the "what to do
next" box) costs most, then a boundary deep inside the layout, then distance from the
height that would make all remaining slides equal.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plainlang.build import (
    GROUP_NUMBER,
    BuildOptions,
    InputHasher,
    Job,
    Leaflet,
    Made,
    OutputKind,
    PlanContext,
    Target,
    prepare_leaflets,
    register_output,
)
from plainlang.config import ProjectConfig
from plainlang.errors import BuildError, UsageError
from plainlang.session import Session

SLIDE_WIDTH = 1080
SLIDE_MAX_HEIGHT = 1920
MAX_SLIDE_BYTES = 1_500_000
#: The band at the foot of each slide that holds its number, in pixels.
BAND_HEIGHT = 84
#: Size (px) of the number in the band.
LABEL_SIZE = 40
#: White space above the content of every slide but the first (which has the page margin).
TOP_PAD = 48
#: Ink is kept this far (CSS px) from a cut: anti-aliasing, descenders.
_INK_MARGIN = 1.5

INK = (26, 26, 26)  # --ink of base.css
PAPER = (255, 255, 255)
RULE = (190, 190, 190)


@dataclass(frozen=True)
class Slide:
    """One slide: its number, the rows of the page image it shows, its PNG and its words."""

    number: int
    count: int
    top: int  # first row of the page image (1080 px wide) shown, inclusive
    bottom: int  # last row, exclusive
    png: bytes
    text: str

    @property
    def label(self) -> str:
        return f"{self.number}/{self.count}"


@dataclass(frozen=True)
class Cut:
    """Where the page may be cut (CSS px from the top) and what cutting there costs."""

    y: float
    frames: int  # framed boxes (background or border) the cut crosses
    depth: int


@dataclass(frozen=True)
class PageMap:
    """What the cutter needs of a laid-out page: size, ink, candidate cuts, lines of text."""

    width: float  # CSS px
    height: float
    ink: tuple[tuple[float, float], ...]  # merged y ranges nothing may cut
    cuts: tuple[Cut, ...]
    lines: tuple[tuple[float, float, str, int], ...]  # (top, bottom, text, block) of each line


def page_map(document: Any) -> PageMap:
    """The :class:`PageMap` of the one page of a laid-out phone leaflet."""
    from weasyprint.formatting_structure import boxes

    if len(document.pages) != 1:
        raise BuildError(f"a phone leaflet is one page; this one has {len(document.pages)}")
    page = document.pages[0]
    ink: list[tuple[float, float]] = []
    lines: list[tuple[float, float, str, int]] = []
    cuts: list[Cut] = []
    frames: list[tuple[float, float]] = []

    def border_box(box: Any) -> tuple[float, float]:
        top = float(box.border_box_y())
        return top, top + float(box.border_height())

    def walk(box: Any, depth: int, block: int = 0) -> None:
        style = getattr(box, "style", None)
        if style is not None and style["transform"]:
            # A rotated or moved box can reach beyond its own lines: it is ink as a whole.
            ink.append(border_box(box))
        if isinstance(box, boxes.LineBox):
            top = float(box.position_y)
            bottom = top + float(box.height)
            text = _line_text(box)
            ink.append((top, bottom))
            if text.strip():
                lines.append((top, bottom, text, block))
            for child in box.children:
                walk(child, depth + 1, block)
            return
        if isinstance(box, boxes.ReplacedBox):
            ink.append(border_box(box))
            return
        if style is not None and _framed(style) and not isinstance(box, boxes.InlineBox):
            frames.append(border_box(box))
        children = [
            c for c in getattr(box, "children", ()) or () if not isinstance(c, boxes.TextBox)
        ]
        blocks = [c for c in children if isinstance(c, boxes.BlockLevelBox)]
        for above, below in itertools.pairwise(blocks):
            a_bottom = border_box(above)[1]
            b_top = border_box(below)[0]
            cuts.append(Cut((a_bottom + b_top) / 2, 0, depth))
        for child in children:
            walk(child, depth + 1, id(box) if isinstance(box, boxes.BlockContainerBox) else block)

    walk(page._page_box, 0)
    merged = _merge([(top - _INK_MARGIN, bottom + _INK_MARGIN) for top, bottom in ink])
    clear = [
        Cut(c.y, sum(1 for top, bottom in frames if top + 1 < c.y < bottom - 1), c.depth)
        for c in cuts
        if not any(top < c.y < bottom for top, bottom in merged)
    ]
    return PageMap(
        width=float(page.width),
        height=float(page.height),
        ink=tuple(merged),
        cuts=tuple(sorted(set(clear), key=lambda c: c.y)),
        lines=tuple(lines),  # in the order of the box tree: the reading order
    )


def _framed(style: Any) -> bool:
    background = style["background_color"]
    has_background = background is not None and getattr(background, "alpha", 0) > 0
    has_border = any(
        style[f"border_{side}_width"] and style[f"border_{side}_style"] not in ("none", "hidden")
        for side in ("top", "bottom")
    )
    return bool(has_background or has_border)


def _line_text(box: Any) -> str:
    """The text of a line, without that of the inline blocks in it (they have lines of
    their own, walked on their own)."""
    from weasyprint.formatting_structure import boxes

    text = getattr(box, "text", None)
    if isinstance(text, str):
        return text
    return "".join(
        _line_text(child)
        for child in getattr(box, "children", ()) or ()
        if not isinstance(child, boxes.BlockContainerBox)
    )


def _merge(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for top, bottom in sorted(ranges):
        if out and top <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], bottom))
        else:
            out.append((top, bottom))
    return out


def choose_cuts(page: PageMap, scale: float) -> list[float]:
    """Cut points (CSS px) for the fewest slides of at most the maximum height; see the
    module docstring for what makes one set of cuts better than another."""
    # One pixel to spare for rounding rows to whole pixels.
    first_room = (SLIDE_MAX_HEIGHT - BAND_HEIGHT - 1) / scale
    room = (SLIDE_MAX_HEIGHT - BAND_HEIGHT - TOP_PAD - 1) / scale
    if page.height <= first_room:
        return []
    cuts = [c for c in page.cuts if 0 < c.y < page.height]
    ys = [0.0, *(c.y for c in cuts), page.height]
    price = [0.0, *(c.frames + 0.05 * c.depth for c in cuts), 0.0]
    fewest = 1 + math.ceil((page.height - first_room) / room)
    for count in range(fewest, fewest + len(cuts) + 1):
        found = _best_cuts(ys, price, count, first_room, room)
        if found is not None:
            return [ys[i] for i in found]
    raise BuildError(
        "no place to cut the phone leaflet into slides without cutting a line or a picture",
        hint="a picture or table taller than a phone screen cannot go into slides",
    )


def _best_cuts(
    ys: list[float], price: list[float], count: int, first_room: float, room: float
) -> list[int] | None:
    """Indices into ``ys`` of the ``count - 1`` cuts that cost least, or None (dynamic
    programming: slides within their room, each cut's price, and slides of even height)."""
    target = ys[-1] / count
    last = len(ys) - 1
    inf = float("inf")
    # best[k][j]: least cost of k slides ending at ys[j]; back[k][j]: where the k-th began
    best = [[inf] * len(ys) for _ in range(count + 1)]
    back = [[-1] * len(ys) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(1, len(ys)):
            if (k == count) != (j == last):
                continue
            for i in range(j - 1, -1, -1):  # ys is sorted: stop once a slide would not fit
                height = ys[j] - ys[i]
                if height > first_room:
                    break
                if best[k - 1][i] == inf or height <= 0 or (i > 0 and height > room):
                    continue
                cost = best[k - 1][i] + price[j] + 0.5 * (height / target - 1) ** 2
                if cost < best[k][j]:
                    best[k][j] = cost
                    back[k][j] = i
    if best[count][last] == inf:
        return None
    picks = []
    j = last
    for k in range(count, 1, -1):
        j = back[k][j]
        picks.append(j)
    return picks[::-1]


def make_slides(document: Any, pdf: bytes, font: Path) -> list[Slide]:
    """The slides of a phone leaflet: ``document`` laid out by WeasyPrint, ``pdf`` the PDF
    written from it, ``font`` the theme's bold font for the numbers."""
    import pypdfium2 as pdfium

    page = page_map(document)
    scale = SLIDE_WIDTH / page.width  # image pixels per CSS px
    cuts = choose_cuts(page, scale)
    edges = [0.0, *cuts, page.height]
    count = len(edges) - 1
    label_font = _font(str(font), LABEL_SIZE)
    doc = pdfium.PdfDocument(pdf)
    try:
        pdf_page = doc[0]
        width_pt = pdf_page.get_size()[0]
        pt_scale = SLIDE_WIDTH / width_pt  # image pixels per PDF point
        # The page is rendered once and cut into rows: rendering each slide's rows alone
        # (a crop) takes as long in all, but pdfium rounds a crop's edges its own way, and
        # a row between two slides could go missing.
        image = (
            pdf_page.render(scale=pt_scale, fill_color=(*PAPER, 255), draw_annots=False)
            .to_pil()
            .convert("RGB")
        )
        full_height = image.height
        slides = []
        for number, (top, bottom) in enumerate(itertools.pairwise(edges), start=1):
            y0 = round(top * scale)
            y1 = full_height if number == count else min(round(bottom * scale), full_height)
            body = image.crop((0, y0, SLIDE_WIDTH, y1))
            text = slide_text([ln for ln in page.lines if top <= ln[0] and ln[1] <= bottom])
            png = _compose(body, number, count, label_font, pad=TOP_PAD if number > 1 else 0)
            slides.append(Slide(number, count, y0, y1, png, text))
    finally:
        doc.close()
    return slides


def slide_text(lines: list[tuple[float, float, str, int]]) -> str:
    """The words of a slide's lines: a paragraph a line, hyphenation undone."""
    paragraphs: list[str] = []
    previous = None
    for _, _, text, block in lines:
        text = text.replace("\u00ad", "").strip()
        if paragraphs and block == previous:
            joined = paragraphs[-1]
            # WeasyPrint marks a word it breaks with U+2010; a hyphen of the text is U+002D.
            paragraphs[-1] = joined[:-1] + text if joined.endswith("\u2010") else f"{joined} {text}"
        else:
            paragraphs.append(text)
        previous = block
    # A list's number is a box of its own (drawn in the margin): it leads its item's line.
    out: list[str] = []
    for text in paragraphs:
        if out and out[-1].isdigit():
            out[-1] = f"{out[-1]}. {text}"
        else:
            out.append(text)
    return "\n".join(out)


@functools.lru_cache(maxsize=4)
def _font(path: str, size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


def _compose(body: Any, number: int, count: int, font: Any, pad: int) -> bytes:
    """The slide: white space, the page's rows, then the band with its number; as PNG."""
    from PIL import Image, ImageDraw

    height = pad + body.height + BAND_HEIGHT
    if height > SLIDE_MAX_HEIGHT:
        raise BuildError(f"slide {number} would be {height} px tall", hint="report this")
    slide = Image.new("RGB", (SLIDE_WIDTH, height), PAPER)
    slide.paste(body, (0, pad))
    draw = ImageDraw.Draw(slide)
    band_top = pad + body.height
    draw.line([(60, band_top + 4), (SLIDE_WIDTH - 60, band_top + 4)], fill=RULE, width=2)
    draw.text(
        (SLIDE_WIDTH // 2, band_top + BAND_HEIGHT // 2 + 2),
        f"{number}/{count}",
        fill=INK,
        font=font,
        anchor="mm",
    )
    return _png(slide)


def png_rgb(image: Any) -> bytes:
    """An RGB image as PNG: every row unfiltered (filter type 0), zlib at level 1.

    Pillow tries all five PNG filters on every row and keeps the best, which is most of
    its time on a slide; it has no setting for one filter. A slide is flat paper, flat ink
    and anti-aliased text, where no filter at all compresses best: on a 1080 x 1113 slide,
    7 ms and 113 KiB against Pillow's 16 ms and 130 KiB at the same zlib level
    (`bench/README.md`). The chunks are those of the PNG specification (IHDR, IDAT, IEND);
    the zlib stream is the standard library's.
    """
    import struct
    import zlib

    import numpy as np

    pixels = np.asarray(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + width * 3), dtype=np.uint8)  # a 0 (no filter) per row
    rows[:, 1:] = pixels.reshape(height, width * 3)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.data, 1)),
            chunk(b"IEND", b""),
        ]
    )


def _png(image: Any) -> bytes:
    data = png_rgb(image)
    if len(data) > MAX_SLIDE_BYTES:
        # Shades (a picture) compress only with filters: Pillow's, the best of five a row.
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        data = out.getvalue()
    if len(data) > MAX_SLIDE_BYTES:
        # A photograph: a palette of 256 colours keeps it a picture and under the limit.
        out = io.BytesIO()
        image.quantize(256).save(out, format="PNG", optimize=True)
        data = out.getvalue()
    if len(data) > MAX_SLIDE_BYTES:
        raise BuildError(
            f"a slide is {len(data):,} bytes, over {MAX_SLIDE_BYTES:,}",
            hint="use smaller pictures in the case",
        )
    return data


def slide_paths(directory: Path, stem: str, count: int) -> list[Path]:
    """``<stem>-01.png`` ... for ``count`` slides (two digits: they sort in order)."""
    return [directory / f"{stem}-{n:02d}.png" for n in range(1, count + 1)]


def images_dir(build_dir: Path, locale: str) -> Path:
    """``build/images/<locale>``: the slides are ``<case>-<audience>-NN.png`` in it."""
    return build_dir / "images" / locale


def write_slides(slides: list[Slide], directory: Path, stem: str) -> list[Path]:
    """Write ``<stem>-NN.png`` and its words as ``<stem>-NN.txt`` (atomically), and remove
    the slides of an earlier build that had more of them. The written paths, PNG first."""
    from plainlang.fsio import write_bytes_atomic

    written: list[Path] = []
    for slide, path in zip(slides, slide_paths(directory, stem, len(slides)), strict=True):
        write_bytes_atomic(path, slide.png)
        write_bytes_atomic(path.with_suffix(".txt"), (slide.text + "\n").encode("utf-8"))
        written += [path, path.with_suffix(".txt")]
    number = len(slides) + 1
    while True:  # numbers past the last slide: left from a longer leaflet
        stale = directory / f"{stem}-{number:02d}.png"
        if not (stale.exists() or stale.with_suffix(".txt").exists()):
            return written
        stale.unlink(missing_ok=True)
        stale.with_suffix(".txt").unlink(missing_ok=True)
        number += 1


# -- the images output kind ---------------------------------------------------------------------
# Registered here, read by plainlang.build (OUTPUT_MODULES): `plainlang build --format images`.

#: The layout the slides are cut from.
PHONE_LAYOUT = "phone"
#: Bump to make every set of slides again (a change in how they are cut or drawn).
SLIDES_VERSION = 1


def bold_font(config: ProjectConfig) -> Path:
    """The theme's bold upright font (for the slides' numbers), else its first font."""
    fonts = config.theme.font_files()
    if not fonts:
        raise BuildError("the theme has no fonts", hint="plainlang theme copy fonts")
    bold = [f for f in fonts if "bold" in f.stem.lower() and "italic" not in f.stem.lower()]
    return (bold or fonts)[0]


def images_stem(locale: str, case_id: str, audience: str) -> str:
    """``build/images/<locale>/<case>-<audience>``: the slides are ``<stem>-NN.png``."""
    return f"build/images/{locale}/{case_id}-{audience}"


def _plan(ctx: PlanContext) -> Iterator[Target]:
    if PHONE_LAYOUT not in ctx.config.layout_specs:
        raise UsageError(
            "--format images: the slides are cut from the phone layout, which this theme "
            "does not have",
            hint="add [layouts.phone] to plainlang.toml, or build without --format images",
        )
    # A phone PDF of the same leaflet planned in this build is made in the same job, and
    # the slides are cut from its layout instead of laying the leaflet out again.
    phones = {t.name for t in ctx.planned.get("pdf", ()) if t.layout == PHONE_LAYOUT}
    for case in ctx.cases:
        for locale in ctx.locales:
            for audience in ctx.audiences(case):
                phone = Leaflet(case.id, locale, audience, PHONE_LAYOUT)
                stem = images_stem(locale, case.id, audience)
                yield Target(
                    "images",
                    case.id,
                    locale,
                    audience,
                    PHONE_LAYOUT,
                    name=f"images:{locale}/{case.id}-{audience}",
                    paths=(f"{stem}-{GROUP_NUMBER}.png", f"{stem}-{GROUP_NUMBER}.txt"),
                    shard_by=phone.name,
                    together_with=phone.name if phone.name in phones else "",
                )


def _key(inputs: InputHasher, target: Target) -> list[str]:
    import PIL
    import pypdfium2

    return [
        *inputs.leaflet_lines(target, PHONE_LAYOUT),
        f"slides {SLIDES_VERSION} {SLIDE_WIDTH}x{SLIDE_MAX_HEIGHT} pillow {PIL.__version__} "
        f"pdfium {pypdfium2.PDFIUM_INFO}",
    ]


def _prepare(session: Session, targets: Sequence[Target], options: BuildOptions) -> None:
    prepare_leaflets(session, targets, [PHONE_LAYOUT])


def _make(job: Job) -> Made:
    finished = job.worker.finished_leaflet(job, PHONE_LAYOUT)
    slides = make_slides(finished.laid_out.document, finished.pdf, bold_font(job.config))
    target = job.target
    stem = images_stem(target.locale, target.case, target.audience)
    files: dict[str, bytes] = {}
    for slide in slides:
        files[f"{stem}-{slide.number:02d}.png"] = slide.png
        files[f"{stem}-{slide.number:02d}.txt"] = (slide.text + "\n").encode("utf-8")
    return Made(files, pages=len(slides), warnings=list(finished.warnings))


register_output(
    OutputKind(
        name="images",
        plan=_plan,
        key=_key,
        make=_make,
        format=True,
        prepare=_prepare,
        localized=True,
        description="build/images/<locale>/<case>-<audience>-NN.png (phone slides, and "
        "their words as -NN.txt)",
    )
)
