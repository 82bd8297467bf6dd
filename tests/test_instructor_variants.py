"""Per-student variants (issue 19): shuffles, pools, the course secret, copy detection,
per-variant item analysis and a private bank kept outside the repository.

One small class (4 students) of the sample assignment, whose course merges a
private bank (a temporary folder) holding a pool of two questions and a question
that must not be shuffled.  ``ana`` answers everything right in her own labels;
``ben`` types ana's letters/numbers into his own notebook; ``cai`` hands in
ana's notebook file; ``dan`` hands in his notebook with the variant id removed.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
import yaml
from instructor_support import CHAPTER

from solidarity_course.instructor import release as release_module
from solidarity_course.instructor.autograde import GradeStatus, autograde
from solidarity_course.instructor.cli import main
from solidarity_course.instructor.collect import TIMESTAMP_FORMAT
from solidarity_course.instructor.course import Course, CourseError
from solidarity_course.instructor.keys import grade_id
from solidarity_course.instructor.release import release
from solidarity_course.instructor.report import report
from solidarity_course.instructor.synthetic import sample_course
from solidarity_course.instructor.variants import (
    METADATA_KEY,
    SECRET_NAME,
    course_secret,
    load_record,
    slot_questions,
    variant_leaks,
)
from solidarity_course.quiz.leakcheck import scan_directory
from solidarity_course.quiz.samples import write_sample_data
from solidarity_course.quiz.scoring import score_answer
from solidarity_course.quiz.variants import present

STUDENTS = ["ana", "ben", "cai", "dan"]
NB = f"{CHAPTER}.ipynb"
MARKER = "PRIVATE-MARKER-7Q"

_COMMON = {"use": "graded", "points": 2, "objective": "Date the Comintern's landmarks.",
           "explanation": "Common knowledge of the Comintern's history."}
PRIVATE_BANK = {
    "chapter": CHAPTER,
    "questions": [
        _COMMON | {"id": "p-founded", "type": "single_choice", "pool": "p-year",
                   "prompt": f"In which year was the Comintern founded? {MARKER}",
                   "options": [{"id": "y1919", "text": "1919"}, {"id": "y1917", "text": "1917"},
                               {"id": "y1924", "text": "1924"}, {"id": "y1936", "text": "1936"}],
                   "answer": "y1919"},
        _COMMON | {"id": "p-dissolved", "type": "single_choice", "pool": "p-year",
                   "prompt": "In which year was the Comintern dissolved?",
                   "options": [{"id": "y1943", "text": "1943"}, {"id": "y1939", "text": "1939"},
                               {"id": "y1945", "text": "1945"}, {"id": "y1956", "text": "1956"}],
                   "answer": "y1943"},
        _COMMON | {"id": "p-all", "type": "single_choice", "shuffle": False,
                   "prompt": "Which of these did the Comintern organise?",
                   "options": [{"id": "congresses", "text": "World congresses"},
                               {"id": "schools", "text": "Party schools"},
                               {"id": "all", "text": "All of the above"}],
                   "answer": "all"},
    ],
}


def write_private_bank(folder: Path, bank: dict = PRIVATE_BANK) -> Path:
    """A private bank of one file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{CHAPTER}-private.yml").write_text(yaml.safe_dump(bank, sort_keys=False),
                                                    encoding="utf-8")
    return folder


def private_course(root: Path) -> Course:
    """The sample course, its bank configured, merged with a private bank in ``root``."""
    course = sample_course(root / "course", release=False)
    private = write_private_bank(root / "private-bank")
    data = write_sample_data(root / "sample-data.yml")
    with open(course.config_file, "a", encoding="utf-8") as config:
        config.write(f"\nc.CourseGrade.bank = {str(root / 'course-bank')!r}\n"
                     f"c.CourseGrade.bank_data = {str(data)!r}\n"
                     f"c.CourseGrade.private_bank = {str(private)!r}\n")
    return Course.find(course.root)


