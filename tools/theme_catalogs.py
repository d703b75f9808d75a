"""Bring the shipped theme's ui catalogs up to date with its templates and theme.toml.

    python tools/theme_catalogs.py

Writes ``src/plainlang/data/theme/locales/ui.pot`` and merges it into the theme's
``locales/<l>/LC_MESSAGES/ui.po`` files (es, qu, ay), keeping every translation, as
``plainlang extract && plainlang update`` do for a project. Files that would not change
are not touched. tests/test_theme.py fails while they are out of date.
"""

from __future__ import annotations

from plainlang.catalogs import theme_catalogs
from plainlang.fsio import write_if_changed
from plainlang.theme import SHIPPED_THEME, Theme

if __name__ == "__main__":
    theme = Theme(SHIPPED_THEME / "_no_project")  # the shipped theme alone, no project
    for path, data in theme_catalogs(theme).items():
        print(("wrote " if write_if_changed(path, data) else "unchanged ") + str(path))
