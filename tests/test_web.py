"""The web page: every sample page opened in Chromium (Debian's, driven by Playwright).

Each page must ask for nothing but itself, pass axe-core's WCAG 2.1 A and AA rules, fit a
360 px phone without scrolling sideways, stay light in a dark system theme, say which
passages are in another language, and show the same draft and fallback marks as the
leaflets. Hostile translations stay text.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import polib
import pytest
from axe_playwright_python.sync_playwright import Axe
from fontTools.ttLib import TTFont
from pdftags import letters
from PIL import Image, ImageChops

from plainlang.cli import main

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def pages(built_sample: Path) -> list[Path]:
    found = sorted((built_sample / "build/html").rglob("*.html"))
    assert len(found) == 27  # 3 cases x 3 locales x 3 audiences
    return found


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, path: Path, color_scheme: str = "light"):
    """A new phone-sized page showing ``path``, with every request it made."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=color_scheme)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, requests


def test_a_page_asks_for_nothing_but_itself(browser, pages):
    for path in pages:
        context, page, requests = _open(browser, path)
        try:
            others = [u for u in requests if u != path.as_uri() and not u.startswith("data:")]
            assert not others, (path.name, others)
            # the fonts it draws with came from inside it
            assert page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length") >= 2
        finally:
            context.close()
        html = path.read_text(encoding="utf-8")
        # nothing to fetch, in the file itself: no <link>, <script>, other src or url()
        assert "<link" not in html and "<script" not in html, path.name
        assert not [s for s in re.findall(r'\bsrc="([^"]*)"', html) if not s.startswith("data:")]
        assert not [u for u in re.findall(r"url\(([^)]*)\)", html) if not u.strip("\"'").startswith("data:")]
        assert len(html.encode("utf-8")) < 150_000, (path.name, len(html))


def test_axe_finds_no_wcag_2_1_aa_violation(browser, pages):
    axe = Axe()
    for path in pages:
        context, page, _ = _open(browser, path)
        try:
            result = axe.run(
                page, options={"runOnly": {"type": "tag", "values": WCAG21_AA}}
            ).response
        finally:
            context.close()
        violations = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})"
            for v in result["violations"]
        ]
        assert not violations, f"{path.name}:\n" + "\n".join(violations)
        passed = {rule["id"] for rule in result["passes"]}
        # axe did look: the page's language, contrast, names of images and links
        assert {"html-has-lang", "color-contrast", "svg-img-alt", "link-name"} <= passed, passed
        if path.parent.name != "es":  # passages in Spanish: axe checked their lang
            assert "valid-lang" in passed, path.name


def test_axe_would_see_a_violation(browser, pages, tmp_path):
    """The check above can fail: the same page with grey-on-white text does."""
    bad = tmp_path / "bad.html"
    html = pages[0].read_text(encoding="utf-8")
    bad.write_text(html.replace("</main>", '<p style="color:#bbb">Low contrast</p></main>'), encoding="utf-8")
    context, page, _ = _open(browser, bad)
    try:
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG21_AA}}).response
    finally:
        context.close()
    assert "color-contrast" in {v["id"] for v in result["violations"]}


def test_a_page_reads_on_a_phone_and_stays_light(browser, pages, tmp_path):
    for path in pages:
        shots = []
        for scheme in ("light", "dark"):
            context, page, _ = _open(browser, path, color_scheme=scheme)
            try:
                # one column: nothing wider than the screen, no sideways scrolling
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, path.name
                wide = page.evaluate(
                    "[...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 361).map(e => e.outerHTML.slice(0, 80))"
                )
                assert not wide, (path.name, wide)
                assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
                shots.append(page.screenshot(full_page=True))
            finally:
                context.close()
        # explicitly light: a dark system theme changes nothing
        light, dark = (Image.open(io.BytesIO(s)).convert("RGB") for s in shots)
        assert light.size == dark.size and ImageChops.difference(light, dark).getbbox() is None, path.name
    (tmp_path / "phone.png").write_bytes(shots[0])  # to look at: pytest --basetemp=DIR


def _texts_by_lang(page) -> dict[str, str]:
    """The page's words by the language the page says they are in (inherited lang)."""
    pairs = page.evaluate(
        """() => {
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const holder = node.parentElement.closest('[lang]');
            out.push([holder ? holder.getAttribute('lang') : '', node.textContent]);
          }
          return out;
        }"""
    )
    by_lang: dict[str, str] = {}
    for lang, text in pairs:
        by_lang[lang] = by_lang.get(lang, "") + letters(text)
    return by_lang


def _localized(root: Path, path: Path):
    from plainlang.catalogs import load_cases
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet, localize

    config = load_config(root)
    audience = path.stem.rsplit("-", 1)[1]
    (case,) = load_cases(config, [path.stem[: -len(f"-{audience}")]])
    catalogs = CatalogSet(config)
    return config, catalogs, localize(case, path.parent.name, catalogs), audience


