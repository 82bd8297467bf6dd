"""``course-grade bank``: the question bank of some chapters in an LMS format."""

from __future__ import annotations

from pathlib import Path

from ..quiz.bank import Bank, load_bank
from ..quiz.devices import DataSource, default_data
from . import gift, moodle_xml, qti
from .exportable import ExportResult, Skipped, chapter_exportables
from .form import Form, NotExpressible, lms_form

WRITERS = {"qti": qti.write, "moodle": moodle_xml.write, "gift": gift.write}
COURSE_TITLE = "Solidarity course"
#: How each format carries a pool (:mod:`.pools`), said for each pooled question.
POOL_NOTES = {
    "qti": "in the pool's question group, which gives each student one",
    "moodle": "in the pool's own category: add a random question from it to the quiz",
    "gift": "in the pool's own category: add a random question from it to the quiz",
}


def export_bank(fmt: str, out: Path | str, chapters: list[str] | None = None,
                bank: Bank | None = None, data: DataSource | None = None,
                data_path: Path | None = None, title: str = COURSE_TITLE) -> ExportResult:
    """Write the bank (every chapter, or ``chapters``) as ``fmt`` to ``out``.

    The result counts the exported questions per bank type and lists every question
    left out with the reason, and every approximation the format needs.
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {sorted(WRITERS)}")
    if bank is None:
        data = data or default_data()
        bank = load_bank(data=data)
    chosen = chapters or sorted({*bank.chapters, *bank.essays})
    unknown = [c for c in chosen if c not in bank.chapters and c not in bank.essays]
    if unknown:
        raise ValueError(f"no chapter {', '.join(unknown)} in the bank; "
                         f"known: {', '.join(sorted({*bank.chapters, *bank.essays}))}")
    out = Path(out)
    result = ExportResult(out, fmt)
    per_chapter: list[tuple[str, list[Form]]] = []
    for chapter in chosen:
        items, skipped = chapter_exportables(bank, chapter, data, data_path)
        result.skipped += skipped
        forms = []
        for e in items:
            try:
                form = lms_form(e)
            except NotExpressible as exc:
                result.skipped.append(Skipped(chapter, e.id, str(exc)))
                continue
            forms.append(form)
            result.count(e.kind)
            for note in form.notes:
                result.note(e, note)
            if e.question is not None and e.question.pool:
                result.note(e, f"one of pool {e.question.pool!r}: {POOL_NOTES[fmt]}")
        per_chapter.append((chapter, forms))
    out.parent.mkdir(parents=True, exist_ok=True)
    WRITERS[fmt](per_chapter, out, title, result)
    return result
