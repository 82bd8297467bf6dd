"""Feedback: one page per student and notebook that the student can read.

Writes ``feedback/<student>/<assignment>/<notebook>.html`` for every autograded
submission (or the chosen students), from the gradebook's current grades and
comments, so run it after manual grading.  Each graded question is shown by its
prompt (the bank's markdown, rendered), with the student's answer, the points,
the verdict (partial credit counted as the quiz counts it, and the question's
partial-credit rule), how an answer was read when that is not plain (a number
given as text); the right answer, the explanation and the options' feedback only
when ``c.CourseGrade.show_keys_after_deadline`` is set.  A document-based
question's documents (the gradebook's copy, not the student's) come with its first
part.  The essay is shown with its rubric, the mark and the grader's comment, or
"not yet graded".  No grader code and no test cell reaches the page.

The page comes from the Jinja2 template ``templates/feedback.html``
(autoescaped); every piece of HTML in it is cleaned by :func:`.inert.clean_html`
(what the student wrote with :func:`.inert.inert_markdown`) and the page carries
the strict Content-Security-Policy of :mod:`.inert`: nothing in it runs and
nothing is loaded from elsewhere.  Students whose essays still wait for a manual
grade are listed.  One student's failure is reported and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ..quiz.assignments import DOCUMENTS_SUFFIX, _choices_markdown, read_essay_cell
from ..quiz.model import Question
from ..quiz.presentation import markdown_to_html
from ..quiz.scoring import feedback as quiz_feedback
from ..quiz.scoring import is_blank, reading_note
from . import atomic
from .course import Course
from .inert import CSP_META, clean_html, inert_markdown
from .keys import Unanswerable, grade_id, question_from_test


@dataclass
class FeedbackReport:
    """Feedback files written and students still waiting for manual grading."""

    written: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    needs_manual: list[str] = field(default_factory=list)


@dataclass
class QuestionView:
    """What the page shows of one graded question."""

    number: int
    kind: str
    prompt: Markup
    answer: str
    points: float
    max_points: float
    verdict: str
    note: str = ""
    partial_rule: str = ""
    key: str = ""
    explanation: Markup = Markup("")
    details: list[str] = field(default_factory=list)
    documents: Markup = Markup("")  # a document set's documents, before its first part


@dataclass
class EssayView:
    """What the page shows of one hand-graded answer."""

    title: str
    statement: Markup
    rubric: list[tuple[str, float]]
    text: Markup
    max_points: float
    points: float | None  # None: not yet graded
    comment: str = ""


def pending_manual(course: Course, assignment: str) -> list[str]:
    """Students with a grade of this assignment still marked as needing manual grading."""
    with course.gradebook() as gb:
        return sorted({
            sub.student.id for sub in gb.find_assignment(assignment).submissions
            for nb in sub.notebooks for g in nb.grades
            if g.needs_manual_grade and g.manual_score is None})


def _markdown(text: str) -> Markup:
    return Markup(clean_html(markdown_to_html(text)))  # noqa: S704 (cleaned by nh3)


def describe(question: Question, value) -> str:
    """A response (or key) in words: option and item texts instead of their ids."""
    if isinstance(value, Unanswerable):
        return f"(no answer recorded: {value.reason})"
    if is_blank(value):
        return "(no answer)"
    names = {c.id: c.text for c in (*getattr(question, "options", ()),
                                     *getattr(question, "items", ()))}

    def name(x) -> str:
        return names.get(x, str(x)) if isinstance(x, str) else repr(x)

    if isinstance(value, dict):
        return "; ".join(f"{name(k)} → {name(v) if v else '(none)'}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        joiner = " → " if question.item_ids() else "; "
        return joiner.join(name(v) for v in value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:g}" + (f" {question.unit}" if getattr(question, "unit", "") else "")
    return name(value) if isinstance(value, str) else repr(value)


def question_view(number: int, question: Question, response, points: float,
                  max_points: float, show_keys: bool) -> QuestionView:
    """The view of one question for one student's response."""
    statement = "\n".join([question.prompt.strip(), "", *_choices_markdown(question)])
    blank = isinstance(response, Unanswerable) or is_blank(response)
    checked = quiz_feedback(question, None if blank else response)
    view = QuestionView(number, question.type_label, _markdown(statement),
                        describe(question, response), points, max_points,
                        "No answer given." if blank else checked.verdict,
                        "" if blank else reading_note(question, response),
                        question.partial_rule or "")
    if show_keys:
        view.key = describe(question, question.key_literal())
        view.explanation = _markdown(question.explanation)
        view.details = checked.details
    return view


def _responses(notebook, questions) -> dict:
    from .answer_records import scored_responses
    from .keys import answers_in_notebook

    scored = scored_responses(notebook)
    return scored if scored is not None else answers_in_notebook(notebook, questions)


