"""Export: nbgrader's grades CSV and a per-question CSV ready for an LMS upload.

- ``grades.csv``: the columns of nbgrader's own export (``nbgrader export``): one
  row per student and assignment, with scores, maximum and late penalty; quoted
  as CSV and sorted by assignment and student id.  Its ``duedate``,
  ``late_submission_penalty`` and ``score`` follow the course's late policy
  (:mod:`.late`); two more columns follow: ``late`` (why a submission counts as
  late) and ``ungraded`` (cells still waiting for a manual grade).
- ``<assignment>-questions.csv``: one row per student, one column per graded
  cell (question id, or the essay), then ``late_penalty``, ``total`` (after the
  penalty) and ``max``, ``late`` and ``ungraded``.  A cell's value is nbgrader's
  score (the manual score where one was given, else the automatic one).

Totals that still miss a manual grade are refused (:class:`UngradedError`)
unless ``allow_ungraded``; then the ``ungraded`` column names what is missing.

Both files are written atomically, so a re-run with the same gradebook
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import atomic
from .course import Course, CourseError
from .keys import TEST_SUFFIX
from .late import Lateness, class_lateness, due_date


class UngradedError(CourseError):
    """Totals would be written without manual grades still missing."""


def refuse_ungraded(assignment: str, rows: list[dict]) -> None:
    """An :class:`UngradedError` naming the students whose totals miss a manual grade."""
    waiting = [r["student_id"] for r in rows if r["ungraded"]]
    if waiting:
        raise UngradedError(
            f"{assignment}: {len(waiting)} student(s) still wait for a manual grade "
            f"({', '.join(waiting)}); grade them in the formgrader, or pass "
            "--allow-ungraded to write their totals without those grades (marked ungraded)")


def column_name(cell_name: str) -> str:
    """A question's column: its id (the test cell's name without ``-test``)."""
    return cell_name.removesuffix(TEST_SUFFIX)


def grade_rows(gb, assignment: str):
    """``(notebook, cell, student, score, graded, waiting)`` of every grade of ``assignment``,
    in one query.

    ``graded``: it has an automatic or a manual score; ``waiting``: it is marked for
    manual grading and has no manual score yet.  Walking nbgrader's objects instead
    issues a query per submission and notebook (minutes for a large class).
    """
    from nbgrader.api import (
        Assignment,
        Grade,
        GradeCell,
        Notebook,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    rows = (gb.db.query(Notebook.name, GradeCell.name, SubmittedAssignment.student_id,
                        Grade.score, Grade.auto_score, Grade.manual_score,
                        Grade.needs_manual_grade)
            .select_from(Grade)
            .join(GradeCell, Grade.cell_id == GradeCell.id)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .filter(Assignment.name == assignment))
    for nb, cell, student, score, auto, manual, needs_manual in rows:
        yield (nb, cell, student, score, auto is not None or manual is not None,
               bool(needs_manual) and manual is None)


def _submitters(gb, assignment: str) -> list[tuple[str, str, str]]:
    """(id, last name, first name) of every student with a submission, sorted by id."""
    from nbgrader.api import Assignment, Student, SubmittedAssignment

    return sorted(gb.db.query(Student.id, Student.last_name, Student.first_name)
                  .join(SubmittedAssignment, SubmittedAssignment.student_id == Student.id)
                  .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                  .filter(Assignment.name == assignment))


def question_table(gb, assignment: str, late: dict[str, Lateness] | None = None
                   ) -> tuple[list[str], list[dict]]:
    """(columns, rows) of points per student and graded cell of ``assignment``; ``late``
    (by student) takes the late penalty off each total."""
    record = gb.find_assignment(assignment)
    cells = [(nb.name, c.name, c.max_score) for nb in record.notebooks for c in nb.grade_cells]
    columns = [column_name(name) for _nb, name, _max in cells]
    maximum = sum(m for _nb, _name, m in cells)
    scores: dict[tuple[str, str, str], float] = {}
    ungraded: dict[str, list[str]] = {}
    for nb, cell, student, score, _graded, waiting in grade_rows(gb, assignment):
        scores[(student, nb, cell)] = score
        if waiting:
            ungraded.setdefault(student, []).append(column_name(cell))
    rows = []
    for student, last_name, first_name in _submitters(gb, assignment):
        row = {"student_id": student, "last_name": last_name or "",
               "first_name": first_name or ""}
        for (nb, name, _max), col in zip(cells, columns, strict=True):
            row[col] = round(scores.get((student, nb, name), 0.0) or 0.0, 6)
        lateness = (late or {}).get(student, Lateness(False))
        raw = sum(row[c] for c in columns)
        row["late_penalty"] = round(min(raw, maximum * lateness.penalty_percent / 100), 6)
        row["total"] = round(raw - row["late_penalty"], 6)
        row["max"] = maximum
        row["late"] = lateness.text()
        row["ungraded"] = " ".join(sorted(ungraded.get(student, [])))
        rows.append(row)
    return columns, rows


def _number(value):
    """Floats with up to 6 decimals and no trailing zeros (1.0 -> 1, 2/3 -> 0.666667)."""
    if not isinstance(value, float):
        return value
    return f"{value:.6f}".rstrip("0").rstrip(".")


def question_csv(columns: list[str], rows: list[dict]) -> str:
    """The per-question CSV text of one assignment (from :func:`question_table`)."""
    buf = io.StringIO()
    header = ["student_id", "last_name", "first_name", *columns, "late_penalty", "total", "max",
              "late", "ungraded"]
    writer = csv.DictWriter(buf, header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _number(v) for k, v in row.items()})
    return buf.getvalue()


#: The columns of nbgrader's own grades CSV (``nbgrader export``), kept so its readers work,
#: then why a submission is late and which cells still wait for a manual grade.
GRADES_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                  "email", "raw_score", "late_submission_penalty", "score", "max_score",
                  "late", "ungraded"]


def grades_rows(gb, assignments: list[str], tables: dict[str, list[dict]] | None = None,
                dues: dict | None = None) -> list[list]:
    """One row per assignment and gradebook student (zeros where nothing was submitted),
    sorted by assignment and student id, so that re-runs give the same bytes.  ``tables``
    (the :func:`question_table` rows by assignment) give the late penalty and the notes,
    ``dues`` the due dates."""
    students = sorted(gb.students, key=lambda s: s.id)
    rows = []
    for name in sorted(assignments):
        record = gb.find_assignment(name)
        mine = {r["student_id"]: r for r in (tables or {}).get(name, [])}
        due = (dues or {}).get(name) or record.duedate or ""
        submitted = {sub.student_id: sub for sub in record.submissions}
        for student in students:
            row = [name, due, "", student.id, student.last_name or "",
                   student.first_name or "", student.email or ""]
            sub = submitted.get(student.id)
            ours = mine.get(student.id, {})
            if sub is None:
                row += [0.0, 0.0, 0.0]
            else:
                penalty = ours.get("late_penalty", sub.late_submission_penalty or 0.0)
                row[2] = sub.timestamp or ""
                row += [sub.score, penalty, max(0.0, sub.score - penalty)]
            rows.append([*row, record.max_score, ours.get("late", ""), ours.get("ungraded", "")])
    return rows


def grades_csv(gb, assignments: list[str], tables: dict[str, list[dict]] | None = None,
               dues: dict | None = None) -> str:
    """The grades CSV text: nbgrader's columns, written with the csv module.

    nbgrader's own ``CsvExportPlugin`` joins fields with commas unquoted, so a
    name with a comma or a quote broke the file; it also walks the students in
    database order.  This writes the same columns, quoted where needed, sorted.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(GRADES_COLUMNS)
    writer.writerows([[_number(v) for v in row]
                      for row in grades_rows(gb, assignments, tables, dues)])
    return buf.getvalue()


def export(course: Course, assignments: list[str] | None, out_dir: Path | str,
           allow_ungraded: bool = False, due: str | None = None) -> list[Path]:
    """Write ``grades.csv`` and one ``<assignment>-questions.csv`` each into ``out_dir``.

    ``due`` (a date) overrides ``c.CourseGrade.due_dates`` for every chosen assignment.
    """
    out_dir = Path(out_dir)
    written, tables, texts, dues = [], {}, {}, {}
    with course.gradebook() as gb:
        chosen = assignments or sorted(a.name for a in gb.assignments)
        for assignment in chosen:
            late = class_lateness(course, gb, assignment, due)
            columns, rows = question_table(gb, assignment, late)
            if not allow_ungraded:
                refuse_ungraded(assignment, rows)
            tables[assignment], texts[assignment] = rows, question_csv(columns, rows)
            dues[assignment] = due_date(course, assignment, due)
        atomic.write_text(out_dir / "grades.csv", grades_csv(gb, chosen, tables, dues))
        written.append(out_dir / "grades.csv")
    for assignment in chosen:
        path = out_dir / f"{assignment}-questions.csv"
        atomic.write_text(path, texts[assignment])
        written.append(path)
    return written
