"""The leaflet theme: shipped inside the package, overridden by the project file by file.

The theme is a tree of templates, stylesheets, fonts and pictograms. plainlang ships one
(``plainlang/data/theme``); a project needs no ``templates/`` folder, and a file it puts
there replaces the shipped file with the same relative path, the way Sphinx and MkDocs
themes are overridden. Every stage that reads a theme file asks :class:`Theme` for it:
the Jinja loader, the PDF fetcher (stylesheets, fonts, pictures a stylesheet names), the
input hashes of the build, and the extraction of the ``ui`` strings.

A theme file is named by its path relative to the theme (``css/base.css``). To WeasyPrint
it is ``<project>/templates/<path>`` whether or not the project overrides it, so relative
URLs inside shipped stylesheets resolve the same way; the fetcher maps that URL to the
project's file when it exists and to the shipped file otherwise (:meth:`Theme.resolve_url_path`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The theme shipped inside the package.
SHIPPED_THEME = Path(__file__).parent / "data" / "theme"

#: Theme files that are Jinja templates (extracted for ``ui`` strings, loaded by Jinja).
TEMPLATE_SUFFIXES = (".j2", ".html", ".jinja")

#: Font files the leaflets embed, in the theme's ``fonts/`` folder.
FONTS = (".ttf", ".otf")


@dataclass(frozen=True)
class Theme:
    """The project's ``templates/`` folder laid over the shipped theme.

    ``project_dir`` need not exist: then every file is the shipped one.
    """

    project_dir: Path
    shipped_dir: Path = SHIPPED_THEME

    def resolve(self, rel: str) -> Path | None:
        """The file that serves theme path ``rel``: the project's override, else the shipped one.

        None when neither has it, or when ``rel`` climbs out of the theme (``../x``).
        """
        for base in (self.project_dir, self.shipped_dir):
            candidate = base / rel
            try:
                inside = candidate.resolve().is_relative_to(base.resolve())
            except (OSError, RuntimeError, ValueError):
                continue
            if inside and candidate.is_file():
                return candidate
        return None

    def is_overridden(self, rel: str) -> bool:
        """True when the project's own ``templates/`` has ``rel``."""
        return (self.project_dir / rel).is_file()

    def files(self) -> list[str]:
        """Every theme path, shipped or the project's own, sorted."""
        return sorted(set(_tree(self.shipped_dir)) | set(_tree(self.project_dir)))

    def templates(self) -> list[str]:
        """The theme paths that are Jinja templates."""
        return [rel for rel in self.files() if rel.endswith(TEMPLATE_SUFFIXES)]

    def font_files(self) -> list[Path]:
        """The font files the leaflets use (``fonts/*.ttf|otf``), override or shipped."""
        found = []
        for rel in self.files():
            if rel.count("/") == 1 and rel.startswith("fonts/") and rel.lower().endswith(FONTS):
                path = self.resolve(rel)
                if path is not None:
                    found.append(path)
        return found

    def ref(self, rel: str) -> str:
        """A theme path as PO references and input keys name it: ``templates/<rel>``.

        The same on every machine, overridden or not (the shipped file's real path depends
        on where the package is installed), and where an override would go.
        """
        return f"templates/{rel}"

    def shown(self, rel: str) -> str:
        """A theme path for an error message: the file the user can open and fix.

        ``templates/<rel>`` for the project's own file, the installed file's path otherwise.
        """
        if self.is_overridden(rel) or self.resolve(rel) is None:
            return self.ref(rel)
        return str(self.shipped_dir / rel)

    def resolve_url_path(self, path: Path) -> Path | None:
        """Map a path under the project's ``templates/`` to the file that serves it.

        The PDF fetcher calls this for every ``file:`` URL inside ``project_dir``: relative
        URLs in the HTML and in stylesheets resolve against ``<project>/templates``, and a
        path the project does not override is served from the shipped theme.
        """
        try:
            rel = path.resolve().relative_to(self.project_dir.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None
        return self.resolve(rel)

    def loader(self) -> Any:
        """A Jinja loader: the project's ``templates/`` first, then the shipped theme."""
        import jinja2

        return jinja2.FileSystemLoader([str(self.project_dir), str(self.shipped_dir)])

    def location(self, filename: str) -> str:
        """A template file name as Jinja reports it, for an error message (see :meth:`shown`)."""
        path = Path(filename)
        try:
            return self.ref(path.resolve().relative_to(self.project_dir.resolve()).as_posix())
        except (ValueError, OSError, RuntimeError):
            return filename


def _tree(base: Path) -> Iterator[str]:
    if not base.is_dir():
        return iter(())
    return (p.relative_to(base).as_posix() for p in sorted(base.rglob("*")) if p.is_file())

