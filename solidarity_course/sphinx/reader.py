"""Sphinx extension: the book's chrome as a reader meets it.

* Every course block (excerpt, sourcing card, claims table) carries its own
  ``<style>`` so that it also looks right in a notebook; on a book page only the
  first copy is kept, which saves some 4 KB per block.
* ``static/reader.css``: the theme's top bar, empty once its search box is
  gone (``navbar_persistent: []`` in ``_config.yml``), is not drawn, so the page
  has one search box; the magnifier of the search dialog sits beside the query,
  not over it; on a phone, figures keep a legible size and scroll sideways
  inside their frame.
* ``static/search-landing.js``: a page opened from a search result
  (``?highlight=word``) scrolls to the first highlighted match, so the reader
  lands on the section that holds it rather than at the top of a long chapter.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from . import use_static

#: The style sheet every course block opens with (solidarity_course/templates/course.css).
COURSE_STYLE = re.compile(r"<style>/\* Course blocks in chapter outputs.*?</style>", re.S)


def add_static(app: Sphinx, config: Config) -> None:
    use_static(config)


def one_course_style(body: str) -> str:
    """``body`` with every copy of the course blocks' style sheet but the first removed."""
    seen = False

    def keep_first(match: re.Match) -> str:
        nonlocal seen
        if seen:
            return ""
        seen = True
        return match.group(0)

    return COURSE_STYLE.sub(keep_first, body)


def fix_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        context["body"] = one_course_style(context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_static)
    app.connect("html-page-context", fix_body)
    app.add_css_file("reader.css")
    app.add_js_file("search-landing.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
