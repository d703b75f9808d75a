"""Scaffolds: ``new-case`` (a case that shows every construct the format has),
``new-project`` (a project that builds at once with the shipped theme) and ``theme copy``
(shipped theme files into the project, to edit them).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plainlang.config import ProjectConfig
from plainlang.content import RESERVED_CASE_IDS
from plainlang.errors import UsageError
from plainlang.fsio import write_bytes_atomic, write_text_atomic
from plainlang.theme import Theme

TEMPLATE = """\
---
title: {title}
summary: One or two short sentences that say what the reader can do.
# audiences: [{audiences}]   # optional: only these audiences get this case
# qr: https://example.org/more   # optional: printed as a QR code on the back
# example: true                  # set when the story is an example, not a real person
source: "Source: name where the facts come from."
---
# {title}

One idea per paragraph. Use **bold** for the one thing to remember, and
[links](https://example.org) only where a reader can open them.

## What can I do?

1. Write one short step.
2. Then the next one.

> "A short quote from a real person, in their words."
>
> — Name, place

| Who | How many |
| --- | --- |
| Citizens | 9 |

<!-- translators: a note for the translators of the next paragraph. -->
A paragraph with a note for translators.

::: {first}
Text shown only in the leaflets for this audience.
:::
"""


def new_case(config: ProjectConfig, case_id: str) -> Path:
    """Write ``content/cases/<case_id>.md`` from the template; refuse to overwrite."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", case_id):
        raise UsageError(
            f"case id '{case_id}' must be lower-case letters, digits and '-'",
            hint="for example: plainlang new-case water-project",
        )
    if case_id in RESERVED_CASE_IDS:
        raise UsageError(
            f"'{case_id}' is reserved: it is the domain of the templates' strings",
            hint=f"choose another id, e.g. plainlang new-case {case_id}-guide",
        )
    path = config.content_dir / f"{case_id}.md"
    if path.exists():
        raise UsageError(
            f"{path.relative_to(config.root).as_posix()} already exists",
            hint="choose another id, or edit the file",
        )
    title = case_id.replace("-", " ").capitalize()
    text = TEMPLATE.format(
        title=title, audiences=", ".join(config.audiences), first=config.audiences[0]
    )
    write_text_atomic(path, text)
    return path


# -- plainlang new-project ---------------------------------------------------------------

#: The example case's file name, and the languages it is written in.
EXAMPLE_CASE = "peru-open-government-plan"
EXAMPLES = Path(__file__).parent / "data" / "examples"

GITIGNORE = """\
# Made by plainlang build, preview and proof: make them again any time.
build/
# Compiled catalogs (plainlang compile).
*.mo
# Temp files of plainlang's atomic writes, left only by a killed run.
.*.tmp
"""

