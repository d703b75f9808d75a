"""TMX 1.4: translation memory exchange with CAT tools (OmegaT, Trados, memoQ, Weblate).

``tm export`` writes one ``<tu>`` per translated entry of a locale's catalogs, the source
in ``srclang`` (the project's source locale) and the translation in the locale, with the
domain and the entry's context as ``<prop>`` notes. ``update --compendium FILE.tmx``
reads such a file back: pairs of (source text, translation). A TMX file comes from
outside the project, so it is read without entity expansion (a DOCTYPE with entities is
refused) and with a size bound.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plainlang.errors import CatalogError, SourceLocation

MAX_TMX_BYTES = 64 * 1024 * 1024
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Unit:
    """One translation unit: a source text, its translation, and where it came from."""

    source: str
    target: str
    domain: str
    context: str | None = None


def _lang(code: str) -> str:
    return code.replace("_", "-")


def tmx_bytes(units: Iterable[Unit], *, source_lang: str, target_lang: str) -> bytes:
    """A TMX 1.4 document (the DTD's element order: header, body of tu, each with tuv/seg)."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "plainlang",
            "creationtoolversion": "1",
            "segtype": "sentence",
            "o-tmf": "PO",
            "adminlang": "en",
            "srclang": _lang(source_lang),
            "datatype": "plaintext",
        },
    )
    body = ET.SubElement(root, "body")
    for unit in units:
        tu = ET.SubElement(body, "tu")
        ET.SubElement(tu, "prop", type="x-domain").text = unit.domain
        if unit.context is not None:
            ET.SubElement(tu, "prop", type="x-context").text = unit.context
        for lang, text in ((source_lang, unit.source), (target_lang, unit.target)):
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: _lang(lang)})
            ET.SubElement(tuv, "seg").text = text
    ET.indent(root)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
    return head + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"


def read_tmx(path: Path, shown: str, *, target_lang: str | None = None) -> list[tuple[str, str]]:
    """(source, translation) pairs of a TMX file: its srclang against ``target_lang``
    (or the one other language of each unit)."""
    try:
        data = path.read_bytes()[: MAX_TMX_BYTES + 1]
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", SourceLocation(shown)) from exc
    if len(data) > MAX_TMX_BYTES:
        raise CatalogError("TMX file larger than 64 MB", SourceLocation(shown))
    if b"<!ENTITY" in data:
        raise CatalogError(
            "TMX file declares XML entities: not read", SourceLocation(shown),
            hint="export it again from the CAT tool, without a custom DTD",
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CatalogError(
            f"not a TMX file: {exc}", SourceLocation(shown, exc.position[0])
        ) from exc
    header = root.find("header")
    if root.tag != "tmx" or header is None:
        raise CatalogError("not a TMX file (no <tmx> with a <header>)", SourceLocation(shown))
    source = (header.get("srclang") or "").lower()
    want = _lang(target_lang).lower() if target_lang else None
    pairs = []
    for tu in root.iter("tu"):
        texts = {
            (tuv.get(_XML_LANG) or tuv.get("lang") or "").lower(): "".join(
                tuv.findtext("seg") or ""
            )
            for tuv in tu.findall("tuv")
        }
        src = texts.pop(source, None)
        if src is None:
            continue
        if want:
            target = texts.get(want)
        else:
            target = next(iter(texts.values())) if len(texts) == 1 else None
        if src and target:
            pairs.append((src, target))
    return pairs


def units_of(catalogs: Sequence[tuple[str, object]]) -> list[Unit]:
    """One unit per translated, non-fuzzy, singular entry of ``(domain, Catalog)`` pairs."""
    from plainlang.po import Catalog

    out = []
    for domain, catalog in catalogs:
        assert isinstance(catalog, Catalog)
        for entry in catalog:
            if entry.translated() and entry.msgid_plural is None and entry.msgid:
                out.append(Unit(entry.msgid, entry.msgstr, domain, entry.msgctxt))
    return out
