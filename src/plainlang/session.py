"""The project session: config read once, cases and catalogs parsed once, for every command.

``build``, ``proof``, ``preview``, ``serve`` and the CLI all work from one :class:`Session`:
it parses ``plainlang.toml``, each case and each PO file the first time something asks
for it and keeps the result, and it hashes each input file once for the build's keys. A
long-lived session (``plainlang serve``, a Python program holding a
:class:`plainlang.Project`) calls :meth:`Session.refresh` before each use: one ``stat`` per
file it has read tells what changed, and only that is read and parsed again.

Change detection is git's: a file whose size, modification time, inode and change time are
those recorded is unchanged, unless it was modified so close to when it was read that a
second write in the same clock tick could hide (a "racy" file), whose content is then
hashed again and compared. A file is recorded *before* it is read, so a write racing the
read makes the session read it again, never keep a stale copy.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plainlang.config import CONFIG_NAME, ProjectConfig, load_config
from plainlang.content import Case
from plainlang.errors import PlainlangError, UsageError
from plainlang.fsio import read_project_file
from plainlang.theme import SHIPPED_THEME

if TYPE_CHECKING:
    from plainlang.localize import CatalogSet
    from plainlang.po import Catalog
    from plainlang.render import LeafletRenderer

#: A file modified less than this before it was read may hide a second write (see above).
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class _Seen:
    """What a file looked like when it was last read: its stat fields and content hash."""

    stat: tuple[int, int, int, int] | None  # None: missing
    digest: str  # sha256, "missing", or "dir" for a folder (its listing is what counts)
    racy: bool


def _stat(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


#: Largest file hashed into a key (a catalog, a template); its reader has its own bound.
MAX_HASHED_BYTES = 256 * 1024 * 1024


def _digest(path: Path, root: Path, error: type[PlainlangError]) -> str:
    """The sha256 of a file inside ``root``, read through :func:`fsio.read_project_file`:
    a file that links outside ``root``, a FIFO or a device is refused with ``error``,
    never read to be hashed."""
    data = read_project_file(path, root, max_bytes=MAX_HASHED_BYTES, error=error, missing_ok=True)
    return hashlib.sha256(data).hexdigest() if data is not None else "missing"


class FileState:
    """The files a session has read, as they were when it read them.

    Every file is read confined: to the installed theme for a shipped theme file, to the
    project ``root`` for anything else.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[Path, _Seen] = {}

    def _look(self, path: Path, error: type[PlainlangError] = PlainlangError) -> _Seen:
        stat = _stat(path)
        if stat is not None and path.is_dir():
            return _Seen(stat, "dir", False)
        inside = SHIPPED_THEME if path.is_relative_to(SHIPPED_THEME) else self.root
        digest = _digest(path, inside, error) if stat is not None else "missing"
        racy = stat is not None and time.time_ns() - stat[0] < RACY_NS
        return _Seen(stat, digest, racy)

    def record(self, path: Path, error: type[PlainlangError] = PlainlangError) -> str:
        """Remember ``path`` as it is now (before reading it); returns its content hash."""
        seen = self._seen.get(path)
        if seen is None:
            seen = self._seen[path] = self._look(path, error)
        return seen.digest

    def changed(self) -> set[Path]:
        """The recorded files that differ from their record; each is recorded afresh."""
        out = set()
        for path, seen in list(self._seen.items()):
            stat = _stat(path)
            if stat == seen.stat and not seen.racy:
                continue
            now = self._look(path)
            self._seen[path] = now
            # A folder counts as changed when its own fields do (a file added or removed).
            same = now.digest == seen.digest and (now.digest != "dir" or now.stat == seen.stat)
            if not same:
                out.add(path)
        return out

    def forget(self, paths: Iterable[Path]) -> None:
        for path in paths:
            self._seen.pop(path, None)

    def __len__(self) -> int:
        return len(self._seen)


