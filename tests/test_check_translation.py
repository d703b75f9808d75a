"""Translation checks on small real catalogs in tests/data/check.

Most fixture entries carry a ``# case: <name>`` translator comment; :func:`case_line` finds
the ``msgstr`` line below it, which is where every entry diagnostic must point.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

import polib
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from hypothesis import given, settings
from hypothesis import strategies as st

from plainlang.checks.diagnostics import Diagnostic, Severity
from plainlang.checks.glossary import load_glossary, parse_glossary_csv
from plainlang.checks.translation import (
    CHECKS,
    TranslationOptions,
    catalog_locale,
    check_catalog,
    check_po_file,
    plain_text,
)
from plainlang.errors import CatalogError, ConfigError
from plainlang.po import read_po

DATA = Path(__file__).parent / "data" / "check"


def case_line(po_file: Path, case: str) -> int:
    """The 1-based line of the first ``msgstr`` after the ``# case: <case>`` comment."""
    lines = po_file.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"# case: {case}")
    for number in range(start, len(lines)):
        if lines[number].startswith("msgstr"):
            return number + 1
    raise AssertionError(f"no msgstr after case {case}")


def make_latin1_font(path: Path) -> Path:
    """A real TrueType font whose cmap covers Basic Latin and Latin-1 only (boxes as glyphs).

    Built here rather than shipped so the test data carry no font licence; it stands for a
    leaflet font that lacks curly quotes.
    """
    codepoints = [*range(0x20, 0x7F), *range(0xA0, 0x100)]
    names = [".notdef"] + [f"uni{cp:04X}" for cp in codepoints]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({cp: f"uni{cp:04X}" for cp in codepoints})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((500, 700))
    pen.lineTo((500, 0))
    pen.closePath()
    box = pen.glyph()
    builder.setupGlyf({name: box for name in names})
    builder.setupHorizontalMetrics({name: (600, 100) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Latin1 Boxes", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path


@pytest.fixture
def options(tmp_path: Path) -> TranslationOptions:
    """Every check on: glossary from CSV, a Latin-1 font, a length ratio, one allowed word."""
    font = make_latin1_font(tmp_path / "latin1.ttf")
    base = TranslationOptions(
        same_allow=frozenset({"OGP"}),
        length_ratio=1.6,
        glossary=load_glossary(DATA / "glossary.csv"),
        font_paths=(font,),
    )
    # Quechua runs longer than English: "Who can ask?" -> "Pitaq mañakuyta atin?" is 1.75x.
    return replace(base, locale_overrides={"qu": replace(base, length_ratio=2.0)})


def at_line(diagnostics: list[Diagnostic], line: int) -> set[str]:
    return {d.check for d in diagnostics if d.line == line}


FIRES = [
    ("checks-es.po", "placeholder", "placeholder-fires"),
    ("checks-es.po", "plurals", "plurals-fires"),
    ("checks-es.po", "markup", "markup-fires"),
    ("checks-es.po", "url", "url-fires"),
    ("checks-es.po", "email", "email-fires"),
    ("checks-es.po", "number", "number-fires"),
    ("checks-es.po", "untranslated", "untranslated-fires"),
    ("checks-es.po", "fuzzy", "fuzzy-fires"),
    ("checks-es.po", "same", "same-fires"),
    ("checks-es.po", "whitespace", "whitespace-fires"),
    ("checks-es.po", "double-space", "double-space-fires"),
    ("checks-es.po", "end-punctuation", "end-punctuation-fires"),
    ("checks-es.po", "end-punctuation", "end-punctuation-fires-opening"),
    ("checks-es.po", "end-punctuation", "end-punctuation-fires-exclamation"),
    ("checks-qu.po", "end-punctuation", "end-punctuation-fires-quechua"),
    ("checks-es.po", "length", "length-fires"),
    ("checks-es.po", "length-ratio", "length-ratio-fires"),
    ("checks-es.po", "glossary", "glossary-fires"),
    ("checks-es.po", "glyphs", "glyphs-fires"),
]

PASSES = [
    ("checks-es.po", "placeholder-passes"),
    ("checks-es.po", "plurals-passes"),
    ("checks-es.po", "markup-passes"),
    ("checks-es.po", "url-passes"),
    ("checks-es.po", "email-passes"),
    ("checks-es.po", "number-passes"),
    ("checks-es.po", "untranslated-passes"),
    ("checks-es.po", "fuzzy-passes"),
    ("checks-es.po", "same-passes-allowed"),
    ("checks-es.po", "same-passes-name"),
    ("checks-es.po", "same-passes-url"),
    ("checks-es.po", "whitespace-passes"),
    ("checks-es.po", "double-space-passes"),
    ("checks-es.po", "end-punctuation-passes"),
    ("checks-es.po", "end-punctuation-passes-mid-sentence"),
    ("checks-qu.po", "end-punctuation-passes-quechua"),
    ("checks-es.po", "length-passes"),
    ("checks-es.po", "length-ratio-passes-short"),
    ("checks-es.po", "glossary-passes"),
    ("checks-es.po", "glyphs-passes"),
]


@pytest.mark.parametrize(("fixture", "check", "case"), FIRES, ids=[c for _, _, c in FIRES])
def test_check_fires_on_its_entry_and_only_there(
    fixture: str, check: str, case: str, options: TranslationOptions
) -> None:
    path = DATA / fixture
    line = case_line(path, case)
    diagnostics = check_po_file(path, options)
    assert at_line(diagnostics, line) == {check}
    found = next(d for d in diagnostics if d.line == line)
    assert found.severity == CHECKS[check].severity
    assert found.path == str(path)
    assert found.hint
    assert found.locale == fixture.removeprefix("checks-").removesuffix(".po")


@pytest.mark.parametrize(("fixture", "case"), PASSES, ids=[c for _, c in PASSES])
def test_clean_entry_has_no_diagnostic(
    fixture: str, case: str, options: TranslationOptions
) -> None:
    path = DATA / fixture
    assert at_line(check_po_file(path, options), case_line(path, case)) == set()


def test_every_check_has_a_firing_fixture() -> None:
    assert {check for _, check, _ in FIRES} == set(CHECKS)


def test_three_errors_at_their_lines() -> None:
    diagnostics = check_po_file(DATA / "three-errors.po", TranslationOptions())
    assert [(d.line, d.check, d.severity) for d in diagnostics] == [
        (21, "url", Severity.ERROR),
        (35, "placeholder", Severity.ERROR),
        (41, "number", Severity.ERROR),
    ]
    url, placeholder, number = diagnostics
    assert url.message == (
        "link target changed: https://www.opengovpartnership.org"
        " -> https://www.opengovpartnership.org/es"
    )
    assert url.hint == "keep the link target as in the source"
    assert "{days}" in placeholder.message
    assert number.message == "number missing: 5"
    assert number.msgid == "If they need more time, they can take 5 more days."
    assert number.extra["msgid_line"] == 40
    assert url.format().startswith(f"{DATA / 'three-errors.po'}:21: error[url]: link target")


def test_entries_keep_the_line_of_each_field() -> None:
    """polib's ``linenum`` is the entry's first comment line; plainlang.po keeps each one."""
    po = read_po((DATA / "three-errors.po").read_bytes(), "x.po")
    entry = po.find("If they need more time, they can take 5 more days.")
    assert entry is not None
    assert (entry.comment_line, entry.line, entry.msgstr_line()) == (37, 40, 41)


def test_check_catalog_points_at_msgstr_lines() -> None:
    po = read_po((DATA / "three-errors.po").read_bytes(), "x.po")
    diagnostics = check_catalog(po, "x.po", None, TranslationOptions())
    assert [d.line for d in diagnostics] == [21, 35, 41]


def test_malformed_po_is_a_catalog_error_at_its_line() -> None:
    with pytest.raises(CatalogError) as caught:
        check_po_file(DATA / "broken.po", TranslationOptions(), display="broken.po")
    error = caught.value
    assert error.location is not None
    assert (error.location.path, error.location.line) == ("broken.po", 13)
    assert error.exit_code == 2
    assert "unescaped double quote" in error.message


def test_unknown_keyword_is_a_catalog_error_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.po"
    bad.write_text('msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "a"\nmsgstri "b"\n')
    with pytest.raises(CatalogError) as caught:
        check_po_file(bad, TranslationOptions())
    assert caught.value.location is not None
    assert caught.value.location.line == 6


def test_wrong_encoding_is_a_catalog_error_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.po"
    text = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    bad.write_bytes(text.encode() + 'msgid "Yes"\nmsgstr "Sí"\n'.encode("latin-1"))
    with pytest.raises(CatalogError) as caught:
        check_po_file(bad, TranslationOptions())
    assert caught.value.location is not None
    assert caught.value.location.line == 6


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        check_po_file(tmp_path / "nope.po", TranslationOptions())


# --------------------------------------------------------------------------- silencing


def test_silenced_by_flag_comment_and_weblate_alias() -> None:
    path = DATA / "silenced.po"
    diagnostics = check_po_file(path, TranslationOptions())
    for case in ("flag", "comment", "weblate-alias", "all"):
        assert at_line(diagnostics, case_line(path, case)) == set(), case
    # Only the silenced check is off: the same entry still reports its missing number.
    assert at_line(diagnostics, case_line(path, "other-check-still-fires")) == {"number"}


def test_silencing_is_what_keeps_those_entries_quiet(tmp_path: Path) -> None:
    text = (DATA / "silenced.po").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(#, ignore-.*|# plainlang-ignore:.*)\n", "", text)
    loud = tmp_path / "loud.po"
    loud.write_text(text, encoding="utf-8")
    checks = {d.check for d in check_po_file(loud, TranslationOptions())}
    assert {"url", "number", "end-punctuation", "email"} <= checks


# --------------------------------------------------------------------------- options


def test_disabled_and_severity_overrides(options: TranslationOptions) -> None:
    path = DATA / "three-errors.po"
    base = TranslationOptions.from_mapping(
        {"disable": ["url"], "severity": {"number": "warning", "placeholder": "off"}},
        base_dir=DATA,
    )
    diagnostics = check_po_file(path, base)
    assert [(d.line, d.check, d.severity) for d in diagnostics] == [
        (41, "number", Severity.WARNING)
    ]


def test_from_mapping_reads_files_and_locale_overrides(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    make_latin1_font(tmp_path / "fonts" / "a.ttf")
    (tmp_path / "glossary.tbx").write_bytes((DATA / "glossary-basic.tbx").read_bytes())
    options = TranslationOptions.from_mapping(
        {
            "disable": ["same"],
            "same_allow": ["OGP"],
            "length_ratio": 1.6,
            "include_fuzzy": True,
            "glossary": "glossary.tbx",
            "fonts": ["fonts"],
            "sentence_words": 20,  # a readability key: not ours, left alone
            "locales": {"qu": {"length_ratio": 2.0, "enable": ["same"], "same_allow": ["Tayta"]}},
        },
        base_dir=tmp_path,
    )
    assert options.disabled == {"same"}
    assert options.include_fuzzy is True
    assert options.glossary is not None and options.glossary.terms[0].source == "public office"
    assert options.font_paths == (tmp_path / "fonts" / "a.ttf",)
    quechua = options.for_locale("qu_PE")
    assert quechua.length_ratio == 2.0
    assert quechua.disabled == frozenset()
    assert quechua.same_allow == {"OGP", "Tayta"}
    assert quechua.glossary == options.glossary
    assert options.for_locale("es") is options


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"length_ratio": "long"}, "length_ratio"),
        ({"severity": {"url": "loud"}}, "severity.url"),
        ({"disable": "url"}, "disable"),
        ({"fonts": ["missing.ttf"]}, "missing.ttf"),
        ({"glossary": "missing.csv"}, "cannot read glossary"),
        ({"include_fuzzy": "yes"}, "include_fuzzy"),
    ],
)
def test_from_mapping_rejects_bad_values(table: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)):
        TranslationOptions.from_mapping(table, base_dir=DATA)


