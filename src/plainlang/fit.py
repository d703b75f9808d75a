"""Fit: choose a leaflet's type size and density from its measured layout, not from guesses.

A layout names its choices in the config (``[[layouts.<name>.fit]]``, see
:class:`plainlang.config.FitChoice`): the options of each, roomiest first, and the part of
the page that must fit (a panel in its column, a side on its page, or the whole leaflet in
its pages). :func:`fit_leaflet` lays the leaflet out with the roomiest option of every
choice and steps a choice down only when its part does not fit, until every part fits
or has no option left (the build then reports the leaflet as too long). Choices that
share a part are tried together; parts are measured independently in each pass, so a
leaflet usually takes one pass and rarely more than two or three. An option that leaves
the HTML unchanged (a template that ignores it in this case) costs no pass.

A ``grow`` layout (the phone) is one page as tall as its content: laid out once on a
page too tall to fill, to measure, then on a page of that height.

WeasyPrint is not imported here: the laid-out document comes from :mod:`plainlang.pdf`,
whose boxes are read for where each part landed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from plainlang.config import FitChoice, LayoutSpec
from plainlang.errors import BuildError

#: The tallest page a growing layout may have; a leaflet longer than that does not fit.
GROW_MAX_HEIGHT_MM = 5000.0
_MM = r"(\d+(?:\.\d+)?)mm"


@dataclass
class Fitted:
    """A leaflet laid out with the options that fit: the HTML, its layout, the choices."""

    html: str
    laid_out: Any  # plainlang.pdf.LaidOut
    choices: dict[str, str]
    passes: int  # layouts made (each costs about as much as the PDF itself)


def first_choices(spec: LayoutSpec) -> dict[str, str]:
    """The roomiest option of every choice of ``spec``."""
    return {choice.name: choice.options[0] for choice in spec.fit}


def title_size(title: str) -> str:
    """``short``, ``mid`` or ``long``: the cover title's type size, by its words.

    The longest word counts as much as the length: Quechua and Aymara words are long, and
    a title set big must not break inside one (the big size does not hyphenate).

    >>> title_size("Your right to know"), title_size("Willakuykunamanta tapukuy")
    ('short', 'long')
    """
    longest = max((len(word) for word in title.split()), default=0)
    if len(title) <= 30 and longest <= 11:
        return "short"
    if len(title) > 60 or longest > 15:
        return "long"
    return "mid"


def fit_leaflet(
    spec: LayoutSpec,
    render: Callable[[Mapping[str, str]], str],
    layout: Callable[[str], Any],
) -> Fitted:
    """Lay a leaflet out with the roomiest options that fit (see the module docstring).

    ``render`` makes the leaflet's HTML for a set of choices, ``layout`` lays HTML out
    (:meth:`plainlang.pdf.PdfRenderer.layout`). Raises BuildError when the leaflet is
    longer than its layout's pages.
    """
    fitted = _grow(spec, render, layout) if spec.grow else _search(spec, render, layout)
    check_fits(spec, fitted.laid_out)
    return fitted


def check_fits(spec: LayoutSpec, laid_out: Any) -> None:
    """A BuildError when ``laid_out`` has more pages than ``spec`` holds, saying how much more."""
    expected = spec.pages
    if laid_out.pages <= expected:
        return
    lengths = laid_out.page_text_lengths()
    over = sum(lengths[expected:])
    total = sum(lengths) or 1
    raise BuildError(
        f"too long for {spec.name}: {laid_out.pages} pages where {expected} fit; "
        f"about {over} characters ({100 * over / total:.0f}% of the text) do not fit",
        hint="shorten the case or its translation, or use another layout",
    )


# -- the search -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """Choices that share a part: their combinations, roomiest first."""

    part: str | None
    within: str
    combinations: tuple[dict[str, str], ...]


def groups(fit: Sequence[FitChoice]) -> list[_Group]:
    """The layout's choices grouped by the part they fit, each with its combinations.

    Within a group the first choice listed changes last: with ``quote`` (flap, back)
    before ``flap`` (roomy, normal, full), the quote stays on the flap while any size of
    the flap's box still fits.
    """
    by_part: dict[tuple[str | None, str], list[FitChoice]] = {}
    for choice in fit:
        by_part.setdefault((choice.part, choice.within), []).append(choice)
    out = []
    for (part, within), choices in by_part.items():
        combos = tuple(
            dict(zip((c.name for c in choices), options, strict=True))
            for options in itertools.product(*(c.options for c in choices))
        )
        out.append(_Group(part, within, combos))
    return out


def _search(
    spec: LayoutSpec,
    render: Callable[[Mapping[str, str]], str],
    layout: Callable[[str], Any],
) -> Fitted:
    found = groups(spec.fit)
    index = [0] * len(found)
    laid_outs: dict[str, Any] = {}
    passes = 0
    while True:
        choices: dict[str, str] = {}
        for group, i in zip(found, index, strict=True):
            choices.update(group.combinations[i])
        html = render(choices)
        laid_out = laid_outs.get(html)
        if laid_out is None:
            laid_out = laid_outs[html] = layout(html)
            passes += 1
        stepped = False
        for n, group in enumerate(found):
            if index[n] + 1 < len(group.combinations) and not _fits(laid_out, group, spec):
                index[n] += 1
                stepped = True
        if not stepped:
            return Fitted(html, laid_out, choices, passes)


def _fits(laid_out: Any, group: _Group, spec: LayoutSpec) -> bool:
    if group.within == "leaflet" or group.part is None:
        return bool(laid_out.pages <= spec.pages)
    return part_fits(laid_out.document, group.part, group.within)


def part_fits(document: Any, part: str, within: str) -> bool:
    """Whether every element of class ``part`` lies in one column, or on one page.

    An element split over columns or pages is laid out as several boxes (fragments):
    ``column`` asks for one fragment, ``page`` for fragments all on one page. A document
    without such an element fits.
    """
    places: dict[int, list[tuple[int, float]]] = {}
    for page_number, page in enumerate(document.pages):
        for box in _boxes_of_class(page._page_box, part):
            places.setdefault(id(box.element), []).append((page_number, box.position_x))
    for fragments in places.values():
        if within == "column" and len(fragments) > 1:
            return False
        if len({page for page, _ in fragments}) > 1:
            return False
    return True


def _boxes_of_class(box: Any, part: str) -> Iterator[Any]:
    """The outermost boxes of elements with class ``part`` (not their inner boxes)."""
    element = getattr(box, "element", None)
    classes = element.get("class", "") if element is not None else ""
    if part in classes.split() and getattr(box, "element_tag", None) is not None:
        yield box
        return
    for child in getattr(box, "children", ()) or ():
        yield from _boxes_of_class(child, part)


# -- growing layouts ------------------------------------------------------------------------


def _page_style(width: str, height_mm: float) -> str:
    return f"<style>@page {{ size: {width} {height_mm:.1f}mm; }}</style></head>"


def _grow(
    spec: LayoutSpec,
    render: Callable[[Mapping[str, str]], str],
    layout: Callable[[str], Any],
) -> Fitted:
    """One page exactly as tall as its content, and at least as tall as ``spec.size`` says."""
    width, _, least = spec.size.partition(" ")
    match = re.fullmatch(_MM, least.strip())
    least_mm = float(match.group(1)) if match else 0.0
    html = render(first_choices(spec))
    first = layout(html.replace("</head>", _page_style(width, GROW_MAX_HEIGHT_MM), 1))
    if first.pages > 1:
        raise BuildError(
            f"too long even for one {GROW_MAX_HEIGHT_MM:.0f} mm {spec.name} page",
            hint="shorten the case",
        )
    height = max(least_mm, first.content_bottom_mm() + 1.0)
    fitted_html = html.replace("</head>", _page_style(width, height), 1)
    return Fitted(fitted_html, layout(fitted_html), first_choices(spec), 2)
