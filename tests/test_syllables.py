"""Syllable division and counts: Spanish by rule, Quechua and Aymara (C)V(C), English heuristic."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plainlang.syllables import (
    count_syllables,
    count_syllables_en,
    language_family,
    syllabify,
    syllabify_ay,
    syllabify_es,
    syllabify_qu,
)

# Each word with its school division; the count under test is the number of pieces.
SPANISH = [
    # the words textstat/pyphen gets wrong, and the ones the issue names
    "a-gua", "a-ho-ra", "o-í-a", "pa-ís", "ciu-dad", "buey", "U-ru-guay", "a-é-re-o",
    "po-e-sí-a", "lin-güís-ti-ca", "pin-güi-no", "re-ír", "cre-er", "le-er", "ca-os",
    "hé-ro-e", "hue-vo", "hie-lo", "pro-hi-bi-do", "cons-truir", "ins-truc-ción",
    "trans-por-te", "a-hí", "ma-íz", "ba-úl", "rey", "muy", "in-for-ma-ción", "go-bier-no",
    "ciu-da-da-ní-a", "trans-pa-ren-cia", "mu-ni-ci-pa-li-dad", "a-e-ro-pla-no",
    # diphthongs: weak + strong, strong + weak, two different weak vowels
    "ai-re", "cau-sa", "pei-ne", "deu-da", "oi-go", "bue-no", "cua-tro", "pia-no",
    "tiem-po", "ra-dio", "es-ta-dou-ni-den-se", "fui-mos", "cui-da-do", "jui-cio",
    "viu-da", "rui-do", "cons-truí", "cuí-da-te",
    # triphthongs
    "a-ve-ri-guáis", "Pa-ra-guay", "es-tu-diáis", "lim-piéis", "miau", "guau",
    "Ca-ma-güey",
    # hiatus of two strong vowels
    "te-a-tro", "o-cé-a-no", "mu-se-o", "po-e-ta", "i-de-a", "pe-or", "Bil-ba-o",
    "zo-o-ló-gi-co", "co-or-di-nar",
    # an accented i or u breaks the diphthong
    "dí-a", "rí-o", "tí-o", "Ra-úl", "a-ún", "re-ú-ne", "o-í-do", "fre-ír",
    "in-cre-í-ble", "e-co-no-mí-a", "po-li-cí-a", "to-da-ví-a", "grú-a", "con-ti-nú-a",
    "en-ví-o", "te-ní-a", "le-í-ais",
    # silent u (que qui gue gui), pronounced u elsewhere, ü
    "Quis-pe", "a-quí", "quien", "pe-que-ño", "gue-rra", "gui-ta-rra", "guí-a", "guion",
    "quó-rum", "ver-güen-za", "a-ve-ri-güé", "Que-chua",
    # h begins a syllable
    "bú-ho", "za-na-ho-ria", "al-co-hol", "des-ha-cer", "re-hén", "in-hu-ma-no",
    "al-mo-ha-da", "pro-hi-bir",
    # consonant clusters and digraphs
    "hom-bre", "pro-ble-ma", "e-jem-plo", "ma-dre", "o-tro", "li-bro", "i-gle-sia",
    "Á-fri-ca", "in-fla-ción", "obs-tá-cu-lo", "pers-pec-ti-va", "abs-trac-to",
    "ex-tra-ño", "at-le-ta", "cha-cra", "ca-lle", "pe-rro", "mu-cha-cho",
    "de-sa-rro-llo", "ac-ce-so", "pú-bli-ca",
    # y: a vowel at the end or before a consonant, a consonant before a vowel
    "hoy", "ley", "hay", "voy", "es-toy", "le-yes", "A-ya-cu-cho", "a-yu-da", "Ay-ma-ra",
    "cón-yu-ge", "y",
]  # fmt: skip


def test_spanish_list_is_long_enough() -> None:
    assert len(SPANISH) >= 60
    assert len({w.replace("-", "").lower() for w in SPANISH}) == len(SPANISH)


@pytest.mark.parametrize("divided", SPANISH)
def test_spanish_division_and_count(divided: str) -> None:
    word = divided.replace("-", "")
    assert syllabify_es(word) == divided.split("-")
    assert count_syllables(word, "es") == len(divided.split("-"))


@pytest.mark.parametrize(
    ("word", "count"),
    [("agua", 2), ("ahora", 3), ("oía", 3)],
)
def test_counts_where_hyphenation_dictionaries_fail(word: str, count: int) -> None:
    # pyphen (and textstat on top of it) gives 1, 2, 1 for these.
    assert count_syllables(word, "es") == count


def test_tl_is_an_onset_only_when_asked() -> None:
    assert syllabify_es("atleta") == ["at", "le", "ta"]
    assert syllabify_es("atleta", tl_onset=True) == ["a", "tle", "ta"]
    assert syllabify_es("Atlántico", tl_onset=True) == ["A", "tlán", "ti", "co"]


def test_capitals_and_decomposed_accents_are_kept() -> None:
    assert syllabify_es("CIUDADANÍA") == ["CIU", "DA", "DA", "NÍ", "A"]
    decomposed = unicodedata.normalize("NFD", "país")
    assert syllabify_es(decomposed) == ["pa", "ís"]


def test_words_without_vowels() -> None:
    assert syllabify_es("") == []
    assert syllabify_es("2024") == ["2024"]
    assert count_syllables("2024", "es") == 1
    assert count_syllables("—", "es") == 0


QUECHUA = [
    "wa-si", "ru-na-si-mi", "a-lli-llan-chu", "p'un-chaw", "ch'a-ki", "qha-paq",
    "Ta-wan-tin-su-yu", "ya-chay", "k'an-chay", "t'i-ka", "phu-yu", "khi-pu", "chha-lla",
    "llam-k'ay", "ñu-qan-chik", "ya-cha-chiq-ku-na-paq", "ut-qha", "up-yay", "shu-maq",
    "Ay-llu",
    # central Quechua writes a long vowel twice: one syllable (first person, "I see")
    "ri-kaa", "mi-kuu",
    # the ejective mark may be typed as U+02BC or U+2019
    "p\u02bcun-chaw", "ch\u2019a-ki",
]  # fmt: skip

AYMARA = [
    "ja-lla-lla", "ji-sa", "ka-mi-sa-ra-ki", "u-ta", "ja-qi", "wa-li-ki", "yus-pa-ja-ra",
    "qa-ma-ña", "ja-ch'a", "uñ-t'a-ña", "ch'u-qi", "ja-qi-na-ka", "a-ru", "mä",
]  # fmt: skip


@pytest.mark.parametrize("divided", QUECHUA)
def test_quechua_division(divided: str) -> None:
    word = divided.replace("-", "")
    assert syllabify_qu(word) == divided.split("-")
    assert count_syllables(word, "quz") == len(divided.split("-"))


@pytest.mark.parametrize("divided", AYMARA)
def test_aymara_division(divided: str) -> None:
    word = divided.replace("-", "")
    assert syllabify_ay(word) == divided.split("-")
    assert count_syllables(word, "ay") == len(divided.split("-"))


def test_apostrophe_is_never_a_boundary() -> None:
    for word in ("p'unchaw", "ch'aki", "uñt'aña", "jach'a", "q'iwa"):
        for piece in syllabify_qu(word):
            assert not piece.startswith(("'", "\u2019", "\u02bc"))


def test_doubled_vowel_is_two_syllables_in_aymara() -> None:
    # Aymara marks length with a diaeresis (mä), so "aa" is two vowels.
    assert syllabify_ay("rikaa") == ["ri", "ka", "a"]
    assert syllabify_qu("rikaa") == ["ri", "kaa"]


ENGLISH = [
    ("cat", 1), ("school", 1), ("free", 1), ("whole", 1), ("asked", 1), ("played", 1),
    ("makes", 1), ("table", 2), ("little", 2), ("people", 2), ("able", 2),
    ("wanted", 2), ("needed", 2), ("boxes", 2), ("places", 2), ("question", 2),
    ("office", 2), ("village", 2), ("answered", 2), ("beyond", 2), ("money", 2),
    ("government", 3), ("beautiful", 3), ("radio", 3), ("media", 3), ("education", 4),
    ("information", 4),
]  # fmt: skip


@pytest.mark.parametrize(("word", "count"), ENGLISH)
def test_english_heuristic(word: str, count: int) -> None:
    assert count_syllables_en(word) == count
    assert count_syllables(word, "en_US") == count


@pytest.mark.parametrize(
    ("code", "family"),
    [("es", "es"), ("es_PE", "es"), ("es-419", "es"), ("quz", "qu"), ("qu", "qu"),
     ("quy", "qu"), ("ay", "ay"), ("aym", "ay"), ("en-GB", "en"), ("pt_BR", "pt")],
)  # fmt: skip
def test_language_family(code: str, family: str) -> None:
    assert language_family(code) == family


def test_other_languages() -> None:
    assert count_syllables("liberdade", "pt") == 4  # vowel groups
    with pytest.raises(ValueError, match="en"):
        syllabify("water", "en")
    assert syllabify("wasi", "qu_PE") == ["wa", "si"]


_LETTERS = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzñáéíóúüAEIOUQGHY'ʼ-")),
    max_size=20,
)


@given(_LETTERS)
def test_pieces_join_back_to_the_word(word: str) -> None:
    for divide in (syllabify_es, syllabify_qu, syllabify_ay):
        pieces = divide(word)
        assert "".join(pieces) == unicodedata.normalize("NFC", word)
        assert all(pieces)
