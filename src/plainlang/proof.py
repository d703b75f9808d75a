"""Proof: a bilingual review PDF per case and locale, for reviewers who work on paper.

Community reviewers of Quechua and Aymara may never open a ``.po`` file. A proof prints
every entry of a case's catalog, in source order, with the source text beside its
translation, the entry's status in words and in a border style that survives a black and
white photocopy, its reference (``content/cases/<id>.md:LINE``, the same as the ``#:``
line a translator sees in Poedit), and an empty ruled box for a correction by hand.

Drafts (fuzzy entries) are shown as drafts even for a locale whose leaflets do not print
them: a proof exists to get drafts checked. Headings and the legend come from the ``ui``
catalog, in the reviewer's language along its fallback chain; languages are named as that
language names them. With a pivot (``--pivot es``) every row also shows the text in a
language the reviewer reads well, between the source and the translation: a Quechua
reviewer in a project written in English checks the Quechua against the Spanish.

Output: ``build/proof/<locale>/<case-id>-proof.pdf``, made by the build as the ``proof``
output kind (registered below): incremental like the leaflets, in ``build/manifest.json``.
A proof's key covers the case, the case's and the ``ui`` catalogs along the reviewed
locale's chain and the reviewer's language's, the proof template, its stylesheet and fonts,
and the proof options (``--ui-locale``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from plainlang import __version__
from plainlang.build import (
    BuildOptions,
    InputHasher,
    Job,
    Made,
    OutputKind,
    PlanContext,
    Target,
    case_date,
    register_output,
    validate_catalogs,
)
from plainlang.catalogs import LENGTH_BUDGETS, needs_translation
from plainlang.config import LocaleInfo, ProjectConfig, normalize_locale
from plainlang.content import Case, Segment
from plainlang.errors import UsageError
from plainlang.localize import CatalogSet, LocalizedCase, Status, localize
from plainlang.markup import plain_text, render_inline
from plainlang.session import Session

#: The statuses a proof row can have, in the order the legend lists them.
PROOF_STATUSES = ("translated", "draft", "fallback", "untranslated")
PROOF_TEMPLATE = "proof/proof.html.j2"
PROOF_CSS = "css/proof.css"
# Characters a hand-written line holds at the proof's size (about 12 mm high per line).
_CHARS_PER_LINE = 60


@dataclass(frozen=True)
class ProofOptions:
    """Which proofs to make: empty tuples mean every translated locale and every case.

    ``ui_locale`` is the language of headings and legend; by default the proof's own
    locale (falling back along its chain, e.g. Quechua to Spanish).
    """

    locales: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    ui_locale: str | None = None
    pivot: str | None = None


@dataclass(frozen=True)
class ProofRow:
    """One catalog entry on the proof: a msgid and the segments (places) it stands for."""

    number: int
    references: tuple[str, ...]
    kinds: tuple[str, ...]
    audiences: tuple[str, ...]  # empty: every audience sees it
    note: str | None
    source: Markup
    source_plain: str
    translation: Markup  # empty when untranslated
    translation_plain: str
    translation_lang: str  # BCP 47 tag of the language the translation column is in
    translation_language: str  # that language's name in the proof's language, for a fallback
    status: str  # one of PROOF_STATUSES
    max_length: int | None
    pivot: Markup | None = None  # the text in the pivot language; None: no pivot column
    pivot_plain: str = ""
    pivot_status: str = ""  # translated | draft | untranslated (in the pivot language)

    @property
    def ruled_lines(self) -> int:
        """Lines in the correction box: room to rewrite the whole text by hand."""
        longest = max(len(self.source_plain), len(self.translation_plain), len(self.pivot_plain))
        return max(2, min(8, -(-longest // _CHARS_PER_LINE)))


@dataclass(frozen=True)
class Proof:
    """Everything the proof template needs."""

    case_id: str
    case_path: str
    title: str  # the case title in the source language
    locale: LocaleInfo
    source_locale: LocaleInfo
    ui_lang: str
    rows: tuple[ProofRow, ...]
    counts: Mapping[str, int]
    generator: str = f"plainlang {__version__}"
    pivot_locale: LocaleInfo | None = None
    #: Language names as the proof's own (ui) language writes them, by locale code.
    names: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def name(self, locale: LocaleInfo) -> str:
        """``locale``'s name in the proof's language (its own name when none is known)."""
        return self.names.get(locale.code, locale.name)

    @property
    def page_label(self) -> str:
        """What the page footer says before the page number (ids only: safe in CSS)."""
        return f"{self.case_id} · {self.locale.code}"


def review_config(config: ProjectConfig, locale: str) -> ProjectConfig:
    """``config`` with drafts allowed for ``locale``: reviewers must see every draft."""
    info = config.locale(locale)
    infos = dict(config.locale_info)
    infos[info.code] = dataclasses.replace(info, use_fuzzy=True)
    return dataclasses.replace(config, locale_info=infos)


def _proof_status(status: Status) -> str:
    return "untranslated" if status is Status.SOURCE else str(status)


def proof_rows(
    lc: LocalizedCase,
    config: ProjectConfig,
    pivot: LocalizedCase | None = None,
    ui_locale: str | None = None,
) -> tuple[ProofRow, ...]:
    """One row per distinct msgid with letters, in source order, as the PO file has them.

    ``pivot`` is the case in the pivot language: its own translation of each row (a
    checked one or a draft), or nothing where it has none. ``ui_locale`` names the
    language a fallback row is in (default: the translation's locale).
    """
    grouped: dict[str, list[Segment]] = {}
    for segment in lc.case.segments():
        if needs_translation(segment.msgid):
            grouped.setdefault(segment.msgid, []).append(segment)
    rows = []
    for number, (msgid, segments) in enumerate(grouped.items(), start=1):
        text = lc.text(segments[0])
        status = _proof_status(text.status)
        known = config.locale_info.get(text.locale)
        shown = status != "untranslated"
        kinds = tuple(dict.fromkeys(s.kind for s in segments))
        budgets = [LENGTH_BUDGETS[k] for k in kinds if k in LENGTH_BUDGETS]
        audiences: tuple[str, ...] = ()
        if all(s.audiences is not None for s in segments):
            audiences = tuple(sorted(set().union(*(s.audiences or () for s in segments))))
        notes = list(dict.fromkeys(s.note for s in segments if s.note))
        pivot_text = pivot.text(segments[0]) if pivot is not None else None
        pivot_shown = pivot_text is not None and pivot_text.status in (
            Status.TRANSLATED,
            Status.DRAFT,
        )
        rows.append(
            ProofRow(
                number=number,
                references=tuple(f"{lc.case.path}:{s.line}" for s in segments),
                kinds=kinds,
                audiences=audiences,
                note=" ".join(notes) or None,
                source=render_inline(msgid),
                source_plain=plain_text(msgid),
                translation=render_inline(text.text) if shown else Markup(""),
                translation_plain=plain_text(text.text) if shown else "",
                translation_lang=known.lang if known is not None else text.locale,
                translation_language=config.language_name(text.locale, ui_locale or lc.locale),
                status=status,
                max_length=min(budgets) if budgets else None,
                pivot=None
                if pivot_text is None
                else (render_inline(pivot_text.text) if pivot_shown else Markup("")),
                pivot_plain=plain_text(pivot_text.text) if pivot_text and pivot_shown else "",
                pivot_status=""
                if pivot_text is None
                else (str(pivot_text.status) if pivot_shown else "untranslated"),
            )
        )
    return tuple(rows)


def make_proof(
    case: Case,
    locale: str,
    config: ProjectConfig,
    ui_lang: str,
    catalogs: CatalogSet | None = None,
    *,
    pivot: str | None = None,
    ui_locale: str | None = None,
) -> Proof:
    """The view model of one proof: ``case`` localized to ``locale`` with drafts shown.

    ``catalogs``: the project session's parsed catalogs (read from disk when None).
    ``pivot`` adds each row's text in that locale (its own translations only, drafts
    marked); ``ui_locale`` is the proof's language (default ``locale``), in which the
    languages are named.
    """

    def reviewed(code: str) -> LocalizedCase:
        reviewing = review_config(config, code)
        review = catalogs.with_config(reviewing) if catalogs is not None else CatalogSet(reviewing)
        return localize(case, code, review)

    lc = reviewed(locale)
    pivot_lc = reviewed(pivot) if pivot else None
    ui = ui_locale or locale
    rows = proof_rows(lc, config, pivot_lc, ui)
    counts = Counter(row.status for row in rows)
    shown = {config.source_locale, locale, *([pivot] if pivot else [])}
    return Proof(
        case_id=case.id,
        case_path=case.path,
        title=plain_text(case.title.msgid),
        locale=config.locale(locale),
        source_locale=config.locale_info[config.source_locale],
        ui_lang=ui_lang,
        rows=rows,
        counts={status: counts.get(status, 0) for status in PROOF_STATUSES},
        pivot_locale=config.locale(pivot) if pivot else None,
        names={code: config.language_name(code, ui) for code in shown},
    )


def proof_relpath(locale: str, case_id: str) -> str:
    return f"build/proof/{locale}/{case_id}-proof.pdf"


def _chosen_locales(config: ProjectConfig, wanted: Sequence[str]) -> list[str]:
    locales = [normalize_locale(x) for x in wanted] or list(config.locales)
    for locale in locales:
        if locale == config.source_locale:
            raise UsageError(
                f"--locale {locale} is the source language: there is nothing to review",
                hint=f"choose from: {', '.join(config.locales)}",
            )
        if locale not in config.locales:
            raise UsageError(
                f"--locale {locale} is not a locale of this project",
                hint=f"choose from: {', '.join(config.locales)}",
            )
    return locales


def _chosen_pivot(config: ProjectConfig, wanted: str | None, locales: Sequence[str]) -> str | None:
    """The ``--pivot`` locale, checked: a translated locale of the project, not under review."""
    if wanted is None:
        return None
    pivot = normalize_locale(wanted)
    if pivot == config.source_locale:
        raise UsageError(
            f"--pivot {pivot} is the source language: the proof shows it already",
            hint=f"choose from: {', '.join(config.locales)}",
        )
    if pivot not in config.locales:
        raise UsageError(
            f"--pivot {pivot} is not a locale of this project",
            hint=f"choose from: {', '.join(config.locales)}",
        )
    if pivot in locales:
        raise UsageError(
            f"--pivot {pivot} is a locale under review",
            hint="review it on its own proof, with another pivot",
        )
    return pivot


def _ui_locale(config: ProjectConfig, options: ProofOptions) -> str | None:
    ui_locale = normalize_locale(options.ui_locale) if options.ui_locale else None
    if ui_locale is not None and ui_locale not in (config.source_locale, *config.locales):
        raise UsageError(
            f"--ui-locale {ui_locale} is not a locale of this project",
            hint=f"choose from: {', '.join((config.source_locale, *config.locales))}",
        )
    return ui_locale


def build_options(options: ProofOptions, **build: object) -> BuildOptions:
    """The build of the proofs ``options`` ask for (``build``: jobs, force, ...)."""
    return BuildOptions(
        cases=options.cases,
        locales=options.locales,
        outputs=("proof",),
        parts=(options,),
        **build,  # type: ignore[arg-type]
    )


# -- the proof output kind ----------------------------------------------------------------------


def _options(options: BuildOptions) -> ProofOptions:
    return options.part(ProofOptions, ProofOptions())


def _plan(ctx: PlanContext) -> Iterator[Target]:
    locales = _chosen_locales(ctx.config, ctx.options.locales)
    _ui_locale(ctx.config, _options(ctx.options))
    _chosen_pivot(ctx.config, _options(ctx.options).pivot, locales)
    for case in ctx.cases:
        for locale in locales:
            yield Target(
                "proof",
                case.id,
                locale,
                name=f"proof:{locale}/{case.id}",
                paths=(proof_relpath(locale, case.id),),
            )


def _theme_paths(rels: Sequence[str]) -> list[str]:
    """The theme files a proof uses: its template, stylesheet and fonts."""
    return [r for r in rels if r.startswith(("proof/", "fonts/")) or r == PROOF_CSS]


def _key(inputs: InputHasher, target: Target) -> list[str]:
    case = inputs.case(target.case)
    options = _options(inputs.options)
    ui = options.ui_locale or target.locale
    lines = [*inputs.case_lines(case), *inputs.catalogs_of(target.locale, case.id)]
    if options.pivot:
        lines += inputs.catalogs_of(normalize_locale(options.pivot), case.id)
    lines += inputs.ui_catalogs_of(ui)
    lines += inputs.theme_lines(_theme_paths(inputs.session.theme_files()))
    # What the options change in a proof; the filters (which proofs) are not part of it.
    lines.append("options " + repr(dataclasses.replace(options, locales=(), cases=())))
    return lines


def _prepare(session: Session, targets: Sequence[Target], options: BuildOptions) -> None:
    config = session.config
    ui_locale = _ui_locale(config, _options(options))
    uses = [(t.locale, t.case) for t in targets]
    for other in (ui_locale, _options(options).pivot):
        if other is not None:
            uses += [(normalize_locale(other), t.case) for t in targets]
    validate_catalogs(session, uses)
    renderer = session.renderer
    with renderer.template_errors(PROOF_TEMPLATE):
        renderer.environment(ui_locale or config.source_locale).get_template(PROOF_TEMPLATE)


def _make(job: Job) -> Made:
    from plainlang.pdf import PdfMetadata

    config = job.config
    target = job.target
    worker = job.worker
    wanted = _options(job.options)
    ui = normalize_locale(wanted.ui_locale) if wanted.ui_locale else target.locale
    pivot = normalize_locale(wanted.pivot) if wanted.pivot else None
    proof = make_proof(
        job.case,
        target.locale,
        config,
        config.locale_info[ui].lang,
        worker.catalogs,
        pivot=pivot,
        ui_locale=ui,
    )
    renderer = worker.renderer
    with renderer.template_errors(PROOF_TEMPLATE):
        html = renderer.environment(ui).get_template(PROOF_TEMPLATE).render(proof=proof)
    metadata = PdfMetadata(
        title=f"{proof.title} ({proof.name(proof.locale)}): review",
        lang=proof.ui_lang,
        author=config.author or config.publisher,
        publisher=config.publisher,
        keywords=("proof", proof.locale.code, proof.case_id),
        date=case_date(job.case),
    )
    laid_out = worker.pdf.layout(html, base_url=config.templates_dir)
    pdf = worker.pdf.finish(laid_out, metadata)
    return Made(
        {target.relpath: pdf},
        pages=laid_out.pages,
        warnings=list(laid_out.messages),
        fields={"rows": dict(proof.counts)},
    )


register_output(
    OutputKind(
        name="proof",
        plan=_plan,
        key=_key,
        make=_make,
        prepare=_prepare,
        description="build/proof/<locale>/<case>-proof.pdf (plainlang proof)",
    )
)
