"""Interoperability with the real GNU gettext tools (Debian package ``gettext``).

Every PO and POT plainlang writes must pass ``msgfmt --check``, and a catalog re-saved by
another tool (``msgcat`` re-wraps like Poedit and Weblate do; ``msgmerge`` is what Poedit's
"Update from POT" runs) must come back through ``plainlang update`` with every translation,
and byte for byte as plainlang writes it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import DATA
from pogen import unknown_flags_removed

# The warnings msgfmt --check gives for a fresh template or a catalog nobody signed yet;
# anything else it says is a failure.
EXPECTED_WARNINGS = (
    "header field 'PO-Revision-Date' still has the initial default value",
    "header field 'Last-Translator' still has the initial default value",
    "header field 'Language-Team' still has the initial default value",
    "header field 'Language' missing in header",
)
MSGCAT_STYLES = {
    "gettext default (79)": [],
    "no wrapping": ["--no-wrap"],
    "width 77": ["--width=77"],
    "sorted by msgid": ["--sort-output"],
}


def msgfmt_check(path: Path) -> list[str]:
    """Run ``msgfmt --check``; fail on an error, return unexpected warnings."""
    proc = subprocess.run(
        ["msgfmt", "--check", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return [
        line
        for line in proc.stderr.splitlines()
        if line.strip() and not any(w in line for w in EXPECTED_WARNINGS)
    ]


def catalogs_in(root: Path) -> list[Path]:
    return sorted((root / "locales").glob("*.pot")) + sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))


def entries(path: Path, *, gettext_flags_only: bool = False) -> list[tuple]:
    """Every field of every entry (obsolete ones too), as polib reads them.

    ``gettext_flags_only``: only the flags GNU gettext knows (msgcat and msgmerge drop
    the others, such as Weblate's max-length:N; plainlang update puts them back).
    """
    from plainlang.po import known_flag

    po = polib.pofile(str(path), wrapwidth=0)
    out = [("header", po.header, sorted(po.metadata.items()))]
    for entry in sorted(po, key=lambda e: (e.obsolete, e.msgctxt or "", e.msgid)):
        out.append(
            (
                entry.obsolete,
                entry.msgctxt,
                entry.msgid,
                entry.msgid_plural,
                entry.msgstr,
                sorted(entry.msgstr_plural.items()),
                sorted(f for f in entry.flags if known_flag(f) or not gettext_flags_only),
                entry.comment,
                entry.tcomment,
                entry.occurrences,
                entry.previous_msgctxt,
                entry.previous_msgid,
                entry.previous_msgid_plural,
            )
        )
    return out


def entries_known(data: bytes) -> list[tuple]:
    """:func:`entries` of PO bytes, only the flags gettext knows."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".po") as fh:
        fh.write(data)
        fh.flush()
        return entries(Path(fh.name), gettext_flags_only=True)


def plainlang(project: Path, *args: str) -> None:
    from plainlang.cli import main

    try:
        main(["-C", str(project), *args])
    except SystemExit as exc:
        assert not exc.code, f"plainlang {' '.join(args)} exited {exc.code}"


@pytest.fixture
def busy(tmp_path: Path) -> Path:
    """A test project that has been through a translator's life: translations with quotes,
    backslashes, tabs and non-ASCII; a writer's note; plural and context strings in the
    templates; then a source edit (fuzzy with a long previous msgid), a removed paragraph
    (obsolete), a new CLDR locale (init) and a configured one."""
    project = tmp_path / "busy"
    shutil.copytree(DATA / "project", project)
    (project / "templates/plural.j2").write_text(
        '<p>{{ ngettext("%(num)d step", "%(num)d steps", n) }}</p>\n'
        '<p>{{ pgettext("button", "Share") }}</p>\n',
        encoding="utf-8",
    )
    case = project / "content/cases/water.md"
    text = case.read_text(encoding="utf-8")
    text = text.replace(
        "## What can I do?",
        "<!-- translators: a question the reader asks; keep it short. -->\n## What can I do?",
    )
    case.write_text(text, encoding="utf-8")
    plainlang(project, "extract")
    plainlang(project, "update")
    for locale in ("es", "qu"):
        for domain in ("water", "ui"):
            path = project / f"locales/{locale}/LC_MESSAGES/{domain}.po"
            po = polib.pofile(str(path))
            for entry in po:
                if entry.msgid_plural:
                    forms = int(po.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])
                    entry.msgstr_plural = {i: f"[{locale}] %(num)d paso{'s' * i}" for i in range(forms)}
                else:
                    entry.msgstr = f'[{locale}] «{entry.msgid}» — "ñ" \\ tab\there ' * 2
            po.save()
    text = text.replace(
        "Rosa lives in a village in the Andes.", "Rosa lives in a small village high in the Andes."
    ).replace("2. Hand it in at the front desk.\n", "")
    case.write_text(text, encoding="utf-8")
    plainlang(project, "extract")
    plainlang(project, "update")
    config = project / "plainlang.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('locales = ["es", "qu", "ay"]', 'locales = ["es", "qu", "ay", "de"]'),
        encoding="utf-8",
    )
    plainlang(project, "init", "de")
    return project


