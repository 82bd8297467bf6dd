"""The course data package: schema validity, verbatim excerpts, citations, loading API."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from solidarity_course import data
from solidarity_course.bibliography import bib_keys, cited_keys, split_keys
from solidarity_course.paths import CHAPTERS_DIR, COURSE_ROOT, DATA_DIR, SEEDS_DIR

BIB = COURSE_ROOT / "references.bib"
CHAPTERS = {"00-introduction", "01-reading-sources", "02-october-1917", "03-comintern",
            "04-spain", "05-ww2-memory", "06-memory", "07-resistance"}
needs_seeds = pytest.mark.skipif(
    not SEEDS_DIR.is_dir(), reason=f"seed texts not available at {SEEDS_DIR}"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    data.clear_cache()
    yield
    data.clear_cache()


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A writable copy of data/ with references.bib beside it, as in the repo."""
    shutil.copytree(DATA_DIR, tmp_path / "data")
    shutil.copy(BIB, tmp_path / "references.bib")
    return tmp_path / "data"


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _set_cell(path: Path, index: int, field: str, value: str) -> int:
    """Change one cell (0-based data row *index*); return its row number (header = 1)."""
    fields, rows = _rows(path)
    rows[index][field] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return index + 2


def _problems(pkg: Path) -> str:
    with pytest.raises(data.DataPackageError) as info:
        data.validate_package(pkg)
    return str(info.value)


# ----------------------------------------------------------------------------- validity


def test_whole_package_is_valid():
    data.validate_package(DATA_DIR, seeds_dir=SEEDS_DIR if SEEDS_DIR.is_dir() else None)


