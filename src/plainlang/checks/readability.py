"""Plain-language measures of one text: readability scores and the findings behind them.

A text is a segment's Markdown inline source (or several, as paragraphs separated by a
blank line). Markup is stripped first (:func:`plain_text`); then the text is cut into
paragraphs, sentences and words, and each language gets the measure that is validated
for it:

* English: Flesch Reading Ease, ``206.835 - 1.015 words/sentence - 84.6 syllables/word``,
  with syllables estimated by a heuristic (see :mod:`plainlang.syllables`).
* Spanish: Fernández-Huerta in its corrected form, ``206.84 - 60 syllables/word - 1.02
  words/sentence`` (the published ``206.84 - 0.60 P - 1.02 F`` with P syllables per 100
  words and F words per sentence; many tools misread P or F and get nonsense), and
  Szigriszt-Pazos ``206.835 - 62.3 syllables/word - words/sentence`` read on the INFLESZ
  scale (Barrio-Cantalejo et al. 2008). Syllables are counted by real syllabification.
* Quechua and Aymara: **no readability formula has been validated for them**, so none is
  computed. We report words per sentence and characters per word and compare them with
  limits the project sets (defaults in :class:`PlainOptions` are starting points, not
  research results).

The formulas are meant for samples of 100 words or more; on a short segment they are
noise, so a "readability" finding is only raised when the text has at least
``PlainOptions.min_words_for_score`` words (the scores themselves are always reported).

Findings carry a check id (``sentence-length``, ``paragraph-length``, ``avoid-word``,
``passive-voice``, ``readability``, ``word-length``), a message, the offending text and its
character offset in the text given to :func:`analyze` (after NFC normalization), so the
caller can turn them into diagnostics at a file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType

from markdown_it import MarkdownIt

from plainlang.syllables import count_syllables, language_family

__all__ = [
    "Finding",
    "InfleszBand",
    "PlainOptions",
    "ReadabilityReport",
    "Sentence",
    "TextCounts",
    "analyze",
    "fernandez_huerta",
    "fernandez_huerta_from_counts",
    "fernandez_huerta_published",
    "flesch_from_counts",
    "flesch_reading_ease",
    "inflesz_band",
    "plain_text",
    "sentence_spans",
    "split_sentences",
    "split_words",
    "szigriszt_pazos",
    "szigriszt_pazos_from_counts",
    "text_counts",
]


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class PlainOptions:
    """Limits for the plain-language findings; every one can be set per project and locale.

    ``avoid_words`` maps a word (or phrase) to its plain replacement, e.g.
    ``{"solicitud": "pedido"}``; it is copied, so later changes to the caller's dict do
    not leak in.
    """

    max_sentence_words: int = 20
    max_paragraph_sentences: int = 5
    avoid_words: Mapping[str, str] = field(default_factory=dict, hash=False)
    passive_voice: bool = True
    max_word_chars: int = 20
    min_flesch: float = 60.0
    min_szigriszt: float = 55.0
    max_mean_sentence_words: float = 15.0
    max_mean_word_chars: float = 9.0
    min_words_for_score: int = 50
    worst_sentences: int = 3

    def __post_init__(self) -> None:
        frozen = MappingProxyType({k.strip(): v for k, v in self.avoid_words.items()})
        object.__setattr__(self, "avoid_words", frozen)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Finding:
    """One plain-language problem: ``check`` is a stable id, ``offset`` is where ``text``
    starts in the analysed text."""

    check: str
    message: str
    text: str
    offset: int
    hint: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence of the plain text, with its offset in the analysed (Markdown) text."""

    text: str
    offset: int
    words: int
    paragraph: int


class InfleszBand(StrEnum):
    """The INFLESZ reading of a Szigriszt-Pazos score (value: English name)."""

    VERY_DIFFICULT = "very difficult"
    SOMEWHAT_DIFFICULT = "somewhat difficult"
    NORMAL = "normal"
    FAIRLY_EASY = "fairly easy"
    VERY_EASY = "very easy"

    @property
    def label_es(self) -> str:
        """The band's name on the INFLESZ scale as published, in Spanish."""
        return _INFLESZ_ES[self]


_INFLESZ_ES = {
    InfleszBand.VERY_DIFFICULT: "muy difícil",
    InfleszBand.SOMEWHAT_DIFFICULT: "algo difícil",
    InfleszBand.NORMAL: "normal",
    InfleszBand.FAIRLY_EASY: "bastante fácil",
    InfleszBand.VERY_EASY: "muy fácil",
}


