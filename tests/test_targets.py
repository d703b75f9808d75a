"""The registry of output kinds: toy formats registered here get the build's machinery.

Incremental keys, the manifest, --dry-run, --shard, --jobs, --force, groups of files and
kinds that follow another, all through the real CLI, for kinds that exist only in this file.
"""

from __future__ import annotations

import hashlib
import json

import polib
import pytest

from plainlang.build import Made, OutputKind, Target, register_output, unregister_output
from plainlang.errors import BuildError

AUDIENCES = ("youth", "women", "municipality")
#: Locales whose txt the toy maker refuses to make (to see what follows a failure).
FAIL_LOCALES: set[str] = set()


def per_audience(kind):
    def plan(ctx):
        for leaflet in ctx.leaflets():  # per layout too: the build keeps one per name
            stem = f"{leaflet.locale}/{leaflet.case}-{leaflet.audience}"
            yield Target(kind, leaflet.case, leaflet.locale, leaflet.audience, name=f"{kind}:{stem}", paths=(f"build/{kind}/{stem}.txt",))

    return plan


def _key_txt(inputs, target):
    case = inputs.case(target.case)
    return [*inputs.case_lines(case), *inputs.catalogs_of(target.locale, case.id)]


def _make_txt(job):
    if job.target.locale in FAIL_LOCALES:
        raise BuildError("the toy refuses this locale")
    text = "".join(t.text + "\n" for t in job.localized.visible(job.target.audience))
    return Made({job.target.relpath: text.encode("utf-8")}, fields={"lines": text.count("\n")})


def _plan_upper(ctx):
    for txt in ctx.planned["txt"]:
        path = txt.relpath.replace("build/txt/", "build/upper/")
        yield Target("upper", txt.case, txt.locale, txt.audience, name="upper:" + txt.name, paths=(path,), requires=(txt.name,), shard_by=txt.group)


def _make_upper(job):
    txt = job.config.root / job.target.relpath.replace("build/upper/", "build/txt/")
    return Made({job.target.relpath: txt.read_text(encoding="utf-8").upper().encode("utf-8")})


def _plan_slides(ctx):
    for leaflet in ctx.leaflets():
        stem = f"{leaflet.locale}/{leaflet.case}-{leaflet.audience}"
        yield Target("slides", leaflet.case, leaflet.locale, leaflet.audience, name=f"slides:{stem}", paths=(f"build/slides/{stem}-NN.txt",))


def _make_slides(job):
    headings = [t.text for t in job.localized.visible(job.target.audience) if t.kind == "heading"]
    head = job.target.relpath.replace("NN.txt", "")
    return Made({f"{head}{n:02d}.txt": h.encode() for n, h in enumerate(headings, start=1)}, pages=len(headings))


def _make_stray(job):
    return Made({"plainlang.toml": b"[project]\n"})


KINDS = [
    OutputKind("txt", per_audience("txt"), _key_txt, _make_txt, format=True, localized=True),
    OutputKind("upper", _plan_upper, lambda inputs, target: [], _make_upper, follows="txt"),
    OutputKind("slides", _plan_slides, _key_txt, _make_slides, format=True, localized=True),
    OutputKind("stray", per_audience("stray"), _key_txt, _make_stray, format=True),
]


@pytest.fixture(autouse=True)
def toy_kinds():
    for kind in KINDS:
        register_output(kind)
    FAIL_LOCALES.clear()
    yield
    for kind in KINDS:
        unregister_output(kind.name)


def dry_run(run, project, *args):
    result = run("-C", project, "build", "--dry-run", *args)
    assert result.code == 0, result.err
    return result.out.split()


def build(run, project, *args, code=0):
    result = run("-C", project, "build", "--json", *args)
    assert result.code == code, result.err
    return {r["path"]: r["status"] for r in json.loads(result.out)}


def txt_paths(locales=("es", "qu", "ay"), top="txt"):
    return [f"build/{top}/{loc}/water-{a}.txt" for loc in locales for a in AUDIENCES]


