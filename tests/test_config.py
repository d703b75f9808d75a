"""plainlang.toml: locales CLDR does not know, and errors that point at the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainlang.config import normalize_locale, parse_config
from plainlang.errors import ConfigError

BASE = """\
[project]
source_locale = "en"
locales = ["es", "qu", "ay"]
audiences = ["youth", "women", "municipality"]

[locales.qu]
fallback = ["es"]

[locales.ay]
name = "Aymar aru"
english_name = "Aymara"
plural_forms = "nplurals=2; plural=(n != 1);"
fallback = ["es"]
"""


def parse(text: str):
    return parse_config(text, Path("/tmp/p/plainlang.toml"))


def test_names_come_from_cldr_then_langcodes_then_config():
    config = parse(BASE)
    es, qu, ay = (config.locale_info[c] for c in ("es", "qu", "ay"))
    assert (es.name, es.english_name, es.in_cldr) == ("español", "Spanish", True)
    assert qu.english_name == "Quechua" and qu.in_cldr
    assert (ay.name, ay.english_name, ay.in_cldr) == ("Aymar aru", "Aymara", False)
    assert ay.nplurals == 2
    assert config.fallback_chain("qu") == ("qu", "es")


def test_langcodes_names_a_locale_cldr_lacks():
    text = BASE.replace('"ay"]', '"ay", "shp"]') + '[locales.shp]\nplural_forms = "nplurals=2; plural=(n != 1);"\n'
    info = parse(text).locale_info["shp"]
    assert info.english_name == "Shipibo-Conibo"


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (lambda t: t.replace('[locales.qu]\n', '[locales.qu]\ncolour = "red"\n'), 7, "unknown key 'colour'"),
        (lambda t: t.replace('fallback = ["es"]\n\n[locales.ay]', 'fallback = "es"\n\n[locales.ay]'), 7, "must be a list"),
        (lambda t: t.replace('"ay"]', '"ay", "cni"]'), 3, "locale 'cni' has no plural rule"),
        (lambda t: t.replace('"ay"]', '"ay", "xx"]'), 3, "unknown locale 'xx'"),
        (lambda t: t.replace('plural_forms = "nplurals=2; plural=(n != 1);"\n', ""), 9, "no plural rule"),
        (lambda t: t.replace("[project]", "[projekt]"), 1, "unknown table [projekt]"),
        (lambda t: t.replace('locales = ["es"', 'locales = ["es",'), 3, "not valid TOML"),
        (lambda t: t + '\n[locales.de]\nname = "Deutsch"\n', 15, "not in 'locales'"),
        (lambda t: t.replace('fallback = ["es"]\n\n[locales.ay]', 'fallback = ["fr"]\n\n[locales.ay]'), 7, "fallback 'fr'"),
        (lambda t: t.replace('source_locale = "en"', 'source_locale = "en"\nlayouts = ["poster"]'), 3, "unknown layout"),
    ],
)
def test_config_errors_name_the_line(change, line, words):
    with pytest.raises(ConfigError) as info:
        parse(change(BASE))
    assert info.value.location.path == "plainlang.toml"
    assert info.value.location.line == line, info.value.format()
    assert words in info.value.message


def test_cli_reports_config_error_in_one_line(run, project):
    config = project / "plainlang.toml"
    config.write_text(config.read_text().replace("[locales.qu]\n", "[locales.qu]\nfalback = []\n"))
    result = run("-C", project, "extract")
    assert result.code == 2
    assert result.err.startswith("plainlang.toml:10: config error: unknown key 'falback' in [locales.qu]")
    assert len(result.err.strip().splitlines()) == 1


def test_missing_config_is_a_usage_error(run, tmp_path):
    result = run("-C", tmp_path, "stats")
    assert result.code == 2
    assert "no plainlang.toml" in result.err


def test_normalize_locale():
    assert normalize_locale("pt-br") == "pt_BR"
    assert normalize_locale("QU") == "qu"
    assert normalize_locale("sr-latn") == "sr_Latn"


def test_formats_default_to_pdf_and_bad_ones_point_at_their_line():
    assert parse(BASE).formats == ("pdf",)
    with_formats = BASE.replace('audiences = ["youth", "women", "municipality"]\n', 'audiences = ["youth", "women", "municipality"]\nformats = ["pdf", "audio"]\n')
    assert parse(with_formats).formats == ("pdf", "audio")
    assert str(parse(with_formats).locations["project.formats"]) == "plainlang.toml:5"
    for bad, problem in (('["PDF"]', "has 'PDF', which is not allowed"), ('["pdf", "pdf"]', "twice")):
        text = with_formats.replace('["pdf", "audio"]', bad)
        with pytest.raises(ConfigError, match=problem) as info:
            parse(text)
        assert str(info.value.location) == "plainlang.toml:5"


# -- layouts and audiences as data --------------------------------------------------------

POSTER = """
[layouts.poster]
template = "layouts/flyer.html.j2"
stylesheet = "css/flyer.css"
size = "A3"
pages = 2

