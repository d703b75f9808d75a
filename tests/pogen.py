"""Hypothesis strategies for PO files: generated, then mutated the ways real files go wrong.

Shared by the PO property tests (verdicts against ``msgfmt --check``, bytes against
``msgcat``, translations kept by ``update``). Catalogs are built as text, line by line, so
that every spelling a translator or a tool can produce is reachable: strings split over
several lines, escapes written two ways (``\\t`` and a tab, ``\\101`` and ``A``), obsolete
entries with and without the space after ``#~``, previous strings, comments holding
control characters, CRLF and CR line ends, Latin-1, xgettext's placeholder header.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from hypothesis import strategies as st

from plainlang.po import known_flag

HAVE_GETTEXT = all(shutil.which(t) for t in ("msgfmt", "msgcat", "msgmerge"))

# Text a translator types, with the characters that make PO files hard: quotes,
# backslashes, tabs, newlines, non-ASCII (Latin-1 and not), wide and combining ones,
# line separators, control characters.
ALPHABET = st.sampled_from(
    [
        *"aeiouAZ nñé?¿!.,;:-'\"\\\t\n%{}()[]0129",
        *("\u2028", "\u0085", "\x0c", "\r", "\x01", "ą", "漢", "字", "\u0301", "\u00a0", "x" * 30),
    ]
)
TEXT = st.lists(ALPHABET, max_size=12).map("".join)
WORDS = st.lists(
    st.sampled_from(["water", "letter", "Rosa", "office", "ask", "free", "the", "project"]),
    min_size=1,
    max_size=5,
).map(" ".join)


def quote(text: str, draw: st.DrawFn) -> str:
    """A PO string literal for ``text``, escapes spelled one of the ways gettext reads."""
    out = []
    for c in text:
        choice = draw(st.integers(0, 4))
        if c == "\\":
            out.append("\\\\" if choice else "\\134")
        elif c == '"':
            out.append('\\"' if choice else "\\x22")
        elif c == "\n":
            out.append("\\n" if choice else "\\012")
        elif c == "\t":
            out.append("\\t" if choice > 1 else "\t")
        elif c == "\r":
            out.append("\\r")
        elif c == "A" and choice == 0:
            out.append("\\101")
        elif c == "a" and choice == 0:
            out.append("\\x61")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def string_lines(keyword: str, text: str, draw: st.DrawFn, prefix: str = "") -> list[str]:
    """``keyword "..."`` and maybe continuation lines, as editors split strings."""
    cut = draw(st.integers(0, 2))
    pieces = [text]
    if cut and len(text) > 1:
        at = draw(st.integers(1, len(text) - 1))
        pieces = ["", text[:at], text[at:]] if cut == 2 else [text[:at], text[at:]]
    lines = [f"{prefix}{keyword} {quote(pieces[0], draw)}"]
    lines += [f"{prefix}{quote(p, draw)}" for p in pieces[1:]]
    return lines


HEADERS = (
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n",
    "Language: es\\nContent-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\\n",
    "Content-Type: text/plain; charset=CHARSET\\n"
    "Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n",
    "Content-Type: text/plain; charset=UTF-8\\n",
    "Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=1; plural=0;\\n",
    "Content-Type: text/plain; charset=UTF-8\\nPlural-Forms: nplurals=2; plural=n/0;\\n",
)


@dataclass
class Generated:
    text: str
    latin1: bool

    def data(self) -> bytes:
        return self.text.encode("latin-1" if self.latin1 else "utf-8", "replace")


@st.composite
def entry_lines(draw: st.DrawFn, nplurals: int, obsolete: bool) -> list[str]:
    prefix = draw(st.sampled_from(["#~ ", "#~"])) if obsolete else ""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["# ", "#. ", "#: ", "#, ", "#"]))
        body = {
            "# ": draw(TEXT).replace("\n", " ").replace("\r", " "),
            "#. ": draw(WORDS),
            "#: ": "content/cases/a.md:" + str(draw(st.integers(1, 99))),
            "#, ": ", ".join(draw(st.lists(st.sampled_from(
                ["fuzzy", "c-format", "python-format", "no-wrap", "max-length:60", "foo bar fuzzy"]
            ), max_size=2))),
            "#": "",
        }[kind]
        lines.append(kind + body)
    previous = draw(st.booleans()) and not obsolete
    plural = draw(st.integers(0, 3)) == 0
    context = draw(st.one_of(st.none(), st.sampled_from(["cover", "", "back"])))
    msgid = draw(st.one_of(WORDS, TEXT))
    if previous:
        lines += string_lines("msgid", draw(WORDS), draw, "#| ")
    if context is not None:
        lines += string_lines("msgctxt", context, draw, prefix)
    lines += string_lines("msgid", msgid, draw, prefix)
    if plural:
        lines += string_lines("msgid_plural", draw(WORDS), draw, prefix)
        forms = draw(st.sampled_from([nplurals, nplurals, 2, 3]))
        for i in range(forms):
            lines += string_lines(f"msgstr[{i}]", draw(st.one_of(st.just(""), TEXT)), draw, prefix)
    else:
        lines += string_lines("msgstr", draw(st.one_of(st.just(""), TEXT, WORDS)), draw, prefix)
    return lines


@st.composite
def catalogs(draw: st.DrawFn) -> Generated:
    """A PO file's text: header (usually), active and obsolete entries, then mutations."""
    header = draw(st.sampled_from(HEADERS))
    nplurals = 3 if "nplurals=3" in header else 1 if "nplurals=1" in header else 2
    latin1 = draw(st.integers(0, 5)) == 0
    if latin1:
        header = header.replace("charset=UTF-8", "charset=ISO-8859-1")
    lines: list[str] = []
    if draw(st.integers(0, 6)):
        lines += ["# A translator's note.", 'msgid ""', 'msgstr ""']
        lines += [f'"{part}\\n"' for part in header.split("\\n") if part]
    blocks = [lines] if lines else []
    for obsolete in draw(st.lists(st.booleans(), max_size=6)):
        blocks.append(draw(entry_lines(nplurals, obsolete)))
    text = "\n\n".join("\n".join(b) for b in blocks) + "\n"
    # Mutations: what editors, copies and hands do to files.
    for mutation in draw(st.lists(st.sampled_from(
        ["crlf", "cr", "duplicate", "drop-line", "join-lines", "trailing-space", "bom", "nul"]
    ), max_size=2)):
        all_lines = text.split("\n")
        if mutation == "crlf":
            text = text.replace("\n", "\r\n")
        elif mutation == "cr":
            text = text.replace("\n", "\r")
        elif mutation == "duplicate" and len(blocks) > 1:
            text += "\n" + "\n".join(blocks[draw(st.integers(1, len(blocks) - 1))]) + "\n"
        elif mutation == "drop-line" and len(all_lines) > 1:
            del all_lines[draw(st.integers(0, len(all_lines) - 1))]
            text = "\n".join(all_lines)
        elif mutation == "join-lines" and len(all_lines) > 2:
            at = draw(st.integers(0, len(all_lines) - 2))
            all_lines[at : at + 2] = [all_lines[at] + draw(st.sampled_from(["\\", " "])) + "\n" + all_lines[at + 1]]
            text = "\n".join(all_lines)
        elif mutation == "trailing-space":
            text = text.replace("\n", " \t\n", 1)
        elif mutation == "bom":
            text = "\ufeff" + text
        elif mutation == "nul":
            text = text.replace("a", "\x00", 1)
    return Generated(text, latin1)


def msgfmt_verdict(path: str) -> tuple[bool, str]:
    proc = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", path], capture_output=True, text=True, check=False
    )
    return proc.returncode == 0, proc.stderr


def msgcat(data: bytes, *args: str) -> bytes | None:
    """What msgcat makes of ``data`` (None if it refuses)."""
    proc = subprocess.run(["msgcat", "--force-po", *args, "-o", "-", "-"], input=data, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else None


def unknown_flags_removed(data: bytes) -> bytes:
    """``data`` without the flags gettext does not know (msgcat drops them)."""
    out = []
    for line in data.split(b"\n"):
        if line.startswith((b"#, ", b"#~ #, ")):
            flags = [f for f in line.decode("utf-8").split(", ")[1:] if known_flag(f)]
            if not flags:
                continue
            line = ("#, " + ", ".join(flags)).encode("utf-8")
        out.append(line)
    return b"\n".join(out)