@dataclass(frozen=True)
class TextCounts:
    """What the formulas are made of. ``letters`` counts letters and digits of words."""

    words: int
    sentences: int
    syllables: int
    letters: int


@dataclass(frozen=True)
class ReadabilityReport:
    """Everything :func:`analyze` measured on one text, in one language.

    Scores a language has no formula for are ``None``; so are all scores of a text with
    no words. ``text`` is the plain text (paragraphs separated by a blank line);
    ``worst_sentences`` are the longest, longest first.
    """

    lang: str
    text: str
    counts: TextCounts
    paragraphs: int
    words_per_sentence: float
    syllables_per_word: float
    letters_per_word: float
    flesch_reading_ease: float | None
    fernandez_huerta: float | None
    szigriszt_pazos: float | None
    inflesz: InfleszBand | None
    sentences: tuple[Sentence, ...]
    sentence_word_counts: tuple[int, ...]
    worst_sentences: tuple[Sentence, ...]
    findings: tuple[Finding, ...]


# --------------------------------------------------------------------------- formulas


def flesch_from_counts(words: int, sentences: int, syllables: int) -> float:
    """Flesch Reading Ease (English): ``206.835 - 1.015 w/s - 84.6 syl/w``."""
    _require(words, sentences)
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


def fernandez_huerta_published(p: float, f: float) -> float:
    """Fernández-Huerta as published: ``206.84 - 0.60 P - 1.02 F``, where P is syllables
    per 100 words and F is words per sentence."""
    return 206.84 - 0.60 * p - 1.02 * f


def fernandez_huerta_from_counts(words: int, sentences: int, syllables: int) -> float:
    """Fernández-Huerta, corrected form: ``206.84 - 60 syl/w - 1.02 w/s``.

    Equal to :func:`fernandez_huerta_published` with ``P = 100 syl/w`` and ``F = w/s``.
    """
    _require(words, sentences)
    return 206.84 - 60 * (syllables / words) - 1.02 * (words / sentences)


def szigriszt_pazos_from_counts(words: int, sentences: int, syllables: int) -> float:
    """Szigriszt-Pazos perspicuity: ``206.835 - 62.3 syl/w - w/s``."""
    _require(words, sentences)
    return 206.835 - 62.3 * (syllables / words) - words / sentences


def _require(words: int, sentences: int) -> None:
    if words <= 0 or sentences <= 0:
        raise ValueError("a readability score needs at least one word and one sentence")


def inflesz_band(score: float) -> InfleszBand:
    """Read a Szigriszt-Pazos score on the INFLESZ scale.

    Bands as published: < 40 very difficult, 40-55 somewhat difficult, 55-65 normal,
    65-80 fairly easy, > 80 very easy. A score on a boundary goes to the easier band,
    except 80, which the scale puts in "fairly easy" (it says "> 80" for very easy).

    >>> inflesz_band(60.0).label_es
    'normal'
    """
    if score < 40:
        return InfleszBand.VERY_DIFFICULT
    if score < 55:
        return InfleszBand.SOMEWHAT_DIFFICULT
    if score < 65:
        return InfleszBand.NORMAL
    if score <= 80:
        return InfleszBand.FAIRLY_EASY
    return InfleszBand.VERY_EASY


def flesch_reading_ease(text: str) -> float:
    """Flesch Reading Ease of an English Markdown text (higher is easier)."""
    c = text_counts(text, "en")
    return flesch_from_counts(c.words, c.sentences, c.syllables)


def fernandez_huerta(text: str) -> float:
    """Fernández-Huerta readability of a Spanish Markdown text (higher is easier)."""
    c = text_counts(text, "es")
    return fernandez_huerta_from_counts(c.words, c.sentences, c.syllables)


def szigriszt_pazos(text: str) -> float:
    """Szigriszt-Pazos perspicuity of a Spanish Markdown text; see :func:`inflesz_band`."""
    c = text_counts(text, "es")
    return szigriszt_pazos_from_counts(c.words, c.sentences, c.syllables)


# --------------------------------------------------------------------------- markup


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


_SEARCH_WINDOW = 40
"""How far ahead a plain character is looked for in the source: past markup, not past text."""


