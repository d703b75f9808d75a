"""``plainlang audio``: the audio version of the leaflets, and what people's recordings are called.

A click group that ``plainlang.cli`` adds to its own. Like the rest of the CLI it parses
arguments, calls the library (:mod:`plainlang.audio_build`) and prints.
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
    help="Files made at once [default: every core].",
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

    Opus in Ogg, mono, 24 kbit/s: WhatsApp and Telegram play it as a voice note. Read by
    espeak-ng with each locale's voice ([locales.qu] voice = "qu"; a locale with none is
    read by its fallback's voice), except the segments people recorded (see `plainlang
    audio list`). Only files whose words, voices, recordings or tools changed are made
    again; each is in build/manifest.json with its voices and recorded segments.

    \b
    Example:
      plainlang audio build --case right-to-know --locale qu --audience women
    """
    from plainlang.audio_build import AudioOptions, make_audio

    root = _project(obj)
    options = AudioOptions(cases, locales, audiences, jobs, force)

    def show(result: Any, done: int, total: int) -> None:
        if result.status != "skipped" and not as_json:
            click.echo(f"[{done}/{total}] {result.status}: {result.path}", err=True)

    report = make_audio(root, options, show)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in report.results], indent=2, ensure_ascii=False))
    else:
        for result in report.results:
            if result.status == "failed":
                click.echo(f"{result.path}: failed: {result.error}", err=True)
            elif result.status == "built":
                entry = result.entry
                voice = entry["voice"]
                whose = "own voice" if voice["own"] else f"voice of {voice['locale']}"
                click.echo(
                    f"{result.path}: {entry['duration']:.0f} s, {entry['size'] // 1024} KB, "
                    f"{voice['voice']} ({whose}), {entry['recorded']} of {entry['segments']} "
                    f"segments recorded by people"
                )
        built = sum(r.status == "built" for r in report.results)
        skipped = sum(r.status == "skipped" for r in report.results)
        failed = sum(r.status == "failed" for r in report.results)
        click.echo(
            f"{built} built, {skipped} up to date, {failed} failed in {report.seconds:.1f} s"
        )
    raise SystemExit(report.exit_code())


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