def test_every_passage_in_another_language_says_so(browser, pages, built_sample):
    from plainlang.localize import Status
    from plainlang.markup import plain_text

    checked = 0
    for path in pages:
        config, _, lc, audience = _localized(built_sample, path)
        lang = config.locale_info[lc.locale].lang
        context, page, _ = _open(browser, path)
        try:
            assert page.evaluate("document.documentElement.lang") == lang
            by_lang = _texts_by_lang(page)
        finally:
            context.close()
        for text in lc.visible(audience):
            text_lang = config.locale_info[text.locale].lang if text.locale in config.locale_info else text.locale
            words = [letters(w) for w in plain_text(text.text).split() if len(letters(w)) >= 4]
            if text.status in (Status.FALLBACK, Status.SOURCE):
                missing = [w for w in words if w not in by_lang.get(text_lang, "")]
                assert not missing, (path.name, text.text, missing)
                checked += 1
    assert checked > 20


def test_the_same_draft_and_fallback_marks_as_the_leaflets(pages, built_sample):
    from plainlang.render import LeafletRenderer

    for path in pages:
        config, catalogs, lc, audience = _localized(built_sample, path)
        phone = LeafletRenderer(config, catalogs).html(lc, audience, "phone")
        # (the web page's cover also lists the questions inside, as the trifold's does)
        # and its stylesheet is inside it: only the body counts
        web = path.read_text(encoding="utf-8").split("<body", 1)[1]
        web = re.sub(r'<nav class="inside">.*?</nav>', "", web, flags=re.S)
        for mark in ("status-draft", "status-fallback", "status-source", "notice-draft", "notice-fallback"):
            assert web.count(mark) == phone.count(mark), (path.name, mark)
        if lc.locale != "es":
            assert "status-draft" in web and "notice-draft" in web


def test_the_fonts_inside_draw_every_character_and_no_more_than_needed(pages):
    for path in pages[:3]:
        html = path.read_text(encoding="utf-8")
        fonts = re.findall(r'url\("data:font/woff;base64,([^"]+)"\)', html)
        assert len(fonts) == 4
        body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
        text = re.sub(r"<[^>]+>", "", body)
        needed = {ord(c) for c in text if c.strip() and c not in "\u00ad"}
        for data in fonts:
            font = TTFont(io.BytesIO(base64.b64decode(data)))
            cmap = set(font.getBestCmap())
            assert needed <= cmap, (path.name, sorted(chr(c) for c in needed - cmap))
            assert len(cmap) < 300  # a subset, not the font's thousands of glyphs


def _cli(*args: object) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


def test_hostile_translations_stay_text_on_the_page(leaflet_project, browser):
    po_path = leaflet_project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(po_path))
    hostile = {
        "Write a short letter.": '<script>window.pwned = 1</script><img src="https://evil.example/x.png" onerror="window.pwned = 2">',
        "Hand it in at the front desk.": "[Click](javascript:window.pwned=3) and <!--plainlang:styles--> </style><style>body{display:none}</style>",
        "Who": '<a href="file:///etc/passwd">x</a>',
    }
    for msgid, msgstr in hostile.items():
        entry = po.find(msgid)
        entry.msgstr = msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    shutil.rmtree(leaflet_project / "build", ignore_errors=True)
    code = _cli("--project", leaflet_project, "build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--layout", "phone", "--format", "html")
    assert code == 0
    path = leaflet_project / "build/html/es/water-youth.html"
    context, page, requests = _open(browser, path)
    try:
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('style').length") == 1
        assert page.evaluate("getComputedStyle(document.body).display") == "block"
        hrefs = page.evaluate("[...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'))")
        assert all(h.startswith(("https://", "http://", "mailto:", "tel:")) for h in hrefs), hrefs
        text = page.evaluate("document.body.innerText")
        assert "<script>window.pwned = 1</script>" in text
        assert "<!--plainlang:styles-->" in text
        assert [u for u in requests if not u.startswith("data:")] == [path.as_uri()]
    finally:
        context.close()


def test_a_picture_of_the_case_is_inside_the_page(leaflet_project, browser):
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(picture, format="PNG")
    (leaflet_project / "content/cases/map.png").write_bytes(picture.getvalue())
    case = leaflet_project / "content/cases/water.md"
    text = case.read_text(encoding="utf-8") + "\n![A red map](map.png)\n"
    args = ("--project", leaflet_project, "build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--format", "html")
    # A picture from the network is refused at its line, as for the PDFs: nothing is made.
    case.write_text(text + "\n![Far away](https://evil.example/far.png)\n", encoding="utf-8")
    assert _cli(*args) == 2
    assert not (leaflet_project / "build/html").exists()
    case.write_text(text, encoding="utf-8")
    code = _cli(*args)
    assert code == 0
    path = leaflet_project / "build/html/es/water-youth.html"
    html = path.read_text(encoding="utf-8")
    assert 'alt="A red map"' in html and "evil.example" not in html
    context, page, requests = _open(browser, path)
    try:
        sizes = page.evaluate("[...document.images].map(i => [i.alt, i.naturalWidth, i.src.slice(0, 22)])")
        assert ["A red map", 40, "data:image/png;base64,"] in sizes
        assert [u for u in requests if not u.startswith("data:")] == [path.as_uri()]
    finally:
        context.close()
