"""Imported once by the worker server: fill the caches each worker would fill again.

Grading workers are forked from one server process (:mod:`.worker_server`), one
worker per student, so whatever the server computes before it forks is shared
by every worker, while whatever a worker computes dies with it.  Importing this
module in the server (it is in :data:`.worker_server.PRELOAD`) does, once, what each
worker otherwise did for its one student:

- nbformat compiles its notebook validator (fastjsonschema generates and
  compiles Python code for the schema, strict and relaxed: the largest of these
  costs);
- SQLAlchemy configures nbgrader's ORM mappers on their first use, and
  jupyter_client reads the installed packages' entry points for its kernel
  provisioners.

It also makes nbgrader open one engine per database in the worker
(:func:`reuse_engines`): nbgrader's ``Gradebook`` creates a new engine each time
it is opened (nine times per student), and SQLAlchemy keeps compiled statements
per engine, so each opening compiled the same queries again.
"""

from __future__ import annotations

import atexit
import functools
import os

import nbformat
from nbformat.validator import get_validator
from sqlalchemy.orm import configure_mappers


def warm_validators() -> None:
    """Compile nbformat's validators for current notebooks, strict and relaxed."""
    for relax in (False, True):
        get_validator(version=4, version_minor=nbformat.v4.nbformat_minor,
                      relax_add_props=relax)


def reuse_engines() -> None:
    """nbgrader's gradebooks get one engine per database URL (and options) in this process.

    ``Gradebook.close()`` disposes of its engine's connections, which leaves the engine
    usable: the next gradebook on the same database reconnects through it, with its
    compiled statements.  Only worker processes do this (one student's database each).
    """
    import nbgrader.api

    if not hasattr(nbgrader.api.create_engine, "cache_info"):
        nbgrader.api.create_engine = functools.cache(nbgrader.api.create_engine)


def exit_without_teardown() -> None:
    """When the server exits (its parent, the command, has finished), skip the interpreter's
    teardown: nothing is left to write, and unloading every preloaded module took a third
    of a second, during which the server still held the command's output open (a caller
    reading it, a pipe or a test, waited for that too).  Workers never run this: forked
    from the server, they end with ``os._exit`` as every multiprocessing child does."""
    atexit.register(os._exit, 0)


def warm() -> None:
    """Everything above, once."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance()
    warm_validators()
    configure_mappers()
    reuse_engines()
    exit_without_teardown()


warm()
