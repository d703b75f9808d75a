"""``plainlang check``: translation QA and plain-language checks over a project or PO files.

Checks read; they never write (``--report`` output is the CLI's, under ``build/``).

Plain-language checks run on the source content (diagnostics point at the case file's
line) and on each translation (at the PO entry's ``msgstr`` line), per segment: sentence
length, word length, words to avoid, passive voice. Readability scores are measured per
case and language on the whole text, since the formulas need about 100 words to mean
anything. Quotes are people's own words: they are measured, never flagged.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plainlang.checks.contrast import CONTRAST_CHECKS, check_project_contrast
from plainlang.checks.diagnostics import Diagnostic, Severity
from plainlang.checks.readability import PlainOptions, ReadabilityReport, analyze
from plainlang.checks.translation import (
    CHECKS,
    TranslationOptions,
    catalog_locale,
    check_catalog,
)
from plainlang.config import ProjectConfig
from plainlang.errors import ConfigError, SourceLocation, UsageError, display_path, line_at
from plainlang.fsio import read_project_file
from plainlang.theme import Theme

#: Plain-language check ids, their default severity and what they look for.
PLAIN_CHECKS: Mapping[str, tuple[Severity, str]] = {
    "sentence-length": (Severity.WARNING, "a sentence longer than max_sentence_words"),
    "paragraph-length": (Severity.WARNING, "a paragraph of more than max_paragraph_sentences"),
    "word-length": (Severity.INFO, "a word longer than max_word_chars"),
    "avoid-word": (Severity.WARNING, "a word from the project's avoid list, with its plain twin"),
    "passive-voice": (Severity.INFO, "a passive sentence (en, es; a heuristic)"),
    "readability": (Severity.WARNING, "a case's score below the language's minimum"),
    "unlisted-locale": (Severity.WARNING, "a folder under locales/ that plainlang.toml lacks"),
}
# Kinds whose text is somebody's own words, or too short to judge.
_NOT_JUDGED = {"quote", "attribution", "cell", "alt", "ui"}
_PLAIN_KEYS = {f.name for f in PlainOptions.__dataclass_fields__.values()} - {"avoid_words"}


@dataclass(frozen=True)
class CaseScore:
    """Readability of one case in one language, for the report and the manifest."""

    case: str
    locale: str
    lang: str
    report: ReadabilityReport


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    scores: list[CaseScore] = field(default_factory=list)
    files: int = 0

    def counts(self) -> dict[Severity, int]:
        """How many diagnostics of each severity."""
        return {s: sum(d.severity == s for d in self.diagnostics) for s in Severity}

    def at_or_above(self, severity: Severity) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= severity]


# -- options -----------------------------------------------------------------------------


def translation_options(config: ProjectConfig | None, root: Path) -> TranslationOptions:
    """The ``[checks]`` table as options; fonts default to the leaflet fonts."""
    table = dict(config.checks) if config is not None else {}
    options = TranslationOptions.from_mapping(
        table,
        base_dir=root,
        known_checks=set(CHECKS) | set(PLAIN_CHECKS) | set(CONTRAST_CHECKS),
        locate=config.where if config is not None else None,
    )
    if not options.font_paths:
        fonts = tuple(Theme(root / "templates").font_files())
        options = replace(
            options,
            font_paths=fonts,
            locale_overrides={
                k: replace(v, font_paths=v.font_paths or fonts)
                for k, v in options.locale_overrides.items()
            },
        )
    return options


def plain_options(config: ProjectConfig | None, lang: str, root: Path) -> PlainOptions:
    """``[checks.plain]`` merged with ``[checks.plain.<lang>]``, plus the avoid-word list.

    The avoid list for a language is the theme's ``plain/avoid-<lang>.csv`` (shipped for
    en and es) extended by the project's own ``plain/avoid-<lang>.csv`` (columns
    ``word,plain``; ``[checks.plain] avoid_words_dir`` names another folder): a word in
    both takes the project's plain twin. ``avoid_words_shipped = false`` leaves the
    theme's list out. Types and ranges were checked when plainlang.toml was read
    (``config.SCHEMA``).
    """
    table: Mapping[str, Any] = (config.checks.get("plain", {}) if config is not None else {}) or {}
    values: dict[str, Any] = {}
    for source in (table, table.get(lang, {}) or {}):
        for key, value in source.items():
            if key in _PLAIN_KEYS:
                values[key] = value
    folder = root / str(table.get("avoid_words_dir", "plain"))
    words: dict[str, str] = {}
    shipped = Theme(root / "templates").avoid_words(lang)
    if shipped is not None and table.get("avoid_words_shipped", True) is not False:
        words.update(load_avoid_words(shipped, shipped.parent))
    words.update(load_avoid_words(folder / f"avoid-{lang}.csv", root))
    values["avoid_words"] = words
    return PlainOptions(**values)


#: Largest avoid-word list read: a few thousand rows are a few hundred kilobytes.
MAX_AVOID_LIST_BYTES = 16 * 1024 * 1024


def load_avoid_words(path: Path, root: Path) -> dict[str, str]:
    """``word,plain`` rows (a header row is skipped); a missing file is an empty list.

    Read through :func:`plainlang.fsio.read_project_file`; a file that is not UTF-8 is a
    config error at its file and line.
    """
    shown = display_path(path, root)
    data = read_project_file(
        path, root, max_bytes=MAX_AVOID_LIST_BYTES, error=ConfigError, shown=shown, missing_ok=True
    )
    if data is None:
        return {}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = SourceLocation(shown, line_at(data, exc.start))
        raise ConfigError("not valid UTF-8", where, hint="save it as UTF-8") from exc
    out: dict[str, str] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or row[0].startswith("#") or (number == 1 and row[0].strip() == "word"):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ConfigError(
                "an avoid-word row needs two columns: word,plain",
                SourceLocation(shown, number),
            )
        out[row[0].strip()] = row[1].strip()
    return out


# -- plain-language findings --------------------------------------------------------------


def _plain_diagnostics(
    text: str,
    lang: str,
    options: PlainOptions,
    *,
    path: str,
    line: int | None,
    locale: str | None,
    msgid: str | None,
    severities: Mapping[str, Severity],
    disabled: Iterable[str],
) -> list[Diagnostic]:
    report = analyze(text, lang, options)
    out = []
    for finding in report.findings:
        if finding.check == "readability" or finding.check in disabled:
            continue
        severity = severities.get(finding.check, PLAIN_CHECKS[finding.check][0])
        out.append(
            Diagnostic(
                path=path,
                line=line,
                severity=severity,
                check=finding.check,
                message=finding.message,
                hint=finding.hint,
                locale=locale,
                msgid=msgid,
            )
        )
    return out


def _case_text(texts: Sequence[str]) -> str:
    return "\n\n".join(t for t in texts if t.strip())


def _score_diagnostics(
    score: CaseScore, path: str, severities: Mapping[str, Severity], disabled: Iterable[str]
) -> list[Diagnostic]:
    if "readability" in disabled:
        return []
    return [
        Diagnostic(
            path=path,
            line=None,
            severity=severities.get("readability", PLAIN_CHECKS["readability"][0]),
            check="readability",
            message=f"{score.case}: {finding.message}",
            hint=finding.hint,
            locale=score.locale,
        )
        for finding in score.report.findings
        if finding.check == "readability"
    ]


# -- the runs ------------------------------------------------------------------------------


def _lang(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def _severities(options: TranslationOptions) -> Mapping[str, Severity]:
    return dict(options.severities)


def check_files(paths: Sequence[Path], config: ProjectConfig | None, root: Path) -> CheckResult:
    """Check the given PO files (any gettext catalog): translation and plain-language checks."""
    from plainlang.po import load_po

    options = translation_options(config, root)
    result = CheckResult()
    for path in paths:
        shown = display_path(path, root)
        if not path.is_file():
            raise UsageError(f"{shown}: no such file", hint="pass .po files, or no path at all")
        # As strict as msgfmt --check: a catalog it refuses is one line naming file and line.
        # A catalog inside the project must stay inside it (a link out is refused unread);
        # one named from elsewhere (``check ~/other/es.po``) is read where it is.
        inside = os.path.abspath(path).startswith(os.path.abspath(root) + os.sep)
        po = load_po(path, shown, template=False, root=root if inside else None)
        locale = catalog_locale(po, shown)
        opts = options.for_locale(locale)
        info = config.locale_info.get(locale) if config is not None and locale else None
        if info is not None:
            # A locale that prints its drafts gets them checked like translations.
            opts = replace(opts, include_fuzzy=opts.include_fuzzy or info.use_fuzzy)
        result.files += 1
        result.diagnostics.extend(check_catalog(po, shown, locale, opts))
        if locale:
            result.diagnostics.extend(
                _po_plain(po, shown, locale, plain_options(config, _lang(locale), root), opts)
            )
    return result


def _po_plain(
    po: Any,
    shown: str,
    locale: str,
    options: PlainOptions,
    topts: TranslationOptions,
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for entry in po:
        if not entry.msgid or not entry.msgstr:
            continue
        if entry.fuzzy and not topts.include_fuzzy:
            continue
        kinds = {
            part.strip()
            for line in entry.comments
            if line.startswith("kind:")
            for part in line[5:].split(",")
        }
        if kinds and kinds <= _NOT_JUDGED:
            continue
        line = entry.msgstr_lines.get(None)
        out.extend(
            _plain_diagnostics(
                entry.msgstr,
                _lang(locale),
                options,
                path=shown,
                line=line,
                locale=locale,
                msgid=entry.msgid,
                severities=_severities(topts),
                disabled=topts.disabled,
            )
        )
    return out


def check_project(config: ProjectConfig) -> CheckResult:
    """Every case's source text, and every catalog of every configured locale."""
    from plainlang.catalogs import iter_po_files, load_cases, unlisted_locale_folders
    from plainlang.localize import CatalogSet, Status, localize

    root = config.root
    options = translation_options(config, root)
    result = check_files(list(iter_po_files(config)), config, root)
    for folder in unlisted_locale_folders(config):
        if "unlisted-locale" not in options.disabled:
            result.diagnostics.append(
                Diagnostic(
                    path=display_path(folder, root),
                    line=None,
                    severity=options.severities.get("unlisted-locale", Severity.WARNING),
                    check="unlisted-locale",
                    message="a locale folder plainlang.toml does not list: not checked or built",
                    hint=f'add "{folder.name}" to locales in [project], or remove the folder',
                    locale=folder.name,
                )
            )
    cases = load_cases(config)
    source_lang = _lang(config.source_locale)
    source_plain = plain_options(config, source_lang, root)
    catalogs = CatalogSet(config)
    for case in cases:
        for segment in case.segments():
            if segment.kind in _NOT_JUDGED:
                continue
            result.diagnostics.extend(
                _plain_diagnostics(
                    segment.msgid,
                    source_lang,
                    source_plain,
                    path=case.path,
                    line=segment.line,
                    locale=config.source_locale,
                    msgid=segment.msgid,
                    severities=_severities(options),
                    disabled=options.disabled,
                )
            )
        score = CaseScore(
            case.id,
            config.source_locale,
            source_lang,
            analyze(_case_text([s.msgid for s in case.segments()]), source_lang, source_plain),
        )
        result.scores.append(score)
        result.diagnostics.extend(
            _score_diagnostics(score, case.path, _severities(options), options.disabled)
        )
        for locale in config.locales:
            lc = localize(case, locale, catalogs)
            own = [
                t.text for t in lc.texts.values() if t.status in (Status.TRANSLATED, Status.DRAFT)
            ]
            if not own:
                continue
            lang = _lang(locale)
            score = CaseScore(
                case.id,
                locale,
                lang,
                analyze(_case_text(own), lang, plain_options(config, lang, root)),
            )
            result.scores.append(score)
            po = display_path(root / "locales" / locale / "LC_MESSAGES" / f"{case.id}.po", root)
            result.diagnostics.extend(
                _score_diagnostics(
                    score,
                    po,
                    _severities(options.for_locale(locale)),
                    options.for_locale(locale).disabled,
                )
            )
    if "contrast" not in options.disabled:
        severity = _severities(options).get("contrast", CONTRAST_CHECKS["contrast"][0])
        result.diagnostics.extend(check_project_contrast(config, severity=severity))
    result.diagnostics.sort(key=lambda d: (d.path, d.line or 0, d.check))
    return result


