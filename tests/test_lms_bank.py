"""``course-grade bank``: every export read back by an independent reader, question by question.

QTI and Moodle XML are read with ``xml.etree``; GIFT with the strict reader in
``tests/gift_reader.py`` (no maintained GIFT parser installs from PyPI).
"""

from __future__ import annotations

import html
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from solidarity_course.instructor.cli import main
from solidarity_course.lms.bank_export import export_bank
from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.devices import default_data
from solidarity_course.quiz.model import DocumentSet, auto_questions

sys.path.insert(0, str(Path(__file__).parent))
import gift_reader  # noqa: E402

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
MANIFEST = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
CANVAS_TYPE = {"single_choice": "multiple_choice_question",
               "spot_device": "multiple_choice_question",
               "multiple_select": "multiple_answers_question",
               "matching": "matching_question", "ordering": "matching_question",
               "numeric": "numerical_question", "short_text": "short_answer_question",
               "essay": "essay_question", "document_set": "text_only_question"}
MOODLE_TYPE = {"single_choice": "multichoice", "spot_device": "multichoice",
               "multiple_select": "multichoice", "matching": "matching",
               "ordering": "matching", "numeric": "numerical", "short_text": "shortanswer",
               "essay": "essay", "document_set": "description"}
HOSTILE = "<script>alert(1)</script> & {x} ~=#: \\ end"


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def bank_text(markdown: str) -> str:
    """A bank text as a reader sees it, emphasis marks dropped."""
    return " ".join(re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", markdown).split())


@pytest.fixture(scope="module")
def bank():
    return load_bank(data=default_data())


@pytest.fixture(scope="module")
def exports(bank, tmp_path_factory):
    out = tmp_path_factory.mktemp("bank")
    results = {}
    for fmt, name in (("qti", "bank.zip"), ("moodle", "bank.xml"), ("gift", "bank.gift")):
        results[fmt] = export_bank(fmt, out / name, bank=bank, data=default_data())
    return results


def document_sets(bank) -> list[DocumentSet]:
    return [q for q in bank.questions.values() if isinstance(q, DocumentSet)]


def expected_counts(bank) -> Counter:
    """Exported items by kind: a document set is a description, its parts, an essay."""
    counts = Counter(q.type for q in auto_questions(bank.questions.values()))
    counts["essay"] = len(bank.essays) + len(document_sets(bank))
    if document_sets(bank):
        counts["document_set"] = len(document_sets(bank))
    return counts


def key_of(q):
    return q.key_literal()


# --------------------------------------------------------------------------- QTI


def qti_items(path: Path) -> dict[str, tuple[str, ET.Element]]:
    """``{question id: (chapter, item)}`` of every assessment the manifest names."""
    with zipfile.ZipFile(path) as archive:
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        assert manifest.tag == f"{MANIFEST}manifest"
        resources = manifest.findall(f"{MANIFEST}resources/{MANIFEST}resource")
        items = {}
        for res in resources:
            assert res.get("type") == "imsqti_xmlv1p2"
            href = res.get("href")
            assert res.find(f"{MANIFEST}file").get("href") == href
            root = ET.fromstring(archive.read(href))
            assert root.tag == f"{QTI}questestinterop"
            assessment = root.find(f"{QTI}assessment")
            assert assessment.get("ident") == res.get("identifier")
            for item in assessment.iter(f"{QTI}item"):
                assert item.get("ident") not in items
                items[item.get("ident")] = (res.get("identifier"), item)
        listed = {r.get("href") for r in resources} | {"imsmanifest.xml"}
        assert listed == set(archive.namelist())
    return items


def qti_meta(item: ET.Element) -> dict[str, str]:
    fields = item.findall(f"{QTI}itemmetadata/{QTI}qtimetadata/{QTI}qtimetadatafield")
    return {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in fields}


def qti_scoring_conditions(item: ET.Element) -> list[ET.Element]:
    return [c for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None]


def test_qti_package_has_every_question_of_every_chapter(bank, exports):
    items = qti_items(exports["qti"].path)
    assert {chapter for chapter, _ in items.values()} == set(bank.chapters)
    counts = Counter(qti_meta(item)["question_type"] for _c, item in items.values())
    expected = Counter()
    for kind, n in expected_counts(bank).items():
        expected[CANVAS_TYPE[kind]] += n
    assert counts == expected
    assert exports["qti"].counts == dict(expected_counts(bank))
    assert exports["qti"].skipped == []


def test_qti_questions_match_the_bank(bank, exports):
    items = qti_items(exports["qti"].path)
    for q in auto_questions(bank.questions.values()):
        chapter, item = items[q.id]
        assert chapter == q.chapter
        meta = qti_meta(item)
        assert float(meta["points_possible"]) == q.points
        prompt = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        assert bank_text(q.prompt)[:40] in plain(prompt), q.id
        scoring = qti_scoring_conditions(item)
        if q.type in ("single_choice", "spot_device", "multiple_select"):
            labels = item.findall(f".//{QTI}response_label")
            assert [lab.get("ident") for lab in labels] == q.option_ids()
            texts = [plain(lab.find(f".//{QTI}mattext").text) for lab in labels]
            assert texts == [bank_text(o.text) for o in q.options]
            (full,) = scoring
            if q.type == "multiple_select":
                right = {v.text for v in full.findall(f"{QTI}conditionvar/{QTI}and/{QTI}varequal")}
                wrong = {v.text for v in full.findall(
                    f"{QTI}conditionvar/{QTI}and/{QTI}not/{QTI}varequal")}
                assert right == set(q.answer) and wrong == set(q.option_ids()) - set(q.answer)
            else:
                assert full.findtext(f".//{QTI}varequal") == q.answer
            fb = {f.get("ident") for f in item.findall(f"{QTI}itemfeedback")}
            assert {f"{o.id}_fb" for o in q.options if o.feedback} <= fb
        elif q.type in ("matching", "ordering"):
            lids = item.findall(f"{QTI}presentation/{QTI}response_lid")
            assert [lid.get("ident") for lid in lids] == [f"response_{i}" for i in q.item_ids()]
            if q.type == "matching":
                expected = {i: bank_text(next(o.text for o in q.options if o.id == q.answer[i]))
                            for i in q.item_ids()}
            else:
                expected = {i: f"Position {k}" for k, i in enumerate(q.answer, 1)}
            total = 0.0
            for lid, cond in zip(lids, scoring, strict=True):
                labels = {lab.get("ident"): lab.findtext(f".//{QTI}mattext")
                          for lab in lid.iter(f"{QTI}response_label")}
                var = cond.find(f".//{QTI}varequal")
                assert var.get("respident") == lid.get("ident")
                assert labels[var.text] == expected[lid.get("ident").removeprefix("response_")]
                total += float(cond.findtext(f"{QTI}setvar"))
            assert total == pytest.approx(100, abs=0.01)
        elif q.type == "numeric":
            (cond,) = scoring
            assert float(cond.findtext(f".//{QTI}varequal")) == q.answer
            assert float(cond.findtext(f".//{QTI}vargte")) == pytest.approx(q.answer - q.tolerance)
            assert float(cond.findtext(f".//{QTI}varlte")) == pytest.approx(q.answer + q.tolerance)
        elif q.type == "short_text":
            (cond,) = scoring
            assert set(q.accepted) <= {v.text for v in cond.iter(f"{QTI}varequal")}
        general = item.find(f"{QTI}itemfeedback[@ident='general_fb']")
        assert bank_text(q.explanation.split("{cite")[0])[:30].strip() in plain(
            general.findtext(f".//{QTI}mattext")), q.id


# --------------------------------------------------------------------------- Moodle XML


def moodle_questions(path: Path) -> dict[str, tuple[str, ET.Element]]:
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"
    category, out = None, {}
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text").rsplit("/", 1)[1]
            continue
        assert category is not None, "a question before the first category"
        ident = question.findtext("idnumber")
        assert question.findtext("name/text") == ident and ident not in out
        out[ident] = (category, question)
    return out


def test_moodle_file_has_one_category_per_chapter_and_every_question(bank, exports):
    questions = moodle_questions(exports["moodle"].path)
    categories = [q.findtext("category/text") for q in
                  ET.parse(exports["moodle"].path).getroot().findall("question[@type='category']")]
    assert [c.rsplit("/", 1)[1] for c in categories] == sorted(bank.chapters)
    counts = Counter(q.get("type") for _c, q in questions.values())
    expected = Counter()
    for kind, n in expected_counts(bank).items():
        expected[MOODLE_TYPE[kind]] += n
    assert counts == expected


def test_moodle_questions_match_the_bank(bank, exports):
    questions = moodle_questions(exports["moodle"].path)
    for q in auto_questions(bank.questions.values()):
        chapter, xml = questions[q.id]
        assert chapter == q.chapter and xml.get("type") == MOODLE_TYPE[q.type]
        assert float(xml.findtext("defaultgrade")) == q.points
        assert bank_text(q.prompt)[:40] in plain(xml.findtext("questiontext/text"))
        assert plain(xml.findtext("generalfeedback/text"))
        answers = xml.findall("answer")
        if q.type in ("single_choice", "spot_device", "multiple_select"):
            assert xml.findtext("single") == ("false" if q.type == "multiple_select" else "true")
            assert [plain(a.findtext("text")) for a in answers] == [
                bank_text(o.text) for o in q.options]
            fractions = [float(a.get("fraction")) for a in answers]
            key = set(q.answer) if q.type == "multiple_select" else {q.answer}
            assert [f > 0 for f in fractions] == [o.id in key for o in q.options]
            assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=0.001)
            if q.type == "multiple_select":  # (right - wrong) / correct, floored by Moodle
                assert all(f == pytest.approx(-100 / len(key), abs=0.001)
                           for f in fractions if f <= 0)
            for a, o in zip(answers, q.options, strict=True):
                assert plain(a.findtext("feedback/text")) == bank_text(o.feedback)
        elif q.type in ("matching", "ordering"):
            subs = [(plain(s.findtext("text")), s.findtext("answer/text"))
                    for s in xml.findall("subquestion")]
            pairs = [s for s in subs if s[0]]
            if q.type == "matching":
                text = {o.id: bank_text(o.text) for o in q.options}
                assert pairs == [(bank_text(i.text), text[q.answer[i.id]]) for i in q.items]
                used = {q.answer[i] for i in q.item_ids()}
                assert sorted(a for t, a in subs if not t) == sorted(
                    text[o] for o in q.option_ids() if o not in used)
            else:
                pos = {i: k for k, i in enumerate(q.answer, 1)}
                assert pairs == [(bank_text(i.text), f"Position {pos[i.id]}") for i in q.items]
        elif q.type == "numeric":
            (a,) = answers
            assert float(a.findtext("text")) == q.answer
            assert float(a.findtext("tolerance")) == q.tolerance
        elif q.type == "short_text":
            assert xml.findtext("usecase") == "0"
            assert set(q.accepted) <= {a.findtext("text") for a in answers}
            assert all(a.get("fraction") == "100" for a in answers)
    for chapter, essay in bank.essays.items():
        _c, xml = questions[f"{chapter}-essay"]
        assert float(xml.findtext("defaultgrade")) == essay.points
        info = plain(xml.findtext("graderinfo/text"))
        assert all(bank_text(c.criterion)[:30] in info for c in essay.rubric)


