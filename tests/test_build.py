"""Build at scale: incremental keys, shards, manifests, interrupted builds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from conftest import override
from pypdf import PdfReader


def build_json(run, project, *args):
    result = run("-C", project, "build", "--jobs", "1", "--json", *args)
    assert result.code == 0, result.err
    return {r["path"]: r["status"] for r in json.loads(result.out)}


def rebuilt(statuses):
    return sorted(p for p, s in statuses.items() if s == "built")


def test_touching_a_po_rebuilds_exactly_its_readers(run, leaflet_project):
    first = build_json(run, leaflet_project, "--layout", "trifold")
    assert len(first) == 9 and set(first.values()) == {"built"}
    assert rebuilt(build_json(run, leaflet_project, "--layout", "trifold")) == []

    qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    po = polib.pofile(str(qu))
    po.find("Write a short letter.").msgstr = "Uchuy qillqata qillqay."
    po.save()
    assert rebuilt(build_json(run, leaflet_project, "--layout", "trifold")) == [
        f"build/pdf/qu/water-{a}-trifold.pdf" for a in ("municipality", "women", "youth")
    ]
    # Spanish is in the fallback chain of qu and ay: all nine read it.
    es = leaflet_project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(es))
    po.find("Write a short letter.").msgstr = "Escriba una carta breve."
    po.save()
    assert len(rebuilt(build_json(run, leaflet_project, "--layout", "trifold"))) == 9


def test_touching_a_template_rebuilds_its_users(run, leaflet_project):
    build_json(run, leaflet_project, "--layout", "trifold", "--layout", "phone")
    theme = override(leaflet_project, "css/theme-youth.css")
    theme.write_text(theme.read_text() + "\n/* touched */\n")
    assert rebuilt(build_json(run, leaflet_project, "--layout", "trifold", "--layout", "phone")) == sorted(
        f"build/pdf/{loc}/water-youth-{layout}.pdf"
        for loc in ("ay", "es", "qu")
        for layout in ("phone", "trifold")
    )
    flyer_css = override(leaflet_project, "css/flyer.css")
    flyer_css.write_text(flyer_css.read_text() + "\n/* touched */\n")
    assert rebuilt(build_json(run, leaflet_project, "--layout", "trifold", "--layout", "phone")) == []
    base = override(leaflet_project, "macros.html.j2")
    base.write_text(base.read_text() + "\n{# touched #}\n")
    assert len(rebuilt(build_json(run, leaflet_project, "--layout", "trifold", "--layout", "phone"))) == 18


def test_up_to_date_leaflets_report_the_counts_they_were_built_with(run, leaflet_project):
    first = json.loads(run("-C", leaflet_project, "build", "--jobs", "1", "--json", "--layout", "phone", "--locale", "qu").out)
    again = json.loads(run("-C", leaflet_project, "build", "--jobs", "1", "--json", "--layout", "phone", "--locale", "qu").out)
    assert {r["status"] for r in again} == {"skipped"}
    built = {r["path"]: (r["counts"].get("draft"), r["fallback_locales"]) for r in first}
    skipped = {r["path"]: (r["counts"].get("draft"), r["fallback_locales"]) for r in again}
    assert skipped == built and all(d == 3 for d, _ in built.values())


def test_force_rebuilds_and_manifest_describes_each_pdf(run, leaflet_project):
    build_json(run, leaflet_project, "--layout", "phone", "--locale", "qu")
    assert len(rebuilt(build_json(run, leaflet_project, "--layout", "phone", "--locale", "qu", "--force"))) == 3
    manifest = json.loads((leaflet_project / "build/manifest.json").read_text())
    entry = next(e for e in manifest["leaflets"] if e["path"] == "build/pdf/qu/water-youth-phone.pdf")
    pdf = leaflet_project / entry["path"]
    import hashlib

    assert entry["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert entry["pages"] == 1 and entry["size"] == pdf.stat().st_size
    assert entry["drafts"] == 3 and entry["fallback_locales"] == ["es"]
    assert 0 < entry["coverage"] < 20


def test_shards_are_disjoint_and_cover_the_plan(run, leaflet_project):
    whole = run("-C", leaflet_project, "build", "--dry-run").out.split()
    assert len(whole) == 27 and len(set(whole)) == 27
    assert all(p.startswith("build/pdf/") and p.endswith(".pdf") for p in whole)
    parts = [set(run("-C", leaflet_project, "build", "--dry-run", "--shard", f"{k}/3").out.split()) for k in (1, 2, 3)]
    assert all(parts)
    assert parts[0].isdisjoint(parts[1]) and parts[1].isdisjoint(parts[2]) and parts[0].isdisjoint(parts[2])
    assert parts[0] | parts[1] | parts[2] == set(whole)


@pytest.mark.parametrize("shard", ["0/3", "4/3", "1-3", "x"])
def test_bad_shard_is_usage_error(run, leaflet_project, shard):
    result = run("-C", leaflet_project, "build", "--dry-run", "--shard", shard)
    assert result.code == 2 and "--shard" in result.err


def test_manifest_merge_joins_shards(run, leaflet_project, tmp_path):
    manifests = []
    for k in (1, 2):
        run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "phone", "--shard", f"{k}/2")
        copy = tmp_path / f"m{k}.json"
        copy.write_text((leaflet_project / "build/manifest.json").read_text())
        (leaflet_project / "build/manifest.json").unlink()
        manifests.append(copy)
    out = tmp_path / "merged.json"
    result = run("manifest", "merge", *manifests, "-o", out)
    assert result.code == 0, result.err
    merged = json.loads(out.read_text())["leaflets"]
    assert len(merged) == 9 and len({e["path"] for e in merged}) == 9


def test_min_coverage_gate(run, leaflet_project):
    result = run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "phone", "--min-coverage", "50")
    assert result.code == 1
    assert "below-coverage: case water, locale qu" in result.err
    assert (leaflet_project / "build/pdf/es/water-youth-phone.pdf").exists()
    assert not (leaflet_project / "build/pdf/qu/water-youth-phone.pdf").exists()
    skip = run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "phone", "--min-coverage", "50", "--skip-below-coverage")
    assert skip.code == 0


def test_strict_fails_on_warnings(run, leaflet_project):
    css = override(leaflet_project, "css/phone.css")
    css.write_text(css.read_text() + "\n.x { colour: red; }\n")
    assert run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "phone", "--locale", "es").code == 0
    result = run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "phone", "--locale", "es", "--strict", "--force")
    assert result.code == 1


def _all_pdfs_complete(project: Path) -> list[Path]:
    pdfs = sorted((project / "build/pdf").rglob("*.pdf"))
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf
        assert len(PdfReader(str(pdf)).pages) >= 1
    return pdfs


def test_killed_build_leaves_no_half_pdf_and_resumes(leaflet_project):
    env = dict(os.environ, CI="true")
    cmd = [sys.executable, "-m", "plainlang", "-C", str(leaflet_project), "build", "--jobs", "2"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    pdf_dir = leaflet_project / "build/pdf"
    while time.monotonic() < deadline and proc.poll() is None:
        if pdf_dir.exists() and len(list(pdf_dir.rglob("*.pdf"))) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _all_pdfs_complete(leaflet_project)
    assert 3 <= len(done_before) < 27, "the build finished before it could be killed"
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert len(_all_pdfs_complete(leaflet_project)) == 27
    assert not list((leaflet_project / "build").rglob("*.tmp"))


def test_a_version_1_manifest_is_read_and_nothing_is_made_again(run, leaflet_project):
    """A manifest written before output kinds existed (version 1: "leaflets" only, no kind)."""
    build_json(run, leaflet_project, "--layout", "phone")
    mpath = leaflet_project / "build/manifest.json"
    manifest = json.loads(mpath.read_text())
    assert manifest["manifest_version"] == 2 and len(manifest["leaflets"]) == 9
    assert {e["kind"] for e in manifest["leaflets"]} == {"pdf"} and manifest["outputs"] == []
    old = {
        "manifest_version": 1,
        "generator": "plainlang 0.1.0",
        "leaflets": [{k: v for k, v in e.items() if k != "kind"} for e in manifest["leaflets"]],
    }
    mpath.write_text(json.dumps(old, indent=2))
    assert rebuilt(build_json(run, leaflet_project, "--layout", "phone")) == []
    # An entry whose PDF is gone, or a manifest that is not one, rebuilds what it must.
    (leaflet_project / "build/pdf/qu/water-youth-phone.pdf").unlink()
    assert rebuilt(build_json(run, leaflet_project, "--layout", "phone")) == ["build/pdf/qu/water-youth-phone.pdf"]
    for garbage in ('{"manifest_version": 1, "leaflets": [3, {"path": 4}, {"nopath": 1}]}', "[]", "{"):
        mpath.write_text(garbage)
        assert len(rebuilt(build_json(run, leaflet_project, "--layout", "phone", "--locale", "es"))) == 3


def test_leaflet_keys_are_those_of_version_1():
    """The key of a leaflet is computed as before output kinds: old manifests stay valid."""
    from plainlang.build import Leaflet, Target, output_kinds

    target = Target("pdf", "water", "qu", "youth", "phone", name="qu/water-youth-phone")
    assert output_kinds()["pdf"].identity(target) == repr(Leaflet("water", "qu", "youth", "phone"))
    assert repr(Leaflet("water", "qu", "youth", "phone")) == "Leaflet(case='water', locale='qu', audience='youth', layout='phone')"
