"""Paper editions: source packets, printable widgets, the printed book, no keys on paper.

The packet tests print every chapter's packet with Chromium and read it back with
poppler's ``pdftotext``: every excerpt of the chapter must be there word for
word (line numbers and line breaks removed), in 2 to 6 pages, with no verdict,
record, key or teaching note.  The book tests print the session's built book.
"""

from __future__ import annotations

import re

import pytest
from leaks import key_needles, leaks_in_text, note_needles

from solidarity_course.data import load_table
from solidarity_course.printing.book import print_book
from solidarity_course.printing.chromium import page_count, page_texts, print_pdf
from solidarity_course.printing.packets import chapter_excerpt_ids, packet_html
from solidarity_course.printing.toc import toc_pages
from solidarity_course.printing.widgets import printable_widget
from solidarity_course.quiz.devices import excerpt_place
from solidarity_course.render import displayed_text

_LINE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$", re.MULTILINE)
_PAGE_FOOT = re.compile(r"^[ \t]*Page \d+[ \t]*$", re.MULTILINE)


def plain(text: str) -> str:
    """PDF or excerpt text with typography, line and page numbers and line breaks normalised."""
    text = _PAGE_FOOT.sub(" ", _LINE_NUMBER.sub(" ", text))
    for fancy, simple in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("\u00ad", "")):
        text = text.replace(fancy, simple)
    return " ".join(text.split())


def chapters_with_packets():
    excerpts = load_table("excerpts").set_index("id")
    return [p for p in toc_pages() if chapter_excerpt_ids(p, excerpts)]


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    """Every packet printed: {chapter: (pdf path, text of each page)}."""
    folder = tmp_path_factory.mktemp("packets")
    printed = {}
    for page in chapters_with_packets():
        html = folder / f"{page.name}.html"
        html.write_text(packet_html(page), encoding="utf-8")
        pdf = print_pdf(html, html.with_suffix(".pdf"))
        printed[page.name] = (pdf, page_texts(pdf))
    return printed


def test_every_chapter_with_excerpts_has_a_packet(packets):
    assert set(packets) == {p.name for p in chapters_with_packets()}
    assert {"02-october-1917", "05-ww2-memory"} <= set(packets)


def test_packet_holds_every_excerpt_of_its_chapter_verbatim(packets):
    excerpts = load_table("excerpts").set_index("id")
    missing = []
    for page in chapters_with_packets():
        text = plain(" ".join(packets[page.name][1]))
        for excerpt_id in chapter_excerpt_ids(page, excerpts):
            if plain(displayed_text(excerpts.loc[excerpt_id, "text"])) not in text:
                missing.append(f"{page.name}: {excerpt_id}")
    assert missing == []


def test_packets_are_two_to_six_pages_with_cards_and_questions(packets):
    for name, (pdf, pages) in packets.items():
        assert 2 <= page_count(pdf) <= 6, f"{name}: {page_count(pdf)} pages"
        text = plain(" ".join(pages))
        assert "Intended audience" in text and "Purpose" in text, name
        assert "Sourcing" in text and "Corroboration" in text, name
        assert _PAGE_FOOT.findall(" \n".join(pages))[:2] == ["Page 1", "Page 2"], name


def test_packets_print_no_verdict_key_or_note(packets):
    claims = load_table("claims")
    records = [r for r in claims["record"] if len(r) > 60]
    needles = note_needles() + key_needles(self_check=True)
    for name, (_, pages) in packets.items():
        text = " ".join(pages)
        assert leaks_in_text(text, needles) == [], name
        flat = plain(text)
        assert [r[:60] for r in records if plain(r) in flat] == [], name


def test_each_packet_document_says_where_it_stands_in_its_source():
    """As a reader counts (the source's section, or paragraphs from 1), not the data's index."""
    excerpts = load_table("excerpts").set_index("id")
    for page in chapters_with_packets():
        text = packet_html(page)
        places = re.findall(r"\((paragraph \d+|section “[^”]+”) of\s+the source\)", text)
        expected = [excerpt_place(i) for i in chapter_excerpt_ids(page, excerpts)]
        assert sorted(places) == sorted(expected), page.name
        assert "paragraph 0 " not in text


def test_packet_line_numbers_are_given_every_fifth_line(packets):
    pages = packets["02-october-1917"][1]
    numbers = {int(n) for n in _LINE_NUMBER.findall("\n".join(pages))}
    assert {1, 5} <= numbers


WIDGET_STATE = {
    "root": {"model_name": "VBoxModel", "state": {"children": [
        "IPY_MODEL_intro", "IPY_MODEL_row1", "IPY_MODEL_row2", "IPY_MODEL_buttons"]}},
    "intro": {"model_name": "HTMLModel", "state": {"value": "<p>Give each claim a verdict.</p>"}},
    "row1": {"model_name": "VBoxModel", "state": {"children": [
        "IPY_MODEL_p1", "IPY_MODEL_d1", "IPY_MODEL_f1"]}},
    "row2": {"model_name": "VBoxModel", "state": {"children": [
        "IPY_MODEL_p2", "IPY_MODEL_d2", "IPY_MODEL_f2"]}},
    "p1": {"model_name": "HTMLModel",
           "state": {"value": "<p>[1] The Aurora fired a broadside.</p>"}},
    "p2": {"model_name": "HTMLModel",
           "state": {"value": "<p>[2] Lenin headed the government.</p>"}},
    "d1": {"model_name": "DropdownModel", "state": {
        "description": "Answer 1", "_options_labels": ["— choose —", "accurate", "false"]}},
    "d2": {"model_name": "DropdownModel", "state": {
        "description": "Answer 2", "_options_labels": ["— choose —", "accurate", "false"]}},
    "f1": {"model_name": "HTMLModel", "state": {"value": ""}},
    "f2": {"model_name": "HTMLModel", "state": {"value": ""}},
    "buttons": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_check"]}},
    "check": {"model_name": "ButtonModel", "state": {"description": "Check"}},
}


def test_exercise_widget_prints_as_a_table_to_fill_in():
    html = printable_widget("root", WIDGET_STATE)
    assert html.count("<tr>") == 3  # header and one row per item
    assert "[1] The Aurora fired a broadside." in html and "[2] Lenin" in html
    assert html.index("Give each claim") < html.index("<table")
    assert "Choose from:</strong> accurate; false." in html
    assert "Check" not in html and "— choose —" not in html


def test_unknown_widget_prints_nothing():
    assert printable_widget("missing", WIDGET_STATE) == '<div class="print-exercise"></div>'


@pytest.fixture(scope="module")
def book_pdf(html_dir, tmp_path_factory):
    return print_book(html_dir, tmp_path_factory.mktemp("pdf"))


def test_printed_book_has_contents_page_numbers_figures_and_bibliography(book_pdf):
    pages = page_texts(book_pdf)
    assert len(pages) > 50
    contents = plain(pages[1])
    assert contents.startswith("Contents") and "October 1917 and the world" in contents
    assert re.search(r"October 1917 and the world \d+", contents)
    assert pages[9].split()[-1] == "10"  # the page number at the foot
    text = plain(" ".join(pages))
    assert "Fig. 1" in text and "Rabinowitch" in text
    assert "Question 1" in text and "Your answer" in text


def test_printed_book_contains_no_key_or_note(book_pdf):
    needles = note_needles() + key_needles(self_check=True)
    assert leaks_in_text(" ".join(page_texts(book_pdf)), needles) == []
