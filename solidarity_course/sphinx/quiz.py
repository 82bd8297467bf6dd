"""Sphinx extension: the ``{quiz}`` directive for self-check quizzes in the book.

Usage in a MyST chapter::

    ```{quiz} 01-reading-sources
    ```

    ```{quiz}
    :ids: rs-provenance, rs-devices
    ```

The first form shows every *self-check* question of the chapter; the second
the listed ones (naming a graded question is a build error: graded keys never
reach the book).  Markup comes from :mod:`solidarity_course.quiz.html`;
prompts, options and feedback are parsed as MyST, so ``{cite}`` roles work.
``static/solidarity_quiz.js`` and ``static/solidarity_quiz.css`` are copied into
``_static`` (no CDN).

Exercises shown by notebook code cells (:mod:`solidarity_course.exercises`,
:class:`solidarity_course.quiz.widgets.ChapterQuiz`) carry the same kernel-free
HTML beside their widget view (:mod:`solidarity_course.quiz.kernel_free`). This
extension makes the book show that HTML: widget views are dropped from the
build's mime priorities, and pages get neither the saved widget state nor the
widget manager (``embed-amd.js``, require.js), which would need a kernel.

Part of :mod:`solidarity_course.sphinx`; usable alone as
``solidarity_course.sphinx.quiz``.  Config values, relative to the book's folder:
``quiz_bank_dir`` (default ``data/questions``), ``quiz_data_dir`` (the course
data package for spot-the-device questions, default ``data``) and
``quiz_data_fixture`` (a YAML file with annotations/devices/excerpts, used
instead of the data package by test sites).
"""

from __future__ import annotations

import weakref
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..quiz.bank import Bank, load_bank
from ..quiz.devices import CourseData, DataSource, fixture_from_file
from ..quiz.html import Html, quiz_fragments
from ..quiz.kernel_free import WIDGET_VIEW
from . import use_static

logger = logging.getLogger(__name__)
#: The bank of each running build, loaded by the first ``{quiz}`` directive.
_BANKS: weakref.WeakKeyDictionary[Sphinx, Bank] = weakref.WeakKeyDictionary()


def _book_path(app: Sphinx, value: str) -> Path:
    """A config value's path, relative to the book's folder."""
    return Path(app.confdir or app.srcdir, value)


def _data(app: Sphinx) -> DataSource:
    fixture = app.config.quiz_data_fixture
    if fixture:
        return fixture_from_file(_book_path(app, fixture))
    return CourseData(_book_path(app, app.config.quiz_data_dir))


def get_bank(app: Sphinx) -> Bank:
    """The bank, loaded once per build (spot-the-device questions resolved if possible)."""
    bank = _BANKS.get(app)
    if bank is None:
        bank = load_bank(_book_path(app, app.config.quiz_bank_dir), data=_data(app))
        _BANKS[app] = bank
    return bank


class QuizDirective(SphinxDirective):
    """Render self-check questions of the bank as an interactive quiz."""

    optional_arguments = 1
    has_content = False
    option_spec = {"ids": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        bank = get_bank(self.env.app)
        for path in bank.files:
            self.env.note_dependency(str(path))
        if "ids" in self.options:
            ids = [i.strip() for i in self.options["ids"].replace(",", " ").split()]
            try:
                questions = bank.get(ids)
            except KeyError as exc:
                return [self._error(str(exc))]
            graded = [q.id for q in questions if q.use != "self-check"]
            if graded:
                return [self._error(f"graded questions cannot appear in the book: {graded}")]
        elif self.arguments:
            questions = bank.chapter(self.arguments[0], use="self-check")
            if not questions:
                logger.warning(
                    "no self-check questions for chapter %r", self.arguments[0],
                    location=self.get_location(),
                )
        else:
            return [self._error("give a chapter id or the :ids: option")]
        ready = []
        for q in questions:
            if q.unresolved:
                logger.warning(
                    "question %r skipped: it needs the course data, which is not available", q.id,
                    location=self.get_location(),
                )
                continue
            ready.append(q)
        container = nodes.container(classes=["scq-wrapper"])
        for frag in quiz_fragments(ready):
            if isinstance(frag, Html):
                container += nodes.raw("", frag.text, format="html")
            else:
                container += self._markdown(frag.text, frag.inline)
        return [container]

    def _markdown(self, text: str, inline: bool) -> list[nodes.Node]:
        parsed = self.parse_text_to_nodes(text)
        if inline:
            if len(parsed) == 1 and isinstance(parsed[0], nodes.paragraph):
                return [nodes.inline("", "", *parsed[0].children)]
            return [nodes.inline("", "", *parsed)]
        return parsed

    def _error(self, message: str) -> nodes.Node:
        logger.error("quiz: %s", message, location=self.get_location())
        return nodes.paragraph(text=f"[quiz error: {message}]")


def _add_static_path(app: Sphinx) -> None:
    _BANKS.pop(app, None)
    use_static(app.config)


def show_kernel_free_views(app: Sphinx, config: Config) -> None:
    """Pages show outputs' kernel-free HTML, never a widget view, and load no widget manager."""
    overrides = list(config.nb_mime_priority_overrides)
    for builder in ("html", "dirhtml", "singlehtml", "epub"):
        overrides.append((builder, WIDGET_VIEW, None))
    config.nb_mime_priority_overrides = overrides
    config.nb_ipywidgets_js = {}


def drop_widget_state(app: Sphinx, doctree: nodes.document) -> None:
    """Leave the saved widget state out of the page: nothing on it reads the state."""
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    js_files = metadata.get("js_files", {})
    for key in [k for k in js_files if k.startswith("ipywidgets_")]:
        del js_files[key]


def setup(app: Sphinx) -> dict:
    """Register the directive, config values and static files."""
    app.add_config_value("quiz_bank_dir", "data/questions", "env")
    app.add_config_value("quiz_data_dir", "data", "env")
    app.add_config_value("quiz_data_fixture", "", "env")
    app.add_directive("quiz", QuizDirective)
    app.connect("builder-inited", _add_static_path)
    app.connect("config-inited", show_kernel_free_views)
    app.connect("doctree-read", drop_widget_state)
    app.add_js_file("solidarity_quiz.js", loading_method="defer")
    app.add_css_file("solidarity_quiz.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
