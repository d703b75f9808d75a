"""plainlang.tagging: real WeasyPrint PDFs of small pages, their tags read back with pikepdf.

Each promise of the module on a page made for it: passages in another language get /Lang,
hidden pictograms become artifacts, a layout's reading order reorders the tree, header
cells get a scope; and, over random pages (Hypothesis), the walk that matches struct
elements to boxes agrees with WeasyPrint's own tree, so retagging never fails or lies.
"""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pdftags import letters, read_tags
from pdfua import validate
from PIL import Image

from plainlang.errors import BuildError
from plainlang.pdf import PdfMetadata, PdfRenderer
from plainlang.tagging import retag
from plainlang.theme import SHIPPED_THEME

ICON = '<span class="icon" aria-hidden="true"><svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true"><circle cx="5" cy="5" r="4" fill="#000"/></svg></span>'
VISIBLE_ICON = ICON.replace(' aria-hidden="true"', "")
QR = '<svg role="img" viewBox="0 0 10 10" width="30" height="30"><title>QR code that opens https://a.org</title><rect width="10" height="10"/></svg>'


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> PdfRenderer:
    root = tmp_path_factory.mktemp("tagging")
    shutil.copytree(SHIPPED_THEME / "fonts", root / "fonts")
    return PdfRenderer(root)


def page(body: str, lang: str = "qu", head: str = "") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="fonts/fonts.css">'
        f'<style>body {{ font-family: "Plainlang Sans"; }}</style>{head}</head>'
        f"<body>{body}</body></html>"
    )


def render(renderer: PdfRenderer, html: str, tmp_path: Path, lang: str = "qu") -> Path:
    laid_out = renderer.layout(html, base_url=renderer.project_root)
    pdf = renderer.finish(laid_out, PdfMetadata(title="t", lang=lang))
    out = tmp_path / "out.pdf"
    out.write_bytes(pdf)
    return out


def test_a_passage_in_another_language_gets_its_lang(renderer, tmp_path):
    html = page(
        "<p>Kay simipi.</p>"
        '<p lang="es">En castellano, hasta que se traduzca.</p>'
        '<ul><li>Huk</li><li lang="es">Dos <span lang="en">three</span></li></ul>'
    )
    tags = read_tags(render(renderer, html, tmp_path))
    assert tags.lang == "qu"
    paragraphs = tags.elements("P")
    assert [p.own_lang for p in paragraphs] == [None, "es"]
    assert letters(tags.text_of(paragraphs[1])) == letters("En castellano, hasta que se traduzca.")
    items = tags.elements("LI")
    assert [i.lang for i in items] == ["qu", "es"]
    # a span in a third language inside the Spanish item, and its words under it
    (english,) = [e for e in tags.document.walk() if e.own_lang == "en"]
    assert tags.text_of(english) == "three"
    # nothing tagged that the page does not say: only those three carry a /Lang
    assert sorted(e.own_lang for e in tags.document.walk() if e.own_lang) == ["en", "es", "es"]


def test_hidden_pictograms_become_artifacts_and_a_titled_svg_stays_a_figure(renderer, tmp_path):
    html = page(f"<p>{ICON} Write a letter.</p><p class='art'>{ICON}</p><figure>{QR}<figcaption>Scan</figcaption></figure>")
    path = render(renderer, html, tmp_path)
    tags = read_tags(path)
    figures = tags.elements("Figure")
    assert [f.alt for f in figures] == ["QR code that opens https://a.org"]
    content = b"".join(tags.content)
    assert content.count(b"/Figure") == 1
    assert content.count(b"/Artifact BMC") >= 2  # the two pictograms, still drawn
    # the paragraph that held only a pictogram is gone from the tree; the other keeps its words
    paragraphs = tags.elements("P")
    assert [letters(tags.text_of(p)) for p in paragraphs] == ["writealetter"]
    # no struct element is left empty by the removal
    assert all(e.kids or e.mcids for e in tags.document.walk() if e.s != "Document")
    # the parent tree no longer points at the removed figures
    with pikepdf.open(path) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        refs = [r for r in nums[1] if r is not None]
        assert all(r.S != "/Figure" or "/Alt" in r for r in refs)
    report = validate(str(path))
    assert not report.findings, [f.message for f in report.findings]


