"""Which LMS account handed in which course student's work.

``collect`` records, for every student it collected, the identifiers the download's file
names carried (Canvas: login, user id and LATE marker; Moodle: participant id and full
name) in
``lms/accounts-<assignment>.csv`` of the course.  The grade files read them back, with the
roster's optional columns (``name``, ``email``, ``idnumber``, ``username``,
``sis_user_id``, ``sis_login_id``, ``section``) for what a download does not name.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..instructor import atomic
from ..instructor.course import CourseError

FIELDS = ["student_id", "lms", "lms_id", "lms_user_id", "full_name", "lms_late"]
ROSTER_FIELDS = ["name", "email", "idnumber", "username", "sis_user_id", "sis_login_id",
                 "section"]


def accounts_path(course_root: Path, assignment: str) -> Path:
    """Where the accounts of one assignment are kept."""
    return Path(course_root) / "lms" / f"accounts-{assignment}.csv"


def load(course_root: Path, assignment: str) -> dict[str, dict[str, str]]:
    """``student_id -> account row`` (empty if collect never recorded any)."""
    path = accounts_path(course_root, assignment)
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["student_id"]: row for row in csv.DictReader(fh)}


def record(course_root: Path, assignment: str, found: dict[str, dict[str, str]]) -> None:
    """Add or update the accounts ``found`` (``student_id -> fields``), keeping the others."""
    if not found:
        return
    rows = load(course_root, assignment)
    for student, fields in found.items():
        rows[student] = {"student_id": student} | {k: fields.get(k) or "" for k in FIELDS[1:]}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[s] for s in sorted(rows))
    atomic.write_text(accounts_path(course_root, assignment), buf.getvalue())


def roster_rows(path: Path | str | None) -> dict[str, dict[str, str]]:
    """``student_id -> roster row`` (every column, stripped); empty without a roster."""
    if not path:
        return {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if "student_id" not in (reader.fieldnames or []):
                raise CourseError(f"roster {path}: no student_id column "
                                  f"(columns: {', '.join(reader.fieldnames or [])})")
            return {(row["student_id"] or "").strip():
                    {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
                    for row in reader}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CourseError(f"roster {path}: cannot read it: {exc}") from None
