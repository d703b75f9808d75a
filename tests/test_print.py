"""Print profiles: parsed from plainlang.toml, rendered by WeasyPrint, finished with pikepdf,
then measured (boxes with pypdf) and looked at (pixels rendered by pdfium)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from plainlang.colours import contrast_ratio
from plainlang.config import parse_config
from plainlang.errors import BuildError, ConfigError
from plainlang.pdf import PdfMetadata, PdfRenderer
from plainlang.printing import (
    CROP_MARK_LENGTH_MM,
    SHIPPED_PROFILES,
    PrintProfile,
    finish_print,
    profile_css,
)
from plainlang.theme import SHIPPED_THEME, Theme

MM = 72 / 25.4
A5 = (0.0, 0.0, 148 * MM, 210 * MM)
MAGENTA = (0xA1, 0x00, 0x4D)

# A page whose top band is meant to run off the paper: it reaches the trim edge with the
# page margin and past it by var(--bleed), which is 0 unless a print profile sets it.
BAND_PAGE = """<!doctype html><html lang="es"><head><title>Banda</title><style>
@page { size: A5; margin: 10mm }
body { margin: 0; font-family: sans-serif }
.band { background: #a1004d; color: #fff; padding: 6mm calc(10mm + var(--bleed, 0mm));
        margin: calc(-10mm - var(--bleed, 0mm)) calc(-10mm - var(--bleed, 0mm)) 5mm;
        padding-top: calc(10mm + var(--bleed, 0mm)) }
</style></head><body><div class="band">Banda a sangre</div><p>Texto de la hoja.</p></body></html>"""


# --------------------------------------------------------------------------- profiles


def _config(tmp_path: Path, extra: str) -> object:
    text = '[project]\nsource_locale = "en"\nlocales = ["es"]\n' + extra
    return parse_config(text, tmp_path / "plainlang.toml")


def test_shipped_profiles() -> None:
    shop, mono = SHIPPED_PROFILES["shop"], SHIPPED_PROFILES["mono"]
    assert (shop.bleed_mm, shop.crop_marks, shop.greyscale) == (3.0, True, False)
    assert (mono.bleed_mm, mono.crop_marks, mono.greyscale, mono.min_contrast) == (0, False, True, 7)
    for profile in (shop, mono):
        assert profile.stylesheet is not None and (SHIPPED_THEME / profile.stylesheet).is_file()


def test_config_without_print_tables_has_the_shipped_profiles(tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    assert dict(config.print_profiles) == dict(SHIPPED_PROFILES)  # type: ignore[attr-defined]


def test_print_table_changes_a_shipped_profile_and_adds_one(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "[print.shop]\nbleed_mm = 5\n\n[print.copier]\ngreyscale = true\nsheets = true\n"
        'stylesheet = "css/copier.css"\nmin_contrast = 7\n',
    )
    profiles = config.print_profiles  # type: ignore[attr-defined]
    assert profiles["shop"] == PrintProfile(
        "shop", bleed_mm=5.0, crop_marks=True, stylesheet="css/print-shop.css"
    )
    assert profiles["copier"] == PrintProfile(
        "copier", greyscale=True, sheets=True, stylesheet="css/copier.css", min_contrast=7.0
    )
    assert profiles["mono"] == SHIPPED_PROFILES["mono"]


@pytest.mark.parametrize(
    ("toml", "line", "message", "hint"),
    [
        ("[print.shop]\nbleed_mm = 3\ncrop_mark = true\n", 6, "unknown key 'crop_mark' in [print.shop]", "did you mean 'crop_marks'?"),
        ("[print.shop]\nbled = 3\n", 5, "unknown key 'bled' in [print.shop]", "did you mean 'bleed_mm'?"),
        ("[print.shop]\ncolour = 'cmyk'\n", 5, "unknown key 'colour'", "known keys: bleed_mm, crop_marks"),
        ("[print.shop]\nbleed_mm = '3mm'\n", 5, "'bleed_mm' in [print.shop] must be a number, not str", None),
        ("[print.shop]\ncrop_marks = 1\n", 5, "'crop_marks' in [print.shop] must be a true or false, not int", None),
        ("[print.mono]\nmin_contrast = true\n", 5, "must be a number, not bool", None),
        ("[print.mono]\nstylesheet = 7\n", 5, "'stylesheet' in [print.mono] must be a string", None),
        ("[print.shop]\n\nbleed_mm = 12\n", 6, "bleed_mm in [print.shop] is 12; a bleed is 0 to 10 mm", "most often 3"),
        ("[print.shop]\nbleed_mm = -1\n", 5, "a bleed is 0 to 10 mm", None),
        ("[print.shop]\nbleed_mm = nan\n", 5, "a bleed is 0 to 10 mm", None),
        ("[print.mono]\nmin_contrast = 22\n", 5, "a contrast ratio is 1 to 21", "7 is AAA"),
        ("[print.x]\nstylesheet = '../../etc/passwd'\n", 5, "must be a path inside the theme", None),
        ("[print.x]\nstylesheet = '/abs.css'\n", 5, "must be a path inside the theme", None),
        ("[print]\nshop = 3\n", 5, "'shop' in [print] must be a table of settings", "[print.shop]"),
        ('[print."a b"]\nbleed_mm = 1\n', 4, "print profile name 'a b' must be letters", "build/print/<profile>/"),
        ("print = 3\n", 1, "unknown key 'print' in [project]", None),
    ],
)
def test_bad_print_tables_are_config_errors_at_their_line(
    tmp_path: Path, toml: str, line: int, message: str, hint: str | None
) -> None:
    if toml.startswith("print ="):  # a key of [project], not a table
        text = '[project]\nprint = 3\nsource_locale = "en"\n'
        line = 2
    else:
        text = '[project]\nsource_locale = "en"\nlocales = ["es"]\n' + toml
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "plainlang.toml")
    error = info.value
    assert error.location is not None and error.location.line == line, error.format()
    assert error.location.path == "plainlang.toml"
    assert message in error.message
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_print_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[print\] must hold one table per profile") as info:
        parse_config('print = 3\n[project]\nsource_locale = "en"\n', tmp_path / "plainlang.toml")
    assert info.value.location is not None and info.value.location.line == 1


def test_profile_css_says_the_bleed() -> None:
    assert profile_css(PrintProfile("x", bleed_mm=2.5)) == (
        "@page { bleed: 2.5mm !important; }\n:root { --bleed: 2.5mm !important; }\n"
    )
    assert "bleed: 0mm" in profile_css(SHIPPED_PROFILES["mono"])


# --------------------------------------------------------------------------- shop


@pytest.fixture
def render(tmp_path: Path) -> Callable[[str, PrintProfile], bytes]:
    """Render HTML in a throwaway project with a profile's CSS, as the build will."""
    root = tmp_path / "site"
    root.mkdir()
    renderer = PdfRenderer(root)

    def _render(html: str, profile: PrintProfile) -> bytes:
        css = root / f"{profile.name}.css"
        css.write_text(profile_css(profile), encoding="utf-8")
        return renderer.render(
            html,
            base_url=root,
            metadata=PdfMetadata(title="Banda", lang="es"),
            stylesheets=[css],
        )

    return _render


