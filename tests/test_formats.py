"""The formats beyond the PDFs on the build's registry: ``--format images``, ``--format html``
(and ``[project] formats``), each on its own or with the PDFs, incremental, in the manifest.

Real builds through the real CLI; the slides and pages read back (PIL, the HTML text).
The audio format's own tests are in test_audio.py (it runs through the same registry).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from plainlang.slides import MAX_SLIDE_BYTES, SLIDE_MAX_HEIGHT, SLIDE_WIDTH

ONE = ("--jobs", "1", "--locale", "es", "--audience", "youth", "--case", "water")


def _manifest(root: Path) -> dict[str, dict]:
    data = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    return {e["path"]: e for e in [*data["leaflets"], *data["outputs"]]}


def _files(root: Path, folder: str) -> list[str]:
    base = root / "build" / folder
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())


def test_images_alone_make_numbered_slides_and_no_pdf(leaflet_project, run):
    result = run("--project", leaflet_project, "build", *ONE, "--format", "images")
    assert result.code == 0, result.err
    assert not (leaflet_project / "build/pdf").exists()
    slides = [p for p in _files(leaflet_project, "images") if p.endswith(".png")]
    assert slides, "no slides"
    count = len(slides)
    assert slides == [f"build/images/es/water-youth-{n:02d}.png" for n in range(1, count + 1)]
    for rel in slides:
        path = leaflet_project / rel
        with Image.open(path) as image:
            assert image.width == SLIDE_WIDTH and image.height <= SLIDE_MAX_HEIGHT
        assert path.stat().st_size < MAX_SLIDE_BYTES
        assert path.with_suffix(".txt").read_text(encoding="utf-8").strip()
    entry = _manifest(leaflet_project)["build/images/es/water-youth-NN.png"]
    assert entry["kind"] == "images" and entry["layout"] == "phone"
    assert entry["pages"] == count
    listed = [f["path"] for f in entry["files"]]
    assert sorted(listed) == sorted([*slides, *(s[:-4] + ".txt" for s in slides)])
    assert entry["coverage"] == 100.0


def test_html_alone_makes_the_page_and_no_pdf(leaflet_project, run):
    result = run("--project", leaflet_project, "build", *ONE, "--format", "html")
    assert result.code == 0, result.err
    assert not (leaflet_project / "build/pdf").exists()
    assert _files(leaflet_project, "html") == ["build/html/es/water-youth.html"]
    html = (leaflet_project / "build/html/es/water-youth.html").read_text(encoding="utf-8")
    assert html.lower().startswith("<!doctype html>") and '<html lang="es"' in html
    entry = _manifest(leaflet_project)["build/html/es/water-youth.html"]
    assert entry["kind"] == "html" and entry["size"] == len(html.encode("utf-8"))


def test_a_second_run_makes_nothing_again(leaflet_project, run):
    args = ("--project", leaflet_project, "build", *ONE)
    formats = ("--format", "pdf", "--format", "images", "--format", "html")
    first = run(*args, *formats)
    assert first.code == 0, first.err
    paths = [f["path"] for e in _manifest(leaflet_project).values() for f in e.get("files", [e])]
    assert len(paths) > 3  # a PDF, a page, slides and their words
    made = {p: (leaflet_project / p).stat().st_mtime_ns for p in paths}
    kinds = {e["kind"] for e in _manifest(leaflet_project).values()}
    assert kinds - {"sheets"} == {"pdf", "images", "html"}  # sheets follow a flyer's PDF
    again = run(*args, *formats)
    assert again.code == 0, again.err
    assert "0 built" in again.out and "up to date" in again.out
    for rel, mtime in made.items():
        assert (leaflet_project / rel).stat().st_mtime_ns == mtime, rel
    # Each format alone is up to date too: the keys do not depend on what else is built.
    for fmt in ("images", "html", "pdf"):
        alone = run(*args, "--format", fmt, "--json")
        assert alone.code == 0, alone.err
        assert {r["status"] for r in json.loads(alone.out)} == {"skipped"}, fmt


def test_the_project_formats_choose_what_build_makes(leaflet_project, run):
    toml = leaflet_project / "plainlang.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[project]" in text
    toml.write_text(text.replace("[project]", '[project]\nformats = ["pdf", "html"]', 1), encoding="utf-8")
    result = run("--project", leaflet_project, "build", *ONE, "--json")
    assert result.code == 0, result.err
    kinds = sorted({r["kind"] for r in json.loads(result.out)} - {"sheets"})  # a flyer's
    assert kinds == ["html", "pdf"]
    assert (leaflet_project / "build/html/es/water-youth.html").is_file()
    assert not (leaflet_project / "build/images").exists()
    # --format replaces the project's list for this build.
    only = run("--project", leaflet_project, "build", *ONE, "--format", "images", "--json")
    assert only.code == 0, only.err
    assert {r["kind"] for r in json.loads(only.out)} == {"images"}


def test_an_unknown_format_lists_the_known_ones(leaflet_project, run):
    result = run("--project", leaflet_project, "build", "--format", "png")
    assert result.code == 2
    line = result.err.strip().splitlines()[-1]
    assert "--format png" in line
    for name in ("pdf", "images", "html", "audio"):
        assert name in line


def test_slides_made_with_the_phone_pdf_share_its_layout(leaflet_project, run, monkeypatch):
    """With the phone PDF in the same build the leaflet is laid out once for both; alone,
    the slides lay it out themselves; the slides are the same bytes either way."""
    from plainlang.pdf import PdfRenderer

    layouts: list[int] = []
    real = PdfRenderer.layout

    def counting(self, html, base_url=None, **kwargs):
        layouts.append(1)
        return real(self, html, base_url=base_url, **kwargs)

    monkeypatch.setattr(PdfRenderer, "layout", counting)
    args = ("--project", leaflet_project, "build", *ONE, "--layout", "phone", "--force")
    assert run(*args, "--format", "pdf").code == 0
    pdf_alone = len(layouts)
    assert pdf_alone >= 1
    layouts.clear()
    assert run(*args, "--format", "images").code == 0
    images_alone = len(layouts)
    slides = {p: (leaflet_project / p).read_bytes() for p in _files(leaflet_project, "images")}
    layouts.clear()
    both = run(*args, "--format", "pdf", "--format", "images", "--json")
    assert both.code == 0, both.err
    assert len(layouts) == pdf_alone == images_alone
    assert {p: (leaflet_project / p).read_bytes() for p in _files(leaflet_project, "images")} == slides


def test_slides_made_with_the_phone_pdf_in_a_pool_are_right(leaflet_project, run):
    """Two workers: each leaflet's slides are made in its phone PDF's job."""
    args = ("--project", leaflet_project, "build", "--locale", "es", "--case", "water", "--layout", "phone")
    result = run(*args, "--jobs", "2", "--format", "pdf", "--format", "images", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert sorted(r["kind"] for r in rows) == ["images"] * 3 + ["pdf"] * 3
    for row in rows:
        if row["kind"] == "images":
            assert row["pages"] == len([f for f in row["files"] if f.endswith(".png")]) >= 1


@pytest.mark.parametrize(("rel", "remade"), [("css/web.css", "html"), ("css/phone.css", "images")])
def test_a_stylesheet_remakes_only_the_format_that_uses_it(leaflet_project, run, rel, remade):
    from conftest import override

    args = ("--project", leaflet_project, "build", *ONE, "--format", "images", "--format", "html")
    assert run(*args).code == 0
    css = override(leaflet_project, rel)
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    again = run(*args, "--json")
    assert again.code == 0, again.err
    status = {r["kind"]: r["status"] for r in json.loads(again.out)}
    assert status == {remade: "built", ({"html", "images"} - {remade}).pop(): "skipped"}


def test_a_shorter_leaflet_leaves_no_old_slide_behind(leaflet_project, run):
    case = leaflet_project / "content/cases/water.md"
    original = case.read_text(encoding="utf-8")
    longer = original + "".join(f"\n## Part {n}\n\nMore words about water, part {n}.\n" for n in range(12))
    case.write_text(longer, encoding="utf-8")
    args = ("--project", leaflet_project, "build", "--jobs", "1", "--locale", "en", "--audience", "youth", "--case", "water", "--format", "images")
    first = run(*args)
    assert first.code == 0, first.err
    many = [p for p in _files(leaflet_project, "images") if p.endswith(".png")]
    case.write_text(original, encoding="utf-8")
    second = run(*args)
    assert second.code == 0, second.err
    few = [p for p in _files(leaflet_project, "images") if p.endswith(".png")]
    assert len(few) < len(many)
    entry = _manifest(leaflet_project)["build/images/en/water-youth-NN.png"]
    assert sorted(f["path"] for f in entry["files"] if f["path"].endswith(".png")) == few


def test_the_python_api_builds_a_format_by_name(leaflet_project):
    from plainlang import Project

    report = Project.load(leaflet_project).build(
        case="water", locale="es", audience="youth", format="html", jobs=1
    )
    (result,) = list(report)
    assert result.status == "built" and result.kind == "html"
    assert result.path == leaflet_project / "build/html/es/water-youth.html"
    assert result.path.is_file()
