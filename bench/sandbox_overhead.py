"""Benchmark: what the grading sandbox costs per notebook.

Grades the same synthetic submissions (default 50) twice in one run with
``course-grade autograde``'s default executor (answers scored outside the
kernel): once with every kernel in the bubblewrap jail and once without it
(``--no-sandbox``), in two copies of one course, in alternating order over
``--rounds`` rounds, the worker server started before either.  Prints both wall
times, seconds per notebook, and the ratio sandboxed / unsandboxed (target: at
most 1.15), and checks that both gradebooks hold the same scores.

Usage: python bench/sandbox_overhead.py [--students 50] [--workers N] [--rounds 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.course import Course
from solidarity_course.instructor.parallel import default_workers
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, make_class, sample_course
from solidarity_course.instructor.worker_server import ready

TARGET = 1.15


def scores(course: Course) -> dict:
    """(student, cell) -> auto score."""
    with course.gradebook() as gb:
        return {(sub.student.id, g.name): g.auto_score
                for sub in gb.find_assignment(SAMPLE_CHAPTER).submissions
                for nb in sub.notebooks for g in nb.grades}


def timed_run(course: Course, sandbox: bool, workers: int, n: int) -> float:
    """Seconds to grade every submission of ``course`` (forced), checking all were graded."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = autograde(course, SAMPLE_CHAPTER, workers=workers, force=True, sandbox=sandbox)
    seconds = time.perf_counter() - start
    if len(report.students("graded")) != n:
        sys.exit(f"{'sandboxed' if sandbox else 'unsandboxed'} run failed: {report.outcomes}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="default: one per core")
    parser.add_argument("--rounds", type=int, default=1, help="alternating repetitions")
    args = parser.parse_args()
    workers, n = args.workers or default_workers(), args.students
    times: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="sandbox-overhead-") as tmp:
        base = Path(tmp)
        jailed = sample_course(base / "jailed")
        make_class(jailed, SAMPLE_CHAPTER, n, seed=5).write_submitted(jailed.folder("submitted"))
        shutil.copytree(jailed.root, base / "free")
        free = Course.find(base / "free")
        courses = {True: jailed, False: free}
        # Both runs fork their workers from one server in this process: start it first, so
        # that its start is not charged to whichever run comes first.
        ready(jailed.executor_module())
        for round_no in range(args.rounds):
            order = (True, False) if round_no % 2 == 0 else (False, True)
            for sandbox in order:
                times[sandbox].append(timed_run(courses[sandbox], sandbox, workers, n))
        agree = scores(jailed) == scores(free)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"submissions: {n}; workers: {workers}; rounds: {args.rounds}")
    print(f"sandboxed:    {on:7.1f} s  ({on / n:.2f} s/notebook)  runs {times[True]}")
    print(f"unsandboxed:  {off:7.1f} s  ({off / n:.2f} s/notebook)  runs {times[False]}")
    print(f"overhead:     {on / off:7.2f} x  (target <= {TARGET}); "
          f"{(on - off) / n * workers:.2f} s per notebook per worker")
    print(f"both gradebooks agree: {agree}")


if __name__ == "__main__":
    main()
