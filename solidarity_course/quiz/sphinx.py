"""Sphinx extension: the ``{quiz}`` directive for self-check quizzes in the book.

Usage in a MyST chapter::

    ```{quiz} 01-reading-sources
    ```

    ```{quiz}
    :ids: rs-provenance, rs-devices
    ```

The first form shows every *self-check* question of the chapter; the second
the listed ones (naming a graded question is a build error: graded keys never
reach the book).  Markup comes from :mod:`.html`; prompts, options and
feedback are parsed as MyST, so ``{cite}`` roles work.  ``solidarity_quiz.js``
and ``solidarity_quiz.css`` are copied into ``_static`` (no CDN).

Exercises shown by notebook code cells (:mod:`solidarity_course.exercises`,
:class:`.widgets.ChapterQuiz`) carry the same kernel-free HTML beside their
widget view (:mod:`.kernel_free`). This extension makes the book show that
HTML: widget views are dropped from the build's mime priorities, and pages get
neither the saved widget state nor the widget manager (``embed-amd.js``,
require.js), which would need a kernel to do anything.

Enable with ``sphinx: extra_extensions: [solidarity_course.quiz.sphinx]`` in
``_config.yml``.  Config values: ``quiz_bank_dir`` (default: ``data/questions``
next to the book, else the package's course root) and ``quiz_data_fixture``
(a YAML file with annotations/devices/excerpts, for test sites; by default
``solidarity_course.data`` is used for spot-the-device questions).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .bank import BANK_DIR, Bank, load_bank
from .devices import default_data, fixture_from_file
from .html import Html, quiz_fragments
from .kernel_free import WIDGET_VIEW
from .model import SpotDevice

logger = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def _bank_dir(app: Sphinx) -> Path:
    if app.config.quiz_bank_dir:
        return Path(app.confdir or app.srcdir, app.config.quiz_bank_dir)
    local = Path(app.srcdir) / "data" / "questions"
    return local if local.is_dir() else BANK_DIR


def get_bank(app: Sphinx) -> Bank:
    """The bank, loaded once per build (spot-the-device questions resolved if possible)."""
    bank = getattr(app, "_solidarity_quiz_bank", None)
    if bank is None:
        fixture = app.config.quiz_data_fixture
        base = Path(app.confdir or app.srcdir)
        data = fixture_from_file(base / fixture) if fixture else default_data()
        bank = load_bank(_bank_dir(app), data=data)
        app._solidarity_quiz_bank = bank
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
            if isinstance(q, SpotDevice) and q.resolved is None:
                logger.warning(
                    "spot-the-device question %r skipped: course data not available", q.id,
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
    app._solidarity_quiz_bank = None
    if str(STATIC_DIR) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC_DIR))


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
    app.add_config_value("quiz_bank_dir", "", "env")
    app.add_config_value("quiz_data_fixture", "", "env")
    app.add_directive("quiz", QuizDirective)
    app.connect("builder-inited", _add_static_path)
    app.connect("config-inited", show_kernel_free_views)
    app.connect("doctree-read", drop_widget_state)
    app.add_js_file("solidarity_quiz.js", loading_method="defer")
    app.add_css_file("solidarity_quiz.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