def test_from_mapping_validates_ids_when_told_which_exist() -> None:
    with pytest.raises(ConfigError, match="unknown check id 'urls'"):
        TranslationOptions.from_mapping({"disable": ["urls"]}, base_dir=DATA, known_checks=CHECKS)


def test_fuzzy_entries_are_drafts_unless_included(tmp_path: Path) -> None:
    po = tmp_path / "es.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        "#. kind: paragraph\n#, fuzzy\n"
        'msgid "See [the law](https://a.org)."\nmsgstr "Vea [la ley](https://b.org)."\n',
        encoding="utf-8",
    )
    assert [d.check for d in check_po_file(po, TranslationOptions())] == ["fuzzy"]
    included = check_po_file(po, TranslationOptions(include_fuzzy=True))
    assert [(d.line, d.check) for d in included] == [(8, "fuzzy"), (8, "url")]
    assert included[1].severity == Severity.ERROR


def test_untranslated_can_be_left_out(tmp_path: Path) -> None:
    path = DATA / "checks-es.po"
    line = case_line(path, "untranslated-fires")
    quiet = TranslationOptions(include_untranslated=False)
    assert at_line(check_po_file(path, quiet), line) == set()


# --------------------------------------------------------------------------- catalogs


def test_catalog_from_another_project() -> None:
    """xgettext conventions: msgctxt, three plural forms, #| previous msgids, obsolete."""
    path = DATA / "foreign-pl.po"
    diagnostics = check_po_file(path, TranslationOptions())
    assert [(d.line, d.check) for d in diagnostics] == [(38, "placeholder"), (59, "fuzzy")]
    placeholder, fuzzy = diagnostics
    assert placeholder.message == "placeholder missing: %d"
    assert placeholder.extra["plural_index"] == 2
    assert placeholder.locale == "pl"
    assert "Visit our website" in fuzzy.message


