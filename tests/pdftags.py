"""Read a PDF's structure tree back for tests: pikepdf for the tree, pdfium for the text.

Two readers that plainlang's tagging does not use to write: pikepdf walks the struct
elements (type, own and inherited ``/Lang``, ``/Alt``, marked-content ids); pdfium (which
browsers use to show PDFs) says which text and where each marked-content id draws.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw


@dataclass
class Elem:
    """One struct element."""

    s: str  # structure type without the slash: "P", "Figure"
    lang: str  # inherited language (the element's own /Lang, else its parent's)
    own_lang: str | None
    alt: str | None
    mcids: list[tuple[int, int]] = field(default_factory=list)  # (page index, mcid)
    kids: list[Elem] = field(default_factory=list)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def all_mcids(self) -> list[tuple[int, int]]:
        """This element's marked content and its descendants', in tree order."""
        return [m for e in self.walk() for m in e.mcids]


@dataclass(frozen=True)
class Run:
    """What one marked-content id draws: its text and its box (PDF points, origin bottom left)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass
class Tagged:
    path: Path
    lang: str
    document: Elem
    runs: dict[tuple[int, int], Run]
    page_sizes: list[tuple[float, float]]
    content: list[bytes]  # decoded content streams, one a page

    def text_of(self, elem: Elem) -> str:
        return " ".join(self.runs[m].text for m in elem.all_mcids() if m in self.runs)

    def elements(self, s: str) -> list[Elem]:
        return [e for e in self.document.walk() if e.s == s]


def read_tags(path: Path) -> Tagged:
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        lang = str(pdf.Root.get("/Lang", ""))
        root = pdf.Root.StructTreeRoot
        kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
        assert len(kids) == 1
        document = _elem(kids[0], lang, pages, None)
        sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
        content = [_content(page) for page in pdf.pages]
    return Tagged(path, lang, document, _runs(path), sizes, content)


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(s.read_bytes() for s in streams)


def _elem(obj: pikepdf.Dictionary, lang: str, pages: dict, page: int | None) -> Elem:
    own = str(obj["/Lang"]) if "/Lang" in obj else None
    if "/Pg" in obj:
        page = pages[obj.Pg.objgen]
    elem = Elem(
        s=str(obj.S)[1:],
        lang=own or lang,
        own_lang=own,
        alt=str(obj.Alt) if "/Alt" in obj else None,
    )
    k = obj.get("/K")
    items = list(k) if isinstance(k, pikepdf.Array) else ([] if k is None else [k])
    for item in items:
        if isinstance(item, pikepdf.Dictionary):
            if "/S" in item:
                elem.kids.append(_elem(item, elem.lang, pages, page))
            elif item.get("/Type") == "/MCR":
                elem.mcids.append((pages[item.Pg.objgen] if "/Pg" in item else page, int(item.MCID)))
        else:
            assert page is not None
            elem.mcids.append((page, int(item)))
    return elem


def _runs(path: Path) -> dict[tuple[int, int], Run]:
    """Text and bounds of every marked-content id that draws text (pdfium)."""
    runs: dict[tuple[int, int], Run] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            for obj in page.get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_TEXT,), max_depth=20):
                mcid = pdfium_raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                if mcid < 0:
                    continue
                size = pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buf = ctypes.create_string_buffer(size)
                pdfium_raw.FPDFTextObj_GetText(
                    obj.raw, textpage.raw, ctypes.cast(buf, ctypes.POINTER(pdfium_raw.FPDF_WCHAR)), size
                )
                text = buf.raw[: max(size - 2, 0)].decode("utf-16-le")
                left, bottom, right, top = obj.get_bounds()
                old = runs.get((index, mcid))
                if old is not None:  # one marked run drawn as several text objects
                    text = old.text + text
                    left, bottom = min(left, old.left), min(bottom, old.bottom)
                    right, top = max(right, old.right), max(top, old.top)
                runs[(index, mcid)] = Run(text, left, bottom, right, top)
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return runs


def letters(text: str) -> str:
    """Only the letters and digits, lower-cased: line breaks, hyphens and spaces gone."""
    return re.sub(r"[\W_]+", "", text.replace("\u00ad", "")).casefold()
