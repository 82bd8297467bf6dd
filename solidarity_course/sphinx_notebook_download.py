"""Sphinx extension: offer each executed page as a ``.ipynb`` download.

sphinx-book-theme adds an ``.ipynb`` entry to its download menu only when a
Binder/JupyterHub/Colab launch button is configured (it copies the executed
notebook as a side effect of building launch links). The course has no launch
buttons, since they need the network, so this extension does just the copy: the
notebook myst-nb executed for the page is placed in ``_sources`` and the
theme's own download menu then lists it. No theme option covers this, hence
this small handler.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: Runs before sphinx-book-theme builds its header buttons (priority 501).
_BEFORE_HEADER_BUTTONS = 500


def executed_notebook(app: Sphinx, pagename: str) -> Path:
    """Where myst-nb wrote the executed notebook of ``pagename``."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Copy the page's executed notebook into ``_sources`` and tell the theme."""
    notebook = executed_notebook(app, pagename)
    if doctree is None or not notebook.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", offer_notebook, priority=_BEFORE_HEADER_BUTTONS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
