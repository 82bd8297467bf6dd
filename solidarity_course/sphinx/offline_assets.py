"""Sphinx extension: the built book serves every script it needs itself.

myst-nb's defaults make a page with saved widget state load require.js from
cdnjs and the widget manager (``embed-amd.js``) from jsdelivr, and Sphinx loads
MathJax from jsdelivr on pages with maths, so without internet those pages lose
their widgets and equations. This extension

* checks at start-up that the npm packages pinned in ``web/package.json`` are
  installed (``npm ci``, run by ``make setup``) and fails the build with a
  message naming the missing files and the command otherwise: there is no
  fallback to a CDN. Where they are is the config value
  ``offline_assets_node_modules``, relative to the book's folder (default
  ``web/node_modules``);
* points ``nb_ipywidgets_js`` and ``mathjax_path`` at copies in
  ``_static/offline/`` and copies the files there (with the fonts the widget
  manager loads lazily from beside ``embed-amd.js``);
* serves the two ipywidgets 7 modules that ``embed-amd.js`` bundles but nothing
  in it requires (:data:`LAZY_MODULES`) as separate files beside it instead, so
  that pages do not download them (:func:`split_widget_manager`);
* loads, between the two, a small script (:data:`WIDGETS_CONFIG_JS`) that maps
  the widget manager's AMD modules to that copy (webpack derives the URL of the
  fonts from it) and tells the manager to look for any non-built-in widget
  module under ``_static/offline/widget-modules/`` only, never on jsdelivr;
* fails the build if any page would still load a script or style sheet from
  another host.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError, ExtensionError

#: Where ``npm ci`` installs the packages of ``web/package.json``, relative to the book.
NODE_MODULES = "web/node_modules"
#: The folder of the built site (under ``_static``) that holds the copies.
OFFLINE_DIR = "offline"
#: The command that installs the packages, named in the error message.
INSTALL_HINT = "make setup   (or: npm ci --prefix web)"


@dataclass(frozen=True)
class Asset:
    """Files of one npm package copied to ``_static/offline/<target>``."""

    package: str
    root: str  # folder inside the package whose layout is kept
    patterns: tuple[str, ...]  # globs relative to ``root``; the first is the entry file
    target: str

    @property
    def entry(self) -> str:
        """The path of the entry file under ``_static``."""
        return f"{OFFLINE_DIR}/{self.target}/{self.patterns[0]}"


REQUIREJS = Asset("requirejs", "", ("require.js",), "requirejs")
#: The AMD build of the widget manager; webpack loads its font files from the
#: folder embed-amd.js itself was loaded from, so they are copied beside it.
HTML_MANAGER = Asset(
    "@jupyter-widgets/html-manager",
    "dist",
    ("embed-amd.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg"),
    "html-manager",
)
#: MathJax 3 with its fonts and the parts it loads on demand (TeX extensions,
#: the context menu and accessibility tools).
MATHJAX = Asset(
    "mathjax",
    "es5",
    (
        "tex-chtml.js",
        "output/chtml/fonts/woff-v2/*",
        "input/tex/extensions/*",
        "ui/*",
        "a11y/*",
    ),
    "mathjax",
)
ASSETS = (REQUIREJS, HTML_MANAGER, MATHJAX)
#: embed-amd.js is the concatenation of webpack's AMD builds of base, controls,
#: base7, controls7, the manager itself and its loader (ipywidgets'
#: scripts/concat-amd-build.js). The manager renders ipywidgets 7 state with the
#: copies of base 1.2 and controls 1.5 inside its own build, and nothing requires
#: the AMD modules ``@jupyter-widgets/base7`` and ``controls7``: they are 0.8 of
#: the file's 3.6 MB (230 KB of its 916 KB gzipped) that every page with widgets
#: downloads for nothing. They are written to ``base7.js`` and ``controls7.js``
#: beside embed-amd.js, where require.js finds them (``@jupyter-widgets/`` maps to
#: that folder) should a third-party widget ever ask for one.
LAZY_MODULES = ("base7", "controls7")
#: The licence comment that opens each build in embed-amd.js.
_BUILD_HEADER = re.compile(
    r"^/\*! For license information please see (\S+)\.js\.LICENSE\.txt \*/$", re.MULTILINE
)
#: Where the widget manager looks for third-party widget modules (none yet).
WIDGET_MODULES = "widget-modules/"
#: Loaded after require.js and before embed-amd.js; finds the site's copies from
#: its own URL, so it works at any page depth and under any base URL.
WIDGETS_CONFIG = f"{OFFLINE_DIR}/widgets-config.js"
WIDGETS_CONFIG_JS = """\
// Written by solidarity_course.sphinx.offline_assets: keep the widget manager local.
(function () {
  var script = document.currentScript;
  var offline = script.src.replace(/[^/]*$/, "");  // .../_static/offline/
  var manager = offline + "html-manager";
  require.config({paths: {
    "@jupyter-widgets/html-manager/dist": manager,  // webpack takes the font URLs from here
    "@jupyter-widgets": manager
  }});
  window.__jupyter_widgets_assets_path__ = manager + "/";
  // Read by embed-amd.js from any script tag: third-party widget modules come
  // from this folder only, never from a CDN.
  script.setAttribute("data-jupyter-widgets-cdn", offline + "WIDGET_MODULES");
  script.setAttribute("data-jupyter-widgets-cdn-only", "");
})();
""".replace("WIDGET_MODULES", WIDGET_MODULES)


def node_modules(app: Sphinx) -> Path:
    """The folder ``npm ci`` installed the packages in (config ``offline_assets_node_modules``)."""
    return Path(app.confdir, app.config.offline_assets_node_modules)


def package_dir(asset: Asset, node_modules: Path) -> Path:
    """The installed folder of ``asset``'s package."""
    return node_modules / asset.package


