"""The worker server: the process grading workers are forked from, their imports done.

A multiprocessing *forkserver* that has imported, once, everything a worker
needs (:data:`WORKER_MODULE`, :data:`PRELOAD` and the executor's module), so a
worker forked from it starts warm instead of paying those imports per student.
This module imports nothing heavy itself, so ``course-grade autograde`` starts
the server first thing (:func:`start`): the server's imports then run on one
core while the command's own imports and preparations run on another.  The
first start in a process decides the preloaded modules.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import time

WORKER_MODULE = "solidarity_course.instructor.worker"

#: Imported by the worker server besides :data:`WORKER_MODULE` (hence nbgrader) and
#: the executor's module: what jupyter_client imports to find a kernel spec (IPython,
#: ipykernel's spec), what every gradebook nbgrader opens needs (SQLite), and the
#: caches every worker would fill for itself (:mod:`.warm_worker`).
PRELOAD = ("IPython.paths", "ipykernel.kernelspec", "sqlalchemy.dialects.sqlite", "sqlite3",
           "solidarity_course.instructor.warm_worker")


def preload(executor_module: str = "") -> list[str]:
    """Modules for the worker server: the worker's, :data:`PRELOAD`, the executor's."""
    modules = [WORKER_MODULE, *PRELOAD]
    if executor_module and executor_module not in modules and executor_module != "__main__":
        modules.append(executor_module)
    return modules


def context(executor_module: str = ""):
    """The multiprocessing context whose processes the worker server forks."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload(executor_module))
    return ctx


def start(executor_module: str = "") -> None:
    """Start the worker server now; it imports in the background what workers need."""
    context(executor_module)
    multiprocessing.forkserver.ensure_running()


def ready(executor_module: str = "") -> None:
    """Start the worker server and wait until its imports are done (a no-op child forked:
    the server forks only once it has imported).  For measurements that must not charge the
    server's start to the first run."""
    child = context(executor_module).Process(target=time.sleep, args=(0,))
    child.start()
    child.join()
