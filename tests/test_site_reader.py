"""The built book as a reader meets it: claims tables on a phone and in dark mode,
excerpts that read once, figures, and the site's chrome.

Each test writes down what the page must look like (no horizontal overflow at
390 px, badge text visible, text contrast computed from the browser's computed
styles of at least 4.5:1, ...) and checks it in headless Chromium; the screenshots
it takes are checked for the colour of the mode they were taken in.
"""

from __future__ import annotations

import io

import pytest
from browser_support import chromium, open_page, site_url  # noqa: F401

pytestmark = pytest.mark.browser

CLAIMS_PAGE = "chapters/05-ww2-memory.html"
EXCERPT_PAGE = "chapters/03-comintern.html"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: WCAG 2.1 AA for body text.
AA = 4.5
#: Smallest label size, in CSS pixels as drawn, that a figure may show on a phone.
MIN_LABEL_PX = 9

#: Contrast of an element's text against what is really behind it: the first
#: ancestor with a background colour, blended over the page's.
CONTRAST_JS = """
(el) => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg[3] > 0) { layers.push(bg); if (bg[3] === 1) break; }
  }
  let back = [255, 255, 255];
  for (const layer of layers.reverse()) back = over(layer, back);
  const fg = over(rgba(getComputedStyle(el).color), back);
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(back)].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), text: el.innerText.slice(0, 60)};
}
"""


def low_contrast(page, selector: str) -> list[dict]:
    """Elements matching ``selector`` with visible text under AA contrast."""
    results = page.locator(selector).evaluate_all(
        f"(els) => els.filter(e => e.innerText.trim() && e.getClientRects().length)"
        f".map({CONTRAST_JS})"
    )
    assert results, f"nothing matched {selector}"
    return [r for r in results if r["ratio"] < AA]


def mean_luminance(png: bytes) -> float:
    """Mean grey level (0 black to 255 white) of a screenshot."""
    from PIL import Image, ImageStat

    return ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).mean[0]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_claims_table_is_readable_on_a_phone_and_in_both_modes(
    site_url, chromium, scheme, viewport  # noqa: F811
):
    page, recorder = open_page(
        chromium, site_url + CLAIMS_PAGE, viewport=viewport, color_scheme=scheme
    )
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    table = page.locator("table.course-claims").first
    table.scroll_into_view_if_needed()
    # Expectation 1: the page never scrolls sideways.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page is {overflow}px wider than the {viewport['width']}px viewport"
    # Expectation 2: the table fits its column; on a phone its rows are stacked cards.
    box, column = table.bounding_box(), page.locator("article.bd-article").bounding_box()
    assert box["x"] >= column["x"] - 1
    assert box["x"] + box["width"] <= column["x"] + column["width"] + 1
    display = table.locator("tbody tr").first.evaluate("r => getComputedStyle(r).display")
    assert display == ("block" if viewport is PHONE else "table-row")
    # Expectation 3: every badge shows its verdict in words, inside the viewport width.
    badges = table.locator(".course-verdict")
    assert badges.count() >= 2
    for i in range(badges.count()):
        badge = badges.nth(i)
        words = badge.get_attribute("data-verdict")
        assert badge.inner_text().endswith(words)
        b = badge.bounding_box()
        assert b["width"] > 20 and b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"]
    # Expectation 4: text, badges and captions at AA contrast against what is behind them.
    assert low_contrast(page, "table.course-claims :is(th, td, caption, .course-verdict)") == []
    # Expectation 5: the table is drawn in the mode's colours (dark page, dark table).
    shot = table.screenshot()
    grey = mean_luminance(shot)
    assert (grey < 90) if scheme == "dark" else (grey > 180), grey
    assert recorder.problems() == {}
    page.context.close()


