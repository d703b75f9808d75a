"""plainlang.toml: locales CLDR does not know, and errors that point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

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
