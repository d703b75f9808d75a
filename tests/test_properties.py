"""Properties over generated inputs (Hypothesis), with a fixed seed and a fixed budget.

Every test here runs the same examples on every machine (``derandomize=True``, no example
database) and at most ``max_examples`` of them: the budget is written on each test and
keeps this file under about half a minute on a 2-core machine.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plainlang.powrap import BABEL_WORD_SEP, split_words


def budget(examples: int) -> settings:
    """Same examples every run, no database left behind, no per-example deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# -- PO line wrapping --------------------------------------------------------------------

# The characters Babel's splitter tells apart: letters (ASCII or not), digits, "_", "-",
# the punctuation allowed before an em-dash, other punctuation, and whitespace.
WRAP_CHARS = st.sampled_from(list("aZé1_-!\"'&.,?;(–  \t\n\u00a0"))


@budget(2000)
@given(st.text(WRAP_CHARS, max_size=30))
def test_split_words_is_babels_split(line):
    assert split_words(line) == re.split(BABEL_WORD_SEP, line)


@budget(200)
@given(st.text(max_size=60))
def test_split_words_is_babels_split_on_any_text(line):
    assert split_words(line) == re.split(BABEL_WORD_SEP, line)
