"""Print profiles: the versions of a leaflet made for a print shop or a photocopier.

A profile is data (``[print.NAME]`` in ``plainlang.toml``); ``shop`` and ``mono`` ship. The
build renders a leaflet for a profile in two steps, both here:

1. lay it out with the profile's CSS: :func:`profile_css` (the bleed, from ``bleed_mm``)
   and then the profile's ``stylesheet`` (a theme file, e.g. ``css/print-mono.css``);
2. finish the PDF with :func:`finish_print`: exact boxes, crop marks, greyscale.

**What WeasyPrint does itself, and what is added here.** With ``@page { bleed: 3mm }``
WeasyPrint lays the page out at its trim size, paints page backgrounds and anything
positioned past the trim edge into the bleed, and writes ``TrimBox`` = the page (right) and
``MediaBox`` = trim + bleed. Its ``BleedBox`` is "arbitrarily" capped at 10 pt from the trim
(weasyprint/pdf/__init__.py), so a bleed over 3.5 mm is cut short; and ``marks: crop``
draws its crop marks *inside* that bleed, half the bleed long, over the background that is
meant to bleed, with no room outside it. So plainlang asks WeasyPrint for the bleed only
and, at this one boundary (pikepdf, after WeasyPrint), sets ``BleedBox`` to exactly
``bleed_mm`` beyond the trim, grows ``MediaBox`` to hold crop marks outside the bleed, and
draws them there (hairlines in the trim lines, from the bleed edge outwards, marked as
artifacts so the PDF's tagging stays whole).

**Backgrounds that reach the edge.** A layout element meant to run off the page uses the
custom property ``--bleed`` (0 by default) in its negative margins, e.g.
``margin: 0 calc(-1 * (8mm + var(--bleed, 0mm)))``; :func:`profile_css` sets it.

**Chosen and not.** A profile says: ``bleed_mm`` (0-10; shops ask for 2-5 mm, 3 mm in
Europe and Latin America), ``crop_marks``, ``greyscale``, ``stylesheet``, ``min_contrast``
(the text contrast ``plainlang check`` holds the profile to; 7:1 for ``mono``, since a
photocopy loses contrast), ``sheets`` (whether the build also imposes booklets and flyers
for this profile, for a copier). Left out on purpose: registration marks and colour bars
(they serve offset plates; the digital presses that print leaflet runs do not need them),
a slug line (the shop's own software prints job information), CMYK or PDF/X output (needs
the press's ICC profile: converting without it gives wrong colours, and the shop's RIP
converts sRGB better than a guess would).
"""

from __future__ import annotations

import difflib
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

from plainlang.errors import BuildError, ConfigError, SourceLocation

MM = 72 / 25.4
#: Crop marks: the line width (a hairline a guillotine operator can see) and length.
CROP_MARK_WIDTH = 0.3
CROP_MARK_LENGTH_MM = 5.0
#: Crop marks start at least this far from the trim, even with a smaller bleed.
CROP_MARK_MIN_OFFSET_MM = 3.0
MAX_BLEED_MM = 10.0


@dataclass(frozen=True)
class PrintProfile:
    """One print version: what the build does differently for ``build --print NAME``."""

    name: str
    bleed_mm: float = 0.0
    crop_marks: bool = False
    greyscale: bool = False
    stylesheet: str | None = None
    min_contrast: float = 4.5
    sheets: bool = False

    @property
    def crop_mark_offset_mm(self) -> float:
        """Where crop marks start, from the trim: outside the bleed, never closer than 3 mm."""
        return max(self.bleed_mm, CROP_MARK_MIN_OFFSET_MM)


#: The profiles plainlang ships; a project's ``[print.NAME]`` changes or adds to them.
SHIPPED_PROFILES: Mapping[str, PrintProfile] = MappingProxyType(
    {
        "shop": PrintProfile(
            "shop", bleed_mm=3.0, crop_marks=True, stylesheet="css/print-shop.css"
        ),
        "mono": PrintProfile(
            "mono",
            greyscale=True,
            stylesheet="css/print-mono.css",
            min_contrast=7.0,
            sheets=True,
        ),
    }
)

