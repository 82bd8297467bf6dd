"""Executors: grade ONE student's submission inside an isolated course copy.

The parallel driver (:mod:`.parallel`) runs each :class:`Job` in its own worker
process.  The worker first builds the isolated course copy (:func:`prepare`):
``<workdir>/source/<assignment>/``, ``<workdir>/submitted/<student>/<assignment>/``
and ``<workdir>/gradebook.db``, a copy of a throwaway SQLite gradebook that
already holds the assignment.  The executor must leave the autograded notebooks
in ``<workdir>/autograded/<student>/<assignment>/`` and the grades in
``<workdir>/gradebook.db``; it never sees the real gradebook.

Executors are pluggable: any class with ``run(job)``, named as ``module.Class``
(``--executor`` or the ``Type`` option ``c.CourseGrade.executor``).  The default,
:class:`NbgraderExecutor`, runs nbgrader's own autograde (kernel per notebook,
``Execute.timeout`` per cell).  A sandboxed executor (e.g. a bubblewrap
jail, or comparing answers outside the kernel) only has to honour the same
folder contract.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable


class GradingError(RuntimeError):
    """Grading one student failed; the message says why."""


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to grade one student (picklable)."""

    assignment: str
    student: str
    course_root: str  # the real course: read only
    config_file: str  # the course's nbgrader_config.py
    course_id: str
    workdir: str  # the isolated course copy
    template_db: str  # throwaway gradebook holding the assignment
    cell_timeout: int | None = None
    sandbox: str | None = None  # SandboxPolicy as JSON; None: the kernel runs unjailed
    variant: str | None = None  # the student's variant as JSON (see .variants); None: none

    @property
    def db_url(self) -> str:
        """The isolated copy's own SQLite gradebook."""
        return f"sqlite:///{Path(self.workdir) / 'gradebook.db'}"

    def path(self, kind: str) -> Path:
        """``<workdir>/<kind>/<student>/<assignment>`` (kind: submitted, autograded)."""
        return Path(self.workdir) / kind / self.student / self.assignment


@runtime_checkable
class Executor(Protocol):
    """What the driver needs from an executor."""

    def run(self, job: Job) -> None:
        """Grade ``job`` in ``job.workdir``; raise :class:`GradingError` on failure."""


def _symlinks(folder: str, names: list[str]) -> set[str]:
    """copytree's ignore: never copy (nor follow) a symbolic link planted in a submission."""
    return {n for n in names if os.path.islink(os.path.join(folder, n))}


def folder_names(job: Job) -> dict[str, str]:
    """The ``source`` and ``submitted`` folder names of ``job``'s course, from its config."""
    from .course import load_config

    config = load_config(Path(job.config_file), Path(job.course_root))
    return {k: config.CourseDirectory.get(f"{k}_directory", k) for k in ("source", "submitted")}


def prepare(job: Job) -> None:
    """Build the isolated course copy of ``job`` from the real course (read only)."""
    work, real = Path(job.workdir), Path(job.course_root)
    folders = folder_names(job)
    shutil.copytree(real / folders["source"] / job.assignment, work / "source" / job.assignment)
    shutil.copytree(real / folders["submitted"] / job.student / job.assignment,
                    job.path("submitted"), ignore=_symlinks)
    shutil.copyfile(job.template_db, work / "gradebook.db")


class NbgraderExecutor:
    """nbgrader's autograde, in process, on the isolated copy."""

    def run(self, job: Job) -> None:
        from nbgrader.apps import NbGraderAPI

        from .course import ensure_venv_on_path, load_config
        from .metadata_check import install

        ensure_venv_on_path()
        install()
        config = load_config(Path(job.config_file), Path(job.workdir))
        config.CourseDirectory.db_url = job.db_url
        config.CourseDirectory.course_id = job.course_id
        for kind in ("source", "release", "submitted", "autograded", "feedback"):
            config.CourseDirectory[f"{kind}_directory"] = kind
        if job.cell_timeout:
            config.Execute.timeout = int(job.cell_timeout)
        if "shutdown_kernel" not in config.Execute:
            # Once every cell has run, kill the kernel's process group instead of asking
            # it to exit: nothing is lost, and it saves ~0.4 s (0.3 s of kernel CPU)
            # per notebook.
            config.Execute.shutdown_kernel = "immediate"
        if "optimistic_validation" not in config.Exporter:
            # Validate each notebook once, after the last step, not after every one of
            # autograde's fifteen steps: the same notebook is stored, and validation was
            # a tenth of the grader's work per student.
            config.Exporter.optimistic_validation = True
        config.Autograde.autograde_preprocessors = stored_inert(
            config.Autograde.get("autograde_preprocessors") or default_autograde_steps())
        self.configure(config, job)
        api = NbGraderAPI(config=config)
        result = api.autograde(job.assignment, job.student, force=True, create=True)
        if not result["success"]:
            log = "\n".join(filter(None, (result.get("log"), result.get("error"))))
            print(log)  # into the worker's log, which autograde keeps for a failed student
            raise GradingError("nbgrader autograde failed: " + failure_cause(log))
        if not job.path("autograded").is_dir():
            raise GradingError("nbgrader autograde wrote no autograded notebooks")

    def configure(self, config, job: Job) -> None:
        """Subclasses adjust nbgrader's configuration for ``job`` here (plain: nothing)."""


#: The last line of a Python traceback: ``SomeError: what happened``.
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Entry))"
                             r"(?::\s*(.*))?$")


def failure_cause(log: str) -> str:
    """The real cause in nbgrader's log: its last exception, not "see the above traceback"."""
    lines = [line.strip() for line in log.strip().splitlines() if line.strip()]
    exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
    if exceptions:
        return exceptions[-1][:500]
    errors = [line for line in lines if "ERROR" in line or "Error" in line] or lines
    return " | ".join(errors[-3:])[:500] or "no log"


def default_autograde_steps() -> list:
    """nbgrader's own autograde preprocessors."""
    from nbgrader.converters import Autograde

    return list(Autograde.class_traits()["autograde_preprocessors"].default())


def stored_inert(steps: list) -> list:
    """``steps`` ending with :class:`.inert.InertNotebook`: the autograded copy is stored inert
    (after the grades are saved, so grading sees the notebook as the student left it)."""
    from .inert import InertNotebook

    return [s for s in steps if s is not InertNotebook] + [InertNotebook]