def test_dry_run_plans_one_file_per_audience_not_per_layout(run, leaflet_project):
    # The project has three layouts; a txt is per (case, locale, audience).
    assert dry_run(run, leaflet_project, "--format", "txt") == txt_paths() + txt_paths(top="upper")
    both = dry_run(run, leaflet_project, "--format", "pdf", "--format", "txt")
    assert len(both) == 27 + 9 + 18 and set(txt_paths()) < set(both)  # 9: the flyers' sheets
    assert dry_run(run, leaflet_project, "--format", "slides", "--locale", "qu", "--audience", "youth") == ["build/slides/qu/water-youth-NN.txt"]


def test_unknown_format_lists_the_known_ones(run, leaflet_project):
    result = run("-C", leaflet_project, "build", "--format", "braille")
    assert result.code == 2
    assert "--format braille" in result.err
    known = result.err.split("known formats: ", 1)[1].rstrip(")\n").split(", ")
    assert sorted(known) == sorted(["pdf", "images", "html", "audio", "txt", "slides", "stray"])
    assert not (leaflet_project / "build").exists()


def test_formats_from_the_config(run, leaflet_project):
    toml = leaflet_project / "plainlang.toml"
    text = toml.read_text()
    toml.write_text(text.replace('layouts = ["trifold", "flyer", "phone"]', 'layouts = ["trifold", "flyer", "phone"]\nformats = ["txt"]'))
    assert dry_run(run, leaflet_project) == txt_paths() + txt_paths(top="upper")
    assert dry_run(run, leaflet_project, "--format", "pdf")[0] == "build/pdf/es/water-youth-trifold.pdf"
    toml.write_text(text.replace('layouts = ["trifold", "flyer", "phone"]', 'layouts = ["trifold", "flyer", "phone"]\nformats = ["nope"]'))
    result = run("-C", leaflet_project, "build", "--dry-run")
    line = text.splitlines().index('layouts = ["trifold", "flyer", "phone"]') + 2
    assert result.code == 2 and result.err.startswith(f"plainlang.toml:{line}: config error: format 'nope'"), result.err


def test_a_registered_format_is_incremental_and_in_the_manifest(run, leaflet_project):
    first = build(run, leaflet_project, "--format", "txt", "--jobs", "2")  # forked workers know it
    assert sorted(first) == sorted(txt_paths() + txt_paths(top="upper"))
    assert set(first.values()) == {"built"}
    qu = (leaflet_project / "build/txt/qu/water-youth.txt").read_text()
    po = polib.pofile(str(leaflet_project / "locales/qu/LC_MESSAGES/water.po"))
    assert qu.splitlines()[0] == po.find("Ask about the water project").msgstr  # a draft, printed
    assert (leaflet_project / "build/upper/qu/water-youth.txt").read_text() == qu.upper()

    manifest = json.loads((leaflet_project / "build/manifest.json").read_text())
    assert manifest["manifest_version"] == 2 and manifest["leaflets"] == []
    entries = {e["path"]: e for e in manifest["outputs"]}
    entry = entries["build/txt/qu/water-youth.txt"]
    data = (leaflet_project / entry["path"]).read_bytes()
    assert entry["kind"] == "txt" and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["size"] == len(data) and entry["lines"] == qu.count("\n")
    assert entry["audience"] == "youth" and "layout" not in entry
    assert 0 <= entry["coverage"] < 100 and entry["drafts"] > 0 and entry["fallback_locales"] == ["es"]
    assert entries["build/upper/qu/water-youth.txt"]["kind"] == "upper"

    mtimes = {p: (leaflet_project / p).stat().st_mtime_ns for p in first}
    again = build(run, leaflet_project, "--format", "txt", "--jobs", "1")
    assert set(again.values()) == {"skipped"}
    assert mtimes == {p: (leaflet_project / p).stat().st_mtime_ns for p in first}

    po_file = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    po = polib.pofile(str(po_file))
    po.find("Write a short letter.").msgstr = "Uchuy qillqata qillqay."
    po.save()
    third = build(run, leaflet_project, "--format", "txt", "--jobs", "1")
    assert sorted(p for p, s in third.items() if s == "built") == sorted(txt_paths(["qu"]) + txt_paths(["qu"], top="upper"))
    assert "Uchuy qillqata qillqay." in (leaflet_project / "build/txt/qu/water-youth.txt").read_text()
    assert "UCHUY QILLQATA QILLQAY." in (leaflet_project / "build/upper/qu/water-youth.txt").read_text()
    forced = build(run, leaflet_project, "--format", "txt", "--jobs", "1", "--force", "--locale", "es")
    assert set(forced.values()) == {"built"} and len(forced) == 6
    # The pdf entries and the txt entries live side by side in one manifest.
    build(run, leaflet_project, "--format", "pdf", "--jobs", "1", "--layout", "phone", "--locale", "es")
    manifest = json.loads((leaflet_project / "build/manifest.json").read_text())
    assert [e["kind"] for e in manifest["leaflets"]] == ["pdf"] * 3
    assert len(manifest["outputs"]) == 18


