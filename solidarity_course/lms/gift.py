"""Moodle's GIFT text format (Question bank → Import → GIFT format).

Texts are HTML (``[html]``), every GIFT special character ``~ = # { } :`` and the
backslash are escaped with a backslash, and line breaks become spaces (a blank line
would end a question).  GIFT has no field for a question's marks: a question worth
other than 1 point says so in the comment before it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .exportable import ExportResult, number
from .form import Form
from .moodle_xml import fraction
from .pools import by_category, category

_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Text safe inside GIFT: specials backslash-escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _feedback(html: str) -> str:
    return f"#{escape(html)}" if html else ""


def _general(form: Form) -> str:
    parts = [form.general_feedback_html]
    if form.feedback_correct_html:
        parts.append(f"<p>If right: </p>{form.feedback_correct_html}")
    if form.feedback_incorrect_html:
        parts.append(f"<p>If wrong: </p>{form.feedback_incorrect_html}")
    return "\t####" + escape("".join(parts))


def _answers(form: Form) -> list[str]:
    match form.shape:
        case "choice":
            return [f"\t{'=' if c.correct else '~'}{escape(c.html)}{_feedback(c.feedback_html)}"
                    for c in form.choices]
        case "multi":
            return [f"\t~%{fraction(c.fraction)}%{escape(c.html)}{_feedback(c.feedback_html)}"
                    for c in form.choices]
        case "matching":
            return [f"\t={escape(p.html)} -> {escape(p.answer)}" for p in form.pairs]
        case "numeric":
            return ["#", f"\t={number(form.number)}:{number(form.tolerance)}"]
        case "short":
            return [f"\t={escape(a)}" for a in form.accepted]
        case "essay" | "description":
            return []


def question(form: Form) -> str:
    """One question in GIFT."""
    e = form.source
    lines = [f"// {e.id}" + (f" (set its marks to {number(e.points)} after import)"
                             if e.points != 1 and form.shape != "description" else "")]
    if form.shape == "description":  # GIFT's description: a text with no answer braces
        lines.append(f"::{escape(e.title)}::[html]{escape(e.prompt_html)}")
        return "\n".join(lines)
    lines.append(f"::{escape(e.title)}::[html]{escape(e.prompt_html)} {{")
    lines += _answers(form)
    if form.shape == "essay":
        lines.append("\t####" + escape(e.explanation_html))
    else:
        lines.append(_general(form))
    lines.append("}")
    return "\n".join(lines)


def _note_losses(f: Form, result: ExportResult) -> None:
    """What GIFT cannot say about ``f``, in the export's notes."""
    if f.distractors:
        result.note(f.source, "GIFT matching has no distractors: the options no item "
                              "takes are left out: " + "; ".join(f.distractors))
    if f.source.points != 1 and f.shape != "description":
        result.note(f.source, f"GIFT has no marks field: set {number(f.source.points)} "
                              "points after import")


def write(chapters: list[tuple[str, list[Form]]], path: Path, title: str,
          result: ExportResult) -> None:
    """Write the GIFT file of ``chapters`` (``(chapter, forms)``) to ``path``."""
    blocks = []
    for chapter, forms in chapters:
        for pool, pooled in by_category(forms):
            blocks.append(f"$CATEGORY: {category(title, chapter, pool)}")
            for f in pooled:
                blocks.append(question(f))
                _note_losses(f, result)
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
