"""PDF/UA of every sample leaflet, judged by an outside checker and by reading the tags back.

`pdfua` (PyPI, built on pikepdf) checks the machine-checkable part of PDF/UA-1 and finds
nothing in any leaflet the sample builds. What it does not check (the language of each
passage, the reading order) is read back here with pikepdf and pdfium: the tags must say
what the page shows, in the order a reader reads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pdftags import letters, read_tags
from pdfua import validate

#: Rules that pdfua 0.1.3 cannot run on a correct file, with the error it raises. UA-14-001
#: (headings are not empty) calls ``getattr(kid, "is_integer", False)`` on a struct
#: element's /K array; pikepdf 10 raises ValueError there, not AttributeError, so the rule
#: never runs on any tagged PDF whose headings hold an array of kids (every WeasyPrint PDF).
#: The same check is made below (test_headings_are_not_empty), so nothing goes unchecked.
PDFUA_CANNOT_RUN = {"UA-14-001": "cannot get key '/is_integer' on object of type array"}


@pytest.fixture(scope="module")
def pdfs(built_sample: Path) -> list[Path]:
    # The flyers' -sheets.pdf are imposed A4 sheets for the printer: no tags, no UA claim.
    found = sorted(p for p in (built_sample / "build" / "pdf").rglob("*.pdf")
                   if not p.name.endswith("-sheets.pdf"))
    # 3 cases x 3 locales x 3 audiences x (trifold, phone), and the 3 Spanish flyers.
    assert len(found) == 57, [p.name for p in found]
    return found


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_pdfua_finds_nothing_in_any_sample_leaflet(pdfs):
    problems = []
    for path in pdfs:
        report = validate(str(path))
        problems += [
            f"{_name(path)}: {f.rule_id} {f.severity.name} {f.location}: {f.message}"
            for f in report.findings
        ]
        for outcome in report.outcomes:
            if outcome.skipped_reason is None:
                continue
            known = PDFUA_CANNOT_RUN.get(outcome.rule_id)
            if known is None or known not in outcome.skipped_reason:
                problems.append(f"{_name(path)}: {outcome.rule_id} not run: {outcome.skipped_reason}")
    assert not problems, "\n".join(problems)


def test_headings_are_not_empty(pdfs):
    """PDF/UA-1 7.4 (pdfua's UA-14-001, which pdfua cannot run): every heading has text."""
    for path in pdfs:
        tags = read_tags(path)
        headings = [e for e in tags.document.walk() if e.s in ("H1", "H2", "H3", "H4", "H5", "H6")]
        assert headings, _name(path)
        for heading in headings:
            assert letters(tags.text_of(heading)), f"{_name(path)}: empty {heading.s}"


def test_figures_have_alt_text_and_pictograms_are_artifacts(pdfs, built_sample):
    for path in pdfs:
        config, lc, _, _ = _leaflet_texts(built_sample, path)
        url = lc.case.qr or config.contact
        tags = read_tags(path)
        figures = tags.elements("Figure")
        # The QR code is the one figure: every pictogram stands next to the words that say
        # what it means, so it is decoration, drawn as an artifact.
        assert len(figures) == 1, (_name(path), [f.alt for f in figures])
        qr = figures[0]
        # its alternative text says where it leads, in the leaflet's language
        assert qr.alt and url in qr.alt and qr.alt != url, (_name(path), qr.alt)
        if lc.locale == "es":
            assert qr.alt == f"Código QR que abre {url}"
        marked_figures = sum(page.count(b"/Figure") for page in tags.content)
        assert marked_figures == 1, _name(path)
        # ... and the pictograms are still drawn, as artifacts (that they look the same as
        # before is test_tagging's test_artifacts_look_the_same)
        artifacts = sum(page.count(b"/Artifact BMC") for page in tags.content)
        assert artifacts >= 3, (_name(path), artifacts)


def _leaflet_texts(root: Path, path: Path):
    """The localized case of a built PDF: (config, localized case, audience, layout)."""
    from plainlang.catalogs import load_cases
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet, localize

    config = load_config(root)
    locale = path.parent.name
    stem = path.stem
    layout = stem.rsplit("-", 1)[1]
    audience = stem.rsplit("-", 2)[1]
    case_id = stem[: -len(f"-{audience}-{layout}")]
    (case,) = load_cases(config, [case_id])
    return config, localize(case, locale, CatalogSet(config)), audience, layout


def test_passages_in_another_language_carry_their_lang(pdfs, built_sample):
    """A Spanish fallback in a Quechua leaflet is tagged Spanish, down to the ui's words."""
    from plainlang.localize import CatalogSet, Status
    from plainlang.markup import plain_text
    from plainlang.render import UiTranslations

    checked = 0
    for path in pdfs:
        if path.parent.name == "es":
            continue
        config, lc, audience, _ = _leaflet_texts(built_sample, path)
        tags = read_tags(path)
        assert tags.lang == config.locale_info[lc.locale].lang
        by_lang: dict[str, str] = {}
        for elem in tags.document.walk():
            for mcid in elem.mcids:
                if mcid in tags.runs:
                    by_lang[elem.lang] = by_lang.get(elem.lang, "") + letters(tags.runs[mcid].text)
        everything = "".join(by_lang.values())
        # The case's segments a fallback lends: each is printed, and tagged its language.
        expected: list[tuple[str, str]] = []
        for text in lc.visible(audience):
            if text.status in (Status.FALLBACK, Status.SOURCE):
                expected.append((config.locale_info[text.locale].lang, plain_text(text.text)))
        assert expected, f"{_name(path)}: the sample's drafts have fallbacks in every leaflet"
        # The theme's words a fallback ui catalog lends, where the layout prints them.
        ui = UiTranslations(CatalogSet(config), lc.locale)
        for entry in ui.chain[-1][0]:
            if entry.msgid and not entry.msgid_plural and ui.lang_for(entry.msgid) != ui.lang:
                shown = ui.gettext(entry.msgid)
                if "%(" not in shown and letters(shown) and letters(shown) in everything:
                    expected.append((ui.lang_for(entry.msgid), shown))
        for lang, text in expected:
            words = [letters(w) for w in text.split() if len(letters(w)) >= 4]
            tagged = by_lang.get(lang, "")
            # Every word of the passage is in the text tagged `lang` (words, not the whole
            # passage: a link prints its address after its words).
            missing = [w for w in words if w not in tagged]
            assert not missing, f"{_name(path)}: {text!r} not tagged {lang}: {missing}"
            checked += 1
    assert checked > 50


def test_trifold_tags_follow_the_reading_order(pdfs, built_sample):
    """Cover, then the three inside panels, then the flap, then the back (the page order
    is flap, back, cover for the fold): the document's four parts, checked by where on
    the sheet each part's text is drawn."""
    trifolds = [p for p in pdfs if p.stem.endswith("-trifold")]
    assert len(trifolds) == 27
    for path in trifolds:
        _, lc, _, _ = _leaflet_texts(built_sample, path)
        tags = read_tags(path)
        parts = tags.document.kids
        assert len(parts) == 4, (_name(path), [p.s for p in parts])
        width = tags.page_sizes[0][0]
        where = []
        for part in parts:
            runs = [(page, tags.runs[(page, mcid)]) for page, mcid in part.all_mcids() if (page, mcid) in tags.runs]
            assert runs, _name(path)
            pages = {page for page, _ in runs}
            assert len(pages) == 1, (_name(path), pages)
            centre = sum((r.left + r.right) / 2 for _, r in runs) / len(runs)
            where.append((pages.pop(), int(3 * centre // width)))
        # side one (page 1): flap left, back middle, cover right; side two: the inside
        assert where[0] == (0, 2), (_name(path), where)
        assert where[1][0] == 1, (_name(path), where)
        assert where[2] == (0, 0), (_name(path), where)
        assert where[3] == (0, 1), (_name(path), where)
        # and the first words read are the title's
        title = letters(plain_title(lc))
        assert letters(tags.text_of(parts[0])).find(title[:20]) != -1, _name(path)


def plain_title(lc) -> str:
    from plainlang.markup import plain_text

    return plain_text(lc.text(lc.case.title).text)


def test_print_sheets_claim_no_pdf_ua(built_sample: Path) -> None:
    """The flyers' imposed sheets are for the printer, not for screen readers: they say
    nothing they are not (no structure tree, no PDF/UA identification)."""
    import pikepdf

    sheets = sorted((built_sample / "build" / "pdf").rglob("*-sheets.pdf"))
    assert sheets
    for path in sheets:
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" not in pdf.Root
            claims = pdf.open_metadata()
            assert not [k for k in claims if "pdfuaid" in k], path.name
