"""``plainlang new-case``: a new case file that shows every construct the format has."""

from __future__ import annotations

import re
from pathlib import Path

from plainlang.config import ProjectConfig
from plainlang.content import RESERVED_CASE_IDS
from plainlang.errors import UsageError
from plainlang.fsio import write_text_atomic

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
