"""The book builds strictly, offline, fails on a raising cell, and offers notebooks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import build_book

from solidarity_course.book import BUILD_FLAGS, link_book_folders, offline_prefix
from solidarity_course.paths import COURSE_ROOT

pytestmark = pytest.mark.build


def toc_files(entries: list[dict]) -> list[str]:
    """Every ``file`` named anywhere in a _toc.yml structure."""
    found = []
    for entry in entries:
        if "file" in entry:
            found.append(entry["file"])
        for key in ("chapters", "sections", "parts"):
            found += toc_files(entry.get(key, []))
    return found


def test_book_builds_with_warnings_as_errors(built_book):
    assert built_book.returncode == 0, built_book.log[-6000:]
    assert {"--warningiserror", "--nitpick"} <= set(BUILD_FLAGS)


def test_every_toc_entry_has_its_html_page(html_dir):
    toc = yaml.safe_load((COURSE_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"], *toc_files(toc.get("parts", []) + toc.get("chapters", []))]
    assert len(files) >= 2
    missing = [f for f in files if not (html_dir / f"{Path(f).with_suffix('')}.html").is_file()]
    assert missing == []


def test_build_ran_with_the_network_cut_off(built_book):
    if not offline_prefix():
        pytest.skip("no network namespace can start here (needs unshare and ip)")
    assert built_book.offline
    assert built_book.returncode == 0


def test_network_namespace_really_has_no_route_out():
    prefix = offline_prefix()
    if not prefix:
        pytest.skip("no network namespace can start here (needs unshare and ip)")
    probe = (
        "import socket, sys\n"
        "s = socket.socket(); s.settimeout(5)\n"
        "sys.exit(s.connect_ex(('192.0.2.1', 80)))\n"  # TEST-NET-1: never routed
    )
    result = subprocess.run([*prefix, sys.executable, "-c", probe], timeout=60)
    assert result.returncode == 101  # ENETUNREACH: no route at all, not a mere time-out


def mini_book(root: Path, cell_source: str) -> Path:
    """A two-page copy of the book whose chapter runs ``cell_source``."""
    for name in ("_config.yml", "references.bib"):
        if (COURSE_ROOT / name).exists():
            shutil.copy(COURSE_ROOT / name, root / name)
    link_book_folders(root)  # the config's extensions read web/ and data/ beside it
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: probe\n", encoding="utf-8"
    )
    (root / "index.md").write_text("# Probe book\n", encoding="utf-8")
    header = (COURSE_ROOT / "chapters" / "working-with-notebooks.md").read_text(encoding="utf-8")
    front_matter = header.split("---", 2)[1]
    (root / "probe.md").write_text(
        f"---{front_matter}---\n\n# Probe\n\n```{{code-cell}} ipython3\n{cell_source}\n```\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    ("cell", "should_build"),
    [("print(6 * 7)", True), ("raise RuntimeError('deliberate failure 7341')", False)],
    ids=["healthy-cell", "raising-cell"],
)
def test_a_raising_cell_fails_the_build(tmp_path, cell, should_build):
    (tmp_path / "src").mkdir()
    source = mini_book(tmp_path / "src", cell)
    build = build_book(source, tmp_path / "out", offline=False)
    assert (build.returncode == 0) is should_build, build.log[-4000:]
    if not should_build:
        assert "deliberate failure 7341" in build.log


def test_each_notebook_page_offers_its_executed_notebook(html_dir):
    page = html_dir / "chapters" / "working-with-notebooks.html"
    html = page.read_text(encoding="utf-8")
    assert "download-notebook-button" in html
    assert "download-source-button" in html
    notebook = json.loads(
        (html_dir / "_sources" / "chapters" / "working-with-notebooks.ipynb").read_text("utf-8")
    )
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code_cells and all(c.get("outputs") for c in code_cells)


def test_pipeline_chapter_shows_figure_with_caption_and_alt_text(html_dir):
    html = (html_dir / "chapters" / "working-with-notebooks.html").read_text(encoding="utf-8")
    assert 'id="fig-ifop-demo"' in html
    assert "<figcaption" in html and "contributed most to Germany" in html
    assert 'alt="Line chart of poll shares by year.' in html
    assert "application/vnd.jupyter.widget-view+json" in html


def test_download_keeps_outputs_after_a_warm_rebuild(tmp_path):
    """A page re-read with its outputs from the cache still offers an executed notebook."""
    (tmp_path / "src").mkdir()
    source = mini_book(tmp_path / "src", "print(6 * 7)")
    first = build_book(source, tmp_path / "out", offline=False)
    assert first.returncode == 0, first.log[-4000:]
    with (source / "probe.md").open("a", encoding="utf-8") as page:
        page.write("\nA sentence added after the first build.\n")
    second = build_book(source, tmp_path / "out", offline=False)
    assert second.returncode == 0, second.log[-4000:]
    assert "Using cached notebook" in second.log or "cached" in second.log.lower()
    notebook = json.loads(
        (second.html_dir / "_sources" / "probe.ipynb").read_text(encoding="utf-8")
    )
    outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert any("42" in "".join(o.get("text", "")) for o in outputs)
