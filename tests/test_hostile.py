"""Hostile translations and content, built into real leaflets: text on paper, nothing fetched.

The payloads are in ``tests/data/hostile/payloads.toml``. Every translation payload goes
into one Spanish leaflet and every content payload into another; both are built with the
PDF stage's URL fetcher spied on (see ``test_security.py``) and the HTML kept. Then, for
each payload: the HTML holds no element, attribute or URL it brought, the PDF shows it as
plain text, and what it tried to read is not in the PDF. Payloads that cannot make a
leaflet (raw HTML in a case, a line of 30,000 words) must stop with a clear message.
"""

from __future__ import annotations

import random
import shutil
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from conftest import DATA, spy_fetcher
from pdfutil import pdf_text

from plainlang.cli import main

PAYLOADS = tomllib.loads((DATA / "hostile/payloads.toml").read_text(encoding="utf-8"))["payload"]
BY_NAME = {p["name"]: p for p in PAYLOADS}
BUILD = ["build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--layout", "phone"]


def payload_text(payload: dict) -> str:
    return payload["text"] * payload.get("repeat", 1)


def source_paragraph(payload: dict) -> str:
    return payload.get("msgid", f"Payload {payload['name']}.")


def _names(key: str) -> list[str]:
    return [p["name"] for p in PAYLOADS if key in p]


def _cli(*args: object) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


def _case(title: str, paragraphs: list[str], front_matter: str | None = None) -> str:
    head = front_matter if front_matter is not None else f"title: {title}\n"
    return "---\n" + head.strip("\n") + "\n---\n" + "".join(f"\n{p}\n" for p in paragraphs)


def _base_project(root: Path) -> Path:
    project = root / "project"
    shutil.copytree(DATA / "project", project)
    shutil.rmtree(project / "templates")  # the shipped theme serves
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    return project


def _translate(project: Path, case_id: str, translations: dict[str, str]) -> None:
    path = project / f"locales/es/LC_MESSAGES/{case_id}.po"
    po = polib.pofile(str(path), wrapwidth=79)
    for msgid, msgstr in translations.items():
        entry = po.find(msgid)
        assert entry is not None, msgid
        entry.msgstr = msgstr
        # as a translator would: a suggestion from translation memory, now checked
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    po.save()


# Every string of the templates (the ui catalog) gets this in front of its translation.
UI_PAYLOAD = (
    '<img src="http://127.0.0.1:9/ui.png"><style>@import url(http://127.0.0.1:9/ui.css);'
    '</style><script>alert("ui")</script>'
)


def _poison_ui(path: Path) -> None:
    """Translate every ui string of the leaflet's own language with :data:`UI_PAYLOAD`.

    Every entry of the project's ui.pot, theme strings too: the project's ui.po overrides
    the theme's translations entry by entry.
    """
    pot = polib.pofile(str(path.parents[2] / "ui.pot"), wrapwidth=79)
    po = polib.pofile(str(path), wrapwidth=79) if path.exists() else polib.POFile(wrapwidth=79)
    po.metadata = po.metadata or {"Content-Type": "text/plain; charset=utf-8", "Language": "es"}
    for template in pot:
        if not template.msgid or template.msgid_plural:
            continue
        entry = po.find(template.msgid, msgctxt=template.msgctxt)
        if entry is None:
            entry = polib.POEntry(msgid=template.msgid, msgctxt=template.msgctxt)
            po.append(entry)
        entry.msgstr = f"{UI_PAYLOAD} {entry.msgid}"
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(path))


