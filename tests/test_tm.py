"""Translation memory, TMX, and the Weblate/Poedit conventions, through the real CLI."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import polib

ES = "locales/es/LC_MESSAGES/water.po"


def _prepare(run, project: Path) -> None:
    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0


def _translate(project: Path, rel: str, translations: dict[str, str]) -> None:
    po = polib.pofile(str(project / rel))
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()


def _new_case(project: Path, text: str) -> None:
    (project / "content/cases/second.md").write_text(text, encoding="utf-8")


def test_a_sentence_translated_in_another_case_comes_as_fuzzy_with_its_origin(run, project):
    _prepare(run, project)
    _translate(project, ES, {"Write a short letter.": "Escriba una carta corta."})
    _new_case(project, "---\ntitle: Second case\n---\nWrite a short letter.\n\nWrite a short letters.\n")
    _prepare(run, project)
    po = polib.pofile(str(project / "locales/es/LC_MESSAGES/second.po"))
    exact = po.find("Write a short letter.")
    assert exact.msgstr == "Escriba una carta corta." and "fuzzy" in exact.flags
    assert "translation memory, from locales/es/LC_MESSAGES/water.po" in exact.tcomment
    near = po.find("Write a short letters.")
    assert near.msgstr == "Escriba una carta corta." and "fuzzy" in near.flags
    assert near.previous_msgid == "Write a short letter."
    assert "near match" in near.tcomment
    # Nothing is filled in other locales, and a translation is never overwritten.
    qu = polib.pofile(str(project / "locales/qu/LC_MESSAGES/second.po"))
    assert qu.find("Write a short letter.").msgstr == ""
    _translate(project, "locales/es/LC_MESSAGES/second.po", {"Write a short letter.": "Mía."})
    assert run("-C", project, "update").code == 0
    again = polib.pofile(str(project / "locales/es/LC_MESSAGES/second.po"))
    assert again.find("Write a short letter.").msgstr == "Mía."


def test_compendium_po_from_config_and_tmx_from_the_command_line(run, project, tmp_path):
    _prepare(run, project)
    (project / "tm").mkdir()
    shutil.copy(project / ES, project / "tm/es.po")
    _translate(project, "tm/es.po", {"What can I do?": "¿Qué puedo hacer?"})
    config = project / "plainlang.toml"
    config.write_text(config.read_text() + '\n[locales.es]\ncompendium = ["tm/es.po"]\n')
    _new_case(project, "---\ntitle: What can I do?\n---\nAsk the office.\n")
    _prepare(run, project)
    second = polib.pofile(str(project / "locales/es/LC_MESSAGES/second.po"))
    title = second.find("What can I do?")
    assert title.msgstr == "¿Qué puedo hacer?" and "from tm/es.po" in title.tcomment
    # A TMX made by plainlang itself, given on the command line.
    _translate(project, ES, {"Write a short letter.": "Escriba una carta corta."})
    assert run("-C", project, "tm", "export", "--locale", "es", "-o", project / "tm/es.tmx").code == 0
    _translate(project, ES, {"Write a short letter.": ""})
    _new_case(project, "---\ntitle: What can I do?\n---\nWrite a short letter.\n")
    assert run("-C", project, "extract").code == 0
    result = run("-C", project, "update", "--compendium", project / "tm/es.tmx")
    assert result.code == 0, result.err
    second = polib.pofile(str(project / "locales/es/LC_MESSAGES/second.po"))
    assert second.find("Write a short letter.").msgstr == "Escriba una carta corta."
    outside = tmp_path / "outside.tmx"
    shutil.copy(project / "tm/es.tmx", outside)
    result = run("-C", project, "update", "--compendium", outside)
    assert result.code == 2 and "outside the project" in result.err


def test_tm_export_writes_tmx_14(run, project):
    _prepare(run, project)
    _translate(project, ES, {"Write a short letter.": "Escriba una carta corta.", "What can I do?": "¿Qué puedo hacer?"})
    out = project / "build/es.tmx"
    result = run("-C", project, "tm", "export", "--locale", "es", "-o", out)
    assert result.code == 0, result.err
    assert "(2 units)" in result.err
    data = out.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
    root = ET.fromstring(data)
    # The TMX 1.4 DTD: tmx(header, body); header has the required attributes; body has tu+
    # each with tuv+ holding one seg.
    assert root.tag == "tmx" and root.get("version") == "1.4"
    assert [c.tag for c in root] == ["header", "body"]
    header = root.find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute), attribute
    assert header.get("srclang") == "en"
    units = root.find("body").findall("tu")
    assert len(units) == 2
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = set()
    for tu in units:
        tuvs = tu.findall("tuv")
        assert [t.get(lang) for t in tuvs] == ["en", "es"]
        assert all(len(t.findall("seg")) == 1 for t in tuvs)
        pairs.add(tuple(t.findtext("seg") for t in tuvs))
    assert ("What can I do?", "¿Qué puedo hacer?") in pairs


def test_length_budget_is_also_a_weblate_flag(run, project):
    _prepare(run, project)
    pot = polib.pofile(str(project / "locales/water.pot"))
    title = pot.find("Ask about the water project")
    assert "max-length: 60" in title.comment and "max-length:60" in title.flags
    po = polib.pofile(str(project / ES))
    assert "max-length:60" in po.find("Ask about the water project").flags


def test_an_unlisted_locale_folder_is_reported(run, project):
    _prepare(run, project)
    folder = project / "locales/fr/LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(project / ES, folder / "water.po")
    result = run("-C", project, "stats")
    assert result.code == 0
    assert "locales/fr: warning: a locale folder plainlang.toml does not list" in result.err
    result = run("-C", project, "check", "--json")
    assert '"check": "unlisted-locale"' in result.out and '"path": "locales/fr"' in result.out


def test_init_says_every_missing_key_and_the_languages_plural_rule(run, project):
    run("-C", project, "extract")
    config = project / "plainlang.toml"
    config.write_text(config.read_text().replace('plural_forms = "nplurals=2; plural=(n != 1);"\n', ""))
    result = run("-C", project, "stats")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "add plural_forms to [locales.ay]" in result.err
    assert "Weblate's data for Aymara" in result.err and "nplurals=1; plural=0;" in result.err
    # a locale nobody knows: every key it needs, in one message
    result = run("-C", project, "init", "xqz")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
