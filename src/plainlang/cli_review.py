"""Commands for translators and reviewers: ``proof``, ``preview`` and ``serve``.

Plain :class:`click.Command` objects that ``plainlang.cli`` adds to its group. Like the
rest of the CLI they parse arguments, call the library and print; they reach the project
(a :class:`plainlang.Project`, found and loaded once) through the group's context object
(``ctx.obj.project``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from plainlang.project import Project


def _project(obj: Any) -> Project:
    """The project of the ``plainlang`` group (``--project``, else the current folder)."""
    if obj is None:  # the command run on its own, outside the group
        from plainlang.cli import Context

        obj = Context(Path("."), debug=False)
    project: Project = obj.project
    return project


@click.command()
@click.option(
    "--locale",
    "-l",
    "locales",
    multiple=True,
    help="Locale to review (repeatable) [default: every locale of the project].",
)
@click.option("--case", "cases", multiple=True, help="Only this case id (repeatable).")
@click.option(
    "--ui-locale",
    default=None,
    help="Language of headings and legend [default: the locale under review].",
)
@click.option("--force", is_flag=True, help="Make every proof again, even those up to date.")
@click.option(
    "--pivot",
    default=None,
    metavar="LOCALE",
    help="Also show each text in this locale, e.g. Spanish for Quechua reviewers.",
)
@click.pass_obj
def proof(
    obj: Any,
    locales: tuple[str, ...],
    cases: tuple[str, ...],
    ui_locale: str | None,
    force: bool,
    pivot: str | None,
) -> None:
    """Bilingual review PDFs, to print and correct by hand.

    Writes build/proof/<locale>/<case-id>-proof.pdf: source and translation side by side,
    entry by entry, each with its status in words (translated, draft, fallback, not
    translated), its place in the case file, and a box for the reviewer's correction.
    Like the leaflets, a proof is made again only when its inputs changed (case, catalogs,
    proof template and stylesheet, --ui-locale); --force makes them all.

    \b
    Examples:
      plainlang proof --locale qu
      plainlang proof --locale qu --case right-to-know --ui-locale es
      plainlang proof --locale qu --pivot es    # source, Spanish and Quechua side by side
    """
    from plainlang.cli import print_failures, run_build
    from plainlang.errors import display_path
    from plainlang.proof import ProofOptions, build_options

    project = _project(obj)
    wanted = ProofOptions(locales=locales, cases=cases, ui_locale=ui_locale, pivot=pivot)
    options = build_options(wanted, force=force)
    report = run_build(project, options, verb="proofs")
    print_failures(report)
    for result in report.by_status("built"):
        rows = result.fields.get("rows", {})
        counts = ", ".join(f"{n} {status}" for status, n in rows.items() if n)
        where = display_path(result.path, project.root)
        click.echo(f"wrote {where} ({result.pages} pages; {counts})")
    unchanged = len(report.by_status("skipped"))
    if unchanged:
        click.echo(f"{unchanged} proof(s) already up to date")
    raise SystemExit(report.exit_code(options))


@click.command()
@click.argument("case")
@click.option("--locale", "-l", required=True, help="Locale of the leaflet.")
@click.option("--audience", required=True, help="Audience of the leaflet.")
@click.option("--layout", required=True, help="Layout: trifold, flyer or phone.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the PNG files [default: build/preview].",
)
@click.option(
    "--dpi", type=click.IntRange(24, 600), default=96, show_default=True, help="Resolution."
)
@click.pass_obj
def preview(
    obj: Any,
    case: str,
    locale: str,
    audience: str,
    layout: str,
    out_dir: Path | None,
    dpi: int,
) -> None:
    """PNG pages of one leaflet, for a quick look (and for the README).

    Builds the leaflet like `plainlang build` (only if its inputs changed), then writes one
    PNG a page and prints their paths, one a line.

    \b
    Example:
      plainlang preview right-to-know --locale qu --audience youth --layout phone
    """
    from plainlang.errors import display_path

    project = _project(obj)
    result = project.preview(case, locale, audience, layout, out_dir=out_dir, dpi=dpi)
    for path in result.pngs:
        click.echo(display_path(path, project.root))


@click.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port."
)
@click.pass_obj
def serve(obj: Any, port: int) -> None:
    """A live preview in your browser, on this computer only (127.0.0.1).

    Lists cases, locales, audiences and layouts, shows the leaflet pages and each locale's
    coverage, and renders again when a .po file, a case or a template changes: save in
    Poedit and watch the page follow. Stop it with Ctrl+C.

    \b
    Example:
      plainlang serve --port 8000     # then open http://127.0.0.1:8000/
    """
    from plainlang.serve import PreviewServer

    server = PreviewServer(_project(obj), port=port)
    click.echo(f"serving {server.url} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.close()
