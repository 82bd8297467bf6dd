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

So :mod:`.sphinx` renders the bank with this module: native controls
(radio/checkbox ``fieldset`` + ``legend``, ``select`` for matching, Up/Down
``button`` for ordering, labelled text inputs), an ``aria-live`` feedback
region, "Check" and "Try again", checked by ``static/solidarity_quiz.js``.

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
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .model import (
    PARTIAL_CREDIT_RULES,
    Matching,
    MultipleSelect,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    SpotDevice,
)
from .normalise import normalise_text
from .scoring import score_line

TYPE_LABELS = {
    "single_choice": "single choice",
    "multiple_select": "multiple select",
    "matching": "matching",
    "ordering": "ordering",
    "numeric": "numeric answer",
    "short_text": "short text answer",
    "spot_device": "spot the device",
}


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


def esc(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def display_order(question: Ordering) -> list[str]:
    """A deterministic shuffle of the items that is never the answer itself."""
    ids = [i.id for i in question.items]
    rng = random.Random(question.id)
    rng.shuffle(ids)
    if tuple(ids) == tuple(question.answer):
        ids = ids[1:] + ids[:1]
    return ids


def public_key(question: Question) -> dict:
    """What the browser needs to check a self-check question."""
    if isinstance(question, SingleChoice | SpotDevice):
        return {"answer": question.answer}
    if isinstance(question, MultipleSelect):
        return {"answer": list(question.answer), "partial": question.partial_credit}
    if isinstance(question, Matching):
        return {"answer": dict(question.answer), "partial": question.partial_credit}
    if isinstance(question, Ordering):
        return {"answer": list(question.answer), "partial": question.partial_credit}
    if isinstance(question, Numeric):
        return {"answer": question.answer, "tolerance": question.tolerance}
    if isinstance(question, ShortText):
        return {"accepted": sorted({normalise_text(a) for a in question.accepted})}
    raise TypeError(type(question).__name__)


def _excerpt_window(text: str, start: int, end: int, context: int = 320) -> tuple[str, str, str]:
    """Text before, inside and after the span, trimmed to ``context`` chars at word breaks."""
    before, span, after = text[:start], text[start:end], text[end:]
    if len(before) > context:
        cut = before.find(" ", len(before) - context)
        before = "… " + before[cut + 1 if cut >= 0 else len(before) - context :]
    if len(after) > context:
        cut = after.rfind(" ", 0, context)
        after = after[: cut if cut > 0 else context] + " …"
    return before, span, after


def _choice_controls(q, qid: str, kind: str) -> list[Fragment]:
    out: list[Fragment] = []
    for opt in q.options:
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


def _controls(q: Question, qid: str) -> list[Fragment]:
    out: list[Fragment] = []
    if isinstance(q, SpotDevice):
        r = q._require_resolved()
        before, span, after = _excerpt_window(r.excerpt_text, r.start, r.end)
        out.append(
            Html(
                f'<blockquote class="scq-excerpt" id="{qid}-excerpt">{esc(before)}'
                '<mark><span class="scq-sr">[highlighted passage starts] </span>'
                f'{esc(span)}<span class="scq-sr"> [highlighted passage ends]</span></mark>'
                f"{esc(after)}</blockquote>"
            )
        )
    if isinstance(q, SingleChoice | SpotDevice):
        out += _choice_controls(q, qid, "radio")
    elif isinstance(q, MultipleSelect):
        out.append(Html('<p class="scq-rule">Select all that apply.'))
        if q.partial_credit:
            out.append(Html(" " + esc(PARTIAL_CREDIT_RULES["multiple_select"])))
        out.append(Html("</p>"))
        out += _choice_controls(q, qid, "checkbox")
    elif isinstance(q, Matching):
        if q.partial_credit:
            out.append(Html(f'<p class="scq-rule">{esc(PARTIAL_CREDIT_RULES["matching"])}</p>'))
        for item in q.items:
            sid = f"{qid}-match-{item.id}"
            opts = "".join(
                f'<option value="{esc(o.id)}">{esc(o.text)}</option>' for o in q.options
            )
            out += [
                Html(f'<div class="scq-match"><label for="{sid}">'),
                Markdown(item.text, inline=True),
                Html(
                    f'</label> <select id="{sid}" data-item="{esc(item.id)}">'
                    f'<option value="">— choose —</option>{opts}</select></div>'
                ),
            ]
    elif isinstance(q, Ordering):
        rule = "Use the Up and Down buttons to put the items in order, first at the top."
        if q.partial_credit:
            rule += " " + PARTIAL_CREDIT_RULES["ordering"]
        out.append(Html(f'<p class="scq-rule">{esc(rule)}</p><ol class="scq-order">'))
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
    elif isinstance(q, Numeric | ShortText):
        iid = f"{qid}-input"
        label = "Your answer (a number)" if isinstance(q, Numeric) else "Your answer"
        if isinstance(q, Numeric) and q.unit:
            label += f", in {q.unit}"
        mode = ' inputmode="decimal"' if isinstance(q, Numeric) else ""
        out.append(
            Html(
                f'<div class="scq-text"><label for="{iid}">{esc(label)}</label> '
                f'<input type="text" id="{iid}"{mode} autocomplete="off" spellcheck="false">'
                "</div>"
            )
        )
    return out


def _feedback_region(q: Question, qid: str) -> list[Fragment]:
    out: list[Fragment] = [
        Html(
            f'<div class="scq-feedback" id="{qid}-feedback" role="status" aria-live="polite">'
            '<p class="scq-verdict"></p>'
        )
    ]
    entries = []
    if isinstance(q, SingleChoice | SpotDevice | MultipleSelect):
        entries = [("option", o.id, o.feedback) for o in q.options]
    elif isinstance(q, Matching | Ordering):
        entries = [("item", i.id, i.feedback) for i in q.items]
    for kind, ident, text in entries:
        if text:
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


def question_fragments(q: Question, number: int = 1) -> list[Fragment]:
    """The fragments of one self-check question (raises for graded ones)."""
    if q.use != "self-check":
        raise GradedQuestionError(f"question {q.id!r} is graded and must not be rendered")
    qid = f"scq-{q.id}"
    pts = f"{q.points:g} point" + ("" if q.points == 1 else "s")
    key = esc(json.dumps(public_key(q), ensure_ascii=False))
    return [
        Html(
            f'<section class="scq" id="{qid}" data-qid="{esc(q.id)}" data-qtype="{q.type}" '
            f'data-points="{q.points:g}" data-key="{key}">'
            f'<form class="scq-form" novalidate><fieldset><legend class="scq-prompt">'
            f'<span class="scq-number">Question {number} '
            f'<span class="scq-meta">({TYPE_LABELS[q.type]}, {pts})</span></span> '
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


def quiz_fragments(questions: Iterable[Question]) -> list[Fragment]:
    """Fragments of a whole quiz: the questions, then its running total and "Reset quiz"."""
    questions = list(questions)
    out: list[Fragment] = [Html('<div class="scq-quiz">')]
    for n, q in enumerate(questions, start=1):
        out += question_fragments(q, n)
    total = score_line(0, sum(q.points for q in questions))
    out.append(
        Html(
            f'<div class="scq-summary"><p class="scq-total">{esc(total)}</p>'
            '<button type="button" class="scq-reset-all" hidden>Reset quiz</button></div></div>'
        )
    )
    return out


def default_markdown(text: str, inline: bool = False) -> str:
    """Plain Markdown → HTML (``{cite}`key``` becomes ``<cite>key</cite>``)."""
    import re

    from markdown_it import MarkdownIt

    text = re.sub(r"\{cite(?::\w+)?\}`([^`]*)`", r"<cite>\1</cite>", text)
    md = MarkdownIt("commonmark")
    return md.renderInline(text) if inline else md.render(text)


def render_html(
    questions: Iterable[Question],
    markdown: Callable[[str, bool], str] = default_markdown,
) -> str:
    """The quiz as one HTML string (the page must load ``solidarity_quiz.js``/``.css``)."""
    parts = []
    for frag in quiz_fragments(questions):
        parts.append(frag.text if isinstance(frag, Html) else markdown(frag.text, frag.inline))
    return "".join(parts)
