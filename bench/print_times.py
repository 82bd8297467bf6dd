"""Benchmark: wall time of `make pdf` and of `make book EDITION=instructor`.

Each is timed as its make target would run it, after a student build (which both
need and which `make bench`'s other benchmarks already leave behind): the
instructor edition's build (reusing the execution cache), the student edition's
print (book and packets) and the instructor edition's print.  Also prints the
page counts of what was printed.

Usage: python bench/print_times.py
"""

from __future__ import annotations

import subprocess
import sys
import time

from solidarity_course.paths import COURSE_ROOT
from solidarity_course.printing.chromium import page_count

STEPS = {
    "make book EDITION=instructor": ["-m", "solidarity_course.book", "--edition", "instructor"],
    "make pdf (print step)": ["-m", "solidarity_course.printing"],
    "make pdf EDITION=instructor (print step)": [
        "-m", "solidarity_course.printing", "--edition", "instructor"],
}


def main() -> None:
    if not (COURSE_ROOT / "_build" / "html" / "index.html").exists():
        subprocess.run([sys.executable, "-m", "solidarity_course.book"], check=True)
    for name, args in STEPS.items():
        start = time.perf_counter()
        done = subprocess.run([sys.executable, *args], cwd=COURSE_ROOT, capture_output=True)
        wall = time.perf_counter() - start
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        print(f"{name:45s} {wall:7.1f} s  {status}")
    for pdf in sorted((COURSE_ROOT / "_build").glob("**/pdf/**/*.pdf")):
        print(f"  {pdf.relative_to(COURSE_ROOT)}: {page_count(pdf)} pages")


if __name__ == "__main__":
    main()
