"""Colour arithmetic against outside references: WCAG's published figures, Pillow, LittleCMS."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from plainlang.colours import contrast_ratio, hex_colour, lab_to_srgb, luma, parse_css_colour


def _rgb(text: str) -> tuple[float, float, float]:
    parsed = parse_css_colour(text)
    assert parsed is not None
    return parsed[0]


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#000", "#fff", 21.0),
        ("#767676", "#fff", 4.54),  # the lightest grey that passes AA on white (WebAIM)
        ("#777777", "#ffffff", 4.48),  # and the first that fails
        ("#595959", "#fff", 7.0),  # AAA
        ("white", "rgb(29 53 87)", 12.4),  # theme-municipality.css states 12.4:1
    ],
)
def test_contrast_ratio_matches_published_figures(fg: str, bg: str, ratio: float) -> None:
    assert round(contrast_ratio(_rgb(fg), _rgb(bg)), 2) == pytest.approx(ratio, abs=0.05)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_luma_is_what_pillow_makes_of_a_colour(rgb: tuple[int, int, int]) -> None:
    pillow = Image.new("RGB", (1, 1), rgb).convert("L").getpixel((0, 0))
    assert abs(luma(tuple(c / 255 for c in rgb)) * 255 - pillow) <= 0.5 + 1e-9  # type: ignore[arg-type]


@pytest.mark.parametrize("rgb", [(161, 0, 77), (21, 97, 90), (255, 210, 63), (29, 53, 87), (128, 128, 128)])
def test_lab_to_srgb_inverts_littlecms(rgb: tuple[int, int, int]) -> None:
    """LittleCMS (through Pillow) turns sRGB into 8-bit Lab D50; ours turns it back."""
    to_lab = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB", colorTemp=5000), "RGB", "LAB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )
    lightness, a, b = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), to_lab).getpixel((0, 0))
    lab = (lightness * 100 / 255, a - 128, b - 128)
    back = [round(c * 255) for c in lab_to_srgb(lab)]
    assert all(abs(x - y) <= 4 for x, y in zip(back, rgb, strict=True)), (back, rgb)  # 8-bit Lab steps
    css = parse_css_colour(f"lab({lab[0]}% {lab[1]} {lab[2]})")
    assert css is not None and [round(c * 255) for c in css[0]] == back


def test_parse_css_colour_reads_what_css_writes() -> None:
    assert parse_css_colour("#a1004d") == ((0xA1 / 255, 0.0, 0x4D / 255), 1.0)
    assert parse_css_colour("rgb(255 0 0 / 50%)") == ((1.0, 0.0, 0.0), 0.5)
    assert hex_colour(_rgb("hsl(120 100% 25%)")) == "#008000"
    assert hex_colour(_rgb("oklch(100% 0 0)")) == "#ffffff"
    for not_a_colour in ("var(--ink)", "currentColor", "inherit", "12px", ""):
        assert parse_css_colour(not_a_colour) is None
