"""The print outputs of a real build: `build --print shop|mono`, the booklet layout and the
imposed sheets beside booklets and flyers. Every PDF is read back: page counts and boxes
with pypdf, the order of pages on the sheets by their text (pdftotext, poppler), pixels
rendered by pdfium."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import DATA
from pypdf import PdfReader
from test_print import _channel_spread, _text_contrast

from plainlang.cli import main
from plainlang.config import load_config
from plainlang.errors import ConfigError

MM = 72 / 25.4
A5 = (148.0, 210.0)
A4_LANDSCAPE = (297.0, 210.0)
YOUTH_ACCENT = (0xA1, 0x00, 0x4D)
LEAFLET = "es/water-youth"


def _build(project: Path, *args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(["-C", str(project), "build", "--jobs", "1", *args])
    code = done.value.code
    return 0 if code is None else int(code)


def _project(root: Path) -> Path:
    from plainlang.catalogs import extract, update

    project = root / "project"
    shutil.copytree(DATA / "project", project)
    shutil.rmtree(project / "templates")  # the shipped theme serves
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    config = load_config(project)
    extract(config)
    update(config)
    return project


ARGS = ("--locale", "es", "--audience", "youth", "--layout", "booklet", "--layout", "flyer")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project's water case for youth in Spanish: booklet and flyer, plain PDFs
    first, then with --print shop --print mono (so build/pdf can be compared)."""
    project = _project(tmp_path_factory.mktemp("print-build"))
    assert _build(project, *ARGS) == 0
    before = {p.name: _sha(p) for p in (project / "build/pdf/es").glob("*.pdf")}
    (project / "build" / "pdf-before.json").write_text(json.dumps(before), encoding="utf-8")
    assert _build(project, *ARGS, "--print", "shop", "--print", "mono") == 0
    return project


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mm(box: object) -> tuple[float, ...]:
    return tuple(round(float(v) / MM, 2) for v in box)  # type: ignore[attr-defined]


def _text(pdf: Path, page: int, box_mm: tuple[float, float, float, float] | None = None) -> str:
    """The words on one page (1-based) of ``pdf``, or in a region of it (x, y from the top
    left, width, height, in mm), by poppler's pdftotext: a referee independent of pypdf."""
    args = ["pdftotext", "-q", "-f", str(page), "-l", str(page), "-r", "72"]
    if box_mm is not None:
        x, y, w, h = (round(v * MM) for v in box_mm)
        args += ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


# --------------------------------------------------------------------------- the booklet


def test_booklet_pages_come_in_fours_with_the_back_last(built: Path) -> None:
    pdf = built / f"build/pdf/{LEAFLET}-booklet.pdf"
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert pages in (4, 8, 12, 16)
    for page in reader.pages:
        assert _mm(page.mediabox) == (0, 0, *A5)
    cover, back = _text(pdf, 1), _text(pdf, pages)
    assert "Para grupos de jóvenes" in cover or "jóvenes" in cover
    # The back: the QR code's caption, the language, the small print; not the story.
    assert "Idioma" in back and ("Escan" in back or "Scan" in back)
    # Inside pages carry their number at the foot; the cover and the back carry none.
    foot = (0.0, 195.0, A5[0], 15.0)
    assert _text(pdf, 1, foot) == ""
    assert _text(pdf, 2, foot) == "2"
    assert _text(pdf, pages, foot) == ""