class _Markup(HTMLParser):
    """Every element and attribute of a page, to find what a payload may have added."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in_style = False


FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "base", "meta", "form", "input", "link"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
HARMLESS_META = ("viewport", "generator", "description", "keywords", None)


def markup_problems(html: str, allowed_links: int, image_blocks: bool = False) -> list[str]:
    """What in ``html`` could run, fetch or restyle: anything the templates do not make.

    ``image_blocks``: a case's own pictures (``![alt](src)`` alone in a paragraph) become
    ``<img>`` whatever their src; the fetcher refuses those outside the project, and
    :func:`test_content_fetches_nothing_outside_the_project` checks that it did.
    """
    page = _Markup()
    page.feed(html)
    problems = []
    links = 0
    for tag, attrs in page.elements:
        if tag == "link" and attrs.get("rel") == "stylesheet":
            href = attrs.get("href") or ""
            if "://" in href or href.startswith(("/", "data:")):
                problems.append(f"stylesheet {href}")
            links += 1
            continue
        plain_meta = set(attrs) <= {"charset", "name", "content"}
        if tag == "meta" and plain_meta and attrs.get("name") in HARMLESS_META:
            continue
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            value = (value or "").strip()
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...>")
            if name == "style" and ("url(" in value or "@import" in value):
                problems.append(f"<{tag} style={value!r}>")
            if image_blocks and tag == "img" and name == "src":
                continue
            if name in ("href", "src", "xlink:href", "data", "action", "srcset"):
                if value.startswith(("javascript:", "vbscript:", "data:text", "file:")):
                    problems.append(f"<{tag} {name}={value!r}>")
                if "127.0.0.1" in value and not (tag == "a" and value.startswith(SAFE_SCHEMES)):
                    problems.append(f"<{tag} {name}={value!r}>")
    for css in page.styles:
        if "url(" in css or "@import" in css:
            problems.append(f"<style>{css[:60]}</style>")
    if links > allowed_links:
        problems.append(f"{links} stylesheets")
    return problems


def _squeeze(text: str) -> str:
    """Text without whitespace or hyphens: a PDF breaks long lines anywhere a reader could,
    and reading it back joins words broken at a hyphen ("http-equiv" comes back "httpequiv").
    """
    return "".join(text.split()).replace("-", "").replace("\u2010", "")


# -- the two leaflets ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Build the translation leaflet and the content leaflet once; keep HTML, text and log."""
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    project = _base_project(tmp_path_factory.mktemp("hostile"))
    po_payloads = [BY_NAME[n] for n in _names("po_shows")]
    content_payloads = [BY_NAME[n] for n in _names("content_shows")]
    cases = project / "content/cases"
    paragraphs = [source_paragraph(p) for p in po_payloads]
    (cases / "hostile.md").write_text(_case("Hostile translations", paragraphs), "utf-8")
    paragraphs = [p.get("msgid", payload_text(p)) for p in content_payloads]
    (cases / "hostile-content.md").write_text(_case("Hostile content", paragraphs), "utf-8")
    config = load_config(project)
    extract(config)
    update(config)
    _translate(project, "hostile", {source_paragraph(p): payload_text(p) for p in po_payloads})
    _poison_ui(project / "locales/es/LC_MESSAGES/ui.po")
    out: dict[str, dict] = {}
    for case_id in ("hostile", "hostile-content"):
        with pytest.MonkeyPatch.context() as monkeypatch:
            log = spy_fetcher(monkeypatch)
            code = _cli("-C", project, *BUILD, "--case", case_id, "--keep-html")
        stem = project / f"build/pdf/es/{case_id}-youth-phone"
        out[case_id] = {
            "code": code,
            "log": log,
            "root": project.resolve().as_uri() + "/",
            "html": stem.with_suffix(".html").read_text(encoding="utf-8"),
            "text": pdf_text(stem.with_suffix(".pdf")),
        }
    return out


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 20
    assert len(_names("po_shows")) >= 20 and len(_names("content_shows")) >= 12


def test_translations_fetch_nothing_at_all(built):
    result = built["hostile"]
    assert result["code"] == 0
    assert result["log"], "the fetcher saw no request at all: the spy is not wired"
    assert [url for url, _ in result["log"] if not url.startswith(result["root"])] == []


def test_content_fetches_nothing_outside_the_project(built):
    """Content asks for nothing outside the project: its pictures outside it (remote, or
    through ``..``) stop the build at their line before anything is fetched or read (see
    test_payload_stops_with_a_clear_error), and inline images print their alt text."""
    result = built["hostile-content"]
    assert result["code"] == 0
    assert result["log"], "the fetcher saw no request at all: the spy is not wired"
    assert [url for url, _ in result["log"] if not url.startswith(result["root"])] == []


