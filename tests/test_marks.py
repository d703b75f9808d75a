"""Every passage is honest about itself (issue 12): each text a leaflet prints as a draft
or in another language carries its mark on the page and its ``lang`` in the HTML, whatever
its kind: the case's text (title, summary, headings, paragraphs, list items, quotes and
their attribution, table cells, image captions and alt text, the source line) and the
theme's own text (labels, call-outs, next steps, the back page's notes, the QR code's text).

The test walks the HTML of every sample leaflet and of a Quechua leaflet whose theme
catalog is empty, and decides for every text node, from the view model (the localized
case) and from the ui catalogs (read here with polib, apart from the renderer), what it
is: a checked translation, a draft, or text in another language. The HTML is parsed as a
browser parses it: of two ``class`` attributes on one element, only the first counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from conftest import copy_sample

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Where a mark is seen, and what it says (the back page's notes are the legend's samples).
MARKS = {
    "status-draft": "draft",
    "status-fallback": "other",
    "status-source": "other",
    "notice-draft": "legend-draft",
    "notice-fallback": "legend-other",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None
    kids: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)

    def ancestors(self):
        node: Node | None = self
        while node is not None:
            yield node
            node = node.parent

    def lang(self) -> str:
        return next((n.attrs["lang"] for n in self.ancestors() if "lang" in n.attrs), "")

    def mark(self) -> str | None:
        """What the nearest marked element says of its text (None: nothing marked)."""
        for node in self.ancestors():
            for cls in node.attrs.get("class", "").split():
                if cls in MARKS:
                    return MARKS[cls]
        return None

    def inside(self, tag: str) -> bool:
        return any(n.tag == tag for n in self.ancestors())

    def walk(self):
        for kid in self.kids:
            if isinstance(kid, str):
                yield self, kid
            else:
                yield from kid.walk()

    def elements(self):
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.elements()


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        first: dict[str, str] = {}
        for name, value in attrs:  # a browser keeps the first of two attributes
            first.setdefault(name, value or "")
        node = Node(tag, first, self.current)
        self.current.kids.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent or self.root

    def handle_endtag(self, tag):
        for node in self.current.ancestors():
            if node.tag == tag:
                self.current = node.parent or self.root
                return

    def handle_data(self, data):
        self.current.kids.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def norm(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


@dataclass(frozen=True)
class Expect:
    status: str  # translated | draft | fallback | source
    lang: str
    what: str


# -- what each text is, from the catalogs and the view model -------------------------------


def ui_strings(config, theme_po, locale: str) -> list[tuple[re.Pattern[str], Expect]]:
    """Each ui string along the leaflet's chain as printed (a pattern: placeholders match
    anything) and what it is: the first usable translation wins; fuzzy counts (as a
    draft) only in the leaflet's own locale when it allows drafts; else the msgid."""
    from plainlang.catalogs import ui_chain

    theme = config.theme
    chain = list(ui_chain(config, locale))
    lang = lambda code: config.locale_info[code].lang if code in config.locale_info else code  # noqa: E731
    files: list[tuple[str, bool, polib.POFile]] = []
    for index, loc in enumerate(chain):
        allow = index == 0 and config.locale_info[loc].use_fuzzy if loc in config.locale_info else False
        own = config.locales_dir / loc / "LC_MESSAGES" / "ui.po"
        for path in (own, theme_po(loc)):
            if path is not None and Path(path).is_file():
                files.append((loc, allow, polib.pofile(str(path))))
    msgids = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(theme.ui_template()))}
    project_pot = config.locales_dir / "ui.pot"
    if project_pot.is_file():
        msgids.update({(e.msgctxt, e.msgid): e for e in polib.pofile(str(project_pot))})
    out = []
    for (ctxt, msgid), template in msgids.items():
        forms = [msgid] + ([template.msgid_plural] if template.msgid_plural else [])
        found: tuple[list[str], str, bool] | None = None
        for loc, allow, po in files:
            entry = next((e for e in po if e.msgid == msgid and e.msgctxt == ctxt and not e.obsolete), None)
            if entry is None:
                continue
            fuzzy = "fuzzy" in entry.flags
            if fuzzy and (not allow or entry.previous_msgid):
                continue
            strings = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            if strings and all(strings):
                found = (strings, loc, fuzzy)
                break
        if found is None:
            expect = Expect("source", lang(config.source_locale), msgid)
            texts = forms
        else:
            strings, loc, fuzzy = found
            status = "draft" if fuzzy else "translated" if loc == chain[0] else "fallback"
            if status == "fallback" and lang(loc) == lang(chain[0]):
                status = "translated"
            expect = Expect(status, lang(loc), msgid)
            texts = strings
        for text in texts:
            pattern = re.escape(norm(text.replace("%%", "%")))
            pattern = re.sub(r"%\\\(\w+\\\)s", "(.+?)", pattern)
            out.append((re.compile(pattern), expect))
    return out


