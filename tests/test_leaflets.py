"""Leaflets end to end: build real PDFs with WeasyPrint and read them back."""

from __future__ import annotations

import hashlib

import pytest
from conftest import override, snapshot
from pdfutil import catalog_lang, embedded_fonts, page_sizes_mm, pdf_text

ENGLISH_BODY = [
    "Rosa lives in a village",
    "Write a short letter",
    "Hand it in at the front desk",
    "They answered me with the papers",
]


def theme_text(locale, msgid):
    """The shipped theme's translation of ui string ``msgid``."""
    import polib

    from plainlang.theme import SHIPPED_THEME

    entry = polib.pofile(str(SHIPPED_THEME / f"locales/{locale}/LC_MESSAGES/ui.po")).find(msgid)
    assert entry is not None and entry.msgstr, msgid
    return entry.msgstr


def build(run, project, *args):
    return run("-C", project, "build", "--jobs", "1", *args)


def test_spanish_trifold_is_spanish(run, leaflet_project):
    result = build(run, leaflet_project, "--locale", "es", "--audience", "youth", "--layout", "trifold")
    assert result.code == 0, result.err + result.out
    pdf = leaflet_project / "build/pdf/es/water-youth-trifold.pdf"
    text = pdf_text(pdf)
    assert "Pregunte por el proyecto de agua" in text
    assert "Escriba una carta corta." in text
    assert "cuánto costó el proyecto de agua" in text
    for english in ENGLISH_BODY:
        assert english not in text
    assert catalog_lang(pdf) == "es"
    fonts = embedded_fonts(pdf)
    assert fonts and all("+Plainlang-Sans" in f for f in fonts), fonts  # subset tag + our family


def test_audience_blocks_only_in_their_leaflets(run, leaflet_project):
    result = build(run, leaflet_project, "--locale", "es", "--layout", "phone")
    assert result.code == 0, result.err
    youth_only = "Comparta esta hoja con su grupo."
    two = "Texto que solo aparece en las hojas para estos dos públicos."
    texts = {
        a: pdf_text(leaflet_project / f"build/pdf/es/water-{a}-phone.pdf")
        for a in ("youth", "women", "municipality")
    }
    assert youth_only in texts["youth"]
    assert youth_only not in texts["women"] and youth_only not in texts["municipality"]
    assert two in texts["women"] and two in texts["municipality"]
    assert two not in texts["youth"]


@pytest.mark.parametrize(
    ("layout", "pages", "size"),
    [("trifold", 2, (297.0, 210.0)), ("flyer", 2, (148.0, 210.0)), ("phone", 1, None)],
)
def test_page_size_and_count_per_layout(run, leaflet_project, layout, pages, size):
    result = build(run, leaflet_project, "--locale", "es", "--audience", "women", "--layout", layout)
    assert result.code == 0, result.err
    sizes = page_sizes_mm(leaflet_project / f"build/pdf/es/water-women-{layout}.pdf")
    assert len(sizes) == pages
    if size is not None:
        assert all(abs(w - size[0]) < 0.6 and abs(h - size[1]) < 0.6 for w, h in sizes), sizes
    else:
        (width, height), = sizes
        assert abs(width - 108) < 0.6 and height >= 191.9


def test_two_builds_give_the_same_bytes(run, leaflet_project):
    args = ("--locale", "qu", "--audience", "municipality", "--layout", "trifold")
    assert build(run, leaflet_project, *args).code == 0
    pdf = leaflet_project / "build/pdf/qu/water-municipality-trifold.pdf"
    first = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert build(run, leaflet_project, "--force", *args).code == 0
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == first


def test_quechua_leaflet_marks_drafts_and_fallbacks(run, leaflet_project):
    result = build(run, leaflet_project, "--locale", "qu", "--audience", "youth", "--layout", "phone")
    assert result.code == 0, result.err
    text = pdf_text(leaflet_project / "build/pdf/qu/water-youth-phone.pdf")
    assert "Yaku ruraymanta tapukuy" in text  # draft title, allowed by use_fuzzy
    assert "Huk uchuy qillqata qillqay." in text
    assert "Entréguela en mesa de partes." in text  # falls back to Spanish
    # the ui notes, in the theme's Quechua drafts (the project has no ui.po of its own)
    assert theme_text("qu", "Draft translation.") in text
    assert theme_text("qu", "Not yet translated.") in text
    assert "Draft translation." not in text
    # the language it falls back to is named as Quechua names it, not in English
    assert "Español Simi" in text and "Spanish" not in text
    assert catalog_lang(leaflet_project / "build/pdf/qu/water-youth-phone.pdf") == "qu"


def test_keep_html_writes_renderable_html(run, leaflet_project):
    result = build(run, leaflet_project, "--locale", "es", "--audience", "youth", "--layout", "flyer", "--keep-html")
    assert result.code == 0, result.err
    html = (leaflet_project / "build/pdf/es/water-youth-flyer.html").read_text()
    assert '<html lang="es">' in html
    assert "Pregunte por el proyecto de agua" in html


