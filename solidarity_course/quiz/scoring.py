"""Scoring: the one place where a response is compared with the answer key.

:func:`score_answer` is used by all three renderings (the browser's
``sphinx/static/solidarity_quiz.js`` mirrors it for self-check questions, which is
tested against the same cases) and by the nbgrader hidden tests.  It never raises on
a student's response: blank or malformed responses score 0.
:func:`feedback` builds the text shown after "Check".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from numbers import Real
from typing import assert_never

from . import model
from .model import Question
from .normalise import normalise_text


class Malformed(ValueError):
    """The response does not have the shape the question type expects."""


def is_blank(response) -> bool:
    """True for ``None``, empty strings/collections and all-None mappings."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, dict):
        return all(v is None or v == "" for v in response.values())
    if isinstance(response, list | tuple | set | frozenset):
        return len(response) == 0
    return False


#: A number written as text: the same pattern as ``parseNumber`` in ``solidarity_quiz.js``.
NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_number(response) -> float:
    """A number from an int/float or a plain numeric string ("1917", " 12.5 ").

    The rule for a number given as text (``"17"`` in a notebook, every answer typed in
    the book): it is read as that number and scored as such, never both scored and
    reported as a format problem; :func:`reading_note` says so to the student.
    """
    if isinstance(response, bool):
        raise Malformed("a boolean is not a number")
    if isinstance(response, Real):
        try:
            value = float(response)
        except OverflowError as exc:  # an int too large for a float (10**400)
            raise Malformed("the number is too large") from exc
    elif isinstance(response, str):
        text = response.strip().replace("\u2212", "-")
        if not NUMBER_TEXT.match(text):
            raise Malformed(f"“{response.strip()}” is not a number")
        value = float(text)
    else:
        raise Malformed(f"{type(response).__name__} is not a number")
    if not math.isfinite(value):
        raise Malformed("the number must be finite")
    return value


def reading_note(question: Question, response) -> str:
    """How a response was read when that is not plain ('' otherwise): a numeric answer
    given as text is read as the number it spells."""
    if not isinstance(question, model.Numeric) or not isinstance(response, str):
        return ""
    try:
        value = parse_number(response)
    except Malformed:
        return ""
    return f"Your answer was the text “{response.strip()}”; it was read as the number {value:g}."


def _id_list(response, allowed: list[str], exact: bool) -> list[str]:
    if isinstance(response, str) or not isinstance(response, list | tuple | set | frozenset):
        raise Malformed("expected a list of ids")
    ids = list(response)
    if not all(isinstance(i, str) for i in ids):
        raise Malformed("every element must be an id string")
    if len(set(ids)) != len(ids):
        raise Malformed("an id is repeated")
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise Malformed(f"unknown id(s) {unknown}")
    if exact and sorted(ids) != sorted(allowed):
        raise Malformed("the list must contain every item exactly once")
    return ids


def _choice(response, allowed: list[str]) -> str:
    if not isinstance(response, str):
        raise Malformed("expected one option id (a string)")
    if response not in allowed:
        raise Malformed(f"unknown option {response!r}")
    return response


def _share(right: int, total: int, partial: bool) -> float:
    """Partial credit: the share right; otherwise all or nothing."""
    if partial:
        return right / total
    return 1.0 if right == total else 0.0


def raw_score(question: Question, response) -> float:
    """Score in [0, 1]; raises :class:`Malformed` for a response of the wrong shape."""
    match question:
        case model.SingleChoice() | model.SpotDevice():
            choice = _choice(response, question.option_ids())
            return 1.0 if choice == question.answer else 0.0
        case model.MultipleSelect():
            ticked = set(_id_list(response, question.option_ids(), exact=False))
            key = set(question.answer)
            if not question.partial_credit:
                return 1.0 if ticked == key else 0.0
            return max(0.0, (len(ticked & key) - len(ticked - key)) / len(key))
        case model.Matching():
            if not isinstance(response, dict):
                raise Malformed("expected a mapping {item id: option id}")
            items, opts = set(question.item_ids()), set(question.option_ids())
            if set(response) - items:
                raise Malformed(f"unknown item id(s) {sorted(set(response) - items)}")
            if any(v is not None and (not isinstance(v, str) or v not in opts)
                   for v in response.values()):
                raise Malformed("every value must be an option id (or None)")
            right = sum(response.get(i) == v for i, v in question.answer.items())
            return _share(right, len(question.answer), question.partial_credit)
        case model.Ordering():
            order = _id_list(response, question.item_ids(), exact=True)
            right = sum(a == b for a, b in zip(order, question.answer, strict=True))
            return _share(right, len(question.answer), question.partial_credit)
        case model.Numeric():
            value = parse_number(response)
            # A small epsilon absorbs float rounding at the tolerance boundary.
            return 1.0 if abs(value - question.answer) <= question.tolerance + 1e-9 else 0.0
        case model.ShortText():
            if not isinstance(response, str):
                raise Malformed("expected a string")
            accepted = {normalise_text(a) for a in question.accepted}
            return 1.0 if normalise_text(response) in accepted else 0.0
        case model.DocumentSet():
            return _parts_score(question, response)
        case _:
            assert_never(question)


