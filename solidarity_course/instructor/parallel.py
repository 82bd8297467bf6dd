"""Run grading jobs in parallel worker processes, each with a wall-clock time limit.

Up to ``workers`` jobs run at once, each in its own process (see :mod:`.worker`).
Outcomes are yielded as jobs finish, so the caller can import each student's
grades at once (and an interrupted run keeps what was finished).  A job that
exceeds ``time_limit`` seconds is killed together with every process it started
(its kernel included).  Closing the generator kills whatever still runs.

Workers are forked by the worker server (:mod:`.worker_server`), which has
imported, once, everything a worker needs, so a worker starts warm instead of
paying those imports per student; the caller can start it early
(:func:`start_server`, or :func:`.worker_server.start` before importing this
module) so that its imports overlap the caller's own.  When jobs finish, the
free slots are refilled *before* the outcomes are handed to the caller, so the
caller's work on an outcome (importing the student's grades) never leaves a slot
idle.  Note that, as with every non-fork start method, each worker re-runs the
importing part of the caller's ``__main__`` script: scripts that drive
:func:`run_parallel` should keep their module-level imports light (console
scripts are).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

import psutil

from . import worker_server
from .executor import Executor, Job
from .worker import RESULT_NAME, run_job


@dataclass
class Outcome:
    """How one job ended."""

    job: Job
    ok: bool
    error: str = ""
    timed_out: bool = False
    seconds: float = 0.0


#: Workers per core by default.  A grading worker leaves its core idle much of the
#: time (kernel start-up and the request/reply round trips of every cell): with one
#: worker per core the 2-core benchmark machine sat about half idle, and two per
#: core graded 100 notebooks 2.33x faster than serial nbgrader (bench/grading_speed.py).
WORKERS_PER_CORE = 2


def cpu_cores() -> int:
    """CPU cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """:data:`WORKERS_PER_CORE` workers per available CPU core."""
    return WORKERS_PER_CORE * cpu_cores()


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


def _module(executor: type[Executor] | None) -> str:
    return executor.__module__ if executor is not None else ""


def start_server(executor: type[Executor] | None = None) -> None:
    """Start the worker server now (it imports in the background what workers need).

    Optional: :func:`run_parallel` starts it when needed.  The first start in a
    process decides the preloaded modules.
    """
    worker_server.start(_module(executor))


def _outcome(job: Job, exitcode: int | None, seconds: float) -> Outcome:
    result_file = Path(job.workdir) / RESULT_NAME
    if result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))
        return Outcome(job, bool(result.get("ok")), result.get("error", ""), seconds=seconds)
    return Outcome(job, False, f"worker exited with code {exitcode} and no result",
                   seconds=seconds)


def run_parallel(jobs: Iterable[Job], executor: type[Executor], workers: int,
                 time_limit: float) -> Iterator[Outcome]:
    """Run ``jobs`` with ``executor``; yield an :class:`Outcome` for each as it finishes."""
    ctx = worker_server.context(_module(executor))
    pending = list(jobs)
    running: dict[int, tuple] = {}  # sentinel -> (process, job, start)

    def fill() -> None:
        while pending and len(running) < max(1, workers):
            job = pending.pop(0)
            proc = ctx.Process(target=run_job, args=(job, executor),
                               name=f"grade-{job.student}")
            proc.start()
            running[proc.sentinel] = (proc, job, time.monotonic())

    try:
        fill()
        while running:
            wait(list(running), timeout=0.5)
            now = time.monotonic()
            finished = []
            for sentinel, (proc, job, start) in list(running.items()):
                if not proc.is_alive():
                    proc.join()
                    del running[sentinel]
                    finished.append(_outcome(job, proc.exitcode, now - start))
                elif now - start > time_limit:
                    kill_tree(proc.pid)
                    proc.join()
                    del running[sentinel]
                    finished.append(Outcome(job, False, f"time limit of {time_limit:g} s "
                                            "exceeded: worker and kernel killed",
                                            timed_out=True, seconds=now - start))
            fill()  # before the caller works on the outcomes: no slot waits for it
            yield from finished
    finally:
        for proc, _job, _start in running.values():
            kill_tree(proc.pid)
            proc.join()