def test_plural_forms_header_missing_or_invalid(tmp_path: Path) -> None:
    """As msgfmt: translated plural entries need a valid Plural-Forms (catalog error);
    untranslated or fuzzy ones only get a finding."""
    entry = 'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n} día"\nmsgstr[1] "{n} días"\n'
    missing = tmp_path / "missing.po"
    missing.write_text(f'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n{entry}', encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        check_po_file(missing, TranslationOptions())
    assert caught.value.location is not None and caught.value.location.line == 2
    draft = tmp_path / "draft.po"
    draft.write_text(f'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n#, fuzzy\n{entry}', encoding="utf-8")
    assert (2, "plurals") in [(d.line, d.check) for d in check_po_file(draft, TranslationOptions())]
    invalid = tmp_path / "invalid.po"
    invalid.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n"Plural-Forms: nplurals=two; plural=n;\\n"\n\n'
        + entry,
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as caught:
        check_po_file(invalid, TranslationOptions())
    assert caught.value.location is not None and caught.value.location.line == 4
    assert "nplurals" in caught.value.message


def test_extra_plural_form_points_at_its_line(tmp_path: Path) -> None:
    po = tmp_path / "qu.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: qu\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "{n} day"\nmsgid_plural "{n} days"\n'
        'msgstr[0] "{n} p\'unchaw"\nmsgstr[1] "{n} p\'unchawkuna"\nmsgstr[2] "{n} p\'unchaw"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as caught:  # msgfmt: nplurals = 2 but 3 forms
        check_po_file(po, TranslationOptions())
    assert caught.value.location is not None and caught.value.location.line == 10
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "{n} day"', '#, fuzzy\nmsgid "{n} day"'))
    found = check_po_file(po, TranslationOptions())
    assert (11, "plurals", 2) in [(d.line, d.check, d.extra.get("plural_index")) for d in found]


def test_locale_from_header_or_path() -> None:
    po = read_po(b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n', "x.po")
    assert catalog_locale(po, "locales/qu/LC_MESSAGES/right-to-know.po") == "qu"
    assert catalog_locale(po, "po/pt_BR.po") == "pt_BR"
    assert catalog_locale(po, "po/messages.po") is None
    po.set_header_field("Language", "ay")
    assert catalog_locale(po, "locales/qu/LC_MESSAGES/right-to-know.po") == "ay"


def test_plain_text_keeps_what_readers_see() -> None:
    assert plain_text(r"**Ask** \*now\* at [the desk](https://a.org) or `x_y`") == (
        "Ask *now* at the desk or x_y"
    )


# --------------------------------------------------------------------------- glossary


def test_glossary_csv() -> None:
    glossary = load_glossary(DATA / "glossary.csv")
    assert glossary.source_locale == "en"
    office, _access, request = glossary.terms
    assert office.translation_for("es_PE") == "oficina pública"
    assert office.translation_for("qu") is None  # empty cell: nothing enforced
    assert office.note == 'Not "institución": readers know the word oficina.'
    assert request.translation_for("qu") == "mañakuy"
    assert [t.source for t in glossary.terms_in("Ask the Public  Office now")] == ["public office"]
    assert list(glossary.terms_in("public offices")) == []  # whole words only


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("en,es\noffice,oficina\nOffice,despacho\n", 3, "listed twice"),
        ("en,es\n,oficina\n", 2, "no source term"),
        ("en,,es\n", 1, "no name"),
        ("", 1, "no header"),
        ("en,es\noffice,oficina,extra\n", 2, "cells"),
    ],
)
def test_glossary_csv_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError, match=words) as caught:
        parse_glossary_csv(text, "g.csv")
    assert caught.value.location is not None
    assert caught.value.location.line == line


