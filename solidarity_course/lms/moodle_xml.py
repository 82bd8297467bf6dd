"""A Moodle XML question file (Question bank → Import → Moodle XML format).

One category per chapter; multichoice (single or multiple answers, weights for partial
credit), matching (ordering questions too: each item to its position), numerical with
tolerance, shortanswer, essay (the rubric as information for graders) and description
(a document set's central question and documents).  A pool's questions go into a
category of their own below the chapter's, for a quiz's random question (:mod:`.pools`).
"""

from __future__ import annotations

from pathlib import Path

from .exportable import ExportResult, number, templates
from .form import Form
from .pools import by_category, category

MOODLE_TYPES = {
    "choice": "multichoice",
    "multi": "multichoice",
    "matching": "matching",
    "numeric": "numerical",
    "short": "shortanswer",
    "essay": "essay",
    "description": "description",
}


def moodle_type(form: Form) -> str:
    """Moodle's question type for a form."""
    return MOODLE_TYPES[form.shape]


def fraction(percent: float) -> str:
    """A Moodle answer weight in percent, with Moodle's five decimals (33.33333)."""
    return number(round(percent, 5))


def write(chapters: list[tuple[str, list[Form]]], path: Path, title: str,
          result: ExportResult) -> None:
    """Write the Moodle XML file of ``chapters`` (``(chapter, forms)``) to ``path``."""
    text = templates().get_template("moodle.xml.j2").render(
        chapters=chapters, course_title=title, moodle_type=moodle_type, fraction=fraction,
        number=number, by_category=by_category, category=category)
    path.write_text(text, encoding="utf-8")
