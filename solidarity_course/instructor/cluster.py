"""Autograde on a ``dask.distributed`` cluster instead of local worker processes.

The grading itself does not change: on the worker machine each student is graded
exactly as locally (:func:`.parallel.run_parallel` with one slot: the same
isolated course copy, executor, bubblewrap jail and whole-student time limit).
What changes is how files travel.  Nothing assumes a disk shared with the
instructor's machine:

- **to the worker**, each job carries a gzip'd tar of what grading reads: the
  course's ``nbgrader_config.py``, the assignment's ``source/`` folder and the
  student's ``submitted/`` folder (symbolic and hard links left out, as
  screening already refused them), plus the template gradebook;
- **back to the instructor**, the job returns a tar of the worker's result file,
  log, gradebook copy and autograded folder, unpacked into the local work folder,
  from where :func:`.autograde._import` imports it exactly as after a local run.

Only the instructor's process writes the gradebook.  A worker that dies mid-job
makes the scheduler run the job again on another worker (dask's
``allowed_failures``); the instructor imports each student once, when the job's
result arrives.  An interrupted run is resumed by running it again (students
already imported are up to date).

Workers need the course package and its dependencies installed (the same
``requirements.txt``) and bubblewrap, like the instructor's machine.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .course import CourseError
from .executor import Job, folder_names
from .parallel import Outcome

#: Largest packed submission or result accepted (a submission was screened already;
#: this bounds what one hostile result could make the instructor's process unpack).
MAX_PACKED_BYTES = 256 * 1024**2


def _add_tree(tar: tarfile.TarFile, folder: Path, arcname: str) -> None:
    """Add ``folder`` as ``arcname``: regular files and folders only, links left out."""
    for path in sorted([folder, *folder.rglob("*")]):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            continue
        if path.is_file() and path.stat().st_nlink > 1:
            continue  # a hard link: screening refuses them; never ship one
        relative = path.relative_to(folder)
        name = arcname if relative == Path(".") else f"{arcname}/{relative}"
        tar.add(path, arcname=name, recursive=False)


def _pack(entries: list[tuple[Path, str]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, arcname in entries:
            if path.is_dir():
                _add_tree(tar, path, arcname)
            elif path.is_file():
                tar.add(path, arcname=arcname, recursive=False)
    return buf.getvalue()


def _unpack(data: bytes, dest: Path) -> None:
    """Unpack a job's tar into ``dest``, refusing links and paths outside it."""
    if len(data) > MAX_PACKED_BYTES:
        raise CourseError(f"packed data of {len(data)} bytes exceeds {MAX_PACKED_BYTES}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")


def pack_submission(job: Job) -> bytes:
    """What a worker needs to grade ``job``, as bytes (the template travels separately)."""
    root, config_file = Path(job.course_root), Path(job.config_file)
    names = folder_names(job)
    return _pack([
        (config_file, "course/nbgrader_config.py"),
        (root / names["source"] / job.assignment, f"course/{names['source']}/{job.assignment}"),
        (root / names["submitted"] / job.student / job.assignment,
         f"course/{names['submitted']}/{job.student}/{job.assignment}"),
    ])


@dataclass(frozen=True)
class RemoteResult:
    """What a cluster job sends back: how it ended, and the packed work folder."""

    ok: bool
    error: str
    timed_out: bool
    seconds: float
    packed: bytes
    worker: str


def grade_remote(job_fields: dict, submission: bytes, template: bytes, executor: str,
                 time_limit: float) -> RemoteResult:
    """Runs ON A WORKER: unpack, grade one student as locally, pack the results."""
    from .parallel import run_parallel

    # A dask worker under a nanny is a daemonic process, which multiprocessing
    # forbids to start children.  run_parallel kills every child it starts before
    # it returns, so the orphaned-children concern behind that rule does not apply.
    multiprocessing.current_process().daemon = False
    with tempfile.TemporaryDirectory(prefix="course-grade-remote-") as tmp:
        tmp_path = Path(tmp)
        _unpack(submission, tmp_path)
        (tmp_path / "template.db").write_bytes(template)
        course = tmp_path / "course"
        job = replace(Job(**job_fields), course_root=str(course),
                      config_file=str(course / "nbgrader_config.py"),
                      workdir=str(tmp_path / "work"), template_db=str(tmp_path / "template.db"))
        outcome = next(iter(run_parallel([job], executor, 1, time_limit)))
        work = Path(job.workdir)
        packed = _pack([(work / name, name) for name in
                        ("result.json", "worker.log", "gradebook.db", "autograded")])
        return RemoteResult(outcome.ok, outcome.error, outcome.timed_out, outcome.seconds,
                            packed, os.uname().nodename)


