"""Release: generate the student versions of assignments and prove they hold no key.

For each assignment, nbgrader's ``generate_assignment`` writes
``release/<assignment>/`` and records the assignment (its cells, points and
checksums) in the gradebook.  Then every released notebook is scanned with
:func:`solidarity_course.quiz.leakcheck.scan_directory` for any form of the
keys of the assignment's questions, which are read from the source notebook's
hidden tests (:mod:`.keys`).  A release with a leak is reported as failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from ..quiz.leakcheck import scan_directory
from .course import Course
from .keys import questions_in_notebook


@dataclass
class ReleaseResult:
    """What happened to one assignment."""

    assignment: str
    ok: bool
    message: str
    leaks: dict[str, list[str]] = field(default_factory=dict)


def assignment_questions(course: Course, assignment: str) -> list:
    """The questions (with keys) of an assignment, from its source notebooks."""
    questions = []
    for path in course.source_notebooks(assignment):
        nb = nbformat.read(path, as_version=4)
        questions += [g.question for g in questions_in_notebook(nb)]
    return questions


def release_one(course: Course, assignment: str, api=None) -> ReleaseResult:
    """Generate and leak-check one assignment."""
    api = api or course.api()
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        return ReleaseResult(assignment, False,
                             "generate_assignment failed: " + " | ".join(detail[-3:]))
    questions = assignment_questions(course, assignment)
    leaks = scan_directory(course.folder("release") / assignment, questions)
    if leaks:
        return ReleaseResult(assignment, False, "answer keys found in the release", leaks)
    return ReleaseResult(assignment, True,
                         f"released; no key of its {len(questions)} graded questions found")


def release(course: Course, assignments: list[str] | None = None) -> list[ReleaseResult]:
    """Release ``assignments`` (default: every assignment in ``source/``)."""
    api = course.api()
    return [release_one(course, a, api) for a in (assignments or course.assignments())]
