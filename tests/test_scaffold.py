"""Scaffolds: new-project writes a project that builds; nothing is ever overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import snapshot

from plainlang.config import load_config


def test_new_project_writes_a_commented_config_an_example_and_a_gitignore(run, tmp_path):
    folder = tmp_path / "leaflets"
    result = run("new-project", folder, "--source-locale", "es", "--locale", "qu", "--locale", "ay")
    assert result.code == 0, result.err
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".gitignore",
        "content/cases/peru-open-government-plan.md",
        "plainlang.toml",
    ]
    text = (folder / "plainlang.toml").read_text()
    data = tomllib.loads(text)
    assert data["project"]["source_locale"] == "es" and data["project"]["locales"] == ["qu", "ay"]
    # every key a new team sets has a comment right above it, and the rest is shown commented
    lines = text.splitlines()
    for key in ("source_locale", "locales", "audiences", "layouts"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
        assert lines[at - 1].startswith("#"), key
    for shown in ("# publisher =", "# contact =", "# fallback =", "# use_fuzzy =", "# [audiences.elders]", "# [layouts.poster]"):
        assert shown in text, shown
    # Aymara: langcodes names it, CLDR has no plural rule: Weblate's is written in, to check
    from plainlang.config import suggested_plural_forms

    rule, source = suggested_plural_forms("ay") or ("nplurals=2; plural=(n != 1);", "the commonest")
    assert data["locales"]["ay"] == {"plural_forms": rule}
    assert f"Check this rule ({source})" in text
    config = load_config(folder)
    assert config.layouts == ("trifold", "flyer", "phone") and config.locale_info["ay"].plural_forms == rule
    case = (folder / "content/cases/peru-open-government-plan.md").read_text()
    assert "El primer plan de gobierno abierto del Perú" in case and "36 aportes" in case
    assert (folder / ".gitignore").read_text().split("\n")[1:] and {"build/", "*.mo", ".*.tmp"} <= set(
        (folder / ".gitignore").read_text().splitlines()
    )


def test_a_source_language_without_an_example_gets_the_english_one_with_a_note(run, tmp_path):
    folder = tmp_path / "pt"
    assert run("new-project", folder, "--source-locale", "pt_BR", "--locale", "es").code == 0
    case = (folder / "content/cases/peru-open-government-plan.md").read_text()
    assert "Peru's first open government plan" in case
    assert "This example is in English" in case and "Portuguese" in case
    assert load_config(folder).source_locale == "pt_BR"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--locale", "xqz"], "unknown locale 'xqz'"),
        (["--locale", "not a code"], "is not a locale code"),
        (["--source-locale", "es", "--locale", "es"], "is the source locale"),
        (["--locale", "qu", "--locale", "qu"], "given twice"),
    ],
)
def test_bad_locales_are_refused_and_nothing_is_written(run, tmp_path, args, words):
    folder = tmp_path / "leaflets"
    result = run("new-project", folder, *args)
    assert result.code == 2 and words in result.err, result.err
    assert "Traceback" not in result.err
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []  # no temp folder left either


def test_a_folder_that_is_not_empty_is_never_clobbered(run, tmp_path):
    folder = tmp_path / "leaflets"
    folder.mkdir()
    (folder / "plainlang.toml").write_text("# mine\n")
    before = snapshot(folder)
    result = run("new-project", folder)
    assert result.code == 2 and "is not empty" in result.err
    assert snapshot(folder) == before
    file = tmp_path / "a-file"
    file.write_text("x")
    assert run("new-project", file).code == 2 and file.read_text() == "x"
    # an empty folder is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("new-project", empty).code == 0 and (empty / "plainlang.toml").is_file()


def test_new_project_builds_at_once_with_the_shipped_theme(run, tmp_path: Path):
    """Item 2 of issue 10, in-process (tests/test_wheel.py does it with the installed wheel)."""
    folder = tmp_path / "leaflets"
    assert run("new-project", folder, "--locale", "es").code == 0
    for command in (["extract"], ["update"], ["build", "--jobs", "2"]):
        result = run("-C", folder, *command)
        assert result.code == 0, result.err + result.out
    assert not (folder / "templates").exists()
    pdfs = sorted(p.relative_to(folder).as_posix() for p in (folder / "build/pdf").rglob("*.pdf"))
    assert pdfs == [
        f"build/pdf/es/peru-open-government-plan-{audience}-{layout}.pdf"
        for audience in ("municipality", "women", "youth")
        for layout in ("flyer", "phone", "trifold")
    ]