def _boxes(pdf: bytes) -> list[dict[str, tuple[float, ...]]]:
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        out.append(
            {
                name: tuple(round(float(v), 2) for v in page[f"/{name}"])
                for name in ("MediaBox", "BleedBox", "TrimBox")
                if f"/{name}" in page
            }
        )
    return out


def _grow(box: tuple[float, ...], by_mm: float) -> tuple[float, ...]:
    d = by_mm * MM
    return tuple(round(v, 2) for v in (box[0] - d, box[1] - d, box[2] + d, box[3] + d))


def test_what_weasyprint_writes_by_itself(render: Callable[[str, PrintProfile], bytes]) -> None:
    """The measured behaviour plainlang builds on (and corrects): with a 5 mm bleed
    WeasyPrint's TrimBox is right, its MediaBox is trim + bleed, and its BleedBox stops
    10 pt (3.5 mm) from the trim."""
    pdf = render(BAND_PAGE, PrintProfile("wide", bleed_mm=5))
    (boxes,) = _boxes(pdf)
    assert boxes["TrimBox"] == tuple(round(v, 2) for v in A5)
    assert boxes["MediaBox"] == _grow(A5, 5)
    assert boxes["BleedBox"] == tuple(round(v, 2) for v in (-10, -10, A5[2] + 10, A5[3] + 10))


def test_shop_boxes(render: Callable[[str, PrintProfile], bytes]) -> None:
    shop = SHIPPED_PROFILES["shop"]
    (boxes,) = _boxes(finish_print(render(BAND_PAGE, shop), shop))
    assert boxes["TrimBox"] == tuple(round(v, 2) for v in A5)
    assert boxes["BleedBox"] == _grow(A5, 3)
    assert boxes["MediaBox"] == _grow(A5, 3 + CROP_MARK_LENGTH_MM)


def test_a_wider_bleed_gets_an_exact_bleed_box(render: Callable[[str, PrintProfile], bytes]) -> None:
    wide = PrintProfile("wide", bleed_mm=5, crop_marks=True)
    (boxes,) = _boxes(finish_print(render(BAND_PAGE, wide), wide))
    assert boxes["BleedBox"] == _grow(A5, 5)
    assert boxes["MediaBox"] == _grow(A5, 5 + CROP_MARK_LENGTH_MM)


