"""The contrast check: theme CSS read with tinycss2, pairs measured, findings at the right line."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import override
from hypothesis import given, settings
from hypothesis import strategies as st

from plainlang.checks.contrast import Sheet, ThemeCheck, check_themes, theme_pairs
from plainlang.checks.diagnostics import Severity
from plainlang.theme import SHIPPED_THEME, Theme

BASE = Sheet("templates/css/base.css", (SHIPPED_THEME / "css/base.css").read_text(encoding="utf-8"))


def _check(theme_css: str, *, minimum: float = 4.5, colour: bool = True, extra: str | None = None) -> list[str]:
    sheets = [BASE, Sheet("templates/css/theme-test.css", theme_css)]
    if extra is not None:
        sheets.append(Sheet("templates/css/print-test.css", extra))
    run = ThemeCheck("theme test", tuple(sheets), minimum=minimum, colour=colour)
    return [d.format() for d in check_themes([run])]


def test_a_3_to_1_pair_is_an_error_at_its_line() -> None:
    css = "/* a theme */\n:root { --accent: #1d3557; }\n\n.note {\n  background: #ffffff;\n  color: #949494;\n}\n"
    (finding,) = _check(css)
    assert finding.startswith("templates/css/theme-test.css:6: error[contrast]: ")
    assert "text #949494 #949494 (theme-test.css:6) on #ffffff #ffffff (theme-test.css:5)" in finding
    assert "at .note (theme-test.css:6): 3.0:1 in colour and 3.0:1 in greyscale, below 4.5:1" in finding
    assert finding.endswith("[theme test] (darken the text or lighten the background)")


def test_a_variable_is_reported_where_the_theme_sets_it() -> None:
    """A pale accent fails everywhere it is drawn; the line to change is its declaration."""
    findings = _check(":root {\n  --soft: #ffffff;\n  --accent: #8c8c8c;\n}\n")
    assert findings and all(f.startswith("templates/css/theme-test.css:3: error[contrast]") for f in findings)
    assert any("text var(--accent) #8c8c8c (theme-test.css:3) on var(--paper) #ffffff (base.css:" in f for f in findings)
    assert len(findings) == len(set(findings))  # one finding per line and pair of colours


def test_greyscale_failure_in_colours_that_pass() -> None:
    """Red on black is 5.3:1 in colour, but a photocopy makes it 2.5:1."""
    (finding,) = _check(".alarm { color: #ff0000; background: #000000 }\n")
    assert ":1: error[contrast]" in finding
    assert "2.5:1 in greyscale, below 4.5:1" in finding and "in colour" not in finding
    assert "(lighten the text or darken the background)" in finding


def test_text_on_a_box_of_an_ancestor_rule() -> None:
    css = ".band { background: #333333; color: #ffffff }\n.band .label { color: #555555 }\n"
    (finding,) = _check(css)
    assert ":2: error[contrast]" in finding and "at .band .label" in finding


def test_a_child_inherits_the_background_through_a_child_combinator() -> None:
    css = ".box { background: #222; color: #fff }\n.box > p::before { content: 'i'; color: #444 }\n"
    (finding,) = _check(css)
    assert ":2:" in finding and "at .box > p::before" in finding


def test_a_sibling_is_not_a_background() -> None:
    assert _check(".dark { background: #000; color: #fff }\n.dark + p { color: #1a1a1a }\n") == []


def test_background_alone_is_measured_with_the_inherited_text_colour() -> None:
    (finding,) = _check("\n\naside.warning { background: #5a5a5a }\n")
    assert "theme-test.css:3: error[contrast]" in finding
    assert "text var(--ink) #1a1a1a (base.css:" in finding


def test_empty_pseudo_elements_draw_no_text() -> None:
    assert _check('li::before { content: ""; background: #777777 }\n') == []
    (finding,) = _check('li::before { content: "!"; background: #777777 }\n')
    assert "at li::before" in finding


def test_declared_pair_text_on_a_background() -> None:
    css = ":root {\n  --band: #8a8a8a;\n  --text-on-band: var(--ink), #ffffff;\n}\n"
    (finding,) = _check(css)  # ink on it is 5.0:1, white 3.5:1
    # White text can get no lighter: the finding points at the background to darken.
    assert finding.startswith("templates/css/theme-test.css:2: error[contrast]: text #ffffff")
    assert "on var(--band) #8a8a8a (theme-test.css:2) at --text-on-band: #ffffff" in finding


def test_translucent_text_is_measured_as_painted() -> None:
    assert _check("p.faint { color: rgb(26 26 26 / 30%) }\n") != []
    assert _check("p.dim { color: rgb(0 0 0 / 90%) }\n") == []


def test_profile_minimum_and_greyscale_only() -> None:
    """Grey #555 on #ddd is 5.5:1: fine for a leaflet, not for the 7:1 of a photocopy."""
    css = ".tag { color: #555555; background: #dddddd }\n"
    assert _check(css) == []
    (finding,) = _check(css, minimum=7, colour=False)
    assert "5.5:1 in greyscale, below 7:1" in finding


