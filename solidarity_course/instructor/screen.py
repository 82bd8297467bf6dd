"""Screen submissions for the problems that abort an nbgrader batch, before grading.

Each submitted notebook is compared with its source (master) notebook:

- ``missing notebook``: the assignment's notebook is not in the submission;
- ``malformed JSON``: the file does not parse as JSON;
- ``wrong nbformat``: the notebook declares another major nbformat than the release's 4;
- ``invalid notebook``: the JSON is not a valid nbformat 4 notebook;
- ``duplicate grade_id``: two cells carry the same nbgrader ``grade_id``;
- ``changed cell type``: a graded/answer/read-only cell's type differs from the source;
- ``missing cell``: a graded, answer or read-only cell of the source is gone;
- ``nested too deeply``: the JSON nests deeper than :data:`MAX_DEPTH` levels;
- ``symbolic link`` / ``hard link``: the submission folder holds a link (a
  hard link could be a second name for a file outside the submission).

:func:`notices` lists what does not stop grading: read-only cells edited by the
student (nbgrader grades with the original).

A student with any problem is reported and left out of the batch; the others
are graded.  Screening itself never stops the batch: if checking one student
fails, that failure is the student's problem.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course import Course
from .keys import grade_id

#: A notebook's JSON nests about 6 levels; outputs and metadata a few more.
MAX_DEPTH = 100


def json_depth(value) -> int:
    """How deeply ``value`` nests (without recursion, so any depth can be measured)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


@dataclass(frozen=True)
class MasterCells:
    """What screening needs from one source notebook: its nbgrader cells and their types."""

    name: str
    cell_types: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> MasterCells:
        nb = nbformat.read(path, as_version=4)
        types = {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") or meta.get("solution") or meta.get("locked") or meta.get("task"):
                types[meta["grade_id"]] = cell.cell_type
        return cls(path.name, types)


def screen_notebook(path: Path, master: MasterCells) -> list[str]:
    """Problems of one submitted notebook (empty if it can be graded)."""
    if not path.exists():
        return [f"missing notebook: {master.name} is not in the submission"]
    try:
        raw = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"malformed JSON in {master.name}: {exc}"]
    except RecursionError:
        return [f"malformed JSON in {master.name}: nested too deeply to read"]
    if json_depth(raw) > MAX_DEPTH:
        return [f"nested too deeply: {master.name} nests more than {MAX_DEPTH} levels"]
    if not isinstance(raw, dict):
        return [f"invalid notebook {master.name}: the JSON is a {type(raw).__name__}"]
    if raw.get("nbformat") != 4:
        return [f"wrong nbformat in {master.name}: {raw.get('nbformat')!r}, "
                "but the released notebook is 4"]
    try:
        nb = nbformat.from_dict(raw)
        with warnings.catch_warnings():  # duplicate cell ids are reported below, by grade_id
            warnings.simplefilter("ignore")
            nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types; all mean "not a notebook"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [f"invalid notebook {master.name}: {message}"]
    problems, seen = [], {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if not gid:
            continue
        if gid in seen:
            problems.append(f"duplicate grade_id {gid!r} in {master.name}")
            continue
        seen[gid] = cell.cell_type
    for gid, cell_type in master.cell_types.items():
        if gid not in seen:
            problems.append(f"missing cell {gid!r} in {master.name}")
        elif seen[gid] != cell_type:
            problems.append(
                f"changed cell type of {gid!r} in {master.name}: "
                f"{seen[gid]}, should be {cell_type}")
    return problems


def links(folder: Path) -> list[str]:
    """Symbolic and hard links anywhere in a submission folder (it may hold only files)."""
    found = []
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        if path.is_symlink():
            found.append(f"symbolic link {path.relative_to(folder)} -> {os.readlink(path)} "
                         "(refused: a submission may hold only files)")
        elif path.is_file() and st.st_nlink > 1:
            found.append(f"hard link {path.relative_to(folder)} ({st.st_nlink} names for one "
                         "file; refused: a submission may hold only its own files)")
    return found


def edited_read_only_cells(submitted: Path, released: Path) -> list[str]:
    """Read-only cells whose source differs from the released notebook (nbgrader restores them)."""
    try:
        mine = nbformat.read(submitted, as_version=4)
        given = nbformat.read(released, as_version=4)
    except Exception:  # unreadable notebooks are screening problems, reported there
        return []
    locked = {grade_id(c): c.source for c in given.cells
              if c.metadata.get("nbgrader", {}).get("locked")}
    return [f"read-only cell {grade_id(c)!r} was edited in {submitted.name}; graded with the "
            "original" for c in mine.cells if grade_id(c) in locked
            and c.source.strip() != locked[grade_id(c)].strip()]


def notices(course: Course, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """Things worth telling the instructor that do not stop grading, per student."""
    found = {}
    for student in students:
        folder = course.submission_dir("submitted", student, assignment)
        released = course.folder("release") / assignment
        if (released / student).is_dir():  # released with variants: the student's own
            released = released / student
        notes = [n for master in course.source_notebooks(assignment)
                 for n in edited_read_only_cells(folder / master.name, released / master.name)]
        if notes:
            found[student] = notes
    return found


def screen(course: Course, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """Problems per student (only students with problems appear)."""
    masters = [MasterCells.read(p) for p in course.source_notebooks(assignment)]
    found = {}
    for student in students:
        folder = course.submission_dir("submitted", student, assignment)
        try:
            problems = links(folder)
            problems += [p for m in masters for p in screen_notebook(folder / m.name, m)]
        except Exception as exc:  # one submission never stops the class's screening
            problems = [f"cannot be screened: {type(exc).__name__}: {exc}"]
        if problems:
            found[student] = problems
    return found
