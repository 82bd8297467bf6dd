"""BibTeX keys: which works ``references.bib`` holds and which ones a text cites.

Two jobs only:

- :func:`bib_keys` parses a ``.bib`` file (with pybtex) and returns its entry keys;
- :func:`cited_keys` finds the keys cited in MyST text with ``{cite}`key```,
  ``{cite:p}`a,b``` and the other ``{cite:...}`` roles of sphinxcontrib-bibtex.

:func:`split_keys` reads the semicolon-separated ``citations`` cells of the data tables;
:func:`short_reference` gives an author–year label for rendered tables.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["BibliographyError", "bib_keys", "cited_keys", "short_reference", "split_keys"]

#: ``{cite}`key```, ``{cite:p}`a,b```, ``{cite:t}`a; b``` ...
_CITE_ROLE = re.compile(r"\{cite(?::[A-Za-z]+)?\}`([^`]*)`")


class BibliographyError(ValueError):
    """A ``.bib`` file is missing or cannot be parsed; the message names the file."""


def bib_keys(path: str | Path) -> frozenset[str]:
    """Return the entry keys of the BibTeX file at *path*.

    Raises :class:`BibliographyError` naming the file (and pybtex's reason) if the
    file is missing, unreadable or malformed, including duplicate keys.
    """
    return frozenset(_database(Path(path).resolve()).entries.keys())


def short_reference(key: str, path: str | Path) -> str:
    """An author–year label such as ``Rabinowitch 1976`` for the entry *key*."""
    entry = _database(Path(path).resolve()).entries[key]
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if people:
        name = " ".join(people[0].last_names)
        if len(people) == 2:
            name += " and " + " ".join(people[1].last_names)
        elif len(people) > 2:
            name += " et al."
    else:
        name = entry.fields.get("organization") or entry.fields.get("title", key)
    return f"{_plain(name)} {entry.fields.get('year', 'n.d.')}"


def _plain(latex: str) -> str:
    """BibTeX field text as plain Unicode (``K\\"ostenberger`` -> ``Köstenberger``)."""
    import latexcodec  # noqa: F401  (registers the "ulatex" codec; installed with pybtex)

    return codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")


@lru_cache(maxsize=4)
def _database(path: Path):
    """The parsed BibTeX database at *path* (see :func:`bib_keys` for errors)."""
    from pybtex.database import parse_file
    from pybtex.exceptions import PybtexError

    path = Path(path)
    if not path.is_file():
        raise BibliographyError(f"{path}: bibliography file not found")
    try:
        data = parse_file(str(path), bib_format="bibtex")
    except PybtexError as exc:  # syntax errors, duplicate entries ...
        raise BibliographyError(f"{path}: malformed BibTeX: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BibliographyError(f"{path}: cannot read BibTeX file: {exc}") from None
    return data


def cited_keys(text: str) -> set[str]:
    """Return the BibTeX keys cited in MyST *text* through ``{cite...}`` roles."""
    keys: set[str] = set()
    for match in _CITE_ROLE.finditer(text):
        keys.update(split_keys(match.group(1), separators=",;"))
    return keys


def split_keys(cell: str | None, separators: str = ";") -> list[str]:
    """Split a cell such as ``"a;b"`` into keys, dropping blanks; ``None`` gives ``[]``."""
    if cell is None:
        return []
    parts = re.split("[" + re.escape(separators) + "]", str(cell))
    return [p.strip() for p in parts if p.strip()]
