"""``course-grade``: the instructor's grading round from the command line.

    course-grade [--course DIR] release [ASSIGNMENT ...] [--variants --roster CSV]
    course-grade collect ASSIGNMENT DOWNLOAD.zip|FOLDER [--pattern REGEX] [--roster CSV]
    course-grade autograde ASSIGNMENT [--student ID ...] [--workers N] [--force]
    course-grade formgrader [--port 8888]
    course-grade feedback ASSIGNMENT [--student ID ...]
    course-grade export [ASSIGNMENT ...] [--out DIR] [--lms canvas|moodle [--allow-ungraded]]
    course-grade bank [ASSIGNMENT ...] --format qti|moodle|gift -o FILE
    course-grade report [ASSIGNMENT ...] [--out DIR]
    course-grade synth ASSIGNMENT --students N [--zip FILE --style canvas|moodle]
    course-grade check
    course-grade options

The course is the folder named by ``--course``, else the current folder or the
nearest folder above it that holds ``nbgrader_config.py``; every run names it.
Every step can be re-run safely.  Exit status: 0 when everything went through,
1 when some file or student needs attention (listed), 2 when the step could not
run (one line says why: a misspelt assignment gets the valid names), 3 on an
internal error (one line and the path of the full log).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from . import atomic
from .course import Course, CourseError, ensure_venv_on_path


def _table(rows: list[list[str]], header: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _counts(counts: Counter) -> str:
    """``status: n, ...`` sorted by status."""
    return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))


def cmd_release(course: Course, args) -> int:
    from .release import release
    from .variants import read_roster

    roster, problems = None, []
    if args.variants:
        path = args.roster or (course.root / course.options.roster
                               if course.options.roster else None)
        if path is None:
            print("course-grade release: --variants needs --roster CSV (a student_id column)",
                  file=sys.stderr)
            return 2
        roster, problems = read_roster(path)
    for problem in problems:
        print(f"  {problem}")
    results = release(course, args.assignments or None, roster)
    if not results:
        raise CourseError(f"nothing to release: {course.folder('source')} has no assignment "
                          "folder (one folder per assignment, with its notebook)")
    for r in results:
        print(f"{r.assignment}: {'OK' if r.ok else 'FAILED'}: {r.message}")
        for path, leaks in r.leaks.items():
            print(f"  {path}: " + "; ".join(leaks))
        if r.variants is not None:
            for student, slots in sorted(r.variants.redrawn.items()):
                print(f"  {student}: drawn again (the bank changed): {', '.join(slots)}")
            print(f"  variants: {r.variants.record}; for the LMS: {r.variants.zip_path}")
    return 0 if all(r.ok for r in results) and not problems else 1


def cmd_collect(course: Course, args) -> int:
    from .collect import CollectStatus, collect

    report = collect(course, args.assignment, args.download, args.pattern, args.roster)
    out = args.report or course.root / "reports" / f"collect-{args.assignment}.csv"
    atomic.write_text(Path(out), report.to_csv())
    for row in report.rows:
        if row.status not in (CollectStatus.COLLECTED, CollectStatus.UNCHANGED):
            print(f"{row.status:>16}  {row.entry}  {row.detail}")
    print(f"{args.assignment}: {_counts(report.counts())}. Per-file report: {out}")
    return 1 if report.problems else 0


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


def cmd_autograde(course: Course, args) -> int:
    from . import worker_server

    if not (args.scheduler or course.config.CourseGrade.get("scheduler")):
        # Started before the imports below, so that the workers' imports overlap ours.
        worker_server.start(course.executor_module(args.executor))
    from .autograde import GradeStatus, autograde, log_folder
    from .progress import Progress, summary

    # Stopped by kill or a closed terminal: unwind like Ctrl-C, so that the scratch
    # folder of student work in the temporary folder is removed and workers are killed.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)

    report = autograde(course, args.assignment, args.student or None, workers=args.workers,
                       force=args.force, cell_timeout=args.cell_timeout,
                       time_limit=args.time_limit, executor=args.executor,
                       sandbox=args.sandbox, scheduler=args.scheduler, progress=Progress())
    out = course.root / "reports" / f"autograde-{args.assignment}.csv"
    rows = [[o.student, o.status, f"{o.seconds:.1f}", o.detail]
            for o in sorted(report.outcomes, key=lambda o: o.student)]
    atomic.write_text(out, _table(rows, ["student", "status", "seconds", "detail"]))
    limits = log_folder(course, args.assignment) / "limits.txt"
    atomic.write_text(limits, (report.limits or "isolation: NONE (no sandbox)\n")
                      + "".join(f"NOTICE: {text}\n" for text in report.notices))
    for o in report.outcomes:
        if o.status.is_problem:
            print(f"{o.status:>10}  {o.student}  {o.detail}")
    counts = Counter(o.status for o in report.outcomes)
    graded = set(report.students(GradeStatus.GRADED) + report.students(GradeStatus.UP_TO_DATE))
    totals, maximum = _totals(course, args.assignment, graded)
    print(f"{args.assignment}: {summary(counts, totals, maximum)}. Per-student report: {out}")
    for text in report.notices:
        print(f"NOTICE: {text} (see {limits})")
    return 0 if report.ok else 1


def _totals(course: Course, assignment: str, students: set[str]) -> tuple[list[float], float]:
    """The gradebook totals of ``students`` and the maximum of ``assignment``."""
    from .export import question_table

    if not students:
        return [], 0.0
    with course.gradebook() as gb:
        _columns, rows = question_table(gb, assignment)
    return ([r["total"] for r in rows if r["student_id"] in students],
            rows[0]["max"] if rows else 0.0)


def cmd_check(course: Course, args) -> int:
    scheduler = args.scheduler or course.options.scheduler
    if not scheduler:
        from .sandbox.check import main as check

        return check(course.options.policy())
    from .cluster import check_cluster

    ok, lines = check_cluster(scheduler)
    print(f"Dask cluster at {scheduler}:")
    for line in lines:
        print("  " + line)
    return 0 if ok else 1


def cmd_feedback(course: Course, args) -> int:
    from .feedback import feedback

    report = feedback(course, args.assignment, args.student or None)
    print(f"{args.assignment}: feedback written for {len(report.written)} student(s) in "
          f"{course.folder('feedback')}")
    if report.needs_manual:
        print("essays still to grade by hand (their page says so): "
              + ", ".join(report.needs_manual))
    for student, why in report.failed.items():
        print(f"    failed  {student}  {why}")
    return 1 if report.failed else 0


def cmd_export(course: Course, args) -> int:
    from .export import export

    out = args.out or course.root / "exports"
    for path in export(course, args.assignments or None, out, args.allow_ungraded, args.due):
        print(path)
    if not args.lms:
        return 0
    from ..lms.gradebook import lms_grades

    if not args.assignments:
        print("course-grade export: --lms needs the assignment(s) to write", file=sys.stderr)
        return 2
    status = 0
    for assignment in args.assignments:
        result = lms_grades(course, assignment, args.lms, out, roster=args.roster,
                            allow_ungraded=args.allow_ungraded, column=args.lms_column,
                            moodle_field=args.moodle_field, due=args.due)
        print(f"{result.path} ({len(result.written)} student(s) for {args.lms})")
        for student in result.ungraded:
            print(f"  ungraded  {student}: total written without the missing manual grade")
        for student, why in result.unmapped:
            print(f"  unmapped  {student}: {why}")
        status = max(status, 1 if result.unmapped else 0)
    return status


def cmd_bank(course: Course | None, args) -> int:
    from ..lms.bank_export import export_bank

    try:
        # In a course with a private bank, the bank merged with it; else the book's bank.
        private = course if course is not None and course.private_bank_dir is not None else None
        result = export_bank(args.format, args.output, args.assignments or None,
                             bank=private.bank() if private else None,
                             data=private.bank_data() if private else None)
    except ValueError as exc:
        print(f"course-grade bank: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.counts.items()))
    print(f"wrote {result.path} ({args.format}; {sum(result.counts.values())} questions: {counts})")
    for item in result.notes:
        print(f"    note  {item.chapter}/{item.id}: {item.reason}")
    for item in result.skipped:
        print(f" skipped  {item.chapter}/{item.id}: {item.reason}")
    return 1 if result.skipped else 0


def cmd_report(course: Course, args) -> int:
    from .report import report

    for path in report(course, args.assignments or None, args.out or course.root / "reports"):
        print(path)
    return 0


def cmd_formgrader(course: Course, args) -> int:
    print(f"Formgrader: http://127.0.0.1:{args.port}/formgrader  (course {course.root}; "
          "the login token is printed below; Ctrl-C stops it)")
    command = [sys.executable, "-m", "jupyter", "server", "--ip=127.0.0.1", f"--port={args.port}",
               "--no-browser", f"--ServerApp.root_dir={course.root}"]
    if os.geteuid() == 0:  # a container's root: Jupyter refuses to start unless told
        print("course-grade: running as root; the server listens on 127.0.0.1 only",
              file=sys.stderr)
        command.append("--ServerApp.allow_root=True")
    return subprocess.call(command, cwd=course.root)


def cmd_migrate(course: Course, args) -> int:
    from .migrate import migrate

    result = migrate(course.db_url, args.to)
    for table, rows in result.rows.items():
        print(f"{table:>22}: {rows} row(s) copied and verified")
    print(f"copied {result.total} rows from {result.source} to {result.target}.\n"
          "To use it, set in nbgrader_config.py:\n"
          f"    c.CourseDirectory.db_url = {args.to!r}")
    return 0


def cmd_synth(course: Course, args) -> int:
    from .synthetic import make_class

    existing = course.submitted_students(args.assignment)
    if existing and not args.zip and not args.force:
        raise CourseError(f"{args.assignment} already has {len(existing)} submission(s) in "
                          f"{course.folder('submitted')}; invented students would be mixed "
                          "with them: write a zip (--zip FILE) or pass --force")
    cls = make_class(course, args.assignment, args.students, args.seed)
    if args.zip:
        cls.write_zip(args.zip, args.style, args.drafts)
        print(f"wrote {args.zip} ({args.style} names, {args.students} students)")
        if args.style == "moodle":
            roster = Path(args.zip).with_suffix(".roster.csv")
            atomic.write_text(roster, cls.roster_csv())
            print(f"wrote {roster} (use: collect ... --roster {roster})")
    else:
        cls.write_submitted(course.folder("submitted"))
        print(f"wrote {args.students} submissions to {course.folder('submitted')}")
    if args.expected:
        atomic.write_text(Path(args.expected), cls.expected_json())
        print(f"wrote expected scores to {args.expected}")
    return 0


def cmd_options(course: Course, args) -> int:
    from .course import CourseGrade

    print(f"# {course.config_file}\n")
    print(CourseGrade.class_config_section())
    return 0


#: Explained the same way in every subcommand's help.
ASSIGNMENT_HELP = "the assignment's name: its folder under source/, e.g. 02-october-1917"
ASSIGNMENTS_HELP = ("assignment names (folders under source/, e.g. 02-october-1917); "
                    "default: every {}")


def _sub(sub, name: str, summary: str, description: str, example: str):
    """A subcommand whose --help has a description and an example."""
    return sub.add_parser(name, help=summary, description=textwrap.fill(description, 79),
                          epilog="example:\n  " + example,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (every subcommand's --help has a description and an example)."""
    parser = argparse.ArgumentParser(
        prog="course-grade", description=__doc__.splitlines()[0].replace("``", ""),
        epilog=textwrap.fill("The course is the folder with nbgrader_config.py: --course DIR, "
                             "else the current folder or the nearest one above it. "
                             "'course-grade COMMAND --help' explains each command.", 79)
               + "\n\nexample:\n  cd ~/history101 && course-grade release 02-october-1917",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", type=Path, default=None,
                        help="the nbgrader course folder (default: the current folder or the "
                             "nearest folder above it that has nbgrader_config.py)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _sub(sub, "release", "generate student versions and check them for keys",
             "Write the student version of each assignment into release/ (nbgrader's "
             "generate_assignment), record it in the gradebook, and check that no answer key "
             "reached the student version. With --variants, also one notebook per student "
             "on the roster, drawn from the course secret (shuffled options, pools).",
             "course-grade release 02-october-1917\n"
             "  course-grade release 02-october-1917 --variants --roster roster.csv")
    p.add_argument("assignments", nargs="*", help=ASSIGNMENTS_HELP.format("folder in source/"))
    p.add_argument("--variants", action="store_true",
                   help="also write one notebook per student (shuffled options, pools): "
                        "release/ASSIGNMENT/STUDENT/, and a zip for the LMS")
    p.add_argument("--roster", type=Path, default=None,
                   help="CSV with a student_id column (default: c.CourseGrade.roster)")
    p.set_defaults(func=cmd_release, source_assignments=True)

    p = _sub(sub, "collect", "put an LMS download (zip or folder) into submitted/",
             "Put the notebooks of a Canvas or Moodle download into submitted/<student>/"
             "<assignment>/, keeping each student's newest file, the submission time and "
             "Canvas's LATE marker. Every file gets a line in reports/collect-ASSIGNMENT.csv.",
             "course-grade collect 02-october-1917 ~/Downloads/submissions.zip "
             "--roster roster.csv")
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("download", type=Path, help="the LMS zip file, or a folder")
    p.add_argument("--pattern", action="append", default=[],
                   help="extra file-name regex with (?P<student_id>...) [and (?P<file_id>...)]")
    p.add_argument("--roster", type=Path, default=None,
                   help="CSV with columns lms_id,student_id")
    p.add_argument("--report", type=Path, default=None,
                   help="per-file report CSV (default: reports/collect-ASSIGNMENT.csv)")
    p.set_defaults(func=cmd_collect, source_assignments=True)

    p = _sub(sub, "autograde", "grade submissions in parallel, safely, resumably",
             "Grade every collected submission of an assignment: each student in a jail, "
             "several at once, with a time limit; grades go into the gradebook. A re-run "
             "grades only new or changed submissions. Shows progress and ends with a summary.",
             "course-grade autograde 02-october-1917 --workers 4")
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("--student", action="append", default=[], help="only this student (repeat)")
    p.add_argument("--workers", type=int, default=None,
                   help="parallel workers (default: 2 per core)")
    p.add_argument("--force", action="store_true", help="regrade students already graded")
    p.add_argument("--cell-timeout", type=int, default=None,
                   help="seconds per cell (default: Execute.timeout of the config)")
    p.add_argument("--time-limit", type=float, default=None,
                   help="seconds for one student's whole grading "
                        "(default: c.CourseGrade.time_limit, 300)")
    p.add_argument("--executor", default=None,
                   help="module.Class of a custom executor (default: c.CourseGrade.executor)")
    p.add_argument("--no-sandbox", dest="sandbox", action="store_false", default=None,
                   help="UNSAFE: run student kernels without the bubblewrap jail")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="grade on this Dask cluster instead of local workers "
                        "(default: c.CourseGrade.scheduler)")
    p.set_defaults(func=cmd_autograde, released_assignments=True)

    p = _sub(sub, "migrate", "copy the gradebook to another database, verified",
             "Copy the course's gradebook (e.g. the SQLite file) into an EMPTY database and "
             "verify every row.",
             "course-grade migrate --to postgresql+psycopg://grader@db.example.org/history101")
    p.add_argument("--to", required=True, metavar="URL", help="SQLAlchemy URL of the target")
    p.set_defaults(func=cmd_migrate)

    p = _sub(sub, "formgrader", "start nbgrader's formgrader on 127.0.0.1",
             "Start a Jupyter server with nbgrader's formgrader, to grade the essays by hand "
             "(open the address printed, with its token).",
             "course-grade formgrader --port 8888")
    p.add_argument("--port", type=int, default=8888)
    p.set_defaults(func=cmd_formgrader)

    p = _sub(sub, "feedback", "per-student feedback pages",
             "Write one page per student into feedback/<student>/<assignment>/: each question "
             "with the student's answer and the points, partial credit explained, the essay's "
             "rubric marks and comments. The right answers and explanations are shown only "
             "when c.CourseGrade.show_keys_after_deadline is True. Run it after manual grading.",
             "course-grade feedback 02-october-1917 --student s001")
    p.add_argument("assignment", help=ASSIGNMENT_HELP)
    p.add_argument("--student", action="append", default=[], help="only this student (repeat)")
    p.set_defaults(func=cmd_feedback, released_assignments=True)

    p = _sub(sub, "export", "grades CSV and per-question CSV (and an LMS gradebook file)",
             "Write exports/grades.csv (one row per student and assignment, with late "
             "penalties) and exports/ASSIGNMENT-questions.csv (points per question). Refuses "
             "while essays wait for a manual grade, unless --allow-ungraded (then marked in "
             "the ungraded column).",
             "course-grade export 02-october-1917 --lms canvas --due '2026-10-25 23:59'")
    p.add_argument("assignments", nargs="*", help=ASSIGNMENTS_HELP.format("released one"))
    p.add_argument("--out", type=Path, default=None, help="folder (default: exports/)")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM'",
                   help="due date of the assignment(s), UTC unless an offset like +01:00 is "
                        "given (default: c.CourseGrade.due_dates)")
    p.add_argument("--lms", choices=["canvas", "moodle"], default=None,
                   help="also write the gradebook CSV this LMS imports")
    p.add_argument("--allow-ungraded", action="store_true",
                   help="write totals of students still missing a manual grade (marked)")
    p.add_argument("--roster", type=Path, default=None,
                   help="CSV lms_id,student_id with optional name, email, idnumber, username, "
                        "sis_user_id, sis_login_id, section (default: the course's roster)")
    p.add_argument("--lms-column", default=None,
                   help="grade column title, e.g. the Canvas assignment 'Quiz 2 (1234)' "
                        "(default: the assignment name)")
    p.add_argument("--moodle-field", choices=["email", "idnumber", "username"],
                   default="email", help="the Moodle user field that identifies a student")
    p.set_defaults(func=cmd_export, released_assignments=True)

    p = _sub(sub, "bank", "the question bank as QTI (Canvas), Moodle XML or GIFT",
             "Export the book's question bank for an LMS quiz. No course is needed; in a "
             "course (or with --course) its private bank, if it has one, is included.",
             "course-grade bank 02-october-1917 --format qti -o october.zip")
    p.add_argument("assignments", nargs="*", help="chapters (default: every chapter)")
    p.add_argument("--format", required=True, choices=["qti", "moodle", "gift"])
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="the file to write (.zip for qti, .xml for moodle, .gift/.txt for gift)")
    p.set_defaults(func=cmd_bank, needs_course="optional")

    p = _sub(sub, "report", "item analysis: HTML page with charts, and CSV",
             "Item analysis from the gradebook: reports/item-analysis.html (score "
             "distribution, each question's option choices, flagged questions explained) and "
             "CSV files per assignment.",
             "course-grade report 02-october-1917")
    p.add_argument("assignments", nargs="*", help=ASSIGNMENTS_HELP.format("released one"))
    p.add_argument("--out", type=Path, default=None, help="folder (default: reports/)")
    p.set_defaults(func=cmd_report, released_assignments=True)

    p = _sub(sub, "synth", "a synthetic class with known scores (rehearsal, tests)",
             "Invent a class of students who answer a released assignment right, partly, "
             "wrong, blank or in a wrong format, with the score each should get: to rehearse "
             "the round or test a setup. Writes submitted/ folders (refused if the assignment "
             "already has submissions, unless --force) or an LMS zip (--zip).",
             "course-grade synth 02-october-1917 --students 6 --seed 1 --zip class.zip")
    p.add_argument("assignment", help=ASSIGNMENT_HELP + " (released)")
    p.add_argument("--students", "-n", type=int, default=30,
                   help="how many invented students (default: 30)")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed: the same seed gives the same students, answers and "
                        "expected scores (default: 0)")
    p.add_argument("--zip", type=Path, default=None,
                   help="write an LMS zip instead of submitted/ folders")
    p.add_argument("--style", choices=["canvas", "moodle"], default="canvas")
    p.add_argument("--drafts", type=int, default=0, help="students who also have an older draft")
    p.add_argument("--expected", type=Path, default=None, help="write expected scores (JSON)")
    p.add_argument("--force", action="store_true",
                   help="write into submitted/ even if the assignment has submissions there")
    p.set_defaults(func=cmd_synth, released_assignments=True)

    p = _sub(sub, "check", "start a test jail; print the isolation and limits "
                           "really in force here (or on every Dask worker)",
             "Start a test jail and print the isolation and limits really in force on this "
             "machine; with --scheduler, ask every worker of that Dask cluster instead.",
             "course-grade check --scheduler tcp://grader1.example.org:8786")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="check the workers of this Dask cluster (default: "
                        "c.CourseGrade.scheduler; none: this machine)")
    p.set_defaults(func=cmd_check)

    p = _sub(sub, "options", "the c.CourseGrade options with their help and defaults",
             "Print every c.CourseGrade option of nbgrader_config.py with its help and default.",
             "course-grade options")
    p.set_defaults(func=cmd_options)
    return parser


