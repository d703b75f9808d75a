"""Content: a case's Markdown file parsed into blocks of translatable segments.

A segment's msgid is its Markdown inline source with whitespace folded, so translators see
``**bold**`` and ``[links](...)`` and keep them. Every segment knows its 1-based source line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plainlang.config import MAX_QR_CHARS, parse_date
from plainlang.errors import ContentError, SourceLocation, display_path, line_at
from plainlang.fsio import read_project_file

FRONT_MATTER_KEYS = ("title", "summary", "audiences", "qr", "example", "source", "date")
_ATTRIBUTION_RE = re.compile(r"^\s*(?:—|–|--)\s*")
_TRANSLATOR_NOTE_RE = re.compile(r"^<!--\s*translators?\s*:\s*(.*?)\s*-->\s*$", re.S | re.I)
_CASE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_CASE_BYTES = 1_000_000
#: Case ids that are not free: ``ui`` is the domain of the templates' strings.
RESERVED_CASE_IDS = frozenset({"ui"})

# Kinds of segment, as written in the ``#. kind:`` comment of each PO entry.
KINDS = (
    "title",
    "summary",
    "source",
    "heading",
    "paragraph",
    "list-item",
    "quote",
    "attribution",
    "alt",
    "cell",
)


@dataclass(frozen=True)
class Segment:
    """One translatable unit: its kind, msgid, source line and the audiences that see it."""

    kind: str
    msgid: str
    line: int
    audiences: frozenset[str] | None = None  # None: every audience
    note: str | None = None  # the writer's note to translators


@dataclass(frozen=True)
class Heading:
    level: int
    text: Segment


@dataclass(frozen=True)
class Paragraph:
    text: Segment


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[Segment, ...]
    start: int = 1


@dataclass(frozen=True)
class Quote:
    paragraphs: tuple[Segment, ...]
    attribution: Segment | None = None


@dataclass(frozen=True)
class Image:
    src: str
    alt: Segment


@dataclass(frozen=True)
class Table:
    header: tuple[Segment, ...]
    rows: tuple[tuple[Segment, ...], ...]


@dataclass(frozen=True)
class AudienceBlock:
    audiences: frozenset[str]
    blocks: tuple[Block, ...]
    line: int


Block = Heading | Paragraph | ListBlock | Quote | Image | Table | AudienceBlock


@dataclass(frozen=True)
class Case:
    """A parsed case: front matter segments plus body blocks, in source order."""

    id: str
    path: str  # as shown to users and written in ``#:`` references
    title: Segment
    summary: Segment | None
    blocks: tuple[Block, ...]
    audiences: tuple[str, ...] | None = None  # None: all configured audiences
    qr: str | None = None
    example: bool = False
    source: Segment | None = None
    date: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def segments(self) -> Iterator[Segment]:
        """Every segment in source order (front matter first)."""
        yield self.title
        if self.summary is not None:
            yield self.summary
        if self.source is not None:
            yield self.source
        yield from iter_segments(self.blocks)

    def blocks_for(self, audience: str) -> tuple[Block, ...]:
        """The body as ``audience`` sees it: audience blocks for others are dropped."""
        return _filter_blocks(self.blocks, audience)


def iter_segments(blocks: Iterable[Block]) -> Iterator[Segment]:
    for block in blocks:
        if isinstance(block, Heading | Paragraph):
            yield block.text
        elif isinstance(block, ListBlock):
            yield from block.items
        elif isinstance(block, Quote):
            yield from block.paragraphs
            if block.attribution is not None:
                yield block.attribution
        elif isinstance(block, Image):
            yield block.alt
        elif isinstance(block, Table):
            yield from block.header
            for row in block.rows:
                yield from row
        else:
            yield from iter_segments(block.blocks)


def iter_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block, audience blocks and what they hold included, in source order."""
    for block in blocks:
        yield block
        if isinstance(block, AudienceBlock):
            yield from iter_blocks(block.blocks)


def _filter_blocks(blocks: Sequence[Block], audience: str) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, AudienceBlock):
            if audience in block.audiences:
                out.extend(_filter_blocks(block.blocks, audience))
        else:
            out.append(block)
    return tuple(out)


def fold(text: str) -> str:
    """Fold runs of whitespace to one space and strip: the msgid form of inline source.

    >>> fold("  two\\n  lines ")
    'two lines'
    """
    return " ".join(text.split())


