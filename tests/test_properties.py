"""Properties over generated inputs (Hypothesis), with a fixed seed and a fixed budget.

Every test here runs the same examples on every machine (``derandomize=True``, no example
database) and at most ``max_examples`` of them: the budget is written on each test and
keeps this file under about half a minute on a 2-core machine.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def budget(examples: int) -> settings:
    """Same examples every run, no database left behind, no per-example deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# -- content: parse and extract raise our errors or nothing ------------------------------

AUDIENCES = ("youth", "women", "municipality")
CONFIG_TOML = """\
[project]
name = "props"
locales = ["es"]
audiences = ["youth", "women", "municipality"]
"""

# Pieces of real cases and of real mistakes, shuffled into documents.
FRONT_LINES = st.sampled_from(
    [
        "title: Ask about the water project",
        "title: 'Quoted: with a colon'",
        "title:",
        "title: [a, b]",
        "summary: Anyone can ask.",
        "summary: >\n  folded\n  text",
        "audiences: [youth, women]",
        "audiences: [elders]",
        "audiences: youth",
        "qr: https://example.org/",
        "qr: javascript:alert(1)",
        "date: 2024-05-01",
        "date: 2024-13-45",
        "example: true",
        "example: maybe",
        "source: Defensoría del Pueblo",
        "colour: blue",
        "\ttitle: tab",
        "  nested: value",
        "key: &a [1, 2]",
        "other: *a",
        "? [complex, key]\n: value",
        "title: !!binary aGk=",
        "title: !!python/object:os.system ls",
        "'unclosed: quote",
        "- list item",
        "{ flow: map",
        "title: " + "[" * 30,
    ]
)
BODY_LINES = st.sampled_from(
    [
        "",
        "# Heading",
        "## What can I do?",
        "Rosa lives in a village in the **Andes**.",
        "- Write a short letter.",
        "1. Hand it in.",
        "   - nested item",
        "> \"They answered me.\"",
        ">",
        "> — Rosa, Ayacucho",
        "> > nested quote",
        "::: youth",
        "::: women municipality",
        "::: elders",
        ":::",
        "::::",
        "| Who | How many |",
        "| --- | --- |",
        "| Citizens | 9 |",
        "![A letter](letter.png)",
        "![](empty.png)",
        "<!-- translators: a note -->",
        "<div>raw</div>",
        "An <b>inline</b> tag.",
        "```",
        "    indented code",
        "---",
        "***",
        "[link](javascript:alert(1))",
        "Text with a\u202eright-to-left override.",
        "x" * 300,
        "\\",
        "&amp; &#0; &#x110000;",
    ]
)


def _document(front: list[str], body: list[str], closed: bool) -> str:
    head = "---\n" + "\n".join(front) + ("\n---\n" if closed else "\n")
    return head + "\n".join(body) + "\n"


@budget(300)
@given(
    st.lists(FRONT_LINES, max_size=6),
    st.lists(BODY_LINES, max_size=25),
    st.booleans(),
)
def test_parse_and_extract_raise_only_our_errors(front, body, closed):
    _parse_and_extract(_document(front, body, closed))


@budget(200)
@given(st.text(max_size=300))
def test_any_text_parses_or_fails_with_a_content_error(text):
    _parse_and_extract("---\ntitle: T\n---\n" + text)
    _parse_and_extract(text)


def _parse_and_extract(text: str) -> None:
    """Parse, extract and read the POT back: only PlainlangError may stop it."""
    from pathlib import Path

    from plainlang.catalogs import case_template, serialize_po
    from plainlang.config import parse_config
    from plainlang.content import parse_case
    from plainlang.errors import ContentError, PlainlangError
    from plainlang.po import read_po

    config = parse_config(CONFIG_TOML, Path("/nonexistent/props/plainlang.toml"))
    try:
        case = parse_case(text, "content/cases/props.md", audiences=AUDIENCES)
    except ContentError as exc:
        assert exc.location is not None and exc.location.path == "content/cases/props.md"
        assert exc.location.line is None or exc.location.line >= 1
        return
    except PlainlangError:
        return
    try:
        pot = serialize_po(case_template(config, case))
    except ContentError as exc:  # a character no gettext catalog can hold
        assert exc.location is not None and exc.location.line is not None
        return
    # Whatever content is accepted, plainlang's own strict reader reads its template.
    template = read_po(pot, "locales/props.pot", template=True)
    segments = {s.msgid for s in case.segments()}
    assert {m.msgid for m in template} <= segments


