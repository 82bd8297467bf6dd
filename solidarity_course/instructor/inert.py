"""Make what a student wrote inert before any page shows it.

Student notebooks reach three kinds of page: the feedback HTML, formgrader's
view of an autograded notebook, and the item-analysis report.  A student's
markdown, essay and raw cells, the outputs of their code (``display(HTML(...))``,
``Javascript``, widget views, SVG) and the notebook's metadata (title, widget
state, tags) are all places where HTML could hide.  :func:`inert_notebook`
rewrites a notebook so that none of it can run:

- markdown cells become HTML cleaned by ``nh3`` (an allow-list
  sanitiser: no script, no event attribute, no ``javascript:`` link, no
  iframe/object/form/style), inside one HTML block so that no markdown is
  parsed after cleaning; raw cells (which HTML pages include as they are) are
  cleaned the same way; attachments are dropped;
- outputs keep only ``text/plain`` and well-formed base64 PNG/JPEG images;
  every other kind (HTML, JavaScript, widget views, SVG, markdown, LaTeX, PDF,
  JSON) is shown as plain text, never rendered;
- output and cell metadata, and notebook metadata other than the kernel,
  language, nbgrader's and ours, are dropped; cell ids and execution counts
  are checked.

:class:`InertNotebook` is the nbgrader/nbconvert preprocessor doing it: the
autograded copy is stored inert, and formgrader (``HTMLExporter``) runs it again
when it renders.  The feedback page (:mod:`.feedback`) shows a student's writing
through :func:`inert_markdown` and everything else through :func:`clean_html`.
:func:`add_csp` puts a strict Content-Security-Policy on a page we generate
(the feedback and report templates carry :data:`CSP_META` themselves), so that
nothing runs even if something slipped through.
"""

from __future__ import annotations

import base64
import binascii
import re

import nh3
from markdown_it import MarkdownIt
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

#: No script, plugin, frame, form, base or connection; inline styles and data: images only.
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
       "connect-src 'none'; form-action 'none'; base-uri 'none'; img-src data:; "
       "style-src 'unsafe-inline'; font-src data:")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: HTML a student's markdown may use (no style, form, media, frame or script element).
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
                      "ol": {"start"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
#: Output kinds rendered as such; everything else is shown as text.
SAFE_IMAGES = ("image/png", "image/jpeg")
KEPT_NB_METADATA = ("kernelspec", "language_info", "nbgrader", "solidarity_course")
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
#: Characters of an active output kept when it is shown as text.
TEXT_PREVIEW = 2000

_markdown = MarkdownIt("commonmark", {"html": True})


def clean_html(html: str) -> str:
    """``html`` with only the allowed tags, attributes and URL schemes (nh3)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def inert_markdown(source: str) -> str:
    """Markdown rendered and cleaned, as one HTML block no markdown renderer re-parses."""
    html = clean_html(_markdown.render(source))
    # A blank line would end the HTML block and let markdown syntax after it be parsed.
    html = re.sub(r"\n[ \t]*(?=\n)", "\n&#10;", html.strip())
    return f'<div class="student-content">\n{html}\n</div>'


def _is_base64(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _as_text(value) -> str:
    text = value if isinstance(value, str) else "".join(value) if isinstance(value, list) else \
        repr(value)
    return text if len(text) <= TEXT_PREVIEW else text[:TEXT_PREVIEW] + "…"


def inert_output(output) -> None:
    """Keep plain text and real PNG/JPEG; show every other kind of output as text."""
    if "metadata" in output:
        output["metadata"] = {}
    data = output.get("data")
    if not isinstance(data, dict):
        return
    kept, shown = {}, []
    for mime, value in data.items():
        if mime == "text/plain":
            kept[mime] = _as_text(value) if not isinstance(value, str) else value
        elif mime in SAFE_IMAGES and _is_base64(value):
            kept[mime] = value
        else:
            shown.append(f"[{mime} output shown as text]\n{_as_text(value)}")
    if shown and "text/plain" not in kept:
        kept["text/plain"] = "\n".join(shown)
    output["data"] = kept


def inert_cell(cell) -> None:
    """Clean one cell in place (see the module's docstring)."""
    nbgrader = cell.get("metadata", {}).get("nbgrader")
    cell["metadata"] = {"nbgrader": nbgrader} if isinstance(nbgrader, dict) else {}
    if "id" in cell and not (isinstance(cell["id"], str) and CELL_ID.match(cell["id"])):
        del cell["id"]
    cell.pop("attachments", None)
    if cell.get("cell_type") in ("markdown", "raw"):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        cell["source"] = (inert_markdown(source) if cell["cell_type"] == "markdown"
                          else clean_html(source))
        return
    if not isinstance(cell.get("execution_count"), int | None):
        cell["execution_count"] = None
    for output in cell.get("outputs", []):
        inert_output(output)
        if not isinstance(output.get("execution_count", None), int | None):
            output["execution_count"] = None


def inert_notebook(nb):
    """Clean a notebook in place and return it."""
    meta = nb.get("metadata", {})
    nb["metadata"] = type(meta)({k: meta[k] for k in KEPT_NB_METADATA if k in meta})
    for cell in nb.get("cells", []):
        inert_cell(cell)
    return nb


class InertNotebook(Preprocessor):
    """Preprocessor: :func:`inert_notebook` (autograde, formgrader)."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        return inert_notebook(nb), resources


def add_csp(page: str) -> str:
    """``page`` with :data:`CSP_META` first in its head (added once)."""
    if CSP_META in page:
        return page
    head = re.search(r"<head\b[^>]*>", page, re.I)
    if head is None:
        return CSP_META + page
    return page[:head.end()] + CSP_META + page[head.end():]
