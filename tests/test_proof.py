"""Review proofs: bilingual PDFs read back row by row, statuses in words, the reviewer's language."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import polib
import pytest
from pdfutil import catalog_lang, embedded_fonts, page_sizes_mm, pdf_text
from pypdf import PdfReader

from plainlang.markup import plain_text

REF = re.compile(r"content/cases/water\.md:(\d+)(?:, content/cases/water\.md:\d+)*")


def set_entries(po_file: Path, changes: dict[str, tuple[str, bool]]) -> None:
    """Set msgstr and fuzzy flag of the given msgids (polib, as an editor would)."""
    po = polib.pofile(str(po_file))
    for msgid, (msgstr, fuzzy) in changes.items():
        entry = po.find(msgid)
        assert entry is not None, msgid
        entry.msgstr = msgstr
        if fuzzy and "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
        if not fuzzy and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


def rows_of(text: str) -> list[str]:
    """The proof's text cut into rows, in order (each ends with its correction box).

    The first row starts after the table's column headings."""
    body = text[text.index("Translation in Quechua") :]  # an English proof names it in English
    return body.split("Your correction")[:-1]


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", plain_text(text))


def test_qu_proof_shows_both_languages_and_every_status_in_words(run, leaflet_project):
    qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    es = leaflet_project / "locales/es/LC_MESSAGES/water.po"
    set_entries(qu, {"Write a short letter.": ("Uchuy qillqata qillqay.", False)})
    set_entries(es, {"Citizens": ("", False)})  # nobody along the chain: untranslated

    # English headings: the rows are found by them (the theme's are Quechua drafts).
    result = run("-C", leaflet_project, "proof", "--locale", "qu", "--case", "water", "--ui-locale", "en")
    assert result.code == 0, result.err
    pdf = leaflet_project / "build/proof/qu/water-proof.pdf"
    assert "build/proof/qu/water-proof.pdf" in result.out
    text = pdf_text(pdf)

    for word in ("Translated", "Draft", "Fallback", "Untranslated"):
        assert word in text

    qu_po = polib.pofile(str(qu))
    es_po = polib.pofile(str(es))
    rows = rows_of(text)
    assert len(rows) == len(qu_po)
    expected_status = {}
    for entry, row in zip(qu_po, rows, strict=True):
        # the row names where the text is: the PO entry's own references
        assert ", ".join(f"{path}:{line}" for path, line in entry.occurrences) in row
        row_words = set(words(row))
        assert set(words(entry.msgid)) <= row_words, (entry.msgid, row)
        if entry.msgstr:
            status = "Draft" if entry.fuzzy else "Translated"
            shown = entry.msgstr
        elif es_po.find(entry.msgid).msgstr:
            status, shown = "Fallback", es_po.find(entry.msgid).msgstr
        else:
            status, shown = "Untranslated", ""
        assert set(words(shown)) <= row_words, (shown, row)
        assert status in row, (status, row)
        expected_status[entry.msgid] = status
    # the four kinds of row are all there, each the one its catalogs call for
    assert expected_status["Write a short letter."] == "Translated"
    assert expected_status["Citizens"] == "Untranslated"
    assert "Draft" in expected_status.values() and "Fallback" in expected_status.values()
    # a fallback row says which language it shows
    who = next(row for entry, row in zip(qu_po, rows, strict=True) if entry.msgid == "Who")
    assert "This text is in Spanish" in who
    # the writer's reference, and the correction box, on every row
    assert text.count("Your correction") == len(qu_po)


def test_proof_is_a4_portrait_tagged_with_fonts_embedded_and_reproducible(run, leaflet_project):
    assert run("-C", leaflet_project, "proof", "--locale", "ay").code == 0
    pdf = leaflet_project / "build/proof/ay/water-proof.pdf"
    sizes = page_sizes_mm(pdf)
    assert sizes and all(size == (210.0, 297.0) for size in sizes)
    assert any("Plainlang-Sans" in name for name in embedded_fonts(pdf))
    assert catalog_lang(pdf) == "ay"
    first = pdf.read_bytes()
    pdf.unlink()
    assert run("-C", leaflet_project, "proof", "--locale", "ay").code == 0
    assert pdf.read_bytes() == first


