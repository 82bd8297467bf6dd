"""score_answer and feedback: right, wrong, partial, blank and malformed for every type."""

from __future__ import annotations

import pytest

from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.model import QUESTION_TYPES
from solidarity_course.quiz.normalise import normalise_text
from solidarity_course.quiz.samples import (
    SAMPLE_RESPONSES,
    VERDICT_CASES,
    sample_data,
    write_sample_bank,
)
from solidarity_course.quiz.scoring import feedback, score_answer


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bank")
    write_sample_bank(directory)
    return load_bank(directory, data=sample_data())


CASES = [
    (qid, kind)
    for qid, kinds in SAMPLE_RESPONSES.items()
    for kind, case in kinds.items()
    if case is not None
]


def test_cases_cover_every_type(bank):
    # A document set is scored part by part (tests/test_quiz_dbq.py).
    assert {bank.questions[qid].type for qid in SAMPLE_RESPONSES} == set(QUESTION_TYPES) - {
        "document_set"}
    for qid in SAMPLE_RESPONSES:
        kinds = {k for k, v in SAMPLE_RESPONSES[qid].items() if v is not None}
        assert {"right", "wrong", "blank", "malformed"} <= kinds


@pytest.mark.parametrize(("qid", "kind"), CASES)
def test_score_answer(bank, qid, kind):
    response, expected = SAMPLE_RESPONSES[qid][kind]
    for prefix in ("", "g-"):  # self-check and graded variants score alike
        assert score_answer(bank.questions[prefix + qid], response) == pytest.approx(expected)


@pytest.mark.parametrize(("qid", "kind"), CASES)
def test_feedback_verdict(bank, qid, kind):
    response, expected = SAMPLE_RESPONSES[qid][kind]
    fb = feedback(bank.questions[qid], response)
    assert fb.score == pytest.approx(expected)
    if kind == "right":
        assert fb.verdict == "Correct." and fb.explanation == "Sample explanation."
    elif kind == "wrong":
        assert fb.verdict.startswith("Not correct") and not fb.explanation
    elif kind == "partial":
        assert fb.verdict.startswith("Partly correct:")
    elif kind == "blank":
        assert fb.verdict.startswith("No answer yet")
    elif kind == "malformed":
        assert fb.verdict.startswith("Answer not in the expected form")


@pytest.mark.parametrize(("qid", "response", "verdict"), VERDICT_CASES)
def test_verdict_table(bank, qid, response, verdict):
    """The shared case table (the browser's scoring is checked against it too)."""
    assert feedback(bank.questions[qid], response).verdict == verdict


def test_blank_matching_items_get_no_feedback(bank):
    """Check with items left blank does not give away their answers."""
    fb = feedback(bank.questions["match"], {"q1": "t1", "q2": None, "q3": None})
    assert fb.details == ["The essay concedes."]


def test_option_and_item_feedback(bank):
    assert feedback(bank.questions["single"], "y1905").details == ["That was the first revolution."]
    assert feedback(bank.questions["multi"], ["book", "film"]).details == [
        "Yes, the book.", "No film."]
    wrong_match = feedback(bank.questions["match"], {"q1": "t2", "q2": "t1", "q3": "t3"})
    assert wrong_match.details == ["The blog's binary.", "The book mocks."]
    assert feedback(bank.questions["num"], 10).details == ["Not that number."]
    assert feedback(bank.questions["spot"], "uniqueness").details == [
        "Presents an event as without precedent."]


def test_multiple_select_rule(bank):
    q = bank.questions["multi"]
    assert score_answer(q, ["book", "essay", "film"]) == 0.5   # (2 - 1) / 2
    assert score_answer(q, ["book", "film"]) == 0.0             # (1 - 1) / 2
    assert score_answer(q, ["book", "film", "novel"]) == 0.0    # floored at 0
    strict = q.model_copy(update={"partial_credit": False})
    assert score_answer(strict, ["book"]) == 0.0


def test_numeric_tolerance(bank):
    q = bank.questions["num"]
    assert score_answer(q, 64) == score_answer(q, 66) == 1.0
    assert score_answer(q, 66.01) == 0.0
    assert score_answer(q, True) == 0.0
    assert score_answer(q, float("nan")) == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  Dolores   IBÁRRURI! ", "dolores ibarruri"), ("La-Pasionaria", "la pasionaria"),
     ("Šubašić", "subasic"), ("\u00a0", "")],
)
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


def test_unresolved_spot_device_is_not_scorable(tmp_path):
    write_sample_bank(tmp_path)
    q = load_bank(tmp_path).questions["spot"]  # no data given
    with pytest.raises(ValueError, match="not resolved"):
        score_answer(q, "ridicule")
