"""Properties over generated inputs (Hypothesis), with a fixed seed and a fixed budget.

Every test here runs the same examples on every machine (``derandomize=True``, no example
database) and at most ``max_examples`` of them: the budget is written on each test and
keeps this file under about half a minute on a 2-core machine.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plainlang.powrap import BABEL_WORD_SEP, split_words


def budget(examples: int) -> settings:
    """Same examples every run, no database left behind, no per-example deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# -- PO line wrapping --------------------------------------------------------------------

# The characters Babel's splitter tells apart: letters (ASCII or not), digits, "_", "-",
# the punctuation allowed before an em-dash, other punctuation, and whitespace.
WRAP_CHARS = st.sampled_from(list("aZé1_-!\"'&.,?;(–  \t\n\u00a0"))


@budget(2000)
@given(st.text(WRAP_CHARS, max_size=30))
def test_split_words_is_babels_split(line):
    assert split_words(line) == re.split(BABEL_WORD_SEP, line)


@budget(200)
@given(st.text(max_size=60))
def test_split_words_is_babels_split_on_any_text(line):
    assert split_words(line) == re.split(BABEL_WORD_SEP, line)


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

    from plainlang.catalogs import case_template, parse_po, serialize_po
    from plainlang.config import parse_config
    from plainlang.content import parse_case
    from plainlang.errors import ContentError, PlainlangError

    config = parse_config(CONFIG_TOML, Path("/nonexistent/props/plainlang.toml"))
    try:
        case = parse_case(text, "content/cases/props.md", audiences=AUDIENCES)
    except ContentError as exc:
        assert exc.location is not None and exc.location.path == "content/cases/props.md"
        assert exc.location.line is None or exc.location.line >= 1
        return
    except PlainlangError:
        return
    pot = serialize_po(case_template(config, case), template=True)
    # Whatever content is accepted, plainlang's own strict reader reads its template.
    template = parse_po(pot, "locales/props.pot")
    segments = {s.msgid for s in case.segments()}
    assert {m.id for m in template if m.id} <= segments


# -- PO files: what plainlang writes, it reads back the same ----------------------------

# Any text a translator can type, but NUL (refused on reading) and surrogates (not UTF-8).
PO_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)
# Comments are lines: no line breaks of any kind; Babel wraps long ones over several lines.
COMMENT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=90
).map(lambda s: " ".join(s.split())).filter(bool)
FLAGS = st.sets(st.sampled_from(["fuzzy", "c-format", "no-wrap", "ignore-length", "x-custom"]))
LOCATIONS = st.lists(
    st.tuples(st.sampled_from(["content/cases/a.md", "templates/x.html.j2"]), st.integers(1, 9999)),
    max_size=3,
)
NPLURALS = 3  # Spanish in CLDR 46: one, many, other


@st.composite
def po_messages(draw, obsolete: bool = False):
    """One entry with every field a PO entry can have."""
    from babel.messages.catalog import Message

    plural = draw(st.booleans())
    msgid = (draw(PO_TEXT), draw(PO_TEXT)) if plural else draw(PO_TEXT)
    strings = st.one_of(st.just(""), PO_TEXT)
    string = tuple(draw(strings) for _ in range(NPLURALS)) if plural else draw(strings)
    previous = []
    if not obsolete and draw(st.booleans()):
        previous = [draw(PO_TEXT), draw(PO_TEXT)] if plural else [draw(PO_TEXT)]
    return Message(
        msgid,
        string,
        locations=draw(LOCATIONS),
        flags=draw(FLAGS),
        auto_comments=draw(st.lists(COMMENT, max_size=3)),
        user_comments=draw(st.lists(COMMENT, max_size=3)),
        previous_id=previous,
        context=draw(st.one_of(st.none(), PO_TEXT)),
    )