def test_proof_type_is_at_least_12pt(run, leaflet_project):
    assert run("-C", leaflet_project, "proof", "--locale", "qu").code == 0
    reader = PdfReader(str(leaflet_project / "build/proof/qu/water-proof.pdf"))
    sizes: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.append(font_size * scale)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert sizes
    # WeasyPrint writes sizes in CSS px scaled to points: 12pt is 12.0 after scaling
    assert min(sizes) >= 11.9, sorted(sizes)[:5]


def test_headings_come_from_the_ui_catalog_along_the_fallback_chain(run, leaflet_project):
    """A locale the theme lacks (Shipibo) falls back to Spanish: the theme's Spanish, with
    the project's own Spanish entries laid over it, entry by entry."""
    config = leaflet_project / "plainlang.toml"
    config.write_text(
        config.read_text().replace('locales = ["es", "qu", "ay"]', 'locales = ["es", "qu", "ay", "shp"]')
        + '\n[locales.shp]\nplural_forms = "nplurals=2; plural=(n != 1);"\nfallback = ["es"]\n'
    )
    run("-C", leaflet_project, "extract")
    run("-C", leaflet_project, "update")
    # Spanish: the theme translates every string, so the project needs no ui.po of its own;
    # it writes one to say one thing its own way.
    es_ui = leaflet_project / "locales/es/LC_MESSAGES/ui.po"
    assert not es_ui.exists()
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=utf-8", "Language": "es"}
    po.append(polib.POEntry(msgid="Your correction", msgstr="Su corrección, por favor"))
    po.save(str(es_ui))
    # Shipibo: the project's ui.po holds every theme string, for its translators.
    shp_ui = polib.pofile(str(leaflet_project / "locales/shp/LC_MESSAGES/ui.po"))
    assert shp_ui.find("Translation review") is not None and shp_ui.find("Your correction")

    assert run("-C", leaflet_project, "proof", "--locale", "shp").code == 0
    text = pdf_text(leaflet_project / "build/proof/shp/water-proof.pdf")
    assert "Revisión de la traducción" in text and "Translation review" not in text
    assert "Su corrección, por favor" in text and "Borrador" in text

    assert run("-C", leaflet_project, "proof", "--locale", "shp", "--ui-locale", "en").code == 0
    assert "Translation review" in pdf_text(leaflet_project / "build/proof/shp/water-proof.pdf")


def test_a_hostile_translation_prints_as_text(run, leaflet_project):
    qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    hostile = '</td></tr></table><img src="https://example.org/x.png"><style>*{display:none}</style>'
    set_entries(qu, {"Write a short letter.": (hostile, False)})
    result = run("-C", leaflet_project, "proof", "--locale", "qu", "--ui-locale", "en")
    assert result.code == 0, result.err
    text = pdf_text(leaflet_project / "build/proof/qu/water-proof.pdf")
    assert hostile.replace(" ", "") in text.replace(" ", "")  # printed, wrapped, as text
    assert "Your correction" in text


def test_proof_refuses_the_source_locale_and_unknown_cases(run, leaflet_project):
    result = run("-C", leaflet_project, "proof", "--locale", "en")
    assert result.code == 2 and "source language" in result.err
    result = run("-C", leaflet_project, "proof", "--locale", "qu", "--case", "nope")
    assert result.code == 2 and "nope" in result.err
    assert not (leaflet_project / "build/proof").exists()


