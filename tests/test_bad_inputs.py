"""The bad-input corpus: every reader, fed what real projects get wrong, answers in one line.

Each case of ``tests/data/bad/cases.toml`` drops a file (or a generated one, for inputs too
big or too binary to commit) into a copy of the test project, runs one real command and
checks the contract of DESIGN.md: the exit code (2 for bad input), one line naming the file
and its 1-based line, no traceback, and not one project file changed. A few inputs are fine
by design (a BOM, CRLF line ends, a PO without header): those must work, and the
translations in them must come through the rewrite unchanged.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import polib  # an independent reader, to check what plainlang wrote
import pytest
from conftest import DATA, snapshot

BAD = DATA / "bad"
MANIFEST = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
CASES = MANIFEST["case"]
ES_PO = "locales/es/LC_MESSAGES/water.po"


# -- generated inputs: too big or too odd to commit ---------------------------------------


def _crlf_po() -> dict[str, bytes]:
    return {ES_PO: (BAD / "po/good.po").read_bytes().replace(b"\n", b"\r\n")}


def _binary_case() -> dict[str, bytes]:
    # A PNG saved with the wrong name: its first NUL byte is on line 3.
    return {"content/cases/water.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))}


def _utf16_case() -> dict[str, bytes]:
    text = "---\ntitle: Pregunte por el agua\n---\nRosa vive en los Andes.\n"
    return {"content/cases/water.md": text.encode("utf-16")}


def _huge_case() -> dict[str, bytes]:
    para = b"Rosa lives in a village in the Andes. " * 40 + b"\n\n"
    body = para * (1_100_000 // len(para) + 1)
    return {"content/cases/water.md": b"---\ntitle: Too long\n---\n" + body}


def _huge_msgid_po() -> dict[str, bytes]:
    # One 5 MB word: Babel's line wrapping took days over it, its string regex 600 MB.
    good = (BAD / "po/good.po").read_bytes()
    return {ES_PO: good + b'\nmsgid "' + b"x" * 5_000_000 + b'"\nmsgstr "equis"\n'}


def _deep_yaml_case() -> dict[str, bytes]:
    # PyYAML recursed once a level: 5,000 levels ended in RecursionError and a traceback.
    deep = b"[" * 5000 + b"]" * 5000
    return {"content/cases/water.md": b"---\ntitle: Deep\nsummary: " + deep + b"\n---\nHi.\n"}


def _bom_config() -> dict[str, bytes]:
    # What Windows Notepad saves: tomllib refused the byte order mark ("Invalid statement").
    return {"plainlang.toml": b"\xef\xbb\xbf" + (DATA / "project/plainlang.toml").read_bytes()}


GENERATORS: dict[str, Callable[[], dict[str, bytes]]] = {
    "bom-config": _bom_config,
    "deep-yaml-case": _deep_yaml_case,
    "crlf-po": _crlf_po,
    "huge-msgid-po": _huge_msgid_po,
    "binary-case": _binary_case,
    "utf16-case": _utf16_case,
    "huge-case": _huge_case,
}


# -- projects ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The projects cases start from, made once: catalogs extracted and updated."""
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    root = tmp_path_factory.mktemp("bases")
    catalogs = root / "catalogs"
    shutil.copytree(DATA / "project", catalogs)
    shutil.copytree(DATA / "leaflet-locales", catalogs / "locales")
    config = load_config(catalogs)
    extract(config)
    update(config)
    leaflet = root / "leaflet"
    shutil.copytree(DATA / "project", leaflet)
    shutil.rmtree(leaflet / "templates")  # the shipped theme serves
    shutil.copytree(DATA / "leaflet-locales", leaflet / "locales")
    config = load_config(leaflet)
    extract(config)
    update(config)
    return {"catalogs": catalogs, "leaflet": leaflet}