_KEYS: Mapping[str, tuple[type, ...]] = {
    "bleed_mm": (int, float),
    "crop_marks": (bool,),
    "greyscale": (bool,),
    "stylesheet": (str,),
    "min_contrast": (int, float),
    "sheets": (bool,),
}
assert set(_KEYS) == {f.name for f in fields(PrintProfile)} - {"name"}

Locate = Callable[[str, str | None], SourceLocation]


def parse_print_profiles(tables: Any, locate: Locate) -> Mapping[str, PrintProfile]:
    """The shipped profiles updated by the ``[print.NAME]`` tables of ``plainlang.toml``.

    ``tables`` is the parsed ``print`` table; ``locate(table, key)`` gives the line of a key
    (``config._Lines.of``). A table for a shipped profile changes only the keys it sets
    (``[print.shop] bleed_mm = 5``); a new name starts from no bleed, no marks, colour.
    Unknown keys (with a "did you mean"), wrong types and out-of-range values are
    ConfigErrors at their line.
    """
    if not isinstance(tables, Mapping):
        raise ConfigError(
            "[print] must hold one table per profile",
            locate("print", None),
            hint="write [print.shop] with bleed_mm = 3, crop_marks = true",
        )
    profiles = dict(SHIPPED_PROFILES)
    for name, settings in tables.items():
        table = f"print.{name}"
        if not isinstance(settings, Mapping):
            raise ConfigError(
                f"'{name}' in [print] must be a table of settings",
                locate("print", name),
                hint=f"write [print.{name}] on its own line, then its keys",
            )
        if not name or not all(c.isalnum() or c in "-_" for c in name) or not name.isascii():
            raise ConfigError(
                f"print profile name '{name}' must be letters, digits, '-' or '_'",
                locate(f'print."{name}"', None),  # such a name is quoted in the TOML
                hint="it becomes a folder name: build/print/<profile>/",
            )
        values = _profile_values(settings, table, locate)
        base = profiles.get(name, PrintProfile(name))
        profiles[name] = replace(base, **values)
    return MappingProxyType(profiles)


def _is(value: Any, expected: tuple[type, ...]) -> bool:
    # TOML's true is an int to Python; a number key must not take it.
    return isinstance(value, expected) and (bool in expected or not isinstance(value, bool))


def _profile_values(settings: Mapping[str, Any], table: str, locate: Locate) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in settings.items():
        where = locate(table, key)
        if key not in _KEYS:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(_KEYS)}"
            raise ConfigError(f"unknown key '{key}' in [{table}]", where, hint=hint)
        expected = _KEYS[key]
        if not _is(value, expected):
            kind = {bool: "true or false", str: "string"}.get(expected[0], "number")
            raise ConfigError(
                f"'{key}' in [{table}] must be a {kind}, not {type(value).__name__}", where
            )
        problem = _range_problem(key, value)
        if problem is not None:
            raise ConfigError(f"{key} in [{table}] {problem[0]}", where, hint=problem[1])
        values[key] = float(value) if key in ("bleed_mm", "min_contrast") else value
    return values


def _range_problem(key: str, value: Any) -> tuple[str, str | None] | None:
    if key == "bleed_mm" and not (math.isfinite(value) and 0 <= value <= MAX_BLEED_MM):
        return (
            f"is {value}; a bleed is 0 to {MAX_BLEED_MM:g} mm",
            "print shops ask for 2 to 5 mm, most often 3",
        )
    if key == "min_contrast" and not (math.isfinite(value) and 1 <= value <= 21):
        return f"is {value}; a contrast ratio is 1 to 21", "4.5 is WCAG AA for body text, 7 is AAA"
    if key == "stylesheet":
        parts = value.replace("\\", "/").split("/")
        if not value.strip() or value.startswith(("/", "\\")) or ".." in parts or ":" in value:
            return "must be a path inside the theme, like css/print-mono.css", None
    return None


