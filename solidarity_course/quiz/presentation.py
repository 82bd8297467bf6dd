"""Presentation helpers shared by every rendering of a question (HTML, widgets, notebooks).

- :func:`display_order`: the order an ordering question's items are shown in;
- :func:`excerpt_window`: the text around a highlighted span of an excerpt;
- :func:`markdown_to_html`: the bank's MyST-flavoured Markdown as HTML, citations kept;
- :func:`quotation_html`: an excerpt's verbatim text as HTML (emphasis kept, all else escaped);
- :func:`score_line`: the one score format of every quiz and exercise.

The renderers import these and the model, never each other.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from functools import cache
from typing import Protocol

from markdown_it import MarkdownIt


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class _Orderable(Protocol):
    """What :func:`display_order` needs of an ordering question."""

    @property
    def id(self) -> str: ...

    @property
    def items(self) -> Sequence[_Identified]: ...

    @property
    def answer(self) -> Sequence[str]: ...


def display_order(question: _Orderable) -> list[str]:
    """A deterministic shuffle of the items that is never the answer itself."""
    ids = [i.id for i in question.items]
    rng = random.Random(question.id)
    rng.shuffle(ids)
    if tuple(ids) == tuple(question.answer):
        ids = ids[1:] + ids[:1]
    return ids


def excerpt_window(text: str, start: int, end: int, context: int = 320) -> tuple[str, str, str]:
    """Text before, inside and after the span, trimmed to ``context`` chars at word breaks."""
    before, span, after = text[:start], text[start:end], text[end:]
    if len(before) > context:
        cut = before.find(" ", len(before) - context)
        before = "… " + before[cut + 1 if cut >= 0 else len(before) - context :]
    if len(after) > context:
        cut = after.rfind(" ", 0, context)
        after = after[: cut if cut > 0 else context] + " …"
    return before, span, after


_CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]*)`")
#: A glossary role, ``{term}`Propaganda``` or ``{term}`frames <Framing device>```.
_TERM = re.compile(r"\{term\}`([^`<]*?)\s*(?:<[^>`]*>)?`")


@cache
def _markdown_it() -> MarkdownIt:
    return MarkdownIt("commonmark")


def markdown_to_html(text: str, inline: bool = False) -> str:
    """Markdown → HTML outside Sphinx; a ``{cite}`key``` role becomes ``<cite>key</cite>``,
    a ``{term}`` role its text.

    ``inline`` asks for phrasing content (no wrapping paragraph).
    """
    text = _TERM.sub(r"\1", _CITE.sub(r"<cite>\1</cite>", text))
    md = _markdown_it()
    return md.renderInline(text) if inline else md.render(text)


@cache
def _markdown_it_no_html() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def quotation_html(text: str) -> str:
    """A verbatim excerpt as phrasing HTML: its emphasis kept, anything else escaped."""
    return _markdown_it_no_html().renderInline(text)


def score_line(earned: float, total: float) -> str:
    """The one score format of every quiz and exercise: "Score: 2.5 of 4"."""
    return f"Score: {round(earned, 2):g} of {total:g}"
