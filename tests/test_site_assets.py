"""The built site carries its own scripts, styles and fonts (no CDN), checked statically."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from browser_support import html_pages
from sphinx.errors import ConfigError

from solidarity_course.paths import COURSE_ROOT
from solidarity_course.sphinx import offline_assets as assets

#: Where the course's book keeps its npm packages (the extension's default).
NODE_MODULES = COURSE_ROOT / assets.NODE_MODULES

#: (tag, attribute) pairs whose URL the browser fetches by itself.
FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"),
           ("iframe", "src"), ("video", "src"), ("audio", "src"), ("embed", "src")}
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


class FetchedUrls(HTMLParser):
    """Collects the URLs a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in FETCHED and value:
                if tag == "link" and dict(attrs).get("rel") in ("prev", "next", "index", "search"):
                    continue  # navigation links, not fetched
                self.urls.append(value)


def _config(**values):
    return SimpleNamespace(offline_assets_node_modules=assets.NODE_MODULES, **values)


def test_missing_npm_assets_stop_the_build_with_a_clear_message(tmp_path):
    """The packages are looked for beside the book (app.confdir), not beside the code."""
    book = SimpleNamespace(confdir=str(tmp_path))
    config = _config(mathjax_path="")
    with pytest.raises(ConfigError) as raised:
        assets.check_and_configure(book, config)
    message = str(raised.value)
    assert "tex-chtml.js" in message
    assert "make setup" in message and "npm ci --prefix web" in message
    assert str(tmp_path / "web" / "node_modules") in message


def test_installed_assets_replace_the_cdn_defaults():
    config = _config(mathjax_path="")
    assets.check_and_configure(SimpleNamespace(confdir=str(COURSE_ROOT)), config)
    assert config.mathjax_path == "offline/mathjax/tex-chtml.js"


def test_no_page_makes_the_browser_fetch_from_another_host(html_dir):
    remote = {}
    for page in html_pages(html_dir):
        parser = FetchedUrls()
        parser.feed((html_dir / page).read_text(encoding="utf-8"))
        found = [url for url in parser.urls if _REMOTE.match(url)]
        if found:
            remote[page] = found
    assert remote == {}


def test_no_style_sheet_imports_fonts_or_images_from_another_host(html_dir):
    remote = {}
    for sheet in (html_dir / "_static").rglob("*.css"):
        urls = _CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="ignore"))
        found = [url for url in urls if _REMOTE.match(url)]
        if found:
            remote[sheet.relative_to(html_dir).as_posix()] = found
    assert remote == {}


def test_no_page_loads_a_widget_manager_or_widget_state(html_dir):
    """Exercises work without a kernel (their HTML and solidarity_quiz.js): pages carry
    no saved widget views or state and load neither embed-amd.js nor require.js."""
    loaded = {}
    for page in html_pages(html_dir):
        text = (html_dir / page).read_text(encoding="utf-8")
        parser = FetchedUrls()
        parser.feed(text)
        scripts = {url.split("?")[0].rsplit("/", 1)[-1] for url in parser.urls}
        found = sorted(scripts & {"embed-amd.js", "require.js", "widgets-config.js"})
        found += [m for m in ("application/vnd.jupyter.widget-view+json",
                              "application/vnd.jupyter.widget-state+json") if m in text]
        if found:
            loaded[page] = found
    assert loaded == {}
    assert not (html_dir / "_static" / "offline" / "html-manager").exists()


def test_offline_copies_match_the_installed_npm_packages(html_dir):
    for asset in assets.ASSETS:
        for source, relative in assets.asset_files(asset, NODE_MODULES):
            copy = html_dir / "_static" / assets.OFFLINE_DIR / asset.target / relative
            assert copy.read_bytes() == source.read_bytes(), copy


def test_no_page_loads_the_theme_fontawesome_script(html_dir):
    # The template override of solidarity_course.sphinx drops it; the theme's other scripts stay.
    for page in html_pages(html_dir):
        parser = FetchedUrls()
        parser.feed((html_dir / page).read_text(encoding="utf-8"))
        scripts = [url.split("?")[0].rsplit("/", 1)[-1] for url in parser.urls]
        assert "fontawesome.js" not in scripts, page
        assert {"bootstrap.js", "pydata-sphinx-theme.js"} <= set(scripts), page


def test_figures_are_reencoded_as_smaller_palette_pngs(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from solidarity_course.sphinx.figures import palette_png

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.barh(["Manichaean enemy", "Ridicule", "Teleology"], [3, 1, 4], color="#0072B2")
    ax.set_xlabel("Annotations")
    path = tmp_path / "figure.png"
    fig.savefig(path)
    plt.close(fig)
    before = path.stat().st_size
    with Image.open(path) as image:
        original = image.convert("RGBA")
    assert palette_png(path) is True
    with Image.open(path) as image:
        assert image.mode == "P"
        converted = image.convert("RGBA")
    assert path.stat().st_size < 0.6 * before
    # No visible change: every pixel within a few levels of the original.
    from PIL import ImageChops

    assert max(high for _, high in ImageChops.difference(original, converted).getextrema()) < 24
    assert palette_png(path) is False  # already done: left alone


def test_built_figures_are_svg_or_palette_pngs(html_dir):
    """Figures are drawn as SVG (text stays text); any PNG left is re-encoded with a palette."""
    from PIL import Image

    images = sorted((html_dir / "_images").iterdir())
    assert any(p.suffix == ".svg" for p in images)
    assert {p.suffix for p in images} <= {".svg", ".png"}
    pngs = [p for p in images if p.suffix == ".png"]
    modes = {p.name: Image.open(p).mode for p in pngs}
    assert {name: mode for name, mode in modes.items() if mode != "P"} == {}
