"""Build: the plan of outputs, what changed since the last build, and the outputs themselves.

This is the one module that calls every stage: content, catalogs, localize, render, pdf.
The plan is a list of :class:`Target` s, one output file each (or one group of files, such
as a leaflet's phone slides), made from a registry of output kinds (:class:`OutputKind`):
``pdf`` (the leaflets, registered here), ``proof`` (:mod:`plainlang.proof`), ``images``
(:mod:`plainlang.slides`), ``html`` (:mod:`plainlang.webpage`), ``audio``
(:mod:`plainlang.audio_build`) and whatever another module registers with
:func:`register_output`. Every kind gets the same machinery:
input keys and incremental rebuilds, ``--shard``, ``--dry-run``, ``--jobs``, ``--force``,
progress, the coverage gate and the manifest.

Each target's inputs (case, the catalogs along its fallback chain, the theme files it uses,
config, plainlang's version, whatever its kind adds) hash to a key kept in
``build/manifest.json``; a target whose key has not changed is not made again. Workers are
processes, each with one PDF renderer (font configuration and stylesheet cache) for its
life; a failure in one target is reported with its case, locale, audience and layout and
does not stop the others.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import stat
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from plainlang import __version__
from plainlang.catalogs import UI_DOMAIN, po_path, ui_chain
from plainlang.config import ProjectConfig, normalize_locale, source_date_epoch
from plainlang.content import Case
from plainlang.errors import (
    BuildError,
    CatalogError,
    ConfigError,
    OutputError,
    PlainlangError,
    SourceLocation,
    TemplateError,
    UsageError,
)
from plainlang.fit import fit_leaflet
from plainlang.fsio import (
    ensure_writable_folder,
    read_project_file,
    remove_stale_temp_files,
    write_bytes_atomic,
)
from plainlang.session import Session

if TYPE_CHECKING:
    from plainlang.localize import LocalizedCase
    from plainlang.pdf import PdfRenderer

#: The version of the manifest file's layout (version 1 had only ``leaflets``).
MANIFEST_VERSION = 2
#: The version of the input keys: bump it to make every output be made again.
KEY_VERSION = 1
#: Stands for the numbers of a group's files in a planned path whose count is known only
#: once the group is made (``build/images/es/right-to-know-youth-NN.png``).
GROUP_NUMBER = "NN"

T = TypeVar("T")
#: Largest manifest read: thousands of leaflets take a few megabytes.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, order=True)
class Leaflet:
    """One leaflet of the plan: case x locale x audience x layout."""

    case: str
    locale: str
    audience: str
    layout: str

    @property
    def name(self) -> str:
        return f"{self.locale}/{self.case}-{self.audience}-{self.layout}"

    def pdf_path(self, config: ProjectConfig) -> Path:
        return config.root / self.relpath()

    def relpath(self) -> str:
        return f"build/pdf/{self.locale}/{self.case}-{self.audience}-{self.layout}.pdf"


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how. Empty filters mean everything; ``outputs`` are kind names."""

    cases: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    layouts: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ("pdf",)
    prints: tuple[str, ...] = ()  # print profiles, for a kind that makes print versions
    jobs: int = 0  # 0: every core
    force: bool = False
    strict: bool = False
    keep_html: bool = False
    shard: tuple[int, int] | None = None  # (K, N), 1-based K
    min_coverage: float | None = None
    coverage_action: str = "fail"  # fail | skip
    #: Options of particular kinds, one frozen dataclass each (see :meth:`part`).
    parts: tuple[object, ...] = ()

    def part(self, cls: type[T], default: T) -> T:
        """The options object of type ``cls`` among :attr:`parts`, else ``default``."""
        for item in self.parts:
            if isinstance(item, cls):
                return item
        return default


# -- the registry of output kinds -------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Target:
    """One output of the plan: a file, or a group of files made together.

    ``paths`` are relative to the project, POSIX-style, under ``build/``; the first one
    names the target in the manifest. A group whose number of files is known only once it
    is made plans one path with :data:`GROUP_NUMBER` where the numbers go. ``requires``
    names targets whose outputs this one reads (made first; their keys are part of its
    key); ``shard_by`` is the name ``--shard`` hashes, so that such a target lands in the
    same shard as what it reads. ``together_with`` names a target this one is made right
    after, in the same job, when both are to be made: they share work through
    :attr:`Job.shared` (a leaflet's phone slides and its phone PDF share one layout). It is
    not part of the target's identity (nor of its key): made together or not, the files
    are the same.
    """

    kind: str
    case: str
    locale: str
    audience: str = ""
    layout: str = ""
    variant: str = ""
    name: str = ""
    paths: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    shard_by: str = ""
    together_with: str = field(default="", compare=False, repr=False)

    @property
    def group(self) -> str:
        return self.shard_by or self.name

    @property
    def relpath(self) -> str:
        return self.paths[0]

    @property
    def leaflet(self) -> Leaflet:
        return Leaflet(self.case, self.locale, self.audience, self.layout)

    def accepts(self, relpath: str) -> bool:
        """True when ``relpath`` is one of this target's planned files."""
        for path in self.paths:
            if relpath == path:
                return True
            if GROUP_NUMBER in path:
                head, _, tail = path.partition(GROUP_NUMBER)
                middle = relpath[len(head) : len(relpath) - len(tail)]
                if relpath.startswith(head) and relpath.endswith(tail) and middle.isdigit():
                    return True
        return False


@dataclass
class Made:
    """What a kind's maker returns: the files' bytes (the build writes them) and facts.

    ``files`` maps each output's project-relative path to its content; the build writes
    them atomically, hashes them and records them in the manifest with ``pages``,
    ``warnings`` (a ``--strict`` build fails on any) and the kind's own ``fields``.
    """

    files: dict[str, bytes]
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputKind:
    """One kind of output, as another module registers it with :func:`register_output`.

    - ``plan(ctx)``: the kind's targets for the build's filters (:class:`PlanContext`);
      targets with the same name are made once (audio is per audience, not per layout).
    - ``key(inputs, target)``: the lines of the target's input key beyond those every key
      has (plainlang's version, the target itself, the config); see :class:`InputHasher`
      for the helpers (case file, catalogs along a fallback chain, theme files, images).
    - ``make(job)``: the files (:class:`Made`); runs in a worker process (:class:`Job`).
    - ``format``: chosen with ``--format NAME`` and ``[project] formats``; otherwise the
      kind is chosen by name (``plainlang proof``) or follows another kind:
    - ``follows``: made whenever that kind is (imposed sheets follow ``pdf``).
    - ``prepare(session, targets, options)``: read and check every input the targets to
      make need, before any is made, so bad input stops the build with its file and line.
    - ``localized``: a leaflet of a case for one audience; the build localizes it, records
      its coverage and counts and applies the coverage gate (:func:`coverage_gate`) to it,
      before making it or, when it is up to date, from its manifest entry.
    - ``identity(target)``: the target's line in its key (default: ``repr(target)``).
    - ``kept_html(session, target, entry)``: the files ``--keep-html`` writes for a target
      that is up to date, from its manifest entry, without making it (None when the entry
      cannot say: the target is made again). A kind with it also has its HTML beside each
      of its PDFs removed with them.
    """

    name: str
    plan: Callable[[PlanContext], Iterable[Target]]
    key: Callable[[InputHasher, Target], Iterable[str]]
    make: Callable[[Job], Made]
    format: bool = False
    follows: str | None = None
    prepare: Callable[[Session, Sequence[Target], BuildOptions], None] | None = None
    localized: bool = False
    identity: Callable[[Target], str] = repr
    description: str = ""
    kept_html: Callable[[Session, Target, Mapping[str, Any]], dict[str, bytes] | None] | None = (
        None
    )


