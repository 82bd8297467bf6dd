"""The nbgrader course folder: its configuration, folders, assignments and gradebook.

The course is a folder holding ``nbgrader_config.py`` (``exercises/`` in this
repository).  The configuration is read the way nbgrader reads it, so every
nbgrader option set there applies here too; this tool's own options live in
the ``CourseGrade`` section of the same file (see ``exercises/nbgrader_config.py``).
The gradebook URL is nbgrader's ``CourseDirectory.db_url`` (the course's file sets
it from ``COURSE_GRADEBOOK_URL`` when that variable is set), by default the SQLite
file ``gradebook.db`` in the course folder.
"""

from __future__ import annotations

import copy
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..paths import EXERCISES_DIR

CONFIG_NAME = "nbgrader_config.py"

#: Defaults of this tool's options (the ``CourseGrade`` section of the config file).
DEFAULTS = {
    "workers": 0,  # 0: two per CPU core (parallel.WORKERS_PER_CORE)
    "time_limit": 300,  # seconds for one student's whole grading, then the worker is killed
    "filename_patterns": [],  # extra LMS file-name regexes, tried before Canvas and Moodle
    "roster": "",  # CSV lms_id,student_id mapping LMS identifiers to course ids
    "executor": "solidarity_course.instructor.safe_executor:SafeExecutor",
    "sandbox": True,  # kernels in the bubblewrap jail; False only by explicit opt-out
    "sandbox_limits": {},  # SandboxPolicy fields to override
    "scheduler": "",  # a Dask scheduler address (tcp://host:8786): grade on that cluster
}


class CourseError(RuntimeError):
    """The course folder or its configuration is not usable (message says why)."""


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
        """The course at ``root``; else the current folder if it has a config; else exercises/."""
        if root is None:
            here = Path.cwd()
            root = here if (here / CONFIG_NAME).exists() else EXERCISES_DIR
        root = Path(root).resolve()
        if not (root / CONFIG_NAME).exists():
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

    def setting(self, name: str):
        """One option of the ``CourseGrade`` section, or its default."""
        return self.config.CourseGrade.get(name, DEFAULTS[name])

    def folder(self, kind: str) -> Path:
        """``source``, ``release``, ``submitted``, ``autograded`` or ``feedback``."""
        name = self.config.CourseDirectory.get(f"{kind}_directory", kind)
        return self.root / name

    def assignments(self) -> list[str]:
        """Assignments with a source folder, sorted."""
        source = self.folder("source")
        return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))

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
