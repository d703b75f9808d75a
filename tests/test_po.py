"""The PO layer (plainlang.po) against GNU gettext itself: msgfmt's verdicts, msgcat's bytes.

Generated and mutated catalogs (tests/pogen.py) are read by plainlang and by the real
``msgfmt --check``; both must accept or both refuse. Every catalog plainlang accepts is
written back, and ``msgcat`` must not change a byte of what plainlang writes. Strings made
to stress GNU's line breaking (long words, wide and combining characters, tabs,
backslashes, many newlines) are written by plainlang and by msgcat, byte for byte alike.
Seeded (derandomize) and bounded: the whole file runs in well under a minute.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pogen import (
    HAVE_GETTEXT,
    Generated,
    catalogs,
    msgcat,
    msgfmt_verdict,
    unknown_flags_removed,
)

from plainlang.errors import CatalogError
from plainlang.po import (
    Catalog,
    Entry,
    parse_plural_forms,
    plural_forms_problem,
    read_po,
    write_po,
)

pytestmark = pytest.mark.skipif(not HAVE_GETTEXT, reason="GNU gettext tools not installed")


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # Each example runs gettext's tools: shrinking a failure could take minutes, so the
        # failing example is reported as generated.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )


def deliberate_refusal(data: bytes) -> bool:
    """The documented places where plainlang refuses what msgfmt 0.21 compiles: a NUL
    byte (gettext cuts the text there), a carriage return inside a comment (old Mac line
    ends: gettext reads the rest of the file as that comment), escapes that make invalid
    UTF-8 (msgcat and msgmerge refuse to write them)."""
    if b"\x00" in data:
        return True
    for line in data.split(b"\n"):
        at = line.find(b"#")
        if at >= 0 and b"\r" in line[at:].rstrip(b"\r"):
            return True
    return b"\\" in data and any(x in data for x in (b"\\2", b"\\3", b"\\x"))


# -- verdicts: plainlang accepts exactly what msgfmt --check accepts ---------------------


@budget(250)
@given(catalogs())
def test_verdict_is_msgfmts(tmp_path_factory: pytest.TempPathFactory, generated: Generated) -> None:
    data = generated.data()
    path = tmp_path_factory.getbasetemp() / "verdict.po"
    path.write_bytes(data)
    accepted, said = msgfmt_verdict(str(path))
    try:
        read_po(data, "verdict.po")
        ours = True
    except CatalogError as exc:
        ours = False
        assert exc.location is not None and exc.location.path == "verdict.po"
        assert exc.location.line is None or exc.location.line >= 1
    if ours != accepted:
        assert not ours and deliberate_refusal(data), (ours, said, data)


@budget(150)
@given(catalogs())
def test_what_plainlang_writes_msgcat_keeps(generated: Generated) -> None:
    data = generated.data()
    try:
        catalog = read_po(data, "written.po")
    except CatalogError:
        return
    out = write_po(catalog)
    again = msgcat(out) if b"charset=CHARSET" not in out else _msgcat_pot(out)
    if any(e.obsolete and any(e.strings) and not e.strings[0] for e in catalog.entries):
        return  # kept so as not to lose its translation; msgcat would drop it (see write_po)
    assert again == unknown_flags_removed(out)
    # and plainlang reads back what it wrote, entry for entry
    back = read_po(out, "written.po")
    kept = [e for e in catalog.entries if not e.obsolete]
    kept += [e for e in catalog.entries if e.obsolete and any(e.strings)]
    assert [_fields(e) for e in back.entries] == [_fields(e) for e in kept]


def _msgcat_pot(data: bytes) -> bytes | None:
    proc = subprocess.run(
        ["msgcat", "--force-po", "-o", "-", "/dev/stdin"], input=data, capture_output=True
    )
    return proc.stdout if proc.returncode == 0 else None


def _fields(entry: Entry) -> tuple[object, ...]:
    fuzzy = entry.fuzzy and bool(entry.strings[0])
    return (
        entry.msgctxt,
        entry.msgid,
        entry.msgid_plural,
        entry.strings,
        entry.obsolete,
        fuzzy,
        entry.previous_msgid,
        entry.tcomments,
        entry.comments,
        entry.occurrences,
    )


@budget(100)
@given(catalogs())
def test_reading_msgcats_output_and_writing_it_changes_no_byte(generated: Generated) -> None:
    data = generated.data()
    if b"charset=CHARSET" in data:
        return
    normal = msgcat(data)
    if normal is None or b"\x00" in data or b"\r" in normal:
        return  # gettext 0.21 keeps the CR of CRLF comments; plainlang drops it
    try:
        catalog = read_po(normal, "normal.po")
    except CatalogError:
        return  # msgcat writes what msgfmt may refuse (plural counts, no header)
    assert write_po(catalog) == unknown_flags_removed(normal)


@budget(100)
@given(catalogs(), st.lists(st.booleans(), max_size=12), st.lists(st.sampled_from(
    ["ask the water office", "Rosa", "free letter now", "the project"]), max_size=3))
def test_update_keeps_every_translation_msgcat_reads(
    generated: Generated, keep: list[bool], new: list[str]
) -> None:
    """On every catalog plainlang accepts, update (merge with a POT that keeps some msgids,
    drops others and adds new ones) keeps every non-empty msgstr msgcat reads in it."""
    from plainlang.catalogs import merge

    data = generated.data()
    try:
        catalog = read_po(data, "keep.po")
    except CatalogError:
        return
    read_by_msgcat = msgcat(data, "--no-wrap") if b"charset=CHARSET" not in data else None
    if read_by_msgcat is None:
        return
    theirs = read_po(read_by_msgcat, "msgcat.po", template=True)
    template = Catalog(
        entries=[Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n")],
        template=True,
    )
    seen: set[tuple[str | None, str]] = set()
    for entry, kept in zip(list(catalog), keep, strict=False):
        if kept and entry.key not in seen:
            seen.add(entry.key)
            template.entries.append(
                Entry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural,
                      msgstr_plural=["", ""] if entry.msgid_plural is not None else [])
            )
    for msgid in new:
        if (None, msgid) not in seen:
            seen.add((None, msgid))
            template.entries.append(Entry(msgid=msgid))
    merge(catalog, template)
    after = read_po(write_po(catalog), "keep.po", template=True)
    ours = {s for e in after.entries for s in e.strings if s and not e.is_header}
    wanted = {
        s
        for e in theirs.entries
        if not e.is_header
        # an entry that turns from plural to singular keeps its first form (as msgmerge)
        for s in (e.strings if e.msgid_plural is None or e.key not in seen else e.strings[:1])
        if s
    }
    assert wanted <= ours


# -- line breaking: GNU's, exactly ---------------------------------------------------------

WRAP_CHARS = st.sampled_from(
    [
        *"abcdefghij     ,.;:-?!'\"\\\t\n()/%{}0123456789",
        *("漢", "字", "\u3001", "ñ", "é", "e\u0301", "\u00a0", "\u200b", "\u2014", "\u2028"),
        *("\u0085", "\x0c", "\r", "\x07", "Ж", "ا", "\U0001f600", "🇵🇪", "a-b", "«", "»", "…"),
        *("supercalifragilistic", "https://www.example.org/a/very/long/path?x=1", "data:AAAA" * 5),
    ]
)


@budget(200)
@given(st.lists(st.lists(WRAP_CHARS, max_size=60).map("".join), min_size=1, max_size=4))
def test_long_strings_wrap_as_msgcat_wraps_them(texts: list[str]) -> None:
    catalog = Catalog(
        entries=[Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n")], path="w.po"
    )
    for i, text in enumerate(texts):
        catalog.entries.append(
            Entry(
                msgid=f"{i} {text}",
                msgstr=text[::-1],
                previous_msgid=text if i % 2 else None,
                flags=["fuzzy"] if i % 2 else [],
            )
        )
        catalog.entries.append(Entry(msgid=f"o{i} {text}", msgstr=text, obsolete=True))
    out = write_po(catalog)
    assert msgcat(out) == out


@budget(100)
@given(st.lists(WRAP_CHARS, max_size=80).map("".join), st.sampled_from(["ISO-8859-1", "UTF-8"]))
def test_wrapping_in_other_charsets_is_msgcats(text: str, charset: str) -> None:
    if charset != "UTF-8":
        text = text.encode("latin-1", "ignore").decode("latin-1")
    catalog = Catalog(
        entries=[
            Entry(msgid="", msgstr=f"Content-Type: text/plain; charset={charset}\n"),
            Entry(msgid=text or "x", msgstr=text),
        ],
        path="c.po",
        charset=charset,
    )
    out = write_po(catalog)
    assert msgcat(out) == out


def test_the_repositorys_sample_catalogs_are_as_msgcat_writes_them() -> None:
    from plainlang.theme import SHIPPED_THEME

    paths = []
    for root in (Path(__file__).parent.parent / "locales", SHIPPED_THEME / "locales"):
        paths += sorted(root.glob("*.pot")) + sorted(root.glob("*/LC_MESSAGES/*.po"))
    assert len(paths) >= 13 + 4  # the sample's cases, and the theme's ui catalogs
    for path in paths:
        data = path.read_bytes()
        assert msgcat(data) == unknown_flags_removed(data), path
        catalog = read_po(data, str(path), template=path.suffix == ".pot")
        assert write_po(catalog) == data, path


# -- the regressions of issue 11, one by one -------------------------------------------------

HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def test_cr_only_line_ends_with_a_comment_are_refused_not_misread() -> None:
    text = HEADER + '#. kind: title\nmsgid "a"\nmsgstr "b"\n'
    with pytest.raises(CatalogError) as info:
        read_po(text.replace("\n", "\r").encode(), "cr.po")
    assert "carriage return" in info.value.message and "line ends" in (info.value.hint or "")


def test_cr_only_line_ends_without_comments_read_every_entry() -> None:
    text = HEADER + 'msgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr "d"\n'
    catalog = read_po(text.replace("\n", "\r").encode(), "cr.po")
    assert [(e.msgid, e.msgstr) for e in catalog] == [("a", "b"), ("c", "d")]
    assert write_po(catalog) == text.encode()


def test_crlf_comments_lose_their_cr() -> None:
    text = HEADER + "# Revisado por Rosa.\n#. kind: title\nmsgid \"a\"\nmsgstr \"b\"\n"
    catalog = read_po(text.replace("\n", "\r\n").encode(), "crlf.po")
    entry = next(iter(catalog))
    assert entry.tcomments == ["Revisado por Rosa."] and entry.comments == ["kind: title"]
    assert write_po(catalog) == text.encode()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ('msgid "a\\tb"\nmsgstr "x"\n', 'msgid "a\tb"\nmsgstr "y"\n'),
        ('msgid "a"\nmsgstr "x"\n', '#~msgid "a"\n#~msgstr "y"\n'),
        ('msgid "A"\nmsgstr "x"\n', 'msgid "\\101"\nmsgstr "y"\n'),
        ('msgctxt "c"\nmsgid "a"\nmsgstr "x"\n', 'msgctxt "c"\nmsgid "a"\n"" ""\nmsgstr "y"\n'),
    ],
)
def test_one_msgid_spelled_two_ways_is_a_duplicate(first: str, second: str) -> None:
    text = HEADER + first + "\n" + second
    with pytest.raises(CatalogError) as info:
        read_po(text.encode(), "dup.po")
    assert "duplicate message definition" in info.value.message
    second_msgid = text.count("\n", 0, text.rindex("msgid")) + 1
    assert info.value.location is not None and info.value.location.line == second_msgid


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgstr "line\u2028separator"\n',
        'msgid "a"\nmsgstr "next\u0085line"\n',
        '# a form\x0cfeed\nmsgid "a"\nmsgstr "b"\n',
        '#. U+2028 \u2028 in a comment\nmsgid "a"\nmsgstr "b"\n',
    ],
)
def test_characters_msgfmt_accepts_are_read(text: str, tmp_path: Path) -> None:
    data = (HEADER + text).encode()
    (tmp_path / "ok.po").write_bytes(data)
    assert msgfmt_verdict(str(tmp_path / "ok.po"))[0]
    catalog = read_po(data, "ok.po")
    out = write_po(catalog)
    assert msgcat(out) == out
    assert read_po(out, "ok.po").find("a") is not None


def test_a_lone_obsolete_msgstr_is_a_catalog_error_not_a_traceback() -> None:
    with pytest.raises(CatalogError) as info:
        read_po((HEADER + '#~ msgstr "x"\n').encode(), "lone.po")
    assert info.value.location is not None and info.value.location.line == 4


def test_fuzzy_among_other_flags_is_fuzzy() -> None:
    import gettext
    import io

    from plainlang.catalogs import coverage, mo_bytes

    catalog = read_po((HEADER + '#, foo bar fuzzy\nmsgid "a"\nmsgstr "b"\n').encode(), "f.po")
    entry = catalog.find("a")
    assert entry is not None and entry.fuzzy and not entry.translated()
    assert coverage(catalog, "es", "f").translated == 0
    assert gettext.GNUTranslations(io.BytesIO(mo_bytes(catalog))).gettext("a") == "a"


def test_context_with_an_empty_msgid_is_an_entry_and_survives_update() -> None:
    from plainlang.catalogs import merge

    catalog = read_po((HEADER + 'msgctxt "c"\nmsgid ""\nmsgstr "b"\n').encode(), "c.po")
    entry = catalog.find("", "c")
    assert entry is not None and entry.msgstr == "b" and not entry.is_header
    assert b'msgctxt "c"\nmsgid ""\nmsgstr "b"\n' in write_po(catalog)
    template = read_po((HEADER + 'msgctxt "c"\nmsgid ""\nmsgstr ""\n').encode(), "c.pot")
    merge(catalog, template)
    kept = catalog.find("", "c")
    assert kept is not None and kept.msgstr == "b" and not kept.fuzzy


def test_xgettext_placeholder_header_is_fine_in_a_template() -> None:
    pot = (
        b'#, fuzzy\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=CHARSET\\n"\n'
        b'"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n'
        b'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    )
    catalog = read_po(pot, "x.pot", template=True)
    assert catalog.find("a") is not None and catalog.plural_forms is None
    with pytest.raises(CatalogError):  # as a translation it is not compilable: msgfmt agrees
        read_po(pot.replace(b'msgstr[0] ""', b'msgstr[0] "x"'), "x.po")


def test_latin1_catalog_is_read_and_written_in_latin1() -> None:
    data = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        'msgid "What can I do?"\nmsgstr "¿Qué puedo hacer?"\n'
    ).encode("latin-1")
    catalog = read_po(data, "l1.po")
    assert catalog.find("What can I do?").msgstr == "¿Qué puedo hacer?"  # type: ignore[union-attr]
    assert catalog.charset == "ISO-8859-1"
    assert write_po(catalog) == data == msgcat(data)


def test_errors_name_the_line() -> None:
    cases = {
        'msgid "a"\nmsgstr "b\n': 5,
        'msgid "a"\nmsgstr "b"\nmsgstr "c"\n': 6,
        'msgid "a"\nmsgstr[1] "b"\n': 5,
        'msgid "a"\nmsgtxt "c"\n': 5,
        'msgid "a\\q"\nmsgstr "b"\n': 4,
        'msgid "a"\n\n': 4,
    }
    for text, line in cases.items():
        with pytest.raises(CatalogError) as info:
            read_po((HEADER + text).encode(), "e.po")
        assert info.value.location is not None
        assert (info.value.location.path, info.value.location.line) == ("e.po", line), text


# -- plural forms: the one parser -----------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "counts"),
    [
        ("nplurals=2; plural=(n != 1);", {0: 1, 1: 0, 2: 1}),
        ("nplurals=1; plural=0;", {0: 0, 5: 0}),
        (
            "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
            "(n%100<10 || n%100>=20) ? 1 : 2);",
            {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 22: 1},
        ),
        ("nplurals=2; plural=n>1;", {0: 0, 1: 0, 2: 1}),
    ],
)
def test_plural_rules_pick_gettexts_forms(rule: str, counts: dict[int, int]) -> None:
    forms = parse_plural_forms(rule)
    assert {n: forms.form(n) for n in counts} == counts


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("nplurals=INTEGER; plural=EXPRESSION;", "not a number"),
        ("nplurals=2; plural=n/0;", "divide by zero"),
        ("nplurals=2; plural=n;", "nplurals = 2"),
        ("nplurals=2; plural=(n != 1;", "unbalanced parenthesis"),
        ("nplurals=2; plural=n - 2;", "negative"),
        ("plural=n != 1;", "nplurals"),
    ],
)
def test_bad_plural_rules_say_what_msgfmt_says(rule: str, words: str) -> None:
    assert words in plural_forms_problem(rule)


def test_msgmerge_previous_of_an_up_to_date_catalog_changes_no_byte(tmp_path: Path) -> None:
    """Poedit's "Update from POT" (msgmerge --previous) on what plainlang update wrote."""
    from plainlang.theme import SHIPPED_THEME

    pairs = [
        (root, path)
        for root in (Path(__file__).parent.parent / "locales", SHIPPED_THEME / "locales")
        for path in sorted(root.glob("*/LC_MESSAGES/*.po"))
    ]
    assert len(pairs) >= 9 + 3  # the sample's cases, and the theme's ui catalogs
    for root, path in pairs:
        out = tmp_path / "merged.po"
        subprocess.run(
            ["msgmerge", "--quiet", "--previous", "-o", str(out), str(path),
             str(root / f"{path.stem}.pot")],
            check=True,
        )
        assert out.read_bytes() == unknown_flags_removed(path.read_bytes()), path