def test_busy_project_has_what_the_round_trips_must_keep(busy):
    po = polib.pofile(str(busy / "locales/qu/LC_MESSAGES/water.po"))
    fuzzy = po.find("Rosa lives in a small village high in the Andes. She wanted to know **how much** the water project cost.")
    assert fuzzy is not None and fuzzy.fuzzy
    assert fuzzy.previous_msgid.startswith("Rosa lives in a village in the Andes.")
    assert len(fuzzy.previous_msgid) > 79  # wrapped over several #| lines
    assert [e.msgid for e in po.obsolete_entries()] == ["Hand it in at the front desk."]
    assert "translators: a question the reader asks; keep it short." in po.find("What can I do?").comment
    ui = polib.pofile(str(busy / "locales/qu/LC_MESSAGES/ui.po"))
    assert ui.find("%(num)d step").msgid_plural == "%(num)d steps"
    assert ui.find("Share", msgctxt="button") is not None
    assert (busy / "locales/de/LC_MESSAGES/water.po").is_file()


def test_every_catalog_of_the_sample_project_passes_msgfmt_check(sample):
    plainlang(sample, "extract")
    plainlang(sample, "update")
    from plainlang.theme import SHIPPED_THEME

    # 4 templates and 9 catalogs of the cases; the ui catalogs ship with the theme
    theme = sorted((SHIPPED_THEME / "locales").rglob("*.po*"))
    paths = catalogs_in(sample) + theme
    assert len(paths) >= 13 + 4
    for path in paths:
        assert msgfmt_check(path) == [], path


def test_every_catalog_plainlang_writes_passes_msgfmt_check(busy):
    paths = catalogs_in(busy)
    assert {p.relative_to(busy).as_posix() for p in paths} >= {
        "locales/water.pot",
        "locales/ui.pot",
        "locales/qu/LC_MESSAGES/water.po",
        "locales/de/LC_MESSAGES/ui.po",
        "locales/ay/LC_MESSAGES/water.po",
    }
    for path in paths:
        assert msgfmt_check(path) == [], path


def test_update_twice_changes_no_byte_with_drafts_and_obsolete_entries(busy):
    before = {p: p.read_bytes() for p in catalogs_in(busy)}
    plainlang(busy, "update")
    assert {p: p.read_bytes() for p in catalogs_in(busy)} == before
    text = (busy / "locales/qu/LC_MESSAGES/water.po").read_text(encoding="utf-8")
    assert "\n#| msgid \"\"\n#| \"Rosa lives in a village" in text
    assert "# |" not in text


