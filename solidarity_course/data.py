"""Load and check the course's data package (``data/datapackage.json``).

Loading is cheap and cached; validation is separate and slower:

- :func:`load_table` returns one table as a typed :class:`pandas.DataFrame`;
- :func:`get_excerpt` and :func:`annotated_excerpt` give chapters ready-to-render
  excerpts with their annotations resolved;
- :func:`validate_package` runs Frictionless validation plus the checks a Table
  Schema cannot express and raises :class:`DataPackageError` listing every problem
  as ``file row N, field 'x': message`` (the header is row 1).

Run ``python -m solidarity_course.data validate`` to check the package from a shell.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .bibliography import BibliographyError, bib_keys, split_keys
from .paths import DATA_DIR, SEEDS_DIR

__all__ = [
    "AnnotatedExcerpt",
    "Annotation",
    "DataPackageError",
    "Excerpt",
    "annotated_excerpt",
    "clear_cache",
    "field_enum",
    "get_excerpt",
    "load_package",
    "load_table",
    "table_names",
    "validate_package",
]

DESCRIPTOR = "datapackage.json"
#: Table Schema type -> pandas dtype used by :func:`load_table`.
_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


class DataPackageError(ValueError):
    """The data package is malformed; ``problems`` lists one message per problem."""

    def __init__(self, problems: list[str] | str, path: Path | str | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        where = f" in {path}" if path is not None else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s){where}:\n{lines}")


# --------------------------------------------------------------------------- descriptor


def _descriptor_path(path: Path | str) -> Path:
    path = Path(path)
    return path / DESCRIPTOR if path.is_dir() or path.suffix != ".json" else path


@lru_cache(maxsize=8)
def _descriptor(descriptor_path: Path) -> dict:
    try:
        text = descriptor_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataPackageError(f"{descriptor_path.name}: cannot read descriptor: {exc}") from None
    try:
        desc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataPackageError(
            f"{descriptor_path.name} line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        raise DataPackageError(f"{descriptor_path.name}: no 'resources' list in descriptor")
    return desc


def _resources(path: Path | str) -> dict[str, dict]:
    desc = _descriptor(_descriptor_path(path).resolve())
    out = {}
    for i, res in enumerate(desc["resources"]):
        if not isinstance(res, dict) or "name" not in res or "path" not in res:
            raise DataPackageError(f"{DESCRIPTOR}: resource #{i} has no name or path")
        out[res["name"]] = res
    return out


def table_names(path: Path | str = DATA_DIR) -> list[str]:
    """Names of the tables described in the package."""
    return list(_resources(path))


def field_enum(table: str, field: str, path: Path | str = DATA_DIR) -> list[str]:
    """The allowed values of an enumerated field, in the schema's order."""
    fields = _resources(path)[table]["schema"]["fields"]
    spec = next((f for f in fields if f["name"] == field), None)
    if spec is None or "enum" not in spec.get("constraints", {}):
        raise KeyError(f"{table}.{field} is not an enumerated field")
    return list(spec["constraints"]["enum"])


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=64)
def _load(name: str, descriptor_path: Path) -> pd.DataFrame:
    resources = _resources(descriptor_path)
    if name not in resources:
        raise KeyError(f"no table {name!r} in {descriptor_path}; known: {sorted(resources)}")
    res = resources[name]
    csv_path = descriptor_path.parent / res["path"]
    fields = res.get("schema", {}).get("fields", [])
    try:
        frame = pd.read_csv(
            csv_path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataPackageError(f"{res['path']}: cannot read CSV: {exc}") from None
    for field in fields:
        col, ftype = field["name"], field.get("type", "string")
        if col not in frame.columns:
            raise DataPackageError(f"{res['path']}: missing column {col!r}")
        try:
            if ftype in ("integer", "number"):
                frame[col] = pd.to_numeric(frame[col]).astype(_DTYPES[ftype])
            elif ftype == "boolean":
                true = set(field.get("trueValues", ["true"]))
                false = set(field.get("falseValues", ["false"]))
                present = frame[col].dropna()
                bad = present[~present.isin(true | false)]
                if len(bad):
                    raise ValueError(f"not a boolean: {bad.iloc[0]!r}")
                values = pd.Series(pd.NA, index=frame.index, dtype="boolean")
                values[present.index] = present.isin(true)
                frame[col] = values
            else:
                frame[col] = frame[col].astype("string")
        except (ValueError, TypeError) as exc:
            raise DataPackageError(
                f"{res['path']}, field {col!r}: cannot convert to {ftype}: {exc}"
            ) from None
    return frame


def load_table(name: str, path: Path | str = DATA_DIR) -> pd.DataFrame:
    """Return table *name* as a DataFrame with schema dtypes.

    Integers are nullable ``Int64``, booleans ``boolean``, text ``string``; empty
    cells are ``<NA>``. Results are cached (call :func:`clear_cache` after editing the
    CSVs); a copy is returned so callers may modify it freely.
    """
    return _load(name, _descriptor_path(path).resolve()).copy()


def table_records(name: str, path: Path | str = DATA_DIR) -> list[dict[str, Any]]:
    """Rows of table *name* as dicts of plain Python values; empty cells are ``None``."""
    frame = _load(name, _descriptor_path(path).resolve())
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def load_package(path: Path | str = DATA_DIR) -> dict[str, pd.DataFrame]:
    """All tables of the package, by name."""
    return {name: load_table(name, path) for name in table_names(path)}


def clear_cache() -> None:
    """Forget cached descriptors, tables and excerpts."""
    _descriptor.cache_clear()
    _load.cache_clear()
    _annotated.cache_clear()


# --------------------------------------------------------------------------- excerpts


@dataclass(frozen=True)
class Excerpt:
    """A verbatim passage of a source text (see ``excerpts`` in the package)."""

    id: str
    source_id: str
    text: str
    paragraph: int
    start: int
    end: int
    chapter: str
    context: str


@dataclass(frozen=True)
class Annotation:
    """A marked span of an excerpt with its device and claim resolved."""

    id: str
    start: int
    end: int
    text: str
    note: str
    device_id: str | None = None
    device_name: str | None = None
    device_definition: str | None = None
    claim_id: str | None = None
    claim: str | None = None
    verdict: str | None = None


@dataclass(frozen=True)
class AnnotatedExcerpt:
    """An excerpt with its annotations, sorted by ``(start, end)``."""

    excerpt: Excerpt
    annotations: tuple[Annotation, ...]

    def segments(self) -> list[tuple[str, tuple[Annotation, ...]]]:
        """Split the text at every annotation boundary.

        Returns ``(text, annotations covering it)`` pairs in order; joining the texts
        gives the excerpt back. Handy for rendering overlapping highlights.
        """
        text = self.excerpt.text
        cuts = sorted({0, len(text), *(a.start for a in self.annotations),
                       *(a.end for a in self.annotations)})
        out = []
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            covering = tuple(a for a in self.annotations if a.start <= lo and hi <= a.end)
            out.append((text[lo:hi], covering))
        return out


def _opt(value) -> str | None:
    return None if pd.isna(value) else str(value)


def get_excerpt(excerpt_id: str, path: Path | str = DATA_DIR) -> Excerpt:
    """Return the excerpt with id *excerpt_id*; ``KeyError`` if there is none."""
    return _annotated(excerpt_id, _descriptor_path(path).resolve()).excerpt


def annotated_excerpt(excerpt_id: str, path: Path | str = DATA_DIR) -> AnnotatedExcerpt:
    """Return the excerpt with its annotations, device and claim details resolved."""
    return _annotated(excerpt_id, _descriptor_path(path).resolve())


@lru_cache(maxsize=512)
def _annotated(excerpt_id: str, descriptor_path: Path) -> AnnotatedExcerpt:
    excerpts = _load("excerpts", descriptor_path)
    rows = excerpts[excerpts["id"] == excerpt_id]
    if rows.empty:
        raise KeyError(f"no excerpt {excerpt_id!r}")
    r = rows.iloc[0]
    excerpt = Excerpt(
        id=str(r["id"]), source_id=str(r["source_id"]), text=str(r["text"]),
        paragraph=int(r["paragraph"]), start=int(r["start"]), end=int(r["end"]),
        chapter=str(r["chapter"]), context=str(r["context"]),
    )
    devices = _load("devices", descriptor_path).set_index("id")
    claims = _load("claims", descriptor_path).set_index("id")
    ann = _load("annotations", descriptor_path)
    ann = ann[ann["excerpt_id"] == excerpt_id].sort_values(["start", "end", "id"])
    items = []
    for a in ann.itertuples(index=False):
        device_id, claim_id = _opt(a.device_id), _opt(a.claim_id)
        device = devices.loc[device_id] if device_id in devices.index else None
        claim = claims.loc[claim_id] if claim_id in claims.index else None
        items.append(Annotation(
            id=str(a.id), start=int(a.start), end=int(a.end),
            text=excerpt.text[int(a.start):int(a.end)], note=str(a.note),
            device_id=device_id,
            device_name=None if device is None else str(device["name"]),
            device_definition=None if device is None else str(device["definition"]),
            claim_id=claim_id,
            claim=None if claim is None else str(claim["claim"]),
            verdict=None if claim is None else str(claim["verdict"]),
        ))
    return AnnotatedExcerpt(excerpt=excerpt, annotations=tuple(items))


# --------------------------------------------------------------------------- validation


def _read_rows(csv_path: Path) -> list[dict[str, str]]:
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _frictionless_problems(descriptor_path: Path) -> list[str]:
    from frictionless import FrictionlessException, Package

    try:
        package = Package(str(descriptor_path))
        report = package.validate()
    except FrictionlessException as exc:
        return [f"{descriptor_path.name}: {exc.error.type}: {exc.error.message}"]
    except Exception as exc:  # noqa: BLE001 - any library failure becomes a clear message
        return [f"{descriptor_path.name}: validation could not run: {exc}"]
    problems = []
    for error in report.errors:  # package-level (descriptor) errors
        problems.append(f"{descriptor_path.name}: {error.type}: {error.message}")
    for task in report.tasks:
        where = Path(task.place).name if task.place else task.name
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            loc = where
            if row is not None:
                loc += f" row {row}"
            if field:
                loc += f", field {field!r}"
            note = getattr(error, "note", "") or error.message
            problems.append(f"{loc}: {error.type}: {note}")
    return problems


def _custom_problems(descriptor_path: Path, bib_path: Path) -> list[str]:
    data_dir = descriptor_path.parent
    resources = _resources(descriptor_path)
    problems: list[str] = []
    try:
        keys = bib_keys(bib_path)
    except BibliographyError as exc:
        problems.append(str(exc))
        keys = None

    tables: dict[str, list[dict[str, str]]] = {}
    for name, res in resources.items():
        try:
            tables[name] = _read_rows(data_dir / res["path"])
        except (OSError, UnicodeDecodeError, csv.Error):
            tables[name] = []  # already reported by frictionless

    excerpt_text = {r.get("id"): r.get("text") or "" for r in tables.get("excerpts", [])}
    for n, row in enumerate(tables.get("annotations", []), start=2):
        loc = f"annotations.csv row {n}"
        if not (row.get("device_id") or "").strip() and not (row.get("claim_id") or "").strip():
            problems.append(f"{loc}, field 'device_id': needs a device_id or a claim_id")
        text = excerpt_text.get(row.get("excerpt_id"))
        if text is None:
            continue  # dangling foreign key, reported by frictionless
        try:
            start, end = int(row.get("start", "")), int(row.get("end", ""))
        except ValueError:
            continue  # type error, reported by frictionless
        if not 0 <= start < end <= len(text):
            field = "start" if not 0 <= start < len(text) else "end"
            problems.append(
                f"{loc}, field {field!r}: span {start}-{end} is outside excerpt "
                f"{row.get('excerpt_id')!r} (length {len(text)}) or empty"
            )

    for n, row in enumerate(tables.get("excerpts", []), start=2):
        try:
            start, end = int(row.get("start", "")), int(row.get("end", ""))
        except ValueError:
            continue
        if end - start != len(row.get("text") or ""):
            problems.append(
                f"excerpts.csv row {n}, field 'end': end - start = {end - start} but text has "
                f"{len(row.get('text') or '')} characters"
            )

    problems += _claim_span_problems(tables)
    problems += _verified_locator_problems(tables.get("claims", []))
    problems += _duplicate_event_problems(tables.get("timeline", []))

    if keys is not None:
        for name, res in resources.items():
            cols = [f["name"] for f in res.get("schema", {}).get("fields", [])
                    if f["name"] in ("citation", "citations")]
            for col in cols:
                for n, row in enumerate(tables.get(name, []), start=2):
                    for key in split_keys(row.get(col)):
                        if key not in keys:
                            problems.append(
                                f"{res['path']} row {n}, field {col!r}: citation key {key!r} "
                                f"not found in {bib_path.name}"
                            )
    return problems


def _claim_span_problems(tables: dict[str, list[dict[str, str]]]) -> list[str]:
    """Two claims about one span must not disagree: the same span twice is a duplicate,
    and overlapping spans with different verdicts give one statement two verdicts."""
    verdicts = {r.get("id"): r.get("verdict") for r in tables.get("claims", [])}
    spans: dict[str, list[tuple[int, int, str, int]]] = {}
    for n, row in enumerate(tables.get("annotations", []), start=2):
        claim = (row.get("claim_id") or "").strip()
        try:
            start, end = int(row.get("start", "")), int(row.get("end", ""))
        except ValueError:
            continue  # type error, reported by frictionless
        if claim:
            spans.setdefault(row.get("excerpt_id") or "", []).append((start, end, claim, n))
    problems = []
    for excerpt_id, items in spans.items():
        for i, (start, end, claim, n) in enumerate(items):
            for other_start, other_end, other, _ in items[:i]:
                if other == claim or max(start, other_start) >= min(end, other_end):
                    continue
                loc = f"annotations.csv row {n}, field 'claim_id'"
                if (start, end) == (other_start, other_end):
                    problems.append(f"{loc}: claims {other!r} and {claim!r} are about the same "
                                    f"span of excerpt {excerpt_id!r}; keep one")
                elif verdicts.get(claim) != verdicts.get(other):
                    problems.append(f"{loc}: claims {other!r} ({verdicts.get(other)}) and "
                                    f"{claim!r} ({verdicts.get(claim)}) give overlapping spans "
                                    f"of excerpt {excerpt_id!r} different verdicts")
    return problems


def _verified_locator_problems(claims: list[dict[str, str]]) -> list[str]:
    """A claim marked verified must say where in the cited work it was checked."""
    return [
        f"claims.csv row {n}, field 'locator': claim {row.get('id')!r} is marked verified "
        "but does not say where in the cited work it was checked"
        for n, row in enumerate(claims, start=2)
        if (row.get("verified") or "").strip() == "true" and not (row.get("locator") or "").strip()
    ]


def _event_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def _duplicate_event_problems(timeline: list[dict[str, str]]) -> list[str]:
    """Two events on the same date whose descriptions share most of their words are one event."""
    problems = []
    for i, row in enumerate(timeline):
        words = _event_words(row.get("event") or "")
        for earlier in timeline[:i]:
            if earlier.get("date") != row.get("date"):
                continue
            other = _event_words(earlier.get("event") or "")
            if words and other and len(words & other) / len(words | other) >= 0.5:
                problems.append(
                    f"timeline.csv row {i + 2}, field 'event': event {row.get('id')!r} "
                    f"repeats {earlier.get('id')!r} (same date, same description)"
                )
    return problems


def _seed_problems(data_dir: Path, seeds_dir: Path) -> list[str]:
    problems = []
    sources = {r["id"]: r for r in _read_rows(data_dir / "sources.csv")}
    cache: dict[str, str] = {}
    for n, row in enumerate(_read_rows(data_dir / "excerpts.csv"), start=2):
        src = sources.get(row["source_id"])
        if src is None:
            continue
        seed_file = seeds_dir / src["seed_file"]
        if src["seed_file"] not in cache:
            try:
                cache[src["seed_file"]] = seed_file.read_text(encoding="utf-8")
            except OSError as exc:
                problems.append(f"sources.csv, field 'seed_file': cannot read {seed_file}: {exc}")
                cache[src["seed_file"]] = ""
        seed = cache[src["seed_file"]]
        if not seed:
            continue
        start, end = int(row["start"]), int(row["end"])
        if seed[start:end] != row["text"]:
            problems.append(f"excerpts.csv row {n}, field 'text': not found at {start}-{end} in "
                            f"{src['seed_file']}")
            continue
        para = _paragraph_at(seed, start)
        if para != int(row["paragraph"]):
            problems.append(f"excerpts.csv row {n}, field 'paragraph': is {row['paragraph']}, "
                            f"text starts in paragraph {para}")
    return problems


def _paragraph_at(seed: str, pos: int) -> int | None:
    """0-based index of the paragraph (non-empty line) containing offset *pos*."""
    index, off = -1, 0
    for line in seed.split("\n"):
        if line.strip():
            index += 1
        if off <= pos <= off + len(line):
            return index if line.strip() else None
        off += len(line) + 1
    return None


def validate_package(
    path: Path | str = DATA_DIR,
    bib_path: Path | str | None = None,
    seeds_dir: Path | str | None = None,
) -> None:
    """Validate the package at *path*; raise :class:`DataPackageError` if anything is wrong.

    Runs Frictionless (types, constraints, primary and foreign keys) and then checks
    that annotations have a device or a claim and lie inside their excerpt, that
    excerpt offsets match the text length, and that every citation key exists in
    *bib_path* (default: ``references.bib`` beside the data folder). If *seeds_dir*
    is given, excerpts are also checked against the seed files.
    """
    descriptor_path = _descriptor_path(path).resolve()
    clear_cache()
    _descriptor(descriptor_path)  # malformed JSON -> DataPackageError naming the file
    default_bib = descriptor_path.parent.parent / "references.bib"
    bib = Path(bib_path) if bib_path is not None else default_bib
    problems = _frictionless_problems(descriptor_path)
    problems += _custom_problems(descriptor_path, bib)
    if seeds_dir is not None and Path(seeds_dir).is_dir():
        try:
            problems += _seed_problems(descriptor_path.parent, Path(seeds_dir))
        except (KeyError, ValueError, OSError) as exc:
            problems.append(f"excerpts.csv: seed check could not run: {exc}")
    if problems:
        raise DataPackageError(problems, descriptor_path.parent)


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "validate":
        print("usage: python -m solidarity_course.data validate [DATA_DIR]")
        return 2
    target = Path(args[1]) if len(args) > 1 else DATA_DIR
    try:
        validate_package(target, seeds_dir=SEEDS_DIR if SEEDS_DIR.is_dir() else None)
    except DataPackageError as exc:
        print(exc)
        return 1
    print(f"{target}: valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