def test_no_translation_becomes_markup(built):
    assert markup_problems(built["hostile"]["html"], allowed_links=4) == []


def test_no_content_becomes_markup_but_its_pictures(built):
    html = built["hostile-content"]["html"]
    assert markup_problems(html, allowed_links=4, image_blocks=True) == []


@pytest.mark.parametrize("name", _names("po_shows"))
def test_translation_prints_as_text(built, name):
    _assert_printed(built["hostile"], BY_NAME[name], "po_shows")


def test_template_strings_translated_hostile_print_as_text(built):
    """Jinja's newstyle gettext took ui.po translations for safe HTML: they were markup."""
    result = built["hostile"]
    assert _squeeze(UI_PAYLOAD) in _squeeze(result["text"])
    # Long runs get line-break opportunities (<wbr>, see markup.breakable) between letters.
    html = result["html"].replace("<wbr>", "")
    assert "&lt;script&gt;alert(&#34;ui&#34;)&lt;/script&gt;" in html


@pytest.mark.parametrize("name", _names("content_shows"))
def test_content_prints_as_text(built, name):
    _assert_printed(built["hostile-content"], BY_NAME[name], "content_shows")


def _assert_printed(result: dict, payload: dict, key: str) -> None:
    shows = payload_text(payload) if "repeat" in payload else payload[key]
    assert _squeeze(shows) in _squeeze(result["text"])
    if "hides" in payload:
        assert payload["hides"] not in result["text"]
        assert payload["hides"] not in result["html"]


def test_markup_check_sees_what_it_must(built):
    """The checks above would fail if a payload came through as markup."""
    leaked = built["hostile"]["html"].replace(
        "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"
    )
    assert "<script>" in leaked
    assert "<script>" in markup_problems(leaked, allowed_links=4)
    restyled = '<p style="background: url(http://127.0.0.1:9/y.png)">x</p>'
    assert markup_problems(restyled, allowed_links=4)


# -- payloads that cannot make a leaflet ---------------------------------------------------


def _error_params() -> list[tuple[str, str]]:
    return [(n, "po") for n in _names("po_error")] + [(n, "content") for n in _names("content_error")]


@pytest.mark.parametrize(("name", "via"), _error_params())
def test_payload_stops_with_a_clear_error(name, via, tmp_path, capsys, monkeypatch):
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    payload = BY_NAME[name]
    project = _base_project(tmp_path)
    case = project / "content/cases/payload.md"
    if via == "po":
        case.write_text(_case("Payload", [source_paragraph(payload)]), "utf-8")
        config = load_config(project)
        extract(config)
        update(config)
        _translate(project, "payload", {source_paragraph(payload): payload_text(payload)})
    elif payload.get("front_matter"):
        case.write_text(_case("", ["Hola."], front_matter=payload_text(payload)), "utf-8")
    else:
        case.write_text(_case("Payload", [payload_text(payload)]), "utf-8")
    log = spy_fetcher(monkeypatch)
    capsys.readouterr()
    code = _cli("-C", project, *BUILD, "--case", "payload")
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "error" in line]
    assert lines and all("content/cases/payload.md" in line or "payload" in line for line in lines)
    assert payload[f"{via}_error"].lower() in err.lower()
    assert not list((project / "build").rglob("*.pdf"))
    root = project.resolve().as_uri() + "/"
    assert [url for url, _ in log if not url.startswith(root)] == []
    assert not Path("/tmp/plainlang-pwned").exists()


# -- resource bounds -------------------------------------------------------------------------

