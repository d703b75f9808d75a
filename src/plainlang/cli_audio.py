"""``plainlang audio``: the audio version of the leaflets, and what people's recordings are called.

A click group that ``plainlang.cli`` adds to its own. Like the rest of the CLI it parses
arguments, calls the library and prints: ``audio build`` is ``build --format audio`` (the
``audio`` output kind of :mod:`plainlang.audio_build`), ``audio list`` names recordings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _project(obj: Any) -> Path:
    """The project folder of the ``plainlang`` group: the one holding ``plainlang.toml``,
    found from ``--project`` (or the current folder) upwards."""
    if obj is None:  # the command run on its own, outside the group
        return Path(".")
    root: Path = obj.project.root
    return root


@click.group()
def audio() -> None:
    """The leaflets read aloud: Opus voice notes, and people's recordings of them.

    \b
    Examples:
      plainlang audio build --locale qu
      plainlang audio list --case right-to-know --locale qu --audience women
    """


@audio.command(name="build")
@click.option("--case", "cases", multiple=True, help="Only this case id (repeatable).")
@click.option("--locale", "-l", "locales", multiple=True, help="Only this locale (repeatable).")
@click.option("--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option(
    "--jobs", "-j", type=click.IntRange(0, 256), default=0,
    help="Worker processes [default: every core].",
)
@click.option(
    "--force", is_flag=True, help="Make again even the files whose inputs did not change."
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_obj
def audio_build(
    obj: Any,
    cases: tuple[str, ...],
    locales: tuple[str, ...],
    audiences: tuple[str, ...],
    jobs: int,
    force: bool,
    as_json: bool,
) -> None:
    """Each leaflet read aloud: build/audio/<locale>/<case>-<audience>.ogg.

    The same as `plainlang build --format audio` (with these filters), which can make the
    audio together with the other formats. Opus in Ogg, mono, 24 kbit/s: WhatsApp and
    Telegram play it as a voice note. Read by espeak-ng with each locale's voice
    ([locales.qu] voice = "qu"; a locale with none is read by its fallback's voice), except
    the segments people recorded (see `plainlang audio list`). Only files whose words,
    voices, recordings or tools changed are made again; each is in build/manifest.json
    (kind "audio") with its voices and recorded segments.

    \b
    Example:
      plainlang audio build --case right-to-know --locale qu --audience women
      plainlang build --format audio --case right-to-know --locale qu   # the same
    """
    from plainlang.build import report_json
    from plainlang.cli import print_failures, run_build

    project = obj.project
    options = project.build_options(
        cases, locales, audiences, (), ("audio",), jobs=jobs, force=force
    )
    report = run_build(project, options)
    for warning in report.warnings:
        click.echo(warning, err=True)
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        print_failures(report)
        for result in report.by_status("built"):
            fields = result.fields
            voice = fields["voice"]
            whose = "own voice" if voice["own"] else f"voice of {voice['locale']}"
            click.echo(
                f"{result.relpath}: {fields['duration']:.0f} s, {result.size // 1024} KB, "
                f"{voice['voice']} ({whose}), {fields['recorded']} of {fields['segments']} "
                f"segments recorded by people"
            )
        click.echo(
            f"{len(report.by_status('built'))} built, {len(report.by_status('skipped'))} up "
            f"to date, {len(report.failed)} failed in {report.seconds:.1f} s"
        )
    raise SystemExit(report.exit_code(options))


@audio.command(name="list")
@click.option("--case", required=True, help="The case id.")
@click.option("--locale", "-l", required=True, help="The leaflet's locale.")
@click.option("--audience", required=True, help="The leaflet's audience.")
@click.option("--json", "as_json", is_flag=True, help="Print the segments as JSON.")
@click.pass_obj
def audio_list(obj: Any, case: str, locale: str, audience: str, as_json: bool) -> None:
    """What a person's recording of each segment must be called, in reading order.

    Record a segment (WAV or Ogg, any sample rate, mono or stereo), save it under the
    file name shown (.wav, or the same name with .ogg), and `plainlang audio build` uses
    it instead of the computer voice. The name stays the same while the segment's words
    do not change; when they change, the old recording is no longer used.

    \b
    Example:
      plainlang audio list --case right-to-know --locale qu --audience women
    """
    from plainlang.audio_build import list_recordings

    rows = list_recordings(_project(obj), case, locale, audience)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # translations are text: no rich markup in them

    table = Table(title=f"Segments of {locale}/{case}-{audience}", show_lines=False)
    for col in ("#", "recording file (.wav or .ogg)", "recorded", "lang", "text to read"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                Text(value)
                for value in (
                    str(row.index), row.file, row.found or "no", row.segment.locale,
                    row.segment.text,
                )
            )
        )
    Console(width=160).print(table)
