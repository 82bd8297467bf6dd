"""Export: nbgrader's grades CSV and a per-question CSV ready for an LMS upload.

- ``grades.csv``: nbgrader's own export (``CsvExportPlugin``): one row per
  student and assignment, with scores and maximum; its ``duedate``,
  ``late_submission_penalty`` and ``score`` columns filled in by the course's
  late policy (:mod:`.late`), then ``late`` (why a submission counts as late)
  and ``ungraded`` (cells still waiting for a manual grade).
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
import tempfile
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


def question_table(gb, assignment: str, late: dict[str, Lateness] | None = None
                   ) -> tuple[list[str], list[dict]]:
    """(columns, rows) of points per student and graded cell of ``assignment``; ``late``
    (by student) takes the late penalty off each total."""
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
        lateness = (late or {}).get(sub.student.id, Lateness(False))
        raw = sum(row[c] for c in columns)
        row["late_penalty"] = round(min(raw, maximum * lateness.penalty_percent / 100), 6)
        row["total"] = round(raw - row["late_penalty"], 6)
        row["max"] = maximum
        row["late"] = lateness.text()
        row["ungraded"] = " ".join(sorted(ungraded))
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


def nbgrader_csv(course: Course, gb, assignments: list[str],
                 tables: dict[str, list[dict]], dues: dict[str, object]) -> str:
    """nbgrader's grades CSV text (its CsvExportPlugin) for ``assignments``, its rows sorted
    by assignment and student id (the database's order is not stable: re-runs compare equal),
    with the late policy's penalty and score (from ``tables``, the question-table rows)."""
    from nbgrader.plugins import CsvExportPlugin

    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "grades.csv"
        CsvExportPlugin(to=str(dest), assignment=assignments).export(gb)
        with dest.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = [*(reader.fieldnames or []), "late", "ungraded"]
            rows = list(reader)
    rows.sort(key=lambda r: (r["assignment"], r["student_id"]))
    for row in rows:
        mine = next((r for r in tables.get(row["assignment"], [])
                     if r["student_id"] == row["student_id"]), None)
        due = dues.get(row["assignment"])
        if due is not None:
            row["duedate"] = str(due)
        if mine is not None:
            row["late_submission_penalty"] = _number(float(mine["late_penalty"]))
            row["score"] = _number(round(float(row["raw_score"]) - mine["late_penalty"], 6))
            row["late"], row["ungraded"] = mine["late"], mine["ungraded"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
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
        atomic.write_text(out_dir / "grades.csv", nbgrader_csv(course, gb, chosen, tables, dues))
        written.append(out_dir / "grades.csv")
    for assignment in chosen:
        path = out_dir / f"{assignment}-questions.csv"
        atomic.write_text(path, texts[assignment])
        written.append(path)
    return written
