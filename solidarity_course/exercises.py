"""Classroom exercises, driven by the data package and checked by the quiz engine.

Every exercise is a question of the quiz model shown by
:class:`~solidarity_course.quiz.widgets.ChapterQuiz`, so it is scored by
:mod:`solidarity_course.quiz.scoring` and gets the same verdicts, partial credit
and running score as the self-check quizzes: live widgets in JupyterLab, the
kernel-free HTML of :mod:`solidarity_course.quiz.kernel_free` in the book.

- :class:`DeviceSpotter`: the spans of an excerpt that the course annotated are
  numbered; the student names the framing device of each (a matching question).
- :class:`VerdictMatcher`: the student gives each claim the verdict the record
  supports (a matching question).
- :class:`Explorer`: not scored; a dropdown or slider selects one of several
  precomputed views (a table, a list of examples).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import ipywidgets as widgets

from solidarity_course.data import AnnotatedExcerpt, annotated_excerpt, field_enum, load_table
from solidarity_course.quiz.kernel_free import KernelFreeView, explorer_html
from solidarity_course.quiz.model import Matching
from solidarity_course.quiz.widgets import ChapterQuiz
from solidarity_course.render import displayed_text, quotation_html, reader_note

#: Markdown's ASCII punctuation that a backslash escapes (CommonMark, section 2.4).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")


def md_literal(text: str) -> str:
    """``text`` as Markdown that renders exactly as ``text`` (data are not markup)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def slug(text: str) -> str:
    """An option id for a label: "accurate but framed" -> "accurate-but-framed"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def matching_exercise(
    qid: str,
    prompt: str,
    items: Sequence[tuple[str, str, str, str]],
    options: Sequence[tuple[str, str]],
) -> Matching:
    """A self-check matching question, one point per item.

    ``items``: (id, text, id of the right option, what the course says about
    it); the course's answer and note are shown for an item answered wrongly,
    all of them once every item is right. ``options``: (id, label).
    """
    labels = dict(options)
    notes = [
        f"[{n}] The course's answer: **{md_literal(labels[answer])}**. {md_literal(note)}"
        for n, (_, _, answer, note) in enumerate(items, start=1)
    ]
    return Matching(
        type="matching",
        id=qid,
        chapter="exercise",
        objective=prompt,
        use="self-check",
        points=len(items),
        partial_credit=True,
        prompt=md_literal(prompt),
        items=[
            {"id": iid, "text": f"\\[{n}\\] {md_literal(text)}", "feedback": note}
            for n, ((iid, text, _, _), note) in enumerate(zip(items, notes, strict=True), 1)
        ],
        options=[{"id": oid, "text": label} for oid, label in options],
        answer={iid: answer for iid, _, answer, _ in items},
        explanation="\n\n".join(notes),
    )


class DeviceSpotter(ChapterQuiz):
    """Name the framing device of each annotated span of one excerpt."""

    def __init__(self, excerpt_id: str):
        item = annotated_excerpt(excerpt_id)
        spans = [a for a in item.annotations if a.device_id]
        if not spans:
            raise ValueError(f"excerpt {excerpt_id!r} has no device annotations")
        devices = load_table("devices").set_index("id")
        question = matching_exercise(
            f"devices-{slug(excerpt_id)}",
            "Which framing device is at work in each numbered passage of the excerpt above?",
            [
                (
                    span.id,
                    f"“{displayed_text(span.text)}”",
                    span.device_id,
                    f"{reader_note(span.note, span.claim_id)} "
                    f"{devices.loc[span.device_id, 'name']}: "
                    f"{devices.loc[span.device_id, 'definition']}",
                )
                for span in spans
            ],
            sorted(((i, row["name"]) for i, row in devices.iterrows()), key=lambda o: o[1]),
        )
        # The same markup as the book's excerpts: numbered marks, the author's emphasis.
        marked = quotation_html(AnnotatedExcerpt(item.excerpt, tuple(spans)))
        super().__init__(questions=[question], intro_html=f"<blockquote>{marked}</blockquote>")


class VerdictMatcher(ChapterQuiz):
    """Give each claim the verdict the record supports."""

    def __init__(self, claim_ids: Sequence[str]):
        claims = load_table("claims").set_index("id")
        missing = [c for c in claim_ids if c not in claims.index]
        if missing:
            raise ValueError(f"unknown claim ids: {missing}")
        chosen = claims.loc[list(claim_ids)]
        question = matching_exercise(
            "verdicts-" + "-".join(slug(c) for c in claim_ids),
            "What verdict does the historical record support for each claim?",
            [
                (slug(cid), row["claim"], slug(row["verdict"]), row["record"])
                for cid, row in chosen.iterrows()
            ],
            [(slug(v), v) for v in field_enum("claims", "verdict")],
        )
        super().__init__(questions=[question])


class Explorer(KernelFreeView, widgets.VBox):
    """A dropdown (or slider) that shows one of several precomputed HTML views.

    ``panels`` maps each choice's label to its HTML (trusted markup), in order.
    In JupyterLab the control is a live widget; in the book the same views are
    switched in the browser (:func:`~solidarity_course.quiz.kernel_free.explorer_html`).
    """

    def __init__(
        self,
        name: str,
        label: str,
        panels: Mapping[str, str],
        selected: str | None = None,
        slider: bool = False,
    ):
        self.name, self.label, self.panels, self.slider = name, label, dict(panels), slider
        kind = widgets.SelectionSlider if slider else widgets.Dropdown
        self.control = kind(
            options=list(self.panels),
            value=selected if selected is not None else next(iter(self.panels)),
            description=label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="max-content" if not slider else "32em"),
        )
        self.view = widgets.HTML(self.panels[self.control.value])
        self.control.observe(lambda change: self._show(change["new"]), names="value")
        super().__init__([self.control, self.view])

    def _show(self, value: str) -> None:
        self.view.value = self.panels[value]

    def static_html(self) -> str:
        return explorer_html(self.name, self.label, self.panels, self.control.value, self.slider)

