"""Runs killed at random moments (SIGKILL) leave every file whole: the old one or the new one.

Each test knows both versions of every file beforehand (a reference run on a copy; the
outputs are reproducible), starts the real command in a subprocess, kills it and its
workers after a seeded random delay, and checks what is on disk: each ``.po``, ``.pot``
and PDF is byte for byte the old or the new file, and reads back. Then the next run
finishes and leaves exactly the new files.

``fsync`` is slowed to 20 ms in the subprocesses (a busy disk), so that the moments when
files are being written take a good part of each run and the kills land among them; the
tests count how many runs were caught with some files written and others not, and insist
on at least one, or they would prove nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from conftest import DATA

from plainlang.po import read_po

# Runs a list of plainlang commands in one process, fsync slowed, as the CLI does.
RUNNER = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(0.02)
    real_fsync(fd)
os.fsync = slow_fsync
from plainlang.cli import main
root, *commands = sys.argv[1:]
for command in commands:
    try:
        main(["-C", root, *command.split()])
    except SystemExit as exc:
        if exc.code:
            raise
"""
ENV = dict(os.environ, CI="true", SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="0")
SEED = 20261126
CASES = 8  # water plus seven more: 9 POT files, 27 PO files


def _start(project: Path, *commands: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(project), *commands],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # the build's workers die with it
    )


def _run(project: Path, *commands: str) -> float:
    started = time.monotonic()
    proc = _start(project, *commands)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - started


def _kill_after(project: Path, delay: float, *commands: str) -> bool:
    """Start the commands, SIGKILL them after ``delay`` seconds; True if still running."""
    proc = _start(project, *commands)
    try:
        proc.wait(timeout=delay)
        alive = False
    except subprocess.TimeoutExpired:
        alive = True
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    return alive


def _files(root: Path, *suffixes: str) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in suffixes and not p.name.startswith(".")
    }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


# -- update (and extract) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A project whose content just changed, and its catalogs before and after update.

    Returns the project (content new, catalogs old) and the old and new bytes of every
    PO and POT file.
    """
    root = tmp_path_factory.mktemp("interrupt-update")
    project = root / "project"
    shutil.copytree(DATA / "project", project)
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    water = (project / "content/cases/water.md").read_text(encoding="utf-8")
    for n in range(1, CASES):
        text = water.replace("the water project", f"the school {n} repair")
        (project / f"content/cases/case-{n}.md").write_text(text, encoding="utf-8")
    _run(project, "extract", "update")
    for po_file in sorted((project / "locales").rglob("*.po")):
        po = polib.pofile(str(po_file), wrapwidth=79)
        for entry in po:
            entry.msgstr = entry.msgstr or f"[{po_file.parent.parent.name}] {entry.msgid}"
        po.save()
    _run(project, "update")  # the translated catalogs in plainlang's own form
    for case in sorted((project / "content/cases").glob("*.md")):
        text = case.read_text(encoding="utf-8")
        text = text.replace("Write a short letter.", "Write a short, clear letter.")
        text = text.replace("Hand it in at the front desk.", "Hand it in at the window.")
        case.write_text(text, encoding="utf-8")
    old = _files(project, ".po", ".pot")
    reference = root / "reference"
    shutil.copytree(project, reference)
    _run(reference, "extract", "update")
    new = _files(reference, ".po", ".pot")
    assert set(old) == set(new) and len(new) == CASES + 1 + 3 * (CASES + 1)
    assert all(old[k] != new[k] for k in new if Path(k).stem != "ui")  # ui did not change
    return project, old, new


def test_killed_extract_and_update_leave_old_or_new_catalogs(catalog_states, tmp_path):
    source, old, new = catalog_states
    probe = tmp_path / "probe"
    shutil.copytree(source, probe)
    duration = _run(probe, "extract", "update")
    rng = random.Random(SEED)
    caught = runs = 0
    while runs < 10 or (caught == 0 and runs < 30):
        runs += 1
        project = tmp_path / f"run-{runs}"
        shutil.copytree(source, project)
        _kill_after(project, rng.uniform(0.2, 1.0) * duration, "extract", "update")
        on_disk = _files(project, ".po", ".pot")
        assert set(on_disk) == set(new), f"run {runs}: a catalog went missing"
        states = set()
        for name, data in on_disk.items():
            assert data in (old[name], new[name]), (
                f"run {runs}: {name} is neither the old nor the new file "
                f"({len(data)} bytes, sha {_digest(data)})"
            )
            states.add("new" if data == new[name] and data != old[name] else "old")
            read_po(data, name, template=name.endswith('.pot'))  # whole, and readable
        temp_files = [p for p in project.rglob(".*.tmp")]
        if len(states) == 2 or temp_files:
            caught += 1
        # The next run finishes the job, whatever the kill left behind.
        _run(project, "extract", "update")
        assert _files(project, ".po", ".pot") == new, f"run {runs}: the rerun did not finish"
        shutil.rmtree(project)
    print(f"update: {caught} of {runs} kills caught mid-write")
    assert caught, f"none of {runs} kills landed while catalogs were being written"


# -- build -----------------------------------------------------------------------------------

BUILD = "build --jobs 2 --layout phone --locale es --locale ay --audience youth --audience women"


@pytest.fixture(scope="module")
def pdf_states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """A leaflet project built once, then a Spanish translation changed; PDFs before and after."""
    root = tmp_path_factory.mktemp("interrupt-build")
    project = root / "project"
    shutil.copytree(DATA / "project", project)
    shutil.rmtree(project / "templates")  # the shipped theme serves
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    _run(project, "extract", "update", BUILD)
    po_file = project / "locales/es/LC_MESSAGES/water.po"
    po = polib.pofile(str(po_file), wrapwidth=79)
    po.find("Ask about the water project").msgstr = "Pregunte cuánto costó el agua"
    po.save()
    old = _files(project, ".pdf")
    reference = root / "reference"
    shutil.copytree(project, reference)
    _run(reference, BUILD)
    new = _files(reference, ".pdf")
    assert set(old) == set(new) and len(new) == 4
    assert all(old[k] != new[k] for k in new)  # Aymara falls back to Spanish
    return project, old, new


def test_killed_build_leaves_old_or_new_pdfs(pdf_states, tmp_path):
    from pypdf import PdfReader

    source, old, new = pdf_states
    probe = tmp_path / "probe"
    shutil.copytree(source, probe)
    duration = _run(probe, BUILD)
    rng = random.Random(SEED)
    caught = runs = 0
    while runs < 5 or (caught == 0 and runs < 12):
        runs += 1
        project = tmp_path / f"run-{runs}"
        shutil.copytree(source, project)
        _kill_after(project, rng.uniform(0.5, 1.0) * duration, BUILD)
        on_disk = _files(project, ".pdf")
        assert set(on_disk) == set(new)
        states = set()
        for name, data in on_disk.items():
            assert data in (old[name], new[name]), f"run {runs}: {name} is half a PDF"
            assert data.rstrip().endswith(b"%%EOF")
            assert len(PdfReader(project / name).pages) == 1
            states.add("new" if data == new[name] else "old")
        manifest = project / "build/manifest.json"
        json.loads(manifest.read_text(encoding="utf-8"))  # whole too
        if len(states) == 2:
            caught += 1
        _run(project, BUILD)
        assert _files(project, ".pdf") == new, f"run {runs}: the rerun did not finish"
        assert not list((project / "build").rglob(".*.tmp"))
        shutil.rmtree(project)
    print(f"build: {caught} of {runs} kills caught mid-write")
    assert caught, f"none of {runs} kills landed between the first and the last PDF"