def test_glossary_tbx_basic() -> None:
    glossary = load_glossary(DATA / "glossary-basic.tbx")
    assert [t.source for t in glossary.terms] == ["public office", "public agency", "request"]
    office = glossary.terms[0]
    # The deprecated "institución estatal" is skipped; ntig/termGrp is read.
    assert office.translation_for("es") == "oficina pública"
    assert office.translation_for("qu") == "llaqta wasi"
    assert office.note == "An office of the state that serves the public."
    assert glossary.terms[2].translation_for("es_PE") == "pedido"


def test_glossary_tbx_v3() -> None:
    glossary = load_glossary(DATA / "glossary-v3.tbx")
    [term] = glossary.terms
    assert term.source == "access to information"
    assert term.translation_for("ay") == "yatiyawinak katuqaña"


@pytest.mark.parametrize("name", ["glossary-laughs.tbx", "glossary-external.tbx"])
def test_glossary_tbx_with_entities_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="refusing") as caught:
        load_glossary(DATA / name)
    assert caught.value.location is not None
    assert caught.value.location.line == 2


def test_glossary_tbx_entity_declaration_is_refused(tmp_path: Path) -> None:
    tbx = tmp_path / "g.tbx"
    tbx.write_text('<?xml version="1.0"?>\n<!DOCTYPE martif [\n<!ENTITY a "b">\n]>\n<martif/>\n')
    with pytest.raises(ConfigError, match="refusing"):
        load_glossary(tbx)


