"""The paragraphs of the source texts that the course quotes, for the appendix.

Excerpt captions link to the paragraph an excerpt comes from, shown in full in
the book's appendix of source texts, with the part of the work it belongs to
(``Introduction``, ``Chapter One``). The seed texts live outside the repository,
so those paragraphs are kept in ``data/source_paragraphs.csv``; run
``python -m solidarity_course.source_texts`` after changing ``excerpts.csv`` to
rewrite that table from the seeds (the data validation checks it against them).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from solidarity_course.paths import DATA_DIR, SEEDS_DIR

TABLE = "source_paragraphs.csv"
FIELDS = ("source_id", "paragraph", "section", "text")
#: A line that opens a part of a work: a level-2 heading or an italic "*Chapter One*".
_PART = re.compile(r"^(?:## +(?P<heading>.+?)|\*(?P<chapter>Chapter [A-Za-z]+)\*)\s*$")


@dataclass(frozen=True)
class Paragraph:
    """A non-empty line of a seed file, with its index and the part of the work it is in."""

    index: int
    section: str
    text: str


def paragraphs(seed: str) -> list[Paragraph]:
    """Every paragraph of ``seed`` (a non-empty line, counted from 0) with its part."""
    found, section, index = [], "", -1
    for line in seed.split("\n"):
        if not line.strip():
            continue
        index += 1
        part = _PART.match(line)
        if part:
            name = (part["heading"] or part["chapter"]).strip("* ")
            name = name.capitalize() if name.isupper() else name
            section = name
        found.append(Paragraph(index, section, line))
    return found


def quoted_paragraphs(data_dir: Path = DATA_DIR, seeds_dir: Path = SEEDS_DIR) -> list[dict]:
    """Rows of the table: each paragraph that holds an excerpt, in source order."""
    with (data_dir / "sources.csv").open(encoding="utf-8", newline="") as fh:
        seeds = {r["id"]: r["seed_file"] for r in csv.DictReader(fh)}
    with (data_dir / "excerpts.csv").open(encoding="utf-8", newline="") as fh:
        wanted = {(r["source_id"], int(r["paragraph"])) for r in csv.DictReader(fh)}
    rows = []
    for source_id, seed_file in sorted(seeds.items()):
        text = (seeds_dir / seed_file).read_text(encoding="utf-8")
        for p in paragraphs(text):
            if (source_id, p.index) in wanted:
                rows.append(dict(zip(FIELDS, (source_id, p.index, p.section, p.text), strict=True)))
    return rows


def write_table(data_dir: Path = DATA_DIR, seeds_dir: Path = SEEDS_DIR) -> Path:
    """Rewrite ``source_paragraphs.csv`` from the seeds; return its path."""
    path = data_dir / TABLE
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(quoted_paragraphs(data_dir, seeds_dir))
    return path


if __name__ == "__main__":
    print(f"wrote {write_table()}")
