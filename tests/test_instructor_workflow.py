"""The whole round on a synthetic class of 30 through a Canvas zip, then re-runs and resume.

release -> collect (zip with older drafts) -> autograde (parallel) -> manual grade ->
feedback -> export -> report; every score equals the expected score; a second round
changes nothing; an interrupted autograde resumes to the same gradebook.
"""

from __future__ import annotations

import csv
import io

import pytest
from instructor_support import CHAPTER, copy_course, gradebook_dump, make_course

from solidarity_course.instructor import importer
from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.cli import main
from solidarity_course.instructor.collect import collect
from solidarity_course.instructor.export import export
from solidarity_course.instructor.feedback import feedback
from solidarity_course.instructor.report import report
from solidarity_course.instructor.synthetic import make_class

N = 30
ESSAY = f"{CHAPTER}-essay"


@pytest.fixture(scope="module")
def round_one(tmp_path_factory):
    """A course after collect (kept pristine) and after the first full round."""
    base = tmp_path_factory.mktemp("workflow")
    course = make_course(base / "course")
    cls = make_class(course, CHAPTER, N, seed=7)
    download = cls.write_zip(base / "canvas.zip", "canvas", drafts=3)
    collected = collect(course, CHAPTER, download)
    pristine = copy_course(course, base / "pristine")  # released + collected, not graded
    graded = autograde(course, CHAPTER, workers=2)
    return course, cls, collected, graded, pristine, base


def test_collect_took_every_student_and_dropped_drafts(round_one):
    _course, cls, collected, _graded, _pristine, _base = round_one
    assert collected.counts() == {"collected": N, "superseded": 3}


def test_every_score_equals_the_expected_score(round_one):
    course, cls, _collected, graded, _pristine, _base = round_one
    assert graded.students("graded") == sorted(s.student_id for s in cls.students), graded
    with course.gradebook() as gb:
        for s in cls.students:
            sub = gb.find_submission(CHAPTER, s.student_id)
            scores = {g.name.removesuffix("-test"): g.auto_score
                      for nb in sub.notebooks for g in nb.grades}
            for qid, points in s.expected.items():
                assert scores[qid] == pytest.approx(points, abs=1e-6), (s.student_id, qid)
    # the synthetic class is not trivial: a spread of totals, partial credit included
    totals = sorted(s.total for s in cls.students)
    assert totals[0] < totals[-1] and any(p % 1 for s in cls.students for p in s.expected.values())


def test_manual_grade_feedback_export_report_and_second_round(round_one):
    course, cls, _collected, _graded, _pristine, base = round_one
    first = cls.students[0].student_id
    with course.gradebook() as gb:  # the instructor grades one essay in the formgrader
        grade = gb.find_grade(ESSAY, CHAPTER, CHAPTER, first)
        grade.manual_score = 2.5
        gb.db.commit()
    fb = feedback(course, CHAPTER)
    assert sorted(fb.written) == sorted(s.student_id for s in cls.students) and not fb.failed
    html_file = course.folder("feedback") / first / CHAPTER / f"{CHAPTER}.html"
    assert "Question" in html_file.read_text(encoding="utf-8")
    out = base / "exports"
    export(course, [CHAPTER], out, allow_ungraded=True)
    expected = {s.student_id: s for s in cls.students}
    grades = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    assert len(grades) == N
    for row in grades:
        extra = 2.5 if row["student_id"] == first else 0
        assert float(row["raw_score"]) == pytest.approx(expected[row["student_id"]].total + extra)
    questions = list(csv.DictReader(io.StringIO((out / f"{CHAPTER}-questions.csv").read_text())))
    assert len(questions) == N
    for row in questions:
        s = expected[row["student_id"]]
        for qid, points in s.expected.items():
            assert float(row[qid]) == pytest.approx(points, abs=1e-6)
        assert float(row[ESSAY]) == (2.5 if s.student_id == first else 0)
        assert float(row["total"]) == pytest.approx(float(next(
            g["raw_score"] for g in grades if g["student_id"] == s.student_id)))
    files = report(course, [CHAPTER], base / "reports")
    page = files[0].read_text(encoding="utf-8")
    assert 'aria-label="Histogram' in page and 'aria-label="Scatter plot' in page
    assert page.count('<svg role="img"') == 2 + len(cls.questions)  # + one chart per question
    items = list(csv.DictReader(io.StringIO((base / "reports" / f"{CHAPTER}-items.csv")
                                            .read_text())))
    assert [r["question"] for r in items] == [g.question.id for g in cls.questions]
    for r in items:  # facility from the expected scores
        q = next(g.question for g in cls.questions if g.question.id == r["question"])
        mean = sum(s.expected[q.id] for s in cls.students) / N
        assert float(r["facility"]) == pytest.approx(mean / q.points, abs=1e-4)
    options = (base / "reports" / f"{CHAPTER}-options.csv").read_text()
    single = next(g.question for g in cls.questions if g.question.type == "single_choice")
    chose_key = sum(s.responses[single.id] == single.answer for s in cls.students)
    assert f"{single.id},{single.answer},yes,,{chose_key}," in options

    # second round: nothing changes
    before = gradebook_dump(course)
    snapshot = {p: p.read_bytes() for p in out.iterdir()}
    assert not collect(course, CHAPTER, base / "canvas.zip").by_status("collected")
    again = autograde(course, CHAPTER, workers=2)
    assert again.students("up-to-date") == sorted(expected) and again.ok
    export(course, [CHAPTER], out, allow_ungraded=True)
    assert {p: p.read_bytes() for p in out.iterdir()} == snapshot
    assert gradebook_dump(course) == before
    # a forced regrade of that student keeps the manual grade
    forced = autograde(course, CHAPTER, [first], force=True, workers=1)
    assert forced.students("graded") == [first]
    after = gradebook_dump(course)
    assert after[(first, ESSAY)][1] == 2.5
    assert after == before | {(first, ESSAY): (before[(first, ESSAY)][0], 2.5, True)}


def test_interrupted_autograde_resumes_to_the_same_gradebook(round_one, monkeypatch, tmp_path):
    course, cls, _collected, _graded, pristine, _base = round_one
    reference = gradebook_dump(course)
    work = copy_course(pristine, tmp_path / "interrupted")
    chosen = sorted(s.student_id for s in cls.students)[:6]
    calls = {"n": 0}
    real_commit = importer._commit

    def commit_then_die(session):
        calls["n"] += 1
        if calls["n"] == 4:  # the 4th student's transaction never commits: "kill" here
            raise KeyboardInterrupt
        real_commit(session)

    monkeypatch.setattr(importer, "_commit", commit_then_die)
    with pytest.raises(KeyboardInterrupt):
        autograde(work, CHAPTER, chosen, workers=2)
    monkeypatch.setattr(importer, "_commit", real_commit)
    half = gradebook_dump(work)
    assert half["rows:submitted_assignment"] == 3  # three whole students, nothing half-written
    assert half["rows:grade"] == 3 * 8
    resumed = autograde(work, CHAPTER, chosen, workers=2)
    assert len(resumed.students("up-to-date")) == 3 and len(resumed.students("graded")) == 3
    dump = gradebook_dump(work)
    for key, value in dump.items():
        if isinstance(key, tuple) and key[0] in chosen and key[1] != ESSAY:
            assert reference[key] == value, key
    assert dump["rows:grade"] == 6 * 8 and dump["rows:submitted_assignment"] == 6


def test_every_subcommand_has_help(capsys):
    for command in ("release", "collect", "autograde", "formgrader", "feedback", "export",
                    "report", "synth"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: course-grade" in capsys.readouterr().out