# --------------------------------------------------------------------------- GIFT


def test_gift_file_reads_back_question_by_question(bank, exports):
    questions = gift_reader.parse(exports["gift"].path.read_text(encoding="utf-8"))
    by_title = {q.title: q for q in questions}
    assert len(by_title) == len(questions) == sum(expected_counts(bank).values())
    assert {q.category.rsplit("/", 1)[1] for q in questions} == set(bank.chapters)
    for q in auto_questions(bank.questions.values()):
        g = by_title[q.id]
        assert g.category.endswith("/" + q.chapter) and g.format == "html"
        assert bank_text(q.prompt)[:40] in plain(g.text)
        assert plain(g.general_feedback)
        if q.type in ("single_choice", "spot_device"):
            assert [plain(a.text) for a in g.answers] == [bank_text(o.text) for o in q.options]
            assert [a.mark == "=" for a in g.answers] == [o.id == q.answer for o in q.options]
        elif q.type == "multiple_select":
            weights = [a.weight for a in g.answers]
            assert [w > 0 for w in weights] == [o.id in q.answer for o in q.options]
            assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=0.001)
        elif q.type == "matching":
            text = {o.id: bank_text(o.text) for o in q.options}
            assert [(plain(a.text), a.match) for a in g.answers] == [
                (bank_text(i.text), text[q.answer[i.id]]) for i in q.items]
        elif q.type == "ordering":
            pos = {i: k for k, i in enumerate(q.answer, 1)}
            assert [(plain(a.text), a.match) for a in g.answers] == [
                (bank_text(i.text), f"Position {pos[i.id]}") for i in q.items]
        elif q.type == "numeric":
            assert g.numeric and (g.number, g.tolerance) == (q.answer, q.tolerance)
        elif q.type == "short_text":
            assert set(q.accepted) <= {a.text for a in g.answers}
    for chapter in bank.essays:
        essay = by_title[f"{chapter}-essay"]
        assert essay.answers == [] and "Rubric" in essay.general_feedback


