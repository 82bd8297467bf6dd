"""Excerpts and sourcing cards render from data/ with provenance and annotations."""

from __future__ import annotations

import html
import re

import pytest

from solidarity_course.data import annotated_excerpt, load_table
from solidarity_course.render import (
    claims_table_html,
    displayed_text,
    excerpt_html,
    sourcing_card_html,
)

QUOTATION = re.compile(r'<p class="course-quotation">(.*?)</p>', re.S)
NOTE_REFS = re.compile(r'<sup class="course-note-ref">\[\d+\]</sup>')


def visible_quotation(page: str) -> str:
    """The quotation's text content, as a browser shows it with annotations hidden."""
    inner = NOTE_REFS.sub("", QUOTATION.search(page).group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", inner))


@pytest.mark.parametrize("excerpt_id", list(load_table("excerpts")["id"]))
def test_every_excerpt_renders_its_exact_words(excerpt_id):
    excerpt = annotated_excerpt(excerpt_id).excerpt
    page = excerpt_html(excerpt_id)
    assert visible_quotation(page) == displayed_text(excerpt.text)
    assert f'data-excerpt-id="{excerpt_id}"' in page
    assert f"paragraph {excerpt.paragraph}, characters {excerpt.start}–{excerpt.end}" in page


def test_annotations_are_listed_and_numbered_on_demand():
    item = annotated_excerpt("t1-majority-of-population")
    page = excerpt_html(item.excerpt.id)
    assert len(item.annotations) >= 2
    assert f"Show the {len(item.annotations)} annotations</summary>" in page
    assert page.count("<li value=") == len(item.annotations)
    assert page.count('<sup class="course-note-ref">') == len(item.annotations)
    assert "<mark>" in page
    no_notes = excerpt_html(item.excerpt.id, annotations=False)
    assert "<details>" not in no_notes and "<mark>" not in no_notes


def test_claim_annotations_show_the_verdict_and_record():
    claims = load_table("claims").set_index("id")
    item = annotated_excerpt("t1-majority-of-population")
    linked = [a for a in item.annotations if a.claim_id]
    assert linked
    page = excerpt_html(item.excerpt.id)
    for annotation in linked:
        assert html.escape(claims.loc[annotation.claim_id, "record"]) in page
        assert f"verdict <em>{annotation.verdict}</em>" in page


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
    assert html.escape(source["purpose"]) in card


def test_claims_table_shows_verdict_record_and_works():
    claims = load_table("claims").set_index("id")
    table = claims_table_html(["c03", "c10"])
    assert table.count("<tr data-claim-id=") == 2
    for claim_id in ("c03", "c10"):
        assert html.escape(claims.loc[claim_id, "record"]) in table
        assert f"<td>{claims.loc[claim_id, 'verdict']}</td>" in table
    assert "Rabinowitch 1976" in table  # c03's citation key, as author and year
    uncited = claims[claims["citations"].isna()].index[0]
    assert "<td>— (not checked at the source)</td>" in claims_table_html([uncited])
    with pytest.raises(KeyError, match="c999"):
        claims_table_html(["c999"])


def test_claims_table_says_where_a_verdict_was_checked_at_the_source():
    claims = load_table("claims").set_index("id")
    checked = claims[claims["verified"]].index[0]
    row = claims_table_html([checked])
    assert f"checked at the source: {html.escape(claims.loc[checked, 'locator'])}" in row
    unchecked = claims[~claims["verified"] & claims["citations"].notna()].index[0]
    assert "(not checked at the source)" in claims_table_html([unchecked])
