"""plainlang check through the real CLI: project runs, PO files, gates, report."""

from __future__ import annotations

import json

from conftest import snapshot

THREE_ERRORS = '''msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#. kind: paragraph
msgid "Read [the plan](https://www.pcm.gob.pe/plan)."
msgstr "Lea [el plan](https://example.org/plan)."

#. kind: paragraph
msgid "They answer within {days} days."
msgstr "Responden en unos días."

#. kind: paragraph
msgid "We received 36 contributions."
msgstr "Recibimos muchas contribuciones."

#. kind: paragraph
msgid "Write a short letter."
msgstr "Escriba una carta corta."
'''


def test_sample_project_has_no_errors(run, sample):
    before = snapshot(sample)
    result = run("-C", sample, "check", "--json")
    assert result.code == 0, result.out[-2000:]
    data = json.loads(result.out)
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert errors == []
    assert data["files"] == 9  # 3 cases x 3 locales; the ui catalogs ship with the theme
    assert snapshot(sample) == before  # checks never write


def test_po_with_three_errors_at_their_lines(run, tmp_path):
    po = tmp_path / "three.po"
    po.write_text(THREE_ERRORS)
    result = run("-C", tmp_path, "check", po)
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if ": error[" in line]
    assert len(errors) == 3
    found = {(line.split(":")[1], line.split("error[")[1].split("]")[0]) for line in errors}
    assert found == {("9", "url"), ("13", "placeholder"), ("17", "number")}
    assert all(line.startswith("three.po:") for line in errors)


def test_fail_on_and_quiet(run, tmp_path):
    po = tmp_path / "clean.po"
    po.write_text(THREE_ERRORS.split("#. kind: paragraph\nmsgid \"Read")[0]
                  + '#. kind: paragraph\nmsgid "Write a letter."\nmsgstr ""\n')
    assert run("-C", tmp_path, "check", po).code == 0
    result = run("-C", tmp_path, "check", "--fail-on", "warning", po)
    assert result.code == 1 and "warning[untranslated]" in result.out


def test_broken_po_is_exit_2_with_line(run, tmp_path):
    po = tmp_path / "broken.po"
    po.write_text('msgid "a"\nmsgstr "b"\nmsgstr "c"\n')
    result = run("-C", tmp_path, "check", po)
    assert result.code == 2
    assert ":3: catalog error:" in result.err and len(result.err.strip().splitlines()) == 1


def test_avoid_words_and_readability_report(run, sample):
    case = sample / "content/cases/right-to-know.md"
    case.write_text(case.read_text().replace(
        "You can ask. You do not need to be a lawyer or an official.",
        "You can utilize this right. You do not need to be a lawyer or an official.",
    ))
    result = run("-C", sample, "check", "--report", "build/report.html")
    assert result.code == 0
    lines = [x for x in result.out.splitlines() if "avoid-word" in x and "utilize" in x]
    assert lines and lines[0].startswith("content/cases/right-to-know.md:15: warning[avoid-word]")
    html = (sample / "build/report.html").read_text()
    assert "Szigriszt-Pazos" in html and "INFLESZ" in html and "Flesch" in html
    assert "no validated formula" in html  # Quechua and Aymara


def test_silencing_an_entry(run, tmp_path):
    po = tmp_path / "silenced.po"
    po.write_text(THREE_ERRORS.replace('#. kind: paragraph\nmsgid "Read', '#, ignore-url\n#. kind: paragraph\nmsgid "Read'))
    result = run("-C", tmp_path, "check", po)
    assert "error[url]" not in result.out and "error[placeholder]" in result.out


def test_unknown_check_in_config_is_config_error(run, sample):
    config = sample / "plainlang.toml"
    config.write_text(config.read_text().replace('[checks]\n', '[checks]\ndisable = ["spelling"]\n'))
    result = run("-C", sample, "check")
    assert result.code == 2 and "spelling" in result.err