def test_mono_stylesheet_on_top_wins_with_important() -> None:
    css = ":root { --accent: #8c8c8c; }\n"
    mono = (SHIPPED_THEME / "css/print-mono.css").read_text(encoding="utf-8")
    assert _check(css) != []
    assert _check(css, minimum=7, colour=False, extra=mono) == []


def test_every_shipped_theme_passes_and_its_pairs_are_measured() -> None:
    from plainlang.checks.contrast import theme_runs
    from plainlang.printing import SHIPPED_PROFILES

    runs = theme_runs(Theme(Path("/nonexistent/templates")), SHIPPED_PROFILES)
    assert [r.label for r in runs] == [
        "theme default", "theme municipality", "theme women", "theme youth",
        "print mono, theme default", "print mono, theme municipality",
        "print mono, theme women", "print mono, theme youth",
    ]
    assert check_themes(runs) == []
    youth = {(p.where, round(p.ratio(), 1)) for p in theme_pairs(runs[3].sheets)}
    # The figures theme-youth.css states in its comment.
    assert ("--text-on-soft: var(--accent)", 6.9) in youth
    assert ("--text-on-pop: var(--ink)", 12.1) in youth
    assert (".cover .audience-band", 12.1) in youth
    women = {(p.where, round(p.ratio(), 1)) for p in theme_pairs(runs[2].sheets)}
    assert ("ol.steps > li::before", 7.3) in women  # white on the clay circles
    mono = [p.grey_ratio() for run in runs[4:] for p in theme_pairs(run.sheets)]
    assert min(mono) >= 14


def test_cyclic_variables_do_not_hang() -> None:
    css = ":root { --a: var(--b); --b: var(--a); }\np { color: var(--a); background: #fff }\n"
    assert _check(css) == []  # not a colour: nothing to measure


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("{}();:,.#-! abcdefgr0123456789\"'/*\n")), max_size=300))
def test_any_css_text_is_read_without_crashing(css: str) -> None:
    for finding in _check(css):
        assert "error[contrast]" in finding


# --------------------------------------------------------------------------- the CLI


def test_check_cli_reports_the_line(run, leaflet_project: Path) -> None:  # type: ignore[no-untyped-def]
    clean = run("-C", leaflet_project, "check", "--json")
    assert "[contrast]" not in clean.out and '"check": "contrast"' not in clean.out
    theme = override(leaflet_project, "css/theme-women.css")
    lines = theme.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "--warm:" in line)
    lines[number] = "  --warm: #d9774f;"  # the clay of the step circles, paler: 3.0:1 under white
    theme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("-C", leaflet_project, "check")
    assert result.code == 1
    ours = [line for line in result.out.splitlines() if "[contrast]" in line]
    prefix = f"templates/css/theme-women.css:{number + 1}: error[contrast]: "
    assert ours and all(line.startswith(prefix) for line in ours), ours
    assert any("at ol.steps > li::before" in line and "3.1:1 in colour" in line for line in ours)
    assert all(line.endswith("(darken the background: the text is white already)") for line in ours)


def test_contrast_can_be_disabled_or_downgraded(run, leaflet_project: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(override(leaflet_project, "css/theme-women.css"), leaflet_project / "templates/css/theme-pale.css")
    with (leaflet_project / "templates/css/theme-pale.css").open("a", encoding="utf-8") as f:
        f.write(".pale { color: #aaaaaa }\n")
    toml = leaflet_project / "plainlang.toml"
    original = toml.read_text(encoding="utf-8")
    toml.write_text(original + '\n[checks]\nseverity = { contrast = "warning" }\n', encoding="utf-8")
    result = run("-C", leaflet_project, "check", "--fail-on", "error")
    assert "warning[contrast]" in result.out
    toml.write_text(original + '\n[checks]\ndisable = ["contrast"]\n', encoding="utf-8")
    assert "[contrast]" not in run("-C", leaflet_project, "check").out
    assert Severity.ERROR  # the default, see test_a_3_to_1_pair_is_an_error_at_its_line
