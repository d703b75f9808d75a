"""Build: the plan of leaflets, what changed since the last build, and the PDFs themselves.

This is the one module that calls every stage: content, catalogs, localize, render, pdf.
Each PDF's inputs (case, the catalogs along its fallback chain, the templates it uses,
config, plainlang's version) hash to a key kept in ``build/manifest.json``; a PDF whose key
has not changed is not made again. Workers are processes, each with one PDF renderer (font
configuration and stylesheet cache) for its life; a failure in one leaflet is reported
with its case, locale, audience and layout and does not stop the others.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from plainlang import __version__
from plainlang.catalogs import UI_DOMAIN, load_cases, po_path
from plainlang.config import ProjectConfig, load_config, normalize_locale, source_date_epoch
from plainlang.content import Case
from plainlang.errors import (
    BuildError,
    CatalogError,
    OutputError,
    PlainlangError,
    SourceLocation,
    TemplateError,
    UsageError,
)
from plainlang.fsio import (
    ensure_writable_folder,
    read_project_file,
    remove_stale_temp_files,
    write_bytes_atomic,
)

MANIFEST_VERSION = 1
# Pages a layout is made of; more means the case is too long for it.
LAYOUT_PAGES = {"trifold": 2, "flyer": 2, "phone": 1}
PHONE_MIN_HEIGHT_MM = 192.0
PHONE_MAX_HEIGHT_MM = 5000.0
#: Formats made besides the PDFs (TEMPORARY wiring: with the phone leaflet, see BuildOptions).
EXTRA_FORMATS = ("images", "html")
#: Largest input file hashed into a key (a catalog, a template); its reader has its own bound.
MAX_HASHED_BYTES = 256 * 1024 * 1024
#: Largest manifest read: thousands of leaflets take a few megabytes.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, order=True)
class Leaflet:
    """One PDF of the plan."""

    case: str
    locale: str
    audience: str
    layout: str

    @property
    def name(self) -> str:
        return f"{self.locale}/{self.case}-{self.audience}-{self.layout}"

    def pdf_path(self, config: ProjectConfig) -> Path:
        return (
            config.build_dir
            / "pdf"
            / self.locale
            / f"{self.case}-{self.audience}-{self.layout}.pdf"
        )

    def relpath(self) -> str:
        return f"build/pdf/{self.locale}/{self.case}-{self.audience}-{self.layout}.pdf"


@dataclass(frozen=True)
class BuildOptions:
    cases: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    layouts: tuple[str, ...] = ()
    jobs: int = 0  # 0: every core
    force: bool = False
    strict: bool = False
    keep_html: bool = False
    shard: tuple[int, int] | None = None  # (K, N), 1-based K
    min_coverage: float | None = None
    coverage_action: str = "fail"  # fail | skip
    # TEMPORARY wiring (issue 14), until the format registry: besides the PDFs, "images"
    # (phone slides) and "html" (the web page) are made with each phone leaflet.
    formats: tuple[str, ...] = ()


@dataclass
class LeafletResult:
    leaflet: Leaflet
    status: str  # built | skipped | failed | below-coverage
    path: str
    key: str = ""
    sha256: str = ""
    pages: int = 0
    size: int = 0
    coverage: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    fallback_locales: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_code: int = 0  # 2: bad input (template, content, catalog); 1: a gate (overflow)
    seconds: float = 0.0
    # What else was made with it (--format images/html): path, sha256 and size of each.
    outputs: list[dict[str, Any]] = field(default_factory=list)
    format_seconds: dict[str, float] = field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        extra = {"outputs": self.outputs} if self.outputs else {}
        return extra | {
            "path": self.path,
            "case": self.leaflet.case,
            "locale": self.leaflet.locale,
            "audience": self.leaflet.audience,
            "layout": self.leaflet.layout,
            "key": self.key,
            "sha256": self.sha256,
            "pages": self.pages,
            "size": self.size,
            "coverage": round(self.coverage, 1),
            "translated": self.counts.get("translated", 0),
            "drafts": self.counts.get("draft", 0),
            "fallbacks": self.counts.get("fallback", 0) + self.counts.get("source", 0),
            "fallback_locales": self.fallback_locales,
            "warnings": self.warnings,
        }


# -- the plan --------------------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; a usage error otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text!r} must be K/N with 1 <= K <= N", hint="e.g. --shard 2/3")
    return int(match.group(1)), int(match.group(2))


def in_shard(leaflet: Leaflet, shard: tuple[int, int]) -> bool:
    """Stable, disjoint sharding: by a hash of the leaflet's name, not its place in the plan.

    Adding a case moves no other leaflet to another shard.
    """
    k, n = shard
    return zlib.crc32(leaflet.name.encode("utf-8")) % n == k - 1


def plan(config: ProjectConfig, cases: Sequence[Case], options: BuildOptions) -> list[Leaflet]:
    """Every leaflet to make: case x locale x audience x layout, after filters and shards."""
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
        if layout not in LAYOUT_PAGES:
            raise UsageError(
                f"--layout {layout} is not a layout", hint=f"choose from: {', '.join(LAYOUT_PAGES)}"
            )
    for fmt in options.formats:
        if fmt not in EXTRA_FORMATS:
            choices = ", ".join(("pdf", *EXTRA_FORMATS))
            raise UsageError(f"--format {fmt} is not a format", hint=f"choose from: {choices}")
    layouts = list(options.layouts) or list(config.layouts)
    if options.formats and "phone" not in layouts:
        raise UsageError(
            f"--format {options.formats[0]} is made from the phone leaflet",
            hint="add --layout phone",
        )
    out = []
    for case in cases:
        audiences = case.audiences or config.audiences
        for locale in locales:
            for audience in audiences:
                if options.audiences and audience not in options.audiences:
                    continue
                for layout in layouts:
                    leaflet = Leaflet(case.id, locale, audience, layout)
                    if options.shard is None or in_shard(leaflet, options.shard):
                        out.append(leaflet)
    return out


# -- input keys ------------------------------------------------------------------------------


class InputHasher:
    """Hashes of files, each read once per build."""

    def __init__(self, config: ProjectConfig) -> None:
        self.config = config
        self._files: dict[Path, str] = {}
        self._templates: list[str] | None = None
        # The lines of a key that many leaflets share, made once: a plan of thousands of
        # leaflets has only a few (layout, audience), (locale, case) and case combinations.
        self._common: str | None = None
        self._template_lines: dict[tuple[str, str], list[str]] = {}
        self._catalog_lines: dict[tuple[str, str], list[str]] = {}
        self._case_lines: dict[str, list[str]] = {}
        #: The warnings of each case's pictures (a picture not found), by case id.
        self.picture_warnings: dict[str, list[str]] = {}

    def file(
        self, path: Path, error: type[PlainlangError] = PlainlangError, root: Path | None = None
    ) -> str:
        """The sha256 of a project file (``"missing"`` if none), read once per build.

        Read through :func:`plainlang.fsio.read_project_file`, confined to the project (or
        to ``root``: the shipped theme): a PO file or template that links outside is
        refused with ``error``, never read to be hashed.
        """
        if path not in self._files:
            data = read_project_file(
                path,
                root or self.config.root,
                max_bytes=MAX_HASHED_BYTES,
                error=error,
                missing_ok=True,
            )
            self._files[path] = hashlib.sha256(data).hexdigest() if data is not None else "missing"
        return self._files[path]

    def templates_for(self, layout: str, audience: str) -> list[str]:
        """The theme paths a leaflet of ``layout`` for ``audience`` can use.

        Other layouts' templates and CSS, and other audiences' themes, do not count: editing
        the flyer's CSS does not rebuild trifolds.
        """
        if self._templates is None:
            self._templates = self.config.theme.files()
        chosen = []
        for rel in self._templates:
            if rel.startswith("proof/") or rel == "css/proof.css":
                continue  # review proofs, not leaflets
            name = rel.rsplit("/", 1)[-1]
            if rel.startswith("layouts/") and name.split(".")[0] != layout:
                continue
            if rel.startswith("css/"):
                stem = name.rsplit(".", 1)[0]
                if stem in (*LAYOUT_PAGES, "web") and stem != layout:
                    continue
                if stem.startswith("theme-") and stem not in (f"theme-{audience}", "theme-default"):
                    continue
            chosen.append(rel)
        return chosen

    def key(self, leaflet: Leaflet, case: Case, formats: Sequence[str] = ()) -> str:
        """The leaflet's input key: a hash of everything that goes into its PDF.

        Plainlang's version, the manifest format, ``SOURCE_DATE_EPOCH``, the leaflet itself,
        the config, the case file, the PO files of the case and of ``ui`` along the locale's
        fallback chain, the template files it can use and the images the case shows.
        """
        config = self.config
        if self._common is None:
            self._common = "\n".join(
                [
                    f"plainlang {__version__}",
                    f"manifest {MANIFEST_VERSION}",
                    f"epoch {_epoch()}",
                ]
            )
        parts = [
            self._common,
            repr(leaflet),
            "config " + self.file(config.root / "plainlang.toml"),
            "case " + self.file(config.root / case.path),
        ]
        if leaflet.locale != config.source_locale:
            parts += self._catalogs_of(leaflet.locale, case.id)
        parts += self._templates_of(leaflet.layout, leaflet.audience)
        parts += self._images_of(case)
        if formats and leaflet.layout == "phone":
            parts.append("formats " + " ".join(formats))
            if "html" in formats:
                parts += self._templates_of("web", leaflet.audience)
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def _catalogs_of(self, locale: str, case_id: str) -> list[str]:
        lines = self._catalog_lines.get((locale, case_id))
        if lines is None:
            lines = []
            for loc in self.config.fallback_chain(locale):
                for domain in (case_id, UI_DOMAIN):
                    path = po_path(self.config, loc, domain)
                    lines.append(f"po {loc}/{domain} " + self.file(path, CatalogError))
            self._catalog_lines[(locale, case_id)] = lines
        return lines

    def _templates_of(self, layout: str, audience: str) -> list[str]:
        lines = self._template_lines.get((layout, audience))
        if lines is None:
            theme = self.config.theme
            lines = []
            for rel in self.templates_for(layout, audience):
                path = theme.resolve(rel)
                if path is not None:
                    # A shipped file is read from the installed theme, confined to it.
                    inside = None if theme.is_overridden(rel) else theme.shipped_dir
                    digest = self.file(path, TemplateError, inside)
                    lines.append(f"tpl {theme.ref(rel)} {digest}")
            self._template_lines[(layout, audience)] = lines
        return lines

    def _images_of(self, case: Case) -> list[str]:
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


_ENTRY_FIELDS: Mapping[str, type | tuple[type, ...]] = {
    "path": str,
    "key": str,
    "sha256": str,
    "pages": int,
    "size": int,
    "coverage": (int, float),
    "translated": int,
    "drafts": int,
    "fallbacks": int,
    "fallback_locales": list,
    "warnings": list,
}


def parse_manifest(data: bytes, shown: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Entries by PDF path, and a warning (one line) when ``data`` is not all a manifest.

    Entries whose fields have the wrong types are left out (their leaflets are rebuilt)
    rather than trusted: a skipped leaflet reports what its entry says.
    """
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return {}, f"{shown}: warning: not UTF-8 text (byte {exc.start})"
    except json.JSONDecodeError as exc:
        return {}, f"{shown}:{exc.lineno}: warning: not valid JSON ({exc.msg})"
    except RecursionError:
        return {}, f"{shown}: warning: not valid JSON (nested too deeply)"
    entries = parsed.get("leaflets") if isinstance(parsed, dict) else None
    if not isinstance(entries, list):
        return {}, f"{shown}: warning: not a plainlang manifest (no list of leaflets)"
    good = {e["path"]: e for e in entries if _valid_entry(e)}
    if len(good) < len(entries):
        bad = len(entries) - len(good)
        return good, f"{shown}: warning: {bad} of its {len(entries)} entries are damaged"
    return good, None


