"""The bad-input corpus: every reader, fed what real projects get wrong, answers in one line.

Each case of ``tests/data/bad/cases.toml`` drops a file (or a generated one, for inputs too
big or too binary to commit) into a copy of the test project, runs one real command and
checks the contract of DESIGN.md: the exit code (2 for bad input), one line naming the file
and its 1-based line, no traceback, and not one project file changed. A few inputs are fine
by design (a BOM, CRLF line ends, a PO without header): those must work, and the
translations in them must come through the rewrite unchanged.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import polib  # an independent reader, to check what plainlang wrote
import pytest
from conftest import DATA, REPO, snapshot

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


def _qr_too_long() -> dict[str, bytes]:
    case = (DATA / "project/content/cases/water.md").read_text(encoding="utf-8")
    long_qr = "qr: https://example.org/" + "a" * 3000
    return {"content/cases/water.md": case.replace("qr: https://www.opengovpartnership.org/", long_qr).encode()}


def _picture(src: str) -> Callable[[], dict[str, bytes]]:
    """The test case with a picture of ``src`` added at its end (line 32)."""

    def make() -> dict[str, bytes]:
        case = (DATA / "project/content/cases/water.md").read_text(encoding="utf-8")
        assert case.count("\n") == 30
        return {"content/cases/water.md": f"{case}\n![A map]({src})\n".encode()}

    return make


_FAKE_PNG = "data:image/png;base64," + base64.b64encode(b"GIF89a, not a PNG").decode()
_HUGE_PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 600_000).decode()

GENERATORS: dict[str, Callable[[], dict[str, bytes]]] = {
    "qr-too-long": _qr_too_long,
    "picture-dev-zero": _picture("/dev/zero"),
    "picture-traversal": _picture("../../../../../../../../etc/passwd"),
    "picture-linked": _picture("linked.png"),
    "picture-folder": _picture("folder.png"),
    "picture-remote": _picture("http://127.0.0.1:9/map.png"),
    "picture-data-large": _picture(_HUGE_PNG),
    "picture-data-fake": _picture(_FAKE_PNG),
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
    for rel in case.get("mkdir", []):
        (dest / rel).mkdir(parents=True)
    for rel, name in case.get("link", {}).items():
        # A file outside the project, holding a secret no message may quote.
        outside = dest.parent / name
        outside.write_text(f"{SECRET}\nmsgid \"x\"\n", encoding="utf-8")
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.symlink_to(outside)


SECRET = "SECRET-TOKEN-7f3a do not print"


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
    assert len(CASES) >= 80


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
    assert SECRET not in result.out + result.err
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


# -- outputs that cannot be written, and what killed runs left --------------------------------
#
# As root, a read-only folder and a full disk are real: a small tmpfs is mounted on the
# project's build/ (remounted read-only, or filled). Without root (CI runners), the folder
# is made read-only with chmod and a full disk is an ENOSPC from the OS at fsio's boundary.

BUILD_ONE = ["build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--layout", "phone"]


def _mount_tmpfs(where: Path, size: str) -> bool:
    import os
    import subprocess

    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


def _umount(where: Path) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _one_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert "Traceback" not in result.err + result.out
    assert len(lines) == 1, result.err
    return lines[0]


def _leaflet_base(bases: dict[str, Path], tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(bases["leaflet"], project)
    return project


def test_build_folder_that_is_a_file(bases, run, tmp_path):
    """mkdir build/pdf raised FileExistsError with a traceback."""
    project = _leaflet_base(bases, tmp_path)
    (project / "build").write_text("not a folder")
    before = snapshot(project)
    result = run("-C", project, *BUILD_ONE)
    assert result.code == 2
    line = _one_line(result)
    assert line.endswith("build: write error: is a file, not a folder (move it away or rename"
                         " it: plainlang writes its outputs in a folder of that name)"), line
    assert snapshot(project) == before


def test_manifest_that_is_a_folder(bases, run, tmp_path):
    """The build made every PDF, then failed to rename its manifest over a folder."""
    project = _leaflet_base(bases, tmp_path)
    (project / "build/manifest.json").mkdir(parents=True)
    result = run("-C", project, *BUILD_ONE)
    assert result.code == 2
    assert _one_line(result).startswith("build/manifest.json: write error: is a folder, not a file")
    assert not list((project / "build").rglob("*.pdf"))


def test_damaged_manifest_is_said_and_rebuilt(bases, run, tmp_path):
    """A manifest that is not JSON was read as empty without a word (and a CI cache with
    one rebuilt everything silently). It is a cache: the build says so and rebuilds."""
    import json

    project = _leaflet_base(bases, tmp_path)
    assert run("-C", project, *BUILD_ONE).code == 0
    manifest = project / "build/manifest.json"
    good = json.loads(manifest.read_text())
    manifest.write_text('{"leaflets": [\n  {"path": 3\n')
    result = run("-C", project, *BUILD_ONE)
    assert result.code == 0, result.err
    assert "build/manifest.json:3: warning: not valid JSON" in result.err
    assert "rebuilt" in result.err
    assert json.loads(manifest.read_text())["leaflets"][0]["path"] == good["leaflets"][0]["path"]
    # Entries of the wrong shape are not trusted either (a skipped leaflet reports them).
    broken = dict(good, leaflets=[dict(good["leaflets"][0], pages="two")])
    manifest.write_text(json.dumps(broken))
    result = run("-C", project, *BUILD_ONE)
    assert result.code == 0 and "1 of its 1 entries are damaged" in result.err
    assert "1 built" in result.out


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[bool]:
    """``folder`` made read-only with its files kept: a read-only tmpfs as root (root writes
    through chmod), chmod otherwise. Yields whether it is a real read-only mount."""
    import os
    import subprocess

    folder.mkdir(parents=True, exist_ok=True)
    aside = folder.with_name(folder.name + ".orig")
    if _can_mount():
        folder.rename(aside)
        assert _mount_tmpfs(folder, "16m")
        try:
            shutil.copytree(aside, folder, dirs_exist_ok=True)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            yield True
        finally:
            _umount(folder)
            folder.rmdir()
            aside.rename(folder)
        return
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
    for path in modes:
        os.chmod(path, 0o555)
    try:
        yield False
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)


def _can_mount() -> bool:
    import os

    return os.geteuid() == 0 and shutil.which("mount") is not None


READ_ONLY = "(run in a folder you can write to, or make this one writable)"


def test_read_only_build_folder(bases, run, tmp_path):
    project = _leaflet_base(bases, tmp_path)
    with _read_only(project / "build") as mounted:
        result = run("-C", project, *BUILD_ONE)
    assert result.code == 2
    line = _one_line(result)
    what = "the file system is read-only" if mounted else "no permission to write"
    assert line.endswith(f"build: write error: cannot write: {what} {READ_ONLY}"), line


def test_extract_into_a_read_only_locales_folder(bases, run, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(bases["catalogs"], project)
    case = project / "content/cases/water.md"
    case.write_text(case.read_text().replace("Rosa lives", "Rosa now lives"))
    before = snapshot(project / "locales")
    with _read_only(project / "locales") as mounted:
        result = run("-C", project, "extract")
        after = snapshot(project / "locales")
    assert result.code == 2
    line = _one_line(result)
    what = "the file system is read-only" if mounted else "no permission to write"
    assert line.endswith(f"locales/water.pot: write error: cannot write: {what} {READ_ONLY}"), line
    assert after == before


@pytest.mark.parametrize("how", ["tmpfs", "injected"])
def test_full_disk(bases, run, tmp_path, monkeypatch, how):
    """A full disk is one line, exit 2, and leaves no temp file and no partial PDF.

    ``tmpfs``: a real 8 KB file system on build/ (the phone PDF is some 40 KB), as root;
    else, and with ``injected``, the OS's ENOSPC at fsio's fsync.
    """
    import errno

    from plainlang import fsio

    project = _leaflet_base(bases, tmp_path)
    build = project / "build"
    mounted = how == "tmpfs" and _mount_tmpfs(build, "8k")
    try:
        if not mounted:
            real_fsync = fsio.os.fsync

            def full(fd: int) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(fsio.os, "fsync", full)
        result = run("-C", project, *BUILD_ONE)
        if not mounted:
            monkeypatch.setattr(fsio.os, "fsync", real_fsync)
        assert result.code == 2, result.err
        assert "Traceback" not in result.err
        errors = [line for line in result.err.splitlines() if "error" in line]
        assert errors and all("write error: cannot write: the disk is full" in e for e in errors)
        assert not list(build.rglob("*.tmp"))
        for pdf in build.rglob("*.pdf"):  # none whole is fine; none half-written is the point
            assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    finally:
        if mounted:
            _umount(build)


def test_temp_files_killed_runs_left_are_removed_and_ignored(bases, run, tmp_path):
    """A killed update left .water.po.<random>.tmp: no run removed it, git did not ignore it."""
    import subprocess
    import sys

    project = tmp_path / "project"
    shutil.copytree(bases["catalogs"], project)
    folder = project / "locales/es/LC_MESSAGES"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = [folder / f".water.po.{dead}-abcd1234.tmp", folder / ".water.po.k2j4h5g6.tmp"]
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        writing = folder / f".ui.po.{alive.pid}-zzzz9999.tmp"  # another run, writing now
        for path in (*stale, writing):
            path.write_text("half a catalog")
        assert run("-C", project, "update").code == 0
        assert not any(p.exists() for p in stale)
        assert writing.exists()
    finally:
        alive.kill()
        alive.wait()
    # Both .gitignore files plainlang knows of cover them: this repository's.
    rel = ".water.po.12345-abcd1234.tmp"
    ignored = subprocess.run(["git", "check-ignore", "-q", f"locales/es/LC_MESSAGES/{rel}"],
                             cwd=REPO)
    assert ignored.returncode == 0


def test_serve_on_a_busy_port(bases, tmp_path):
    """serve died with OSError: [Errno 98] Address already in use, and a traceback."""
    import os
    import socket
    import subprocess
    import sys

    project = _leaflet_base(bases, tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "plainlang", "-C", str(project), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60, env=dict(os.environ, CI="true"),
        )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"usage error: port {port} on 127.0.0.1 is already in use (stop what uses it, or"
        f" choose another port, e.g. --port {port + 1}; --port 0 takes any free one)"
    )


def test_a_title_with_controls_makes_a_pdf_with_clean_metadata(bases, run, tmp_path):
    """A form feed or a bell in a translated title broke the XMP: ParseError, no PDF."""
    from pypdf import PdfReader

    project = _leaflet_base(bases, tmp_path)
    po = project / ES_PO
    text = po.read_text(encoding="utf-8")
    title = 'msgid "Ask about the water project"\nmsgstr "'
    at = text.index(title) + len(title)
    end = text.index('"\n', at)
    po.write_text(text[:at] + "Pregunte\\fpor el\\a agua\\v" + text[end:], encoding="utf-8")
    result = run("-C", project, *BUILD_ONE)
    assert result.code == 0, result.err
    reader = PdfReader(str(project / "build/pdf/es/water-youth-phone.pdf"))
    assert reader.metadata.title == "Pregunte por el agua"
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_title == {"x-default": "Pregunte por el agua"}


def test_temp_file_of_a_process_that_exited_unreaped_is_stale(tmp_path):
    """A killed build's worker stays a zombie until init reaps it (slowly, in a container):
    the next run kept its temp file as if it were still writing."""
    import signal
    import subprocess
    import time

    from plainlang.fsio import remove_stale_temp_files

    child = subprocess.Popen(["sleep", "60"])
    writing = tmp_path / f".water.po.{child.pid}-abcd1234.tmp"
    writing.write_text("half a catalog")
    assert remove_stale_temp_files(tmp_path) == [] and writing.exists()  # alive: kept
    child.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the kernel has made it a zombie
        with open(f"/proc/{child.pid}/stat", "rb") as stat:
            if stat.read().rpartition(b")")[2].split()[0] == b"Z":
                break
        time.sleep(0.01)
    try:
        assert remove_stale_temp_files(tmp_path) == [writing]  # exited, not yet reaped
    finally:
        child.wait()
