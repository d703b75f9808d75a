"""The installing user's test: the wheel carries the theme, and a new project builds from it.

Builds the wheel from a copy of the sources (``pip wheel --no-deps``, no network), installs
it into a fresh virtualenv with ``pip install --no-deps``, and runs ``plainlang
new-project``, ``extract``, ``update`` and ``build`` in a folder outside the repository.

The fresh virtualenv takes plainlang's dependencies (WeasyPrint, Babel, ...) from this test
environment's site-packages through a ``.pth`` path line: a real install of them takes
minutes (2 min 49 s measured on the CI-sized machine, against about 10 s this way) and
tests nothing of plainlang. A ``.pth`` path line adds the folder only, so the editable
install of this repository that lives there is never loaded: the test checks that
``plainlang`` is imported from the new virtualenv, and the project has no ``templates/``.
That folder also holds the test extras (pypdf, pytest, ...), which a user's install does
not have: the new virtualenv refuses to import them, so that plainlang needing one of
them at run time fails here as it would for the user.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.wheel

THEME_FILES = (
    "plainlang/data/theme/theme.toml",
    "plainlang/data/theme/layouts/trifold.html.j2",
    "plainlang/data/theme/css/base.css",
    "plainlang/data/theme/fonts/Andika-Regular.ttf",
    "plainlang/data/theme/fonts/OFL.txt",
    "plainlang/data/theme/pictograms/share.svg",
    "plainlang/data/theme/locales/ui.pot",
    "plainlang/data/theme/locales/es/LC_MESSAGES/ui.po",
    "plainlang/data/theme/locales/qu/LC_MESSAGES/ui.po",
    "plainlang/data/theme/locales/ay/LC_MESSAGES/ui.po",
    "plainlang/data/theme/plain/avoid-en.csv",
    "plainlang/data/theme/plain/avoid-es.csv",
    "plainlang/data/examples/es.md",
    "plainlang/py.typed",
)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]).lower()


def _test_extra_modules() -> set[str]:
    """The top-level modules of the test extras that are not run-time dependencies."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = {_name(r) for r in project["optional-dependencies"]["test"]} - runtime
    return {
        module
        for module, dists in importlib.metadata.packages_distributions().items()
        if dists and all(_name(d) in extras for d in dists)
    }


BLOCKER = """import importlib.abc, sys

BLOCKED = frozenset({blocked!r})


class _TestOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(
                f"No module named {{name!r}} (a test extra, not in [project] dependencies)"
            )
        return None


sys.meta_path.insert(0, _TestOnly())
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh virtualenv with the wheel installed, and the environment to run it in."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(
        REPO / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"  # nothing from the network
    dist = base / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        base,
        env,
    )
    (wheel,) = dist.glob("plainlang-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, env)
    python = venv / "bin" / "python"
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env).stdout.strip()
    )
    (site / "plainlang-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    blocked = sorted(_test_extra_modules())
    assert "pypdf" in blocked and "pytest" in blocked, blocked
    (site / "_plainlang_test_only.py").write_text(BLOCKER.format(blocked=blocked))
    (site / "zz-plainlang-test-only.pth").write_text("import _plainlang_test_only\n")
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], base, env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return wheel, env


def test_the_fresh_virtualenv_has_no_test_extras(installed, tmp_path):
    _, env = installed
    done = subprocess.run(
        ["python", "-c", "import pypdf"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "a test extra" in done.stderr, done.stderr
    _run(["python", "-c", "import weasyprint, pikepdf, soxr"], tmp_path, env)


def test_the_wheel_carries_the_whole_theme(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in THEME_FILES if name not in names]
    assert not missing, missing


def test_a_new_project_builds_from_the_installed_wheel_outside_the_repository(installed, tmp_path):
    _, env = installed
    work = tmp_path / "elsewhere"
    work.mkdir()
    assert not work.resolve().is_relative_to(REPO.resolve())
    where = _run(["python", "-c", "import plainlang; print(plainlang.__file__)"], work, env).stdout
    assert "/venv/" in where and str(REPO / "src") not in where, where
    _run(["plainlang", "new-project", "leaflets", "--source-locale", "es", "--locale", "qu"], work, env)
    project = work / "leaflets"
    for command in ("extract", "update", "build"):
        _run(["plainlang", "-C", "leaflets", command], work, env)
    assert not (project / "templates").exists()
    pdfs = sorted(p.name for p in (project / "build/pdf/qu").glob("*.pdf"))
    assert pdfs == [
        f"peru-open-government-plan-{audience}-{layout}.pdf"
        for audience in ("municipality", "women", "youth")
        for layout in ("flyer-sheets", "flyer", "phone", "trifold")
    ]
    listed = _run(["plainlang", "-C", "leaflets", "theme", "list"], work, env).stdout
    assert "css/base.css  shipped" in listed
