"""Sphinx extension: fix the accessibility problems axe-core finds in the theme.

Kept out of the chapters and the theme's own files, and applied to every page:

* template overrides in ``templates/`` for two pydata-sphinx-theme
  components whose accessible names disagreed with their visible content (the
  search button and the light/dark switch; axe rule label-content-name-mismatch);
* ``static/widget-labels.js``, which names the handle of each
  embedded ipywidgets slider after the widget's visible label (axe rule
  aria-input-field-name), since the widget manager renders it unnamed.
* in the page body, bibliography entries get ``role="listitem"`` instead of
  docutils' ``role="doc-biblioentry"``: their container has ``role="list"``,
  and the DPUB-ARIA role (deprecated in DPUB-ARIA 1.1, which says to use
  ``listitem``) does not count as a list item (axe rule aria-required-children);
* also in the body, myst-nb's "show code" toggles lose an ``aria-label`` that hid
  their visible text (axe rule label-content-name-mismatch);
* ``static/output-contrast.css``: in dark mode, captions and
  citations inside HTML outputs take the output's dark text colour (axe rule
  color-contrast).

Each file says which problem it fixes; no axe rule is switched off.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from . import use_static, use_templates

SCRIPTS = ("widget-labels.js",)
STYLES = ("output-contrast.css",)
BIBLIOENTRY = 'role="doc-biblioentry"'
LISTITEM = 'role="listitem"'
#: myst-nb's summary of a ``hide-input`` cell: its aria-label hides the visible
#: "Show code cell source" from screen readers (axe rule label-content-name-mismatch).
HIDDEN_INPUT_SUMMARY = '<summary aria-label="Toggle hidden content">'


def add_paths(app: Sphinx, config: Config) -> None:
    """Put the overrides before the theme's templates and serve the scripts."""
    use_templates(config)
    use_static(config)


def fix_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Make the bibliography a valid ARIA list; name code toggles by their visible text."""
    if "body" in context:
        body = context["body"].replace(BIBLIOENTRY, LISTITEM)
        context["body"] = body.replace(HIDDEN_INPUT_SUMMARY, "<summary>")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_paths)
    app.connect("html-page-context", fix_body)
    for script in SCRIPTS:
        app.add_js_file(script, defer="defer")
    for style in STYLES:
        app.add_css_file(style)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
