"""The nbgrader course folder: its configuration, folders, assignments and gradebook.

The course is a folder holding ``nbgrader_config.py``: the one named by
``--course``, else the current folder or the nearest folder above it that has
one (``exercises/`` in this repository is such a course, used only when named).
The configuration is read the way nbgrader reads it, so every nbgrader option
set there applies here too; this tool's own options live in the ``CourseGrade``
section of the same file (see ``exercises/nbgrader_config.py``).
The question bank the assignments come from is the repository's ``data/questions``
(``c.CourseGrade.bank`` names another folder), merged with the instructor's
private bank when ``c.CourseGrade.private_bank`` names one (:meth:`Course.bank`).
The gradebook URL is nbgrader's ``CourseDirectory.db_url`` (the course's file sets
it from ``COURSE_GRADEBOOK_URL`` when that variable is set), by default the SQLite
file ``gradebook.db`` in the course folder.
"""

from __future__ import annotations

import copy
import difflib
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from traitlets import Bool, Dict, Float, Integer, List, TraitError, Type, Unicode, validate
from traitlets.config import Configurable

from .executor import Executor

CONFIG_NAME = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course folder or its configuration is not usable (message says why)."""


class ClassName(Type):
    """A ``Type`` trait that also accepts the ``module:Class`` spelling."""

    def _resolve_string(self, string: str):
        return super()._resolve_string(string.replace(":", "."))


class CourseGrade(Configurable):
    """This tool's options: ``c.CourseGrade.<option>`` in the course's ``nbgrader_config.py``.

    nbgrader ignores the section.  A misspelt option is warned about (with the
    nearest real one, by traitlets); a value of the wrong type is an error.
    """

    workers = Integer(0, min=0, help="Parallel autograde workers; 0: two per CPU core.").tag(
        config=True)
    time_limit = Float(300.0, min=1.0, help="Seconds for one student's whole grading; then "
                       "the worker and its kernel are killed.").tag(config=True)
    filename_patterns = List(Unicode(), help="Extra LMS file-name regexes with the named group "
                             "student_id (and optionally file_id), tried before the built-in "
                             "Canvas and Moodle patterns.").tag(config=True)
    roster = Unicode("", help="CSV with columns lms_id,student_id mapping LMS ids to course "
                     "ids, relative to the course folder; empty: the LMS id is the student "
                     "id.").tag(config=True)
    executor = ClassName("solidarity_course.instructor.safe_executor.SafeExecutor",
                         klass=Executor, help="The class grading one student in an isolated "
                         "course copy (any class with run(job)).").tag(config=True)
    sandbox = Bool(True, help="Run each student's kernel in the bubblewrap jail; False (or "
                   "--no-sandbox) lets student code read answers and other students' "
                   "work.").tag(config=True)
    scheduler = Unicode("", help="A Dask scheduler address (tcp://host:8786): autograde sends "
                        "each student to that cluster's workers instead of local worker "
                        "processes; empty: grade on this machine.").tag(config=True)
    bank = Unicode("", help="The question bank folder the assignments are generated from, "
                   "relative to the course folder; empty: the repository's "
                   "data/questions.").tag(config=True)
    private_bank = Unicode("", help="A folder of graded questions and pools kept OUTSIDE the "
                           "public repository (same schema), merged with the bank at release "
                           "and used by autograde, item analysis and the LMS exports; relative "
                           "to the course folder; empty: none.").tag(config=True)
    bank_data = Unicode("", help="The course data spot-the-device questions are resolved "
                        "against: a data folder, or a YAML fixture file; empty: the "
                        "repository's data/.").tag(config=True)
    due_dates = Dict(key_trait=Unicode(), value_trait=Unicode(),
                     help="Due date per assignment, {'02-october-1917': '2026-10-25 23:59'}: "
                     "UTC, or with an offset ('2026-10-25 23:59+01:00'); export's --due "
                     "overrides it. Submissions after it are flagged late.").tag(config=True)
    late_penalty_per_day = Float(0.0, min=0.0, max=100.0, help="Percent of the assignment's "
                                 "maximum taken off per started day late; 0: late work is "
                                 "flagged, not penalised.").tag(config=True)
    late_penalty_cap = Float(100.0, min=0.0, max=100.0, help="The largest late penalty, in "
                             "percent of the assignment's maximum.").tag(config=True)
    show_keys_after_deadline = Bool(False, help="Feedback pages show each question's right "
                                    "answer and explanation (set it once the deadline has "
                                    "passed for everyone).").tag(config=True)
    sandbox_limits = Dict(help="Limits of the jail to override (fields of "
                          "sandbox.SandboxPolicy, e.g. {'processes': 32}).").tag(config=True)

    @validate("sandbox_limits")
    def _valid_limits(self, proposal):
        from .sandbox import SandboxPolicy

        try:
            SandboxPolicy.from_settings(proposal.value)
        except ValueError as exc:
            raise TraitError(f"The 'sandbox_limits' trait of a CourseGrade instance: {exc}"
                             ) from exc
        return proposal.value

    def policy(self):
        """The jail's :class:`~.sandbox.SandboxPolicy` (defaults with ``sandbox_limits``)."""
        from .sandbox import SandboxPolicy

        return SandboxPolicy.from_settings(self.sandbox_limits)

    def overridden(self, **values) -> CourseGrade:
        """A copy with the ``values`` that are not None (command-line options) set."""
        given = {name: value for name, value in values.items() if value is not None}
        if not given:
            return self
        return CourseGrade(**(self.trait_values(config=True) | given))