def test_qr_code_is_vector_and_url_printed(run, leaflet_project):
    assert build(run, leaflet_project, "--locale", "es", "--audience", "youth", "--layout", "trifold", "--keep-html").code == 0
    html = (leaflet_project / "build/pdf/es/water-youth-trifold.html").read_text()
    assert "<svg" in html and "https://www.opengovpartnership.org/" in html
    assert "opengovpartnership.org" in pdf_text(leaflet_project / "build/pdf/es/water-youth-trifold.pdf")


def test_too_long_case_is_reported_not_cut(run, leaflet_project):
    case = leaflet_project / "content/cases/water.md"
    case.write_text(case.read_text() + "\n" + "\n\n".join(
        f"Paragraph {i} of a case that goes on far too long for a leaflet." for i in range(120)
    ) + "\n")
    result = build(run, leaflet_project, "--locale", "es", "--audience", "youth", "--layout", "trifold")
    assert result.code == 1
    assert "build/pdf/es/water-youth-trifold.pdf: failed: case water, locale es, audience youth, layout trifold" in result.err
    assert "too long for trifold" in result.err and "do not fit" in result.err
    assert not (leaflet_project / "build/pdf/es/water-youth-trifold.pdf").exists()


def test_template_syntax_error_exit_2_one_line_nothing_written(run, leaflet_project):
    template = override(leaflet_project, "macros.html.j2")
    lines = template.read_text().splitlines()
    lines.append("{% if %}")
    template.write_text("\n".join(lines) + "\n")
    before = snapshot(leaflet_project)
    result = build(run, leaflet_project, "--locale", "es")
    assert result.code == 2
    assert result.err.startswith(f"templates/macros.html.j2:{len(lines)}: template error:")
    assert len(result.err.strip().splitlines()) == 1
    assert snapshot(leaflet_project) == before


def test_undefined_variable_in_template_names_the_line(run, leaflet_project):
    template = override(leaflet_project, "layouts/phone.html.j2")
    template.write_text(template.read_text().replace("{{ m.cover() }}", "{{ leaflet.no_such_field }}"))
    result = build(run, leaflet_project, "--locale", "es", "--audience", "youth", "--layout", "phone")
    assert result.code == 2
    assert "templates/layouts/phone.html.j2:" in result.err
    assert "no_such_field" in result.err


def test_unknown_locale_filter_is_usage_error(run, leaflet_project):
    result = build(run, leaflet_project, "--locale", "fr")
    assert result.code == 2
    assert "--locale fr is not a locale of this project" in result.err


def _ui_patterns(pot_path):
    """A regex for each ui msgid, its %(name)s placeholders matching any text."""
    import re

    import polib

    patterns = {}
    for entry in polib.pofile(str(pot_path)):
        parts = re.split(r"%\(\w+\)[sd]", entry.msgid)
        patterns[entry.msgid] = re.compile(".*".join(re.escape(p) for p in parts), re.S)
    return patterns


def _text_nodes(html):
    from html.parser import HTMLParser

    class Texts(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.nodes, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "title")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "title")

        def handle_data(self, data):
            if data.strip() and not self.skip:
                self.nodes.append(" ".join(data.split()))

    parser = Texts()
    parser.feed(html)
    return parser.nodes


def test_a_spanish_source_project_prints_no_english_theme_string(run, tmp_path):
    """Source Spanish, leaflets in Spanish and Quechua: every theme string is Spanish or
    Quechua, and every language is named in the language of the leaflet's sentences."""
    folder = tmp_path / "es-source"
    assert run("new-project", folder, "--source-locale", "es", "--locale", "qu", "--locale", "ay").code == 0
    assert run("-C", folder, "extract").code == 0
    assert run("-C", folder, "update").code == 0
    result = run("-C", folder, "build", "--locale", "es", "--locale", "qu", "--keep-html", "--jobs", "2")
    assert result.code == 0, result.err + result.out
    patterns = _ui_patterns(folder / "locales/ui.pot")
    pages = sorted((folder / "build/pdf").rglob("*.html"))
    assert len(pages) == 2 * 3 * 3
    english_names = ("Spanish", "English", "Quechua", "Aymara")
    for page in pages:
        nodes = _text_nodes(page.read_text(encoding="utf-8"))
        printed = [(msgid, node) for node in nodes for msgid, rx in patterns.items() if rx.fullmatch(node)]
        assert not printed, f"{page.name}: English theme text {printed}"
        for node in nodes:
            assert not any(name in node for name in english_names), (page.name, node)
    youth = _text_nodes((folder / "build/pdf/es/peru-open-government-plan-youth-trifold.html").read_text())
    assert "Para grupos de jóvenes" in youth and "Sobre este folleto" in youth
    assert "español" in youth  # the cover names the language in itself
    qu = (folder / "build/pdf/qu/peru-open-government-plan-women-phone.html").read_text()
    # Quechua prints no drafts here: its ui falls back to the theme's Spanish, and the
    # fallback note, a Spanish sentence, names Spanish in Spanish
    assert "Para grupos de mujeres" in _text_nodes(qu)
    assert "están en español hasta que se traduzcan" in " ".join(_text_nodes(qu))
    assert 'lang="qu"' in qu
