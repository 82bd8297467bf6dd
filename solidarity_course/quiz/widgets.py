"""The bank as ipywidgets 8 for class: instant feedback, running score, reset.

In a notebook::

    from solidarity_course.quiz.widgets import ChapterQuiz
    ChapterQuiz("01-reading-sources")            # self-check questions of a chapter

Displayed, a quiz also carries its kernel-free HTML (:mod:`.kernel_free`):
JupyterLab shows the widgets, the book the same quiz checked in the browser.
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
from .kernel_free import KernelFreeView, quiz_html
from .model import AutoQuestion, Question
from .presentation import (
    display_order,
    excerpt_window,
    markdown_to_html,
    quotation_html,
    score_line,
)
from .scoring import feedback, score_answer, self_assessment_line


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
        last = len(self._order) - 1
        for pos, iid in enumerate(self._order):
            # The first item cannot go up nor the last down: those buttons are disabled.
            up = w.Button(description="↑ Up", tooltip=f"Move up: {self._texts[iid]}",
                          disabled=pos == 0, layout=w.Layout(width="auto", flex="0 0 auto"))
            down = w.Button(description="↓ Down", tooltip=f"Move down: {self._texts[iid]}",
                            disabled=pos == last, layout=w.Layout(width="auto", flex="0 0 auto"))
            up.on_click(lambda _b, p=pos: self.move(p, -1))
            down.on_click(lambda _b, p=pos: self.move(p, 1))
            # HTML, not Label: the item's full text wraps instead of being cut off.
            text = w.HTML(f"{pos + 1}. {html.escape(self._texts[iid])}",
                          layout=w.Layout(flex="1 1 16em", min_width="0"))
            rows.append(w.HBox([text, up, down], layout=w.Layout(flex_flow="row wrap",
                                                                  align_items="baseline")))
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

    def __init__(self, question: AutoQuestion, number: int | str = 1, on_check=None):
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
                self.inputs = {i.id: w.Dropdown(options=choices, value=None,
                                                layout=w.Layout(width="max-content"))
                               for i in q.items}
                # The item's full text above its dropdown (a description would be cut off).
                return w.VBox([w.VBox([w.HTML(markdown_to_html(i.text)), self.inputs[i.id]])
                               for i in q.items])
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


class WrittenAnswerBox(w.VBox):
    """A document set's written answer, assessed by the student: text, rubric ticks, outline."""

    def __init__(self, question: model.DocumentSet, label: str):
        super().__init__(layout=w.Layout(border="1px solid #ccc", padding="6px", margin="6px 0"))
        written = question.written
        self.text = w.Textarea(placeholder="Write your answer here (it is not saved anywhere).",
                               layout=w.Layout(width="100%", height="12em"))
        self.criteria = [w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"),
                                    description=f"{c.criterion} ({c.points:g} pt)")
                         for c in written.rubric]
        self._points = [c.points for c in written.rubric]
        self.tally = w.HTML()
        for box in self.criteria:
            box.observe(lambda _change: self._update(), names="value")
        self.outline = w.HTML("<p><b>How historians answer it</b></p>"
                              + markdown_to_html(question.explanation),
                              layout=w.Layout(display="none"))
        self.outline_button = w.Button(description="Show how historians answer it",
                                       layout=w.Layout(width="auto"))
        self.outline_button.on_click(lambda _b: self.toggle_outline())
        self.children = [
            w.HTML(f"<b>Question {label}</b> (written answer, {written.points:g} pt, assessed "
                   "by you against the rubric) " + markdown_to_html(written.prompt)),
            self.text,
            w.HTML("<b>Assess your answer: tick each criterion of the rubric that it meets.</b>"),
            *self.criteria, self.tally, self.outline_button, self.outline]
        self._update()

    @property
    def self_assessed(self) -> float:
        """The points of the ticked criteria."""
        return sum(p for p, box in zip(self._points, self.criteria, strict=True) if box.value)

    def _update(self) -> None:
        self.tally.value = f"<b>{self_assessment_line(self.self_assessed, sum(self._points))}</b>"

    def toggle_outline(self) -> None:
        """Show or hide the model-answer outline."""
        shown = self.outline.layout.display != "none"
        self.outline.layout.display = "none" if shown else None
        self.outline_button.description = ("Show" if shown else "Hide") + \
            " how historians answer it"

    def reset(self) -> None:
        """Untick the rubric and hide the outline (the text stays)."""
        for box in self.criteria:
            box.value = False
        if self.outline.layout.display != "none":
            self.toggle_outline()