_KINDS: dict[str, OutputKind] = {}
#: Modules that register output kinds when imported (read on first use of the registry).
OUTPUT_MODULES = (
    "plainlang.proof",
    "plainlang.print_build",
    "plainlang.slides",
    "plainlang.webpage",
    "plainlang.audio_build",
)


def register_output(kind: OutputKind) -> OutputKind:
    """Add an output kind to the build (once per name; registering a name again replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def unregister_output(name: str) -> None:
    """Remove an output kind (for tests that register a toy one)."""
    _KINDS.pop(name, None)


def output_kinds() -> Mapping[str, OutputKind]:
    """Every registered kind, by name, in registration order."""
    import importlib

    for module in OUTPUT_MODULES:
        importlib.import_module(module)
    return _KINDS


def known_formats() -> list[str]:
    """The names ``--format`` accepts."""
    return [k.name for k in output_kinds().values() if k.format]


def choose_outputs(
    formats: Sequence[str], config: ProjectConfig, *, extra: Sequence[str] = ()
) -> tuple[str, ...]:
    """The kinds to make for ``--format`` values (default: ``[project] formats``) and ``extra``.

    A format nobody has registered is a usage error (a config error when it comes from
    ``plainlang.toml``) that lists the known ones.
    """
    known = known_formats()
    chosen = list(formats) or list(config.formats)
    for name in chosen:
        if name not in known:
            message = f"format '{name}' is not available"
            hint = f"known formats: {', '.join(known)}"
            if formats:
                raise UsageError(f"--format {name}: {message}", hint=hint)
            raise ConfigError(
                f"{message} ([project] formats)",
                config.locations.get("project.formats"),
                hint=hint,
            )
    return tuple(dict.fromkeys([*chosen, *extra]))


# -- the plan --------------------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; a usage error otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text!r} must be K/N with 1 <= K <= N", hint="e.g. --shard 2/3")
    return int(match.group(1)), int(match.group(2))


def in_shard(name: str, shard: tuple[int, int]) -> bool:
    """Stable, disjoint sharding: by a hash of the target's name, not its place in the plan.

    Adding a case moves no other target to another shard.
    """
    k, n = shard
    return zlib.crc32(name.encode("utf-8")) % n == k - 1


@dataclass(frozen=True)
class PlanContext:
    """What a kind's planner sees: the project, the chosen cases and filters, and the
    targets of the kinds planned before it (for a kind that ``follows`` another)."""

    config: ProjectConfig
    cases: Sequence[Case]
    locales: Sequence[str]
    layouts: Sequence[str]
    options: BuildOptions
    planned: Mapping[str, Sequence[Target]] = field(default_factory=dict)

    def audiences(self, case: Case) -> list[str]:
        """The case's audiences (its own, else the project's), after ``--audience``."""
        wanted = self.options.audiences
        return [a for a in case.audiences or self.config.audiences if not wanted or a in wanted]

    def leaflets(self) -> Iterator[Leaflet]:
        """case x locale x audience x layout, in plan order."""
        for case in self.cases:
            for locale in self.locales:
                for audience in self.audiences(case):
                    for layout in self.layouts:
                        yield Leaflet(case.id, locale, audience, layout)


def plan_context(
    config: ProjectConfig, cases: Sequence[Case], options: BuildOptions
) -> PlanContext:
    """Check the filters against the project; a usage error names the bad one."""
    locales = [normalize_locale(x) for x in options.locales] or list(config.locales)
    known = {config.source_locale, *config.locales}
    for locale in locales:
        if locale not in known:
            raise UsageError(
                f"--locale {locale} is not a locale of this project",
                hint=f"choose from: {', '.join(sorted(known))}",
            )
    for audience in options.audiences:
        if audience not in config.audiences:
            raise UsageError(
                f"--audience {audience} is not an audience of this project",
                hint=f"choose from: {', '.join(config.audiences)}",
            )
    for layout in options.layouts:
        if layout not in config.layout_specs:
            raise UsageError(
                f"--layout {layout} is not a layout",
                hint=f"choose from: {', '.join(config.layout_specs)}",
            )
    layouts = list(options.layouts) or list(config.layouts)
    return PlanContext(config, cases, locales, layouts, options)


def plan(config: ProjectConfig, cases: Sequence[Case], options: BuildOptions) -> list[Leaflet]:
    """Every leaflet: case x locale x audience x layout, after filters and shards."""
    ctx = plan_context(config, cases, options)
    return [
        leaflet
        for leaflet in ctx.leaflets()
        if options.shard is None or in_shard(leaflet.name, options.shard)
    ]


def plan_targets(
    config: ProjectConfig, cases: Sequence[Case], options: BuildOptions
) -> list[Target]:
    """Every target of the kinds in ``options.outputs`` (and those that follow them).

    Kinds plan in registration order, each seeing the targets planned before it; a target
    planned twice (same name) counts once. ``--shard`` keeps the targets whose
    :attr:`Target.group` falls in the shard.
    """
    kinds = output_kinds()
    for name in options.outputs:
        if name not in kinds:
            raise UsageError(
                f"no output kind '{name}'", hint=f"known: {', '.join(kinds)}"
            )
    ctx = plan_context(config, cases, options)
    chosen = set(options.outputs)
    planned: dict[str, list[Target]] = {}
    # Kinds that follow another plan after every other, so they see what they follow.
    for kind in sorted(kinds.values(), key=lambda k: k.follows is not None):
        if kind.name in chosen or (kind.follows is not None and kind.follows in chosen):
            chosen.add(kind.name)
            ctx = PlanContext(ctx.config, ctx.cases, ctx.locales, ctx.layouts, options, planned)
            seen: dict[str, Target] = {}
            for target in kind.plan(ctx):
                _check_planned(kind, target)
                seen.setdefault(target.name, target)
            planned[kind.name] = list(seen.values())
    out = [t for targets in planned.values() for t in targets]
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"two output kinds planned targets named {', '.join(twice)}")
    if options.shard is not None:
        shard = options.shard
        out = [t for t in out if in_shard(t.group, shard)]
    return out


def _check_planned(kind: OutputKind, target: Target) -> None:
    """A planner's mistake is a programming error, said at once (not a user's bad input)."""
    if target.kind != kind.name or not target.name or not target.paths:
        raise ValueError(f"output kind {kind.name} planned {target!r}: kind, name and paths")
    for path in target.paths:
        if not path.startswith("build/") or ".." in path.split("/"):
            raise ValueError(f"output kind {kind.name} planned {path!r}: not under build/")


# -- input keys ------------------------------------------------------------------------------


class InputHasher:
    """The input keys of a build's targets, from file hashes the session reads once."""

    def __init__(self, session: Session, options: BuildOptions | None = None) -> None:
        self.session = session
        self.config = session.config
        #: The build's options, for a kind whose outputs depend on them (a proof's language).
        self.options = options or BuildOptions()
        # The lines of a key that many leaflets share, made once: a plan of thousands of
        # leaflets has only a few (layout, audience), (locale, case) and case combinations.
        self._common: str | None = None
        self._template_lines: dict[tuple[str, str], list[str]] = {}
        self._catalog_lines: dict[tuple[str, str], list[str]] = {}
        self._case_lines: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}
        self._extras: dict[str, Any] = {}
        #: What a kind's key function worked out that its maker can reuse in this build,
        #: by target name (see :attr:`Job.planned`): this build's, never an earlier one's.
        self.planned: dict[str, Any] = {}
        session.planned = self.planned
        #: The warnings of each case's pictures (a picture not found), by case id.
        self.picture_warnings: dict[str, list[str]] = {}

    def extra(self, name: str, make: Callable[[], T]) -> T:
        """A kind's own helper for its keys (a speech engine, say), made once per build."""
        if name not in self._extras:
            self._extras[name] = make()
        value: T = self._extras[name]
        return value

    def file(self, path: Path, error: type[PlainlangError] = PlainlangError) -> str:
        """The sha256 of a file the key depends on, read once per session, confined (see
        :meth:`plainlang.session.Session.digest`)."""
        return self.session.digest(path, error)

    def case(self, case_id: str) -> Case:
        return self.session.case(case_id)

    def templates_for(self, layout: str, audience: str) -> list[str]:
        """The theme paths a leaflet of ``layout`` for ``audience`` can use.

        Other layouts' templates and CSS, and other audiences' themes, do not count: editing
        the flyer's CSS does not rebuild trifolds.
        """
        spec = self.config.layout(layout)
        own = {spec.template, spec.stylesheet}
        others = {
            rel
            for other in self.config.layout_specs.values()
            for rel in (other.template, other.stylesheet)
        } - own
        theme_css = f"css/theme-{self.config.audience(audience).theme}.css"
        chosen = []
        for rel in self.session.theme_files():
            if rel.startswith("proof/") or rel == "css/proof.css":
                continue  # review proofs, not leaflets
            if rel in others or (rel.startswith("css/theme-") and rel != theme_css):
                continue
            chosen.append(rel)
        return chosen

    def key(self, target: Target, kind: OutputKind | None = None) -> str:
        """The target's input key: a hash of everything that goes into its files.

        Plainlang's version, the key version, ``SOURCE_DATE_EPOCH``, the target itself, the
        config, then what its kind adds (for a leaflet: the case file, the PO files of the
        case and of ``ui`` along the locale's fallback chain, the template files it can use
        and the images the case shows), then the keys of the targets it reads.
        """
        cached = self._keys.get(target.name)
        if cached is not None:
            return cached
        kind = kind or output_kinds()[target.kind]
        if self._common is None:
            self._common = "\n".join(
                [
                    f"plainlang {__version__}",
                    f"manifest {KEY_VERSION}",
                    f"epoch {_epoch()}",
                ]
            )
        parts = [
            self._common,
            kind.identity(target),
            "config " + self.file(self.config.root / "plainlang.toml"),
            *kind.key(self, target),
            *(f"needs {name} {self._keys.get(name, '?')}" for name in target.requires),
        ]
        key = self._keys[target.name] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
        return key

    def leaflet_lines(self, target: Target, layout: str) -> list[str]:
        """What the target's leaflet in ``layout`` reads: the case file, the PO files of
        the case along the locale's fallback chain and of ``ui`` along its ui chain (the
        project's and the theme's), the theme files of the layout and the audience, and the
        pictures the case shows."""
        case = self.case(target.case)
        return [
            *self.case_lines(case),
            *self.catalogs_of(target.locale, case.id),
            *self.ui_catalogs_of(target.locale),
            *self.templates_of(layout, target.audience),
            *self.images_of(case),
        ]

    def case_lines(self, case: Case) -> list[str]:
        return ["case " + self.file(self.config.root / case.path)]

    def catalogs_of(self, locale: str, case_id: str) -> list[str]:
        """The PO files of the case's domain and of ``ui`` along ``locale``'s chain."""
        if locale == self.config.source_locale:
            return []
        lines = self._catalog_lines.get((locale, case_id))
        if lines is None:
            lines = []
            for loc in self.config.fallback_chain(locale):
                path = po_path(self.config, loc, case_id)
                lines.append(f"po {loc}/{case_id} " + self.file(path, CatalogError))
            self._catalog_lines[(locale, case_id)] = lines
        return lines

    def ui_catalogs_of(self, locale: str) -> list[str]:
        """The project's and the theme's ui catalogs along the locale's ui chain."""
        lines = self._catalog_lines.get((locale, UI_DOMAIN))
        if lines is None:
            theme = self.config.theme
            lines = []
            for loc in ui_chain(self.config, locale):
                path = po_path(self.config, loc, UI_DOMAIN)
                lines.append(f"po {loc}/{UI_DOMAIN} " + self.file(path, CatalogError))
                shipped = theme.ui_catalog(loc)
                if shipped is not None:
                    lines.append(f"theme po {loc}/{UI_DOMAIN} " + self.file(shipped, CatalogError))
            self._catalog_lines[(locale, UI_DOMAIN)] = lines
        return lines

    def templates_of(self, layout: str, audience: str) -> list[str]:
        lines = self._template_lines.get((layout, audience))
        if lines is None:
            lines = self.theme_lines(self.templates_for(layout, audience))
            self._template_lines[(layout, audience)] = lines
        return lines

    def theme_lines(self, rels: Iterable[str]) -> list[str]:
        """One line per theme path: where it comes from (shipped or project) and its hash.

        A shipped file is read from the installed theme, confined to it; a project's own
        file is confined to the project.
        """
        theme = self.config.theme
        lines = []
        for rel in rels:
            path = theme.resolve(rel)
            if path is not None:
                lines.append(f"tpl {theme.ref(rel)} " + self.file(path, TemplateError))
        return lines

    def images_of(self, case: Case) -> list[str]:
        """The case's pictures, confined and bounded before they are read and hashed.

        A picture outside the project, remote, special or too large is a ContentError at
        the case file's line (see :mod:`plainlang.pictures`); a missing one a warning.
        """
        from plainlang.pictures import case_pictures

        lines = self._case_lines.get(case.id)
        if lines is None:
            pictures = case_pictures(case, self.config)
            lines = [f"img {p.src} {p.sha256}" for p in pictures]
            self._case_lines[case.id] = lines
            self.picture_warnings[case.id] = [w for w in (p.warning() for p in pictures) if w]
        return lines


