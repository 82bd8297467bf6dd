"""Export: nbgrader's grades CSV and a per-question CSV ready for an LMS upload.

- ``grades.csv``: nbgrader's own export (``CsvExportPlugin``): one row per
  student and assignment, with scores, maximum and late penalty.
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
import tempfile
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


def nbgrader_csv(course: Course, gb, assignments: list[str]) -> str:
    """nbgrader's grades CSV text (its CsvExportPlugin) for ``assignments``, its rows sorted
    by assignment and student id (the database's order is not stable: re-runs compare equal)."""
    from nbgrader.plugins import CsvExportPlugin

    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "grades.csv"
        CsvExportPlugin(to=str(dest), assignment=assignments).export(gb)
        header, *rows = dest.read_text(encoding="utf-8").splitlines(keepends=True)
    # assignment and student_id come before the (unquoted) names: split on the first commas
    return header + "".join(sorted(rows, key=lambda r: (r.split(",", 4)[:4:3], r)))


def export(course: Course, assignments: list[str] | None, out_dir: Path | str) -> list[Path]:
    """Write ``grades.csv`` and one ``<assignment>-questions.csv`` each into ``out_dir``."""
    out_dir = Path(out_dir)
    written = []
    with course.gradebook() as gb:
        chosen = assignments or sorted(a.name for a in gb.assignments)
        atomic.write_text(out_dir / "grades.csv", nbgrader_csv(course, gb, chosen))
        written.append(out_dir / "grades.csv")
        for assignment in chosen:
            path = out_dir / f"{assignment}-questions.csv"
            atomic.write_text(path, question_csv(gb, assignment))
            written.append(path)
    return written
