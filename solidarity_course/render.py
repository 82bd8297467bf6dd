"""Render data-package excerpts, sources and claims as HTML for chapters and notebooks.

Chapters never paste a quotation by hand: a code cell calls :func:`show_excerpt`,
which displays the verbatim text from ``data/excerpts.csv`` with its provenance
(work, part of the work, and a link to the paragraph in the appendix of source
texts) and, on demand (an HTML ``<details>`` element, so no JavaScript and no
kernel is needed), its annotations highlighted and explained.
:func:`show_sourcing_card` does the same for a row of ``data/sources.csv``,
:func:`show_claims` shows rows of ``data/claims.csv`` with their verdicts as
badges, and :func:`show_source_text` prints the quoted paragraphs of a source
for the appendix.

The HTML comes from Jinja2 templates in ``templates/`` with autoescaping on, so
no data value can inject markup. Ids and offsets stay in ``data-`` attributes,
never in the text a reader sees. The seeds mark emphasis in markdown (``*new*``,
``**O**n``); it is rendered as ``<em>``/``<strong>`` so that the author's
emphasis survives, while the text content of the quotation stays exactly the
excerpt's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import jinja2
import pandas as pd
from IPython.display import HTML, display

from solidarity_course.bibliography import short_reference, split_keys
from solidarity_course.data import AnnotatedExcerpt, annotated_excerpt, load_table
from solidarity_course.paths import COURSE_ROOT

#: Markdown emphasis in the seeds: bold before italic so ``**`` is not read as two ``*``.
_EMPHASIS = (("strong", re.compile(r"\*\*(.+?)\*\*")), ("em", re.compile(r"\*(.+?)\*")))
#: The book page holding the source texts, relative to a chapter page.
APPENDIX_URL = "source-texts.html"
#: A decorative icon per verdict; the badge always carries the verdict in words.
VERDICT_ICONS = {
    "accurate": "✔",
    "accurate but framed": "✎",
    "partly accurate": "◐",
    "misleading": "⚠\ufe0e",
    "false": "✘",
    "contested": "⇄",
    "unverifiable": "?",
}
#: Characters that already quote an annotated span, so no second pair is added.
QUOTE_MARKS = "\"'“”‘’«»„"
#: Notes of claim-only annotations that merely restate the link ("Claim c04: misleading.",
#: "Claim c602: unverifiable (...)."); the claim's own verdict and record are shown instead.
_LINK_LABEL = re.compile(r"^Claim c\d+: [a-z ]+(\(.*\))?\.$")


def reader_note(note: str, claim_id: object = None) -> str:
    """An annotation's note as a reader sees it.

    A claim-only note merely names the claim by its data id ("Claim c35: misleading."),
    which no reader can look up: it becomes the claim's verdict and record instead.
    """
    if not isinstance(claim_id, str) or not claim_id or not _LINK_LABEL.match(note):
        return note
    claim = load_table("claims").set_index("id").loc[claim_id]
    return f"The claim is {claim.verdict}: {claim.record}"


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("solidarity_course", "templates"),
        autoescape=True,
        trim_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(VERDICT_ICONS=VERDICT_ICONS, QUOTE_MARKS=QUOTE_MARKS)
    return env


def _render(template: str, **context) -> str:
    return _templates().get_template(template).render(**context)


@dataclass(frozen=True)
class _Span:
    """A run of text with the styles that cover it."""

    text: str
    strong: bool
    em: bool
    notes: tuple[int, ...]  # 1-based numbers of the annotations covering the run
    closes: tuple[int, ...] = ()  # numbers of the annotations that end with this run


def _emphasis(text: str) -> tuple[list[tuple[int, int, str]], set[int]]:
    """Find emphasis in ``text``: ([(start, end, tag)], offsets of its marker characters)."""
    ranges, markers = [], set()
    for tag, pattern in _EMPHASIS:
        for match in pattern.finditer(text):
            width = 2 if tag == "strong" else 1
            if any(p in markers for p in range(match.start(), match.end())):
                continue
            ranges.append((match.start(1), match.end(1), tag))
            markers.update(range(match.start(), match.start() + width))
            markers.update(range(match.end() - width, match.end()))
    return ranges, markers


def displayed_text(text: str) -> str:
    """The words a reader sees: the excerpt without its markdown emphasis markers."""
    _, markers = _emphasis(text)
    return "".join(ch for i, ch in enumerate(text) if i not in markers)


def _spans(text: str, notes: tuple[tuple[int, int], ...] = ()) -> list[_Span]:
    """Cut ``text`` at every note (start, end) and emphasis boundary."""
    emphasis, markers = _emphasis(text)
    cuts = {0, len(text), *markers, *(m + 1 for m in markers)}
    for start, end in notes:
        cuts.update((start, end))
    for start, end, _ in emphasis:
        cuts.update((start, end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    spans = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        piece = "".join(ch for i, ch in enumerate(text[lo:hi], start=lo) if i not in markers)
        if not piece:
            continue
        spans.append(
            _Span(
                text=piece,
                strong=any(s <= lo and hi <= e for s, e, t in emphasis if t == "strong"),
                em=any(s <= lo and hi <= e for s, e, t in emphasis if t == "em"),
                notes=tuple(n for n, (s, e) in enumerate(notes, 1) if s <= lo and hi <= e),
            )
        )
    closing = []
    for i, span in enumerate(spans):
        following = spans[i + 1].notes if i + 1 < len(spans) else ()
        closes = tuple(n for n in span.notes if n not in following)
        closing.append(_Span(span.text, span.strong, span.em, span.notes, closes))
    return closing


def _annotated_spans(item: AnnotatedExcerpt) -> list[_Span]:
    return _spans(item.excerpt.text, tuple((a.start, a.end) for a in item.annotations))


def quotation_html(item: AnnotatedExcerpt) -> str:
    """The excerpt's text as inline HTML, annotated spans marked and numbered."""
    macro = _templates().get_template("macros.html").module.quotation
    return str(macro(_annotated_spans(item)))


