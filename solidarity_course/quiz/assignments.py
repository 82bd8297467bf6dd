"""Generate nbgrader *source* notebooks from the bank's graded questions.

    python -m solidarity_course.quiz.assignments generate [CHAPTER ...] [--bank DIR] [--out DIR]

writes ``exercises/source/<chapter>/<chapter>.ipynb``.  Per graded question:

1. a read-only markdown cell: prompt, options with their ids, answer format;
2. the answer cell ``answer_<n> = None`` (nbgrader solution cell; the key is
   only inside ``### BEGIN SOLUTION``, which ``generate_assignment`` strips);
3. a read-only format check the student can run: type and shape only, no key;
   it also prints a JSON record ``ANSWER-RECORD {"question": ..., "response": ...}``
   so the student sees the value that will be graded;
4. an autograded test cell whose ``### BEGIN HIDDEN TESTS`` part calls
   :func:`.grading.grade` (partial credit where the bank allows it); plain
   nbgrader runs it in the kernel, ``course-grade`` parses it and scores outside.

A ``pool`` of questions (see :mod:`.variants`) is one slot: its cells are named
after the pool, the statement shows its first member (the fixed version plain
nbgrader grades) and the hidden test calls :func:`.grading.grade_pool` with every
member, so that ``course-grade`` can score each student against their own.
``course-grade release --variants`` replaces, per student, the statement and
format-check cells with :func:`variant_statement` and :func:`format_check_source`.

A document-based question (``document_set``; the chapter's self-check one is
included too) adds a read-only cell with the central question and the
documents (sourcing card, verbatim text, provenance), then each part as above
(``answer_5a``, ``answer_5b`` ...), then its written answer as a manually graded
cell with its rubric, like the essay.

Then one hand-graded essay (rubric in a read-only cell, a manually graded
markdown answer cell with the rubric's points).  Released notebooks therefore
hold no key in any form: ``generate_assignment`` removes the solution and
hidden-test regions, and nothing else derived from the key is written.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import assert_never

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from ..paths import EXERCISES_DIR
from . import model
from .bank import Bank, load_bank
from .model import AutoQuestion, DocumentSet, Essay, Question
from .presentation import display_order
from .variants import Slot, assignment_slots

SOURCE_DIR = EXERCISES_DIR / "source"
#: The grade id of a document set's written answer: the set's id and this suffix.
WRITTEN_SUFFIX = "-written"
#: The grade id of a document set's (read-only) documents cell: the set's id and this suffix.
DOCUMENTS_SUFFIX = "-documents"

#: Defines check_format in the student's notebook: shape only, never the key.
FORMAT_CHECK_SOURCE = '''\
# Read-only helper: checks the FORM of an answer (not whether it is right)
# and prints a JSON record of it.  Run this cell first.
import json
import re

NUMBER = r"^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$"


def check_format(spec, answer):
    """Print a JSON record of the answer and whether its form fits the question."""
    kind, problems, notes = spec["type"], [], []
    if isinstance(answer, (set, frozenset, tuple)):
        answer = sorted(answer) if isinstance(answer, (set, frozenset)) else list(answer)
    if answer is None:
        problems.append("no answer yet: replace None with your answer")
    elif kind in ("single_choice", "spot_device"):
        if answer not in spec["options"]:
            problems.append("give ONE option id as a string, one of %s" % spec["options"])
    elif kind == "multiple_select":
        if not isinstance(answer, list) or any(a not in spec["options"] for a in answer):
            problems.append("give a list of option ids, from %s" % spec["options"])
    elif kind == "matching":
        if not isinstance(answer, dict) or sorted(answer) != sorted(spec["items"]):
            problems.append("give a dict with exactly the item ids %s as keys" % spec["items"])
        elif any(v not in spec["options"] for v in answer.values()):
            problems.append("every value must be one of the option ids %s" % spec["options"])
    elif kind == "ordering":
        if not isinstance(answer, list) or sorted(answer) != sorted(spec["items"]):
            problems.append("give a list with each of the ids %s exactly once" % spec["items"])
    elif kind == "numeric":
        if isinstance(answer, str) and re.match(NUMBER, answer.strip()):
            notes.append("the text %r will be read as the number %s" % (answer, answer.strip()))
        elif isinstance(answer, bool) or not isinstance(answer, (int, float)):
            problems.append("give a number, e.g. 12 or 12.5")
    elif kind == "short_text":
        if not isinstance(answer, str) or not answer.strip():
            problems.append("give a short text in quotes")
    try:
        record = json.dumps({"question": spec["id"], "response": answer}, ensure_ascii=False)
    except TypeError:
        record = json.dumps({"question": spec["id"], "response": repr(answer)})
    print("ANSWER-RECORD " + record)
    if problems:
        print("Format problem: " + "; ".join(problems))
    else:
        print("Format OK." + "".join(" Note: %s." % note for note in notes))
'''


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None,
          task=False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _py(value) -> str:
    """A Python literal for a JSON-able value (uses repr for readability)."""
    return repr(value)


def format_spec(q: AutoQuestion, slot: str | None = None) -> dict:
    """What the format check may know: ids of options/items, never the key."""
    return q.public_view() | ({"id": slot} if slot else {})


def format_check_source(q: AutoQuestion, n: int | str, slot: str | None = None) -> str:
    """The read-only format-check cell of question ``n`` (``slot``: the pool it fills)."""
    return f"check_format({_py(format_spec(q, slot))}, answer_{n})"


def variant_statement(q: AutoQuestion, n: int | str) -> str:
    """The statement of question ``n`` as a student's variant shows it."""
    return question_markdown(q, n)


