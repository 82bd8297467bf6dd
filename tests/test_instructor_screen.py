"""Screening reports each batch-aborting problem for its student while the others are
graded; a student over the time limit is killed (worker and its child processes)."""

from __future__ import annotations

import json

import nbformat
import psutil
import pytest
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.synthetic import make_class

NB = f"{CHAPTER}.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("screen") / "course")
    make_class(course, CHAPTER, 2, seed=1).write_submitted(course.folder("submitted"))
    release = course.folder("release") / CHAPTER / NB

    def broken(student: str, edit) -> None:
        folder = course.submission_dir("submitted", student, CHAPTER)
        folder.mkdir(parents=True)
        nb = json.loads(release.read_text(encoding="utf-8"))
        text = edit(nb)
        (folder / NB).write_text(text if isinstance(text, str) else json.dumps(nb))

    broken("badjson", lambda nb: json.dumps(nb)[:-40])
    broken("invalid", lambda nb: nb["cells"][0].pop("source"))
    broken("dupid", lambda nb: nb["cells"].append(nb["cells"][3]))

    def retype(nb):
        cell = nb["cells"][3]
        cell.update(cell_type="markdown")
        cell.pop("outputs")
        cell.pop("execution_count")

    broken("retyped", retype)
    broken("missing", lambda nb: nb["cells"].pop(6))
    (course.folder("submitted") / "nothing" / CHAPTER).mkdir(parents=True)
    return course


def test_each_problem_is_reported_and_the_rest_graded(course):
    report = autograde(course, CHAPTER, workers=2)
    assert report.students("graded") == ["s001", "s002"]
    problems = {o.student: o.detail for o in report.outcomes if o.status == "problem"}
    assert "malformed JSON" in problems["badjson"]
    assert "invalid notebook" in problems["invalid"]
    assert "duplicate grade_id 'g-single-answer'" in problems["dupid"]
    assert "changed cell type of 'g-single-answer'" in problems["retyped"]
    assert "missing cell 'g-multi-prompt'" in problems["missing"]
    assert "missing notebook" in problems["nothing"]
    assert len(problems) == 6
    with course.gradebook() as gb:
        assert sorted(s.student.id for s in gb.find_assignment(CHAPTER).submissions) == [
            "s001", "s002"]


def test_time_limit_kills_worker_and_its_children(course):
    pid_file = course.root / "sleep-child.pid"
    nb = nbformat.read(course.folder("release") / CHAPTER / NB, as_version=4)
    target = course.submission_dir("submitted", "slow", CHAPTER)
    target.mkdir(parents=True)
    nbformat.write(nb, target / NB)
    report = autograde(course, CHAPTER, ["slow"], time_limit=8,
                       executor="instructor_support:SleepExecutor")
    assert report.students("timed-out") == ["slow"], report
    child = int(pid_file.read_text())
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
    with course.gradebook() as gb:
        assert "slow" not in [s.student.id for s in gb.find_assignment(CHAPTER).submissions]
    assert not course.submission_dir("autograded", "slow", CHAPTER).exists()


def test_deep_nesting_and_hard_links_are_screened_without_stopping_the_class(tmp_path):
    """Unit level (no kernel): RecursionError and hard links become the student's problem."""
    import os

    from solidarity_course.instructor.screen import MAX_DEPTH, MasterCells, links, screen_notebook

    master = MasterCells("nb.ipynb", {})
    for depth, expected in ((200_000, "malformed JSON"), (MAX_DEPTH + 5, "nested too deeply")):
        path = tmp_path / f"deep-{depth}.ipynb"
        path.write_text('{"cells": [], "metadata": {"x": ' + '{"a": ' * depth + "1"
                        + "}" * depth + '}, "nbformat": 4, "nbformat_minor": 5}')
        problems = screen_notebook(path, master)
        assert len(problems) == 1 and expected in problems[0], problems
    folder = tmp_path / "submission"
    folder.mkdir()
    (tmp_path / "key.ipynb").write_text("{}")
    os.link(tmp_path / "key.ipynb", folder / "notes.ipynb")
    (folder / "mine.ipynb").write_text("{}")
    found = links(folder)
    assert len(found) == 1 and found[0].startswith("hard link notes.ipynb")
