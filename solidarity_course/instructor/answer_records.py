"""Grade recorded answers in the grader's process, never in the student's kernel.

Two nbgrader preprocessors, placed around ``Execute`` in autograde:

1. :class:`RecordAnswers` (before execution) takes each test cell's hidden
   ``grade('<question JSON>', answer_N)`` call (parsed with :mod:`ast`, never
   run), keeps the question in the grader's memory, and replaces the cell's
   source by :data:`RECORD_TEMPLATE`: code that only *displays* the value of
   ``answer_N`` as plain JSON under :data:`RECORD_MIME`.  The key never enters
   the kernel.
2. :class:`ScoreRecordedAnswers` (after execution) reads that one record from
   the cell's outputs, scores it with :func:`~solidarity_course.quiz.scoring.score_answer`
   (partial credit as the bank says) and replaces the cell's outputs by the
   verdict and the points (``execute_result``, which nbgrader reads as partial
   credit).

Why this cannot be fooled: the decision uses only JSON data and the grader's
own code.  Student code can change what is recorded (shadowed builtins, a
patched ``json``, an object whose ``__eq__`` is always true), but what it can
make the record say is an answer, and an answer earns points only if it is the
key, which the kernel never sees.  An object that is not plain data records
nothing, and a missing, duplicated or malformed record scores 0 with a note.
Notes (this one and those of :mod:`.sandbox_kernel`) go into the autograded
notebook's metadata (``solidarity_course.grading_notes``), where the per-student
report reads them (:func:`grading_notes`); the scored responses go beside them
(``solidarity_course.responses``), where item analysis reads them
(:func:`scored_responses`).  Whatever a submission put there is removed first.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..quiz.scoring import feedback, score_answer
from .keys import grade_id, question_from_test

RECORD_MIME = "application/vnd.solidarity-course.answer+json"
RESOURCE_KEY = "solidarity_recorded_questions"
#: The notebook metadata the grader writes (notes, scored responses); a student's is removed.
METADATA_KEY = "solidarity_course"

#: What a test cell runs instead of its hidden test (no key in it).
RECORD_TEMPLATE = '''\
# Autograded outside this notebook: this cell records {variable} as plain data
# and the grader compares the record with the answer key in its own process.
import json as _json
from IPython.display import display as _display


def _plain(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(type(value).__name__ + " is not plain data")


_display({{{mime!r}: {{"question": {question!r},
          "response": _json.loads(_json.dumps({variable}, default=_plain))}}}}, raw=True)
'''


class RecordAnswers(NbGraderPreprocessor):
    """Before execution: keep the questions, make test cells record answers only."""

    def preprocess(self, nb, resources):
        nb.metadata.pop(METADATA_KEY, None)  # notes and responses are the grader's alone
        questions = {}
        for cell in nb.cells:
            if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            graded = question_from_test(cell.source)
            if graded is None:
                continue
            questions[grade_id(cell)] = graded
            cell.source = RECORD_TEMPLATE.format(variable=graded.variable, mime=RECORD_MIME,
                                                 question=graded.question.id)
        resources[RESOURCE_KEY] = questions
        return nb, resources


def read_record(cell, question_id: str) -> tuple[object, str]:
    """The recorded response in ``cell``'s outputs and a note ('' when all is well)."""
    records = [o for o in cell.get("outputs", [])
               if o.get("output_type") in ("display_data", "execute_result")
               and RECORD_MIME in o.get("data", {})]
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not records:
        why = f"{errors[0].get('ename')}: {errors[0].get('evalue')}" if errors else "no output"
        return None, f"no answer recorded ({why})"
    if len(records) > 1:
        return None, f"{len(records)} answer records instead of one"
    data = records[0]["data"][RECORD_MIME]
    if isinstance(data, str):  # a JSON mime bundle may arrive as text
        try:
            data = json.loads(data)
        except ValueError:
            return None, "answer record is not JSON"
    if not isinstance(data, dict) or data.get("question") != question_id:
        return None, "answer record is for another question"
    return data.get("response"), ""


def add_note(nb, note: str) -> None:
    """Add a grading note to a notebook's metadata (shown in the per-student report)."""
    meta = nb.metadata.setdefault(METADATA_KEY, {})
    meta.setdefault("grading_notes", []).append(note)


def scored_responses(nb) -> dict | None:
    """The responses :class:`ScoreRecordedAnswers` scored, by question id (None: not scored so).

    Item analysis reads these, so that it counts exactly what the gradebook scored.
    """
    metadata = nb.get("metadata")  # a NotebookNode, or the plain JSON of one
    own = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    responses = own.get("responses") if isinstance(own, dict) else None
    return dict(responses) if isinstance(responses, dict) else None


def grading_notes(folder: Path) -> list[str]:
    """The grading notes of the autograded notebooks in ``folder``, prefixed by file name."""
    found = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            meta = nbformat.read(path, as_version=4).metadata.get(METADATA_KEY, {})
        except Exception as exc:  # an unreadable autograded notebook is itself worth a note
            found.append(f"{path.name}: cannot read notes ({type(exc).__name__})")
            continue
        found += [f"{path.name}: {note}" for note in meta.get("grading_notes", [])]
    return found


class ScoreRecordedAnswers(NbGraderPreprocessor):
    """After execution: score each recorded answer and write the points as the output."""

    def preprocess(self, nb, resources):
        questions = resources.get(RESOURCE_KEY, {})
        for cell in nb.cells:
            graded = questions.get(grade_id(cell)) if cell.cell_type == "code" else None
            if graded is None:
                continue
            question = graded.question
            response, note = read_record(cell, question.id)
            try:
                score = 0.0 if note else score_answer(question, response)
                verdict = note or feedback(question, response).verdict
            except Exception as exc:  # a response nothing expected: 0 and said why
                note = f"the answer could not be scored ({type(exc).__name__})"
                score, verdict = 0.0, note
            points = round(score * question.points, 6)
            responses = nb.metadata.setdefault(METADATA_KEY, {}).setdefault("responses", {})
            responses[question.id] = None if note else response
            if note:
                add_note(nb, f"{question.id}: {note}; 0 points")
            shown = json.dumps(response, ensure_ascii=False)[:200] if not note else "none"
            text = (f"Question {question.id}: recorded answer {shown}\n{verdict}\n"
                    f"{points:g} / {question.points:g} points\n")
            cell.outputs = [new_output("stream", name="stdout", text=text),
                            new_output("execute_result", data={"text/plain": repr(points)},
                                       execution_count=cell.get("execution_count"))]
        return nb, resources
