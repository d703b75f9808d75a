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

The shipped theme has the shape of a project: besides the templates it holds
``locales/`` (the theme's own ``ui`` catalogs, which a project's ``locales/<l>/LC_MESSAGES/ui.po``
overrides entry by entry) and ``plain/`` (the avoid-word lists, which a project's
``plain/avoid-<lang>.csv`` extends). Those two folders are not templates: a project's copy
of them lives in its own ``locales/`` and ``plain/`` (:meth:`Theme.project_path`).
``theme.toml`` describes the shipped layouts and audiences; a project changes them in its
``plainlang.toml``, never by overriding the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The theme shipped inside the package.
SHIPPED_THEME = Path(__file__).parent / "data" / "theme"

#: Theme files that are Jinja templates (extracted for ``ui`` strings, loaded by Jinja).
TEMPLATE_SUFFIXES = (".j2", ".html", ".jinja")

#: Font files the leaflets embed, in the theme's ``fonts/`` folder.
FONTS = (".ttf", ".otf")

#: The theme's data: its layouts and audiences (read by :mod:`plainlang.config`).
THEME_DATA = "theme.toml"

#: Theme folders that are not templates, and where a project keeps its own version of
#: them: the ``ui`` catalogs (overridden entry by entry) and the avoid-word lists (extended).
PROJECT_AREAS = ("locales/", "plain/")

#: The custom properties of a theme's stylesheets that colour its pictograms, by tone.
#: WeasyPrint draws inline SVG without the page's CSS, so the colour is set on each
#: ``<svg>`` from these: the theme's CSS stays the one place a colour is written.
PICTOGRAM_TONES = {
    "accent": "--pictogram",
    "band": "--pictogram-on-band",
    "label": "--pictogram-on-label",
}
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^)]*))?\)")


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

    @property
    def project_root(self) -> Path:
        """The project folder (``templates/`` is in it)."""
        return self.project_dir.parent

    def files(self) -> list[str]:
        """Every template-area theme path, shipped or the project's own, sorted.

        Not the theme's catalogs and word lists (:data:`PROJECT_AREAS`): see :meth:`all_files`.
        """
        found = set(_tree(self.shipped_dir)) | set(_tree(self.project_dir))
        return sorted(rel for rel in found if not rel.startswith(PROJECT_AREAS))

    def shipped_files(self) -> list[str]:
        """Every path the shipped theme has, catalogs and word lists included, sorted."""
        return sorted(_tree(self.shipped_dir))

    def project_path(self, rel: str) -> Path:
        """Where the project keeps its own version of theme path ``rel``.

        ``<project>/templates/<rel>`` for templates, stylesheets, fonts and pictograms;
        ``<project>/locales/...`` and ``<project>/plain/...`` for the theme's catalogs and
        avoid-word lists, which the project's own files override or extend.
        """
        if rel.startswith(PROJECT_AREAS):
            return self.project_root / rel
        return self.project_dir / rel

    def shipped(self, rel: str) -> Path | None:
        """The shipped file of theme path ``rel`` (never the project's), or None."""
        candidate = self.shipped_dir / rel
        try:
            inside = candidate.resolve().is_relative_to(self.shipped_dir.resolve())
        except (OSError, RuntimeError, ValueError):
            return None
        return candidate if inside and candidate.is_file() else None

    def ui_catalog(self, locale: str) -> Path | None:
        """The shipped ``ui`` catalog of ``locale`` (``locales/<l>/LC_MESSAGES/ui.po``), or None."""
        return self.shipped(f"locales/{locale}/LC_MESSAGES/ui.po")

    def ui_template(self) -> Path:
        """The shipped ``ui`` template: every msgid of the shipped theme."""
        return self.shipped_dir / "locales" / "ui.pot"

    def avoid_words(self, lang: str) -> Path | None:
        """The shipped avoid-word list of ``lang`` (``plain/avoid-<lang>.csv``), or None."""
        return self.shipped(f"plain/avoid-{lang}.csv")

    def data_file(self) -> Path:
        """The shipped theme's data (:data:`THEME_DATA`): its layouts and audiences."""
        return self.shipped_dir / THEME_DATA

    def pictogram(self, name: str) -> Path | None:
        """The SVG file of pictogram ``name`` (``pictograms/<name>.svg``), override or shipped."""
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            return None
        return self.resolve(f"pictograms/{name}.svg")

    def pictograms(self) -> list[str]:
        """The names of every pictogram, shipped or the project's own."""
        return [
            rel.removeprefix("pictograms/").removesuffix(".svg")
            for rel in self.files()
            if rel.startswith("pictograms/") and rel.endswith(".svg") and rel.count("/") == 1
        ]

    def custom_properties(self, stylesheets: tuple[str, ...]) -> dict[str, str]:
        """The ``:root`` custom properties the stylesheets declare, later ones winning, resolved.

        ``var(--x)`` and ``var(--x, fallback)`` are replaced by their values, as the browser
        does; a property that cannot be resolved (a loop, an unknown name) is left out.
        """
        declared: dict[str, str] = {}
        for rel in stylesheets:
            path = self.resolve(rel)
            if path is not None:
                declared.update(_root_properties(path.read_text(encoding="utf-8-sig")))
        return {
            name: value
            for name in declared
            if (value := _resolve_var(name, declared, depth=0)) is not None
        }

    def palette(self, theme_name: str) -> dict[str, str]:
        """Pictogram colours of a theme by tone (:data:`PICTOGRAM_TONES`), from its stylesheets.

        ``css/base.css`` then ``css/theme-<name>.css``, as the leaflet links them.
        """
        properties = self.custom_properties(("css/base.css", f"css/theme-{theme_name}.css"))
        ink = properties.get("--ink", "#000000")
        return {tone: properties.get(prop, ink) for tone, prop in PICTOGRAM_TONES.items()}

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


def _root_properties(css: str) -> dict[str, str]:
    """Custom properties declared in the ``:root`` rules of a stylesheet, in order."""
    import tinycss2

    found: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for item in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if item.type == "declaration" and item.name.startswith("--"):
                found[item.name] = tinycss2.serialize(item.value).strip()
    return found


def _resolve_var(name: str, declared: Mapping[str, str], depth: int) -> str | None:
    value = declared.get(name)
    if value is None or depth > 16:
        return None

    def substitute(match: re.Match[str]) -> str:
        inner = _resolve_var(match.group(1), declared, depth + 1)
        if inner is None:
            inner = (match.group(2) or "").strip() or None
        if inner is None:
            raise LookupError(match.group(1))
        return inner

    try:
        return _VAR.sub(substitute, value)
    except LookupError:
        return None


def _tree(base: Path) -> Iterator[str]:
    if not base.is_dir():
        return iter(())
    return (p.relative_to(base).as_posix() for p in sorted(base.rglob("*")) if p.is_file())