def notebook_views(gb_notebook, submitted_notebook, notebook, show_keys: bool
                   ) -> tuple[list[QuestionView], list[EssayView]]:
    """The question and essay views of one submitted notebook."""
    sources = {c.name: c.source or "" for c in gb_notebook.source_cells}
    grades = {g.name: g for g in submitted_notebook.grades}
    comments = {c.name: c for c in submitted_notebook.comments}
    cells = {grade_id(c): c for c in notebook.cells}
    tests = {c.name: question_from_test(sources.get(c.name, "")) for c in gb_notebook.grade_cells}
    responses = _responses(notebook, [g for g in tests.values() if g])
    # A document set's documents, from the gradebook's copy of the read-only cell.
    documents = sorted((_position(notebook, name), name) for name in sources
                       if name.endswith(DOCUMENTS_SUFFIX))
    questions, essays = [], []
    for cell in sorted(gb_notebook.grade_cells, key=lambda c: _position(notebook, c.name)):
        grade = grades.get(cell.name)
        points = (grade.score or 0.0) if grade else 0.0
        graded = tests.get(cell.name)
        if graded is not None:
            view = question_view(len(questions) + 1, graded.question,
                                 responses.get(graded.question.id), points,
                                 cell.max_score, show_keys)
            position = _position(notebook, cell.name)
            view.documents = Markup("").join(_markdown(sources[name])
                                             for at, name in documents if at < position)
            documents = [(at, name) for at, name in documents if at > position]
            questions.append(view)
            continue
        statement, rubric = read_essay_cell(sources.get(f"{cell.name}-rubric", ""))
        title, statement = _title(statement)
        source = cells[cell.name].source if cell.name in cells else ""
        waiting = grade is None or (grade.needs_manual_grade and grade.manual_score is None)
        comment = comments.get(cell.name)
        essays.append(EssayView(
            title, _markdown(statement), rubric,
            Markup(inert_markdown(source)),  # noqa: S704 (cleaned by nh3)
            cell.max_score, None if waiting else points,
            (comment.manual_comment or comment.auto_comment or "") if comment else ""))
    return questions, essays


def _title(statement: str) -> tuple[str, str]:
    """(heading, rest) of a rubric cell's statement: "Short essay" from its
    ``### Short essay (3 points, graded by hand)`` line; "Written answer" if none."""
    first, _, rest = statement.partition("\n")
    if not first.startswith("#"):
        return "Written answer", statement
    return first.lstrip("#").split(" (")[0].strip(), rest.strip()


def _position(notebook, name: str) -> int:
    """Where the cell named ``name`` is in ``notebook`` (unknown cells last)."""
    return next((i for i, c in enumerate(notebook.cells) if grade_id(c) == name),
                len(notebook.cells))


def render_page(**context) -> str:
    """The feedback page (``templates/feedback.html``, autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader(__package__, "templates"),
                      autoescape=select_autoescape(["html"]), keep_trailing_newline=True)
    env.filters["pts"] = lambda value: f"{round(value, 2):g}"
    return env.get_template("feedback.html").render(csp=Markup(CSP_META), **context)


def student_pages(course: Course, gb, assignment: str, student: str, show_keys: bool,
                  late_text: str = "") -> dict[str, str]:
    """The feedback page of each notebook of one student's submission, by file name."""
    import nbformat

    sub = gb.find_submission(assignment, student)
    pages = {}
    for submitted in sub.notebooks:
        path = course.submission_dir("autograded", student, assignment) / \
            f"{submitted.name}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        questions, essays = notebook_views(submitted.notebook, submitted, notebook, show_keys)
        total = sum(q.points for q in questions) + sum(e.points or 0 for e in essays)
        maximum = sum(q.max_points for q in questions) + sum(e.max_points for e in essays)
        pages[f"{submitted.name}.html"] = render_page(
            assignment=assignment, notebook=submitted.name, student=student,
            questions=questions, essays=essays, total=total, maximum=maximum,
            waiting=any(e.points is None for e in essays), show_keys=show_keys,
            late=late_text)
    return pages


def feedback(course: Course, assignment: str, students: list[str] | None = None) -> FeedbackReport:
    """Write feedback pages for ``students`` (default: all autograded)."""
    from .late import class_lateness

    report = FeedbackReport(needs_manual=pending_manual(course, assignment))
    autograded = course.folder("autograded")
    chosen = students or sorted(p.parent.name for p in autograded.glob(f"*/{assignment}")
                                if p.is_dir())
    show_keys = course.options.show_keys_after_deadline
    with course.gradebook() as gb:
        late = class_lateness(course, gb, assignment)
        for student in chosen:
            folder = course.submission_dir("feedback", student, assignment)
            try:
                lateness = late.get(student)
                pages = student_pages(course, gb, assignment, student, show_keys,
                                      lateness.text() if lateness else "")
                for name, page in pages.items():
                    atomic.write_text(folder / name, page)
            except Exception as exc:  # one student's failure never stops the others
                report.failed[student] = f"{type(exc).__name__}: {exc}"
                continue
            report.written[student] = sorted(pages)
    return report
