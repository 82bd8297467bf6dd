"""Shared fixtures: one offline build of the whole book per test session."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from solidarity_course.book import build_command, offline_prefix
from solidarity_course.paths import COURSE_ROOT


@dataclass(frozen=True)
class BookBuild:
    """The outcome of building a book: exit status, log and where the HTML is."""

    returncode: int
    log: str
    html_dir: Path
    offline: bool


def build_book(source: Path, output: Path, offline: bool = True) -> BookBuild:
    """Build ``source`` into ``output``/_build, in a network namespace when possible."""
    prefix = offline_prefix() if offline else []
    result = subprocess.run(
        [*prefix, *build_command(source, output)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return BookBuild(
        returncode=result.returncode,
        log=result.stdout + result.stderr,
        html_dir=output / "_build" / "html",
        offline=bool(prefix),
    )


#: Set to the ``_build/html`` folder of a book already built from this working tree
#: to rerun the site tests without building again (it must be current: your risk).
PREBUILT_HTML = "SOLIDARITY_BOOK_HTML"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> BookBuild:
    """The course book, built once from the working tree with the network cut off."""
    prebuilt = os.environ.get(PREBUILT_HTML)
    if prebuilt:
        return BookBuild(0, f"(prebuilt: {prebuilt})", Path(prebuilt), offline=True)
    return build_book(COURSE_ROOT, tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def html_dir(built_book) -> Path:
    """The built HTML; fails every dependent test with the log if the build failed."""
    if built_book.returncode != 0:
        pytest.fail(f"the book did not build:\n{built_book.log[-6000:]}")
    return built_book.html_dir


@pytest.fixture(scope="session")
def sample_bank(tmp_path_factory):
    """The sample bank (one question of every type, self-check and graded), resolved."""
    from solidarity_course.quiz.bank import load_bank
    from solidarity_course.quiz.samples import sample_data, write_sample_bank

    directory = tmp_path_factory.mktemp("sample-bank")
    write_sample_bank(directory)
    return load_bank(directory, data=sample_data())
