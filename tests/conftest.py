"""Shared fixtures: small real projects copied to a temp folder, and the real CLI."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from plainlang.cli import main

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of tests/data/project: one case, es/qu/ay, a tiny template."""
    dest = tmp_path / "project"
    shutil.copytree(DATA / "project", dest)
    return dest


@pytest.fixture
def leaflet_project(project: Path) -> Path:
    """The test project with the repository's real templates and fonts, and catalogs:
    Spanish complete, Quechua with two draft (fuzzy) entries, Aymara empty."""
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    shutil.rmtree(project / "templates")
    shutil.copytree(REPO / "templates", project / "templates")
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    config = load_config(project)
    extract(config)
    update(config)
    return project


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the real CLI in-process: ``run("--project", p, "extract")``."""

    def _run(*args: object) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (to prove that nothing changed)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def spy_fetcher(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Record every URL the PDF stage is asked for, and whether it was served."""
    from plainlang import pdf as pdf_module

    log: list[tuple[str, bool]] = []
    original = pdf_module.ConfinedFetcher.resolve

    def spy(self, url):
        try:
            resource = original(self, url)
        except Exception:
            log.append((url, False))
            raise
        log.append((url, True))
        return resource

    monkeypatch.setattr(pdf_module.ConfinedFetcher, "resolve", spy)
    return log