def test_artifacts_look_the_same(renderer, tmp_path):
    """Re-marking a pictogram as an artifact changes what a screen reader meets, not what
    the page shows: the same page with and without aria-hidden renders to the same pixels."""
    import pypdfium2 as pdfium

    def pixels(html: str) -> bytes:
        path = render(renderer, html, tmp_path)
        pdf = pdfium.PdfDocument(str(path))
        try:
            return pdf[0].render(scale=1).to_pil().tobytes()
        finally:
            pdf.close()

    hidden = page(f"<p>{ICON} Write a letter.</p>")
    shown = page(f"<p>{VISIBLE_ICON} Write a letter.</p>")
    assert hidden != shown
    assert pixels(hidden) == pixels(shown)
    # and the pictogram is there: the page is not blank where it stands
    assert len(set(pixels(hidden))) > 1


def test_without_aria_hidden_a_pictogram_is_a_figure_pdfua_rejects(renderer, tmp_path):
    """The check above can fail: an untitled figure that is not hidden stays a figure."""
    tags_path = render(renderer, page(f"<p>{VISIBLE_ICON} Write.</p>"), tmp_path)
    assert len(read_tags(tags_path).elements("Figure")) == 1
    assert any(f.rule_id == "UA-13-004" for f in validate(str(tags_path)).findings)


def test_reading_order_puts_the_parts_in_their_order(renderer, tmp_path):
    html = page(
        '<section><div data-reading-order="3"><p>Flap words</p></div>'
        '<div data-reading-order="4"><p>Back words</p></div>'
        '<div data-reading-order="1"><h1>Cover title</h1></div></section>'
        '<main data-reading-order="2" style="break-before: page"><p>Inside words</p></main>'
    )
    tags = read_tags(render(renderer, html, tmp_path))
    parts = tags.document.kids
    assert [letters(tags.text_of(p)) for p in parts] == [
        "covertitle", "insidewords", "flapwords", "backwords",
    ]
    # the emptied section wrapper is gone; the parts hang from the document
    assert [p.s for p in parts] == ["Div", "Part", "Div", "Div"]
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        assert all(kid.P.objgen == document.objgen for kid in document.K)


def test_unmarked_content_is_read_before_the_marked_parts(renderer, tmp_path):
    html = page(
        '<p>Intro</p><div data-reading-order="2"><p>Second</p></div>'
        '<div data-reading-order="1"><p>First <span data-reading-order="9">inner</span></p></div>'
    )
    tags = read_tags(render(renderer, html, tmp_path))
    assert [letters(tags.text_of(p)) for p in tags.document.kids] == ["intro", "firstinner", "second"]


def test_a_reading_order_that_is_not_a_number_is_an_error(renderer, tmp_path):
    with pytest.raises(BuildError, match="data-reading-order='first' is not a whole number"):
        render(renderer, page('<div data-reading-order="first"><p>x</p></div>'), tmp_path)


def test_table_headers_get_a_scope(renderer, tmp_path):
    html = page(
        '<table><thead><tr><th scope="col">What</th><th>Cost</th></tr></thead>'
        '<tbody><tr><th scope="row">Pipes</th><td>10</td></tr></tbody></table>'
    )
    path = render(renderer, html, tmp_path)
    with pikepdf.open(path) as pdf:
        scopes = []

        def walk(e):
            if isinstance(e, pikepdf.Dictionary) and "/S" in e:
                if e.S == "/TH":
                    scopes.append(str(e.A.Scope))
                kids = e.get("/K")
                for k in kids if isinstance(kids, pikepdf.Array) else []:
                    walk(k)

        walk(pdf.Root.StructTreeRoot.K[0])
    assert scopes == ["/Column", "/Column", "/Row"]
    assert not validate(str(path)).findings


def test_a_pdf_from_another_layout_is_refused(renderer, tmp_path):
    """The walk checks every struct type against WeasyPrint's tree: a mismatch stops the
    build instead of tagging the wrong elements."""
    one = renderer.layout(page("<p>One</p><ul><li>a</li></ul>"), base_url=renderer.project_root)
    other = renderer.layout(page("<h1>Other</h1>"), base_url=renderer.project_root)
    pdf = one.document.write_pdf(pdf_variant="pdf/ua-1")
    with pytest.raises(BuildError, match="does not follow the layout"):
        retag(pdf, other.document)


def test_same_page_same_bytes(renderer, tmp_path):
    html = page(f'<p lang="es">Hola {ICON}</p><div data-reading-order="1"><p>x</p></div>')
    first = render(renderer, html, tmp_path).read_bytes()
    second = render(renderer, html, tmp_path).read_bytes()
    assert first == second


