"""``plainlang check``, check id ``contrast``: every text colour of every theme on its background.

**For a theme author, in two sentences.** Every CSS rule's text ``color`` is measured
against the ``background`` set by the same rule, else by the nearest rule its selector
continues (``.band`` for ``.band .icon``), else the page's (``html``); a rule that sets a
background and no colour is measured with the text colour it inherits the same way. Text
that sits on a box painted by another rule is declared in ``:root`` as
``--text-on-<name>: var(--ink), var(--accent);``, meaning those colours are drawn on
``var(--<name>)``.

A theme is ``base.css`` followed by ``theme-<name>.css`` (later declarations win, as in the
browser), with custom properties resolved. Each pair is measured with the WCAG 2.x
contrast ratio in colour, and in greyscale (each colour's Rec. 601 luma, what a photocopy
or the ``mono`` print makes of it); below 4.5:1 in either is a finding. Every print
profile with a stylesheet or greyscale is checked too, with its stylesheet on top and its
own ``min_contrast`` (7:1 for ``mono``), in greyscale only when it prints grey.

A finding points at the declaration in the theme file that gives one of the two colours
(the custom property's line when the rule uses ``var()``), so the line shown is the line
to change; the message names the rule and where each colour comes from. The stylesheets
are read with tinycss2 (WeasyPrint's own CSS parser), which keeps line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plainlang.checks.diagnostics import Diagnostic, Severity
from plainlang.colours import RGB, WHITE, contrast_ratio, grey, hex_colour, over, parse_css_colour

CHECK_ID = "contrast"
#: Default severity and what the check looks for (listed with the other check ids).
CONTRAST_CHECKS: Mapping[str, tuple[Severity, str]] = {
    CHECK_ID: (
        Severity.ERROR,
        "a theme's text colour on its background below 4.5:1, or a print profile's minimum",
    ),
}
AA = 4.5
_TEXT_ON = "--text-on-"
_PAGE_SELECTORS = (":root", "html", "body")
_MAX_VAR_DEPTH = 16
_COMBINATORS = (">", "+", "~")
_GROUPING = ("media", "supports", "layer")


@dataclass(frozen=True)
class Sheet:
    """A stylesheet's text and the path shown in findings (``templates/css/base.css``)."""

    path: str
    text: str