def connect(scheduler, timeout: float = 20):
    """A dask client of the scheduler at ``scheduler`` (a CourseError naming it, if not).

    ``scheduler`` may also be a ``distributed.Client`` (or ``LocalCluster``), used as is.
    """
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler
    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise CourseError(f"cannot reach the Dask scheduler at {scheduler}: {exc}. Start one "
                          "with 'dask scheduler' and workers with 'dask worker "
                          f"{scheduler}' (see the instructor guide)") from exc


def run_on_cluster(jobs: Iterable[Job], executor: str, scheduler, time_limit: float,
                   template: Path) -> Iterator[Outcome]:
    """Grade ``jobs`` on the cluster; yield an :class:`Outcome` as each result arrives.

    ``scheduler`` is an address or an existing ``distributed.Client``.  Each result
    is unpacked into the job's local ``workdir`` before it is yielded, so the caller
    imports it as after a local run.  Closing the generator cancels what is left.
    """
    from distributed import as_completed

    client = connect(scheduler)
    futures = {}
    try:
        # The template travels with every job (a small SQLite file): data scattered to
        # one worker would be lost with that worker, and its jobs could not be retried.
        template_bytes = template.read_bytes()
        stamp = time.time_ns()
        for job in jobs:
            fields = asdict(job)
            future = client.submit(grade_remote, fields, pack_submission(job), template_bytes,
                                   executor, time_limit, pure=False,
                                   key=f"grade-{job.assignment}-{job.student}-{stamp}")
            futures[future] = job
        for future in as_completed(futures, loop=client.loop):
            job = futures.pop(future)
            yield _outcome(job, future)
    finally:
        client.cancel(list(futures))
        if client is not scheduler:
            client.close()


def _outcome(job: Job, future) -> Outcome:
    """The local :class:`Outcome` of a finished cluster job (its files unpacked)."""
    try:
        result: RemoteResult = future.result()
    except Exception as exc:  # the job itself failed on every worker it was tried on
        return Outcome(job, False, f"cluster job failed: {type(exc).__name__}: {exc}")
    work = Path(job.workdir)
    shutil.rmtree(work, ignore_errors=True)
    try:
        _unpack(result.packed, work)
    except (CourseError, tarfile.TarError, OSError) as exc:
        return Outcome(job, False, f"result from worker {result.worker} unusable: {exc}")
    return Outcome(job, result.ok, result.error, result.timed_out, result.seconds)


def worker_report(dask_worker=None) -> dict:
    """Runs ON EACH WORKER for ``course-grade check --scheduler``: can it grade?
    (``client.run`` passes the worker itself as ``dask_worker``.)"""
    import platform

    from .sandbox import SandboxUnavailable, probe

    try:
        probe()
        sandbox = "OK: bubblewrap starts a jail with no network"
    except SandboxUnavailable as exc:
        sandbox = f"UNAVAILABLE: {exc}"
    try:
        from importlib.metadata import version

        package = version("solidarity-course")
    except Exception as exc:  # not installed the usual way
        package = f"unknown ({type(exc).__name__})"
    # A worker started with the profiler on schedules its sampling as "profile".
    profiling = "profile" in getattr(dask_worker, "periodic_callbacks", {})
    return {"host": platform.node(), "python": platform.python_version(),
            "course package": package, "sandbox": sandbox, "cores": os.cpu_count(),
            "profiler": "on" if profiling else "off"}


#: Said of a worker that runs Dask's sampling profiler (it samples every worker thread
#: every 10 ms: grading a class of 100 on one machine took 1.22x the local time with it,
#: 1.05x without).
PROFILER_NOTE = ("NOTE: {address} runs Dask's sampling profiler, which slows grading: start "
                 "workers with DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False")


def check_cluster(scheduler) -> tuple[bool, list[str]]:
    """Lines describing every worker of the cluster; ok when each can grade in the jail."""
    client = connect(scheduler)
    try:
        reports = client.run(worker_report)
    finally:
        if client is not scheduler:
            client.close()
    if not reports:
        return False, [f"the scheduler at {scheduler} has no workers: start some with "
                       f"'dask worker {scheduler}'"]
    lines, ok = [], True
    for address, info in sorted(reports.items()):
        ok &= info["sandbox"].startswith("OK")
        lines.append(f"{address}: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    lines += [PROFILER_NOTE.format(address=address)
              for address, info in sorted(reports.items()) if info.get("profiler") == "on"]
    return ok, lines
