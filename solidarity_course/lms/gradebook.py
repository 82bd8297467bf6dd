"""The grades of one assignment in the CSV layout an LMS gradebook imports.

- Canvas (Grades → Import): ``Student, ID, SIS User ID, SIS Login ID, Section`` and one
  column titled as the Canvas assignment, with the ``Points Possible`` row under the
  header.  Canvas matches rows by ``ID`` (its user id, from the download's file names),
  else by the SIS ids (from the roster).
- Moodle (Grades → Import → CSV file): an identifier column (``Email address``,
  ``ID number`` or ``Username``, from the roster; mapped to the same user field on
  import), the full name, and one grade column.

A grade is the student's total from :func:`solidarity_course.instructor.export.question_table`,
after the course's late penalty (:mod:`solidarity_course.instructor.late`), as in ``grades.csv``.
A total still missing a manual grade (an ungraded essay) is refused unless
``allow_ungraded``; then the total without it is written and the student listed.
A graded student with no LMS account, and an account with no grade, are listed, never
dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..instructor import atomic
from ..instructor.course import Course, CourseError
from ..instructor.export import UngradedError, _number, question_table, refuse_ungraded
from ..instructor.late import class_lateness
from . import accounts

MOODLE_FIELDS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

__all__ = ["GradeFile", "UngradedError", "lms_grades"]


@dataclass
class GradeFile:
    """What a grade file holds and who is not in it."""

    path: Path
    lms: str
    written: dict[str, str] = field(default_factory=dict)  # student -> LMS identifier
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (student, why)
    ungraded: list[str] = field(default_factory=list)


def _table(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _name(student: str, account: dict, roster: dict, row: dict) -> str:
    full = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return roster.get("name") or account.get("full_name") or full or student


def _canvas(rows, maximum, accounts_, roster, column, result) -> str:
    body = []
    for row in rows:
        student = row["student_id"]
        account = accounts_.get(student, {})
        info = roster.get(student, {})
        canvas_id = account.get("lms_user_id", "") if account.get("lms") == "canvas" else ""
        sis_user, sis_login = info.get("sis_user_id", ""), info.get("sis_login_id", "")
        if not (canvas_id or sis_user or sis_login):
            result.unmapped.append((student, "no Canvas user id in the download and no SIS id "
                                             "in the roster"))
            continue
        result.written[student] = canvas_id or sis_user or sis_login
        body.append([_name(student, account, info, row), canvas_id, sis_user, sis_login,
                     info.get("section", ""), _number(row["grade"])])
    points = ["    Points Possible", "", "", "", "", _number(float(maximum))]
    return _table([*CANVAS_HEADER, column], [points, *body])


def _moodle(rows, accounts_, roster, column, field_name, result) -> str:
    body = []
    for row in rows:
        student = row["student_id"]
        info = roster.get(student, {})
        ident = info.get(field_name, "")
        if not ident:
            result.unmapped.append((student, f"no {field_name} for this student in the roster"))
            continue
        result.written[student] = ident
        body.append([ident, _name(student, accounts_.get(student, {}), info, row),
                     _number(row["grade"])])
    return _table([MOODLE_FIELDS[field_name], "Full name", column], body)


def lms_grades(course: Course, assignment: str, lms: str, out_dir: Path | str,
               roster: Path | str | None = None, allow_ungraded: bool = False,
               column: str | None = None, moodle_field: str = "email",
               due: str | None = None) -> GradeFile:
    """Write ``<assignment>-<lms>.csv`` into ``out_dir`` (see the module docstring)."""
    if lms not in ("canvas", "moodle"):
        raise CourseError(f"unknown LMS {lms!r}: canvas or moodle")
    if moodle_field not in MOODLE_FIELDS:
        raise CourseError(f"unknown Moodle user field {moodle_field!r}: "
                          f"{', '.join(MOODLE_FIELDS)}")
    roster = roster or course.options.roster
    roster_rows = accounts.roster_rows(course.root / roster if roster else None)
    seen = accounts.load(course.root, assignment)
    with course.gradebook() as gb:
        columns, rows = question_table(gb, assignment,
                                       class_lateness(course, gb, assignment, due))
        maximum = rows[0]["max"] if rows else 0
    result = GradeFile(Path(out_dir) / f"{assignment}-{lms}.csv", lms)
    result.ungraded = [r["student_id"] for r in rows if r["ungraded"]]
    if not allow_ungraded:
        refuse_ungraded(assignment, rows)
    for row in rows:
        row["grade"] = row["total"]
    column = column or assignment
    text = (_canvas(rows, maximum, seen, roster_rows, column, result) if lms == "canvas"
            else _moodle(rows, seen, roster_rows, column, moodle_field, result))
    graded = {r["student_id"] for r in rows}
    for student, account in sorted(seen.items()):
        if student not in graded:
            result.unmapped.append((student, f"collected from {account['lms']} account "
                                             f"{account['lms_user_id'] or account['lms_id']} "
                                             "but has no grade"))
    atomic.write_text(result.path, text)
    return result
