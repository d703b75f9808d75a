"""The Python API: a plainlang project, loaded once, that builds, proofs, previews and checks.

>>> from plainlang import Project                                   # doctest: +SKIP
>>> project = Project.load("path/to/project")                       # doctest: +SKIP
>>> for result in project.build(locale="qu", layout="phone"):       # doctest: +SKIP
...     print(result.status, result.path)

:class:`Project` is what the command line runs on: ``plainlang build`` is
``Project.load(".").build(...)`` and a table. It holds one :class:`plainlang.session.Session`,
so the config is read once and every case and catalog parsed once, however many builds,
proofs, previews and stats a program asks for; before each of them it looks (one ``stat``
a file) for what changed on disk and reads only that again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from plainlang.build import (
    BuildOptions,
    BuildReport,
    Target,
    TargetResult,
    choose_outputs,
    parse_shard,
    plan_targets,
)
from plainlang.catalogs import Stats
from plainlang.config import CONFIG_NAME, ProjectConfig, find_project_root
from plainlang.content import Case
from plainlang.errors import UsageError
from plainlang.session import Session

if TYPE_CHECKING:
    from plainlang.checks.project import CheckResult
    from plainlang.preview import PreviewResult

#: A filter: one value, several, or None for all.
Filter = str | Sequence[str] | None
Progress = Callable[[TargetResult, int, int], None]


def _values(value: Filter) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class Project:
    """A plainlang project: the folder holding ``plainlang.toml`` and everything under it.

    Make one with :meth:`load`. Every method reads what it needs through the project's
    session, so a second build, a proof or a preview re-reads only the files that changed.
    Not thread-safe: a program that uses one project from several threads locks around it.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def load(cls, path: str | os.PathLike[str] = ".") -> Project:
        """The project ``path`` is in: ``path`` itself or the nearest folder above it that
        holds a ``plainlang.toml``, as git finds a repository. Its config is read now, so a
        broken ``plainlang.toml`` raises here (a :class:`plainlang.errors.ConfigError` with
        its line)."""
        start = Path(path)
        root = find_project_root(start)
        if root is None:
            raise UsageError(
                f"no {CONFIG_NAME} in {start} or any folder above it",
                hint="run plainlang in a project folder, or pass --project DIR",
            )
        project = cls(Session(root))
        project.config  # noqa: B018 - read now: errors belong to load()
        return project

    @property
    def root(self) -> Path:
        """The project folder (absolute)."""
        return self.session.root

    @property
    def config(self) -> ProjectConfig:
        return self.session.config

    def refresh(self) -> set[Path]:
        """Forget what changed on disk; every method below does this first."""
        return self.session.refresh()

    def cases(self) -> list[Case]:
        """Every case of the project, parsed."""
        self.refresh()
        return self.session.cases()

    # -- build -----------------------------------------------------------------------------

    def build_options(
        self,
        case: Filter = None,
        locale: Filter = None,
        audience: Filter = None,
        layout: Filter = None,
        format: Filter = None,
        *,
        jobs: int = 0,
        force: bool = False,
        strict: bool = False,
        shard: str | tuple[int, int] | None = None,
        min_coverage: float | None = None,
        skip_below_coverage: bool = False,
        keep_html: bool = False,
        prints: Filter = None,
        parts: Sequence[object] = (),
    ) -> BuildOptions:
        """The options of a build, checked: an unknown ``format`` is a usage error listing
        the known ones; ``format`` defaults to ``[project] formats`` (itself ``["pdf"]``).

        ``parts``: options objects of particular output kinds (see
        :meth:`plainlang.build.BuildOptions.part`).
        """
        from plainlang.build import output_kinds

        profiles = _values(prints)
        if profiles and "print" not in output_kinds():
            raise UsageError(
                f"--print {profiles[0]}: print versions are not available in this plainlang",
                hint="build the PDFs without --print",
            )
        extra = ("print",) if profiles else ()
        return BuildOptions(
            cases=_values(case),
            locales=_values(locale),
            audiences=_values(audience),
            layouts=_values(layout),
            outputs=choose_outputs(_values(format), self.config, extra=extra),
            prints=profiles,
            jobs=jobs,
            force=force,
            strict=strict,
            keep_html=keep_html,
            shard=parse_shard(shard) if isinstance(shard, str) else shard,
            min_coverage=min_coverage,
            coverage_action="skip" if skip_below_coverage else "fail",
            parts=tuple(parts),
        )

    def plan(self, options: BuildOptions | None = None) -> list[Target]:
        """Every target a build with ``options`` would consider (before incrementality)."""
        self.refresh()
        options = options or self.build_options()
        cases = self.session.require_cases(options.cases, hint="see plainlang build --dry-run")
        return plan_targets(self.config, cases, options)

    def build(
        self,
        case: Filter = None,
        locale: Filter = None,
        audience: Filter = None,
        layout: Filter = None,
        format: Filter = None,
        *,
        jobs: int = 0,
        force: bool = False,
        strict: bool = False,
        shard: str | tuple[int, int] | None = None,
        min_coverage: float | None = None,
        skip_below_coverage: bool = False,
        keep_html: bool = False,
        prints: Filter = None,
        parts: Sequence[object] = (),
        progress: Progress | None = None,
    ) -> BuildReport:
        """Make every output whose inputs changed, as ``plainlang build`` does.

        Filters take one value or a list (``locale=["qu", "ay"]``); ``format`` chooses the
        outputs (``"pdf"``, and the other registered formats). Returns a
        :class:`plainlang.build.BuildReport`: iterate over it for one result per output,
        each with ``.status`` (built, skipped, failed, below-coverage) and ``.path``;
        ``report.exit_code(options)`` is the command line's verdict.
        """
        options = self.build_options(
            case,
            locale,
            audience,
            layout,
            format,
            jobs=jobs,
            force=force,
            strict=strict,
            shard=shard,
            min_coverage=min_coverage,
            skip_below_coverage=skip_below_coverage,
            keep_html=keep_html,
            prints=prints,
            parts=parts,
        )
        return self.run(options, progress)

    def run(self, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
        """A build with options made beforehand (see :meth:`build_options`)."""
        from plainlang.build import build

        self.refresh()
        return build(self.session, options, progress)

    # -- proofs and previews ---------------------------------------------------------------

    def proof(
        self,
        locale: Filter = None,
        case: Filter = None,
        *,
        ui_locale: str | None = None,
        jobs: int = 0,
        force: bool = False,
        progress: Progress | None = None,
    ) -> BuildReport:
        """Bilingual review PDFs (``build/proof/<locale>/<case>-proof.pdf``), made by the
        build: only those whose inputs changed are made again."""
        from plainlang.proof import ProofOptions, build_options

        options = ProofOptions(locales=_values(locale), cases=_values(case), ui_locale=ui_locale)
        return self.run(build_options(options, jobs=jobs, force=force), progress)

    def preview(
        self,
        case: str,
        locale: str,
        audience: str,
        layout: str,
        *,
        out_dir: Path | None = None,
        dpi: int = 96,
    ) -> PreviewResult:
        """PNG pages of one leaflet (built first if its inputs changed)."""
        from plainlang.preview import PreviewRequest, preview_pages

        self.refresh()
        request = PreviewRequest(case, locale, audience, layout)
        return preview_pages(self.session, request, out_dir=out_dir, dpi=dpi)

    # -- catalogs --------------------------------------------------------------------------

    def stats(self, locale: Filter = None) -> Stats:
        """Translated, fuzzy and untranslated entries per catalog, and totals per locale."""
        from plainlang.catalogs import stats, unlisted_locale_folders
        from plainlang.errors import display_path

        self.refresh()
        config = self.config
        chosen = config.chosen_locales(_values(locale))  # a usage error for one not listed
        unlisted = tuple(display_path(f, config.root) for f in unlisted_locale_folders(config))
        return Stats(tuple(stats(config, chosen, self.session.load_po)), unlisted)

    def check(self, paths: Iterable[str | os.PathLike[str]] = ()) -> CheckResult:
        """Translation QA and plain-language checks on the project, or on the given PO
        files; a :class:`plainlang.checks.project.CheckResult` (``.diagnostics``,
        ``.counts()``)."""
        from plainlang.checks.project import check_files, check_project

        self.refresh()
        files = [Path(p) if Path(p).is_absolute() else Path.cwd() / p for p in paths]
        if files:
            return check_files(files, self.config, self.root)
        return check_project(self.config)
