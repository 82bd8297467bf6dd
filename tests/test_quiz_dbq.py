"""Document-based questions (``document_set``): schema and bank checks, scoring of the
parts, the book's HTML, the class widgets, the nbgrader cells, the leak check, the LMS
exports, item analysis and the instructor edition's keys, on the sample document set."""

from __future__ import annotations

import copy
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from solidarity_course.quiz.bank import BankError, load_bank
from solidarity_course.quiz.model import DocumentSet, auto_questions
from solidarity_course.quiz.samples import (
    DBQ_CHAPTER,
    sample_data,
    sample_dbq_dict,
    sample_question_dicts,
    write_sample_dbq_bank,
)
from solidarity_course.quiz.scoring import part_scores, score_answer

sys.path.insert(0, str(Path(__file__).parent))
import gift_reader  # noqa: E402

RIGHT = {"dbq-audience": "abroad", "dbq-corroborate": ["authority", "reasons"],
         "dbq-omission": "subordination"}


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dbq")
    write_sample_dbq_bank(folder)
    write_sample_dbq_bank(folder, use="graded", chapter="97-graded-dbq")
    return load_bank(folder, data=sample_data())


@pytest.fixture(scope="module")
def dbq(bank) -> DocumentSet:
    q = bank.questions["dbq"]
    assert isinstance(q, DocumentSet)
    return q


# --------------------------------------------------------------------------- validation


def _problems(tmp_path: Path, question: dict, others: list[dict] | None = None,
              data=True) -> list[str]:
    path = tmp_path / "98-dbq.yml"
    doc = {"chapter": "98-dbq", "questions": [question, *(others or [])]}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    with pytest.raises(BankError) as info:
        load_bank(tmp_path, data=sample_data() if data else None)
    return info.value.problems


def test_sample_set_is_valid_and_parts_inherit_chapter_use_and_set(dbq, bank):
    assert dbq.points == 4 + 5 and dbq.auto_points == 4
    assert [p.id for p in dbq.parts] == ["dbq-audience", "dbq-corroborate", "dbq-omission"]
    assert {(p.chapter, p.use, p.document_set) for p in dbq.parts} == {
        (DBQ_CHAPTER, "self-check", "dbq")}
    assert [label for label, _d in dbq.labelled_documents()] == [
        "Document A", "Document B", "Document C", "Document D"]
    assert {d.resolved.source_id for d in dbq.documents} == {"t1", "t2"}
    graded = bank.questions["g-dbq"]
    assert {p.use for p in graded.parts} == {"graded"}


def test_unknown_excerpt_is_named(tmp_path):
    q = sample_dbq_dict()
    q["documents"][2]["excerpt_id"] = "t2-no-such-excerpt"
    assert _problems(tmp_path, q) == [
        "98-dbq.yml: question 'dbq': field 'documents.2.excerpt_id': "
        "no excerpt 't2-no-such-excerpt' in the course data"]


def test_documents_from_one_source_are_refused(tmp_path):
    q = sample_dbq_dict()
    for doc, excerpt in zip(q["documents"], ["t1-fraternal-solidarity", "t1-miners-of-wales",
                                             "t1-fraternal-solidarity", "t1-miners-of-wales"],
                            strict=True):
        doc["excerpt_id"] = excerpt
    (problem,) = _problems(tmp_path, q)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'documents': ")
    assert "1 source(s) (t1); a document set needs at least 2" in problem


@pytest.mark.parametrize("count, field", [(2, "documents"), (6, "documents")])
def test_three_to_five_documents(tmp_path, count, field):
    q = sample_dbq_dict()
    docs = q["documents"]
    q["documents"] = [dict(docs[i % 4], id=f"doc-{i}") for i in range(count)]
    (problem,) = _problems(tmp_path, q)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'documents': ")
    assert ("at least 3" if count < 3 else "at most 5") in problem


@pytest.mark.parametrize("count", [1, 5])
def test_two_to_four_parts(tmp_path, count):
    q = sample_dbq_dict()
    q["parts"] = [dict(q["parts"][i % 3], id=f"part-{i}") for i in range(count)]
    (problem,) = _problems(tmp_path, q)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'parts': ")
    assert ("at least 2" if count < 2 else "at most 4") in problem