def test_shop_page_looks_right(render: Callable[[str, PrintProfile], bytes], tmp_path: Path) -> None:
    """Rendered whole (MediaBox): the band reaches the bleed edge, the paper outside the
    bleed is white but for the crop marks, which sit in the trim lines outside the bleed."""
    shop = SHIPPED_PROFILES["shop"]
    pdf = finish_print(render(BAND_PAGE, shop), shop)
    scale = 8  # 576 dpi: a millimetre is 22.7 px
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
    image.reduce(8).save(tmp_path / "shop.png")
    px = scale * MM  # pixels per millimetre

    def at(x_mm: float, y_mm: float) -> tuple[int, int, int]:
        """The pixel at (x, y) mm from the top-left corner of the trimmed page."""
        x0 = (3 + CROP_MARK_LENGTH_MM) * px
        return image.getpixel((round(x0 + x_mm * px), round(x0 + y_mm * px)))  # type: ignore[return-value]

    def near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 3 for a, b in zip(colour, target, strict=True))

    white = (255, 255, 255)
    # The band fills the bleed up to its edge, at the top and the sides.
    for x, y in ((-2.9, 5), (-2.9, -2.9), (74, -2.9), (150.9, 5), (150.9, -2.9)):
        assert near(at(x, y), MAGENTA), (x, y, at(x, y))
    # Outside the bleed: white paper.
    for x, y in ((-3.3, 5), (74, -3.3), (151.3, 5), (-6, -6), (154, 216)):
        assert near(at(x, y), white), (x, y, at(x, y))
    # Crop marks: in the trim lines, from 3 mm to 8 mm out, at all four corners.
    def dark(x: float, y: float) -> bool:
        return min(at(x, y)) < 100

    for corner_x, corner_y, sx, sy in ((0, 0, -1, -1), (148, 0, 1, -1), (0, 210, -1, 1), (148, 210, 1, 1)):
        for out_mm in (3.5, 5.5, 7.8):
            assert dark(corner_x, corner_y + sy * out_mm), (corner_x, corner_y, out_mm)  # vertical
            assert dark(corner_x + sx * out_mm, corner_y), (corner_x, corner_y, out_mm)  # horizontal
        assert not dark(corner_x + sx * 5, corner_y + sy * 5)  # nothing in the corner itself
    # Where the band bleeds, no mark crosses it: marks start where the bleed ends.
    assert near(at(0, -2.5), MAGENTA) and near(at(-2.5, 0), MAGENTA)
    assert near(at(148, -2.5), MAGENTA) and near(at(150.5, 0), MAGENTA)
    # At the bottom the bleed is white paper, and no mark is drawn into it either.
    assert near(at(0, 212.5), white) and near(at(-2.5, 210), white)
    assert near(at(20, 20), MAGENTA) and near(at(20, 40), white)


def test_shop_keeps_tagging_language_and_title(render: Callable[[str, PrintProfile], bytes]) -> None:
    shop = SHIPPED_PROFILES["shop"]
    pdf = finish_print(render(BAND_PAGE, shop), shop)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "es" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None and reader.metadata.title == "Banda"
    assert "Banda a sangre" in reader.pages[0].extract_text()
    assert finish_print(render(BAND_PAGE, shop), shop) == pdf  # same bytes


def test_finish_refuses_a_pdf_laid_out_without_the_bleed(render: Callable[[str, PrintProfile], bytes]) -> None:
    plain = render(BAND_PAGE, PrintProfile("none"))
    with pytest.raises(BuildError) as info:
        finish_print(plain, SHIPPED_PROFILES["shop"])
    assert "page 1 was laid out with 0.0 mm of bleed, not the 3 mm of print profile 'shop'" in info.value.message
    assert info.value.hint is not None and "profile_css" in info.value.hint


# --------------------------------------------------------------------------- mono


def _channel_spread(image: object) -> int:
    """The largest difference between two colour channels of any pixel."""
    from PIL import ImageChops

    r, g, b = image.split()  # type: ignore[attr-defined]
    return max(
        ImageChops.difference(x, y).getextrema()[1] for x, y in ((r, g), (g, b), (r, b))
    )


def _assert_grey(pdf: bytes) -> int:
    """Every pixel of every page has R == G == B (within 1); returns the pages looked at."""
    doc = pdfium.PdfDocument(pdf)
    for number, page in enumerate(doc, start=1):
        spread = _channel_spread(page.render(scale=1.5).to_pil().convert("RGB"))
        assert spread <= 1, f"page {number}: a pixel's channels differ by {spread}"
    return len(doc)


