"""``course-grade release ASSIGNMENT --variants``: one notebook per student, and its record.

Design (the draws themselves are :mod:`solidarity_course.quiz.variants`):

- **Secret.** ``.course-secret`` in the course folder (64 hex digits, created on
  first use with mode 600; keep it out of git and never release it).  A
  student's variant is drawn from HMAC-SHA256(secret, assignment, student id),
  and their variant id is another HMAC of the same, so no one without the
  secret can work out another student's variant or forge its id.
- **Record.** ``variants/<assignment>.json`` beside the gradebook (mode 600: it
  names each student's draw) keeps every student's variant id and draws.  A
  re-release reuses the record, so it writes byte-identical notebooks (and
  zip); a student new to the roster is drawn and added.  A recorded draw that
  no longer fits the assignment (the bank changed since) is drawn again and said.
- **Release.** After the ordinary release (nbgrader's ``generate_assignment``
  writes ``release/<assignment>/<notebook>`` and the gradebook), each student on
  the roster gets ``release/<assignment>/<student>/<notebook>``: the released
  notebook with each slot's statement and format check replaced by their
  variant (options ``a``, ``b`` ...; items ``1``, ``2`` ...; a pool's member), and
  ``{"student": id, "variant": variant id}`` in the notebook metadata
  (:data:`METADATA_KEY`).  Every variant notebook is leak-checked for the keys of
  every question of its slots, its own relabelled keys and the secret.  The
  same files go into ``lms/<assignment>-variants.zip`` (``<student>/<notebook>``),
  to hand out through the LMS.
- **Autograde.** A submission whose embedded variant id is not the one recorded
  for its submitter (a copied notebook, or one with the id removed) is a
  problem row, never graded against the wrong key (:func:`variant_problems`).
  The others are scored against their own draw: the grading job carries it
  (:func:`job_variant`) and :mod:`.answer_records` translates the shown labels
  back into the bank's ids before scoring.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..quiz.assignments import format_check_source, variant_statement
from ..quiz.leakcheck import find_leaks
from ..quiz.variants import (
    StudentVariant,
    draw,
    present,
    seed_for,
    variant_id,
)
from . import atomic
from .course import Course, CourseError
from .keys import GradedQuestion, grade_id, questions_in_notebook

SECRET_NAME = ".course-secret"
METADATA_KEY = "solidarity_course_variant"
#: A student id must be a plain folder name (it names release/<assignment>/<student>/).
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")
#: Zip entries get this fixed time, so a re-release writes the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def course_secret(course: Course) -> bytes:
    """The course secret (created on first use, mode 600; a readable-by-others file is
    made private again)."""
    path = course.root / SECRET_NAME
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another run created it meanwhile: read that one
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: not a course secret (64 hex digits expected)") from exc
    if len(secret) < 16:
        raise CourseError(f"{path}: the course secret is too short (32 hex digits at least)")
    return secret


def record_path(course: Course, assignment: str) -> Path:
    """``variants/<assignment>.json`` in the course folder."""
    return course.root / "variants" / f"{assignment}.json"


def load_record(course: Course, assignment: str) -> dict[str, StudentVariant] | None:
    """Each student's recorded variant (None: the assignment was never released with variants)."""
    path = record_path(course, assignment)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {s: StudentVariant.from_json(v) for s, v in data["students"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CourseError(f"{path}: unreadable variant record ({type(exc).__name__}: {exc})"
                          ) from exc


def save_record(course: Course, assignment: str, students: dict[str, StudentVariant]) -> Path:
    """Write the record (sorted, so that an unchanged record is byte-identical), mode 600."""
    path = record_path(course, assignment)
    data = {"assignment": assignment,
            "students": {s: students[s].to_json() for s in sorted(students)}}
    atomic.write_text(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    path.chmod(0o600)
    return path


def read_roster(path: Path | str) -> tuple[list[str], list[str]]:
    """(student ids, problems) of a roster CSV with a ``student_id`` column."""
    from ..lms.accounts import roster_rows

    students, problems = [], []
    for student in roster_rows(path):
        if STUDENT_ID.match(student) and student not in (".", ".."):
            students.append(student)
        else:
            problems.append(f"roster {Path(path).name}: student id {student!r} is not a plain "
                            "folder name; left out")
    return students, problems


def slot_questions(course: Course, assignment: str) -> tuple[Path, list[GradedQuestion]]:
    """The assignment's one source notebook and its graded slots."""
    sources = course.source_notebooks(assignment)
    if len(sources) != 1:
        raise CourseError(f"{assignment} has {len(sources)} notebooks; variants need exactly one")
    return sources[0], questions_in_notebook(nbformat.read(sources[0], as_version=4))


def number_of(graded: GradedQuestion) -> int:
    """The question's number in the notebook (``answer_3`` → 3)."""
    return int(graded.variable.rsplit("_", 1)[-1])


def student_variant(secret: bytes, assignment: str, student: str,
                    slots: list[GradedQuestion]) -> StudentVariant:
    """A student's variant, drawn from the secret."""
    return StudentVariant(variant_id(secret, assignment, student),
                          draw([g.slot for g in slots], seed_for(secret, assignment, student)))


def reconcile(recorded: StudentVariant | None, fresh: StudentVariant,
              slots: list[GradedQuestion]) -> tuple[StudentVariant, list[str]]:
    """The recorded variant where it still fits the slots, else the fresh draw (and why)."""
    if recorded is None:
        return fresh, []
    draws, redrawn = {}, []
    for g in slots:
        old = recorded.draws.get(g.slot.name)
        if old is not None and old.fits(g.slot):
            draws[g.slot.name] = old
        else:
            draws[g.slot.name] = fresh.draws[g.slot.name]
            redrawn.append(g.slot.name)
    return StudentVariant(recorded.variant, draws), redrawn


def apply_variant(nb, slots: list[GradedQuestion], variant: StudentVariant) -> None:
    """Replace each slot's statement and format-check cell by the student's variant."""
    from nbgrader.utils import compute_checksum

    cells = {grade_id(c): c for c in nb.cells}
    for g in slots:
        choice = variant.draws.get(g.slot.name)
        if choice is None:
            continue
        shown = present(g.slot, choice)
        n = number_of(g)
        sources = {"prompt": variant_statement(shown, n),
                   "format": format_check_source(shown, n,
                                                 g.slot.name if g.slot.pooled else None)}
        for part, source in sources.items():
            cell = cells.get(f"{g.slot.name}-{part}")
            if cell is None:
                continue
            cell.source = source
            meta = cell.metadata.get("nbgrader", {})
            if "checksum" in meta:
                meta["checksum"] = compute_checksum(cell)


def variant_notebook(master_text: str, slots: list[GradedQuestion], student: str,
                     variant: StudentVariant):
    """The released notebook as one student gets it."""
    nb = nbformat.reads(master_text, as_version=4)
    apply_variant(nb, slots, variant)
    nb.metadata[METADATA_KEY] = {"student": student, "variant": variant.variant}
    return nb


def variant_leaks(text: str, slots: list[GradedQuestion], variant: StudentVariant,
                  secret: bytes) -> list[str]:
    """Keys (bank and relabelled) and the secret found in a variant notebook's text."""
    questions = [m for g in slots for m in g.slot.members]
    questions += [present(g.slot, variant.draws[g.slot.name]) for g in slots
                  if g.slot.name in variant.draws]
    leaks = find_leaks(text, questions)
    for form in (secret.hex(), secret.hex().upper()):
        if form in text:
            leaks.append("the course secret")
    return sorted(set(leaks))


@dataclass
class VariantRelease:
    """What ``release --variants`` did for one assignment."""

    assignment: str
    written: dict[str, Path] = field(default_factory=dict)  # student -> notebook
    problems: list[str] = field(default_factory=list)
    redrawn: dict[str, list[str]] = field(default_factory=dict)
    leaks: dict[str, list[str]] = field(default_factory=dict)
    zip_path: Path | None = None
    record: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every student got a leak-free notebook."""
        return not self.problems and not self.leaks


def zip_path(course: Course, assignment: str) -> Path:
    """``lms/<assignment>-variants.zip``: every student's notebook, for the LMS."""
    return course.root / "lms" / f"{assignment}-variants.zip"


def write_variants(course: Course, assignment: str, students: list[str]) -> VariantRelease:
    """Write every student's variant notebook, the record and the LMS zip (after a release)."""
    result = VariantRelease(assignment)
    source, slots = slot_questions(course, assignment)
    master = course.folder("release") / assignment / source.name
    if not master.exists():
        raise CourseError(f"{master} is missing: the assignment was not released")
    master_text = master.read_text(encoding="utf-8")
    secret = course_secret(course)
    recorded = load_record(course, assignment) or {}
    variants = dict(recorded)
    entries = []
    for student in students:
        fresh = student_variant(secret, assignment, student, slots)
        variant, redrawn = reconcile(recorded.get(student), fresh, slots)
        if redrawn:
            result.redrawn[student] = redrawn
        variants[student] = variant
        nb = variant_notebook(master_text, slots, student, variant)
        text = nbformat.writes(nb) + "\n"
        leaks = variant_leaks(text, slots, variant, secret)
        if leaks:
            result.leaks[student] = leaks
            continue
        path = course.folder("release") / assignment / student / source.name
        atomic.write_text(path, text)
        result.written[student] = path
        entries.append((f"{student}/{source.name}", text))
    result.record = save_record(course, assignment, variants)
    result.zip_path = write_zip(zip_path(course, assignment), entries)
    return result


def write_zip(path: Path, entries: list[tuple[str, str]]) -> Path:
    """A zip of ``(name, text)`` entries with fixed times (the same entries: the same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)
    atomic.write_bytes(path, buf.getvalue())
    return path


def job_variant(course: Course, assignment: str, student: str,
                record: dict[str, StudentVariant] | None) -> str | None:
    """The student's variant as JSON for their grading job (None: no variants)."""
    if record is None or student not in record:
        return None
    return json.dumps(record[student].to_json(), sort_keys=True)


def embedded_variant(path: Path) -> dict | None:
    """The ``{"student", "variant"}`` a submitted notebook carries (None: none, or unreadable)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return None
    found = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else None


def variant_problems(course: Course, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """Copied notebooks: submissions whose variant is not their submitter's (per student)."""
    record = load_record(course, assignment)
    if record is None:
        return {}
    owners = {v.variant: s for s, v in record.items()}
    names = [p.name for p in course.source_notebooks(assignment)]
    found: dict[str, list[str]] = {}
    for student in students:
        problems = []
        mine = record.get(student)
        for name in names:
            path = course.submission_dir("submitted", student, assignment) / name
            if not path.exists():
                continue  # screening reports the missing notebook
            embedded = embedded_variant(path)
            if mine is None:
                problems.append(f"{name}: no variant was released to this student")
            elif embedded is None or not isinstance(embedded.get("variant"), str):
                problems.append(f"{name}: carries no variant id (not the notebook released "
                                "to this student); not graded")
            elif embedded["variant"] != mine.variant:
                owner = owners.get(embedded["variant"])
                whose = f"student {owner}'s" if owner else "an unknown"
                problems.append(f"{name}: copied notebook: it carries {whose} variant, not "
                                "this student's; not graded")
        if problems:
            found[student] = problems
    return found


def recorded_draw(variant_json: str | None) -> StudentVariant | None:
    """A grading job's variant (see :func:`job_variant`)."""
    return StudentVariant.from_json(json.loads(variant_json)) if variant_json else None