def _valid_entry(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    for name, kind in _ENTRY_FIELDS.items():
        value = entry.get(name)
        if value is None and name not in ("path", "key"):
            continue
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    return True


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
        problem += "; leaflets it cannot vouch for are rebuilt"
    return entries, problem


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Entries by PDF path of a manifest file named by the user (``manifest merge``).

    Anything but a whole manifest is a usage error naming the file (and line).
    """
    data = read_project_file(path, None, max_bytes=MAX_MANIFEST_BYTES, error=UsageError)
    entries, problem = parse_manifest(data, str(path))
    if problem is not None:
        where, _, what = problem.partition(": warning: ")
        raise UsageError(f"{where}: {what}", hint="pass build/manifest.json files")
    return entries


def write_manifest(path: Path, entries: Mapping[str, Mapping[str, Any]]) -> None:
    data = {
        "manifest_version": MANIFEST_VERSION,
        "generator": f"plainlang {__version__}",
        "leaflets": [entries[k] for k in sorted(entries)],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def merge_manifests(paths: Sequence[Path], out: Path) -> int:
    """Join shard manifests into one; a PDF listed twice with different content is an error."""
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        entries = read_manifest(path)
        for key, entry in entries.items():
            other = merged.get(key)
            if other is not None and other.get("sha256") != entry.get("sha256"):
                raise UsageError(
                    f"{path}: {key} differs from the same leaflet in another manifest",
                    hint="shards must come from the same commit",
                )
            merged[key] = dict(entry)
    write_manifest(out, merged)
    return len(merged)


# -- workers ------------------------------------------------------------------------------


@dataclass
class Prepared:
    """What the build process has read before any leaflet is made, for the workers to reuse.

    The config, the parsed cases, the catalogs (parsed once, when they are validated) and
    the Jinja environments. Workers are forked from the build process, so they start with
    all of it in memory (copy-on-write) instead of reading and parsing it again, each of
    them and again whenever one is replaced.
    """

    config: ProjectConfig
    cases: dict[str, Case]
    catalogs: Any  # plainlang.localize.CatalogSet
    renderer: Any  # plainlang.render.LeafletRenderer
    #: Warnings of each case's pictures (see InputHasher), recorded in its leaflets.
    picture_warnings: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def create(cls, config: ProjectConfig, cases: Iterable[Case] = ()) -> Prepared:
        from plainlang.localize import CatalogSet
        from plainlang.pdf import font_coverage
        from plainlang.render import LeafletRenderer

        catalogs = CatalogSet(config)
        # Text is printed only in characters the shipped fonts draw (see markup.drawable).
        covered = font_coverage(config.theme.font_files()) or None
        renderer = LeafletRenderer(config, catalogs, covered)
        return cls(config, {c.id: c for c in cases}, catalogs, renderer)

    def share_compiled_templates(self, locales: Iterable[str]) -> None:
        """Compile each template once for all the locales' Jinja environments, not once each.

        The renderer makes one environment per locale, all with the same options; they
        differ only in their gettext functions and number and date filters, which templates
        look up when they run, not when they are compiled. So one compiled template serves
        them all: an in-memory bytecode cache, shared by the environments (and inherited by
        forked workers), saves about 60 ms per template set per locale per process.
        """
        cache = _memory_bytecode_cache()
        for locale in dict.fromkeys([self.config.source_locale, *locales]):
            env = self.renderer.environment(locale)
            if env.bytecode_cache is None:
                env.bytecode_cache = cache


@functools.cache
def _memory_bytecode_cache() -> Any:
    """One in-memory Jinja bytecode cache (keyed by template file and source checksum)."""
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


class Worker:
    """Makes leaflets; one per process, holding the caches that make it fast."""

    def __init__(self, root: Path, prepared: Prepared | None = None) -> None:
        from plainlang.pdf import PdfRenderer

        prepared = prepared or Prepared.create(load_config(root))
        self.config = prepared.config
        self.catalogs = prepared.catalogs
        self.renderer = prepared.renderer
        self.cases: dict[str, Case] = dict(prepared.cases)
        self.picture_warnings = prepared.picture_warnings
        # WeasyPrint's font configuration holds Pango and Fontconfig objects: made here, in
        # the worker's own process, never inherited through fork.
        self.pdf = PdfRenderer(self.config.root, self.config.theme)

    def case(self, case_id: str) -> Case:
        if case_id not in self.cases:
            self.cases[case_id] = load_cases(self.config, [case_id])[0]
        return self.cases[case_id]

    def make(self, leaflet: Leaflet, key: str, options: BuildOptions) -> LeafletResult:
        from plainlang.localize import localize
        from plainlang.pdf import PdfMetadata

        started = time.perf_counter()
        config = self.config
        result = LeafletResult(leaflet, "failed", leaflet.relpath(), key=key)
        try:
            case = self.case(leaflet.case)
            lc = localize(case, leaflet.locale, self.catalogs)
            counts = lc.counts(leaflet.audience)
            result.counts = {str(k): v for k, v in counts.items()}
            result.coverage = lc.coverage(leaflet.audience)
            result.fallback_locales = sorted(
                {t.locale for t in lc.texts.values() if str(t.status) in ("fallback", "source")}
            )
            info = config.locale_info.get(leaflet.locale)
            threshold = options.min_coverage
            if info is not None and info.min_coverage is not None and threshold is None:
                threshold = info.min_coverage
            if threshold is not None and result.coverage < threshold:
                result.status = "below-coverage"
                result.error = (
                    f"coverage {result.coverage:.0f}% is below {threshold:g}% "
                    f"({'skipped' if options.coverage_action == 'skip' else 'not built'})"
                )
                return result
            html = self.renderer.html(lc, leaflet.audience, leaflet.layout)
            pdf_path = leaflet.pdf_path(config)
            if options.keep_html:
                write_bytes_atomic(pdf_path.with_suffix(".html"), html.encode("utf-8"))
            if leaflet.layout == "phone":
                # Laid out twice (to measure, then to fit), never at the stylesheet's size.
                laid_out = self._fit_phone(html)
            else:
                laid_out = self.pdf.layout(html, base_url=config.templates_dir)
            self._check_overflow(leaflet, laid_out)
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
                date=_case_date(case),
            )
            pdf = self.pdf.finish(laid_out, metadata)
            write_bytes_atomic(pdf_path, pdf)
            if options.formats and leaflet.layout == "phone":
                self._make_extras(leaflet, lc, laid_out, pdf, options.formats, result)
            result.status = "built"
            result.sha256 = hashlib.sha256(pdf).hexdigest()
            result.pages = laid_out.pages
            result.size = len(pdf)
            result.warnings = [
                *self.picture_warnings.get(leaflet.case, ()),
                *self.renderer.warnings,
                *laid_out.messages,
            ]
        except PlainlangError as exc:
            result.error = exc.format()
            result.error_code = exc.exit_code
        except Exception as exc:  # one leaflet's failure must not stop the others
            result.error = f"{type(exc).__name__}: {exc}"
            result.error_code = 1
        finally:
            result.seconds = time.perf_counter() - started
        return result

    def _make_extras(
        self,
        leaflet: Leaflet,
        lc: Any,
        laid_out: Any,
        pdf: bytes,
        formats: Sequence[str],
        result: LeafletResult,
    ) -> None:
        """TEMPORARY wiring (issue 14): the phone slides and the web page of a leaflet,
        made with its phone PDF until the format registry makes each on its own."""
        config = self.config
        written: list[Path] = []
        if "images" in formats:
            from plainlang.slides import images_dir, make_slides, write_slides

            started = time.perf_counter()
            slides = make_slides(laid_out.document, pdf, _bold_font(config))
            written += write_slides(
                slides,
                images_dir(config.build_dir, leaflet.locale),
                f"{leaflet.case}-{leaflet.audience}",
            )
            result.format_seconds["images"] = time.perf_counter() - started
        if "html" in formats:
            from plainlang.webpage import make_webpage, webpage_path

            started = time.perf_counter()
            page = make_webpage(self.renderer, lc, leaflet.audience, self.pdf.fetcher)
            path = webpage_path(config.build_dir, leaflet.locale, leaflet.case, leaflet.audience)
            write_bytes_atomic(path, page.data)
            written.append(path)
            result.warnings += list(page.warnings)
            result.format_seconds["html"] = time.perf_counter() - started
        for path in written:
            data = path.read_bytes()
            result.outputs.append(
                {
                    "path": path.relative_to(config.root).as_posix(),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
            )

    def _fit_phone(self, html: str) -> Any:
        """The phone leaflet on one page exactly as tall as its content.

        Laid out twice: on a page too tall to fill, to measure where the content ends, then
        on a page of that height.
        """
        width = "108mm"
        tall = f"<style>@page {{ size: {width} {PHONE_MAX_HEIGHT_MM:.0f}mm; }}</style></head>"
        first = self.pdf.layout(
            html.replace("</head>", tall, 1), base_url=self.config.templates_dir
        )
        if first.pages > 1:
            raise BuildError(
                f"too long even for one {PHONE_MAX_HEIGHT_MM:.0f} mm phone page",
                hint="shorten the case",
            )
        height = max(PHONE_MIN_HEIGHT_MM, first.content_bottom_mm() + 1.0)
        fitted = f"<style>@page {{ size: {width} {height:.1f}mm; }}</style></head>"
        return self.pdf.layout(
            html.replace("</head>", fitted, 1), base_url=self.config.templates_dir
        )

    def _check_overflow(self, leaflet: Leaflet, laid_out: Any) -> None:
        expected = LAYOUT_PAGES[leaflet.layout]
        if laid_out.pages <= expected:
            return
        lengths = laid_out.page_text_lengths()
        over = sum(lengths[expected:])
        total = sum(lengths) or 1
        raise BuildError(
            f"too long for {leaflet.layout}: {laid_out.pages} pages where {expected} fit; "
            f"about {over} characters ({100 * over / total:.0f}% of the text) do not fit",
            hint="shorten the case or its translation, or use another layout",
        )


def _bold_font(config: ProjectConfig) -> Path:
    """The theme's bold upright font (for the slides' numbers), else its first font."""
    fonts = config.theme.font_files()
    if not fonts:
        raise BuildError("the theme has no fonts", hint="plainlang theme copy fonts")
    bold = [f for f in fonts if "bold" in f.stem.lower() and "italic" not in f.stem.lower()]
    return (bold or fonts)[0]


def _plain(text: str) -> str:
    from plainlang.markup import plain_text

    return plain_text(text)


def _case_date(case: Case) -> Any:
    import datetime as dt

    if case.date:
        return dt.datetime.fromisoformat(case.date).replace(tzinfo=dt.UTC)
    return None


_WORKER: Worker | None = None


def _init_worker(root: str, prepared: Prepared) -> None:
    global _WORKER
    _WORKER = Worker(Path(root), prepared)


def _run_one(args: tuple[Leaflet, str, BuildOptions]) -> LeafletResult:
    assert _WORKER is not None
    return _WORKER.make(*args)


# -- the build -------------------------------------------------------------------------------


@dataclass
class BuildReport:
    results: list[LeafletResult]
    seconds: float
    #: One line each, for the user: a damaged manifest that was rebuilt, and the like.
    warnings: list[str] = field(default_factory=list)

    def by_status(self, status: str) -> list[LeafletResult]:
        return [r for r in self.results if r.status == status]

    @property
    def failed(self) -> list[LeafletResult]:
        return self.by_status("failed")

    def exit_code(self, options: BuildOptions) -> int:
        if any(r.error_code == 2 for r in self.failed):
            return 2
        if self.failed:
            return 1
        if self.by_status("below-coverage") and options.coverage_action == "fail":
            return 1
        if options.strict and any(r.warnings for r in self.results if r.status == "built"):
            return 1
        return 0


def build(
    root: Path,
    options: BuildOptions,
    progress: Callable[[LeafletResult, int, int], None] | None = None,
) -> BuildReport:
    """Make every leaflet of the plan whose inputs changed; see the module docstring."""
    started = time.perf_counter()
    config = load_config(root)
    cases = load_cases(config, options.cases or None)
    if options.cases:
        missing = set(options.cases) - {c.id for c in cases}
        if missing:
            raise UsageError(
                f"--case {', '.join(sorted(missing))}: no such case in content/cases/",
                hint="see plainlang build --dry-run for the plan",
            )
    leaflets = plan(config, cases, options)
    # The output folder takes files, before anything is made: a read-only folder, a file
    # named build or a folder named manifest.json fail here, once, naming it.
    ensure_writable_folder(config.build_dir)
    remove_stale_temp_files(config.build_dir)
    by_id = {c.id: c for c in cases}
    hasher = InputHasher(config)
    mpath = manifest_path(config)
    manifest, manifest_problem = load_manifest(config)
    warnings = [manifest_problem] if manifest_problem else []
    todo: list[tuple[Leaflet, str, BuildOptions]] = []
    results: list[LeafletResult] = []
    for leaflet in leaflets:
        key = hasher.key(leaflet, by_id[leaflet.case], options.formats)
        entry = manifest.get(leaflet.relpath())
        if not options.force and _up_to_date(leaflet.pdf_path(config), key, entry, config.root):
            assert entry is not None
            skipped = LeafletResult(leaflet, "skipped", leaflet.relpath(), key=key)
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
            results.append(skipped)
            if progress:
                progress(skipped, len(results), len(leaflets))
            continue
        todo.append((leaflet, key, options))
    prepared = Prepared.create(config, cases)
    prepared.picture_warnings = hasher.picture_warnings
    prepared.share_compiled_templates(sorted({lf.locale for lf, _, _ in todo}))
    # Every catalog and template the leaflets to make read is parsed first: a broken PO or
    # template stops the build before any PDF is made, with its file and line. Up-to-date
    # leaflets need no check: their inputs are byte for byte those of a build that passed.
    _validate_catalogs(prepared, [lf for lf, _, _ in todo])
    layouts_used = {lf.layout for lf, _, _ in todo}
    if "html" in options.formats and "phone" in layouts_used:
        layouts_used.add("web")
    _validate_templates(prepared, sorted(layouts_used))
    jobs = options.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    saver = _ManifestSaver(mpath)
    for result in _execute(root, todo, jobs, prepared):
        results.append(result)
        if result.status == "built":
            manifest[result.path] = result.manifest_entry()
        if progress:
            progress(result, len(results), len(leaflets))
        # Save the manifest as we go, so a killed build resumes where it stopped.
        saver.maybe_save(manifest)
    built = any(r.status == "built" for r in results)
    bad_input = any(r.error_code == 2 for r in results)
    if built or manifest_problem or (not mpath.exists() and not bad_input):
        write_manifest(mpath, manifest)
    results.sort(key=lambda r: r.leaflet)
    # plainlang's own warnings of the leaflets made (pictures, ui.po lines), each once;
    # WeasyPrint's were logged as they came.
    for result in results:
        warnings.extend(w for w in result.warnings if ": warning: " in w and w not in warnings)
    return BuildReport(results, time.perf_counter() - started, warnings)


def _up_to_date(pdf: Path, key: str, entry: Mapping[str, Any] | None, root: Path) -> bool:
    """The manifest has this key for the PDF, and the PDF (and every other file made with
    it) is on disk with the size it recorded."""
    if entry is None or entry.get("key") != key:
        return False
    files = [(pdf, entry.get("size"))]
    files += [(root / o.get("path", ""), o.get("size")) for o in entry.get("outputs", [])]
    for path, size in files:
        try:
            st = path.stat()
        except OSError:
            return False
        if not (stat.S_ISREG(st.st_mode) and st.st_size == size):
            return False
    return True


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


def _execute(
    root: Path, todo: list[tuple[Leaflet, str, BuildOptions]], jobs: int, prepared: Prepared
) -> Iterator[LeafletResult]:
    if not todo:
        return
    if jobs == 1:
        worker = Worker(root, prepared)
        for item in todo:
            yield worker.make(*item)
        return
    import multiprocessing

    # Imported here, once, so that every forked worker starts with WeasyPrint loaded instead
    # of importing it itself (about half a second of CPU, again for each replacement worker).
    import weasyprint  # noqa: F401

    context = multiprocessing.get_context("fork")
    # maxtasksperchild bounds memory over thousands of PDFs (a worker grows by about a
    # megabyte per hundred leaflets); 200 leaflets amortise a new worker's start-up well.
    with context.Pool(jobs, _init_worker, (str(root), prepared), maxtasksperchild=200) as pool:
        # One leaflet per task: a leaflet takes about half a second, so sending tasks one
        # by one costs nothing, keeps both cores busy to the last leaflet and reports (and
        # saves) each leaflet as soon as it is made.
        yield from pool.imap_unordered(_run_one, todo, chunksize=1)


def _validate_catalogs(prepared: Prepared, leaflets: Iterable[Leaflet]) -> None:
    """Parse every PO file the leaflets read (along fallback chains), keeping the catalogs.

    The parsed catalogs stay in ``prepared.catalogs``, where the workers find them.
    """
    config = prepared.config
    seen: set[tuple[str, str]] = set()
    for leaflet in leaflets:
        if leaflet.locale == config.source_locale or leaflet.locale not in config.locale_info:
            continue
        for loc in config.fallback_chain(leaflet.locale):
            for domain in (leaflet.case, UI_DOMAIN):
                if (loc, domain) not in seen:
                    seen.add((loc, domain))
                    prepared.catalogs.get(loc, domain)


def _validate_templates(prepared: Prepared, layouts: Sequence[str]) -> None:
    """Compile each layout's templates once: a syntax error stops the build (exit 2)."""
    if layouts:
        prepared.renderer.check_templates(layouts)


def report_json(report: BuildReport) -> list[dict[str, Any]]:
    out = []
    for r in report.results:
        data = asdict(r)
        data["leaflet"] = asdict(r.leaflet)
        out.append(data)
    return out
