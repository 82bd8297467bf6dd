"""Student content made inert: the sanitiser and the page policy (no kernel, no browser).

The browser proof (feedback, formgrader and the report opened in Chromium with
a corpus of script vectors) is in ``test_instructor_hostile.py``.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from solidarity_course.instructor.inert import CSP_META, add_csp, inert_markdown, inert_notebook

VECTORS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html,x"></object>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<details open ontoggle="alert(1)">x</details>',
    "```\n<b>\n\n[x](javascript:alert(1))\n```",
]


class Elements(HTMLParser):
    """The elements and attributes of an HTML fragment, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


ACTIVE = {"script", "iframe", "object", "embed", "style", "form", "svg", "math", "base", "meta",
          "link", "body"}


@pytest.mark.parametrize("vector", VECTORS)
def test_markdown_keeps_no_script_event_or_javascript_url(vector):
    html = inert_markdown("Some **bold** text.\n\n" + vector)
    for tag, attrs in Elements(html).found:
        assert tag not in ACTIVE, html
        assert not [a for a in attrs if a.startswith("on")], html
        for url in (attrs.get("href"), attrs.get("src")):
            assert url is None or url.split(":")[0] in ("http", "https", "mailto", "x"), html
    assert "<strong>bold</strong>" in html
    assert "\n\n" not in html  # one HTML block: nothing after it is parsed as markdown


def test_outputs_keep_text_and_real_images_only():
    nb = new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("display_data", data={"text/html": "<script>alert(1)</script>"}),
        new_output("display_data", data={"application/javascript": "alert(1)",
                                         "text/plain": "<IPython.Javascript>"}),
        new_output("display_data", data={"image/png": 'x" onerror="alert(1)'}),
        new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                   metadata={"image/png": {"width": '1" onerror="alert(1)'}}),
        new_output("display_data", data={"image/svg+xml": "<svg><script>1</script></svg>"}),
    ]), new_markdown_cell("<img src=x onerror=alert(1)>", metadata={"tags": ['"><script>']}),
        new_raw_cell("<script>alert(1)</script>")])
    nb.metadata.update(title="</title><script>alert(1)</script>", widgets={"state": {}})
    nbformat.validate(nb)
    inert_notebook(nb)
    nbformat.validate(nb)  # still a valid notebook
    outs = nb.cells[0].outputs
    assert [sorted(o.data) for o in outs] == [["text/plain"], ["text/plain"], ["text/plain"],
                                              ["image/png"], ["text/plain"]]
    assert outs[0].data["text/plain"].startswith("[text/html output shown as text]")
    assert outs[1].data["text/plain"] == "<IPython.Javascript>"
    assert outs[3].metadata == {}
    assert "onerror" not in nb.cells[1].source and nb.cells[1].metadata == {}
    assert "<script" not in nb.cells[2].source
    assert set(nb.metadata) <= {"kernelspec", "language_info", "nbgrader", "solidarity_course"}


def test_pages_get_a_strict_content_security_policy_once():
    page = add_csp("<!DOCTYPE html><html><head><title>x</title></head><body></body></html>")
    assert page.index(CSP_META) < page.index("<title>")
    assert add_csp(page) == page
    assert "script-src 'none'" in CSP_META and "default-src 'none'" in CSP_META
