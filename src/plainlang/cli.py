"""The command line: parse arguments, call the library, print. Nothing else lives here.

Exit codes (contract): 0 all good; 1 checks or gates found problems; 2 bad input or usage.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from plainlang import __version__
from plainlang.config import ProjectConfig, normalize_locale
from plainlang.errors import PlainlangError, UsageError, display_path

if TYPE_CHECKING:
    from plainlang.build import BuildOptions, BuildReport
    from plainlang.project import Project


class Context:
    """What every command gets: the project (found and loaded on first use) and --debug."""

    def __init__(self, project: Path, debug: bool) -> None:
        self.project_dir = project
        self.debug = debug
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        """The project ``--project`` (or the current folder) is in, found as git does."""
        if self._project is None:
            from plainlang.project import Project

            self._project = Project.load(self.project_dir)
            if self._project.root != self.project_dir.resolve():
                # Found in a folder above: say which project this is about.
                click.echo(f"plainlang: project {self._project.root}", err=True)
        return self._project

    @property
    def config(self) -> ProjectConfig:
        return self.project.config


pass_ctx = click.make_pass_decorator(Context)


def _echo_changes(changes: Sequence[Any], root: Path, verb: str = "wrote") -> None:
    from plainlang.errors import display_path

    written = [c for c in changes if c.written]
    for change in written:
        click.echo(f"{verb} {display_path(change.path, root)}")
    unchanged = len(changes) - len(written)
    if unchanged:
        click.echo(f"{unchanged} file(s) already up to date")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--project",
    "-C",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder (where plainlang.toml is, or a folder inside it).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="plainlang")
@click.pass_context
def cli(ctx: click.Context, project: Path, debug: bool) -> None:
    """Write a case once; print it in plain words in every language its readers speak.

    The project is the folder holding plainlang.toml: the current folder (or --project
    DIR) or the nearest folder above it, as git finds a repository.

    \b
    A typical round:
      plainlang extract          # content and templates -> locales/*.pot
      plainlang update           # POT -> every locale's PO, keeping translations
      plainlang stats            # how much is translated
      plainlang build            # PDFs in build/pdf/<locale>/
    """
    ctx.obj = Context(project, debug)


@cli.command()
@pass_ctx
def extract(ctx: Context) -> None:
    """Write locales/<case>.pot for every case and locales/ui.pot for the templates.

    Running it twice changes no byte: the creation date only moves when the text does.
    """
    from plainlang.catalogs import extract as do_extract

    _echo_changes(do_extract(ctx.config), ctx.config.root)


@cli.command()
@click.argument("locale")
@pass_ctx
def init(ctx: Context, locale: str) -> None:
    """Create the catalogs of a new LOCALE (a CLDR locale, or one configured in plainlang.toml).

    \b
    Example:
      plainlang init cni     # Asháninka: give name and plural_forms in [locales.cni]
    """
    from plainlang.catalogs import init_locale

    config = ctx.config
    info = config.locale(locale)
    _echo_changes(init_locale(config, info.code), config.root)
    if info.code not in config.locales:
        click.echo(
            f'note: add "{info.code}" to locales in plainlang.toml so update and build use it',
            err=True,
        )


@cli.command()
@click.option("--locale", "-l", "locales", multiple=True, help="Only this locale (repeatable).")
@click.option(
    "--compendium",
    "compendia",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A translation memory (PO or TMX, inside the project) for new entries (repeatable).",
)
@pass_ctx
def update(ctx: Context, locales: tuple[str, ...], compendia: tuple[Path, ...]) -> None:
    """Merge the POT files into every locale's PO files, like msgmerge --previous, safely.

    Keeps every translation: a changed source sentence keeps its translation as fuzzy with
    the previous msgid (#|), a removed one becomes obsolete (#~). Missing PO files are
    created. A new entry whose text is translated in another catalog of the locale, or in
    a compendium ([locales.L] compendium, --compendium), gets that translation as fuzzy.
    Files whose content would not change are not touched.

    \b
    Example:
      plainlang update --locale qu --compendium tm/qu.tmx
    """
    from plainlang.catalogs import confined_compendium
    from plainlang.catalogs import update as do_update

    config = ctx.config
    chosen = config.chosen_locales(locales)
    files = [confined_compendium(config, p if p.is_absolute() else Path.cwd() / p)
             for p in compendia]
    _echo_changes(do_update(config, chosen, compendia=files), config.root)


@cli.group()
def tm() -> None:
    """Translation memory: the project's translations for CAT tools (TMX 1.4)."""


@tm.command(name="export")
@click.option("--locale", "-l", "locale", required=True, help="The locale to export.")
@click.option(
    "--output", "-o", "output", required=True, type=click.Path(path_type=Path),
    help="The .tmx file to write.",
)
@pass_ctx
def tm_export(ctx: Context, locale: str, output: Path) -> None:
    """Write LOCALE's translations as TMX 1.4: one unit per translated entry.

    Fuzzy (draft) and untranslated entries are left out; srclang is the project's source
    locale. OmegaT, Trados, memoQ and Weblate read the file as a translation memory.

    \b
    Example:
      plainlang tm export --locale qu -o build/qu.tmx
    """
    from plainlang.catalogs import export_tmx
    from plainlang.fsio import write_bytes_atomic

    config = ctx.config
    data, count = export_tmx(config, normalize_locale(locale))
    target = output if output.is_absolute() else Path.cwd() / output
    write_bytes_atomic(target, data)
    click.echo(f"wrote {display_path(target, config.root)} ({count} units)", err=True)


@cli.command(name="compile")
@click.option("--use-fuzzy", is_flag=True, help="Include fuzzy (draft) translations.")
@pass_ctx
def compile_(ctx: Context, use_fuzzy: bool) -> None:
    """Compile every PO file to an MO file beside it."""
    from plainlang.catalogs import compile_catalogs

    _echo_changes(compile_catalogs(ctx.config, use_fuzzy=use_fuzzy), ctx.config.root)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--locale", "-l", "locales", multiple=True, help="Only this locale (repeatable).")
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 when a locale's translated share is below N percent.",
)
@pass_ctx
def stats(
    ctx: Context, as_json: bool, locales: tuple[str, ...], min_coverage: float | None
) -> None:
    """Translated, fuzzy and untranslated entries per locale and domain.

    Plural entries count once, and count as translated only when every form is.

    \b
    Example:
      plainlang stats --json --min-coverage 80
    """
    result = ctx.project.stats(locales)
    for folder in result.unlisted_locale_folders:
        click.echo(
            f"{folder}: warning: a locale folder plainlang.toml does not list: not counted, "
            f'checked or built (add "{Path(folder).name}" to locales in [project])',
            err=True,
        )
    rows = result.catalogs
    totals = result.locales
    below = result.below(min_coverage) if min_coverage is not None else []
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Translation coverage")
        for col in ("locale", "domain", "translated", "fuzzy", "untranslated", "obsolete", "%"):
            table.add_column(col, justify="right" if col not in ("locale", "domain") else "left")
        for row in rows:
            table.add_row(
                row.locale,
                row.domain,
                str(row.translated),
                str(row.fuzzy),
                str(row.untranslated),
                str(row.obsolete),
                f"{row.percent:.0f}",
            )
        for loc, t in totals.items():
            table.add_row(
                f"[bold]{loc}[/bold]",
                "[bold]all[/bold]",
                str(t.translated),
                str(t.fuzzy),
                str(t.untranslated),
                "",
                f"[bold]{t.percent:.0f}[/bold]",
            )
        Console(width=100).print(table)
    if below:
        click.echo(f"coverage below {min_coverage:g}% in: {', '.join(below)}", err=True)
        raise SystemExit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="error",
    show_default=True,
    help="Exit 1 when a diagnostic has this severity or a higher one.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write a summary per case and locale (.md or .html).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only diagnostics at --fail-on or above.")
