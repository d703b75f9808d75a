"""The catalog workflow: extract, init, update, compile, stats, on real PO files."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from conftest import snapshot

from plainlang.errors import CatalogError
from plainlang.po import read_po as parse_po


def _prepare(run, project: Path) -> None:
    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0


def _translate_all(project: Path, locale: str, prefix: str = "T: ") -> None:
    path = project / f"locales/{locale}/LC_MESSAGES/water.po"
    po = polib.pofile(str(path), wrapwidth=79)
    for entry in po:
        entry.msgstr = prefix + entry.msgid
    po.save()


def test_extract_writes_one_pot_per_case_plus_ui(run, project):
    result = run("-C", project, "extract")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (project / "locales").glob("*.pot")) == ["ui.pot", "water.pot"]
    pot = polib.pofile(str(project / "locales/water.pot"))
    title = pot.find("Ask about the water project")
    assert title.occurrences == [
        ("content/cases/water.md", "2"),
        ("content/cases/water.md", "6"),
    ]
    assert "kind: title, heading" in title.comment
    assert "max-length: 60" in title.comment
    para = pot.find("Rosa lives in a village in the Andes. She wanted to know **how much** the water project cost.")
    assert para is not None and para.occurrences == [("content/cases/water.md", "8")]
    youth = pot.find(
        "Share this leaflet with your group. See [the OGP site](https://www.opengovpartnership.org/)."
    )
    assert "audiences: youth" in youth.comment
    both = pot.find("Text shown only in the leaflets for these two audiences.")
    assert "audiences: municipality, women" in both.comment
    # A cell with no letters ("9") reads the same everywhere: no entry.
    assert pot.find("9") is None
    assert pot.find("Rosa, Ayacucho (example)") is not None  # attribution, without the dash
    ui = polib.pofile(str(project / "locales/ui.pot"))
    lang = ui.find("Language: %(name)s")
    assert lang is not None and "the language name follows" in lang.comment
    assert ui.find("Draft translation").occurrences == [("templates/sample.j2", "1")]


def test_extract_twice_changes_no_byte(run, project):
    run("-C", project, "extract")
    before = snapshot(project)
    mtimes = {p: p.stat().st_mtime_ns for p in (project / "locales").glob("*.pot")}
    result = run("-C", project, "extract")
    assert result.code == 0
    assert snapshot(project) == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert "already up to date" in result.out


def test_update_twice_changes_no_byte(run, project):
    _prepare(run, project)
    before = snapshot(project)
    assert run("-C", project, "update").code == 0
    assert snapshot(project) == before


def test_edited_sentence_becomes_fuzzy_with_previous_msgid(run, project):
    _prepare(run, project)
    for locale in ("es", "qu", "ay"):
        _translate_all(project, locale, prefix=f"[{locale}] ")
    case = project / "content/cases/water.md"
    old = "Write a short letter."
    case.write_text(case.read_text().replace(old, "Write a short, clear letter."))
    _prepare(run, project)
    for locale in ("es", "qu", "ay"):
        po = polib.pofile(str(project / f"locales/{locale}/LC_MESSAGES/water.po"))
        entry = po.find("Write a short, clear letter.")
        assert entry is not None
        assert "fuzzy" in entry.flags
        assert entry.previous_msgid == old
        assert entry.msgstr == f"[{locale}] {old}"
        text = (project / f"locales/{locale}/LC_MESSAGES/water.po").read_text()
        assert f'#| msgid "{old}"' in text


def test_deleted_paragraph_is_obsolete_not_gone_and_comes_back(run, project):
    _prepare(run, project)
    _translate_all(project, "es")
    case = project / "content/cases/water.md"
    original = case.read_text()
    case.write_text(original.replace("## What can I do?\n", ""))
    _prepare(run, project)
    po = polib.pofile(str(project / "locales/es/LC_MESSAGES/water.po"))
    obsolete = [e for e in po.obsolete_entries() if e.msgid == "What can I do?"]
    assert obsolete and obsolete[0].msgstr == "T: What can I do?"
    assert po.find("What can I do?") is None
    # The heading comes back: so does its translation, not fuzzy.
    case.write_text(original)
    _prepare(run, project)
    po = polib.pofile(str(project / "locales/es/LC_MESSAGES/water.po"))
    entry = po.find("What can I do?")
    assert entry is not None and entry.msgstr == "T: What can I do?"
    assert "fuzzy" not in entry.flags
    assert not [e for e in po.obsolete_entries() if e.msgid == "What can I do?"]


def test_update_keeps_translator_comments_and_flags(run, project):
    _prepare(run, project)
    path = project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(path))
    entry = po.find("Write a short letter.")
    entry.msgstr = "Escribe una carta corta."
    entry.tcomment = "checked with Rosa"
    entry.flags.append("ignore-length")
    po.save()
    _prepare(run, project)
    entry = polib.pofile(str(path)).find("Write a short letter.")
    assert entry.msgstr == "Escribe una carta corta."
    assert entry.tcomment == "checked with Rosa"
    assert "ignore-length" in entry.flags


def test_update_creates_po_for_a_new_case(run, project):
    _prepare(run, project)
    (project / "content/cases/second.md").write_text("---\ntitle: Second case\n---\nHello.\n")
    _prepare(run, project)
    for locale in ("es", "qu", "ay"):
        po = polib.pofile(str(project / f"locales/{locale}/LC_MESSAGES/second.po"))
        assert po.find("Second case") is not None
        assert po.metadata["Language"] == locale


def test_update_stops_on_broken_po_and_changes_nothing(run, project):
    _prepare(run, project)
    broken = project / "locales/qu/LC_MESSAGES/water.po"
    lines = broken.read_text().splitlines()
    lines.insert(20, 'msgid "unterminated')
    broken.write_text("\n".join(lines) + "\n")
    case = project / "content/cases/water.md"
    case.write_text(case.read_text().replace("Write a short letter.", "Write a letter."))
    run("-C", project, "extract")
    before = snapshot(project)
    result = run("-C", project, "update")
    assert result.code == 2
    assert result.err.startswith("locales/qu/LC_MESSAGES/water.po:21: catalog error:")
    assert len(result.err.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_init_configured_unknown_locale(run, project):
    config = project / "plainlang.toml"
    config.write_text(
        config.read_text().replace('locales = ["es", "qu", "ay"]', 'locales = ["es", "qu", "ay", "cni"]')
        + '\n[locales.cni]\nname = "Asháninka"\nenglish_name = "Asháninka"\n'
        'plural_forms = "nplurals=1; plural=0;"\n'
    )
    run("-C", project, "extract")
    result = run("-C", project, "init", "cni")
    assert result.code == 0, result.err
    po = polib.pofile(str(project / "locales/cni/LC_MESSAGES/water.po"))
    assert po.metadata["Language"] == "cni"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "Asháninka" in po.metadata["Language-Team"]
    assert (project / "locales/cni/LC_MESSAGES/ui.po").exists()


def test_init_cldr_locale_not_in_config_hints(run, project):
    run("-C", project, "extract")
    result = run("-C", project, "init", "pt-br")  # CLDR knows it; config does not
    assert result.code == 0, result.err
    po = polib.pofile(str(project / "locales/pt_BR/LC_MESSAGES/water.po"))
    assert po.metadata["Language"] == "pt_BR"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")  # CLDR 46 has a "many" form
    assert 'add "pt_BR" to locales' in result.err


@pytest.mark.parametrize("code", ["xx-nonsense", "zzz", "not a locale"])
def test_init_unknown_locale_is_one_line_exit_2(run, project, code):
    run("-C", project, "extract")
    before = snapshot(project)
    result = run("-C", project, "init", code)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "usage error:" in result.err
    assert "Traceback" not in result.err
    assert snapshot(project) == before


HAND_MADE_PO = r'''msgid ""
msgstr ""
"Language: es\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "one"
msgstr "uno"

msgid "two"
msgstr ""

#, fuzzy
msgid "three"
msgstr "tres?"

msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "%(n)s día"
msgstr[1] "%(n)s días"

msgid "%(n)s letter"
msgid_plural "%(n)s letters"
msgstr[0] "%(n)s carta"
msgstr[1] ""

msgid "%(n)s copy"
msgid_plural "%(n)s copies"
msgstr[0] ""
msgstr[1] ""

#~ msgid "gone"
#~ msgstr "ido"

#~ msgid "gone too"
#~ msgstr "ido también"
'''


def test_stats_json_counts_plurals_fuzzy_obsolete(run, project):
    run("-C", project, "extract")
    run("-C", project, "update")
    (project / "locales/extra.pot").write_text(HAND_MADE_PO.replace('"Language: es\\n"\n', ""))
    (project / "locales/es/LC_MESSAGES/extra.po").write_text(HAND_MADE_PO)
    result = run("-C", project, "stats", "--json", "--locale", "es")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    row = next(r for r in data["catalogs"] if r["domain"] == "extra")
    # one, day-plural translated; letter-plural half done = untranslated; copies untranslated.
    assert row == {
        "locale": "es",
        "domain": "extra",
        "total": 6,
        "translated": 2,
        "fuzzy": 1,
        "untranslated": 3,
        "obsolete": 2,
        "source_words": 9,
        "translated_words": 3,
        "percent": 33.3,
    }


def test_stats_min_coverage_exits_1(run, project):
    _prepare(run, project)
    assert run("-C", project, "stats", "--min-coverage", "0").code == 0
    result = run("-C", project, "stats", "--min-coverage", "50")
    assert result.code == 1
    assert "coverage below 50%" in result.err
    _translate_all(project, "es")
    (project / "locales/es/LC_MESSAGES/ui.po").unlink()
    run("-C", project, "update")
    ui = polib.pofile(str(project / "locales/es/LC_MESSAGES/ui.po"))
    for entry in ui:
        entry.msgstr = "x " + entry.msgid
    ui.save()
    assert run("-C", project, "stats", "--min-coverage", "50", "--locale", "es").code == 0


def test_compile_writes_mo_that_gettext_reads(run, project):
    import gettext

    _prepare(run, project)
    _translate_all(project, "es")
    assert run("-C", project, "compile").code == 0
    mo = project / "locales/es/LC_MESSAGES/water.mo"
    with mo.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    assert translations.gettext("Write a short letter.") == "T: Write a short letter."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\nmsgstr "c"\n', 6, "catalog error"),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 4, "duplicate message"),
        ('msgid "a"\nmsgstr[1] "b"\n', 2, "without msgid_plural"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[2] "c"\n', 4, "msgstr[1] was expected"),
        ('msgid "a"\nmsgstr "b\n', 2, "not closed"),
        ('msgid "a"\nmsgstr "b"\nmsgtxt "c"\n', 3, "unknown keyword"),
    ],
)
def test_parse_po_errors_name_1_based_line(text, line, words):
    with pytest.raises(CatalogError) as info:
        parse_po(text.encode(), "x.po")
    assert info.value.location is not None
    assert info.value.location.line == line
    assert words in info.value.format()


def test_parse_po_invalid_utf8_names_line():
    data = b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "\xff"\n'
    with pytest.raises(CatalogError) as info:
        parse_po(data, "x.po")
    assert info.value.location.line == 5