CONFIG = """\
# plainlang project: {name}
# Every key is explained here; delete what you do not need. More: the "Config" section
# of plainlang's README, and `plainlang --help`.

[project]
name = "{name}"
# The language the cases in content/cases/ are written in.
source_locale = "{source}"
# The languages you translate into: each gets locales/<locale>/LC_MESSAGES/*.po files
# (plainlang update) and its own leaflets (plainlang build).
locales = [{locales}]
# Who the leaflets are for. The theme has youth, women and municipality; add your own
# with an [audiences.<name>] table (below).
audiences = ["youth", "women", "municipality"]
# Which leaflets to make: trifold (A4, folded in three), flyer (A5, two sides), phone
# (one tall page to share in messaging apps). Add your own with [layouts.<name>].
layouts = ["trifold", "flyer", "phone"]
# Printed on the back of every leaflet and in the PDF's metadata.
# publisher = "Your organisation"
# A web address is printed as a QR code on cases that have none of their own.
# contact = "https://example.org/contact"
{locale_tables}
# -- audiences and layouts -------------------------------------------------------------
# The shipped ones are described in plainlang's theme.toml with these same keys; a table
# here changes the keys it sets, or adds a new one. Labels and texts are ui strings:
# plainlang extract puts them in locales/ui.pot for your translators.
#
# [audiences.elders]
# label = "For elders' councils"           # printed in a band at the top of the cover
# theme = "women"                          # colours: css/theme-<theme>.css
# pictogram = "group"                      # pictograms/<name>.svg
# callout_label = "For your council"       # the label of a ::: elders box in a case
# next_steps_heading = "What can your council do?"
# next_steps = [
#   {{ pictogram = "group", text = "Read this leaflet together." }},
#   {{ pictogram = "question", text = "Choose one question to ask." }},
#   {{ pictogram = "office", text = "Take it to the office together." }},
# ]
# (then add "elders" to audiences above)
#
# [layouts.poster]
# template = "layouts/poster.html.j2"      # your file in templates/, or a shipped one
# stylesheet = "css/poster.css"
# size = "A3"                              # or "297mm 420mm"
# pages = 1                                # more is "too long for poster"
#
# The theme (templates, CSS, fonts, pictograms) ships inside plainlang. To change a file,
# copy it into templates/ and edit the copy: plainlang theme copy css/theme-youth.css
# (plainlang theme list shows every file).

# -- checks ----------------------------------------------------------------------------
# plainlang check: translation QA and plain-language checks. Words to avoid: the theme's
# list for English and Spanish, plus your own in plain/avoid-<lang>.csv (word,plain).
[checks]
# Words that stay the same in every language (names), not reported as untranslated.
same_allow = ["OGP", "Lima"]

[checks.plain]
max_sentence_words = 20
"""

LOCALE_KNOWN = """
[locales.{code}]
# {english} ({name}): CLDR knows its name and plural rule.
# Untranslated text falls back along this chain, then to the source language:
# fallback = ["es"]
# Print draft (fuzzy) translations, marked as drafts, instead of falling back:
# use_fuzzy = true
"""

LOCALE_NO_PLURALS = """
[locales.{code}]
# {english} ({name}): langcodes knows its name; CLDR has no plural rule for it.
# Check this rule ({source}) with a speaker before translators write plurals:
plural_forms = "{rule}"
# name = "{name}"                  # the language's own name, printed on its leaflets
# fallback = ["es"]
# use_fuzzy = true
"""

EXAMPLE_NOTE = """\
# This example is in English: plainlang ships it in English and Spanish only. Rewrite it
# in {name} (your source language), or replace it with a case of your own.
"""


def _locale_table(code: str) -> str:
    """The ``[locales.<code>]`` table for a new project, or a UsageError for an unknown code."""
    from plainlang.config import (
        describe_locale,
        is_locale_code,
        langcodes_names,
        suggested_plural_forms,
    )

    try:
        info = describe_locale(code, {}, location=None)
    except UsageError:
        if not is_locale_code(code):
            raise
        names = langcodes_names(code)
        if names is None:
            raise UsageError(
                f"unknown locale '{code}': neither CLDR nor langcodes knows it",
                hint="check the code (es, qu, ay, pt_BR...); for a language they do not "
                "know, leave it out now and add it to locales with a [locales."
                f"{code}] table (name, english_name, plural_forms)",
            ) from None
        suggested = suggested_plural_forms(code)
        rule, source = suggested or (
            "nplurals=2; plural=(n != 1);",
            "the commonest (one form for 1, another for the rest)",
        )
        return LOCALE_NO_PLURALS.format(
            code=code, name=names[0], english=names[1], rule=rule, source=source
        )
    return LOCALE_KNOWN.format(code=info.code, name=info.name, english=info.english_name)


def _example_case(source: str) -> str:
    from plainlang.config import describe_locale

    language = source.split("_")[0]
    path = EXAMPLES / f"{language}.md"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    text = (EXAMPLES / "en.md").read_text(encoding="utf-8")
    try:
        name = describe_locale(source, {}, location=None).english_name
    except UsageError:
        name = source
    return text.replace("---\n", "---\n" + EXAMPLE_NOTE.format(name=name), 1)


