"""Every course-grade step on a PostgreSQL gradebook, as on SQLite (a real, private server).

One synthetic class is collected twice from the same Canvas download: into a course
whose gradebook is PostgreSQL and into one whose gradebook is SQLite.  Release,
collect, autograde, feedback, export and report must give the same results; an
interrupted autograde resumes; formgrader sessions saving grades while autograde
writes lose nothing; ``course-grade migrate`` copies a SQLite gradebook row for row.
"""

from __future__ import annotations

import threading

import pytest
from instructor_support import CHAPTER, gradebook_dump, make_course
from postgres_support import start_server

from solidarity_course.instructor import importer
from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.cli import main
from solidarity_course.instructor.collect import collect
from solidarity_course.instructor.course import Course, CourseError
from solidarity_course.instructor.export import export
from solidarity_course.instructor.feedback import feedback
from solidarity_course.instructor.report import report
from solidarity_course.instructor.synthetic import make_class, sample_course

pytestmark = pytest.mark.postgres

N = 8
ESSAY = f"{CHAPTER}-essay"


@pytest.fixture(scope="module")
def server():
    pg = start_server()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def twins(server, tmp_path_factory):
    """The same class graded with a PostgreSQL and with a SQLite gradebook."""
    base = tmp_path_factory.mktemp("pg")
    pg_course = sample_course(base / "pg", db_url=server.create_database("course"))
    sqlite_course = make_course(base / "sqlite")
    cls = make_class(pg_course, CHAPTER, N, seed=5)
    download = cls.write_zip(base / "canvas.zip", "canvas", drafts=2)
    out = {}
    for name, course in (("pg", pg_course), ("sqlite", sqlite_course)):
        collected = collect(course, CHAPTER, download)
        graded = autograde(course, CHAPTER, workers=2)
        out[name] = (course, collected, graded)
    return out, cls, base


def _without_timestamps(dump: dict) -> dict:
    return {k: v for k, v in dump.items() if not (isinstance(k, tuple) and k[-1] == "timestamp")}


def test_the_gradebook_really_is_postgresql(twins):
    pg = twins[0]["pg"][0]
    assert pg.db_url.startswith("postgresql+psycopg://")
    with pg.gradebook() as gb:
        assert gb.db.bind.dialect.name == "postgresql"


def test_release_collect_and_autograde_match_sqlite(twins):
    runs, cls, _base = twins
    (pg, pg_collected, pg_graded), (lite, lite_collected, lite_graded) = runs["pg"], runs["sqlite"]
    assert pg_collected.counts() == lite_collected.counts() == {"collected": N, "superseded": 2}
    assert pg_graded.students("graded") == lite_graded.students("graded") == sorted(
        s.student_id for s in cls.students)
    assert gradebook_dump(pg) == gradebook_dump(lite)


def test_feedback_export_and_report_match_sqlite(twins, tmp_path):
    runs, cls, _base = twins
    first = cls.students[0].student_id
    outputs = {}
    for name in ("pg", "sqlite"):
        course = runs[name][0]
        with course.gradebook() as gb:  # the same essay grade, given in formgrader
            grade = gb.find_grade(ESSAY, CHAPTER, CHAPTER, first)
            grade.manual_score = 1.5
            gb.db.commit()
        fb = feedback(course, CHAPTER)
        assert not fb.failed and len(fb.written) == N
        export(course, [CHAPTER], tmp_path / name / "exports", allow_ungraded=True)
        report(course, [CHAPTER], tmp_path / name / "reports")
        outputs[name] = {p.relative_to(tmp_path / name).as_posix(): sorted(
            p.read_text(encoding="utf-8").splitlines())
            for p in (tmp_path / name).rglob("*.csv")}
    assert outputs["pg"] == outputs["sqlite"] and len(outputs["pg"]) >= 3


