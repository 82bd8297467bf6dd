"""nbgrader round trip in a throw-away course: generate_assignment, a key scan of
the release, then autograde a correct, a wrong and a blank submission."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from solidarity_course.quiz.assignments import generate, main
from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.devices import default_data
from solidarity_course.quiz.leakcheck import find_leaks, scan_directory
from solidarity_course.quiz.model import DocumentSet
from solidarity_course.quiz.samples import (
    SAMPLE_RESPONSES,
    sample_data,
    write_sample_bank,
    write_sample_dbq_bank,
)

NBGRADER = Path(sys.executable).with_name("nbgrader")
CHAPTER = "99-sample"


@pytest.fixture(scope="module", autouse=True)
def _venv_on_path():
    """nbgrader runs ``alembic`` (a console script beside it) through PATH."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


def _course(root: Path) -> str:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'test-course'\n"
        "c.Execute.timeout = 120\n",
        encoding="utf-8",
    )
    return f"sqlite:///{root / 'gradebook.db'}"


def _nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(NBGRADER), *args], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    db = _course(root)
    bank_dir = tmp_path_factory.mktemp("bank")
    write_sample_bank(bank_dir)
    bank = load_bank(bank_dir, data=sample_data())
    generate([CHAPTER], bank=bank, out_dir=root / "source")
    _nbgrader(root, "generate_assignment", CHAPTER, "--force", "--create", "--db", db)
    return root, db, bank


def _submit(root: Path, student: str, kind: str | None) -> None:
    release = root / "release" / CHAPTER / f"{CHAPTER}.ipynb"
    target = root / "submitted" / student / CHAPTER / f"{CHAPTER}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(release, as_version=4)
    if kind is not None:
        order = list(SAMPLE_RESPONSES)  # notebook question order = sample order
        n = 0
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-answer"):
                response = SAMPLE_RESPONSES[order[n]][kind][0]
                cell.source = f"answer_{n + 1} = {response!r}"
                n += 1
        assert n == len(order)
    nbformat.write(nb, target)


def test_release_has_no_key(course):
    root, _db, bank = course
    release = root / "release" / CHAPTER / f"{CHAPTER}.ipynb"
    assert release.exists()
    graded = bank.chapter(CHAPTER, use="graded")
    assert scan_directory(root / "release", graded) == {}
    # The scan does find the keys in the source notebook (so it is not vacuous).
    source_text = (root / "source" / CHAPTER / f"{CHAPTER}.ipynb").read_text("utf-8")
    assert {leak.split(":")[0] for leak in find_leaks(source_text, graded)} >= {
        q.id for q in graded}
    released = nbformat.read(release, as_version=4)
    assert "answer_1 = None" in released.cells[3].source
    assert "Short essay (3 points, graded by hand)" in released.cells[-2].source


def test_autograde_correct_wrong_blank(course):
    from nbgrader.api import Gradebook

    root, db, bank = course
    for student, kind in (("right", "right"), ("wrong", "wrong"), ("blank", None)):
        _submit(root, student, kind)
    _nbgrader(root, "autograde", CHAPTER, "--force", "--create", "--db", db)
    total = sum(q.points for q in bank.chapter(CHAPTER, use="graded"))
    with Gradebook(db) as gb:
        for student, expected in (("right", total), ("wrong", 0), ("blank", 0)):
            nb = gb.find_submission_notebook(CHAPTER, CHAPTER, student)
            auto = [g for g in nb.grades if g.cell.name.endswith("-test")]
            assert len(auto) == 7
            assert sum(g.auto_score for g in auto) == pytest.approx(expected), student
            essay = [g for g in nb.grades if g.cell.name.endswith("-essay")]
            assert essay[0].auto_score is None or essay[0].auto_score == 0


def test_partial_credit(course, tmp_path):
    from nbgrader.api import Gradebook

    root, db, _bank = course
    release = root / "release" / CHAPTER / f"{CHAPTER}.ipynb"
    nb = nbformat.read(release, as_version=4)
    answers = {2: ["book"], 3: {"q1": "t2", "q2": "t1", "q3": "t3"},
               4: ["oct", "ci", "seventh", "ils"]}
    for cell in nb.cells:
        for n, value in answers.items():
            if cell.source.startswith(f"# Question {n}:"):
                cell.source = f"answer_{n} = {value!r}"
    target = root / "submitted" / "partial" / CHAPTER / f"{CHAPTER}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    _nbgrader(root, "autograde", CHAPTER, "--student", "partial", "--force", "--create",
              "--db", db)
    with Gradebook(db) as gb:
        grades = {g.cell.name: g.auto_score
                  for g in gb.find_submission_notebook(CHAPTER, CHAPTER, "partial").grades}
    assert grades["g-multi-test"] == pytest.approx(1.0)     # half of 2 points
    assert grades["g-match-test"] == pytest.approx(2 / 3)   # a third of 2 points
    assert grades["g-order-test"] == pytest.approx(1.0)     # half of 2 points
    assert grades["g-single-test"] == 0


DBQ = "97-graded-dbq"


