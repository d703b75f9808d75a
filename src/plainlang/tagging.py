"""PDF/UA structure tree: what WeasyPrint's tags leave out, added after it writes the PDF.

WeasyPrint (``pdf_variant="pdf/ua-1"``) tags every box it draws, and that tree is most of
what PDF/UA asks for. Four things it does not do, which this module adds in one pass over
the finished PDF (pikepdf), led by the laid-out document the PDF was written from:

- *Languages of passages*: it writes the document's ``/Lang`` only. A struct element whose
  HTML element is in another language (``lang``, as WeasyPrint computed it for hyphenation)
  gets its own ``/Lang``, so a screen reader reads a Spanish fallback in a Quechua leaflet
  with a Spanish voice.
- *Decoration*: it tags every inline SVG as a ``/Figure``, with ``/Alt`` only from an SVG
  ``<title>``. A figure the HTML hides from assistive technology (``aria-hidden="true"``,
  ``role="presentation"`` or ``"none"``, on it or an ancestor: the pictograms drawn next
  to the words that say what they mean) becomes an artifact: its marked content is
  re-marked ``/Artifact`` and its struct element (and any wrapper left empty) is removed.
- *Reading order*: its tree follows the pages. A layout whose print imposition is not its
  reading order (the trifold's side one is flap, back, cover) marks its parts with
  ``data-reading-order="N"``; those parts are lifted to the top of the tree and read in the
  order of N, after anything unmarked.
- *Table headers*: a ``/TH`` gets ``/Scope`` (``Row`` for ``scope="row"``, else ``Column``,
  the association WeasyPrint's own ``/Headers`` make), so checkers that look for a scope
  on header cells find one.

The struct elements are matched to the boxes they were made from by walking the layout
exactly as ``weasyprint.pdf.tags`` does (:func:`expected_tree`), checking the structure
type at every step: if a WeasyPrint release builds its tree differently, the build stops
with a :class:`~plainlang.errors.BuildError` rather than write wrong tags.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from plainlang.errors import BuildError

_FIGURE_BDC = re.compile(rb"/Figure\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")

#: Attribute a layout puts on the elements it wants read in another order than printed.
READING_ORDER_ATTR = "data-reading-order"


@dataclass
class Tagged:
    """One struct element as WeasyPrint makes it: its structure type and its box."""

    tag: str
    box: Any  # weasyprint.formatting_structure.boxes.Box
    kids: list[Tagged] = field(default_factory=list)

    @property
    def element(self) -> Any:
        return getattr(self.box, "element", None)


def expected_tree(document: Any) -> list[Tagged]:
    """The children of the PDF's ``/Document`` element, as WeasyPrint builds them.

    A port of ``weasyprint.pdf.tags._build_box_tree`` (WeasyPrint 70) that makes
    :class:`Tagged` nodes instead of PDF objects, child order included (children of a box
    are inserted where the box's list stood before its own children were walked).
    """
    root = Tagged("Document", None)
    for page in document.pages:
        # Appended one by one as the walk yields them, as WeasyPrint does: a nested list
        # relinked to the document while a page is walked goes where WeasyPrint puts it.
        for node in _walk(page._page_box, "Document", root):
            root.kids.append(node)
    return root.kids


def _walk(box: Any, parent_tag: str, parent: Tagged) -> Iterator[Tagged]:
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf.tags import _get_pdf_tag

    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    element_tag = None if box.element is None else box.element_tag
    tag = _get_pdf_tag(element_tag)

    if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
        if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
            for child in box.children:
                yield from _walk(child, parent_tag, parent)
            return
    elif isinstance(box, boxes.MarginBox):
        return  # built by WeasyPrint but not linked into the tree
    elif tag in ("TD", "TH"):
        if parent_tag in ("TD", "TH"):
            tag = "NonStruct"
    elif tag == "LI":
        anonymous_list_element = parent_tag == "LI"
        anonymous_li_child = parent_tag == "LBody"
        dl_item = box.element_tag in ("dt", "dd")
        no_bullet_li = box.element_tag == "li" and (
            "list-item" not in box.style["display"] or box.style["list_style_type"] == "none"
        )
        if anonymous_list_element:
            tag = "LBody"
        elif anonymous_li_child:
            tag = "NonStruct"
        elif dl_item or no_bullet_li:
            wrapper = Tagged("LI", box)
            wrapper.kids.extend(_walk(box, "LI", wrapper))
            yield wrapper
            return

    node = Tagged(tag, box)
    children = list(box.children) if isinstance(box, boxes.ParentBox) else []
    if tag == "Table" and getattr(box, "is_table_wrapper", False):
        table = box.get_wrapped_table()
        if table:
            children = []
            for child in box.children:
                children.extend(child.children if child is table else [child])
    if box.widget_annotation:
        node.kids.append(Tagged("Form", box))
    for child in children:
        grandchildren = child.children if isinstance(child, boxes.LineBox) else [child]
        for kid in grandchildren:
            if isinstance(kid, boxes.TextBox):
                if tag != "Link":
                    node.kids.append(Tagged("Span", kid))
                continue
            # Nested lists hang from the parent list in PDF, from a list item in HTML.
            target = parent if kid.element_tag in ("ul", "ol") and tag == "LI" else node
            index = len(target.kids)
            target.kids[index:index] = list(_walk(kid, target.tag, target))
    yield node


_HINT = "report this with your WeasyPrint version: plainlang's PDF/UA tagging needs updating"


# --------------------------------------------------------------------------- the PDF


def _struct_kids(pdf_elem: Any) -> list[Any]:
    import pikepdf

    kids = pdf_elem.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _mcids(pdf_elem: Any) -> list[int]:
    import pikepdf

    kids = pdf_elem.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
    return [int(k) for k in items if not isinstance(k, pikepdf.Dictionary)]


def _hidden(element: Any) -> bool:
    if element is None:
        return False
    return element.get("aria-hidden") == "true" or element.get("role") in ("presentation", "none")


@dataclass
class _Plan:
    artifacts: list[Any] = field(default_factory=list)  # pdf struct elements
    ordered: list[tuple[int, int, Any]] = field(default_factory=list)  # (order, seq, elem)


def retag(pdf_bytes: bytes, document: Any) -> bytes:
    """``pdf_bytes`` (written by WeasyPrint from ``document``) with the fixes above."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return pdf_bytes
        doc_elems = _struct_kids(root)
        if len(doc_elems) != 1 or doc_elems[0].get("/S") != "/Document":
            raise BuildError("the PDF's structure tree has no single /Document", hint=_HINT)
        doc_elem = doc_elems[0]
        lang = str(pdf.Root.get("/Lang", ""))
        plan = _Plan()
        _match(doc_elem, expected_tree(document), lang, False, plan)
        if plan.artifacts:
            _make_artifacts(pdf, plan.artifacts)
        if plan.ordered:
            _reorder(doc_elem, plan.ordered)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _match(pdf_elem: Any, nodes: list[Tagged], lang: str, hidden: bool, plan: _Plan) -> None:
    import pikepdf

    kids = _struct_kids(pdf_elem)
    if len(kids) != len(nodes) or any(
        str(k.get("/S")) != f"/{n.tag}" for k, n in zip(kids, nodes, strict=False)
    ):
        raise BuildError(
            f"the PDF's structure tree does not follow the layout under {pdf_elem.get('/S')}: "
            f"{[str(k.get('/S')) for k in kids]} where {[n.tag for n in nodes]} were laid out",
            hint=_HINT,
        )
    for kid, node in zip(kids, nodes, strict=True):
        element = node.element
        kid_hidden = hidden or _hidden(element)
        kid_lang = lang
        style_lang = node.box.style["lang"]
        if style_lang and style_lang != lang:
            kid["/Lang"] = pikepdf.String(style_lang)
            kid_lang = style_lang
        if node.tag == "Figure" and kid_hidden:
            plan.artifacts.append(kid)
            continue
        if node.tag == "TH" and element is not None:
            scope = "/Row" if element.get("scope") in ("row", "rowgroup") else "/Column"
            attributes = kid.get("/A")
            if isinstance(attributes, pikepdf.Dictionary):
                attributes["/Scope"] = pikepdf.Name(scope)
            else:
                kid["/A"] = pikepdf.Dictionary(O=pikepdf.Name("/Table"), Scope=pikepdf.Name(scope))
        order = element.get(READING_ORDER_ATTR) if element is not None else None
        if order is not None and node.tag != "Span":
            try:
                rank = int(order)
            except ValueError as exc:
                raise BuildError(
                    f"{READING_ORDER_ATTR}={order!r} is not a whole number",
                    hint="number a layout's parts 1, 2, 3 in the order they are read",
                ) from exc
            plan.ordered.append((rank, len(plan.ordered), kid))
        _match(kid, node.kids, kid_lang, kid_hidden, plan)


def _make_artifacts(pdf: Any, figures: list[Any]) -> None:
    """Re-mark each figure's content as an artifact and take it out of the tree."""
    import pikepdf

    by_page: dict[int, set[int]] = {}
    page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    for figure in figures:
        page = figure.get("/Pg")
        if page is None:
            raise BuildError("a decorative figure with no page", hint=_HINT)
        by_page.setdefault(page_index[page.objgen], set()).update(_mcids(figure))
    parent_tree = _parent_tree_arrays(pdf)
    for index, mcids in by_page.items():
        page = pdf.pages[index]
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        found: set[int] = set()

        def artifact(
            match: re.Match[bytes], mcids: set[int] = mcids, found: set[int] = found
        ) -> bytes:
            mcid = int(match.group(1))
            if mcid not in mcids:
                return match.group(0)
            found.add(mcid)
            return b"/Artifact BMC"

        for stream in streams:
            # WeasyPrint writes each figure's marked content as `/Figure <</MCID n>> BDC`
            # and its text as hex strings, so the operator is found in the bytes (parsing
            # every operator of a long page with pikepdf took ten times as long).
            stream.write(_FIGURE_BDC.sub(artifact, stream.read_bytes()))
        if found != mcids:
            raise BuildError(
                f"no marked content for figures {sorted(mcids - found)} on page {index + 1}",
                hint=_HINT,
            )
        struct_parents = page.obj.get("/StructParents")
        numbers = parent_tree.get(int(struct_parents)) if struct_parents is not None else None
        if numbers is not None:
            for mcid in mcids:
                if mcid < len(numbers):
                    numbers[mcid] = None
    for figure in figures:
        _detach(figure, prune=True)


def _parent_tree_arrays(pdf: Any) -> dict[int, Any]:
    """The ``/ParentTree`` arrays of pages by their ``/StructParents`` key (a flat tree)."""
    import pikepdf

    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    nums = tree.get("/Nums") if tree is not None else None
    out: dict[int, Any] = {}
    if nums is None:
        return out
    for i in range(0, len(nums) - 1, 2):
        if isinstance(nums[i + 1], pikepdf.Array):
            out[int(nums[i])] = nums[i + 1]
    return out


def _detach(elem: Any, prune: bool) -> None:
    """Take ``elem`` out of its parent's kids; with ``prune``, an emptied parent goes too."""
    import pikepdf

    parent = elem.get("/P")
    if parent is None:
        return
    kids = parent.get("/K")
    if isinstance(kids, pikepdf.Array):
        kept = [
            k for k in kids if not (isinstance(k, pikepdf.Dictionary) and k.objgen == elem.objgen)
        ]
        parent.K = pikepdf.Array(kept)
        if prune and not kept and parent.get("/S") != "/Document":
            _detach(parent, prune=True)
    elif isinstance(kids, pikepdf.Dictionary) and kids.objgen == elem.objgen:
        del parent["/K"]
        if prune and parent.get("/S") != "/Document":
            _detach(parent, prune=True)


def _reorder(doc_elem: Any, ordered: list[tuple[int, int, Any]]) -> None:
    """Lift the marked parts to the top of the tree, after the rest, in their order."""
    import pikepdf

    moved = {elem.objgen for _, _, elem in ordered}
    for _, _, elem in ordered:
        # An ancestor may itself be marked: only the outermost marked part moves.
        ancestor = elem.get("/P")
        nested = False
        while ancestor is not None and ancestor.get("/S") != "/Document":
            if ancestor.objgen in moved:
                nested = True
                break
            ancestor = ancestor.get("/P")
        if nested:
            moved.discard(elem.objgen)
    parts = [elem for _, _, elem in sorted(ordered) if elem.objgen in moved]
    for elem in parts:
        _detach(elem, prune=True)
    rest = [k for k in _struct_kids(doc_elem)]
    for elem in parts:
        elem["/P"] = doc_elem
    doc_elem.K = pikepdf.Array([*rest, *parts])
