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


def test_formats_default_to_pdf_and_bad_ones_point_at_their_line():
    assert parse(BASE).formats == ("pdf",)
    with_formats = BASE.replace('audiences = ["youth", "women", "municipality"]\n', 'audiences = ["youth", "women", "municipality"]\nformats = ["pdf", "audio"]\n')
    assert parse(with_formats).formats == ("pdf", "audio")
    assert str(parse(with_formats).locations["project.formats"]) == "plainlang.toml:5"
    for bad, problem in (('["PDF"]', "must be a lower-case name"), ('["pdf", "pdf"]', "listed twice")):
        text = with_formats.replace('["pdf", "audio"]', bad)
        with pytest.raises(ConfigError, match=problem) as info:
            parse(text)
        assert str(info.value.location) == "plainlang.toml:5"
