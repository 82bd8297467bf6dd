"""An IMS QTI 1.2 package in the flavour Canvas imports (Settings → Import Course Content).

The zip holds ``imsmanifest.xml`` and one assessment per chapter
(``<chapter>/<chapter>.xml``), each item tagged with Canvas's ``question_type``:
multiple_choice_question, multiple_answers_question, matching_question (ordering
questions too: each item to its position), numerical_question, short_answer_question,
essay_question and text_only_question (a document set's central question and documents).
A pool's questions form a question group that gives each student one (:mod:`.pools`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .exportable import ExportResult, number, templates
from .form import Form
from .pools import grouped

CANVAS_TYPES = {
    "choice": "multiple_choice_question",
    "multi": "multiple_answers_question",
    "matching": "matching_question",
    "numeric": "numerical_question",
    "short": "short_answer_question",
    "essay": "essay_question",
    "description": "text_only_question",
}

#: Canvas's own partial-credit rule for multiple-answer questions (it ignores the bank's).
CANVAS_MULTI_RULE = (
    "Partial credit (Canvas's rule): each correct choice ticked earns points ÷ number of "
    "correct choices; each wrong choice ticked deducts points ÷ number of wrong choices."
)

#: What Canvas changes, said once per question it applies to.
CANVAS_NOTES = {
    "multi": "Canvas scores multiple-answer questions with its own partial-credit rule "
             "(a wrong tick deducts points ÷ number of wrong options); the prompt states it",
}


def canvas_type(form: Form) -> str:
    """Canvas's question_type for a form."""
    return CANVAS_TYPES[form.shape]


def prompt(form: Form) -> str:
    """The prompt as Canvas will score it (its own rule for multiple answers)."""
    if form.shape == "multi":
        return form.source.prompt_with(CANVAS_MULTI_RULE)
    return form.source.prompt_html


def answers(form: Form) -> list[str]:
    """The answer texts a matching question offers: each right answer once, then distractors."""
    return list(dict.fromkeys([*(p.answer for p in form.pairs), *form.distractors]))


def assessment_xml(chapter: str, title: str, forms: list[Form]) -> str:
    """One chapter's assessment as QTI XML text."""
    return templates().get_template("qti_assessment.xml.j2").render(
        ident=chapter, title=title, groups=grouped(forms), canvas_type=canvas_type,
        answers=answers, prompt=prompt, number=number)


def write(chapters: list[tuple[str, list[Form]]], path: Path, title: str,
          result: ExportResult) -> None:
    """Write the QTI zip of ``chapters`` (``(chapter, forms)``) to ``path``."""
    assessments = [{"ident": c, "href": f"{c}/{c}.xml"} for c, _forms in chapters]
    manifest = templates().get_template("qti_manifest.xml.j2").render(
        ident=f"{title}-bank".replace(" ", "-"), title=title, assessments=assessments)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for chapter, forms in chapters:
            archive.writestr(f"{chapter}/{chapter}.xml",
                             assessment_xml(chapter, f"{title}: {chapter}", forms))
            for f in forms:
                if f.shape in CANVAS_NOTES:
                    result.note(f.source, CANVAS_NOTES[f.shape])
