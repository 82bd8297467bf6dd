"""Collect: an LMS download (zip or folder) into ``submitted/<student>/<assignment>/``.

File names identify the student, but only the names the LMS itself writes:
the top-level file or folder of the download (or of one wrapper folder around
everything).  Built-in patterns (Python regexes with named groups
``student_id`` and, optionally, ``file_id``, the student's own file name) are
tried on that top-level name (for a folder: followed by ``/`` and the file's
own name).  Anything deeper inside a student's folder is that student's, and
a nested file named like another student's submission is refused and reported:
a student never chooses whose submission their files become.

- Canvas ("Download Submissions"): ``<login>_[LATE_]<user id>_<submission id>_<file>``,
  e.g. ``smithjane_LATE_4711_93001_02-october-1917.ipynb``; the student is ``<login>``;
  the ``LATE`` marker of the kept file is recorded (see :mod:`.late`).
- Moodle ("Download all submissions", with or without "in folders"):
  ``<Full Name>_<participant id>_assignsubmission_file_/<file>`` or
  ``<Full Name>_<participant id>_assignsubmission_file_<file>``; the student is the
  participant id.

More patterns come first: ``--pattern REGEX`` on the command line, the list
``c.CourseGrade.filename_patterns`` and nbgrader's own
``c.FileNameCollectorPlugin.named_regexp`` in ``nbgrader_config.py``.  A roster
(CSV with columns ``lms_id,student_id``; ``--roster`` or ``c.CourseGrade.roster``)
maps LMS identifiers to course ids; with a roster, unknown students are reported.
The LMS identifiers of every collected student are kept in ``lms/accounts-<assignment>.csv``
(see :mod:`solidarity_course.lms.accounts`), so grades can go back to the same accounts.

Every file of the download gets one line in the report: ``collected``,
``unchanged`` (same file and time as already collected), ``kept-existing`` (an
already collected file is newer), ``superseded`` (a newer file of the same
student won), ``unknown-name``, ``unknown-student``, ``not-a-notebook``,
``unreadable`` or ``refused`` (a path that would escape the target folder: an
absolute path, ``..``, a symbolic or hard link, an unsafe student id, a file
over :data:`MAX_BYTES` or beyond the download's :data:`MAX_TOTAL_BYTES`, or a
nested file named like another student's).  Zip members are streamed with
these caps whatever their headers claim (a zip bomb stops at the cap), and
only each student's newest file is kept, in memory if small.  Files are never
extracted by their own path: the target is always built from the student id
and the assignment's notebook name.

A download that cannot be read at all (empty, truncated, not a zip, no files)
is an error, never "0 files collected".
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath

from ..lms import accounts
from . import atomic
from .course import Course, CourseError

CANVAS = (r"^(?P<student_id>[^_/]+)_(?:(?P<lms_late>LATE)_)?(?P<lms_user_id>\d+)_"
          r"(?P<submission_id>\d+)_(?P<file_id>[^/]+)$")
MOODLE = (r"^(?P<full_name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_/?"
          r"(?P<file_id>[^/]+)$")
BUILTIN_PATTERNS = {"canvas": CANVAS, "moodle": MOODLE}

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MAX_BYTES = 50 * 2**20  # larger notebooks are refused (zip bombs, data dumps)
MAX_TOTAL_BYTES = 4 * 2**30  # bytes read from one download, all files together
CHUNK = 2**20
KEEP_BYTES = 2**20  # larger winning files are read again when stored, not kept in memory
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
_CANVAS_COPY = re.compile(r"-\d+(?=\.ipynb$)", re.I)  # Canvas renames resubmissions x-1.ipynb


class CollectStatus(StrEnum):
    """What happened to one file of a download."""

    COLLECTED = "collected"
    UNCHANGED = "unchanged"
    KEPT_EXISTING = "kept-existing"
    SUPERSEDED = "superseded"
    UNKNOWN_NAME = "unknown-name"
    UNKNOWN_STUDENT = "unknown-student"
    NOT_A_NOTEBOOK = "not-a-notebook"
    UNREADABLE = "unreadable"
    REFUSED = "refused"

    @property
    def is_problem(self) -> bool:
        """True when the file needs the instructor's attention."""
        return self not in (CollectStatus.COLLECTED, CollectStatus.UNCHANGED,
                            CollectStatus.KEPT_EXISTING, CollectStatus.SUPERSEDED)


@dataclass
class Entry:
    """One file of a download, before it is classified."""

    path: str  # path inside the download (POSIX)
    mtime: datetime  # naive UTC
    read: Callable[[], bytes]
    refused: str = ""


