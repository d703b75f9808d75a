"""The shipped theme and a project's overrides of it, file by file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import override

from plainlang.pdf import ConfinedFetcher, FetchRefused
from plainlang.theme import SHIPPED_THEME, Theme


def test_a_project_without_templates_uses_every_shipped_file(tmp_path: Path) -> None:
    theme = Theme(tmp_path / "templates")
    assert "layouts/trifold.html.j2" in theme.files()
    assert theme.resolve("css/base.css") == SHIPPED_THEME / "css/base.css"
    assert [p.name for p in theme.font_files()] == sorted(
        p.name for p in (SHIPPED_THEME / "fonts").glob("*.ttf")
    )


def test_a_project_file_replaces_the_shipped_one_of_the_same_path(tmp_path: Path) -> None:
    own = override(tmp_path, "css/theme-youth.css")
    own.write_text("body { color: black; }\n")
    (tmp_path / "templates/css/poster.css").write_text("/* the project's own */\n")
    theme = Theme(tmp_path / "templates")
    assert theme.resolve("css/theme-youth.css") == own
    assert theme.resolve("css/base.css") == SHIPPED_THEME / "css/base.css"
    assert "css/poster.css" in theme.files()
    assert theme.is_overridden("css/theme-youth.css")
    assert not theme.is_overridden("css/base.css")


def test_theme_paths_cannot_climb_out(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    theme = Theme(tmp_path / "templates")
    assert theme.resolve("../secret.txt") is None
    assert theme.resolve("../../../../etc/passwd") is None


def test_fetcher_serves_shipped_files_through_the_projects_templates_folder(tmp_path: Path) -> None:
    theme = Theme(tmp_path / "templates")
    fetcher = ConfinedFetcher(tmp_path, theme=theme)
    css = fetcher.resolve((tmp_path / "templates/css/base.css").as_uri())
    assert css.body == (SHIPPED_THEME / "css/base.css").read_bytes()
    own = override(tmp_path, "css/base.css")
    own.write_text("/* mine */\n")
    assert fetcher.resolve(own.as_uri()).body == b"/* mine */\n"


@pytest.mark.parametrize(
    "url",
    [
        # the shipped theme is served only as the theme, never by its installed path
        (SHIPPED_THEME / "css/base.css").as_uri(),
        # a theme path that climbs out of templates/ and the project
        "file:///{root}/templates/../../outside.css",
        "file:///{root}/templates/css/../../../outside.css",
    ],
)
def test_fetcher_refuses_theme_tricks(tmp_path: Path, url: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.css").write_text("body { color: red; }")
    fetcher = ConfinedFetcher(root, theme=Theme(root / "templates"))
    with pytest.raises(FetchRefused):
        fetcher.resolve(url.replace("/{root}", str(root)))
