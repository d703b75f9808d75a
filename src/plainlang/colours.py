"""Colour arithmetic shared by the contrast check and the greyscale print: one formula each.

- :func:`contrast_ratio` is WCAG 2.x's: relative luminance of linearised sRGB
  (0.2126 R + 0.7152 G + 0.0722 B), then (L1 + 0.05) / (L2 + 0.05).
- :func:`luma` is what a photocopier or a greyscale print driver makes of a colour:
  Rec. 601 luma of the gamma-encoded values (0.299 R' + 0.587 G' + 0.114 B'), the formula
  of Pillow's ``convert("L")`` too. The ``mono`` print profile turns every colour into
  ``luma(colour)`` grey, and ``plainlang check`` measures every pair in that grey as well,
  so what the check says is what the greyscale PDF prints.

Colours are ``(r, g, b)`` floats in 0..1 (sRGB). CSS colours are read by tinycss2, the
parser WeasyPrint itself uses, so the check and the renderer agree on what ``#a1004d`` or
``rgb(10 20 30)`` is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RGB = tuple[float, float, float]

WHITE: RGB = (1.0, 1.0, 1.0)


def parse_css_colour(value: str | Sequence[Any]) -> tuple[RGB, float] | None:
    """The sRGB colour and alpha of a CSS colour (text, or tinycss2 tokens), else ``None``.

    ``None`` for what is not a colour (``var(...)``, ``currentColor``, ``inherit``).

    >>> parse_css_colour("#fff")
    ((1.0, 1.0, 1.0), 1.0)
    """
    import tinycss2.color4

    one: Any = value
    if not isinstance(value, str):
        tokens = [t for t in value if getattr(t, "type", None) not in ("whitespace", "comment")]
        if len(tokens) != 1:
            return None
        one = tokens[0]
    try:
        colour = tinycss2.color4.parse_color(one)
    except (TypeError, ValueError, AttributeError):
        return None
    if colour is None or isinstance(colour, str):  # "currentcolor"
        return None
    alpha = float(colour.alpha)
    # tinycss2 converts to sRGB only from the sRGB family (hex, rgb, hsl, hwb); the CIE
    # spaces go through its XYZ, then the one XYZ -> sRGB conversion below.
    if colour.space in ("lab", "lch"):
        return xyz_to_srgb(colour.to("xyz-d50").coordinates, D50), alpha
    if colour.space in ("oklab", "oklch"):
        return xyz_to_srgb(colour.to("xyz-d65").coordinates, D65), alpha
    if colour.space in ("xyz-d50", "xyz-d65", "xyz"):
        white = D50 if colour.space == "xyz-d50" else D65
        return xyz_to_srgb(colour.coordinates, white), alpha
    try:
        srgb = colour.to("srgb")
    except NotImplementedError:  # display-p3, rec2020...: not used by any theme
        return None
    r, g, b = (min(1.0, max(0.0, float(c))) for c in srgb.coordinates)
    return (r, g, b), alpha


#: Reference whites (XYZ, Y = 1): D50 for CIE Lab (CSS and PDF default), D65 for sRGB.
D50 = (0.96422, 1.0, 0.82521)
D65 = (0.95047, 1.0, 1.08883)
_BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))
_BRADFORD_INV = (
    (0.9869929, -0.1470543, 0.1599627),
    (0.4323053, 0.5183603, 0.0492912),
    (-0.0085287, 0.0400428, 0.9684867),
)
_XYZ_TO_LINEAR_SRGB = (
    (3.2404542, -1.5371385, -0.4985314),
    (-0.9692660, 1.8760108, 0.0415560),
    (0.0556434, -0.2040259, 1.0572252),
)


def _mul(m: tuple[tuple[float, float, float], ...], v: Sequence[float]) -> tuple[float, ...]:
    return tuple(row[0] * v[0] + row[1] * v[1] + row[2] * v[2] for row in m)


def xyz_to_srgb(xyz: Sequence[float], white: Sequence[float] = D65) -> RGB:
    """CIE XYZ relative to ``white`` (adapted to D65 by Bradford) to sRGB, clipped to 0..1."""
    if tuple(white) != D65:
        cone, src, dst = _mul(_BRADFORD, xyz), _mul(_BRADFORD, white), _mul(_BRADFORD, D65)
        xyz = _mul(_BRADFORD_INV, [c * d / s for c, s, d in zip(cone, src, dst, strict=True)])
    linear = _mul(_XYZ_TO_LINEAR_SRGB, xyz)

    def encode(c: float) -> float:
        c = min(1.0, max(0.0, c))
        return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055

    r, g, b = (encode(c) for c in linear)
    return (r, g, b)


def lab_to_srgb(lab: Sequence[float], white: Sequence[float] = D50) -> RGB:
    """CIE L*a*b* (L 0..100) relative to ``white`` to sRGB."""

    def f_inv(t: float) -> float:
        return t**3 if t > 6 / 29 else 3 * (6 / 29) ** 2 * (t - 4 / 29)

    lightness, a, b = lab[0], lab[1], lab[2]
    fy = (lightness + 16) / 116
    xyz = (white[0] * f_inv(fy + a / 500), white[1] * f_inv(fy), white[2] * f_inv(fy - b / 200))
    return xyz_to_srgb(xyz, white)


def hex_colour(rgb: RGB) -> str:
    """``#rrggbb`` of ``rgb``.

    >>> hex_colour((1.0, 0.0, 0.5))
    '#ff0080'
    """
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: RGB, background: RGB) -> float:
    """WCAG 2.x contrast ratio, 1 to 21.

    >>> round(contrast_ratio((0.0, 0.0, 0.0), WHITE), 1)
    21.0
    """
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def luma(rgb: RGB) -> float:
    """Rec. 601 luma of gamma-encoded sRGB: the grey a colour prints as in greyscale."""
    r, g, b = rgb
    return 0.299 * r + 0.587 * g + 0.114 * b


def grey(rgb: RGB) -> RGB:
    """The colour as a greyscale print shows it: ``luma`` in every channel."""
    y = luma(rgb)
    return (y, y, y)


def over(rgb: RGB, alpha: float, background: RGB) -> RGB:
    """``rgb`` at ``alpha`` painted over ``background`` (what the eye sees)."""
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(rgb, background, strict=True))  # type: ignore[return-value]