def _skip_bracketed(src: str, pos: int) -> int:
    """From ``pos`` at ``(`` or ``[``, the index just after the matching close."""
    if pos >= len(src) or src[pos] not in "([":
        return pos
    close = ")" if src[pos] == "(" else "]"
    depth = 0
    i = pos
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == src[pos]:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(src)


def _plain_with_offsets(md_inline: str) -> tuple[str, list[int]]:
    """Plain text of Markdown inline source, and for each plain character the index of
    the source character it came from (best effort where escapes or entities change
    lengths); one extra entry maps the end of the text."""
    tokens = _markdown().parseInline(md_inline)
    children = tokens[0].children if tokens and tokens[0].children else []
    out: list[str] = []
    offsets: list[int] = []
    cursor = 0
    autolink = False

    def emit(content: str) -> None:
        nonlocal cursor
        for ch in content:
            found = md_inline.find(ch, cursor, cursor + _SEARCH_WINDOW)
            if found == -1:
                offsets.append(min(cursor, len(md_inline)))
            else:
                offsets.append(found)
                cursor = found + 1
            out.append(ch)

    for tok in children:
        if tok.type in ("text", "code_inline", "text_special"):
            emit(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            newline = md_inline.find("\n", cursor)
            offsets.append(newline if newline != -1 else cursor)
            out.append(" ")
            if newline != -1:
                cursor = newline + 1
        elif tok.type == "link_open":
            autolink = tok.markup == "autolink"
        elif tok.type == "link_close":
            if autolink:
                if md_inline.startswith(">", cursor):
                    cursor += 1
            else:
                bracket = md_inline.find("]", cursor)
                if bracket != -1:
                    cursor = _skip_bracketed(md_inline, bracket + 1)
            autolink = False
        elif tok.type == "image":
            # Images are not read on paper: their alt text is not counted.
            start = md_inline.find("![", cursor)
            if start != -1:
                bracket = _skip_bracketed(md_inline, start + 1)
                cursor = _skip_bracketed(md_inline, bracket)
    offsets.append(len(md_inline))
    return "".join(out), offsets


def plain_text(md_inline: str) -> str:
    """The words a reader sees in Markdown inline source: emphasis and code marks, link
    targets and images dropped, escapes and entities resolved, line breaks as spaces.

    >>> plain_text("Ask **for free** at the [office](https://example.org).")
    'Ask for free at the office.'
    """
    return _plain_with_offsets(md_inline)[0]


# --------------------------------------------------------------------------- tokenizers

_WORD = re.compile(r"[^\W_]+(?:(?:[-'\u2019]|(?<=\d)[.,](?=\d))[^\W_]+)*")
"""A word: letters and digits, joined by inner hyphens and apostrophes (p'unchaw), or by
the point or comma of a number (3.5, 1.000)."""

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*")
_OPENING = "¿¡\"'«“‘([—–-"
_CONTINUATION = "—–-\"'«“‘("

_ABBREVIATIONS = frozenset(
    {
        # Spanish
        "sr", "sra", "srta", "sres", "sras", "dr", "dra", "dres", "lic", "ing", "arq",
        "abog", "prof", "profa", "ud", "uds", "vd", "vds", "av", "avda", "jr", "pág",
        "págs", "núm", "art", "arts", "cap", "fig", "tel", "telf", "dpto", "depto",
        "aprox", "máx", "mín", "cía", "ej", "ee", "uu", "ee.uu", "s.a", "s.a.c", "pp",
        "sta", "sto", "gral", "cnel", "mons", "admón",
        # English
        "mr", "mrs", "ms", "st", "vs", "e.g", "i.e", "approx", "dept", "jan", "feb",
        "aug", "sept", "oct", "nov", "dec", "inc", "ltd", "co",
    }
)  # fmt: skip
"""Words that a full stop does not end a sentence after ("etc." is not here: it ends a
sentence when a capital follows)."""

_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "n", "nro", "num"})
"""Abbreviations that are only abbreviations before a number: "No. 5" but "Dijo que no."."""


