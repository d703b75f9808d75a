"""Live preview in a real browser (Debian's chromium driven by Playwright), and PNG previews.

The browser test is never skipped: CI installs chromium (apt) and playwright (pip).
"""

from __future__ import annotations

import http.client
import json
import urllib.request
from pathlib import Path

import polib
from PIL import Image

from plainlang.serve import PreviewServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 90_000  # the longest the page may take to follow a change (a rebuild on a slow CI)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def test_page_follows_a_po_edit_in_the_browser(leaflet_project, tmp_path):
    from playwright.sync_api import sync_playwright

    server = PreviewServer(leaflet_project, port=0).start()
    try:
        assert server.httpd.server_address[0] == "127.0.0.1"
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),  # a fresh profile
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
            )
            try:
                page = context.new_page()
                page.goto(server.url + "?case=water&locale=qu&audience=youth&layout=phone")
                page.wait_for_selector("img.page", timeout=WAIT_MS)

                # the choices, the coverage, the texts and the rendered page are all there
                for select, value in (("case", "water"), ("locale", "qu"), ("audience", "youth"), ("layout", "phone")):
                    assert page.locator(f"#{select}").input_value() == value
                assert page.locator("#audience option").all_inner_texts() == ["youth", "women", "municipality"]
                assert page.locator("#layout option").all_inner_texts() == ["trifold", "flyer", "phone"]
                coverage_before = page.locator('#coverage tr[data-locale="qu"] td.translated').inner_text()
                texts = page.locator("#texts").inner_text()
                assert "Write a short letter." in texts and "Uchuy qillqata" not in texts
                src_before = page.locator("img.page").first.get_attribute("src")
                png_before = fetch(server.url.rstrip("/") + src_before)
                assert png_before.startswith(b"\x89PNG")
                assert page.evaluate("document.querySelector('img.page').naturalWidth") > 100
                version_before = page.locator("#version").inner_text()

                # a translator saves the Quechua catalog, as Poedit would
                qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
                po = polib.pofile(str(qu))
                entry = po.find("Write a short letter.")
                entry.msgstr = "Uchuy qillqata qillqay."
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                po.save()

                page.wait_for_function(
                    "() => document.querySelector('#texts') &&"
                    " document.querySelector('#texts').innerText.includes('Uchuy qillqata qillqay.')",
                    timeout=WAIT_MS,
                )
                assert page.locator("#version").inner_text() != version_before
                coverage_after = page.locator('#coverage tr[data-locale="qu"] td.translated').inner_text()
                assert int(coverage_after) == int(coverage_before) + 1
                src_after = page.locator("img.page").first.get_attribute("src")
                assert src_after != src_before
                assert fetch(server.url.rstrip("/") + src_after) != png_before
                assert page.locator("#error").count() == 0
            finally:
                context.close()
    finally:
        server.close()


def test_a_broken_po_shows_its_file_and_line_on_the_page(leaflet_project):
    qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
    qu.write_text(qu.read_text(encoding="utf-8") + '\nmsgid "broken"\nmsgstr "one"\nmsgstr "two"\n', encoding="utf-8")
    line = qu.read_text(encoding="utf-8").count("\n")  # the second msgstr is the last line
    server = PreviewServer(leaflet_project, port=0).start()
    try:
        html = fetch(server.url + "?case=water&locale=qu&audience=youth&layout=phone").decode()
        assert f"locales/qu/LC_MESSAGES/water.po:{line}: catalog error" in html
    finally:
        server.close()


def test_only_loopback_hosts_are_answered(leaflet_project):
    server = PreviewServer(leaflet_project, port=0).start()
    try:
        port = server.httpd.server_address[1]
        assert json.loads(fetch(f"http://127.0.0.1:{port}/version")) == {"version": 0}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/version", headers={"Host": "attacker.example"})
        assert conn.getresponse().status == 403
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/png/../../plainlang.toml")
        assert conn.getresponse().status == 404
        conn.close()
    finally:
        server.close()


def test_preview_writes_png_pages_and_prints_their_paths(run, leaflet_project):
    out = leaflet_project / "shots"
    result = run("-C", leaflet_project, "preview", "water", "--locale", "qu", "--audience", "women", "--layout", "trifold", "--out", out, "--dpi", "50")
    assert result.code == 0, result.err
    paths = result.out.split()
    assert paths == ["shots/qu/water-women-trifold-1.png", "shots/qu/water-women-trifold-2.png"]
    for rel in paths:
        with Image.open(leaflet_project / rel) as image:
            # A4 landscape at 50 dpi: 297 x 210 mm
            width, height = image.size
            assert abs(width - 297 / 25.4 * 50) <= 1 and abs(height - 210 / 25.4 * 50) <= 1
    assert (leaflet_project / "build/pdf/qu/water-women-trifold.pdf").is_file()

    result = run("-C", leaflet_project, "preview", "nope", "--locale", "qu", "--audience", "women", "--layout", "trifold")
    assert result.code == 2 and "nope" in result.err
    result = run("-C", leaflet_project, "preview", "water", "--locale", "xx", "--audience", "women", "--layout", "trifold")
    assert result.code == 2


def test_preview_removes_pages_a_leaflet_no_longer_has(run, leaflet_project):
    stale = leaflet_project / "build/preview/qu/water-youth-phone-2.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    result = run("-C", leaflet_project, "preview", "water", "--locale", "qu", "--audience", "youth", "--layout", "phone")
    assert result.code == 0, result.err
    assert result.out.split() == ["build/preview/qu/water-youth-phone-1.png"]
    assert not stale.exists()
    assert Path(leaflet_project / "build/preview/qu/water-youth-phone-1.png").read_bytes().startswith(b"\x89PNG")


def test_requests_read_the_config_and_catalogs_only_when_they_change(leaflet_project, reads):
    """plainlang serve keeps one project session: a request parses nothing that did not change."""
    server = PreviewServer(leaflet_project, port=0).start()
    page = server.url + "?case=water&locale=qu&audience=youth&layout=phone"
    try:
        assert reads["plainlang.toml"] == 1  # the server's own start
        fetch(page)
        first = {k: n for k, n in reads.items() if k != "plainlang.toml"}
        assert first and set(first.values()) == {1}  # each catalog once (build, texts, coverage)
        for url in (page, page, server.url + "?case=water&locale=es&audience=women&layout=trifold"):
            reads.clear()
            assert b'class="page"' in fetch(url)
            assert dict(reads) == {}, url  # no config read, no catalog parsed
        qu = leaflet_project / "locales/qu/LC_MESSAGES/water.po"
        po = polib.pofile(str(qu))
        po.find("Write a short letter.").msgstr = "Uchuy qillqata qillqay."
        po.save()
        reads.clear()
        assert "Uchuy qillqata qillqay." in fetch(page).decode()
        assert dict(reads) == {"locales/qu/LC_MESSAGES/water.po": 1}
    finally:
        server.close()