class Session:
    """One project, read once: its config, cases, catalogs and renderer, kept while valid.

    ``root`` is the project folder itself (where ``plainlang.toml`` is); to find it from a
    subfolder use :func:`plainlang.config.find_project_root` or :meth:`plainlang.Project.load`.
    Not thread-safe: callers that share a session between threads lock around it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = FileState(root)
        self._reset()

    def _reset(self) -> None:
        self._config: ProjectConfig | None = None
        self._cases: dict[Path, Case] = {}
        self._case_paths: list[Path] | None = None
        self._po: dict[tuple[Path, str | None], Catalog] = {}
        self._catalogs: CatalogSet | None = None
        self._renderer: LeafletRenderer | None = None
        self._theme_files: list[str] | None = None
        self._bytecode_cache: Any = None
        #: Slot for the build's in-process worker (PDF renderer and its font set-up), reused
        #: by the next build of this session until the theme changes.
        self.local_worker: Any = None
        #: What the current build's key functions worked out that its makers can use (an
        #: audio plan, by target name); a new dict for each build (see InputHasher), which
        #: workers forked for the build inherit.
        self.planned: dict[str, Any] = {}

    # -- what changed --------------------------------------------------------------------

    def refresh(self) -> set[Path]:
        """Forget what changed on disk since it was read; returns the changed paths.

        A changed ``plainlang.toml`` resets everything (every other reading depends on it);
        a changed case drops that case; a changed catalog drops that catalog (and the Jinja
        environments, whose ``ui`` strings may come from it); a changed theme file drops the
        renderer and the PDF worker.
        """
        changed = self.files.changed()
        if changed:
            self._drop(changed)
        return changed

    def _drop(self, changed: set[Path]) -> None:
        if self.root / CONFIG_NAME in changed:
            self.files = FileState(self.root)
            self._reset()
            return
        config = self._config
        content = config.content_dir if config else self.root / "content" / "cases"
        theme_dir = config.templates_dir if config else self.root / "templates"
        for path in changed:
            if path == content:
                self._case_paths = None
            elif path in self._cases:
                del self._cases[path]
            elif path.suffix in (".po", ".pot"):
                for key in [k for k in self._po if k[0] == path]:
                    del self._po[key]
                self._catalogs = None
                self._renderer = None
            elif path.is_relative_to(theme_dir) or path.is_relative_to(SHIPPED_THEME):
                self._renderer = None
                self._theme_files = None
                self.local_worker = None

    # -- config and cases ----------------------------------------------------------------

    @property
    def config(self) -> ProjectConfig:
        if self._config is None:
            self.files.record(self.root / CONFIG_NAME)
            self._config = load_config(self.root)
            # Folders whose listing matters: a theme override or a case added or removed.
            theme_dir = self._config.templates_dir
            for folder in (self._config.content_dir, theme_dir, *_subfolders(theme_dir)):
                self.files.record(folder)
        return self._config

    def case_paths(self) -> list[Path]:
        from plainlang.content import case_paths

        if self._case_paths is None:
            self._case_paths = case_paths(self.config.content_dir)
        return self._case_paths

    def case_ids(self) -> list[str]:
        return [p.stem for p in self.case_paths()]

    def cases(self, only: Iterable[str] | None = None) -> list[Case]:
        """Every case (or the given ids), parsed once; the first bad file stops with its error."""
        wanted = set(only) if only is not None else None
        return [
            self._case(path)
            for path in self.case_paths()
            if wanted is None or path.stem in wanted
        ]

    def case(self, case_id: str) -> Case:
        for path in self.case_paths():
            if path.stem == case_id:
                return self._case(path)
        raise UsageError(
            f"no case '{case_id}' in content/cases/",
            hint="the case id is the file name without .md",
        )

    def _case(self, path: Path) -> Case:
        from plainlang.content import load_case

        case = self._cases.get(path)
        if case is None:
            config = self.config
            self.files.record(path)
            case = self._cases[path] = load_case(path, config.root, config.audiences)
        return case

    def require_cases(self, wanted: Sequence[str], hint: str) -> list[Case]:
        """The cases ``--case`` names (every case when none); a usage error for unknown ids."""
        cases = self.cases(wanted or None)
        missing = set(wanted) - {c.id for c in cases}
        if missing:
            raise UsageError(
                f"--case {', '.join(sorted(missing))}: no such case in content/cases/",
                hint=hint,
            )
        return cases

    # -- catalogs and templates ----------------------------------------------------------

    def load_po(self, path: Path, domain: str) -> Catalog | None:
        """The PO or POT file at ``path`` parsed (once), or None when there is none."""
        from plainlang.catalogs import load_po

        key = (path, domain)
        if key not in self._po:
            if self.files.record(path) == "missing":
                return None
            self._po[key] = load_po(path, self.config.root, domain=domain)
        return self._po[key]

    @property
    def catalogs(self) -> CatalogSet:
        """The project's catalogs, each PO file parsed once for the whole session."""
        from plainlang.localize import CatalogSet

        if self._catalogs is None:
            self._catalogs = CatalogSet(self.config, self.load_po)
        return self._catalogs

    @property
    def renderer(self) -> LeafletRenderer:
        """The leaflet renderer (one Jinja environment per locale) over :attr:`catalogs`."""
        from plainlang.render import LeafletRenderer

        if self._renderer is None:
            from plainlang.pdf import font_coverage

            # Text is printed only in characters the shipped fonts draw (markup.drawable).
            covered = font_coverage(self.config.theme.font_files()) or None
            self._renderer = LeafletRenderer(self.config, self.catalogs, covered)
        return self._renderer

    def share_compiled_templates(self, locales: Iterable[str]) -> None:
        """Compile each template once for all the locales' Jinja environments, not once each.

        The renderer makes one environment per locale, all with the same options; they
        differ only in their gettext functions and number and date filters, which templates
        look up when they run, not when they are compiled. So one compiled template serves
        them all: an in-memory bytecode cache, shared by the environments (and inherited by
        forked workers), saves about 60 ms per template set per locale per process.
        """
        if self._bytecode_cache is None:
            self._bytecode_cache = _memory_bytecode_cache()
        for locale in dict.fromkeys([self.config.source_locale, *locales]):
            env = self.renderer.environment(locale)
            if env.bytecode_cache is None:
                env.bytecode_cache = self._bytecode_cache

    def theme_files(self) -> list[str]:
        """Every theme path (relative, shipped or overridden), listed once."""
        if self._theme_files is None:
            self._theme_files = self.config.theme.files()
        return self._theme_files

    def digest(self, path: Path, error: type[PlainlangError] = PlainlangError) -> str:
        """sha256 of a file's content ("missing" when there is none), read once.

        Confined to the project (to the installed theme for a shipped file): a file that
        links outside is refused with ``error`` (a PO file: CatalogError), never hashed.
        """
        return self.files.record(path, error)


def _subfolders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_dir())


def _memory_bytecode_cache() -> Any:
    """An in-memory Jinja bytecode cache (keyed by template file and source checksum)."""
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.data: dict[str, bytes] = {}

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            data = self.data.get(bucket.key)
            if data is not None:
                bucket.bytecode_from_string(data)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            self.data[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()
