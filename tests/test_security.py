"""Hostile translations and content: printed as text or dropped, never markup, never fetched."""

from __future__ import annotations

import logging

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
