"""The built book in a real browser: offline, error-free, explorers, search, downloads.

Every page is loaded in headless Chromium from a server on 127.0.0.1 with every
request to another host blocked and recorded.
"""

from __future__ import annotations

import json

import pytest
from browser_support import chromium, html_pages, open_page, site_url  # noqa: F401

pytestmark = pytest.mark.browser

CHAPTER = "chapters/working-with-notebooks.html"
#: Issue 15: no chapter page may weigh more than this, cold, all it loads, served
#: gzip-compressed and served as is (bench/page_weight.py prints both).
PAGE_WEIGHT_BUDGET = {"gzip": 500_000, "plain": 1_500_000}
#: A word that occurs in the chapter's text, and the chapter's title.
SEARCH_TERM = "jupytext"
CHAPTER_TITLE = "Working with the course notebooks"


def test_every_page_loads_with_no_failed_or_outside_request_and_no_console_error(
    html_dir, site_url, chromium  # noqa: F811
):
    pages = html_pages(html_dir)
    assert CHAPTER in pages and "index.html" in pages
    problems = {}
    for path in pages:
        page, recorder = open_page(chromium, site_url + path)
        assert any(url.startswith(site_url) for url in recorder.local)
        if recorder.problems():
            problems[path] = recorder.problems()
        page.context.close()
    assert problems == {}


def test_search_page_finds_a_term_from_a_chapter(site_url, chromium):  # noqa: F811
    page, recorder = open_page(chromium, f"{site_url}search.html?q={SEARCH_TERM}")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(state="visible", timeout=15000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("working-with-notebooks" in (h or "") for h in hrefs), hrefs
    assert recorder.problems() == {}
    page.context.close()


def test_chapter_download_menu_offers_executed_notebook_and_source_by_keyboard(
    site_url, chromium  # noqa: F811
):
    page, recorder = open_page(chromium, site_url + CHAPTER)
    page.focus(".dropdown-download-buttons button")
    page.keyboard.press("Enter")
    notebook = page.locator("a.btn-download-notebook-button")
    source = page.locator("a.btn-download-source-button")
    notebook.wait_for(state="visible")
    assert source.is_visible()
    notebook_url = page.evaluate("a => a.href", notebook.element_handle())
    source_url = page.evaluate("a => a.href", source.element_handle())
    assert notebook_url.endswith(".ipynb") and source_url.endswith(".md")
    executed = json.loads(page.request.get(notebook_url).text())
    code_cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert code_cells and all(c.get("outputs") for c in code_cells)
    assert CHAPTER_TITLE in page.request.get(source_url).text()
    assert recorder.problems() == {}
    page.context.close()


def test_explorer_slider_works_with_the_keyboard_and_no_kernel(site_url, chromium):  # noqa: F811
    """The chapter's slider shows, for each position, the table computed at build time."""
    page, recorder = open_page(chromium, site_url + CHAPTER)
    slider = page.locator(".scx-explorer input[type=range]")
    readout = page.locator(".scx-explorer output")
    first = page.locator(".scx-panel").first.get_attribute("data-label")  # the earliest year
    assert readout.inner_text() == first and page.locator(".scx-panel:visible").count() == 1
    rows_before = page.locator(".scx-panel:visible tbody tr").count()
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert readout.inner_text() != first
    assert slider.get_attribute("aria-valuetext") == readout.inner_text()
    assert page.locator(".scx-panel:visible").count() == 1
    assert page.locator(".scx-panel:visible tbody tr").count() < rows_before
    assert recorder.problems() == {}
    page.context.close()


def test_theme_icons_are_drawn_by_the_webfont(site_url, chromium):  # noqa: F811
    # The theme's fontawesome.js is not loaded (a template override in solidarity_course.sphinx),
    # so the icons stay <i> elements that the theme's Font Awesome CSS and webfont draw.
    page, recorder = open_page(chromium, site_url + CHAPTER)
    icons = page.evaluate(
        """() => [...document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')]
            .filter(el => el.getClientRects().length)
            .map(el => {
              const glyph = getComputedStyle(el, '::before');
              return {cls: el.className, content: glyph.content, font: glyph.fontFamily,
                      width: el.getBoundingClientRect().width};
            })"""
    )
    assert len(icons) >= 5
    for icon in icons:
        assert icon["content"] not in ("none", "normal", '""'), icon
        assert "Font Awesome" in icon["font"] and icon["width"] > 0, icon
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any("Font Awesome 6 Free" in family for family in loaded), loaded
    assert page.locator("svg.svg-inline--fa").count() == 0
    assert recorder.problems() == {}
    page.context.close()


def chapter_page_weights(html_dir, base_url, chromium) -> dict[str, int]:  # noqa: F811
    """Bytes each chapter page transfers, cold, with everything it loads."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    weights = {}
    for path in [p for p in html_pages(html_dir) if p.startswith("chapters/")]:
        context = chromium.new_context()  # cold: empty cache
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request, finished=finished: finished.append(request))
        page.goto(base_url + path, wait_until="load")
        try:  # fonts and images may load after the load event
            page.wait_for_load_state("networkidle", timeout=15000)
        except PlaywrightTimeoutError:
            pass
        sizes = [request.sizes() for request in finished]
        weights[path] = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        context.close()
    return weights


def test_every_chapter_page_stays_within_the_weight_budget(html_dir, site_url, chromium):  # noqa: F811
    from solidarity_course.serve import serve_in_thread

    gzip = chapter_page_weights(html_dir, site_url, chromium)
    with serve_in_thread(html_dir, use_gzip=False) as plain_url:
        plain = chapter_page_weights(html_dir, plain_url, chromium)
    assert gzip[CHAPTER] > 50_000 and plain[CHAPTER] > gzip[CHAPTER]  # really measured
    over = {p: w for p, w in gzip.items() if w > PAGE_WEIGHT_BUDGET["gzip"]}
    over |= {f"{p} (plain)": w for p, w in plain.items() if w > PAGE_WEIGHT_BUDGET["plain"]}
    assert over == {}