@pytest.mark.parametrize("kind", ["spot_device", "document_set"])
def test_parts_cannot_be_spot_device_or_document_set(tmp_path, kind):
    q = sample_dbq_dict()
    q["parts"][1] = {"id": "nested", "type": kind}
    (problem,) = _problems(tmp_path, q)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'parts.1.type': ")
    assert f"type '{kind}' cannot be a part of a document set" in problem


def test_part_errors_name_the_part_field(tmp_path):
    q = sample_dbq_dict()
    q["parts"][0]["answer"] = "nowhere"
    (problem,) = _problems(tmp_path, q)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'parts.0.answer': ")
    assert "'nowhere' is not among the option ids" in problem
    del q["parts"][1]["prompt"]
    assert "98-dbq.yml: question 'dbq': field 'parts.1.prompt': Field required" in _problems(
        tmp_path, q)


def test_part_ids_are_unique_across_the_bank(tmp_path):
    other = sample_question_dicts()[0] | {"id": "dbq-omission"}
    problems = _problems(tmp_path, sample_dbq_dict(), [other])
    assert problems == ["98-dbq.yml: question 'dbq-omission': field 'id': duplicate id "
                        "(also in 98-dbq.yml)"]
    q = sample_dbq_dict()
    q["parts"][2]["id"] = "dbq"
    assert "field 'parts.2.id': duplicate id 'dbq'" in _problems(tmp_path, q)[0]


def test_document_and_part_ids_unique_within_the_set(tmp_path):
    q = sample_dbq_dict()
    q["documents"][1]["id"] = "doc-a"
    (problem,) = _problems(tmp_path, q, data=False)
    assert problem == ("98-dbq.yml: question 'dbq': field 'documents': "
                       "duplicate id(s): doc-a")


def test_parts_take_the_sets_use(tmp_path):
    q = sample_dbq_dict()
    q["parts"][0]["use"] = "graded"
    (problem,) = _problems(tmp_path, q, data=False)
    assert "part 'dbq-audience' may not set 'use'" in problem


def test_rubric_has_the_four_criteria_in_order(tmp_path):
    q = sample_dbq_dict()
    rubric = q["written"]["rubric"]
    rubric[0], rubric[1] = rubric[1], rubric[0]
    (problem,) = _problems(tmp_path, q, data=False)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'written.rubric': ")
    assert "Claim, Evidence, Sourcing, Counter-evidence" in problem


def test_the_set_has_no_points_of_its_own(tmp_path):
    q = sample_dbq_dict() | {"points": 3}
    (problem,) = _problems(tmp_path, q, data=False)
    assert problem.startswith("98-dbq.yml: question 'dbq': field 'points': ")


def test_a_top_level_question_cannot_claim_a_set(tmp_path):
    other = sample_question_dicts()[0] | {"document_set": "dbq"}
    problems = _problems(tmp_path, sample_dbq_dict(), [other])
    assert problems == ["98-dbq.yml: question 'single': field 'document_set': only a "
                        "document set's parts belong to one; write the part inside the set"]


# --------------------------------------------------------------------------- scoring


def test_each_part_is_scored_as_its_type(dbq):
    assert part_scores(dbq, RIGHT) == {"dbq-audience": 1.0, "dbq-corroborate": 1.0,
                                       "dbq-omission": 1.0}
    partial = RIGHT | {"dbq-corroborate": ["authority"], "dbq-omission": "support"}
    assert part_scores(dbq, partial) == {"dbq-audience": 1.0, "dbq-corroborate": 0.5,
                                         "dbq-omission": 0.0}
    # The set's score is the share of the parts' points (the written answer is by hand).
    assert score_answer(dbq, partial) == pytest.approx((1 + 0.5 * 2 + 0) / 4)
    assert score_answer(dbq, RIGHT) == 1.0
    assert score_answer(dbq, {}) == 0.0
    assert score_answer(dbq, {"nope": "x"}) == 0.0  # malformed, never raises
    assert score_answer(dbq, ["abroad"]) == 0.0


def test_a_part_without_partial_credit_is_all_or_nothing(tmp_path):
    q = sample_dbq_dict()
    q["parts"][1]["partial_credit"] = False
    write = tmp_path / "98-dbq.yml"
    write.write_text(yaml.safe_dump({"chapter": "98-dbq", "questions": [q]}), "utf-8")
    strict = load_bank(tmp_path, data=sample_data()).questions["dbq"]
    assert part_scores(strict, {"dbq-corroborate": ["authority"]})["dbq-corroborate"] == 0.0


