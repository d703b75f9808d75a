"""Hyphenation for narrow leaflet panels.

Languages pyphen knows (Spanish, English, ...) are hyphenated by WeasyPrint itself with
``hyphens: auto`` and the ``lang`` attribute: nothing to do here. Quechua and Aymara, which
pyphen lacks and whose agglutinated words run long (*willakuykunapaqmi*), get soft hyphens
(U+00AD) at syllable boundaries from :mod:`plainlang.syllables`, and CSS ``hyphens:
manual`` uses them. A break never leaves fewer than two letters on either side, and words
shorter than :data:`MIN_WORD` are left whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from plainlang.syllables import syllabify_ay, syllabify_qu

SOFT_HYPHEN = "\u00ad"
MIN_WORD = 7
MIN_EDGE = 2
_SYLLABIFIERS: dict[str, Callable[[str], list[str]]] = {"qu": syllabify_qu, "ay": syllabify_ay}
# Letters plus the apostrophes of ejectives (p'unchaw, p'unchaw): one word, not two.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u02bc\u2019])*", re.UNICODE)


def base_language(lang: str) -> str:
    """``qu_PE`` -> ``qu``."""
    return lang.replace("-", "_").split("_")[0].lower()


def needs_soft_hyphens(lang: str) -> bool:
    """True where plainlang, not WeasyPrint, must hyphenate (no pyphen dictionary)."""
    return base_language(lang) in _SYLLABIFIERS


def hyphenate_word(word: str, syllabify: Callable[[str], list[str]]) -> str:
    """Insert soft hyphens between the syllables of ``word``.

    >>> hyphenate_word("runasimikunapaq", syllabify_qu).replace(SOFT_HYPHEN, "-")
    'ru-na-si-mi-ku-na-paq'
    """
    if len(word) < MIN_WORD:
        return word
    syllables = syllabify(word)
    out = ""
    done = 0
    for i, syllable in enumerate(syllables):
        if i and done >= MIN_EDGE and len(word) - done >= MIN_EDGE:
            out += SOFT_HYPHEN
        out += syllable
        done += len(syllable)
    return out if out.replace(SOFT_HYPHEN, "") == word else word


@functools.cache
def hyphenator(lang: str) -> Callable[[str], str] | None:
    """A function adding soft hyphens to text in ``lang``, or None if WeasyPrint does it."""
    syllabify = _SYLLABIFIERS.get(base_language(lang))
    if syllabify is None:
        return None

    def apply(text: str) -> str:
        return _WORD.sub(lambda m: hyphenate_word(m.group(0), syllabify), text)

    return apply