def _ends_sentence(text: str, mark_start: int, mark: str, rest: str) -> bool:
    if not mark.startswith(".") or mark.startswith(".."):
        return True
    before = re.search(r"(\S+)$", text[:mark_start])
    if before is None:
        return True
    token = before.group(1).lstrip(_OPENING).lower()
    if token in _ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isalpha():
        return False  # initials and the parts of "p. ej.", "a. m."
    return not (token in _NUMBER_ABBREVIATIONS and rest[:1].isdigit())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentences of a plain text are, as ``(start, end)`` without the
    surrounding spaces.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets)
    followed by a space or the end, unless the next word starts with a lowercase letter
    (Spanish ``¿Vienes? —preguntó`` and ``..., etc. y`` stay one sentence) or the full
    stop closes an abbreviation (Sr., Dr., p. ej., initials) or a number sign (No. 5).
    Decimals never split: the point is not followed by a space.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if end < len(text) and not text[end].isspace():
            continue
        rest = text[end:].lstrip()
        # "¿Vienes? —preguntó": a dash or quote before a lowercase word continues it.
        if rest.lstrip(_CONTINUATION)[:1].islower():
            continue
        if not _ends_sentence(text, m.start(), m.group(), rest):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    trimmed = []
    for a, b in spans:
        chunk = text[a:b]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if b - trail > a + lead:
            trimmed.append((a + lead, b - trail))
    return trimmed


def split_sentences(text: str) -> list[str]:
    """The sentences of a plain text; see :func:`sentence_spans`.

    >>> split_sentences("¿Cuánto cuesta? Nada. El Sr. Quispe lo pidió, p. ej. en 2024.")
    ['¿Cuánto cuesta?', 'Nada.', 'El Sr. Quispe lo pidió, p. ej. en 2024.']
    """
    return [text[a:b] for a, b in sentence_spans(text)]


def split_words(text: str) -> list[str]:
    """The words of a plain text: numbers (3.5, 1.000) and words with inner hyphens or
    apostrophes (p'unchaw) are one word each.

    >>> split_words("Costó S/ 1.500,50 en p'unchaw-kuna.")
    ['Costó', 'S', '1.500,50', 'en', "p'unchaw-kuna"]
    """
    return _WORD.findall(text)


def _letters(word: str) -> int:
    return sum(1 for ch in word if ch.isalnum() and ch != "\u02bc")


def text_counts(text: str, lang: str) -> TextCounts:
    """Words, sentences, syllables and letters of a Markdown text in ``lang``."""
    report = analyze(text, lang)
    return report.counts


# --------------------------------------------------------------------------- passive voice

_EN_BE = frozenset(
    {"am", "is", "are", "was", "were", "be", "been", "being",
     "isn't", "aren't", "wasn't", "weren't", "isn’t", "aren’t", "wasn’t", "weren’t"}
)  # fmt: skip
_EN_BETWEEN = frozenset(
    {"not", "never", "also", "often", "always", "already", "usually", "still", "just",
     "then", "now", "all", "both", "being", "sometimes", "soon"}
)  # fmt: skip
_EN_IRREGULAR = frozenset(
    {"arisen", "awoken", "born", "borne", "beaten", "become", "begun", "bent", "bound",
     "bitten", "blown", "broken", "brought", "built", "bought", "caught", "chosen",
     "come", "cut", "dealt", "done", "drawn", "driven", "eaten", "fallen", "fed", "felt",
     "fought", "found", "forbidden", "forgotten", "forgiven", "frozen", "given", "gone",
     "ground", "grown", "hung", "heard", "hidden", "hit", "held", "hurt", "kept",
     "known", "laid", "led", "left", "lent", "let", "lost", "made", "meant", "met",
     "paid", "put", "quit", "read", "rung", "risen", "run", "said", "seen", "sought",
     "sold", "sent", "set", "shaken", "shown", "shut", "spoken", "spent", "spun",
     "spread", "stolen", "struck", "sworn", "swept", "taken", "taught", "torn", "told",
     "thought", "thrown", "understood", "undone", "upset", "woken", "worn", "won",
     "withdrawn", "written"}
)  # fmt: skip
_EN_NOT_PARTICIPLE = frozenset(
    {"need", "indeed", "hundred", "seed", "speed", "feed", "breed", "greed", "deed",
     "proceed", "exceed", "succeed", "shed", "bed", "red", "interested", "tired",
     "worried", "excited", "pleased", "concerned", "married", "bored", "scared",
     "surprised", "ashamed", "naked", "wicked", "sacred", "aged", "beloved", "sled",
     "embed", "kindred", "hatred"}
)  # fmt: skip