def test_excerpt_reads_as_one_text_and_highlights_on_demand(site_url, chromium):  # noqa: F811
    page, recorder = open_page(chromium, site_url + EXCERPT_PAGE, viewport=DESKTOP)
    figure_id = "excerpt-t1-fraternal-solidarity"
    figure = page.locator(f"#{figure_id}")
    quotation = figure.locator(".course-quotation")
    text = quotation.inner_text()
    assert "proletariat with the Soviet people, about" in text and "[" not in text
    # A screen reader gets the quotation as one run of text, not split at each highlight.
    tree = figure.locator("blockquote").aria_snapshot()
    assert "- mark" not in tree
    assert "paragraph: This is a book about our friends, about the fraternal" in tree
    mark = quotation.locator(".course-mark").first
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgba(0, 0, 0, 0)"
    figure.locator("summary").click()
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert "[1]" in quotation.inner_text()
    assert low_contrast(page, f"#{figure_id} :is(.course-mark, figcaption)") == []
    # The caption names the work and links to the paragraph in the appendix.
    link = figure.locator("a.course-in-context")
    link.click()
    page.wait_for_url("**/source-texts.html#t1-p*")
    target = page.locator(":target")
    assert "our friends" in target.inner_text()
    assert recorder.problems() == {}
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_one_search_box_a_short_title_and_a_favicon(site_url, chromium, viewport):  # noqa: F811
    page, recorder = open_page(chromium, site_url + CLAIMS_PAGE, viewport=viewport)
    controls = page.locator(".search-button-field, .search-button, form.bd-search input")
    visible = controls.evaluate_all(
        "els => els.filter(e => e.getClientRects().length && getComputedStyle(e).visibility"
        " !== 'hidden').length"
    )
    assert visible == 1
    assert page.locator(".logo__title").text_content().strip() == "In Common They Fought?"
    icon = page.locator("link[rel='icon']").get_attribute("href")
    assert icon and page.request.get(page.url.rsplit("/", 1)[0] + "/" + icon).ok
    assert recorder.problems() == {}
    page.context.close()


def test_search_icon_does_not_cover_the_query(site_url, chromium):  # noqa: F811
    page, _ = open_page(chromium, site_url + CLAIMS_PAGE, viewport=DESKTOP)
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[type=search]")
    field.wait_for(state="visible")
    field.type("Comintern")
    icon = page.locator("#pst-search-dialog form.bd-search > i").bounding_box()
    text_starts = field.evaluate(
        "f => f.getBoundingClientRect().left + parseFloat(getComputedStyle(f).paddingLeft)"
    )
    assert icon["x"] + icon["width"] <= text_starts
    page.context.close()


def test_a_search_result_lands_on_its_match(site_url, chromium):  # noqa: F811
    page, recorder = open_page(
        chromium, site_url + CLAIMS_PAGE + "?highlight=Kovshova", viewport=DESKTOP
    )
    page.wait_for_function("window.scrollY > 500")
    match = page.locator(".highlighted").first
    top = match.evaluate("m => m.getBoundingClientRect().top")
    assert 0 <= top <= DESKTOP["height"]
    assert recorder.problems() == {}
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_figures_are_svg_with_labels_legible_on_a_phone(site_url, chromium, scheme):  # noqa: F811
    page, _ = open_page(chromium, site_url + CLAIMS_PAGE, viewport=PHONE, color_scheme=scheme)
    figures = page.locator("figure img")
    assert figures.count() >= 2
    for i in range(figures.count()):
        img = figures.nth(i)
        img.scroll_into_view_if_needed()
        src = img.evaluate("i => i.currentSrc")
        assert src.endswith(".svg"), src
        # Labels are SVG text: their size as drawn = font size x the image's scale.
        smallest = img.evaluate(
            """async (img) => {
                const svg = new DOMParser().parseFromString(
                    await (await fetch(img.currentSrc)).text(), 'image/svg+xml').documentElement;
                const width = parseFloat(svg.getAttribute('width'));  // in pt
                const sizes = [...svg.querySelectorAll('text')].map(t =>
                    parseFloat((t.getAttribute('style') || '').match(/font[^;]*?([\\d.]+)px/)?.[1]
                               || t.getAttribute('font-size') || '0'));
                const scale = img.getBoundingClientRect().width / (width * 4 / 3);
                return Math.min(...sizes.filter(s => s > 0)) * (4 / 3) * scale;
            }"""
        )
        assert smallest >= MIN_LABEL_PX, f"{src}: labels drawn at {smallest:.1f}px"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0  # a wide figure scrolls inside its frame, never the page
    assert low_contrast(page, "figure figcaption") == []
    page.context.close()
