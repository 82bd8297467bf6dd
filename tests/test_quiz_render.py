"""Every type renders in all three forms: HTML controls/labels, widget objects,
notebook cells; graded questions never render as HTML or class widgets."""

from __future__ import annotations

import json
import re

import ipywidgets as w
import pytest

from solidarity_course.quiz.assignments import build_notebook, format_spec
from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.html import GradedQuestionError, render_html
from solidarity_course.quiz.presentation import display_order
from solidarity_course.quiz.samples import sample_data, write_sample_bank
from solidarity_course.quiz.widgets import ChapterQuiz, OrderingBox, QuestionWidget


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bank")
    write_sample_bank(directory)
    return load_bank(directory, data=sample_data())


def _html(bank, qid):
    return render_html([bank.questions[qid]])


def _common(html: str, qid: str):
    assert f'id="scq-{qid}"' in html
    assert "<fieldset>" in html and '<legend class="scq-prompt">' in html
    assert '<button type="submit" class="scq-check">Check</button>' in html
    assert '<button type="button" class="scq-retry" hidden>Try again</button>' in html
    assert 'role="status" aria-live="polite"' in html
    # every input/select has a label pointing at it
    for control_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html):
        assert f'<label for="{control_id}">' in html, control_id


def test_html_single_choice(bank):
    html = _html(bank, "single")
    _common(html, "single")
    assert html.count('type="radio" name="scq-single"') == 3
    assert '<label for="scq-single-opt-y1905">1905</label>' in html


def test_html_multiple_select(bank):
    html = _html(bank, "multi")
    _common(html, "multi")
    assert html.count('type="checkbox"') == 4
    assert "Select all that apply." in html and "Partial credit:" in html


def test_html_matching(bank):
    html = _html(bank, "match")
    _common(html, "match")
    assert html.count("<select ") == 3
    assert '<option value="">— choose —</option>' in html


def test_html_ordering(bank):
    html = _html(bank, "order")
    _common(html, "order")
    assert html.count('class="scq-up"') == html.count('class="scq-down"') == 4
    assert 'aria-label="Move up: Comintern founded"' in html
    shown = re.findall(r'<li data-item="([^"]+)"', html)
    assert shown == display_order(bank.questions["order"]) != ["oct", "ci", "ils", "seventh"]


def test_html_numeric_and_short_text(bank):
    num, text = _html(bank, "num"), _html(bank, "text")
    _common(num, "num")
    _common(text, "text")
    assert 'inputmode="decimal"' in num and "Your answer (a number), in parties" in num
    key = json.loads(re.search(r'data-key="([^"]+)"', text).group(1).replace("&quot;", '"'))
    assert key == {"accepted": ["la pasionaria", "pasionaria"]}


def test_html_spot_device(bank):
    html = _html(bank, "spot")
    _common(html, "spot")
    assert "<mark>" in html and "half-baked dictator who struck Napoleonic attitudes" in html
    assert "[highlighted passage starts]" in html
    assert html.count('type="radio"') == 3 and ">Measured concession</label>" in html


def test_graded_question_is_refused(bank):
    with pytest.raises(GradedQuestionError):
        render_html([bank.questions["g-single"]])


@pytest.mark.parametrize("qid", ["single", "multi", "match", "order", "num", "text", "spot"])
def test_widget_per_type(bank, qid):
    qw = QuestionWidget(bank.questions[qid])
    assert isinstance(qw, w.VBox)
    assert qw.check_button.description == "Check" and qw.retry_button.description == "Try again"
    expected = {"single": w.RadioButtons, "spot": w.RadioButtons, "multi": dict,
                "match": dict, "order": OrderingBox, "num": w.Text, "text": w.Text}[qid]
    assert isinstance(qw.inputs, expected)
    if qid == "multi":
        assert all(isinstance(b, w.Checkbox) for b in qw.inputs.values())
    if qid == "match":
        assert all(isinstance(d, w.Dropdown) for d in qw.inputs.values())


def test_graded_questions_are_not_class_widgets(bank):
    with pytest.raises(ValueError, match="graded"):
        ChapterQuiz(questions=[bank.questions["g-num"]])


def test_notebook_cells_per_type(bank):
    graded = bank.chapter("99-sample", use="graded")
    nb = build_notebook("99-sample", graded, bank.essays["99-sample"])
    cells = nb.cells
    assert "def check_format" in cells[1].source
    meta = [c.metadata["nbgrader"] for c in cells]
    assert all(m["schema_version"] == 3 for m in meta)
    for n, q in enumerate(graded, start=1):
        prompt, answer, check, test = cells[2 + 4 * (n - 1): 6 + 4 * (n - 1)]
        assert prompt.cell_type == "markdown" and f"answer_{n} = " in prompt.source
        assert answer.metadata.nbgrader["solution"] and not answer.metadata.nbgrader["grade"]
        assert f"answer_{n} = None\n### BEGIN SOLUTION" in answer.source
        assert check.metadata.nbgrader["locked"]
        assert check.source == f"check_format({format_spec(q)!r}, answer_{n})"
        assert test.metadata.nbgrader["grade"] and test.metadata.nbgrader["points"] == q.points
        assert "### BEGIN HIDDEN TESTS" in test.source and "grade(" in test.source
    rubric, essay = cells[-2:]
    assert "| Accurate | 2 |" in rubric.source and "**Total** | **3**" in rubric.source
    assert essay.metadata.nbgrader == {"grade": True, "grade_id": "99-sample-essay",
                                       "locked": False, "points": 3, "schema_version": 3,
                                       "solution": True, "task": False}


def test_format_spec_has_no_key(bank):
    for q in bank.chapter("99-sample", use="graded"):
        spec = format_spec(q)
        assert set(spec) <= {"id", "type", "options", "items"}
        if q.type == "ordering":
            assert spec["items"] != list(q.answer)