@dataclass
class ReportRow:
    """The outcome for one file of the download."""

    entry: str
    status: CollectStatus | None = None  # set once the file is classified
    student: str = ""
    target: str = ""
    detail: str = ""


@dataclass
class CollectReport:
    """Per-file outcome of one collect run."""

    assignment: str
    rows: list[ReportRow] = field(default_factory=list)

    def counts(self) -> Counter[CollectStatus]:
        """Number of files per status."""
        return Counter(row.status for row in self.rows if row.status is not None)

    @property
    def problems(self) -> list[ReportRow]:
        """The rows that need the instructor's attention."""
        return [r for r in self.rows if r.status is not None and r.status.is_problem]

    def by_status(self, status: CollectStatus) -> list[ReportRow]:
        """The rows with one status."""
        return [r for r in self.rows if r.status == status]

    def to_csv(self) -> str:
        """The report as CSV text."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["entry", "status", "student", "target", "detail"])
        for r in sorted(self.rows, key=lambda r: r.entry):
            writer.writerow([r.entry, r.status, r.student, r.target, r.detail])
        return buf.getvalue()


def _safe_member(name: str) -> str:
    """Why a member name is unsafe ('' if it is safe)."""
    posix = name.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix):
        return "absolute path"
    if ".." in PurePosixPath(posix).parts:
        return "path contains '..'"
    return ""


class TooLarge(OSError):
    """A file is larger than a cap."""


class ReadBudget:
    """Bytes still allowed from one download (:data:`MAX_TOTAL_BYTES`)."""

    def __init__(self, total: int | None = None):
        self.left = MAX_TOTAL_BYTES if total is None else total

    def read(self, stream, limit: int = MAX_BYTES) -> bytes:
        """Read ``stream`` in chunks, refusing more than ``limit`` bytes or the budget left."""
        chunks, size = [], 0
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"larger than {limit // 2**20} MiB")
            if size > self.left:
                raise TooLarge("beyond the download's total of "
                               f"{MAX_TOTAL_BYTES // 2**20} MiB")
            chunks.append(chunk)
        self.left -= size
        return b"".join(chunks)


def open_zip(path: Path) -> zipfile.ZipFile:
    """The download as a zip, or a :class:`CourseError` saying what is wrong with it."""
    size = path.stat().st_size
    if size == 0:
        raise CourseError(f"the download {path} is empty (0 bytes): download it again")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"the download {path} ({size} bytes) is not a readable zip file "
                          f"(truncated or another format: {exc}): download it again") from exc


def zip_entries(archive: zipfile.ZipFile, budget: ReadBudget) -> Iterator[Entry]:
    """The files of a zip download (folders skipped; unsafe members marked refused)."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        mtime = datetime(*info.date_time)
        refused = _safe_member(info.filename)
        if not refused and stat.S_ISLNK(info.external_attr >> 16):
            refused = "symbolic link"
        if not refused and info.file_size > MAX_BYTES:
            refused = f"larger than {MAX_BYTES // 2**20} MiB"

        def read(info=info) -> bytes:
            if info.flag_bits & 0x1:
                raise OSError("encrypted zip member")
            with archive.open(info) as stream:  # the header's size may lie: stream, capped
                return budget.read(stream)

        yield Entry(info.filename.replace("\\", "/"), mtime, read, refused)


def folder_entries(root: Path, budget: ReadBudget) -> Iterator[Entry]:
    """The files under a folder (symbolic and hard links are refused, never followed)."""
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                rel = (here / name).relative_to(root).as_posix()
                yield Entry(rel, datetime(1970, 1, 1), bytes, "symbolic link")
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                yield Entry(rel, datetime(1970, 1, 1), bytes, "symbolic link")
                continue
            try:
                st = path.stat()
            except OSError as exc:
                yield Entry(rel, datetime(1970, 1, 1), lambda exc=exc: _raise(exc))
                continue
            mtime = datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None)
            refused = f"larger than {MAX_BYTES // 2**20} MiB" if st.st_size > MAX_BYTES else ""
            if st.st_nlink > 1:
                refused = f"hard link ({st.st_nlink} names for one file)"

            def read(path=path) -> bytes:
                with open(path, "rb") as stream:
                    return budget.read(stream)

            yield Entry(rel, mtime, read, refused)


def _raise(exc: Exception):
    raise exc


