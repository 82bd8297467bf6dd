"""Sphinx extension: the built book serves every script it needs itself.

Sphinx loads MathJax from jsdelivr on pages with maths, so without internet
those pages would lose their equations. (Widgets need no script at all: the
book shows their kernel-free HTML, see :mod:`solidarity_course.quiz.kernel_free`.)
This extension

* checks at start-up that the npm packages pinned in ``web/package.json`` are
  installed (``npm ci``, run by ``make setup``) and fails the build with a
  message naming the missing files and the command otherwise: there is no
  fallback to a CDN. Where they are is the config value
  ``offline_assets_node_modules``, relative to the book's folder (default
  ``web/node_modules``);
* points ``mathjax_path`` at a copy in ``_static/offline/`` and copies the
  files there;
* fails the build if any page would still load a script or style sheet from
  another host.
"""

from __future__ import annotations

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
ASSETS = (MATHJAX,)

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
            "The book's browser assets are not installed, so maths could "
            f"not work offline. Missing:\n  {listed}\nInstall them with: {INSTALL_HINT}"
        )
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
            if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
                shutil.copy2(source, target)
        licence = package_dir(asset, installed) / "LICENSE"
        if licence.is_file():
            shutil.copy2(licence, static / asset.target / "LICENSE")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("offline_assets_node_modules", NODE_MODULES, "env")
    app.connect("config-inited", check_and_configure)
    # After myst-nb (500) has added its scripts and Sphinx its MathJax.
    app.connect("html-page-context", refuse_remote_assets, priority=900)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
