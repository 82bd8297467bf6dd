"""Benchmark: what each page of the built book costs a reader to load.

For every page, loaded cold (fresh browser context, empty cache) in headless
Chromium from a server on 127.0.0.1: bytes transferred (response bodies plus
headers, as sent), number of requests, and load time (the page's load event;
then until the network is idle, which includes the widgets' lazy fonts).
Requests to any other host are blocked and counted, and should be zero.

Two servers are measured: ``gzip`` (text compressed, as GitHub Pages and most
static hosts send it) and ``plain`` (files as they are, like ``python -m
http.server``). The largest chapter page is reported against the targets for
everything it loads, cold: at most 0.5 MB gzip-compressed and 1.5 MB
uncompressed (:data:`TARGET_BYTES`).

Usage: python bench/page_weight.py [--html _build/html] [--mode gzip|plain|both]
(without a built book at --html, the book is built into a temporary folder).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from solidarity_course.book import build_command
from solidarity_course.paths import COURSE_ROOT
from solidarity_course.serve import serve_in_thread

sys.path.insert(0, str(COURSE_ROOT / "tests"))
from browser_support import RequestRecorder, html_pages, launch_chromium, skip_reason  # noqa: E402

#: Issue 15: the largest chapter page, all it loads, cold, per serving mode.
TARGET_BYTES = {"gzip": 500_000, "plain": 1_500_000}


def measure_page(browser, url: str) -> dict:
    """Bytes, requests and times of one cold load of ``url``."""
    context = browser.new_context()
    page = context.new_page()
    recorder = RequestRecorder().attach(page)
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    load_s = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    idle_s = time.perf_counter() - start - 0.5  # networkidle waits 500 ms of quiet
    total = 0
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return {
        "bytes": total,
        "requests": len(finished),
        "load_s": load_s,
        "idle_s": max(idle_s, load_s),
        "outside": len(recorder.blocked),
        "failed": len(recorder.failed) + len(recorder.http_errors),
    }


def report(mode: str, results: dict[str, dict]) -> None:
    """Print the per-page table and the largest chapter page."""
    print(f"\n== {mode}: per page (cold load over loopback) ==")
    print(f"{'page':45} {'bytes':>11} {'requests':>8} {'load s':>7} {'idle s':>7} {'outside':>7}")
    for page, r in sorted(results.items()):
        print(
            f"{page:45} {r['bytes']:>11,} {r['requests']:>8} {r['load_s']:>7.3f} "
            f"{r['idle_s']:>7.3f} {r['outside']:>7}"
        )
    chapters = {p: r for p, r in results.items() if p.startswith("chapters/")} or results
    page, r = max(chapters.items(), key=lambda item: item[1]["bytes"])
    target = TARGET_BYTES[mode]
    verdict = "within" if r["bytes"] <= target else "OVER"
    print(
        f"largest chapter page ({mode}): {page}: {r['bytes'] / 1e6:.2f} MB in "
        f"{r['requests']} requests, load {r['load_s']:.3f} s -> {verdict} the "
        f"{target / 1e6:.1f} MB target"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=COURSE_ROOT / "_build" / "html")
    parser.add_argument("--mode", choices=("gzip", "plain", "both"), default="both")
    args = parser.parse_args(argv)
    reason = skip_reason()
    if reason:
        parser.error(reason)
    with tempfile.TemporaryDirectory(prefix="page-weight-") as scratch:
        html = args.html
        if not (html / "index.html").is_file():
            print(f"no built book in {html}; building one in {scratch} ...", flush=True)
            subprocess.run(build_command(COURSE_ROOT, Path(scratch)), check=True)
            html = Path(scratch) / "_build" / "html"
        from playwright.sync_api import sync_playwright

        modes = ("gzip", "plain") if args.mode == "both" else (args.mode,)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            for mode in modes:
                with serve_in_thread(html, use_gzip=mode == "gzip") as url:
                    results = {p: measure_page(browser, url + p) for p in html_pages(html)}
                report(mode, results)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
