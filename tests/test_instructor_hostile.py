"""Hostile submissions cannot fool or break grading (issue 8).

One autograde batch grades honest synthetic students together with one
student per hostile kind (:mod:`hostile_corpus`), in the bubblewrap jail.
Every honest student gets exactly the expected score; every hostile one gets
at most its honest score, with a diagnostic; nothing outside the student's own
folder changes; nothing secret was readable and nothing was reachable.

Issue 17 adds the pages: the batch's script-vector student (markdown, essay,
metadata and every kind of active output) is opened in Chromium as the
feedback page, the item-analysis report and a real formgrader (nbgrader's
Jupyter server extension on loopback); no vector may run there.
"""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest
from browser_support import chromium  # noqa: F401 (fixture)
from hostile_corpus import KINDS, Context, probes
from instructor_support import CHAPTER, make_course

from solidarity_course.instructor.autograde import autograde
from solidarity_course.instructor.collect import collect
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
    honest = cls.students[:HONEST]
    hostile = dict(zip((k.name for k in KINDS), cls.students[HONEST:], strict=True))
    # The class arrives as an LMS download, with drafts, late files and the collect
    # attacks (files inside a student's own upload named like a classmate's).
    download = forged_download(cls, base / "canvas.zip", honest, list(hostile.values()))
    collected = collect(course, CHAPTER, download)
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
    except BaseException:
        server.close()
        raise
    yield {"course": course, "cls": cls, "honest": honest, "hostile": hostile,
            "report": report, "collected": collected, "before": before,
            "after": snapshot(course.root, skip),
            "outside_before": outside, "outside_after": snapshot(base, ("course",)),
            "server": server, "base": base}
    server.close()


#: Entries a hostile student adds inside their own upload, named like a classmate's file.
COLLECT_ATTACKS = ("{mine}/{victim}", "{mine}/deeper/{victim}", "{mine}.zip/{victim}")


def forged_download(cls, path: Path, honest, hostile) -> Path:
    """The class's Canvas download plus each COLLECT_ATTACKS entry, one per attacker,
    aimed at the first honest student (newer than the genuine file, so a path
    matched on its tail would replace the genuine file)."""
    cls.write_zip(path, style="canvas", drafts=2)
    victim = cls.lms_name("canvas", 0, honest[0])
    forged = cls.notebook_bytes(hostile[0])
    with zipfile.ZipFile(path, "a") as zf:
        for i, pattern in enumerate(COLLECT_ATTACKS):
            index = HONEST + i
            mine = cls.lms_name("canvas", index, hostile[i]).removesuffix(cls.notebook_name)
            name = pattern.format(mine=mine + "upload", victim=victim)
            zf.writestr(zipfile.ZipInfo(name, (2031, 1, 1, 0, 0, 0)), forged)
    return path


def scores_of(course: Course, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        sub = gb.find_submission(CHAPTER, student)
        return {g.name.removesuffix("-test"): g.auto_score
                for nb in sub.notebooks for g in nb.grades if g.name.endswith("-test")}


def test_the_corpus_has_at_least_18_kinds():
    assert len({k.name for k in KINDS}) == len(KINDS) >= 18


def test_collect_refused_every_file_named_like_a_classmate(batch):
    rows = batch["collected"].rows
    victim = batch["honest"][0].student_id
    refused = [r for r in rows if r.status == "refused"]
    assert len(refused) == len(COLLECT_ATTACKS), rows
    assert all(victim in r.detail for r in refused), refused
    collected = {r.student for r in rows if r.status == "collected"}
    everyone = {s.student_id for s in batch["cls"].students}
    assert collected == everyone


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
    if "ALL" in zeroed:
        zeroed = list(student.expected)
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



# --- Nothing a student wrote runs in the instructor's or the student's browser -------------

def _assert_inert(page, server: CountingServer, what: str) -> None:
    """No vector set ``window.__pwned`` or reached the counting server, even after a click."""
    page.wait_for_timeout(500)
    for link in page.locator("a").all()[:50]:  # javascript: links run only when followed
        try:
            link.click(timeout=500, no_wait_after=True, modifiers=[])
        except Exception:  # hidden or covered links: nothing to follow
            pass
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__pwned === undefined"), \
        (what, page.evaluate("() => window.__pwned"))
    assert server.accepted == 0, what


def test_no_student_script_runs_in_the_feedback_page(batch, chromium):  # noqa: F811
    from solidarity_course.instructor.feedback import feedback
    from solidarity_course.serve import serve_in_thread

    course, student = batch["course"], batch["hostile"]["script-vectors"].student_id
    result = feedback(course, CHAPTER, [student])
    assert student in result.written, result
    folder = course.submission_dir("feedback", student, CHAPTER)
    page_html = (folder / result.written[student][0]).read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page_html and "My essay." in page_html
    with serve_in_thread(folder) as url:
        context = chromium.new_context()
        page = context.new_page()
        page.goto(url + result.written[student][0], wait_until="load")
        _assert_inert(page, batch["server"], "feedback")
        assert "My essay." in page.inner_text("body")
        context.close()


def test_no_student_script_runs_in_the_item_analysis_report(batch, chromium, tmp_path):  # noqa: F811
    from solidarity_course.instructor.report import report

    pages = report(batch["course"], [CHAPTER], tmp_path)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(pages[0].as_uri(), wait_until="load")
    _assert_inert(page, batch["server"], "report")
    context.close()


#: Server extensions installed in the environment; only nbgrader's are loaded here.
SERVER_EXTENSIONS = ("jupyterlab", "jupyter_lsp", "jupyter_server_terminals",
                     "jupyterlab_jupytext", "notebook", "notebook_shim",
                     "nbgrader.server_extensions.formgrader")


@pytest.fixture(scope="module")
def formgrader(batch):
    """nbgrader's formgrader (a Jupyter server extension) on loopback, for the batch's course."""
    import os
    import secrets
    import subprocess
    import sys
    import time
    import urllib.request

    course = batch["course"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(16)
    log = open(batch["base"] / "formgrader.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--ip=127.0.0.1", f"--port={port}",
         "--no-browser", f"--ServerApp.root_dir={course.root}",
         f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True",
         *(f"--ServerApp.jpserver_extensions={name}={name.startswith('nbgrader')}"
           for name in SERVER_EXTENSIONS)],
        cwd=course.root, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(batch["base"] / "jupyter-config")})
    url = f"http://127.0.0.1:{port}"
    try:
        started = False
        for _ in range(480):  # a loaded 2-core machine needed more than a minute
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=1)
                started = True
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        if not started:
            pytest.fail("formgrader did not start: "
                        + (batch["base"] / "formgrader.log").read_text(errors="replace"))
        yield url, token
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_no_student_script_runs_in_formgrader(batch, chromium, formgrader):  # noqa: F811
    url, token = formgrader
    course, student = batch["course"], batch["hostile"]["script-vectors"].student_id
    name = batch["cls"].notebook_name.removesuffix(".ipynb")
    with course.gradebook() as gb:
        submission_id = gb.find_submission_notebook(name, CHAPTER, student).id
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{url}/formgrader/submissions/{submission_id}/?token={token}", wait_until="load")
    assert "My essay." in page.inner_text("body"), page.content()[:2000]
    _assert_inert(page, batch["server"], "formgrader")
    context.close()
