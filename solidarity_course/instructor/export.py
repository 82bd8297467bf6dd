"""Export: nbgrader's grades CSV and a per-question CSV ready for an LMS upload.

- ``grades.csv``: the columns of nbgrader's own export (``nbgrader export``): one
  row per student and assignment, with scores, maximum and late penalty; quoted
  as CSV and sorted by assignment and student id.
- ``<assignment>-questions.csv``: one row per student, one column per graded
  cell (question id, or the essay), then ``total`` and ``max``.  A cell's value is
  nbgrader's score (the manual score where one was given, else the automatic
  one); ``ungraded`` lists cells still waiting for a manual grade.

Both files are written atomically, so a re-run with the same gradebook
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import atomic
from .course import Course
from .keys import TEST_SUFFIX


def column_name(cell_name: str) -> str:
    """A question's column: its id (the test cell's name without ``-test``)."""
    return cell_name.removesuffix(TEST_SUFFIX)


def question_table(gb, assignment: str) -> tuple[list[str], list[dict]]:
    """(columns, rows) of points per student and graded cell of ``assignment``."""
    record = gb.find_assignment(assignment)
    cells = [(nb.name, c.name, c.max_score) for nb in record.notebooks for c in nb.grade_cells]
    columns = [column_name(name) for _nb, name, _max in cells]
    maximum = sum(m for _nb, _name, m in cells)
    rows = []
    for sub in sorted(record.submissions, key=lambda s: s.student.id):
        scores, ungraded = {}, []
        for nb in sub.notebooks:
            for grade in nb.grades:
                scores[(nb.name, grade.name)] = grade.score
                if grade.needs_manual_grade and grade.manual_score is None:
                    ungraded.append(column_name(grade.name))
        row = {"student_id": sub.student.id, "last_name": sub.student.last_name or "",
               "first_name": sub.student.first_name or ""}
        for (nb, name, _max), col in zip(cells, columns, strict=True):
            row[col] = round(scores.get((nb, name), 0.0) or 0.0, 6)
        row["total"] = round(sum(row[c] for c in columns), 6)
        row["max"] = maximum
        row["ungraded"] = " ".join(sorted(ungraded))
        rows.append(row)
    return columns, rows


def _number(value):
    """Floats with up to 6 decimals and no trailing zeros (1.0 -> 1, 2/3 -> 0.666667)."""
    if not isinstance(value, float):
        return value
    return f"{value:.6f}".rstrip("0").rstrip(".")


def question_csv(gb, assignment: str) -> str:
    """The per-question CSV text of one assignment."""
    columns, rows = question_table(gb, assignment)
    buf = io.StringIO()
    header = ["student_id", "last_name", "first_name", *columns, "total", "max", "ungraded"]
    writer = csv.DictWriter(buf, header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _number(v) for k, v in row.items()})
    return buf.getvalue()


#: The columns of nbgrader's own grades CSV (``nbgrader export``), kept so its readers work.
GRADES_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
                  "email", "raw_score", "late_submission_penalty", "score", "max_score"]


def grades_rows(gb, assignments: list[str]) -> list[list]:
    """One row per assignment and gradebook student (zeros where nothing was submitted),
    sorted by assignment and student id, so that re-runs give the same bytes."""
    students = sorted(gb.students, key=lambda s: s.id)
    rows = []
    for name in sorted(assignments):
        record = gb.find_assignment(name)
        submitted = {sub.student_id: sub for sub in record.submissions}
        for student in students:
            row = [name, record.duedate or "", "", student.id, student.last_name or "",
                   student.first_name or "", student.email or ""]
            sub = submitted.get(student.id)
            if sub is None:
                row += [0.0, 0.0, 0.0]
            else:
                penalty = sub.late_submission_penalty or 0.0
                row[2] = sub.timestamp or ""
                row += [sub.score, penalty, max(0.0, sub.score - penalty)]
            rows.append([*row, record.max_score])
    return rows


def grades_csv(gb, assignments: list[str]) -> str:
    """The grades CSV text: nbgrader's columns, written with the csv module.

    nbgrader's own ``CsvExportPlugin`` joins fields with commas unquoted, so a
    name with a comma or a quote broke the file; it also walks the students in
    database order.  This writes the same columns, quoted where needed, sorted.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(GRADES_COLUMNS)
    writer.writerows([[_number(v) for v in row] for row in grades_rows(gb, assignments)])
    return buf.getvalue()


def export(course: Course, assignments: list[str] | None, out_dir: Path | str) -> list[Path]:
    """Write ``grades.csv`` and one ``<assignment>-questions.csv`` each into ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    with course.gradebook() as gb:
        chosen = assignments or sorted(a.name for a in gb.assignments)
        atomic.write_text(out_dir / "grades.csv", grades_csv(gb, chosen))
        written.append(out_dir / "grades.csv")
        for assignment in chosen:
            path = out_dir / f"{assignment}-questions.csv"
            atomic.write_text(path, question_csv(gb, assignment))
            written.append(path)
    return written
