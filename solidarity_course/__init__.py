"""Code behind the course *In Common They Fought?*.

Modules, one job each:

- ``paths``: where the course's folders are;
- ``data``: load and validate the course's data package (``data/``: sources,
  excerpts, annotations, devices, claims);
- ``bibliography``: the keys of ``references.bib``;
- ``render``: excerpts and claims tables as HTML for the chapters;
- ``exercises``: the chapters' interactive exercises (ipywidgets);
- ``plotting``: the course's matplotlib style;
- ``quiz``: the question bank and its renderings (HTML, widgets, nbgrader notebooks);
- ``sphinx``: the book's Sphinx extensions, one package (``_config.yml`` names it);
- ``book``: build the book (or a one-page preview) with the course's flags;
- ``serve``: serve the built book locally;
- ``instructor``: ``course-grade``, the nbgrader-based grading tool.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
