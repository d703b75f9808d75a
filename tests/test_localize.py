"""Localizing along the fallback chain: statuses, drafts only where allowed."""

from __future__ import annotations

import polib

from plainlang.catalogs import load_cases
from plainlang.config import load_config
from plainlang.localize import CatalogSet, Status, localize


def _localized(project, locale):
    config = load_config(project)
    case = load_cases(config, ["water"])[0]
    return case, localize(case, locale, CatalogSet(config))


def test_statuses_along_the_chain(leaflet_project):
    case, lc = _localized(leaflet_project, "qu")
    by_msgid = {s.msgid: lc.text(s) for s in case.segments()}
    title = by_msgid["Ask about the water project"]
    assert (title.status, title.locale, title.text) == (Status.DRAFT, "qu", "Yaku ruraymanta tapukuy")
    desk = by_msgid["Hand it in at the front desk."]
    assert (desk.status, desk.locale, desk.text) == (
        Status.FALLBACK,
        "es",
        "Entréguela en mesa de partes.",
    )
    counts = lc.counts()
    # The title also stands as the first heading: two segments, one entry.
    assert counts[Status.DRAFT] == 3 and counts[Status.TRANSLATED] == 1  # "9" needs none
    assert round(lc.coverage(), 1) == round(100 / len(list(case.segments())), 1)


def test_fuzzy_not_used_unless_allowed(leaflet_project):
    config_path = leaflet_project / "plainlang.toml"
    config_path.write_text(config_path.read_text().replace("use_fuzzy = true\n", ""))
    case, lc = _localized(leaflet_project, "qu")
    title = lc.text(case.title)
    assert title.status == Status.FALLBACK and title.text == "Pregunte por el proyecto de agua"


def test_fuzzy_in_a_fallback_locale_is_never_used(leaflet_project):
    path = leaflet_project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(path))
    po.find("Write a short letter.").flags.append("fuzzy")
    po.save()
    case, lc = _localized(leaflet_project, "ay")  # ay -> es; nothing in ay
    texts = {s.msgid: lc.text(s) for s in case.segments()}
    letter = texts["Write a short letter."]
    assert (letter.status, letter.text) == (Status.SOURCE, "Write a short letter.")
    assert texts["Citizens"].status == Status.FALLBACK


def test_numbers_only_segments_count_as_translated(leaflet_project):
    case, lc = _localized(leaflet_project, "es")
    nine = next(s for s in case.segments() if s.msgid == "9")
    assert lc.text(nine).status == Status.TRANSLATED
    assert lc.coverage() == 100.0


def test_source_locale_leaflet_is_the_original(leaflet_project):
    _, lc = _localized(leaflet_project, "en")
    assert {t.status for t in lc.texts.values()} == {Status.TRANSLATED}
    assert all(t.text == s.msgid for s, t in lc.texts.items())


def test_stale_fuzzy_from_a_changed_source_is_never_printed(run, leaflet_project):
    """A draft is printed where drafts are allowed, but not a translation of an old text."""
    po_file = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    po = polib.pofile(str(po_file))
    entry = po.find("Write a short letter.")
    entry.previous_msgid = "Write a long letter."  # what `update` writes after a source edit
    po.save()
    case, lc = _localized(leaflet_project, "qu")
    letter = next(s for s in case.segments() if s.msgid == "Write a short letter.")
    assert lc.text(letter).status == Status.FALLBACK
    assert lc.text(case.title).status == Status.DRAFT  # a plain draft still prints


def test_ui_drafts_are_noticed(leaflet_project):
    """The theme's Quechua ui strings are drafts: a leaflet that prints them says so."""
    from plainlang.render import UiTranslations
    from plainlang.theme import SHIPPED_THEME

    config = load_config(leaflet_project)
    assert UiTranslations(CatalogSet(config), "qu").has_drafts  # the theme's drafts print
    assert not UiTranslations(CatalogSet(config), "ay").has_drafts  # ay prints no drafts
    assert not UiTranslations(CatalogSet(config), "es").has_drafts
    # The project checks every theme string: no draft is left.
    shipped = polib.pofile(str(SHIPPED_THEME / "locales/qu/LC_MESSAGES/ui.po"))
    path = leaflet_project / "locales/qu/LC_MESSAGES/ui.po"
    own = polib.POFile()
    own.metadata = {"Content-Type": "text/plain; charset=utf-8", "Language": "qu"}
    for entry in (e for e in shipped if not e.obsolete):
        checked = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=f"[checked] {entry.msgid}")
        if entry.msgid_plural:
            checked.msgid_plural = entry.msgid_plural
            checked.msgstr = ""
            checked.msgstr_plural = {0: "[checked] one", 1: "[checked] more"}
        own.append(checked)
    own.save(str(path))
    ui = UiTranslations(CatalogSet(config), "qu")
    assert not ui.has_drafts and ui.gettext("Your correction") == "[checked] Your correction"
    # ... and one entry of its own is a draft again.
    po = polib.pofile(str(path))
    po[0].msgstr = "Borrador"
    po[0].flags.append("fuzzy")
    po.save()
    ui = UiTranslations(CatalogSet(config), "qu")
    assert ui.has_drafts and ui.gettext(po[0].msgid) == "Borrador"
