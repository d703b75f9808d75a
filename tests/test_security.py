"""Hostile translations and content: printed as text or dropped, never markup, never fetched."""

from __future__ import annotations

import logging
import re
import shutil

import polib
import pytest
from conftest import spy_fetcher
from pdfutil import pdf_text

from plainlang.markup import render_inline
from plainlang.theme import SHIPPED_THEME

HOSTILE = {
    "Write a short letter.": "<img src=file:///etc/passwd> Escriba <script>alert(1)</script>",
    "Hand it in at the front desk.": '<style>@import url(http://127.0.0.1:9/x.css);</style><p style="background:url(http://127.0.0.1:9/y.png)">Entréguela</p>',
    "What can I do?": "[Clic aquí](javascript:alert(1)) ¿Qué hago?",
    "Rosa, Ayacucho (example)": "![x](file:///etc/hostname) Rosa <a href=\"http://127.0.0.1:9/\">x</a>",
    "Citizens": "<svg><image href=\"http://127.0.0.1:9/z.png\"/></svg>Ciudadanos",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[a](javascript:alert(1))", "[a](javascript:alert(1))"),
        ("[a](data:text/html;base64,PHNjcmlwdD4=)", "[a](data:text/html;base64,PHNjcmlwdD4=)"),
        ("[a](vbscript:x)", "[a](vbscript:x)"),
        ("![alt](http://127.0.0.1:9/x.png)", "alt"),
        ("[ok](https://a.org/?q=<b>)", '<a href="https://a.org/?q=%3Cb%3E">ok</a>'),
        ("a\u202eb\u200bc", "abc"),
        ('"quoted" & <b>', "&#34;quoted&#34; &amp; &lt;b&gt;"),
    ],
)
def test_inline_markup_cannot_inject(source, expected):
    assert str(render_inline(source)) == expected


def test_hostile_po_prints_text_and_fetches_nothing(run, leaflet_project, caplog, monkeypatch):
    path = leaflet_project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in HOSTILE:
            entry.msgstr = HOSTILE[entry.msgid]
    po.save()
    log = spy_fetcher(monkeypatch)
    with caplog.at_level(logging.WARNING):
        result = run("-C", leaflet_project, "build", "--jobs", "1", "--locale", "es",
                     "--audience", "youth", "--layout", "phone", "--keep-html")
    assert result.code == 0, result.err
    root = leaflet_project.resolve().as_uri()
    assert log, "the fetcher saw no request at all: the spy is not wired"
    assert [u for u, _ in log if not u.startswith(root + "/")] == []
    html = (leaflet_project / "build/pdf/es/water-youth-phone.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("[Clic aquí]")[0][-200:]
    assert 'href="javascript' not in html
    assert "<img src=file" not in html and "<style>@import" not in html
    assert "<svg><image" not in html
    text = pdf_text(leaflet_project / "build/pdf/es/water-youth-phone.pdf")
    assert "<script>alert(1)</script>" in text  # printed literally
    assert "<img src=file:///etc/passwd>" in text
    assert "root:x:0:0" not in text  # /etc/passwd was not read into the PDF


def test_hostile_content_case(run, leaflet_project, monkeypatch, tmp_path):
    """An inline image prints its alt text; a picture outside the project stops the build.

    A picture block was read and hashed wherever it pointed, then refused by the fetcher:
    now it is refused before it is read, at its line, and nothing is built.
    """
    case = leaflet_project / "content/cases/water.md"
    original = case.read_text()
    case.write_text(original + "\n[evil](javascript:alert(1)) and ![pwd](../../../../etc/passwd)\n")
    log = spy_fetcher(monkeypatch)
    result = run("-C", leaflet_project, "build", "--jobs", "1", "--locale", "es",
                 "--audience", "youth", "--layout", "phone", "--keep-html")
    assert result.code == 0, result.err
    html = (leaflet_project / "build/pdf/es/water-youth-phone.html").read_text()
    assert 'href="javascript' not in html
    root = leaflet_project.resolve().as_uri() + "/"
    assert [u for u, _ in log if not u.startswith(root)] == []

    secret = tmp_path / "secret.png"
    secret.write_bytes((SHIPPED_THEME / "fonts/OFL.txt").read_bytes()[:10])
    line = original.count("\n") + 2
    for src, says in (
        (str(secret), "absolute path"),
        ("http://127.0.0.1:9/x.png", "not a file of the project"),
        ("../../../secret.png", "outside the project"),
    ):
        case.write_text(original + f"\n![a picture]({src})\n")
        log.clear()
        result = run("-C", leaflet_project, "build", "--jobs", "1", "--force", "--locale", "es",
                     "--audience", "youth", "--layout", "phone")
        assert result.code == 2, result.err
        assert result.err.strip() == result.err.strip().splitlines()[0]
        assert result.err.startswith(f"content/cases/water.md:{line}: content error: picture"), result.err
        assert says in result.err
        assert log == []  # stopped before any leaflet was laid out


# -- pictures: confined before they are read ------------------------------------------------

BUILD_ONE = ["build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--layout", "phone"]


def _png(path, width: int, height: int) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), (200, 30, 30)).save(path, format="PNG")