# --------------------------------------------------------------------------- book HTML


def test_book_html_shows_documents_parts_and_self_assessment(dbq):
    from solidarity_course.quiz.html import GradedQuestionError, render_html

    page = render_html([dbq])
    for label in ("Document A", "Document B", "Document C", "Document D"):
        assert f">{label}</h3>" in page and f">{label}</a>" in page
    for doc in dbq.documents:
        assert doc.resolved.text[:60] in page  # verbatim text
        assert doc.resolved.provenance.split(" (")[0] in page
    assert "Foreign Languages Publishing House" in page  # the sourcing card
    assert page.count('<section class="scq" ') == 3
    assert "Question 1a" in page and "Question 1c" in page and "Question 1d" in page
    assert 'data-qtype="multiple_select"' in page
    assert "<textarea" in page and page.count('type="checkbox" id="scq-dbq-written-c') == 4
    assert "Your self-assessment: 0 of 5 points." in page
    assert "Show how historians answer it" in page and "McDermott" not in page.split(
        "scq-outline")[0]
    # Only what the page can check counts in the quiz total.
    assert "Score: 0 of 4" in page
    # Readers never see the documents' ids.
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "doc-a" not in visible and "t1-fraternal" not in visible
    graded = dbq.model_copy(update={"use": "graded"})
    with pytest.raises(GradedQuestionError):
        render_html([graded])


def test_book_preview_of_the_sample_set(tmp_path):
    """The one-page preview renders a document set through Sphinx like the book."""
    from test_quiz_sphinx import JUPYTER_BOOK  # noqa: F401  (the book's own tool exists)

    from solidarity_course.quiz.html import quiz_fragments

    fragments = quiz_fragments([load_bank(
        write_sample_dbq_bank(tmp_path).parent, data=sample_data()).questions["dbq"]])
    assert sum("Markdown" == type(f).__name__ for f in fragments) > 10


# --------------------------------------------------------------------------- widgets


def test_widgets_score_parts_and_tally_the_self_assessment(dbq):
    from solidarity_course.quiz.widgets import ChapterQuiz

    quiz = ChapterQuiz(questions=[dbq])
    box = quiz.document_set("dbq")
    assert box.documents.titles == ("Document A", "Document B", "Document C", "Document D")
    assert dbq.documents[1].resolved.text[:50] in box.documents.children[1].value
    assert quiz.score_label.value == "<b>Score: 0 of 4</b>"
    quiz["dbq-audience"].inputs.value = "abroad"
    quiz["dbq-corroborate"].inputs["authority"].value = True
    for qw in box.parts:
        qw.check_button.click()
    assert quiz.score == pytest.approx(1 + 0.5 * 2)
    assert quiz["dbq-corroborate"].feedback_text.startswith("Partly correct")
    written = box.written
    assert "0 of 5" in written.tally.value
    written.criteria[1].value = True
    written.criteria[3].value = True
    assert "Your self-assessment: 3 of 5 points." in written.tally.value
    assert written.outline.layout.display == "none"
    written.outline_button.click()
    assert written.outline.layout.display != "none" and "McDermott" not in written.outline.value
    assert "mcdermott1996" in written.outline.value
    written.text.value = "My answer."
    quiz.reset()
    assert quiz.score == 0 and "0 of 5" in written.tally.value
    assert written.outline.layout.display == "none" and written.text.value == "My answer."
    assert "scq-dbq" in quiz.static_html()


# --------------------------------------------------------------------------- nbgrader cells


def test_assignment_has_documents_parts_and_a_hand_graded_written_answer(bank, dbq):
    from solidarity_course.quiz.assignments import build_notebook

    nb = build_notebook(DBQ_CHAPTER, [dbq], None)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert ids[2] == "dbq-documents" and nb.cells[2].metadata["nbgrader"]["locked"]
    documents = nb.cells[2].source
    assert "#### Document A" in documents and "#### Document D" in documents
    assert "> " + dbq.documents[0].resolved.text[:40] in documents
    assert "(Vistinetsky 1957)" in documents and "{cite}" not in documents
    assert ids[3:7] == ["dbq-audience-prompt", "dbq-audience-answer", "dbq-audience-format",
                        "dbq-audience-test"]
    assert "answer_1a = None" in nb.cells[4].source and "answer_1c" in nb.cells[12].source
    assert ids[-2:] == ["dbq-written-rubric", "dbq-written"]
    written = nb.cells[-1].metadata["nbgrader"]
    assert written["grade"] and written["solution"] and written["points"] == 5
    assert nb.cells[-1].cell_type == "markdown"
    assert "Counter-evidence" in nb.cells[-2].source
    tests = [c for c in nb.cells if c.metadata["nbgrader"]["grade"] and c.cell_type == "code"]
    assert [c.metadata["nbgrader"]["points"] for c in tests] == [1, 2, 1]


