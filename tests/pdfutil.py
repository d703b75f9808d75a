"""Read PDFs back for tests: text (normalised), pages, fonts, catalog entries."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    """All text, hyphenation undone and whitespace folded, for "does it say X" asserts."""
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text = text.replace("\u00ad", "")
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)
    return " ".join(text.split())


def page_sizes_mm(path: Path) -> list[tuple[float, float]]:
    reader = PdfReader(str(path))
    return [
        (round(float(p.mediabox.width) * 25.4 / 72, 1), round(float(p.mediabox.height) * 25.4 / 72, 1))
        for p in reader.pages
    ]


def embedded_fonts(path: Path) -> set[str]:
    """Base names of fonts with an embedded font file."""
    reader = PdfReader(str(path))
    names = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(target.get("/BaseFont")))
    return names


def catalog_lang(path: Path) -> str | None:
    root = PdfReader(str(path)).trailer["/Root"]
    lang = root.get("/Lang")
    return str(lang) if lang is not None else None
