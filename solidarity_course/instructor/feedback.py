"""Feedback: per-student HTML feedback with nbgrader's ``generate_feedback``.

Writes ``feedback/<student>/<assignment>/<notebook>.html`` for every autograded
submission (or the chosen students), from the gradebook's current grades and
comments, so run it after manual grading.  Students whose essays still wait
for a manual grade are listed, since their feedback would show 0 for them.

Everything a student wrote is made inert before it reaches the page
(:class:`.inert.InertNotebook` runs in nbconvert), and every page carries a
strict Content-Security-Policy (:func:`.inert.add_csp`) so that no script runs
in it.  One student's failure is reported and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import atomic
from .course import Course
from .inert import INERT_PREPROCESSOR, add_csp


@dataclass
class FeedbackReport:
    """Feedback files written and students still waiting for manual grading."""

    written: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    needs_manual: list[str] = field(default_factory=list)


def pending_manual(course: Course, assignment: str) -> list[str]:
    """Students with a grade of this assignment still marked as needing manual grading."""
    with course.gradebook() as gb:
        return sorted({
            sub.student.id for sub in gb.find_assignment(assignment).submissions
            for nb in sub.notebooks for g in nb.grades
            if g.needs_manual_grade and g.manual_score is None})


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> FeedbackReport:
    """Generate feedback HTML for ``students`` (default: all autograded)."""
    report = FeedbackReport(needs_manual=pending_manual(course, assignment))
    autograded = course.folder("autograded")
    chosen = students or sorted(p.parent.name for p in autograded.glob(f"*/{assignment}")
                                if p.is_dir())
    api = course.api(course.nbgrader_config(HTMLExporter__preprocessors=[INERT_PREPROCESSOR]))
    for student in chosen:
        try:
            result = api.generate_feedback(assignment, student, force=True)
        except Exception as exc:  # one student's failure never stops the others
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        folder = course.submission_dir("feedback", student, assignment)
        if result["success"] and folder.is_dir():
            pages = sorted(folder.glob("*.html"))
            for page in pages:
                atomic.write_text(page, add_csp(page.read_text(encoding="utf-8")))
            report.written[student] = [p.name for p in pages]
        else:
            lines = (result.get("error") or result.get("log") or "").strip().splitlines()
            report.failed[student] = " | ".join(lines[-2:]) or "no feedback written"
    return report