def new_project(
    folder: Path, source_locale: str = "en", locales: Sequence[str] = ()
) -> list[Path]:
    """Write a new project in ``folder`` that builds at once with the shipped theme.

    A commented ``plainlang.toml``, one example case (in the source language when
    plainlang has it, else in English with a note) and a ``.gitignore``. ``folder`` must
    be missing or empty: nothing is ever overwritten. The files are written into a temp
    folder beside it and moved in place, so a failure leaves no half-made project.
    Returns the files written, relative to ``folder``.
    """
    from plainlang.config import normalize_locale

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(
            f"{folder} is not empty",
            hint="choose a new folder: plainlang new-project my-leaflets",
        )
    source = normalize_locale(source_locale)
    targets = [normalize_locale(code) for code in locales]
    if source in targets:
        raise UsageError(
            f"--locale {source} is the source locale",
            hint="list only the languages you translate into",
        )
    if len(set(targets)) != len(targets):
        raise UsageError("a --locale is given twice")
    tables = [_locale_table(code) for code in (source, *targets)]
    name = folder.resolve().name or "leaflets"
    files = {
        "plainlang.toml": CONFIG.format(
            name=name.replace('"', ""),
            source=source,
            locales=", ".join(f'"{code}"' for code in targets),
            locale_tables="".join(tables[1:]),
        ),
        f"content/cases/{EXAMPLE_CASE}.md": _example_case(source),
        ".gitignore": GITIGNORE,
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for rel, text in files.items():
            write_text_atomic(staging / rel, text)
        if folder.exists():
            folder.rmdir()  # empty: checked above
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [Path(rel) for rel in files]


# -- plainlang theme copy ----------------------------------------------------------------


@dataclass(frozen=True)
class ThemeFile:
    """One file of the theme as ``plainlang theme list`` shows it."""

    path: str  # the theme path (css/base.css)
    project_path: str  # where the project's own version is (templates/css/base.css)
    overridden: bool  # the project has its own
    shipped: bool  # the theme ships it (False: the project's own addition)


def theme_files(theme: Theme) -> list[ThemeFile]:
    """Every file of the theme, shipped or the project's own, and who provides it."""
    root = theme.project_root
    shipped = set(theme.shipped_files())
    out = []
    for rel in sorted(shipped | set(theme.files())):
        own = theme.project_path(rel)
        out.append(
            ThemeFile(
                path=rel,
                project_path=own.relative_to(root).as_posix(),
                overridden=own.is_file() and rel in shipped,
                shipped=rel in shipped,
            )
        )
    return out


def copy_theme_files(theme: Theme, paths: Sequence[str], *, force: bool = False) -> list[Path]:
    """Copy shipped theme files (or whole folders of them) into the project to edit them.

    ``css/base.css`` goes to ``templates/css/base.css``; a theme catalog
    (``locales/qu/LC_MESSAGES/ui.po``) to the project's own ``locales/``, where it
    overrides the theme's entry by entry. Every path is checked before anything is
    copied: an unknown path, or a project file that exists already (unless ``force``),
    is a UsageError and nothing is written. Returns the files written.
    """
    shipped = theme.shipped_files()
    chosen: list[str] = []
    for raw in paths:
        rel = raw.strip().strip("/").removeprefix("templates/")
        found = [p for p in shipped if p == rel or p.startswith(rel.rstrip("/") + "/")]
        if not rel or ".." in Path(rel).parts or not found:
            raise UsageError(
                f"{raw} is not a file or folder of the shipped theme",
                hint="plainlang theme list shows every theme file",
            )
        chosen.extend(p for p in found if p not in chosen)
    existing = [p for p in chosen if theme.project_path(p).exists()]
    if existing and not force:
        shown = theme.project_path(existing[0]).relative_to(theme.project_root).as_posix()
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UsageError(
            f"{shown} already exists{more}: nothing copied",
            hint="edit the project's copy, or pass --force to replace it with the shipped one",
        )
    written = []
    for rel in chosen:
        source = theme.shipped(rel)
        assert source is not None
        target = theme.project_path(rel)
        write_bytes_atomic(target, source.read_bytes())
        written.append(target)
    return written
