""""Spot the device": join a question to the ``annotations`` and ``devices`` tables.

Two data sources satisfy :class:`DataSource`:

* :class:`CourseData`: the course's data package (:mod:`solidarity_course.data`);
* :class:`FixtureData`: plain lists of dicts, for tests and sample sites.

Rows are dicts of plain values; a missing value is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from .. import data as course_data
from ..paths import DATA_DIR
from .model import AnnotationRef, Option, ResolvedSpot, SpotDevice

Row = dict[str, Any]


class DataSource(Protocol):
    """What spot-the-device needs from the course data."""

    def annotations(self) -> list[Row]:
        """Rows with id, excerpt_id, start, end, device_id (and claim_id, note)."""
        ...

    def devices(self) -> list[Row]:
        """Rows with id, name, definition."""
        ...

    def excerpt_text(self, excerpt_id: str) -> str:
        """The text of one excerpt, which annotation offsets index into."""
        ...

    def excerpt_record(self, excerpt_id: str) -> Row:
        """An excerpt's ``text``, ``source_id`` and ``provenance`` (KeyError if unknown)."""
        ...


class CourseData:
    """The course's data package (default: the repository's ``data/``)."""

    def __init__(self, path: Path | str = DATA_DIR):
        self.path = path

    def annotations(self) -> list[Row]:
        return course_data.table_records("annotations", self.path)

    def devices(self) -> list[Row]:
        return course_data.table_records("devices", self.path)

    def excerpt_text(self, excerpt_id: str) -> str:
        return course_data.get_excerpt(excerpt_id, self.path).text

    def excerpt_record(self, excerpt_id: str) -> Row:
        excerpt = course_data.get_excerpt(excerpt_id, self.path)
        return {"text": excerpt.text, "source_id": excerpt.source_id,
                "provenance": excerpt_provenance(excerpt_id, self.path)}


def excerpt_place(excerpt_id: str, path: Path | str = DATA_DIR) -> str:
    """Where an excerpt stands in its source, in a reader's words.

    The source's own section heading where it has one (``section “…”``), else the
    paragraph counted from 1 (``paragraph 4``; the data counts from 0, the title line).
    """
    excerpt = course_data.get_excerpt(excerpt_id, path)
    sections = {(r["source_id"], int(r["paragraph"])): r["section"]
                for r in course_data.table_records("source_paragraphs", path)}
    section = sections.get((excerpt.source_id, int(excerpt.paragraph)))
    return (f"section “{section}”" if isinstance(section, str) and section
            else f"paragraph {int(excerpt.paragraph) + 1}")


def excerpt_reference(excerpt_id: str, path: Path | str = DATA_DIR) -> str:
    """``Author, Title (date), <where>`` of an excerpt (:func:`excerpt_place`)."""
    excerpt = course_data.get_excerpt(excerpt_id, path)
    source = course_data.load_table("sources", path).set_index("id").loc[excerpt.source_id]
    author = str(source["author_or_compiler"]).split(";")[0]
    return f"{author}, {source['title']} ({source['date']}), {excerpt_place(excerpt_id, path)}"


def excerpt_provenance(excerpt_id: str, path: Path | str = DATA_DIR) -> str:
    """``Source: Author, Title (date), <where>.`` of an excerpt."""
    return f"Source: {excerpt_reference(excerpt_id, path)}."


def _none_if_empty(rows: Sequence[Mapping[str, Any]]) -> list[Row]:
    return [{k: None if v == "" else v for k, v in row.items()} for row in rows]


class FixtureData:
    """In-memory data for tests: ``annotations``/``devices`` rows and ``excerpts``.

    ``excerpts`` maps an id to its text, or to a mapping with ``text``, ``source_id``
    and ``provenance``.  Empty strings in the rows become ``None``, as empty cells do
    in the course data.
    """

    def __init__(self, annotations: Sequence[Mapping[str, Any]],
                 devices: Sequence[Mapping[str, Any]],
                 excerpts: Mapping[str, str | Mapping[str, str]]):
        self._annotations, self._devices = _none_if_empty(annotations), _none_if_empty(devices)
        self._excerpts = {
            k: dict(v) if isinstance(v, Mapping)
            else {"text": v, "source_id": "", "provenance": "Source excerpt"}
            for k, v in excerpts.items()
        }

    def annotations(self) -> list[Row]:
        return self._annotations

    def devices(self) -> list[Row]:
        return self._devices

    def excerpt_text(self, excerpt_id: str) -> str:
        return str(self._excerpts[excerpt_id]["text"])

    def excerpt_record(self, excerpt_id: str) -> Row:
        return dict(self._excerpts[excerpt_id])


def default_data() -> DataSource:
    """The course's own data."""
    return CourseData()


def find_annotation(ref: AnnotationRef, data: DataSource) -> dict:
    """The annotations row the reference points at (KeyError if none)."""
    for row in data.annotations():
        if ref.id is not None and str(row.get("id")) != ref.id:
            continue
        if ref.excerpt_id is not None and (
            str(row["excerpt_id"]) != ref.excerpt_id
            or int(row["start"]) != ref.start
            or int(row["end"]) != ref.end
        ):
            continue
        return row
    what = ref.id or f"excerpt {ref.excerpt_id!r} span {ref.start}-{ref.end}"
    raise KeyError(f"no annotations row {what}")


def resolve_spot(question: SpotDevice, data: DataSource) -> SpotDevice:
    """Return ``question`` with ``resolved`` filled in from the course data.

    The key is the annotation's ``device_id``; the options are the devices
    (all, or those in ``device_ids``), each with its definition as feedback.
    """
    row = find_annotation(question.annotation, data)
    start, end = int(row["start"]), int(row["end"])
    text = data.excerpt_text(str(row["excerpt_id"]))
    span = text[start:end]
    if question.quote and " ".join(question.quote.split()) != " ".join(span.split()):
        raise ValueError(f"quote {question.quote!r} differs from the annotated span {span!r}")
    devices = data.devices()
    known = {str(d["id"]) for d in devices}
    wanted = question.device_ids or tuple(str(d["id"]) for d in devices)
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise ValueError(f"device_ids {unknown} not in the devices table")
    if row["device_id"] is None:
        raise ValueError(f"annotation {row.get('id', '')!r} has no device_id")
    key = str(row["device_id"])
    if key not in wanted:
        raise ValueError(f"the annotation's device {key!r} is not among device_ids {wanted}")
    by_id = {str(d["id"]): d for d in devices}
    options = tuple(
        Option(id=d, text=str(by_id[d]["name"]), feedback=str(by_id[d].get("definition") or ""))
        for d in wanted
    )
    resolved = ResolvedSpot(
        excerpt_text=text,
        start=start,
        end=end,
        options=options,
        answer=key,
    )
    return question.model_copy(update={"resolved": resolved})


def fixture_from_file(path: Path | str) -> FixtureData:
    """A :class:`FixtureData` from a YAML/JSON file with annotations, devices, excerpts."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return FixtureData(raw["annotations"], raw["devices"], raw["excerpts"])
