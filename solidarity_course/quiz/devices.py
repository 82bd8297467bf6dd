""""Spot the device": join a question to the ``annotations`` and ``devices`` tables.

The course data lives in ``solidarity_course.data`` (``load_table(name)``,
``get_excerpt(id)``).  This module talks to it through a tiny adapter so that
tests can use a fixture instead:

* :class:`CourseData` wraps the real module;
* :class:`FixtureData` takes plain lists of dicts;
* :func:`default_data` returns ``CourseData()`` if the data module exists, else
  ``None`` (spot-the-device questions then stay unresolved and are skipped by
  the renderers with a warning).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Protocol

from .model import AnnotationRef, Option, ResolvedSpot, SpotDevice


class DataSource(Protocol):
    """What spot-the-device needs from the course data."""

    def annotations(self) -> list[dict]:
        """Rows with excerpt_id, start, end, device_id (and claim_id, note)."""

    def devices(self) -> list[dict]:
        """Rows with id, name, definition."""

    def excerpt_text(self, excerpt_id: str) -> str:
        """The text of one excerpt, which annotation offsets index into."""


def _records(table) -> list[dict]:
    """Rows of a table as dicts, whether it is a DataFrame, a list or a resource."""
    if hasattr(table, "to_dict"):
        return table.to_dict(orient="records")
    if hasattr(table, "read_rows"):  # a frictionless Resource
        return [dict(r) for r in table.read_rows()]
    return [dict(r) for r in table]


def _text_of(excerpt) -> str:
    if isinstance(excerpt, str):
        return excerpt
    if isinstance(excerpt, Mapping):
        return str(excerpt["text"])
    if hasattr(excerpt, "text"):
        return str(excerpt.text)
    if hasattr(excerpt, "get"):  # pandas Series
        return str(excerpt.get("text"))
    raise TypeError(f"cannot find the text of excerpt {excerpt!r}")


class CourseData:
    """Adapter over ``solidarity_course.data`` (``load_table``, ``get_excerpt``)."""

    def __init__(self, module=None):
        self.module = module or importlib.import_module("solidarity_course.data")

    def annotations(self) -> list[dict]:
        return _records(self.module.load_table("annotations"))

    def devices(self) -> list[dict]:
        return _records(self.module.load_table("devices"))

    def excerpt_text(self, excerpt_id: str) -> str:
        return _text_of(self.module.get_excerpt(excerpt_id))


class FixtureData:
    """In-memory data for tests: ``annotations``/``devices`` rows, ``excerpts`` id→text."""

    def __init__(self, annotations: Sequence[dict], devices: Sequence[dict], excerpts: dict):
        self._annotations, self._devices = list(annotations), list(devices)
        self._excerpts = excerpts

    def annotations(self) -> list[dict]:
        return self._annotations

    def devices(self) -> list[dict]:
        return self._devices

    def excerpt_text(self, excerpt_id: str) -> str:
        return self._excerpts[excerpt_id]


def default_data() -> DataSource | None:
    """The real course data if ``solidarity_course.data`` can be imported, else None."""
    try:
        return CourseData()
    except ImportError:
        return None


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
    key = str(row["device_id"])
    if key in ("", "None", "<NA>", "nan"):
        raise ValueError(f"annotation {row.get('id', '')!r} has no device_id")
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


def fixture_from_file(path) -> FixtureData:
    """A :class:`FixtureData` from a YAML/JSON file with annotations, devices, excerpts."""
    from pathlib import Path

    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return FixtureData(raw["annotations"], raw["devices"], raw["excerpts"])
