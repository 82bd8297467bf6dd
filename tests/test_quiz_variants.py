"""Variants of bank questions (issue 19): schema, draws, relabelling and translation back.

Every type's relabelled copy, answered in its own labels, must score exactly what
the same answer in bank ids scores; a label the student was not shown scores 0;
the book's self-check renderings ignore ``shuffle`` and ``pool``.
"""

from __future__ import annotations

import pytest
import yaml

from solidarity_course.quiz.bank import BankError, load_bank
from solidarity_course.quiz.html import render_html
from solidarity_course.quiz.samples import SAMPLE_RESPONSES
from solidarity_course.quiz.scoring import score_answer
from solidarity_course.quiz.variants import (
    Draw,
    assignment_slots,
    draw,
    present,
    seed_for,
    translate,
    variant_id,
)


@pytest.fixture
def bank(sample_bank):
    return sample_bank


def graded(bank):
    return bank.chapter("99-sample", use="graded")


def _to_labels(question, draw_, response):
    """A bank-id response written in the labels of ``draw_`` (the inverse of translate)."""
    opts, items = draw_.option_labels, draw_.item_labels
    if isinstance(response, str):
        return opts.get(response, response)
    if isinstance(response, list):
        mapping = items if question.item_ids() and not question.option_ids() else opts
        return [mapping[r] for r in response]
    if isinstance(response, dict):
        return {items[k]: opts[v] if v else v for k, v in response.items()}
    return response


def test_every_type_scores_the_same_in_labels_as_in_bank_ids(bank):
    slots = assignment_slots(graded(bank))
    variant = draw(slots, seed_for(b"k" * 32, "99-sample", "ana"))
    for slot in slots:
        q, choice = slot.members[0], variant[slot.name]
        shown = present(slot, choice)
        base = q.id.removeprefix("g-")
        for kind, case in SAMPLE_RESPONSES[base].items():
            if case is None:
                continue
            response, expected = case
            in_labels = _to_labels(q, choice, response)
            assert translate(slot, choice, in_labels) == response or kind in (
                "blank", "malformed") or not (choice.options or choice.items), (q.id, kind)
            assert score_answer(q, translate(slot, choice, in_labels)) == pytest.approx(
                expected), (q.id, kind)
            # the relabelled question scores the labels the same way
            assert score_answer(shown, in_labels) == pytest.approx(expected), (q.id, kind)


def test_a_label_means_what_the_students_own_variant_shows():
    from solidarity_course.quiz.model import SingleChoice

    q = SingleChoice(id="q", chapter="c", objective="o", use="graded", prompt="p",
                     explanation="e", type="single_choice", answer="right",
                     options=[{"id": "right", "text": "R"}, {"id": "wrong", "text": "W"},
                              {"id": "other", "text": "O"}])
    slot = assignment_slots([q])[0]
    ana, ben = Draw("q", ("right", "wrong", "other")), Draw("q", ("other", "right", "wrong"))
    assert score_answer(q, translate(slot, ana, "a")) == 1.0
    assert score_answer(q, translate(slot, ben, "a")) == 0.0  # ana's "a" is ben's "other"
    assert score_answer(q, translate(slot, ben, "b")) == 1.0
    assert score_answer(q, translate(slot, ben, "right")) == 0.0  # a bank id is no label
    assert score_answer(q, translate(slot, ben, "z")) == 0.0


def test_draws_are_deterministic_per_secret_and_student(bank):
    slots = assignment_slots(graded(bank))
    secret = b"s" * 32
    once = draw(slots, seed_for(secret, "a1", "ana"))
    assert once == draw(slots, seed_for(secret, "a1", "ana"))
    others = [draw(slots, seed_for(secret, "a1", f"student{n}")) for n in range(6)]
    assert any(o != once for o in others)
    assert variant_id(secret, "a1", "ana") == variant_id(secret, "a1", "ana")
    assert variant_id(secret, "a1", "ana") != variant_id(b"t" * 32, "a1", "ana")
    assert variant_id(secret, "a1", "ana") != variant_id(secret, "a2", "ana")


def test_an_ordering_is_never_shown_in_its_answers_order(bank):
    order = next(q for q in graded(bank) if q.type == "ordering")
    slot = assignment_slots([order])[0]
    for n in range(200):
        choice = draw([slot], seed_for(b"x" * 32, "a", f"s{n}"))[slot.name]
        assert list(choice.items) != list(order.answer)
        assert present(slot, choice).key_literal() != sorted(present(slot, choice).item_ids())


def _bank_file(tmp_path, questions):
    (tmp_path / "c.yml").write_text(yaml.safe_dump({"chapter": "c", "questions": questions}),
                                    encoding="utf-8")
    return tmp_path


_Q = {"objective": "o", "prompt": "p", "explanation": "e", "use": "graded"}


def test_schema_errors_name_file_and_question(tmp_path):
    folder = _bank_file(tmp_path, [
        _Q | {"id": "n1", "type": "numeric", "answer": 3, "shuffle": True},
        _Q | {"id": "s1", "type": "single_choice", "pool": "pl", "answer": "a",
              "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        _Q | {"id": "s2", "type": "single_choice", "pool": "pl", "answer": "a", "points": 2,
              "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        _Q | {"id": "s3", "type": "single_choice", "pool": "s1", "answer": "a",
              "use": "self-check", "options": [{"id": "a", "text": "A"},
                                               {"id": "b", "text": "B"}]},
    ])
    with pytest.raises(BankError) as err:
        load_bank(folder)
    problems = err.value.problems
    assert any(p.startswith("c.yml: question 'n1': field 'shuffle': a numeric answer question "
                            "has no options or items") for p in problems)
    assert "c.yml: question 's2': field 'pool': pool 'pl' mixes points 2 with 1 of 's1'" \
        in problems
    assert any(p.startswith("c.yml: question 's3': field 'pool': only graded") for p in problems)
    assert any(p.startswith("c.yml: question 's3': field 'pool': pool 's1' has the name of a "
                            "question") for p in problems)


def test_self_check_renderings_keep_one_fixed_version(bank):
    from solidarity_course.quiz.widgets import OrderingBox

    shuffling = [q for q in bank.chapter("99-sample", use="self-check") if q.shuffles]
    assert len(shuffling) == 5
    fixed = [q.model_copy(update={"shuffle": False}) for q in shuffling]
    assert render_html(shuffling) == render_html(fixed)
    order = next(q for q in shuffling if q.type == "ordering")
    assert OrderingBox(order).order == OrderingBox(fixed[shuffling.index(order)]).order


def test_a_document_sets_part_cannot_be_pooled_and_a_set_is_its_own_slot(tmp_path):
    from solidarity_course.quiz.samples import sample_dbq_dict

    dbq = sample_dbq_dict("graded")
    (tmp_path / "98-dbq.yml").write_text(yaml.safe_dump(
        {"chapter": "98-dbq", "questions": [dbq]}), encoding="utf-8")
    slots = assignment_slots(list(load_bank(tmp_path).questions.values()))
    assert [(s.name, s.pooled) for s in slots] == [("g-dbq", False)]
    dbq["parts"][0]["pool"] = "p"
    (tmp_path / "98-dbq.yml").write_text(yaml.safe_dump(
        {"chapter": "98-dbq", "questions": [dbq]}), encoding="utf-8")
    with pytest.raises(BankError) as err:
        load_bank(tmp_path)
    assert "98-dbq.yml: question 'g-dbq': field 'parts.0.pool': a document set's part cannot " \
        "be pooled" in err.value.problems