class DocumentSetWidget(w.VBox):
    """A document-based question: central question, documents in tabs, parts, written answer."""

    def __init__(self, question: model.DocumentSet, number: int = 1, on_check=None):
        super().__init__(layout=w.Layout(border="2px solid #ccc", padding="6px", margin="6px 0"))
        self.question = question
        tabs = []
        for _label, doc in question.labelled_documents():
            if doc.resolved is None:
                raise ValueError(f"document set {question.id!r} needs the course data")
            tabs.append(w.HTML(
                "<p><b>Sourcing</b></p>" + markdown_to_html(doc.sourcing)
                + f"<blockquote>{quotation_html(doc.resolved.text)}</blockquote>"
                + f"<p><small>{html.escape(doc.resolved.provenance)}</small></p>"))
        self.documents = w.Tab(children=tabs,
                               titles=[label for label, _d in question.labelled_documents()])
        self.parts = [QuestionWidget(p, f"{number}{chr(ord('a') + i)}", on_check=on_check)
                      for i, p in enumerate(question.parts)]
        self.written = WrittenAnswerBox(question, f"{number}{chr(ord('a') + len(self.parts))}")
        self.children = [
            w.HTML(f"<b>Question {number}</b> (document-based question) <p><b>The central "
                   f"question</b></p>{markdown_to_html(question.prompt)}"),
            self.documents, *self.parts, self.written]


class ChapterQuiz(KernelFreeView, w.VBox):
    """Self-check questions (a chapter's, or given ones) with a running score and reset.

    ``intro_html`` (trusted markup, e.g. an annotated excerpt) is shown first.
    Displayed, it also carries its kernel-free HTML (see :mod:`.kernel_free`).
    """

    def __init__(self, chapter: str | None = None, questions: Iterable[Question] | None = None,
                 bank=None, intro_html: str = ""):
        super().__init__()
        self.intro_html = intro_html
        if questions is None:
            from .bank import load_bank
            from .devices import default_data

            bank = bank or load_bank(data=default_data())
            questions = bank.chapter(chapter, use="self-check")
        questions = [q for q in questions if not q.unresolved]
        if any(q.use != "self-check" for q in questions):
            raise ValueError("graded questions are not shown as class widgets")
        self.bank_questions = questions
        shown: list[w.Widget] = []
        #: Every auto-scored question's widget (a document set's parts included), in order.
        self.questions: list[QuestionWidget] = []
        #: The document sets' widgets.
        self.sets: list[DocumentSetWidget] = []
        for n, q in enumerate(questions, start=1):
            if isinstance(q, model.DocumentSet):
                dbq = DocumentSetWidget(q, n, on_check=self._update)
                self.sets.append(dbq)
                self.questions += dbq.parts
                shown.append(dbq)
            else:
                self.questions.append(QuestionWidget(q, n, on_check=self._update))
                shown.append(self.questions[-1])
        self.score_label = w.HTML()
        self.reset_button = w.Button(description="Reset quiz", icon="undo")
        self.reset_button.on_click(lambda _b: self.reset())
        intro = [w.HTML(intro_html)] if intro_html else []
        self.children = [*intro, *shown, w.HBox([self.score_label, self.reset_button])]
        self._update()

    @property
    def total(self) -> float:
        return sum(qw.question.points for qw in self.questions)

    @property
    def score(self) -> float:
        """Points earned so far (the last check of each question)."""
        return sum((qw.score or 0) * qw.question.points for qw in self.questions)

    def _update(self) -> None:
        self.score_label.value = f"<b>{score_line(self.score, self.total)}</b>"

    def static_html(self) -> str:
        """The quiz as the book shows it, checked in the browser (no kernel)."""
        return quiz_html(self.bank_questions, self.intro_html)

    def reset(self) -> None:
        """Reset every question and the running score."""
        for qw in self.questions:
            qw.on_check = None
            qw.reset()
            qw.on_check = self._update
        for dbq in self.sets:
            dbq.written.reset()
        self._update()

    def __getitem__(self, qid: str) -> QuestionWidget:
        for qw in self.questions:
            if qw.question.id == qid:
                return qw
        raise KeyError(qid)

    def document_set(self, qid: str) -> DocumentSetWidget:
        """The widget of the document set ``qid``."""
        for dbq in self.sets:
            if dbq.question.id == qid:
                return dbq
        raise KeyError(qid)