def ensure_venv_on_path() -> None:
    """nbgrader calls console scripts installed beside Python (alembic) through PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


@dataclass(frozen=True)
class Course:
    """An nbgrader course rooted at ``root``."""

    root: Path

    @classmethod
    def find(cls, root: Path | str | None = None) -> Course:
        """The course at ``root``; else the current folder or the nearest one above it
        holding ``nbgrader_config.py``; else a :class:`CourseError` saying so."""
        if root is None:
            here = Path.cwd().resolve()
            for folder in (here, *here.parents):
                if (folder / CONFIG_NAME).is_file():
                    return cls(folder)
            raise CourseError(f"no course here: neither {here} nor a folder above it has "
                              f"{CONFIG_NAME}; run course-grade inside the course folder "
                              "or pass --course DIR")
        root = Path(root).resolve()
        if not (root / CONFIG_NAME).is_file():
            raise CourseError(f"{root} is not an nbgrader course: no {CONFIG_NAME} there")
        return cls(root)

    @property
    def config_file(self) -> Path:
        """The course's ``nbgrader_config.py``."""
        return self.root / CONFIG_NAME

    @cached_property
    def config(self):
        """The course's configuration (a traitlets ``Config``), root set to the course."""
        return load_config(self.config_file, self.root)

    @property
    def course_id(self) -> str:
        """nbgrader's ``CourseDirectory.course_id``."""
        return self.config.CourseDirectory.get("course_id", "") or "default_course"

    @property
    def db_url(self) -> str:
        """The gradebook's database URL."""
        default = f"sqlite:///{self.root / 'gradebook.db'}"
        return self.config.CourseDirectory.get("db_url", "") or default

    @cached_property
    def options(self) -> CourseGrade:
        """This tool's options from the ``CourseGrade`` section (checked once, here)."""
        try:
            return CourseGrade(config=self.config)
        except TraitError as exc:
            raise CourseError(f"{self.config_file}: {exc}") from exc

    def executor_module(self, override: str | None = None) -> str:
        """The module of the executor the options name, read without importing it."""
        value = override or self.config.CourseGrade.get("executor") \
            or CourseGrade.class_traits()["executor"].default_value
        if isinstance(value, type):
            return value.__module__
        return str(value).replace(":", ".").rpartition(".")[0]

    def options_with(self, **values) -> CourseGrade:
        """:attr:`options` with the command line's ``values`` (None: not given) applied."""
        try:
            return self.options.overridden(**values)
        except TraitError as exc:
            raise CourseError(f"command-line option: {exc}") from exc

    def _path(self, value: str) -> Path | None:
        return (self.root / value).resolve() if value else None

    @property
    def private_bank_dir(self) -> Path | None:
        """The private bank folder (``c.CourseGrade.private_bank``), or None."""
        return self._path(self.options.private_bank)

    def bank_data(self):
        """The course data the bank's spot-the-device questions are resolved against."""
        from ..quiz.devices import CourseData, default_data, fixture_from_file

        path = self._path(self.options.bank_data)
        if path is None:
            return default_data()
        return fixture_from_file(path) if path.is_file() else CourseData(path)

    def bank(self):
        """The question bank, merged with the private bank (invalid: :class:`CourseError`)."""
        from ..quiz.bank import BANK_DIR, BankError, load_bank

        folders = [self._path(self.options.bank) or BANK_DIR]
        if self.private_bank_dir is not None:
            folders.append(self.private_bank_dir)
        try:
            return load_bank(folders, data=self.bank_data())
        except BankError as exc:
            raise CourseError(str(exc)) from exc

    def folder(self, kind: str) -> Path:
        """``source``, ``release``, ``submitted``, ``autograded`` or ``feedback``."""
        name = self.config.CourseDirectory.get(f"{kind}_directory", kind)
        return self.root / name

    def assignments(self) -> list[str]:
        """Assignments with a source folder, sorted."""
        source = self.folder("source")
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))

    def released_assignments(self) -> list[str]:
        """Assignments recorded in the gradebook (released), sorted."""
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def check_assignments(self, names: list[str], released: bool = False) -> None:
        """A :class:`CourseError` naming the valid assignments and the nearest one, for the
        first of ``names`` that is not in ``source/`` (or, if ``released``, in the gradebook)."""
        known = self.assignments()
        recorded = self.released_assignments() if released else known
        for name in names:
            if name in recorded:
                continue
            if name in known:
                raise CourseError(f"assignment {name!r} is not released yet: run "
                                  f"'course-grade release {name}' first")
            nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            hint = f"did you mean {nearest[0]!r}? " if nearest else ""
            raise CourseError(f"no assignment {name!r} in {self.root}: {hint}assignments: "
                              + (", ".join(known) or f"none ({self.folder('source')} is empty)"))

    def source_notebooks(self, assignment: str) -> list[Path]:
        """The assignment's source notebooks (the masters), sorted."""
        folder = self.folder("source") / assignment
        if not folder.is_dir():
            raise CourseError(f"no assignment {assignment!r}: {folder} does not exist")
        return sorted(folder.glob("*.ipynb"))

    def submission_dir(self, kind: str, student: str, assignment: str) -> Path:
        """``<kind>/<student>/<assignment>`` (kind: submitted, autograded, feedback)."""
        return self.folder(kind) / student / assignment

    def submitted_students(self, assignment: str) -> list[str]:
        """Students with a ``submitted/<student>/<assignment>/`` folder, sorted."""
        root = self.folder("submitted")
        if not root.is_dir():
            return []
        return sorted(p.parent.name for p in root.glob(f"*/{assignment}") if p.is_dir()
                      and not p.parent.name.startswith("."))

    def nbgrader_config(self, **overrides):
        """A copy of the configuration with ``Section__option=value`` overrides applied."""
        config = copy.deepcopy(self.config)
        for key, value in overrides.items():
            section, option = key.split("__")
            config[section][option] = value
        return config

    def api(self, config=None):
        """nbgrader's ``NbGraderAPI`` for this course (or for ``config``)."""
        from nbgrader.apps import NbGraderAPI

        ensure_venv_on_path()
        return NbGraderAPI(config=config if config is not None else self.nbgrader_config())

    def gradebook(self):
        """nbgrader's ``Gradebook`` on the course's database (use as a context manager)."""
        from nbgrader.api import Gradebook

        ensure_venv_on_path()  # nbgrader runs alembic to check the database
        return Gradebook(self.db_url, self.course_id)


def load_config(config_file: Path, root: Path):
    """Read an ``nbgrader_config.py`` as nbgrader does, then pin ``CourseDirectory.root``."""
    from traitlets.config.loader import PyFileConfigLoader

    config_file = Path(config_file)
    try:
        config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    except Exception as exc:  # a broken config file is reported, not a traceback
        raise CourseError(f"cannot read {config_file}: {exc}") from exc
    config.CourseDirectory.root = str(root)
    return config