_ES_SER = frozenset(
    {"soy", "eres", "es", "somos", "sois", "son", "era", "eras", "éramos", "erais",
     "eran", "fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron", "seré", "serás",
     "será", "seremos", "seréis", "serán", "sería", "serías", "seríamos", "seríais",
     "serían", "sea", "seas", "seamos", "seáis", "sean", "fuera", "fueras", "fuéramos",
     "fuerais", "fueran", "fuese", "fueses", "fuésemos", "fueseis", "fuesen", "ser",
     "siendo", "sido"}
)  # fmt: skip
_ES_BETWEEN = frozenset(
    {"ya", "también", "siempre", "nunca", "bien", "mal", "luego", "pronto", "todavía",
     "aún", "recién"}
)  # fmt: skip
_ES_IRREGULAR_STEMS = (
    "hech", "dich", "escrit", "vist", "puest", "abiert", "cubiert", "muert", "vuelt",
    "devuelt", "envuelt", "resuelt", "rot", "impres", "provist", "satisfech", "descubiert",
    "propuest", "dispuest", "compuest", "expuest", "impuest", "repuest", "previst",
    "inscrit", "suscrit", "descrit", "prescrit", "elect", "frit", "deshech",
)  # fmt: skip
_ES_NOT_PARTICIPLE_STEMS = (
    # nouns in -ada/-ida that follow "es" often: "la vida es nada", "es la salida"
    "nad", "cad", "vid", "salid", "llegad", "entrad", "comid", "bebid", "medid", "herid",
    "partid", "mirad", "jornad", "temporad", "ensalad", "almohad", "granad", "morad",
    "manad", "parad", "lad", "grad", "estad", "ruid", "pecad", "marid", "apellid",
    "sentid", "mercad",
    # jobs and states people *are*: "Rosa es abogada", "es casado"
    "abogad", "emplead", "encargad", "delegad", "diputad", "soldad", "licenciad",
    "jubilad", "casad", "separad", "divorciad", "cuñad", "invitad", "aliad",
    # adjectives that look like participles: "es adecuado", "es complicado"
    "adecuad", "privad", "sagrad", "pesad", "delicad", "apropiad", "complicad",
    "moderad", "educad", "atrevid", "divertid", "aburrid",
)  # fmt: skip
_ES_ENDINGS = ("o", "a", "os", "as")
_ES_REGULAR_PARTICIPLE = re.compile(r"^\w+(?:ad|id|íd)(?:o|a|os|as)$")


def _es_forms(stems: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem + end for stem in stems for end in _ES_ENDINGS)


_ES_IRREGULAR = _es_forms(_ES_IRREGULAR_STEMS)
_ES_NOT_PARTICIPLE = _es_forms(_ES_NOT_PARTICIPLE_STEMS)


def _is_participle(word: str, family: str) -> bool:
    if family == "en":
        if word in _EN_IRREGULAR:
            return True
        return len(word) >= 5 and word.endswith("ed") and word not in _EN_NOT_PARTICIPLE
    if word in _ES_NOT_PARTICIPLE:
        return False
    return word in _ES_IRREGULAR or bool(_ES_REGULAR_PARTICIPLE.match(word))


def _passive_spans(tokens: list[tuple[int, str]], family: str) -> Iterator[tuple[int, int]]:
    """Passive constructions among a sentence's ``(offset, word)`` tokens, as token index
    ranges ``[first, last]``.

    English: a form of *be*, up to two adverbs (*not*, *always*, any -ly word), then a
    past participle (-ed, or a listed irregular), plus a directly following *by*.
    Spanish: a form of *ser*, up to two adverbs (*ya*, *también*, any -mente word), then
    a participle (-ado/-ido/-ída and their -a/-os/-as, or a listed irregular: *hecho*,
    *escrito*...), plus a directly following *por*. Not counted, on purpose: the *pasiva
    refleja* ("se publicó la ley") and *estar* + participle ("está cerrado", a state).
    Limits: adjectives that look like participles ("es adecuado", "is tired") are
    excluded only when listed, and a passive with a longer gap ("was, in the end,
    approved") is missed.
    """
    lowered = [w.lower() for _, w in tokens]
    auxiliaries = _EN_BE if family == "en" else _ES_SER
    between = _EN_BETWEEN if family == "en" else _ES_BETWEEN
    adverb_suffix = "ly" if family == "en" else "mente"
    agent = "by" if family == "en" else "por"
    i = 0
    while i < len(lowered):
        if lowered[i] not in auxiliaries:
            i += 1
            continue
        j = i + 1
        while (
            j < len(lowered)
            and j - i <= 2
            and (lowered[j] in between or lowered[j].endswith(adverb_suffix))
        ):
            j += 1
        if j < len(lowered) and _is_participle(lowered[j], family):
            last = j + 1 if j + 1 < len(lowered) and lowered[j + 1] == agent else j
            yield i, last
            i = last + 1
        else:
            i += 1


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class _Paragraph:
    plain: str
    offsets: list[int]
    """Source offset of each plain character, plus one for the end."""

    def source(self, plain_index: int) -> int:
        return self.offsets[min(plain_index, len(self.offsets) - 1)]


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def _paragraphs(source: str) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    start = 0
    pieces: list[tuple[int, int]] = []
    for m in _PARAGRAPH_BREAK.finditer(source):
        pieces.append((start, m.start()))
        start = m.end()
    pieces.append((start, len(source)))
    for a, b in pieces:
        chunk = source[a:b]
        if not chunk.strip():
            continue
        plain, offsets = _plain_with_offsets(chunk)
        if not plain.strip():
            continue
        paragraphs.append(_Paragraph(plain, [a + o for o in offsets]))
    return paragraphs