def _prepare(case: dict, base: Path, dest: Path) -> None:
    shutil.copytree(base, dest)
    for rel in case.get("remove", []):
        target = dest / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    for rel, source in case.get("put", {}).items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((BAD / source).read_bytes())
    if "make" in case:
        for rel, data in GENERATORS[case["make"]]().items():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _inputs(project: Path) -> dict[str, str]:
    """Every file but the build outputs."""
    return {k: v for k, v in snapshot(project).items() if not k.startswith("build/")}


def _translations(data: bytes) -> dict[tuple[str | None, str], str]:
    codec = "latin-1" if b"charset=ISO-8859-1" in data else "utf-8-sig"
    text = data.decode(codec).replace("\r\n", "\n")
    po = polib.pofile(text)
    return {(e.msgctxt, e.msgid): e.msgstr for e in po if e.msgstr}


# -- the corpus -------------------------------------------------------------------------------


def test_corpus_is_large_and_covers_every_reader():
    readers = {c["name"].split("-")[0] for c in CASES}
    assert {"po", "content", "config", "template"} <= readers
    assert len(CASES) >= 25
    assert len({c["name"] for c in CASES}) == len(CASES)
    for case in CASES:
        for source in case.get("put", {}).values():
            assert (BAD / source).is_file(), source
        assert case.get("make", "crlf-po") in GENERATORS


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, bases, run, tmp_path):
    project = tmp_path / "project"
    _prepare(case, bases[case.get("base", "catalogs")], project)
    before = _inputs(project)
    kept_before = _translations((project / case["keeps"]).read_bytes()) if "keeps" in case else {}

    result = run("-C", project, *(arg.replace("{project}", str(project)) for arg in case["run"]))

    assert "Traceback" not in result.err + result.out
    assert result.code == case["exit"], result.err
    if case["exit"] == 0:
        _assert_accepted(case, project, kept_before, run)
        return
    # Checks report findings on stdout, one a line (their count goes to stderr).
    shown = result.out if case["exit"] == 1 else result.err
    lines = [line for line in shown.splitlines() if line.strip()]
    where = case["where"] + ": "
    if case["run"][0] == "build":
        # A build says which leaflets failed; every line with an error names file and line.
        errors = [line for line in lines if "error" in line]
        assert errors and all(where in line for line in errors), result.err
        message = errors[-1][errors[-1].index(where) :]
    else:
        assert len(lines) == 1, result.err
        message = lines[0]
        assert message.startswith(where), message
    for word in case["says"]:
        assert word.lower() in message.lower(), message
    assert _inputs(project) == before, "a failed command changed a project file"
    assert not list((project / "build").rglob("*.pdf"))


def _assert_accepted(case: dict, project: Path, kept_before: dict, run) -> None:
    if "keeps" in case:
        written = (project / case["keeps"]).read_bytes()
        after = _translations(written)
        assert {k: after.get(k) for k in kept_before} == kept_before
        assert not written.startswith(b"\xef\xbb\xbf") and b"\r\n" not in written
        for header in case.get("header", []):
            assert header.encode("utf-8") in written, header
    # Accepted input is now in plainlang's own form: running again changes no byte.
    settled = _inputs(project)
    assert run("-C", project, *case["run"]).code == 0
    assert _inputs(project) == settled


# -- the PO grammar, against gettext's own msgfmt ------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in (BAD / "po").glob("*.po")))
def test_every_bad_catalog_gets_msgfmts_verdict(name, tmp_path):
    """Each file of the corpus: plainlang refuses it exactly when msgfmt --check does,
    but for the documented cases where gettext's reading silently differs (a NUL byte,
    escapes that make invalid UTF-8)."""
    import subprocess

    from plainlang.errors import CatalogError
    from plainlang.po import read_po

    data = (BAD / "po" / name).read_bytes()
    try:
        read_po(data, name)
        ours = True
    except CatalogError as exc:
        assert exc.location is not None and exc.location.line
        ours = False
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt not installed")
    done = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(BAD / "po" / name)],
        capture_output=True,
    )
    deliberate = name in ("nul-byte.po", "octal-escape.po")
    assert ours == (done.returncode == 0) or (deliberate and not ours), done.stderr
