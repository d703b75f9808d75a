"""``plainlang update`` speed: this checkout against a baseline source tree, same run.

    git archive <baseline-commit> src | tar -x -C /tmp/baseline
    python bench/make_project.py --out /tmp/benchp          # 50 cases x 4 locales
    python bench/update_speed.py --project /tmp/benchp --baseline-src /tmp/baseline/src

Two scenarios, each on a fresh copy settled by one update of the side being measured:
``no-op`` (nothing changed: every catalog is read, merged and found unchanged) and
``edited`` (" the " becomes " a " in every case, then extract: most entries go fuzzy
through fuzzy matching). Sides alternate, each timed command is a fresh process, the best
of ``--rounds`` counts; the ratio is this checkout over the baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"


def _run(src: str, project: Path, *args: str) -> float:
    env = dict(os.environ, PYTHONPATH=src, SOURCE_DATE_EPOCH="1700000000")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "plainlang", "-C", str(project), *args],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--baseline-src", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sides = {"baseline": args.baseline_src, "this": str(HERE)}
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as work:
        for scenario in ("no-op", "edited"):
            for _ in range(args.rounds):
                for side, src in sides.items():
                    project = Path(work) / side
                    shutil.rmtree(project, ignore_errors=True)
                    shutil.copytree(args.project, project)
                    _run(src, project, "update")
                    if scenario == "edited":
                        for case in sorted((project / "content/cases").glob("*.md")):
                            case.write_text(case.read_text().replace(" the ", " a "))
                        _run(src, project, "extract")
                    times.setdefault((scenario, side), []).append(_run(src, project, "update"))
    for scenario in ("no-op", "edited"):
        base, this = min(times[(scenario, "baseline")]), min(times[(scenario, "this")])
        print(f"{scenario:7s} baseline {base:6.2f} s  this {this:6.2f} s  ratio {this / base:.2f}")


if __name__ == "__main__":
    main()
