"""The audio versions of a project's leaflets, built like the PDFs: incremental, in the manifest.

Until ``plainlang build --format audio`` exists this module is the audio's build: the plan
(case x locale x audience, with build's filters), the input keys, the writes and the
manifest entries. It calls :mod:`plainlang.audio` for one leaflet at a time
(:meth:`AudioMaker.plan` then :meth:`AudioMaker.make`); the formats build can do the same
and drop this module.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plainlang.audio import AudioMaker, AudioPlan, RecordingRow, recording_rows
from plainlang.catalogs import load_cases
from plainlang.config import ProjectConfig, load_config, normalize_locale
from plainlang.errors import PlainlangError, UsageError
from plainlang.fsio import write_bytes_atomic


@dataclass(frozen=True)
class AudioOptions:
    cases: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    jobs: int = 0  # 0: every core
    force: bool = False


@dataclass
class AudioResult:
    case: str
    locale: str
    audience: str
    status: str  # built | skipped | failed
    path: str
    entry: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_code: int = 0
    seconds: float = 0.0  # time taken to make it

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "case": self.case,
            "locale": self.locale,
            "audience": self.audience,
            "status": self.status,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            **{k: v for k, v in self.entry.items() if k not in ("path", "case", "locale")},
        }


@dataclass
class AudioReport:
    results: list[AudioResult]
    seconds: float

    def exit_code(self) -> int:
        failed = [r for r in self.results if r.status == "failed"]
        if any(r.error_code == 2 for r in failed):
            return 2
        return 1 if failed else 0


def audio_plan(
    config: ProjectConfig, options: AudioOptions
) -> list[tuple[Any, str, str]]:
    """(case, locale, audience) of every audio file to make, with build's filters."""
    from plainlang.build import BuildOptions, plan

    cases = load_cases(config, options.cases or None)
    missing = set(options.cases) - {c.id for c in cases}
    if missing:
        raise UsageError(
            f"--case {', '.join(sorted(missing))}: no such case in content/cases/",
            hint="see plainlang build --dry-run for the plan",
        )
    layout = config.layouts[0] if config.layouts else "trifold"
    leaflets = plan(
        config,
        cases,
        BuildOptions(
            cases=options.cases,
            locales=options.locales,
            audiences=options.audiences,
            layouts=(layout,),
        ),
    )
    by_id = {c.id: c for c in cases}
    return [(by_id[lf.case], lf.locale, lf.audience) for lf in leaflets]


def _maker(config: ProjectConfig) -> tuple[AudioMaker, Any]:
    from plainlang.localize import CatalogSet
    from plainlang.render import LeafletRenderer

    catalogs = CatalogSet(config)
    return AudioMaker(LeafletRenderer(config, catalogs)), catalogs


def make_audio(
    root: Path,
    options: AudioOptions,
    progress: Callable[[AudioResult, int, int], None] | None = None,
) -> AudioReport:
    """Make ``build/audio/<locale>/<case>-<audience>.ogg`` for every leaflet whose words,
    voices, recordings or tools changed; record each in ``build/manifest.json``.

    Bad input that concerns every file (an unknown voice, espeak-ng missing) stops before
    anything is made; a leaflet's own problem (a recording that cannot be decoded) fails
    that leaflet and the others go on.
    """
    from plainlang.build import load_manifest, manifest_path, write_manifest
    from plainlang.localize import localize

    started = time.perf_counter()
    config = load_config(root)
    todo = audio_plan(config, options)
    maker, catalogs = _maker(config)
    mpath = manifest_path(config)
    manifest, _damaged = load_manifest(config)  # a damaged one: its entries are remade
    results: list[AudioResult] = []
    work: list[tuple[AudioResult, AudioPlan]] = []
    for case, locale, audience in todo:
        began = time.perf_counter()
        lc = localize(case, locale, catalogs)
        try:
            planned = maker.plan(lc, audience)
        except PlainlangError as exc:
            from plainlang.audio import audio_relpath

            failed = AudioResult(case.id, locale, audience, "failed", audio_relpath(
                case.id, locale, audience), error=exc.format(), error_code=exc.exit_code)
            failed.seconds = time.perf_counter() - began
            results.append(failed)
            if progress:
                progress(failed, len(results), len(todo))
            continue
        result = AudioResult(case.id, locale, audience, "built", planned.relpath)
        result.seconds = time.perf_counter() - began
        entry = manifest.get(planned.relpath)
        if not options.force and _up_to_date(config.root / planned.relpath, planned.key, entry):
            assert entry is not None
            result.status = "skipped"
            result.entry = dict(entry)
            results.append(result)
            if progress:
                progress(result, len(results), len(todo))
            continue
        work.append((result, planned))
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(work) or 1))
    try:
        for result in _execute(maker, work, jobs):
            if result.status == "built":
                manifest[result.path] = result.entry
            results.append(result)
            if progress:
                progress(result, len(results), len(todo))
    finally:
        if work or not mpath.exists():
            write_manifest(mpath, manifest)
    results.sort(key=lambda r: (r.locale, r.case, r.audience))
    return AudioReport(results, time.perf_counter() - started)


def _execute(
    maker: AudioMaker, work: list[tuple[AudioResult, AudioPlan]], jobs: int
) -> Iterator[AudioResult]:
    """Make each planned file; threads are enough, the work is in espeak-ng and opusenc."""

    def one(item: tuple[AudioResult, AudioPlan]) -> AudioResult:
        result, planned = item
        began = time.perf_counter()
        try:
            output = maker.make(planned)
            write_bytes_atomic(maker.config.root / planned.relpath, output.data)
            result.entry = output.manifest_entry()
        except PlainlangError as exc:
            result.status, result.error, result.error_code = "failed", exc.format(), exc.exit_code
        except Exception as exc:  # one leaflet's failure must not stop the others
            result.status, result.error, result.error_code = (
                "failed", f"{type(exc).__name__}: {exc}", 1
            )
        result.seconds += time.perf_counter() - began
        return result

    if jobs == 1:
        yield from map(one, work)
        return
    with ThreadPoolExecutor(jobs) as pool:
        yield from pool.map(one, work)


def _up_to_date(path: Path, key: str, entry: Mapping[str, Any] | None) -> bool:
    if entry is None or entry.get("key") != key:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == entry.get("size")


def list_recordings(root: Path, case: str, locale: str, audience: str) -> list[RecordingRow]:
    """Every segment of one leaflet's audio, in reading order, with its recording's file."""
    from plainlang.localize import localize

    config = load_config(root)
    options = AudioOptions(cases=(case,), locales=(normalize_locale(locale),),
                           audiences=(audience,))
    planned = audio_plan(config, options)
    if not planned:
        raise UsageError(
            f"case {case} has no leaflet for audience {audience}",
            hint="see the case's audiences: in its front matter",
        )
    maker, catalogs = _maker(config)
    found_case, found_locale, found_audience = planned[0]
    plan = maker.plan(localize(found_case, found_locale, catalogs), found_audience)
    return recording_rows(plan, config)
