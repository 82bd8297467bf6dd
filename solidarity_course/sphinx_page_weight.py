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

Figures: matplotlib writes 32-bit RGBA PNGs, although a chart has a few hundred
colours at most (its palette and the anti-aliasing between them). After the
build, :func:`palette_images` re-encodes every PNG in ``_images`` with a
256-colour palette (alpha kept), which makes the figures about a quarter of
their size with no visible change; a file is replaced only when that is smaller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).resolve().parent / "page_weight" / "templates"


def add_templates(app: Sphinx, config: Config) -> None:
    """Put the override before the theme's templates."""
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def palette_png(path: Path) -> bool:
    """Re-encode ``path`` as a 256-colour PNG if that is smaller; True if replaced."""
    import io

    with Image.open(path) as image:
        if image.mode == "P":
            return False  # already a palette image (an earlier build)
        buffer = io.BytesIO()
        image.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE).save(
            buffer, "PNG", optimize=True
        )
    if buffer.tell() >= path.stat().st_size:
        return False
    path.write_bytes(buffer.getvalue())
    return True


def palette_images(app: Sphinx, exception: Exception | None) -> None:
    """Make the figures of an HTML build palette PNGs (see the module docstring)."""
    if exception is not None or app.builder.format != "html":
        return
    for path in sorted((Path(app.outdir) / "_images").glob("*.png")):
        palette_png(path)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", add_templates)
    app.connect("build-finished", palette_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
