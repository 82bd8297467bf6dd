"""Classroom exercises as ipywidgets, driven by the data package.

Two exercise kinds, each usable with any excerpt or claims in ``data/``:

- :class:`DeviceSpotter`: the spans of an excerpt that the course annotated are
  numbered; the student names the framing device of each and compares their
  choice with the annotation and its note.
- :class:`VerdictMatcher`: the student gives each claim a verdict and compares it
  with the course's verdict and what the record shows.

Both keep a score, can be checked and reset, and expose their controls so that
tests (and curious teachers) can set answers programmatically.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets

from solidarity_course.data import AnnotatedExcerpt, annotated_excerpt, field_enum, load_table
from solidarity_course.render import displayed_text, quotation_html

UNANSWERED = "— choose —"


class Exercise(widgets.VBox):
    """Common frame: items with a dropdown each, Check and Reset, a score line."""

    def __init__(self, intro_html: str, items: list[tuple[str, Sequence[str]]]):
        self.dropdowns = [
            widgets.Dropdown(
                options=[UNANSWERED, *options],
                value=UNANSWERED,
                description=f"Answer {i + 1}",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="max-content"),
            )
            for i, (_, options) in enumerate(items)
        ]
        self.feedback = [widgets.HTML() for _ in items]
        self.score = widgets.HTML(value="")
        check = widgets.Button(description="Check", icon="check")
        reset = widgets.Button(description="Reset", icon="undo")
        check.on_click(lambda _: self.check())
        reset.on_click(lambda _: self.reset())
        rows = [
            widgets.VBox([widgets.HTML(prompt), dropdown, feedback])
            for (prompt, _), dropdown, feedback in zip(
                items, self.dropdowns, self.feedback, strict=True
            )
        ]
        super().__init__(
            [widgets.HTML(intro_html), *rows, widgets.HBox([check, reset]), self.score]
        )

    def expected(self, index: int) -> str:
        """The right answer for item ``index`` (a dropdown label)."""
        raise NotImplementedError

    def explanation(self, index: int) -> str:
        """HTML shown after checking item ``index``."""
        raise NotImplementedError

    def check(self) -> int:
        """Mark every item, show feedback and the score; return the number right."""
        right = 0
        for index, dropdown in enumerate(self.dropdowns):
            expected = self.expected(index)
            if dropdown.value == UNANSWERED:
                verdict = "<strong>Not answered.</strong>"
            elif dropdown.value == expected:
                right += 1
                verdict = "<strong>✔ Right.</strong>"
            else:
                verdict = (
                    "<strong>✘ Not quite:</strong> the course's answer is "
                    f"<em>{html.escape(expected)}</em>."
                )
            self.feedback[index].value = f"<p>{verdict} {self.explanation(index)}</p>"
        self.score.value = f"<p><strong>Score: {right} of {len(self.dropdowns)}</strong></p>"
        return right

    def reset(self) -> None:
        """Clear every answer, the feedback and the score."""
        for dropdown, feedback in zip(self.dropdowns, self.feedback, strict=True):
            dropdown.value = UNANSWERED
            feedback.value = ""
        self.score.value = ""


class DeviceSpotter(Exercise):
    """Name the framing device of each annotated span of one excerpt."""

    def __init__(self, excerpt_id: str):
        item = annotated_excerpt(excerpt_id)
        self._spans = [a for a in item.annotations if a.device_id]
        if not self._spans:
            raise ValueError(f"excerpt {excerpt_id!r} has no device annotations")
        self._devices = load_table("devices").set_index("id")
        names = sorted(self._devices["name"])
        items = [
            (f"<p>[{i + 1}] “{html.escape(displayed_text(span.text))}”</p>", names)
            for i, span in enumerate(self._spans)
        ]
        # The same markup as the book's excerpts: numbered marks, the author's emphasis.
        marked = quotation_html(AnnotatedExcerpt(item.excerpt, tuple(self._spans)))
        intro = (
            "<p>Which framing device is at work in each numbered passage?</p>"
            f"<blockquote>{marked}</blockquote>"
        )
        super().__init__(intro, items)

    def expected(self, index: int) -> str:
        return self._devices.loc[self._spans[index].device_id, "name"]

    def explanation(self, index: int) -> str:
        device = self._devices.loc[self._spans[index].device_id]
        return (
            f"{html.escape(self._spans[index].note)} "
            f"<br><em>{html.escape(device['name'])}</em>: {html.escape(device['definition'])}"
        )


class VerdictMatcher(Exercise):
    """Give each claim the verdict the record supports."""

    def __init__(self, claim_ids: Sequence[str]):
        claims = load_table("claims").set_index("id")
        missing = [c for c in claim_ids if c not in claims.index]
        if missing:
            raise ValueError(f"unknown claim ids: {missing}")
        self._claims = claims.loc[list(claim_ids)]
        verdicts = field_enum("claims", "verdict")
        items = [
            (f"<p>[{i + 1}] {html.escape(claim)}</p>", verdicts)
            for i, claim in enumerate(self._claims["claim"])
        ]
        intro = "<p>What verdict does the historical record support for each claim?</p>"
        super().__init__(intro, items)

    def expected(self, index: int) -> str:
        return self._claims.iloc[index]["verdict"]

    def explanation(self, index: int) -> str:
        return html.escape(self._claims.iloc[index]["record"])