def _epoch() -> str:
    """``SOURCE_DATE_EPOCH`` as it goes into input keys ("" when unset)."""
    epoch = source_date_epoch()
    return str(int(epoch.timestamp())) if epoch is not None else ""


# -- manifest -------------------------------------------------------------------------------


def manifest_path(config: ProjectConfig) -> Path:
    return config.build_dir / "manifest.json"


def _kind_of(entry: Mapping[str, Any]) -> str:
    kind = entry.get("kind", entry.get("format"))  # "format": audio before the registry
    if isinstance(kind, str):
        return kind
    path = entry.get("path")
    return "pdf" if isinstance(path, str) and path.startswith("build/pdf/") else "other"


_ENTRY_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "path": str,
    "key": str,
    "kind": str,
    "sha256": str,
    "pages": int,
    "size": int,
    "coverage": (int, float),
    "translated": int,
    "drafts": int,
    "fallbacks": int,
    "fallback_locales": list,
    "warnings": list,
    "files": list,
}


def parse_manifest(data: bytes, shown: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Entries by output path, and a warning (one line) when ``data`` is not all a manifest.

    Reads both layouts: version 1 (``leaflets`` only) and version 2 (``leaflets``, the PDFs
    of ``build/pdf``, and ``outputs``, every other kind). Each entry comes back with its
    ``kind`` (a version 1 entry is a ``pdf``). Entries whose fields have the wrong types,
    or whose files are not under ``build/``, are left out (their outputs are rebuilt)
    rather than trusted: a skipped output reports what its entry says.
    """
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {}, f"{shown}: warning: not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return {}, f"{shown}:{exc.lineno}: warning: not valid JSON ({exc.msg})"
    except RecursionError:
        return {}, f"{shown}: warning: not valid JSON (nested too deeply)"
    leaflets = parsed.get("leaflets") if isinstance(parsed, dict) else None
    if not isinstance(leaflets, list):
        return {}, f"{shown}: warning: not a plainlang manifest (no list of leaflets)"
    outputs = parsed.get("outputs", [])
    entries = [*leaflets, *(outputs if isinstance(outputs, list) else [None])]
    good = {e["path"]: {**e, "kind": _kind_of(e)} for e in entries if _valid_entry(e)}
    if len(good) < len(entries):
        bad = len(entries) - len(good)
        return good, f"{shown}: warning: {bad} of its {len(entries)} entries are damaged"
    return good, None


def _in_build(path: Any) -> bool:
    """A manifest path names a file under build/ (never "..", never absolute)."""
    return (
        isinstance(path, str)
        and path.startswith("build/")
        and ".." not in path.split("/")
        and "\x00" not in path
    )


def _valid_entry(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    for name, kind in _ENTRY_FIELDS.items():
        value = entry.get(name)
        if value is None and name not in ("path", "key"):
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    files = entry.get("files") or []
    return _in_build(entry["path"]) and all(
        isinstance(f, dict) and _in_build(f.get("path")) and isinstance(f.get("size"), int)
        for f in files
    )


def load_manifest(config: ProjectConfig) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The project's ``build/manifest.json``: its entries, and a warning if it is damaged.

    A damaged manifest (not JSON, not a manifest, entries of the wrong shape) is not an
    error: it is a cache, and a CI run that restored a broken one should rebuild what it
    cannot trust, say so, and write a good one, not stop. The warning says which line.
    A folder in its place is an error: the build could not write the manifest there.
    """
    path = manifest_path(config)
    shown = "build/manifest.json"
    if path.is_dir():
        raise OutputError(
            "is a folder, not a file",
            SourceLocation(shown),
            hint="remove or rename that folder: the build writes its manifest there",
        )
    data = read_project_file(
        path, config.root, max_bytes=MAX_MANIFEST_BYTES, error=OutputError, missing_ok=True
    )
    if data is None:
        return {}, None
    entries, problem = parse_manifest(data, shown)
    if problem is not None:
        problem += "; outputs it cannot vouch for are rebuilt"
    return entries, problem


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Entries by output path of a manifest file named by the user (``manifest merge``).

    Anything but a whole manifest is a usage error naming the file (and line).
    """
    data = read_project_file(path, None, max_bytes=MAX_MANIFEST_BYTES, error=UsageError)
    entries, problem = parse_manifest(data, str(path))
    if problem is not None:
        where, _, what = problem.partition(": warning: ")
        raise UsageError(f"{where}: {what}", hint="pass build/manifest.json files")
    return entries


def write_manifest(path: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    """Write the manifest: ``leaflets`` (the PDFs, as in version 1) and ``outputs``."""
    leaflets: list[Mapping[str, Any]] = []
    outputs: list[Mapping[str, Any]] = []
    for key in sorted(entries):
        entry = entries[key]
        (leaflets if _kind_of(entry) == "pdf" else outputs).append(entry)
    data = {
        "manifest_version": MANIFEST_VERSION,
        "generator": f"plainlang {__version__}",
        "leaflets": leaflets,
        "outputs": outputs,
    }
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def merge_manifests(paths: Sequence[Path], out: Path) -> int:
    """Join shard manifests into one; an output listed twice with different content is an error."""
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        entries = read_manifest(path)
        for key, entry in entries.items():
            other = merged.get(key)
            if other is not None and other.get("sha256") != entry.get("sha256"):
                raise UsageError(
                    f"{path}: {key} differs from the same output in another manifest",
                    hint="shards must come from the same commit",
                )
            merged[key] = dict(entry)
    write_manifest(out, merged)
    return len(merged)


# -- results -------------------------------------------------------------------------------


@dataclass
class TargetResult:
    """What became of one target: ``status`` is built, skipped (up to date), failed or
    below-coverage; ``path`` is its (first) file. Up-to-date targets carry the facts of
    the build that made them, from the manifest, so gates and summaries read the same."""

    target: Target
    status: str  # built | skipped | failed | below-coverage
    path: Path
    key: str = ""
    sha256: str = ""
    pages: int = 0
    size: int = 0
    coverage: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    fallback_locales: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # path, sha256, size of each
    fields: dict[str, Any] = field(default_factory=dict)  # the kind's own manifest fields
    error: str | None = None
    error_code: int = 0  # 2: bad input (template, content, catalog); 1: a gate (overflow)
    seconds: float = 0.0

    @property
    def relpath(self) -> str:
        """The path relative to the project, as the manifest and the CLI show it."""
        return self.target.relpath

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def leaflet(self) -> Leaflet:
        return self.target.leaflet

    def manifest_entry(self) -> dict[str, Any]:
        t = self.target
        entry: dict[str, Any] = {"path": t.relpath, "kind": t.kind, "case": t.case}
        entry["locale"] = t.locale
        for name in ("audience", "layout", "variant"):
            if getattr(t, name):
                entry[name] = getattr(t, name)
        entry.update(key=self.key, sha256=self.sha256, pages=self.pages, size=self.size)
        if output_kinds()[t.kind].localized:
            entry.update(
                coverage=round(self.coverage, 1),
                translated=self.counts.get("translated", 0),
                drafts=self.counts.get("draft", 0),
                fallbacks=self.counts.get("fallback", 0) + self.counts.get("source", 0),
                fallback_locales=self.fallback_locales,
            )
        entry["warnings"] = self.warnings
        if self.files:
            entry["files"] = self.files
        entry.update(self.fields)
        return entry

    @classmethod
    def up_to_date(
        cls, target: Target, path: Path, key: str, entry: Mapping[str, Any]
    ) -> TargetResult:
        """The result of a target that was not made again, from its manifest entry."""
        skipped = cls(target, "skipped", path, key=key)
        skipped.sha256 = entry.get("sha256", "")
        skipped.pages = entry.get("pages", 0)
        skipped.coverage = float(entry.get("coverage", 0.0))
        skipped.size = entry.get("size", 0)
        # The counts of the build that made it, so the summary reads the same either way.
        skipped.counts = {
            "translated": entry.get("translated", 0),
            "draft": entry.get("drafts", 0),
            "fallback": entry.get("fallbacks", 0),
        }
        skipped.fallback_locales = list(entry.get("fallback_locales", []))
        skipped.warnings = list(entry.get("warnings", []))
        skipped.files = list(entry.get("files", []))
        skipped.fields = {k: v for k, v in entry.items() if k not in _STANDARD_FIELDS}
        return skipped


#: Backwards-compatible name: a leaflet's result is a target's result.
LeafletResult = TargetResult

_STANDARD_FIELDS = frozenset(
    {
        *("path", "kind", "case", "locale", "audience", "layout", "variant", "key"),
        *("sha256", "pages", "size", "coverage", "translated", "drafts", "fallbacks"),
        *("fallback_locales", "warnings", "files"),
    }
)


def coverage_threshold(config: ProjectConfig, locale: str, options: BuildOptions) -> float | None:
    """The minimum coverage a leaflet in ``locale`` needs: ``--min-coverage``, else the
    locale's (``[locales.L] min_coverage``), else the project's (``[build] min_coverage``)."""
    if options.min_coverage is not None:
        return options.min_coverage
    info = config.locale_info.get(locale)
    if info is not None and info.min_coverage is not None:
        return info.min_coverage
    default = config.build.get("min_coverage")
    return float(default) if isinstance(default, (int, float)) else None


def coverage_gate(
    config: ProjectConfig, target: Target, coverage: float, options: BuildOptions
) -> str | None:
    """Why a localized target is held back (``coverage 10% is below 50%``), or None.

    The one verdict for a target made now and one up to date: both compare the coverage as
    the manifest records it (to a tenth of a percent) with this build's threshold.
    """
    threshold = coverage_threshold(config, target.locale, options)
    recorded = round(coverage, 1)
    if threshold is None or recorded >= threshold:
        return None
    shown = f"{recorded:.0f}" if round(recorded) < threshold else f"{recorded:.1f}"
    return f"coverage {shown}% is below {threshold:g}%"


def _held_back(result: TargetResult, reason: str, options: BuildOptions) -> TargetResult:
    result.status = "below-coverage"
    result.error = f"{reason} ({'skipped' if options.coverage_action == 'skip' else 'not built'})"
    return result


@dataclass
class BuildReport:
    """The results of a build, one per target, sorted; iterate over it for the results."""

    results: list[TargetResult]
    seconds: float
    options: BuildOptions = field(default_factory=BuildOptions)
    #: One line each, for the user: a damaged manifest that was rebuilt, and the like.
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[TargetResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> TargetResult:
        return self.results[index]

    def by_status(self, status: str) -> list[TargetResult]:
        return [r for r in self.results if r.status == status]

    @property
    def failed(self) -> list[TargetResult]:
        return self.by_status("failed")

    def exit_code(self, options: BuildOptions | None = None) -> int:
        """The gates, evaluated in this one place: 2 bad input, 1 a gate failed, else 0.

        ``options`` default to those the build ran with.
        """
        options = options or self.options
        if any(r.error_code == 2 for r in self.failed):
            return 2
        if self.failed:
            return 1
        if self.by_status("below-coverage") and options.coverage_action == "fail":
            return 1
        # Warnings recorded for up-to-date outputs count as much as those of outputs made now.
        strict = options.strict or self.options.strict
        if strict and any(r.warnings for r in self.results if r.status in ("built", "skipped")):
            return 1
        return 0


def report_json(report: BuildReport) -> list[dict[str, Any]]:
    """The results as JSON values (``path`` relative to the project)."""
    out = []
    for r in report.results:
        t = r.target
        out.append(
            {
                "kind": t.kind,
                "target": t.name,
                "leaflet": {
                    "case": t.case,
                    "locale": t.locale,
                    "audience": t.audience,
                    "layout": t.layout,
                },
                "status": r.status,
                "path": r.relpath,
                "files": [f["path"] for f in r.files] or [r.relpath],
                "key": r.key,
                "sha256": r.sha256,
                "pages": r.pages,
                "size": r.size,
                "coverage": r.coverage,
                "counts": r.counts,
                "fallback_locales": r.fallback_locales,
                "warnings": r.warnings,
                "fields": r.fields,
                "error": r.error,
                "error_code": r.error_code,
                "seconds": r.seconds,
            }
        )
    return out


# -- workers ------------------------------------------------------------------------------


class Job:
    """One target to make, as a kind's maker sees it: the target, the options, the worker
    (with the session's config, catalogs and renderer, and a PDF renderer), and the case,
    localized on first use."""

    def __init__(
        self,
        target: Target,
        options: BuildOptions,
        worker: Worker,
        shared: dict[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.options = options
        self.worker = worker
        #: Work shared by the targets made together in one job (see
        #: :attr:`Target.together_with`); a fresh dict for a target made alone.
        self.shared: dict[str, Any] = {} if shared is None else shared

    @property
    def config(self) -> ProjectConfig:
        return self.worker.config

    @property
    def planned(self) -> Any:
        """What the target's key function left for its maker in this build (see
        :attr:`InputHasher.planned`), or None."""
        return self.worker.session.planned.get(self.target.name)

    @functools.cached_property
    def case(self) -> Case:
        return self.worker.session.case(self.target.case)

    @functools.cached_property
    def localized(self) -> LocalizedCase:
        from plainlang.localize import localize

        return localize(self.case, self.target.locale, self.worker.catalogs)


class Worker:
    """Makes targets; one per process, holding the caches that make it fast."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._extras: dict[str, Any] = {}

    @functools.cached_property
    def pdf(self) -> PdfRenderer:
        """WeasyPrint, made on first use: a build of audio alone never imports it. Its font
        configuration holds Pango and Fontconfig objects: made in the worker's own process,
        never inherited through fork."""
        from plainlang.pdf import PdfRenderer

        return PdfRenderer(self.session.root, self.session.config.theme)

    @property
    def config(self) -> ProjectConfig:
        return self.session.config

    @property
    def catalogs(self) -> Any:  # plainlang.localize.CatalogSet
        return self.session.catalogs

    @property
    def renderer(self) -> Any:  # plainlang.render.LeafletRenderer
        return self.session.renderer

    def extra(self, name: str, make: Callable[[], T]) -> T:
        """A kind's own per-process helper (a speech engine, say), made on first use."""
        if name not in self._extras:
            self._extras[name] = make()
        value: T = self._extras[name]
        return value

    def make(
        self,
        target: Target,
        key: str,
        options: BuildOptions,
        shared: dict[str, Any] | None = None,
    ) -> TargetResult:
        """Make one target with its kind's maker; write its files; never raise.

        ``shared``: the dict the targets of one batch share (see :func:`_batches`)."""
        started = time.perf_counter()
        config = self.config
        kind = output_kinds()[target.kind]
        result = TargetResult(target, "failed", config.root / target.relpath, key=key)
        job = Job(target, options, self, shared)
        try:
            if kind.localized:
                lc = job.localized
                counts = lc.counts(target.audience)
                result.counts = {str(k): v for k, v in counts.items()}
                result.coverage = lc.coverage(target.audience)
                result.fallback_locales = sorted(
                    {t.locale for t in lc.texts.values() if str(t.status) in ("fallback", "source")}
                )
                reason = coverage_gate(config, target, result.coverage, options)
                if reason is not None:
                    return _held_back(result, reason, options)
            made = kind.make(job)
            self._write(target, made, result)
            result.status = "built"
        except PlainlangError as exc:
            result.error = exc.format()
            result.error_code = exc.exit_code
        except Exception as exc:  # one target's failure must not stop the others
            result.error = f"{type(exc).__name__}: {exc}"
            result.error_code = 1
        finally:
            result.seconds = time.perf_counter() - started
        return result

    def make_batch(self, batch: Sequence[tuple[Target, str, BuildOptions]]) -> list[TargetResult]:
        """Make the targets of one batch in order, sharing one :attr:`Job.shared`."""
        shared: dict[str, Any] = {}
        return [self.make(target, key, options, shared) for target, key, options in batch]

    def _write(self, target: Target, made: Made, result: TargetResult) -> None:
        if not made.files:
            raise BuildError(f"the {target.kind} maker made no file for {target.name}")
        records: list[dict[str, Any]] = []
        for rel, data in sorted(made.files.items()):
            if not target.accepts(rel):
                raise BuildError(
                    f"the {target.kind} maker wrote {rel}, which is not a planned path of "
                    f"{target.name} ({', '.join(target.paths)})"
                )
            write_bytes_atomic(self.config.root / rel, data)
            records.append(
                {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            )
        result.pages = made.pages
        result.warnings = list(made.warnings)
        result.fields = dict(made.fields)
        if len(records) == 1 and records[0]["path"] == target.relpath:
            result.sha256, result.size = records[0]["sha256"], records[0]["size"]
        else:
            result.files = records
            lines = "".join(f"{r['path']} {r['sha256']}\n" for r in records)
            result.sha256 = hashlib.sha256(lines.encode("utf-8")).hexdigest()
            result.size = sum(r["size"] for r in records)
            result.path = self.config.root / records[0]["path"]

    def finished_leaflet(
        self, job: Job, layout: str, *, extra_css: str = "", stylesheets: Sequence[Path] = ()
    ) -> FinishedLeaflet:
        """The job's leaflet in ``layout``, fitted to it (:mod:`plainlang.fit`: type size
        and density chosen by measured layout, a growing page measured) and finished as a
        PDF; made once per batch (:attr:`Job.shared`), so that the phone PDF and the phone
        slides of a leaflet made together share one layout.

        ``extra_css`` (added at the end of the HTML's head) and ``stylesheets`` (user
        stylesheets) lay it out for print (:mod:`plainlang.print_build`); such a version is
        its own, never shared.
        """
        from plainlang.pdf import PdfMetadata

        target = job.target
        leaflet = Leaflet(target.case, target.locale, target.audience, layout)
        shared = not (extra_css or stylesheets)
        cached = job.shared.get(f"finished:{leaflet.name}") if shared else None
        if isinstance(cached, FinishedLeaflet):
            return cached
        config = self.config
        case = job.case
        lc = job.localized
        ui_warnings: list[str] = []

        def html_for(choices: Any) -> str:
            html: str = self.renderer.html(lc, leaflet.audience, leaflet.layout, choices)
            ui_warnings[:] = self.renderer.warnings  # a ui.po placeholder that fell back
            if extra_css:
                html = html.replace("</head>", f"<style>{extra_css}</style></head>", 1)
            return html

        fitted = fit_leaflet(
            config.layout(leaflet.layout),
            html_for,
            lambda html: self.pdf.layout(
                html, base_url=config.templates_dir, stylesheets=stylesheets
            ),
        )
        laid_out = fitted.laid_out
        title = lc.text(case.title)
        metadata = PdfMetadata(
            title=_plain(title.text),
            lang=config.locale_info[leaflet.locale].lang
            if leaflet.locale in config.locale_info
            else leaflet.locale,
            author=config.author or config.publisher,
            publisher=config.publisher,
            subject=_plain(lc.text(case.summary).text) if case.summary else None,
            keywords=(leaflet.audience, leaflet.layout, case.id),
            date=case_date(case),
        )
        pdf = self.pdf.finish(laid_out, metadata)
        finished = FinishedLeaflet(
            leaflet,
            fitted.html,
            laid_out,
            pdf,
            [*ui_warnings, *laid_out.messages],
            {"choices": fitted.choices, "page_style": fitted.page_style},
        )
        if shared:
            job.shared[f"finished:{leaflet.name}"] = finished
        return finished

    def leaflet_pdf(
        self, job: Job, *, extra_css: str = "", stylesheets: Sequence[Path] = ()
    ) -> Made:
        """The ``pdf`` kind's maker: one leaflet, fitted to its layout, finished (for print
        with ``extra_css`` and ``stylesheets``: see :meth:`finished_leaflet`)."""
        finished = self.finished_leaflet(
            job, job.target.layout, extra_css=extra_css, stylesheets=stylesheets
        )
        html_bytes = finished.html.encode("utf-8")
        if job.options.keep_html and not (extra_css or stylesheets):  # not a print version's
            html_path = self.config.root / _html_beside(finished.leaflet.relpath())
            write_bytes_atomic(html_path, html_bytes)
        return Made(
            {finished.leaflet.relpath(): finished.pdf},
            pages=finished.laid_out.pages,
            warnings=list(finished.warnings),
            # What --keep-html needs to write this HTML again when the PDF is up to date.
            fields={"fit": finished.fit, "html_sha256": hashlib.sha256(html_bytes).hexdigest()},
        )


@dataclass(frozen=True)
class FinishedLeaflet:
    """A leaflet laid out in one layout and written as a PDF: its HTML, WeasyPrint's
    laid-out document (:class:`plainlang.pdf.LaidOut`), the PDF's bytes, its warnings."""

    leaflet: Leaflet
    html: str
    laid_out: Any
    pdf: bytes
    warnings: list[str]
    #: The fitter's choices and page style, recorded for --keep-html (see _pdf_kept_html).
    fit: dict[str, Any]


def _html_beside(relpath: str) -> str:
    """Where ``--keep-html`` writes the HTML of a PDF: beside it, named alike."""
    return relpath[: -len(".pdf")] + ".html" if relpath.endswith(".pdf") else relpath + ".html"


def _pdf_kept_html(
    session: Session, target: Target, entry: Mapping[str, Any]
) -> dict[str, bytes] | None:
    """The HTML of an up-to-date leaflet: rendered with the fit its build recorded, and
    written only if it is byte for byte the HTML that build laid out (its sha256)."""
    from plainlang.fit import refit
    from plainlang.localize import localize

    fit, digest = entry.get("fit"), entry.get("html_sha256")
    if not isinstance(fit, dict) or not isinstance(digest, str):
        return None  # a manifest from before the fit was recorded
    choices, style = fit.get("choices"), fit.get("page_style", "")
    if not isinstance(choices, dict) or not isinstance(style, str):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in choices.items()):
        return None
    try:
        lc = localize(session.case(target.case), target.locale, session.catalogs)
        html = session.renderer.html(lc, target.audience, target.layout, choices)
    except PlainlangError:
        return None  # made again, and the maker reports it
    data = refit(html, style).encode("utf-8")
    if hashlib.sha256(data).hexdigest() != digest:
        return None  # not what the build laid out (pictures moved with the checkout...)
    return {_html_beside(target.relpath): data}


def _plain(text: str) -> str:
    from plainlang.markup import plain_text

    return plain_text(text)


def case_date(case: Case) -> Any:
    """The case's ``date`` as a UTC datetime for PDF metadata (None when it has none)."""
    import datetime as dt

    if case.date:
        return dt.datetime.fromisoformat(case.date).replace(tzinfo=dt.UTC)
    return None


_WORKER: Worker | None = None


def _init_worker(session: Session) -> None:
    global _WORKER
    _WORKER = Worker(session)


def _run_batch(batch: list[tuple[Target, str, BuildOptions]]) -> list[TargetResult]:
    assert _WORKER is not None
    return _WORKER.make_batch(batch)


# -- the pdf kind ------------------------------------------------------------------------------


def _plan_pdfs(ctx: PlanContext) -> Iterator[Target]:
    for leaflet in ctx.leaflets():
        yield Target(
            "pdf",
            leaflet.case,
            leaflet.locale,
            leaflet.audience,
            leaflet.layout,
            name=leaflet.name,
            paths=(leaflet.relpath(),),
        )


def _pdf_key(inputs: InputHasher, target: Target) -> list[str]:
    return inputs.leaflet_lines(target, target.layout)


def _pdf_identity(target: Target) -> str:
    # The key line of a leaflet is what it was before output kinds existed, so that the
    # manifests of earlier builds stay valid and nothing is made again after an upgrade.
    return repr(target.leaflet)


def prepare_leaflets(
    session: Session, targets: Sequence[Target], layouts: Sequence[str] | None = None
) -> None:
    """Before any leaflet is made: every catalog the targets read is parsed, and the
    templates of ``layouts`` (default: the targets' own) compiled once; a broken one
    stops the build with its file and line (exit 2)."""
    validate_catalogs(session, ((t.locale, t.case) for t in targets))
    chosen = sorted({t.layout for t in targets}) if layouts is None else list(layouts)
    if targets and chosen:
        session.renderer.check_templates(chosen)


def _prepare_pdfs(session: Session, targets: Sequence[Target], options: BuildOptions) -> None:
    prepare_leaflets(session, targets)


register_output(
    OutputKind(
        name="pdf",
        plan=_plan_pdfs,
        key=_pdf_key,
        make=lambda job: job.worker.leaflet_pdf(job),
        format=True,
        prepare=_prepare_pdfs,
        localized=True,
        identity=_pdf_identity,
        description="build/pdf/<locale>/<case>-<audience>-<layout>.pdf",
        kept_html=_pdf_kept_html,
    )
)


# -- the build -------------------------------------------------------------------------------


def build(
    session: Session | Path,
    options: BuildOptions,
    progress: Callable[[TargetResult, int, int], None] | None = None,
) -> BuildReport:
    """Make every target of the plan whose inputs changed; see the module docstring.

    ``session`` is the project's session (or its folder, for a one-off build).

    The gates see every target of the plan, made now or up to date: a localized target
    below its coverage threshold (:func:`coverage_gate`; a threshold given to this build
    need not be one its outputs were made with) is held back, its files are removed from
    ``build/`` and its manifest entry dropped (``removed build/pdf/qu/x.pdf: coverage 10%
    is below 50%`` in the report's warnings), and so is a target that reads it; with
    ``keep_html`` an up-to-date target writes its HTML (``OutputKind.kept_html``) or is
    made again; ``--strict`` (or ``[build] strict``) fails on the warnings its manifest
    entry records (:meth:`BuildReport.exit_code`).
    """
    started = time.perf_counter()
    session = session if isinstance(session, Session) else Session(session)
    config = session.config
    if config.build.get("strict") is True and not options.strict:
        options = dataclasses.replace(options, strict=True)
    cases = session.require_cases(options.cases, hint="see plainlang build --dry-run for the plan")
    targets = plan_targets(config, cases, options)
    # The output folder takes files, before anything is made: a read-only folder, a file
    # named build or a folder named manifest.json fail here, once, naming it.
    ensure_writable_folder(config.build_dir)
    remove_stale_temp_files(config.build_dir)
    kinds = output_kinds()
    hasher = InputHasher(session, options)
    mpath = manifest_path(config)
    manifest, manifest_problem = load_manifest(config)
    warnings = [manifest_problem] if manifest_problem else []
    todo: list[tuple[Target, str, BuildOptions]] = []
    results: list[TargetResult] = []
    held: dict[str, str] = {}  # targets held back by the coverage gate, and why
    removed: list[str] = []  # a line for each one whose files or entry were removed
    manifest_changed = False

    def hold_back(result: TargetResult, reason: str) -> None:
        nonlocal manifest_changed
        _held_back(result, reason, options)
        held[result.target.name] = reason
        kind = kinds[result.kind]
        entry = manifest.pop(result.relpath, None)
        gone = _remove_outputs(config.root, result.target, entry, kind.kept_html is not None)
        if entry is not None or gone:
            manifest_changed = True
            removed.append(f"removed {result.relpath}: {reason}")

    for target in targets:
        key = hasher.key(target, kinds[target.kind])
        kind = kinds[target.kind]
        entry = manifest.get(target.relpath)
        blocker = next((held[r] for r in target.requires if r in held), None)
        if blocker is not None:  # reads an output the gate holds back
            result = TargetResult(target, "below-coverage", config.root / target.relpath, key=key)
            hold_back(result, blocker)
            results.append(result)
        elif not options.force and _up_to_date(config.root, key, entry):
            assert entry is not None
            skipped = TargetResult.up_to_date(target, config.root / target.relpath, key, entry)
            if skipped.files:
                skipped.path = config.root / skipped.files[0]["path"]
            reason = (
                coverage_gate(config, target, skipped.coverage, options)
                if kind.localized
                else None
            )
            if reason is not None:
                hold_back(skipped, reason)
            elif options.keep_html and kind.kept_html is not None:
                kept = kind.kept_html(session, target, entry)
                if kept is None:  # the entry cannot say what the HTML was: make it again
                    todo.append((target, key, options))
                    continue
                for rel, data in sorted(kept.items()):
                    write_bytes_atomic(config.root / rel, data)
            results.append(skipped)
        else:
            todo.append((target, key, options))
            continue
        if progress:
            progress(results[-1], len(results), len(targets))
    localized = [t for t, _, _ in todo if kinds[t.kind].localized]
    session.share_compiled_templates(sorted({t.locale for t in localized}))
    # Every catalog and template the targets to make read is parsed first: a broken PO or
    # template stops the build before any file is made, with its file and line. Up-to-date
    # targets need no check: their inputs are byte for byte those of a build that passed.
    for kind in kinds.values():
        mine = [t for t, _, _ in todo if t.kind == kind.name]
        if mine and kind.prepare is not None:
            kind.prepare(session, mine, options)
    jobs = options.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    saver = _ManifestSaver(mpath)
    for result in _execute(session, todo, jobs):
        results.append(result)
        if result.status == "below-coverage":
            hold_back(result, held.get(result.target.name) or _reason(result))
        elif result.status == "built":
            if kinds[result.kind].localized:  # a picture not found, said by each output
                result.warnings[:0] = hasher.picture_warnings.get(result.target.case, [])
            old = manifest.get(result.relpath)
            manifest[result.relpath] = result.manifest_entry()
            _remove_old_members(config.root, old, result)
        if progress:
            progress(result, len(results), len(targets))
        # Save the manifest as we go, so a killed build resumes where it stopped.
        saver.maybe_save(manifest)
    built = any(r.status == "built" for r in results)
    bad_input = any(r.error_code == 2 for r in results)
    if built or manifest_changed or manifest_problem or (not mpath.exists() and not bad_input):
        write_manifest(mpath, manifest)
    results.sort(key=lambda r: r.target)
    warnings.extend(removed)
    # plainlang's own warnings of the outputs made (pictures, ui.po lines), each once;
    # WeasyPrint's were logged as they came.
    for result in results:
        warnings.extend(w for w in result.warnings if ": warning: " in w and w not in warnings)
    return BuildReport(results, time.perf_counter() - started, options, warnings)


def _reason(result: TargetResult) -> str:
    """The gate's reason in a held-back result's error (``coverage 10% is below 50%``)."""
    return (result.error or "below its coverage threshold").rsplit(" (", 1)[0]


def _remove_outputs(
    root: Path, target: Target, entry: Mapping[str, Any] | None, html_beside: bool
) -> bool:
    """Remove the files of a target held back by a gate: those its manifest entry lists,
    those of its planned paths that are on disk (a cached build/ whose manifest lost its
    entry) and, for a kind with ``--keep-html``, the HTML beside each PDF. Only paths the
    target plans are touched. True when a file was removed.
    """
    rels = {str(item.get("path")) for item in _entry_files(entry)} if entry else set()
    for planned in target.paths:
        if GROUP_NUMBER not in planned:
            rels.add(planned)
            continue
        folder = root / planned.rpartition("/")[0]
        if folder.is_dir():
            rels.update(child.relative_to(root).as_posix() for child in folder.iterdir())
    rels = {rel for rel in rels if _in_build(rel) and target.accepts(rel)}
    if html_beside:
        rels |= {_html_beside(rel) for rel in rels if rel.endswith(".pdf")}
    gone = False
    for rel in sorted(rels):
        path = root / rel
        try:
            if stat.S_ISDIR(path.lstat().st_mode):
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(
                f"cannot remove it: {exc.strerror or exc}",
                SourceLocation(rel),
                hint="it is below its coverage threshold; make the folder writable",
            ) from exc
        gone = True
    return gone


def _entry_files(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    files = entry.get("files")
    if isinstance(files, list) and files:
        return [f for f in files if isinstance(f, dict)]
    return [entry]


def _up_to_date(root: Path, key: str, entry: Mapping[str, Any] | None) -> bool:
    """The manifest has this key for the target, and each of its files is on disk at the
    size it recorded."""
    if entry is None or entry.get("key") != key:
        return False
    for item in _entry_files(entry):
        try:
            st = (root / str(item.get("path"))).stat()
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != item.get("size"):
            return False
    return True


def _remove_old_members(root: Path, old: Mapping[str, Any] | None, result: TargetResult) -> None:
    """Files of a group that its new version no longer has (fewer slides) would mislead."""
    if old is None or not old.get("files"):
        return
    keep = {f["path"] for f in result.files} or {result.relpath}
    for item in _entry_files(old):
        rel = item.get("path")
        if isinstance(rel, str) and rel not in keep and result.target.accepts(rel):
            (root / rel).unlink(missing_ok=True)


class _ManifestSaver:
    """Saves the manifest during a build, at most about 2% of the time.

    Saving often lets a killed build resume close to where it stopped; but the manifest of
    thousands of leaflets takes a while to write (and fsync), and the build process spends
    that time while its workers wait for it. So the pause between saves is at least two
    seconds and at least fifty times the last save's duration.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last = time.monotonic()
        self.pause = 2.0

    def maybe_save(self, manifest: Mapping[str, Mapping[str, Any]]) -> None:
        now = time.monotonic()
        if now - self.last < self.pause:
            return
        write_manifest(self.path, manifest)
        self.last = time.monotonic()
        self.pause = max(2.0, 50 * (self.last - now))


def _waves(
    todo: list[tuple[Target, str, BuildOptions]],
) -> list[list[tuple[Target, str, BuildOptions]]]:
    """The targets in the order they can be made: those that read another target's output
    come in a later wave than it."""
    names = {t.name for t, _, _ in todo}
    depth: dict[str, int] = {}

    def level(target: Target) -> int:
        if target.name not in depth:
            depth[target.name] = 0  # a cycle counts as no requirement
            needs = [by_name[r] for r in target.requires if r in names]
            depth[target.name] = 1 + max(map(level, needs)) if needs else 0
        return depth[target.name]

    by_name = {t.name: t for t, _, _ in todo}
    waves: list[list[tuple[Target, str, BuildOptions]]] = []
    for item in todo:
        n = level(item[0])
        while len(waves) <= n:
            waves.append([])
        waves[n].append(item)
    return waves


def _execute(
    session: Session, todo: list[tuple[Target, str, BuildOptions]], jobs: int
) -> Iterator[TargetResult]:
    if not todo:
        return
    failed: dict[str, TargetResult] = {}

    def runnable(
        wave: list[tuple[Target, str, BuildOptions]],
    ) -> tuple[list[tuple[Target, str, BuildOptions]], list[TargetResult]]:
        ok, blocked = [], []
        for item in wave:
            target = item[0]
            missing = [r for r in target.requires if r in failed]
            below = [failed[r] for r in missing if failed[r].status == "below-coverage"]
            if below:  # reads an output the coverage gate holds back: held back with it
                result = TargetResult(
                    target, "below-coverage", session.root / target.relpath, key=item[1]
                )
                result.error = below[0].error
                blocked.append(result)
            elif missing:
                result = TargetResult(target, "failed", session.root / target.relpath, key=item[1])
                result.error = f"not made: {', '.join(missing)} failed"
                result.error_code = 1
                blocked.append(result)
            else:
                ok.append(item)
        return ok, blocked

    def note(result: TargetResult) -> TargetResult:
        if result.status != "built":
            failed[result.target.name] = result
        return result

    waves = _waves(todo)
    if jobs == 1:
        worker = session.local_worker
        if not isinstance(worker, Worker):
            worker = session.local_worker = Worker(session)
        for wave in waves:
            ok, blocked = runnable(wave)
            yield from map(note, blocked)
            for batch in _batches(ok):
                yield from map(note, worker.make_batch(batch))
        return
    import multiprocessing

    # Imported here, once, so that every forked worker starts with WeasyPrint loaded instead
    # of importing it itself (about half a second of CPU, again for each replacement worker).
    import weasyprint  # noqa: F401

    context = multiprocessing.get_context("fork")
    # maxtasksperchild bounds memory over thousands of PDFs (a worker grows by about a
    # megabyte per hundred leaflets); 200 leaflets amortise a new worker's start-up well.
    # Workers are forked from this process: they start with the session (config, cases,
    # parsed catalogs, compiled templates) in memory instead of reading it all again.
    with context.Pool(jobs, _init_worker, (session,), maxtasksperchild=200) as pool:
        for wave in waves:
            ok, blocked = runnable(wave)
            yield from map(note, blocked)
            # One batch per task (a target, or the targets made together with it): a
            # leaflet takes about half a second, so sending tasks one by one costs nothing,
            # keeps both cores busy to the last leaflet and reports (and saves) each
            # leaflet as soon as it is made.
            for results in pool.imap_unordered(_run_batch, _batches(ok), chunksize=1):
                yield from map(note, results)


def _batches(
    items: list[tuple[Target, str, BuildOptions]],
) -> list[list[tuple[Target, str, BuildOptions]]]:
    """The targets of a wave in jobs: each alone, except those made together with another
    target of the wave (:attr:`Target.together_with`), which follow it in its job."""
    names = {t.name for t, _, _ in items}
    batches: dict[str, list[tuple[Target, str, BuildOptions]]] = {}
    for item in items:
        target = item[0]
        lead = target.together_with if target.together_with in names else target.name
        batches.setdefault(lead, []).append(item)
    return list(batches.values())


def validate_catalogs(session: Session, uses: Iterable[tuple[str, str]]) -> None:
    """Parse every PO file that (locale, case) pairs read along their fallback chains.

    The parsed catalogs stay in the session, where the workers find them.
    """
    config = session.config
    seen: set[tuple[str, str]] = set()
    for locale, case_id in uses:
        if locale not in config.locale_info:
            continue
        wanted = [(loc, UI_DOMAIN) for loc in ui_chain(config, locale)]
        if locale != config.source_locale:
            wanted += [(loc, case_id) for loc in config.fallback_chain(locale)]
        for loc, domain in wanted:
            if (loc, domain) not in seen:
                seen.add((loc, domain))
                session.catalogs.get(loc, domain)
                if domain == UI_DOMAIN:
                    session.catalogs.theme_ui(loc)


