"""Synthetic classes: submissions with known answers, so every expected score is known.

:func:`make_class` builds N students of an assignment with a spread of
abilities.  Each answers each graded question right, partly right (where the
question gives partial credit), wrong, blank, or in a wrong format; right
answers come in varied but acceptable forms (a number as a string, a tuple
for a list, different case and spacing for text).  The expected points of
every answer are computed with :func:`solidarity_course.quiz.scoring.score_answer`,
exactly as the hidden tests compute them.  Notebooks are the released notebook
with only the answer cells (and the essay) filled in.

The class can be written as ``submitted/<student>/<assignment>/`` folders or
as an LMS download: a Canvas or a Moodle zip (with a roster for Moodle),
optionally with older drafts that collect must discard.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import assert_never

import nbformat

from ..quiz import model
from ..quiz.assignments import WRITTEN_SUFFIX
from ..quiz.model import Question
from ..quiz.scoring import score_answer
from .course import Course
from .keys import GradedQuestion, grade_id, questions_in_notebook

FIRST = ["Ana", "Boris", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Almeida", "Berger", "Costa", "Dubois", "Engel", "Fischer", "García", "Horvat",
        "Ivanova", "Jansen"]
BASE_TIME = datetime(2025, 3, 14, 12, 0, 0)


@dataclass
class SyntheticStudent:
    """One synthetic student: answers and the points each should get."""

    student_id: str
    full_name: str
    ability: float
    responses: dict[str, object] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    essay: str = ""

    @property
    def total(self) -> float:
        """Expected autograded total."""
        return round(sum(self.expected.values()), 6)


def _right(q: Question, rng: random.Random):
    match q:
        case model.SingleChoice() | model.SpotDevice() | model.Matching() | model.Ordering():
            return q.key_literal()
        case model.MultipleSelect():
            key = q.key_literal()
            rng.shuffle(key)
            return tuple(key) if rng.random() < 0.3 else key
        case model.Numeric():
            value = int(q.answer) if float(q.answer).is_integer() else q.answer
            return str(value) if rng.random() < 0.3 else value
        case model.ShortText():
            text = rng.choice(q.accepted)
            return rng.choice([text, text.upper(), f"  {text.lower()} "])
        case _:
            assert_never(q)


def _partial(q: Question, rng: random.Random):
    """A partly right answer, or None if the question gives no partial credit."""
    if q.partial_rule is None:
        return None
    match q:
        case model.MultipleSelect():
            key, wrong = list(q.answer), [o.id for o in q.options if o.id not in q.answer]
            return key[:-1] if len(key) > 1 else key + wrong[:1]
        case model.Matching():
            items, answer = list(q.answer), dict(q.answer)
            answer[items[0]], answer[items[1]] = answer[items[1]], answer[items[0]]
            return answer
        case model.Ordering():
            order = list(q.answer)
            order[-1], order[-2] = order[-2], order[-1]
            return order
        case model.SingleChoice() | model.SpotDevice() | model.Numeric() | model.ShortText():
            return None
        case _:
            assert_never(q)


def _wrong(q: Question, rng: random.Random):
    match q:
        case model.SingleChoice() | model.SpotDevice():
            return rng.choice([o.id for o in q.options if o.id != q.answer])
        case model.MultipleSelect():
            return [o.id for o in q.options if o.id not in q.answer] or []
        case model.Matching():
            opts = q.option_ids()
            return {i: opts[(opts.index(v) + 1) % len(opts)] for i, v in q.answer.items()}
        case model.Ordering():
            return list(reversed(q.answer))
        case model.Numeric():
            return q.answer + q.tolerance + 1 + rng.randint(0, 5)
        case model.ShortText():
            return "I do not know"
        case _:
            assert_never(q)


def _malformed(q: Question, rng: random.Random):
    match q:
        case model.SingleChoice() | model.SpotDevice():
            return rng.choice([1, [q.answer]])
        case model.MultipleSelect():
            return q.answer[0]
        case model.Matching():
            return list(q.answer.values())
        case model.Ordering():
            return list(q.answer)[:-1]
        case model.Numeric():
            return f"about {q.answer:g}"
        case model.ShortText():
            return 42
        case _:
            assert_never(q)


def _blank(q: Question):
    match q:
        case model.MultipleSelect():
            return []
        case model.Matching():
            return {i.id: None for i in q.items}
        case model.Numeric() | model.ShortText():
            return ""
        case model.SingleChoice() | model.SpotDevice() | model.Ordering():
            return None
        case _:
            assert_never(q)


def draw_response(q: Question, ability: float, rng: random.Random):
    """One response: blank 5%, malformed 5%, else right with probability ``ability``."""
    u = rng.random()
    if u < 0.05:
        return _blank(q)
    if u < 0.10:
        return _malformed(q, rng)
    if rng.random() < ability:
        return _right(q, rng)
    partial = _partial(q, rng) if rng.random() < 0.5 else None
    return partial if partial is not None else _wrong(q, rng)


def expected_points(q: Question, response) -> float:
    """Points the hidden test gives (same rounding as ``quiz.grading.grade``)."""
    return round(score_answer(q, response) * q.points, 6)


@dataclass
class SyntheticClass:
    """A class of synthetic students for one assignment (one notebook)."""

    assignment: str
    notebook_name: str
    release: object  # the released notebook (NotebookNode)
    questions: list[GradedQuestion]
    students: list[SyntheticStudent]

    def notebook(self, student: SyntheticStudent):
        """The student's submitted notebook."""
        nb = copy.deepcopy(self.release)
        by_cell = {g.answer_cell: g for g in self.questions}
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid in by_cell:
                g = by_cell[gid]
                cell.source = f"{g.variable} = {student.responses[g.question.id]!r}"
            elif gid.endswith(("-essay", WRITTEN_SUFFIX)) and student.essay:  # DBQs too
                cell.source = student.essay
        return nb

    def notebook_bytes(self, student: SyntheticStudent) -> bytes:
        """The notebook as file bytes."""
        return nbformat.writes(self.notebook(student)).encode("utf-8")

    def submitted_time(self, index: int) -> datetime:
        """When student ``index`` handed in (distinct, whole seconds: zip precision)."""
        return BASE_TIME + timedelta(minutes=index)

    def write_submitted(self, submitted: Path) -> None:
        """Write ``submitted/<student>/<assignment>/<notebook>`` and ``timestamp.txt``."""
        from .collect import TIMESTAMP_FORMAT

        for i, s in enumerate(self.students):
            folder = Path(submitted) / s.student_id / self.assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / self.notebook_name).write_bytes(self.notebook_bytes(s))
            stamp = self.submitted_time(i).strftime(TIMESTAMP_FORMAT)
            (folder / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")

    def lms_name(self, style: str, index: int, s: SyntheticStudent, late: bool = False) -> str:
        """The file name an LMS gives this student's file."""
        if style == "canvas":
            return (f"{s.student_id}_{'LATE_' if late else ''}{4000 + index}_{90000 + index}_"
                    f"{self.notebook_name}")
        if style == "moodle":
            return f"{s.full_name}_{1000 + index}_assignsubmission_file_/{self.notebook_name}"
        raise ValueError(f"unknown LMS style {style!r}: canvas or moodle")

    def roster_csv(self) -> str:
        """A Moodle roster: participant id -> student id."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["lms_id", "student_id"])
        writer.writerows([[1000 + i, s.student_id] for i, s in enumerate(self.students)])
        return buf.getvalue()

    def write_zip(self, path: Path, style: str = "canvas", drafts: int = 0) -> Path:
        """An LMS download; the first ``drafts`` students also have an older, blank draft."""
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, s in enumerate(self.students):
                if i < drafts:
                    info = zipfile.ZipInfo(self.lms_name(style, i, s).replace(
                        self.notebook_name, self.notebook_name.replace(".ipynb", "-1.ipynb"))
                        if style == "canvas" else "draft/" + self.lms_name(style, i, s),
                        (self.submitted_time(i) - timedelta(days=1)).timetuple()[:6])
                    zf.writestr(info, nbformat.writes(self.release))
                info = zipfile.ZipInfo(self.lms_name(style, i, s, late=(i % 7 == 3)),
                                       self.submitted_time(i).timetuple()[:6])
                zf.writestr(info, self.notebook_bytes(s))
        return Path(path)

    def expected_table(self) -> list[dict]:
        """One row per student: expected points per question and total."""
        return [{"student_id": s.student_id, **s.expected, "total": s.total}
                for s in self.students]

    def expected_json(self) -> str:
        """The expected points as JSON (for the command line)."""
        return json.dumps(self.expected_table(), indent=1)


SAMPLE_CHAPTER = "99-sample"


def sample_course(root: Path, release: bool = True, db_url: str | None = None) -> Course:
    """A rehearsal course at ``root``: the course's real ``nbgrader_config.py`` and one
    assignment, the sample bank's chapter (one graded question of every type and an
    essay), released unless ``release`` is false.  ``db_url`` puts its gradebook in
    another database (e.g. PostgreSQL).  Used by tests and benchmarks."""
    import shutil

    from ..paths import EXERCISES_DIR
    from ..quiz.assignments import generate
    from ..quiz.bank import load_bank
    from ..quiz.samples import sample_data, write_sample_bank

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXERCISES_DIR / "nbgrader_config.py", root / "nbgrader_config.py")
    if db_url:
        with open(root / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    bank_dir = root.parent / f"{root.name}-bank"
    write_sample_bank(bank_dir, SAMPLE_CHAPTER)
    generate([SAMPLE_CHAPTER], bank=load_bank(bank_dir, data=sample_data()),
             out_dir=root / "source")
    course = Course.find(root)
    if release:
        from .release import release as release_all

        failed = [r for r in release_all(course) if not r.ok]
        if failed:
            raise RuntimeError(f"release failed: {failed}")
    return course


def make_class(course: Course, assignment: str, n: int, seed: int = 0) -> SyntheticClass:
    """N synthetic students of ``assignment`` (which must be released)."""
    sources = course.source_notebooks(assignment)
    if len(sources) != 1:
        raise ValueError(f"{assignment} has {len(sources)} notebooks; synthetic classes need one")
    name = sources[0].name
    questions = questions_in_notebook(nbformat.read(sources[0], as_version=4))
    release = nbformat.read(course.folder("release") / assignment / name, as_version=4)
    rng = random.Random(seed)
    students = []
    for i in range(n):
        ability = 0.1 + 0.85 * (i / max(1, n - 1))
        s = SyntheticStudent(f"s{i + 1:03d}", f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i + 1}",
                             round(ability, 3))
        for g in questions:
            response = draw_response(g.question, ability, rng)
            s.responses[g.question.id] = response
            s.expected[g.question.id] = expected_points(g.question, response)
        s.essay = "" if rng.random() < 0.1 else (
            f"Essay by {s.full_name}: the sources frame the events differently.")
        students.append(s)
    return SyntheticClass(assignment, name, release, questions, students)