def test_citations_become_readable_text_everywhere(bank, exports):
    from solidarity_course.bibliography import cited_keys, short_reference
    from solidarity_course.lms.exportable import BIB_PATH

    q = next(q for q in bank.questions.values() if cited_keys(q.explanation))
    label = short_reference(sorted(cited_keys(q.explanation))[0], BIB_PATH)
    with zipfile.ZipFile(exports["qti"].path) as archive:
        qti_text = b"".join(archive.read(n) for n in archive.namelist()).decode()
    texts = [qti_text, exports["moodle"].path.read_text(), exports["gift"].path.read_text()]
    for text in texts:
        assert "{cite" not in text and "cite\\}" not in text
        assert label in html.unescape(text)


# --------------------------------------------------------------------------- hostile text, skips

HOSTILE_BANK = """
chapter: 99-test
essay:
  prompt: "Essay {x} <b>bold</b>"
  rubric: [{criterion: "Uses ~ and = well", points: 2}]
questions:
  - id: hostile-choice
    type: single_choice
    use: graded
    objective: o
    prompt: '%(h)s'
    options:
      - {id: a, text: '%(h)s', feedback: '%(h)s'}
      - {id: b, text: 'plain'}
    answer: a
    explanation: '%(h)s'
  - id: hostile-short
    type: short_text
    use: graded
    objective: o
    prompt: 'Type {this}'
    accepted: ['a=b', 'c#d']
    explanation: e
  - id: strict-match
    type: matching
    use: graded
    objective: o
    prompt: p
    partial_credit: false
    items: [{id: x, text: X}, {id: y, text: Y}]
    options: [{id: p, text: P}, {id: q, text: Q}]
    answer: {x: p, y: q}
    explanation: e
  - id: unresolved-spot
    type: spot_device
    use: graded
    objective: o
    prompt: p
    annotation: {id: a1}
    explanation: e
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "99-test.yml").write_text(HOSTILE_BANK % {"h": HOSTILE.replace("'", "''")},
                                        encoding="utf-8")
    bank = load_bank(folder)  # no course data: the spot question stays unresolved
    return bank, {fmt: export_bank(fmt, folder / f"out.{fmt}", bank=bank)
                  for fmt in ("qti", "moodle", "gift")}


def test_hostile_text_is_escaped_in_every_format(hostile):
    _bank, results = hostile
    items = qti_items(results["qti"].path)
    _c, item = items["hostile-choice"]
    prompt = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
    assert "<script" not in prompt and "&lt;script&gt;" in prompt
    assert plain(prompt) == " ".join(HOSTILE.split())
    questions = moodle_questions(results["moodle"].path)
    _c, xml = questions["hostile-choice"]
    for text in (xml.findtext("questiontext/text"), xml.findtext("answer/text"),
                 xml.findtext("answer/feedback/text"), xml.findtext("generalfeedback/text")):
        assert "<script" not in text and plain(text) == " ".join(HOSTILE.split())
    gift = {q.title: q for q in gift_reader.parse(results["gift"].path.read_text())}
    g = gift["hostile-choice"]  # the strict reader refuses any unescaped ~ = # { } :
    assert "<script" not in g.text and plain(g.text) == " ".join(HOSTILE.split())
    assert plain(g.answers[0].text) == plain(g.answers[0].feedback) == " ".join(HOSTILE.split())
    assert {a.text for a in gift["hostile-short"].answers} >= {"a=b", "c#d"}
    assert plain(gift["99-test-essay"].text) == "Essay {x} <b>bold</b>"


def test_questions_a_format_cannot_express_are_listed_with_the_reason(hostile, tmp_path, capsys):
    bank, results = hostile
    for result in results.values():
        reasons = {s.id: s.reason for s in result.skipped}
        assert set(reasons) == {"strict-match", "unresolved-spot"}
        assert "partial credit" in reasons["strict-match"]
        assert "course data" in reasons["unresolved-spot"]
        assert result.counts == {"single_choice": 1, "short_text": 1, "essay": 1}
    items = qti_items(results["qti"].path)
    assert set(items) == {"hostile-choice", "hostile-short", "99-test-essay"}


def test_cli_writes_every_chapter_and_reports(tmp_path, capsys):
    out = tmp_path / "bank.gift"
    assert main(["bank", "--format", "gift", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out} (gift;" in printed and "ordering written as matching" in printed
    assert len(gift_reader.parse(out.read_text())) > 50
    assert main(["bank", "no-such-chapter", "--format", "qti", "-o", str(tmp_path / "x.zip")]) == 2
    assert "no chapter no-such-chapter" in capsys.readouterr().err


def test_prompts_state_the_unit_and_the_partial_credit_rule_each_lms_applies(bank, exports):
    from solidarity_course.lms.qti import CANVAS_MULTI_RULE

    items = qti_items(exports["qti"].path)
    moodle = moodle_questions(exports["moodle"].path)
    for q in auto_questions(bank.questions.values()):
        qti_prompt = plain(items[q.id][1].find(
            f"{QTI}presentation/{QTI}material/{QTI}mattext").text)
        moodle_prompt = plain(moodle[q.id][1].findtext("questiontext/text"))
        if q.type == "numeric" and q.unit:
            assert f"in {q.unit}." in qti_prompt and f"in {q.unit}." in moodle_prompt
        if q.type == "multiple_select":  # Canvas applies its own rule, and says so
            assert CANVAS_MULTI_RULE in qti_prompt and q.partial_rule not in qti_prompt
            assert q.partial_rule in moodle_prompt
        elif q.partial_rule:
            assert q.partial_rule in qti_prompt and q.partial_rule in moodle_prompt
        else:
            assert "Partial credit" not in qti_prompt + moodle_prompt


POOLED_BANK = """
chapter: 98-pools
questions:
  - {id: lone, type: numeric, use: graded, objective: o, prompt: 'How many?', answer: 3,
     explanation: e}
  - id: pa
    type: single_choice
    use: graded
    pool: years
    points: 2
    objective: o
    prompt: 'Year A?'
    options: [{id: a, text: '1917'}, {id: b, text: '1905'}]
    answer: a
    explanation: e
  - id: pb
    type: single_choice
    use: graded
    pool: years
    points: 2
    objective: o
    prompt: 'Year B?'
    options: [{id: a, text: '1919'}, {id: b, text: '1921'}]
    answer: a
    explanation: e