def test_frictionless_alone_accepts_the_package():
    from frictionless import Package

    report = Package(str(DATA_DIR / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_table_has_a_schema_and_primary_key():
    import json

    desc = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in desc["resources"]}
    assert {"sources", "excerpts", "devices", "annotations", "claims", "ifop_poll",
            "military_deaths", "brigade_volunteers", "lenin_school_students",
            "nanjing_estimates", "manchuria_losses", "timeline"} <= names
    for res in desc["resources"]:
        assert res["encoding"] == "utf-8"
        assert res["schema"]["primaryKey"], res["name"]
        assert (DATA_DIR / res["path"]).is_file()
    assert "non-empty line" in desc["description"]


# ----------------------------------------------------------------------------- broken copies


def test_wrong_type_names_table_row_and_field(pkg):
    row = _set_cell(pkg / "excerpts.csv", 3, "paragraph", "third")
    msg = _problems(pkg)
    assert f"excerpts.csv row {row}, field 'paragraph'" in msg
    assert "type-error" in msg


def test_wrong_boolean_names_table_row_and_field(pkg):
    row = _set_cell(pkg / "claims.csv", 0, "verified", "perhaps")
    assert f"claims.csv row {row}, field 'verified'" in _problems(pkg)


def test_unknown_verdict_is_rejected(pkg):
    row = _set_cell(pkg / "claims.csv", 4, "verdict", "mostly true")
    msg = _problems(pkg)
    assert f"claims.csv row {row}, field 'verdict'" in msg
    assert "constraint-error" in msg


def test_unknown_chapter_is_rejected(pkg):
    row = _set_cell(pkg / "excerpts.csv", 0, "chapter", "07-epilogue")
    assert f"excerpts.csv row {row}, field 'chapter'" in _problems(pkg)


def test_dangling_foreign_key_is_rejected(pkg):
    row = _set_cell(pkg / "annotations.csv", 5, "excerpt_id", "t9-no-such-excerpt")
    msg = _problems(pkg)
    assert f"annotations.csv row {row}" in msg
    assert "foreign-key" in msg and "excerpt_id" in msg


def test_dangling_device_is_rejected(pkg):
    _, rows = _rows(pkg / "annotations.csv")
    index = next(i for i, r in enumerate(rows) if r["device_id"])
    row = _set_cell(pkg / "annotations.csv", index, "device_id", "no-such-device")
    msg = _problems(pkg)
    assert f"annotations.csv row {row}" in msg and "device_id" in msg


def test_annotation_outside_excerpt_is_rejected(pkg):
    row = _set_cell(pkg / "annotations.csv", 0, "end", "100000")
    msg = _problems(pkg)
    assert f"annotations.csv row {row}, field 'end'" in msg
    assert "outside excerpt" in msg


def test_empty_annotation_span_is_rejected(pkg):
    _, rows = _rows(pkg / "annotations.csv")
    row = _set_cell(pkg / "annotations.csv", 2, "end", rows[2]["start"])
    assert f"annotations.csv row {row}" in _problems(pkg)


def test_annotation_needs_device_or_claim(pkg):
    path = pkg / "annotations.csv"
    _set_cell(path, 7, "device_id", "")
    row = _set_cell(path, 7, "claim_id", "")
    assert f"annotations.csv row {row}, field 'device_id': needs a device_id or a claim_id" in (
        _problems(pkg)
    )


def test_unknown_citation_key_is_rejected(pkg):
    row = _set_cell(pkg / "claims.csv", 0, "citations", "frus1918russia1;nosuchwork1999")
    msg = _problems(pkg)
    assert f"claims.csv row {row}, field 'citations'" in msg and "nosuchwork1999" in msg


def test_malformed_bib_is_reported_by_file(pkg):
    bib = pkg.parent / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@book{broken, title = {Unclosed\n",
                   encoding="utf-8")
    msg = _problems(pkg)
    assert "references.bib" in msg and "malformed BibTeX" in msg


def test_malformed_descriptor_is_reported_by_file(pkg):
    (pkg / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    msg = _problems(pkg)
    assert "datapackage.json" in msg and "invalid JSON" in msg


def test_malformed_csv_is_reported_by_file(pkg):
    path = pkg / "devices.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'extra,"unclosed,quote\n',
                    encoding="utf-8")
    assert "devices.csv" in _problems(pkg)


def test_malformed_csv_on_load_gives_clear_error(pkg):
    (pkg / "devices.csv").write_bytes(b"id,name,definition\n\xff\xfe,bad,bytes\n")
    with pytest.raises(data.DataPackageError, match="devices.csv"):
        data.load_table("devices", pkg)


def test_problems_are_listed_together(pkg):
    _set_cell(pkg / "claims.csv", 1, "verdict", "sort of")
    _set_cell(pkg / "annotations.csv", 1, "start", "-5")
    msg = _problems(pkg)
    assert "claims.csv" in msg and "annotations.csv" in msg
    assert "Traceback" not in msg


# ----------------------------------------------------------------------------- seeds


@needs_seeds
def test_every_excerpt_is_verbatim_at_its_offsets_and_paragraph():
    sources = data.load_table("sources").set_index("id")
    for ex in data.load_table("excerpts").itertuples(index=False):
        seed = (SEEDS_DIR / sources.loc[ex.source_id, "seed_file"]).read_text(encoding="utf-8")
        assert seed[ex.start:ex.end] == ex.text, ex.id
        paragraphs = [line for line in seed.split("\n") if line.strip()]
        assert ex.text in paragraphs[ex.paragraph], ex.id


@needs_seeds
def test_seed_check_catches_a_shifted_offset(pkg):
    _, rows = _rows(pkg / "excerpts.csv")
    _set_cell(pkg / "excerpts.csv", 0, "start", str(int(rows[0]["start"]) + 1))
    row = _set_cell(pkg / "excerpts.csv", 0, "end", str(int(rows[0]["end"]) + 1))
    with pytest.raises(data.DataPackageError) as info:
        data.validate_package(pkg, seeds_dir=SEEDS_DIR)
    assert f"excerpts.csv row {row}, field 'text'" in str(info.value)


# ----------------------------------------------------------------------------- citations


def _data_citations() -> set[str]:
    keys: set[str] = set()
    for name in data.table_names():
        frame = data.load_table(name)
        for col in ("citation", "citations"):
            if col in frame.columns:
                for cell in frame[col].dropna():
                    keys.update(split_keys(cell))
    return keys


def _chapter_citations() -> set[str]:
    keys: set[str] = set()
    for md in sorted(CHAPTERS_DIR.glob("*.md")) if CHAPTERS_DIR.is_dir() else []:
        keys |= cited_keys(md.read_text(encoding="utf-8"))
    return keys


def test_every_cited_key_exists_in_the_bibliography():
    known = bib_keys(BIB)
    assert not (_data_citations() - known)
    assert not (_chapter_citations() - known)


def test_every_bib_entry_is_cited_somewhere():
    unused = bib_keys(BIB) - _data_citations() - _chapter_citations()
    assert not unused, f"entries cited nowhere: {sorted(unused)}"


def test_source_texts_are_in_the_bibliography():
    sources = data.load_table("sources")
    assert set(sources["citation"]) <= bib_keys(BIB)
    assert "unconfirmed" in sources.set_index("id").loc["t2", "author_or_compiler"]
    assert sources.set_index("id").loc["t3", "author_or_compiler"] == "anonymous"


# ----------------------------------------------------------------------------- counts


def test_minimum_counts_and_coverage():
    excerpts = data.load_table("excerpts")
    annotations = data.load_table("annotations")
    claims = data.load_table("claims")
    devices = data.load_table("devices")
    assert len(excerpts) >= 40 and len(annotations) >= 70 and len(claims) >= 50
    assert set(excerpts["chapter"]) == CHAPTERS
    assert set(excerpts["source_id"]) == {"t1", "t2", "t3"}
    assert set(claims["source_id"]) == {"t1", "t2", "t3"}
    per_source = annotations.merge(excerpts[["id", "source_id"]], left_on="excerpt_id",
                                   right_on="id")["source_id"].value_counts()
    assert (per_source >= 15).all() and len(per_source) == 3
    assert set(devices["id"]) == set(annotations["device_id"].dropna())
    assert len(data.load_table("timeline")) >= 25


def test_required_devices_are_defined():
    names = set(data.load_table("devices")["name"].str.lower())
    for name in ["uniqueness claim", "inevitability", "manichaean enemy", "appeal to authority",
                 "selective quotation", "hagiographic vignette", "misleading comparison",
                 "concession then dismissal", "relabelling", "delegitimising dissent",
                 "hedged testimony"]:
        assert name in names


def test_claim_spans_sit_in_their_excerpt():
    annotations = data.load_table("annotations")
    claims = data.load_table("claims").set_index("id")
    with_claim = annotations.dropna(subset=["claim_id"])
    assert set(with_claim["claim_id"]) == set(claims.index)
    for a in with_claim.itertuples(index=False):
        assert claims.loc[a.claim_id, "excerpt_id"] == a.excerpt_id, a.id


def test_unverified_claims_are_not_marked_verified():
    claims = data.load_table("claims")
    flagged = claims[claims["verdict"] == "unverifiable"]
    assert not flagged["verified"].any()
    assert not claims[claims["citations"].isna()]["verified"].any()


def test_timeline_dates_match_precision():
    timeline = data.load_table("timeline")
    lengths = {"year": 4, "month": 7, "day": 10}
    for t in timeline.itertuples(index=False):
        assert len(t.date) == lengths[t.precision], t.id
        pd.Timestamp(t.date)  # parses


# ----------------------------------------------------------------------------- military deaths

#: The phrase a military_deaths note must contain when a row has no low/high range.
NO_RANGE = "no published range"


def _range_problems(frame: pd.DataFrame) -> list[str]:
    """Rows of military_deaths whose range is incomplete, inconsistent or undocumented.

    A row either has both bounds with low <= best <= high and a note saying where each
    comes from ("Low: ...", "High: ..."), or has neither bound and a note saying that no
    published range was found.
    """
    problems = []
    for row in frame.itertuples(index=False):
        has_low, has_high = not pd.isna(row.low), not pd.isna(row.high)
        note = "" if pd.isna(row.note) else str(row.note)
        if pd.isna(row.best):
            problems.append(f"{row.country}: no best figure")
        elif has_low and has_high:
            if not row.low <= row.best <= row.high:
                problems.append(
                    f"{row.country}: expected low <= best <= high, got "
                    f"{row.low} / {row.best} / {row.high}"
                )
            if "Low:" not in note or "High:" not in note:
                problems.append(f"{row.country}: note does not say where low and high come from")
        elif has_low or has_high:
            problems.append(f"{row.country}: only one of low and high is given")
        elif NO_RANGE not in note.lower():
            problems.append(f"{row.country}: no range, and the note does not say {NO_RANGE!r}")
    return problems


def test_military_deaths_have_published_ranges_or_say_why_not():
    deaths = data.load_table("military_deaths")
    assert not _range_problems(deaths)
    with_range = deaths.dropna(subset=["low", "high"])
    assert len(with_range) >= 1, "no row of military_deaths has a low-high range"
    # a row with a range cites the works its bounds come from, not only the best figure's
    for row in with_range.itertuples(index=False):
        if row.low != row.best or row.high != row.best:
            assert len(split_keys(row.citation)) >= 2, row.country


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"low": 9_000_000}, "expected low <= best <= high"),
        ({"high": 1}, "expected low <= best <= high"),
        ({"high": pd.NA}, "only one of low and high"),
        ({"low": pd.NA, "high": pd.NA}, "does not say 'no published range'"),
        ({"note": "A figure."}, "does not say where low and high come from"),
    ],
    ids=["low-above-best", "high-below-best", "one-bound", "undocumented-gap", "unsourced"],
)
def test_military_deaths_range_check_catches_bad_rows(change, expected):
    deaths = data.load_table("military_deaths").reset_index(drop=True)
    for field, value in change.items():
        deaths.loc[0, field] = value
    problems = _range_problems(deaths)
    assert len(problems) == 1 and expected in problems[0], problems


