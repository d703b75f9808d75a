"""The one shape every check reports in: compiler-style diagnostics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(frozen=True)
class Diagnostic:
    """One finding: ``path:line: severity[check]: message (hint)``."""

    path: str
    line: int | None
    severity: Severity
    check: str
    message: str
    hint: str | None = None
    locale: str | None = None
    msgid: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.severity}[{self.check}]: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data
