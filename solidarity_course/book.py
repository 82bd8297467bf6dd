"""Build the book with the course's standard flags, optionally with no network.

One place for the build command, used by ``make book``, the tests and the
benchmarks, so that all three build the book the same way.

The data package is validated first: bad data stops the build within seconds
with one line per problem (file, row, field), before Sphinx starts.

Run as ``python -m solidarity_course.book [--offline] [--output DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from solidarity_course.data import DataPackageError, validate_package
from solidarity_course.paths import COURSE_ROOT, SEEDS_DIR

#: Warnings are errors, every cross-reference must resolve, and all problems are
#: reported before the build fails.
BUILD_FLAGS = ("--warningiserror", "--nitpick", "--keep-going")

#: Runs a command in a new network namespace with only loopback up (kernels talk
#: to the build over 127.0.0.1). ``--map-root-user`` lets it work without root.
_OFFLINE_SCRIPT = 'ip link set lo up && exec "$@"'


def jupyter_book_executable() -> str:
    """The ``jupyter-book`` script beside the running interpreter."""
    candidate = Path(sys.executable).with_name("jupyter-book")
    return str(candidate) if candidate.exists() else "jupyter-book"


def build_command(source: Path = COURSE_ROOT, output: Path | None = None) -> list[str]:
    """The command that builds the book at ``source`` (into ``output``/_build)."""
    command = [jupyter_book_executable(), "build", str(source), *BUILD_FLAGS]
    if output is not None:
        command += ["--path-output", str(output)]
    return command


def offline_prefix() -> list[str]:
    """A command prefix that cuts the network off, or ``[]`` where none can start."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        return []
    prefix = ["unshare", "--net", "--map-root-user", "sh", "-c", _OFFLINE_SCRIPT, "sh"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else []


#: What a one-page preview book needs from the course besides the page itself.
_BOOK_FILES = ("_config.yml", "references.bib", "images/favicon.svg")
#: Folders the book's extensions read relative to the book (the question bank and
#: course data, the npm assets): linked into a book made elsewhere, not copied.
BOOK_FOLDERS = ("data", "web")
#: Pages every preview includes, so that {term} and {cite} references resolve.
_REFERENCE_PAGES = ("chapters/glossary.md", "chapters/bibliography.md")


def link_book_folders(folder: Path, course: Path = COURSE_ROOT) -> None:
    """Link :data:`BOOK_FOLDERS` of ``course`` into a book made in ``folder``."""
    for name in BOOK_FOLDERS:
        if not (folder / name).exists():
            (folder / name).symlink_to(course / name, target_is_directory=True)


def page_book(page: Path, folder: Path, course: Path = COURSE_ROOT) -> Path:
    """A throwaway book in ``folder`` holding only ``page`` (a path inside the course).

    Lets an author build and check one chapter in seconds, strictly, without the
    rest of the book; the page keeps its path so its relative links still resolve.
    """
    relative = page.resolve().relative_to(course)
    for name in _BOOK_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(course / name, folder / name)
    link_book_folders(folder, course)
    pages = [relative.as_posix(), *(p for p in _REFERENCE_PAGES if p != relative.as_posix())]
    for name in pages:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(course / name, folder / name)
    (folder / "index.md").write_text("# Preview\n\n```{tableofcontents}\n```\n", "utf-8")
    entries = "".join(f"  - file: {Path(name).with_suffix('')}\n" for name in pages)
    (folder / "_toc.yml").write_text(
        f"format: jb-book\nroot: index\nchapters:\n{entries}", encoding="utf-8"
    )
    return folder


def data_problems(source: Path = COURSE_ROOT) -> list[str]:
    """Every problem in the data package of the book at ``source`` (empty when valid)."""
    data_dir = source / "data"
    try:
        validate_package(data_dir, seeds_dir=SEEDS_DIR if SEEDS_DIR.is_dir() else None)
    except DataPackageError as exc:
        return [f"{data_dir.name}/{problem}" for problem in exc.problems]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="folder to hold _build (default: the book)")
    parser.add_argument(
        "--offline", action="store_true", help="build in a network namespace with no network"
    )
    parser.add_argument(
        "--page", type=Path, help="build only this page (e.g. chapters/02-october-1917.md)"
    )
    parser.add_argument(
        "--source", type=Path, default=COURSE_ROOT, help="the book to build (default: the course)"
    )
    parser.add_argument(
        "--edition", choices=("student", "instructor"), default="student",
        help="instructor: the edition with teaching notes and keys (_build/instructor/html)",
    )
    args = parser.parse_args(argv)
    source = args.source.resolve()
    problems = data_problems(source)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"book not built: {len(problems)} problem(s) in the data package", file=sys.stderr)
        return 1
    if args.page:
        if args.output is None:
            parser.error("--page needs --output (a folder for the preview book)")
        args.output.mkdir(parents=True, exist_ok=True)
        source = page_book(args.page, args.output, source)
    command = build_command(source, args.output)
    if args.edition == "instructor":
        if args.page:
            parser.error("--page previews the student edition only")
        command = [sys.executable, "-m", "solidarity_course.edition"]
        command += ["--output", str(args.output)] if args.output else []
    if args.offline:
        prefix = offline_prefix()
        if not prefix:
            parser.error("cannot start a network namespace here (needs unshare and ip)")
        command = prefix + command
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