def load_roster(path: Path | str) -> dict[str, str]:
    """``lms_id -> student_id`` from a CSV with those two columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return {row["lms_id"].strip(): row["student_id"].strip()
                    for row in csv.DictReader(fh)}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CourseError(f"roster {path}: cannot read it: {exc}") from None
    except (KeyError, AttributeError):
        raise CourseError(f"roster {path}: needs the columns lms_id,student_id, "
                          "with a value in each row") from None


def compile_patterns(extra: list[str]) -> list[tuple[str, re.Pattern]]:
    """User patterns first, then Canvas and Moodle; each must name ``student_id``."""
    out = []
    for i, text in enumerate(extra):
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise CourseError(f"file-name pattern {text!r} is not a regular expression: "
                              f"{exc}") from None
        if "student_id" not in pattern.groupindex:
            raise CourseError(f"file-name pattern {text!r} has no named group "
                              "(?P<student_id>...)")
        out.append((f"custom-{i + 1}", pattern))
    return out + [(name, re.compile(p)) for name, p in BUILTIN_PATTERNS.items()]


def _lms_names(parts: list[str], level: int) -> list[str]:
    """What the LMS wrote at ``level``: a file's name; or a folder's name with the file's,
    then the folder's name alone (a folder named like a submission is that student's)."""
    if len(parts) == level + 1:
        return [parts[level]]
    return [f"{parts[level]}/{parts[-1]}", parts[level]]


def _match(texts: list[str], patterns, file_name: str = "") -> tuple[str, dict] | None:
    """The first pattern matching one of ``texts``; a folder's own name gives no file name."""
    for i, text in enumerate(texts):
        for name, pattern in patterns:
            m = pattern.match(text)
            if m:
                groups = m.groupdict()
                if i == 1:  # the folder's name alone: the file is the one inside it
                    groups["file_id"] = file_name
                return name, groups
    return None


def match_name(path: str, patterns) -> tuple[str, dict, int] | None:
    """(pattern name, groups, level) from the name the LMS wrote for ``path``.

    Level 0 is the download's top-level file or folder; level 1 is tried only
    under a top-level folder that is no student's (a wrapper such as
    ``export/``).  Names deeper than that are the student's own and never
    choose the student.
    """
    parts = path.split("/")
    for level in range(min(2, len(parts))):
        found = _match(_lms_names(parts, level), patterns, parts[-1])
        if found:
            return (*found, level)
    return None


def named_like_another(path: str, level: int, student_id: str, patterns) -> str:
    """The other student a nested name inside a student's folder imitates ('' if none)."""
    parts = path.split("/")
    for depth in range(level + 1, len(parts)):
        found = _match(["/".join(parts[depth:]), parts[depth]], patterns, parts[-1])
        if found and found[1]["student_id"] != student_id:
            return found[1]["student_id"]
    return ""


def notebook_for(file_id: str, notebooks: list[str]) -> str | None:
    """The assignment notebook a student's file stands for (None if none)."""
    if len(notebooks) == 1:
        return notebooks[0]
    for candidate in (file_id, _CANVAS_COPY.sub("", file_id)):
        if candidate in notebooks:
            return candidate
    return None


def course_patterns(course: Course) -> list[str]:
    """Patterns configured in the course's ``nbgrader_config.py``."""
    patterns = list(course.options.filename_patterns)
    nbgrader_regexp = course.config.FileNameCollectorPlugin.get("named_regexp", "")
    if nbgrader_regexp:
        patterns.append(nbgrader_regexp)
    return patterns


