"""ipywidgets driven headlessly: set values, Check, read feedback, running score, reset."""

from __future__ import annotations

import pytest

from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.model import auto_questions
from solidarity_course.quiz.samples import sample_data, write_sample_bank
from solidarity_course.quiz.widgets import ChapterQuiz


@pytest.fixture
def quiz(tmp_path):
    write_sample_bank(tmp_path)
    return ChapterQuiz("99-sample", bank=load_bank(tmp_path, data=sample_data()))


def test_only_self_check_questions(quiz):
    assert [qw.question.id for qw in quiz.questions] == [
        "single", "multi", "match", "order", "num", "text", "spot"]
    assert quiz.score_label.value == "<b>Score: 0 of 14</b>"


def test_right_answers_by_setting_values(quiz):
    quiz["single"].inputs.value = "y1917"
    quiz["multi"].inputs["book"].value = True
    quiz["multi"].inputs["essay"].value = True
    for item, option in {"q1": "t2", "q2": "t3", "q3": "t1"}.items():
        quiz["match"].inputs[item].value = option
    quiz["order"].inputs.order = ["oct", "ci", "ils", "seventh"]
    quiz["num"].inputs.value = "65"
    quiz["text"].inputs.value = "la pasionária"
    quiz["spot"].inputs.value = "ridicule"
    for qw in quiz.questions:
        qw.check_button.click()
        assert qw.feedback_text.startswith("Correct."), qw.question.id
        assert "Explanation Sample explanation." in qw.feedback_text
    assert quiz.score == 14
    assert quiz.score_label.value == "<b>Score: 14 of 14</b>"


def test_wrong_partial_and_blank(quiz):
    quiz["single"].inputs.value = "y1905"
    quiz["single"].check_button.click()
    assert quiz["single"].feedback_text == "Not correct. That was the first revolution."
    quiz["multi"].inputs["book"].value = True
    quiz["multi"].check_button.click()
    assert quiz["multi"].feedback_text.startswith(
        "Partly correct: 1 of 2 right choices ticked (50% of the credit).")
    quiz["num"].check_button.click()
    assert quiz["num"].feedback_text.startswith("No answer yet")
    quiz["num"].inputs.value = "about sixty"
    quiz["num"].check_button.click()
    assert quiz["num"].feedback_text.startswith("Answer not in the expected form")
    assert quiz.score == 1  # 0.5 of 2 points
    assert quiz.score_label.value == "<b>Score: 1 of 14</b>"


def test_ordering_buttons(quiz):
    box = quiz["order"].inputs
    start = box.order
    box.children[0].children[2].click()  # "Down" on the first row
    assert box.order == [start[1], start[0], *start[2:]]
    box.children[1].children[1].click()  # "Up" on the second row moves it back
    assert box.order == start
    box.children[0].children[1].click()  # "Up" on the first row does nothing
    assert box.order == start


def test_try_again_and_reset(quiz):
    quiz["text"].inputs.value = "Pasionaria"
    quiz["text"].check_button.click()
    quiz["spot"].inputs.value = "ridicule"
    quiz["spot"].check_button.click()
    assert quiz.score == 4
    quiz["text"].retry_button.click()
    assert quiz["text"].inputs.value == "" and quiz["text"].feedback.value == ""
    assert quiz.score == 2 and quiz.score_label.value == "<b>Score: 2 of 14</b>"
    quiz["order"].inputs.move(0, 1)
    quiz.reset_button.click()
    assert quiz.score == 0 and quiz.score_label.value == "<b>Score: 0 of 14</b>"
    assert quiz["spot"].inputs.value is None and quiz["spot"].feedback.value == ""
    assert quiz["order"].inputs.order == quiz["order"].inputs._initial


def test_every_chapter_of_the_real_bank_builds_as_widgets():
    from solidarity_course.quiz.devices import default_data

    bank = load_bank(data=default_data())
    for chapter in bank.chapters:
        quiz = ChapterQuiz(chapter, bank=bank)
        assert all(qw.question.use == "self-check" for qw in quiz.questions)
        # The running score counts what the widgets check: a document set's parts, not the
        # written answer the student assesses against the rubric.
        checked = auto_questions(bank.chapter(chapter, use="self-check"))
        assert quiz.total == sum(q.points for q in checked)
        assert len(quiz.sets) == 1 and quiz.sets[0].question.chapter == chapter


def test_ordering_ends_cannot_move_out(quiz):
    """The first item's Up and the last item's Down are disabled, the others enabled."""
    rows = quiz["order"].inputs.children
    assert [row.children[1].disabled for row in rows] == [True, False, False, False]
    assert [row.children[2].disabled for row in rows] == [False, False, False, True]


def test_blank_items_are_not_revealed(quiz):
    """Check with items left blank shows no answer or note for those items."""
    quiz["match"].inputs["q1"].value = "t1"
    quiz["match"].check_button.click()
    text = quiz["match"].feedback_text
    assert text.startswith("Not correct: 0 of 3 matched correctly, 2 not answered.")
    assert "The essay concedes." in text
    assert "binary" not in text and "mocks" not in text and "Explanation" not in text


def test_display_data_carries_the_kernel_free_html(quiz):
    """JupyterLab renders the widget view; the book the same quiz as HTML and JS."""
    bundle = quiz._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert page.count('<section class="scq"') == 7
    assert '<p class="scq-total">Score: 0 of 14</p>' in page