# -- report ---------------------------------------------------------------------------------


def report_markdown(result: CheckResult) -> str:
    """A summary per case and locale: scores, sentence lengths, the worst sentences."""
    lines = ["# plainlang check report", ""]
    counts = result.counts()
    lines.append(
        f"{result.files} catalogs checked: {counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes."
    )
    lines.append("")
    for case in sorted({s.case for s in result.scores}):
        lines += [f"## {case}", ""]
        lines.append("| locale | words | words/sentence | score | band |")
        lines.append("| --- | ---: | ---: | ---: | --- |")
        for score in (s for s in result.scores if s.case == case):
            r = score.report
            value, band = _headline(r)
            row = [score.locale, str(r.counts.words), f"{r.words_per_sentence:.1f}", value, band]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        for score in (s for s in result.scores if s.case == case):
            worst = score.report.worst_sentences
            if worst:
                lines.append(f"Longest sentences ({score.locale}):")
                lines.append("")
                lines.extend(f"- {s.words} words: {s.text}" for s in worst)
                lines.append("")
    problems = [d for d in result.diagnostics if d.severity >= Severity.WARNING]
    if problems:
        lines += ["## Problems", ""]
        lines.extend(f"- `{d.format()}`" for d in problems)
        lines.append("")
    return "\n".join(lines)


def _headline(report: ReadabilityReport) -> tuple[str, str]:
    if report.szigriszt_pazos is not None:
        band = report.inflesz.value if report.inflesz is not None else ""
        return (
            f"Szigriszt-Pazos {report.szigriszt_pazos:.0f}, Fernández-Huerta "
            f"{report.fernandez_huerta:.0f}"
            if report.fernandez_huerta is not None
            else f"{report.szigriszt_pazos:.0f}",
            f"INFLESZ: {band}",
        )
    if report.flesch_reading_ease is not None:
        return f"Flesch {report.flesch_reading_ease:.0f}", ""
    return (
        f"{report.letters_per_word:.1f} letters/word",
        "no validated formula for this language",
    )


def report_html(result: CheckResult) -> str:
    """The Markdown report as a standalone HTML page (text escaped, raw HTML off)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(report_markdown(result))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>plainlang check report</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.4}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem}</style>"
        f"</head><body>\n{body}</body></html>\n"
    )
