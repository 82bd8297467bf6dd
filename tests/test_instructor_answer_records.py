"""Answers scored outside the kernel, and the sandbox's opt-in/opt-out rules (no kernels run)."""

from __future__ import annotations

import json

import nbformat
import pytest
from instructor_support import CHAPTER, make_course
from nbformat.v4 import new_output

from solidarity_course.instructor import sandbox as sandbox_module
from solidarity_course.instructor.answer_records import (
    RECORD_MIME,
    RESOURCE_KEY,
    RecordAnswers,
    ScoreRecordedAnswers,
)
from solidarity_course.instructor.autograde import sandbox_policy
from solidarity_course.instructor.course import CourseError
from solidarity_course.instructor.keys import questions_in_notebook
from solidarity_course.instructor.sandbox import SandboxPolicy, SandboxUnavailable


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("records") / "course")


@pytest.fixture
def source_nb(course):
    return nbformat.read(course.source_notebooks(CHAPTER)[0], as_version=4)


def recorded(nb, resources, responses: dict):
    """Give each test cell the outputs a kernel would: one record of ``responses[qid]``."""
    for gid, graded in resources[RESOURCE_KEY].items():
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
        qid = graded.question.id
        if qid in responses:
            cell.outputs = [new_output("display_data", data={
                RECORD_MIME: {"question": qid, "response": responses[qid]}})]
        else:
            cell.outputs = [new_output("error", ename="NameError", evalue="answer_9",
                                       traceback=[])]


def points_of(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: float(c.outputs[-1]["data"]["text/plain"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and c.cell_type == "code"}


def test_record_cells_carry_no_key_and_every_question_is_kept(source_nb):
    questions = questions_in_notebook(source_nb)
    nb, resources = RecordAnswers().preprocess(source_nb, {})
    assert set(resources[RESOURCE_KEY]) == {q.test_cell for q in questions}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            assert "grade(" not in cell.source and "HIDDEN" not in cell.source
            assert RECORD_MIME in cell.source
    for q in questions:  # no key text of any question survives in the executed sources
        key = json.dumps(q.question.key_dump()) if hasattr(q.question, "key_dump") else ""
        assert key == "" or key not in "".join(c.source for c in nb.cells)


def test_scores_right_partial_wrong_and_missing_records(source_nb):
    nb, resources = RecordAnswers().preprocess(source_nb, {})
    questions = {g.question.id: g.question for g in resources[RESOURCE_KEY].values()}
    multi = next(q for q in questions.values() if q.type == "multiple_select")
    single = next(q for q in questions.values() if q.type == "single_choice")
    wrong = next(o.id for o in single.options if o.id != single.answer)
    half = [multi.answer[0]]  # one of the keyed options only: partial credit
    responses = {single.id: wrong, multi.id: half}
    right = {q.id: q for q in questions.values() if q.id not in responses}
    import random

    from solidarity_course.instructor.synthetic import _right

    rng = random.Random(1)
    missing = next(iter(right))
    for qid, q in right.items():
        if qid != missing:
            responses[qid] = _right(q, rng)
    recorded(nb, resources, responses)
    nb, _ = ScoreRecordedAnswers().preprocess(nb, resources)
    points = points_of(nb)
    assert points[f"{single.id}-test"] == 0.0
    assert 0 < points[f"{multi.id}-test"] < multi.points
    assert points[f"{missing}-test"] == 0.0
    for qid in right:
        if qid != missing:
            assert points[f"{qid}-test"] == questions[qid].points, qid
    notes = nb.metadata["solidarity_course"]["grading_notes"]
    assert any(missing in n and "no answer recorded" in n for n in notes)


def test_a_forged_or_duplicated_record_scores_nothing(source_nb):
    nb, resources = RecordAnswers().preprocess(source_nb, {})
    gid, graded = next(iter(resources[RESOURCE_KEY].items()))
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    for outputs, why in (
            ([new_output("display_data", data={RECORD_MIME: {"question": "other", "response": 1}})],
             "another question"),
            ([new_output("display_data", data={RECORD_MIME: {"question": graded.question.id,
                                                             "response": None}})] * 2,
             "2 answer records")):
        cell.outputs = outputs
        scored, _ = ScoreRecordedAnswers().preprocess(nb, resources)
        assert points_of(scored)[gid] == 0.0
        assert any(why in n for n in scored.metadata["solidarity_course"]["grading_notes"])


def test_policy_rejects_unknown_limits():
    assert SandboxPolicy.from_settings({"processes": 8}).processes == 8
    with pytest.raises(ValueError, match="unknown sandbox limit"):
        SandboxPolicy.from_settings({"procs": 8})


def test_no_silent_fallback_when_the_jail_cannot_start(course, monkeypatch):
    def broken():
        raise SandboxUnavailable("bubblewrap is not installed")

    monkeypatch.setattr(sandbox_module, "probe", broken)
    with pytest.raises(CourseError, match="--no-sandbox"):
        sandbox_policy(course, None, print)
    with pytest.warns(UserWarning, match="WITHOUT the sandbox"):
        assert sandbox_policy(course, False, print) is None


def test_huge_integers_score_zero_and_item_analysis_reads_what_was_scored(source_nb):
    """10**400 is no float: 0 points, never an exception; the report counts the scored record."""
    from solidarity_course.instructor.answer_records import scored_responses
    from solidarity_course.instructor.itemstats import OTHER, choices
    from solidarity_course.quiz.scoring import score_answer

    source_nb.metadata["solidarity_course"] = {"grading_notes": ["forged"],
                                               "responses": {"x": "forged"}}
    nb, resources = RecordAnswers().preprocess(source_nb, {})
    assert "solidarity_course" not in nb.metadata  # a submission's own notes are gone
    questions = {g.question.id: g.question for g in resources[RESOURCE_KEY].values()}
    recorded(nb, resources, {qid: 10**400 for qid in questions})
    nb, _ = ScoreRecordedAnswers().preprocess(nb, resources)
    assert set(points_of(nb).values()) == {0.0}
    assert scored_responses(nb) == {qid: 10**400 for qid in questions}
    for question in questions.values():
        assert score_answer(question, 10**400) == 0.0
        assert choices(question, 10**400) in ([OTHER], ["no credit"])
