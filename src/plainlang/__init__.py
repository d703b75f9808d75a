"""plainlang: write a case once, print it in plain words in every language its readers speak.

The package is a pipeline; each module is one stage (see DESIGN.md):
``config`` -> ``content`` -> ``catalogs`` -> ``localize`` -> ``render`` -> ``pdf`` -> ``build``,
with ``checks`` reading catalogs and text, and ``cli`` as a thin layer on top.
"""

__version__ = "0.1.0"
