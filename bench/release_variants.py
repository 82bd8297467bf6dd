"""Benchmark: ``course-grade release --variants`` for a large class (default 500 students).

Releases the sample assignment (one graded question of every type and an essay)
in a throw-away course, once without variants (nbgrader's ``generate_assignment``
and the leak check: the fixed cost), then with a variant per student (the
notebooks, each leak-checked, the variant record and the LMS zip), then again
(a re-release, which must write the same bytes).  Prints the wall times, the
time per student and the disk per student: their notebook, and their share of
the record and of the zip.

Usage: python bench/release_variants.py [--students 500]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from solidarity_course.instructor.release import release
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, sample_course
from solidarity_course.instructor.variants import record_path, write_variants, zip_path


def digest(paths: list[Path]) -> str:
    """One hash of the files' bytes (to compare a re-release with the release)."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.read_bytes())
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    roster = [f"s{n:04d}" for n in range(1, args.students + 1)]
    with tempfile.TemporaryDirectory(prefix="bench-variants-") as tmp:
        course = sample_course(Path(tmp) / "course", release=False)
        assert all(r.ok for r in release(course, [SAMPLE_CHAPTER]))  # warm up (imports)
        start = time.perf_counter()
        assert all(r.ok for r in release(course, [SAMPLE_CHAPTER]))
        plain = time.perf_counter() - start
        start = time.perf_counter()
        results = release(course, [SAMPLE_CHAPTER], roster)
        with_variants = time.perf_counter() - start
        assert all(r.ok for r in results), [r.message for r in results]
        start = time.perf_counter()
        written = write_variants(course, SAMPLE_CHAPTER, roster)
        variant_part = time.perf_counter() - start
        assert written.ok
        notebooks = sorted((course.folder("release") / SAMPLE_CHAPTER).glob("*/*.ipynb"))
        files = [*notebooks, record_path(course, SAMPLE_CHAPTER), zip_path(course, SAMPLE_CHAPTER)]
        first = digest(files)
        start = time.perf_counter()
        release(course, [SAMPLE_CHAPTER], roster)
        again = time.perf_counter() - start
        same = digest(files) == first
        n = len(notebooks)
        nb_bytes = sum(p.stat().st_size for p in notebooks)
        extra = record_path(course, SAMPLE_CHAPTER).stat().st_size + zip_path(
            course, SAMPLE_CHAPTER).stat().st_size
    print(f"students: {n}")
    print(f"release without variants: {plain:.2f} s (nbgrader generate_assignment, leak check)")
    print(f"release with variants: {with_variants:.2f} s; writing the variants alone "
          f"{variant_part:.2f} s = {1000 * variant_part / n:.2f} ms per student")
    print(f"re-release: {again:.2f} s; byte-identical: {'yes' if same else 'NO'}")
    print(f"disk per student: notebook {nb_bytes / n / 1024:.1f} KiB, record and zip "
          f"{extra / n / 1024:.1f} KiB, total {(nb_bytes + extra) / n / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