@dataclass(frozen=True)
class _Work:
    author: str
    short_title: str
    title: str
    date: str


def _work(source_id: str) -> _Work:
    """How a reader names a source: first author, title before any colon, date."""
    source = load_table("sources").set_index("id").loc[source_id]
    title = str(source["title"])
    return _Work(
        author=str(source["author_or_compiler"]).split(";")[0],
        short_title=re.split(r"[:(]", title, maxsplit=1)[0].strip(),
        title=title,
        date=str(source["date"]),
    )


def _section(source_id: str, paragraph: int) -> str:
    rows = load_table("source_paragraphs")
    match = rows[(rows["source_id"] == source_id) & (rows["paragraph"] == paragraph)]
    return "" if match.empty or pd.isna(match.iloc[0]["section"]) else str(match.iloc[0]["section"])


def paragraph_anchor(source_id: str, paragraph: int) -> str:
    """The id of a paragraph on the appendix page of source texts."""
    return f"{source_id}-p{paragraph}"


def _annotation_view(annotation) -> dict:
    record = None
    if annotation.claim_id:
        record = load_table("claims").set_index("id").loc[annotation.claim_id, "record"]
    return {
        "id": annotation.id,
        "text": displayed_text(annotation.text),
        "device_name": annotation.device_name,
        "device_definition": annotation.device_definition,
        "note": annotation.note,
        "note_shown": not _LINK_LABEL.match(annotation.note),
        "claim_id": annotation.claim_id,
        "verdict": annotation.verdict,
        "record": record,
    }


