"""The instructor's round as a new instructor meets it (issue 16).

Course discovery, one-line errors for user mistakes (a misspelt assignment in
every subcommand), the command run by its full path without the virtual
environment, ``--help`` texts, synth's refusal, the feedback page, late work from
a Canvas and a Moodle download, export's refusal of ungraded totals, and the
progress lines of autograde.  Small synthetic classes (3–4 students).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import chromium  # noqa: F401 (fixture)
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor import cli
from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.collect import collect
from solidarity_course.instructor.course import Course
from solidarity_course.instructor.export import UngradedError, export
from solidarity_course.instructor.feedback import feedback
from solidarity_course.instructor.late import lateness, parse_due
from solidarity_course.instructor.progress import Progress, summary
from solidarity_course.instructor.synthetic import make_class
from solidarity_course.paths import EXERCISES_DIR
from solidarity_course.quiz import model

ESSAY = f"{CHAPTER}-essay"
COMMANDS = ["release", "collect", "autograde", "feedback", "export", "report", "synth"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course of 4 students collected from a Canvas zip (the 4th marked LATE), autograded."""
    base = tmp_path_factory.mktemp("round")
    course = make_course(base / "course")
    cls = make_class(course, CHAPTER, 4, seed=5)
    download = cls.write_zip(base / "canvas.zip", "canvas")
    collect(course, CHAPTER, download)
    result = autograde(course, CHAPTER, workers=2)
    assert result.students("graded") == [s.student_id for s in cls.students], result.outcomes
    return course, cls, base


def _with_config(course: Course, *lines: str) -> Course:
    """The same course with ``lines`` added to its configuration (a fresh Course object)."""
    config = course.config_file.read_text(encoding="utf-8")
    course.config_file.write_text(config + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return Course(course.root)


@pytest.fixture
def restore_config(graded):
    course = graded[0]
    saved = course.config_file.read_text(encoding="utf-8")
    yield
    course.config_file.write_text(saved, encoding="utf-8")


# --- finding the course --------------------------------------------------------------


def test_the_course_is_found_from_a_subfolder_and_named(tmp_path, monkeypatch, capsys):
    shutil.copy(EXERCISES_DIR / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    deep = tmp_path / "submitted" / "someone"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert cli.main(["options"]) == 0
    assert f"course-grade: course {tmp_path.resolve()}" in capsys.readouterr().err


def test_outside_a_course_it_stops_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no course here" in err[0] and "--course" in err[0]
    assert not list(tmp_path.iterdir())  # nothing written anywhere here


def test_the_repository_exercises_are_never_a_fallback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception, match="no course here"):
        Course.find()


# --- errors a person can act on ---------------------------------------------------------


def _arguments(command: str, name: str, base: Path) -> list[str]:
    extra = {"collect": [str(base / "canvas.zip")], "synth": ["-n", "3", "--zip",
                                                           str(base / "x.zip")]}
    return [command, name, *extra.get(command, [])]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_misspelt_assignment_gets_the_valid_names_and_the_nearest(graded, capsys, command):
    course, _cls, base = graded
    code = cli.main(["--course", str(course.root), *_arguments(command, "99-smaple", base)])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0] == f"course-grade: course {course.root}", err
    assert "no assignment '99-smaple'" in lines[1] and "did you mean '99-sample'?" in lines[1]
    assert "assignments: 99-sample" in lines[1] and "Traceback" not in out + err


def test_a_source_assignment_not_yet_released_is_named_as_such(graded, capsys):
    course = graded[0]
    (course.folder("source") / "98-draft").mkdir()
    try:
        assert cli.main(["--course", str(course.root), "report", "98-draft"]) == 2
        assert "not released yet: run 'course-grade release 98-draft'" in capsys.readouterr().err
    finally:
        (course.folder("source") / "98-draft").rmdir()