def _key(message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def _catalog(messages, obsolete=()):
    """A Spanish catalog holding ``messages`` (one per key) and obsolete entries."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="es", domain="props", fuzzy=False, charset="utf-8")
    seen = set()
    for message in messages:
        if _key(message) not in seen:
            seen.add(_key(message))
            catalog[message.id] = message
    for message in obsolete:
        key = catalog._key_for(message.id, message.context)
        if _key(message) not in seen and key not in catalog.obsolete:
            catalog.obsolete[key] = message
    return catalog


def _fields(message) -> dict:
    def joined(comments):
        return " ".join(" ".join(comments).split())

    return {
        "id": tuple(message.id) if isinstance(message.id, tuple | list) else message.id,
        "string": tuple(message.string)
        if isinstance(message.string, tuple | list)
        else message.string,
        "context": message.context,
        # Babel adds python-format to any msgid with a "%" on reading; plainlang drops it from
        # case catalogs on writing (prose, not format strings). Neither is the translator's.
        "flags": set(message.flags) - {"python-format"},
        "locations": sorted(set(message.locations)),  # Babel writes them sorted
        "auto_comments": joined(message.auto_comments),
        "user_comments": joined(message.user_comments),
        "previous_id": list(message.previous_id or []),
    }


@budget(300)
@given(st.lists(po_messages(), max_size=8), st.lists(po_messages(obsolete=True), max_size=4))
def test_po_write_then_read_keeps_every_field(messages, obsolete):
    from plainlang.catalogs import parse_po, serialize_po

    catalog = _catalog(messages, obsolete)
    data = serialize_po(catalog)
    back = parse_po(data, "locales/es/LC_MESSAGES/props.po", domain="props")
    assert [_fields(m) for m in back if m.id] == [_fields(m) for m in catalog if m.id]
    expected = {k: _fields(m) for k, m in catalog.obsolete.items()}
    for fields in expected.values():
        # Like msgmerge: an obsolete entry keeps its translator comments and flags, not
        # where it was nor what the extractor said of it.
        fields.update(previous_id=[], locations=[], auto_comments="")
    assert {k: _fields(m) for k, m in back.obsolete.items()} == expected
    # And the bytes are plainlang's own: writing what was read changes nothing.
    assert serialize_po(back) == data


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
# enough for Babel's fuzzy matching. Plural entries use other letters: an entry that turns
# from plural to singular keeps only its first form, in msgmerge as in Babel (see
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
def old_messages(draw):
    from babel.messages.catalog import Message

    if draw(st.integers(0, 4)) == 0:
        msgid = (draw(PLURAL_WORD), draw(PLURAL_WORD))
        string = tuple(draw(TRANSLATION) for _ in range(NPLURALS))
    else:
        msgid, string = draw(SENTENCE), draw(TRANSLATION)
    flags = {"fuzzy"} if draw(st.booleans()) else set()
    return Message(msgid, string, flags=flags, context=draw(CONTEXT))


@st.composite
def template_messages(draw):
    from babel.messages.catalog import Message

    plural = draw(st.integers(0, 4)) == 0
    msgid = (draw(PLURAL_WORD), draw(PLURAL_WORD)) if plural else draw(SENTENCE)
    return Message(msgid, "", context=draw(CONTEXT))


def _all_strings(catalog) -> set[str]:
    out: set[str] = set()
    for message in (*catalog, *catalog.obsolete.values()):
        if message.id:
            strings = message.string if isinstance(message.string, tuple | list) else [message.string]
            out.update(s for s in strings if s)
    return out


@budget(300)
@given(
    st.lists(old_messages(), max_size=10),
    st.lists(old_messages(), max_size=4),
    st.lists(template_messages(), max_size=10),
)
def test_update_keeps_every_translation_somewhere(active, obsolete, template_messages_):
    """``merge`` as ``update`` runs it: PO and POT bytes in, PO bytes out."""
    from babel.messages.catalog import Catalog

    from plainlang.catalogs import merge, parse_po, serialize_po

    old = _catalog(active, obsolete)
    template = Catalog(domain="props", fuzzy=False, charset="utf-8")
    for message in template_messages_:
        template[message.id] = message
    before = _all_strings(old)
    catalog = parse_po(serialize_po(old), "props.po", domain="props")
    pot = parse_po(serialize_po(template, template=True), "props.pot", domain="props")
    merge(catalog, pot)
    after = parse_po(serialize_po(catalog), "props.po", domain="props")
    assert before <= _all_strings(after)
    # Every entry of the template is in the result, and nothing else is active.
    assert {_key(m) for m in after if m.id} == {_key(m) for m in pot if m.id}
