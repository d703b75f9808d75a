"""Fuzzing the readers: mutated PO files, cases, config and templates, through the real CLI.

Each of :data:`MUTATIONS` seeded mutations takes the test project (catalogs extracted and
updated, the shipped phone layout copied into ``templates/`` to be mutated too), changes
one input (a byte flipped, the file cut short, a control character or random UTF-8
inserted, a line duplicated, two lines swapped, a quote deleted) and runs ``check``,
``stats``, ``update`` and ``build`` through ``plainlang.cli.main`` in one subprocess, each
command under an alarm. For every command: no traceback, no hang, an exit code of 0, 1 or
2, and not one file changed when the exit code is 2. After ``update``, every translation
the mutated PO file held (as GNU msgcat reads it) is still in the file (as msgcat reads it).

The seed is fixed, so a failure is reproducible: its message names the mutation. Set
``PLAINLANG_FUZZ_SEED`` to explore other seeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from conftest import DATA

from plainlang.theme import SHIPPED_THEME

SEED = int(os.environ.get("PLAINLANG_FUZZ_SEED", "20261201"))
MUTATIONS = 16  # 4 per kind of input; about 60 s on a 2-core machine
COMMAND_TIMEOUT = 60  # seconds: a hang guard, far above what a command takes
COMMANDS = (
    ["check"],
    ["stats"],
    ["update"],
    ["build", "--jobs", "1", "--locale", "es", "--audience", "youth", "--layout", "phone"],
)
TARGETS = {
    "po": "locales/es/LC_MESSAGES/water.po",
    "case": "content/cases/water.md",
    "config": "plainlang.toml",
    "template": "templates/layouts/phone.html.j2",
}
# What random text brings: controls, NUL, marks, bidi, wide and astral characters, and the
# characters the formats care about.
ODD = (
    "\x00\x07\x0b\x0c\x1b\x7f\x85\u00ad\u0301\u200b\u200d\u202e\u2028\ufeff\ufffe"
    "漢字😀ñáßø\"'\\%{}[]()<>*_`#:=|-!\t\r\n"
)

# Runs each command in this process with an alarm, and reports one JSON line per command:
# its exit code ("hang" on the alarm), the end of stderr (a traceback if one escaped), and
# the project files it changed.
RUNNER = r"""
import contextlib, hashlib, io, json, signal, sys, traceback
from pathlib import Path

def snapshot(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file() and not p.is_symlink()
    }

class Hang(BaseException):
    pass

def on_alarm(signum, frame):
    raise Hang()

signal.signal(signal.SIGALRM, on_alarm)
from plainlang.cli import main

