"""The instructor's pages of a chapter, as MyST: keys, exercise keys, rubric, claims.

Everything here is generated from the data package and the question bank, so the
keys printed for instructors are the keys the quizzes grade with.  The teaching
notes themselves are prose written beside the chapters (``chapters/notes/``) and
are read by :mod:`.sphinx`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from solidarity_course.data import annotated_excerpt, load_table
from solidarity_course.quiz import model
from solidarity_course.quiz.bank import Bank
from solidarity_course.quiz.devices import excerpt_reference
from solidarity_course.quiz.model import Essay, Question
from solidarity_course.render import claims_table_html, displayed_text, reader_note

#: Exercise calls in a chapter's code cells, whose keys come from the data package.
_DEVICE_SPOTTER = re.compile(r"DeviceSpotter\(\s*[\"']([^\"']+)[\"']")
_VERDICT_MATCHER = re.compile(r"VerdictMatcher\(\s*\[([^\]]*)\]")
_SHOW_CLAIMS = re.compile(r"show_claims\(\s*\[([^\]]*)\]")
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def answer_text(q: model.AutoQuestion) -> str:
    """The key of ``q`` in words (MyST inline), as an instructor would say it."""
    match q:
        case model.SingleChoice() | model.SpotDevice():
            options = {o.id: o.text for o in q.options}
            return _one_line(options[q.answer])
        case model.MultipleSelect():
            options = {o.id: o.text for o in q.options}
            return "; ".join(_one_line(options[a]) for a in q.answer)
        case model.Matching():
            items = {i.id: i.text for i in q.items}
            options = {o.id: o.text for o in q.options}
            return "; ".join(
                f"{_one_line(items[i])} → *{options[o]}*" for i, o in q.answer.items()
            )
        case model.Ordering():
            items = {i.id: i.text for i in q.items}
            return " → ".join(f"({n}) {_one_line(items[i])}" for n, i in enumerate(q.answer, 1))
        case model.Numeric():
            tolerance = f" (± {q.tolerance:g} accepted)" if q.tolerance else ""
            return f"{q.answer:g}{' ' + q.unit if q.unit else ''}{tolerance}"
        case model.ShortText():
            return "; ".join(f"“{a}”" for a in q.accepted)
    raise TypeError(f"no key text for question type {q.type!r}")  # pragma: no cover


def question_key(q: Question, number: int) -> str:
    """One question with its key and explanation."""
    if isinstance(q, model.DocumentSet):
        return document_set_key(q, number)
    points = f"{q.points:g} point" + ("" if q.points == 1 else "s")
    text = (
        f"{number}. **{_one_line(q.prompt)}** ({q.type_label}, {q.use}, {points})\n\n"
        f"   *Key:* {answer_text(q)}\n\n"
        f"   *Explanation:* {_one_line(q.explanation)}\n"
    )
    feedback = [(_one_line(o.text), o.feedback) for o in _with_feedback(q)]
    feedback += [("Right", q.feedback_correct), ("Wrong", q.feedback_incorrect)]
    lines = "".join(f"   - {label}: {_one_line(f)}\n" for label, f in feedback if f)
    return text + (f"\n   *Feedback shown to students:*\n\n{lines}" if lines else "")


def document_set_key(q: model.DocumentSet, number: int) -> str:
    """A document-based question: documents, each part's key, the written answer's rubric."""
    documents = "; ".join(
        f"{label}: "
        + (d.resolved.provenance.removeprefix("Source: ").rstrip(".") if d.resolved
           else d.excerpt_id)
        for label, d in q.labelled_documents())
    parts = "".join(
        f"   - *{chr(ord('a') + i)}.* {_one_line(p.prompt)} ({p.type_label}, {p.points:g} pt). "
        f"*Key:* {answer_text(p).rstrip('.')}. {_one_line(p.explanation)}\n"
        for i, p in enumerate(q.parts))
    rubric = "".join(f"   - {_one_line(c.criterion)} ({c.points:g} pt)\n" for c in q.written.rubric)
    return (
        f"{number}. **{_one_line(q.prompt)}** ({q.type_label}, {q.use}, {q.points:g} points)\n\n"
        f"   *Documents:* {documents}\n\n   *Parts:*\n\n{parts}\n"
        f"   *Written answer ({q.written.points:g} points, graded by hand):* "
        f"{_one_line(q.written.prompt)}\n\n{rubric}\n"
        f"   *How historians answer it:* {_one_line(q.explanation)}\n"
    )


def _with_feedback(q: model.AutoQuestion) -> list:
    """Options or items of ``q`` that carry their own feedback (none for spot-the-device,
    whose options are the public devices table)."""
    if isinstance(q, model.SpotDevice):
        return []
    return [o for o in (*getattr(q, "options", ()), *getattr(q, "items", ())) if o.feedback]


def quiz_keys(questions: Iterable[Question]) -> str:
    """Every question of a chapter, numbered, with key and explanation."""
    return "\n".join(question_key(q, n) for n, q in enumerate(questions, 1))


def _ids(argument: str) -> list[str]:
    return _QUOTED.findall(argument)


def exercise_keys(chapter_source: str) -> str:
    """Keys of the chapter's device-spotting and verdict exercises, from the data package."""
    parts = []
    devices = load_table("devices").set_index("id")
    for excerpt_id in _DEVICE_SPOTTER.findall(chapter_source):
        spans = [a for a in annotated_excerpt(excerpt_id).annotations if a.device_id]
        rows = "".join(
            f"{n}. “{_one_line(displayed_text(a.text))}”: *{devices.loc[a.device_id, 'name']}*. "
            f"{_one_line(reader_note(a.note, a.claim_id))}\n"
            for n, a in enumerate(spans, 1)
        )
        parts.append(f"**Spotting the devices ({excerpt_reference(excerpt_id)}).**\n\n{rows}")
    claims = load_table("claims").set_index("id")
    for argument in _VERDICT_MATCHER.findall(chapter_source):
        rows = "".join(
            f"{n}. {_one_line(claims.loc[c, 'claim'])} *Verdict:* **{claims.loc[c, 'verdict']}**. "
            f"{_one_line(claims.loc[c, 'record'])}\n"
            for n, c in enumerate(_ids(argument), 1)
        )
        parts.append(f"**Giving claims a verdict.**\n\n{rows}")
    return "\n".join(parts)