@dataclass(frozen=True)
class Origin:
    """Where a value was declared."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{Path(self.path).name}:{self.line}"


@dataclass(frozen=True)
class _Value:
    tokens: tuple[Any, ...]
    origin: Origin
    important: bool = False


@dataclass(frozen=True)
class Colour:
    """A resolved colour: sRGB, what it was written as, and where its value was declared."""

    rgb: RGB
    alpha: float
    written: str
    origin: Origin


@dataclass(frozen=True)
class Pair:
    """One text colour on one background, and where the pair was found."""

    text: Colour
    background: Colour
    where: str  # the rule's selector, or the --text-on-* declaration
    origin: Origin  # of the rule or declaration that makes the pair

    def seen(self, page: RGB) -> tuple[RGB, RGB]:
        """Text and background as painted: translucent colours composed over what is below."""
        background = over(self.background.rgb, self.background.alpha, page)
        return over(self.text.rgb, self.text.alpha, background), background

    def ratio(self, page: RGB = WHITE) -> float:
        text, background = self.seen(page)
        return contrast_ratio(text, background)

    def grey_ratio(self, page: RGB = WHITE) -> float:
        text, background = self.seen(page)
        return contrast_ratio(grey(text), grey(background))


# --------------------------------------------------------------------------- reading CSS


@dataclass
class _Theme:
    variables: dict[str, _Value] = field(default_factory=dict)
    rules: dict[str, dict[str, _Value]] = field(default_factory=dict)


def _declarations(rule: Any) -> Iterator[Any]:
    import tinycss2

    items = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
    yield from (item for item in items if item.type == "declaration")


def _qualified_rules(nodes: Iterable[Any]) -> Iterator[Any]:
    import tinycss2

    for node in nodes:
        if node.type == "qualified-rule":
            yield node
        elif node.type == "at-rule" and node.lower_at_keyword in _GROUPING and node.content:
            inner = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            yield from _qualified_rules(inner)


def _selectors(prelude: Sequence[Any]) -> list[str]:
    import tinycss2

    text = tinycss2.serialize(prelude)
    return [" ".join(part.split()) for part in text.split(",") if part.strip()]


def _put(table: dict[str, _Value], name: str, value: _Value) -> None:
    # Later wins, but a normal declaration never beats an !important one.
    old = table.get(name)
    if old is None or value.important or not old.important:
        table[name] = value


def read_theme(sheets: Sequence[Sheet]) -> _Theme:
    """The custom properties and per-selector declarations of ``sheets``, cascaded in order."""
    import tinycss2

    theme = _Theme()
    for sheet in sheets:
        nodes = tinycss2.parse_stylesheet(sheet.text, skip_comments=True, skip_whitespace=True)
        for rule in _qualified_rules(nodes):
            selectors = _selectors(rule.prelude)
            for decl in _declarations(rule):
                value = _Value(
                    tuple(t for t in decl.value if t.type not in ("whitespace", "comment")),
                    Origin(sheet.path, decl.source_line),
                    bool(decl.important),
                )
                name = decl.name if decl.name.startswith("--") else decl.lower_name
                for selector in selectors:
                    if name.startswith("--") and selector in (":root", "html"):
                        _put(theme.variables, name, value)
                    elif not name.startswith("--"):
                        _put(theme.rules.setdefault(selector, {}), name, value)
    return theme


def _resolve(
    tokens: Sequence[Any], theme: _Theme, depth: int = 0
) -> tuple[list[Any], Origin | None]:
    """``tokens`` with every ``var()`` replaced; the origin of the last variable used."""
    out: list[Any] = []
    origin: Origin | None = None
    for token in tokens:
        if token.type == "function" and token.lower_name == "var" and depth < _MAX_VAR_DEPTH:
            args = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
            name = args[0].value if args and args[0].type == "ident" else ""
            fallback = args[2:] if len(args) > 2 else []
            if name in theme.variables:
                value = theme.variables[name]
                resolved, inner = _resolve(value.tokens, theme, depth + 1)
                out.extend(resolved)
                origin = inner or value.origin
            else:
                resolved, inner = _resolve(fallback, theme, depth + 1)
                out.extend(resolved)
                origin = inner or origin
        else:
            out.append(token)
    return out, origin


def _written(tokens: Sequence[Any]) -> str:
    import tinycss2

    return " ".join(tinycss2.serialize(tokens).split())


def _colour(value: _Value | None, theme: _Theme, *, shorthand: bool = False) -> Colour | None:
    if value is None:
        return None
    tokens, var_origin = _resolve(value.tokens, theme)
    candidates = [tokens] if not shorthand else [[t] for t in tokens] + [tokens]
    for candidate in candidates:
        parsed = parse_css_colour(candidate)
        if parsed is not None:
            return Colour(parsed[0], parsed[1], _written(value.tokens), var_origin or value.origin)
    return None


def _has_text(rule: Mapping[str, _Value], selector: str) -> bool:
    """A pseudo-element draws text only with a ``content`` that is not empty."""
    if "::" not in selector and not re.search(r":(before|after)\b", selector):
        return True
    content = rule.get("content")
    if content is None:
        return False
    for token in content.tokens:
        if token.type == "string" and token.value.strip():
            return True
        if token.type == "function" and token.lower_name in ("counter", "counters", "attr"):
            return True
    return False


def _element(selector: str) -> str:
    return re.sub(r"::?(before|after|marker)\b", "", selector).strip()


def _ancestors(selector: str) -> list[str]:
    """The ancestors a selector names, nearest first: ``.a > .b .c`` gives ``.a > .b``, ``.a``.

    >>> _ancestors(".a > .b .c::before")
    ['.a > .b', '.a']
    """
    parts = re.sub(r"\s*([>+~])\s*", r" \1 ", _element(selector)).split()
    out = []
    for end in range(len(parts) - 2, -1, -1):
        if parts[end] in _COMBINATORS or parts[end + 1] in ("+", "~"):
            continue  # a combinator, or a sibling of the next compound: not an ancestor
        out.append(" ".join(parts[: end + 1]))
    return out


# --------------------------------------------------------------------------- pairs


def _page(theme: _Theme) -> tuple[Colour, Colour]:
    text: Colour | None = None
    background: Colour | None = None
    for selector in _PAGE_SELECTORS:
        rule = theme.rules.get(selector, {})
        text = _colour(rule.get("color"), theme) or text
        background = (
            _colour(rule.get("background-color"), theme)
            or _colour(rule.get("background"), theme, shorthand=True)
            or background
        )
    nowhere = Origin("(browser default)", 0)
    return (
        text or Colour((0.0, 0.0, 0.0), 1.0, "black", nowhere),
        background or Colour(WHITE, 1.0, "white", nowhere),
    )


def _background(rule: Mapping[str, _Value], theme: _Theme) -> Colour | None:
    return _colour(rule.get("background-color"), theme) or _colour(
        rule.get("background"), theme, shorthand=True
    )


def theme_pairs(sheets: Sequence[Sheet]) -> list[Pair]:
    """Every text colour of ``sheets`` on its background (see the module's two sentences)."""
    theme = read_theme(sheets)
    page_text, page_background = _page(theme)
    pairs: list[Pair] = []
    for selector, rule in theme.rules.items():
        if selector in _PAGE_SELECTORS:
            continue
        own_text = _colour(rule.get("color"), theme)
        own_background = _background(rule, theme)
        if own_text is None and own_background is None:
            continue
        if not _has_text(rule, selector):
            continue
        text, background = own_text, own_background
        for ancestor in [_element(selector), *_ancestors(selector)]:
            if text is not None and background is not None:
                break
            other = theme.rules.get(ancestor)
            if other is None or ancestor == selector:
                continue
            text = text or _colour(other.get("color"), theme)
            background = background or _background(other, theme)
        made = rule.get("color") or rule.get("background-color") or rule.get("background")
        assert made is not None
        pairs.append(
            Pair(text or page_text, background or page_background, selector, made.origin)
        )
    pairs.append(Pair(page_text, page_background, "html", page_text.origin))
    for name, value in theme.variables.items():
        if not name.startswith(_TEXT_ON):
            continue
        background_name = "--" + name[len(_TEXT_ON):]
        background = _colour(theme.variables.get(background_name), theme)
        if background is None:
            continue
        background = replace(background, written=f"var({background_name})")
        for group in _split_commas(value.tokens):
            text = _colour(_Value(tuple(group), value.origin), theme)
            if text is not None:
                pairs.append(Pair(text, background, f"{name}: {_written(group)}", value.origin))
    return pairs


def _split_commas(tokens: Sequence[Any]) -> list[list[Any]]:
    groups: list[list[Any]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if g]


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class ThemeCheck:
    """One run of the check: a theme's sheets, who it is for, and the minimum it must keep."""

    label: str  # "theme youth", "print profile mono, theme youth"
    sheets: tuple[Sheet, ...]
    minimum: float = AA
    colour: bool = True  # measure in colour too (not for a greyscale print)


def check_themes(
    runs: Sequence[ThemeCheck], *, severity: Severity = Severity.ERROR
) -> list[Diagnostic]:
    """Findings for every pair below its run's minimum: one per line and pair of colours."""
    groups: dict[tuple[str, int, str, str, str], list[tuple[Pair, ThemeCheck]]] = {}
    for run in runs:
        own_files = {s.path for s in run.sheets[1:]}  # the theme (and profile) files
        for pair in theme_pairs(run.sheets):
            ratio, grey_ratio = pair.ratio(), pair.grey_ratio()
            problems = []
            if run.colour and ratio < run.minimum:
                problems.append(f"{ratio:.1f}:1 in colour")
            if grey_ratio < run.minimum:
                problems.append(f"{grey_ratio:.1f}:1 in greyscale")
            if not problems:
                continue
            at = _pointer(pair, own_files)
            text, background = pair.seen(WHITE)
            said = f"{' and '.join(problems)}, below {run.minimum:g}:1"
            key = (at.path, at.line, hex_colour(text), hex_colour(background), said)
            groups.setdefault(key, []).append((pair, run))
    out = []
    for (path, line, text_hex, background_hex, said), found in groups.items():
        pair = found[0][0]
        places = sorted({p.where for p, _ in found})
        more = f" and {len(places) - 1} more" if len(places) > 1 else ""
        labels = ", ".join(dict.fromkeys(run.label for _, run in found))
        darker_text = grey(pair.seen(WHITE)[0])[0] < grey(pair.seen(WHITE)[1])[0]
        out.append(
            Diagnostic(
                path=path,
                line=line,
                severity=severity,
                check=CHECK_ID,
                message=(
                    f"text {pair.text.written} {hex_colour(pair.text.rgb)} ({pair.text.origin}) "
                    f"on {pair.background.written} {hex_colour(pair.background.rgb)} "
                    f"({pair.background.origin}) at {pair.where} ({pair.origin}){more}: "
                    f"{said} [{labels}]"
                ),
                hint=_hint(pair, darker_text),
                extra={"text": text_hex, "background": background_hex},
            )
        )
    return sorted(out, key=lambda d: (d.path, d.line or 0, d.message))


def _hint(pair: Pair, darker_text: bool) -> str:
    if pair.text.rgb == (1.0, 1.0, 1.0):
        return "darken the background: the text is white already"
    if pair.text.rgb == (0.0, 0.0, 0.0):
        return "lighten the background: the text is black already"
    if darker_text:
        return "darken the text or lighten the background"
    return "lighten the text or darken the background"


def _pointer(pair: Pair, own_files: set[str]) -> Origin:
    """The line to change: a colour the theme's own file declares, the text's first, unless
    the text is already black or white (then only the background can move)."""
    extreme = pair.text.rgb in ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    first = (pair.background, pair.text) if extreme else (pair.text, pair.background)
    for origin in (first[0].origin, first[1].origin, pair.origin):
        if origin.path in own_files:
            return origin
    return pair.text.origin if pair.text.origin.line else pair.origin


# --------------------------------------------------------------------------- the project


def theme_runs(theme: Any, profiles: Mapping[str, Any] | None = None) -> list[ThemeCheck]:
    """The runs for a theme: ``css/base.css`` with each ``css/theme-*.css``, and the same
    with each print profile's stylesheet on top.

    ``theme`` is a :class:`plainlang.theme.Theme` (the project's ``templates/`` over the
    shipped theme), so a project's own theme file is checked in place of the shipped one;
    ``profiles`` are :class:`plainlang.printing.PrintProfile` values. Profiles that neither
    print grey nor ask more than 4.5:1 add nothing to measure and get no runs of their own.
    """

    def sheet(rel: str) -> Sheet | None:
        path = theme.resolve(rel)
        if path is None:
            return None
        return Sheet(theme.shown(rel), path.read_text(encoding="utf-8-sig"))

    base = sheet("css/base.css")
    if base is None:
        return []
    names = [rel for rel in theme.files() if re.fullmatch(r"css/theme-[^/]+\.css", rel)]
    themes = [(rel[len("css/theme-") : -len(".css")], sheet(rel)) for rel in names]
    runs = [ThemeCheck(f"theme {name}", (base, s)) for name, s in themes if s is not None]
    for profile in (profiles or {}).values():
        if not profile.greyscale and profile.min_contrast <= AA:
            continue
        on_top = sheet(profile.stylesheet) if profile.stylesheet else None
        for name, s in themes:
            if s is None:
                continue
            runs.append(
                ThemeCheck(
                    f"print {profile.name}, theme {name}",
                    (base, s) if on_top is None else (base, s, on_top),
                    minimum=profile.min_contrast,
                    colour=not profile.greyscale,
                )
            )
    return runs


def check_project_contrast(config: Any, *, severity: Severity = Severity.ERROR) -> list[Diagnostic]:
    """The contrast findings of a project's theme and print profiles."""
    return check_themes(theme_runs(config.theme, config.print_profiles), severity=severity)
