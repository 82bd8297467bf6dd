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
``A-summary.csv``, and for an assignment released with variants ``A-variants.csv``
(:mod:`.variant_stats`: facility per pool member and per variant); and
``item-analysis.html`` for all assignments analysed (from
the Jinja2 template ``templates/item-analysis.html``, autoescaped: question ids,
options and flags come from the gradebook and student answers).  The page is
self-contained: its charts are inline SVG (matplotlib's SVG output, drawn with
whole-number count axes): the score distribution, facility against
discrimination, and per question a bar chart of the options chosen with the key
marked, beside the question's prompt and its flags read in plain words.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..quiz.assignments import WRITTEN_SUFFIX
from . import atomic
from .answer_records import recorded_draws, scored_responses
from .course import Course
from .export import column_name, grade_rows
from .inert import CSP_META
from .itemstats import (
    BLANK,
    EASY,
    HARD,
    LOW_ALPHA,
    LOW_DISCRIMINATION,
    OTHER,
    AssignmentStats,
    ItemInput,
    ItemStats,
    alpha_flag,
    analyse,
)
from .keys import answers_in_notebook, question_from_test
from .variant_stats import VariantInput, variant_csv, variant_rows


@dataclass
class AssignmentData:
    """What the analysis of one assignment is computed from."""

    assignment: str
    students: list[str]
    items: list[ItemInput]
    left_out: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    #: Released with variants: each item's slot and each student's draw of it.
    variants: list[VariantInput] = field(default_factory=list)


def grade_table(gb, assignment: str) -> dict[tuple[str, str, str], float]:
    """``(notebook, cell, student) -> score`` of every graded cell, in one query
    (:func:`.export.grade_rows`).  Cells with neither an automatic nor a manual score
    are absent."""
    return {(nb, cell, student): score
            for nb, cell, student, score, graded, _waiting in grade_rows(gb, assignment)
            if graded}


def recorded_answers(path: Path, graded) -> tuple[dict, dict]:
    """The answers in one autograded notebook, and the variant draws they were scored
    with (empty without variants), by question id.

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
    if scored is None:
        scored = answers_in_notebook(nbformat.from_dict(raw), graded)
    return scored, recorded_draws(raw)


def gather(course: Course, gb, assignment: str) -> AssignmentData:
    """Scores from the gradebook and recorded answers from the autograded notebooks."""
    record = gb.find_assignment(assignment)
    students = sorted(s.student_id for s in record.submissions)
    data = AssignmentData(assignment, students, [])
    graded_scores = grade_table(gb, assignment)
    answers: dict[str, dict[str, dict]] = {}  # notebook -> student -> question id -> answer
    draws: dict[str, dict[str, dict]] = {}  # notebook -> student -> question id -> variant draw
    for nb in record.notebooks:
        sources = {c.name: c.source or "" for c in nb.source_cells}
        tests = {c.name: question_from_test(sources.get(c.name, "")) for c in nb.grade_cells}
        graded = [g for g in tests.values() if g]
        answers[nb.name], draws[nb.name] = {}, {}
        for student in students:
            path = course.submission_dir("autograded", student, assignment) / f"{nb.name}.ipynb"
            try:
                answers[nb.name][student], draws[nb.name][student] = recorded_answers(
                    path, graded)
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
            graded_here = tests[cell.name]
            # A pool's students answered different questions: no option counts over them.
            question = graded_here.question if graded_here and not graded_here.members else None
            responses = ([answers[nb.name][s].get(question.id) for s in students]
                         if question else None)
            data.items.append(ItemInput(name, cell.max_score, [scores[s] for s in students],
                                        question, responses, group=_group(cell.name, graded),
                                        hand_graded=graded_here is None))
            if graded_here is not None:
                chosen = {s: draws[nb.name].get(s, {}).get(graded_here.question.id)
                          for s in students}
                if any(chosen.values()):
                    data.variants.append(VariantInput(name, graded_here.slot, cell.max_score,
                                                      [scores[s] for s in students],
                                                      [chosen[s] for s in students]))
    return data


def _group(cell_name: str, graded: list) -> str:
    """The document set a graded cell belongs to: a part's set, or the set of a written answer."""
    sets = {g.question.document_set for g in graded if getattr(g.question, "document_set", None)}
    for g in graded:
        if g.test_cell == cell_name and getattr(g.question, "document_set", None):
            return g.question.document_set
    written = cell_name.removesuffix(WRITTEN_SUFFIX)
    return written if cell_name.endswith(WRITTEN_SUFFIX) and written in sets else ""


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
              "; ".join(i.flags), i.group, "by hand" if i.hand_graded else "automatically"]
             for i in stats.items]
    options = [[i.item, o.option, "yes" if o.is_key else "", "yes" if o.is_distractor else "",
                o.count, o.point_biserial] for i in stats.items for o in i.options]
    summary = stats.summary
    files = {} if not data.variants else {f"{a}-variants.csv": variant_csv(
        variant_rows(data.variants))}
    return files | {
        f"{a}-items.csv": _csv(["question", "max_points", "mean", "facility", "discrimination",
                                "key_point_biserial", "flags", "document_set", "graded"],
                               items),
        f"{a}-options.csv": _csv(["question", "option", "key", "distractor", "count",
                                  "point_biserial"], options),
        f"{a}-summary.csv": _csv(list(summary), [list(summary.values())]),
    }


