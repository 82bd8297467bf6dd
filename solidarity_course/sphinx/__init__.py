"""The book's Sphinx extensions, as one extension: ``solidarity_course.sphinx`` in ``_config.yml``.

Modules, one job each (each is also an extension of its own):

- ``notebook_download``: offers each executed page as a ``.ipynb`` download;
- ``quiz``: the ``{quiz}`` directive (self-check quizzes from the bank, no kernel);
- ``offline_assets``: serves the browser assets from ``_static`` (npm, ``web/``), never a CDN;
- ``accessibility``: fixes what axe-core finds in the theme's pages;
- ``reader``: the chrome as a reader meets it (one course style sheet per page, one
  search box, search results that land on the match);
- ``figures``: re-encodes the figures as palette PNGs (a quarter of their bytes);
- ``solidarity_course.edition.sphinx`` (beside the edition's builder): the instructor
  edition's teaching notes and keys; nothing in the student edition.

Files shared by the modules (:func:`use_templates`, :func:`use_static` register them once):

- ``templates/``: overrides of pydata-sphinx-theme templates, put before the theme's.
  ``search-button-field.html`` and ``theme-switcher.html`` give two controls the
  accessible name of their visible content (see ``accessibility``);
  ``static/webpack-macros.html`` keeps pages from loading the theme's 1.5 MB
  ``fontawesome.js`` (Font Awesome's SVG+JS kit, about 540 KB gzipped, a quarter of a
  chapter page, there only so that sites can register custom icons, which the course
  does not; pydata/pydata-sphinx-theme#2379): the Font Awesome CSS and webfont of the
  theme's style sheet draw the same icons. The script is still copied, never loaded.
- ``static/``: the quiz's script and style sheet and the accessibility fixes, copied
  into the site's ``_static``.

Paths the extensions read from the book (the bank, the npm packages) are config
values resolved against the book's folder (``app.confdir``), never against where
this package is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: In the order they were listed in ``_config.yml`` before they were one package
#: (it fixes the order of their scripts, style sheets and event handlers).
EXTENSIONS = (
    "solidarity_course.sphinx.notebook_download",
    "solidarity_course.sphinx.quiz",
    "solidarity_course.sphinx.offline_assets",
    "solidarity_course.sphinx.accessibility",
    "solidarity_course.sphinx.reader",
    "solidarity_course.sphinx.figures",
    "solidarity_course.edition.sphinx",
)


def use_templates(config: Config) -> None:
    """Put the template overrides before the theme's (once)."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [str(TEMPLATES), *config.templates_path]


def use_static(config: Config) -> None:
    """Copy ``static/`` into the site's ``_static`` (once)."""
    if str(STATIC) not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def _use_templates(app: Sphinx, config: Config) -> None:
    use_templates(config)


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up every course extension and the template overrides."""
    for name in EXTENSIONS:
        app.setup_extension(name)
    app.connect("config-inited", _use_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
