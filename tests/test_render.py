"""Excerpts, sourcing cards, claims and source texts render from data/ for readers."""

from __future__ import annotations

import html
import re

import pytest

from solidarity_course.data import annotated_excerpt, field_enum, load_table
from solidarity_course.render import (
    VERDICT_ICONS,
    claims_table_html,
    displayed_text,
    excerpt_html,
    paragraph_anchor,
    reader_note,
    source_text_html,
    sourcing_card_html,
)

QUOTATION = re.compile(r'<p class="course-quotation">(.*?)</p>', re.S)
NOTE_REFS = re.compile(r'<sup class="course-note-ref" aria-hidden="true">\[\d+\]</sup>')
CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
#: What a maintainer needs and a reader does not: ids, offsets, file positions.
INTERNAL = re.compile(
    r"\b(?:c\d{2,3}|a\d{3,4}|t\d-[a-z0-9-]+)\b|characters? \d|paragraph \d|source file"
)


def text_of(fragment: str) -> str:
    """Text content of an HTML fragment, as a browser gives it."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def visible_quotation(page: str) -> str:
    """The quotation's text content, as a browser shows it with annotations hidden."""
    return text_of(NOTE_REFS.sub("", QUOTATION.search(page).group(1)))


def reader_text(page: str) -> str:
    """Everything a reader sees of a block: its text without the style sheet."""
    return text_of(re.sub(r"<style>.*?</style>", "", page, flags=re.S))


@pytest.mark.parametrize("excerpt_id", list(load_table("excerpts")["id"]))
def test_every_excerpt_renders_its_exact_words_with_reader_provenance(excerpt_id):
    excerpt = annotated_excerpt(excerpt_id).excerpt
    page = excerpt_html(excerpt_id)
    assert visible_quotation(page) == displayed_text(excerpt.text)
    assert f'data-excerpt-id="{excerpt_id}"' in page
    assert f'data-start="{excerpt.start}" data-end="{excerpt.end}"' in page
    link = paragraph_anchor(excerpt.source_id, excerpt.paragraph)
    assert f'href="source-texts.html#{link}"' in page
    assert INTERNAL.findall(reader_text(page)) == []


def test_quotation_has_no_space_or_break_between_inline_pieces():
    # The spans end right before punctuation ("proletariat", then ","); nothing may
    # sit between the closing tags and the comma that a browser would show as a space.
    page = excerpt_html("t1-lenin-thousand-times")
    quotation = QUOTATION.search(page).group(1)
    assert re.search(r">\s+<|>\s+[,.;:]", quotation) is None
    assert "proletariat, and" in visible_quotation(page)
    assert "<mark" not in quotation  # plain spans: screen readers read one run of text


def test_provenance_names_work_part_and_date():
    caption = text_of(CAPTION.search(excerpt_html("t1-lenin-thousand-times")).group(1))
    assert caption.startswith("M. Vistinetsky (compiler and editor), In Common They Fought (1957),")
    assert "Introduction." in caption
    assert "Read the passage in context in the appendix of source texts." in caption


def test_annotations_are_listed_and_numbered_on_demand():
    item = annotated_excerpt("t1-majority-of-population")
    page = excerpt_html(item.excerpt.id)
    assert len(item.annotations) >= 2
    assert f"Show the {len(item.annotations)} annotations</summary>" in page
    assert page.count("<li value=") == len(item.annotations)
    assert len(NOTE_REFS.findall(page)) == len(item.annotations)
    assert 'class="course-mark"' in page
    no_notes = excerpt_html(item.excerpt.id, annotations=False)
    assert "<details>" not in no_notes and 'class="course-mark"' not in no_notes


def test_a_single_annotation_reads_properly():
    counts = load_table("annotations")["excerpt_id"].value_counts()
    single = counts[counts == 1].index[0]
    page = excerpt_html(single)
    assert "<summary>Show the annotation</summary>" in page
    assert "Show the 1 annotation" not in page


def test_annotated_spans_are_quoted_once():
    for excerpt_id in load_table("excerpts")["id"]:
        items = re.findall(r"<li [^>]*>(.*?)</li>", excerpt_html(excerpt_id), re.S)
        for item in items:
            opening = text_of(item)[:2]
            assert opening[0] == "“" or opening[0] in "\"'‘«", opening
            assert not (opening[0] == "“" and opening[1] in "\"“'‘"), (excerpt_id, item[:80])


def test_claim_annotations_show_the_verdict_badge_and_record_not_the_id():
    claims = load_table("claims").set_index("id")
    item = annotated_excerpt("t1-majority-of-population")
    linked = [a for a in item.annotations if a.claim_id]
    assert linked
    page = excerpt_html(item.excerpt.id)
    for annotation in linked:
        assert claims.loc[annotation.claim_id, "record"] in html.unescape(page)
        assert f'data-claim-id="{annotation.claim_id}"' in page
        assert f'data-verdict="{annotation.verdict}"' in page
    assert INTERNAL.findall(reader_text(page)) == []