@pass_ctx
def check(
    ctx: Context,
    paths: tuple[Path, ...],
    as_json: bool,
    fail_on: str,
    report_path: Path | None,
    quiet: bool,
) -> None:
    """Translation QA and plain-language checks, on the project or on the given PO files.

    One line per finding: path:line: severity[check-id]: message (hint). Exit 0 clean,
    1 findings at --fail-on or above, 2 bad input. Silence one entry with the flag
    ignore-<check-id> or a comment "# plainlang-ignore: <check-id>"; configure checks in
    [checks] of plainlang.toml.

    \b
    Examples:
      plainlang check
      plainlang check locales/qu/LC_MESSAGES/right-to-know.po --json
      plainlang check --fail-on warning --report build/check-report.html
    """
    from plainlang.checks.diagnostics import Severity
    from plainlang.checks.project import check_files, report_html, report_markdown
    from plainlang.fsio import write_text_atomic

    root = ctx.project_dir
    if paths:
        try:
            project = ctx.project
        except UsageError:
            # any gettext catalog, outside a plainlang project
            files = [p if p.is_absolute() else Path.cwd() / p for p in paths]
            result = check_files(files, None, root)
        else:
            root = project.root
            result = project.check(paths)
    else:
        root = ctx.project.root
        result = ctx.project.check()
    threshold = Severity.parse(fail_on)
    shown = [d for d in result.diagnostics if not quiet or d.severity >= threshold]
    if as_json:
        payload = {
            "diagnostics": [d.to_json() for d in shown],
            "summary": {str(s): n for s, n in result.counts().items()},
            "files": result.files,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for diagnostic in shown:
            click.echo(diagnostic.format())
        counts = result.counts()
        click.echo(
            f"{result.files} catalogs checked: {counts[Severity.ERROR]} errors, "
            f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes",
            err=True,
        )
    if report_path is not None:
        text = (
            report_html(result)
            if report_path.suffix in (".html", ".htm")
            else report_markdown(result)
        )
        target = report_path if report_path.is_absolute() else root / report_path
        write_text_atomic(target, text)
        click.echo(f"wrote {target}", err=True)
    if result.at_or_above(threshold):
        raise SystemExit(1)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or not sys.stderr.isatty()


@cli.command()
@click.option("--case", "cases", multiple=True, help="Only this case id (repeatable).")
@click.option("--locale", "-l", "locales", multiple=True, help="Only this locale (repeatable).")
@click.option("--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option("--layout", "layouts", multiple=True, help="Only this layout (repeatable).")
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="What to make (repeatable): pdf, images (phone slides), html (a web page), "
    "audio (read aloud) [default: formats in [project] of plainlang.toml, else pdf].",
)
@click.option(
    "--print",
    "prints",
    multiple=True,
    metavar="PROFILE",
    help="Also make the print versions of this profile (repeatable): shop (bleed, crop "
    "marks), mono (greyscale, 7:1), or a [print.NAME] of plainlang.toml; "
    "written to build/print/<profile>/<locale>/.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes [default: every core].",
)
@click.option(
    "--force", is_flag=True, help="Rebuild even the outputs whose inputs did not change."
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 on any warning (WeasyPrint messages included), of outputs made now or "
    "recorded in the manifest for those up to date.",
)
@click.option(
    "--shard", default=None, metavar="K/N", help="Build only part K of N of the plan (CI matrices)."
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    help="Leaflets below N% translated are not built, and removed if an earlier build "
    "made them (exit 1) [default: min_coverage of [locales.L], else of [build]].",
)
@click.option(
    "--skip-below-coverage",
    is_flag=True,
    help="With a coverage threshold: skip those leaflets (still removed), exit 0.",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the planned output paths, one a line, and stop."
)
@click.option(
    "--keep-html",
    is_flag=True,
    help="Also write the HTML beside each PDF, up-to-date ones included (render it with "
    "weasyprint).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@pass_ctx
def build(
    ctx: Context,
    cases: tuple[str, ...],
    locales: tuple[str, ...],
    audiences: tuple[str, ...],
    layouts: tuple[str, ...],
    formats: tuple[str, ...],
    prints: tuple[str, ...],
    jobs: int,
    force: bool,
    strict: bool,
    shard: str | None,
    min_coverage: float | None,
    skip_below_coverage: bool,
    dry_run: bool,
    keep_html: bool,
    as_json: bool,
) -> None:
    """PDFs for every case x locale x audience x layout, and the other chosen formats.

    \b
    Output, by --format, and build/manifest.json listing each:
      pdf     build/pdf/<locale>/<case>-<audience>-<layout>.pdf
      images  build/images/<locale>/<case>-<audience>-NN.png (phone slides, -NN.txt)
      html    build/html/<locale>/<case>-<audience>.html (one self-contained page)
      audio   build/audio/<locale>/<case>-<audience>.ogg (read aloud)

    Only outputs whose inputs changed are made again (see build/manifest.json); a failure
    in one is reported and the others go on. Exit 1 when any failed.

    \b
    Examples:
      plainlang build
      plainlang build --case right-to-know --locale qu --layout trifold --keep-html
      plainlang build --format pdf --dry-run --shard 1/3
      plainlang build --layout booklet --print shop --print mono
      plainlang build --format pdf --format images --format html --format audio

    Booklets and flyers also get <leaflet>-sheets.pdf beside them: A4 sheets to print
    two-sided (flip on the short edge), then fold and staple (booklet) or cut (flyer).
    """
    project = ctx.project
    options = project.build_options(
        cases,
        locales,
        audiences,
        layouts,
        formats,
        jobs=jobs,
        force=force,
        strict=strict,
        shard=shard,
        min_coverage=min_coverage,
        skip_below_coverage=skip_below_coverage,
        keep_html=keep_html,
        prints=prints,
    )
    if dry_run:
        for target in project.plan(options):
            for path in target.paths:
                click.echo(path)
        return
    report = run_build(project, options)
    for warning in report.warnings:
        click.echo(warning, err=True)
    if as_json:
        from plainlang.build import report_json

        click.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        _print_build_summary(report)
    raise SystemExit(report.exit_code(options))


def run_build(project: Project, options: BuildOptions, verb: str = "building") -> BuildReport:
    """Run a build with progress: a line per output in CI, a bar on a terminal."""
    if _in_ci():

        def plain(result: Any, done: int, total: int) -> None:
            if result.status != "skipped":
                # The reason of a failure is in the summary below, once.
                click.echo(f"[{done}/{total}] {result.status}: {result.relpath}", err=True)

        return project.run(options, plain)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(f"[bold]{verb}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(result: Any, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=result.target.name)
            if result.status == "failed":
                bar.console.print(f"[red]failed[/red] {result.relpath}: {result.error}")

        return project.run(options, update)


def print_failures(report: BuildReport) -> None:
    """One line per output that failed or was held back, naming what it is."""
    for result in report.results:
        if result.status in ("failed", "below-coverage"):
            t = result.target
            what = [f"case {t.case}", f"locale {t.locale}"]
            what += [f"{name} {getattr(t, name)}" for name in ("audience", "layout", "variant")
                     if getattr(t, name)]
            click.echo(
                f"{result.relpath}: {result.status}: {', '.join(what)}: {result.error}", err=True
            )


def _print_build_summary(report: BuildReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, width=110)
    print_failures(report)
    kinds = list(dict.fromkeys(r.kind for r in report.results))
    table = Table(title="Leaflets" if kinds in ([], ["pdf"]) else "Outputs", show_edge=True)
    columns = ["locale", "built", "skipped", "failed", "below coverage", "coverage %"]
    columns.append("with fallbacks")
    if len(kinds) > 1:
        columns.insert(0, "output")
    for col in columns:
        table.add_column(col, justify="left" if col in ("locale", "output") else "right")
    groups: dict[tuple[str, str], list[Any]] = {}
    for result in report.results:
        groups.setdefault((result.kind, result.target.locale), []).append(result)
    for (kind, locale), rows in groups.items():
        built = [r for r in rows if r.status in ("built", "skipped")]
        mean = sum(r.coverage for r in built) / len(built) if built else 0.0
        cells = [
            locale,
            str(sum(r.status == "built" for r in rows)),
            str(sum(r.status == "skipped" for r in rows)),
            str(sum(r.status == "failed" for r in rows)),
            str(sum(r.status == "below-coverage" for r in rows)),
            f"{mean:.0f}",
            str(sum(1 for r in rows if r.counts.get("fallback", 0) or r.counts.get("source", 0))),
        ]
        table.add_row(*([kind] if len(kinds) > 1 else []), *cells)
    console.print(table)
    click.echo(
        f"{len(report.by_status('built'))} built, {len(report.by_status('skipped'))} up to date, "
        f"{len(report.failed)} failed in {report.seconds:.1f} s"
    )


@cli.group()
def manifest() -> None:
    """Work with build/manifest.json files."""


@manifest.command(name="merge")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("build/manifest.json"),
    show_default=True,
)
def manifest_merge(manifests: tuple[Path, ...], output: Path) -> None:
    """Join the manifests of several --shard builds into one.

    \b
    Example:
      plainlang manifest merge shard-*/manifest.json -o build/manifest.json
    """
    from plainlang.build import merge_manifests

    count = merge_manifests(list(manifests), output)
    click.echo(f"wrote {output} ({count} leaflets)")


@cli.command(name="new-case")
@click.argument("case_id")
@pass_ctx
def new_case(ctx: Context, case_id: str) -> None:
    """Scaffold content/cases/CASE_ID.md with every construct a case can use."""
    from plainlang.scaffold import new_case as do_new_case

    path = do_new_case(ctx.config, case_id)
    click.echo(f"wrote {path.relative_to(ctx.config.root).as_posix()}")


def _fail(error: PlainlangError, debug: bool) -> NoReturn:
    if debug:
        raise error
    click.echo(error.format(), err=True)
    raise SystemExit(error.exit_code)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; errors print as one line and exit with their code (2 for bad input)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="plainlang", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(130) from None
    except click.exceptions.ClickException as exc:
        exc.show()
        raise SystemExit(2 if isinstance(exc, click.UsageError) else exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except PlainlangError as exc:
        _fail(exc, debug)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except UnicodeDecodeError as exc:  # pragma: no cover - last resort, named for the user
        _fail(UsageError(f"could not decode a file: {exc}"), debug)


# Commands for translators and reviewers.
from plainlang.cli_review import preview, proof, serve  # noqa: E402

cli.add_command(proof)
cli.add_command(preview)
cli.add_command(serve)

# The audio version (build --format audio, and an alias) and people's recordings.
from plainlang.cli_audio import audio  # noqa: E402

cli.add_command(audio)

# Commands that make and shape a project.
from plainlang.cli_project import new_project, theme  # noqa: E402

cli.add_command(new_project)
cli.add_command(theme)
