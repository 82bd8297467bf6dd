"""Needles for the paper and instructor editions: every teaching note, every key.

Extends the site scanner of ``test_site_answers`` (graded keys) with the
teaching notes (each distinctive sentence of ``chapters/notes/*.md``), the essay
rubrics, and, for paper, the self-check questions' explanations and feedback,
which the screen shows only after checking and paper must never show.
"""

from __future__ import annotations

import re

from test_site_answers import Needle, graded_needles, normalise, prose_segments, views

from solidarity_course.edition.sphinx import NOTES_DIR
from solidarity_course.paths import COURSE_ROOT
from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.devices import default_data
from solidarity_course.quiz.model import DocumentSet

#: List items become paragraphs of their own, their markers dropped.
_LIST_MARKER = re.compile(r"^\s*(?:-|\d+\.)\s+", re.MULTILINE)


def note_needles() -> list[Needle]:
    """Every distinctive sentence of every chapter's teaching notes and essay rubric."""
    needles = []
    for path in sorted((COURSE_ROOT / NOTES_DIR).glob("*.md")):
        text = _LIST_MARKER.sub("\n\n", path.read_text(encoding="utf-8"))
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.lstrip().startswith("#"):
                continue
            needles += [Needle(path.stem, "teaching note", s) for s in prose_segments(paragraph)]
    bank = load_bank(data=default_data())
    for chapter, essay in bank.essays.items():
        for criterion in essay.rubric:
            needles += [Needle(chapter, "rubric", s) for s in prose_segments(criterion.criterion)]
    return needles


def key_needles(self_check: bool = False) -> list[Needle]:
    """Graded keys; with ``self_check``, also every self-check explanation and feedback."""
    bank = load_bank(data=default_data())
    needles = graded_needles(bank)
    if self_check:
        # A sentence the chapter itself prints is public prose, not a key.
        chapters = " ".join(
            " ".join(prose_segments(p.read_text(encoding="utf-8")))
            for p in (COURSE_ROOT / "chapters").glob("*.md")
        )
        self_check = [q for q in bank.questions.values() if q.use == "self-check"]
        parts = [p for q in self_check if isinstance(q, DocumentSet) for p in q.parts]
        for q in [*self_check, *parts]:
            for text in (q.explanation, q.feedback_correct, q.feedback_incorrect):
                needles += [Needle(q.id, "explanation", s) for s in prose_segments(text)
                            if s not in chapters]
    return needles


def leaks_in_text(text: str, needles: list[Needle]) -> list[str]:
    """``question or chapter (kind): start of needle`` for every needle found in ``text``."""
    found = [_loose(v) for v in views(text) + [normalise(text.replace("-\n", ""))]]
    return sorted({
        f"{n.question} ({n.kind}): {n.text[:50]}"
        for n in needles if any(_loose(n.text) in v for v in found)
    })


def _loose(text: str) -> str:
    """Brackets dropped and the ellipsis spelt out, as MyST renders "..." as "…"."""
    return text.replace("…", "...").replace("[", "").replace("]", "")
