"""The Python API (plainlang.Project): real builds read back, one session, the README's example."""

from __future__ import annotations

import contextlib
import io
import re

import polib
import pytest
from conftest import REPO
from pdfutil import pdf_text

from plainlang import Project
from plainlang.build import BuildReport, TargetResult
from plainlang.catalogs import Stats
from plainlang.checks.project import CheckResult
from plainlang.errors import UsageError


def test_build_returns_results_with_status_and_path_read_back(leaflet_project):
    project = Project.load(leaflet_project)
    report = project.build(locale="es", layout=["phone", "trifold"], jobs=1)
    assert isinstance(report, BuildReport) and len(report) == 6
    assert all(isinstance(r, TargetResult) for r in report)
    assert {r.status for r in report} == {"built"} and report.exit_code() == 0
    for result in report:
        assert result.path.is_absolute() and result.path.is_file()
        assert result.path == leaflet_project.resolve() / result.relpath
        text = pdf_text(result.path)
        assert "Pregunte por el proyecto de agua" in text  # the Spanish title, read back
        assert result.pages == (1 if result.target.layout == "phone" else 2)
    again = project.build(locale="es", layout=["phone", "trifold"], jobs=1)
    assert {r.status for r in again} == {"skipped"}
    assert [r.path for r in again] == [r.path for r in report]
    assert [r.pages for r in again] == [r.pages for r in report]


def test_build_filters_and_bad_values(leaflet_project):
    project = Project.load(leaflet_project)
    planned = project.plan(project.build_options(case="water", locale="qu", audience="youth"))
    assert [t.relpath for t in planned] == [
        "build/pdf/qu/water-youth-trifold.pdf",
        "build/pdf/qu/water-youth-flyer.pdf",
        "build/pdf/qu/water-youth-phone.pdf",
        "build/pdf/qu/water-youth-flyer-sheets.pdf",  # two flyers an A4 sheet, beside it
    ]
    with pytest.raises(UsageError, match="--format braille"):
        project.build(format="braille")
    audio = project.plan(project.build_options(case="water", locale="qu", audience="youth", format="audio"))
    assert [t.relpath for t in audio] == ["build/audio/qu/water-youth.ogg"]
    with pytest.raises(UsageError, match="nope"):
        project.build(case="nope")
    with pytest.raises(UsageError, match="--locale xx"):
        project.build(locale="xx")


def test_stats_and_check_are_typed(leaflet_project, run):
    project = Project.load(leaflet_project)
    stats = project.stats()
    assert isinstance(stats, Stats)
    cli = run("-C", leaflet_project, "stats", "--json")
    import json

    assert stats.to_json() == json.loads(cli.out)
    qu = stats.locales["qu"]
    assert qu.total == qu.translated + qu.fuzzy + qu.untranslated and qu.fuzzy > 0
    assert stats.below(101) == ["es", "qu", "ay"] and stats.below(0) == []
    result = project.check()
    assert isinstance(result, CheckResult)
    cli = run("-C", leaflet_project, "check", "--json")
    assert len(result.diagnostics) == len(json.loads(cli.out)["diagnostics"])
    one = project.check([leaflet_project / "locales/qu/LC_MESSAGES/water.po"])
    assert one.files == 1


def test_load_finds_the_project_in_a_parent_folder(leaflet_project, tmp_path):
    deep = leaflet_project / "content" / "cases"
    project = Project.load(deep)
    assert project.root == leaflet_project.resolve()
    assert project.plan()[0].relpath.startswith("build/pdf/")
    empty = tmp_path / "empty" / "sub"
    empty.mkdir(parents=True)
    with pytest.raises(UsageError, match=r"no plainlang.toml in .* or any folder above it"):
        Project.load(empty)


def test_cli_finds_the_project_in_a_parent_folder(run, leaflet_project, monkeypatch, tmp_path):
    sub = leaflet_project / "content" / "cases"
    result = run("-C", sub, "build", "--dry-run", "--locale", "qu", "--layout", "phone")
    assert result.code == 0, result.err
    assert result.out.split() == [f"build/pdf/qu/water-{a}-phone.pdf" for a in ("youth", "women", "municipality")]
    assert f"plainlang: project {leaflet_project.resolve()}" in result.err
    monkeypatch.chdir(sub)
    built = run("build", "--jobs", "1", "--locale", "es", "--layout", "phone")
    assert built.code == 0, built.err
    assert (leaflet_project / "build/pdf/es/water-youth-phone.pdf").is_file()
    assert not (sub / "build").exists()
    # In the project folder itself, nothing is said.
    assert "plainlang: project" not in run("-C", leaflet_project, "build", "--dry-run").err
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    result = run("-C", nowhere, "build")
    assert result.code == 2 and "no plainlang.toml in" in result.err and "folder above it" in result.err