def case_texts(leaflet) -> dict[str, set[Expect]]:
    """Each text of the case the leaflet prints, by its plain words: what it is."""
    found: dict[str, set[Expect]] = {}

    def add(view, what):
        if view is not None:
            found.setdefault(norm(view.plain), set()).add(Expect(view.status, view.lang, what))

    add(leaflet.title, "title")
    add(leaflet.summary, "summary")
    add(leaflet.source, "source line")

    def walk(blocks):
        for b in blocks:
            add(b.text, b.type)
            add(b.attribution, "attribution")
            for group, what in ((b.items, "list item"), (b.paragraphs, "quote"), (b.header, "table header")):
                for t in group:
                    add(t, what)
            for row in b.rows:
                for t in row:
                    add(t, "table cell")
            walk(b.blocks)

    walk(leaflet.blocks)
    return found


def _one(expects: set[Expect]) -> Expect:
    # The same words twice in a case are the same translation: one status.
    return sorted(expects, key=lambda e: e.status)[0]


def classify(node: Node, text: str, cases, ui, neutral: set[str]) -> Expect | None:
    """What the text node ``text`` (inside ``node``) is, or None for text in no language
    (a web address, the publisher's name, the language's own name)."""
    for pattern, expect in ui:  # a whole ui string, alone in its node
        if pattern.fullmatch(text):
            return expect
    for element in node.ancestors():
        if element.tag in ("body", "#document"):
            break
        words = norm(element.text())
        if words.removeprefix("— ") in cases:  # an attribution's dash is the template's
            return _one(cases[words.removeprefix("— ")])
        for pattern, expect in ui:
            if pattern.fullmatch(words):
                return expect
        if words in neutral:
            return None
    if text in neutral or re.fullmatch(r"(https?://\S+|[\W\d_]+)", text):
        return None
    return Expect("unknown", "", text)


def problems(html: str, leaflet, config, theme_po) -> tuple[list[str], int]:
    """Every passage that says less than it should about itself, and how many were read."""
    root = parse(html)
    cases = case_texts(leaflet)
    ui = ui_strings(config, theme_po, leaflet.locale.code)
    neutral = {
        norm(x)
        for x in (leaflet.locale.name, leaflet.publisher or "", leaflet.contact or "", leaflet.qr_url or "")
        if x
    }
    html_el = next(e for e in root.elements() if e.tag == "html")
    assert html_el.attrs.get("lang") == leaflet.lang
    out: list[str] = []
    read = 0
    body = next(e for e in root.elements() if e.tag == "body")
    for node, raw in body.walk():
        if node.tag in ("style", "script"):
            continue
        text = norm(raw)
        if not re.search(r"[^\W\d_]", text):
            continue
        if leaflet.date and text == norm(leaflet.date):
            expect = Expect("translated", leaflet.date_lang, "date")  # a date: its language
        else:
            expect = classify(node, text, cases, ui, neutral)
        if expect is None:
            continue
        if expect.status == "unknown":
            out.append(f"a text that is no passage of the view model: {text[:60]!r}")
            continue
        read += 1
        where = f"{expect.what} {text[:50]!r}"
        if node.lang() != expect.lang:
            out.append(f"{where}: lang {node.lang()!r}, it is in {expect.lang!r}")
        if node.inside("svg") or expect.what == "date":
            continue  # not seen on the page (the QR code's text alternative); a date's words
        mark = node.mark()
        if expect.status == "draft" and mark not in ("draft", "legend-draft"):
            out.append(f"{where}: a draft, marked {mark}")
        elif expect.status in ("fallback", "source") and mark not in ("other", "legend-other"):
            out.append(f"{where}: in {expect.lang}, marked {mark}")
        elif expect.status == "translated" and mark in ("draft", "other"):
            out.append(f"{where}: a checked translation, marked {mark}")
    # The notes on the back explain every mark the leaflet prints.
    classes = {c for e in root.elements() for c in e.attrs.get("class", "").split()}
    if "status-draft" in classes and "notice-draft" not in classes:
        out.append("drafts marked, and no note says what the dotted line means")
    if classes & {"status-fallback", "status-source"} and "notice-fallback" not in classes:
        out.append("text in another language marked, and no note says what the double line means")
    # Text a screen reader reads but nobody sees: the page title, picture descriptions.
    for element in root.elements():
        title = element.tag == "title" and not element.inside("svg")
        if title and element.lang() != leaflet.title.lang:
            out.append(f"page title: lang {element.lang()!r}, it is in {leaflet.title.lang!r}")
        if element.tag == "img" and element.attrs.get("alt"):
            expect = _one(cases[norm(element.attrs["alt"])])
            if element.lang() != expect.lang:
                out.append(f"image alt {element.attrs['alt'][:40]!r}: lang {element.lang()!r}")
        described = element.tag == "meta" and element.attrs.get("name") == "description"
        if described and leaflet.summary and element.lang() != leaflet.summary.lang:
            out.append(f"page description: lang {element.lang()!r}")
    return out, read


