"""The built site carries its own scripts, styles and fonts (no CDN), checked statically."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from browser_support import html_pages
from sphinx.errors import ConfigError, ExtensionError

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
    config = _config(nb_ipywidgets_js={"https://cdn.example/x.js": {}}, mathjax_path="")
    with pytest.raises(ConfigError) as raised:
        assets.check_and_configure(book, config)
    message = str(raised.value)
    assert "require.js" in message and "embed-amd.js" in message and "tex-chtml.js" in message
    assert "make setup" in message and "npm ci --prefix web" in message
    assert str(tmp_path / "web" / "node_modules") in message


def test_installed_assets_replace_the_cdn_defaults():
    config = _config(nb_ipywidgets_js={}, mathjax_path="")
    assets.check_and_configure(SimpleNamespace(confdir=str(COURSE_ROOT)), config)
    assert list(config.nb_ipywidgets_js) == [
        "offline/requirejs/require.js",
        "offline/widgets-config.js",
        "offline/html-manager/embed-amd.js",
    ]
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


def test_widget_manager_fonts_and_scripts_are_served_locally(html_dir):
    offline = html_dir / "_static" / "offline"
    manager = offline / "html-manager" / "embed-amd.js"
    assert (offline / "requirejs" / "require.js").is_file()
    assert (offline / "widgets-config.js").is_file()
    assert (offline / "mathjax" / "tex-chtml.js").is_file()
    fonts = set(re.findall(r"[0-9a-f]{20}\.(?:woff2?|ttf|eot|svg)", manager.read_text("utf-8")))
    assert fonts, "embed-amd.js should reference its font files"
    assert sorted(f for f in fonts if not (manager.parent / f).is_file()) == []


def test_chapter_pages_load_the_local_widget_manager(html_dir):
    chapter = (html_dir / "chapters" / "working-with-notebooks.html").read_text("utf-8")
    assert 'src="../_static/offline/html-manager/embed-amd.js"' in chapter
    assert "cdn.jsdelivr.net" not in chapter and "cdnjs.cloudflare.com" not in chapter


def test_offline_copies_match_the_installed_npm_packages(html_dir):
    for asset in assets.ASSETS:
        for source, relative in assets.asset_files(asset, NODE_MODULES):
            if asset is assets.HTML_MANAGER and relative == "embed-amd.js":
                continue  # split; see the next test
            copy = html_dir / "_static" / assets.OFFLINE_DIR / asset.target / relative
            assert copy.read_bytes() == source.read_bytes(), copy


def test_widget_manager_is_split_without_losing_a_byte(html_dir):
    source = assets.package_dir(assets.HTML_MANAGER, NODE_MODULES) / "dist" / "embed-amd.js"
    original = source.read_bytes()
    served = html_dir / "_static" / assets.OFFLINE_DIR / "html-manager"
    rest = original
    for name in assets.LAZY_MODULES:
        module = (served / f"{name}.js").read_bytes()
        assert f'define("@jupyter-widgets/{name}",'.encode() in module
        assert module.count(b"define(") == 1 and original.count(module) == 1
        rest = rest.replace(module, b"")
    embed = (served / "embed-amd.js").read_bytes()
    assert embed == rest
    assert len(embed) < 0.8 * len(original)
    # Nothing left in the page's copy asks require.js for the split-off modules.
    assert not any(f'"@jupyter-widgets/{name}"'.encode() in embed for name in assets.LAZY_MODULES)
    assert b'define("@jupyter-widgets/html-manager",' in embed


def test_split_takes_out_whole_builds_or_fails_clearly():
    def build(name: str) -> str:
        return (
            f"/*! For license information please see {name}.js.LICENSE.txt */\n"
            f'define("@jupyter-widgets/{name}",[],1);\n//# sourceMappingURL={name}.js.map;\n\n'
        )

    render = "(()=>{window.require(['x'])})();\n"
    with pytest.raises(ExtensionError, match="controls7: review LAZY_MODULES"):
        assets.split_widget_manager(build("base") + build("base7") + build("index"))
    with pytest.raises(ExtensionError, match="controls7: review LAZY_MODULES"):
        # The render call after the last build belongs to no build: it must stay.
        assets.split_widget_manager(build("base") + build("base7") + build("controls7") + render)
    parts = assets.split_widget_manager(
        build("base") + build("base7") + build("controls7") + build("index") + render
    )
    assert parts == {
        "embed-amd.js": build("base") + build("index") + render,
        "base7.js": build("base7"),
        "controls7.js": build("controls7"),
    }


def test_no_page_loads_the_theme_fontawesome_script(html_dir):
    # The template override of solidarity_course.sphinx drops it; the theme's other scripts stay.
    for page in html_pages(html_dir):
        parser = FetchedUrls()
        parser.feed((html_dir / page).read_text(encoding="utf-8"))
        scripts = [url.split("?")[0].rsplit("/", 1)[-1] for url in parser.urls]
        assert "fontawesome.js" not in scripts, page
        assert {"bootstrap.js", "pydata-sphinx-theme.js"} <= set(scripts), page