# -- one session -------------------------------------------------------------------------------


def test_build_proof_preview_and_stats_share_one_session(leaflet_project, reads):
    # Files written a moment ago (by the fixture) are hashed again on each look (they could
    # hide a second write in the same clock tick), but parsed again only if they changed.
    project = Project.load(leaflet_project)
    project.build(locale=["qu", "es"], layout="phone", jobs=1)
    project.proof(locale="qu")
    project.preview("water", "qu", "women", "trifold")
    project.stats()
    project.build(locale="qu", jobs=1)
    assert reads["plainlang.toml"] == 1
    po_reads = {k: n for k, n in reads.items() if k != "plainlang.toml"}
    assert "locales/qu/LC_MESSAGES/water.po" in po_reads
    assert any(k.endswith("LC_MESSAGES/ui.po") for k in po_reads)  # the project's or theme's
    assert set(po_reads.values()) == {1}, po_reads  # every catalog parsed once, for all of them

    # A translator saves one catalog: only that file is parsed again, and the leaflets that
    # read it are made again.
    qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    po = polib.pofile(str(qu))
    po.find("Write a short letter.").msgstr = "Uchuy qillqata qillqay."
    po.save()
    reads.clear()
    report = project.build(locale=["qu", "es"], layout="phone", jobs=1)
    assert dict(reads) == {"locales/qu/LC_MESSAGES/water.po": 1}
    assert sorted(r.relpath for r in report if r.status == "built") == [
        f"build/pdf/qu/water-{a}-phone.pdf" for a in ("municipality", "women", "youth")
    ]
    assert "Uchuy qillqata qillqay." in pdf_text(leaflet_project / "build/pdf/qu/water-youth-phone.pdf")

    # A changed plainlang.toml is read again, and with it everything that depends on it.
    toml = leaflet_project / "plainlang.toml"
    toml.write_text(toml.read_text().replace('publisher = "Test publisher"', 'publisher = "Other publisher"'))
    reads.clear()
    report = project.build(locale="es", layout="phone", jobs=1)
    assert reads["plainlang.toml"] == 1
    assert {r.status for r in report} == {"built"}  # the config is in every key
    assert project.config.publisher == "Other publisher"


def test_a_new_case_and_a_new_catalog_are_seen(leaflet_project):
    project = Project.load(leaflet_project)
    assert [c.id for c in project.cases()] == ["water"]
    (leaflet_project / "content/cases/road.md").write_text("---\ntitle: The road\n---\nA road.\n")
    assert [c.id for c in project.cases()] == ["road", "water"]
    # ay has no catalog for the new case yet: the leaflet falls back; then one appears.
    report = project.build(case="road", locale="ay", layout="phone", audience="youth", jobs=1)
    assert report[0].status == "built" and report[0].counts.get("translated", 0) == 0
    from plainlang.catalogs import extract, update

    extract(project.config)
    update(project.config)
    ay = leaflet_project / "locales/ay/LC_MESSAGES/road.po"
    po = polib.pofile(str(ay))
    po.find("The road").msgstr = "Thakhi"
    po.save()
    report = project.build(case="road", locale="ay", layout="phone", audience="youth", jobs=1)
    assert report[0].status == "built" and report[0].counts["translated"] == 1
    assert "Thakhi" in pdf_text(report[0].path)


# -- the README's example ----------------------------------------------------------------------


def readme_python_api() -> str:
    """The first Python code block of the README's "Python API" section, as it is."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's Python API section has no python code block"
    return match.group(1)


def test_the_readme_example_runs(sample, monkeypatch):
    code = readme_python_api()
    monkeypatch.chdir(sample / "content")  # anywhere inside the project
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    built = [f"built build/pdf/qu/right-to-know-{a}-phone.pdf" for a in ("municipality", "women", "youth")]
    assert lines[:3] == built, lines
    assert "exit code 0" in lines
    assert {line.split()[0] for line in lines if line.endswith("% translated")} == {"es", "qu", "ay"}
    assert any(re.fullmatch(r"proof built right-to-know-proof\.pdf \d+ pages", line) for line in lines), lines
    assert lines[-1].endswith("check findings")
    for rel in (p.split()[1] for p in built):
        assert "Runasimi" in pdf_text(sample / rel) or "Draft" in pdf_text(sample / rel)
    assert (sample / "build/proof/qu/right-to-know-proof.pdf").is_file()
    # Run again: nothing to make.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    again = out.getvalue().splitlines()
    assert again[:3] == [line.replace("built", "skipped", 1) for line in built]
    assert any(line.startswith("proof skipped ") for line in again)