# Runs the CLI in a subprocess and reports its peak memory, for the bounds in SECURITY.md.
MEASURED = """
import resource, sys
from plainlang.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 2
print(f"peak-kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""
PEAK_MB = 1024  # the bound SECURITY.md documents for a case at the size limit


def _measured(project: Path, *args: str) -> tuple[int, str, float]:
    """Exit code, stderr and peak memory (MB) of one CLI run in its own process."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, far above the few seconds it takes
        env=dict(os.environ, CI="true"),
    )
    peak = int(done.stderr.rsplit("peak-kb ", 1)[1].split()[0]) / 1024
    return done.returncode, done.stderr, peak


def test_a_case_of_ten_thousand_paragraphs_finishes_or_says_why(tmp_path):
    """Extract, update after every sentence changed, stats, build: none hangs or swells.

    Update compared every changed sentence with every translated one (difflib): hours for
    this case. The build laid out 700,000 characters (20 s, 400 MB) to say they do not fit.
    """
    from plainlang.po import read_po

    project = _base_project(tmp_path)
    lines = [f"Paragraph {i}: Rosa asked the office about the water project, number {i}.\n"
             for i in range(10_000)]
    case = project / "content/cases/big.md"
    case.write_text("---\ntitle: A very long case\n---\n\n" + "\n".join(lines), "utf-8")
    assert case.stat().st_size < 1_000_000  # under the case size limit: it must be handled
    peaks = {}
    for command in ("extract", "update"):
        code, err, peaks[command] = _measured(project, command)
        assert code == 0, err
    po_file = project / "locales/es/LC_MESSAGES/big.po"
    po = polib.pofile(str(po_file), wrapwidth=79)
    for entry in po:
        entry.msgstr = f"T {entry.msgid}"
    po.save()
    translations = {e.msgstr for e in po if e.msgstr}
    case.write_text(case.read_text("utf-8").replace("water project", "water works"), "utf-8")
    for command in ("extract", "update", "stats --json"):
        code, err, peaks[command] = _measured(project, *command.split())
        assert code == 0, err
    catalog = read_po(po_file.read_bytes(), "big.po")
    kept = {e.msgstr for e in catalog.entries if e.msgid and e.msgstr}
    assert translations <= kept
    code, err, peaks["build"] = _measured(project, *BUILD, "--case", "big")
    assert code == 1 and "too long for any layout" in err, err
    assert "Traceback" not in err
    assert max(peaks.values()) < PEAK_MB, peaks


# -- plural rules come with the translation --------------------------------------------------

UI_PO = """\
msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: nplurals=3; plural={rule};\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "%(num)d letter"
msgid_plural "%(num)d letters"
msgstr[0] "%(num)d carta"
msgstr[1] "%(num)d de cartas"
msgstr[2] "%(num)d cartas"

msgctxt "post"
msgid "%(num)d letter"
msgid_plural "%(num)d letters"
msgstr[0] "%(num)d carta postal"
msgstr[1] "%(num)d de cartas postales"
msgstr[2] "%(num)d cartas postales"
"""


def test_ui_plurals_follow_the_catalog_rule(project):
    """Templates' ngettext asked Babel's Catalog for a plural_func it does not have."""
    from plainlang.config import load_config
    from plainlang.localize import CatalogSet
    from plainlang.render import UiTranslations

    rule = "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)"  # Spanish in CLDR 46
    po_file = project / "locales/es/LC_MESSAGES/ui.po"
    po_file.parent.mkdir(parents=True)
    po_file.write_text(UI_PO.replace("{rule}", rule), "utf-8")
    ui = UiTranslations(CatalogSet(load_config(project)), "es")
    words = ["carta", "de cartas", "cartas"]
    for n, form in {1: 0, 5: 2, 1_000_000: 1}.items():
        assert ui.ngettext("%(num)d letter", "%(num)d letters", n) == f"%(num)d {words[form]}"
        postal = ui.npgettext("post", "%(num)d letter", "%(num)d letters", n)
        assert postal.startswith(f"%(num)d {words[form]} postal")


