"""Questions and recorded answers, read from notebook cells without executing them.

A generated assignment (see :mod:`solidarity_course.quiz.assignments`) has, per
graded question, an answer cell ``<id>-answer`` that assigns ``answer_N = ...``
and a test cell ``<id>-test`` whose hidden test calls
``grade('<question JSON>', answer_N)``.  This module reads:

- the question (with its key) from a test cell's source, by parsing the call
  with :mod:`ast` (the source notebook and the gradebook's copy of the test
  cells hold it; released notebooks do not); a pool's slot calls
  ``grade_pool([...], answer_N)`` with every member;
- a student's answer from an answer cell: the value of the last top-level
  ``answer_N = <literal>``, evaluated with :func:`ast.literal_eval` only.
  Student code is never executed here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..quiz.grading import load_question
from ..quiz.model import Question
from ..quiz.variants import Slot

ANSWER_SUFFIX = "-answer"
TEST_SUFFIX = "-test"


@dataclass(frozen=True)
class GradedQuestion:
    """A question of an assignment: its test cell, answer cell and variable."""

    question: Question  # the slot's first (for a single question: only) member
    test_cell: str  # grade_id of the autograded test cell
    answer_cell: str  # grade_id of the student's answer cell
    variable: str  # the answer variable, e.g. answer_3
    members: tuple[Question, ...] = ()  # a pool's questions ((): just ``question``)

    @property
    def slot(self) -> Slot:
        """The slot this question fills (named like its cells)."""
        return Slot(self.test_cell.removesuffix(TEST_SUFFIX), self.members or (self.question,))


class Unanswerable:
    """A recorded answer that is not a plain literal (kept as a category, never run)."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"<{self.reason}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Unanswerable) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)


NOT_PARSED = Unanswerable("not valid Python")
NOT_LITERAL = Unanswerable("not a plain value")
MISSING = Unanswerable("no answer cell")


def question_from_test(source: str) -> GradedQuestion | None:
    """The question of a test cell's source, or None if it holds no ``grade(...)`` call."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) == 2
                and isinstance(node.args[1], ast.Name)):
            continue
        name, first = getattr(node.func, "id", None), node.args[0]
        if name == "grade" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            question = load_question(first.value)
            return GradedQuestion(question, f"{question.id}{TEST_SUFFIX}",
                                  f"{question.id}{ANSWER_SUFFIX}", node.args[1].id)
        if name == "grade_pool" and isinstance(first, ast.List) and first.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in first.elts):
            members = tuple(load_question(e.value) for e in first.elts)  # type: ignore[attr-defined]
            pool = members[0].pool or members[0].id
            return GradedQuestion(members[0], f"{pool}{TEST_SUFFIX}", f"{pool}{ANSWER_SUFFIX}",
                                  node.args[1].id, members)
    return None


def grade_id(cell) -> str:
    """The nbgrader ``grade_id`` of a notebook cell ('' if none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id", "") if isinstance(meta, dict) else ""


def questions_in_notebook(nb) -> list[GradedQuestion]:
    """The graded questions of a (source) notebook, in notebook order."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code" and grade_id(cell).endswith(TEST_SUFFIX):
            graded = question_from_test(cell.source)
            if graded is not None:
                found.append(graded)
    return found


def recorded_answer(source: str, variable: str):
    """The literal a cell assigns to ``variable`` (last top-level assignment).

    Returns an :class:`Unanswerable` when the cell does not parse, never
    assigns the variable, or assigns something that is not a literal.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return NOT_PARSED
    value = MISSING
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                value = NOT_LITERAL
    return value


def answers_in_notebook(nb, questions: list[GradedQuestion]) -> dict[str, object]:
    """Each question's recorded answer in a (submitted or autograded) notebook, by question id."""
    cells = {grade_id(c): c for c in nb.cells if c.cell_type == "code"}
    answers = {}
    for graded in questions:
        cell = cells.get(graded.answer_cell)
        answers[graded.question.id] = (
            MISSING if cell is None else recorded_answer(cell.source, graded.variable))
    return answers