# -- random pages: the walk agrees with WeasyPrint's tree ---------------------------------

_PNG = base64.b64encode(
    (lambda b: (Image.new("RGB", (3, 3), "red").save(b, format="PNG"), b.getvalue())[1])(io.BytesIO())
).decode()

_INLINE = st.sampled_from(
    [
        "words",
        "<strong>bold</strong> words",
        '<a href="https://a.org">a link</a>',
        '<span lang="es">castellano</span>',
        ICON,
        f'<img src="data:image/png;base64,{_PNG}" alt="red" width="8" height="8">',
        "<code>x</code>",
        "<br>",
    ]
)


def _inline(draw) -> str:
    return " ".join(draw(st.lists(_INLINE, min_size=1, max_size=3)))


@st.composite
def _block(draw, depth: int = 0) -> str:
    kinds = ["p", "h2", "ul", "ol", "todo", "dl", "table", "quote", "figure", "hidden", "abs"]
    if depth < 2:
        kinds += ["div", "section", "aside", "nested"]
    kind = draw(st.sampled_from(kinds))
    lang = draw(st.sampled_from(["", ' lang="es"', ' lang="ay"']))
    order = draw(st.sampled_from(["", "", ' data-reading-order="1"', ' data-reading-order="2"']))
    if kind in ("p", "h2"):
        return f"<{kind}{lang}>{_inline(draw)}</{kind}>"
    if kind in ("ul", "ol"):
        items = "".join(f"<li{lang}>{_inline(draw)}</li>" for _ in range(draw(st.integers(1, 3))))
        return f"<{kind}>{items}</{kind}>"
    if kind == "todo":  # list items without markers, as the leaflets' "what to do" list
        items = "".join(f"<li>{ICON}<span>{_inline(draw)}</span></li>" for _ in range(2))
        return f'<ol style="list-style: none">{items}</ol>'
    if kind == "nested":
        inner = "".join(f"<li>{_inline(draw)}</li>" for _ in range(2))
        return f"<ul><li>{_inline(draw)}<ul{lang}>{inner}</ul></li><li>end</li></ul>"
    if kind == "dl":
        return f"<dl><dt>{_inline(draw)}</dt><dd{lang}>{_inline(draw)}</dd></dl>"
    if kind == "table":
        caption = draw(st.sampled_from(["", "<caption>Costs</caption>"]))
        return (
            f"<table>{caption}<thead><tr><th scope='col'>A</th><th>B</th></tr></thead>"
            f"<tbody><tr><td{lang}>{_inline(draw)}</td><td>2</td></tr></tbody></table>"
        )
    if kind == "quote":
        return f"<figure><blockquote><p{lang}>{_inline(draw)}</p></blockquote><figcaption>— X</figcaption></figure>"
    if kind == "figure":
        return f"<figure>{QR}<figcaption{lang}>{_inline(draw)}</figcaption></figure>"
    if kind == "hidden":
        return f'<p style="display: none">{_inline(draw)}</p>'
    if kind == "abs":
        return f'<p style="position: absolute; top: 0; right: 0">{_inline(draw)}</p>'
    inner = "".join(draw(st.lists(_block(depth + 1), min_size=1, max_size=3)))
    style = draw(st.sampled_from(["", ' style="columns: 2"', ' style="break-before: page"']))
    return f"<{kind}{lang}{order}{style}>{inner}</{kind}>"


@seed(20261201)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(_block(), min_size=1, max_size=5))
def test_retagging_random_pages_agrees_with_weasyprint(renderer, tmp_path, blocks):
    path = render(renderer, page("".join(blocks)), tmp_path)
    tags = read_tags(path)
    content = b"".join(tags.content)
    figures = tags.elements("Figure")
    # every figure left is one a reader needs, with its text alternative ...
    assert all(f.alt for f in figures), [f.alt for f in figures]
    # ... and every figure's marked content is in the page, and no other
    assert content.count(b"/Figure") == len(figures)
    # every element in another language says so, and only those
    for elem in tags.document.walk():
        if elem.own_lang is not None:
            assert elem.own_lang in ("es", "ay")
    # the outside checker finds no error in the tags
    errors = [f for f in validate(str(path)).findings if f.severity.name == "ERROR"]
    assert not errors, [f.message for f in errors]
