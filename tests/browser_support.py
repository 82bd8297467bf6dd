"""Reusable pieces for tests that drive the built book in headless Chromium.

* :func:`site_url` (session fixture): the built book (``html_dir``) served on
  127.0.0.1 by :func:`solidarity_course.serve.serve_in_thread`;
* :func:`chromium` (session fixture): Debian's Chromium through Playwright, or
  a skip naming what is missing;
* :class:`RequestRecorder`: blocks and records every request to another host,
  and records failed requests, HTTP errors, console errors and page errors;
* :func:`run_axe`: axe-core injected from the pinned local file, results filtered
  by impact.

Use them in a test module with ``from browser_support import chromium, site_url``
(fixtures) and open pages with :func:`open_page`.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from solidarity_course.paths import COURSE_ROOT
from solidarity_course.serve import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = COURSE_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1"}
#: How long a page may take to go network-idle after its load event.
NETWORK_IDLE_MS = 15000


def launch_chromium(playwright):
    """Launch Debian's headless Chromium with the course's flags."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def skip_reason() -> str | None:
    """Why browser tests cannot run here, or ``None`` when they can."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing: install Debian's chromium package (make system, as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (make setup)"
    return None


_SHARED: dict[str, object] = {}


def shared_chromium():
    """One Playwright and one Chromium per process, closed at exit.

    Test modules import the :func:`chromium` fixture, which gives each module
    its own fixture definition; the Playwright sync API allows only one running
    instance, so they all share this one.
    """
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = launch_chromium(playwright)
        atexit.register(_close_shared)
    return _SHARED["browser"]


def _close_shared() -> None:
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium shared by the whole session (skips when unavailable)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    return shared_chromium()


@pytest.fixture(scope="session")
def site_url(html_dir: Path) -> Iterator[str]:
    """The built book served over HTTP on 127.0.0.1 (base URL ending in /)."""
    with serve_in_thread(html_dir) as url:
        yield url


def html_pages(html_dir: Path) -> list[str]:
    """Every page of the built site (not theme templates under ``_static``), relative."""
    paths = (p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html"))
    return sorted(p for p in paths if not p.startswith(("_static/", "_sources/")))


@dataclass
class RequestRecorder:
    """What a page asked for that it should not have, or that went wrong."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)

    def attach(self, page) -> RequestRecorder:
        """Route and listen on ``page``: other hosts are aborted and recorded."""
        page.route("**/*", self._route)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        return self

    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            self.local.append(url)
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _failed(self, request) -> None:
        if request.url not in self.blocked:
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"console: {message.text}")

    def problems(self) -> dict[str, list[str]]:
        """The non-empty problem lists, by kind."""
        found = {
            "request to another host": self.blocked,
            "failed request": self.failed,
            "HTTP error": self.http_errors,
            "console error": self.console_errors,
        }
        return {kind: items for kind, items in found.items() if items}


def open_page(browser, url: str, **context_options):
    """A fresh context and page at ``url``, fully loaded; returns (page, recorder)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    recorder = RequestRecorder().attach(page)
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page.goto(url, wait_until="load")
    try:  # lets lazy loads (fonts, widget views) start; every request is recorded anyway
        page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_MS)
    except PlaywrightTimeoutError:
        # Seen on a loaded 2-core machine: Chromium sometimes never reports network-idle
        # after all requests have finished. The page has loaded; carry on.
        pass
    return page, recorder


def run_axe(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations on ``page`` with one of ``impacts`` (injected from disk)."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run 'make setup' (npm ci --prefix web)")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> list[str]:
    """One line per violation: rule, impact and the first few offending nodes."""
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return lines