def _has_colour(pdf: bytes) -> bool:
    doc = pdfium.PdfDocument(pdf)
    return any(_channel_spread(page.render(scale=1).to_pil().convert("RGB")) > 8 for page in doc)


def _text_contrast(pdf: bytes) -> float:
    """The lowest contrast between the darkest and the lightest pixel in a letter's box.

    Every letter of the rendered pages is looked at (pdfium gives each character's box);
    text and the paper or box behind it are the two extremes of its pixels.
    """
    doc = pdfium.PdfDocument(pdf)
    scale = 4
    worst = 21.0
    for page in doc:
        image = page.render(scale=scale).to_pil().convert("L")
        height = image.height
        text = page.get_textpage()
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if not char.strip() or not char.isalnum():
                continue
            left, bottom, right, top = text.get_charbox(i)
            box = (int(left * scale), int(height - top * scale), int(right * scale) + 1,
                   int(height - bottom * scale) + 1)
            if box[2] - box[0] < 3 or box[3] - box[1] < 3:
                continue
            lo, hi = image.crop(box).getextrema()
            worst = min(worst, contrast_ratio((lo / 255,) * 3, (hi / 255,) * 3))  # type: ignore[arg-type]
    return worst


@pytest.fixture(scope="module")
def built_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project's real leaflets as HTML (build --keep-html), youth and women flyers."""
    import shutil

    from conftest import DATA

    from plainlang.catalogs import extract, update
    from plainlang.cli import main
    from plainlang.config import load_config

    project = tmp_path_factory.mktemp("mono") / "project"
    shutil.copytree(DATA / "project", project)
    shutil.rmtree(project / "templates")  # the shipped theme serves
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    config = load_config(project)
    extract(config)
    update(config)
    for audience in ("youth", "women"):
        with pytest.raises(SystemExit) as done:
            main(["-C", str(project), "build", "--jobs", "1", "--locale", "es", "--layout",
                  "flyer", "--audience", audience, "--keep-html"])
        assert done.value.code in (0, None)
    return project


def _render_leaflet(project: Path, audience: str, profile: PrintProfile | None) -> bytes:
    html = (project / f"build/pdf/es/water-{audience}-flyer.html").read_text(encoding="utf-8")
    sheets: list[Path] = []
    if profile is not None:
        css = project / "build" / f"{profile.name}-profile.css"
        css.write_text(profile_css(profile), encoding="utf-8")
        sheets = [css]
        if profile.stylesheet:  # a theme path: the project's override, else the shipped file
            sheets.append(project / "templates" / profile.stylesheet)
    pdf = PdfRenderer(project, theme=Theme(project / "templates")).render(
        html,
        base_url=project / "templates",
        metadata=PdfMetadata(title="Agua", lang="es"),
        stylesheets=sheets,
    )
    return finish_print(pdf, profile) if profile is not None else pdf


@pytest.mark.parametrize("audience", ["youth", "women"])
def test_mono_leaflet_is_grey_and_keeps_7_to_1(built_html: Path, audience: str, tmp_path: Path) -> None:
    colour = _render_leaflet(built_html, audience, None)
    assert _has_colour(colour)  # the theme's magenta/teal: there is something to turn grey
    mono = _render_leaflet(built_html, audience, SHIPPED_PROFILES["mono"])
    assert _assert_grey(mono) == 2
    assert _text_contrast(mono) >= SHIPPED_PROFILES["mono"].min_contrast
    pdfium.PdfDocument(mono)[0].render(scale=0.7).to_pil().save(tmp_path / f"mono-{audience}.png")
    text = PdfReader(io.BytesIO(mono)).pages[0].extract_text()
    assert "agua" in text.lower()


def test_mono_stylesheet_alone_leaves_the_pictograms_in_colour(built_html: Path) -> None:
    """Why the PDF step exists: CSS does not reach the SVG pictograms' colours."""
    css_only = PrintProfile("css-only", stylesheet="css/print-mono.css")
    assert _has_colour(_render_leaflet(built_html, "youth", css_only))


def test_mono_stylesheet_prints_text_solid_black(built_html: Path) -> None:
    """What the stylesheet adds to the greyscale step: the shipped themes' colours keep
    about 10:1 in grey already (accent on its tint is the lowest), but the headings print
    in a mid grey a copier screens into dots; with print-mono.css every word is solid
    black (or white on black): 14:1 at the lowest (black on the #d4d4d4 of youth's yellow)."""
    grey_only = _render_leaflet(built_html, "youth", PrintProfile("grey-only", greyscale=True))
    _assert_grey(grey_only)
    assert 7.0 <= _text_contrast(grey_only) < 12.0
    mono = _render_leaflet(built_html, "youth", SHIPPED_PROFILES["mono"])
    assert _text_contrast(mono) >= 14.0