def collect(course: Course, assignment: str, download: Path | str,
            patterns: list[str] | None = None, roster: Path | str | None = None) -> CollectReport:
    """Collect ``download`` (a .zip file or a folder) for ``assignment``."""
    download = Path(download)
    if not download.exists():
        raise CourseError(f"no such download: {download}")
    compiled = compile_patterns(list(patterns or []) + course_patterns(course))
    roster = roster or course.options.roster
    mapping = load_roster(course.root / roster) if roster else None
    notebooks = [p.name for p in course.source_notebooks(assignment)]
    report = CollectReport(assignment)
    budget, archive = ReadBudget(), None
    if download.is_dir():
        entries = folder_entries(download, budget)
    else:
        archive = open_zip(download)
        entries = zip_entries(archive, budget)
    winners: dict[tuple[str, str], tuple[Entry, bytes, ReportRow]] = {}
    seen: dict[str, dict] = {}  # student -> the LMS identifiers of their files
    for entry in entries:
        row = ReportRow(entry.path)
        report.rows.append(row)
        if entry.refused:
            row.status, row.detail = CollectStatus.REFUSED, entry.refused
            continue
        if not entry.path.lower().endswith(".ipynb"):
            row.status, row.detail = CollectStatus.NOT_A_NOTEBOOK, "only .ipynb files are collected"
            continue
        matched = match_name(entry.path, compiled)
        if matched is None:
            row.status, row.detail = CollectStatus.UNKNOWN_NAME, "matches no file-name pattern"
            continue
        style, groups, level = matched
        lms_id = groups["student_id"]
        imitated = named_like_another(entry.path, level, lms_id, compiled)
        if imitated:
            row.status = CollectStatus.REFUSED
            row.detail = (f"nested in the folder of {style} id {lms_id!r} but named like the "
                          f"file of {imitated!r}: a student's files never count as another's")
            continue
        student = mapping.get(lms_id) if mapping is not None else lms_id
        row.student = student or ""
        if student is None:
            row.status = CollectStatus.UNKNOWN_STUDENT
            row.detail = f"{style} id {lms_id!r} not in the roster"
            continue
        if not SAFE_ID.match(student) or ".." in student:
            row.status = CollectStatus.REFUSED
            row.detail = f"student id {student!r} is not a safe folder name"
            continue
        file_id = groups.get("file_id") or PurePosixPath(entry.path).name
        notebook = notebook_for(file_id, notebooks)
        if notebook is None:
            row.status = CollectStatus.UNKNOWN_NAME
            row.detail = f"{file_id!r} is none of the assignment's notebooks {notebooks}"
            continue
        try:
            data = entry.read()
        except Exception as exc:  # corrupt member, bad CRC, permissions: report, go on
            row.status, row.detail = CollectStatus.UNREADABLE, f"{type(exc).__name__}: {exc}"
            continue
        row.detail = f"{style} name"
        best = winners.get((student, notebook))
        if best is not None and (best[0].mtime, best[0].path) > (entry.mtime, entry.path):
            row.status = CollectStatus.SUPERSEDED  # only each student's newest file stays in memory
            row.detail = f"a newer file of {student} won: {best[0].path}"
            continue
        seen[student] = {"lms": style, "lms_id": lms_id, "lms_user_id": groups.get("lms_user_id"),
                         "full_name": groups.get("full_name"), "lms_late": groups.get("lms_late")}
        if groups.get("lms_late"):
            row.detail += ", marked LATE"
        if best is not None:
            best[2].status = CollectStatus.SUPERSEDED
            best[2].detail = f"a newer file of {student} won: {entry.path}"
        winners[(student, notebook)] = (entry, data if len(data) <= KEEP_BYTES else None, row)
    if not report.rows:
        raise CourseError(f"the download {download} holds no files: download it again")
    for (student, notebook), (entry, data, row) in sorted(winners.items()):
        try:
            data = entry.read() if data is None else data
        except Exception as exc:
            row.status, row.detail = CollectStatus.UNREADABLE, f"{type(exc).__name__}: {exc}"
            continue
        _store(course, assignment, student, notebook, entry.mtime, data, row)
    if archive is not None:
        archive.close()
    kept = {r.student for r in report.rows if r.status in ("collected", "unchanged",
                                                             "kept-existing")}
    accounts.record(course.root, assignment, {s: seen[s] for s in kept if s in seen})
    return report


def _store(course: Course, assignment: str, student: str, notebook: str, mtime: datetime,
           data: bytes, row: ReportRow) -> None:
    """Write one winning file (atomically), unless an equal or newer one is already there."""
    from nbgrader.utils import parse_utc

    root = course.folder("submitted").resolve()
    folder = root / student / assignment
    target = folder / notebook
    if not target.resolve().is_relative_to(root):
        row.status, row.detail = CollectStatus.REFUSED, "target escapes the submitted folder"
        return
    row.target = str(target.relative_to(course.root))
    stamp_file = folder / "timestamp.txt"
    old_stamp = None
    if stamp_file.exists():
        try:
            old_stamp = parse_utc(stamp_file.read_text(encoding="utf-8").strip())
        except (ValueError, OverflowError):
            old_stamp = None
    if old_stamp is not None and target.exists():
        if old_stamp > mtime:
            row.status = CollectStatus.KEPT_EXISTING
            row.detail = f"the collected file of {old_stamp} is newer"
            return
        if old_stamp == mtime and target.read_bytes() == data:
            row.status = CollectStatus.UNCHANGED
            return
    atomic.write_bytes(target, data)
    stamp = max(mtime, old_stamp) if old_stamp else mtime
    atomic.write_text(stamp_file, stamp.strftime(TIMESTAMP_FORMAT) + "\n")
    row.status = CollectStatus.COLLECTED
