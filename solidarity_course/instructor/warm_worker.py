"""Imported once by the worker server: fill the caches each worker would fill again.

Grading workers are forked from one server process (:mod:`.parallel`), one
worker per student, so whatever the server computes before it forks is shared
by every worker, while whatever a worker computes dies with it.  Importing this
module in the server (it is in :data:`.parallel.PRELOAD`) does, once, what each
worker otherwise did for its one student:

- nbformat compiles its notebook validator (fastjsonschema generates and
  compiles Python code for the schema, strict and relaxed: the largest of these
  costs);
- SQLAlchemy configures nbgrader's ORM mappers on their first use, and
  jupyter_client reads the installed packages' entry points for its kernel
  provisioners;
- nbgrader opens the worker's gradebook nine times per student, each time with a
  new engine, hence an empty cache of compiled SQL statements:
  :func:`share_compiled_statements` gives every engine of the process one cache,
  and :func:`warm_statements` fills it with the statements autograde runs.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import nbformat
from nbformat.validator import get_validator
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import configure_mappers
from sqlalchemy.util import LRUCache

#: One cache of compiled statements for every engine of this process (the size of
#: SQLAlchemy's own per-engine cache).  Its keys include the dialect, so engines of
#: different databases can share it.
COMPILED_STATEMENTS = LRUCache(500)


def _use_shared_cache(connection) -> None:
    connection.execution_options(compiled_cache=COMPILED_STATEMENTS)


def share_compiled_statements() -> None:
    """Every engine's connections use :data:`COMPILED_STATEMENTS` from now on."""
    if not event.contains(Engine, "engine_connect", _use_shared_cache):
        event.listen(Engine, "engine_connect", _use_shared_cache)


def warm_validators() -> None:
    """Compile nbformat's validators for current notebooks, strict and relaxed."""
    for relax in (False, True):
        get_validator(version=4, version_minor=nbformat.v4.nbformat_minor,
                      relax_add_props=relax)


def warm_statements() -> None:
    """Run, on a throwaway in-memory gradebook, the queries autograde runs per student."""
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory(prefix="course-grade-warm-up-") as folder:
        url = f"sqlite:///{Path(folder) / 'gradebook.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(bind=engine)  # tables present: no alembic stamping
        engine.dispose()
        with Gradebook(url, "warm-up") as gb, warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's autoflush, as in a worker
            _autograde_queries(gb)


def _autograde_queries(gb) -> None:
    gb.add_assignment("a")
    gb.update_or_create_notebook("n", "a")
    gb.update_or_create_grade_cell("g", "n", "a", max_score=1, cell_type="code")
    gb.update_or_create_solution_cell("g", "n", "a")
    gb.update_or_create_source_cell("g", "n", "a", source="", cell_type="code")
    gb.update_or_create_student("s")
    gb.find_assignment("a")
    gb.update_or_create_submission("a", "s")
    gb.find_submission_notebook("n", "a", "s")
    gb.find_grade("g", "n", "a", "s")
    gb.find_comment("g", "n", "a", "s")
    gb.find_graded_cell("g", "n", "a")
    gb.find_solution_cell("g", "n", "a")
    gb.find_source_cell("g", "n", "a")


def warm() -> None:
    """Everything above, once, and jupyter_client's provisioner registry (entry points)."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance()
    share_compiled_statements()
    warm_validators()
    configure_mappers()
    warm_statements()


warm()