def test_interrupted_autograde_resumes_on_postgresql(server, twins, monkeypatch, tmp_path):
    runs, cls, base = twins
    reference = gradebook_dump(runs["sqlite"][0])
    course = sample_course(tmp_path / "resume", db_url=server.create_database("resume"))
    collect(course, CHAPTER, base / "canvas.zip")
    calls = {"n": 0}
    real_commit = importer._commit

    def commit_then_die(session):
        calls["n"] += 1
        if calls["n"] == 3:  # the 3rd student's transaction never commits
            raise KeyboardInterrupt
        real_commit(session)

    monkeypatch.setattr(importer, "_commit", commit_then_die)
    with pytest.raises(KeyboardInterrupt):
        autograde(course, CHAPTER, workers=2)
    monkeypatch.setattr(importer, "_commit", real_commit)
    assert gradebook_dump(course)["rows:submitted_assignment"] == 2
    resumed = autograde(course, CHAPTER, workers=2)
    assert len(resumed.students("up-to-date")) == 2 and len(resumed.students("graded")) == N - 2
    dump = gradebook_dump(course)
    assert dump["rows:submitted_assignment"] == N
    auto = {k: v[0] for k, v in dump.items() if isinstance(k, tuple) and len(k) == 2
            and k[1] != "timestamp"}
    assert len(auto) >= N * 7
    assert auto == {k: reference[k][0] for k in auto}


def _formgrader_save(course: Course, student: str, score: float, done: list) -> None:
    """What formgrader's grade API does on save (nbgrader's GradeHandler.put), own session."""
    with course.gradebook() as gb:
        grade = gb.find_grade(ESSAY, CHAPTER, CHAPTER, student)
        grade_id = grade.id
        for _ in range(3):  # save, then save again while autograde writes
            grade = gb.find_grade_by_id(grade_id)
            grade.manual_score = score
            grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
            gb.db.commit()
    done.append(student)


def test_graders_saving_while_autograde_writes_lose_nothing(twins):
    runs, cls, _base = twins
    course = runs["pg"][0]
    students = [s.student_id for s in cls.students]
    scores = {s: 0.5 + i % 4 for i, s in enumerate(students)}
    done: list[str] = []
    halves = (students[::2], students[1::2])  # two instructors, half the class each

    def instructor(mine):
        for student in mine:
            _formgrader_save(course, student, scores[student], done)

    threads = [threading.Thread(target=instructor, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    regraded = autograde(course, CHAPTER, force=True, workers=2)
    for t in threads:
        t.join()
    assert sorted(done) == sorted(students)
    assert regraded.students("graded") == sorted(students)
    after = gradebook_dump(course)
    for student in students:
        auto, manual, _needs = after[(student, ESSAY)]
        assert manual == scores[student], student
    checked = 0
    for s in cls.students:  # and every automatic score is still exactly right
        for qid, points in s.expected.items():
            assert after[(s.student_id, f"{qid}-test")][0] == pytest.approx(points, abs=1e-6)
            checked += 1
    assert checked >= N * 7


def test_migrate_copies_a_sqlite_gradebook_row_for_row(server, twins, capsys):
    runs, _cls, _base = twins
    lite = runs["sqlite"][0]
    url = server.create_database("migrated")
    assert main(["--course", str(lite.root), "migrate", "--to", url]) == 0
    out = capsys.readouterr().out
    assert "copied and verified" in out and url in out
    moved = Course(lite.root)  # a second view of the course, its gradebook the target
    moved.config.CourseDirectory.db_url = url
    assert gradebook_dump(moved) == gradebook_dump(lite)
    # a second migration into the now non-empty database is refused, naming why
    assert main(["--course", str(lite.root), "migrate", "--to", url]) == 2
    assert "already holds a gradebook" in capsys.readouterr().err


def test_migrate_refuses_its_own_gradebook(twins):
    lite = twins[0]["sqlite"][0]
    from solidarity_course.instructor.migrate import migrate

    with pytest.raises(CourseError, match="own gradebook"):
        migrate(lite.db_url, lite.db_url)
