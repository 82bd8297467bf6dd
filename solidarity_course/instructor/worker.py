"""The worker process: grade one :class:`~.executor.Job` and write a result file.

Workers are forked from a multiprocessing *forkserver* that has imported this
module, hence nbgrader, once; a new worker therefore starts in milliseconds
instead of paying nbgrader's import time per student.  The worker's output,
and that of the kernels it starts, goes to ``<workdir>/worker.log``.  The
result is ``<workdir>/result.json``: ``{"ok": true}`` or
``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import nbgrader.apps  # noqa: F401  (preloaded in the forkserver: the slow import)

from .executor import Executor, GradingError, Job, prepare

RESULT_NAME = "result.json"
LOG_NAME = "worker.log"


def _redirect_output(log: Path) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def run_job(job: Job, executor: type[Executor]) -> None:
    """Entry point of a worker process."""
    work = Path(job.workdir)
    work.mkdir(parents=True, exist_ok=True)
    _redirect_output(work / LOG_NAME)
    try:
        prepare(job)
        executor().run(job)
        result = {"ok": True}
    except GradingError as exc:
        result = {"ok": False, "error": str(exc)}
    except BaseException as exc:  # report anything; the parent decides
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    tmp = work / (RESULT_NAME + ".tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, work / RESULT_NAME)
