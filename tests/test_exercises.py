"""Classroom exercises: answers set programmatically are checked, scored and reset."""

from __future__ import annotations

import pytest

from solidarity_course.data import load_table
from solidarity_course.exercises import UNANSWERED, DeviceSpotter, VerdictMatcher


def test_device_spotter_scores_right_wrong_and_blank_answers():
    exercise = DeviceSpotter("t1-rulers-hatred")
    n = len(exercise.dropdowns)
    assert n >= 1
    for i, dropdown in enumerate(exercise.dropdowns):
        dropdown.value = exercise.expected(i)
    assert exercise.check() == n
    assert f"Score: {n} of {n}" in exercise.score.value
    assert all("Right" in f.value for f in exercise.feedback)

    options = exercise.dropdowns[0].options
    wrong = next(o for o in options if o not in (UNANSWERED, exercise.expected(0)))
    exercise.dropdowns[0].value = wrong
    assert exercise.check() == n - 1
    assert "Not quite" in exercise.feedback[0].value

    exercise.reset()
    assert all(d.value == UNANSWERED for d in exercise.dropdowns)
    assert exercise.score.value == "" and all(f.value == "" for f in exercise.feedback)
    assert exercise.check() == 0
    assert "Not answered" in exercise.feedback[0].value


def test_device_spotter_explains_with_the_annotation_note():
    annotations = load_table("annotations")
    exercise = DeviceSpotter("t1-rulers-hatred")
    exercise.check()
    notes = annotations[annotations["excerpt_id"] == "t1-rulers-hatred"]["note"]
    assert any(note.replace("'", "&#x27;") in exercise.feedback[0].value for note in notes)


def test_verdict_matcher_uses_the_claims_table():
    claims = load_table("claims").set_index("id")
    ids = ["c03", "c10"]
    exercise = VerdictMatcher(ids)
    assert set(claims.loc[ids, "verdict"]) <= set(exercise.dropdowns[0].options)
    for i, claim_id in enumerate(ids):
        exercise.dropdowns[i].value = claims.loc[claim_id, "verdict"]
    assert exercise.check() == 2


def test_unknown_ids_are_refused_clearly():
    with pytest.raises(ValueError, match="c999"):
        VerdictMatcher(["c999"])
    with pytest.raises((ValueError, KeyError)):
        DeviceSpotter("no-such-excerpt")