def test_document_set_round_parts_autograded_written_answer_left_for_formgrader(tmp_path):
    """A graded document set: the release holds no key or explanation of its parts; autograde
    scores each part (partial credit where it allows) and leaves the written answer to
    formgrader."""
    from nbgrader.api import Gradebook

    from solidarity_course.instructor.course import Course

    root = tmp_path / "course"
    db = _course(root)
    write_sample_dbq_bank(tmp_path / "bank", use="graded", chapter=DBQ)
    bank = load_bank(tmp_path / "bank", data=sample_data())
    generate([DBQ], bank=bank, out_dir=root / "source")
    _nbgrader(root, "generate_assignment", DBQ, "--force", "--create", "--db", db)
    dbq = bank.questions["g-dbq"]
    assert scan_directory(root / "release", [dbq]) == {}
    source = (root / "source" / DBQ / f"{DBQ}.ipynb").read_text("utf-8")
    assert {leak.split(":")[0] for leak in find_leaks(source, [dbq])} >= {
        p.id for p in dbq.parts}
    release = nbformat.read(root / "release" / DBQ / f"{DBQ}.ipynb", as_version=4)
    answers = {"1a": "abroad", "1b": ["authority"], "1c": "support"}
    for cell in release.cells:
        for label, value in answers.items():
            if cell.source.startswith(f"# Question {label}:"):
                cell.source = f"answer_{label} = {value!r}"
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "g-dbq-written":
            cell.source = "Document A was published in Moscow for readers abroad, so ..."
    target = root / "submitted" / "ana" / DBQ / f"{DBQ}.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(release, target)
    _nbgrader(root, "autograde", DBQ, "--force", "--create", "--db", db)
    with Gradebook(db) as gb:
        nb = gb.find_submission_notebook(DBQ, DBQ, "ana")
        grades = {g.cell.name: g for g in nb.grades}
        assert grades["g-dbq-audience-test"].auto_score == pytest.approx(1)
        assert grades["g-dbq-corroborate-test"].auto_score == pytest.approx(1)  # half of 2
        assert grades["g-dbq-omission-test"].auto_score == 0
        written = grades["g-dbq-written"]
        assert written.max_score == 5 and written.auto_score is None
        assert written.needs_manual_grade
        written.manual_score = 4  # as the formgrader would
        gb.db.commit()
    # Feedback: the documents (the gradebook's copy) come with the first part.
    from solidarity_course.instructor.feedback import feedback

    assert feedback(Course.find(root), DBQ).written == {"ana": [f"{DBQ}.html"]}
    page = (root / "feedback" / "ana" / DBQ / f"{DBQ}.html").read_text("utf-8")
    labels = [label for label, _doc in dbq.labelled_documents()]
    assert len(labels) >= 3 and all(f">{label}</h4>" in page for label in labels)
    first_part = page.index('id="q1"')
    assert first_part < page.index(f">{labels[0]}</h4>") < page.index('id="q2"')
    assert page.count(f">{labels[0]}</h4>") == 1
    # Item analysis: each part an item and the written answer a hand-graded one, grouped.
    from solidarity_course.instructor.report import report

    report(Course.find(root), [DBQ], tmp_path / "reports")
    rows = {r["question"]: r for r in csv.DictReader(
        (tmp_path / "reports" / f"{DBQ}-items.csv").open(encoding="utf-8"))}
    assert {q: (r["document_set"], r["graded"]) for q, r in rows.items()} == {
        "g-dbq-audience": ("g-dbq", "automatically"),
        "g-dbq-corroborate": ("g-dbq", "automatically"),
        "g-dbq-omission": ("g-dbq", "automatically"),
        "g-dbq-written": ("g-dbq", "by hand")}
    page = (tmp_path / "reports" / "item-analysis.html").read_text("utf-8")
    assert "Document-based questions (their items summed)" in page
    # Feedback: each part as a question, the written answer with its rubric and mark.
    from solidarity_course.instructor.feedback import feedback

    result = feedback(Course.find(root), DBQ, ["ana"])
    assert result.written == {"ana": [f"{DBQ}.html"]}, result.failed
    page = (root / "feedback" / "ana" / DBQ / f"{DBQ}.html").read_text("utf-8")
    assert page.count("<dt>Your answer</dt>") == len(dbq.parts)
    assert ": written answer</h2>" in page
    assert all(p.prompt.strip()[:30] in page for p in dbq.parts)
    assert "Mark: 4 of 5" in page and "<h3>Rubric</h3>" in page


def test_real_bank_generates_and_releases_cleanly(tmp_path):
    root = tmp_path / "course"
    db = _course(root)
    bank = load_bank(data=default_data())
    assert main(["generate", "--out", str(root / "source")]) == 0
    written = sorted(p.name for p in (root / "source").iterdir())
    # Chapters with graded questions, and every chapter with a document set (issue 22).
    assert written == sorted({q.chapter for q in bank.questions.values()
                              if q.use == "graded" or isinstance(q, DocumentSet)})
    _nbgrader(root, "generate_assignment", "*", "--force", "--create", "--db", db)
    assert sorted(p.name for p in (root / "release").iterdir()) == written
    graded = [q for q in bank.questions.values() if q.use == "graded"]
    assert scan_directory(root / "release", graded) == {}


def test_committed_source_notebooks_are_up_to_date(tmp_path):
    """exercises/source/ must equal what the generator writes from the bank today."""
    from solidarity_course.quiz.assignments import SOURCE_DIR

    if not SOURCE_DIR.exists():
        pytest.skip("exercises/source/ not generated yet")
    generate(out_dir=tmp_path)
    for path in tmp_path.rglob("*.ipynb"):
        committed = SOURCE_DIR / path.relative_to(tmp_path)
        assert committed.exists(), "run: python -m solidarity_course.quiz.assignments generate"
        assert committed.read_text("utf-8") == path.read_text("utf-8"), committed


def test_nbgrader_is_available():
    assert NBGRADER.exists() or shutil.which("nbgrader")
