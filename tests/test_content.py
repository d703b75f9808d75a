"""Content parsing: segments, audiences, 1-based lines, and errors that name the line."""

from __future__ import annotations

import pytest
from conftest import snapshot

from plainlang.content import AudienceBlock, ListBlock, Quote, Table, parse_case
from plainlang.errors import ContentError

AUDIENCES = ("youth", "women", "municipality")

CASE = """\
---
title: Your right to know
summary: Anyone can ask a public office for information. It is free.
audiences: [youth, women, municipality]
qr: https://example.org/right-to-know
---
# Your right to know

Rosa lives in a village in the Andes. She wanted to know **how much** the
school repair cost.

- Write a short letter.
- Hand it in at the front desk.

> "They answered me in ten days."
>
> — Rosa, Ayacucho

<!-- translators: "front desk" is the reception window of the office. -->
::: youth
Share this leaflet with your group.
:::

::: women municipality
Text shown only in the leaflets for these two audiences.
:::

![A letter with a date stamp](letter.png)
"""


def test_contract_example_segments():
    case = parse_case(CASE, "content/cases/right.md", audiences=AUDIENCES)
    assert case.id == "right"
    assert case.qr == "https://example.org/right-to-know"
    got = [(s.kind, s.line, s.msgid) for s in case.segments()]
    assert got == [
        ("title", 2, "Your right to know"),
        ("summary", 3, "Anyone can ask a public office for information. It is free."),
        ("heading", 7, "Your right to know"),
        (
            "paragraph",
            9,
            "Rosa lives in a village in the Andes. She wanted to know **how much** the school repair cost.",
        ),
        ("list-item", 12, "Write a short letter."),
        ("list-item", 13, "Hand it in at the front desk."),
        ("quote", 15, '"They answered me in ten days."'),
        ("attribution", 17, "Rosa, Ayacucho"),
        ("paragraph", 21, "Share this leaflet with your group."),
        ("paragraph", 25, "Text shown only in the leaflets for these two audiences."),
        ("alt", 28, "A letter with a date stamp"),
    ]
    youth, both = [b for b in case.blocks if isinstance(b, AudienceBlock)]
    assert youth.audiences == {"youth"}
    assert both.audiences == {"women", "municipality"}
    segments = list(case.segments())
    assert segments[8].audiences == {"youth"}
    assert segments[8].note == '"front desk" is the reception window of the office.'
    assert segments[4].audiences is None
    assert isinstance(case.blocks[2], ListBlock) and not case.blocks[2].ordered
    assert isinstance(case.blocks[3], Quote)


def test_blocks_for_audience_filters():
    case = parse_case(CASE, "c.md", audiences=AUDIENCES)
    texts = {a: [s.msgid for s in _segments(case.blocks_for(a))] for a in AUDIENCES}
    assert "Share this leaflet with your group." in texts["youth"]
    assert "Share this leaflet with your group." not in texts["women"]
    assert "Text shown only in the leaflets for these two audiences." in texts["municipality"]
    assert "Text shown only in the leaflets for these two audiences." not in texts["youth"]


def _segments(blocks):
    from plainlang.content import iter_segments

    return list(iter_segments(blocks))


def test_table_cells_and_ordered_list_start():
    text = "---\ntitle: T\n---\n3. three\n4. four\n\n| A | B |\n| - | - |\n| x **y** | 2 |\n"
    case = parse_case(text, "c.md")
    lst, table = case.blocks
    assert isinstance(lst, ListBlock) and lst.ordered and lst.start == 3
    assert isinstance(table, Table)
    assert [s.msgid for s in table.header] == ["A", "B"]
    assert [(s.msgid, s.line) for s in table.rows[0]] == [("x **y**", 9), ("2", 9)]


def test_crlf_and_bom_are_read():
    case = parse_case("\ufeff---\r\ntitle: T\r\n---\r\nHello\r\nthere.\r\n", "c.md")
    assert [s.msgid for s in case.segments()] == ["T", "Hello there."]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: T\n\nHello\n", 1, "never closed"),
        ("title: T\n", 1, "must start with '---'"),
        ("---\ntitle: T\n\tsummary: x\n---\nHi\n", 3, "not valid YAML"),
        ("---\ntitle: [unclosed\n---\nHi\n", 2, "not valid YAML"),
        ("---\ntitle: T\naudiences: [kids]\n---\nHi\n", 3, "unknown audience 'kids'"),
        ("---\ntitle: T\n---\nHi\n\n::: kids\nx\n:::\n", 6, "unknown audience 'kids'"),
        ("---\ntitle: T\n---\nHi\n\n::: youth\nx\n", 6, "never closed"),
        ("---\ntitle: T\n---\n::: youth\n::: women\nx\n:::\n:::\n", 5, "inside another"),
        ("---\ntitle: T\ncolour: red\n---\nHi\n", 3, "unknown front matter key"),
        ("---\nsummary: S\n---\nHi\n", 2, "needs 'title:'"),
        ("---\ntitle: T\n---\nHi <b>there</b>\n", 4, "raw HTML"),
        ("---\ntitle: T\n---\n\n<div>x</div>\n", 5, "raw HTML"),
        ("---\ntitle: T\n---\n- a\n  - b\n", 5, "nested"),
        ("---\ntitle: T\nqr: javascript:alert(1)\n---\nHi\n", 3, "'qr' must be"),
        ("---\n- a\n- b\n---\nHi\n", 2, "key: value"),
    ],
)
def test_bad_content_names_file_and_line(text, line, words):
    with pytest.raises(ContentError) as info:
        parse_case(text, "content/cases/bad.md", audiences=AUDIENCES)
    assert info.value.location.path == "content/cases/bad.md"
    assert info.value.location.line == line, info.value.format()
    assert words in info.value.format()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: T\n\nHello\n", 1, "front matter opened here is never closed"),
        ("---\ntitle: T\n---\nHi\n\n::: kids\nx\n:::\n", 6, "unknown audience 'kids'"),
        ("---\ntitle: T\nsummary: [a\n---\nHi\n", 3, "not valid YAML"),
    ],
)
def test_cli_bad_content_exit_2_one_line_nothing_changed(run, project, text, line, words):
    assert run("-C", project, "extract").code == 0
    assert run("-C", project, "update").code == 0
    (project / "content/cases/bad.md").write_text(text)
    before = snapshot(project)
    for command in ("extract", "update", "stats"):
        result = run("-C", project, command)
        if command == "extract":
            assert result.code == 2
            assert result.err.startswith(f"content/cases/bad.md:{line}: content error: ")
            assert words in result.err
            assert len(result.err.strip().splitlines()) == 1
            assert "Traceback" not in result.err
    assert snapshot(project) == before


def test_binary_and_empty_files(run, project):
    (project / "content/cases/empty.md").write_text("  \n")
    result = run("-C", project, "extract")
    assert result.code == 2 and "content/cases/empty.md:1: content error: the file is empty" in result.err
    (project / "content/cases/empty.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = run("-C", project, "extract")
    assert result.code == 2 and "binary file" in result.err
