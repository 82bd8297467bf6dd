"""Benchmark: parallel autograde (course-grade) against serial ``nbgrader autograde``.

Grades the same N synthetic submissions (default 100) of the sample assignment
twice, in two copies of one course, in the same run:

1. the parallel driver, ``course-grade autograde <assignment> --workers N``,
   ``parallel.WORKERS_PER_CORE`` workers per core (or ``--workers``), isolated
   worker gradebooks, with the course's executor and sandbox settings
   (``--executor``, ``--no-sandbox``);
2. plain ``nbgrader autograde <assignment> --create --force`` (serial, one process).

Both are run as the commands an instructor types, so both timings include their
start-up (imports, the driver's worker server and template gradebook).  Then it
prints both wall times, their ratio (target >= 1.8 on 2 cores), the time per
notebook, and the floor: starting and stopping a bare Python kernel, which every
graded notebook pays once; with the load average, since a busy machine skews
both.  It checks that both gradebooks agree.

Usage: python bench/grading_speed.py [--students 100] [--workers N] [--executor module.Class]
       [--no-sandbox]
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
from solidarity_course.instructor.parallel import cpu_cores, default_workers
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, make_class, sample_course


def kernel_floor(runs: int = 5) -> float:
    """Median seconds to start a bare python3 kernel, wait until ready, and stop it."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scores(course) -> dict:
    """(student, cell) -> auto score, to check both runs agree."""
    with course.gradebook() as gb:
        return {(sub.student.id, g.name): g.auto_score
                for sub in gb.find_assignment(SAMPLE_CHAPTER).submissions
                for nb in sub.notebooks for g in nb.grades}


def course_grade(root: Path, workers: int, extra: list[str]) -> float:
    """Seconds ``course-grade autograde`` takes to grade the course at ``root``."""
    command = [str(Path(sys.executable).with_name("course-grade")), "--course", str(root),
               "autograde", SAMPLE_CHAPTER, "--workers", str(workers), *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"parallel run failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                 f"{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0, help="default: WORKERS_PER_CORE per core")
    parser.add_argument("--executor", default=None, help="default: the course's")
    parser.add_argument("--no-sandbox", action="store_true", help="kernels outside the jail")
    args = parser.parse_args()
    workers = args.workers or default_workers()
    extra = (["--executor", args.executor] if args.executor else []) + (
        ["--no-sandbox"] if args.no_sandbox else [])
    ensure_venv_on_path()
    with tempfile.TemporaryDirectory(prefix="grading-speed-") as tmp:
        base = Path(tmp)
        parallel = sample_course(base / "parallel")
        make_class(parallel, SAMPLE_CHAPTER, args.students, seed=3).write_submitted(
            parallel.folder("submitted"))
        serial_root = base / "serial"
        shutil.copytree(parallel.root, serial_root)
        n = args.students

        load = [os.getloadavg()[0]]
        t_parallel = course_grade(parallel.root, workers, extra)
        load.append(os.getloadavg()[0])
        if len({student for student, _cell in scores(parallel)}) != n:
            sys.exit("parallel run did not grade every submission")

        nbgrader = Path(sys.executable).with_name("nbgrader")
        start = time.perf_counter()
        subprocess.run([str(nbgrader), "autograde", SAMPLE_CHAPTER, "--create", "--force"],
                       cwd=serial_root, check=True, capture_output=True)
        t_serial = time.perf_counter() - start
        load.append(os.getloadavg()[0])

        agree = scores(parallel) == scores(Course.find(serial_root))
        floor = kernel_floor()
    print(f"submissions: {n}; workers: {workers}; cores: {cpu_cores()}; "
          f"course-grade options: {' '.join(extra) or '(course defaults)'}")
    print("load average (1 min) before / between / after: "
          + " / ".join(f"{x:.2f}" for x in load))
    for label, seconds in (("parallel course-grade autograde", t_parallel),
                           ("serial nbgrader autograde", t_serial)):
        print(f"{label + ':':33}{seconds:8.1f} s  ({seconds / n:.2f} s/notebook)")
    print(f"speed-up (serial / parallel):    {t_serial / t_parallel:8.2f} x  (target >= 1.8)")
    cores = cpu_cores()
    print(f"floor, bare kernel start+stop:   {floor:8.2f} s/notebook "
          f"({floor / cores:.2f} s/notebook over {cores} cores)")
    print(f"per notebook over the floor:     parallel x{t_parallel / n / (floor / cores):.2f} "
          f"(per core), serial x{t_serial / n / floor:.2f}  (target: parallel <= 1.5)")
    print(f"both gradebooks agree: {agree}")


if __name__ == "__main__":
    main()