def test_shards_keep_a_follower_with_what_it_reads(run, leaflet_project):
    whole = dry_run(run, leaflet_project, "--format", "txt", "--format", "pdf")
    parts = [dry_run(run, leaflet_project, "--format", "txt", "--format", "pdf", "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert all(parts) and sum(map(len, parts)) == len(whole)
    assert set().union(*parts) == set(whole)
    for part in parts:
        for path in part:
            if path.startswith("build/upper/"):
                assert path.replace("build/upper/", "build/txt/") in part
    # A sharded build makes only its part.
    built = build(run, leaflet_project, "--format", "txt", "--jobs", "1", "--shard", "2/3")
    assert sorted(built) == sorted(p for p in parts[1] if not p.startswith("build/pdf/"))


def test_a_group_of_files_is_recorded_and_loses_stale_members(run, leaflet_project):
    args = ("--format", "slides", "--locale", "es", "--audience", "youth", "--jobs", "1")
    first = build(run, leaflet_project, *args)
    assert first == {"build/slides/es/water-youth-NN.txt": "built"}
    one, two = (leaflet_project / f"build/slides/es/water-youth-0{n}.txt" for n in (1, 2))
    assert one.read_text() == "Pregunte por el proyecto de agua" and two.is_file()
    manifest = json.loads((leaflet_project / "build/manifest.json").read_text())
    entry = manifest["outputs"][0]
    assert [f["path"] for f in entry["files"]] == ["build/slides/es/water-youth-01.txt", "build/slides/es/water-youth-02.txt"]
    assert entry["files"][1]["sha256"] == hashlib.sha256(two.read_bytes()).hexdigest()
    assert entry["pages"] == 2
    result = run("-C", leaflet_project, "build", "--json", *args)
    assert json.loads(result.out)[0]["files"] == [f["path"] for f in entry["files"]]
    assert build(run, leaflet_project, *args) == {"build/slides/es/water-youth-NN.txt": "skipped"}
    two.unlink()  # a member gone: made again
    assert build(run, leaflet_project, *args) == {"build/slides/es/water-youth-NN.txt": "built"}
    assert two.is_file()
    case = leaflet_project / "content/cases/water.md"
    case.write_text(case.read_text().replace("## What can I do?\n", ""))
    assert build(run, leaflet_project, *args) == {"build/slides/es/water-youth-NN.txt": "built"}
    assert one.is_file() and not two.exists()


def test_a_failure_stops_what_follows_it_and_nothing_else(run, leaflet_project):
    FAIL_LOCALES.add("ay")
    result = run("-C", leaflet_project, "build", "--format", "txt", "--jobs", "1")
    assert result.code == 1
    assert "build/txt/ay/water-youth.txt: failed: case water, locale ay, audience youth" in result.err
    assert "build/upper/ay/water-youth.txt: failed" in result.err and "not made: txt:ay/water-youth failed" in result.err
    assert (leaflet_project / "build/upper/qu/water-youth.txt").is_file()
    assert not (leaflet_project / "build/upper/ay").exists()
    FAIL_LOCALES.clear()
    again = build(run, leaflet_project, "--format", "txt", "--jobs", "1")
    assert sorted(p for p, s in again.items() if s == "built") == sorted(txt_paths(["ay"]) + txt_paths(["ay"], top="upper"))


def test_a_maker_cannot_write_outside_its_planned_paths(run, leaflet_project):
    before = (leaflet_project / "plainlang.toml").read_bytes()
    result = run("-C", leaflet_project, "build", "--format", "stray", "--jobs", "1", "--locale", "es")
    assert result.code == 1 and "not a planned path" in result.err
    assert (leaflet_project / "plainlang.toml").read_bytes() == before