@pytest.mark.parametrize("style", list(MSGCAT_STYLES))
@pytest.mark.parametrize("project_name", ["sample", "busy"])
def test_msgcat_round_trip_then_update_keeps_everything(style, project_name, request):
    project = request.getfixturevalue(project_name)
    if project_name == "sample":
        plainlang(project, "extract")
        plainlang(project, "update")
    pos = sorted((project / "locales").glob("*/LC_MESSAGES/*.po"))
    before = {p: (p.read_bytes(), entries(p), p.read_bytes()) for p in pos}
    changed = 0
    for path in pos:
        subprocess.run(["msgcat", *MSGCAT_STYLES[style], "-o", str(path), str(path)], check=True)
        changed += path.read_bytes() != before[path][0]
    assert changed  # msgcat did re-wrap something: the round trip is not trivial
    for path in pos:  # what an editor saves is still the same catalog
        assert entries(path, gettext_flags_only=True) == entries_known(before[path][2]), path
    plainlang(project, "update")
    for path in pos:
        assert entries(path) == before[path][1], path
        assert path.read_bytes() == before[path][0], path


def test_a_catalog_updated_by_msgmerge_previous_is_read_and_kept(busy):
    """Poedit's "Update from POT" runs msgmerge, which writes #~| lines for obsolete drafts."""
    po_path = busy / "locales/qu/LC_MESSAGES/water.po"
    before = entries(po_path)
    # make the fuzzy entry obsolete and let msgmerge keep its previous msgid as #~|
    pot = busy / "locales/water.pot"
    pot_text = pot.read_text(encoding="utf-8")
    trimmed = busy / "trimmed.pot"
    keep = [block for block in pot_text.split("\n\n") if "small village high" not in block]
    trimmed.write_text("\n\n".join(keep), encoding="utf-8")
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(po_path), str(po_path), str(trimmed)], check=True)
    assert "#~| msgid" in po_path.read_text(encoding="utf-8")
    plainlang(busy, "update")  # against the real POT: the entry comes back, translation kept
    after = {e[2]: e for e in entries(po_path)[1:]}
    for entry in before[1:]:
        if entry[0]:
            continue  # obsolete before: still obsolete (or dropped if it was empty)
        assert after[entry[2]][4] == entry[4], entry[2]  # every translation kept
    assert msgfmt_check(po_path) == []


@pytest.mark.parametrize("spelling", ["utf-8", "ISO-8859-1", "iso-8859-1"])
def test_update_writes_the_encoding_msgmerge_writes(busy, spelling):
    """A catalog a tool saved as ``charset=utf-8`` or in Latin-1: after ``plainlang update``
    it is what msgmerge --previous (Poedit's "Update from POT") makes of it, byte for byte:
    UTF-8, spelled so, every translation kept."""
    po_path = busy / "locales/es/LC_MESSAGES/water.po"
    before = entries(po_path)
    text = po_path.read_text(encoding="utf-8").replace("charset=UTF-8", f"charset={spelling}")
    text = text.replace("«", "<").replace("»", ">").replace("—", "-")  # not in Latin-1
    codec = "utf-8" if spelling == "utf-8" else "latin-1"
    po_path.write_bytes(text.encode(codec))
    plainlang(busy, "update")
    data = po_path.read_bytes()
    assert b"charset=UTF-8" in data
    merged = subprocess.run(
        ["msgmerge", "--quiet", "--previous", "-o", "-", str(po_path), str(busy / "locales/water.pot")],
        check=True, capture_output=True,
    ).stdout
    assert merged == unknown_flags_removed(data)  # msgmerge drops max-length:N
    after = {e[2]: e[4] for e in entries(po_path)[1:]}
    for entry in before[1:]:
        if not entry[0] and entry[4]:
            fixed = entry[4].replace("«", "<").replace("»", ">").replace("—", "-")
            assert after[entry[2]] == fixed, entry[2]
