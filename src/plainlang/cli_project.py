"""Commands that make and shape a project: ``new-project`` and ``theme list|copy``.

Plain :class:`click.Command` objects that ``plainlang.cli`` adds to its group; like the
rest of the CLI they parse arguments, call the library (:mod:`plainlang.scaffold`) and
print. They reach the project folder through the group's context object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


def _theme(obj: Any) -> Any:
    """The theme of the ``--project`` folder's project (its config must read)."""
    from plainlang.config import load_config

    return load_config(Path(getattr(obj, "project", Path(".")))).theme


@click.command(name="new-project")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--source-locale",
    default="en",
    show_default=True,
    help="The language the cases are written in.",
)
@click.option(
    "--locale",
    "-l",
    "locales",
    multiple=True,
    help="A language to translate into (repeatable).",
)
def new_project(folder: Path, source_locale: str, locales: tuple[str, ...]) -> None:
    """Start a project in FOLDER (new or empty) that builds at once with the shipped theme.

    Writes a plainlang.toml that explains every key, one example case and a .gitignore.
    The example is in the source language when plainlang has it (English, Spanish),
    else in English with a note. Locales are checked against CLDR and langcodes.

    \b
    Example:
      plainlang new-project leaflets --source-locale es --locale qu --locale ay
      plainlang -C leaflets extract && plainlang -C leaflets update && plainlang -C leaflets build
    """
    from plainlang.scaffold import new_project as do_new_project

    for rel in do_new_project(folder, source_locale, locales):
        click.echo(f"wrote {(folder / rel).as_posix()}")
    click.echo(
        f"next: plainlang -C {folder} extract && plainlang -C {folder} update && "
        f"plainlang -C {folder} build",
        err=True,
    )


@click.group()
def theme() -> None:
    """The shipped theme: list its files, copy them into the project to edit them.

    A file in the project's templates/ replaces the shipped file of the same path; the
    project's locales/<l>/LC_MESSAGES/ui.po overrides the theme's translations entry by
    entry; its plain/avoid-<lang>.csv extends the theme's list of words to avoid.
    """


@theme.command(name="list")
@click.pass_obj
def theme_list(obj: Any) -> None:
    """Every theme file, and whether the project overrides it.

    One line a file: the theme path, then "shipped", "overridden by <project file>" or
    "project's own".
    """
    from plainlang.scaffold import theme_files

    for item in theme_files(_theme(obj)):
        if not item.shipped:
            status = f"project's own ({item.project_path})"
        elif item.overridden:
            status = f"overridden by {item.project_path}"
        else:
            status = "shipped"
        click.echo(f"{item.path}  {status}")


@theme.command(name="copy")
@click.argument("paths", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Replace the project's own copy with the shipped file.")
@click.pass_obj
def theme_copy(obj: Any, paths: tuple[str, ...], force: bool) -> None:
    """Copy shipped theme files (or folders) into the project, to edit them there.

    Templates, CSS, fonts and pictograms go to templates/<path>; a theme catalog to the
    project's locales/. An existing project file is never replaced without --force
    (exit 2, nothing copied).

    \b
    Examples:
      plainlang theme copy css/theme-youth.css layouts/flyer.html.j2
      plainlang theme copy css/
      plainlang theme copy locales/qu/LC_MESSAGES/ui.po   # review the theme's Quechua
    """
    from plainlang.scaffold import copy_theme_files

    current = _theme(obj)
    for path in copy_theme_files(current, paths, force=force):
        click.echo(f"wrote {path.relative_to(current.project_root).as_posix()}")
