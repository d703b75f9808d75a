"""The audio output kind: each leaflet read aloud, made by the build (``--format audio``).

``plainlang build --format audio`` (or ``[project] formats = ["pdf", "audio"]``) makes
``build/audio/<locale>/<case>-<audience>.ogg`` for every case x locale x audience, with the
build's filters, incremental and in ``build/manifest.json`` like the PDFs (kind ``audio``,
with its duration, segments, words, voices and how many segments people recorded).
:mod:`plainlang.audio` does the work for one leaflet: :meth:`AudioMaker.plan` (the script,
the recordings that replace parts of it and a hash of all that: the target's key) and
:meth:`AudioMaker.make` (the ``.ogg`` bytes). ``plainlang audio list`` names the recordings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from plainlang.audio import AudioMaker, AudioPlan, RecordingRow, audio_relpath, recording_rows
from plainlang.build import (
    BuildOptions,
    InputHasher,
    Job,
    Made,
    OutputKind,
    PlanContext,
    Target,
    register_output,
    validate_catalogs,
)
from plainlang.config import normalize_locale
from plainlang.errors import PlainlangError, UsageError
from plainlang.session import Session

#: The manifest fields of an audio file beyond those every output has.
AUDIO_FIELDS = ("duration", "segments", "words", "recorded", "voice", "voices")


def _plan(ctx: PlanContext) -> Iterator[Target]:
    for case in ctx.cases:
        for locale in ctx.locales:
            for audience in ctx.audiences(case):
                yield Target(
                    "audio",
                    case.id,
                    locale,
                    audience,
                    name=f"audio:{locale}/{case.id}-{audience}",
                    paths=(audio_relpath(case.id, locale, audience),),
                )


def _key(inputs: InputHasher, target: Target) -> list[str]:
    """The audio plan's own key: the words said, who says them, the recordings, the tools.

    A problem of the whole project (espeak-ng missing, a voice it does not have) stops the
    build here, before anything is made; a leaflet's own (too long to read aloud, a
    recording that cannot be read) makes only that leaflet fail, when it is made.
    """
    from plainlang.localize import localize

    session = inputs.session
    maker = inputs.extra("audio", lambda: AudioMaker(session.renderer))
    case = inputs.case(target.case)
    try:
        planned = maker.plan(localize(case, target.locale, session.catalogs), target.audience)
    except PlainlangError as exc:
        return [*inputs.case_lines(case), f"audio not planned: {exc.format()}"]
    inputs.planned[target.name] = planned
    return [f"audio {planned.key}"]


def _prepare(session: Session, targets: Sequence[Target], options: BuildOptions) -> None:
    validate_catalogs(session, ((t.locale, t.case) for t in targets))


def _make(job: Job) -> Made:
    worker = job.worker
    maker = worker.extra("audio", lambda: AudioMaker(worker.renderer))
    planned = job.planned  # the plan its key was made of, when this build keyed it
    if not isinstance(planned, AudioPlan):
        planned = maker.plan(job.localized, job.target.audience)
    output = maker.make(planned)
    entry = output.manifest_entry()
    return Made(
        {job.target.relpath: output.data},
        fields={name: entry[name] for name in AUDIO_FIELDS},
    )


register_output(
    OutputKind(
        name="audio",
        plan=_plan,
        key=_key,
        make=_make,
        format=True,
        prepare=_prepare,
        localized=True,
        description="build/audio/<locale>/<case>-<audience>.ogg (read aloud, Opus)",
    )
)


def list_recordings(root: Path, case: str, locale: str, audience: str) -> list[RecordingRow]:
    """Every segment of one leaflet's audio, in reading order, with its recording's file."""
    from plainlang.localize import localize

    session = Session(root)
    config = session.config
    (found,) = session.require_cases((case,), hint="see plainlang build --dry-run for the plan")
    code = normalize_locale(locale)
    if code not in (config.source_locale, *config.locales):
        raise UsageError(
            f"--locale {locale} is not a locale of this project",
            hint=f"choose from: {', '.join(sorted({config.source_locale, *config.locales}))}",
        )
    if audience not in (found.audiences or config.audiences):
        raise UsageError(
            f"case {case} has no leaflet for audience {audience}",
            hint="see the case's audiences: in its front matter",
        )
    maker = AudioMaker(session.renderer)
    plan = maker.plan(localize(found, code, session.catalogs), audience)
    return recording_rows(plan, config)


