"""Build the instructor edition into ``_build/instructor/html``.

Runs Jupyter Book's own Sphinx entry point on the course with the student
edition's configuration and three overrides: ``course_edition = "instructor"``,
the student build's execution cache (so no notebook runs twice) and strict
cross-references.  Its doctrees live apart, so neither edition's incremental
build disturbs the other's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solidarity_course.paths import COURSE_ROOT

#: Where each edition's site is built, relative to the course.
SITE_DIRS = {"student": Path("_build/html"), "instructor": Path("_build/instructor/html")}


def site_dir(edition: str, root: Path = COURSE_ROOT) -> Path:
    """The built HTML site of ``edition``."""
    return root / SITE_DIRS[edition]


def build_instructor(source: Path = COURSE_ROOT, output: Path | None = None) -> int:
    """Build the instructor site; 0 on success. ``output`` defaults to the source's ``_build``."""
    from jupyter_book.sphinx import build_sphinx

    build = (output or source) / "_build"
    overrides = {
        "course_edition": "instructor",
        "external_toc_path": str(source / "_toc.yml"),
        "nb_execution_cache_path": str(build / ".jupyter_cache"),
        "nitpicky": True,
        "latex_individualpages": False,  # Jupyter Book's CLI always passes it
    }
    result = build_sphinx(
        source,
        build / "instructor" / "html",
        noconfig=True,
        path_config=str(source / "_config.yml"),
        confoverrides=overrides,
        builder="html",
        warningiserror=True,
        keep_going=True,
    )
    if isinstance(result, Exception):
        print(f"instructor edition: build failed: {result}", file=sys.stderr)
        return 1
    return int(result or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the instructor edition of the book.")
    parser.add_argument("--output", type=Path, help="folder to hold _build (default: the book)")
    args = parser.parse_args(argv)
    return build_instructor(COURSE_ROOT, args.output)
