"""Autograde: every submission of an assignment, in parallel, with a safe gradebook.

Gradebook safety design (the real gradebook is never locked, corrupted or
left half-written):

1. **Screen** (:mod:`.screen`): students whose notebooks would abort an
   nbgrader batch are reported and left out; the others go on.  So are, for
   an assignment released with variants, notebooks carrying another
   student's variant (copied) or none (:func:`.variants.variant_problems`); the
   others are scored against their own variant.
2. **Resume**: a student is *up to date*, and skipped unless ``force``, when the
   gradebook has the submission with the same timestamp as
   ``submitted/<student>/<assignment>/timestamp.txt`` and the autograded
   notebooks exist.  An interrupted run therefore resumes where it stopped.
3. **Template**: ``generate_assignment`` runs once, in a scratch course, into a
   throwaway SQLite gradebook.  Its cells must equal the real gradebook's (else
   the source changed since release and nothing is graded).
4. **Workers** (:mod:`.parallel`, :mod:`.executor`): each student is graded in
   an isolated course copy with its own copy of the template gradebook, by a
   separate process, several at once.  Workers never open the real gradebook.
   A per-cell timeout (``Execute.timeout``) and a whole-student time limit
   (the worker and its kernel are killed) bound the time.
5. **Import** (parent process only, serially, as each worker finishes): the
   autograded folder is copied beside its target and renamed into place
   (:func:`.atomic.replace_tree`), then the student's grades are written in one
   database transaction (:mod:`.importer`).  A student whose transaction does
   not commit is simply not up to date, and is graded again next run.

SQLite sees one writer at a time; a PostgreSQL gradebook (``COURSE_GRADEBOOK_URL``)
works the same way.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from contextlib import closing
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from . import atomic
from .answer_records import grading_notes
from .cluster import run_on_cluster
from .course import Course, CourseError, CourseGrade
from .executor import Job
from .importer import import_grades, read_worker
from .parallel import default_workers, run_parallel, start_server
from .progress import Progress
from .screen import notices, screen
from .variants import job_variant, load_record, variant_problems
from .worker import LOG_NAME


class GradeStatus(StrEnum):
    """How one student's autograde ended."""

    GRADED = "graded"
    UP_TO_DATE = "up-to-date"
    PROBLEM = "problem"  # screened out: the submission would abort nbgrader
    FAILED = "failed"
    TIMED_OUT = "timed-out"

    @property
    def is_problem(self) -> bool:
        """True when the student needs the instructor's attention."""
        return self not in (GradeStatus.GRADED, GradeStatus.UP_TO_DATE)


@dataclass
class StudentOutcome:
    """One student's result."""

    student: str
    status: GradeStatus
    detail: str = ""
    seconds: float = 0.0


@dataclass
class AutogradeReport:
    """What an autograde run did, per student."""

    assignment: str
    outcomes: list[StudentOutcome] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # limits weaker than asked, opt-outs
    limits: str = ""  # the isolation and limits in force (sandbox.check)

    def students(self, status: GradeStatus) -> list[str]:
        """Students with one status, sorted."""
        return sorted(o.student for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        """True when no student failed, timed out or had a problem."""
        return not any(o.status.is_problem for o in self.outcomes)


def submitted_timestamp(course: Course, assignment: str, student: str):
    """The submission's time from ``timestamp.txt`` (naive UTC), or None."""
    from nbgrader.utils import parse_utc

    stamp = course.submission_dir("submitted", student, assignment) / "timestamp.txt"
    try:
        return parse_utc(stamp.read_text(encoding="utf-8").strip())
    except (OSError, ValueError, OverflowError):
        return None


def is_up_to_date(gb, course: Course, assignment: str, student: str) -> bool:
    """Whether this exact submission is already graded and in the gradebook."""
    from nbgrader.api import MissingEntry

    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return False
    folder = course.submission_dir("autograded", student, assignment)
    if not all((folder / nb.name).exists() for nb in course.source_notebooks(assignment)):
        return False
    return sub.timestamp == submitted_timestamp(course, assignment, student)


def cell_signature(gb, assignment: str) -> dict:
    """The assignment's cells as the gradebook knows them (to compare two gradebooks)."""
    found = {}
    for nb in gb.find_assignment(assignment).notebooks:
        for cell in nb.grade_cells:
            found[(nb.name, "grade", cell.name)] = (cell.max_score, cell.cell_type)
        for cell in nb.solution_cells:
            found[(nb.name, "solution", cell.name)] = None
        for cell in nb.source_cells:
            found[(nb.name, "source", cell.name)] = cell.checksum
    return found


def new_gradebook(db: Path) -> None:
    """An empty SQLite gradebook at ``db``, stamped with nbgrader's schema version.

    What nbgrader's ``Gradebook`` does with a new database, minus the
    ``alembic heads`` subprocess it starts to learn that version (a second
    Python importing nbgrader: seconds, at every autograde).
    """
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{db}")
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"),
                         {"version": ScriptDirectory(ALEMBIC_DIR).get_current_head()})
    finally:
        engine.dispose()


