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
    assert "Draft translation." in text  # the ui note (ui.po untranslated: English)
    assert "Not yet translated." in text
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
