"""The PDF stage: real WeasyPrint renders of small projects, read back with pypdf."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from plainlang.errors import BuildError, UsageError
from plainlang.pdf import (
    ConfinedFetcher,
    FetchRefused,
    PdfMetadata,
    PdfRenderer,
    RenderResult,
    document_date,
    missing_glyphs,
)
from plainlang.theme import SHIPPED_THEME, Theme

REPO = Path(__file__).resolve().parents[1]
SHIPPED_TEMPLATES = SHIPPED_THEME

# What Spanish, Quechua and Aymara leaflets print: the modifier apostrophe of chʼ, kʼ, qʼ...,
# the typographic apostrophe, Spanish accents and punctuation, Aymara's ä ï ü.
REQUIRED_CHARS = "\u02bc\u2019äïüñÑáéíóúÁÉÍÓÚ¿¡«»—–“”‘…"

QUECHUA_TEXT = "Chʼaska qʼaya ñawpaqman. Jiwasanakax sarañäni. ¿Qué? ¡Sí!"


def _png(size: tuple[int, int] = (4, 4), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def pdf_project(tmp_path: Path) -> Path:
    """A project folder with the shipped fonts, a stylesheet and an image, and a sibling
    folder ``outside/`` holding a real PNG the fetcher must never serve."""
    root = tmp_path / "project"
    shutil.copytree(SHIPPED_TEMPLATES / "fonts", root / "templates" / "fonts")
    (root / "templates" / "leaflet.css").write_text(
        '@import url("fonts/fonts.css");\n'
        'body { font-family: "Plainlang Sans"; font-size: 14pt; }\n',
        encoding="utf-8",
    )
    (root / "templates" / "img").mkdir()
    (root / "templates" / "img" / "logo.png").write_bytes(_png())
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(_png(color="blue"))
    return root


@pytest.fixture
def renderer(pdf_project: Path) -> PdfRenderer:
    return PdfRenderer(pdf_project)


def _meta(**kwargs: Any) -> PdfMetadata:
    fields: dict[str, Any] = {"title": "Willakuy: ñawpa", "lang": "qu", "author": "Rosa Quispe"}
    fields.update(kwargs)
    return PdfMetadata(**fields)


def _html(body: str, head: str = "", lang: str = "qu") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
        f"<body>{body}</body></html>"
    )


def _render(renderer: PdfRenderer, pdf_project: Path, html: str, **meta: Any) -> bytes:
    return renderer.render(
        html,
        base_url=pdf_project / "templates",
        metadata=_meta(**meta),
        stylesheets=[pdf_project / "templates" / "leaflet.css"],
    )


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _fonts(reader: pypdf.PdfReader) -> list[Any]:
    fonts = []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.append(ref.get_object())
    return fonts


def _image_xobjects(reader: pypdf.PdfReader) -> list[Any]:
    images = []
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                images.append(obj)
    return images


def _xmp(reader: pypdf.PdfReader) -> str:
    data: bytes = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    return data.decode("utf-8")


# --------------------------------------------------------------------------- fonts


def test_shipped_fonts_are_the_four_andika_styles_with_licence() -> None:
    files = Theme(SHIPPED_THEME).font_files()
    assert [f.name for f in files] == [
        "Andika-Bold.ttf",
        "Andika-BoldItalic.ttf",
        "Andika-Italic.ttf",
        "Andika-Regular.ttf",
    ]
    licence = (SHIPPED_TEMPLATES / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    css = (SHIPPED_TEMPLATES / "fonts" / "fonts.css").read_text(encoding="utf-8")
    for f in files:
        assert f'url("{f.name}")' in css
    assert css.count('font-family: "Plainlang Sans"') == 4
    assert "local(" not in css.replace("No local()", "")


@pytest.mark.parametrize("font", Theme(SHIPPED_THEME).font_files(), ids=lambda p: p.name)
def test_every_shipped_style_covers_spanish_quechua_aymara(font: Path) -> None:
    assert missing_glyphs(REQUIRED_CHARS + QUECHUA_TEXT, [font]) == set()


def test_missing_glyphs_names_what_the_fonts_cannot_draw() -> None:
    files = Theme(SHIPPED_THEME).font_files()
    # Cherokee and Han are outside Andika; soft hyphen, zero-width space and bidi marks
    # are never drawn, so they are not "missing".
    text = "ñandú Ꭰ 漢 \u00ad\u200b\u200e\n\t"
    assert missing_glyphs(text, files) == {"Ꭰ", "漢"}
    assert missing_glyphs("año", []) == {"a", "ñ", "o"}


def test_missing_glyphs_accepts_decomposed_letters() -> None:
    files = Theme(SHIPPED_THEME).font_files()
    assert missing_glyphs("n\u0303a\u0308", files) == set()  # ñ and ä written as NFD
    # A letter with no precomposed form: q + combining acute, both in Andika.
    assert missing_glyphs("q\u0301", files) == set()


def test_font_files_without_fonts_folder_is_empty(tmp_path: Path) -> None:
    assert Theme(tmp_path, shipped_dir=tmp_path).font_files() == []


# --------------------------------------------------------------------------- render


def test_fonts_embedded_subset_and_text_readable(renderer: PdfRenderer, pdf_project: Path) -> None:
    html = _html(f"<h1>Kamachiy</h1><p>{QUECHUA_TEXT} <b>ñañay</b> <i>ä</i></p>")
    reader = _reader(_render(renderer, pdf_project, html))

    text = reader.pages[0].extract_text()
    for needle in ("ñ", "ä", "ʼ", "Chʼaska", "¿Qué?"):
        assert needle in text

    fonts = _fonts(reader)
    assert fonts
    for font in fonts:
        # Only our family is used: no system font stood in for a missing glyph.
        assert re.fullmatch(r"/[A-Z]{6}\+Plainlang-Sans(-\w+)?", font["/BaseFont"])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor
    # Regular, bold and italic were all used and embedded.
    names = {str(font["/BaseFont"]).split("+")[1] for font in fonts}
    assert names == {"Plainlang-Sans", "Plainlang-Sans-Bold", "Plainlang-Sans-Italic"}


def test_font_subset_is_much_smaller_than_the_font(
    renderer: PdfRenderer, pdf_project: Path
) -> None:
    data = _render(renderer, pdf_project, _html("<p>ñ</p>"))
    regular = (SHIPPED_TEMPLATES / "fonts" / "Andika-Regular.ttf").stat().st_size
    assert len(data) < regular / 10


def test_catalog_lang_title_and_xmp(renderer: PdfRenderer, pdf_project: Path) -> None:
    # The HTML says otherwise: the PDF follows the metadata.
    html = _html("<p>Hola</p>", head="<title>Wrong title</title>", lang="en")
    data = _render(
        renderer,
        pdf_project,
        html,
        lang="es-PE",
        title="Tu derecho a saber",
        publisher="Red de Acceso",
        subject="Derecho de acceso",
        keywords=("acceso", "información"),
    )
    reader = _reader(data)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "es-PE"
    info = reader.metadata
    assert info is not None
    assert info["/Title"] == "Tu derecho a saber"
    assert info["/Author"] == "Rosa Quispe"
    assert info["/Subject"] == "Derecho de acceso"
    assert info["/Keywords"] == "acceso, información"
    assert info["/Publisher"] == "Red de Acceso"
    assert info["/Creator"].startswith("plainlang ")
    xmp = _xmp(reader)
    assert "Tu derecho a saber" in xmp
    assert "Rosa Quispe" in xmp
    assert "<dc:publisher><rdf:Bag><rdf:li>Red de Acceso</rdf:li>" in xmp
    assert "<dc:language><rdf:Bag><rdf:li>es-PE</rdf:li>" in xmp


def test_pdf_ua_tagged(renderer: PdfRenderer, pdf_project: Path) -> None:
    reader = _reader(_render(renderer, pdf_project, _html("<h1>T</h1><p>x</p>")))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert 'pdfuaid:part="1"' in _xmp(reader)


def test_page_size_from_css(renderer: PdfRenderer, pdf_project: Path) -> None:
    html = _html(
        '<p>uno</p><p style="break-before: page">dos</p>',
        head="<style>@page { size: A4 landscape; margin: 1cm }</style>",
    )
    reader = _reader(_render(renderer, pdf_project, html))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


# --------------------------------------------------------------------------- reproducible


def test_same_input_same_bytes(pdf_project: Path) -> None:
    html = _html(f"<h1>Título</h1><p>{QUECHUA_TEXT}</p>")
    first = PdfRenderer(pdf_project)
    a = _render(first, pdf_project, html)
    b = _render(first, pdf_project, html)  # same renderer: cached fonts and stylesheets
    c = _render(PdfRenderer(pdf_project), pdf_project, html)  # fresh renderer
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    assert a == c
    assert _reader(a).trailer["/ID"][0]  # an /ID is there, and derived from the content


_SUBPROCESS_RENDER = """
import hashlib, sys
from pathlib import Path
from plainlang.pdf import PdfMetadata, PdfRenderer
root = Path(sys.argv[1])
html = Path(sys.argv[2]).read_text(encoding="utf-8")
pdf = PdfRenderer(root).render(
    html, base_url=root / "templates", stylesheets=[root / "templates" / "leaflet.css"],
    metadata=PdfMetadata(title="Willakuy: ñawpa", lang="qu", author="Rosa Quispe"),
)
print(hashlib.sha256(pdf).hexdigest())
"""


def test_same_bytes_across_processes_and_hash_seeds(
    renderer: PdfRenderer, pdf_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Build workers are separate processes: their output must not depend on set or dict
    # order under different hash seeds, nor on temp folder names.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = _html(f"<h1>Título</h1><p>{QUECHUA_TEXT} <b>x</b></p>")
    html_file = tmp_path / "leaflet.html"
    html_file.write_text(html, encoding="utf-8")
    expected = hashlib.sha256(_render(renderer, pdf_project, html)).hexdigest()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        out = subprocess.run(
            [sys.executable, "-c", _SUBPROCESS_RENDER, str(pdf_project), str(html_file)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        assert out.stdout.strip() == expected


def test_dates_follow_source_date_epoch(
    renderer: PdfRenderer, pdf_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = _html("<p>x</p>")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    default = _render(renderer, pdf_project, html)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    pinned = _render(renderer, pdf_project, html)
    assert pinned != default
    info = _reader(pinned).metadata
    assert info is not None
    assert info["/CreationDate"] == "D:20231114221320Z"
    assert info["/ModDate"] == "D:20231114221320Z"
    assert "<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>" in _xmp(_reader(pinned))
    assert _render(renderer, pdf_project, html) == pinned
    # The content's own date wins over the environment.
    dated = _render(renderer, pdf_project, html, date=datetime(2024, 3, 8, 12, 0, tzinfo=UTC))
    info = _reader(dated).metadata
    assert info is not None
    assert info["/CreationDate"] == "D:20240308120000Z"


def test_document_date_rules() -> None:
    assert document_date(None, {}) == datetime(2000, 1, 1, tzinfo=UTC)
    assert document_date(None, {"SOURCE_DATE_EPOCH": "0"}) == datetime(1970, 1, 1, tzinfo=UTC)
    naive = datetime(2024, 1, 2, 3, 4, 5)
    assert document_date(naive, {"SOURCE_DATE_EPOCH": "0"}) == naive.replace(tzinfo=UTC)
    # Read by config.source_date_epoch, the one reader: a usage error, exit 2.
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        document_date(None, {"SOURCE_DATE_EPOCH": "yesterday"})


# --------------------------------------------------------------------------- fetcher


def test_hostile_urls_are_refused_and_project_image_is_served(
    renderer: PdfRenderer, pdf_project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    templates = pdf_project / "templates"
    (templates / "img" / "leak.png").symlink_to(pdf_project.parent / "outside" / "secret.png")
    (templates / "img" / "hostname").symlink_to("/etc/hostname")
    head = (
        '<link rel="stylesheet" href="https://example.org/x.css">'
        "<style>"
        "@import url(http://127.0.0.1:9/evil.css);"
        ".a { background: url(../../../../../../../../etc/hostname) }"
        ".b { background: url(../../outside/secret.png) }"
        ".c { background: url(img/hostname) }"
        "</style>"
    )
    body = (
        '<img src="file:///etc/passwd" alt="p">'
        '<img src="http://127.0.0.1:9/x.png" alt="h">'
        '<img src="ftp://127.0.0.1:9/x.png" alt="f">'
        '<img src="img/leak.png" alt="symlink">'
        '<img src="data:text/html,%3Cscript%3Ealert(1)%3C/script%3E" alt="d">'
        '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E" alt="s">'
        '<div class="a">a</div><div class="b">b</div><div class="c">c</div>'
        '<img src="img/logo.png" alt="logo">'
    )
    with caplog.at_level(logging.WARNING, logger="plainlang.pdf"):
        data = _render(renderer, pdf_project, _html(body, head=head))

    refused = renderer.fetcher.refused()
    served = renderer.fetcher.served()
    outside = (pdf_project.parent / "outside" / "secret.png").as_uri()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "ftp://127.0.0.1:9/x.png",
        "https://example.org/x.css",
        "http://127.0.0.1:9/evil.css",
        "file:///etc/hostname",
        outside,
        (templates / "img" / "leak.png").as_uri(),
        (templates / "img" / "hostname").as_uri(),
    ):
        assert url in refused, url
    assert any(url.startswith("data:text/html") for url in refused)
    assert any(url.startswith("data:image/svg+xml") for url in refused)

    root_uri = pdf_project.resolve().as_uri() + "/"
    assert served, "the project's own files must be served"
    assert all(url.startswith(root_uri) for url in served), served
    assert (templates / "img" / "logo.png").as_uri() in served

    # Exactly one image made it into the PDF: the pdf_project's logo, not the outside PNG.
    images = _image_xobjects(_reader(data))
    assert len(images) == 1
    assert (images[0]["/Width"], images[0]["/Height"]) == (4, 4)

    # Refusals are logged, not raised.
    logged = [r.getMessage() for r in caplog.records if r.name == "plainlang.pdf"]
    assert any("refused to fetch file:///etc/passwd" in m for m in logged)
    assert any("weasyprint:" in m for m in logged)


def test_data_png_allowed_only_when_it_is_a_png(renderer: PdfRenderer, pdf_project: Path) -> None:
    import base64

    good = "data:image/png;base64," + base64.b64encode(_png((3, 5))).decode()
    fake = "data:image/png;base64," + base64.b64encode(b"<svg></svg>").decode()
    html = _html(f'<img src="{good}" alt="g"><img src="{fake}" alt="f">')
    reader = _reader(_render(renderer, pdf_project, html))
    assert good in renderer.fetcher.served()
    assert fake in renderer.fetcher.refused()
    images = _image_xobjects(reader)
    assert [(i["/Width"], i["/Height"]) for i in images] == [(3, 5)]


def test_write_is_atomic_and_reports(renderer: PdfRenderer, pdf_project: Path) -> None:
    out = pdf_project / "build" / "pdf" / "qu" / "case-youth-trifold.pdf"
    html = _html('<p>uno</p><p style="break-before: page">dos</p><img src="file:///etc/passwd">')
    result = renderer.write(
        html,
        out,
        base_url=pdf_project / "templates",
        metadata=_meta(),
        stylesheets=[pdf_project / "templates" / "leaflet.css"],
    )
    assert isinstance(result, RenderResult)
    data = out.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    assert result.pages == 2
    assert any("/etc/passwd" in m for m in result.messages)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left


def test_stylesheet_outside_project_is_an_error(
    renderer: PdfRenderer, pdf_project: Path, tmp_path: Path
) -> None:
    css = tmp_path / "outside" / "x.css"
    css.write_text("body { color: red }", encoding="utf-8")
    with pytest.raises(BuildError, match="outside the project"):
        renderer.render(_html("x"), base_url=pdf_project, metadata=_meta(), stylesheets=[css])


def test_fetcher_resolve_rules(pdf_project: Path, tmp_path: Path) -> None:
    fetcher = ConfinedFetcher(pdf_project)
    logo = pdf_project / "templates" / "img" / "logo.png"
    served = fetcher.resolve(logo.as_uri())
    assert served.body == logo.read_bytes()
    assert served.media_type == "image/png"
    css = fetcher.resolve((pdf_project / "templates" / "leaflet.css").as_uri() + "?v=1#x")
    assert css.media_type == "text/css"

    escape = pdf_project.as_uri() + "/templates/%2e%2e/%2e%2e/outside/secret.png"
    for url, reason in (
        (escape, "outside the project"),
        ("file://evil.example/etc/passwd", "another host"),
        ((pdf_project / "templates").as_uri(), "is a folder, not a file"),
        ((pdf_project / "nope.png").as_uri(), "no such file"),
        ("file:///etc/passwd%00.png", "no such file"),
        ("HTTP://127.0.0.1/x.png", "http: URLs are not allowed"),
        ("javascript:alert(1)", "javascript: URLs are not allowed"),
        ("img/logo.png", "not an absolute URL"),
        ("data:image/png;base64,!!!", "does not hold one"),
        ("data:text/html,<p>x</p>", "only PNG, JPEG and GIF"),
        ("data:image/svg+xml,<svg/>", "only PNG, JPEG and GIF"),
    ):
        with pytest.raises(FetchRefused, match=reason):
            fetcher.resolve(url)

    assert fetcher.resolve("data:image/gif,GIF89a").media_type == "image/gif"
    no_data = ConfinedFetcher(pdf_project, allow_data_images=False)
    with pytest.raises(FetchRefused, match="data: URLs are not allowed"):
        no_data.resolve("data:image/gif,GIF89a")


def test_fetcher_call_records_every_request(pdf_project: Path) -> None:
    fetcher = ConfinedFetcher(pdf_project)
    logo = (pdf_project / "templates" / "img" / "logo.png").as_uri()
    response = fetcher(logo)
    assert response.read() == (pdf_project / "templates" / "img" / "logo.png").read_bytes()
    response.close()
    with pytest.raises(FetchRefused):
        fetcher("http://127.0.0.1:9/")
    assert fetcher.requests == [(logo, True), ("http://127.0.0.1:9/", False)]


def test_importing_pdf_module_does_not_import_weasyprint() -> None:
    code = "import sys, plainlang.pdf; sys.exit('weasyprint' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
