"""The bank as ipywidgets 8 for class: instant feedback, running score, reset.

In a notebook::

    from solidarity_course.quiz.widgets import ChapterQuiz
    ChapterQuiz("01-reading-sources")            # self-check questions of a chapter

Every question widget exposes ``response`` (the same format as
:func:`.scoring.score_answer` takes), ``check()`` and ``reset()``, so tests
can drive it without a browser by setting the input widgets' values.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any, assert_never

import ipywidgets as w

from . import model
from .model import Question
from .presentation import display_order, excerpt_window, markdown_to_html
from .scoring import feedback, score_answer


def _radios(q: model.SingleChoice | model.SpotDevice) -> w.RadioButtons:
    return w.RadioButtons(options=[(o.text, o.id) for o in q.options], value=None,
                          layout=w.Layout(width="auto"))


def _text_input(label: str) -> w.Text:
    return w.Text(value="", description=label, style={"description_width": "initial"})


def _excerpt(q: model.SpotDevice) -> w.HTML:
    """The excerpt around the highlighted span."""
    before, span, after = excerpt_window(*q.span())
    return w.HTML(f"<blockquote>{html.escape(before)}<mark>{html.escape(span)}</mark>"
                  f"{html.escape(after)}</blockquote>")


class OrderingBox(w.VBox):
    """Items with Up/Down buttons; ``order`` is the list of item ids, top first."""

    def __init__(self, question: model.Ordering):
        super().__init__()
        self._texts = {i.id: i.text for i in question.items}
        self._initial = display_order(question)
        self.order = list(self._initial)

    @property
    def order(self) -> list[str]:
        return list(self._order)

    @order.setter
    def order(self, ids: list[str]) -> None:
        self._order = list(ids)
        rows = []
        for pos, iid in enumerate(self._order):
            up = w.Button(description="↑ Up", tooltip=f"Move up: {self._texts[iid]}",
                          layout=w.Layout(width="auto"))
            down = w.Button(description="↓ Down", tooltip=f"Move down: {self._texts[iid]}",
                            layout=w.Layout(width="auto"))
            up.on_click(lambda _b, p=pos: self.move(p, -1))
            down.on_click(lambda _b, p=pos: self.move(p, 1))
            rows.append(w.HBox([w.Label(f"{pos + 1}. {self._texts[iid]}"), up, down]))
        self.children = rows

    def move(self, pos: int, delta: int) -> None:
        """Move the item at ``pos`` up (-1) or down (+1)."""
        target = pos + delta
        if 0 <= target < len(self._order):
            order = self.order
            order[pos], order[target] = order[target], order[pos]
            self.order = order

    def reset(self) -> None:
        self.order = list(self._initial)


class QuestionWidget(w.VBox):
    """One question: prompt, input controls, Check / Try again, feedback."""

    def __init__(self, question: Question, number: int = 1, on_check=None):
        super().__init__(layout=w.Layout(border="1px solid #ccc", padding="6px", margin="6px 0"))
        self.question, self.on_check = question, on_check
        self.score: float | None = None
        self.prompt = w.HTML(f"<b>Question {number}</b> ({question.points:g} pt) "
                             + markdown_to_html(question.prompt))
        self.controls = self._make_controls()
        self.check_button = w.Button(description="Check")
        self.retry_button = w.Button(description="Try again")
        self.check_button.on_click(lambda _b: self.check())
        self.retry_button.on_click(lambda _b: self.reset())
        self.feedback = w.HTML("")
        extra = []
        if question.partial_rule:
            extra.append(w.HTML(f"<i>{html.escape(question.partial_rule)}</i>"))
        self.children = [self.prompt, *extra, self.controls,
                         w.HBox([self.check_button, self.retry_button]), self.feedback]

    # -- controls per type -------------------------------------------------
    def _make_controls(self) -> w.Widget:
        """The input widgets (kept in ``inputs``) and the box that lays them out."""
        q = self.question
        self.inputs: Any
        match q:
            case model.SingleChoice():
                self.inputs = _radios(q)
                return self.inputs
            case model.SpotDevice():
                self.inputs = _radios(q)
                return w.VBox([_excerpt(q), self.inputs])
            case model.MultipleSelect():
                self.inputs = {o.id: w.Checkbox(description=o.text, value=False, indent=False)
                               for o in q.options}
                return w.VBox(list(self.inputs.values()))
            case model.Matching():
                choices = [("— choose —", None)] + [(o.text, o.id) for o in q.options]
                self.inputs = {i.id: w.Dropdown(options=choices, value=None, description=i.text,
                                                style={"description_width": "initial"})
                               for i in q.items}
                return w.VBox(list(self.inputs.values()))
            case model.Ordering():
                self.inputs = OrderingBox(q)
                return self.inputs
            case model.Numeric():
                self.inputs = _text_input("Your answer" + (f" ({q.unit})" if q.unit else ""))
                return self.inputs
            case model.ShortText():
                self.inputs = _text_input("Your answer")
                return self.inputs
            case _:
                assert_never(q)

    @property
    def response(self):
        """The current answer in :func:`score_answer`'s format (None when blank)."""
        q = self.question
        match q:
            case model.MultipleSelect():
                return [k for k, box in self.inputs.items() if box.value]
            case model.Matching():
                return {k: d.value for k, d in self.inputs.items()}
            case model.Ordering():
                return self.inputs.order
            case model.SingleChoice() | model.SpotDevice() | model.Numeric() | model.ShortText():
                return self.inputs.value
            case _:
                assert_never(q)

    def check(self) -> float:
        """Score the current answer, show feedback, notify the quiz; return the score."""
        fb = feedback(self.question, self.response)
        self.score = score_answer(self.question, self.response)
        parts = [f"<p><b>{html.escape(fb.verdict)}</b></p>"]
        parts += [markdown_to_html(d) for d in fb.details]
        if fb.explanation:
            parts.append("<p><b>Explanation</b></p>" + markdown_to_html(fb.explanation))
        self.feedback.value = "".join(parts)
        if self.on_check:
            self.on_check()
        return self.score

    def reset(self) -> None:
        """Clear the answer, the feedback and this question's score."""
        q = self.question
        match q:
            case model.SingleChoice() | model.SpotDevice():
                self.inputs.value = None
            case model.MultipleSelect():
                for box in self.inputs.values():
                    box.value = False
            case model.Matching():
                for d in self.inputs.values():
                    d.value = None
            case model.Ordering():
                self.inputs.reset()
            case model.Numeric() | model.ShortText():
                self.inputs.value = ""
            case _:
                assert_never(q)
        self.feedback.value = ""
        self.score = None
        if self.on_check:
            self.on_check()

    @property
    def feedback_text(self) -> str:
        """The feedback as plain text (for tests and screen-reader-free checks)."""
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.feedback.value)).strip()


