"""Hostile submissions cannot fool or break grading (issue 8).

One autograde batch grades honest synthetic students together with one
student per hostile kind (:mod:`hostile_corpus`), in the bubblewrap jail.
Every honest student gets exactly the expected score; every hostile one gets
at most its honest score, with a diagnostic; nothing outside the student's own
folder changes; nothing secret was readable and nothing was reachable.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from hostile_corpus import KINDS, Context, probes
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.course import Course
from solidarity_course.instructor.sandbox import probe
from solidarity_course.instructor.synthetic import make_class

HONEST = 4


def test_the_sandbox_starts_here():
    """CI installs bubblewrap (make setup): the jail must start, never be skipped."""
    probe()


class CountingServer:
    """A TCP server on the host's loopback that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def snapshot(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    """Hash of every file under ``root`` except the folders/files in ``skip``."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(rel == s or rel.startswith(s + "/") for s in skip) or not path.is_file():
            continue
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    course = make_course(base / "course")
    cls = make_class(course, CHAPTER, HONEST + len(KINDS), seed=11)
    cls.write_submitted(course.folder("submitted"))
    honest = cls.students[:HONEST]
    hostile = dict(zip((k.name for k in KINDS), cls.students[HONEST:], strict=True))
    first = cls.questions[0]
    server = CountingServer()
    ctx = Context(course.root, cls.notebook_name, honest[0].student_id, CHAPTER, server.port,
                  first.variable, first.question.id)
    for kind in KINDS:
        folder = course.submission_dir("submitted", hostile[kind.name].student_id, CHAPTER)
        kind.apply(folder, ctx)
    skip = ("autograded", "gradebook.db", "reports")
    before = snapshot(course.root, skip)
    outside = snapshot(base, ("course",))
    try:
        report = autograde(course, CHAPTER, workers=2, cell_timeout=10, time_limit=240)
    finally:
        server.close()
    return {"course": course, "cls": cls, "honest": honest, "hostile": hostile,
            "report": report, "before": before, "after": snapshot(course.root, skip),
            "outside_before": outside, "outside_after": snapshot(base, ("course",)),
            "server": server, "base": base}


def scores_of(course: Course, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        sub = gb.find_submission(CHAPTER, student)
        return {g.name.removesuffix("-test"): g.auto_score
                for nb in sub.notebooks for g in nb.grades if g.name.endswith("-test")}


def test_the_corpus_has_at_least_18_kinds():
    assert len({k.name for k in KINDS}) == len(KINDS) >= 18


def test_honest_students_get_exactly_their_expected_scores(batch):
    for student in batch["honest"]:
        outcome = next(o for o in batch["report"].outcomes if o.student == student.student_id)
        assert outcome.status == "graded" and outcome.detail == "", outcome
        scores = scores_of(batch["course"], student.student_id)
        for qid, points in student.expected.items():
            assert scores[qid] == pytest.approx(points, abs=1e-6), (student.student_id, qid)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_hostile_submission_gets_only_its_honest_score_and_a_diagnostic(batch, kind):
    student = batch["hostile"][kind.name]
    outcome = next(o for o in batch["report"].outcomes if o.student == student.student_id)
    assert outcome.status == kind.outcome, outcome
    assert kind.detail in outcome.detail, outcome
    if kind.outcome == "problem":
        return
    scores = scores_of(batch["course"], student.student_id)
    first = batch["cls"].questions[0].question.id
    zeroed = [first if z == "FIRST" else z for z in kind.zeroed]
    for qid, points in student.expected.items():
        assert scores[qid] == pytest.approx(0.0 if qid in zeroed else points, abs=1e-6), qid


def test_probes_reached_no_secret_no_file_and_no_network(batch):
    course = batch["course"]
    names = [k.name for k in KINDS if k.probe]
    for name in names:
        student = batch["hostile"][name].student_id
        folder = course.submission_dir("autograded", student, CHAPTER)
        records = probes(folder / batch["cls"].notebook_name)
        assert records, f"{name}: the probe printed nothing"
        for record in records:
            reached = {k: v for k, v in record.items() if v in ("read", "written", "connected")}
            assert not reached, (name, reached)
    assert batch["server"].accepted == 0


def test_nothing_outside_the_students_folders_changed(batch):
    assert batch["after"] == batch["before"]
    assert batch["outside_after"] == batch["outside_before"]
    assert not Path("/work/hostile-was-here.txt").exists()


def test_the_gradebook_is_intact_and_holds_only_graded_students(batch):
    course = batch["course"]
    db = sqlite3.connect(course.root / "gradebook.db")
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from grade where manual_score = 99").fetchone()[0] == 0
    graded = set(batch["report"].students("graded"))
    with course.gradebook() as gb:
        submitted = {s.student.id for s in gb.find_assignment(CHAPTER).submissions}
    assert submitted == graded