def _images(pdf) -> list[tuple[int, int]]:
    """(width, height) of every image object of the PDF, read back by pypdf."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(str(pdf)).pages:
        for image in page.images:
            found.append(image.image.size)
    return found


def _add_picture(project, src: str) -> int:
    case = project / "content/cases/water.md"
    text = case.read_text(encoding="utf-8")
    case.write_text(f"{text}\n![A map of the water pipes]({src})\n", encoding="utf-8")
    return text.count("\n") + 2


@pytest.mark.parametrize(
    ("filename", "src"),
    [
        ("mapa ñandú.png", "<mapa ñandú.png>"),
        ("mapa ñandú.png", "mapa%20%C3%B1and%C3%BA.png"),
        ("water map.png", "<water map.png>"),
    ],
)
def test_pictures_named_with_accents_or_spaces_are_printed(run, leaflet_project, filename, src):
    """The path was percent-encoded twice: the picture was silently missing, exit 0."""
    _png(leaflet_project / "content/cases" / filename, 37, 23)
    _add_picture(leaflet_project, src)
    result = run("-C", leaflet_project, *BUILD_ONE)
    assert result.code == 0, result.err
    assert (37, 23) in _images(leaflet_project / "build/pdf/es/water-youth-phone.pdf")


def test_a_data_picture_is_printed_and_a_large_one_refused(run, leaflet_project):
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (19, 11), (0, 90, 200)).save(buf, format="PNG")
    line = _add_picture(leaflet_project, "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode())
    result = run("-C", leaflet_project, *BUILD_ONE)
    assert result.code == 0, result.err
    assert (19, 11) in _images(leaflet_project / "build/pdf/es/water-youth-phone.pdf")
    # Over 4 KB, a data: picture was taken for a file name: OSError, a traceback.
    case = leaflet_project / "content/cases/water.md"
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(700_000)).decode()
    case.write_text(case.read_text().replace(base64.b64encode(buf.getvalue()).decode(), big))
    result = run("-C", leaflet_project, *BUILD_ONE)
    assert result.code == 2
    assert result.err.strip() == (
        f"content/cases/water.md:{line}: content error: data: picture refused: it is larger"
        " than 524,288 bytes (save the picture as a file under content/ and write its path)"
    )


def test_a_missing_picture_is_a_warning_recorded_in_the_manifest(run, leaflet_project):
    import json

    line = _add_picture(leaflet_project, "not-drawn-yet.png")
    result = run("-C", leaflet_project, *BUILD_ONE)
    assert result.code == 0, result.err
    warning = (
        f"content/cases/water.md:{line}: warning: picture 'not-drawn-yet.png' not found; the"
        " leaflet is made without it (put the file there, or fix its path)"
    )
    assert warning in result.err
    entry = json.loads((leaflet_project / "build/manifest.json").read_text())["leaflets"][0]
    assert warning in entry["warnings"]


def test_pictures_outside_the_project_are_never_opened(run, leaflet_project, monkeypatch, tmp_path):
    """/dev/zero was read in full to be hashed (all the memory there is); a file outside the
    project was read and hashed before the fetcher refused it. Every os.open of the run is
    recorded: none is of a picture outside the project."""
    import os

    from plainlang import fsio

    outside = tmp_path / "outside.png"
    _png(outside, 5, 5)
    (leaflet_project / "content/cases/linked.png").symlink_to(outside)
    opened: list[str] = []
    real_open = fsio.os.open

    def spy(path, flags, *args, **kwargs):
        opened.append(os.path.realpath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(fsio.os, "open", spy)
    case = leaflet_project / "content/cases/water.md"
    original = case.read_text()
    for src in ("/dev/zero", "../../../outside.png", "linked.png", f"{outside}"):
        case.write_text(original)
        line = _add_picture(leaflet_project, src)
        opened.clear()
        result = run("-C", leaflet_project, *BUILD_ONE)
        assert result.code == 2, result.err
        assert result.err.startswith(f"content/cases/water.md:{line}: content error: picture")
        assert "Traceback" not in result.err
        assert opened, "the spy saw nothing: is fsio still the one reader?"
        assert "/dev/zero" not in opened and str(outside.resolve()) not in opened
    assert not list((leaflet_project / "build").rglob("*.pdf"))


def test_a_picture_that_is_a_fifo_does_not_hang_the_build(leaflet_project):
    """Reading a FIFO to hash it waited for a writer forever."""
    import os
    import subprocess
    import sys

    os.mkfifo(leaflet_project / "content/cases/pipe.png")
    line = _add_picture(leaflet_project, "pipe.png")
    done = subprocess.run(
        [sys.executable, "-m", "plainlang", "-C", str(leaflet_project), *BUILD_ONE],
        capture_output=True, text=True, timeout=60, env=dict(os.environ, CI="true"),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"content/cases/water.md:{line}: content error: picture 'pipe.png' is a named pipe"
        " (FIFO), not a file"
    )


def test_the_confined_reader_refuses_what_is_not_a_project_file(tmp_path):
    import os
    import socket

    from plainlang.errors import ContentError
    from plainlang.fsio import read_project_file

    root = tmp_path / "project"
    root.mkdir()
    (root / "ok.txt").write_bytes(b"fine")
    (root / "big.txt").write_bytes(b"x" * 101)
    (root / "folder").mkdir()
    os.mkfifo(root / "fifo")
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "link-out").symlink_to(tmp_path / "secret.txt")
    (root / "link-in").symlink_to(root / "ok.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "sock"))
        for name, says in (
            ("link-out", "is a link to a file outside the project"),
            ("../secret.txt", "is outside the project"),
            (str(tmp_path / "secret.txt"), "is outside the project"),
            ("folder", "is a folder, not a file"),
            ("fifo", "is a named pipe (FIFO), not a file"),
            ("sock", "not a file"),
            ("big.txt", "is 101 bytes; at most 100 are read"),
            ("missing.txt", "no such file"),
            ("nul\x00.txt", "no such file"),
        ):
            with pytest.raises(ContentError, match=re.escape(says)) as info:
                read_project_file(root / name, root, max_bytes=100, error=ContentError)
            assert "SECRET" not in info.value.format()
    assert read_project_file(root / "link-in", root, max_bytes=100) == b"fine"
    assert read_project_file(root / "missing.txt", root, max_bytes=100, missing_ok=True) is None
    # A file named from elsewhere (check FILE): not confined, still no FIFO, still bounded.
    assert read_project_file(tmp_path / "secret.txt", None, max_bytes=100) == b"SECRET"
    with pytest.raises(ContentError, match="named pipe"):
        read_project_file(root / "fifo", None, max_bytes=100, error=ContentError)


# -- template strings are text -------------------------------------------------------------


def _ui(*candidates: str, msgid: str = "Language: %(name)s", **variables: str):
    from plainlang.render import ui_text

    warned: list[str] = []
    pairs = [(text, f"locales/es/LC_MESSAGES/ui.po:{10 + i}") for i, text in enumerate(candidates)]
    return str(ui_text(msgid, pairs, variables, warned.append)), warned


@pytest.mark.parametrize(
    ("msgid", "translation", "shown"),
    [
        ("Inside this leaflet", "El 100% de {% esto", "El 100% de {% esto"),
        ("Inside this leaflet", "Idioma: %(name)s %d", "Idioma: %(name)s %d"),  # not formatted
        ("Inside this leaflet", "<b>100%</b>", "&lt;b&gt;100%&lt;/b&gt;"),
        ("Language: %(name)s", "El 100% del idioma: %(name)s", "El 100% del idioma: Runasimi &lt;i&gt;"),
        ("Language: %(name)s", "100%% %(name)s", "100% Runasimi &lt;i&gt;"),
    ],
)
def test_ui_translations_print_as_written(msgid, translation, shown):
    """Jinja's newstyle gettext ran `translation % variables` on every ui string: any %
    was a TypeError (no file, no line) and failed every leaflet of the locale."""
    text, warned = _ui(translation, msgid=msgid, name="Runasimi <i>")
    assert (text, warned) == (shown, [])


@pytest.mark.parametrize(
    ("translation", "problem"),
    [
        ("Idioma: %(name)3000000s", "placeholder '%(name)3000000s' is not %(name)s"),
        ("Idioma: %(name).9f", "placeholder '%(name).9f' is not %(name)s"),
        ("Idioma: %(nombre)s", "placeholder '%(nombre)s' is not one of the source text's"),
        ("Idioma: runasimi", "placeholder '%(name)s' of the source text is missing"),
        ("x" * 3000, "the translation is 3,000 characters"),
    ],
)
def test_a_bad_ui_placeholder_falls_back_with_a_warning(translation, problem):
    """%(name)3000000s made a string of three million spaces per use: the build hung."""
    text, warned = _ui(translation, "Rimay: %(name)s", name="Runasimi")
    assert text == "Rimay: Runasimi"  # the next catalog of the chain
    assert len(warned) == 1 and warned[0].startswith("locales/es/LC_MESSAGES/ui.po:10: warning: ")
    assert problem in warned[0]
    text, warned = _ui(translation, name="Runasimi")  # nothing left: the msgid
    assert text == "Language: Runasimi"


def test_poisoned_ui_catalog_builds_and_names_its_lines(run, leaflet_project):
    """Every ui string 'El 100% de {% ...', one placeholder with a 3,000,000 width: the
    leaflet builds, prints the percent signs, falls back for the width and says where."""
    import json
    import subprocess
    import sys

    from plainlang.theme import SHIPPED_THEME

    # The project overrides every ui string of the theme, entry by entry.
    po_file = leaflet_project / "locales/es/LC_MESSAGES/ui.po"
    shutil.copyfile(SHIPPED_THEME / "locales/es/LC_MESSAGES/ui.po", po_file)
    po = polib.pofile(str(po_file), wrapwidth=79)
    widths = []
    for entry in po:
        if not entry.msgid or entry.msgid_plural:
            continue
        if "%(" in entry.msgid:
            entry.msgstr = entry.msgid.replace(")s", ")3000000s", 1)
            widths.append(entry.msgid)
        else:
            entry.msgstr = f"El 100% de {{% {entry.msgid}"
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save()
    assert widths
    done = subprocess.run(  # in a subprocess: the width hung the build
        [sys.executable, "-m", "plainlang", "-C", str(leaflet_project), *BUILD_ONE],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text(leaflet_project / "build/pdf/es/water-youth-phone.pdf")
    assert "El 100% de {%" in text
    assert "3000000" not in text
    entry = json.loads((leaflet_project / "build/manifest.json").read_text())["leaflets"][0]
    placeholder = [w for w in entry["warnings"] if "is not %(name)s" in w]
    assert placeholder, entry["warnings"]
    assert all(w.startswith("locales/es/LC_MESSAGES/ui.po:") for w in placeholder)
    lines = po_file.read_text(encoding="utf-8").split("\n")
    for warning in placeholder:  # each names the msgid line of an entry given a width
        line = lines[int(warning.split(":")[1]) - 1]
        assert line.startswith('msgid "') and polib.unescape(line[7:-1]) in widths, line
