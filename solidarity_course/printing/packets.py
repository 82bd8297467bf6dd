"""Source packets: one printable set of documents per chapter, for class.

A packet holds the chapter's excerpts (those it shows and those the data package
assigns to it), grouped by source, each source introduced by its sourcing card;
every excerpt is set in numbered lines for close reading.  It ends with sourcing
questions for each source and corroboration questions on the claims made in the
excerpts, with ruled lines to answer on.  No verdict, record or key is printed.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from solidarity_course.data import Excerpt, annotated_excerpt, load_table
from solidarity_course.quiz.devices import excerpt_place
from solidarity_course.render import displayed_text

from .toc import Page

#: Characters per printed line: fits the packet's measure at its type size.
LINE_WIDTH = 90
#: At most this many corroboration questions, so that a packet stays within six pages.
MAX_CLAIM_QUESTIONS = 4
_SHOWN = re.compile(r"(?:show_excerpt|DeviceSpotter)\(\s*[\"']([^\"']+)[\"']")


@dataclass
class Document:
    """An excerpt as printed: a label, numbered lines, where it comes from."""

    label: str
    excerpt: Excerpt
    lines: list[str]
    place: str = ""  # where it stands in the source, e.g. "paragraph 4"

    def line_of(self, phrase: str) -> int | None:
        """The 1-based line on which ``phrase`` starts, if it is in the excerpt."""
        text = " ".join(self.lines)
        at = text.find(" ".join(phrase.split()))
        if at < 0:
            return None
        return _line_at(self.lines, at)


def _line_at(lines: list[str], offset: int) -> int:
    position = 0
    for number, line in enumerate(lines, 1):
        position += len(line) + 1
        if offset < position:
            return number
    return len(lines)


@dataclass
class SourceGroup:
    """One source of the packet: its sourcing card and its documents."""

    letter: str
    card: dict
    documents: list[Document] = field(default_factory=list)


@dataclass
class Question:
    """A printed question and how many ruled lines to leave for the answer."""

    text: str
    lines: int = 4


def chapter_excerpt_ids(page: Page, excerpts: pd.DataFrame) -> list[str]:
    """The chapter's excerpts: those its source shows, then those assigned to it."""
    shown = _SHOWN.findall(page.source().read_text(encoding="utf-8"))
    assigned = excerpts.index[excerpts["chapter"] == page.name].tolist()
    return [i for i in dict.fromkeys(shown + assigned) if i in excerpts.index]


def numbered_lines(text: str, width: int = LINE_WIDTH) -> list[str]:
    """The excerpt's words set in lines of at most ``width`` characters, never split."""
    return textwrap.wrap(
        displayed_text(text), width, break_long_words=False, break_on_hyphens=False
    )


def source_groups(excerpt_ids: list[str]) -> list[SourceGroup]:
    """Excerpts grouped by source (in order of first use), each group in source order."""
    sources = load_table("sources").set_index("id")
    excerpts = [annotated_excerpt(i).excerpt for i in excerpt_ids]
    groups: dict[str, SourceGroup] = {}
    for excerpt in excerpts:
        if excerpt.source_id not in groups:
            letter = chr(ord("A") + len(groups))
            card = sources.loc[excerpt.source_id].to_dict()
            groups[excerpt.source_id] = SourceGroup(letter, card)
    for source_id, group in groups.items():
        mine = sorted((e for e in excerpts if e.source_id == source_id), key=lambda e: e.start)
        group.documents = [
            Document(f"{group.letter}{n}", e, numbered_lines(e.text), excerpt_place(e.id))
            for n, e in enumerate(mine, 1)
        ]
    return list(groups.values())


def sourcing_questions(groups: list[SourceGroup]) -> list[Question]:
    """The four sourcing moves, asked of each source of the packet."""
    questions = []
    for group in groups:
        docs = f"Documents {group.letter}1–{group.letter}{len(group.documents)}" if len(
            group.documents
        ) > 1 else f"Document {group.letter}1"
        questions += [
            Question(
                f"Source {group.letter} ({docs}). Who produced it, when, for whom and why? "
                "Quote one phrase (give its line number) that shows who its readers were "
                "meant to be or what it wanted them to think."
            ),
            Question(
                f"Source {group.letter}. What had happened shortly before it was written or "
                "published that might shape what it says and what it leaves out?",
                3,
            ),
        ]
    return questions


def corroboration_questions(groups: list[SourceGroup]) -> list[Question]:
    """One question per claim made in the packet's documents (no verdicts)."""
    claims = load_table("claims")
    by_excerpt = {d.excerpt.id: d for g in groups for d in g.documents}
    annotations = load_table("annotations")
    questions = []
    for claim in claims.itertuples():
        document = by_excerpt.get(claim.excerpt_id)
        if document is None:
            continue
        spans = annotations[
            (annotations["claim_id"] == claim.id) & (annotations["excerpt_id"] == claim.excerpt_id)
        ]
        where = f"Document {document.label}"
        if len(spans):
            span = spans.iloc[0]
            line = document.line_of(displayed_text(document.excerpt.text[span.start:span.end]))
            if line is not None:
                where += f", line {line}"
        questions.append(
            Question(
                f"{where}: “{claim.claim}” What other evidence would confirm or contradict "
                "this claim? Does another document in this packet help, and how far can you "
                "trust it?",
            )
        )
        if len(questions) == MAX_CLAIM_QUESTIONS:
            break
    if len(groups) > 1:
        questions.append(
            Question(
                "Compare two of the sources. Where do they agree, where do they differ, and "
                "which do you find more trustworthy on that point? Explain why.",
                5,
            )
        )
    return questions


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("solidarity_course.printing", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def packet_html(page: Page) -> str | None:
    """The packet of ``page`` as a standalone HTML document, or None if it has no excerpts."""
    excerpts = load_table("excerpts").set_index("id")
    ids = chapter_excerpt_ids(page, excerpts)
    if not ids:
        return None
    groups = source_groups(ids)
    template = _environment().get_template("packet.html.j2")
    return template.render(
        title=page.title(),
        groups=groups,
        sourcing=sourcing_questions(groups),
        corroboration=corroboration_questions(groups),
        css=(Path(__file__).parent / "templates" / "packet.css").read_text(encoding="utf-8"),
    )
