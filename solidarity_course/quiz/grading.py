"""The grader's side of an nbgrader assignment (runs only in hidden tests).

A hidden test cell calls :func:`grade` with the question as JSON (the key
lives only there, inside ``### BEGIN HIDDEN TESTS``) and the student's answer.
The comparison itself is :func:`.scoring.score_answer`, shared with the book
and the widgets.  This is what plain ``nbgrader autograde`` runs in the
student's kernel; ``course-grade autograde`` never runs it there: it parses the
call for the key and scores the answer in its own process
(:mod:`solidarity_course.instructor.answer_records`).
"""

from __future__ import annotations

from pydantic import TypeAdapter

from .model import Question
from .scoring import score_answer

_QUESTION = TypeAdapter(Question)


def load_question(question_json: str) -> Question:
    """A question from its JSON dump (as embedded in a hidden test)."""
    return _QUESTION.validate_json(question_json)


def grade(question_json: str, response) -> float:
    """Points for ``response``; raises AssertionError for zero credit.

    nbgrader reads the returned value (the cell's last expression) as partial
    credit and an error as zero, so the feedback shows "not correct" clearly.
    """
    question = load_question(question_json)
    points = round(score_answer(question, response) * question.points, 6)
    print(f"Question {question.id}: {points:g} / {question.points:g} points")
    if points <= 0:
        raise AssertionError(f"question {question.id}: no credit for this answer")
    return points


def grade_pool(member_jsons: list[str], response) -> float:
    """A pool's slot: :func:`grade` against its first member, the one everyone sees
    without variants (``course-grade`` scores each student against their own member)."""
    return grade(member_jsons[0], response)