def _parts_score(question: model.DocumentSet, response) -> float:
    """The share of the parts' points earned; each part is scored as its own type.

    The written answer is graded by hand, so it is never part of this score.
    """
    if not isinstance(response, dict):
        raise Malformed("expected a mapping {part id: response}")
    unknown = sorted(set(response) - {p.id for p in question.parts})
    if unknown:
        raise Malformed(f"unknown part id(s) {unknown}")
    earned = sum(score_answer(p, response.get(p.id)) * p.points for p in question.parts)
    return earned / question.auto_points


def part_scores(question: model.DocumentSet, responses: dict) -> dict[str, float]:
    """Each part's score in [0, 1], by part id (a missing response scores 0)."""
    return {p.id: score_answer(p, responses.get(p.id)) for p in question.parts}


def score_answer(question: Question, response) -> float:
    """Score ``response`` to ``question`` in [0, 1]; blank or malformed scores 0."""
    if is_blank(response):
        return 0.0
    try:
        return raw_score(question, response)
    except Malformed:
        return 0.0


@dataclass
class Feedback:
    """What a student sees after "Check"."""

    score: float
    verdict: str
    details: list[str] = field(default_factory=list)
    explanation: str = ""


@dataclass(frozen=True)
class Tally:
    """How many parts of a matching, ordering or multiple-select answer are right."""

    right: int
    total: int
    wrong: int = 0  # wrong choices ticked (multiple select)
    blank: int = 0  # items left unanswered (matching)


def tally(question: Question, response) -> Tally | None:
    """The parts right in a well-formed ``response``; ``None`` for one-part types."""
    match question:
        case model.MultipleSelect():
            ticked, key = set(response), set(question.answer)
            return Tally(len(ticked & key), len(key), wrong=len(ticked - key))
        case model.Matching():
            right = sum(response.get(i) == v for i, v in question.answer.items())
            blank = sum(response.get(i) is None for i in question.answer)
            return Tally(right, len(question.answer), blank=blank)
        case model.Ordering():
            right = sum(a == b for a, b in zip(response, question.answer, strict=True))
            return Tally(right, len(question.answer))
        case (model.SingleChoice() | model.SpotDevice() | model.Numeric() | model.ShortText()
              | model.DocumentSet()):
            return None
        case _:
            assert_never(question)


#: What a tally counts, per question type (browser and widgets say the same).
TALLY_NOUNS = {
    "multiple_select": "right choices ticked",
    "matching": "matched correctly",
    "ordering": "in the right place",
}


def tally_text(qtype: str, parts: Tally) -> str:
    """E.g. "2 of 4 in the right place", "1 of 2 right choices ticked, 1 wrong"."""
    text = f"{parts.right} of {parts.total} {TALLY_NOUNS[qtype]}"
    if parts.wrong:
        text += f", {parts.wrong} wrong"
    if parts.blank:
        text += f", {parts.blank} not answered"
    return text


def self_assessment_line(earned: float, total: float) -> str:
    """The tally of a written answer's ticked rubric criteria, as the book and widgets show it."""
    return f"Your self-assessment: {round(earned, 2):g} of {total:g} points."


def percent(score: float) -> int:
    """The score as a whole percentage, halves rounded up (as JavaScript's Math.round)."""
    return math.floor(score * 100 + 0.5)


def verdict_text(
    score: float, blank: bool = False, malformed: str = "", parts: str = ""
) -> str:
    """The one-line verdict, identical in the browser and in the widgets.

    ``parts`` is the :func:`tally_text` of a many-part answer: partial answers
    are then reported as such ("Partly correct: 2 of 4 in the right place").
    """
    if blank:
        return "No answer yet: choose or type an answer, then press Check."
    if malformed:
        return f"Answer not in the expected form: {malformed}"
    if score >= 1 - 1e-9:
        return "Correct."
    if score > 0:
        detail = f"{parts} ({percent(score)}% of the credit)" if parts else (
            f"{percent(score)}% of the credit")
        return f"Partly correct: {detail}."
    return f"Not correct: {parts}." if parts else "Not correct."


def feedback(question: Question, response) -> Feedback:
    """Score, verdict, the feedback of the chosen options/missed items, explanation."""
    if is_blank(response):
        return Feedback(0.0, verdict_text(0, blank=True))
    try:
        score = raw_score(question, response)
    except Malformed as exc:
        return Feedback(0.0, verdict_text(0, malformed=str(exc)))
    details = _chosen_feedback(question, response)
    parts = tally(question, response)
    general = question.feedback_correct if score >= 1 - 1e-9 else question.feedback_incorrect
    if general:
        details.append(general)
    explanation = question.explanation if score >= 1 - 1e-9 else ""
    verdict = verdict_text(score, parts=tally_text(question.type, parts) if parts else "")
    return Feedback(score, verdict, details, explanation)


def _chosen_feedback(question: Question, response) -> list[str]:
    """Feedback of the options chosen, or of the items placed wrongly."""
    match question:
        case model.SingleChoice() | model.SpotDevice():
            return [o.feedback for o in question.options if o.id == response and o.feedback]
        case model.MultipleSelect():
            return [o.feedback for o in question.options if o.id in response and o.feedback]
        case model.Matching():
            return [
                i.feedback
                for i in question.items
                # Items left blank get no feedback: it would give their answer away.
                if response.get(i.id) not in (None, question.answer[i.id]) and i.feedback
            ]
        case model.Ordering():
            return [
                i.feedback
                for pos, i_id in enumerate(response)
                for i in question.items
                if i.id == i_id and i_id != question.answer[pos] and i.feedback
            ]
        case model.Numeric() | model.ShortText() | model.DocumentSet():
            return []
        case _:
            assert_never(question)
