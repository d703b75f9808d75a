"""Gates read the manifest: coverage, --strict and --keep-html act on every planned output,
made in this run or up to date from an earlier one (a second run, a CI cache)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PHONE = ("--layout", "phone", "--audience", "youth")
QU = "build/pdf/qu/water-youth-phone.pdf"
AY = "build/pdf/ay/water-youth-phone.pdf"
ES = "build/pdf/es/water-youth-phone.pdf"


def build(run, project, *args):
    """The real CLI's build, one job, JSON out: (exit code, {path: result}, stderr)."""
    result = run("-C", project, "build", "--jobs", "1", "--json", *args)
    results = {r["path"]: r for r in json.loads(result.out)} if result.out.strip() else {}
    return result.code, results, result.err


def statuses(results):
    return {path: r["status"] for path, r in results.items()}


def manifest_paths(project: Path) -> set[str]:
    data = json.loads((project / "build/manifest.json").read_text())
    return {e["path"] for e in [*data["leaflets"], *data["outputs"]]}


def assert_removed(project: Path, *paths: str) -> None:
    for path in paths:
        assert not (project / path).exists(), path
        assert path not in manifest_paths(project), path


def test_a_second_run_with_a_threshold_that_now_fails_removes_the_cached_leaflets(run, leaflet_project):
    code, first, _ = build(run, leaflet_project, *PHONE)
    assert code == 0 and set(statuses(first).values()) == {"built"}
    qu_coverage = first[QU]["coverage"]
    assert qu_coverage < 50

    code, again, err = build(run, leaflet_project, *PHONE, "--min-coverage", "50")
    assert code == 1, err
    assert statuses(again) == {ES: "skipped", QU: "below-coverage", AY: "below-coverage"}
    assert f"removed {QU}: coverage {qu_coverage:.0f}% is below 50%" in err.splitlines()
    assert_removed(leaflet_project, QU, AY)
    assert (leaflet_project / ES).exists() and ES in manifest_paths(leaflet_project)

    # Nothing left to remove: the gate still holds them back, and says no more than that.
    code, third, err = build(run, leaflet_project, *PHONE, "--min-coverage", "50")
    assert code == 1 and statuses(third)[QU] == "below-coverage"
    assert "removed" not in err
    # Without the threshold they are made again.
    code, fourth, _ = build(run, leaflet_project, *PHONE)
    assert code == 0 and statuses(fourth) == {ES: "skipped", QU: "built", AY: "built"}


def test_skip_below_coverage_exits_0_and_still_removes(run, leaflet_project):
    code, first, _ = build(run, leaflet_project, *PHONE)
    assert code == 0
    code, results, err = build(run, leaflet_project, *PHONE, "--min-coverage", "50", "--skip-below-coverage")
    assert code == 0, err
    assert statuses(results) == {ES: "skipped", QU: "below-coverage", AY: "below-coverage"}
    assert_removed(leaflet_project, QU, AY)
    assert f"removed {AY}: coverage {first[AY]['coverage']:.0f}% is below 50%" in err.splitlines()


def test_a_cached_build_folder_in_a_fresh_checkout_meets_the_gate(run, leaflet_project, tmp_path):
    assert build(run, leaflet_project, *PHONE)[0] == 0
    fresh = tmp_path / "fresh-checkout"
    shutil.copytree(leaflet_project, fresh, ignore=shutil.ignore_patterns("build"))
    shutil.copytree(leaflet_project / "build", fresh / "build")  # what actions/cache restores
    code, results, err = build(run, fresh, *PHONE, "--min-coverage", "50")
    assert code == 1, err
    assert statuses(results) == {ES: "skipped", QU: "below-coverage", AY: "below-coverage"}
    assert_removed(fresh, QU, AY)


def test_a_locale_threshold_in_the_config_removes_what_an_earlier_build_left(run, leaflet_project):
    """A threshold in plainlang.toml changes every key: the leaflets are considered again,
    and the one now below its locale's threshold does not stay in build/pdf/."""
    assert build(run, leaflet_project, *PHONE)[0] == 0
    toml = leaflet_project / "plainlang.toml"
    toml.write_text(toml.read_text().replace("use_fuzzy = true\n", "use_fuzzy = true\nmin_coverage = 50\n"))
    code, results, err = build(run, leaflet_project, *PHONE)
    assert code == 1, err
    assert statuses(results) == {ES: "built", QU: "below-coverage", AY: "built"}
    assert_removed(leaflet_project, QU)
    assert f"removed {QU}" in err


