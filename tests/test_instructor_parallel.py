"""The parallel driver's speed measures keep its contract: a template gradebook made
without nbgrader's alembic subprocess, a worker server preloading what workers need
and warming their caches (a shared statement cache never mixes two gradebooks), and a
free slot refilled before the caller works on a finished job."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solidarity_course.instructor import parallel, worker_server
from solidarity_course.instructor.autograde import new_gradebook
from solidarity_course.instructor.executor import Job


class StampExecutor:
    """Writes when it started (seconds since the epoch) into the job's folder."""

    def run(self, job: Job) -> None:
        Path(job.workdir, "started.json").write_text(json.dumps(time.time()))


def test_new_gradebook_is_stamped_without_the_alembic_subprocess(tmp_path, monkeypatch):
    import nbgrader.api
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR
    from sqlalchemy import text

    def no_subprocess():
        raise AssertionError("nbgrader ran alembic: the database looked new")

    monkeypatch.setattr(nbgrader.api, "get_alembic_version", no_subprocess)
    db = tmp_path / "gradebook.db"
    new_gradebook(db)
    with nbgrader.api.Gradebook(f"sqlite:///{db}", "course") as gb:
        version = gb.db.execute(text("select version_num from alembic_version")).scalar()
        assert gb.students == []
    assert version == ScriptDirectory(ALEMBIC_DIR).get_current_head()


def test_preload_names_the_executor_module():
    from solidarity_course.instructor.executor import NbgraderExecutor

    base = [worker_server.WORKER_MODULE, *worker_server.PRELOAD]
    assert worker_server.preload() == base
    assert worker_server.preload(NbgraderExecutor.__module__) == [
        *base, "solidarity_course.instructor.executor"]


def empty_jobs(tmp_path: Path, students: tuple[str, ...]) -> list[Job]:
    """Jobs of assignment ``a`` over an empty course (what a worker's prepare() copies)."""
    course = tmp_path / "course"
    for folder in ("source/a", *(f"submitted/{s}/a" for s in students)):
        (course / folder).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    (tmp_path / "template.db").write_bytes(b"")
    return [Job("a", s, str(course), str(course / "nbgrader_config.py"), "c",
                str(tmp_path / s), str(tmp_path / "template.db")) for s in students]


def test_a_free_slot_is_refilled_before_the_caller_imports(tmp_path):
    jobs = empty_jobs(tmp_path, ("first", "second"))
    outcomes = parallel.run_parallel(jobs, StampExecutor, 1, 60)
    first = next(outcomes)
    handed_over = time.time()
    time.sleep(3)  # the caller importing the first student's grades
    second = next(outcomes)
    assert [first.job.student, second.job.student] == ["first", "second"]
    assert first.ok and second.ok, (first, second)
    started = json.loads((tmp_path / "second" / "started.json").read_text())
    assert started - handed_over < 2.5, "the second job waited for the caller"
    with pytest.raises(StopIteration):
        next(outcomes)


def test_an_interrupted_autograde_leaves_no_student_work_in_the_temporary_folder(tmp_path):
    """SIGTERM (kill, a closed terminal) unwinds like Ctrl-C: workers killed, scratch removed."""
    import os
    import signal
    import subprocess
    import sys

    from instructor_support import CHAPTER, make_course

    from solidarity_course.instructor.synthetic import make_class

    course = make_course(tmp_path / "course")
    make_class(course, CHAPTER, 2, seed=3).write_submitted(course.folder("submitted"))
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch_parent),
           "PYTHONPATH": str(Path(__file__).parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "solidarity_course.instructor.cli", "--course", str(course.root),
         "autograde", CHAPTER, "--no-sandbox", "--workers", "2",
         "--executor", "instructor_support:SleepExecutor"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pid_file = course.root / "sleep-child.pid"
    deadline = time.monotonic() + 240
    while not pid_file.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert pid_file.exists(), proc.communicate(timeout=30)[0].decode(errors="replace")
    work = [p for p in scratch_parent.rglob("submitted") if p.is_dir()]
    assert work, "the workers' copies of student work were expected in the scratch folder"
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=120)[0].decode(errors="replace")
    assert proc.returncode == 130, output
    assert [p.name for p in scratch_parent.iterdir()
            if p.name.startswith("course-grade-")] == [], output
    child = int(pid_file.read_text())
    assert not psutil_alive(child), "the worker's child process survived"


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_failed_students_cause_is_the_exception_not_see_the_traceback():
    from solidarity_course.instructor.executor import failure_cause

    log = ("[AutogradeApp | INFO] Autograding 99-sample\n"
           "[AutogradeApp | ERROR] There was an error processing assignment: x\n"
           "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
           "nbformat.reader.NotJSONError: Notebook does not appear to be JSON: ''\n"
           "[AutogradeApp | ERROR] Please see the above traceback for details\n")
    assert failure_cause(log) == "nbformat.reader.NotJSONError: Notebook does not appear to " \
                                 "be JSON: ''"
    assert "ERROR" in failure_cause("[AutogradeApp | ERROR] no traceback at all\n")


class CacheReport:
    """Writes what the worker found already in its caches when it started."""

    def run(self, job: Job) -> None:
        import nbformat.validator
        import nbgrader.api

        Path(job.workdir, "caches.json").write_text(json.dumps({
            "validators": [list(key) for key in nbformat.validator.validators],
            "engines_reused": hasattr(nbgrader.api.create_engine, "cache_info"),
        }))


def test_a_forked_worker_starts_with_the_caches_filled(tmp_path):
    [outcome] = list(parallel.run_parallel(empty_jobs(tmp_path, ("s1",)), CacheReport,
                                           workers=1, time_limit=60))
    assert outcome.ok, outcome.error
    found = json.loads((tmp_path / "s1" / "caches.json").read_text())
    import nbformat

    minor = nbformat.v4.nbformat_minor
    assert [4, minor, False] in [key[1:] for key in found["validators"]]
    assert [4, minor, True] in [key[1:] for key in found["validators"]]
    assert found["engines_reused"]


ENGINE_REUSE_CHECK = """
import json, sys
from pathlib import Path
from nbgrader.api import Base, Gradebook
from sqlalchemy import create_engine
import solidarity_course.instructor.warm_worker  # noqa: F401  (as the worker server does)

folder, found, engines, kept = Path(sys.argv[1]), {}, {}, []
for book, student in (("one", "ada"), ("two", "bo"), ("one", "cy")):
    url = f"sqlite:///{folder / book}.db"
    if not (folder / f"{book}.db").exists():
        engine = create_engine(url)
        Base.metadata.create_all(bind=engine)
        engine.dispose()
    with Gradebook(url, "course") as gb:
        gb.add_student(student)
        found[book] = sorted(s.id for s in gb.students)
        engines.setdefault(book, set()).add(id(gb.engine))
        kept.append(gb.engine)  # alive, so that no later engine can take its id
found["engines"] = {book: len(ids) for book, ids in engines.items()}
found["same engine for both"] = engines["one"] == engines["two"]
print(json.dumps(found))
"""


def test_gradebooks_reopened_in_a_worker_reuse_their_engine_never_another_databases(tmp_path):
    done = subprocess.run([sys.executable, "-c", ENGINE_REUSE_CHECK, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["one"] == ["ada", "cy"] and found["two"] == ["bo"]
    assert found["engines"] == {"one": 1, "two": 1}
    assert not found["same engine for both"]