@pytest.mark.parametrize(
    "rule",
    [
        "__import__('os').system('touch /tmp/plainlang-pwned')",  # code, not a rule
        "n % 0",  # divides by zero for every count
        "(" * 500 + "n" + ")" * 500,  # nested deeper than plainlang's parser goes
    ],
)
def test_a_plural_rule_msgfmt_refuses_is_a_catalog_error_and_never_runs(run, project, rule):
    """As msgfmt --check: translated plural entries need a rule gettext reads. The rule is
    parsed by plainlang's own parser of gettext's grammar (C arithmetic on n), never run."""
    po_file = project / "locales/es/LC_MESSAGES/ui.po"
    po_file.parent.mkdir(parents=True)
    po_file.write_text(UI_PO.replace("{rule}", rule), "utf-8")
    result = run("-C", project, "check", po_file)
    assert result.code == 2
    assert result.err.startswith(f"{po_file}:4: catalog error: Plural-Forms") or (
        "locales/es/LC_MESSAGES/ui.po:4: catalog error: Plural-Forms" in result.err
    ), result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not Path("/tmp/plainlang-pwned").exists()


# -- hostile text costs no more than its length ------------------------------------------------

#: Units that, repeated, made WeasyPrint's line breaking or markdown-it slow: emphasis that
#: never closes, brackets, backticks, nesting, one long word to hyphenate (Spanish and
#: Quechua), soft hyphens, combining marks, characters no shipped font draws.
HOSTILE_UNITS = [
    "*a_", "kuna", "[", "**", "`", "*a **b _c __d ", "a", "[a](", "<", "\\*", "%(x)s ",
    "a\u00ad", "a\u0301", "😀", "漢", "https://a.org/", "_", "![x](", "&amp;", "ñ'",
]
FAMILY_SEED = 20261201
LONG = 45_000  # a whole translation of this is refused before layout
SHORT = 1_900  # one this long is laid out (render.MAX_SEGMENT_CHARS is 2,000)


def hostile_family(seed: int = FAMILY_SEED, count: int = 6) -> list[str]:
    """``*a_`` and ``kuna`` (the two slowest before), and ``count - 2`` seeded others."""
    rng = random.Random(seed)
    others = [u for u in HOSTILE_UNITS if u not in ("*a_", "kuna")]
    return ["*a_", "kuna", *rng.sample(others, count - 2)]


def test_hostile_translations_build_or_are_refused(tmp_path):
    """Every family member, at 1,900 and at 45,000 characters, as the translation of one
    paragraph: each leaflet is made or refused with a clear error, and the whole build
    finishes (45,000 characters of '*a_' took 80 s per leaflet, of 'kuna' minutes).
    Completion is asserted, not time: the timeout only guards against a hang."""
    import json
    import os
    import subprocess
    import sys

    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    project = _base_project(tmp_path)
    cases = project / "content/cases"
    (cases / "water.md").unlink()
    family = hostile_family()
    texts = {}
    for i, unit in enumerate(family):
        for size in (SHORT, LONG):
            case_id = f"hostile-{i}-{size}"
            msgid = f"Payload {i} of {size} characters."
            (cases / f"{case_id}.md").write_text(_case(f"Case {i}", [msgid]), "utf-8")
            texts[case_id] = (msgid, (unit * (size // len(unit) + 1))[:size])
    config = load_config(project)
    extract(config)
    update(config)
    for case_id, (msgid, text) in texts.items():
        _translate(project, case_id, {msgid: text})
    done = subprocess.run(
        [sys.executable, "-m", "plainlang", "-C", str(project), *BUILD, "--json"],
        capture_output=True, text=True, timeout=60 * len(texts),
        env=dict(os.environ, CI="true"),
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    results = {r["leaflet"]["case"]: r for r in json.loads(done.stdout)}
    assert set(results) == set(texts)
    for case_id, result in results.items():
        if case_id.endswith(f"-{LONG}"):
            assert result["status"] == "failed", case_id
            assert f"content/cases/{case_id}.md:" in result["error"]
            assert "too long for any layout" in result["error"], result["error"]
        else:
            assert result["status"] == "built" or "too long" in (result["error"] or ""), result
    assert sum(r["status"] == "built" for r in results.values()) >= len(family) - 2
