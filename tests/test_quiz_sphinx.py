"""The {quiz} directive in a small Jupyter Book built in a temporary folder:
every type's controls are in the page, graded questions are not, and the
script and style sheet are served from _static."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solidarity_course.quiz.samples import (
    write_sample_bank,
    write_sample_data,
    write_sample_dbq_bank,
)

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

CONFIG = """\
title: Quiz test site
only_build_toc_files: true
execute:
  execute_notebooks: "off"
launch_buttons:
  thebe: false
sphinx:
  recursive_update: true
  config:
    # As in the course's _config.yml: no sphinx_thebe and no intersphinx.
    extensions:
      - myst_nb
      - jupyter_book
      - sphinx_external_toc
      - sphinx_book_theme
      - sphinx_comments
      - solidarity_course.sphinx.quiz
    html_context:
      default_mode: auto
    quiz_bank_dir: bank
    quiz_data_fixture: sample-data.yml
"""

TOC = """\
format: jb-book
root: index
chapters:
  - file: quiz
  - file: subset
  - file: dbq
  - file: bibliography
"""


def with_bibtex(config: str) -> str:
    """``config`` with sphinxcontrib-bibtex and the course's references (for ``{cite}``)."""
    config = config.replace("      - solidarity_course.sphinx.quiz",
                            "      - sphinxcontrib.bibtex\n      - solidarity_course.sphinx.quiz")
    return config + "bibtex_bibfiles:\n  - references.bib\nbibtex_reference_style: author_year\n"


def build_quiz_site(root: Path) -> Path:
    """Write and build the test book under ``root``; return the HTML folder."""
    root.mkdir(parents=True, exist_ok=True)
    from solidarity_course.paths import COURSE_ROOT

    (root / "_config.yml").write_text(with_bibtex(CONFIG), "utf-8")
    (root / "references.bib").write_text(
        (COURSE_ROOT / "references.bib").read_text("utf-8"), "utf-8")
    (root / "bibliography.md").write_text("# References\n\n```{bibliography}\n```\n", "utf-8")
    (root / "_toc.yml").write_text(TOC, "utf-8")
    (root / "index.md").write_text("# Quiz test site\n\nA site for the quiz tests.\n", "utf-8")
    (root / "quiz.md").write_text(
        "# Every question type\n\n```{quiz} 99-sample\n```\n", "utf-8")
    (root / "subset.md").write_text(
        "# Two questions\n\n```{quiz}\n:ids: num, single\n```\n", "utf-8")
    (root / "dbq.md").write_text(
        "# A document-based question\n\n## Check your understanding\n\n"
        "```{quiz} 98-dbq\n```\n", "utf-8")
    write_sample_bank(root / "bank")
    write_sample_dbq_bank(root / "bank")
    write_sample_data(root / "sample-data.yml")
    proc = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "--warningiserror", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return root / "_build" / "html"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_quiz_site(tmp_path_factory.mktemp("quizsite"))


def test_static_files_are_local(site):
    page = (site / "quiz.html").read_text("utf-8")
    assert (site / "_static" / "solidarity_quiz.js").is_file()
    assert (site / "_static" / "solidarity_quiz.css").is_file()
    assert 'src="_static/solidarity_quiz.js' in page
    assert 'href="_static/solidarity_quiz.css' in page


def test_every_type_is_rendered(site):
    page = (site / "quiz.html").read_text("utf-8")
    for qtype in ("single_choice", "multiple_select", "matching", "ordering", "numeric",
                  "short_text", "spot_device"):
        assert f'data-qtype="{qtype}"' in page, qtype
    assert page.count('class="scq-check"') == 7
    assert page.count('aria-live="polite"') >= 7
    assert "<mark>" in page and 'class="scq-up"' in page and "<select " in page


def test_graded_questions_and_keys_stay_out(site):
    text = "\n".join(p.read_text("utf-8", errors="ignore") for p in site.rglob("*")
                     if p.is_file() and p.suffix in {".html", ".js", ".txt", ".json"})
    assert 'data-qid="g-' not in text and "scq-g-" not in text


def test_ids_option_keeps_the_given_order(site):
    page = (site / "subset.html").read_text("utf-8")
    assert page.index('data-qid="num"') < page.index('data-qid="single"')
    assert page.count('class="scq"') == 2


def test_document_set_page_has_documents_parts_and_self_assessment(site):
    """Sourcing cards parsed as MyST, verbatim quotations, three kernel-free parts."""
    page = (site / "dbq.html").read_text("utf-8")
    assert page.count('class="scq-document"') == 4 and page.count('class="scq"') == 3
    for label in ("A", "B", "C", "D"):
        assert f">Document {label}</h3>" in page and f'>Document {label}</a>' in page
    assert "This is a book about our friends" in page  # verbatim, from the data
    assert "{cite}" not in page and "<textarea" in page
    assert page.count('class="scq-outline scq-explanation" id="scq-dbq-written-outline"') == 1
    assert "Score: 0 of 4" in page and "Your self-assessment: 0 of 5 points." in page


def test_real_bank_renders_every_chapter_with_citations(tmp_path):
    """The course's bank and data, with sphinxcontrib-bibtex: citations resolve, no
    warnings, only self-check questions appear."""
    import shutil

    from solidarity_course.paths import COURSE_ROOT, DATA_DIR
    from solidarity_course.quiz.bank import BANK_DIR, load_bank
    from solidarity_course.quiz.devices import default_data

    bib = COURSE_ROOT / "references.bib"
    if not bib.exists():
        pytest.skip("references.bib not there yet")
    bank = load_bank(data=default_data())
    chapters = bank.chapters
    root = tmp_path / "book"
    root.mkdir()
    shutil.copy(bib, root / "references.bib")
    config = with_bibtex(CONFIG).replace(
        "    quiz_bank_dir: bank\n    quiz_data_fixture: sample-data.yml\n",
        f"    quiz_bank_dir: {BANK_DIR}\n    quiz_data_dir: {DATA_DIR}\n")
    (root / "_config.yml").write_text(config, "utf-8")
    toc = "format: jb-book\nroot: index\nchapters:\n" + "".join(
        f"  - file: q{c}\n" for c in chapters) + "  - file: bibliography\n"
    (root / "_toc.yml").write_text(toc, "utf-8")
    (root / "index.md").write_text("# Real bank\n", "utf-8")
    for c in chapters:
        (root / f"q{c}.md").write_text(f"# Quiz {c}\n\n```{{quiz}} {c}\n```\n", "utf-8")
    (root / "bibliography.md").write_text("# References\n\n```{bibliography}\n```\n", "utf-8")
    proc = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "--warningiserror", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    html = root / "_build" / "html"
    for c in chapters:
        page = (html / f"q{c}.html").read_text("utf-8")
        expected = [q.id for q in bank.chapter(c, use="self-check")]
        assert [f'data-qid="{i}"' in page for i in expected] == [True] * len(expected)
        for q in bank.chapter(c, use="graded"):
            assert f'data-qid="{q.id}"' not in page
    all_text = "\n".join(p.read_text("utf-8") for p in html.glob("*.html"))
    assert 'data-qid="rs-ambassador-name"' not in all_text
    for c in chapters:  # a graded question's own explanation never appears
        for q in bank.chapter(c, use="graded"):
            opening = " ".join(q.explanation.split())[:60]
            assert opening not in " ".join(all_text.split()), q.id
    assert 'href="bibliography.html#id' in all_text or "bibliography.html#" in all_text