def test_proofs_are_built_incrementally(run, leaflet_project):
    from conftest import override

    pdf = leaflet_project / "build/proof/qu/water-proof.pdf"

    def proof(*args):
        result = run("-C", leaflet_project, "proof", "--locale", "qu", *args)
        assert result.code == 0, result.err
        return result.out

    assert "wrote build/proof/qu/water-proof.pdf (" in proof()
    made = pdf.stat().st_mtime_ns
    again = proof()
    assert "wrote" not in again and "1 proof(s) already up to date" in again
    assert pdf.stat().st_mtime_ns == made

    manifest = json.loads((leaflet_project / "build/manifest.json").read_text())
    entry = next(e for e in manifest["outputs"] if e["path"] == "build/proof/qu/water-proof.pdf")
    assert entry["kind"] == "proof" and entry["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert entry["pages"] == len(PdfReader(str(pdf)).pages) and entry["rows"]["draft"] > 0
    assert manifest["leaflets"] == []  # proofs are not leaflets

    # What a proof does not read changes nothing: a leaflet's stylesheet, another catalog.
    css = override(leaflet_project, "css/trifold.css")
    css.write_text(css.read_text() + "\n/* touched */\n")
    ay = leaflet_project / "locales/ay/LC_MESSAGES/water.po"
    ay.write_text(ay.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "already up to date" in proof()
    # What it reads makes it again: its stylesheet, the reviewed catalog, a fallback's ui
    # catalog, the reviewer's language.
    touch = [
        override(leaflet_project, "css/proof.css"),
        leaflet_project / "locales/qu/LC_MESSAGES/water.po",
        leaflet_project / "locales/es/LC_MESSAGES/ui.po",
    ]
    for path in touch:
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert "wrote build/proof/qu/water-proof.pdf" in proof(), path
    assert "wrote" in proof("--ui-locale", "es")
    assert "already up to date" in proof("--ui-locale", "es")
    assert "wrote" in proof()  # back to the default language
    assert "wrote" in proof("--force")
    # Proofs and leaflets keep their own entries in the one manifest.
    assert run("-C", leaflet_project, "build", "--jobs", "1", "--locale", "qu", "--layout", "phone").code == 0
    assert "already up to date" in proof()


def test_pivot_shows_the_spanish_beside_source_and_translation(run, leaflet_project):
    """plainlang proof --locale qu --pivot es: a third column, Spanish, row by row."""
    result = run("-C", leaflet_project, "proof", "--locale", "qu", "--pivot", "es", "--ui-locale", "es")
    assert result.code == 0, result.err
    text = pdf_text(leaflet_project / "build/proof/qu/water-proof.pdf")
    # the languages are named in the proof's language (Spanish), never in English
    assert "Texto en inglés" in text and "Texto en español" in text
    assert "Traducción al quechua" in text and "Comparar con" in text
    assert "English" not in text and "Texto en English" not in text
    es_po = polib.pofile(str(leaflet_project / "locales/es/LC_MESSAGES/water.po"))
    qu_po = polib.pofile(str(leaflet_project / "locales/qu/LC_MESSAGES/water.po"))
    body = text[text.index("Traducción al quechua") :]
    rows = body.split("Su corrección")[:-1]
    assert len(rows) == len(qu_po)
    for entry, row in zip(qu_po, rows, strict=True):
        spanish = es_po.find(entry.msgid).msgstr
        row_words = set(words(row))
        assert set(words(entry.msgid)) <= row_words
        if spanish:
            assert set(words(spanish)) <= row_words, (spanish, row)
    # without --pivot, two columns only
    assert run("-C", leaflet_project, "proof", "--locale", "qu", "--ui-locale", "es").code == 0
    assert "Comparar con" not in pdf_text(leaflet_project / "build/proof/qu/water-proof.pdf")


@pytest.mark.parametrize(
    ("args", "words_"),
    [
        (["--locale", "qu", "--pivot", "en"], "is the source language"),
        (["--locale", "qu", "--pivot", "qu"], "is a locale under review"),
        (["--locale", "qu", "--pivot", "de"], "is not a locale of this project"),
    ],
)
def test_a_bad_pivot_is_a_usage_error(run, leaflet_project, args, words_):
    result = run("-C", leaflet_project, "proof", *args)
    assert result.code == 2 and words_ in result.err, result.err
    assert not (leaflet_project / "build/proof").exists()