class ChapterQuiz(w.VBox):
    """Self-check questions (a chapter's, or given ones) with a running score and reset."""

    def __init__(self, chapter: str | None = None, questions: Iterable[Question] | None = None,
                 bank=None):
        super().__init__()
        if questions is None:
            from .bank import load_bank
            from .devices import default_data

            bank = bank or load_bank(data=default_data())
            questions = bank.chapter(chapter, use="self-check")
        questions = [q for q in questions if not q.unresolved]
        if any(q.use != "self-check" for q in questions):
            raise ValueError("graded questions are not shown as class widgets")
        self.questions = [QuestionWidget(q, n, on_check=self._update)
                          for n, q in enumerate(questions, start=1)]
        self.score_label = w.HTML()
        self.reset_button = w.Button(description="Reset quiz", icon="undo")
        self.reset_button.on_click(lambda _b: self.reset())
        self.children = [*self.questions, w.HBox([self.score_label, self.reset_button])]
        self._update()

    @property
    def total(self) -> float:
        return sum(qw.question.points for qw in self.questions)

    @property
    def score(self) -> float:
        """Points earned so far (the last check of each question)."""
        return sum((qw.score or 0) * qw.question.points for qw in self.questions)

    def _update(self) -> None:
        self.score_label.value = f"<b>Score: {round(self.score, 2):g} / {self.total:g}</b>"

    def reset(self) -> None:
        """Reset every question and the running score."""
        for qw in self.questions:
            qw.on_check = None
            qw.reset()
            qw.on_check = self._update
        self._update()

    def __getitem__(self, qid: str) -> QuestionWidget:
        for qw in self.questions:
            if qw.question.id == qid:
                return qw
        raise KeyError(qid)
