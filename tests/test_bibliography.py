"""solidarity_course.bibliography: parsing references.bib and finding {cite} keys."""

from __future__ import annotations

import pytest

from solidarity_course.bibliography import BibliographyError, bib_keys, cited_keys, split_keys
from solidarity_course.paths import COURSE_ROOT

BIB = COURSE_ROOT / "references.bib"


def test_bib_keys_reads_the_course_bibliography():
    keys = bib_keys(BIB)
    assert {"vistinetsky1957", "thinkleft2017essay", "blog2020support"} <= keys
    assert len(keys) >= 25


def test_bib_entries_have_the_basic_fields():
    from pybtex.database import parse_file

    for key, entry in parse_file(str(BIB)).entries.items():
        assert "title" in entry.fields, key
        if entry.type in {"book", "article", "incollection"}:
            assert "year" in entry.fields, key
            assert entry.persons.get("author") or entry.persons.get("editor"), key
        if entry.type == "book":
            assert "publisher" in entry.fields, key
        if entry.type == "article":
            assert {"journal", "volume"} <= set(entry.fields), key


def test_malformed_bib_raises_naming_the_file(tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@book{a, title = {Fine}}\n@book{b title = {Missing comma}\n", encoding="utf-8")
    with pytest.raises(BibliographyError, match="bad.bib"):
        bib_keys(bad)


def test_duplicate_keys_are_rejected(tmp_path):
    dup = tmp_path / "dup.bib"
    dup.write_text("@book{a, title = {One}}\n@book{a, title = {Two}}\n", encoding="utf-8")
    with pytest.raises(BibliographyError, match="dup.bib"):
        bib_keys(dup)


def test_missing_file_raises(tmp_path):
    with pytest.raises(BibliographyError, match="not found"):
        bib_keys(tmp_path / "nothing.bib")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("As {cite}`rabinowitch1976` shows.", {"rabinowitch1976"}),
        ("See {cite:p}`mitter2013,goldman2012`.", {"mitter2013", "goldman2012"}),
        ("{cite:t}`levy2001` and {cite:ps}`pons2014; chase2001`", {"levy2001", "pons2014",
                                                                   "chase2001"}),
        ("{cite:p}` spaced2000 , other2001 `", {"spaced2000", "other2001"}),
        ("No citations, just `code` and {ref}`label`.", set()),
    ],
)
def test_cited_keys_finds_role_citations(text, expected):
    assert cited_keys(text) == expected


def test_split_keys():
    assert split_keys("a;b; c") == ["a", "b", "c"]
    assert split_keys("") == [] and split_keys(None) == []