def test_a_build_table_threshold_applies_to_every_locale(run, leaflet_project):
    """``[build] min_coverage`` is the project's default; a locale's own threshold wins."""
    assert build(run, leaflet_project, *PHONE)[0] == 0
    toml = leaflet_project / "plainlang.toml"
    toml.write_text(toml.read_text() + "\n[build]\nmin_coverage = 50\n")
    code, results, err = build(run, leaflet_project, *PHONE)
    assert code == 1, err
    assert statuses(results) == {ES: "built", QU: "below-coverage", AY: "below-coverage"}
    assert_removed(leaflet_project, QU, AY)
    toml.write_text(toml.read_text().replace("use_fuzzy = true\n", "use_fuzzy = true\nmin_coverage = 0\n"))
    code, results, err = build(run, leaflet_project, *PHONE)
    assert code == 1 and statuses(results) == {ES: "built", QU: "built", AY: "below-coverage"}


def test_strict_fails_on_a_missing_picture_every_time(run, leaflet_project):
    case = leaflet_project / "content/cases/water.md"
    case.write_text(case.read_text().replace("## What can I do?", "![A map of the village](map.png)\n\n## What can I do?"))
    args = (*PHONE, "--locale", "es")
    code, results, err = build(run, leaflet_project, *args)
    assert code == 0 and statuses(results) == {ES: "built"}
    assert "warning: picture 'map.png' not found" in err
    for _ in range(2):  # a cached leaflet keeps its warning, and --strict fails on it
        code, results, err = build(run, leaflet_project, *args, "--strict")
        assert code == 1, err
        assert statuses(results) == {ES: "skipped"}
        assert "warning: picture 'map.png' not found" in err
    (leaflet_project / "content/cases/map.png").write_bytes(_tiny_png())
    code, results, err = build(run, leaflet_project, *args, "--strict")
    assert code == 0, err
    assert statuses(results) == {ES: "built"}


def test_strict_from_the_build_table_fails_on_cached_warnings(run, leaflet_project):
    case = leaflet_project / "content/cases/water.md"
    case.write_text(case.read_text().replace("## What can I do?", "![A map](map.png)\n\n## What can I do?"))
    args = (*PHONE, "--locale", "es")
    assert build(run, leaflet_project, *args)[0] == 0
    toml = leaflet_project / "plainlang.toml"
    toml.write_text(toml.read_text() + "\n[build]\nstrict = true\n")
    assert build(run, leaflet_project, *args)[0] == 1  # made again (the config is in the key)
    code, results, _ = build(run, leaflet_project, *args)
    assert code == 1 and statuses(results) == {ES: "skipped"}


def test_keep_html_writes_the_html_of_up_to_date_leaflets(run, leaflet_project):
    """The HTML of an up-to-date leaflet is written without laying the PDF out again, and
    it is the HTML a build that makes the leaflet writes (fitted: trifold, grown: phone)."""
    args = ("--locale", "qu", "--audience", "women", "--layout", "phone", "--layout", "trifold")
    code, first, _ = build(run, leaflet_project, *args)
    assert code == 0 and set(statuses(first).values()) == {"built"}
    pdfs = {p: (leaflet_project / p).stat().st_mtime_ns for p in first}
    htmls = [leaflet_project / Path(p).with_suffix(".html") for p in first]
    assert not any(h.exists() for h in htmls)

    code, again, err = build(run, leaflet_project, *args, "--keep-html")
    assert code == 0, err
    assert set(statuses(again).values()) == {"skipped"}
    assert {p: (leaflet_project / p).stat().st_mtime_ns for p in again} == pdfs
    kept = {h.name: h.read_bytes() for h in htmls}
    assert all(b"<html" in data for data in kept.values())

    for h in htmls:
        h.unlink()
    code, made, _ = build(run, leaflet_project, *args, "--keep-html", "--force")
    assert code == 0 and set(statuses(made).values()) == {"built"}
    assert {h.name: h.read_bytes() for h in htmls} == kept


