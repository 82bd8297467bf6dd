"""Sphinx extension: pages do not load pydata-sphinx-theme's 1.5 MB ``fontawesome.js``.

pydata-sphinx-theme 0.17 loads ``_static/scripts/fontawesome.js`` on every page:
Font Awesome's whole SVG+JS kit (1.49 MB, about 540 KB gzipped, a quarter of a
chapter page's weight), there only so that sites can register custom icons. It
swaps each ``<i class="fa-...">`` for an inline SVG. The theme's style sheet
already carries Font Awesome's CSS and the solid webfont (which it loads anyway
for its admonition icons), and they draw the same icons from the ``<i>``
elements; the course registers no custom icons. Upstream knows the cost
(pydata/pydata-sphinx-theme#2379) and has no option to turn the script off, so
the template override ``page_weight/templates/static/webpack-macros.html`` wraps
the theme's macros and leaves that one ``<script>`` out. The file itself is
still copied into ``_static`` (the theme's static folder), just never loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).resolve().parent / "page_weight" / "templates"


def add_templates(app: Sphinx, config: Config) -> None:
    """Put the override before the theme's templates."""
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