def snapshot(course: Course) -> dict[str, bytes]:
    """Every released file, the variant record and the LMS zip, by path."""
    files = [*sorted((course.folder("release") / CHAPTER).rglob("*.ipynb")),
             course.root / "variants" / f"{CHAPTER}.json",
             course.root / "lms" / f"{CHAPTER}-variants.zip"]
    return {str(p.relative_to(course.root)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The course released with variants to the class, and a snapshot of its files."""
    root = tmp_path_factory.mktemp("variants")
    course = private_course(root)
    roster = root / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s},{s.title()}\n" for s in STUDENTS)
                      + "../evil,Evil\n", encoding="utf-8")
    assert main(["--course", str(course.root), "release", CHAPTER, "--variants",
                 "--roster", str(roster)]) == 1  # the bad roster row is reported
    return course, snapshot(course), roster


def variant_nb(course: Course, student: str):
    return nbformat.read(course.folder("release") / CHAPTER / student / NB, as_version=4)


def cell(nb, gid: str):
    return next(c for c in nb.cells if grade_id(c) == gid)


def right_answers(course: Course, student: str) -> dict[str, object]:
    """The key of every slot in the labels ``student`` was shown."""
    _source, slots = slot_questions(course, CHAPTER)
    variant = load_record(course, CHAPTER)[student]
    return {g.variable: present(g.slot, variant.draws[g.slot.name]).key_literal()
            for g in slots}


def submit(course: Course, student: str, nb, answers: dict[str, object], minute: int) -> None:
    """Hand in ``nb`` with ``answers`` (by variable) in its answer cells, as ``student``."""
    _source, slots = slot_questions(course, CHAPTER)
    variables = {g.answer_cell: g.variable for g in slots}
    for c in nb.cells:
        if grade_id(c) in variables:
            c.source = f"{variables[grade_id(c)]} = {answers[variables[grade_id(c)]]!r}"
    folder = course.submission_dir("submitted", student, CHAPTER)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / NB)
    stamp = datetime(2025, 3, 14, 12, minute).strftime(TIMESTAMP_FORMAT)
    (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def graded(released):
    """ana right, ben with ana's labels, cai with ana's file, dan without a variant id."""
    course, _files, _roster = released
    ana = right_answers(course, "ana")
    submit(course, "ana", variant_nb(course, "ana"), ana, 1)
    submit(course, "ben", variant_nb(course, "ben"), ana, 2)
    submit(course, "cai", variant_nb(course, "ana"), ana, 3)
    stripped = variant_nb(course, "dan")
    del stripped.metadata[METADATA_KEY]
    submit(course, "dan", stripped, right_answers(course, "dan"), 4)
    result = autograde(course, CHAPTER, workers=2)
    return course, result, ana


def test_release_writes_one_notebook_per_student_and_a_zip(released):
    course, _files, _roster = released
    for student in STUDENTS:
        meta = variant_nb(course, student).metadata[METADATA_KEY]
        assert meta["student"] == student
        assert meta["variant"] == load_record(course, CHAPTER)[student].variant
    assert not (course.folder("release") / CHAPTER / "..").resolve().joinpath("evil").exists()
    with zipfile.ZipFile(course.root / "lms" / f"{CHAPTER}-variants.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"{s}/{NB}" for s in STUDENTS)
        assert archive.read(f"ben/{NB}") == (
            course.folder("release") / CHAPTER / "ben" / NB).read_bytes()


def test_two_students_see_the_options_in_different_orders(released):
    course, _files, _roster = released
    shown = {}
    for student in STUDENTS:
        nb = variant_nb(course, student)
        shown[student] = [cell(nb, f"{slot}-prompt").source
                          for slot in ("g-single", "g-multi", "g-match", "g-order", "g-spot")]
    # The same options, relabelled a, b, c in an order of each student's own.
    assert any(shown["ana"][i] != shown["ben"][i] for i in range(5))
    for student in STUDENTS:
        lines = sorted(line.split(": ", 1)[1] for line in shown[student][0].splitlines()
                       if line.startswith("- `"))
        assert lines == ["1905", "1917", "1921"]
        assert "`y1917`" not in shown[student][0]  # bank ids are never shown


def test_shuffle_false_keeps_the_bank_order_and_pools_fill_one_slot(released):
    course, _files, _roster = released
    for student in STUDENTS:
        nb = variant_nb(course, student)
        options = [line for line in cell(nb, "p-all-prompt").source.splitlines()
                   if line.startswith("- `")]
        assert options == ["- `a`: World congresses", "- `b`: Party schools",
                           "- `c`: All of the above"]
        pool = cell(nb, "p-year-prompt").source
        assert ("founded" in pool) != ("dissolved" in pool)  # one member of the pool
        assert not any(grade_id(c).startswith(("p-founded", "p-dissolved")) for c in nb.cells)


def test_rerelease_is_byte_identical(released):
    course, files, roster = released
    assert release(course, [CHAPTER], ["ana", "ben", "cai", "dan"])[0].ok
    assert snapshot(course) == files


def test_secret_is_private_and_absent_from_every_released_file(released):
    course, files, _roster = released
    path = course.root / SECRET_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = course_secret(course)
    assert stat.S_IMODE((course.root / "variants" / f"{CHAPTER}.json").stat().st_mode) == 0o600
    for name, data in files.items():
        if name.startswith("release/") or name.startswith("lms/"):
            assert secret.hex().encode() not in data, name


def test_leak_check_passes_for_every_variant_and_catches_planted_keys(released):
    course, _files, _roster = released
    _source, slots = slot_questions(course, CHAPTER)
    questions = [m for g in slots for m in g.slot.members]
    assert {"p-founded", "p-dissolved", "p-all"} <= {q.id for q in questions}
    assert scan_directory(course.folder("release") / CHAPTER, questions) == {}
    record, secret = load_record(course, CHAPTER), course_secret(course)
    for student in STUDENTS:
        text = (course.folder("release") / CHAPTER / student / NB).read_text(encoding="utf-8")
        assert variant_leaks(text, slots, record[student], secret) == []
    text = (course.folder("release") / CHAPTER / "ana" / NB).read_text(encoding="utf-8")
    own_key = right_answers(course, "ana")["answer_4"]  # the ordering, in ana's numbers
    planted = variant_leaks(text + f"\nanswer_4 = {own_key!r}\n" + secret.hex(), slots,
                            record["ana"], secret)
    assert "the course secret" in planted
    assert any(leak.startswith("g-order") for leak in planted)
    private = next(q for q in questions if q.id == "p-all")
    assert variant_leaks(text + private.key_dump(), slots, record["ana"], secret)


def test_autograde_scores_each_student_against_their_own_variant(graded):
    course, result, ana = graded
    status = {o.student: o for o in result.outcomes}
    assert status["ana"].status == status["ben"].status == GradeStatus.GRADED
    _source, slots = slot_questions(course, CHAPTER)
    record = load_record(course, CHAPTER)
    with course.gradebook() as gb:
        points = {(s, g.name): g.auto_score for s in ("ana", "ben")
                  for nb in gb.find_submission(CHAPTER, s).notebooks for g in nb.grades}
    for g in slots:
        assert points[("ana", g.test_cell)] == g.question.points, g.slot.name
        # ben typed ana's labels: they mean, in ben's variant, what his draw shows there.
        draw = record["ben"].draws[g.slot.name]
        question = g.slot.member(draw.question)
        meant = ana[g.variable]
        if isinstance(meant, str) and draw.options:
            meant = draw.options["abcdefgh".index(meant)]
        elif isinstance(meant, list) and draw.items and not draw.options:
            meant = [draw.items[int(n) - 1] for n in meant]
        elif draw.options or draw.items:
            continue  # multiple select and matching: covered by the unit tests
        expected = round(score_answer(question, meant) * question.points, 6)
        assert points[("ben", g.test_cell)] == pytest.approx(expected), g.slot.name
    assert sum(points[("ben", g.test_cell)] for g in slots) < sum(
        points[("ana", g.test_cell)] for g in slots)


def test_copied_notebook_and_missing_variant_id_are_problems_not_grades(graded):
    course, result, _ana = graded
    status = {o.student: o for o in result.outcomes}
    assert status["cai"].status == GradeStatus.PROBLEM
    assert "copied notebook" in status["cai"].detail and "ana" in status["cai"].detail
    assert status["dan"].status == GradeStatus.PROBLEM
    assert "no variant id" in status["dan"].detail
    with course.gradebook() as gb:
        graded_ids = {s.student.id for s in gb.find_assignment(CHAPTER).submissions}
    assert graded_ids == {"ana", "ben"}


def test_feedback_shows_the_students_own_variant(graded):
    course, _result, ana = graded
    nb = nbformat.read(course.submission_dir("autograded", "ben", CHAPTER) / NB, as_version=4)
    stored = cell(nb, "g-single-prompt").source  # stored inert, as HTML
    for line in cell(variant_nb(course, "ben"), "g-single-prompt").source.splitlines():
        if line.startswith("- `"):
            label, text = line[3:].split("`: ")
            assert f"<li><code>{label}</code>: {text}</li>" in stored
    out = "".join(o.get("text", "") for o in cell(nb, "g-single-test").outputs)
    assert f"recorded answer {json.dumps(ana['answer_1'])}" in out


def test_item_analysis_reports_per_pool_member_and_per_variant(graded, tmp_path):
    course, _result, _ana = graded
    report(course, [CHAPTER], tmp_path)
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / f"{CHAPTER}-variants.csv").read_text(encoding="utf-8"))))
    record = load_record(course, CHAPTER)
    members = [r for r in rows if r["question"] == "p-year" and r["level"] == "member"]
    assert sorted(r["pool_member"] for r in members) == sorted(
        {record[s].draws["p-year"].question for s in ("ana", "ben")})
    assert sum(int(r["n"]) for r in members) == 2
    single = [r for r in rows if r["question"] == "g-single" and r["level"] == "variant"]
    assert sum(int(r["n"]) for r in single) == 2
    ana_key = json.dumps(right_answers(course, "ana")["answer_1"])
    assert any(r["key_as_shown"] == ana_key and float(r["facility"]) >= 0.5 for r in single)
    assert "Variants: facility per pool member" in (tmp_path / "item-analysis.html").read_text(
        encoding="utf-8")


def test_lms_bank_export_includes_the_private_bank(released, tmp_path, capsys):
    course, _files, _roster = released
    out = tmp_path / "bank.gift"
    assert main(["--course", str(course.root), "bank", CHAPTER, "--format", "gift",
                 "-o", str(out)]) in (0, 1)
    assert MARKER in out.read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert f"{CHAPTER}/p-founded: one of pool 'p-year'" in printed
    assert f"{CHAPTER}/p-all: one of pool" not in printed


def test_private_bank_is_validated_like_the_bank_and_names_file_and_question(tmp_path):
    course = private_course(tmp_path)
    bad = json.loads(json.dumps(PRIVATE_BANK))
    bad["questions"][1] |= {"type": "multiple_select", "answer": ["y1943"]}
    bad["questions"][2]["options"][0]["id"] = "all"
    write_private_bank(tmp_path / "private-bank", bad)
    with pytest.raises(CourseError) as err:
        course.bank()
    text = str(err.value)
    private_file = str(tmp_path / "private-bank" / f"{CHAPTER}-private.yml")
    assert f"{private_file}: question 'p-dissolved': field 'pool': pool 'p-year' mixes type" \
        in text
    assert f"{private_file}: question 'p-all': field 'options': duplicate id(s): all" in text


def test_private_bank_refused_for_a_course_inside_the_repository(tmp_path, monkeypatch):
    course = private_course(tmp_path)
    monkeypatch.setattr(release_module, "COURSE_ROOT", tmp_path)
    with pytest.raises(CourseError, match="outside the public repository"):
        release(course, [CHAPTER])


AUDIT_HOOK = '''\
import os
import sys

_LOG = os.environ["PRIVATE_BANK_AUDIT_LOG"]
_WATCH = tuple(os.environ["PRIVATE_BANK_AUDIT_WATCH"].split(os.pathsep))


def _hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(
            args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if any(w in os.path.abspath(path) for w in _WATCH):
            with open(_LOG, "a", encoding="utf-8") as fh:
                fh.write(path + "\\n")


sys.addaudithook(_hook)
'''


def test_the_book_build_never_reads_the_private_bank(tmp_path):
    """A one-page build, run from inside a course with a private bank, opens the public
    bank (the hook works) and never the private one; the page has none of its text."""
    import os
    import subprocess
    import sys

    from solidarity_course.paths import COURSE_ROOT

    course = private_course(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "opened.txt"
    log.write_text("", encoding="utf-8")
    public = str(COURSE_ROOT / "data" / "questions")
    env = os.environ | {"PYTHONPATH": str(hooks), "PRIVATE_BANK_AUDIT_LOG": str(log),
                        "PRIVATE_BANK_AUDIT_WATCH": os.pathsep.join(
                            [str(tmp_path / "private-bank"), public])}
    out = tmp_path / "book"
    done = subprocess.run([sys.executable, "-m", "solidarity_course.book", "--page",
                           str(COURSE_ROOT / "chapters" / "03-comintern.md"), "--output", str(out)],
                          cwd=course.root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    opened = log.read_text(encoding="utf-8").splitlines()
    assert any(p.startswith(public) for p in opened)  # the hook saw the build's bank reads
    assert not [p for p in opened if "private-bank" in p]
    html = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "03-comintern" in html or "Comintern" in html
    assert MARKER not in html


def test_an_executor_that_cannot_score_variants_is_refused(graded):
    course, _result, _ana = graded
    with pytest.raises(CourseError, match="released with variants"):
        autograde(course, CHAPTER, ["ana"], force=True,
                  executor="solidarity_course.instructor.executor.NbgraderExecutor")
