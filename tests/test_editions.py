"""The instructor edition has every note and key; the student edition has none.

Fast tests check the notes themselves (one per chapter with questions, the
required sections, citations that resolve) and the generated keys; the site
tests build the instructor edition beside the session's student build (sharing
its execution cache) and scan both.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from leaks import key_needles, leaks_in_text, note_needles
from test_site_answers import find_leaks

from solidarity_course.bibliography import bib_keys, cited_keys
from solidarity_course.edition.build import build_instructor
from solidarity_course.edition.keys import answer_text, chapter_claims, instructor_section
from solidarity_course.edition.sphinx import NOTES_DIR, _append_instructor_section, notes_body
from solidarity_course.paths import COURSE_ROOT
from solidarity_course.printing.book import print_book
from solidarity_course.printing.chromium import page_texts
from solidarity_course.printing.toc import toc_pages
from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.devices import default_data

SECTIONS = ("## Timing", "## Discussion prompts", "## Common misconceptions",
            "## Where students struggle")


@pytest.fixture(scope="module")
def bank():
    return load_bank(data=default_data())


def chapters_with_questions(bank):
    names = {p.name for p in toc_pages()}
    return sorted(c for c in {q.chapter for q in bank.questions.values()} | set(bank.essays)
                  if c in names)


def test_every_chapter_with_questions_has_teaching_notes_with_all_sections(bank):
    for chapter in chapters_with_questions(bank):
        path = COURSE_ROOT / NOTES_DIR / f"{chapter}.md"
        assert path.exists(), f"no teaching notes for {chapter}"
        text = path.read_text(encoding="utf-8")
        for section in SECTIONS:
            assert section in text, f"{chapter}: missing {section}"
        assert "50-minute" in text and "90-minute" in text, chapter
        if chapter in bank.essays:
            assert "## Essay: model answer outline" in text, chapter


def test_notes_cite_only_works_in_the_bibliography():
    known = bib_keys(COURSE_ROOT / "references.bib")
    for path in sorted((COURSE_ROOT / NOTES_DIR).glob("*.md")):
        cited = cited_keys(path.read_text(encoding="utf-8"))
        assert cited, f"{path.name} cites nothing"
        assert cited <= known, f"{path.name}: unknown keys {cited - known}"


def test_notes_body_drops_the_title_and_nests_headings():
    body = notes_body("# Teaching notes: x\n\n## Timing\n\ntext\n\n### Detail\n")
    assert body.startswith("#### Timing") and "##### Detail" in body
    assert "Teaching notes: x" not in body


def test_keys_state_each_answer_in_words(bank):
    q = bank.questions["oct-aurora"]
    assert answer_text(q) == "One gun fired a single blank shot, at about 21:40, as a signal"
    order = answer_text(bank.questions["oct-timeline"])
    assert order.startswith("(1) The Second Congress of Soviets") and "(4) Lenin writes" in order
    matching = answer_text(bank.questions["oct-verdicts"])
    assert "disguised as a woman. → *false*" in matching


def test_instructor_section_has_notes_keys_rubric_and_claims(bank):
    source = (COURSE_ROOT / "chapters" / "02-october-1917.md").read_text(encoding="utf-8")
    section = instructor_section("02-october-1917", source, "NOTES-HERE", bank)
    assert "NOTES-HERE" in section
    for q in bank.chapter("02-october-1917"):
        assert re.sub(r"\s+", " ", q.explanation.strip())[:40] in section, q.id
    assert "Essay rubric" in section and "Kerensky's own account" in section
    assert 'data-claim-id="c04"' in section and 'data-claim-id="c13"' in section
    assert set(chapter_claims("02-october-1917", source)) >= {"c01", "c04", "c200"}


class _App:
    """The parts of a Sphinx application the edition extension reads (weak-referenceable,
    as the quiz extension keeps one bank per application)."""

    def __init__(self, edition: str):
        self.config = SimpleNamespace(course_edition=edition)
        self.srcdir = str(COURSE_ROOT)
        self.env = SimpleNamespace(note_dependency=lambda path: None)


def _app(edition: str):
    from solidarity_course.sphinx import quiz

    app = _App(edition)
    quiz._BANKS[app] = load_bank(data=default_data())
    return app


def test_student_edition_leaves_chapters_untouched():
    source = ["# 2. October\n"]
    _append_instructor_section(_app("student"), "chapters/02-october-1917", source)
    assert source == ["# 2. October\n"]
    _append_instructor_section(_app("instructor"), "chapters/02-october-1917", source)
    assert "## For instructors" in source[0] and "### Teaching notes" in source[0]


@pytest.fixture(scope="module")
def instructor_dir(html_dir):
    output = html_dir.parent.parent
    assert build_instructor(COURSE_ROOT, output) == 0
    return output / "_build" / "instructor" / "html"


def test_instructor_site_contains_every_note_and_key(instructor_dir):
    text = "\n".join(p.read_text("utf-8") for p in (instructor_dir / "chapters").glob("*.html"))
    # Keys are stated in words there (see test_keys_state_each_answer_in_words), not as JSON.
    needles = note_needles() + [
        n for n in key_needles(self_check=True) if n.kind not in ("question id", "answer key")
    ]
    found = set(leaks_in_text(text, needles))
    missing = [n for n in needles if not any(f.endswith(n.text[:50]) for f in found)]
    assert missing == []


def test_student_site_contains_no_note(html_dir):
    assert find_leaks(html_dir, note_needles()) == []


def test_instructor_pdf_has_the_notes_and_says_what_it_is(instructor_dir, tmp_path):
    pdf = print_book(instructor_dir, tmp_path, edition="instructor")
    text = " ".join(page_texts(pdf))
    assert "Instructor edition" in text.split("Contents")[0]
    assert text.count("For instructors") >= 7
    assert leaks_in_text(text, note_needles())  # the notes are printed


def test_exercise_keys_name_each_excerpt_by_its_source_and_place_not_its_id():
    from solidarity_course.edition.keys import exercise_keys
    from solidarity_course.quiz.devices import excerpt_reference

    source = (COURSE_ROOT / "chapters" / "01-reading-sources.md").read_text(encoding="utf-8")
    spotted = re.findall(r"DeviceSpotter\(\s*[\"']([^\"']+)[\"']", source)
    keys = exercise_keys(source)
    assert spotted
    for excerpt_id in spotted:
        assert excerpt_id not in keys
        assert f"**Spotting the devices ({excerpt_reference(excerpt_id)}).**" in keys