def rubric(essay: Essay) -> str:
    """The essay prompt and its rubric as a MyST table."""
    rows = "".join(
        f"* - {_one_line(c.criterion)}\n  - {c.points:g}\n" for c in essay.rubric
    )
    return (
        f"*Prompt:* {_one_line(essay.prompt)}\n\n"
        f"```{{list-table}} Essay rubric ({essay.points:g} points)\n:header-rows: 1\n\n"
        f"* - Criterion\n  - Points\n{rows}```\n"
    )


def chapter_claims(chapter: str, chapter_source: str) -> list[str]:
    """Claims the chapter shows or exercises, then every other claim on its excerpts."""
    shown = [
        c for pattern in (_SHOW_CLAIMS, _VERDICT_MATCHER)
        for argument in pattern.findall(chapter_source) for c in _ids(argument)
    ]
    claims, excerpts = load_table("claims"), load_table("excerpts").set_index("id")
    on_excerpts = [
        row.id for row in claims.itertuples()
        if not pd.isna(row.excerpt_id) and row.excerpt_id in excerpts.index
        and excerpts.loc[row.excerpt_id, "chapter"] == chapter
    ]
    return list(dict.fromkeys(shown + on_excerpts))


def claims_table(claim_ids: list[str]) -> str:
    """The claims with verdict, record and works, as raw HTML in MyST."""
    return f"```{{raw}} html\n{claims_table_html(claim_ids)}\n```\n"


def instructor_section(chapter: str, chapter_source: str, notes: str, bank: Bank) -> str:
    """The section appended to a chapter in the instructor edition."""
    parts = ["\n\n(instructor-" + chapter + ")=\n## For instructors\n"]
    parts.append(
        "```{admonition} Instructor edition\n:class: important\n"
        "This section appears only in the instructor edition: do not share it with students.\n"
        "```\n"
    )
    if notes:
        parts.append(f"### Teaching notes\n\n{notes}\n")
    questions = bank.chapter(chapter)
    if questions:
        parts.append(f"### Quiz keys\n\n{quiz_keys(questions)}\n")
    exercises = exercise_keys(chapter_source)
    if exercises:
        parts.append(f"### Exercise keys\n\n{exercises}\n")
    essay = bank.essays.get(chapter)
    if essay is not None:
        parts.append(f"### Essay rubric\n\n{rubric(essay)}\n")
    claim_ids = chapter_claims(chapter, chapter_source)
    if claim_ids:
        parts.append(
            "### The chapter's claims in full\n\nEvery claim the chapter shows, exercises or "
            f"annotates in its excerpts, with the course's verdict.\n\n{claims_table(claim_ids)}"
        )
    return "\n".join(parts)
