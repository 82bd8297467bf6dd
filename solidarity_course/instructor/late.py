"""Late work: which submissions came after the due date, and the penalty the policy sets.

A submission is late when its submission time (``timestamp.txt``, which
``collect`` takes from the download: Moodle's submission time, Canvas's file
time) is after the assignment's due date, or when Canvas marked its file name
``LATE`` (kept by ``collect`` in ``lms/accounts-<assignment>.csv``).  The due
date is ``--due`` on the command line, else ``c.CourseGrade.due_dates[assignment]``;
without one, only Canvas's marker can flag a submission.

The policy is ``c.CourseGrade.late_penalty_per_day`` percent of the assignment's
maximum per started day late (a Canvas-marked submission whose time is not
after the due date counts as one day), at most ``late_penalty_cap`` percent;
the default, 0, flags late work without taking points off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from ..lms import accounts
from .course import Course, CourseError

DAY = 86400.0


@dataclass(frozen=True)
class Lateness:
    """How late one submission is (``late`` False: on time or unknown)."""

    late: bool
    days: int = 0  # started days after the due date (0 if not known from the time)
    marked: bool = False  # Canvas's LATE marker
    penalty_percent: float = 0.0

    def text(self) -> str:
        """E.g. ``late: 2 days (Canvas LATE marker); -20%`` ('' when on time)."""
        if not self.late:
            return ""
        parts = [f"{self.days} day{'s' if self.days != 1 else ''}" if self.days else "",
                 "Canvas LATE marker" if self.marked else ""]
        detail = ", ".join(p for p in parts if p)
        penalty = f"; -{self.penalty_percent:g}%" if self.penalty_percent else "; flag only"
        return f"late ({detail}){penalty}"


def parse_due(text: str) -> datetime:
    """A due date as naive UTC: ``YYYY-MM-DD HH:MM[:SS]`` (UTC) or with an offset."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CourseError(f"due date {text!r} is not a date: write it as 'YYYY-MM-DD HH:MM' "
                          "(UTC) or with an offset, e.g. '2026-10-25 23:59+01:00'") from exc
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def due_date(course: Course, assignment: str, override: str | None = None) -> datetime | None:
    """The assignment's due date (naive UTC), or None if none is set."""
    text = override or course.options.due_dates.get(assignment, "")
    return parse_due(text) if text else None


def lateness(submitted: datetime | None, due: datetime | None, marked: bool,
             per_day: float = 0.0, cap: float = 100.0) -> Lateness:
    """The lateness of one submission under the policy (percent per day, capped)."""
    seconds = (submitted - due).total_seconds() if submitted and due else 0.0
    days = math.ceil(seconds / DAY) if seconds > 0 else 0
    if not days and not marked:
        return Lateness(False)
    counted = days or 1
    return Lateness(True, days, marked, min(cap, per_day * counted))


def class_lateness(course: Course, gb, assignment: str,
                   due_override: str | None = None) -> dict[str, Lateness]:
    """Every submission's :class:`Lateness`, by student id."""
    due = due_date(course, assignment, due_override)
    marked = {s for s, row in accounts.load(course.root, assignment).items()
              if row.get("lms_late")}
    options = course.options
    return {sub.student.id: lateness(sub.timestamp, due, sub.student.id in marked,
                                     options.late_penalty_per_day, options.late_penalty_cap)
            for sub in gb.find_assignment(assignment).submissions}