def build_template(course: Course, assignment: str, scratch: Path) -> Path:
    """A throwaway SQLite gradebook holding the assignment, built by generate_assignment."""
    from nbgrader.api import Gradebook

    from .metadata_check import install

    install()  # the schema of nbgrader's cell metadata checked once, not once per cell

    root = scratch / "template"
    shutil.copytree(course.folder("source") / assignment, root / "source" / assignment)
    db = root / "gradebook.db"
    new_gradebook(db)
    config = course.nbgrader_config(
        CourseDirectory__root=str(root), CourseDirectory__db_url=f"sqlite:///{db}",
        CourseDirectory__source_directory="source", CourseDirectory__release_directory="release")
    result = course.api(config).generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise CourseError(f"cannot prepare {assignment}: {result.get('error') or result['log']}")
    with Gradebook(f"sqlite:///{db}", course.course_id) as tgb, course.gradebook() as gb:
        if cell_signature(tgb, assignment) != cell_signature(gb, assignment):
            raise CourseError(f"the source of {assignment} changed since it was released: "
                              f"run 'course-grade release {assignment}' first")
    return db


def sandbox_policy(options: CourseGrade, say, report: AutogradeReport | None = None,
                   scheduler=None) -> str | None:
    """The jail's policy as JSON, or None when the instructor opted out (loudly).

    Raises :class:`CourseError` when the jail is wanted but cannot start (here, or
    with ``scheduler``, on any worker of that Dask cluster): never a silent
    fallback to grading without it.  Limits weaker than the policy
    asks (e.g. no cgroup for a per-jail memory cap) are said here, once, and
    kept in the ``report``.
    """
    from .sandbox import SandboxUnavailable, cgroups, probe
    from .sandbox.check import describe, limits_in_force
    from .sandbox.check import notices as weak_limits

    report = report if report is not None else AutogradeReport("")
    if not options.sandbox:
        warnings.warn("autograde WITHOUT the sandbox: student code runs with your privileges "
                      "and can read source/, the gradebook and other submissions",
                      stacklevel=2)
        say("WARNING: grading without the sandbox (opted out)")
        report.notices.append("graded without the sandbox (opted out)")
        return None
    try:
        if scheduler:
            _probe_cluster(scheduler)
        else:
            probe()
    except SandboxUnavailable as exc:
        raise CourseError(f"the grading sandbox cannot start: {exc}. Fix it, or opt out "
                          "explicitly with --no-sandbox (c.CourseGrade.sandbox = False), "
                          "which lets student code read answers and other students' work"
                          ) from exc
    policy = options.policy()
    jails, _enabled, why = cgroups.delegate_v2()
    report.limits = describe(policy, jails, why)
    weak = weak_limits(limits_in_force(policy, jails))
    for text in weak + ([f"cgroup v2: {why}"] if weak and why else []):
        say(f"NOTICE: {text}")
        report.notices.append(text)
    return policy.to_json()


def _probe_cluster(scheduler) -> None:
    """Raise SandboxUnavailable unless every worker of the cluster can start the jail."""
    from .cluster import check_cluster
    from .sandbox import SandboxUnavailable

    ok, lines = check_cluster(scheduler)
    if not ok:
        raise SandboxUnavailable("not on every Dask worker: " + "; ".join(lines))


