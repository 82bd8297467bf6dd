"""Benchmark: autograde by local workers against a two-worker Dask LocalCluster.

Grades the same N synthetic submissions (default 500) of the sample assignment
twice, in two copies of one course: ``course-grade autograde`` with its local
workers (two per core), and ``course-grade autograde --scheduler`` against a
``LocalCluster`` of two worker processes with two threads each (the same four
students at a time, without Dask's sampling profiler, as the guide starts workers) on
this machine.  Both are the commands an instructor types.
Prints seconds per notebook for each, the cluster's overhead (target: within 15 %
of local), whether both gradebooks agree, and, from the measured cost per notebook
of one machine like this one, how many such machines grade 10,000 notebooks in
30 minutes.

Usage: python bench/cluster_scale.py [--students 500]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from solidarity_course.instructor.course import Course, ensure_venv_on_path
from solidarity_course.instructor.parallel import cpu_cores, default_workers
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, make_class, sample_course

TARGET_NOTEBOOKS, TARGET_SECONDS = 10_000, 30 * 60


def scores(course: Course) -> dict:
    """(student, cell) -> auto score, to check both runs agree."""
    with course.gradebook() as gb:
        return {(sub.student.id, g.name): g.auto_score
                for sub in gb.find_assignment(SAMPLE_CHAPTER).submissions
                for nb in sub.notebooks for g in nb.grades}


def grade(root: Path, *extra: str) -> float:
    """Seconds ``course-grade autograde`` takes on the course at ``root``."""
    command = [str(Path(sys.executable).with_name("course-grade")), "--course", str(root),
               "autograde", SAMPLE_CHAPTER, *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(extra) or 'local'} run failed ({done.returncode}):\n"
                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    from distributed import LocalCluster

    ensure_venv_on_path()
    n, workers = args.students, default_workers()
    with tempfile.TemporaryDirectory(prefix="cluster-scale-") as tmp:
        base = Path(tmp)
        local = sample_course(base / "local")
        make_class(local, SAMPLE_CHAPTER, n, seed=3).write_submitted(local.folder("submitted"))
        shutil.copytree(local.root, base / "remote")
        remote = Course.find(base / "remote")
        load = [os.getloadavg()[0]]
        t_local = grade(local.root, "--workers", str(workers))
        load.append(os.getloadavg()[0])
        # Workers as the instructor guide starts them: without Dask's sampling profiler.
        os.environ["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] = "False"
        with LocalCluster(n_workers=2, threads_per_worker=workers // 2 or 1, processes=True,
                          dashboard_address=None, host="127.0.0.1") as cluster:
            t_cluster = grade(remote.root, "--scheduler", cluster.scheduler_address)
        load.append(os.getloadavg()[0])
        agree = scores(local) == scores(remote) and len(scores(local)) > 0
    per_local, per_cluster = t_local / n, t_cluster / n
    machines = math.ceil(TARGET_NOTEBOOKS * per_cluster / TARGET_SECONDS)
    print(f"submissions: {n}; cores: {cpu_cores()}; local workers: {workers}; "
          f"cluster: 2 worker processes x {workers // 2 or 1} threads")
    print("load average (1 min) before / between / after: "
          + " / ".join(f"{x:.2f}" for x in load))
    print(f"local workers:    {t_local:8.1f} s  ({per_local:.2f} s/notebook)")
    print(f"Dask cluster:     {t_cluster:8.1f} s  ({per_cluster:.2f} s/notebook)")
    print(f"cluster overhead: {t_cluster / t_local:8.2f} x  (target <= 1.15)")
    print(f"both gradebooks agree: {agree}")
    print(f"machines like this one ({cpu_cores()} cores) to grade {TARGET_NOTEBOOKS:,} "
          f"notebooks in {TARGET_SECONDS // 60} minutes: {machines} "
          f"({per_cluster:.2f} s/notebook per machine)")


if __name__ == "__main__":
    main()