def test_glossary_tbx_not_well_formed(tmp_path: Path) -> None:
    tbx = tmp_path / "g.tbx"
    tbx.write_text('<?xml version="1.0"?>\n<martif>\n<text>\n</martif>\n')
    with pytest.raises(ConfigError, match="not well-formed") as caught:
        load_glossary(tbx)
    assert caught.value.location is not None
    assert caught.value.location.line == 4


def test_glossary_check_uses_tbx_and_locale(tmp_path: Path) -> None:
    options = TranslationOptions(glossary=load_glossary(DATA / "glossary-basic.tbx"))
    path = DATA / "checks-es.po"
    diagnostics = check_po_file(path, options)
    fired = [d for d in diagnostics if d.check == "glossary"]
    assert [d.line for d in fired] == [case_line(path, "glossary-fires")]
    assert (
        fired[0].message == "glossary term 'public office' should be translated 'oficina pública'"
    )
    assert fired[0].hint is not None and "An office of the state" in fired[0].hint


def test_broken_font_is_a_config_error(tmp_path: Path) -> None:
    font = tmp_path / "bad.ttf"
    font.write_bytes(b"not a font at all")
    with pytest.raises(ConfigError, match="cannot read font"):
        check_po_file(DATA / "checks-es.po", TranslationOptions(font_paths=(font,)))


# --------------------------------------------------------------------------- line scanner

_texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=120
)


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            _texts.filter(bool),  # msgid
            st.one_of(st.none(), _texts),  # msgctxt
            st.one_of(st.none(), _texts.filter(bool)),  # msgid_plural
            _texts,  # msgstr
            st.booleans(),  # obsolete
        ),
        max_size=6,
    ),
    wrap=st.sampled_from([0, 20, 78]),
)
def test_reader_finds_every_polib_entry(
    entries: list[tuple[str, str | None, str | None, str, bool]], wrap: int
) -> None:
    """Whatever polib writes (wrapped, escaped, U+2028 inside strings), plainlang.po finds
    the msgid and msgstr keyword lines of each entry polib reads back."""
    po = polib.POFile(wrapwidth=wrap)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    seen: set[tuple[str | None, str]] = set()
    for msgid, ctxt, plural, msgstr, obsolete in entries:
        if (ctxt, msgid) in seen:
            continue
        seen.add((ctxt, msgid))
        entry = polib.POEntry(msgid=msgid, msgctxt=ctxt, obsolete=obsolete, comment="kind: x")
        if plural:
            entry.msgid_plural = plural
            entry.msgstr_plural = {0: msgstr, 1: msgstr}
        else:
            entry.msgstr = msgstr
        po.append(entry)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.po"
        po.save(str(path))
        text = path.read_text(encoding="utf-8")
        reread = polib.pofile(str(path))
    lines = text.split("\n")
    if "\x04" in text:
        return  # msgfmt refuses the context separator in a string; so does plainlang.po
    ours = read_po(text.encode("utf-8"), "x.po", template=True)  # the grammar alone
    for entry in reread:
        if entry.obsolete:
            continue
        where = ours.find(entry.msgid, entry.msgctxt)
        assert where is not None and where.line is not None
        assert lines[where.line - 1].startswith("msgid ")
        for index, msgstr_line in where.msgstr_lines.items():
            keyword = "msgstr" if index is None else f"msgstr[{index}]"
            assert lines[msgstr_line - 1].startswith(keyword + " ")
        assert set(where.msgstr_lines) == ({None} if not entry.msgid_plural else {0, 1})


# --------------------------------------------------------------------------- single entries


def one_entry(
    folder: Path,
    msgid: str,
    msgstr: str,
    *,
    flags: str = "",
    language: str = "es",
    options: TranslationOptions | None = None,
) -> list[tuple[int | None, str, str]]:
    """Check a catalog of one entry (``#. kind: paragraph``); its msgstr is on line 9."""
    header = f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n'
    header += '"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    text = header + "#. kind: paragraph\n" + (f"#, {flags}\n" if flags else "# one entry\n")
    text += f'msgid "{polib.escape(msgid)}"\nmsgstr "{polib.escape(msgstr)}"\n'
    path = folder / f"{language}.po"
    path.write_text(text, encoding="utf-8")
    found = check_po_file(path, options or TranslationOptions())
    return [(d.line, d.check, d.message) for d in found]


@pytest.mark.parametrize(
    ("flags", "msgid", "msgstr", "message"),
    [
        ("", "Hello {name}", "Hola {nombre}", "placeholder changed: {name} -> {nombre}"),
        ("", "{0} of {1}", "{1} de {0}", None),  # numbered: free to move
        ("", "{} of {}", "{} de {} y {}", "placeholder not in the source: {}"),
        ("", "Ask %(office)s", "Pregunte a la oficina", "placeholder missing: %(office)s"),
        ("", "50% of people", "50 % de las personas", None),  # unflagged: % is text
        ("", "Use {{braces}}", "Use {{llaves}}", None),  # escaped braces are text
        (
            "python-format",
            "%s of %d",
            "%d de %s",
            "positional placeholders reordered: %s %d -> %d %s",
        ),
        ("python-format", "100%% of %s", "el 100%% de %s", None),
        ("c-format", "%1$s and %2$s", "%2$s y %1$s", None),
        ("c-format", "%d files", "%i archivos", "placeholder changed: %d -> %i"),
        ("no-python-brace-format", "{x}", "{y}", None),
    ],
)
def test_placeholders(
    tmp_path: Path, flags: str, msgid: str, msgstr: str, message: str | None
) -> None:
    found = [f for f in one_entry(tmp_path, msgid, msgstr, flags=flags) if f[1] == "placeholder"]
    assert found == ([] if message is None else [(9, "placeholder", message)])