def test_booklet_sheets_are_in_saddle_stitch_order(built: Path) -> None:
    """Side 1: last page | page 1; side 2: page 2 | second-to-last; and so on inwards,
    told by the text on each half of every A4 sheet."""
    pdf = built / f"build/pdf/{LEAFLET}-booklet.pdf"
    sheets = built / f"build/pdf/{LEAFLET}-booklet-sheets.pdf"
    pages = len(PdfReader(pdf).pages)
    reader = PdfReader(sheets)
    assert len(reader.pages) == pages // 2
    for page in reader.pages:
        assert _mm(page.mediabox) == (0, 0, *A4_LANDSCAPE)
    texts = [_text(pdf, n) for n in range(1, pages + 1)]
    expected = []
    for sheet in range(pages // 4):
        expected += [(pages - 2 * sheet, 2 * sheet + 1), (2 * sheet + 2, pages - 2 * sheet - 1)]
    for side, (left, right) in enumerate(expected, start=1):
        on_left = _text(sheets, side, (0.0, 0.0, 148.5, 210.0))
        on_right = _text(sheets, side, (148.5, 0.0, 148.5, 210.0))
        assert on_left == texts[left - 1], f"side {side} left should be page {left}"
        assert on_right == texts[right - 1], f"side {side} right should be page {right}"
    assert texts[0] and texts[-1]  # the cover and the back are not blank pages
    meta = reader.metadata
    assert meta is not None and str(meta.title).endswith("print sheets")


def test_flyer_sheets_hold_each_side_twice(built: Path) -> None:
    pdf = built / f"build/pdf/{LEAFLET}-flyer.pdf"
    sheets = built / f"build/pdf/{LEAFLET}-flyer-sheets.pdf"
    reader = PdfReader(sheets)
    assert len(reader.pages) == len(PdfReader(pdf).pages) == 2
    for side in (1, 2):
        assert _mm(reader.pages[side - 1].mediabox) == (0, 0, *A4_LANDSCAPE)
        left = _text(sheets, side, (0.0, 0.0, 148.5, 210.0))
        right = _text(sheets, side, (148.5, 0.0, 148.5, 210.0))
        assert left == right == _text(pdf, side) != ""


# --------------------------------------------------------------------------- print profiles


def test_shop_boxes_on_every_page(built: Path) -> None:
    for layout in ("booklet", "flyer"):
        reader = PdfReader(built / f"build/print/shop/{LEAFLET}-{layout}.pdf")
        assert len(reader.pages) == len(PdfReader(built / f"build/pdf/{LEAFLET}-{layout}.pdf").pages)
        for page in reader.pages:
            assert _mm(page.trimbox) == (0, 0, *A5)
            assert _mm(page.bleedbox) == (-3, -3, A5[0] + 3, A5[1] + 3)
            x0, y0, x1, y1 = _mm(page.mediabox)  # holds the crop marks, outside the bleed
            assert x0 < -3 and y0 < -3 and x1 > A5[0] + 3 and y1 > A5[1] + 3


def test_shop_cover_background_reaches_the_bleed_edge(built: Path) -> None:
    pdf = built / f"build/print/shop/{LEAFLET}-booklet.pdf"
    page = PdfReader(pdf).pages[0]
    media = _mm(page.mediabox)
    doc = pdfium.PdfDocument(pdf.read_bytes())
    scale = 4  # 4 px a point
    image = doc[0].render(scale=scale).to_pil().convert("RGB")

    def at(x_mm: float, y_top_mm: float) -> tuple[int, int, int]:
        """The pixel at x from the trim's left, y from the trim's top (negative: outside)."""
        px = (x_mm - media[0]) * MM * scale
        py = (media[3] - (A5[1] - y_top_mm)) * MM * scale
        value = image.getpixel((int(px), int(py)))
        assert isinstance(value, tuple)
        return (int(value[0]), int(value[1]), int(value[2]))

    def near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 24 for a, b in zip(colour, target, strict=True))

    assert near(at(70, 3), YOUTH_ACCENT)  # the strip along the top, inside the trim
    assert near(at(70, -2.5), YOUTH_ACCENT)  # into the bleed above the trim
    assert near(at(-2.5, 3), YOUTH_ACCENT)  # and at the left, past the trim
    assert near(at(70, -6), (255, 255, 255))  # beyond the bleed: paper (and crop marks)
    # The ordinary PDF's strip stops at the page edge: nothing to cut, no bleed.
    plain = PdfReader(built / f"build/pdf/{LEAFLET}-booklet.pdf").pages[0]
    assert "/BleedBox" not in plain or _mm(plain.bleedbox) == (0, 0, *A5)


def test_mono_is_grey_on_every_page_with_text_at_7_to_1(built: Path) -> None:
    for layout in ("booklet", "flyer"):
        data = (built / f"build/print/mono/{LEAFLET}-{layout}.pdf").read_bytes()
        doc = pdfium.PdfDocument(data)
        assert len(doc) > 0
        for page in doc:
            assert _channel_spread(page.render(scale=1).to_pil().convert("RGB")) <= 8
        assert _text_contrast(data) >= 7.0
    # The colour PDF is not grey: the test can tell.
    colour = pdfium.PdfDocument((built / f"build/pdf/{LEAFLET}-booklet.pdf").read_bytes())
    assert _channel_spread(colour[0].render(scale=1).to_pil().convert("RGB")) > 8


def test_mono_writes_its_own_sheets_and_shop_none(built: Path) -> None:
    mono = built / f"build/print/mono/{LEAFLET}-booklet-sheets.pdf"
    reader = PdfReader(mono)
    pages = len(PdfReader(built / f"build/print/mono/{LEAFLET}-booklet.pdf").pages)
    assert len(reader.pages) == pages // 2
    doc = pdfium.PdfDocument(mono.read_bytes())
    assert all(_channel_spread(p.render(scale=1).to_pil().convert("RGB")) <= 8 for p in doc)
    assert (built / f"build/print/mono/{LEAFLET}-flyer-sheets.pdf").is_file()
    assert not list((built / "build/print/shop").rglob("*-sheets.pdf"))


def test_print_leaves_build_pdf_alone_and_is_in_the_manifest(built: Path) -> None:
    before = json.loads((built / "build/pdf-before.json").read_text(encoding="utf-8"))
    after = {p.name: _sha(p) for p in (built / "build/pdf/es").glob("*.pdf")}
    assert after == before
    manifest = json.loads((built / "build/manifest.json").read_text(encoding="utf-8"))
    entries = {e["path"]: e for e in manifest["outputs"]}
    shop = entries[f"build/print/shop/{LEAFLET}-booklet.pdf"]
    assert shop["kind"] == "print" and shop["profile"] == "shop" and shop["coverage"] == 100
    mono = entries[f"build/print/mono/{LEAFLET}-booklet.pdf"]
    files = [f["path"] for f in mono["files"]]
    assert files == sorted(
        [f"build/print/mono/{LEAFLET}-booklet.pdf", f"build/print/mono/{LEAFLET}-booklet-sheets.pdf"]
    )
    sheets = entries[f"build/pdf/{LEAFLET}-booklet-sheets.pdf"]
    assert sheets["kind"] == "sheets"
    assert sheets["sha256"] == _sha(built / f"build/pdf/{LEAFLET}-booklet-sheets.pdf")


