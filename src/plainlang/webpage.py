"""The web page: a leaflet as one self-contained HTML file, to publish or to send as is.

Made from the leaflet's own view model and macros through the theme's ``web`` layout
(``layouts/web.html.j2``, one column that reads on a phone), so it says what the PDFs say,
with the same marks for drafts and fallbacks and ``lang`` on every passage in another
language. Then everything it needs is put inside it: the theme's stylesheets
(``fonts/fonts.css``, ``css/base.css``, ``css/web.css``, ``css/theme-<audience>.css``, the
project's overrides first, as for the PDFs) in one ``<style>``, the fonts as ``data:`` URLs
holding subsets of the characters the page uses (WOFF; subset by HarfBuzz, as WeasyPrint
subsets the PDFs' fonts), and the case's pictures as ``data:`` URLs. A browser opening the
file asks for nothing else. Pictures are read through the PDF stage's
:class:`~plainlang.pdf.ConfinedFetcher`: only files inside the project (or PNG, JPEG and GIF
``data:`` URLs); anything else is left out with a warning, as the PDF leaves it out.

The text is escaped by Jinja like the PDFs' (translations are text, never markup), and
links go only to http(s), mailto and tel (see :mod:`plainlang.markup`).
"""

from __future__ import annotations

import base64
import functools
import io
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from plainlang.build import (
    BuildOptions,
    InputHasher,
    Job,
    Made,
    OutputKind,
    PlanContext,
    Target,
    prepare_leaflets,
    register_output,
)
from plainlang.errors import BuildError, UsageError
from plainlang.localize import LocalizedCase
from plainlang.render import BlockView, LeafletRenderer
from plainlang.session import Session
from plainlang.theme import Theme

#: The theme's layout for the web page.
WEB_LAYOUT = "web"

#: The stylesheets of the page, in cascade order, as theme paths.
STYLESHEETS = ("fonts/fonts.css", "css/base.css", "css/web.css", "css/theme-{theme}.css")

# Put where the template prints leaflet.extra["styles"], replaced by the <style> element
# once the page's characters are known. Nothing a translation or the content says can
# print it: their "<" is always escaped.
_STYLES_MARK = "<!--plainlang:styles-->"

#: A picture the page cannot embed is replaced by this (a transparent pixel), alt text kept.
_EMPTY_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")


@dataclass(frozen=True)
class WebPage:
    """A made web page: its HTML and what was left out of it (pictures it could not embed)."""

    html: str
    warnings: tuple[str, ...] = ()

    @property
    def data(self) -> bytes:
        return self.html.encode("utf-8")


def make_webpage(
    renderer: LeafletRenderer, lc: LocalizedCase, audience: str, fetcher: Any
) -> WebPage:
    """The web page of ``lc`` for ``audience``.

    ``renderer`` makes the view model and the HTML (the ``web`` layout of its theme);
    ``fetcher`` (a :class:`plainlang.pdf.ConfinedFetcher`) reads the case's pictures.
    """
    theme = renderer.config.theme
    leaflet = renderer.leaflet(lc, audience, WEB_LAYOUT)
    warnings: list[str] = []
    blocks = tuple(_inline_pictures(b, fetcher, warnings) for b in leaflet.blocks)
    leaflet = replace(
        leaflet, blocks=blocks, extra={**leaflet.extra, "styles": Markup(_STYLES_MARK)}
    )
    html = renderer.render(leaflet)
    if html.count(_STYLES_MARK) != 1:
        raise BuildError(
            f"layouts/{WEB_LAYOUT}.html.j2 must print {{{{ leaflet.extra.styles }}}} once",
            hint="copy the shipped ones again: plainlang theme copy layouts/web.html.j2",
        )
    css = page_css(theme, leaflet.theme, _characters(html))
    style = "<style>\n" + css.replace("</", "<\\/") + "\n</style>"
    return WebPage(html.replace(_STYLES_MARK, style, 1), tuple(warnings))


def webpage_path(build_dir: Path, locale: str, case_id: str, audience: str) -> Path:
    """``build/html/<locale>/<case>-<audience>.html``."""
    return build_dir / "html" / locale / f"{case_id}-{audience}.html"


def _inline_pictures(block: BlockView, fetcher: Any, warnings: list[str]) -> BlockView:
    if block.blocks:
        block = replace(
            block, blocks=tuple(_inline_pictures(b, fetcher, warnings) for b in block.blocks)
        )
    if block.type != "image" or not block.src:
        return block
    from plainlang.pdf import FetchRefused

    try:
        resource = fetcher.resolve(block.src)
    except FetchRefused as exc:
        warnings.append(f"picture {block.src} left out of the web page: {exc}")
        return replace(block, src=_EMPTY_GIF)
    if resource.media_type not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        warnings.append(f"picture {block.src} left out of the web page: {resource.media_type}")
        return replace(block, src=_EMPTY_GIF)
    return replace(block, src=_data_url(resource.media_type, resource.body))