@pytest.mark.parametrize(("extra", "said"), [
    (["--pattern", "(?P<student_id"], "is not a regular expression"),
    (["--pattern", "^(?P<who>.+)$"], "has no named group (?P<student_id>...)"),
    (["--roster", "no-such-roster.csv"], "cannot read it"),
])
def test_collect_options_that_cannot_work_are_one_line(graded, capsys, extra, said):
    course, _cls, base = graded
    assert cli.main(["--course", str(course.root), "collect", CHAPTER,
                     str(base / "canvas.zip"), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and said in err[1] and "Traceback" not in err[1]


def test_a_bug_is_one_line_and_a_log(graded, capsys, monkeypatch):
    course = graded[0]

    def broken(_course, _args):
        raise ZeroDivisionError("a bug in the tool")

    monkeypatch.setattr(cli, "cmd_report", broken)
    assert cli.main(["--course", str(course.root), "report", CHAPTER]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "internal error (ZeroDivisionError: a bug in the tool)" in err[1]
    log = Path(re.search(r"the full log is in (\S+)$", err[1]).group(1))
    assert log.is_file() and "Traceback" in log.read_text() and log.parent == course.root / \
        "reports"
    log.unlink()


def test_the_installed_command_works_by_full_path_without_the_venv(graded, tmp_path):
    course = graded[0]
    command = Path(sys.executable).with_name("course-grade")
    env = {"HOME": os.environ.get("HOME", str(tmp_path)), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([str(command), "export", CHAPTER, "--allow-ungraded", "--out",
                          str(tmp_path)], cwd=course.root / "source", env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "grades.csv").is_file() and "Traceback" not in run.stderr


def test_every_subcommand_help_has_a_description_and_an_example(capsys):
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        out = capsys.readouterr().out
        assert f"usage: course-grade {name}" in out
        assert "\nexample:\n  course-grade " in out, name
        description = out.split("\n\n")[1]
        assert len(description.split()) >= 5, (name, description)
    with pytest.raises(SystemExit):
        cli.main(["synth", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "its folder under source/" in out and "how many invented students" in out
    assert "the same seed gives the same students" in out


def test_synth_refuses_a_course_with_submissions_unless_forced(tmp_path, capsys):
    course = make_course(tmp_path / "course")
    args = ["--course", str(course.root), "synth", CHAPTER, "-n", "3"]
    assert cli.main(args) == 0 and len(course.submitted_students(CHAPTER)) == 3
    assert cli.main(["--course", str(course.root), "synth", CHAPTER, "-n", "5"]) == 2
    assert "already has 3 submission(s)" in capsys.readouterr().err
    assert len(course.submitted_students(CHAPTER)) == 3  # nothing written
    assert cli.main([*args[:-1], "5", "--force"]) == 0
    assert len(course.submitted_students(CHAPTER)) == 5


# --- feedback students can read -----------------------------------------------------


def _page(course: Course, student: str) -> str:
    return (course.submission_dir("feedback", student, CHAPTER) / f"{CHAPTER}.html").read_text(
        encoding="utf-8")


def test_feedback_page_shows_questions_answers_and_the_essay(graded, restore_config):
    course, cls, _base = graded
    first = cls.students[0].student_id
    with course.gradebook() as gb:  # the instructor grades one essay, with a comment
        sub = gb.find_submission(CHAPTER, first)
        grade = gb.find_grade(ESSAY, CHAPTER, CHAPTER, first)
        grade.manual_score = 2.5
        comment = next(c for nb in sub.notebooks for c in nb.comments if c.name == ESSAY)
        comment.manual_comment = "Good use of the 1957 <b>book</b>."
        gb.db.commit()
    report = feedback(course, CHAPTER)
    assert sorted(report.written) == sorted(s.student_id for s in cls.students)
    page = _page(course, first)
    for graded_q in cls.questions:
        q = graded_q.question
        assert q.prompt.strip().split("\n")[0][:30] in page, q.id
        assert q.type_label in page
    assert page.count("<dt>Your answer</dt>") == len(cls.questions)
    assert "<h2 id=\"essay1\">Short essay</h2>" in page
    assert "Mark: 2.5 of 3" in page and "Good use of the 1957 &lt;b&gt;book&lt;/b&gt;." in page
    assert "| Accurate |" not in page and "<td>Accurate</td>" in page  # the rubric as a table
    assert report.needs_manual and first not in report.needs_manual
    for student in report.needs_manual:
        assert "Short essay: not yet graded." in _page(course, student)
        assert "not all graded yet" in _page(course, student)
    multi = next(g.question for g in cls.questions if isinstance(g.question, model.MultipleSelect))
    assert multi.partial_rule in page  # partial credit explained
    # nothing of the grader, no test cell, nothing loaded from elsewhere, no key yet
    for absent in ("Test cell", "grade(", "BEGIN HIDDEN", "solidarity_course.quiz",
                   "Right answer", "http://", "https://", "<script", "<link"):
        assert absent not in page, absent
    assert 'http-equiv="Content-Security-Policy"' in page
    assert "right answers and explanations will be shown after the deadline" in page


def test_feedback_shows_keys_and_explanations_when_allowed(graded, restore_config):
    course, cls, _base = graded
    course = _with_config(course, "c.CourseGrade.show_keys_after_deadline = True")
    student = cls.students[0]
    feedback(course, CHAPTER, [student.student_id])
    page = _page(course, student.student_id)
    single = next(g.question for g in cls.questions if isinstance(g.question, model.SingleChoice))
    key_text = next(o.text for o in single.options if o.id == single.answer)
    assert page.count("Right answer") == len(cls.questions)
    assert f"<dt>Right answer</dt><dd>{key_text}</dd>" in page
    assert "<h3>Explanation</h3>" in page
    feedback(course, CHAPTER, [student.student_id])  # (restored by the fixture afterwards)


def test_a_number_given_as_text_is_scored_as_that_number_and_says_so(graded):
    course, cls, _base = graded
    numeric = next(g.question for g in cls.questions if isinstance(g.question, model.Numeric))
    feedback(course, CHAPTER)
    for s in cls.students:
        response = s.responses[numeric.id]
        page = _page(course, s.student_id)
        note = f"Your answer was the text “{str(response).strip()}”; it was read as the number"
        if isinstance(response, str) and re.fullmatch(r"\s*[\d.]+\s*", response):
            assert note in page and s.expected[numeric.id] > 0
        else:
            assert "it was read as the number" not in page


def test_the_notebook_format_check_and_the_scoring_read_numbers_alike():
    from solidarity_course.quiz.assignments import FORMAT_CHECK_SOURCE
    from solidarity_course.quiz.scoring import NUMBER_TEXT

    namespace: dict = {}
    exec(FORMAT_CHECK_SOURCE, namespace)  # the student's helper, as released
    assert namespace["NUMBER"] == NUMBER_TEXT.pattern
    spec = {"id": "n", "type": "numeric"}
    out = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        namespace["check_format"](spec, "17")
        namespace["check_format"](spec, "seventeen")
    finally:
        sys.stdout = sys_stdout
    lines = out.getvalue().splitlines()
    assert lines[1] == "Format OK. Note: the text '17' will be read as the number 17."
    assert lines[3].startswith("Format problem: give a number")


# --- late work --------------------------------------------------------------------------


def _rows(path: Path) -> dict[str, dict]:
    return {r["student_id"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}


def test_canvas_late_marker_is_kept_and_flagged(graded, tmp_path):
    course, cls, _base = graded
    late_student = cls.students[3].student_id  # the synthetic Canvas zip marks index 3 LATE
    export(course, [CHAPTER], tmp_path, allow_ungraded=True)
    grades = _rows(tmp_path / "grades.csv")
    questions = _rows(tmp_path / f"{CHAPTER}-questions.csv")
    for s in cls.students:
        marked = s.student_id == late_student
        assert ("Canvas LATE marker" in grades[s.student_id]["late"]) == marked
        assert ("Canvas LATE marker" in questions[s.student_id]["late"]) == marked
        assert float(grades[s.student_id]["late_submission_penalty"]) == 0  # flag only
    assert "flag only" in grades[late_student]["late"]
    feedback(course, CHAPTER)  # the student is told too
    assert "Submitted late (Canvas LATE marker); flag only." in _page(course, late_student)
    assert "Submitted late" not in _page(course, cls.students[0].student_id)


def test_a_due_date_and_a_penalty_policy_take_points_off(graded, tmp_path, restore_config):
    course, cls, _base = graded
    course = _with_config(course, "c.CourseGrade.late_penalty_per_day = 10",
                          "c.CourseGrade.due_dates = {'99-sample': '2025-03-14 12:01'}")
    export(course, [CHAPTER], tmp_path, allow_ungraded=True)
    grades = _rows(tmp_path / "grades.csv")
    questions = _rows(tmp_path / f"{CHAPTER}-questions.csv")
    for i, s in enumerate(cls.students):  # handed in at 12:00, 12:01, 12:02, 12:03
        row, qrow = grades[s.student_id], questions[s.student_id]
        assert row["duedate"] == "2025-03-14 12:01:00"
        penalty = 0.0 if i < 2 else min(float(row["raw_score"]), 0.1 * float(row["max_score"]))
        assert float(row["late_submission_penalty"]) == pytest.approx(penalty)
        assert float(row["score"]) == pytest.approx(float(row["raw_score"]) - penalty)
        assert float(qrow["total"]) == pytest.approx(float(row["score"]))
        assert float(qrow["late_penalty"]) == pytest.approx(penalty)
        assert bool(row["late"]) == (i >= 2)
    # --due on the command line wins over the configuration
    assert cli.main(["--course", str(course.root), "export", CHAPTER, "--allow-ungraded",
                     "--out", str(tmp_path), "--due", "2025-03-14T13:00+01:00"]) == 0
    grades = _rows(tmp_path / "grades.csv")
    assert [bool(grades[s.student_id]["late"]) for s in cls.students] == [
        False, True, True, True]  # 13:00+01:00 is 12:00 UTC: only the first is on time


def test_moodle_submission_time_is_kept_and_flagged(tmp_path):
    course = make_course(tmp_path / "course")
    cls = make_class(course, CHAPTER, 3, seed=2)
    download = cls.write_zip(tmp_path / "moodle.zip", "moodle")
    roster = tmp_path / "roster.csv"
    roster.write_text(cls.roster_csv(), encoding="utf-8")
    collect(course, CHAPTER, download, roster=roster)
    stamps = [(course.submission_dir("submitted", s.student_id, CHAPTER) / "timestamp.txt")
              .read_text().strip() for s in cls.students]
    assert stamps == [f"2025-03-14 12:0{i}:00.000000 UTC" for i in range(3)]
    assert autograde(course, CHAPTER, workers=2).ok
    assert cli.main(["--course", str(course.root), "export", CHAPTER, "--allow-ungraded",
                     "--due", "2025-03-14 12:01", "--out", str(tmp_path / "out")]) == 0
    grades = _rows(tmp_path / "out" / "grades.csv")
    assert [grades[s.student_id]["late"] for s in cls.students] == [
        "", "", "late (1 day); flag only"]


def test_lateness_policy_rules():
    due = parse_due("2026-10-25 23:59+01:00")
    assert str(due) == "2026-10-25 22:59:00"
    on_time = lateness(due, due, marked=False, per_day=10)
    assert not on_time.late and on_time.text() == ""
    three = lateness(parse_due("2026-10-28 00:00"), due, marked=False, per_day=10, cap=25)
    assert (three.days, three.penalty_percent) == (3, 25.0)  # 3 started days, capped
    marked = lateness(None, None, marked=True, per_day=10)
    assert marked.late and marked.penalty_percent == 10.0  # Canvas says late: one day


# --- ungraded essays ------------------------------------------------------------------


def test_export_refuses_ungraded_totals_unless_allowed(graded, tmp_path, capsys):
    course, cls, _base = graded
    with course.gradebook() as gb:
        waiting = sorted(s.id for s in gb.students if gb.find_grade(
            ESSAY, CHAPTER, CHAPTER, s.id).needs_manual_grade and gb.find_grade(
            ESSAY, CHAPTER, CHAPTER, s.id).manual_score is None)
    assert waiting, "the synthetic class has essays to grade by hand"
    with pytest.raises(UngradedError, match="--allow-ungraded"):
        export(course, [CHAPTER], tmp_path / "refused")
    assert not (tmp_path / "refused" / "grades.csv").exists()
    assert cli.main(["--course", str(course.root), "export", CHAPTER, "--out",
                     str(tmp_path / "cli")]) == 2
    assert "still wait for a manual grade" in capsys.readouterr().err
    export(course, [CHAPTER], tmp_path / "allowed", allow_ungraded=True)
    grades = _rows(tmp_path / "allowed" / "grades.csv")
    assert sorted(s for s, r in grades.items() if r["ungraded"] == ESSAY) == waiting


# --- progress -----------------------------------------------------------------------


def test_progress_is_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    progress = Progress(out)
    progress.say("grading 3 submission(s)")
    progress.start(3)
    for student in ("s1", "s2", "s3"):
        progress.done(student, "graded")
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "grading 3 submission(s)"
    assert [line.split(" |")[0] for line in lines[1:]] == [
        "[1/3] s1: graded", "[2/3] s2: graded", "[3/3] s3: graded"]
    assert all(re.search(r"students/min, about .* left$", line) for line in lines[1:])


def test_progress_is_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    progress = Progress(out)
    progress.start(2)
    progress.done("s1", "graded")
    progress.done("s2", "timed-out", "took too long")
    text = out.getvalue()
    assert "2/2" in text and "s2: timed-out (took too long)" in text
    assert "[1/2]" not in text  # no plain lines


def test_summary_counts_and_spread():
    from collections import Counter

    line = summary(Counter({"graded": 3, "problem": 1, "timed-out": 1}), [2.0, 4.0, 6.0], 10)
    assert line == ("graded 3, up to date 0, problems 1, timed out 1; scores of 10: mean 4.00, "
                    "standard deviation 2.00, range 2–6 (3 students)")


def test_autograde_ends_with_a_summary(graded, capsys):
    course = graded[0]
    assert cli.main(["--course", str(course.root), "autograde", CHAPTER]) == 0
    out = capsys.readouterr().out
    assert re.search(r"99-sample: graded 0, up to date 4, problems 0, timed out 0; scores of "
                     r"\d+: mean [\d.]+, standard deviation [\d.]+", out), out


# --- accessibility --------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_feedback_and_item_analysis_pages_pass_axe(graded, chromium, tmp_path,  # noqa: F811
                                                   scheme):
    from browser_support import describe_violations, run_axe

    from solidarity_course.instructor.report import report

    course, cls, _base = graded
    student = cls.students[0].student_id
    feedback(course, CHAPTER, [student])
    report(course, [CHAPTER], tmp_path)
    pages = [course.submission_dir("feedback", student, CHAPTER) / f"{CHAPTER}.html",
             tmp_path / "item-analysis.html"]
    for path in pages:
        # axe is injected as a script, which the pages' own policy forbids: bypassed here
        context = chromium.new_context(bypass_csp=True, color_scheme=scheme,
                                       viewport={"width": 390, "height": 844})
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        violations = run_axe(page, impacts=("minor", "moderate", "serious", "critical"))
        assert not violations, (path.name, describe_violations(violations))
        context.close()


@pytest.mark.parametrize("uid, allowed", [(0, True), (1000, False)])
def test_formgrader_starts_as_root_only_with_jupyters_allow_root(tmp_path, monkeypatch, uid,
                                                                 allowed):
    course = make_course(tmp_path / "course", release=False)
    started = []
    monkeypatch.setattr(cli.os, "geteuid", lambda: uid)
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, cwd: started.append(cmd) or 0)
    assert cli.main(["--course", str(course.root), "formgrader", "--port", "8899"]) == 0
    assert ("--ServerApp.allow_root=True" in started[0]) is allowed
    assert "--ip=127.0.0.1" in started[0]
