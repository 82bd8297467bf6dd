"""The built book in a real browser: offline, error-free, widgets, search, downloads.

Every page is loaded in headless Chromium from a server on 127.0.0.1 with every
request to another host blocked and recorded.
"""

from __future__ import annotations

import json

import pytest
from browser_support import chromium, html_pages, open_page, site_url  # noqa: F401

pytestmark = pytest.mark.browser

CHAPTER = "chapters/working-with-notebooks.html"
#: Issue 9: no chapter page may weigh more than this, cold, gzip, all it loads.
PAGE_WEIGHT_BUDGET = 1_500_000
#: A word that occurs in the chapter's text, and the chapter's title.
SEARCH_TERM = "jupytext"
CHAPTER_TITLE = "Working with the course notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


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


def test_embedded_widgets_render_from_saved_state_with_no_kernel(
    html_dir, site_url, chromium  # noqa: F811
):
    with_widgets = [p for p in html_pages(html_dir) if WIDGET_VIEW in (html_dir / p).read_text()]
    assert CHAPTER in with_widgets
    for path in with_widgets:
        page, recorder = open_page(chromium, site_url + path)
        page.wait_for_selector(".jupyter-widgets", state="visible", timeout=15000)
        views = page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        assert page.locator(".cell_output .jupyter-widgets").count() >= views, path
        if path == CHAPTER:
            slider = page.locator(".widget-slider")
            slider.first.wait_for(state="visible")
            assert "Polls from" in slider.first.inner_text()
            # The Output widget shows the table it held when the notebook was saved.
            assert page.locator(".widget-output table, .jupyter-widgets-output-area table").count()
        assert recorder.problems() == {}, path
        page.context.close()


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


def test_widget_slider_is_operable_with_the_keyboard(site_url, chromium):  # noqa: F811
    page, _ = open_page(chromium, site_url + CHAPTER)
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.wait_for(state="visible", timeout=15000)
    readout = page.locator(".widget-slider .widget-readout").first
    before = readout.inner_text()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[readout.element_handle(), before]
    )
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


def test_ipywidgets_7_modules_load_only_on_demand(site_url, chromium):  # noqa: F811
    page, recorder = open_page(chromium, site_url + CHAPTER)
    page.wait_for_selector(".jupyter-widgets", state="visible", timeout=15000)
    lazy = ("base7.js", "controls7.js")
    assert not [url for url in recorder.local if url.endswith(lazy)]
    exported = page.evaluate(
        """() => new Promise((resolve, reject) => require(
            ['@jupyter-widgets/base7', '@jupyter-widgets/controls7'],
            (base, controls) => resolve([Object.keys(base), Object.keys(controls)]), reject))"""
    )
    assert "WidgetModel" in exported[0] and "IntSliderModel" in exported[1]
    assert sorted(url.rsplit("/", 1)[-1] for url in recorder.local if url.endswith(lazy)) == [
        "base7.js",
        "controls7.js",
    ]
    assert recorder.problems() == {}
    page.context.close()


def test_every_chapter_page_stays_within_the_weight_budget(html_dir, site_url, chromium):  # noqa: F811
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    weights = {}
    for path in [p for p in html_pages(html_dir) if p.startswith("chapters/")]:
        context = chromium.new_context()  # cold: empty cache
        page = context.new_page()
        finished = []
        page.on("requestfinished", lambda request, finished=finished: finished.append(request))
        page.goto(site_url + path, wait_until="load")
        try:  # the widgets' fonts load after the load event
            page.wait_for_load_state("networkidle", timeout=15000)
        except PlaywrightTimeoutError:
            pass
        sizes = [request.sizes() for request in finished]
        weights[path] = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        context.close()
    assert weights[CHAPTER] > 500_000  # the widget manager was counted
    assert {p: w for p, w in weights.items() if w > PAGE_WEIGHT_BUDGET} == {}
