"""Errors that point at the line.

Every error a user can cause is a :class:`PlainlangError` carrying a
:class:`SourceLocation` (1-based) and a hint. The CLI prints it as one line,
``path:line: category: message (hint)``, and exits with its ``exit_code``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceLocation:
    """A place in a file, 1-based, printed as ``path:line[:col]``.

    >>> str(SourceLocation("content/cases/a.md", 3))
    'content/cases/a.md:3'
    """

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


class PlainlangError(Exception):
    """Base of every error a user can cause: bad input or bad usage (exit code 2)."""

    category = "error"
    exit_code = 2

    def __init__(
        self, message: str, location: SourceLocation | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def format(self) -> str:
        """One line for the user: ``path:line: category: message (hint)``."""
        text = f"{self.category}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.location is not None:
            text = f"{self.location}: {text}"
        return text

    def __str__(self) -> str:
        return self.format()


class ConfigError(PlainlangError):
    category = "config error"


class ContentError(PlainlangError):
    category = "content error"


class CatalogError(PlainlangError):
    category = "catalog error"


class TemplateError(PlainlangError):
    category = "template error"


class UsageError(PlainlangError):
    category = "usage error"


class OutputError(PlainlangError):
    """A file could not be written (read-only folder, full disk, a folder in the way).

    Nothing is half-written: writes are atomic (see :mod:`plainlang.fsio`).
    """

    category = "write error"


class BuildError(PlainlangError):
    """A leaflet could not be made (overflow, render failure): a gate, exit code 1."""

    category = "build error"
    exit_code = 1


def line_at(data: bytes, offset: int) -> int:
    """The 1-based line of byte ``offset`` in ``data`` (for decode errors and the like).

    >>> line_at(b"a\\nb", 2)
    2
    """
    return data[:offset].count(b"\n") + 1


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as the user should see it: relative to ``root`` when inside it.

    Where it is written comes first (a link inside the project that leads out is shown
    by its place in the project, never by where it leads), then where it resolves to.
    """
    p = Path(path)
    if root is not None:
        for inner, outer in (
            (Path(os.path.abspath(p)), Path(os.path.abspath(root))),
            (p.resolve(), root.resolve()),
        ):
            try:
                return inner.relative_to(outer).as_posix()
            except ValueError:
                pass
    return str(p)
