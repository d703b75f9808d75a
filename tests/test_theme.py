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


# -- the theme's own catalogs and word lists ----------------------------------------------


def test_shipped_catalogs_are_up_to_date_with_the_templates_and_theme_toml():
    """A template or theme.toml string changed without `python tools/theme_catalogs.py`."""
    from plainlang.catalogs import theme_catalogs

    stale = [
        path.relative_to(SHIPPED_THEME).as_posix()
        for path, data in theme_catalogs(Theme(SHIPPED_THEME / "_no_project")).items()
        if not path.is_file() or path.read_bytes() != data
    ]
    assert not stale, f"run python tools/theme_catalogs.py: {stale} are out of date"


def test_shipped_catalogs_pass_msgfmt_spanish_is_reviewed_quechua_and_aymara_are_drafts():
    import subprocess

    import polib

    pot = polib.pofile(str(SHIPPED_THEME / "locales/ui.pot"))
    msgids = {e.msgid for e in pot}
    assert {"For youth groups", "About this leaflet", "Translation review"} <= msgids
    for locale in ("es", "qu", "ay"):
        path = SHIPPED_THEME / f"locales/{locale}/LC_MESSAGES/ui.po"
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        po = polib.pofile(str(path))
        active = [e for e in po if not e.obsolete]
        assert {e.msgid for e in active} == msgids  # every theme string, in every language
        assert all(e.msgstr or e.msgstr_plural for e in active), locale
        if locale == "es":
            assert not any(e.fuzzy for e in active)
        else:
            assert all(e.fuzzy and "native speaker" in e.tcomment for e in active), locale


def test_theme_files_ship_fonts_with_their_licence_and_pictograms():
    theme = Theme(SHIPPED_THEME / "_no_project")
    files = set(theme.shipped_files())
    assert {"fonts/OFL.txt", "fonts/Andika-Regular.ttf", "theme.toml", "pictograms/share.svg"} <= files
    assert {"locales/ui.pot", "plain/avoid-en.csv", "plain/avoid-es.csv"} <= files
    # catalogs and word lists are not templates: a project keeps its own in locales/, plain/
    assert "locales/ui.pot" not in theme.files()
    assert theme.project_path("locales/qu/LC_MESSAGES/ui.po") == SHIPPED_THEME / "locales/qu/LC_MESSAGES/ui.po"
    assert theme.project_path("css/base.css") == SHIPPED_THEME / "_no_project/css/base.css"


def test_pictogram_colours_come_from_the_themes_css_custom_properties(tmp_path: Path) -> None:
    theme = Theme(tmp_path / "templates")
    assert theme.palette("youth") == {"accent": "#a1004d", "band": "#1a1a1a", "label": "#1a1a1a"}
    assert theme.palette("women") == {"accent": "#15615a", "band": "#ffffff", "label": "#15615a"}
    own = tmp_path / "templates/css/theme-elders.css"
    own.parent.mkdir(parents=True)
    own.write_text(":root { --accent: #123456; --pictogram-on-band: var(--missing, #fedcba); }\n")
    assert theme.palette("elders") == {"accent": "#123456", "band": "#fedcba", "label": "#123456"}


# -- overrides, entry by entry --------------------------------------------------------------


def _po(path: Path, entries: dict[str, str], locale: str, fuzzy: tuple[str, ...] = ()) -> None:
    import polib

    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=utf-8", "Language": locale}
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else []))
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))


def test_a_project_translation_wins_and_an_empty_one_falls_to_the_theme(leaflet_project):
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet
    from plainlang.render import UiTranslations

    _po(
        leaflet_project / "locales/es/LC_MESSAGES/ui.po",
        {"For youth groups": "Para la juventud", "About this leaflet": "", "Only ours": "Solo nuestro"},
        "es",
    )
    ui = UiTranslations(CatalogSet(load_config(leaflet_project)), "es")
    assert ui.gettext("For youth groups") == "Para la juventud"  # the project's
    assert ui.gettext("About this leaflet") == "Sobre este folleto"  # the theme's
    assert ui.gettext("Only ours") == "Solo nuestro"  # a string the theme lacks
    # Quechua (drafts allowed) takes the theme's Quechua draft, then Spanish for the rest
    qu = UiTranslations(CatalogSet(load_config(leaflet_project)), "qu")
    assert qu.gettext("For youth groups") != "Para la juventud" and qu.has_drafts
    assert qu.gettext("Only ours") == "Solo nuestro"  # along the fallback chain


def test_update_writes_only_what_the_theme_does_not_translate(run, leaflet_project):
    import polib

    config = leaflet_project / "plainlang.toml"
    config.write_text(
        config.read_text()
        .replace('locales = ["es", "qu", "ay"]', 'locales = ["es", "qu", "ay", "shp"]')
        .replace('audiences = ["youth", "women", "municipality"]', 'audiences = ["youth", "women", "municipality", "elders"]')
        + '\n[locales.shp]\nplural_forms = "nplurals=2; plural=(n != 1);"\nfallback = ["es"]\n'
        + '\n[audiences.elders]\nlabel = "For elders\' councils"\ntheme = "women"\n'
    )
    assert run("-C", leaflet_project, "extract").code == 0
    pot = {e.msgid for e in polib.pofile(str(leaflet_project / "locales/ui.pot"))}
    assert {"For elders' councils", "For youth groups", "About this leaflet"} <= pot
    assert run("-C", leaflet_project, "update").code == 0
    ui = str(leaflet_project / "locales/{}/LC_MESSAGES/ui.po")
    # Spanish: the theme translates everything but the project's own label.
    assert [e.msgid for e in polib.pofile(ui.format("es"))] == ["For elders' councils"]
    # Quechua prints the theme's drafts: the same. Aymara does not print drafts: all of it.
    assert [e.msgid for e in polib.pofile(ui.format("qu"))] == ["For elders' councils"]
    assert {e.msgid for e in polib.pofile(ui.format("ay"))} == pot
    # Shipibo, a language the theme lacks: every string, for its translators.
    assert {e.msgid for e in polib.pofile(ui.format("shp"))} == pot
    # A project translation of a theme string stays, and wins; an empty one is dropped.
    po = polib.pofile(ui.format("es"))
    po.append(polib.POEntry(msgid="About this leaflet", msgstr="Acerca de esta hoja"))
    po.append(polib.POEntry(msgid="Scan to learn more", msgstr=""))
    po.save()
    assert run("-C", leaflet_project, "update").code == 0
    kept = {e.msgid: e.msgstr for e in polib.pofile(ui.format("es"))}
    assert kept == {"For elders' councils": "", "About this leaflet": "Acerca de esta hoja"}
    # stats counts what the leaflets print: the theme's translations too
    result = run("-C", leaflet_project, "stats", "--json", "--locale", "es")
    import json

    es_ui = next(c for c in json.loads(result.out)["catalogs"] if c["domain"] == "ui")
    assert es_ui["total"] == len(pot) and es_ui["untranslated"] == 1


