"""Render data-package excerpts and sources as HTML for chapters and notebooks.

Chapters never paste a quotation by hand: a code cell calls :func:`show_excerpt`,
which displays the verbatim text from ``data/excerpts.csv`` with its provenance
and, on demand (an HTML ``<details>`` element, so no JavaScript and no kernel is
needed), its annotations highlighted and explained. :func:`show_sourcing_card`
does the same for a row of ``data/sources.csv``, and :func:`show_claims` shows
rows of ``data/claims.csv`` with their verdicts, so that every correction a
chapter makes traces to a claim.

The seeds mark emphasis in markdown (``*new*``, ``**O**n``); it is rendered as
``<em>``/``<strong>`` so that the author's emphasis survives, while the text
content of the quotation stays exactly the excerpt's words.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd
from IPython.display import HTML, display

from solidarity_course.bibliography import short_reference, split_keys
from solidarity_course.data import AnnotatedExcerpt, annotated_excerpt, load_table
from solidarity_course.paths import COURSE_ROOT

#: Markdown emphasis in the seeds: bold before italic so ``**`` is not read as two ``*``.
_EMPHASIS = (("strong", re.compile(r"\*\*(.+?)\*\*")), ("em", re.compile(r"\*(.+?)\*")))

#: Highlights stay invisible until the reader opens the annotations. The blocks set
#: their own dark-on-white colours so that they keep their contrast under the
#: theme's dark mode, whose output areas are light.
EXCERPT_CSS = """<style>
.course-excerpt,.course-claims,.course-source-card{color:#1a1a1a;background:#ffffff}
.course-excerpt figcaption,.course-excerpt cite,.course-claims caption{color:#1a1a1a}
.course-excerpt mark{background:none;color:inherit}
.course-excerpt sup.course-note-ref{display:none}
.course-excerpt:has(details[open]) mark{background:#fde9a9;color:#1a1a1a;
  border-bottom:2px solid #8a6d00}
.course-excerpt:has(details[open]) sup.course-note-ref{display:inline}
.course-excerpt blockquote{margin:0.5em 0;border-left:4px solid #5a6b7b;padding-left:1em}
.course-excerpt figcaption{font-size:0.9em}
.course-source-card{border:1px solid #5a6b7b;border-radius:6px;padding:0.5em 1em;margin:0.8em 0}
.course-source-card dt{font-weight:bold}
</style>"""


@dataclass(frozen=True)
class _Span:
    """A run of text with the styles that cover it."""

    text: str
    strong: bool
    em: bool
    notes: tuple[int, ...]  # 1-based numbers of the annotations covering the run


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


def _spans(item: AnnotatedExcerpt) -> list[_Span]:
    """Cut the excerpt at every annotation and emphasis boundary."""
    text = item.excerpt.text
    emphasis, markers = _emphasis(text)
    cuts = {0, len(text)}
    for a in item.annotations:
        cuts.update((a.start, a.end))
    for start, end, _ in emphasis:
        cuts.update((start, end))
    cuts.update(markers)
    cuts.update(m + 1 for m in markers)
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
                notes=tuple(
                    n for n, a in enumerate(item.annotations, 1) if a.start <= lo and hi <= a.end
                ),
            )
        )
    return spans


def _span_html(span: _Span, closes: tuple[int, ...]) -> str:
    out = html.escape(span.text, quote=False)
    if span.em:
        out = f"<em>{out}</em>"
    if span.strong:
        out = f"<strong>{out}</strong>"
    if span.notes:
        out = f"<mark>{out}</mark>"
    refs = "".join(f'<sup class="course-note-ref">[{n}]</sup>' for n in closes)
    return out + refs


def quotation_html(item: AnnotatedExcerpt) -> str:
    """The excerpt's text as inline HTML, annotated spans marked and numbered."""
    spans = _spans(item)
    parts = []
    for i, span in enumerate(spans):
        following = spans[i + 1].notes if i + 1 < len(spans) else ()
        closes = tuple(n for n in span.notes if n not in following)
        parts.append(_span_html(span, closes))
    return "".join(parts)


def _source_label(source_id: str) -> str:
    source = load_table("sources").set_index("id").loc[source_id]
    author = source["author_or_compiler"].split(";")[0]
    return (
        f"{html.escape(author)}, "
        f"<cite>{html.escape(source['title'])}</cite> ({html.escape(str(source['date']))})"
    )


#: Notes of claim-only annotations that merely restate the link ("Claim c04: misleading.");
#: the claim's own verdict and record are shown instead.
_LINK_LABEL = re.compile(r"^Claim c\d+: [a-z ]+\.$")


def _annotation_item(number: int, annotation) -> str:
    parts = [f"<q>{html.escape(annotation.text)}</q>"]
    if annotation.device_name:
        definition = html.escape(annotation.device_definition)
        parts.append(
            f"<strong>{html.escape(annotation.device_name)}</strong>"
            f' <span class="course-device-definition">({definition})</span>'
        )
    if not _LINK_LABEL.match(annotation.note):
        parts.append(html.escape(annotation.note))
    if annotation.claim_id:
        record = load_table("claims").set_index("id").loc[annotation.claim_id, "record"]
        parts.append(
            f"Claim {html.escape(annotation.claim_id)}, verdict "
            f"<em>{html.escape(annotation.verdict)}</em>: {html.escape(record)}"
        )
    return f'<li value="{number}">' + " — ".join(parts) + "</li>"


def excerpt_html(excerpt_id: str, annotations: bool = True) -> str:
    """A figure holding the quotation, its provenance and (on demand) annotations."""
    item = annotated_excerpt(excerpt_id)
    if not annotations:
        item = AnnotatedExcerpt(excerpt=item.excerpt, annotations=())
    excerpt = item.excerpt
    provenance = (
        f"{_source_label(excerpt.source_id)}; paragraph {excerpt.paragraph}, "
        f"characters {excerpt.start}–{excerpt.end} of the source file. "
        f"{html.escape(excerpt.context)}"
    )
    notes = ""
    if item.annotations:
        listing = "".join(_annotation_item(n, a) for n, a in enumerate(item.annotations, 1))
        notes = (
            f"<details><summary>Show the {len(item.annotations)} annotation"
            f"{'s' if len(item.annotations) != 1 else ''}</summary><ol>{listing}</ol></details>"
        )
    return (
        f'{EXCERPT_CSS}<figure class="course-excerpt" id="excerpt-{excerpt.id}" '
        f'data-excerpt-id="{excerpt.id}">'
        f'<blockquote><p class="course-quotation">{quotation_html(item)}</p></blockquote>'
        f"<figcaption>{provenance}</figcaption>{notes}</figure>"
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
    items = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(str(value))}</dd>" for label, value in rows
    )
    return (
        f'{EXCERPT_CSS}<section class="course-source-card" data-source-id="{source_id}" '
        f'aria-label="Sourcing card: {html.escape(source["title"])}">'
        f"<p><strong><cite>{html.escape(source['title'])}</cite></strong></p><dl>{items}</dl></section>"
    )


def show_sourcing_card(source_id: str) -> None:
    """Display the sourcing card of a source; several calls in one cell each show."""
    display(HTML(sourcing_card_html(source_id)))


def claims_table_html(claim_ids: list[str]) -> str:
    """The listed claims as a table: claim, verdict, what the record shows, works checked."""
    claims = load_table("claims").set_index("id")
    unknown = [c for c in claim_ids if c not in claims.index]
    if unknown:
        raise KeyError(f"unknown claim ids: {unknown}")
    bib = COURSE_ROOT / "references.bib"
    rows = []
    for claim_id in claim_ids:
        claim = claims.loc[claim_id]
        keys = split_keys(None if pd.isna(claim["citations"]) else claim["citations"])
        works = "; ".join(short_reference(k, bib) for k in keys)
        status = (
            f"checked at the source: {claim['locator']}" if claim["verified"]
            else "not checked at the source"
        )
        rows.append(
            f'<tr data-claim-id="{claim_id}"><th scope="row">{claim_id}</th>'
            f"<td>{html.escape(claim['claim'])}</td><td>{html.escape(claim['verdict'])}</td>"
            f"<td>{html.escape(claim['record'])}</td>"
            f"<td>{html.escape(works) or '—'} ({html.escape(status)})</td></tr>"
        )
    return (
        f'{EXCERPT_CSS}<table class="course-claims">'
        "<caption>Claims checked against the record</caption>"
        '<thead><tr><th scope="col">Id</th><th scope="col">Claim</th>'
        '<th scope="col">Verdict</th><th scope="col">What the record shows</th>'
        '<th scope="col">Works</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def show_claims(claim_ids: list[str]) -> None:
    """Display a table of claims with their verdicts; several calls in one cell each show."""
    display(HTML(claims_table_html(claim_ids)))
