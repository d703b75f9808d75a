"""The print outputs of a build: print versions (``--print PROFILE``) and imposed sheets.

Two output kinds, registered with the build like ``pdf`` and ``proof`` (incremental, in
the manifest, sharded, made by the build's workers):

- ``print``: ``build --print PROFILE`` writes
  ``build/print/<profile>/<locale>/<case>-<audience>-<layout>.pdf`` for every leaflet of
  the plan. The leaflet is laid out again with the profile's CSS (the bleed,
  :func:`plainlang.printing.profile_css`, then the profile's ``stylesheet``) and finished
  by :func:`plainlang.printing.finish_print` (exact TrimBox and BleedBox, crop marks
  outside the bleed, greyscale). A profile with ``sheets = true`` (``mono``) also writes
  the imposed sheets of a layout that has them, beside it, from the same target.
  ``build/pdf/`` is left alone.
- ``sheets``: follows ``pdf``. For every leaflet whose layout says ``sheets`` (the
  ``booklet``: saddle stitch; the ``flyer``: two-up), the A4 sheets beside its PDF,
  ``build/pdf/<locale>/<case>-<audience>-<layout>-sheets.pdf``, imposed from that PDF
  (:mod:`plainlang.impose`). A sheets target reads its leaflet's PDF, so it requires that
  target (made first, its key part of the sheets' key, the same shard).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from plainlang.build import (
    BuildOptions,
    InputHasher,
    Job,
    Made,
    OutputKind,
    PlanContext,
    Target,
    _pdf_key,
    _prepare_pdfs,
    register_output,
)
from plainlang.config import ProjectConfig
from plainlang.errors import BuildError, UsageError
from plainlang.fsio import read_project_file
from plainlang.impose import page_count
from plainlang.printing import PrintProfile, finish_print, profile_css

#: The largest leaflet PDF the sheets kind reads back (a 16-page booklet is well under 2 MB).
MAX_PDF_BYTES = 64 * 1024 * 1024


def sheets_path(relpath: str) -> str:
    """The imposed sheets beside a leaflet's PDF.

    >>> sheets_path("build/pdf/es/right-to-know-youth-booklet.pdf")
    'build/pdf/es/right-to-know-youth-booklet-sheets.pdf'
    """
    return relpath.removesuffix(".pdf") + "-sheets.pdf"


def print_relpath(profile: str, locale: str, case: str, audience: str, layout: str) -> str:
    return f"build/print/{profile}/{locale}/{case}-{audience}-{layout}.pdf"


def impose(pdf: bytes, how: str) -> bytes:
    """``pdf`` imposed on A4 sheets: ``how`` is a layout's ``sheets`` (booklet, two-up)."""
    from plainlang.impose import booklet_sheets, two_up_sheets

    if how == "booklet":
        return booklet_sheets(pdf)
    if how == "two-up":
        return two_up_sheets(pdf)
    raise BuildError(f"no way to impose sheets '{how}'", hint="booklet or two-up")


# -- print versions --------------------------------------------------------------------------


def chosen_profiles(config: ProjectConfig, options: BuildOptions) -> list[PrintProfile]:
    """The profiles of ``--print``; an unknown one is a usage error listing the known."""
    known = config.print_profiles
    chosen = []
    for name in dict.fromkeys(options.prints):
        if name not in known:
            raise UsageError(
                f"--print {name}: no such print profile",
                hint=f"known: {', '.join(known)} (or add [print.{name}] to plainlang.toml)",
            )
        chosen.append(known[name])
    return chosen


def _plan_prints(ctx: PlanContext) -> Iterator[Target]:
    for profile in chosen_profiles(ctx.config, ctx.options):
        for leaflet in ctx.leaflets():
            main = print_relpath(
                profile.name, leaflet.locale, leaflet.case, leaflet.audience, leaflet.layout
            )
            paths = [main]
            if profile.sheets and ctx.config.layout(leaflet.layout).sheets:
                paths.append(sheets_path(main))
            yield Target(
                "print",
                leaflet.case,
                leaflet.locale,
                leaflet.audience,
                leaflet.layout,
                variant=profile.name,
                name=f"print/{profile.name}/{leaflet.name}",
                paths=tuple(paths),
                shard_by=leaflet.name,
            )


def _profile(job_config: ProjectConfig, target: Target) -> PrintProfile:
    return job_config.print_profiles[target.variant]


def _print_key(inputs: InputHasher, target: Target) -> list[str]:
    profile = _profile(inputs.config, target)
    own = [profile.stylesheet] if profile.stylesheet else []
    return [f"profile {profile!r}", *_pdf_key(inputs, target), *inputs.theme_lines(own)]


def _make_print(job: Job) -> Made:
    config = job.config
    target = job.target
    profile = _profile(config, target)
    sheets: list[Path] = []
    if profile.stylesheet:
        if config.theme.resolve(profile.stylesheet) is None:
            raise BuildError(
                f"print profile '{profile.name}': no stylesheet {profile.stylesheet} in the "
                "project's templates/ or the shipped theme",
                hint=f"fix stylesheet in [print.{profile.name}] of plainlang.toml",
            )
        # A theme path: the project's templates/ override, else the shipped file.
        sheets.append(config.templates_dir / profile.stylesheet)
    made = job.worker.leaflet_pdf(job, extra_css=profile_css(profile), stylesheets=sheets)
    (laid_out_pdf,) = made.files.values()
    pdf = finish_print(laid_out_pdf, profile)
    files = {target.paths[0]: pdf}
    if len(target.paths) > 1:
        files[target.paths[1]] = impose(pdf, config.layout(target.layout).sheets)
    return Made(files, pages=made.pages, warnings=made.warnings, fields={"profile": profile.name})


register_output(
    OutputKind(
        name="print",
        plan=_plan_prints,
        key=_print_key,
        make=_make_print,
        prepare=_prepare_pdfs,
        localized=True,
        description="build/print/<profile>/<locale>/<case>-<audience>-<layout>.pdf (--print)",
    )
)


# -- imposed sheets of the ordinary PDFs -------------------------------------------------------


def _plan_sheets(ctx: PlanContext) -> Iterator[Target]:
    for source in ctx.planned.get("pdf", ()):
        how = ctx.config.layout(source.layout).sheets
        if not how:
            continue
        rel = sheets_path(source.relpath)
        yield Target(
            "sheets",
            source.case,
            source.locale,
            source.audience,
            source.layout,
            variant=how,
            name=rel.removeprefix("build/"),
            paths=(rel,),
            requires=(source.name,),
            shard_by=source.group,
        )


def _sheets_key(inputs: InputHasher, target: Target) -> Sequence[str]:
    # What the sheets are made of is the leaflet's PDF: its key is the "needs" line the
    # build adds for every required target; the imposition is plainlang's own code.
    return [f"impose {target.variant}"]


def _source_pdf(target: Target) -> str:
    return target.relpath.removesuffix("-sheets.pdf") + ".pdf"


def _make_sheets(job: Job) -> Made:
    config = job.config
    source = _source_pdf(job.target)
    pdf = read_project_file(
        config.root / source, config.root, max_bytes=MAX_PDF_BYTES, error=BuildError
    )
    sheets = impose(pdf, job.target.variant)
    return Made({job.target.relpath: sheets}, pages=page_count(sheets))


register_output(
    OutputKind(
        name="sheets",
        plan=_plan_sheets,
        key=_sheets_key,
        make=_make_sheets,
        follows="pdf",
        description="build/pdf/<locale>/<case>-<audience>-<layout>-sheets.pdf (A4, to print)",
    )
)
