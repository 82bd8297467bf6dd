"""Sphinx extension: the instructor edition's pages, absent from the student edition.

With ``course_edition = "instructor"`` (set by ``python -m solidarity_course.edition``),
every chapter that has teaching notes (``chapters/notes/<chapter>.md``) or questions
in the bank gets a section "For instructors" appended to its source before it is
parsed: the notes, the keys of its quizzes and exercises with explanations, its
essay rubric and its claims in full (see :mod:`.keys`).  With the default,
``"student"``, the extension does nothing: the notes are not in the table of
contents, so the student edition never reads them.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx

from solidarity_course.paths import DATA_DIR
from solidarity_course.sphinx.quiz import get_bank

from .keys import instructor_section

EDITIONS = ("student", "instructor")
NOTES_DIR = Path("chapters") / "notes"
_HEADING = re.compile(r"^(#{1,4}) ", re.MULTILINE)


def notes_path(srcdir: Path, chapter: str) -> Path:
    """Where the teaching notes of ``chapter`` live."""
    return Path(srcdir) / NOTES_DIR / f"{chapter}.md"


def notes_body(text: str) -> str:
    """The notes without their title, headings moved under "Teaching notes" (### → ####)."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return _HEADING.sub(lambda m: "#" * (len(m.group(1)) + 2) + " ", "\n".join(lines)).strip()


def _append_instructor_section(app: Sphinx, docname: str, source: list[str]) -> None:
    if app.config.course_edition != "instructor" or not docname.startswith("chapters/"):
        return
    chapter = docname.removeprefix("chapters/")
    if "/" in chapter:
        return
    path = notes_path(app.srcdir, chapter)
    notes = notes_body(path.read_text(encoding="utf-8")) if path.exists() else ""
    bank = get_bank(app)
    if not notes and not bank.chapter(chapter) and chapter not in bank.essays:
        return
    # Re-read the chapter when anything its instructor section is made from changes.
    for dependency in [path, *bank.files, *sorted(DATA_DIR.glob("*.csv"))]:
        if dependency.exists():
            app.env.note_dependency(str(dependency))
    source[0] += instructor_section(chapter, source[0], notes, bank)


def _check_edition(app: Sphinx, config) -> None:
    if config.course_edition not in EDITIONS:
        raise ValueError(f"course_edition must be one of {EDITIONS}, not {config.course_edition!r}")


def setup(app: Sphinx) -> dict:
    """Register ``course_edition`` and the source hook."""
    app.add_config_value("course_edition", "student", "env")
    app.connect("config-inited", _check_edition)
    app.connect("source-read", _append_instructor_section)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