def test_the_python_api_applies_the_gates_to_up_to_date_leaflets(leaflet_project):
    from plainlang import Project

    project = Project.load(leaflet_project)
    first = project.build(locale=["qu", "es"], audience="youth", layout="phone", jobs=1)
    assert first.exit_code() == 0
    report = project.build(locale=["qu", "es"], audience="youth", layout="phone", jobs=1, min_coverage=50)
    assert {r.relpath: r.status for r in report} == {ES: "skipped", QU: "below-coverage"}
    assert report.exit_code() == 1
    assert any(line.startswith(f"removed {QU}: coverage") for line in report.warnings)
    assert_removed(leaflet_project, QU)


def _tiny_png() -> bytes:
    """A 1x1 PNG, made here (no fixture file needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_keep_html_makes_again_what_its_entry_cannot_vouch_for(run, leaflet_project, tmp_path):
    """An entry from before the fit was recorded, or HTML that would differ from the one
    laid out (a picture's address moves with the checkout): the leaflet is made again,
    and the HTML written is the one its PDF was laid out from."""
    case = leaflet_project / "content/cases/water.md"
    case.write_text(case.read_text().replace("## What can I do?", "![A map](map.png)\n\n## What can I do?"))
    (leaflet_project / "content/cases/map.png").write_bytes(_tiny_png())
    args = (*PHONE, "--locale", "es")
    assert build(run, leaflet_project, *args)[0] == 0
    mpath = leaflet_project / "build/manifest.json"
    manifest = json.loads(mpath.read_text())
    (entry,) = manifest["leaflets"]
    assert set(entry["fit"]) == {"choices", "page_style"} and "html_sha256" in entry

    fresh = tmp_path / "fresh-checkout"
    shutil.copytree(leaflet_project, fresh)
    code, results, err = build(run, fresh, *args, "--keep-html")
    assert code == 0 and statuses(results) == {ES: "built"}, err
    html = (fresh / ES).with_suffix(".html").read_text()
    assert (fresh / "content/cases/map.png").as_uri() in html
    assert str(leaflet_project) not in html

    for name in ("fit", "html_sha256"):
        del entry[name]
    mpath.write_text(json.dumps(manifest))
    code, results, err = build(run, leaflet_project, *args, "--keep-html")
    assert code == 0 and statuses(results) == {ES: "built"}, err
    assert (leaflet_project / ES).with_suffix(".html").exists()
    code, results, _ = build(run, leaflet_project, *args, "--keep-html")
    assert code == 0 and statuses(results) == {ES: "skipped"}


def test_held_back_leaflets_lose_their_kept_html_too(run, leaflet_project):
    code, _, _ = build(run, leaflet_project, *PHONE, "--locale", "qu", "--keep-html")
    html = leaflet_project / Path(QU).with_suffix(".html")
    assert code == 0 and html.exists()
    code, results, err = build(run, leaflet_project, *PHONE, "--locale", "qu", "--keep-html", "--min-coverage", "50")
    assert code == 1 and statuses(results) == {QU: "below-coverage"}, err
    assert not html.exists()
    assert_removed(leaflet_project, QU)


def test_the_gates_hold_for_any_localized_kind_and_what_reads_it(run, leaflet_project):
    """Toy kinds of tests/test_targets.py: a localized file (txt), a localized group of
    files (slides, -NN.txt) and a kind that reads txt without being localized (upper)."""
    from test_targets import KINDS

    from plainlang.build import register_output, unregister_output

    for kind in KINDS:
        register_output(kind)
    try:
        args = ("--format", "txt", "--format", "slides", "--locale", "qu", "--locale", "es")
        code, first, err = build(run, leaflet_project, *args)
        assert code == 0 and set(statuses(first).values()) == {"built"}, err
        slides = sorted((leaflet_project / "build/slides/qu").glob("water-youth-*.txt"))
        assert len(slides) >= 2
        code, again, err = build(run, leaflet_project, *args, "--min-coverage", "50")
        assert code == 1, err
        held = {p for p, s in statuses(again).items() if s == "below-coverage"}
        assert held == {p for p in first if "/qu/" in p} and len(held) == 9
        assert {s for p, s in statuses(again).items() if "/es/" in p} == {"skipped"}
        for top in ("txt", "upper", "slides"):
            assert not list((leaflet_project / "build" / top / "qu").iterdir()), top
            assert any((leaflet_project / "build" / top / "es").iterdir()), top
        assert not {p for p in manifest_paths(leaflet_project) if "/qu/" in p}
        assert "removed build/upper/qu/water-youth.txt: coverage" in err
    finally:
        for kind in KINDS:
            unregister_output(kind.name)
