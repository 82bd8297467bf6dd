"""Import one student's autograde results from a worker's gradebook into the real one.

Only the parent process calls this, one student at a time, so the real
gradebook has a single writer.  Everything for one student is written in ONE
transaction: the student row if new, the submission with the full structure
nbgrader gives it (a grade per graded cell, a comment per answer cell), the
timestamp, late penalty, automatic scores and automatic comments.  Any error
rolls the whole student back.  The rules are nbgrader's own
(``SaveAutoGrades``): ``auto_score`` is replaced; ``manual_score``,
``extra_credit`` and ``manual_comment`` (the formgrader's) are never touched;
a grade that has a manual score, or no automatic score, is marked as needing
manual grading.
"""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import (
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)


@dataclass
class WorkerGrades:
    """A worker's results for one student, read into plain values."""

    timestamp: object
    notebooks: dict[str, dict]  # notebook -> {"penalty", "grades": {cell: score}, "comments"}


def read_worker(db_url: str, assignment: str, student: str) -> WorkerGrades:
    """The worker gradebook's results for ``student`` (read only)."""
    with Gradebook(db_url) as wgb:
        sub = wgb.find_submission(assignment, student)
        notebooks = {}
        for nb in sub.notebooks:
            notebooks[nb.name] = {
                "penalty": nb.late_submission_penalty,
                "grades": {g.name: g.auto_score for g in nb.grades},
                "comments": {c.name: c.auto_comment for c in nb.comments},
            }
        return WorkerGrades(sub.timestamp, notebooks)


def _commit(session) -> None:
    """Commit the student's transaction (a seam for tests that inject failures)."""
    session.commit()


def _submission(gb: Gradebook, assignment: str, student: str) -> SubmittedAssignment:
    """The existing submission, or a new one mirroring the assignment (no commit)."""
    try:
        return gb.find_submission(assignment, student)
    except MissingEntry:
        pass
    with gb.db.no_autoflush:
        sub = SubmittedAssignment(assignment=gb.find_assignment(assignment),
                                  student=gb.db.get(Student, student))
        for notebook in sub.assignment.notebooks:
            nb = SubmittedNotebook(notebook=notebook, assignment=sub)
            for cell in notebook.grade_cells:
                Grade(cell_id=cell.id, notebook=nb)
            for cell in notebook.solution_cells:
                Comment(cell_id=cell.id, notebook=nb)
            for cell in notebook.task_cells:
                Comment(cell_id=cell.id, notebook=nb)
                Grade(cell_id=cell.id, notebook=nb)
        gb.db.add(sub)
    gb.db.flush()
    return sub


def import_grades(gb: Gradebook, results: WorkerGrades, assignment: str, student: str) -> None:
    """Write ``results`` for ``student`` into ``gb`` in one transaction."""
    session = gb.db
    try:
        if session.get(Student, student) is None:
            session.add(Student(id=student))
            session.flush()
        sub = _submission(gb, assignment, student)
        sub.timestamp = results.timestamp
        for nb in sub.notebooks:
            worker = results.notebooks.get(nb.name)
            if worker is None:
                raise ValueError(f"worker results lack notebook {nb.name!r}")
            nb.late_submission_penalty = worker["penalty"]
            for grade in nb.grades:
                # Re-read the row under a row lock (PostgreSQL; SQLite has one writer
                # anyway): a grader saving a manual score in formgrader at this moment
                # waits for, or is seen by, this transaction, never half of it.
                session.refresh(grade, with_for_update=True)
                grade.auto_score = worker["grades"].get(grade.name)
                grade.needs_manual_grade = (grade.manual_score is not None
                                            or grade.auto_score is None)
            for comment in nb.comments:
                comment.auto_comment = worker["comments"].get(comment.name)
        _commit(session)
    except BaseException:
        session.rollback()
        raise
