"""Write files and folders so that readers never see them half-written.

A file is written to a temporary name in the same folder and renamed over the
target (``os.replace`` is atomic on POSIX).  A folder is built under a hidden
temporary name beside the target and swapped in with two renames; leftovers of
an interrupted swap are hidden names (``.<name>.incoming-*``/``.<name>.old-*``)
that :func:`clean_leftovers` removes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def replace_tree(source: Path, target: Path) -> None:
    """Make ``target`` a copy of the folder ``source``, swapping it in at once.

    The copy is made beside ``target`` (same file system), then renamed into
    place; an existing ``target`` is first renamed away and deleted afterwards.
    """
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    incoming = target.parent / f".{target.name}.incoming-{tag}"
    shutil.copytree(source, incoming, symlinks=False)
    if target.exists():
        old = target.parent / f".{target.name}.old-{tag}"
        os.rename(target, old)
        os.rename(incoming, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(incoming, target)


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the hidden leftovers of interrupted :func:`replace_tree` calls in ``folder``."""
    removed = []
    if not Path(folder).is_dir():
        return removed
    for path in Path(folder).glob(".*.*-*"):
        if ".incoming-" in path.name or ".old-" in path.name:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