def _svg(fig, prefix: str, label: str) -> str:
    """The figure as inline SVG markup: ids made unique to the figure, labelled for
    assistive technology (``role="img"`` and ``label``)."""
    from markupsafe import escape

    prefix = (re.sub(r"[^A-Za-z0-9_-]", "_", prefix)[:40] + "-"
              + hashlib.sha1(prefix.encode("utf-8")).hexdigest()[:8])
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def _figure(width: float, height: float, margins: dict | None = None):
    """A matplotlib figure (no pyplot state) in the course's style; fixed ``margins``
    (inches: left, bottom, top, right) spare the second drawing a tight layout needs."""
    import matplotlib
    from matplotlib.figure import Figure

    from ..plotting import STYLE

    with matplotlib.rc_context({k: v for k, v in STYLE.items() if k != "axes.prop_cycle"}):
        fig = Figure(figsize=(width, height), layout=None if margins else "tight")
        if margins:
            fig.subplots_adjust(left=margins["left"] / width, bottom=margins["bottom"] / height,
                                top=1 - margins["top"] / height,
                                right=1 - margins["right"] / width)
        return fig, fig.add_subplot()


def _whole_numbers(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=6, integer=True))


def charts(stats: AssignmentStats, assignment: str) -> list[tuple[str, str]]:
    """(inline SVG, alt text) of the score distribution and facility/discrimination plot."""
    from ..plotting import OKABE_ITO

    out = []
    s = stats.summary
    fig, ax = _figure(6, 3.2)
    ax.hist(stats.totals, bins=min(20, max(5, len(set(stats.totals)))),
            color=OKABE_ITO["blue"], edgecolor="white")
    _whole_numbers(ax.yaxis)
    ax.set_xlabel(f"total points (of {stats.max_total:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: score distribution")
    alt = (f"Histogram of the total points of {s['n']} students on {assignment}: "
           f"mean {s['mean']:.2f}, median {s['median']:.2f}, range {s['min']:g} to "
           f"{s['max']:g} of {stats.max_total:g}.")
    out.append((_svg(fig, f"{assignment}-hist", alt), alt))
    fig, ax = _figure(6, 3.6)
    for item in stats.items:
        d = item.discrimination if item.discrimination is not None else 0.0
        color = OKABE_ITO["vermillion"] if item.flags else OKABE_ITO["bluish_green"]
        ax.scatter(item.facility, d, color=color, marker="^" if item.flags else "o")
        ax.annotate(item.item, (item.facility, d), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    ax.axvline(HARD, color=OKABE_ITO["black"], linestyle=":")
    ax.axvline(EASY, color=OKABE_ITO["black"], linestyle=":")
    ax.axhline(LOW_DISCRIMINATION, color=OKABE_ITO["black"], linestyle="--")
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("facility (mean ÷ max)")
    ax.set_ylabel("discrimination (r with rest)")
    ax.set_title(f"{assignment}: questions (triangles are flagged)")
    flagged = [i.item for i in stats.items if i.flags]
    alt = (f"Scatter plot of facility against discrimination for the {len(stats.items)} "
           f"questions of {assignment}; flagged: {', '.join(flagged) or 'none'}.")
    out.append((_svg(fig, f"{assignment}-items", alt), alt))
    return out


def option_names(question) -> dict[str, str]:
    """Option and item texts by id (any question type; outcomes keep their names)."""
    return {c.id: c.text for c in (*getattr(question, "options", ()),
                                   *getattr(question, "items", ()))}


def option_chart(item: ItemStats, question, assignment: str) -> tuple[str, str]:
    """(inline SVG, alt text): how many students chose each option; the key marked."""
    from ..plotting import OKABE_ITO

    names = option_names(question)
    shown = [o for o in item.options if o.count or o.option not in (BLANK, OTHER)]
    labels = [(names.get(o.option, o.option)[:40] + (" (key)" if o.is_key else ""))
              for o in shown]
    # labels at 13 pt: about 0.1 inch a character
    left = 0.3 + 0.1 * max((len(label) for label in labels), default=4)
    fig, ax = _figure(4.5 + left, 0.45 * len(shown) + 0.9,
                      {"left": left, "bottom": 0.7, "top": 0.15, "right": 0.3})
    bars = ax.barh(range(len(shown)), [o.count for o in shown],
                   color=[OKABE_ITO["bluish_green"] if o.is_key else OKABE_ITO["blue"]
                          for o in shown])
    for bar, option in zip(bars, shown, strict=True):
        if option.is_key:
            bar.set_hatch("//")
            bar.set_edgecolor(OKABE_ITO["black"])
    ax.set_yticks(range(len(shown)), labels)
    ax.invert_yaxis()
    _whole_numbers(ax.xaxis)
    ax.set_xlabel("students")
    ax.grid(axis="y", visible=False)
    alt = (f"Bar chart of the answers to {item.item}: " + "; ".join(
        f"{label}: {o.count}" for label, o in zip(labels, shown, strict=True)) + ".")
    return _svg(fig, f"{assignment}-{item.item}-options", alt), alt


@dataclass
class ItemView:
    """What the page shows of one question: its statistics, prompt and option chart."""

    stats: ItemStats
    prompt: str  # HTML, cleaned
    chart: tuple[str, str] | None


def item_views(data: AssignmentData, stats: AssignmentStats) -> list[ItemView]:
    """One :class:`ItemView` per analysed question."""
    from ..quiz.presentation import markdown_to_html
    from .inert import clean_html

    views = []
    for item, given in zip(stats.items, data.items, strict=True):
        question = given.question
        prompt = clean_html(markdown_to_html(question.prompt, inline=True)) if question else ""
        chart = option_chart(item, question, data.assignment) if item.options else None
        views.append(ItemView(item, prompt, chart))
    return views


@dataclass
class Section:
    """What the page shows for one assignment."""

    data: AssignmentData
    stats: AssignmentStats
    charts: list[tuple[str, str]]
    items: list[ItemView] = field(default_factory=list)

    @property
    def alpha_flag(self):
        """The assignment's reliability flag (None when alpha is fine or unknown)."""
        return alpha_flag(self.stats.alpha)

    @property
    def variants(self) -> list:
        """Facility per pool member and per variant (empty without variants)."""
        return variant_rows(self.data.variants)


def render_page(sections: list[Section]) -> str:
    """The item-analysis page (``templates/item-analysis.html``, autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    env = Environment(loader=PackageLoader(__package__, "templates"),
                      autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
    env.filters["fmt"] = _fmt
    env.filters["trusted"] = Markup  # our own SVG and nh3-cleaned HTML only
    return env.get_template("item-analysis.html").render(
        sections=sections, csp=Markup(CSP_META),
        thresholds={"easy": EASY, "hard": HARD, "discrimination": LOW_DISCRIMINATION,
                    "alpha": LOW_ALPHA})


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
            sections.append(Section(data, stats, charts(stats, assignment),
                                    item_views(data, stats)))
    atomic.write_text(out_dir / "item-analysis.html", render_page(sections))
    return [out_dir / "item-analysis.html", *written]
