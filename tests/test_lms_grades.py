"""Grades back to the LMS: a synthetic Canvas download (then a Moodle one) → collect →
autograde → export --lms; every submitting account gets exactly its score."""

from __future__ import annotations

import csv
import io

import pytest
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.cli import main
from solidarity_course.instructor.collect import collect
from solidarity_course.instructor.synthetic import make_class
from solidarity_course.lms import accounts
from solidarity_course.lms.gradebook import UngradedError, lms_grades

N = 5
ESSAY = f"{CHAPTER}-essay"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course whose class came as a Canvas zip, autograded, essays not yet graded."""
    base = tmp_path_factory.mktemp("lms")
    course = make_course(base / "course")
    cls = make_class(course, CHAPTER, N, seed=3)
    collected = collect(course, CHAPTER, cls.write_zip(base / "canvas.zip", "canvas"))
    assert collected.counts() == {"collected": N}
    report = autograde(course, CHAPTER, workers=2)
    assert report.students("graded") == sorted(s.student_id for s in cls.students), report
    return course, cls, base


def read_csv(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def grade_essays(course, scores: dict[str, float]) -> None:
    with course.gradebook() as gb:
        for student, score in scores.items():
            gb.find_grade(ESSAY, CHAPTER, CHAPTER, student).manual_score = score
        gb.db.commit()


def test_ungraded_essays_are_refused_unless_allowed(graded, tmp_path, capsys):
    course, cls, _base = graded
    with pytest.raises(UngradedError, match="--allow-ungraded"):
        lms_grades(course, CHAPTER, "canvas", tmp_path)
    assert not (tmp_path / f"{CHAPTER}-canvas.csv").exists()
    assert main(["--course", str(course.root), "export", CHAPTER, "--lms", "canvas",
                 "--out", str(tmp_path)]) == 2
    assert "wait for a manual grade" in capsys.readouterr().err
    result = lms_grades(course, CHAPTER, "canvas", tmp_path, allow_ungraded=True)
    assert sorted(result.ungraded) == sorted(s.student_id for s in cls.students)
    rows = read_csv(result.path)
    totals = {r[1]: float(r[5]) for r in rows[2:]}
    canvas_ids = {s.student_id: str(4000 + i) for i, s in enumerate(cls.students)}
    assert totals == {canvas_ids[s.student_id]: pytest.approx(s.total) for s in cls.students}


def test_canvas_then_moodle_round_trip(graded, tmp_path, capsys):
    course, cls, base = graded
    essay = {s.student_id: 0.5 * (i + 1) for i, s in enumerate(cls.students)}
    grade_essays(course, essay)
    expected = {s.student_id: s.total + essay[s.student_id] for s in cls.students}
    with course.gradebook() as gb:
        maximum = sum(c.max_score for nb in gb.find_assignment(CHAPTER).notebooks
                      for c in nb.grade_cells)

    # Canvas: matched by the user id in the download's file names
    assert main(["--course", str(course.root), "export", CHAPTER, "--lms", "canvas",
                 "--out", str(tmp_path), "--lms-column", "Sample quiz (1234)"]) == 0
    rows = read_csv(tmp_path / f"{CHAPTER}-canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Sample quiz (1234)"]
    assert rows[1][0] == "    Points Possible" and float(rows[1][5]) == maximum
    assert len(rows) == 2 + N
    by_id = {r[1]: float(r[5]) for r in rows[2:]}
    for i, s in enumerate(cls.students):
        assert by_id[str(4000 + i)] == pytest.approx(expected[s.student_id], abs=1e-6)

    # Moodle: the same class from a Moodle download, identified by e-mail via the roster;
    # one student lacks an e-mail and is reported, not dropped silently
    roster = base / "roster.csv"
    lines = ["lms_id,student_id,email"] + [
        f"{1000 + i},{s.student_id},{'' if i == N - 1 else s.student_id + '@example.edu'}"
        for i, s in enumerate(cls.students)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = collect(course, CHAPTER, cls.write_zip(base / "moodle.zip", "moodle"),
                    roster=roster)
    assert again.counts() == {"unchanged": N}
    assert {a["lms"] for a in accounts.load(course.root, CHAPTER).values()} == {"moodle"}
    code = main(["--course", str(course.root), "export", CHAPTER, "--lms", "moodle",
                 "--roster", str(roster), "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    missing = cls.students[-1].student_id
    assert code == 1 and f"unmapped  {missing}: no email" in printed
    rows = read_csv(tmp_path / f"{CHAPTER}-moodle.csv")
    assert rows[0] == ["Email address", "Full name", CHAPTER]
    got = {r[0]: float(r[2]) for r in rows[1:]}
    assert got == {f"{s.student_id}@example.edu": pytest.approx(expected[s.student_id], abs=1e-6)
                   for s in cls.students[:-1]}
    names = {r[0]: r[1] for r in rows[1:]}
    assert names[f"{cls.students[0].student_id}@example.edu"] == cls.students[0].full_name


def test_accounts_without_grades_are_reported(graded, tmp_path):
    course, cls, _base = graded
    accounts.record(course.root, CHAPTER, {"ghost": {"lms": "canvas", "lms_id": "ghostly",
                                                     "lms_user_id": "9999"}})
    try:
        result = lms_grades(course, CHAPTER, "canvas", tmp_path, allow_ungraded=True)
        assert ("ghost", "collected from canvas account 9999 but has no grade") in result.unmapped
    finally:
        path = accounts.accounts_path(course.root, CHAPTER)
        kept = [ln for ln in path.read_text().splitlines() if not ln.startswith("ghost,")]
        path.write_text("\n".join(kept) + "\n")


def test_a_roster_without_student_ids_is_one_clear_message(tmp_path):
    from solidarity_course.instructor.course import CourseError

    bad = tmp_path / "roster.csv"
    bad.write_text("lms_id,email\n1000,a@example.edu\n", encoding="utf-8")
    with pytest.raises(CourseError, match="no student_id column"):
        accounts.roster_rows(bad)
    with pytest.raises(CourseError, match="cannot read it"):
        accounts.roster_rows(tmp_path / "missing.csv")
