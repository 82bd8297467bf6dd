"""Report: item analysis of assignments, as one HTML page with charts and as CSV.

Scores come from the gradebook (nbgrader's score: manual where given, else
automatic).  Each student's answers are the responses autograde scored, kept
in their autograded notebooks (:func:`.answer_records.scored_responses`); for a
notebook graded otherwise, the answer cells read with :mod:`.keys`
(``ast.literal_eval``, nothing executed);
the questions and keys come from the gradebook's copy of the test cells.
A graded cell that some student has no score for yet (e.g. an essay not yet
graded by hand) is left out of the totals and listed as such.

Files written to the output folder, per assignment ``A``: ``A-items.csv``
(one row per question), ``A-options.csv`` (one row per option or outcome),
``A-summary.csv``; and ``item-analysis.html`` for all assignments analysed (from
the Jinja2 template ``templates/item-analysis.html``, autoescaped: question ids,
options and flags come from the gradebook and student answers).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import atomic
from .answer_records import scored_responses
from .course import Course
from .export import column_name
from .inert import CSP_META
from .itemstats import AssignmentStats, ItemInput, analyse
from .keys import answers_in_notebook, question_from_test


@dataclass
class AssignmentData:
    """What the analysis of one assignment is computed from."""

    assignment: str
    students: list[str]
    items: list[ItemInput]
    left_out: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def grade_table(gb, assignment: str) -> dict[tuple[str, str, str], float]:
    """``(notebook, cell, student) -> score`` of every graded cell, in one query.

    Walking the ORM objects instead issues a query per submission and notebook
    (minutes for a large class).  Cells with neither an automatic nor a manual
    score are absent.
    """
    from nbgrader.api import (
        Assignment,
        Grade,
        GradeCell,
        Notebook,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    rows = (gb.db.query(Notebook.name, GradeCell.name, SubmittedAssignment.student_id,
                        Grade.score)
            .select_from(Grade)
            .join(GradeCell, Grade.cell_id == GradeCell.id)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .filter(Assignment.name == assignment)
            .filter((Grade.auto_score.isnot(None)) | (Grade.manual_score.isnot(None))))
    return {(nb, cell, student): score for nb, cell, student, score in rows}


def recorded_answers(path: Path, graded) -> dict:
    """The answers in one autograded notebook, by question id.

    The file is one this tool wrote, so it is parsed as plain JSON: validating
    a thousand notebooks with nbformat was most of a report's time.  The
    responses autograde scored are read from its metadata; a notebook graded
    otherwise is read cell by cell.  A file that is not a notebook raises, and
    loses only that student's answers.
    """
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise ValueError("not a notebook")
    scored = scored_responses(raw)
    return scored if scored is not None else answers_in_notebook(nbformat.from_dict(raw), graded)


def gather(course: Course, gb, assignment: str) -> AssignmentData:
    """Scores from the gradebook and recorded answers from the autograded notebooks."""
    record = gb.find_assignment(assignment)
    students = sorted(s.student_id for s in record.submissions)
    data = AssignmentData(assignment, students, [])
    graded_scores = grade_table(gb, assignment)
    answers: dict[str, dict[str, dict]] = {}  # notebook -> student -> question id -> answer
    for nb in record.notebooks:
        sources = {c.name: c.source or "" for c in nb.source_cells}
        tests = {c.name: question_from_test(sources.get(c.name, "")) for c in nb.grade_cells}
        graded = [g for g in tests.values() if g]
        answers[nb.name] = {}
        for student in students:
            path = course.submission_dir("autograded", student, assignment) / f"{nb.name}.ipynb"
            try:
                answers[nb.name][student] = recorded_answers(path, graded)
            except Exception as exc:  # a missing or broken file only loses that student's answers
                data.unreadable.append(f"{student}/{nb.name}: {type(exc).__name__}")
                answers[nb.name][student] = {}
        for cell in nb.grade_cells:
            scores = {student: graded_scores[key] for student in students
                      if (key := (nb.name, cell.name, student)) in graded_scores}
            name = column_name(cell.name)
            if len(scores) < len(students):
                data.left_out.append(f"{name} ({len(students) - len(scores)} not graded yet)")
                continue
            question = tests[cell.name].question if tests[cell.name] else None
            responses = ([answers[nb.name][s].get(question.id) for s in students]
                         if question else None)
            data.items.append(ItemInput(name, cell.max_score, [scores[s] for s in students],
                                        question, responses))
    return data


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_fmt(v, 4) for v in row] for row in rows])
    return buf.getvalue()


def csv_files(data: AssignmentData, stats: AssignmentStats) -> dict[str, str]:
    """The three CSV files of one assignment, by file name."""
    a = data.assignment
    items = [[i.item, i.max_points, i.mean, i.facility, i.discrimination, i.key_point_biserial,
              "; ".join(i.flags)] for i in stats.items]
    options = [[i.item, o.option, "yes" if o.is_key else "", "yes" if o.is_distractor else "",
                o.count, o.point_biserial] for i in stats.items for o in i.options]
    summary = stats.summary
    return {
        f"{a}-items.csv": _csv(["question", "max_points", "mean", "facility", "discrimination",
                                "key_point_biserial", "flags"], items),
        f"{a}-options.csv": _csv(["question", "option", "key", "distractor", "count",
                                  "point_biserial"], options),
        f"{a}-summary.csv": _csv(list(summary), [list(summary.values())]),
    }


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def charts(stats: AssignmentStats, assignment: str) -> list[tuple[str, str]]:
    """(base64 PNG, alt text) of the score distribution and facility/discrimination plot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import OKABE_ITO

    out = []
    s = stats.summary
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(stats.totals, bins=min(20, max(5, len(set(stats.totals)))),
            color=OKABE_ITO["blue"], edgecolor="white")
    ax.set_xlabel(f"total points (of {stats.max_total:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: score distribution")
    out.append((_png(fig), f"Histogram of the total points of {s['n']} students on {assignment}: "
                f"mean {s['mean']:.2f}, median {s['median']:.2f}, range {s['min']:g} to "
                f"{s['max']:g} of {stats.max_total:g}."))
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for item in stats.items:
        d = item.discrimination if item.discrimination is not None else 0.0
        color = OKABE_ITO["vermillion"] if item.flags else OKABE_ITO["bluish_green"]
        ax.scatter(item.facility, d, color=color, marker="^" if item.flags else "o")
        ax.annotate(item.item, (item.facility, d), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.axvline(0.2, color=OKABE_ITO["black"], linestyle=":")
    ax.axvline(0.9, color=OKABE_ITO["black"], linestyle=":")
    ax.axhline(0.1, color=OKABE_ITO["black"], linestyle="--")
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("facility (mean ÷ max)")
    ax.set_ylabel("discrimination (r with rest)")
    ax.set_title(f"{assignment}: questions (triangles are flagged)")
    flagged = [i.item for i in stats.items if i.flags]
    out.append((_png(fig), f"Scatter plot of facility against discrimination for the "
                f"{len(stats.items)} questions of {assignment}; flagged: "
                f"{', '.join(flagged) or 'none'}."))
    plt.close(fig)
    return out


@dataclass
class Section:
    """What the page shows for one assignment."""

    data: AssignmentData
    stats: AssignmentStats
    charts: list[tuple[str, str]]


def render_page(sections: list[Section]) -> str:
    """The item-analysis page (``templates/item-analysis.html``, autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=PackageLoader(__package__, "templates"),
                      autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
    env.filters["fmt"] = _fmt
    return env.get_template("item-analysis.html").render(sections=sections, csp=Markup(CSP_META))


def report(course: Course, assignments: list[str] | None, out_dir: Path | str) -> list[Path]:
    """Write the item analysis of ``assignments`` (default: all in the gradebook)."""
    out_dir = Path(out_dir)
    written, sections = [], []
    with course.gradebook() as gb:
        chosen = assignments or sorted(a.name for a in gb.assignments)
        for assignment in chosen:
            data = gather(course, gb, assignment)
            stats = analyse(data.students, data.items)
            for name, text in csv_files(data, stats).items():
                atomic.write_text(out_dir / name, text)
                written.append(out_dir / name)
            sections.append(Section(data, stats, charts(stats, assignment)))
    atomic.write_text(out_dir / "item-analysis.html", render_page(sections))
    return [out_dir / "item-analysis.html", *written]
