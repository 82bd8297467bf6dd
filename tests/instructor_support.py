"""Helpers for the instructor-workflow tests: throw-away courses built from the sample bank.

Nothing here touches the real ``exercises/`` gradebook: every course lives in a
pytest temporary folder, with a copy of the real ``exercises/nbgrader_config.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from solidarity_course.instructor.course import Course
from solidarity_course.instructor.synthetic import SAMPLE_CHAPTER, sample_course

CHAPTER = SAMPLE_CHAPTER


def make_course(root: Path, release: bool = True) -> Course:
    """A throw-away course in ``root`` (see :func:`synthetic.sample_course`)."""
    return sample_course(root, release)


def copy_course(course: Course, root: Path) -> Course:
    """A copy of a course (files and SQLite gradebook) at ``root``."""
    shutil.copytree(course.root, root)
    return Course.find(root)


def gradebook_dump(course: Course, assignment: str = CHAPTER) -> dict:
    """Everything the gradebook holds about the assignment's submissions, comparable with ==."""
    with course.gradebook() as gb:
        record = gb.find_assignment(assignment)
        out = {"students": sorted(s.id for s in gb.students)}
        for sub in record.submissions:
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, g.name)] = (g.auto_score, g.manual_score,
                                                     g.needs_manual_grade)
                for c in nb.comments:
                    out[(sub.student.id, c.name, "comment")] = (c.auto_comment, c.manual_comment)
            out[(sub.student.id, "timestamp")] = sub.timestamp
        from sqlalchemy import text

        for table in ("submitted_assignment", "submitted_notebook", "grade", "comment", "student"):
            out[f"rows:{table}"] = gb.db.execute(text(f"select count(*) from {table}")).scalar()
    return out


class SleepExecutor:
    """An executor that hangs (with a child process, like a kernel) until it is killed."""

    def run(self, job) -> None:
        child = subprocess.Popen(["sleep", "120"])
        # (a test course: the pid goes where the test can read it)
        (Path(job.course_root) / "sleep-child.pid").write_text(str(child.pid))
        time.sleep(120)


class FailingExecutor:
    """An executor that writes 250 numbered lines to its log, then fails."""

    def run(self, job) -> None:
        for number in range(1, 251):
            print(f"worker line {number}")
        raise RuntimeError("the executor broke")