def autograde(course: Course, assignment: str, students: list[str] | None = None, *,
              workers: int | None = None, force: bool = False, cell_timeout: int | None = None,
              time_limit: float | None = None, executor: type | str | None = None,
              sandbox: bool | None = None, scheduler=None,
              progress: Progress | None = None) -> AutogradeReport:
    """Grade ``students`` (default: every submission) of ``assignment``.

    ``workers``, ``time_limit``, ``executor`` (a class or ``module.Class``) and
    ``sandbox`` override the course's ``c.CourseGrade`` options when not None.
    With ``scheduler`` (a Dask scheduler address or client; default
    ``c.CourseGrade.scheduler``) the students are graded on that cluster's workers
    (:mod:`.cluster`) instead of local worker processes.  ``progress`` (a
    :class:`.progress.Progress`) is told each message and each finished student.
    """
    from nbgrader.api import MissingEntry

    options = course.options_with(workers=workers, time_limit=time_limit, executor=executor,
                                  sandbox=sandbox)
    report = AutogradeReport(assignment)
    say = progress.say if progress is not None else (lambda _msg: None)
    submitted = course.submitted_students(assignment)
    chosen = students or submitted
    for student in sorted(set(chosen) - set(submitted)):
        report.outcomes.append(StudentOutcome(student, GradeStatus.PROBLEM, "no submission"))
    candidates = sorted(set(chosen) & set(submitted))
    problems = screen(course, assignment, candidates)
    for student, found in variant_problems(course, assignment, candidates).items():
        problems.setdefault(student, []).extend(found)
    record = load_record(course, assignment)
    notes = notices(course, assignment, sorted(set(candidates) - set(problems)))
    for student, found in sorted(problems.items()):
        report.outcomes.append(StudentOutcome(student, GradeStatus.PROBLEM, "; ".join(found)))
    atomic.clean_leftovers(course.folder("autograded"))
    for student in candidates:
        atomic.clean_leftovers(course.folder("autograded") / student)
    with course.gradebook() as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry as exc:
            raise CourseError(f"{assignment} is not in the gradebook: "
                              f"run 'course-grade release {assignment}' first") from exc
        todo = []
        for student in candidates:
            if student in problems:
                continue
            if not force and is_up_to_date(gb, course, assignment, student):
                report.outcomes.append(StudentOutcome(student, GradeStatus.UP_TO_DATE))
            else:
                todo.append(student)
    if not todo:
        return report
    if record is not None and not _scores_variants(options.executor):
        raise CourseError(f"{assignment} was released with variants, which only the default "
                          "executor (safe_executor.SafeExecutor or a subclass) scores; "
                          f"{options.executor.__name__} would grade against one key")
    workers = options.workers or default_workers()
    scheduler = scheduler or options.scheduler or None
    if not scheduler:
        start_server(options.executor)  # the workers' server imports while the template is built
    jail = sandbox_policy(options, say, report, scheduler)
    scratch = Path(tempfile.mkdtemp(prefix=f"course-grade-{assignment}-"))
    try:
        template = build_template(course, assignment, scratch)
        jobs = [Job(assignment, s, str(course.root), str(course.config_file), course.course_id,
                    str(scratch / "work" / s), str(template), cell_timeout, jail,
                    job_variant(course, assignment, s, record)) for s in todo]
        if scheduler:
            say(f"grading {len(jobs)} submission(s) of {assignment} on the Dask cluster "
                f"{scheduler}")
            runner = run_on_cluster(jobs, options.executor, scheduler, options.time_limit,
                                    template)
        else:
            say(f"grading {len(jobs)} submission(s) of {assignment} with {workers} worker(s)")
            runner = run_parallel(jobs, options.executor, workers, options.time_limit)
        if progress is not None:
            progress.start(len(jobs))
        with course.gradebook() as gb, closing(runner) as outcomes:
            for outcome in outcomes:
                student = outcome.job.student
                if outcome.ok:
                    try:
                        _import(course, gb, outcome.job)
                        status = GradeStatus.GRADED
                        detail = "; ".join(notes.get(student, []) + grading_notes(
                            course.submission_dir("autograded", student, assignment)))
                    except Exception as exc:  # one student's bad import never stops the run
                        status = GradeStatus.FAILED
                        detail = f"import failed: {type(exc).__name__}: {exc}"
                else:
                    status = GradeStatus.TIMED_OUT if outcome.timed_out else GradeStatus.FAILED
                    log = keep_worker_log(outcome.job, log_folder(course, assignment))
                    detail = f"{outcome.error} (worker log: {log.relative_to(course.root)})"
                report.outcomes.append(StudentOutcome(student, status, detail, outcome.seconds))
                if progress is not None:
                    progress.done(student, status, detail)
                shutil.rmtree(outcome.job.workdir, ignore_errors=True)
    finally:
        if progress is not None:
            progress.close()
        from .sandbox import cgroups
        from .sandbox_kernel import remove_stale_runtime_dirs

        shutil.rmtree(scratch, ignore_errors=True)
        remove_stale_runtime_dirs()  # of workers killed at the time limit
        cgroups.remove_stale()
    return report


def _scores_variants(executor: type) -> bool:
    """Whether ``executor`` scores each student against their own variant."""
    from .safe_executor import SafeExecutor

    return isinstance(executor, type) and issubclass(executor, SafeExecutor)


#: Lines of a failed student's worker log that are kept.
LOG_LINES = 200


def log_folder(course: Course, assignment: str) -> Path:
    """``reports/autograde-<assignment>/``: failed students' worker logs, the limits in force."""
    return course.root / "reports" / f"autograde-{assignment}"


def keep_worker_log(job: Job, folder: Path) -> Path:
    """The last :data:`LOG_LINES` lines of a job's worker log, as ``<folder>/<student>.log``."""
    try:
        text = (Path(job.workdir) / LOG_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        text = f"(no worker log: {exc})"
    target = folder / f"{job.student}.log"
    atomic.write_text(target, "\n".join(text.splitlines()[-LOG_LINES:]) + "\n")
    return target


def _import(course: Course, gb, job: Job) -> None:
    """Place one worker's autograded folder, then its grades (one transaction)."""
    results = read_worker(job.db_url, job.assignment, job.student)
    atomic.replace_tree(job.path("autograded"),
                        course.submission_dir("autograded", job.student, job.assignment))
    import_grades(gb, results, job.assignment, job.student)