# -- the leaflets ---------------------------------------------------------------------------


def _leaflets(root: Path, catalogs_for=None):
    from plainlang.catalogs import load_cases
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet, localize
    from plainlang.render import LeafletRenderer

    config = load_config(root)
    catalogs = (catalogs_for or CatalogSet)(config)
    renderer = LeafletRenderer(config, catalogs)
    return config, catalogs, renderer, load_cases(config, None), localize


SAMPLE_LAYOUTS = ("trifold", "phone", "flyer")


def test_every_passage_of_every_sample_leaflet_is_marked(tmp_path):
    root = copy_sample(tmp_path / "sample")
    config, catalogs, renderer, cases, localize = _leaflets(root)
    assert set(config.layouts) <= set(SAMPLE_LAYOUTS)
    found: list[str] = []
    kinds: set[tuple[str, str]] = set()
    read = 0
    for case in cases:
        for locale in config.locales:
            lc = localize(case, locale, catalogs)
            for audience in config.audiences:
                for layout in SAMPLE_LAYOUTS:
                    html = renderer.html(lc, audience, layout)
                    leaflet = renderer.leaflet(lc, audience, layout)
                    bad, n = problems(html, leaflet, config, config.theme.ui_catalog)
                    read += n
                    found += [f"{case.id} {locale} {audience} {layout}: {p}" for p in bad]
                    for texts in case_texts(leaflet).values():
                        kinds |= {(e.what, e.status) for e in texts}
    assert not found, "\n".join(sorted(set(p.split(": ", 1)[1] for p in found))[:60]) + f"\n({len(found)} in all)"
    assert read > 3000
    # the walk saw drafts and text in another language, in front matter and body alike
    assert {("summary", "draft"), ("title", "draft"), ("paragraph", "draft")} <= kinds
    assert any(status in ("fallback", "source") for _, status in kinds)


def _empty_quechua_theme(empty: Path):
    """A catalog set whose theme's Quechua ui catalog is ``empty`` (a real PO file)."""
    from plainlang.catalogs import load_po
    from plainlang.localize import CatalogSet

    class EmptyThemeQu(CatalogSet):
        def theme_ui(self, locale):
            if locale == "qu":
                return load_po(empty, self.config.root, domain="ui")
            return super().theme_ui(locale)

    return EmptyThemeQu


def test_a_quechua_leaflet_whose_theme_catalog_is_empty_marks_the_theme_text(tmp_path):
    from plainlang.theme import SHIPPED_THEME

    root = copy_sample(tmp_path / "sample")
    empty = root / "theme-qu-ui.po"
    po = polib.pofile(str(SHIPPED_THEME / "locales/qu/LC_MESSAGES/ui.po"))
    for entry in po:
        entry.msgstr = ""
        entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save(str(empty))
    config, catalogs, renderer, cases, localize = _leaflets(root, _empty_quechua_theme(empty))
    for case in cases:
        lc = localize(case, "qu", catalogs)
        for layout in ("trifold", "phone"):
            html = renderer.html(lc, "youth", layout)
            leaflet = renderer.leaflet(lc, "youth", layout)
            theme_po = lambda loc: empty if loc == "qu" else config.theme.ui_catalog(loc)  # noqa: E731
            bad, read = problems(html, leaflet, config, theme_po)
            assert not bad, "\n".join(bad[:40])
            assert read > 40
            # the theme's words are Spanish: tagged, marked, and the legend explains the mark
            assert html.count('lang="es" class="status-fallback"') > 10
            assert "notice-fallback" in html and "español" in html


