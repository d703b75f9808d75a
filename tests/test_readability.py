"""Readability formulas, tokenizers and plain-language findings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plainlang.checks.readability import (
    InfleszBand,
    PlainOptions,
    analyze,
    fernandez_huerta,
    fernandez_huerta_from_counts,
    fernandez_huerta_published,
    flesch_reading_ease,
    inflesz_band,
    plain_text,
    split_sentences,
    split_words,
    szigriszt_pazos,
    text_counts,
)

# ---------------------------------------------------------------- formulas

EASY_ES = "La casa es blanca. El agua está fría."
# 8 words, 2 sentences; syllables: la 1, ca-sa 2, es 1, blan-ca 2 (6) and
# el 1, a-gua 2, es-tá 2, frí-a 2 (7): 13.


def test_flesch_on_monosyllables() -> None:
    text = "The cat sat. The dog ran."
    counts = text_counts(text, "en")
    assert (counts.words, counts.sentences, counts.syllables) == (6, 2, 6)
    expected = 206.835 - 1.015 * (6 / 2) - 84.6 * (6 / 6)
    assert flesch_reading_ease(text) == pytest.approx(expected)


def test_flesch_with_longer_words() -> None:
    text = "A little table."  # 3 words, 1 sentence, 1 + 2 + 2 = 5 syllables
    expected = 206.835 - 1.015 * 3 - 84.6 * (5 / 3)
    assert flesch_reading_ease(text) == pytest.approx(expected)


def test_spanish_counts_use_real_syllables() -> None:
    counts = text_counts(EASY_ES, "es")
    assert (counts.words, counts.sentences, counts.syllables) == (8, 2, 13)


def test_fernandez_huerta_corrected_form() -> None:
    expected = 206.84 - 60 * (13 / 8) - 1.02 * (8 / 2)
    assert fernandez_huerta(EASY_ES) == pytest.approx(expected)


def test_fernandez_huerta_published_form_agrees() -> None:
    # P = syllables per 100 words, F = words per sentence.
    p = 100 * 13 / 8
    f = 8 / 2
    assert fernandez_huerta_published(p, f) == pytest.approx(
        fernandez_huerta_from_counts(words=8, sentences=2, syllables=13)
    )
    assert fernandez_huerta_published(p, f) == pytest.approx(206.84 - 0.60 * 162.5 - 1.02 * 4)


def test_szigriszt_pazos() -> None:
    expected = 206.835 - 62.3 * (13 / 8) - 8 / 2
    assert szigriszt_pazos(EASY_ES) == pytest.approx(expected)


def test_markup_is_not_counted() -> None:
    marked = "La **casa** es [blanca](https://example.org/casa). El *agua* está `fría`."
    assert text_counts(marked, "es") == text_counts(EASY_ES, "es")
    assert szigriszt_pazos(marked) == pytest.approx(szigriszt_pazos(EASY_ES))


def test_empty_text_has_no_score() -> None:
    with pytest.raises(ValueError, match="at least one word"):
        flesch_reading_ease("")
    report = analyze("", "es")
    assert report.szigriszt_pazos is None
    assert report.inflesz is None
    assert report.findings == ()


@pytest.mark.parametrize(
    ("score", "band", "label_es"),
    [
        (-10.0, InfleszBand.VERY_DIFFICULT, "muy difícil"),
        (39.9, InfleszBand.VERY_DIFFICULT, "muy difícil"),
        (40.0, InfleszBand.SOMEWHAT_DIFFICULT, "algo difícil"),
        (54.9, InfleszBand.SOMEWHAT_DIFFICULT, "algo difícil"),
        (55.0, InfleszBand.NORMAL, "normal"),
        (64.9, InfleszBand.NORMAL, "normal"),
        (65.0, InfleszBand.FAIRLY_EASY, "bastante fácil"),
        (80.0, InfleszBand.FAIRLY_EASY, "bastante fácil"),
        (80.1, InfleszBand.VERY_EASY, "muy fácil"),
    ],
)
def test_inflesz_bands(score: float, band: InfleszBand, label_es: str) -> None:
    assert inflesz_band(score) is band
    assert band.label_es == label_es


def test_report_scores_by_language() -> None:
    es = analyze(EASY_ES, "es_PE")
    assert es.szigriszt_pazos == pytest.approx(szigriszt_pazos(EASY_ES))
    assert es.fernandez_huerta == pytest.approx(fernandez_huerta(EASY_ES))
    assert es.inflesz is InfleszBand.VERY_EASY
    assert es.flesch_reading_ease is None
    en = analyze("The cat sat. The dog ran.", "en")
    assert en.flesch_reading_ease is not None
    assert en.szigriszt_pazos is None


def test_quechua_gets_means_not_a_formula() -> None:
    # 4 words, 2 sentences; letters: wasi 4, hatun 5, p'unchaw 7 (the apostrophe is a
    # mark, not a letter), sumaq 5 = 21.
    report = analyze("Wasi hatun. P'unchaw sumaq.", "quz")
    assert report.flesch_reading_ease is None
    assert report.fernandez_huerta is None
    assert report.szigriszt_pazos is None
    assert report.words_per_sentence == pytest.approx(2.0)
    assert report.letters_per_word == pytest.approx(21 / 4)
    assert report.counts.syllables == 8


# ---------------------------------------------------------------- markup and tokens


def test_plain_text_strips_inline_markup() -> None:
    source = (
        r"**Hola** *mundo* [aquí](https://x.org/a_(b)) `code` \*no\* &amp; "
        "![foto](f.png) fin\nsigue"
    )
    assert plain_text(source) == "Hola mundo aquí code *no* &  fin sigue"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "¿Cuánto cuesta? ¡Es gratis! Pregunte en la oficina.",
            ["¿Cuánto cuesta?", "¡Es gratis!", "Pregunte en la oficina."],
        ),
        ("¿Vienes? —preguntó Rosa.", ["¿Vienes? —preguntó Rosa."]),
        (
            "Si no responden, ¿qué hago? Vuelva en diez días.",
            ["Si no responden, ¿qué hago?", "Vuelva en diez días."],
        ),
        ("El Sr. Quispe y la Dra. Mamani firmaron.", ["El Sr. Quispe y la Dra. Mamani firmaron."]),
        (
            "Traiga un documento, p. ej. el DNI. Luego espere.",
            ["Traiga un documento, p. ej. el DNI.", "Luego espere."],
        ),
        ("Costó 3.50 soles. Pagó 1.200 en total.", ["Costó 3.50 soles.", "Pagó 1.200 en total."]),
        ("Compró papel, lápices, etc. y se fue.", ["Compró papel, lápices, etc. y se fue."]),
        (
            "Compró papel, lápices, etc. Luego se fue.",
            ["Compró papel, lápices, etc.", "Luego se fue."],
        ),
        ("Dijo que no. Luego volvió.", ["Dijo que no.", "Luego volvió."]),
        ("Vea la No. 5 del reglamento.", ["Vea la No. 5 del reglamento."]),
        ("Esperó... y esperó. Nadie vino.", ["Esperó... y esperó.", "Nadie vino."]),
        ('Dijo: "Ya voy." Luego salió.', ['Dijo: "Ya voy."', "Luego salió."]),
        ("J. R. Quispe llegó tarde.", ["J. R. Quispe llegó tarde."]),
        (
            "Mr. Smith asked for the file. It was free",
            ["Mr. Smith asked for the file.", "It was free"],
        ),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_split_words() -> None:
    assert split_words("Pagó 3.5 soles, no 3,50: ¡p'unchaw-kuna!") == [
        "Pagó",
        "3.5",
        "soles",
        "no",
        "3,50",
        "p'unchaw-kuna",
    ]
    assert split_words("Rosa, Ayacucho.") == ["Rosa", "Ayacucho"]


# ---------------------------------------------------------------- findings


def _checks(text: str, lang: str, options: PlainOptions | None = None) -> list[str]:
    return [f.check for f in analyze(text, lang, options).findings]


def test_sentence_length_fires_over_the_limit() -> None:
    prefix = "**Nota.** "
    source = prefix + "Cada " + " ".join(["palabra"] * 20) + "."
    findings = [f for f in analyze(source, "es").findings if f.check == "sentence-length"]
    assert len(findings) == 1
    assert findings[0].offset == len(prefix)
    assert "21 words" in findings[0].message
    assert findings[0].text.startswith("Cada palabra")


def test_sentence_length_quiet_at_the_limit() -> None:
    assert "sentence-length" not in _checks(" ".join(["palabra"] * 20) + ".", "es")
    options = PlainOptions(max_sentence_words=10)
    assert "sentence-length" in _checks(" ".join(["wasi"] * 11) + ".", "qu", options)


def test_paragraph_length() -> None:
    six = "Uno. Dos. Tres. Cuatro. Cinco. Seis."
    five = "Uno. Dos. Tres. Cuatro. Cinco."
    assert _checks(six, "es") == ["paragraph-length"]
    assert _checks(five, "es") == []
    split = analyze("Uno. Dos. Tres.\n\nCuatro. Cinco. Seis.", "es")
    assert split.paragraphs == 2
    assert split.findings == ()
    assert [s.paragraph for s in split.sentences] == [0, 0, 0, 1, 1, 1]


def test_avoid_words_whole_word_plural_and_case() -> None:
    options = PlainOptions(avoid_words={"solicitud": "pedido", "luz": "lámpara"})
    source = "Presente su **Solicitud**. Las solicitudes y las luces."
    findings = analyze(source, "es", options).findings
    assert [f.text for f in findings] == ["Solicitud", "solicitudes", "luces"]
    assert [f.check for f in findings] == ["avoid-word"] * 3
    assert findings[0].offset == source.index("Solicitud")
    assert findings[0].hint == 'write "pedido"'
    assert findings[2].hint == 'write "lámpara"'


def test_avoid_words_quiet_on_other_words() -> None:
    options = PlainOptions(avoid_words={"solicitud": "pedido"})
    assert _checks("Puede solicitar información gratis.", "es", options) == []


def test_avoid_phrase() -> None:
    options = PlainOptions(avoid_words={"a fin de": "para", "utilize": "use"})
    assert _checks("Venga a fin\nde firmar.", "es", options) == ["avoid-word"]
    assert _checks("Utilize the form.", "en", options) == ["avoid-word"]
    assert _checks("Use the form. The fin is blue.", "en", options) == []


def test_avoid_words_are_copied() -> None:
    words = {"solicitud": "pedido"}
    options = PlainOptions(avoid_words=words)
    words["trámite"] = "paso"
    assert "trámite" not in options.avoid_words
    assert isinstance(hash(options), int)


@pytest.mark.parametrize(
    ("text", "passive"),
    [
        ("The school was repaired by the town.", "was repaired by"),
        ("The papers are usually sent in May.", "are usually sent"),
        ("It is being built.", "is being built"),
        ("The answer wasn't given.", "wasn't given"),
    ],
)
def test_passive_voice_english_fires(text: str, passive: str) -> None:
    findings = analyze(text, "en").findings
    assert [f.text for f in findings if f.check == "passive-voice"] == [passive]
    assert findings[0].offset == text.index(passive)


@pytest.mark.parametrize(
    "text",
    ["The town repaired the school.", "She is tired.", "He was there.", "We need a bed."],
)
def test_passive_voice_english_quiet(text: str) -> None:
    assert "passive-voice" not in _checks(text, "en")


@pytest.mark.parametrize(
    ("text", "passive"),
    [
        ("La **solicitud** fue aprobada por el alcalde.", "fue aprobada por"),
        ("Los documentos serán entregados mañana.", "serán entregados"),
        ("La ley ha sido publicada.", "sido publicada"),
        ("El informe fue escrito en quechua.", "fue escrito"),
        ("La obra fue rápidamente terminada.", "fue rápidamente terminada"),
    ],
)
def test_passive_voice_spanish_fires(text: str, passive: str) -> None:
    findings = [f for f in analyze(text, "es").findings if f.check == "passive-voice"]
    assert [f.text for f in findings] == [passive]
    assert findings[0].offset == text.index(passive.split()[0])


@pytest.mark.parametrize(
    "text",
    [
        "Se aprobó la solicitud.",  # pasiva refleja: not counted, on purpose
        "La oficina está cerrada.",  # estar + participle: a state
        "Rosa es abogada.",
        "La vida es nada sin agua.",
        "El alcalde aprobó la solicitud.",
    ],
)
def test_passive_voice_spanish_quiet(text: str) -> None:
    assert "passive-voice" not in _checks(text, "es")


def test_passive_voice_can_be_turned_off() -> None:
    options = PlainOptions(passive_voice=False)
    assert _checks("La solicitud fue aprobada.", "es", options) == []


HARD_EN = "Municipal administrations necessitate comprehensive documentation."
HARD_ES = "La municipalidad proporcionará información administrativa correspondiente."


def test_readability_english() -> None:
    short_ok = PlainOptions(min_words_for_score=1)
    assert _checks(HARD_EN, "en", short_ok) == ["readability"]
    assert "Flesch" in analyze(HARD_EN, "en", short_ok).findings[0].message
    assert _checks("The cat sat. The dog ran.", "en", short_ok) == []
    # Too short for a formula to mean anything: scores reported, no finding.
    assert _checks(HARD_EN, "en") == []
    assert analyze(HARD_EN, "en").flesch_reading_ease is not None


def test_readability_spanish() -> None:
    short_ok = PlainOptions(min_words_for_score=1)
    findings = analyze(HARD_ES, "es", short_ok).findings
    assert [f.check for f in findings] == ["readability"]
    assert "muy difícil" in findings[0].message
    assert _checks(EASY_ES, "es", short_ok) == []


def test_readability_quechua_means() -> None:
    text = "Wasi hatun. P'unchaw sumaq."  # 2 words a sentence, 5.25 letters a word
    assert _checks(text, "qu", PlainOptions(min_words_for_score=1)) == []
    strict_words = PlainOptions(min_words_for_score=1, max_mean_word_chars=5.0)
    findings = analyze(text, "qu", strict_words).findings
    assert [f.check for f in findings] == ["readability"]
    assert "letters per word" in findings[0].message
    strict_sentences = PlainOptions(min_words_for_score=1, max_mean_sentence_words=1.5)
    assert "words per sentence" in analyze(text, "ay", strict_sentences).findings[0].message


def test_word_length() -> None:
    assert _checks("La internacionalización avanza.", "es") == []  # 20 letters
    findings = analyze("Las internacionalizaciones avanzan.", "es").findings
    assert [(f.check, f.text) for f in findings] == [("word-length", "internacionalizaciones")]


# ---------------------------------------------------------------- report


def test_sentence_counts_and_worst_sentences() -> None:
    text = "Uno dos. Uno dos tres cuatro. Uno dos tres."
    report = analyze(text, "es", PlainOptions(worst_sentences=2))
    assert report.sentence_word_counts == (2, 4, 3)
    assert [s.words for s in report.worst_sentences] == [4, 3]
    assert report.worst_sentences[0].text == "Uno dos tres cuatro."


def test_sentence_offsets_point_into_the_markdown() -> None:
    source = "Lea el [artículo 5](https://example.org/ley_(27806)). **Pida** la copia."
    report = analyze(source, "es")
    assert [s.text for s in report.sentences] == ["Lea el artículo 5.", "Pida la copia."]
    # Offsets point at the first character of the text, inside the markup around it.
    assert report.sentences[1].offset == source.index("Pida")
    assert report.sentences[0].offset == 0


_MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("abcíúAÉ ñ'\n.?!¿¡,*_[]()`<>!\\&;#:/-0123456789")),
    max_size=80,
)


@given(_MARKDOWNISH, st.sampled_from(["en", "es", "qu", "ay", "fr"]))
def test_analyze_never_fails_and_offsets_stay_inside(text: str, lang: str) -> None:
    options = PlainOptions(
        max_sentence_words=3, max_paragraph_sentences=1, max_word_chars=4, min_words_for_score=1
    )
    report = analyze(text, lang, options)
    assert sum(report.sentence_word_counts) == report.counts.words
    for item in (*report.findings, *report.sentences):
        assert 0 <= item.offset <= len(text)