# -- PO files: what plainlang writes, it reads back the same ----------------------------

# Any text a translator can type, but NUL (refused on reading), the context separator
# (msgfmt refuses it) and surrogates (not UTF-8).
PO_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x04"),
    min_size=1,
    max_size=40,
)
# Comments are lines: no line feed, no carriage return inside (old Mac line ends).
COMMENT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\n\r"),
    min_size=0,
    max_size=90,
)
FLAGS = st.lists(
    st.sampled_from(["fuzzy", "c-format", "no-wrap", "ignore-length", "max-length:60"]),
    unique=True,
)
LOCATIONS = st.lists(
    st.tuples(st.sampled_from(["content/cases/a.md", "templates/x.html.j2"]), st.integers(1, 9999)),
    max_size=3,
    unique=True,
)
NPLURALS = 3  # Spanish in CLDR 46: one, many, other
HEADER_TEXT = (
    "Language: es\nContent-Type: text/plain; charset=UTF-8\n"
    "Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"
)


@st.composite
def po_entries(draw, obsolete: bool = False):
    """One entry with every field a PO entry can have."""
    from plainlang.po import Entry

    plural = draw(st.booleans())
    strings = st.one_of(st.just(""), PO_TEXT)
    entry = Entry(
        msgid=draw(PO_TEXT),
        msgid_plural=draw(PO_TEXT) if plural else None,
        msgstr="" if plural else draw(strings),
        msgstr_plural=[draw(strings) for _ in range(NPLURALS)] if plural else [],
        msgctxt=draw(st.one_of(st.none(), PO_TEXT)),
        flags=draw(FLAGS),
        comments=draw(st.lists(COMMENT, max_size=3)),
        tcomments=draw(st.lists(COMMENT, max_size=3)),
        occurrences=draw(LOCATIONS),
        obsolete=obsolete,
    )
    if draw(st.booleans()):
        entry.previous_msgid = draw(PO_TEXT)
        entry.previous_msgctxt = draw(st.one_of(st.none(), PO_TEXT))
    return entry


def _catalog(entries):
    """A Spanish catalog holding ``entries`` (one per key)."""
    from plainlang.po import Catalog, Entry

    catalog = Catalog(entries=[Entry(msgid="", msgstr=HEADER_TEXT)], path="props.po")
    seen = set()
    for entry in entries:
        if entry.key not in seen:
            seen.add(entry.key)
            catalog.entries.append(entry)
    return catalog


def _fields(entry) -> dict:
    from plainlang.po import known_flag

    return {
        "key": entry.key,
        "plural": entry.msgid_plural,
        "strings": entry.strings,
        # msgcat writes fuzzy only where there is a translation; the rest in its own order
        "flags": {f for f in entry.flags if f != "fuzzy" and (known_flag(f) or True)}
        | ({"fuzzy"} if entry.fuzzy and entry.strings[0] else set()),
        "occurrences": entry.occurrences,
        # a comment ending in a backslash is written with a space after it (see po.py)
        "comments": [c + " " if c.endswith("\\") else c for c in entry.comments],
        "tcomments": [c + " " if c.endswith("\\") else c for c in entry.tcomments],
        "previous": (entry.previous_msgctxt, entry.previous_msgid),
        "obsolete": entry.obsolete,
    }


@budget(150)
@given(st.lists(po_entries(), max_size=8), st.lists(po_entries(obsolete=True), max_size=4))
def test_po_write_then_read_keeps_every_field(entries, obsolete):
    from plainlang.po import read_po, write_po

    catalog = _catalog([*entries, *obsolete])
    data = write_po(catalog)
    # The grammar alone (as msgcat reads): a generated entry may break msgfmt's rules
    # (a msgstr starting with \n when its msgid does not), not the writer's round trip.
    back = read_po(data, "locales/es/LC_MESSAGES/props.po", template=True)
    kept = [e for e in catalog.entries if not e.obsolete]
    kept += [e for e in catalog.entries if e.obsolete and any(e.strings)]  # as gettext writes
    expected = [_fields(e) for e in kept]
    for fields in expected:
        if fields["obsolete"]:
            fields["flags"] = {f for f in fields["flags"] if not f.startswith("range")}
    got = [_fields(e) for e in back.entries]
    for fields in got:
        fields["comments"] = [c + " " if c.endswith("\\") else c for c in fields["comments"]]
        fields["tcomments"] = [c + " " if c.endswith("\\") else c for c in fields["tcomments"]]
    assert got == expected
    # And the bytes are plainlang's own: writing what was read changes nothing.
    assert write_po(back) == data