def asset_files(asset: Asset, node_modules: Path) -> list[tuple[Path, str]]:
    """(source file, path relative to the asset's target) for every file to copy."""
    root = package_dir(asset, node_modules) / asset.root
    found = []
    for pattern in asset.patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                found.append((path, path.relative_to(root).as_posix()))
    return found


def split_widget_manager(text: str) -> dict[str, str]:
    """``embed-amd.js`` without the builds of :data:`LAZY_MODULES`, and each of those.

    Returns {file name: text}; the texts are unchanged slices of ``text`` (licence
    comments kept) that together make it up. Raises ``ExtensionError`` if a lazy
    module is not a build of its own there (a new html-manager release).
    """
    headers = list(_BUILD_HEADER.finditer(text))
    bounds = [m.start() for m in headers] + [len(text)]
    kept, files = [text[: bounds[0]]], {}
    for header, start, end in zip(headers, bounds, bounds[1:], strict=False):
        name, part = header.group(1), text[start:end]
        # A whole build: its module and nothing after it but its source map comment.
        if name in LAZY_MODULES and part.endswith(f"\n//# sourceMappingURL={name}.js.map;\n\n"):
            files[f"{name}.js"] = part
        else:
            kept.append(part)
    missing = [name for name in LAZY_MODULES if f"{name}.js" not in files]
    if missing:
        raise ExtensionError(
            f"{HTML_MANAGER.package}'s embed-amd.js has no separate AMD build of "
            f"{', '.join(missing)}: review LAZY_MODULES in solidarity_course.sphinx.offline_assets"
        )
    return {HTML_MANAGER.patterns[0]: "".join(kept), **files}


def missing_files(node_modules: Path) -> list[Path]:
    """The package manifests and entry files that are not installed."""
    missing = []
    for asset in ASSETS:
        pkg = package_dir(asset, node_modules)
        entry = pkg / asset.root / asset.patterns[0]
        missing += [p for p in (pkg / "package.json", entry) if not p.is_file()]
    return missing


def check_and_configure(app: Sphinx, config: Config) -> None:
    """Fail clearly if the npm assets are missing; else point the config at them."""
    missing = missing_files(Path(app.confdir, config.offline_assets_node_modules))
    if missing:
        listed = "\n  ".join(str(p) for p in missing)
        raise ConfigError(
            "The book's browser assets are not installed, so widgets and maths could "
            f"not work offline. Missing:\n  {listed}\nInstall them with: {INSTALL_HINT}"
        )
    config.nb_ipywidgets_js = {REQUIREJS.entry: {}, WIDGETS_CONFIG: {}, HTML_MANAGER.entry: {}}
    config.mathjax_path = MATHJAX.entry


def _is_remote(filename: str) -> bool:
    return "://" in filename or filename.startswith("//")


def refuse_remote_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Fail the build if ``pagename`` would load a script or style from another host."""
    remote = [
        str(asset.filename)
        for asset in [*context.get("script_files", []), *context.get("css_files", [])]
        if _is_remote(str(asset.filename))
    ]
    if remote:
        raise ExtensionError(
            f"page {pagename!r} would load {', '.join(remote)} from another host; "
            "the book must serve every asset itself (see solidarity_course.sphinx.offline_assets)"
        )


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    """Copy the assets into ``_static/offline`` of an HTML build."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static" / OFFLINE_DIR
    installed = node_modules(app)
    for asset in ASSETS:
        for source, relative in asset_files(asset, installed):
            target = static / asset.target / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if asset is HTML_MANAGER and relative == HTML_MANAGER.patterns[0]:
                # Split every time (a few milliseconds): a build folder made before
                # the split holds the whole file with the package's date.
                parts = split_widget_manager(source.read_bytes().decode("utf-8"))
                for name, text in parts.items():
                    (target.parent / name).write_bytes(text.encode("utf-8"))
            elif not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                shutil.copy2(source, target)
        licence = package_dir(asset, installed) / "LICENSE"
        if licence.is_file():
            shutil.copy2(licence, static / asset.target / "LICENSE")
    (static / WIDGET_MODULES).mkdir(parents=True, exist_ok=True)
    (Path(app.outdir) / "_static" / WIDGETS_CONFIG).write_text(WIDGETS_CONFIG_JS, "utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("offline_assets_node_modules", NODE_MODULES, "env")
    app.connect("config-inited", check_and_configure)
    # After myst-nb (500) has added the widget scripts and Sphinx its MathJax.
    app.connect("html-page-context", refuse_remote_assets, priority=900)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
