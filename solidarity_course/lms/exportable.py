"""The shared step of every bank export: a question's texts, ready for an LMS.

A bank text is MyST Markdown with ``{cite}`key``` roles.  For an LMS it becomes
HTML (raw HTML in the bank is escaped, never passed through) or plain text, and
each citation becomes a readable author–year label from ``references.bib``.
A spot-the-device question carries its excerpt, the span marked, and the
excerpt's provenance (source, paragraph).  A document set becomes three kinds of
item: a description (central question and documents), its parts as their own
types, and its written answer as an essay with the rubric for the grader.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt

from ..bibliography import BibliographyError, short_reference, split_keys
from ..paths import COURSE_ROOT
from ..quiz import devices
from ..quiz.bank import Bank
from ..quiz.devices import DataSource, find_annotation
from ..quiz.model import AutoQuestion, DocumentSet, Essay, Numeric, SpotDevice
from ..quiz.presentation import excerpt_window

BIB_PATH = COURSE_ROOT / "references.bib"
_CITE = re.compile(r"\{cite(?::[A-Za-z]+)?\}`([^`]*)`")


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def readable_citations(text: str, bib: Path = BIB_PATH) -> str:
    """``{cite}`a,b``` → ``(Author 1976; Other 2001)`` (an unknown key stays as its key)."""

    def label(key: str) -> str:
        try:
            return short_reference(key, bib)
        except (KeyError, BibliographyError):
            return key

    return _CITE.sub(
        lambda m: "(" + "; ".join(label(k) for k in split_keys(m.group(1), ",;")) + ")", text
    )


def to_html(text: str, inline: bool = False) -> str:
    """Bank Markdown → HTML with readable citations; raw HTML is shown as text."""
    text = readable_citations(text)
    md = _markdown()
    return (md.renderInline(text) if inline else md.render(text)).strip()


def to_plain(text: str) -> str:
    """Bank Markdown → plain text with readable citations (the visible text of its HTML)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", to_html(text, inline=True))).split())


@dataclass(frozen=True)
class Excerpt:
    """The excerpt a spot-the-device question shows: text around the span, and provenance."""

    before: str
    span: str
    after: str
    provenance: str

    def html(self) -> str:
        """The excerpt as a blockquote with the span marked, provenance below."""
        return (
            f"<blockquote><p>{html.escape(self.before)}<mark>{html.escape(self.span)}</mark>"
            f"{html.escape(self.after)}</p></blockquote><p><small>{html.escape(self.provenance)}"
            "</small></p>"
        )


def excerpt_provenance(excerpt_id: str, data_path: Path | None = None) -> str:
    """``Source: Author, Title (date), paragraph N.`` of an excerpt (else its id)."""
    try:
        return devices.excerpt_provenance(excerpt_id, *([data_path] if data_path else []))
    except (KeyError, OSError, ValueError):
        return f"Source excerpt {excerpt_id}"


@dataclass(frozen=True)
class Documents:
    """The documents of a document set, each with its label, sourcing card, text, provenance."""

    question: DocumentSet

    def html(self) -> str:
        """The documents as HTML: "Document A" heading, sourcing, quotation, provenance."""
        out = []
        for label, doc in self.question.labelled_documents():
            if doc.resolved is None:
                raise ValueError(f"document set {self.question.id!r} needs the course data")
            out.append(
                f"<h3>{label}</h3><p><em>Sourcing.</em> {to_html(doc.sourcing, inline=True)}</p>"
                f"<blockquote><p>{html.escape(doc.resolved.text)}</p></blockquote>"
                f"<p><small>{html.escape(doc.resolved.provenance)}</small></p>")
        return "".join(out)


@dataclass(frozen=True)
class Exportable:
    """One bank question (or a chapter's essay) with the texts an LMS file needs."""

    chapter: str
    id: str
    kind: str  # the bank type, or "essay"
    points: float
    prompt_md: str
    explanation_md: str
    question: AutoQuestion | None = None
    essay: Essay | None = None
    excerpt: Excerpt | Documents | None = None

    @property
    def prompt_html(self) -> str:
        """The prompt as HTML, the excerpt (if any) after it, then what the answer needs."""
        rule = self.question.partial_rule if self.question is not None else None
        return self.prompt_with(rule)

    def prompt_with(self, partial_rule: str | None) -> str:
        """:attr:`prompt_html` with another partial-credit rule (the one an LMS applies)."""
        body = to_html(self.prompt_md) + (self.excerpt.html() if self.excerpt else "")
        notes = []
        match self.question:
            case Numeric(unit=unit) if unit:
                notes.append(f"Answer with a number, in {unit}.")
        if partial_rule:
            notes.append(partial_rule)
        return body + "".join(f"<p><em>{html.escape(n)}</em></p>" for n in notes)

    @property
    def explanation_html(self) -> str:
        """The explanation as HTML."""
        return to_html(self.explanation_md)

    @property
    def title(self) -> str:
        """A short title: the question's id (the LMS shows it to the instructor only)."""
        return self.id


