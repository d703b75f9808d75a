"""plainlang: write a case once, print it in plain words in every language its readers speak.

The package is a pipeline; each module is one stage (see DESIGN.md):
``config`` -> ``content`` -> ``catalogs`` -> ``localize`` -> ``render`` -> ``pdf`` -> ``build``,
with ``checks`` reading catalogs and text, ``session`` keeping what a project has read,
``project`` (:class:`Project`, the Python API) on top, and ``cli`` as a thin layer over it.

>>> from plainlang import Project                                   # doctest: +SKIP
>>> results = Project.load(".").build(locale="qu")                  # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Project", "__version__"]

if TYPE_CHECKING:
    from plainlang.project import Project


def __getattr__(name: str) -> Any:
    # Imported on first use, so that ``import plainlang`` (and the CLI's start) stays light.
    if name == "Project":
        from plainlang.project import Project

        return Project
    raise AttributeError(f"module 'plainlang' has no attribute {name!r}")