def profile_css(profile: PrintProfile) -> str:
    """The CSS the build adds, before ``profile.stylesheet``, to lay a leaflet out for print.

    >>> print(profile_css(SHIPPED_PROFILES["shop"]), end="")
    @page { bleed: 3mm !important; }
    :root { --bleed: 3mm !important; }

    It is meant as a user stylesheet (WeasyPrint's ``stylesheets=``), which loses to the
    theme's rules unless ``!important``; so is the profile's own stylesheet.
    """
    bleed = f"{profile.bleed_mm:g}mm !important"
    return f"@page {{ bleed: {bleed}; }}\n:root {{ --bleed: {bleed}; }}\n"


def print_title(title: str, profile: PrintProfile) -> str:
    """The PDF title of a print version: the leaflet's, and what the file is for."""
    return f"{title} — print ({profile.name})"


def finish_print(pdf: bytes, profile: PrintProfile) -> bytes:
    """The print version of a PDF laid out with :func:`profile_css`: boxes, marks, grey.

    For every page: ``BleedBox`` exactly ``bleed_mm`` beyond the ``TrimBox``; with
    ``crop_marks``, a ``MediaBox`` that holds marks outside the bleed, and the marks;
    with ``greyscale``, every colour its luma grey (:mod:`plainlang.greyscale`). The
    document's tagging, language and title stay. Same input, same bytes.
    Raises BuildError if the PDF was not laid out with the profile's bleed.
    """
    import pikepdf

    from plainlang.greyscale import greyscale_pdf
    from plainlang.impose import mark_lines

    try:
        doc = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        raise BuildError(f"cannot read the PDF to finish for print: {exc}") from exc
    bleed = profile.bleed_mm * MM
    for number, page in enumerate(doc.pages, start=1):
        trim = [float(v) for v in page.trimbox]
        media = [float(v) for v in page.mediabox]
        bleed_box = [trim[0] - bleed, trim[1] - bleed, trim[2] + bleed, trim[3] + bleed]
        if any(abs(a - b) > 0.01 for a, b in zip(media, bleed_box, strict=True)):
            raise BuildError(
                f"page {number} was laid out with "
                f"{(trim[0] - media[0]) / MM:.1f} mm of bleed, not the "
                f"{profile.bleed_mm:g} mm of print profile '{profile.name}'",
                hint="render with the profile's CSS, printing.profile_css(profile)",
            )
        if profile.bleed_mm:
            page.obj.BleedBox = pikepdf.Array(bleed_box)
        else:  # WeasyPrint writes the boxes only with a bleed; a print file has them always
            page.obj.TrimBox = pikepdf.Array(trim)
            page.obj.BleedBox = pikepdf.Array(trim)
        if profile.crop_marks:
            offset = profile.crop_mark_offset_mm * MM
            reach = offset + CROP_MARK_LENGTH_MM * MM
            page.obj.MediaBox = pikepdf.Array(
                [trim[0] - reach, trim[1] - reach, trim[2] + reach, trim[3] + reach]
            )
            if "/CropBox" in page.obj:
                del page.obj["/CropBox"]
            page.contents_add(b"q\n", prepend=True)
            marks = mark_lines(crop_marks(trim, offset, reach), CROP_MARK_WIDTH)
            page.contents_add(b"\nQ\n" + marks)
    if profile.greyscale:
        greyscale_pdf(doc)
    buffer = io.BytesIO()
    doc.save(buffer, deterministic_id=True, min_version=doc.pdf_version)
    return buffer.getvalue()


def crop_marks(
    trim: list[float], offset: float, reach: float
) -> list[tuple[float, float, float, float]]:
    """The eight crop-mark lines of a trim box: in the trim lines, ``offset`` to ``reach`` out.

    >>> crop_marks([0, 0, 10, 20], 1, 3)[:2]
    [(-1, 0, -3, 0), (0, -1, 0, -3)]
    """
    x0, y0, x1, y1 = trim
    lines = []
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        lines.append((x + sx * offset, y, x + sx * reach, y))  # horizontal, in the trim line y
        lines.append((x, y + sy * offset, x, y + sy * reach))  # vertical, in the trim line x
    return lines