def test_military_deaths_row_without_range_passes_when_the_note_says_so():
    deaths = data.load_table("military_deaths").reset_index(drop=True)
    deaths.loc[0, ["low", "high"]] = pd.NA
    deaths.loc[0, "note"] = "Single official figure; no published range was found."
    assert not _range_problems(deaths)


# ----------------------------------------------------------------------------- loading API


def test_load_table_returns_typed_frames():
    excerpts = data.load_table("excerpts")
    assert str(excerpts["start"].dtype) == "Int64"
    assert str(excerpts["text"].dtype) == "string"
    assert str(data.load_table("claims")["verified"].dtype) == "boolean"
    ifop = data.load_table("ifop_poll").set_index("wave")
    assert str(ifop["usa_pct"].dtype) == "Int64"
    assert pd.isna(ifop.loc["2004", "usa_pct"])  # unknown stays empty, never invented
    assert ifop.loc["1945-05", "ussr_pct"] == 57


def test_load_table_is_cached_and_returns_copies():
    first = data.load_table("claims")
    first.loc[0, "claim"] = "changed"
    assert data.load_table("claims").loc[0, "claim"] != "changed"


def test_loading_whole_package_is_fast():
    data.load_package()  # warm imports
    data.clear_cache()
    start = time.perf_counter()
    tables = data.load_package()
    assert time.perf_counter() - start < 1.0
    assert len(tables) >= 12