def test_a_second_build_makes_nothing_again(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["-C", str(built), "build", "-j", "1", *ARGS, "--print", "shop", "--print", "mono",
              "--json"])
    assert done.value.code in (0, None)
    results = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in results} == {"pdf", "sheets", "print"}
    assert len(results) == 2 + 2 + 4
    assert all(r["status"] == "skipped" for r in results)


def test_dry_run_plans_every_print_path(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["-C", str(built), "build", *ARGS, "--print", "mono", "--dry-run"])
    paths = capsys.readouterr().out.split()
    assert f"build/pdf/{LEAFLET}-booklet-sheets.pdf" in paths
    assert f"build/pdf/{LEAFLET}-flyer-sheets.pdf" in paths
    assert f"build/print/mono/{LEAFLET}-booklet-sheets.pdf" in paths
    assert not any(p.startswith("build/print/shop/") for p in paths)


def test_sheets_follow_their_pdf(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sheets removed: made again from the PDF on disk, which is not; the booklet's CSS
    edited: the PDF is made again, and so are its sheets (its key is part of theirs)."""
    from conftest import override

    project = tmp_path / "copy"
    shutil.copytree(built, project)
    only = ("--locale", "es", "--audience", "youth", "--layout", "booklet", "--json")

    def statuses() -> dict[str, str]:
        capsys.readouterr()
        assert _build(project, *only) == 0
        return {r["path"]: r["status"] for r in json.loads(capsys.readouterr().out)}

    pdf, sheets = f"build/pdf/{LEAFLET}-booklet.pdf", f"build/pdf/{LEAFLET}-booklet-sheets.pdf"
    (project / sheets).unlink()
    assert statuses() == {pdf: "skipped", sheets: "built"}
    css = override(project, "css/booklet.css")
    css.write_text(css.read_text(encoding="utf-8") + "\nh2 { letter-spacing: 0.02em; }\n",
                   encoding="utf-8")
    assert statuses() == {pdf: "built", sheets: "built"}
    assert statuses() == {pdf: "skipped", sheets: "skipped"}


# --------------------------------------------------------------------------- bad input


def test_unknown_profile_is_a_usage_error(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["-C", str(built), "build", *ARGS, "--print", "glossy"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "--print glossy: no such print profile" in err and "shop" in err and "mono" in err
    assert "Traceback" not in err


def test_a_projects_own_profile_builds(tmp_path: Path) -> None:
    project = _project(tmp_path)
    toml = project / "plainlang.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[print.copier]\nbleed_mm = 2\n"
                    "crop_marks = true\ngreyscale = true\n", encoding="utf-8")
    assert _build(project, "--locale", "es", "--audience", "youth", "--layout", "flyer",
                  "--print", "copier") == 0
    page = PdfReader(project / "build/print/copier/es/water-youth-flyer.pdf").pages[0]
    assert _mm(page.bleedbox) == (-2, -2, A5[0] + 2, A5[1] + 2)
    assert not (project / "build/print/copier/es/water-youth-flyer-sheets.pdf").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('sheets = "trifold"', "sheets of layout 'mine' is 'trifold'"),
        ('sheets = "booklet"', "imposed as a booklet, so its pages come in fours"),
    ],
)
def test_bad_sheets_key_is_a_config_error_at_its_line(
    tmp_path: Path, table: str, message: str
) -> None:
    project = _project(tmp_path)
    toml = project / "plainlang.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + f'\n[layouts.mine]\nsize = "A5"\npages = 2\n{table}\n'
                    'template = "layouts/flyer.html.j2"\nstylesheet = "css/flyer.css"\n',
                    encoding="utf-8")
    line = len(text.splitlines()) + 5
    with pytest.raises(ConfigError) as info:
        load_config(project)
    assert message in str(info.value)
    assert info.value.location is not None and info.value.location.line == line


def test_sheets_of_a_leaflet_below_coverage_are_kept_back_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--skip-below-coverage skips a booklet under the threshold, and its sheets with it
    (exit 0); without it, both are reported and the build exits 1."""
    project = _project(tmp_path)
    args = ("--locale", "ay", "--audience", "youth", "--layout", "booklet",
            "--min-coverage", "90", "--json")
    capsys.readouterr()
    assert _build(project, *args, "--skip-below-coverage") == 0
    results = {r["kind"]: r for r in json.loads(capsys.readouterr().out)}
    assert results["pdf"]["status"] == results["sheets"]["status"] == "below-coverage"
    assert "is below 90%" in results["sheets"]["error"]  # the leaflet's reason, said again
    assert not (project / "build/pdf/ay/water-youth-booklet-sheets.pdf").exists()
    assert _build(project, *args) == 1
