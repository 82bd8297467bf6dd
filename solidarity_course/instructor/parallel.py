"""Run grading jobs in parallel worker processes, each with a wall-clock time limit.

Up to ``workers`` jobs run at once, each in its own process (see :mod:`.worker`).
Outcomes are yielded as jobs finish, so the caller can import each student's
grades at once (and an interrupted run keeps what was finished).  A job that
exceeds ``time_limit`` seconds is killed together with every process it started
(its kernel included).  Closing the generator kills whatever still runs.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

import psutil

from .executor import Job
from .worker import RESULT_NAME, run_job

WORKER_MODULE = "solidarity_course.instructor.worker"


@dataclass
class Outcome:
    """How one job ended."""

    job: Job
    ok: bool
    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0


def default_workers() -> int:
    """One worker per CPU core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (the worker and its kernel)."""
    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([WORKER_MODULE])
    return ctx


def _outcome(job: Job, exitcode: int | None, seconds: float) -> Outcome:
    result_file = Path(job.workdir) / RESULT_NAME
    if result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))
        return Outcome(job, bool(result.get("ok")), result.get("error", ""), seconds=seconds)
    return Outcome(job, False, f"worker exited with code {exitcode} and no result",
                   seconds=seconds)


def run_parallel(jobs: Iterable[Job], executor_spec: str, workers: int,
                 time_limit: float) -> Iterator[Outcome]:
    """Run ``jobs``; yield an :class:`Outcome` for each as it finishes."""
    ctx = _context()
    pending = list(jobs)
    running: dict[int, tuple] = {}  # sentinel -> (process, job, start)
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                proc = ctx.Process(target=run_job, args=(job, executor_spec),
                                   name=f"grade-{job.student}")
                proc.start()
                running[proc.sentinel] = (proc, job, time.monotonic())
            wait(list(running), timeout=0.5)
            now = time.monotonic()
            for sentinel, (proc, job, start) in list(running.items()):
                if not proc.is_alive():
                    proc.join()
                    del running[sentinel]
                    yield _outcome(job, proc.exitcode, now - start)
                elif now - start > time_limit:
                    kill_tree(proc.pid)
                    proc.join()
                    del running[sentinel]
                    yield Outcome(job, False, f"time limit of {time_limit:g} s exceeded: "
                                  "worker and kernel killed", timed_out=True,
                                  seconds=now - start)
    finally:
        for proc, _job, _start in running.values():
            kill_tree(proc.pid)
            proc.join()