def test_a_source_language_the_theme_lacks_gets_the_theme_strings_to_translate(run, leaflet_project):
    """Source Shipibo: its leaflets print the theme's strings in Shipibo, once translated."""
    import polib

    config = leaflet_project / "plainlang.toml"
    text = config.read_text().replace('source_locale = "en"', 'source_locale = "shp"')
    config.write_text(
        text.replace('audiences = ["youth", "women", "municipality"]', 'audiences = ["youth", "women", "municipality", "elders"]')
        + '\n[locales.shp]\nplural_forms = "nplurals=2; plural=(n != 1);"\n'
        + '\n[audiences.elders]\nlabel = "Jaweti shinanpari"\ntheme = "women"\n'
    )
    assert run("-C", leaflet_project, "extract").code == 0
    assert run("-C", leaflet_project, "update").code == 0
    own = {e.msgid for e in polib.pofile(str(leaflet_project / "locales/shp/LC_MESSAGES/ui.po"))}
    assert "About this leaflet" in own and "For youth groups" in own
    assert "Jaweti shinanpari" not in own  # the project's label is written in Shipibo already


def test_avoid_words_come_from_the_theme_and_the_project_extends_them(tmp_path: Path) -> None:
    from plainlang.checks.project import plain_options
    from plainlang.config import parse_config

    root = tmp_path / "p"
    (root / "plain").mkdir(parents=True)
    text = '[project]\nsource_locale = "en"\nlocales = ["es"]\n'
    config = parse_config(text, root / "plainlang.toml")
    shipped = plain_options(config, "en", root).avoid_words
    assert shipped["utilize"] == "use"
    (root / "plain/avoid-en.csv").write_text("word,plain\nutilize,make use of\nendeavour,try\n")
    own = plain_options(config, "en", root).avoid_words
    assert own["utilize"] == "make use of" and own["endeavour"] == "try"
    assert set(shipped) < set(own)
    config = parse_config(text + "[checks.plain]\navoid_words_shipped = false\n", root / "plainlang.toml")
    assert plain_options(config, "en", root).avoid_words == {"utilize": "make use of", "endeavour": "try"}
    assert plain_options(config, "qu", root).avoid_words == {}


# -- theme list and theme copy ---------------------------------------------------------------


def test_theme_copy_copies_files_and_folders_and_never_clobbers(run, project):
    from conftest import snapshot

    result = run("-C", project, "theme", "copy", "css/theme-youth.css", "layouts/flyer.html.j2")
    assert result.code == 0, result.err
    copied = project / "templates/css/theme-youth.css"
    assert copied.read_bytes() == (SHIPPED_THEME / "css/theme-youth.css").read_bytes()
    assert (project / "templates/layouts/flyer.html.j2").is_file()
    copied.write_text("/* ours */\n")
    before = snapshot(project)
    # css/ holds the file already copied: refused, and nothing else copied either
    result = run("-C", project, "theme", "copy", "css/")
    assert result.code == 2 and "templates/css/theme-youth.css already exists" in result.err
    assert snapshot(project) == before
    for bad in ("css/nothing.css", "../plainlang.toml", "/etc/passwd"):
        result = run("-C", project, "theme", "copy", bad)
        assert result.code == 2 and "not a file or folder of the shipped theme" in result.err
    assert snapshot(project) == before
    assert run("-C", project, "theme", "copy", "--force", "css/").code == 0
    assert copied.read_bytes() == (SHIPPED_THEME / "css/theme-youth.css").read_bytes()
    assert (project / "templates/css/base.css").is_file()
    # a theme catalog goes to the project's locales/, where it overrides entry by entry
    assert run("-C", project, "theme", "copy", "locales/qu/LC_MESSAGES/ui.po").code == 0
    assert (project / "locales/qu/LC_MESSAGES/ui.po").read_bytes() == (
        SHIPPED_THEME / "locales/qu/LC_MESSAGES/ui.po"
    ).read_bytes()


def test_theme_list_says_what_the_project_overrides(run, project):
    override(project, "css/base.css")
    result = run("-C", project, "theme", "list")
    assert result.code == 0, result.err
    lines = dict(line.split("  ", 1) for line in result.out.splitlines())
    assert lines["css/base.css"] == "overridden by templates/css/base.css"
    assert lines["css/flyer.css"] == "shipped"
    assert lines["sample.j2"] == "project's own (templates/sample.j2)"
    assert lines["locales/es/LC_MESSAGES/ui.po"] == "shipped"
    assert len(lines) >= len(Theme(project / "templates").shipped_files())
