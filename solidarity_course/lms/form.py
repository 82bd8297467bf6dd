"""Each bank type in the shape LMS formats share: choices, pairs, a number, texts, an essay.

- single choice and spot the device → one right choice (spot: the excerpt is in the prompt);
- multiple select → choices weighted ``±100/number of correct`` percent, which with the
  floor at zero every LMS applies is exactly the bank's partial-credit rule;
- matching → pairs (item → option text); options no item takes are distractors;
- ordering → pairs (item → "Position k"): the share of items in the right position is the
  share of pairs matched, so the key and the partial credit keep their meaning;
- numeric → a number with an absolute tolerance; short text → accepted answers;
- the essay → an essay with its rubric for the grader;
- a document set → a description (its central question and documents, no marks), its
  parts as their own types, its written answer as an essay with the rubric for the grader.

A key that every LMS would score differently (all-or-nothing matching, ordering or multiple
select: LMS matching and multiple-answer questions always give partial credit) raises
:class:`NotExpressible`, so the writer lists it as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, assert_never

from ..quiz import model
from ..quiz.normalise import normalise_text
from .exportable import Exportable, to_html, to_plain

Shape = Literal["choice", "multi", "matching", "numeric", "short", "essay", "description"]


class NotExpressible(ValueError):
    """The question cannot be written without changing its meaning (the message says why)."""


@dataclass(frozen=True)
class Choice:
    """One option: its id, text (HTML), weight in percent, feedback (HTML)."""

    id: str
    html: str
    fraction: float
    feedback_html: str = ""

    @property
    def correct(self) -> bool:
        """True for an option that earns credit."""
        return self.fraction > 0


@dataclass(frozen=True)
class Pair:
    """One matching pair: the item (HTML) and the (plain) text of its right answer."""

    id: str
    html: str
    answer: str


@dataclass(frozen=True)
class Form:
    """A question in an LMS's terms (see the module docstring)."""

    shape: Shape
    source: Exportable
    choices: tuple[Choice, ...] = ()
    pairs: tuple[Pair, ...] = ()
    distractors: tuple[str, ...] = ()
    number: float = 0.0
    tolerance: float = 0.0
    accepted: tuple[str, ...] = ()
    feedback_correct_html: str = ""
    feedback_incorrect_html: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def general_feedback_html(self) -> str:
        """The explanation, with per-item feedback no LMS attaches to a pair."""
        return self.source.explanation_html + _item_feedback(self.source)


def _item_feedback(e: Exportable) -> str:
    q = e.question
    if q is None:
        return ""
    match q:
        case model.Matching() | model.Ordering():
            entries = [(i.text, i.feedback) for i in q.items if i.feedback]
        case _:
            entries = []
    if not entries:
        return ""
    lines = "".join(f"<li>{to_html(t, inline=True)}: {to_html(f, inline=True)}</li>"
                    for t, f in entries)
    return f"<ul>{lines}</ul>"


def _choice(option: model.Option, fraction: float) -> Choice:
    feedback = to_html(option.feedback) if option.feedback else ""
    return Choice(option.id, to_html(option.text, inline=True), fraction, feedback)


def _require_partial(q: model.MultipleSelect | model.Matching | model.Ordering) -> None:
    if not q.partial_credit:
        raise NotExpressible(
            f"{q.type_label} without partial credit: Canvas and Moodle always give partial "
            "credit for this kind of question, which would change the scoring")


def _position(k: int) -> str:
    return f"Position {k}"


def lms_form(e: Exportable) -> Form:
    """The LMS form of an exportable question (NotExpressible if it has none)."""
    q = e.question
    if q is None:
        return Form("description" if e.kind == "document_set" else "essay", e)
    return replace(
        _typed_form(q, e),
        feedback_correct_html=to_html(q.feedback_correct) if q.feedback_correct else "",
        feedback_incorrect_html=to_html(q.feedback_incorrect) if q.feedback_incorrect else "",
    )


def _typed_form(q: model.AutoQuestion, e: Exportable) -> Form:
    match q:
        case model.SingleChoice() | model.SpotDevice():
            choices = tuple(_choice(o, 100.0 if o.id == q.answer else 0.0) for o in q.options)
            return Form("choice", e, choices=choices)
        case model.MultipleSelect():
            _require_partial(q)
            weight = 100.0 / len(q.answer)
            choices = tuple(_choice(o, weight if o.id in q.answer else -weight)
                            for o in q.options)
            return Form("multi", e, choices=choices)
        case model.Matching():
            _require_partial(q)
            text = {o.id: to_plain(o.text) for o in q.options}
            pairs = tuple(Pair(i.id, to_html(i.text, inline=True), text[q.answer[i.id]])
                          for i in q.items)
            used = set(q.answer.values())
            distractors = tuple(text[o.id] for o in q.options if o.id not in used)
            return Form("matching", e, pairs=pairs, distractors=distractors)
        case model.Ordering():
            _require_partial(q)
            # items in a neutral order (the bank's), each paired with its right position
            position = {item_id: k for k, item_id in enumerate(q.answer, 1)}
            pairs = tuple(Pair(i.id, to_html(i.text, inline=True), _position(position[i.id]))
                          for i in q.items)
            return Form("matching", e, pairs=pairs,
                        notes=["ordering written as matching: each item to its position"])
        case model.Numeric():
            return Form("numeric", e, number=q.answer, tolerance=q.tolerance)
        case model.ShortText():
            variants = list(dict.fromkeys([*q.accepted, *(normalise_text(a) for a in q.accepted)]))
            return Form("short", e, accepted=tuple(variants),
                        notes=["short text: the LMS compares ignoring case only; the bank's "
                               "normalised variants are added as accepted answers"])
        case _:
            assert_never(q)
