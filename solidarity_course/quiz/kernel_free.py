"""One output, two renderings: live widgets in JupyterLab, HTML and JS in the book.

A widget that mixes in :class:`KernelFreeView` adds its :meth:`static_html` to
its display data as ``text/html`` beside the widget view. JupyterLab renders
the widget view (the kernel runs the exercise); the book's build is told to
ignore widget views (``nb_mime_priority_overrides`` in ``_config.yml``), so the
page shows the HTML, which ``static/solidarity_quiz.js`` brings to life with
the same scoring and feedback as the widgets (mirrored and tested against
:mod:`.scoring`). The page then needs no widget manager and no kernel.

:func:`quiz_html` is the kernel-free form of a quiz or exercise, and
:func:`explorer_html` the kernel-free form of a control that selects one of
several precomputed views (a dropdown or a slider over a few values).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from .html import render_html
from .model import Question

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class KernelFreeView:
    """Mixin for an ipywidget: its display data also carries :meth:`static_html`."""

    def static_html(self) -> str:
        """The kernel-free HTML of the widget (loads ``solidarity_quiz.js`` to work)."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = self.static_html()
        return data


def quiz_html(questions: Iterable[Question], intro_html: str = "") -> str:
    """Questions as the book shows them (``intro_html``, trusted markup, first)."""
    return intro_html + render_html(questions)


def explorer_html(
    name: str,
    label: str,
    panels: Mapping[str, str],
    selected: str | None = None,
    slider: bool = False,
) -> str:
    """A labelled ``<select>`` (or range ``<input>``) and one precomputed panel per value.

    ``panels`` maps each value's label to its HTML, in order; only the selected
    panel is shown (the first if ``selected`` is None). ``name`` makes the ids
    unique on the page.
    """
    labels: Sequence[str] = list(panels)
    index = labels.index(selected) if selected is not None else 0
    cid = f"scx-{name}"
    esc = html.escape
    if slider:
        control = (
            f'<input type="range" class="scx-control" id="{cid}" min="0" '
            f'max="{len(labels) - 1}" step="1" value="{index}" '
            f'aria-valuetext="{esc(labels[index])}"> '
            f'<output for="{cid}">{esc(labels[index])}</output>'
        )
    else:
        options = "".join(
            f'<option value="{i}"{" selected" if i == index else ""}>{esc(text)}</option>'
            for i, text in enumerate(labels)
        )
        control = f'<select class="scx-control" id="{cid}">{options}</select>'
    shown = "".join(
        f'<div class="scx-panel" data-label="{esc(text, quote=True)}"'
        f'{"" if i == index else " hidden"}>{panel}</div>'
        for i, (text, panel) in enumerate(panels.items())
    )
    return (
        f'<div class="scx-explorer"><p><label for="{cid}">{esc(label)}</label> {control}</p>'
        f'<div class="scx-panels" aria-live="polite">{shown}</div></div>'
    )