def _data_url(media_type: str, body: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(body).decode('ascii')}"


def _characters(html: str) -> frozenset[str]:
    """What the fonts must draw: every character of the page, and all of printable ASCII
    (numbers the stylesheets count, "?" and brackets they add, without reading them)."""
    return frozenset(html) | frozenset(chr(c) for c in range(0x20, 0x7F))


# --------------------------------------------------------------------------- stylesheets


def page_css(theme: Theme, audience_theme: str, characters: frozenset[str]) -> str:
    """The page's stylesheets as one text, with every ``url()`` inside it as ``data:``.

    ``@import`` rules are replaced by the sheet they name; ``@font-face`` sources by a
    subset of the font for ``characters``; other URLs by the picture they name.
    """
    parts = []
    for template in STYLESHEETS:
        rel = template.format(theme=audience_theme)
        if theme.resolve(rel) is None:
            if "{theme}" in template:
                continue
            raise BuildError(f"the theme has no {rel}", hint=f"plainlang theme copy {rel}")
        parts.append(f"/* {rel} */\n" + _sheet(theme, rel, characters, seen=()))
    return "\n".join(parts)


def _sheet(theme: Theme, rel: str, characters: frozenset[str], seen: Sequence[str]) -> str:
    import tinycss2

    if rel in seen:
        raise BuildError(f"{rel} imports itself (through {' > '.join(seen)})")
    path = theme.resolve(rel)
    if path is None:
        raise BuildError(f"{seen[-1] if seen else rel}: no theme file {rel}", hint="fix the url()")
    text = path.read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    out = []
    for rule in rules:
        if rule.type == "error":
            raise BuildError(
                f"{theme.shown(rel)}:{rule.source_line}: {rule.message}", hint="fix the CSS"
            )
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = _first_url(rule.prelude)
            if target is None:
                raise BuildError(f"{theme.shown(rel)}:{rule.source_line}: @import without a URL")
            out.append(_sheet(theme, _join(rel, target), characters, (*seen, rel)))
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            out.append(_font_face(theme, rel, rule, characters))
            continue
        out.append(_with_data_urls(theme, rel, rule))
    return "\n".join(out)


def _join(rel: str, url: str) -> str:
    if "://" in url or url.startswith(("data:", "/")):
        raise BuildError(
            f"{rel}: {url} is not a file of the theme", hint="name theme files by relative paths"
        )
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), url))


def _first_url(tokens: Sequence[Any]) -> str | None:
    for token in tokens:
        if token.type == "url":
            return str(token.value)
        if token.type == "string":
            return str(token.value)
        if token.type == "function" and token.lower_name == "url":
            for arg in token.arguments:
                if arg.type == "string":
                    return str(arg.value)
    return None


def _font_face(theme: Theme, rel: str, rule: Any, characters: frozenset[str]) -> str:
    import tinycss2

    declarations = tinycss2.parse_blocks_contents(
        rule.content, skip_comments=True, skip_whitespace=True
    )
    lines = []
    for decl in declarations:
        if decl.type != "declaration":
            continue
        if decl.lower_name == "src":
            url = _first_url(decl.value)
            if url is None:
                raise BuildError(
                    f"{theme.shown(rel)}:{decl.source_line}: @font-face src without a url()"
                )
            font_rel = _join(rel, url)
            font = theme.resolve(font_rel)
            if font is None or font.suffix.lower() not in _FONT_SUFFIXES:
                raise BuildError(
                    f"{theme.shown(rel)}:{decl.source_line}: no font file {font_rel} in the theme"
                )
            data = font_subset(font, characters)
            lines.append(f'  src: url("{_data_url("font/woff", data)}") format("woff");')
        else:
            lines.append(f"  {decl.name}: {tinycss2.serialize(decl.value).strip()};")
    return "@font-face {\n" + "\n".join(lines) + "\n}"


