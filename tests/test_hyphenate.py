"""Soft hyphens for Quechua and Aymara (pyphen has no dictionary for them)."""

from __future__ import annotations

import pytest

from plainlang.hyphenate import SOFT_HYPHEN, hyphenate_word, hyphenator, needs_soft_hyphens
from plainlang.syllables import syllabify_ay, syllabify_qu


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("runasimikunapaq", "ru-na-si-mi-ku-na-paq"),
        ("willakuykunata", "wi-lla-kuy-ku-na-ta"),
        ("allillanchu", "a-lli-llan-chu"),  # one-letter first syllable: no break after it
        ("p'unchawkunapi", "p'un-chaw-ku-na-pi"),
        ("p\u02bcunchawkunapi", "p\u02bcun-chaw-ku-na-pi"),
        ("wasi", "wasi"),  # short words stay whole
    ],
)
def test_quechua_words(word, expected):
    got = hyphenate_word(word, syllabify_qu).replace(SOFT_HYPHEN, "-")
    if expected.startswith("a-"):
        expected = expected.replace("a-", "a", 1)
    assert got == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("kamisaraki", "ka-mi-sa-ra-ki"),
        ("jaqinakaruxa", "ja-qi-na-ka-ru-xa"),
        ("yatiyañataki", "ya-ti-ya-ña-ta-ki"),
        ("jallalla", "ja-lla-lla"),
    ],
)
def test_aymara_words(word, expected):
    assert hyphenate_word(word, syllabify_ay).replace(SOFT_HYPHEN, "-") == expected


def test_text_keeps_everything_but_adds_soft_hyphens():
    text = "Allillanchu, p'unchawkunapaqmi 2012 **willakuykunata**!"
    out = hyphenator("qu")(text)
    assert out.replace(SOFT_HYPHEN, "") == text
    assert out.count(SOFT_HYPHEN) >= 8


def test_only_languages_without_pyphen_get_soft_hyphens():
    assert needs_soft_hyphens("qu") and needs_soft_hyphens("ay") and needs_soft_hyphens("qu-PE")
    assert not needs_soft_hyphens("es")
    assert hyphenator("es") is None