def _md() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.container import container_plugin

    # html=True only so that raw HTML is *seen* and refused (or read as a translator note);
    # nothing here renders Markdown to HTML.
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.use(container_plugin, name="audience", validate=lambda params, *args: True)
    return md


MAX_FRONT_MATTER_DEPTH = 20


class _Refused(yaml.MarkedYAMLError):  # type: ignore[misc]
    """Valid YAML that front matter does not accept; carries its own hint."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _FrontMatterLoader(yaml.SafeLoader):  # type: ignore[misc]
    """``yaml.safe_load`` without what a few ``key: value`` lines never need.

    Refused, with the line: anchors and aliases (``&a`` / ``*a``: safe_load expands them,
    so nine lines of "billion laughs" make a structure of 10^9 items for whatever walks
    it), a key given twice (YAML keeps the last one silently, so the title on the page
    would not be the one the writer sees first), dates that do not exist (PyYAML raised a
    bare ValueError), and nesting deeper than :data:`MAX_FRONT_MATTER_DEPTH` (PyYAML
    recurses once a level and ran out of stack).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                "anchors (&name) and aliases (*name) are not allowed",
                event.start_mark,
                "write each value out in full",
            )
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise _Refused(
                    "values are nested too deeply", event.start_mark, "front matter is flat"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise _Refused(
                        f"'{key_node.value}' is given twice",
                        key_node.start_mark,
                        "keep one of the two lines",
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _Refused(
                f"{node.value} is not a date that exists", node.start_mark, "write YYYY-MM-DD"
            ) from exc


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp
)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """Split ``---`` YAML front matter from the body.

    Returns (front matter, body, line offset of the body: add it to 0-based body lines).
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(
            "a case must start with '---' and a YAML front matter block",
            SourceLocation(path, 1),
            hint="begin the file with ---, then title: ..., then ---",
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise ContentError(
            "front matter opened here is never closed",
            SourceLocation(path, 1),
            hint="add a line with --- after the front matter",
        )
    raw = "\n".join(lines[1:end])
    try:
        # A SafeLoader: plain data only, whatever the tags say.
        data = yaml.load(raw, Loader=_FrontMatterLoader) if raw.strip() else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.context_mark is not None and mark.line >= end - 1:
            mark = exc.context_mark  # "unexpected end": point at what was left open
        line = mark.line + 2 if mark is not None else 1
        problem = exc.problem or "invalid YAML"
        if isinstance(exc, _Refused):
            raise ContentError(
                f"front matter: {problem}", SourceLocation(path, line), hint=exc.hint
            ) from exc
        raise ContentError(
            f"front matter is not valid YAML: {problem}",
            SourceLocation(path, line),
            hint="indent with spaces, not tabs; quote text that contains ': '",
        ) from exc
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise ContentError(
            f"front matter is not valid YAML: {exc}", SourceLocation(path, 2)
        ) from exc
    if not isinstance(data, dict):
        raise ContentError(
            "front matter must be key: value pairs",
            SourceLocation(path, 2),
            hint="write title: ... and summary: ... on their own lines",
        )
    return data, "\n".join(lines[end + 1 :]), end + 1


def _key_line(text: str, key: str) -> int:
    for i, line in enumerate(text.split("\n")[:200]):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return i + 1
    return 2


class _Parser:
    def __init__(self, path: str, offset: int, audiences: Sequence[str] | None) -> None:
        self.path = path
        self.offset = offset
        self.known_audiences = tuple(audiences) if audiences is not None else None
        self.pending_note: str | None = None

    def loc(self, token: Any) -> SourceLocation:
        return SourceLocation(self.path, self.line(token))

    def line(self, token: Any) -> int:
        return (token.map[0] if token.map else 0) + self.offset + 1

    def segment(
        self, kind: str, token: Any, inline: Any, audiences: frozenset[str] | None
    ) -> Segment:
        msgid = fold(inline.content)
        note, self.pending_note = self.pending_note, None
        return Segment(kind, msgid, self.line(token), audiences, note)

    def parse(self, tokens: list[Any], source_lines: list[str]) -> tuple[Block, ...]:
        self.source_lines = source_lines
        blocks, _ = self.blocks(tokens, 0, None, None)
        return tuple(blocks)

    def blocks(
        self, tokens: list[Any], pos: int, until: str | None, audiences: frozenset[str] | None
    ) -> tuple[list[Block], int]:
        out: list[Block] = []
        while pos < len(tokens):
            tok = tokens[pos]
            if until is not None and tok.type == until:
                return out, pos + 1
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                out.append(Heading(level, self.segment("heading", tok, tokens[pos + 1], audiences)))
                pos += 3
            elif tok.type == "paragraph_open":
                out.append(self.paragraph(tok, tokens[pos + 1], audiences))
                pos += 3
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                block, pos = self.list_block(tokens, pos, audiences)
                out.append(block)
            elif tok.type == "blockquote_open":
                block, pos = self.quote(tokens, pos, audiences)
                out.append(block)
            elif tok.type == "table_open":
                block, pos = self.table(tokens, pos, audiences)
                out.append(block)
            elif tok.type == "container_audience_open":
                block, pos = self.audience_block(tokens, pos, audiences)
                out.append(block)
            elif tok.type == "html_block":
                match = _TRANSLATOR_NOTE_RE.match(tok.content.strip())
                if match is None:
                    raise ContentError(
                        "raw HTML is not allowed in a case",
                        self.loc(tok),
                        hint="write Markdown instead; only <!-- translators: ... --> is read",
                    )
                self.pending_note = fold(match.group(1))
                pos += 1
            elif tok.type == "hr":
                pos += 1
            elif tok.type in ("fence", "code_block"):
                raise ContentError(
                    "code blocks do not belong in a leaflet",
                    self.loc(tok),
                    hint="write the text as a paragraph or a list",
                )
            else:
                raise ContentError(
                    f"unexpected '{tok.type}' here",
                    self.loc(tok),
                    hint="close the block that is open above this line",
                )
        if until is not None:
            raise ContentError("block is never closed", SourceLocation(self.path, None))
        return out, pos

    def paragraph(self, tok: Any, inline: Any, audiences: frozenset[str] | None) -> Block:
        children = [c for c in (inline.children or []) if not (c.type == "text" and not c.content)]
        if len(children) == 1 and children[0].type == "image":
            image = children[0]
            alt = fold("".join(c.content for c in (image.children or [])))
            if not alt:
                raise ContentError(
                    "an image needs alt text: ![what it shows](file.png)", self.loc(tok)
                )
            note, self.pending_note = self.pending_note, None
            seg = Segment("alt", alt, self.line(tok), audiences, note)
            return Image(str(image.attrs.get("src", "")), seg)
        for child in inline.children or []:
            if child.type == "html_inline":
                raise ContentError(
                    f"raw HTML is not allowed in a case: {child.content}",
                    self.loc(tok),
                    hint="use Markdown: **bold**, *em*, [text](url)",
                )
        return Paragraph(self.segment("paragraph", tok, inline, audiences))

    def list_block(
        self, tokens: list[Any], pos: int, audiences: frozenset[str] | None
    ) -> tuple[Block, int]:
        open_tok = tokens[pos]
        ordered = open_tok.type == "ordered_list_open"
        close = "ordered_list_close" if ordered else "bullet_list_close"
        start = int(open_tok.attrs.get("start", 1)) if ordered else 1
        items: list[Segment] = []
        pos += 1
        while tokens[pos].type != close:
            tok = tokens[pos]
            if tok.type in ("list_item_open", "list_item_close", "paragraph_close"):
                pos += 1
            elif tok.type == "paragraph_open":
                items.append(self.segment("list-item", tok, tokens[pos + 1], audiences))
                pos += 2
            elif tok.type == "html_block":
                raise ContentError("raw HTML is not allowed in a list", self.loc(tok))
            else:
                raise ContentError(
                    "a list item may hold only text (no nested lists, quotes or headings)",
                    self.loc(tok),
                    hint="flatten the list, or write the inner part as its own paragraph",
                )
        return ListBlock(ordered, tuple(items), start), pos + 1

    def quote(
        self, tokens: list[Any], pos: int, audiences: frozenset[str] | None
    ) -> tuple[Block, int]:
        paragraphs: list[Segment] = []
        attribution: Segment | None = None
        pos += 1
        while tokens[pos].type != "blockquote_close":
            tok = tokens[pos]
            if tok.type == "paragraph_open":
                inline = tokens[pos + 1]
                if _ATTRIBUTION_RE.match(inline.content):
                    note, self.pending_note = self.pending_note, None
                    text = fold(_ATTRIBUTION_RE.sub("", inline.content, count=1))
                    attribution = Segment("attribution", text, self.line(tok), audiences, note)
                else:
                    paragraphs.append(self.segment("quote", tok, inline, audiences))
                pos += 3
            else:
                raise ContentError(
                    "a quote may hold only paragraphs and an attribution line (— Name, place)",
                    self.loc(tok),
                )
        if not paragraphs:
            raise ContentError("a quote needs some text", self.loc(tokens[pos - 1]))
        return Quote(tuple(paragraphs), attribution), pos + 1

    def table(
        self, tokens: list[Any], pos: int, audiences: frozenset[str] | None
    ) -> tuple[Block, int]:
        header: list[Segment] = []
        rows: list[tuple[Segment, ...]] = []
        current: list[Segment] = []
        in_head = False
        row_token = tokens[pos]
        pos += 1
        while tokens[pos].type != "table_close":
            tok = tokens[pos]
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                current = []
                row_token = tok
            elif tok.type == "tr_close":
                if in_head:
                    header = current
                else:
                    rows.append(tuple(current))
            elif tok.type in ("th_open", "td_open"):
                inline = tokens[pos + 1]
                current.append(self.segment("cell", row_token, inline, audiences))
                pos += 1
            pos += 1
        return Table(tuple(header), tuple(rows)), pos + 1

    def audience_block(
        self, tokens: list[Any], pos: int, audiences: frozenset[str] | None
    ) -> tuple[Block, int]:
        tok = tokens[pos]
        if audiences is not None:
            raise ContentError(
                "an audience block cannot sit inside another audience block",
                self.loc(tok),
                hint="close the outer ::: block first, or name all audiences on one line",
            )
        names = tok.info.split()
        if not names:
            raise ContentError(
                "'::: ' needs the audiences it is for, e.g. '::: youth women'",
                self.loc(tok),
            )
        if self.known_audiences is not None:
            for name in names:
                if name not in self.known_audiences:
                    raise ContentError(
                        f"unknown audience '{name}'",
                        self.loc(tok),
                        hint=f"known audiences: {', '.join(self.known_audiences)}"
                        " (set them in plainlang.toml)",
                    )
        closing_line = tok.map[1] if tok.map else -1
        if not (0 <= closing_line < len(self.source_lines)) or not re.match(
            r"^\s*:::+\s*$", self.source_lines[closing_line]
        ):
            raise ContentError(
                "'::: ' block opened here is never closed",
                self.loc(tok),
                hint="add a line with ::: after the block",
            )
        block_audiences = frozenset(names)
        blocks, pos = self.blocks(tokens, pos + 1, "container_audience_close", block_audiences)
        return AudienceBlock(block_audiences, tuple(blocks), self.line(tok)), pos


def parse_case(
    text: str, path: str, *, case_id: str | None = None, audiences: Sequence[str] | None = None
) -> Case:
    """Parse a case from its text; ``path`` is how errors and references name the file.

    ``audiences`` are the configured ones: blocks naming another audience are an error.
    """
    case_id = case_id or Path(path).stem
    if not _CASE_ID_RE.match(case_id):
        raise ContentError(
            f"case id '{case_id}' must be lower-case letters, digits and '-'",
            SourceLocation(path),
            hint="rename the file, e.g. right-to-know.md",
        )
    if case_id in RESERVED_CASE_IDS:
        raise ContentError(
            f"a case cannot be named '{case_id}': '{case_id}' is the domain of the templates'"
            f" strings (locales/{case_id}.pot)",
            SourceLocation(path),
            hint=f"rename the file, e.g. {case_id}-guide.md",
        )
    text = text.replace("\r\n", "\n").removeprefix("\ufeff")
    front, body, offset = split_front_matter(text, path)
    for key in front:
        if key not in FRONT_MATTER_KEYS:
            raise ContentError(
                f"unknown front matter key '{key}'",
                SourceLocation(path, _key_line(text, str(key))),
                hint=f"known keys: {', '.join(FRONT_MATTER_KEYS)}",
            )

    def text_field(key: str, required: bool) -> Segment | None:
        value = front.get(key)
        line = _key_line(text, key)
        if value is None:
            if required:
                raise ContentError(f"front matter needs '{key}:'", SourceLocation(path, 2))
            return None
        if not isinstance(value, str) or not value.strip():
            raise ContentError(
                f"'{key}' must be text", SourceLocation(path, line), hint="quote it if needed"
            )
        kind = key
        return Segment(kind, fold(value), line)

    title = text_field("title", True)
    assert title is not None
    summary = text_field("summary", False)
    source = text_field("source", False)
    case_audiences: tuple[str, ...] | None = None
    if "audiences" in front:
        raw = front["audiences"]
        line = _key_line(text, "audiences")
        if not isinstance(raw, list) or not raw or not all(isinstance(a, str) for a in raw):
            raise ContentError(
                "'audiences' must be a list, e.g. [youth, women]", SourceLocation(path, line)
            )
        for name in raw:
            if audiences is not None and name not in audiences:
                raise ContentError(
                    f"unknown audience '{name}'",
                    SourceLocation(path, line),
                    hint=f"known audiences: {', '.join(audiences)} (set them in plainlang.toml)",
                )
        case_audiences = tuple(raw)
    qr = front.get("qr")
    if qr is not None and (not isinstance(qr, str) or not re.match(r"^(https?://|mailto:)", qr)):
        raise ContentError(
            "'qr' must be an http(s):// or mailto: address",
            SourceLocation(path, _key_line(text, "qr")),
        )
    if qr is not None and len(qr) > MAX_QR_CHARS:
        raise ContentError(
            f"'qr' is {len(qr):,} characters; a QR code printed on a leaflet scans with at most"
            f" {MAX_QR_CHARS}",
            SourceLocation(path, _key_line(text, "qr")),
            hint="use a shorter address, such as a short link",
        )
    example = front.get("example", False)
    if not isinstance(example, bool):
        raise ContentError(
            "'example' must be true or false", SourceLocation(path, _key_line(text, "example"))
        )
    date = front.get("date")
    if date is not None:
        date = str(date)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ContentError(
                "'date' must be written YYYY-MM-DD", SourceLocation(path, _key_line(text, "date"))
            )
        if parse_date(date) is None:
            raise ContentError(
                f"'date' is {date}, a date that does not exist",
                SourceLocation(path, _key_line(text, "date")),
                hint="write a real date, YYYY-MM-DD",
            )
    tokens = _md().parse(body)
    parser = _Parser(path, offset, audiences)
    blocks = parser.parse(tokens, body.split("\n"))
    return Case(
        id=case_id,
        path=path,
        title=title,
        summary=summary,
        blocks=blocks,
        audiences=case_audiences,
        qr=qr,
        example=example,
        source=source,
        date=date,
    )


def load_case(path: Path, root: Path, audiences: Sequence[str] | None = None) -> Case:
    """Read and parse one case file; ``root`` makes the path in references relative.

    The file is read through :func:`plainlang.fsio.read_project_file`: a case that is a
    link to a file outside the project, a FIFO or a folder is a content error, unread.
    """
    shown = display_path(path, root)
    data = read_project_file(
        path,
        root,
        max_bytes=MAX_CASE_BYTES,
        error=ContentError,
        shown=shown,
        too_big_hint="a case is at most 1,000,000 bytes: split it into several cases",
    )
    if b"\x00" in data:
        line = line_at(data, data.index(b"\x00"))
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # what "Unicode" means in Notepad
            raise ContentError(
                "this is UTF-16 text; cases are UTF-8",
                SourceLocation(shown, 1),
                hint="save the file as UTF-8",
            )
        raise ContentError(
            "this is a binary file, not Markdown text",
            SourceLocation(shown, line),
            hint="a case is a text file: see plainlang new-case",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_at(data, exc.start)
        raise ContentError(
            "not valid UTF-8", SourceLocation(shown, line), hint="save the file as UTF-8"
        ) from exc
    if not text.strip():
        raise ContentError(
            "the file is empty", SourceLocation(shown, 1), hint="see plainlang new-case"
        )
    return parse_case(text, shown, audiences=audiences)


def case_paths(content_dir: Path) -> list[Path]:
    """Case files in a stable order (by case id)."""
    if not content_dir.is_dir():
        return []
    return sorted(p for p in content_dir.glob("*.md") if p.is_file())