def excerpt_html(excerpt_id: str, annotations: bool = True) -> str:
    """A figure holding the quotation, its provenance and (on demand) annotations."""
    item = annotated_excerpt(excerpt_id)
    if not annotations:
        item = AnnotatedExcerpt(excerpt=item.excerpt, annotations=())
    excerpt = item.excerpt
    return _render(
        "excerpt.html",
        excerpt=excerpt,
        work=_work(excerpt.source_id),
        section=_section(excerpt.source_id, excerpt.paragraph),
        spans=_annotated_spans(item),
        annotations=[_annotation_view(a) for a in item.annotations],
        appendix_url=APPENDIX_URL,
        anchor=paragraph_anchor(excerpt.source_id, excerpt.paragraph),
    )


def show_excerpt(excerpt_id: str, annotations: bool = True) -> None:
    """Display an excerpt; several calls in one cell each show."""
    display(HTML(excerpt_html(excerpt_id, annotations)))


def sourcing_card_html(source_id: str) -> str:
    """Who wrote a source, when, for whom and why, as a definition list."""
    source = load_table("sources").set_index("id").loc[source_id]
    rows = [
        ("Author or compiler", source["author_or_compiler"]),
        ("Date", str(source["date"])),
        ("Published by or in", source["publisher_or_venue"]),
        ("Genre", source["genre"]),
        ("Intended audience", source["audience"]),
        ("Purpose", source["purpose"]),
    ]
    return _render("sourcing_card.html", source_id=source_id, title=source["title"], rows=rows)


def show_sourcing_card(source_id: str) -> None:
    """Display the sourcing card of a source; several calls in one cell each show."""
    display(HTML(sourcing_card_html(source_id)))


def claims_table_html(claim_ids: list[str]) -> str:
    """The listed claims as a table: claim, verdict badge, what the record shows, works."""
    claims = load_table("claims").set_index("id")
    unknown = [c for c in claim_ids if c not in claims.index]
    if unknown:
        raise KeyError(f"unknown claim ids: {unknown}")
    bib = COURSE_ROOT / "references.bib"
    rows = []
    for claim_id in claim_ids:
        claim = claims.loc[claim_id]
        keys = split_keys(None if pd.isna(claim["citations"]) else claim["citations"])
        rows.append(
            {
                "id": claim_id,
                "claim": claim["claim"],
                "verdict": claim["verdict"],
                "record": claim["record"],
                "works": "; ".join(short_reference(k, bib) for k in keys),
                "status": _source_check(claim),
            }
        )
    return _render("claims_table.html", rows=rows)


def _source_check(claim: pd.Series) -> str:
    """Whether a claim's verdict was checked in the cited work, and where."""
    if not claim["verified"]:
        return "not checked at the source"
    locator = claim.get("locator")
    return "checked at the source" + ("" if pd.isna(locator) else f": {locator}")


def show_claims(claim_ids: list[str]) -> None:
    """Display a table of claims with their verdicts; several calls in one cell each show."""
    display(HTML(claims_table_html(claim_ids)))


def source_text_html(source_id: str) -> str:
    """The quoted paragraphs of a source in order, each with its anchor, gaps marked."""
    rows = load_table("source_paragraphs")
    rows = rows[rows["source_id"] == source_id].sort_values("paragraph")
    paragraphs, previous, section = [], None, None
    for row in rows.itertuples(index=False):
        index = int(row.paragraph)
        this_section = "" if pd.isna(row.section) else str(row.section)
        text = str(row.text).replace("<i>", "*").replace("</i>", "*").strip()
        paragraphs.append(
            {
                "index": index,
                "anchor": paragraph_anchor(source_id, index),
                "gap": previous is not None and index != previous + 1,
                "section": this_section,
                "section_starts": bool(this_section) and this_section != section,
                "spans": _spans(text),
            }
        )
        previous, section = index, this_section
    return _render(
        "source_text.html", source_id=source_id, title=_work(source_id).title, paragraphs=paragraphs
    )


def show_source_text(source_id: str) -> None:
    """Display the quoted paragraphs of a source (the appendix of source texts)."""
    display(HTML(source_text_html(source_id)))
