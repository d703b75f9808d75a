"""Layout fitting: the roomiest options that fit, chosen by real WeasyPrint layouts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfutil import page_sizes_mm

from plainlang.config import FitChoice, LayoutSpec
from plainlang.errors import BuildError
from plainlang.fit import fit_leaflet, groups, part_fits, title_size
from plainlang.pdf import PdfRenderer
from plainlang.theme import Theme

PAGE = """<!doctype html><html><head><style>
@page {{ size: 100mm 60mm; margin: 5mm; }}
body {{ margin: 0; font-family: sans-serif; }}
.side {{ columns: 2; column-gap: 4mm; column-fill: auto; height: 50mm; }}
.panel + .panel {{ break-before: column; }}
.box {{ font-size: {size}pt; line-height: 1.2; }}
</style></head><body>{body}</body></html>"""
SIZES = {"big": 24, "medium": 14, "small": 8}


@pytest.fixture
def pdf(tmp_path: Path) -> PdfRenderer:
    return PdfRenderer(tmp_path, Theme(tmp_path / "templates"))


def card(words: int, choice: str = "size", part: str | None = None, within: str = "leaflet") -> LayoutSpec:
    return LayoutSpec(
        name="card",
        template="-",
        stylesheet="-",
        size="100mm 60mm",
        pages=1,
        fit=(FitChoice(choice, ("big", "medium", "small"), part, within),),
    )


def fit_text(pdf: PdfRenderer, tmp_path: Path, words: int, spec: LayoutSpec, rendered: list[dict]):
    text = " ".join(["word"] * words)

    def render(choices):
        rendered.append(dict(choices))
        size = SIZES[choices.get("size", "big")]
        return PAGE.format(size=size, body=f'<div class="box">{text}</div>')

    return fit_leaflet(spec, render, lambda html: pdf.layout(html, base_url=tmp_path))


def test_a_short_text_keeps_the_roomiest_option_in_one_pass(pdf, tmp_path):
    rendered: list[dict] = []
    fitted = fit_text(pdf, tmp_path, 10, card(10), rendered)
    assert fitted.choices == {"size": "big"} and fitted.passes == 1
    assert fitted.laid_out.pages == 1


def test_a_longer_text_steps_down_only_as_far_as_it_must(pdf, tmp_path):
    rendered: list[dict] = []
    fitted = fit_text(pdf, tmp_path, 45, card(45), rendered)
    assert fitted.choices == {"size": "medium"}, fitted.choices
    assert [r["size"] for r in rendered] == ["big", "medium"]
    assert fitted.passes == 2 and fitted.laid_out.pages == 1
    # measured, not guessed: the roomier option really does not fit
    big = PAGE.format(size=24, body='<div class="box">' + " ".join(["word"] * 45) + "</div>")
    assert pdf.layout(big, base_url=tmp_path).pages > 1


def test_too_long_for_every_option_is_reported_with_how_much(pdf, tmp_path):
    with pytest.raises(BuildError) as info:
        fit_text(pdf, tmp_path, 2000, card(2000), [])
    assert "too long for card" in info.value.message and "do not fit" in info.value.message


def test_an_option_that_leaves_the_html_unchanged_costs_no_pass(pdf, tmp_path):
    # the template ignores "tone": every option renders the same HTML, laid out once
    spec = LayoutSpec(
        "card", "-", "-", "100mm 60mm", 1,
        fit=(FitChoice("tone", ("warm", "cool"), None, "leaflet"), FitChoice("size", ("big", "medium", "small"), None, "leaflet")),
    )
    rendered: list[dict] = []
    fitted = fit_text(pdf, tmp_path, 45, spec, rendered)
    assert fitted.passes == len({SIZES[r["size"]] for r in rendered})


def test_a_part_that_spills_out_of_its_column_is_measured(pdf, tmp_path):
    panels = '<div class="side"><div class="panel a">{a}</div><div class="panel b">short</div></div>'
    fits = pdf.layout(PAGE.format(size=10, body=panels.format(a="fits")), base_url=tmp_path)
    spills = pdf.layout(PAGE.format(size=10, body=panels.format(a=" ".join(["word"] * 150))), base_url=tmp_path)
    assert part_fits(fits.document, "a", "column") and part_fits(fits.document, "b", "column")
    assert not part_fits(spills.document, "a", "column")
    assert part_fits(spills.document, "b", "column")  # pushed over, but whole
    assert part_fits(spills.document, "missing", "column")


def test_choices_that_share_a_part_are_tried_together_the_first_changing_last():
    fit = (
        FitChoice("quote", ("flap", "back"), "panel-flap", "column"),
        FitChoice("flap", ("roomy", "full"), "panel-flap", "column"),
        FitChoice("density", ("roomy", "compact"), "side-two", "page"),
    )
    found = groups(fit)
    assert [g.part for g in found] == ["panel-flap", "side-two"]
    assert found[0].combinations == (
        {"quote": "flap", "flap": "roomy"},
        {"quote": "flap", "flap": "full"},
        {"quote": "back", "flap": "roomy"},
        {"quote": "back", "flap": "full"},
    )


def test_a_growing_layout_is_as_tall_as_its_content(pdf, tmp_path):
    spec = LayoutSpec("strip", "-", "-", "80mm 50mm", 1, grow=True)
    long = " ".join(["word"] * 400)

    def render(text):
        return lambda choices: PAGE.format(size=10, body=f'<div class="box">{text}</div>').replace(
            "@page { size: 100mm 60mm;", "@page {"
        )

    layout = lambda html: pdf.layout(html, base_url=tmp_path)  # noqa: E731
    short = fit_leaflet(spec, render("a few words"), layout)
    tall = fit_leaflet(spec, render(long), layout)
    mm = 25.4 / 96
    assert round(short.laid_out.document.pages[0].height * mm) == 50  # the smallest height
    height = tall.laid_out.document.pages[0].height * mm
    assert height > 60 and tall.laid_out.pages == 1
    assert abs(height - (tall.laid_out.content_bottom_mm() + 1.0)) < 1.5


def test_title_size_is_chosen_in_python_from_its_words():
    assert title_size("Your right to know") == "short"
    assert title_size("How Peru wrote its first open government plan") == "mid"
    assert title_size("Willakuykunamanta tapukuy") == "long"  # a 17-letter word


# -- the shipped layouts, fitted ------------------------------------------------------------


def _fit_water(project: Path, text_times: int, locale: str = "es"):
    from plainlang.localize import localize
    from plainlang.session import Session

    case_file = project / "content/cases/water.md"
    if text_times > 1:
        body = case_file.read_text()
        extra = "\n".join(
            f"Rosa went back to the office with her copy, time {n}. She asked again, and "
            "she wrote down the date and the name of the person who answered her.\n"
            for n in range(text_times)
        )
        case_file.write_text(body.replace("::: youth", extra + "\n::: youth", 1))
    prepared = Session(project)
    config = prepared.config
    pdf = PdfRenderer(config.root, config.theme)
    lc = localize(prepared.case("water"), locale, prepared.catalogs)
    spec = config.layout("trifold")

    def render(choices):
        return prepared.renderer.html(lc, "youth", "trifold", choices)

    def layout(html):
        return pdf.layout(html, base_url=config.templates_dir)

    return spec, render, layout, fit_leaflet(spec, render, layout)


@pytest.mark.parametrize("times", [1, 19])
def test_the_trifold_takes_the_roomiest_density_its_inside_panels_hold(leaflet_project, times):
    spec, render, layout, fitted = _fit_water(leaflet_project, times)
    assert fitted.laid_out.pages == 2
    density = next(c for c in spec.fit if c.name == "density").options
    chosen = density.index(fitted.choices["density"])
    assert f"density-{fitted.choices['density']}" in fitted.html
    if times == 1:
        assert chosen == 0
    else:
        assert chosen > 0  # the long case does not fit the roomiest type...
        roomier = dict(fitted.choices, density=density[chosen - 1])
        assert not part_fits(layout(render(roomier)).document, "side-two", "page")  # ...measured


def test_a_project_layout_takes_its_page_size_from_the_config(run, leaflet_project):
    config = leaflet_project / "plainlang.toml"
    config.write_text(
        config.read_text()
        + '\n[layouts.poster]\ntemplate = "layouts/flyer.html.j2"\nstylesheet = "css/flyer.css"\n'
        'size = "297mm 420mm"\npages = 2\n'
    )
    result = run("-C", leaflet_project, "build", "--jobs", "1", "--layout", "poster", "--locale", "es", "--audience", "youth")
    assert result.code == 0, result.err
    assert page_sizes_mm(leaflet_project / "build/pdf/es/water-youth-poster.pdf")[0] == (297.0, 420.0)
