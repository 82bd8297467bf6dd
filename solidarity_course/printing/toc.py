"""The book's pages in reading order, read from ``_toc.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from solidarity_course.paths import COURSE_ROOT


@dataclass(frozen=True)
class Page:
    """One page of the table of contents."""

    docname: str  # e.g. "chapters/02-october-1917"
    part: str  # caption of the part it belongs to ("" for the root page)

    @property
    def name(self) -> str:
        """The file name without folder or suffix ("02-october-1917")."""
        return Path(self.docname).name

    def source(self, root: Path = COURSE_ROOT) -> Path:
        """The page's MyST source."""
        return root / f"{self.docname}.md"

    def title(self, root: Path = COURSE_ROOT) -> str:
        """The page's first-level heading."""
        for line in self.source(root).read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        return self.name


def _entries(entries: list[dict], part: str) -> list[Page]:
    pages = []
    for entry in entries or []:
        if "file" in entry:
            pages.append(Page(str(entry["file"]).removesuffix(".md"), part))
        pages += _entries(entry.get("sections", []), part)
    return pages


def toc_pages(root: Path = COURSE_ROOT) -> list[Page]:
    """Every page of the book, root first, in the order of ``_toc.yml``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [Page(str(toc["root"]).removesuffix(".md"), "")]
    for part in toc.get("parts", []):
        pages += _entries(part.get("chapters", []), part.get("caption", ""))
    pages += _entries(toc.get("chapters", []), "")
    return pages
