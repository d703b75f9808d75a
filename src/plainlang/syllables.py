"""Syllables per language, for readability scores and for hyphenation.

Readability formulas for Spanish count syllables, and a wrong count moves the score by
whole bands: hyphenation dictionaries (pyphen, and textstat on top of it) give the places
where a line may break, not the syllables, so they count *agua* as 1 and *oía* as 1.
This module divides words by the rules a Peruvian school teaches instead.

Spanish (:func:`syllabify_es`), orthographic division:

* Vowels are strong (a e o, also with accent) or weak (i u ü, and y when no vowel
  follows it: *rey*, *muy*, *Aymara*). A weak vowel next to a strong one, or two
  different weak vowels, make one nucleus: diphthongs (*a-gua*, *ciu-dad*, *cons-truir*)
  and triphthongs (*buey*, *U-ru-guay*, *a-ve-ri-guáis*). Two strong vowels are in
  hiatus (*a-e-ro-pla-no*, *ca-os*, *le-er*). An accented í or ú next to a strong vowel
  breaks the diphthong (*o-í-a*, *pa-ís*, *ba-úl*, *rí-o*); next to another weak vowel
  it does not (*cons-truí*, *cuí-da-te*).
* In *que qui gue gui* the u is silent and belongs to the consonant; in *güe güi* the ü
  is a vowel (*pin-güi-no*). A ü that does not follow g is the poets' diaeresis and
  marks hiatus (*sü-a-ve*); so does ï.
* ch, ll, rr are one consonant. h is a consonant, so it always begins a syllable
  (*a-ho-ra*, *pro-hi-bir*, *des-ha-cer*). The RAE also allows a diphthong across h
  (*prohi-bir*); we follow the school division, which matches how the word is read
  aloud slowly.
* Between two nuclei, one consonant goes to the next syllable; of several, the next
  syllable takes the last two if they are an inseparable onset (pl pr bl br cl cr dr tr
  fl fr gl gr kl kr, and tl if asked: Mexican *a-tle-ta*), otherwise the last one
  (*ins-truc-ción*, *trans-por-te*, *in-fla-mar*). Prefix boundaries (*sub-ra-yar*) are
  not detected: the consonant may land on the other side, the count never changes.

Quechua and Aymara (:func:`syllabify_qu`, :func:`syllabify_ay`), in the official Peruvian
alphabets: syllables are (C)V(C). Vowels are a i u, plus e o in loans and the Aymara
long vowels ä ï ü; in Quechua a doubled vowel (aa ii uu, central varieties) is one long
vowel, and any other two vowels in a row are two syllables. Consonants may be written
with several letters and are never split: ch chh ph th kh qh ll sh (and ts in Quechua),
and any consonant followed by an apostrophe (U+02BC ʼ, U+0027 ' or U+2019 ’) is an
ejective (p' t' ch' k' q'): the apostrophe belongs to the consonant, never to a
boundary. w and y are consonants. Between two vowels, a single consonant goes to the
next syllable; of two or more, only the last one does and the others close the
preceding syllable (*p'un-chaw*, *a-lli-llan-chu*, *uñ-t'a-ña*).

English (:func:`count_syllables_en`) is a heuristic, good enough for Flesch and no
more: vowel groups, with a silent final e (but *-le* after a consonant is a syllable),
-ed silent unless after t or d, -es silent unless after a sibilant, and a few hiatus
patterns (*ra-di-o*, *me-di-a*). It miscounts words such as *created* or *every*.

Every ``syllabify_*`` function returns pieces that join back to the word (after NFC
normalization), with its original capitals, so the hyphenation stage can insert soft
hyphens between them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

__all__ = [
    "count_syllables",
    "count_syllables_en",
    "language_family",
    "syllabify",
    "syllabify_ay",
    "syllabify_es",
    "syllabify_qu",
]

_Kind = Literal["C", "S", "W", "A"]
"""A letter unit: consonant, strong vowel, weak vowel, accented (hiatus-forcing) weak vowel."""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    kind: _Kind


_JoinRule = Callable[[Sequence[_Unit], _Unit], bool]
"""Whether a vowel continues the nucleus before it."""
_OnsetRule = Callable[[Sequence[_Unit]], int]
"""How many of the consonants between two nuclei the second syllable takes."""


_STRONG_ES = frozenset("aeoáéóàèòâêô")
_WEAK_ES = frozenset("iu")
_ACCENTED_WEAK_ES = frozenset("íúìùï")
_VOWEL_LETTERS_ES = _STRONG_ES | _WEAK_ES | _ACCENTED_WEAK_ES | {"ü"}
_SILENT_U_NEXT = frozenset("eiéíèì")
_ONSETS_ES = frozenset(
    {"pl", "pr", "bl", "br", "cl", "cr", "dr", "tr", "fl", "fr", "gl", "gr", "kl", "kr"}
)

_APOSTROPHES = frozenset("'\u2019\u02bc")


def _lower_same_length(word: str) -> str:
    """Lowercase letter by letter, so indices match the original word."""
    out = []
    for ch in word:
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


def _units_es(low: str) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    n = len(low)
    while i < n:
        ch = low[i]
        nxt = low[i + 1] if i + 1 < n else ""
        if low[i : i + 2] in ("ch", "ll", "rr"):
            units.append(_Unit(i, i + 2, "C"))
            i += 2
            continue
        if ch in "qg" and nxt == "u" and i + 2 < n and low[i + 2] in _SILENT_U_NEXT:
            units.append(_Unit(i, i + 2, "C"))
            i += 2
            continue
        kind: _Kind
        if ch in _STRONG_ES:
            kind = "S"
        elif ch in _WEAK_ES:
            kind = "W"
        elif ch in _ACCENTED_WEAK_ES:
            kind = "A"
        elif ch == "ü":
            kind = "W" if i > 0 and low[i - 1] == "g" else "A"
        elif ch == "y":
            kind = "C" if nxt in _VOWEL_LETTERS_ES else "W"
        else:
            kind = "C"
        units.append(_Unit(i, i + 1, kind))
        i += 1
    return units


def _joins_es(nucleus: Sequence[_Unit], vowel: _Unit) -> bool:
    """Whether ``vowel`` continues the nucleus (diphthong/triphthong) or starts a hiatus."""
    prev = nucleus[-1].kind
    cur = vowel.kind
    firm = ("S", "A")
    if prev in firm and cur in firm:
        return False
    if cur in firm and any(u.kind in firm for u in nucleus):
        return False
    # An accented weak vowel keeps its own syllable next to a strong one (pa-ís, rí-o).
    if {prev, cur} == {"S", "A"}:
        return False
    return len(nucleus) < 3


def _group_nuclei(units: Sequence[_Unit], joins: _JoinRule) -> list[list[_Unit]]:
    """Split the units into runs: consonant runs and vowel nuclei, in order."""
    groups: list[list[_Unit]] = []
    for unit in units:
        if not groups:
            groups.append([unit])
            continue
        last = groups[-1]
        last_is_vowel = last[0].kind != "C"
        if unit.kind == "C":
            if last_is_vowel:
                groups.append([unit])
            else:
                last.append(unit)
        elif last_is_vowel and joins(last, unit):
            last.append(unit)
        else:
            groups.append([unit])
    return groups


def _split_units(
    word: str,
    units: Sequence[_Unit],
    joins: _JoinRule,
    onset_size: _OnsetRule,
) -> list[str]:
    """Cut ``word`` between nuclei: the consonants between two nuclei are divided by
    ``onset_size``, which says how many of them the next syllable takes."""
    if not word:
        return []
    groups = _group_nuclei(units, joins)
    nuclei = [i for i, g in enumerate(groups) if g[0].kind != "C"]
    if len(nuclei) <= 1:
        return [word]
    cuts: list[int] = []
    for left, right in pairwise(nuclei):
        if right == left + 1:
            cuts.append(groups[right][0].start)
            continue
        consonants = groups[left + 1]
        take = onset_size(consonants)
        cuts.append(consonants[len(consonants) - take].start)
    bounds = [0, *cuts, len(word)]
    return [word[a:b] for a, b in pairwise(bounds)]


def _normalize(word: str) -> str:
    return unicodedata.normalize("NFC", word)


def syllabify_es(word: str, *, tl_onset: bool = False) -> list[str]:
    """Divide a Spanish word into syllables: ``syllabify_es("ahora") == ["a", "ho", "ra"]``.

    The pieces join back to the NFC form of ``word`` with its capitals. A word without
    vowels (a number, an initialism without vowels) is one piece; an empty word is none.
    ``tl_onset`` keeps *tl* together as in Mexico (*a-tle-ta*); Peru says *at-le-ta*.

    >>> syllabify_es("Uruguay")
    ['U', 'ru', 'guay']
    >>> syllabify_es("pingüino")
    ['pin', 'güi', 'no']
    """
    word = _normalize(word)
    low = _lower_same_length(word)
    onsets = _ONSETS_ES | {"tl"} if tl_onset else _ONSETS_ES

    def onset_size(consonants: Sequence[_Unit]) -> int:
        if len(consonants) >= 2:
            last_two = "".join(low[u.start : u.end] for u in consonants[-2:])
            if last_two in onsets:
                return 2
        return 1

    return _split_units(word, _units_es(low), _joins_es, onset_size)


_QU_AY_VOWEL_BASES = frozenset("aeiou")


def _is_vowel_qu_ay(ch: str) -> bool:
    base = unicodedata.normalize("NFD", ch)[:1]
    return base in _QU_AY_VOWEL_BASES and ch.isalpha()


_MULTI_QU = ("chh", "ch", "ph", "th", "kh", "qh", "ll", "sh", "ts")
_MULTI_AY = ("chh", "ch", "ph", "th", "kh", "qh", "ll", "sh")


def _units_qu_ay(low: str, multi: Sequence[str]) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    n = len(low)
    while i < n:
        if _is_vowel_qu_ay(low[i]):
            units.append(_Unit(i, i + 1, "S"))
            i += 1
            continue
        end = i + 1
        for graph in multi:
            if low.startswith(graph, i):
                end = i + len(graph)
                break
        # The ejective mark belongs to the consonant before it: p'unchaw, ch'aki.
        if end < n and low[end] in _APOSTROPHES and low[i] not in _APOSTROPHES:
            end += 1
        units.append(_Unit(i, end, "C"))
        i = end
    return units


def _one_onset(consonants: Sequence[_Unit]) -> int:
    return 1


def _syllabify_qu_ay(word: str, multi: Sequence[str], long_doubled: bool) -> list[str]:
    word = _normalize(word)
    low = _lower_same_length(word)

    def joins(nucleus: Sequence[_Unit], vowel: _Unit) -> bool:
        # Central Quechua writes a long vowel twice (rikaa): one nucleus.
        if not long_doubled or len(nucleus) != 1:
            return False
        return low[nucleus[0].start] == low[vowel.start]

    return _split_units(word, _units_qu_ay(low, multi), joins, _one_onset)


def syllabify_qu(word: str) -> list[str]:
    """Divide a Quechua word into syllables, by the (C)V(C) rule of the module docstring.

    >>> syllabify_qu("allillanchu")
    ['a', 'lli', 'llan', 'chu']
    >>> syllabify_qu("p'unchaw")
    ["p'un", 'chaw']
    """
    return _syllabify_qu_ay(word, _MULTI_QU, long_doubled=True)


def syllabify_ay(word: str) -> list[str]:
    """Divide an Aymara word into syllables, by the (C)V(C) rule of the module docstring.

    >>> syllabify_ay("kamisaraki")
    ['ka', 'mi', 'sa', 'ra', 'ki']
    """
    return _syllabify_qu_ay(word, _MULTI_AY, long_doubled=False)


_EN_LETTERS = re.compile(r"[^a-z]")
_EN_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_EN_SIBILANT_ES = re.compile(r"(?:[sxz]|[cs]h|[cg])es$")
_EN_HIATUS = re.compile(r"(?<![tscx])i[ao]")


def count_syllables_en(word: str) -> int:
    """Estimate the syllables of an English word (heuristic; see the module docstring).

    >>> [count_syllables_en(w) for w in ("table", "wanted", "played", "boxes")]
    [2, 2, 1, 2]
    """
    w = _EN_LETTERS.sub("", _lower_same_length(_normalize(word)))
    if not w:
        return 1 if any(ch.isalnum() for ch in word) else 0
    if len(w) <= 3:
        return 1
    if w.endswith("es"):
        # boxes, places: the e is heard; makes, tables: it is not.
        w = w[:-1] if not _EN_SIBILANT_ES.search(w) else w[:-2] + "is"
    elif w.endswith("ed") and w[-3] not in "td":
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("e") and not (w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy"):
        w = w[:-1]
    # y is a consonant at the start of a word and between vowels (beyond, player).
    w = re.sub(r"^y|(?<=[aeiou])y(?=[aeiou])", "c", w)
    count = len(_EN_VOWEL_GROUP.findall(w)) + len(_EN_HIATUS.findall(w))
    return max(count, 1)


def _count_vowel_groups(word: str) -> int:
    low = _lower_same_length(_normalize(word))
    groups = 0
    in_group = False
    for ch in low:
        vowel = unicodedata.normalize("NFD", ch)[:1] in "aeiouy" and ch.isalpha()
        if vowel and not in_group:
            groups += 1
        in_group = vowel
    return groups if groups else (1 if any(ch.isalnum() for ch in word) else 0)


_FAMILIES = {
    "en": "en",
    "eng": "en",
    "es": "es",
    "spa": "es",
    "qu": "qu",
    "que": "qu",
    "quy": "qu",
    "quz": "qu",
    "ay": "ay",
    "aym": "ay",
    "ayr": "ay",
    "ayc": "ay",
}


def language_family(lang: str) -> str:
    """The language a locale code is counted as: ``es_PE`` and ``es-419`` are ``es``;
    Quechua (qu, que, quy, quz) is ``qu``; Aymara (ay, aym, ayr, ayc) is ``ay``; any
    other code gives its own primary subtag, lowercased."""
    primary = re.split(r"[-_@.]", lang.strip(), maxsplit=1)[0].lower()
    return _FAMILIES.get(primary, primary)


def syllabify(word: str, lang: str) -> list[str]:
    """Syllables of ``word`` for languages with real syllabification (es, qu, ay).

    Raises ``ValueError`` for other languages: English division cannot be done by rule.
    """
    family = language_family(lang)
    if family == "es":
        return syllabify_es(word)
    if family == "qu":
        return syllabify_qu(word)
    if family == "ay":
        return syllabify_ay(word)
    raise ValueError(f"no syllabification rules for language {lang!r}")


def count_syllables(word: str, lang: str) -> int:
    """Syllables in ``word`` for readability: exact for es, qu, ay; heuristic for en;
    vowel groups for any other language. A token with no vowel but some letter or digit
    (a number, *DNI*-like initialisms without vowels) counts one; punctuation counts
    none.

    >>> count_syllables("oía", "es"), count_syllables("ahora", "es-PE")
    (3, 3)
    """
    family = language_family(lang)
    if family == "en":
        return count_syllables_en(word)
    if family in ("es", "qu", "ay"):
        if not any(ch.isalnum() for ch in word):
            return 0
        return len(syllabify(word, family))
    return _count_vowel_groups(word)
