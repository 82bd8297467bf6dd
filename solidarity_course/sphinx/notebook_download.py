"""Sphinx extension: offer each executed page as a ``.ipynb`` download.

sphinx-book-theme adds an ``.ipynb`` entry to its download menu only when a
Binder/JupyterHub/Colab launch button is configured (it copies the executed
notebook as a side effect of building launch links). The course has no launch
buttons, since they need the network, so this extension does the copy itself:
the notebook myst-nb executed for the page is written to ``_sources`` and the
theme's own download menu then lists it. No theme option covers this, hence
this small handler.

myst-nb (1.4) writes ``jupyter_execute/<page>.ipynb`` from the notebook it
parsed, not from the one its cache client returned, so when a page is re-read
but its outputs come from the execution cache (a warm rebuild) that file has no
outputs. The outputs are then merged back from the jupyter-cache, with
jupyter-cache's own matching, so the download always carries them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from jupyter_cache import get_cache
from sphinx.application import Sphinx

#: Runs before sphinx-book-theme builds its header buttons (priority 501).
_BEFORE_HEADER_BUTTONS = 500


def executed_notebook(app: Sphinx, pagename: str) -> Path:
    """Where myst-nb wrote the executed notebook of ``pagename``."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"


def _has_outputs(notebook: nbformat.NotebookNode) -> bool:
    return any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def with_cached_outputs(app: Sphinx, notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` with its outputs from the execution cache, if it lacks them."""
    if _has_outputs(notebook):
        return notebook
    config = app.env.mystnb_config  # type: ignore[attr-defined]  # set by myst-nb
    cache_path = config.execution_cache_path
    if not cache_path or not Path(cache_path).is_dir():
        return notebook
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: the page really has no outputs
        return notebook
    return merged


def offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Write the page's executed notebook into ``_sources`` and tell the theme."""
    source = executed_notebook(app, pagename)
    if doctree is None or not source.is_file():
        return
    notebook = with_cached_outputs(app, nbformat.read(source, as_version=4))
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", offer_notebook, priority=_BEFORE_HEADER_BUTTONS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
