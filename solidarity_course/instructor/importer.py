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
    Assignment,
    BaseCell,
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Notebook,
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
    """The worker gradebook's results for ``student`` (read only), in three queries.

    nbgrader's ``Gradebook`` would check the database's schema on opening and load
    each notebook's grades and comments one relationship at a time: a tenth of a
    second per student, spent in the one process that imports every student.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            sub = (session.query(SubmittedAssignment)
                   .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                   .filter(Assignment.name == assignment,
                           SubmittedAssignment.student_id == student)
                   .one_or_none())
            if sub is None:
                raise MissingEntry(f"no submission of {assignment} by {student}")
            notebooks = {name: {"penalty": penalty, "grades": {}, "comments": {}}
                         for name, penalty in (
                             session.query(Notebook.name,
                                           SubmittedNotebook.late_submission_penalty)
                             .join(SubmittedNotebook,
                                   SubmittedNotebook.notebook_id == Notebook.id)
                             .filter(SubmittedNotebook.assignment_id == sub.id))}
            for kind, row in (("grades", Grade), ("comments", Comment)):
                value = row.auto_score if row is Grade else row.auto_comment
                for nb_name, cell, auto in (
                        session.query(Notebook.name, BaseCell.name, value)
                        .select_from(row)
                        .join(BaseCell, row.cell_id == BaseCell.id)
                        .join(SubmittedNotebook, row.notebook_id == SubmittedNotebook.id)
                        .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                        .filter(SubmittedNotebook.assignment_id == sub.id)):
                    notebooks[nb_name][kind][cell] = auto
            return WorkerGrades(sub.timestamp, notebooks)
    finally:
        engine.dispose()


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
            # Re-read the grade rows under a row lock, in one statement (PostgreSQL;
            # SQLite has one writer anyway): a grader saving a manual score in formgrader
            # at this moment waits for, or is seen by, this transaction, never half of it.
            ids = [grade.id for grade in nb.grades]
            if ids:
                (session.query(Grade).filter(Grade.id.in_(ids)).with_for_update()
                 .populate_existing().all())
            for grade in nb.grades:
                grade.auto_score = worker["grades"].get(grade.name)
                grade.needs_manual_grade = (grade.manual_score is not None
                                            or grade.auto_score is None)
            for comment in nb.comments:
                comment.auto_comment = worker["comments"].get(comment.name)
        _commit(session)
    except BaseException:
        session.rollback()
        raise