def test_self_check_sets_join_the_chapter_assignment(tmp_path):
    from solidarity_course.quiz.assignments import generate

    folder = tmp_path / "bank"
    write_sample_dbq_bank(folder)
    written = generate(bank=load_bank(folder, data=sample_data()), out_dir=tmp_path / "out")
    assert [p.name for p in written] == [f"{DBQ_CHAPTER}.ipynb"]


# --------------------------------------------------------------------------- leak check


def test_leak_check_covers_a_graded_sets_parts_keys_and_explanations(bank):
    from solidarity_course.quiz.assignments import build_notebook
    from solidarity_course.quiz.leakcheck import find_leaks

    graded = bank.questions["g-dbq"]
    source = "\n".join(c.source for c in build_notebook("97-graded-dbq", [graded], None).cells)
    leaks = find_leaks(source, [graded])
    assert {leak.split(":")[0] for leak in leaks} >= {p.id for p in graded.parts}
    # An explanation alone (no key) is found too: the set's and a part's.
    for text, who in ((graded.explanation, "g-dbq"), (graded.parts[2].explanation,
                                                      "g-dbq-omission")):
        plain = re.sub(r"\{cite\}`[^`]*`", "", text)
        assert any(leak.startswith(f"{who}: explanation") for leak in find_leaks(plain, [graded]))
    # The released text (no hidden tests, no solutions) is clean.
    released = "\n".join(c.source for c in build_notebook("97-graded-dbq", [graded], None).cells
                         if not c.metadata["nbgrader"]["grade"] or c.cell_type == "markdown")
    released = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", released, flags=re.S)
    assert find_leaks(released, [graded]) == []
    # A self-check set's keys are public in the book: not a leak.
    assert find_leaks(source.replace("g-dbq", "dbq"), [bank.questions["dbq"]]) == [
        "marker 'BEGIN SOLUTION'", "marker 'BEGIN HIDDEN TESTS'",
        "marker 'solidarity_course.quiz.grading'"]


def test_site_scanner_needles_cover_a_graded_sets_parts(tmp_path):
    from test_site_answers import graded_needles

    write_sample_dbq_bank(tmp_path, use="graded")
    needles = graded_needles(load_bank(tmp_path, data=sample_data()))
    questions = {n.question for n in needles}
    assert {"g-dbq", "g-dbq-audience", "g-dbq-corroborate", "g-dbq-omission"} <= questions
    kinds = {(n.question, n.kind) for n in needles}
    assert ("g-dbq-corroborate", "answer key") in kinds
    assert ("g-dbq", "explanation/feedback") in kinds


# --------------------------------------------------------------------------- LMS exports


@pytest.fixture(scope="module")
def exports(bank, tmp_path_factory):
    from solidarity_course.lms.bank_export import export_bank

    out = tmp_path_factory.mktemp("dbq-lms")
    return {fmt: export_bank(fmt, out / f"bank.{fmt}", chapters=[DBQ_CHAPTER], bank=bank,
                             data=sample_data()) for fmt in ("qti", "moodle", "gift")}


