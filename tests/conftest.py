"""Shared fixtures: small real projects copied to a temp folder, and the real CLI."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
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


#: What makes this repository a plainlang project (the sample), as a user's would be.
SAMPLE_FILES = ("plainlang.toml", "content", "locales", "templates", "plain")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of this repository's sample project, as committed (no compiled catalogs)."""
    return copy_sample(tmp_path / "sample")


@pytest.fixture
def leaflet_project(project: Path) -> Path:
    """The test project with the repository's real templates and fonts, and catalogs:
    Spanish complete, Quechua with two draft (fuzzy) entries, Aymara empty."""
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    shutil.rmtree(project / "templates")  # the shipped theme serves
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


def override(project: Path, rel: str) -> Path:
    """The project's own copy of shipped theme file ``rel`` (made now), to edit in a test."""
    from plainlang.theme import SHIPPED_THEME

    dest = project / "templates" / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED_THEME / rel, dest)
    return dest


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


def copy_sample(dest: Path) -> Path:
    """Copy this repository's sample project (as committed, no compiled catalogs) to ``dest``."""
    dest.mkdir(parents=True)
    for name in SAMPLE_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("*.mo"))
        elif src.is_file():
            shutil.copy(src, dest / name)
    return dest


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once for the whole run, as a user builds it.

    Every leaflet its config plans (trifold and phone; es, qu, ay; every audience of every
    case) with the phone slides and the web pages, and the flyers that fit one
    (right-to-know in Spanish; the other cases are too long for an A5 flyer at 12 pt,
    which the build reports).
    """
    from plainlang.build import BuildOptions, build

    root = copy_sample(tmp_path_factory.mktemp("built") / "sample")
    for options in (
        BuildOptions(outputs=("pdf", "html", "images")),
        BuildOptions(cases=("right-to-know",), locales=("es",), layouts=("flyer",)),
    ):
        report = build(root, options)
        assert not report.failed, [r.error for r in report.failed]
    return root


@pytest.fixture
def reads(monkeypatch):
    """Count parses at the loading boundary: plainlang.toml parses, and PO/POT parses by file."""
    from plainlang import config, po

    counts: Counter[str] = Counter()
    parse_config, parse_po = config.parse_config, po.read_po

    def counting_config(text, path):
        counts["plainlang.toml"] += 1
        return parse_config(text, path)

    def counting_po(data, shown, **kwargs):
        counts[shown] += 1
        return parse_po(data, shown, **kwargs)

    monkeypatch.setattr(config, "parse_config", counting_config)
    monkeypatch.setattr(po, "read_po", counting_po)
    return counts