root, timeout, *commands = sys.argv[1:]
for command in commands:
    args = json.loads(command)
    before = snapshot(root)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    signal.alarm(int(timeout))
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["-C", root, *args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except Hang:
        code = "hang"
    except BaseException:
        code = 1
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
    after = snapshot(root)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    print(json.dumps({"args": args, "code": code, "err": err.getvalue()[-4000:],
                      "changed": changed}), flush=True)
"""


@dataclass(frozen=True)
class Mutation:
    kind: str  # a key of TARGETS
    op: str
    position: int
    extra: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.op}@{self.position}+{self.extra}"


def mutations(seed: int, count: int) -> list[Mutation]:
    rng = random.Random(seed)
    ops = ("flip", "truncate", "control", "duplicate-line", "swap-lines", "utf8", "drop-quote")
    kinds = list(TARGETS)
    return [
        Mutation(kinds[i % len(kinds)], rng.choice(ops), rng.randrange(1 << 30), rng.randrange(1 << 30))
        for i in range(count)
    ]


def mutate(data: bytes, m: Mutation) -> bytes:
    """``data`` changed as ``m`` says; positions are taken modulo the data's length."""
    rng = random.Random(m.position ^ m.extra)
    if not data:
        return bytes(rng.randrange(256) for _ in range(8))
    at = m.position % len(data)
    if m.op == "flip":
        return data[:at] + bytes([data[at] ^ (1 << (m.extra % 8))]) + data[at + 1 :]
    if m.op == "truncate":
        return data[:at]
    if m.op == "control":
        return data[:at] + bytes([rng.choice((0, 7, 8, 11, 12, 27, 127))]) + data[at:]
    if m.op == "utf8":
        text = "".join(rng.choice(ODD) for _ in range(1 + m.extra % 12))
        return data[:at] + text.encode("utf-8") + data[at:]
    lines = data.split(b"\n")
    i, j = m.position % len(lines), m.extra % len(lines)
    if m.op == "duplicate-line":
        return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    if m.op == "swap-lines":
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    assert m.op == "drop-quote"
    quotes = [k for k, byte in enumerate(data) if byte in b"\"'"]
    if not quotes:
        return data[:at] + data[at + 1 :]
    k = quotes[m.extra % len(quotes)]
    return data[:k] + data[k + 1 :]


def msgcat_translations(path: Path) -> set[str] | None:
    """Every non-empty translation of a PO file as GNU msgcat reads it (None: it refuses)."""
    if not path.is_file():
        return None
    done = subprocess.run(
        ["msgcat", "--no-wrap", "--use-first", "-o", "-", str(path)],
        capture_output=True,
        timeout=60,
    )
    if done.returncode != 0:
        return None
    try:
        po = polib.pofile(done.stdout.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    found: set[str] = set()
    for entry in (*po, *po.obsolete_entries()):
        found.update(s for s in (entry.msgstr, *entry.msgstr_plural.values()) if s)
    return found


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from plainlang.catalogs import extract, update
    from plainlang.config import load_config

    project = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(DATA / "project", project)
    shutil.rmtree(project / "templates", ignore_errors=True)
    (project / "templates/layouts").mkdir(parents=True)
    shutil.copy(SHIPPED_THEME / "layouts/phone.html.j2", project / "templates/layouts")
    shutil.copytree(DATA / "leaflet-locales", project / "locales")
    config = load_config(project)
    extract(config)
    update(config)
    return project


def _run(project: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(project), str(COMMAND_TIMEOUT),
         *(json.dumps(c) for c in COMMANDS)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT * len(COMMANDS) + 60,
        env=dict(os.environ, CI="true", SOURCE_DATE_EPOCH="1700000000"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_mutations_are_reproducible_and_do_change_the_input() -> None:
    assert mutations(SEED, MUTATIONS) == mutations(SEED, MUTATIONS)
    assert {m.kind for m in mutations(SEED, MUTATIONS)} == set(TARGETS)
    data = (DATA / "project/content/cases/water.md").read_bytes()
    changed = [mutate(data, m) != data for m in mutations(SEED, 50)]
    assert sum(changed) >= 45  # a few ops can leave a file as it was (a swap of equal lines)


@pytest.mark.parametrize("mutation", mutations(SEED, MUTATIONS), ids=str)
def test_mutated_input_gets_a_clear_answer(base: Path, tmp_path: Path, mutation: Mutation) -> None:
    project = tmp_path / "project"
    shutil.copytree(base, project)
    target = project / TARGETS[mutation.kind]
    target.write_bytes(mutate(target.read_bytes(), mutation))
    po = project / TARGETS["po"]
    kept_before = msgcat_translations(po)

    results = _run(project)

    assert [r["args"] for r in results] == [list(c) for c in COMMANDS], results
    for result in results:
        what = f"{mutation}: plainlang {' '.join(result['args'])}"
        assert result["code"] != "hang", f"{what} did not finish in {COMMAND_TIMEOUT} s"
        assert "Traceback" not in result["err"], f"{what}:\n{result['err']}"
        assert result["code"] in (0, 1, 2), f"{what}: exit {result['code']}\n{result['err']}"
        if result["code"] == 2:
            assert result["changed"] == [], f"{what} exited 2 but changed {result['changed']}"
            assert result["err"].strip(), f"{what} exited 2 without a word"
    update = results[2]
    if update["code"] == 0 and kept_before is not None:
        kept_after = msgcat_translations(po)
        assert kept_after is not None, f"{mutation}: update wrote a PO file msgcat refuses"
        lost = kept_before - kept_after
        assert not lost, f"{mutation}: update lost {sorted(lost)[:3]}"