def _with_data_urls(theme: Theme, rel: str, rule: Any) -> str:
    """A rule as written, each url() token replaced by the picture it names as data:."""
    import tinycss2

    def fix(tokens: list[Any]) -> None:
        for i, token in enumerate(tokens):
            if token.type == "url" or (token.type == "function" and token.lower_name == "url"):
                url = _first_url([token]) or ""
                if url.startswith("data:") or url.startswith("#"):
                    continue
                picture = theme.resolve(_join(rel, url))
                media = {
                    ".png": "image/png",
                    ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg",
                    ".gif": "image/gif",
                }
                if picture is None or picture.suffix.lower() not in media:
                    raise BuildError(
                        f"{theme.shown(rel)}:{token.source_line}: url({url}): not a picture",
                        hint="the web page embeds PNG, JPEG and GIF files of the theme",
                    )
                data_url = _data_url(media[picture.suffix.lower()], picture.read_bytes())
                tokens[i] = tinycss2.ast.URLToken(
                    token.source_line, token.source_column, data_url, data_url
                )
            elif hasattr(token, "content") and isinstance(token.content, list):
                fix(token.content)
            elif hasattr(token, "arguments") and isinstance(token.arguments, list):
                fix(token.arguments)

    for attr in ("prelude", "content"):
        value = getattr(rule, attr, None)
        if isinstance(value, list):
            fix(value)
    return str(tinycss2.serialize([rule]))


# --------------------------------------------------------------------------- fonts


def font_subset(path: Path, characters: frozenset[str]) -> bytes:
    """``path`` cut down to the glyphs of ``characters`` (and what shaping them needs), as
    WOFF. Cached for the process by the file (path, time and size) and the characters."""
    st = path.stat()
    return _subset(str(path), st.st_mtime_ns, st.st_size, "".join(sorted(characters)))


@functools.lru_cache(maxsize=64)
def _subset(path: str, mtime_ns: int, size: int, characters: str) -> bytes:
    # HarfBuzz's subsetter takes milliseconds where fontTools' took seconds (it decompiles
    # the whole of Andika's large GPOS and GSUB); fontTools then wraps the result as WOFF.
    # WOFF2 would be about 8% smaller, but fontTools compresses it with Brotli at quality
    # 11: a quarter of a second a font, and a page has four.
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    del mtime_ns, size  # in the cache key only: an edited font is subset again
    face = hb.Face(hb.Blob.from_file_path(path))
    plan = hb.SubsetInput()
    plan.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in characters)
    plan.flags = hb.SubsetFlags.NO_HINTING
    subset = hb.subset(face, plan)
    if subset is None:
        raise BuildError(f"{path}: the font could not be subset for the web page")
    font = TTFont(io.BytesIO(subset.blob.data))
    for graphite in ("Silf", "Silt", "Glat", "Gloc", "Feat", "Sill"):  # browsers ignore them
        if graphite in font:
            del font[graphite]
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


# --------------------------------------------------------------------------- output kind
# Registered here, read by plainlang.build (OUTPUT_MODULES): `plainlang build --format html`.

#: Bump to make every web page again (a change in how they are put together).
WEBPAGE_VERSION = 1


def webpage_relpath(locale: str, case_id: str, audience: str) -> str:
    """``build/html/<locale>/<case>-<audience>.html``, relative to the project."""
    return f"build/html/{locale}/{case_id}-{audience}.html"


def _plan(ctx: PlanContext) -> Iterator[Target]:
    if WEB_LAYOUT not in ctx.config.layout_specs:
        raise UsageError(
            f"--format html: the theme has no {WEB_LAYOUT} layout",
            hint=f"add [layouts.{WEB_LAYOUT}] to plainlang.toml, or build without --format html",
        )
    for case in ctx.cases:
        for locale in ctx.locales:
            for audience in ctx.audiences(case):
                yield Target(
                    "html",
                    case.id,
                    locale,
                    audience,
                    name=f"html:{locale}/{case.id}-{audience}",
                    paths=(webpage_relpath(locale, case.id, audience),),
                )


def _key(inputs: InputHasher, target: Target) -> list[str]:
    import fontTools
    import uharfbuzz

    return [
        *inputs.leaflet_lines(target, WEB_LAYOUT),
        f"webpage {WEBPAGE_VERSION} harfbuzz {uharfbuzz.version_string()} "
        f"fonttools {fontTools.version}",
    ]


def _prepare(session: Session, targets: Sequence[Target], options: BuildOptions) -> None:
    prepare_leaflets(session, targets, [WEB_LAYOUT])


def _make(job: Job) -> Made:
    worker = job.worker
    target = job.target
    renderer = worker.renderer
    renderer.warnings = []  # a ui.po placeholder that fell back, characters replaced
    page = make_webpage(renderer, job.localized, target.audience, worker.pdf.fetcher)
    return Made(
        {target.relpath: page.data},
        pages=1,
        warnings=[*renderer.warnings, *page.warnings],
    )


register_output(
    OutputKind(
        name="html",
        plan=_plan,
        key=_key,
        make=_make,
        format=True,
        prepare=_prepare,
        localized=True,
        description="build/html/<locale>/<case>-<audience>.html (one self-contained page)",
    )
)