def _named_assignments(args) -> list[str]:
    return list(getattr(args, "assignments", None) or []) + (
        [args.assignment] if getattr(args, "assignment", None) else [])


def _crash_log(exc: BaseException, course: Course | None) -> Path:
    """Write the traceback of an unexpected error to a log file; its path."""
    import tempfile
    import traceback
    from datetime import datetime

    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folders = ([course.root / "reports"] if course else []) + [Path(tempfile.gettempdir())]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"course-grade-error-{stamp}.log"
            path.write_text(" ".join(sys.argv) + "\n" + text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("(the log could not be written)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``course-grade``."""
    args = build_parser().parse_args(argv)
    ensure_venv_on_path()  # run by its full path, the venv's tools (alembic, jupyter) are found
    course = None
    try:
        needs = getattr(args, "needs_course", True)
        if needs == "optional":  # used when there is one (its private bank), else none
            try:
                course = Course.find(args.course)
            except CourseError:
                if args.course is not None:
                    raise
        elif needs:
            course = Course.find(args.course)
            print(f"course-grade: course {course.root}", file=sys.stderr)
            course.options  # noqa: B018 (a wrong CourseGrade option stops every command here)
            names = _named_assignments(args)
            if getattr(args, "source_assignments", False) or getattr(
                    args, "released_assignments", False):
                course.check_assignments(names, getattr(args, "released_assignments", False))
        return args.func(course, args)
    except CourseError as exc:
        print(f"course-grade: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("course-grade: interrupted; finished students are saved, re-run to resume",
              file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not a user mistake: one line and the full log
        log = _crash_log(exc, course)
        print(f"course-grade: internal error ({type(exc).__name__}: {str(exc)[:200]}); "
              f"the full log is in {log}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
