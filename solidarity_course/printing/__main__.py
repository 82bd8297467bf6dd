"""``python -m solidarity_course.printing``: the book's PDF and the source packets.

Needs the built site of the edition (``make book`` or ``make book
EDITION=instructor``).  The student edition prints ``_build/pdf/book.pdf`` and
``_build/pdf/packets/<chapter>.pdf``; the instructor edition prints
``_build/instructor/pdf/book.pdf`` (packets carry no keys, so they exist once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from solidarity_course.edition.build import site_dir
from solidarity_course.paths import COURSE_ROOT

from .book import print_book
from .chromium import PrintError, page_count, print_pdf
from .packets import packet_html
from .toc import toc_pages

#: Where each edition's PDFs go, relative to the course.
PDF_DIRS = {"student": Path("_build/pdf"), "instructor": Path("_build/instructor/pdf")}


def print_packets(out: Path, root: Path = COURSE_ROOT) -> list[Path]:
    """A packet per chapter that has excerpts; a chapter that fails is reported, not fatal."""
    out.mkdir(parents=True, exist_ok=True)
    printed = []
    for page in toc_pages(root):
        try:
            document = packet_html(page)
            if document is None:
                continue
            html = out / f"{page.name}.html"
            html.write_text(document, encoding="utf-8")
            printed.append(print_pdf(html, html.with_suffix(".pdf")))
            print(f"  packet {page.name}: {page_count(printed[-1])} pages")
        except (PrintError, KeyError, ValueError, OSError) as exc:
            print(f"  packet {page.name}: not printed: {exc}", file=sys.stderr)
    return printed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the book and the source packets to PDF.")
    parser.add_argument("--edition", choices=sorted(PDF_DIRS), default="student")
    parser.add_argument("--root", type=Path, default=COURSE_ROOT,
                        help="folder holding _build (default: the book)")
    parser.add_argument("--no-book", action="store_true", help="print only the packets")
    parser.add_argument("--no-packets", action="store_true", help="print only the book")
    args = parser.parse_args(argv)
    site = site_dir(args.edition, args.root)
    out = args.root / PDF_DIRS[args.edition]
    started = time.perf_counter()
    status = 0
    if not args.no_book:
        if not (site / "index.html").exists():
            print(f"No built site in {site}: run 'make book"
                  f"{' EDITION=instructor' if args.edition == 'instructor' else ''}' first.",
                  file=sys.stderr)
            return 1
        try:
            pdf = print_book(site, out, args.edition, args.root)
            print(f"  book: {pdf} ({page_count(pdf)} pages)")
        except PrintError as exc:
            print(f"  book: not printed: {exc}", file=sys.stderr)
            status = 1
    if args.edition == "student" and not args.no_packets:
        packets = print_packets(out / "packets", COURSE_ROOT)
        status = status or (0 if packets else 1)
    print(f"Printed in {time.perf_counter() - started:.1f} s into {out}.")
    return status


if __name__ == "__main__":
    sys.exit(main())
