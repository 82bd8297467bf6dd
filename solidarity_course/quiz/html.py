"""Render self-check questions as accessible HTML for the built book (no kernel).

Why our own renderer (evaluation, 2025, for issue 4):

* **jupyterquiz** (``display_quiz``): questions are JSON, shown by executing a
  code cell whose output carries JavaScript; supports multiple/many choice,
  numeric and (string) text answers, but no matching, ordering or
  "spot the device".  Its answer buttons are ``div`` elements rather than
  native form controls, it wants a kernel at build time (myst-nb execution)
  and its format is not our bank's.  Not used.
* **teachbooks-questions** (``{question}`` directive): multiple choice and
  short answer written inline in the page, so the page, not a bank, would be
  the source; no matching, ordering, numeric tolerance or device questions,
  and no way to keep graded keys out of the book.  Not used.
* **sphinx-exercise** (``{exercise}``/``{solution}``): numbered admonitions
  with a (hidden) solution; no answer checking at all.  Not used; it stays a
  good fit for open-ended exercises.

So :mod:`solidarity_course.sphinx.quiz` renders the bank with this module: native controls
(radio/checkbox ``fieldset`` + ``legend``, ``select`` for matching, Up/Down
``button`` for ordering, labelled text inputs), an ``aria-live`` feedback
region, "Check" and "Try again", checked by ``sphinx/static/solidarity_quiz.js``.

A question is rendered as a list of fragments: :class:`Html` (markup) and
:class:`Markdown` (MyST text: prompts, options, feedback).  The Sphinx
directive parses the Markdown fragments with MyST (so ``{cite}`` works);
:func:`render_html` turns them into one string with a plain Markdown renderer
(used for tests and previews).  Graded questions are refused: their keys must
never reach the book.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import assert_never

from . import model
from .model import AutoQuestion, Option, Question, auto_questions
from .presentation import (
    display_order,
    excerpt_window,
    markdown_to_html,
    quotation_html,
    score_line,
)


@dataclass(frozen=True)
class Html:
    """A piece of HTML markup, emitted as is."""

    text: str


@dataclass(frozen=True)
class Markdown:
    """MyST markdown; ``inline`` asks for phrasing content (no wrapping paragraph)."""

    text: str
    inline: bool = False


Fragment = Html | Markdown


class GradedQuestionError(ValueError):
    """A graded question was about to be rendered into the public book."""


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def _choice_controls(options: Iterable[Option], qid: str, kind: str) -> list[Fragment]:
    out: list[Fragment] = []
    for opt in options:
        cid = f"{qid}-opt-{opt.id}"
        out += [
            Html(
                f'<div class="scq-option"><input type="{kind}" name="{qid}" id="{cid}" '
                f'value="{esc(opt.id)}"><label for="{cid}">'
            ),
            Markdown(opt.text, inline=True),
            Html("</label></div>"),
        ]
    return out


def _text_input(qid: str, label: str, numeric: bool) -> Html:
    iid = f"{qid}-input"
    mode = ' inputmode="decimal"' if numeric else ""
    return Html(
        f'<div class="scq-text"><label for="{iid}">{esc(label)}</label> '
        f'<input type="text" id="{iid}"{mode} autocomplete="off" spellcheck="false">'
        "</div>"
    )


def _excerpt(q: model.SpotDevice, qid: str) -> Html:
    before, span, after = excerpt_window(*q.span())
    return Html(
        f'<blockquote class="scq-excerpt" id="{qid}-excerpt">{esc(before)}'
        '<mark><span class="scq-sr">[highlighted passage starts] </span>'
        f'{esc(span)}<span class="scq-sr"> [highlighted passage ends]</span></mark>'
        f"{esc(after)}</blockquote>"
    )


def _controls(q: AutoQuestion, qid: str) -> list[Fragment]:
    match q:
        case model.SingleChoice():
            return _choice_controls(q.options, qid, "radio")
        case model.SpotDevice():
            return [_excerpt(q, qid), *_choice_controls(q.options, qid, "radio")]
        case model.MultipleSelect():
            rule = " " + esc(q.partial_rule) if q.partial_rule else ""
            return [
                Html(f'<p class="scq-rule">Select all that apply.{rule}</p>'),
                *_choice_controls(q.options, qid, "checkbox"),
            ]
        case model.Matching():
            out: list[Fragment] = []
            if q.partial_rule:
                out.append(Html(f'<p class="scq-rule">{esc(q.partial_rule)}</p>'))
            opts = "".join(f'<option value="{esc(o.id)}">{esc(o.text)}</option>' for o in q.options)
            for item in q.items:
                sid = f"{qid}-match-{item.id}"
                out += [
                    Html(f'<div class="scq-match"><label for="{sid}">'),
                    Markdown(item.text, inline=True),
                    Html(
                        f'</label> <select id="{sid}" data-item="{esc(item.id)}">'
                        f'<option value="">— choose —</option>{opts}</select></div>'
                    ),
                ]
            return out
        case model.Ordering():
            rule = "Use the Up and Down buttons to put the items in order, first at the top."
            if q.partial_rule:
                rule += " " + q.partial_rule
            out = [Html(f'<p class="scq-rule">{esc(rule)}</p><ol class="scq-order">')]
            items = {i.id: i for i in q.items}
            for iid in display_order(q):
                plain = esc(items[iid].text)
                out += [
                    Html(f'<li data-item="{esc(iid)}"><span class="scq-item-text">'),
                    Markdown(items[iid].text, inline=True),
                    Html(
                        f'</span> <span class="scq-move"><button type="button" class="scq-up" '
                        f'aria-label="Move up: {plain}">↑ Up</button> <button type="button" '
                        f'class="scq-down" aria-label="Move down: {plain}">↓ Down</button>'
                        "</span></li>"
                    ),
                ]
            out.append(Html('</ol><p class="scq-sr scq-order-status" aria-live="polite"></p>'))
            return out
        case model.Numeric():
            label = "Your answer (a number)" + (f", in {q.unit}" if q.unit else "")
            return [_text_input(qid, label, numeric=True)]
        case model.ShortText():
            return [_text_input(qid, "Your answer", numeric=False)]
        case _:
            assert_never(q)


def _feedback_region(q: AutoQuestion, qid: str) -> list[Fragment]:
    out: list[Fragment] = [
        Html(
            f'<div class="scq-feedback" id="{qid}-feedback" role="status" aria-live="polite">'
            '<p class="scq-verdict"></p>'
        )
    ]
    for kind, ident, text in q.feedback_entries():
        out += [
            Html(f'<div class="scq-fb" data-fb-{kind}="{esc(ident)}" hidden>'),
            Markdown(text),
            Html("</div>"),
        ]
    for kind, text in (("correct", q.feedback_correct), ("incorrect", q.feedback_incorrect)):
        if text:
            out += [
                Html(f'<div class="scq-fb" data-fb-general="{kind}" hidden>'),
                Markdown(text),
                Html("</div>"),
            ]
    out += [
        Html(
            '<div class="scq-explanation" hidden>'
            '<p class="scq-explanation-title">Explanation</p>'
        ),
        Markdown(q.explanation),
        Html("</div></div>"),
    ]
    return out


def _points(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def question_fragments(q: Question, number: int | str = 1) -> list[Fragment]:
    """The fragments of one self-check question (raises for graded ones)."""
    if q.use != "self-check":
        raise GradedQuestionError(f"question {q.id!r} is graded and must not be rendered")
    if isinstance(q, model.DocumentSet):
        return document_set_fragments(q, number)
    qid = f"scq-{q.id}"
    key = esc(json.dumps(q.check_key(), ensure_ascii=False))
    return [
        Html(
            f'<section class="scq" id="{qid}" data-qid="{esc(q.id)}" data-qtype="{q.type}" '
            f'data-points="{q.points:g}" data-key="{key}">'
            f'<form class="scq-form" novalidate><fieldset><legend class="scq-prompt">'
            f'<span class="scq-number">Question {number} '
            f'<span class="scq-meta">({q.type_label}, {_points(q.points)})</span></span> '
        ),
        Markdown(q.prompt, inline=True),
        Html("</legend>"),
        *_controls(q, qid),
        Html(
            '</fieldset><div class="scq-buttons">'
            '<button type="submit" class="scq-check">Check</button> '
            '<button type="button" class="scq-retry" hidden>Try again</button></div></form>'
        ),
        *_feedback_region(q, qid),
        Html("</section>"),
    ]


def _document(q: model.DocumentSet, label: str, doc: model.Document) -> list[Fragment]:
    """One document: its label as heading, sourcing card, verbatim text and provenance."""
    if doc.resolved is None:
        raise ValueError(f"document set {q.id!r} is not resolved against the course data")
    did = f"scq-{q.id}-{doc.id}"
    return [
        Html(f'<article class="scq-document" id="{did}" aria-labelledby="{did}-title">'
             f'<h3 class="scq-document-title" id="{did}-title">{label}</h3>'
             '<div class="scq-sourcing"><p class="scq-sourcing-title">Sourcing</p>'),
        Markdown(doc.sourcing),
        Html(f'</div><blockquote class="scq-document-text"><p>{quotation_html(doc.resolved.text)}'
             f'</p></blockquote><p class="scq-provenance">{esc(doc.resolved.provenance)}</p>'
             "</article>"),
    ]


def _written(q: model.DocumentSet, label: str) -> list[Fragment]:
    """The written answer as a self-assessment: a textarea, the rubric to tick, the outline."""
    wid = f"scq-{q.id}-written"
    out: list[Fragment] = [
        Html(f'<section class="scq-written" id="{wid}" aria-labelledby="{wid}-title">'
             f'<p class="scq-written-title" id="{wid}-title"><span class="scq-number">'
             f'Question {label} <span class="scq-meta">(written answer, '
             f"{_points(q.written.points)}, assessed by you against the rubric)</span></span></p>"),
        Markdown(q.written.prompt),
        Html(f'<p><label for="{wid}-text">Your answer (it stays on this page only: it is not '
             f'saved or sent anywhere)</label></p><textarea id="{wid}-text" class="scq-answer" '
             'rows="10"></textarea>'
             '<fieldset class="scq-rubric"><legend>Assess your answer: tick each criterion of '
             "the rubric that it meets.</legend>"),
    ]
    for i, c in enumerate(q.written.rubric):
        cid = f"{wid}-c{i + 1}"
        out += [
            Html(f'<div class="scq-option"><input type="checkbox" id="{cid}" '
                 f'data-points="{c.points:g}"><label for="{cid}">'),
            Markdown(c.criterion, inline=True),
            Html(f" ({_points(c.points)})</label></div>"),
        ]
    out += [
        Html(f'</fieldset><p class="scq-self-total" aria-live="polite" '
             f'data-total="{q.written.points:g}">'
             f"Your self-assessment: 0 of {q.written.points:g} points.</p>"
             f'<div class="scq-buttons"><button type="button" class="scq-outline-toggle" '
             f'aria-expanded="false" aria-controls="{wid}-outline">Show how historians answer '
             "it</button></div>"
             f'<div class="scq-outline scq-explanation" id="{wid}-outline" hidden>'
             '<p class="scq-explanation-title">How historians answer it</p>'),
        Markdown(q.explanation),
        Html("</div></section>"),
    ]
    return out


def document_set_fragments(q: model.DocumentSet, number: int | str = 1) -> list[Fragment]:
    """A document-based question: central question, documents, parts, self-assessment."""
    qid = f"scq-{q.id}"
    documents = q.labelled_documents()
    contents = "".join(
        f'<li><a href="#{qid}-{d.id}">{label}</a></li>' for label, d in documents)
    meta = (f"document-based question: {_points(q.auto_points)} checked here, "
            f"{_points(q.written.points)} for a written answer you assess yourself")
    out: list[Fragment] = [
        Html(f'<section class="scq-dbq" id="{qid}" data-qid="{esc(q.id)}" '
             f'aria-labelledby="{qid}-title"><p class="scq-dbq-title" id="{qid}-title">'
             f'<span class="scq-number">Question {number} <span class="scq-meta">({meta})'
             '</span></span></p><div class="scq-central"><p class="scq-central-title">'
             "The central question</p>"),
        Markdown(q.prompt),
        Html(f'</div><nav class="scq-dbq-contents" aria-label="Documents of question {number}">'
             f"<p>Read the {len(documents)} documents first:</p><ul>{contents}</ul></nav>"
             '<div class="scq-documents">'),
    ]
    for label, doc in documents:
        out += _document(q, label, doc)
    out.append(Html("</div>"))
    for i, part in enumerate(q.parts):
        out += question_fragments(part, f"{number}{chr(ord('a') + i)}")
    out += _written(q, f"{number}{chr(ord('a') + len(q.parts))}")
    out.append(Html("</section>"))
    return out


def quiz_fragments(questions: Iterable[Question]) -> list[Fragment]:
    """Fragments of a whole quiz: the questions, then its running total and "Reset quiz"."""
    questions = list(questions)
    out: list[Fragment] = [Html('<div class="scq-quiz">')]
    for n, q in enumerate(questions, start=1):
        out += question_fragments(q, n)
    # Only what the page checks counts: a document set's written answer is self-assessed.
    total = score_line(0, sum(q.points for q in auto_questions(questions)))
    out.append(
        Html(
            f'<div class="scq-summary"><p class="scq-total">{esc(total)}</p>'
            '<button type="button" class="scq-reset-all" hidden>Reset quiz</button></div></div>'
        )
    )
    return out


def render_html(
    questions: Iterable[Question],
    markdown: Callable[[str, bool], str] = markdown_to_html,
) -> str:
    """The quiz as one HTML string (the page must load ``solidarity_quiz.js``/``.css``)."""
    parts = []
    for frag in quiz_fragments(questions):
        parts.append(frag.text if isinstance(frag, Html) else markdown(frag.text, frag.inline))
    return "".join(parts)