def _choices_markdown(q: AutoQuestion) -> list[str]:
    """The lines listing what an answer may name: options, items, the quoted passage."""
    match q:
        case model.SingleChoice() | model.MultipleSelect():
            return [f"- `{o.id}`: {o.text}" for o in q.options]
        case model.SpotDevice():
            text, start, end = q.span()
            return ["> " + " ".join(text[start:end].split()), "",
                    "Which framing device does the quoted passage use?", "",
                    *[f"- `{o.id}`: {o.text}" for o in q.options]]
        case model.Matching():
            return (["Items:", ""] + [f"- `{i.id}`: {i.text}" for i in q.items]
                    + ["", "Options:", ""] + [f"- `{o.id}`: {o.text}" for o in q.options])
        case model.Ordering():
            items = {i.id: i.text for i in q.items}
            return [f"- `{i}`: {items[i]}" for i in display_order(q)]
        case model.Numeric() | model.ShortText():
            return []
        case _:
            assert_never(q)


def question_markdown(q: AutoQuestion, n: int | str) -> str:
    """The read-only statement of a graded question (no key, no feedback)."""
    pts = f"{q.points:g} point" + ("" if q.points == 1 else "s")
    lines = [f"### Question {n} ({pts})", "", q.prompt.strip(), "", *_choices_markdown(q)]
    if q.partial_rule:
        lines += ["", f"*{q.partial_rule}*"]
    lines += ["", f"Answer format: `answer_{n} = {q.answer_example()}`"]
    return "\n".join(lines)


def question_cells(q: AutoQuestion, n: int | str, slot: Slot | None = None) -> list:
    """The four cells of one graded question (or of a pool's slot, shown as its first)."""
    var, name = f"answer_{n}", slot.name if slot else q.id
    answer_src = (
        f"# Question {n}: replace None with your answer (see the format above).\n"
        f"{var} = None\n### BEGIN SOLUTION\n{var} = {_py(q.key_literal())}\n### END SOLUTION"
    )
    if slot is not None and slot.pooled:
        call = f"grade_pool({_py([m.key_dump() for m in slot.members])}, {var})"
    else:
        call = f"grade({_py(q.key_dump())}, {var})"
    test_src = (
        f"# Autograded: hidden tests decide the points for question {n} when it is graded.\n"
        "### BEGIN HIDDEN TESTS\n"
        f"from solidarity_course.quiz.grading import {call.split('(')[0]}\n"
        f"{call}\n"
        "### END HIDDEN TESTS"
    )
    pool = name if slot is not None and slot.pooled else None
    return [
        new_markdown_cell(question_markdown(q, n), metadata=_meta(f"{name}-prompt", locked=True)),
        new_code_cell(answer_src, metadata=_meta(f"{name}-answer", solution=True)),
        new_code_cell(format_check_source(q, n, pool),
                      metadata=_meta(f"{name}-format", locked=True)),
        new_code_cell(test_src, metadata=_meta(f"{name}-test", grade=True, locked=True,
                                               points=q.points)),
    ]


def _rubric_cells(grade_id: str, title: str, essay: Essay) -> list:
    """A rubric (read-only) and the manually graded markdown answer cell ``grade_id``."""
    rubric = "\n".join(f"| {c.criterion} | {c.points:g} |" for c in essay.rubric)
    text = (
        f"### {title} ({essay.points:g} points, graded by hand)\n\n{essay.prompt.strip()}\n\n"
        "**Rubric**\n\n| Criterion | Points |\n| --- | --- |\n"
        f"{rubric}\n| **Total** | **{essay.points:g}** |"
    )
    return [
        new_markdown_cell(text, metadata=_meta(f"{grade_id}-rubric", locked=True)),
        new_markdown_cell("YOUR ANSWER HERE",
                          metadata=_meta(grade_id, solution=True, grade=True,
                                         points=essay.points)),
    ]


def essay_cells(chapter: str, essay: Essay) -> list:
    """The rubric (read-only) and the manually graded essay answer cell."""
    return _rubric_cells(f"{chapter}-essay", "Short essay", essay)


