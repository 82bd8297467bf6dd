"""Printable forms of the book's embedded widgets (exercises and notebook quizzes).

A built page keeps each widget's state (``application/vnd.jupyter.widget-state+json``)
and a view tag per output.  On paper there is no kernel and nothing to click, so
each view becomes static HTML read from that state: text and prompts as they
are, a prompt followed by a drop-down as a table row with a blank to fill in (the
choices listed once under the table), radio buttons and checkboxes as boxes to
tick, text fields as answer lines, labels beside Up/Down buttons as items with a
box for their position.  Buttons and (empty) feedback areas disappear.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

_BOXES = {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"}
_CHOICES = {"DropdownModel", "SelectModel"}
_LISTS = {"RadioButtonsModel", "ToggleButtonsModel"}
_TEXTS = {"TextModel", "TextareaModel", "IntTextModel", "FloatTextModel"}
_UNANSWERED = {"— choose —", ""}


@dataclass(frozen=True)
class Entry:
    """One printable thing found in a widget tree."""

    kind: str  # html, choice, list, check, text, item
    text: str = ""  # HTML
    options: tuple[str, ...] = ()


def _entries(model_id: str, state: dict, in_row: bool = False) -> list[Entry]:
    model = state.get(model_id)
    if model is None:
        return []
    name, values = model["model_name"], model["state"]
    description = html.escape(values.get("description", "") or "")
    if name in _BOXES:
        children = [c.removeprefix("IPY_MODEL_") for c in values.get("children", [])]
        has_buttons = any(state.get(c, {}).get("model_name") == "ButtonModel" for c in children)
        return [e for c in children for e in _entries(c, state, in_row=has_buttons)]
    if name in ("HTMLModel", "HTMLMathModel"):
        return [Entry("html", values["value"])] if values.get("value", "").strip() else []
    if name == "LabelModel":
        return [Entry("item" if in_row else "html", html.escape(values.get("value", "")))]
    labels = tuple(o for o in values.get("_options_labels", []) if o not in _UNANSWERED)
    if name in _CHOICES:
        return [Entry("choice", description, tuple(html.escape(o) for o in labels))]
    if name in _LISTS:
        return [Entry("list", description, tuple(html.escape(o) for o in labels))]
    if name == "CheckboxModel":
        return [Entry("check", description)]
    if name in _TEXTS:
        return [Entry("text", description)]
    return []  # buttons, layouts, styles, outputs


def _table(rows: list[tuple[str, str]], options: list[tuple[str, ...]]) -> str:
    body = "".join(
        f'<tr><td class="print-no">{n}</td><td>{prompt or label}</td>'
        f'<td class="print-blank"></td></tr>'
        for n, (prompt, label) in enumerate(rows, 1)
    )
    shared = set(options) == {options[0]} if options else False
    choices = (
        f'<p class="print-choices"><strong>Choose from:</strong> {"; ".join(options[0])}.</p>'
        if shared and options[0] else ""
    )
    return (
        '<table class="print-fill"><thead><tr><th>No.</th><th>Item</th>'
        f"<th>Your answer</th></tr></thead><tbody>{body}</tbody></table>{choices}"
    )


def printable_widget(model_id: str, state: dict) -> str:
    """Static HTML for the widget view ``model_id``."""
    entries = _entries(model_id, state)
    out, rows, options = [], [], []
    pending: str | None = None

    def flush() -> None:
        if rows:
            out.append(_table(list(rows), list(options)))
            rows.clear()
            options.clear()

    for index, entry in enumerate(entries):
        if entry.kind == "html":
            if pending is not None:
                flush()
                out.append(pending)
            pending = entry.text
            continue
        if entry.kind == "choice":
            following = entries[index + 1].kind if index + 1 < len(entries) else ""
            if pending is not None and following == "choice":  # a heading over labelled rows
                flush()
                out.append(pending)
                pending = None
            rows.append((pending or "", entry.text))
            options.append(entry.options)
            pending = None
            continue
        flush()
        if pending is not None:
            out.append(pending)
            pending = None
        if entry.kind == "list":
            ticks = "".join(f'<li><span class="print-tick"></span> {o}</li>' for o in entry.options)
            out.append(f'{entry.text}<ul class="print-ticks">{ticks}</ul>')
        elif entry.kind == "check":
            out.append(f'<p><span class="print-tick"></span> {entry.text}</p>')
        elif entry.kind == "item":
            out.append(f'<p class="print-item"><span class="print-box"></span> {entry.text}</p>')
        elif entry.kind == "text":
            out.append(f'<p class="print-text">{entry.text} <span class="print-line"></span></p>')
    flush()
    if pending is not None:
        out.append(pending)
    return f'<div class="print-exercise">{"".join(out)}</div>'
