"""Benchmark: ``course-grade report`` (item analysis) for a large class.

Autogrades a handful of synthetic students of the sample assignment for real,
then copies their autograded notebooks and gradebook rows to N students
(default 1,000) so the class looks like one that was graded in full.  Then it
times the command an instructor types, ``course-grade --course DIR report``,
over several runs (start-up and imports included), and ``course-grade --help``
as the floor of starting the command at all, and ``course-grade export`` (the
grades CSVs) for the same class.  Target: report for 1,000 students in at most 5 s.

Usage: python bench/report_speed.py [--students 1000] [--graded 6] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from solidarity_course.instructor.course import Course, ensure_venv_on_path
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, make_class, sample_course


def course_grade(*args: str) -> list[str]:
    """The command line of the installed ``course-grade`` with ``args``."""
    return [str(Path(sys.executable).with_name("course-grade")), *args]


def timed(command: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` runs of ``command`` (each must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return times


def enlarge(course: Course, students: int) -> None:
    """Copy the graded students' notebooks and grades until the class has ``students``."""
    autograded = course.folder("autograded")
    with course.gradebook() as gb:
        record = gb.find_assignment(SAMPLE_CHAPTER)
        templates = [(sub.student.id,
                      {(nb.name, g.name): (g.auto_score, g.manual_score)
                       for nb in sub.notebooks for g in nb.grades})
                     for sub in record.submissions]
        for i in range(students - len(templates)):
            source_id, scores = templates[i % len(templates)]
            student = f"copy{i:05d}"
            shutil.copytree(autograded / source_id, autograded / student)
            gb.update_or_create_student(student)
            submission = gb.add_submission(SAMPLE_CHAPTER, student)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    grade.auto_score, grade.manual_score = scores[(nb.name, grade.name)]
        gb.db.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--graded", type=int, default=6, help="students autograded for real")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the course (path printed)")
    args = parser.parse_args()
    ensure_venv_on_path()
    tmp = tempfile.mkdtemp(prefix="report-speed-")
    try:
        course = sample_course(Path(tmp) / "course")
        make_class(course, SAMPLE_CHAPTER, args.graded, seed=5).write_submitted(
            course.folder("submitted"))
        root = str(course.root)
        timed(course_grade("--course", root, "autograde", SAMPLE_CHAPTER), 1)
        enlarge(course, args.students)
        load = os.getloadavg()[0]
        floor = timed(course_grade("--help"), args.runs)
        report = timed(course_grade("--course", root, "report", SAMPLE_CHAPTER,
                                    "--out", str(Path(tmp) / "out")), args.runs)
        export = timed(course_grade("--course", root, "export", SAMPLE_CHAPTER,
                                    "--allow-ungraded", "--out", str(Path(tmp) / "exports")),
                       args.runs)
        page = Path(tmp) / "out" / "item-analysis.html"
        size = page.stat().st_size
    finally:
        if not args.keep:
            shutil.rmtree(tmp)
    print(f"students: {args.students} ({args.graded} autograded, the rest copies); "
          f"load average before: {load:.2f}")
    print(f"course-grade --help (start-up):  median {statistics.median(floor):6.2f} s  "
          f"(min {min(floor):.2f}, max {max(floor):.2f})")
    print(f"course-grade report:             median {statistics.median(report):6.2f} s  "
          f"(min {min(report):.2f}, max {max(report):.2f}; target <= 5 s)")
    print(f"course-grade export:             median {statistics.median(export):6.2f} s  "
          f"(min {min(export):.2f}, max {max(export):.2f})")
    kept = f"; course kept in {root}" if args.keep else ""
    print(f"item-analysis.html: {size / 1024:.0f} KiB{kept}")


if __name__ == "__main__":
    main()
