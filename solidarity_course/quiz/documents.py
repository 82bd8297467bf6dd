"""Document sets joined to the course data: each document's verbatim text and provenance.

:func:`resolve_documents` fills in every document's ``resolved`` from the data
source (see :mod:`.devices`) and checks what the schema alone cannot: every
excerpt exists, and the documents come from at least two sources.
"""

from __future__ import annotations

from .devices import DataSource
from .model import DocumentSet, ResolvedDocument

#: A document set must set sources against each other: at least this many.
MIN_SOURCES = 2


class DocumentProblem(ValueError):
    """A document set does not fit the course data; ``field`` names where."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def resolve_documents(question: DocumentSet, data: DataSource) -> DocumentSet:
    """``question`` with each document's text, source and provenance from ``data``."""
    documents = []
    for i, doc in enumerate(question.documents):
        try:
            row = data.excerpt_record(doc.excerpt_id)
        except KeyError:
            raise DocumentProblem(f"documents.{i}.excerpt_id",
                                  f"no excerpt {doc.excerpt_id!r} in the course data") from None
        resolved = ResolvedDocument(text=str(row["text"]), source_id=str(row["source_id"]),
                                    provenance=str(row["provenance"]))
        documents.append(doc.model_copy(update={"resolved": resolved}))
    sources = sorted({d.resolved.source_id for d in documents if d.resolved})
    if len(sources) < MIN_SOURCES:
        raise DocumentProblem(
            "documents", f"the documents come from {len(sources)} source(s) "
                         f"({', '.join(sources)}); a document set needs at least {MIN_SOURCES}")
    return question.model_copy(update={"documents": tuple(documents)})