def test_a_draft_that_goes_obsolete_comes_back_a_draft(run, project):
    """Found by the round trip above: Babel wrote obsolete entries without ``#, fuzzy``."""
    import polib

    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0
    path = project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(path))
    entry = po.find("Write a short letter.")
    entry.msgstr = "Escriba una carta (borrador)."
    entry.flags.append("fuzzy")
    po.save()
    case = project / "content/cases/water.md"
    original = case.read_text()
    case.write_text(original.replace("1. Write a short letter.\n", ""))
    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0
    gone = [e for e in polib.pofile(str(path)).obsolete_entries() if e.msgid == entry.msgid]
    assert gone and "fuzzy" in gone[0].flags
    case.write_text(original)
    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0
    back = polib.pofile(str(path)).find("Write a short letter.")
    assert back.msgstr == "Escriba una carta (borrador)." and "fuzzy" in back.flags


# -- update: no translation is ever lost ---------------------------------------------------

# Sentences from a small vocabulary, so that old and new msgids are often equal or close
# enough for fuzzy matching. Plural entries use other letters: an entry that turns from
# plural to singular keeps only its first form, in msgmerge as in plainlang (see
# SECURITY.md), and that is not what this property is about.
SENTENCE = st.lists(
    st.sampled_from(["ask", "the", "water", "office", "letter", "Rosa", "free", "now", "."]),
    min_size=1,
    max_size=6,
).map(" ".join)
PLURAL_WORD = st.lists(st.sampled_from(["αγ", "βδ", "γε", "δζ"]), min_size=1, max_size=3).map(
    " ".join
)
CONTEXT = st.one_of(st.none(), st.sampled_from(["cover", "back"]))
TRANSLATION = st.one_of(st.just(""), st.text("abcdefgh ñ", min_size=1, max_size=12))


@st.composite
def old_entries(draw, obsolete: bool = False):
    from plainlang.po import Entry

    if draw(st.integers(0, 4)) == 0:
        entry = Entry(
            msgid=draw(PLURAL_WORD),
            msgid_plural=draw(PLURAL_WORD),
            msgstr_plural=[draw(TRANSLATION) for _ in range(NPLURALS)],
        )
    else:
        entry = Entry(msgid=draw(SENTENCE), msgstr=draw(TRANSLATION))
    entry.msgctxt = draw(CONTEXT)
    entry.obsolete = obsolete
    if draw(st.booleans()):
        entry.flags = ["fuzzy"]
    return entry


@st.composite
def template_entries(draw):
    from plainlang.po import Entry

    if draw(st.integers(0, 4)) == 0:
        return Entry(
            msgid=draw(PLURAL_WORD), msgid_plural=draw(PLURAL_WORD), msgstr_plural=["", ""],
            msgctxt=draw(CONTEXT),
        )
    return Entry(msgid=draw(SENTENCE), msgctxt=draw(CONTEXT))


def _all_strings(catalog) -> set[str]:
    return {s for e in catalog.entries if not e.is_header for s in e.strings if s}


@budget(200)
@given(
    st.lists(old_entries(), max_size=10),
    st.lists(old_entries(obsolete=True), max_size=4),
    st.lists(template_entries(), max_size=10),
)
def test_update_keeps_every_translation_somewhere(active, obsolete, template_entries_):
    """``merge`` as ``update`` runs it: PO and POT bytes in, PO bytes out."""
    from plainlang.catalogs import merge
    from plainlang.po import Catalog, Entry, read_po, write_po

    old = _catalog([*active, *obsolete])
    template = Catalog(entries=[Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n")])
    seen = set()
    for entry in template_entries_:
        if entry.key not in seen:
            seen.add(entry.key)
            template.entries.append(entry)
    catalog = read_po(write_po(old), "props.po")
    before = _all_strings(catalog)  # as gettext writes and reads it back
    pot = read_po(write_po(template), "props.pot", template=True)
    merge(catalog, pot)
    after = read_po(write_po(catalog), "props.po")
    assert before <= _all_strings(after)
    # Every entry of the template is in the result, and nothing else is active.
    assert {e.key for e in after} == {e.key for e in pot}
