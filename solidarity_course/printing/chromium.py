"""Print an HTML file to PDF with Debian's Chromium, and read PDFs with poppler.

Chromium runs headless with a throwaway profile and, where a network namespace
can be started, with no network at all: the documents it prints are local files.
Page size, margins and page numbers come from the document's ``@page`` rules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from solidarity_course.book import offline_prefix

#: Debian's Chromium; the course never downloads a browser.
CHROMIUM = "/usr/bin/chromium"
#: Seconds a document may take to print before the run gives up on it.
TIMEOUT = 300


class PrintError(RuntimeError):
    """Chromium or poppler is missing or failed on a document."""


def chromium() -> str:
    """The Chromium executable, or a clear error saying how to install it."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        raise PrintError("Chromium is needed to print: install Debian's chromium package")
    return found


def print_pdf(html: Path, pdf: Path, offline: bool = True) -> Path:
    """Print ``html`` (a local file) to ``pdf``; scripts get a few seconds to run first."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-print-") as profile:
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
            f"--print-to-pdf={pdf.resolve()}", html.resolve().as_uri(),
        ]
        prefix = offline_prefix() if offline else []
        try:
            done = subprocess.run(
                prefix + command, capture_output=True, text=True, timeout=TIMEOUT
            )
        except subprocess.TimeoutExpired as exc:
            raise PrintError(f"{html.name}: Chromium did not finish in {TIMEOUT} s") from exc
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise PrintError(f"{html.name}: Chromium could not print it:\n{tail}")
    return pdf


def _poppler(tool: str, *args: str) -> str:
    if not shutil.which(tool):
        raise PrintError(f"{tool} is needed: install Debian's poppler-utils package")
    done = subprocess.run([tool, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise PrintError(f"{tool} failed on {args[-1]}: {done.stderr.strip()}")
    return done.stdout


def page_count(pdf: Path) -> int:
    """Number of pages of ``pdf`` (poppler's ``pdfinfo``)."""
    for line in _poppler("pdfinfo", str(pdf)).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise PrintError(f"pdfinfo gave no page count for {pdf}")


def page_texts(pdf: Path, layout: bool = False) -> list[str]:
    """The text of each page of ``pdf`` (poppler's ``pdftotext``)."""
    args = ["-layout"] if layout else []
    return _poppler("pdftotext", *args, "-enc", "UTF-8", str(pdf), "-").split("\f")[:-1] or [""]


_DESTINATION = re.compile(r'^\s*(\d+)\s+\[.*\]\s+"(.*)"$')


def destinations(pdf: Path) -> dict[str, int]:
    """Named destinations of ``pdf`` (the targets of its internal links) and their pages."""
    found = {}
    for line in _poppler("pdfinfo", "-dests", str(pdf)).splitlines():
        match = _DESTINATION.match(line)
        if match:
            found.setdefault(match.group(2), int(match.group(1)))
    return found
