"""Build benchmarks: overhead over WeasyPrint, parallel speed-up, no-op rebuild, memory, audio.

    /tmp/venv/bin/python bench/run.py --quick     # about 3 minutes on 2 cores
    /tmp/venv/bin/python bench/run.py             # the figures in bench/README.md

Every figure is a ratio of two measurements taken in the same run, on the same machine,
from the synthetic project of ``bench/make_project.py`` (made on first use). Each benchmark
works on its own copy of the project under ``bench/_out/work/``, so one cannot warm or
skip another's leaflets. Every timed command is a fresh process (interpreter start and
imports included, as a user or CI sees them); wall time and CPU time (user + system of the
process and its children) are both recorded, with how busy the rest of the machine was
while it ran: other programs on a shared machine slow a parallel build down, and the
table says so rather than hide it.

1. Overhead: ``plainlang build --jobs 1 --force --layout trifold`` of K leaflets vs
   ``bench/weasyprint_baseline.py`` rendering the same HTML files (written by
   ``--keep-html``) with WeasyPrint's own API, one process, one ``FontConfiguration``,
   same base URL and PDF variant. Trifold only: the phone layout is laid out twice (once
   to measure its height) and the same-layout comparison is the fair one.
2. Parallel: ``--jobs 1`` vs ``--jobs 2``, same leaflets (trifold and phone), ``--force``.
3. No-op: ``plainlang build`` again with nothing changed vs the full build before it.
4. Formats: the phone slides (``--format images``), the web page (``--format html``) and
   the audio (``--format audio``) of each leaflet, each timed inside one build (``--json``:
   every output's seconds) against the leaflet's phone PDF made in the same build.
5. Memory: resident memory (``/proc/<pid>/status`` VmRSS, sampled every 50 ms) of the pool's
   worker processes while the full build of N leaflets runs (the build of step 3): the
   peak while the first 100 were built vs while the last 100 were.
6. Audio: ``plainlang build --format audio --jobs 1 --force`` of K leaflets vs ``plainlang build
   --jobs 1 --force --layout trifold`` of the same K leaflets (case x locale x audience),
   alternated; plus, in this process, where the audio's time goes for one leaflet (the
   script, espeak-ng, the resampling and mixing, libopus).

Results: a table on stdout and ``bench/_out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "_out"
SHIPPED_THEME = BENCH.parent / "src" / "plainlang" / "data" / "theme"
DEFAULT_PROJECT = BENCH / "_project"
_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (\w[\w-]*)")
_SUMMARY = re.compile(r"(\d+) built, (\d+) up to date, (\d+) failed")


# -- measuring one command -------------------------------------------------------------------


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, all programs)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    """One run of one command."""

    command: list[str]
    wall: float
    cpu: float  # user + system of the command and its children
    background_cores: float  # other programs' CPU use while it ran, in cores
    returncode: int
    stdout: str = ""
    stderr: str = ""
    samples: list[dict[str, Any]] = field(default_factory=list)
    waited: float = 0.0  # for a quiet machine, before it started

    def brief(self) -> dict[str, Any]:
        return {
            "command": " ".join(self.command),
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "background_cores": round(self.background_cores, 2),
            "waited_for_quiet_s": round(self.waited, 1),
            "returncode": self.returncode,
        }


# Before each timed command: wait until the rest of the machine is quiet (other programs
# using less than QUIET_CORES over a second), for at most QUIET_WAIT seconds. A shared
# machine's other work would otherwise decide the figures, the parallel one above all.
QUIET_CORES = 0.3
QUIET_WAIT = [180.0]


def wait_until_quiet() -> float:
    """Seconds waited for a quiet second (nothing of ours runs meanwhile)."""
    started = time.monotonic()
    while time.monotonic() - started < QUIET_WAIT[0]:
        busy0, t0 = _busy_seconds(), time.monotonic()
        time.sleep(1.0)
        if (_busy_seconds() - busy0) / (time.monotonic() - t0) < QUIET_CORES:
            break
    return time.monotonic() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(
    command: Sequence[str], cwd: Path, sample_memory: bool = False, check: bool = True
) -> Timing:
    """Run ``command`` to its end; with ``sample_memory``, sample its process tree's RSS."""
    env = {**os.environ, "CI": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    waited = wait_until_quiet()
    cpu0, busy0, wall0 = _children_cpu(), _busy_seconds(), time.perf_counter()
    proc = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    done = [0]
    stderr_lines: list[str] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_lines.append(line)
            match = _PROGRESS.match(line)
            if match:
                done[0] = int(match.group(1))

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    samples: list[dict[str, Any]] = []
    sampler = None
    stop = threading.Event()
    if sample_memory:
        sampler = threading.Thread(
            target=_sample_tree, args=(proc.pid, done, samples, stop), daemon=True
        )
        sampler.start()
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    proc.wait()
    wall = time.perf_counter() - wall0
    busy = _busy_seconds() - busy0
    cpu = _children_cpu() - cpu0
    stop.set()
    reader.join()
    if sampler is not None:
        sampler.join()
    timing = Timing(
        command=list(command),
        wall=wall,
        cpu=cpu,
        background_cores=max(0.0, (busy - cpu) / wall) if wall else 0.0,
        returncode=proc.returncode,
        stdout=stdout,
        stderr="".join(stderr_lines),
        samples=samples,
        waited=waited,
    )
    if check and proc.returncode != 0:
        tail = "".join(stderr_lines[-10:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(command)}\n{tail}")
    return timing


def _status_kb(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``, whichever of its threads forked them.

    The pool forks replacement workers from one of its helper threads, and Linux lists a
    child under the thread that made it.
    """
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                found += [int(x) for x in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _sample_tree(
    pid: int, done: list[int], samples: list[dict[str, Any]], stop: threading.Event
) -> None:
    """Every 50 ms: leaflets done so far, the build process's RSS and each worker's."""
    while not stop.is_set():
        parent = _status_kb(pid)
        if not parent:
            break
        workers = {child: _status_kb(child) for child in _children(pid)}
        samples.append(
            {
                "t": time.perf_counter(),
                "done": done[0],
                "parent_rss_kb": parent.get("VmRSS", 0),
                "workers": {
                    str(child): [kb.get("VmRSS", 0), kb.get("VmHWM", 0)]
                    for child, kb in workers.items()
                    if kb
                },
            }
        )
        stop.wait(0.05)


# -- the project and its copies ------------------------------------------------------------------


def plainlang(*args: str) -> list[str]:
    return [sys.executable, "-m", "plainlang", *args]


def ensure_project(project: Path, regenerate: bool) -> None:
    if project.joinpath("plainlang.toml").is_file() and not regenerate:
        return
    print(f"making the synthetic project in {project} ...", flush=True)
    subprocess.run(
        [sys.executable, str(BENCH / "make_project.py"), "--out", str(project)], check=True
    )


def fresh_copy(project: Path, name: str) -> Path:
    """A copy of the project without its build folder, for one benchmark."""
    target = OUT / "work" / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(project, target, ignore=shutil.ignore_patterns("build"))
    return target


def case_ids(project: Path) -> list[str]:
    return sorted(p.stem for p in (project / "content" / "cases").glob("*.md"))


def case_args(ids: Sequence[str]) -> list[str]:
    return [arg for case in ids for arg in ("--case", case)]


def built_count(timing: Timing) -> tuple[int, int, int]:
    match = _SUMMARY.search(timing.stdout + timing.stderr)
    if not match:
        raise SystemExit(f"no build summary in the output of {' '.join(timing.command)}")
    built, skipped, failed = (int(x) for x in match.groups())
    if failed:
        raise SystemExit(f"{failed} leaflets failed in {' '.join(timing.command)}")
    return built, skipped, failed


# -- the benchmarks ------------------------------------------------------------------------------


def bench_overhead(project: Path, cases: int, rounds: int) -> dict[str, Any]:
    work = fresh_copy(project, "overhead")
    ids = case_ids(work)[:cases]
    select = ["--jobs", "1", "--layout", "trifold", *case_args(ids)]
    warm = run_timed(plainlang("build", *select, "--keep-html"), work)
    count = built_count(warm)[0]
    html = sorted(str(p) for p in (work / "build" / "pdf").rglob("*-trifold.html"))
    if len(html) != count:
        raise SystemExit(f"expected {count} HTML files, found {len(html)}")
    baseline_cmd = [
        sys.executable,
        str(BENCH / "weasyprint_baseline.py"),
        "--base-url",
        str(SHIPPED_THEME),  # the project overrides nothing: the HTML's links resolve here
        "--out",
        str(OUT / "work" / "overhead-baseline"),
        *html,
    ]
    ours_cmd = plainlang("build", *select, "--force")
    ours: list[Timing] = []
    theirs: list[Timing] = []
    for _ in range(rounds):  # alternate, so both see the same machine
        theirs.append(run_timed(baseline_cmd, work))
        ours.append(run_timed(ours_cmd, work))
        built_count(ours[-1])
    return _ratio_result(
        "overhead",
        numerator=ours,
        denominator=theirs,
        leaflets=count,
        extra={"baseline_command": _short_command(baseline_cmd, len(html))},
    )


def _short_command(command: list[str], n_files: int) -> str:
    return " ".join(command[: len(command) - n_files]) + f" <{n_files} HTML files>"


def bench_parallel(project: Path, cases: int, rounds: int) -> dict[str, Any]:
    work = fresh_copy(project, "parallel")
    ids = case_ids(work)[:cases]
    select = ["--layout", "trifold", "--layout", "phone", *case_args(ids), "--force"]
    run_timed(plainlang("build", "--jobs", "2", *select), work)  # warm the disk cache
    one: list[Timing] = []
    two: list[Timing] = []
    for _ in range(rounds):
        one.append(run_timed(plainlang("build", "--jobs", "1", *select), work))
        two.append(run_timed(plainlang("build", "--jobs", "2", *select), work))
    count = built_count(one[0])[0]
    return _ratio_result("parallel", numerator=one, denominator=two, leaflets=count)


def _ratio_result(
    name: str,
    numerator: list[Timing],
    denominator: list[Timing],
    leaflets: int,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """min over rounds of each side (the run least disturbed by other programs)."""
    num = min(numerator, key=lambda t: t.wall)
    den = min(denominator, key=lambda t: t.wall)
    return {
        "name": name,
        "leaflets": leaflets,
        "numerator": [t.brief() for t in numerator],
        "denominator": [t.brief() for t in denominator],
        "ratio_wall": num.wall / den.wall,
        "ratio_cpu": min(t.cpu for t in numerator) / min(t.cpu for t in denominator),
        "numerator_wall": num.wall,
        "denominator_wall": den.wall,
        "background_cores": max(num.background_cores, den.background_cores),
        **(extra or {}),
    }


FORMATS = ("images", "html", "audio")


def bench_formats(project: Path, cases: int, rounds: int) -> dict[str, Any]:
    """The phone slides, the web page and the audio of each leaflet, timed against its PDF.

    ``plainlang build --jobs 1 --layout phone --force --format pdf --format images
    --format html --format audio --json`` of K cases: every output's result says how long
    it took to make (``seconds``, in the one worker), so each format's figure is the sum of
    its outputs' seconds over the sum of the phone PDFs' seconds, the same leaflets in the
    same process and run. The slides are made in the same job as their phone PDF and cut
    from its layout (what a build that makes both does). End to end, the same build with
    ``--format pdf`` only is timed too, alternating with it, and ``--format images`` alone
    (the slides laying the leaflet out themselves: what making them with the PDF saves).
    """
    work = fresh_copy(project, "formats")
    ids = case_ids(work)[:cases]
    select = ["--jobs", "1", "--layout", "phone", *case_args(ids), "--force", "--json"]
    every = [arg for name in ("pdf", *FORMATS) for arg in ("--format", name)]
    run_timed(plainlang("build", *select, *every), work)  # warm: fonts, espeak-ng, disk cache
    plain: list[Timing] = []
    extra: list[Timing] = []
    alone: list[Timing] = []
    for _ in range(rounds):
        plain.append(run_timed(plainlang("build", *select, "--format", "pdf"), work))
        extra.append(run_timed(plainlang("build", *select, *every), work))
        # The slides without the PDFs: they lay the phone leaflet out themselves.
        alone.append(run_timed(plainlang("build", *select, "--format", "images"), work))
    best = min(extra, key=lambda t: t.wall)
    alone_seconds = sum(
        r["seconds"] for r in json.loads(min(alone, key=lambda t: t.wall).stdout)
        if r["status"] == "built"
    )
    made = [r for r in json.loads(best.stdout) if r["status"] == "built"]
    spent = {name: 0.0 for name in ("pdf", *FORMATS)}
    counts = {name: 0 for name in spent}
    for result in made:
        spent[result["kind"]] += result["seconds"]
        counts[result["kind"]] += 1
    if len(set(counts.values())) != 1:
        raise SystemExit(f"not one output of each format per leaflet: {counts}")
    base = min(plain, key=lambda t: t.wall)
    return {
        "name": "formats",
        "leaflets": counts["pdf"],
        "pdf_seconds": spent["pdf"],
        **{f"{name}_seconds": spent[name] for name in FORMATS},
        **{f"{name}_ratio": spent[name] / spent["pdf"] for name in FORMATS},
        "images_alone_seconds": alone_seconds,
        "images_alone_ratio": alone_seconds / spent["pdf"],
        "plain_wall": base.wall,
        "formats_wall": best.wall,
        "background_cores": max(base.background_cores, best.background_cores),
        "plain": [t.brief() for t in plain],
        "formats": [t.brief() for t in extra],
        "images_alone": [t.brief() for t in alone],
    }


def bench_full_noop_memory(project: Path, cases: int, window: int) -> dict[str, Any]:
    """One full build of N leaflets (sampled for memory), then the no-op rebuild."""
    work = fresh_copy(project, "scale")
    ids = case_ids(work)[:cases]
    select = ["--jobs", "2", "--layout", "trifold", "--layout", "phone", *case_args(ids)]
    full = run_timed(plainlang("build", *select), work, sample_memory=True)
    total = built_count(full)[0]
    noops = [run_timed(plainlang("build", *select), work) for _ in range(3)]
    for noop in noops:
        built, skipped, _ = built_count(noop)
        if built or skipped != total:
            raise SystemExit(f"the no-op rebuild built {built} leaflets; expected none")
    noop = min(noops, key=lambda t: t.wall)
    memory = memory_figures(full.samples, total, window)
    return {
        "full": full.brief(),
        "noop": [t.brief() for t in noops],
        "leaflets": total,
        "noop_ratio": noop.wall / full.wall,
        "noop_wall": noop.wall,
        "full_wall": full.wall,
        "background_cores": max(full.background_cores, noop.background_cores),
        "memory": memory,
    }


def memory_figures(samples: list[dict[str, Any]], total: int, window: int) -> dict[str, Any]:
    """Peak worker RSS while the first ``window`` leaflets were built vs the last ``window``."""

    def peaks(selected: list[dict[str, Any]]) -> dict[str, float]:
        worker = [rss for s in selected for rss, _hwm in s["workers"].values()]
        tree = [s["parent_rss_kb"] + sum(r for r, _ in s["workers"].values()) for s in selected]
        return {
            "samples": len(selected),
            "worker_peak_mb": max(worker, default=0) / 1024,
            "tree_peak_mb": max(tree, default=0) / 1024,
        }

    first = [s for s in samples if s["done"] < window and s["workers"]]
    last = [s for s in samples if s["done"] >= total - window and s["workers"]]
    hwm = [h for s in samples for _r, h in s["workers"].values()]
    pids = {pid for s in samples for pid in s["workers"]}
    a, b = peaks(first), peaks(last)
    return {
        "window": window,
        "first": a,
        "last": b,
        "worker_ratio": b["worker_peak_mb"] / a["worker_peak_mb"] if a["worker_peak_mb"] else 0,
        "worker_vmhwm_max_mb": max(hwm, default=0) / 1024,
        "worker_processes_seen": len(pids),
        "series": [  # leaflets done -> largest worker RSS, for a plot
            [s["done"], max((r for r, _ in s["workers"].values()), default=0)]
            for s in samples[:: max(1, len(samples) // 400)]
        ],
    }


def bench_audio(project: Path, cases: int, rounds: int) -> dict[str, Any]:
    """The audio version of K leaflets against their trifold PDFs, same leaflets, same run.

    Two comparisons: a first build (``--force``, the cache of encoded segments emptied
    before every audio run) and a rebuild after one sentence of the case changed (both
    without ``--force``: every leaflet says that sentence, so all are made again).
    """
    work = fresh_copy(project, "audio")
    ids = case_ids(work)[:cases]
    select = [*case_args(ids), "--jobs", "1"]
    pdf_cmd = plainlang("build", "--layout", "trifold", *select, "--force")
    audio_cmd = plainlang("build", "--format", "audio", *select, "--force")
    cache = work / "build" / ".cache" / "audio"
    run_timed(audio_cmd, work)  # warm: imports, espeak-ng's data, the disk cache
    pdfs: list[Timing] = []
    audios: list[Timing] = []
    for _ in range(rounds):
        pdfs.append(run_timed(pdf_cmd, work))
        shutil.rmtree(cache, ignore_errors=True)
        audios.append(run_timed(audio_cmd, work))
    count = built_count(pdfs[0])[0]
    audio_count = built_count(audios[0])[0]
    if audio_count != count:
        raise SystemExit(f"{audio_count} audio files for {count} PDFs")
    units = len(list(cache.glob("*.opus")))
    segments = sum(e["segments"] for e in _audio_entries(work))
    edit_pdfs: list[Timing] = []
    edit_audios: list[Timing] = []
    for round_ in range(rounds):
        _edit_one_sentence(work / "content" / "cases" / f"{ids[0]}.md", round_)
        edit_pdfs.append(run_timed(plainlang("build", "--layout", "trifold", *select), work))
        before = len(list(cache.glob("*.opus")))
        edit_audios.append(run_timed(plainlang("build", "--format", "audio", *select), work))
        new_units = len(list(cache.glob("*.opus"))) - before
        for timing, what in ((edit_pdfs[-1], "PDFs"), (edit_audios[-1], "audio files")):
            if built_count(timing)[0] != count:
                raise SystemExit(f"the edit of {ids[0]} made {built_count(timing)[0]} {what}")
    result = _ratio_result(
        "audio",
        numerator=audios,
        denominator=pdfs,
        leaflets=count,
        extra={"stages": audio_stages(work, ids[0]), **audio_durations(work),
               "segments": segments, "units_encoded": units,
               "edit_units_encoded": new_units},
    )
    result["edit"] = _ratio_result(
        "audio after one edit", numerator=edit_audios, denominator=edit_pdfs, leaflets=count
    )
    return result


def _edit_one_sentence(case: Path, round_: int) -> None:
    """Change the first paragraph of a case's body by a word (another word each round)."""
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    body = lines.index("---\n", 1) + 1
    for i in range(body, len(lines)):
        text = lines[i]
        if text.strip() and text[0].isalpha():
            lines[i] = text.rstrip("\n") + f" Round {round_ + 1}.\n"
            case.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"{case}: no paragraph to edit")


def audio_stages(root: Path, case: str) -> dict[str, Any]:
    """CPU seconds of each stage of one audio file (the first locale and audience of
    ``case``), every segment made anew (no cache)."""
    from plainlang.audio import (
        AudioMaker,
        encode_unit,
        join_opus,
        parse_opus,
        spoken_units,
        unit_samples,
    )
    from plainlang.catalogs import load_cases
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet, localize
    from plainlang.render import LeafletRenderer

    config = load_config(root)
    catalogs = CatalogSet(config)
    maker = AudioMaker(LeafletRenderer(config, catalogs))
    (found,) = load_cases(config, [case])
    locale, audience = config.locales[0], (found.audiences or config.audiences)[0]

    def cpu() -> float:  # this process and the tools it ran (espeak-ng)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return own.ru_utime + own.ru_stime + _children_cpu()

    lc = localize(found, locale, catalogs)
    maker.plan(lc, audience)  # warm: the ui catalogs, the words template
    maker.encoder.preskip  # noqa: B018 (warm: libopus loaded once per process)
    t0 = cpu()
    plan = maker.plan(lc, audience)
    t1 = cpu()
    units = spoken_units(plan.segments)
    samples = [unit_samples(u) for u in units]
    t2 = cpu()
    encoded = [encode_unit(s, maker.encoder) for s in samples]
    t3 = cpu()
    data = join_opus([parse_opus(e) for e in encoded], serial=plan.serial, tags=plan.tags)
    t4 = cpu()
    return {  # CPU seconds
        "leaflet": plan.relpath,
        "audio_s": round(sum(map(len, samples)) / 48_000, 1),
        "segments": len(plan.segments),
        "bytes": len(data),
        "script_s": round(t1 - t0, 3),
        "speech_s": round(t2 - t1, 3),  # espeak-ng per segment, resampling, pauses
        "encode_s": round(t3 - t2, 3),  # libopus, in process, per segment
        "join_s": round(t4 - t3, 3),  # reading the segments' pages, writing the leaflet's
    }


def _audio_entries(root: Path) -> list[dict[str, Any]]:
    manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
    entries = [*manifest["leaflets"], *manifest.get("outputs", [])]
    return [e for e in entries if e.get("kind") == "audio"]


def audio_durations(root: Path) -> dict[str, Any]:
    audio = _audio_entries(root)
    seconds = [e["duration"] for e in audio]
    return {
        "audio_files": len(audio),
        "audio_seconds_mean": round(sum(seconds) / len(seconds), 1) if seconds else 0,
    }


# -- report --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as fh:
        mem_kb = int(fh.readline().split()[1])
    import weasyprint

    from plainlang import __version__

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "plainlang": __version__,
        "loadavg_at_start": open("/proc/loadavg", encoding="ascii").read().split()[:3],
    }


def table(results: dict[str, Any]) -> str:
    rows = [("benchmark", "measured", "figure", "goal", "met", "busy")]
    o = results.get("overhead")
    if o:
        rows.append(
            (
                "overhead",
                f"plainlang {o['numerator_wall']:.1f} s vs WeasyPrint {o['denominator_wall']:.1f} s"
                f" ({o['leaflets']} trifolds, jobs 1); CPU ratio {o['ratio_cpu']:.2f}x",
                f"{o['ratio_wall']:.2f}x",
                "<= 1.10x",
                _yes(o["ratio_wall"] <= 1.10),
                f"{o['background_cores']:.1f}",
            )
        )
    p = results.get("parallel")
    if p:
        rows.append(
            (
                "parallel",
                f"jobs 1 {p['numerator_wall']:.1f} s vs jobs 2 {p['denominator_wall']:.1f} s"
                f" ({p['leaflets']} leaflets)",
                f"{p['ratio_wall']:.2f}x",
                ">= 1.70x",
                _yes(p["ratio_wall"] >= 1.70),
                f"{p['background_cores']:.1f}",
            )
        )
    f = results.get("formats")
    if f:
        for name in FORMATS:
            rows.append(
                (
                    name,
                    f"{f[name + '_seconds']:.1f} s for {f['leaflets']} leaflets vs their phone"
                    f" PDFs {f['pdf_seconds']:.1f} s (jobs 1, same build); the build with all"
                    f" {f['formats_wall']:.1f} s vs {f['plain_wall']:.1f} s with PDFs only",
                    f"{f[name + '_ratio']:.2f}x",
                    "<= 0.50x",
                    _yes(f[name + "_ratio"] <= 0.50),
                    f"{f['background_cores']:.1f}",
                )
            )
    if f:
        rows.append(
            (
                "images alone",
                f"--format images without the PDFs: {f['images_alone_seconds']:.1f} s for the"
                f" same {f['leaflets']} leaflets (each laid out for its slides) vs the PDFs"
                f" {f['pdf_seconds']:.1f} s",
                f"{f['images_alone_ratio']:.2f}x",
                "(what sharing saves)",
                "",
                f"{f['background_cores']:.1f}",
            )
        )
    s = results.get("scale")
    if s:
        rows.append(
            (
                "no-op",
                f"no-op {s['noop_wall']:.2f} s vs full {s['full_wall']:.1f} s"
                f" ({s['leaflets']} leaflets, jobs 2)",
                f"{100 * s['noop_ratio']:.1f}%",
                "< 5%",
                _yes(s["noop_ratio"] < 0.05),
                f"{s['background_cores']:.1f}",
            )
        )
        m = s["memory"]
        rows.append(
            (
                "memory",
                f"worker peak RSS, first {m['window']}: {m['first']['worker_peak_mb']:.0f} MB,"
                f" last {m['window']}: {m['last']['worker_peak_mb']:.0f} MB"
                f" (all processes: {m['first']['tree_peak_mb']:.0f} / "
                f"{m['last']['tree_peak_mb']:.0f} MB)",
                f"{m['worker_ratio']:.2f}x",
                "flat (<= 1.10x)",
                _yes(0 < m["worker_ratio"] <= 1.10),
                "",
            )
        )
    a = results.get("audio")
    if a:
        st, e = a["stages"], a["edit"]
        rows.append(
            (
                "audio",
                f"first build: audio {a['numerator_wall']:.1f} s vs trifold PDFs"
                f" {a['denominator_wall']:.1f} s ({a['leaflets']} leaflets, about"
                f" {a['audio_seconds_mean']:.0f} s of speech each, jobs 1, no cache:"
                f" {a['units_encoded']} segments encoded for {a['segments']} said);"
                f" CPU ratio {a['ratio_cpu']:.2f}x; one leaflet alone, CPU: script"
                f" {st['script_s']:.2f} s, espeak-ng {st['speech_s']:.2f} s,"
                f" libopus {st['encode_s']:.2f} s, join {st['join_s']:.2f} s",
                f"{a['ratio_wall']:.2f}x",
                "well under 1x",
                _yes(a["ratio_wall"] < 0.5),
                f"{a['background_cores']:.1f}",
            )
        )
        rows.append(
            (
                "audio, one edit",
                f"one sentence of the case changed: audio {e['numerator_wall']:.1f} s vs"
                f" trifold PDFs {e['denominator_wall']:.1f} s ({e['leaflets']} leaflets,"
                f" {a['edit_units_encoded']} segments encoded); CPU ratio"
                f" {e['ratio_cpu']:.2f}x",
                f"{e['ratio_wall']:.2f}x",
                "well under 1x",
                _yes(e["ratio_wall"] < 0.5),
                f"{e['background_cores']:.1f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        "busy: other programs' CPU use during the slower measurement, in cores "
        f"(of {os.cpu_count()})"
    )
    return "\n".join(lines)


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer leaflets, one round")
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    parser.add_argument("--regenerate", action="store_true", help="remake the project first")
    parser.add_argument(
        "--only",
        default="overhead,parallel,formats,scale,audio",
        help="comma-separated subset of overhead,parallel,formats,scale,audio [all]",
    )
    parser.add_argument("--formats-cases", type=int, help="cases (12 phone leaflets each)")
    parser.add_argument("--overhead-cases", type=int, help="cases (12 trifolds each)")
    parser.add_argument("--parallel-cases", type=int, help="cases (24 leaflets each)")
    parser.add_argument("--scale-cases", type=int, help="cases (24 leaflets each) [21: 504]")
    parser.add_argument("--audio-cases", type=int, help="cases (12 leaflets each)")
    parser.add_argument("--rounds", type=int, help="timed rounds per side; the best counts")
    parser.add_argument("--output", type=Path, default=OUT / "results.json")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=QUIET_WAIT[0],
        help="before each timed run, wait up to this many seconds for other programs to "
        f"use under {QUIET_CORES} cores [%(default)s]; 0: do not wait",
    )
    args = parser.parse_args(argv)
    QUIET_WAIT[0] = args.quiet_wait
    quick = args.quick
    rounds = args.rounds or (1 if quick else 3)
    ensure_project(args.project, args.regenerate)
    only = set(args.only.split(","))
    started = time.perf_counter()
    results: dict[str, Any] = {"quick": quick, "machine": machine()}
    if "overhead" in only:
        print("overhead ...", flush=True)
        results["overhead"] = bench_overhead(
            args.project, args.overhead_cases or (2 if quick else 5), rounds
        )
    if "parallel" in only:
        print("parallel ...", flush=True)
        results["parallel"] = bench_parallel(
            args.project, args.parallel_cases or (1 if quick else 3), rounds
        )
    if "formats" in only:
        print("formats (images, html, audio) ...", flush=True)
        results["formats"] = bench_formats(
            args.project, args.formats_cases or (1 if quick else 3), rounds
        )
    if "scale" in only:
        print("full build, memory, no-op ...", flush=True)
        scale_cases = args.scale_cases or (5 if quick else 21)
        window = 100 if scale_cases * 24 >= 400 else max(10, scale_cases * 24 // 4)
        results["scale"] = bench_full_noop_memory(args.project, scale_cases, window)
    if "audio" in only:
        print("audio ...", flush=True)
        results["audio"] = bench_audio(args.project, args.audio_cases or 1, rounds)
    results["seconds"] = round(time.perf_counter() - started, 1)
    text = table(results)
    results["table"] = text.splitlines()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print()
    print(text)
    print(f"\n{results['seconds']:.0f} s; results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
