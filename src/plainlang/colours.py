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

from typing import Any

RGB = tuple[float, float, float]

WHITE: RGB = (1.0, 1.0, 1.0)


def parse_css_colour(value: str | list[Any]) -> tuple[RGB, float] | None:
    """The sRGB colour and alpha of a CSS colour (text or tinycss2 tokens), else ``None``.

    ``None`` for what is not a colour (``var(...)``, ``currentColor``, ``inherit``).

    >>> parse_css_colour("#fff")
    ((1.0, 1.0, 1.0), 1.0)
    """
    import tinycss2.color4

    try:
        colour = tinycss2.color4.parse_color(value)
    except (TypeError, ValueError):
        return None
    if colour is None or isinstance(colour, str):  # "currentcolor"
        return None
    srgb = colour.to("srgb")
    r, g, b = (min(1.0, max(0.0, float(c))) for c in srgb.coordinates)
    return (r, g, b), float(srgb.alpha)


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