@pytest.mark.parametrize(
    ("msgid", "msgstr", "missing"),
    [
        ("It cost S/ 1,000.", "Costó S/ 1.000.", None),
        ("It cost S/ 10000.", "Costó S/ 10 000.", None),
        ("Wait 10 days.", 'Espere "10" días.', None),
        ("In 2012 and 2016.", "En 2016 y 2012.", None),  # reordered
        ("At 10:30.", "A las 10.30.", None),
        ("Wait 10 days.", "Espere diez días.", "10"),  # written as a word: a miss
        ("Wait 15 days.", "Espere 5 días.", "15"),
        ("Since 2012.", "Desde 2021.", "2012"),
    ],
)
def test_numbers(tmp_path: Path, msgid: str, msgstr: str, missing: str | None) -> None:
    found = [f for f in one_entry(tmp_path, msgid, msgstr) if f[1] == "number"]
    assert found == ([] if missing is None else [(9, "number", f"number missing: {missing}")])


@pytest.mark.parametrize(
    ("msgid", "msgstr", "fires"),
    [
        ("Use *this* one.", "Use _esta_.", True),
        ("See `snake_case` and my_file.", "Vea `snake_case` y mi_archivo.", False),
        ("[Ask](https://a.org) now.", "[Pregunte] (https://a.org) ahora.", True),
        ("**Bold** and *em*.", "*Negrita* y **énfasis**.", False),  # counts match
        ("2 * 3 = 6", "2 * 3 = 6 (seis)", False),  # spaced * is not emphasis
    ],
)
def test_markup(tmp_path: Path, msgid: str, msgstr: str, fires: bool) -> None:
    checks = {f[1] for f in one_entry(tmp_path, msgid, msgstr)}
    assert ("markup" in checks) is fires


def test_markup_is_not_checked_outside_markdown(tmp_path: Path) -> None:
    po = tmp_path / "es.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        'msgid "Try `grep --help\'"\nmsgstr "Pruebe \'grep --help\'"\n\n'
        '#, md-text\nmsgctxt "x"\nmsgid "Try `grep --help\'"\nmsgstr "Pruebe \'grep --help\'"\n',
        encoding="utf-8",
    )
    assert [(d.line, d.check) for d in check_po_file(po, TranslationOptions())] == [(11, "markup")]


def test_glyphs_name_the_missing_characters(tmp_path: Path) -> None:
    font = make_latin1_font(tmp_path / "latin1.ttf")
    options = TranslationOptions(font_paths=(font,))
    found = one_entry(tmp_path, "They said no.", "Uñaqanakax “janiw” sapxi.", options=options)
    assert found == [
        (9, "glyphs", "the leaflet fonts have no glyph for '“' (U+201C), '”' (U+201D)")
    ]
    # A decomposed ñ (n + combining tilde) is drawn from the font's precomposed ñ.
    assert one_entry(tmp_path, "Year.", "Man\u0303ana.", options=options) == []


_PIECES = st.sampled_from(
    [
        *(b'"', b"\\", b"\n", b"\r", b"#~ ", b"#| ", b"msgid ", b"msgstr[1] ", b"msgctxt "),
        *(b"\xff", b"{", b"%(", b"`", b"**", b"](", b"\x00", b"Plural-Forms: nplurals=9;"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    fixture=st.sampled_from(sorted(p.name for p in DATA.glob("*.po"))),
    edits=st.lists(st.tuples(st.floats(0, 1), _PIECES, st.integers(0, 30)), max_size=5),
)
def test_damaged_catalog_is_a_catalog_error_or_diagnostics(
    fixture: str, edits: list[tuple[float, bytes, int]]
) -> None:
    """A damaged catalog never escapes as anything but CatalogError (no traceback)."""
    data = bytearray((DATA / fixture).read_bytes())
    for where, piece, cut in edits:
        at = int(where * len(data))
        data[at : at + cut] = piece
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "es.po"
        path.write_bytes(bytes(data))
        try:
            diagnostics = check_po_file(path, TranslationOptions(length_ratio=1.5))
        except CatalogError as error:
            assert error.location is not None and error.location.path == str(path)
        else:
            assert all(d.line is None or d.line >= 1 for d in diagnostics)
