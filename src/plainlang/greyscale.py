"""Make a PDF greyscale, every colour of it: the one boundary where the ``mono`` print is made.

Why here, in the finished PDF, and not only in CSS: the mono stylesheet redraws the theme
(its colours are custom properties), but CSS cannot reach everything that paints colour.
WeasyPrint draws inline SVG pictograms with the colours written into the SVG (the
``palette`` of ``macros.html.j2``), photos in a case are images, and a project's own
templates may paint colours of their own. Rewriting the PDF's colour operators catches all
of them, whatever the templates say, so a greyscale print is greyscale by construction, and
the mono stylesheet is left to do what only it can: choose greys that keep 7:1 contrast.

Every colour becomes its :func:`plainlang.colours.luma` grey (Rec. 601, what a photocopier
makes of it) in DeviceGray, so the contrast check measures exactly what prints:

- ``rg``/``RG``/``k``/``K`` become ``g``/``G``; a ``cs``/``CS`` colour space (device, Cal,
  ICC-based, Lab) becomes DeviceGray and its ``sc``/``scn`` operands one grey;
- images are decoded (pikepdf/Pillow), turned grey with the same formula, stored as 8-bit
  DeviceGray (Flate); stencil masks and soft masks carry no colour and stay;
- Form XObjects, tiling patterns and annotation appearances are rewritten the same way;
  axial and radial shadings (CSS gradients) get grey end colours;
- what cannot be turned grey faithfully (separations, sampled functions, mesh shadings,
  inline colour images) is a BuildError naming the page, never a silent colour left over.

Soft masks (``/SMask`` groups of an ExtGState) are left alone: they say how opaque paint
is, not what colour it has.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plainlang.colours import D65, RGB, lab_to_srgb, luma
from plainlang.errors import BuildError

Convert = Callable[[list[float]], RGB]

class GreyscaleError(BuildError):
    """Something in the PDF that cannot be printed in grey faithfully."""


def greyscale_pdf(pdf: Any) -> None:
    """Turn every colour of ``pdf`` (an open ``pikepdf.Pdf``) into grey, in place."""
    walker = _Walker(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        walker.page = number
        walker.stream(page.obj, page.obj.get("/Resources"))
        for annot in page.obj.get("/Annots", []):
            appearance = annot.get("/AP")
            if appearance is not None:
                walker.appearance(appearance)


# --------------------------------------------------------------------------- colour spaces


def _rgb(values: list[float]) -> RGB:
    r, g, b = (min(1.0, max(0.0, v)) for v in values[:3])
    return (r, g, b)


def _cmyk(values: list[float]) -> RGB:
    # The naive conversion a print driver without a profile uses.
    c, m, y, k = (min(1.0, max(0.0, v)) for v in values[:4])
    return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))


def _gray(values: list[float]) -> RGB:
    v = min(1.0, max(0.0, values[0]))
    return (v, v, v)


def _lab(white: tuple[float, float, float]) -> Convert:
    return lambda values: lab_to_srgb(values, white)


def _space(space: Any, resources: Any) -> Convert | str | None:
    """How to read colours of ``space``: a converter, ``"pattern"``, or ``None`` (grey already)."""
    import pikepdf

    if isinstance(space, pikepdf.Name):
        name = str(space)
        builtin = {"/DeviceRGB": _rgb, "/DeviceCMYK": _cmyk, "/DeviceGray": None,
                   "/Pattern": "pattern", "/G": None, "/RGB": _rgb, "/CMYK": _cmyk}
        if name in builtin:
            return builtin[name]
        named = resources.get("/ColorSpace", {}).get(name) if resources is not None else None
        if named is None:
            raise GreyscaleError(f"colour space {name} is not in the page's resources")
        return _space(named, resources)
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = str(space[0])
        if family in ("/CalRGB",):
            return _rgb
        if family == "/CalGray":
            return None
        if family == "/Lab":
            white = tuple(float(v) for v in space[1].get("/WhitePoint", D65))
            return _lab((white[0], white[1], white[2]))
        if family == "/ICCBased":
            n = int(space[1].get("/N", 3))
            return {1: None, 3: _rgb, 4: _cmyk}.get(n, _rgb)
        if family == "/Pattern":
            return "pattern"
        raise GreyscaleError(f"a {family[1:]} colour space cannot be printed in grey faithfully")
    raise GreyscaleError(f"unreadable colour space {space!r}")


# --------------------------------------------------------------------------- the walk


@dataclass
class _State:
    fill: Convert | str | None = None
    stroke: Convert | str | None = None


@dataclass
class _Walker:
    pdf: Any
    page: int = 0
    done: set[tuple[int, int]] = field(default_factory=set)

    def _first(self, obj: Any) -> bool:
        if not obj.is_indirect:
            return True
        key = obj.objgen
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def error(self, exc: GreyscaleError) -> GreyscaleError:
        return GreyscaleError(
            f"page {self.page} cannot be printed in greyscale: {exc.message}",
            hint="use plain CSS colours, gradients and RGB/grey images in the theme",
        )

    def stream(self, owner: Any, resources: Any) -> None:
        """Rewrite the content of a page or form (``owner``) and what its resources draw."""
        import pikepdf

        if not self._first(owner):
            return
        try:
            ops = pikepdf.parse_content_stream(owner)
            rewritten = self.operators(ops, resources)
        except GreyscaleError as exc:
            raise self.error(exc) from exc
        data = pikepdf.unparse_content_stream(rewritten)
        if owner.get("/Type") == pikepdf.Name.Page:
            owner.Contents = self.pdf.make_stream(data)
        else:
            owner.write(data)
        self.resources(resources)

    def appearance(self, appearance: Any) -> None:
        import pikepdf

        for key in ("/N", "/R", "/D"):
            entry = appearance.get(key)
            if isinstance(entry, pikepdf.Stream):
                self.stream(entry, entry.get("/Resources"))
            elif isinstance(entry, pikepdf.Dictionary):
                for state in entry.values():
                    if isinstance(state, pikepdf.Stream):
                        self.stream(state, state.get("/Resources"))

    def resources(self, resources: Any) -> None:
        import pikepdf

        if resources is None:
            return
        try:
            for xobject in resources.get("/XObject", {}).values():
                subtype = xobject.get("/Subtype")
                if subtype == pikepdf.Name.Form:
                    self.stream(xobject, xobject.get("/Resources", resources))
                elif subtype == pikepdf.Name.Image and self._first(xobject):
                    _grey_image(xobject)
            for pattern in resources.get("/Pattern", {}).values():
                if int(pattern.get("/PatternType", 0)) == 1:
                    self.stream(pattern, pattern.get("/Resources"))
                elif "/Shading" in pattern and self._first(pattern.Shading):
                    _grey_shading(pattern.Shading, resources)
            for shading in resources.get("/Shading", {}).values():
                if self._first(shading):
                    _grey_shading(shading, resources)
        except GreyscaleError as exc:
            raise self.error(exc) from exc

    def operators(self, ops: list[Any], resources: Any) -> list[Any]:
        import pikepdf

        out: list[Any] = []
        state = _State()
        saved: list[_State] = []
        for operands, operator in ops:
            op = str(operator)
            if op == "q":
                saved.append(_State(state.fill, state.stroke))
            elif op == "Q" and saved:
                state = saved.pop()
            if op in ("rg", "RG", "k", "K"):
                convert = _rgb if op in ("rg", "RG") else _cmyk
                out.append(_grey_op(convert, operands, "g" if op.islower() else "G"))
            elif op in ("cs", "CS"):
                space = _space(operands[0], resources)
                if op == "cs":
                    state.fill = space
                else:
                    state.stroke = space
                if callable(space):
                    out.append(([pikepdf.Name.DeviceGray], pikepdf.Operator(op)))
                else:
                    out.append((operands, operator))
            elif op in ("sc", "scn", "SC", "SCN"):
                space = state.fill if op.islower() else state.stroke
                if callable(space):
                    out.append(([_grey_value(space, operands)], pikepdf.Operator(op)))
                else:
                    out.append((operands, operator))
            elif op == "INLINE IMAGE":
                if not _inline_is_grey(operands[0]):
                    raise GreyscaleError("an inline colour image")
                out.append((operands, operator))
            else:
                out.append((operands, operator))
        return out


def _grey_value(convert: Convert, operands: list[Any]) -> float:
    return round(luma(convert([float(v) for v in operands])), 4)


def _grey_op(convert: Convert, operands: list[Any], op: str) -> tuple[list[Any], Any]:
    import pikepdf

    return ([_grey_value(convert, operands)], pikepdf.Operator(op))


def _inline_is_grey(image: Any) -> bool:
    try:
        space = str(image.obj.get("/CS", image.obj.get("/ColorSpace", "/DeviceGray")))
    except AttributeError:
        return False
    return space in ("/G", "/DeviceGray") or bool(image.obj.get("/IM", False))


def _grey_image(image: Any) -> None:
    import pikepdf
    from pikepdf import PdfImage

    if bool(image.get("/ImageMask", False)):
        return  # a stencil: painted in the current (already grey) fill colour
    space = image.get("/ColorSpace")
    if space is not None and _space(space, None) is None:
        return
    if isinstance(image.get("/Mask"), pikepdf.Array):
        raise GreyscaleError("an image with a colour-key mask")
    try:
        picture = PdfImage(image).as_pil_image()
    except Exception as exc:  # pikepdf raises several kinds for images it cannot decode
        raise GreyscaleError(f"an image pikepdf cannot decode ({exc})") from exc
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    grey_picture = picture.convert("L")  # Rec. 601 luma, the formula of colours.luma
    image.write(zlib.compress(grey_picture.tobytes()), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceGray
    image.BitsPerComponent = 8
    image.Width, image.Height = grey_picture.size
    for key in ("/Decode", "/DecodeParms", "/SMaskInData", "/Intent"):
        if key in image:
            del image[key]


def _grey_shading(shading: Any, resources: Any) -> None:
    import pikepdf

    kind = int(shading.get("/ShadingType", 0))
    convert = _space(shading.ColorSpace, resources)
    if convert is None:
        return
    if not callable(convert) or kind not in (1, 2, 3):
        raise GreyscaleError("a mesh or pattern shading")
    shading.Function = _grey_function(shading.Function, convert)
    if "/Background" in shading:
        shading.Background = pikepdf.Array([luma(convert([float(v) for v in shading.Background]))])
    shading.ColorSpace = pikepdf.Name.DeviceGray


def _grey_function(function: Any, convert: Convert) -> Any:
    import pikepdf

    if isinstance(function, pikepdf.Array):
        if len(function) == 1:
            return _grey_function(function[0], convert)
        raise GreyscaleError("a shading with one function per colour channel")
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        c0 = [float(v) for v in function.get("/C0", [0.0])]
        c1 = [float(v) for v in function.get("/C1", [1.0])]
        function.C0 = pikepdf.Array([round(luma(convert(c0)), 4)])
        function.C1 = pikepdf.Array([round(luma(convert(c1)), 4)])
        if "/Range" in function:
            del function["/Range"]
        return function
    if kind == 3:
        function.Functions = pikepdf.Array(
            [_grey_function(part, convert) for part in function.Functions]
        )
        if "/Range" in function:
            del function["/Range"]
        return function
    raise GreyscaleError(f"a shading with a type {kind} function")
