"""Hostile text: what one translation of it costs, as a ratio of a normal build in the same run.

    .venv/bin/python bench/hostile.py            # about 5 minutes on 2 cores

Each figure is the wall time of a fresh ``plainlang build --jobs 1 --force`` of one phone
leaflet (Spanish, youth) of ``tests/data/project`` whose first paragraph's translation is
the hostile text, divided by the same build with the catalog as it is (the baseline,
measured first and last; their mean is used). Three parts:

1. every unit of ``tests/test_hostile.HOSTILE_UNITS`` repeated to 45,000 characters: refused
   before layout (``render.MAX_SEGMENT_CHARS``);
2. the same units at 1,900 characters: laid out and printed;
3. the root fix on its own: ``*a_`` and ``kuna`` at 15,000 characters with the segment and
   leaflet bounds lifted, with and without ``markup.breakable`` (a ``<wbr>`` every 40
   characters of an unbroken run). Without it WeasyPrint's line breaking is quadratic in
   the run (at 45,000 characters: 157 s for ``*a_``, over 6 minutes for ``kuna``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

# Runs the CLI with the bounds lifted and, optionally, no break opportunities.
LIFTED = """
import sys
from plainlang import markup, render
render.MAX_SEGMENT_CHARS = render.MAX_LEAFLET_CHARS = 10**9
if sys.argv[1] == "off":
    markup.breakable = lambda text: text
from plainlang.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exc:
    sys.exit(exc.code)
"""


def project(root: Path, text: str | None) -> Path:
    import polib

    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    dest = root / f"p{len(list(root.iterdir()))}"
    shutil.copytree(REPO / "tests/data/project", dest)
    shutil.rmtree(dest / "templates")
    shutil.copytree(REPO / "tests/data/leaflet-locales", dest / "locales")
    config = load_config(dest)
    extract(config)
    update(config)
    if text is not None:
        path = dest / "locales/es/LC_MESSAGES/water.po"
        po = polib.pofile(str(path))
        for entry in po:
            if entry.msgid.startswith("Rosa lives"):
                entry.msgstr = text
        po.save()
    return dest


def timed(dest: Path, lifted: str | None = None) -> tuple[float, int]:
    args = ["-C", str(dest), "build", "--jobs", "1", "--force", "--locale", "es",
            "--audience", "youth", "--layout", "phone"]
    command = [sys.executable, "-c", LIFTED, lifted, *args] if lifted else [
        sys.executable, "-m", "plainlang", *args]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600,
                          env=dict(os.environ, CI="true"))
    return time.monotonic() - started, done.returncode


def main() -> None:
    from test_hostile import HOSTILE_UNITS

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        base = project(root, None)
        first, _ = timed(base)
        rows: list[tuple[str, float, int]] = []
        for size in (45_000, 1_900):
            for unit in HOSTILE_UNITS:
                text = (unit * (size // len(unit) + 1))[:size]
                seconds, code = timed(project(root, text))
                rows.append((f"{unit!r} x {size:,}", seconds, code))
        for unit in ("*a_", "kuna"):
            text = (unit * (15_000 // len(unit) + 1))[:15_000]
            dest = project(root, text)
            for mode in ("on", "off"):
                seconds, code = timed(dest, mode)
                rows.append((f"{unit!r} x 15,000, bounds lifted, breaks {mode}", seconds, code))
        last, _ = timed(base)
        baseline = statistics.mean((first, last))
        print(f"baseline (the catalog as it is): {first:.1f} s and {last:.1f} s")
        print(f"{'translation of the first paragraph':52} {'exit':>4} {'s':>7} {'x baseline':>10}")
        for name, seconds, code in rows:
            print(f"{name:52} {code:>4} {seconds:7.1f} {seconds / baseline:10.2f}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