def rubric_md(essay: Essay) -> str:
    """The essay's rubric as a Markdown list (for the grader)."""
    lines = [f"- {c.criterion} ({c.points:g} point{'s' if c.points != 1 else ''})"
             for c in essay.rubric]
    return "Rubric:\n\n" + "\n".join(lines)


def document_set_exportables(q: DocumentSet, data: DataSource | None = None,
                             data_path: Path | None = None) -> list[Exportable]:
    """A document set as a description (central question, documents), parts, written essay."""
    description = Exportable(
        chapter=q.chapter, id=q.id, kind=q.type, points=0,
        prompt_md="**Document-based question.** " + q.prompt + "\n\nRead the documents below; "
                  "the questions that follow refer to them.",
        explanation_md="", excerpt=Documents(q))
    written = Exportable(
        chapter=q.chapter, id=f"{q.id}-written", kind="essay", points=q.written.points,
        prompt_md="**Document-based question: written answer.** " + q.written.prompt,
        explanation_md=rubric_md(q.written) + "\n\nHow historians answer it: " + q.explanation,
        essay=q.written)
    return [description, *(exportable(p, data, data_path) for p in q.parts), written]


def exportable(q: AutoQuestion, data: DataSource | None = None,
               data_path: Path | None = None) -> Exportable:
    """The exportable form of one question (spot-the-device must be resolved)."""
    excerpt = None
    match q:
        case SpotDevice():
            excerpt = _spot_excerpt(q, data, data_path)
    return Exportable(chapter=q.chapter, id=q.id, kind=q.type, points=q.points,
                      prompt_md=q.prompt, explanation_md=q.explanation, question=q,
                      excerpt=excerpt)


def _spot_excerpt(q: SpotDevice, data: DataSource | None, data_path: Path | None) -> Excerpt:
    text, start, end = q.span()
    before, span, after = excerpt_window(text, start, end)
    provenance = "Source excerpt"
    if data is not None:
        try:
            row = find_annotation(q.annotation, data)
            provenance = excerpt_provenance(str(row["excerpt_id"]), data_path)
        except KeyError:
            pass
    return Excerpt(before, span, after, provenance)


def essay_exportable(chapter: str, essay: Essay) -> Exportable:
    """The exportable form of a chapter's hand-graded essay (rubric as grader information)."""
    return Exportable(chapter=chapter, id=f"{chapter}-essay", kind="essay",
                      points=essay.points, prompt_md=essay.prompt,
                      explanation_md=rubric_md(essay), essay=essay)


@dataclass
class Skipped:
    """A question a format cannot express faithfully, and why."""

    chapter: str
    id: str
    reason: str


@dataclass
class ExportResult:
    """What an export wrote: counts per (bank) type, skipped questions, approximations."""

    path: Path
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Skipped] = field(default_factory=list)

    def count(self, kind: str) -> None:
        """One more exported question of ``kind``."""
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def note(self, e: Exportable, text: str) -> None:
        """Record how the format approximates question ``e`` (printed with the result)."""
        self.notes.append(Skipped(e.chapter, e.id, text))


def chapter_exportables(bank: Bank, chapter: str, data: DataSource | None = None,
                        data_path: Path | None = None,
                        ) -> tuple[list[Exportable], list[Skipped]]:
    """Every question of a chapter (then its essay) as exportables; unresolved ones skipped."""
    out, skipped = [], []
    for q in bank.chapter(chapter):
        if q.unresolved:
            skipped.append(Skipped(chapter, q.id, "needs the course data (annotation not "
                                                  "resolved), so its excerpt and key are unknown"))
            continue
        if isinstance(q, DocumentSet):
            out += document_set_exportables(q, data, data_path)
        else:
            out.append(exportable(q, data, data_path))
    if chapter in bank.essays:
        out.append(essay_exportable(chapter, bank.essays[chapter]))
    return out, skipped


@cache
def templates() -> jinja2.Environment:
    """The Jinja2 environment of the XML templates (autoescaped, undefined names are errors)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("solidarity_course.lms", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )


def number(value: float) -> str:
    """A number without a needless ``.0`` and with at most 5 decimals (33.33333)."""
    return f"{value:.5f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