[audiences.elders]
label = "For elders' councils"
theme = "women"
"""


def with_tables(tables: str = POSTER, audiences: str = '["youth", "elders"]') -> str:
    text = BASE.replace('audiences = ["youth", "women", "municipality"]', f"audiences = {audiences}")
    return text + tables


def test_the_shipped_layouts_and_audiences_are_data():
    config = parse(BASE)
    assert list(config.layout_specs) == ["trifold", "flyer", "booklet", "phone", "web"]
    booklet = config.layout("booklet")
    assert (booklet.size, booklet.pages, booklet.page_step, booklet.sheets) == ("A5", 16, 4, "booklet")
    assert [c.name for c in booklet.fit] == ["sections", "density", "cover_art"]
    assert config.layout("flyer").sheets == "two-up" and config.layout("trifold").sheets == ""
    trifold = config.layout("trifold")
    assert (trifold.template, trifold.stylesheet, trifold.size, trifold.pages) == (
        "layouts/trifold.html.j2", "css/trifold.css", "A4 landscape", 2,
    )
    assert [c.name for c in trifold.fit] == ["density", "quote", "flap", "cover_art"]
    assert config.layout("phone").grow and config.layout("phone").pages == 1
    youth = config.audience("youth")
    assert (youth.label, youth.theme, youth.pictogram) == ("For youth groups", "youth", "share")
    assert [s.pictogram for s in config.audience("municipality").next_steps] == ["person", "board", "speech"]
    assert config.audience("municipality").next_steps_note == ""


def test_a_project_adds_a_layout_and_an_audience_and_changes_only_the_keys_it_sets():
    text = with_tables(POSTER + '\n[audiences.youth]\nlabel = "For young people"\n\n[layouts.trifold]\npages = 3\n')
    config = parse(text)
    poster = config.layout("poster")
    assert (poster.size, poster.pages, poster.template) == ("A3", 2, "layouts/flyer.html.j2")
    elders = config.audience("elders")
    # a new audience starts from the theme's defaults, and takes what it sets
    assert (elders.label, elders.theme, elders.pictogram, elders.callout_label) == (
        "For elders' councils", "women", "info", "For you",
    )
    youth = config.audience("youth")
    assert (youth.label, youth.theme, youth.pictogram) == ("For young people", "youth", "share")
    trifold = config.layout("trifold")
    assert (trifold.pages, trifold.template) == (3, "layouts/trifold.html.j2")
    # the labels are ui strings, each where it is written
    where = {s.msgid: f"{s.location.path}:{s.location.line}" for s in config.ui_strings}
    assert where["For elders' councils"] == f"plainlang.toml:{_line_of(text, 'councils')}"
    assert where["For young people"].startswith("plainlang.toml:")
    assert where["For you and your friends"].startswith("templates/theme.toml:")
    assert "For youth groups" not in where  # replaced by the project's label
    assert "For women's groups" not in where  # an audience the project does not build


def test_audiences_default_to_the_shipped_ones_and_the_projects_new_ones():
    text = BASE.replace('audiences = ["youth", "women", "municipality"]\n', "") + POSTER
    assert parse(text).audiences == ("youth", "women", "municipality", "elders")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ('template = "layouts/flyer.html.j2"', 'template = "layouts/poster.html.j2"', "template =", "neither in the project's templates/ nor in the shipped theme"),
        ('stylesheet = "css/flyer.css"', 'stylesheet = "../secret.css"', "stylesheet =", "neither in the project's templates/"),
        ('size = "A3"', 'size = "huge"', "size =", "is not a page size"),
        ('size = "A3"', 'size = "A3; } body { display: none"', "size =", "is not a page size"),
        ("pages = 2", "pages = 0", "pages =", "a layout has 1 to 64 pages"),
        ("pages = 2", "pages = 2\npage_step = 4", "page_step =", "does not divide pages"),
        ("pages = 2", 'pages = "two"', "pages =", "must be a whole number, not text"),
        ("pages = 2", "pages = 2\ncolour = 1", "colour =", "unknown key 'colour' in [layouts.poster]"),
        ("pages = 2", "pages = 2\ngrow = true", "pages =", "grows to its content"),
        ('theme = "women"', 'theme = "elders"', "theme =", "css/theme-elders.css"),
        ('theme = "women"', 'theme = "women"\npictogram = "tree"', "pictogram =", "pictogram 'tree'"),
        ('theme = "women"', 'theme = "women"\nnext_steps = ["Go"]', "next_steps =", "a step of next_steps"),
        ('theme = "women"', 'theme = "women"\nlabl = "x"', "labl =", "unknown key 'labl' in [audiences.elders]"),
        ('label = "For elders\' councils"\n', "", "[audiences.elders]", "needs a label"),
        ('size = "A3"\n', "", "[layouts.poster]", "needs 'size'"),
        ("[layouts.poster]", "[layouts.Poster]", "[layouts.Poster]", "lower-case"),
    ],
)
def test_layout_and_audience_errors_name_the_line(old, new, needle, words):
    text = with_tables()
    assert old in text
    text = text.replace(old, new, 1)
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert info.value.location.path == "plainlang.toml", info.value.format()
    assert info.value.location.line == _line_of(text, needle), info.value.format()
    assert words in info.value.message, info.value.format()


@pytest.mark.parametrize(
    ("audiences", "layouts", "words"),
    [
        ('["youth", "kids"]', '["trifold"]', "unknown audience 'kids'"),
        ('["youth"]', '["trifold"]', "[audiences.elders] configures an audience that is not in 'audiences'"),
        ('["youth", "elders"]', '["trifold", "banner"]', "unknown layout 'banner'"),
    ],
)
def test_unknown_names_in_the_project_table_name_their_line(audiences, layouts, words):
    text = with_tables(audiences=audiences).replace(
        'source_locale = "en"', f'source_locale = "en"\nlayouts = {layouts}'
    )
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert words in info.value.message, info.value.format()
    key = "[audiences.elders]" if "configures" in words else ("layouts =" if "layout" in words else "audiences =")
    assert info.value.location.line == _line_of(text, key)


def test_language_names_are_in_the_language_that_prints_them():
    config = parse(BASE)
    assert config.language_name("en", "es") == "inglés"
    assert config.language_name("es", "qu") == "Español Simi"
    assert config.language_name("es", "ay") == "español"  # CLDR has no Aymara: the autonym
    assert config.language_name("qu", "qu") == "Runasimi"
    assert config.language_name("ay", "es") == "aimara"


LAYOUT_VALUES = st.one_of(
    st.text(max_size=12), st.integers(-5, 100), st.booleans(), st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["name", "options", "part", "within"]), st.text(max_size=8), max_size=4), max_size=2),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    layout=st.dictionaries(
        st.sampled_from(["template", "stylesheet", "size", "pages", "page_step", "grow", "fit", "x"]),
        LAYOUT_VALUES, max_size=6,
    ),
    audience=st.dictionaries(
        st.sampled_from(["label", "theme", "pictogram", "callout_label", "next_steps", "next_steps_note", "y"]),
        LAYOUT_VALUES, max_size=5,
    ),
)
def test_any_layout_or_audience_table_is_accepted_or_a_config_error(layout, audience):
    """Whatever a project writes in these tables: a config, or one ConfigError with a line."""
    text = with_tables(
        "\n[layouts.poster]\n" + _toml_table(layout) + "\n[audiences.elders]\n" + _toml_table(audience)
    )
    try:
        config = parse(text)
    except ConfigError as exc:
        assert exc.location is not None and exc.location.line is not None, exc.format()
        return
    spec = config.layout("poster")
    assert 1 <= spec.pages <= 64 and spec.pages % spec.page_step == 0
    assert config.audience("elders").label


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def _toml_table(values: dict) -> str:
    return "".join(f"{key} = {_toml_value(value)}\n" for key, value in values.items())


def test_a_booklet_holds_up_to_its_pages_and_prints_in_steps():
    text = with_tables(POSTER.replace("pages = 2", "pages = 16\npage_step = 4"))
    poster = parse(text).layout("poster")
    assert (poster.pages, poster.page_step) == (16, 4)
    assert [poster.sheet_pages(n) for n in (1, 4, 5, 16)] == [4, 4, 8, 16]


# -- every section validated, with the line of the key --------------------------------------


@pytest.mark.parametrize(
    ("addition", "line", "words", "hint"),
    [
        ('[checks]\ndisabel = ["same"]\n', 16, "unknown key 'disabel' in [checks]", "did you mean 'disable'?"),
        ("[checks.plain]\nmax_sentence_words = 0\n", 16, "is 0; it must be at least 1", None),
        ("[checks.plain.qu]\nmax_mean_word_chars = inf\n", 16, "must be a number, not inf", None),
        ("[checks.locales.qu]\ninclude_fuzzy = 1\n", 16, "must be true or false", None),
        ("[build]\nmin_coverage = -1\n", 16, "is -1; it must be at least 0", None),
        ("[layouts.trifold]\npages = 2.5\n", 16, "must be a whole number", None),
        ('[layout]\ntemplate = "x"\n', 15, "unknown table [layout]", "did you mean 'layouts'?"),
        ("[checks]\nplain = 3\n", 16, "[checks.plain] must be a table", None),
        ('[project2]\nname = "x"\n', 15, "unknown table [project2]", "did you mean 'project'?"),
    ],
)
def test_every_section_is_checked_at_its_line(addition, line, words, hint):
    with pytest.raises(ConfigError) as info:
        parse(BASE + "\n" + addition)
    assert info.value.location.line == line, info.value.format()
    assert words in info.value.message
    if hint:
        assert hint in (info.value.hint or "")


def test_a_new_table_joins_the_schema_with_one_entry():
    """How [layouts.NAME], [audiences.NAME] and friends come in: one entry in SCHEMA."""
    from dataclasses import replace

    from plainlang import config

    schema = replace(
        config.SCHEMA,
        keys={**config.SCHEMA.keys, "audiences": config.Table(each=config.Table({"label": config.Key("str")}))},
    )
    text = BASE + '\n[audiences.elders]\nlabel = 3\n'
    lines = config._Lines(Path("plainlang.toml"), text)
    import tomllib

    with pytest.raises(ConfigError, match=r"'label' in \[audiences.elders\] must be a str") as info:
        config._validate_table(tomllib.loads(text), schema, "", lines)
    assert info.value.location.line == 16


def test_config_locates_keys_for_later_errors():
    config = parse(BASE + '\n[checks.locales.qu]\nsame_allow = ["Tayta"]\n')
    assert config.where("checks.locales.qu", "same_allow").line == 16
    assert config.where("locales.ay", "plural_forms").line == 12


def test_source_date_epoch_is_read_in_one_place():
    """Three readers disagreed: pdf raised on 'yesterday', catalogs ignored it, the input
    keys hashed it raw. config.source_date_epoch is the one."""
    import re as re_

    src = Path(__file__).parent.parent / "src" / "plainlang"
    readers = sorted(
        p.name for p in src.rglob("*.py") if re_.search(r"environ.*SOURCE_DATE_EPOCH|SOURCE_DATE_EPOCH.*environ|getenv\(.SOURCE_DATE_EPOCH", p.read_text())
        or "environ.get(\"SOURCE_DATE_EPOCH\"" in p.read_text() or 'get("SOURCE_DATE_EPOCH"' in p.read_text()
    )
    assert readers == ["config.py"]
    from plainlang.config import source_date_epoch
    from plainlang.errors import UsageError

    assert source_date_epoch({"SOURCE_DATE_EPOCH": " 0 "}).year == 1970
    for bad in ("yesterday", "-5", "1e9", "9" * 30):
        with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
            source_date_epoch({"SOURCE_DATE_EPOCH": bad})


def test_stats_and_update_name_the_project_locales(run, project):
    for command in ("stats", "update"):
        result = run("-C", project, command, "--locale", "zz")
        assert result.code == 2
        assert result.err.strip() == (
            "usage error: --locale zz is not a locale of this project (choose from: es, qu, ay)"
        )
