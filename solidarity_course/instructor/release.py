"""Release: generate the student versions of assignments and prove they hold no key.

For each assignment, nbgrader's ``generate_assignment`` writes
``release/<assignment>/`` and records the assignment (its cells, points and
checksums) in the gradebook.  Then every released notebook is scanned with
:func:`solidarity_course.quiz.leakcheck.scan_directory` for any form of the
keys of the assignment's questions, which are read from the source notebook's
hidden tests (:mod:`.keys`).  A release with a leak is reported as failed.

With a private bank (``c.CourseGrade.private_bank``), the assignment's source
notebook is first generated again from the bank merged with the private one,
so its private questions and pools are in the gradebook; that is refused for a
course folder inside the public repository, where the keys would be committed.
With ``variants`` and a roster, every student then gets a notebook of their own
(:mod:`.variants`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat

from ..paths import COURSE_ROOT
from ..quiz.leakcheck import scan_directory
from .course import Course, CourseError
from .keys import questions_in_notebook


@dataclass
class ReleaseResult:
    """What happened to one assignment."""

    assignment: str
    ok: bool
    message: str
    leaks: dict[str, list[str]] = field(default_factory=dict)
    variants: object = None  # the VariantRelease of ``release --variants``


def assignment_questions(course: Course, assignment: str) -> list:
    """The questions (with keys) of an assignment, from its source notebooks."""
    questions = []
    for path in course.source_notebooks(assignment):
        nb = nbformat.read(path, as_version=4)
        questions += [m for g in questions_in_notebook(nb) for m in g.slot.members]
    return questions


def generate_from_private_bank(course: Course, assignment: str) -> None:
    """Write the assignment's source notebook from the bank merged with the private bank."""
    from ..quiz.assignments import generate

    if course.root.is_relative_to(COURSE_ROOT):
        raise CourseError(f"a private bank needs a course folder outside the public repository "
                          f"({course.root} is inside {COURSE_ROOT}): its keys would be written "
                          "into source/ there")
    bank = course.bank()
    if not generate([assignment], bank=bank, out_dir=course.folder("source")):
        raise CourseError(f"no graded question or essay of {assignment!r} in the bank")


def release_one(course: Course, assignment: str, api=None) -> ReleaseResult:
    """Generate and leak-check one assignment."""
    api = api or course.api()
    if course.private_bank_dir is not None:
        generate_from_private_bank(course, assignment)
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


def release(course: Course, assignments: list[str] | None = None,
            roster: list[str] | None = None) -> list[ReleaseResult]:
    """Release ``assignments`` (default: every assignment in ``source/``); with a
    ``roster`` (student ids), also each student's variant (:mod:`.variants`)."""
    from .variants import write_variants

    api = course.api()
    results = []
    for assignment in assignments or course.assignments():
        result = release_one(course, assignment, api)
        if result.ok and roster is not None:
            result.variants = variants = write_variants(course, assignment, roster)
            if variants.leaks:
                result.ok = False
                result.message = "answer keys or the course secret found in variant notebooks"
                result.leaks = {str(variants.written.get(s, s)): found
                                for s, found in variants.leaks.items()}
            else:
                result.message += f"; {len(variants.written)} student variant(s) written"
        results.append(result)
    return results