"""


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pooled")
    (folder / "98-pools.yml").write_text(POOLED_BANK, encoding="utf-8")
    bank = load_bank(folder)
    return {fmt: export_bank(fmt, folder / f"out.{fmt}", bank=bank, title="T")
            for fmt in ("qti", "moodle", "gift")}


def test_a_pool_becomes_a_canvas_question_group_that_gives_one(pooled):
    with zipfile.ZipFile(pooled["qti"].path) as archive:
        root = ET.fromstring(archive.read("98-pools/98-pools.xml"))
    top = root.find(f"{QTI}assessment/{QTI}section")
    assert [i.get("ident") for i in top.findall(f"{QTI}item")] == ["lone"]
    [group] = top.findall(f"{QTI}section")
    assert group.get("title") == "years"
    selection = group.find(f"{QTI}selection_ordering/{QTI}selection")
    assert selection.findtext(f"{QTI}selection_number") == "1"
    assert selection.findtext(f"{QTI}selection_extension/{QTI}points_per_item") == "2"
    assert [i.get("ident") for i in group.findall(f"{QTI}item")] == ["pa", "pb"]
    assert any("question group" in n.reason for n in pooled["qti"].notes if n.id == "pa")


def test_a_pool_becomes_a_moodle_and_gift_category_of_its_own(pooled):
    current, placed = None, {}
    for question in ET.parse(pooled["moodle"].path).getroot().findall("question"):
        if question.get("type") == "category":
            current = question.findtext("category/text")
        else:
            placed[question.findtext("idnumber")] = current
    assert placed == {"lone": "$course$/top/T/98-pools",
                      "pa": "$course$/top/T/98-pools/pool years",
                      "pb": "$course$/top/T/98-pools/pool years"}
    gift = pooled["gift"].path.read_text(encoding="utf-8")
    pool_at = gift.index("$CATEGORY: $course$/top/T/98-pools/pool years")
    assert gift.index("How many?") < pool_at < gift.index("Year A?") < gift.index("Year B?")
    assert any("random question" in n.reason for n in pooled["moodle"].notes if n.id == "pb")