def documents_markdown(q: DocumentSet, n: int) -> str:
    """The read-only statement of a document set: central question and documents."""
    from ..lms.exportable import readable_citations  # lms imports the quiz package

    lines = [f"### Question {n}: document-based question ({q.points:g} points: "
             f"{q.auto_points:g} for parts {n}a to {n}{chr(ord('a') + len(q.parts) - 1)}, "
             f"{q.written.points:g} for the written answer, graded by hand)", "",
             "**The central question.** " + readable_citations(q.prompt.strip()), "",
             "Read the documents, then answer the parts below."]
    for label, doc in q.labelled_documents():
        if doc.resolved is None:
            raise ValueError(f"document set {q.id!r} needs the course data")
        quote = "\n".join("> " + line for line in doc.resolved.text.strip().splitlines())
        sourcing = readable_citations(doc.sourcing.strip())
        lines += ["", f"#### {label}", "", f"*Sourcing.* {sourcing}", "", quote, "",
                  doc.resolved.provenance]
    return "\n".join(lines)


def document_set_cells(q: DocumentSet, n: int) -> list:
    """A document set: its documents, each part's four cells, the written answer's two."""
    cells = [new_markdown_cell(documents_markdown(q, n),
                               metadata=_meta(f"{q.id}{DOCUMENTS_SUFFIX}", locked=True))]
    for i, part in enumerate(q.parts):
        cells += question_cells(part, f"{n}{chr(ord('a') + i)}")
    label = f"{n}{chr(ord('a') + len(q.parts))}"
    return cells + _rubric_cells(f"{q.id}{WRITTEN_SUFFIX}", f"Question {label}: written answer",
                                 q.written)


RUBRIC_ROW = re.compile(r"^\| (?P<criterion>.+?) \| (?P<points>\d+(?:\.\d+)?) \|$")


def read_essay_cell(text: str) -> tuple[str, list[tuple[str, float]]]:
    """The statement (markdown) and the rubric rows of a hand-graded answer, from the rubric
    cell :func:`_rubric_cells` writes (the inverse of its layout)."""
    statement = text.split("**Rubric**", 1)[0].strip()
    rows = [(m["criterion"], float(m["points"])) for line in text.splitlines()
            if (m := RUBRIC_ROW.match(line.strip())) and not m["criterion"].startswith("**")]
    return statement, rows


def build_notebook(chapter: str, questions: list[Question], essay: Essay | None):
    """The source notebook of one chapter's assignment."""
    intro = (
        f"# Assignment: {chapter}\n\n"
        "Write each answer as a Python value in its answer cell (`answer_1 = ...`), then run "
        "the format check below it: it tells you whether the answer has the right *form* "
        "(not whether it is right). Do not edit the read-only cells. Before submitting, "
        "restart the kernel and run all cells."
    )
    cells = [
        new_markdown_cell(intro, metadata=_meta(f"{chapter}-intro", locked=True)),
        new_code_cell(FORMAT_CHECK_SOURCE, metadata=_meta(f"{chapter}-setup", locked=True)),
    ]
    for n, slot in enumerate(assignment_slots(questions), start=1):
        q = slot.members[0]
        if isinstance(q, DocumentSet):
            cells += document_set_cells(q, n)
        else:
            cells += question_cells(q, n, slot)
    if essay is not None:
        cells += essay_cells(chapter, essay)
    for cell in cells:  # stable ids (nbformat would draw random ones): reproducible files
        cell.id = cell.metadata["nbgrader"]["grade_id"][-64:]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def assignment_questions(bank: Bank, chapter: str) -> list[Question]:
    """What a chapter's assignment asks: its graded questions, then its document sets
    (self-check ones too: their parts are autograded, their written answer graded by hand)."""
    questions = bank.chapter(chapter)
    graded = [q for q in questions if q.use == "graded" and not isinstance(q, DocumentSet)]
    return graded + [q for q in questions if isinstance(q, DocumentSet)]


def generate(chapters: list[str] | None = None, bank: Bank | None = None,
             out_dir: Path | str = SOURCE_DIR) -> list[Path]:
    """Write source notebooks for ``chapters`` (default: all with graded questions)."""
    if bank is None:
        from .devices import default_data

        bank = load_bank(data=default_data())
    out_dir = Path(out_dir)
    chapters = chapters or sorted(
        {q.chapter for q in bank.questions.values()
         if q.use == "graded" or isinstance(q, DocumentSet)} | set(bank.essays)
    )
    written = []
    for chapter in chapters:
        questions = assignment_questions(bank, chapter)
        unresolved = [q.id for q in questions if q.unresolved]
        if unresolved:
            raise ValueError(f"questions {unresolved} need the course data")
        if not questions and chapter not in bank.essays:
            continue
        path = out_dir / chapter / f"{chapter}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(build_notebook(chapter, questions, bank.essays.get(chapter)), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate [CHAPTER ...] [--bank DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m solidarity_course.quiz.assignments")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write nbgrader source notebooks")
    gen.add_argument("chapters", nargs="*")
    gen.add_argument("--bank", type=Path, default=None)
    gen.add_argument("--out", type=Path, default=SOURCE_DIR)
    args = parser.parse_args(argv)
    bank = None
    if args.bank is not None:
        from .devices import default_data

        bank = load_bank(args.bank, data=default_data())
    for path in generate(args.chapters or None, bank=bank, out_dir=args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