def test_lms_exports_a_description_the_parts_and_an_essay(dbq, exports):
    for result in exports.values():
        assert result.counts == {"document_set": 1, "single_choice": 2, "multiple_select": 1,
                                 "essay": 1}
        assert result.skipped == []
    root = ET.parse(exports["moodle"].path).getroot()
    types = {q.findtext("idnumber"): q.get("type") for q in root.findall("question")
             if q.get("type") != "category"}
    assert types == {"dbq": "description", "dbq-audience": "multichoice",
                     "dbq-corroborate": "multichoice", "dbq-omission": "multichoice",
                     "dbq-written": "essay"}
    desc = next(q for q in root.findall("question") if q.findtext("idnumber") == "dbq")
    text = desc.findtext("questiontext/text")
    assert "Document D" in text and dbq.documents[3].resolved.text[:40] in text
    assert desc.findtext("defaultgrade") == "0"
    essay = next(q for q in root.findall("question") if q.findtext("idnumber") == "dbq-written")
    info = essay.findtext("graderinfo/text")
    assert "Counter-evidence" in info and "(McDermott and Agnew 1996)" in info
    assert essay.findtext("defaultgrade") == "5"
    with zipfile.ZipFile(exports["qti"].path) as archive:
        qti = archive.read(f"{DBQ_CHAPTER}/{DBQ_CHAPTER}.xml").decode()
    assert qti.count("text_only_question") == 1 and qti.count("essay_question") == 1
    gift = {q.title: q for q in gift_reader.parse(exports["gift"].path.read_text("utf-8"))}
    assert gift["dbq"].description and "Document A" in gift["dbq"].text
    assert [a.mark for a in gift["dbq-audience"].answers] == ["=", "~", "~"]
    assert "Rubric" in gift["dbq-written"].general_feedback


# --------------------------------------------------------------------------- item analysis


def test_item_analysis_groups_the_parts_and_the_written_answer(dbq):
    from solidarity_course.instructor.itemstats import ItemInput, analyse
    from solidarity_course.instructor.keys import GradedQuestion
    from solidarity_course.instructor.report import _group

    graded = [GradedQuestion(p, f"{p.id}-test", f"{p.id}-answer", f"answer_1{c}")
              for p, c in zip(dbq.parts, "abc", strict=True)]
    assert _group("dbq-audience-test", graded) == "dbq"
    assert _group("dbq-written", graded) == "dbq"
    assert _group("99-sample-essay", graded) == ""
    students = ["s1", "s2", "s3", "s4"]
    items = [ItemInput("q1", 1, [1, 0, 1, 0]),
             ItemInput("dbq-audience", 1, [1, 1, 0, 0], dbq.parts[0],
                       ["abroad", "abroad", "historians", None], group="dbq"),
             ItemInput("dbq-corroborate", 2, [2, 1, 1, 0], dbq.parts[1], [
                 ["authority", "reasons"], ["authority"], ["reasons"], []], group="dbq"),
             ItemInput("dbq-written", 5, [4, 3, 2, 1], group="dbq", hand_graded=True)]
    stats = analyse(students, items)
    (group,) = stats.groups()
    assert group.items == ["dbq-audience", "dbq-corroborate", "dbq-written"]
    assert group.max_points == 8 and group.mean == pytest.approx(0.5 + 1 + 2.5)
    assert group.facility == pytest.approx(4 / 8)
    by_item = {i.item: i for i in stats.items}
    assert by_item["dbq-written"].hand_graded and by_item["dbq-written"].options == []
    assert [o.count for o in by_item["dbq-audience"].options][:3] == [2, 0, 1]
    from solidarity_course.instructor.report import AssignmentData, Section, csv_files, render_page

    data = AssignmentData("98-dbq", students, items)
    page = render_page([Section(data, stats, [])])
    assert "Document-based questions" in page and "(part of document set dbq)" in page
    rows = csv_files(data, stats)["98-dbq-items.csv"].splitlines()
    assert rows[0].endswith(",document_set,graded")
    assert rows[-1].startswith("dbq-written,") and rows[-1].endswith(",dbq,by hand")


# --------------------------------------------------------------------------- instructor keys


def test_instructor_edition_prints_every_parts_key_and_the_rubric(dbq):
    from solidarity_course.edition.keys import quiz_keys

    text = quiz_keys([dbq])
    assert "document-based question, self-check, 9 points" in text
    assert "*Key:* Readers outside the USSR" in text
    assert "Counter-evidence" in text and "Document D: attributed to" in text


def test_auto_questions_replaces_a_set_by_its_parts(bank):
    flat = auto_questions(bank.questions.values())
    assert [q.id for q in flat] == ["g-dbq-audience", "g-dbq-corroborate", "g-dbq-omission",
                                    "dbq-audience", "dbq-corroborate", "dbq-omission"]
    assert copy.deepcopy(flat[0]) == flat[0]