def test_author_emphasis_survives_as_markup():
    excerpts = load_table("excerpts")
    emphatic = excerpts[excerpts["text"].str.contains(r"\*[A-Za-z]", regex=True)]
    assert not emphatic.empty
    page = excerpt_html(emphatic.iloc[0]["id"])
    assert "<em>" in page or "<strong>" in page
    assert "*" not in visible_quotation(page)


@pytest.mark.parametrize("source_id", ["t1", "t2", "t3"])
def test_sourcing_card_answers_who_when_for_whom_why(source_id):
    source = load_table("sources").set_index("id").loc[source_id]
    card = sourcing_card_html(source_id)
    for label in ("Author or compiler", "Date", "Intended audience", "Purpose"):
        assert f"<dt>{label}</dt>" in card
    assert source["purpose"] in html.unescape(card)


def test_claims_table_shows_verdict_badges_record_and_works_without_ids():
    claims = load_table("claims").set_index("id")
    table = claims_table_html(["c03", "c10"])
    assert table.count("<tr data-claim-id=") == 2
    for claim_id in ("c03", "c10"):
        verdict = claims.loc[claim_id, "verdict"]
        assert claims.loc[claim_id, "record"] in html.unescape(table)
        badge = re.search(rf'<span class="course-verdict [^"]*" data-verdict="{verdict}">(.*?)'
                          r"</span></td>", table)
        assert badge and text_of(badge.group(1)) == VERDICT_ICONS[verdict] + verdict
    assert "Rabinowitch 1976" in table  # c03's citation key, as author and year
    assert INTERNAL.findall(reader_text(table)) == []
    uncited = claims[claims["citations"].isna()].index[0]
    assert "— (not checked at the source)</td>" in claims_table_html([uncited])
    with pytest.raises(KeyError, match="c999"):
        claims_table_html(["c999"])


def test_claims_table_says_where_a_verdict_was_checked_at_the_source():
    claims = load_table("claims").set_index("id")
    checked = claims[claims["verified"]].index[0]
    row = claims_table_html([checked])
    assert f"checked at the source: {claims.loc[checked, 'locator']}" in html.unescape(row)
    unchecked = claims[~claims["verified"] & claims["citations"].notna()].index[0]
    assert "(not checked at the source)" in claims_table_html([unchecked])


def test_every_verdict_has_its_own_icon():
    verdicts = field_enum("claims", "verdict")
    assert set(VERDICT_ICONS) == set(verdicts)
    assert len(set(VERDICT_ICONS.values())) == len(verdicts)


def test_data_values_cannot_inject_markup(monkeypatch):
    from solidarity_course import render

    claims = load_table("claims")
    claims.loc[claims["id"] == "c03", "record"] = "<script>alert(1)</script>"
    monkeypatch.setattr(render, "load_table", lambda name: claims if name == "claims"
                        else load_table(name))
    table = render.claims_table_html(["c03"])
    assert "<script>" not in table and "&lt;script&gt;" in table


@pytest.mark.parametrize("source_id", ["t1", "t2", "t3"])
def test_source_text_appendix_holds_every_quoted_paragraph(source_id):
    page = source_text_html(source_id)
    excerpts = load_table("excerpts")
    for row in excerpts[excerpts["source_id"] == source_id].itertuples():
        anchor = paragraph_anchor(source_id, int(row.paragraph))
        paragraph = re.search(rf'<p id="{anchor}" data-paragraph="\d+">(.*?)</p>', page, re.S)
        assert paragraph, anchor
        assert displayed_text(row.text) in text_of(paragraph.group(1)), row.id


def test_no_claims_table_shows_ids_or_offsets_to_readers():
    table = claims_table_html(list(load_table("claims")["id"]))
    assert INTERNAL.findall(reader_text(table)) == []


def test_a_note_that_only_names_its_claim_reads_as_the_claims_verdict_and_record():
    annotations = load_table("annotations")
    linked = annotations[annotations["note"].str.match(r"^Claim c\d+: ")].iloc[0]
    claim = load_table("claims").set_index("id").loc[linked["claim_id"]]
    shown = reader_note(linked["note"], linked["claim_id"])
    assert shown == f"The claim is {claim['verdict']}: {claim['record']}"
    assert linked["claim_id"] not in shown
    own = annotations[annotations["claim_id"].isna()].iloc[0]
    assert reader_note(own["note"], own["claim_id"]) == own["note"]