@pytest.mark.parametrize("bad", ['<p class="summary" class="status-draft">x</p>'])
def test_the_walk_reads_the_first_of_two_class_attributes_as_a_browser_does(bad):
    (p,) = [e for e in parse(bad).elements() if e.tag == "p"]
    assert p.attrs["class"] == "summary" and p.mark() is None


def test_the_marks_are_visible_in_the_theme_stylesheet():
    from plainlang.theme import SHIPPED_THEME

    css = (SHIPPED_THEME / "css/base.css").read_text(encoding="utf-8")
    for cls in ("status-draft", "status-fallback", "status-source"):
        rule = next(m for m in re.finditer(r"([^{}]+)\{([^}]*)\}", css) if f".{cls}" in m.group(1))
        assert "border-left" in rule.group(2), cls


EVERY_KIND = """---
title: Ask about the bridge
summary: Anyone can ask what the bridge cost.
source: "Source: the Access to Information Law"
date: 2024-05-02
example: true
audiences: [youth, women, municipality]
qr: https://www.opengovpartnership.org/
---
# Ask about the bridge

Rosa lives in a village. She wanted to know **how much** the bridge cost.

![A river and a new bridge](bridge.png)

## What can I do?

1. Write a short letter.
2. Hand it in at the front desk.

- the budget
- the contract

> "They answered me with the papers."
>
> — Rosa, Ayacucho (example)

| Who | How many |
| --- | --- |
| Citizens | 9 |

::: youth
Share this leaflet with your group.
:::

::: women municipality
Ask together as a group.
:::
"""


def _turn(locale: str, n: int, msgid: str) -> tuple[str, bool]:
    """Spanish: missing one time in four; Quechua: a draft, checked, missing, in turn."""
    if locale == "es":
        return ("" if n % 4 == 3 else "ES " + msgid), False
    return [("QU " + msgid, True), ("QU " + msgid, False), ("", False)][n % 3]


def test_every_kind_of_passage_as_a_draft_a_fallback_and_the_source(tmp_path):
    """A case with every kind of segment (image, source line, date, table, quote, call-outs)
    whose Quechua entries are in turn drafts, checked, and missing (Spanish then), and
    whose Spanish entries are now and then missing (English, the source, then)."""
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    root = copy_sample(tmp_path / "sample")
    cases_dir = root / "content" / "cases"
    (cases_dir / "every-kind.md").write_text(EVERY_KIND, encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (8, 8), "white").save(cases_dir / "bridge.png")
    config = load_config(root)
    extract(config)
    update(config)
    kinds: set[tuple[str, str]] = set()
    for turn in range(4):  # each segment, in turn, a draft, checked and missing
        for locale in ("es", "qu"):
            path = root / "locales" / locale / "LC_MESSAGES" / "every-kind.po"
            po = polib.pofile(str(path))
            for index, entry in enumerate(e for e in po if not e.obsolete):
                entry.msgstr, fuzzy = _turn(locale, index + turn, entry.msgid)
                entry.flags = [f for f in entry.flags if f != "fuzzy"] + (["fuzzy"] if fuzzy else [])
            po.save(str(path))
        config, catalogs, renderer, cases, localize = _leaflets(root)
        (case,) = [c for c in cases if c.id == "every-kind"]
        for locale in config.locales:
            lc = localize(case, locale, catalogs)
            for audience in config.audiences:
                for layout in ("trifold", "phone", "flyer")[: 3 if turn == 0 else 2]:
                    html = renderer.html(lc, audience, layout)
                    leaflet = renderer.leaflet(lc, audience, layout)
                    bad, read = problems(html, leaflet, config, config.theme.ui_catalog)
                    assert not bad, (turn, locale, audience, layout, bad[:20])
                    assert read > 30
                    for texts in case_texts(leaflet).values():
                        kinds |= {(e.what, e.status) for e in texts}
    for what in ("title", "summary", "source line", "heading", "paragraph", "image",
                 "list item", "quote", "attribution", "table header", "table cell"):
        for status in ("draft", "fallback", "source"):
            assert (what, status) in kinds, (what, status)
