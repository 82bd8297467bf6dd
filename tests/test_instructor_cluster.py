"""Autograde on a real ``dask.distributed`` LocalCluster with separate worker processes.

The same submissions graded locally and on the cluster give the same gradebook and
the same exports; a worker killed in the middle of a job costs nothing (the job is
retried, every student graded once); a hostile notebook on a worker is contained
exactly as locally.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from hostile_corpus import KINDS, Context, probes
from instructor_support import CHAPTER, copy_course, gradebook_dump, make_course

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.cluster import check_cluster
from solidarity_course.instructor.export import export
from solidarity_course.instructor.synthetic import make_class

pytestmark = pytest.mark.cluster

N = 6


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes under nannies (as `dask worker` starts them)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as lc, Client(lc) as client:
        yield client


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    """One collected class, twice: graded locally (here) and, ungraded, for the cluster."""
    base = tmp_path_factory.mktemp("cluster")
    course = make_course(base / "local")
    cls = make_class(course, CHAPTER, N, seed=11)
    cls.write_submitted(course.folder("submitted"))
    remote = copy_course(course, base / "remote")
    local = autograde(course, CHAPTER, workers=2)
    return course, remote, cls, local


def _scores(course) -> dict:
    dump = gradebook_dump(course)
    return {k: v for k, v in dump.items() if not (isinstance(k, tuple) and k[-1] == "timestamp")}


def test_check_lists_every_worker_and_notes_a_profiling_one(cluster):
    ok, lines = check_cluster(cluster)
    assert ok, lines
    workers = [line for line in lines if not line.startswith("NOTE")]
    assert len(workers) == 2 and all("sandbox OK" in line for line in workers)
    # This cluster's workers run Dask's default sampling profiler: each is noted, with the fix.
    notes = [line for line in lines if line.startswith("NOTE")]
    assert len(notes) == 2 and all("profiler on" in line for line in workers)
    assert all("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in note for note in notes)


def test_cluster_grades_exactly_as_local(cluster, classes, tmp_path):
    local, remote, cls, here = classes
    there = autograde(remote, CHAPTER, scheduler=cluster)
    assert here.students("graded") == there.students("graded") == sorted(
        s.student_id for s in cls.students), there.outcomes
    assert _scores(remote) == _scores(local)
    for course, out in ((local, tmp_path / "a"), (remote, tmp_path / "b")):
        export(course, [CHAPTER], out, allow_ungraded=True)
    for name in sorted(p.name for p in (tmp_path / "a").iterdir()):
        rows = [sorted((tmp_path / d / name).read_text().splitlines()) for d in ("a", "b")]
        assert rows[0] == rows[1], name  # same rows (nbgrader's export order varies)
    # every autograded notebook came back from the workers
    for s in cls.students:
        assert list(remote.submission_dir("autograded", s.student_id, CHAPTER).glob("*.ipynb"))


def test_a_worker_killed_mid_job_costs_nothing(cluster, classes, tmp_path):
    local, _remote, cls, _here = classes
    course = copy_course(local, tmp_path / "killed")
    killed = []

    def kill_a_busy_worker():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in cluster.processing().items() if tasks]
            if busy:
                pids = cluster.run(os.getpid, workers=busy[:1])
                for pid in pids.values():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.2)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    report = autograde(course, CHAPTER, scheduler=cluster, force=True)
    killer.join()
    assert killed, "no worker was busy long enough to be killed"
    assert report.students("graded") == sorted(s.student_id for s in cls.students), \
        report.outcomes
    assert len(report.outcomes) == N  # each student reported (and imported) once
    assert _scores(course) == _scores(local)
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker


def test_a_hostile_notebook_is_contained_on_a_worker(cluster, classes, tmp_path):
    local, _remote, cls, _here = classes
    course = copy_course(local, tmp_path / "hostile")
    kinds = {k.name: k for k in KINDS}
    honest, *others = cls.students
    first = cls.questions[0]
    ctx = Context(course.root, cls.notebook_name, honest.student_id, CHAPTER, 9,
                  first.variable, first.question.id)
    targets = dict(zip(("read-answer-key", "infinite-loop"), others, strict=False))
    for name, student in targets.items():
        kinds[name].apply(course.submission_dir("submitted", student.student_id, CHAPTER), ctx)
    report = autograde(course, CHAPTER, scheduler=cluster, force=True, cell_timeout=10)
    outcomes = {o.student: o for o in report.outcomes}
    for name, student in targets.items():
        outcome = outcomes[student.student_id]
        assert outcome.status == kinds[name].outcome, outcome
        assert kinds[name].detail in outcome.detail, outcome
    records = probes(course.submission_dir("autograded", targets["read-answer-key"].student_id,
                                           CHAPTER) / cls.notebook_name)
    assert records and all(v not in ("read", "written", "connected")
                           for r in records for v in r.values()), records
    assert _scores(course) == _scores(local)  # every score exactly its honest score