@cache
def _avoid_pattern(word: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive match of ``word`` and its simple plurals
    (-s, -es, and -z to -ces: luz, luces)."""
    escaped = re.escape(word.lower()).replace(r"\ ", r"\s+")
    alternatives = [escaped + r"(?:e?s)?"]
    if word.lower().endswith("z"):
        alternatives.append(re.escape(word.lower()[:-1]) + "ces")
    body = "|".join(alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _avoid_findings(para: _Paragraph, avoid: Mapping[str, str]) -> Iterator[Finding]:
    for word, replacement in avoid.items():
        if not word:
            continue
        for m in _avoid_pattern(word).finditer(para.plain):
            yield Finding(
                check="avoid-word",
                message=f'"{m.group()}" is a word to avoid',
                text=m.group(),
                offset=para.source(m.start()),
                hint=f'write "{replacement}"' if replacement else None,
            )


@dataclass
class _Tally:
    words: int = 0
    syllables: int = 0
    letters: int = 0


def _sentence_findings(
    para: _Paragraph,
    start: int,
    end: int,
    tokens: list[tuple[int, str]],
    family: str,
    options: PlainOptions,
) -> Iterator[Finding]:
    text = para.plain[start:end]
    if len(tokens) > options.max_sentence_words:
        yield Finding(
            check="sentence-length",
            message=f"sentence has {len(tokens)} words (limit {options.max_sentence_words})",
            text=text,
            offset=para.source(start),
            hint="split it into shorter sentences",
        )
    for offset, word in tokens:
        if _letters(word) > options.max_word_chars:
            yield Finding(
                check="word-length",
                message=f'"{word}" has {_letters(word)} letters (limit {options.max_word_chars})',
                text=word,
                offset=para.source(offset),
                hint="use a shorter word, or split it",
            )
    if options.passive_voice and family in ("en", "es"):
        for first, last in _passive_spans(tokens, family):
            a = tokens[first][0]
            b = tokens[last][0] + len(tokens[last][1])
            yield Finding(
                check="passive-voice",
                message=f'passive voice: "{para.plain[a:b]}"',
                text=para.plain[a:b],
                offset=para.source(a),
                hint="say who does it: active voice is easier to follow",
            )


def _score_findings(
    family: str,
    plain: str,
    counts: TextCounts,
    flesch: float | None,
    szigriszt: float | None,
    options: PlainOptions,
) -> Iterator[Finding]:
    if counts.words < options.min_words_for_score or counts.sentences == 0:
        return
    if family == "en" and flesch is not None and flesch < options.min_flesch:
        yield Finding(
            check="readability",
            message=f"Flesch reading ease {flesch:.1f} is below {options.min_flesch:g}",
            text=plain,
            offset=0,
            hint="use shorter sentences and shorter words",
        )
    if family == "es" and szigriszt is not None and szigriszt < options.min_szigriszt:
        band = inflesz_band(szigriszt)
        yield Finding(
            check="readability",
            message=f"Szigriszt-Pazos {szigriszt:.1f} ({band.label_es}, {band.value}) "
            f"is below {options.min_szigriszt:g}",
            text=plain,
            offset=0,
            hint="usa frases más cortas y palabras más sencillas",
        )
    if family in ("qu", "ay"):
        per_sentence = counts.words / counts.sentences
        if per_sentence > options.max_mean_sentence_words:
            yield Finding(
                check="readability",
                message=f"{per_sentence:.1f} words per sentence on average "
                f"(limit {options.max_mean_sentence_words:g})",
                text=plain,
                offset=0,
                hint="split long sentences",
            )
        per_word = counts.letters / counts.words
        if per_word > options.max_mean_word_chars:
            yield Finding(
                check="readability",
                message=f"{per_word:.1f} letters per word on average "
                f"(limit {options.max_mean_word_chars:g})",
                text=plain,
                offset=0,
                hint="prefer shorter words where the language allows",
            )


def analyze(text: str, lang: str, options: PlainOptions | None = None) -> ReadabilityReport:
    """Measure a Markdown text in ``lang`` and list its plain-language findings.

    ``text`` is a segment's inline Markdown, or several separated by blank lines (each
    one a paragraph). ``lang`` is a locale code (``es``, ``es_PE``, ``quz``...): English
    gets Flesch, Spanish Fernández-Huerta and Szigriszt-Pazos, Quechua and Aymara the
    per-sentence and per-word means; every language gets the sentence, paragraph, word
    and avoid-word checks, and en/es the passive-voice check. Findings are sorted by
    offset.
    """
    options = options or PlainOptions()
    source = unicodedata.normalize("NFC", text)
    family = language_family(lang)
    tally = _Tally()
    sentences: list[Sentence] = []
    findings: list[Finding] = []
    paragraphs = _paragraphs(source)
    for index, para in enumerate(paragraphs):
        count = 0
        for start, end in sentence_spans(para.plain):
            chunk = para.plain[start:end]
            tokens = [(start + m.start(), m.group()) for m in _WORD.finditer(chunk)]
            if not tokens:
                continue
            count += 1
            tally.words += len(tokens)
            for _, word in tokens:
                tally.syllables += count_syllables(word, family)
                tally.letters += _letters(word)
            sentences.append(Sentence(chunk, para.source(start), len(tokens), index))
            findings.extend(_sentence_findings(para, start, end, tokens, family, options))
        if count > options.max_paragraph_sentences:
            findings.append(
                Finding(
                    check="paragraph-length",
                    message=f"paragraph has {count} sentences "
                    f"(limit {options.max_paragraph_sentences})",
                    text=para.plain.strip(),
                    offset=para.source(len(para.plain) - len(para.plain.lstrip())),
                    hint="split it into shorter paragraphs",
                )
            )
        findings.extend(_avoid_findings(para, options.avoid_words))

    counts = TextCounts(tally.words, len(sentences), tally.syllables, tally.letters)
    plain = "\n\n".join(p.plain.strip() for p in paragraphs)
    scored = counts.words > 0 and counts.sentences > 0
    flesch: float | None = None
    fernandez: float | None = None
    szigriszt: float | None = None
    if scored and family == "en":
        flesch = flesch_from_counts(counts.words, counts.sentences, counts.syllables)
    if scored and family == "es":
        fernandez = fernandez_huerta_from_counts(counts.words, counts.sentences, counts.syllables)
        szigriszt = szigriszt_pazos_from_counts(counts.words, counts.sentences, counts.syllables)
    findings.extend(_score_findings(family, plain, counts, flesch, szigriszt, options))
    findings.sort(key=lambda f: f.offset)
    worst = sorted(sentences, key=lambda s: -s.words)[: max(options.worst_sentences, 0)]
    return ReadabilityReport(
        lang=lang,
        text=plain,
        counts=counts,
        paragraphs=len(paragraphs),
        words_per_sentence=counts.words / counts.sentences if scored else 0.0,
        syllables_per_word=counts.syllables / counts.words if scored else 0.0,
        letters_per_word=counts.letters / counts.words if scored else 0.0,
        flesch_reading_ease=flesch,
        fernandez_huerta=fernandez,
        szigriszt_pazos=szigriszt,
        inflesz=inflesz_band(szigriszt) if szigriszt is not None else None,
        sentences=tuple(sentences),
        sentence_word_counts=tuple(s.words for s in sentences),
        worst_sentences=tuple(worst),
        findings=tuple(findings),
    )
