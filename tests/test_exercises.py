"""Classroom exercises: quiz questions built from the data, scored by the quiz engine,
shown as widgets in JupyterLab and as kernel-free HTML in the book."""

from __future__ import annotations

import pytest

from solidarity_course.data import load_table
from solidarity_course.exercises import (
    DeviceSpotter,
    Explorer,
    VerdictMatcher,
    md_literal,
    slug,
)


def answer_all(exercise, wrong_first: bool = False):
    """Set every item to its key (the first one to another option if ``wrong_first``)."""
    widget = exercise.questions[0]
    key = widget.question.answer
    for n, (item, option) in enumerate(key.items()):
        if wrong_first and n == 0:
            option = next(o.id for o in widget.question.options if o.id != option)
        widget.inputs[item].value = option
    return widget


def test_device_spotter_scores_right_wrong_and_blank_answers():
    exercise = DeviceSpotter("t1-rulers-hatred")
    widget = answer_all(exercise)
    n = len(widget.question.items)
    assert n >= 1
    widget.check_button.click()
    assert widget.feedback_text.startswith("Correct.")
    assert exercise.score_label.value == f"<b>Score: {n} of {n}</b>"

    if n > 1:
        answer_all(exercise, wrong_first=True).check_button.click()
        assert widget.feedback_text.startswith(
            f"Partly correct: {n - 1} of {n} matched correctly")
        assert "[1] The course's answer:" in widget.feedback_text

    exercise.reset_button.click()
    assert all(d.value is None for d in widget.inputs.values())
    assert exercise.score_label.value == f"<b>Score: 0 of {n}</b>"
    widget.check_button.click()
    assert widget.feedback_text.startswith("No answer yet")


def test_device_spotter_explains_with_the_annotation_note():
    annotations = load_table("annotations")
    exercise = DeviceSpotter("t1-rulers-hatred")
    answer_all(exercise).check()
    notes = annotations[annotations["excerpt_id"] == "t1-rulers-hatred"]["note"]
    text = exercise.questions[0].feedback_text
    assert any(" ".join(note.split()) in text for note in notes)


def test_verdict_matcher_uses_the_claims_table():
    claims = load_table("claims").set_index("id")
    ids = ["c03", "c10"]
    exercise = VerdictMatcher(ids)
    question = exercise.questions[0].question
    assert {slug(v) for v in claims.loc[ids, "verdict"]} <= {o.id for o in question.options}
    assert question.answer == {c: slug(claims.loc[c, "verdict"]) for c in ids}
    answer_all(exercise)
    assert exercise.questions[0].check() == 1.0
    assert exercise.score == 2


def test_unanswered_items_are_not_revealed():
    """Check with one claim answered shows nothing about the others."""
    claims = load_table("claims").set_index("id")
    exercise = VerdictMatcher(["c01", "c04", "c05"])
    widget = exercise.questions[0]
    key = slug(claims.loc["c01", "verdict"])
    wrong = next(o.id for o in widget.question.options if o.id != key)
    widget.inputs["c01"].value = wrong
    widget.check()
    text = widget.feedback_text
    assert text.startswith("Not correct: 0 of 3 matched correctly, 2 not answered.")
    assert "[1] The course's answer" in text
    assert "[2]" not in text and "[3]" not in text


def test_exercises_carry_their_kernel_free_html():
    exercise = DeviceSpotter("t1-real-friendship")
    page = exercise._repr_mimebundle_()["text/html"]
    assert page.startswith("<blockquote>") and 'class="course-mark"' in page
    assert 'data-qtype="matching"' in page and 'id="scq-devices-t1-real-friendship"' in page
    assert page.count("<select") == len(exercise.questions[0].question.items)


def test_item_text_is_shown_literally():
    """Data are not markup: asterisks, brackets and angle brackets stay as written."""
    from solidarity_course.quiz.presentation import markdown_to_html

    text = "A *starred* claim [with] <b>tags</b> & 1. numbers"
    assert markdown_to_html(md_literal(text), True) == (
        "A *starred* claim [with] &lt;b&gt;tags&lt;/b&gt; &amp; 1. numbers")


def test_explorer_switches_precomputed_views():
    explorer = Explorer("x", "Pick", {"One": "<p>1</p>", "Two": "<p>2</p>"})
    assert explorer.view.value == "<p>1</p>"
    explorer.control.value = "Two"
    assert explorer.view.value == "<p>2</p>"
    page = explorer._repr_mimebundle_()["text/html"]
    assert '<select class="scx-control" id="scx-x">' in page
    assert '<option value="1" selected>Two</option>' in page
    assert '<div class="scx-panel" data-label="One" hidden><p>1</p></div>' in page
    slider = Explorer("y", "Year", {"1944": "a", "1945": "b"}, slider=True)._repr_mimebundle_()
    assert 'type="range"' in slider["text/html"] and "<output" in slider["text/html"]


def test_unknown_ids_are_refused_clearly():
    with pytest.raises(ValueError, match="c999"):
        VerdictMatcher(["c999"])
    with pytest.raises((ValueError, KeyError)):
        DeviceSpotter("no-such-excerpt")