def test_unknown_table_and_excerpt_raise_keyerror():
    with pytest.raises(KeyError):
        data.load_table("no_such_table")
    with pytest.raises(KeyError):
        data.get_excerpt("t1-no-such-excerpt")


def test_get_excerpt_returns_frozen_dataclass():
    ex = data.get_excerpt("t1-aurora-broadside")
    assert ex.source_id == "t1" and ex.chapter == "02-october-1917"
    assert ex.text.startswith("The historic broadside")
    assert ex.end - ex.start == len(ex.text)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.text = "x"  # type: ignore[misc]


def test_annotated_excerpt_resolves_devices_and_claims():
    ae = data.annotated_excerpt("t3-normandy-73000")
    starts = [(a.start, a.end) for a in ae.annotations]
    assert starts == sorted(starts)
    verdicts = {a.verdict for a in ae.annotations if a.claim_id}
    assert verdicts == {"false"}
    devices = {a.device_name for a in ae.annotations if a.device_id}
    assert "Misleading comparison" in devices
    for a in ae.annotations:
        assert a.text == ae.excerpt.text[a.start:a.end]
        if a.device_id:
            assert a.device_definition
    assert "".join(text for text, _ in ae.segments()) == ae.excerpt.text


def test_module_entry_point_validates(capsys):
    assert data.main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_chapter_ids_in_excerpts_use_expected_pattern():
    for ex_id in data.load_table("excerpts")["id"]:
        assert re.fullmatch(r"t[123]-[a-z0-9]+(-[a-z0-9]+)*", ex_id)
