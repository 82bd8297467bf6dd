"""Every course chapter meets the chapter standard, checked in source and in the built HTML.

A chapter (a ``chapters/NN-*.md`` page listed in ``_toc.yml``) must: state learning
objectives and end with a summary; carry at least 1,500 words of our own commentary
(quotations, code and directives excluded); render its excerpts from ``data/`` (never
pasted), matching the data word for word in the HTML; show a captioned figure with
alt text; offer at least two ipywidgets exercises; include a self-check quiz whose
question ids exist in the bank; and have a graded nbgrader assignment with an essay
and its rubric.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from solidarity_course.data import get_excerpt
from solidarity_course.paths import COURSE_ROOT, EXERCISES_DIR
from solidarity_course.quiz.bank import load_bank
from solidarity_course.render import displayed_text

MIN_WORDS = 1500
#: (``ChapterQuiz("<chapter>")`` is the chapter's quiz shown in JupyterLab, not an exercise.)
EXERCISE_CLASSES = re.compile(
    r"\b(DeviceSpotter|VerdictMatcher|ChapterQuiz(?=\((?!\"))|[A-Z]\w*Exercise)\(")
CODE_CELL = re.compile(r"^```\{code-cell\}.*?^```\s*$", re.M | re.S)
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{[^}]+\}.*?^\1\s*$", re.M | re.S)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
QUIZ = re.compile(r"^```\{quiz\}[ \t]*(\S*)\n((?::\w+:.*\n)*)```", re.M)


def chapter_pages() -> list[str]:
    """Docnames of the numbered chapters in _toc.yml, e.g. ``chapters/02-october-1917``."""
    toc = (COURSE_ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"file:\s*(chapters/\d\d-[\w-]+)", toc)


CHAPTERS = chapter_pages()
pytestmark = pytest.mark.skipif(not CHAPTERS, reason="no numbered chapter in _toc.yml yet")


def source(page: str) -> str:
    return (COURSE_ROOT / f"{page}.md").read_text(encoding="utf-8")


def commentary(text: str) -> str:
    """The chapter's own prose: no front matter, code, directives, quotations or tables."""
    text = FRONT_MATTER.sub("", text)
    text = CODE_CELL.sub("", text)
    text = DIRECTIVE.sub("", text)
    lines = [
        line
        for line in text.splitlines()
        if not line.lstrip().startswith((">", "|", "#", "+++", "<"))
    ]
    prose = "\n".join(lines)
    prose = re.sub(r"\{[\w:-]+\}`[^`]*`", "", prose)  # roles such as {cite}`key`
    prose = re.sub(r"“[^”]{40,}”", "", prose)  # long inline quotations are not ours
    return prose


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-zÀ-ÿ0-9]+(?:['’-][A-Za-zÀ-ÿ0-9]+)*", text))


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_objectives_and_summary(page):
    text = source(page)
    assert re.search(r"^#+ .*learning objectives", text, re.I | re.M), "no learning objectives"
    assert re.search(r"^#+ .*summary", text, re.I | re.M), "no summary section"
    assert text.index("earning objectives") < text.lower().rindex("summary")


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_enough_commentary_in_our_own_words(page):
    count = words(commentary(source(page)))
    assert count >= MIN_WORDS, f"{page}: {count} words of commentary, need {MIN_WORDS}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_offers_at_least_two_widget_exercises(page):
    code = "\n".join(CODE_CELL.findall(source(page)))
    exercises = EXERCISE_CLASSES.findall(code)
    assert len(exercises) >= 2, f"{page}: exercises found: {exercises}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_quiz_ids_exist_in_the_bank(page):
    bank = load_bank()
    quizzes = QUIZ.findall(source(page))
    assert quizzes, f"{page}: no {{quiz}} directive"
    for chapter_arg, options in quizzes:
        ids_option = re.search(r":ids:\s*(.*)", options)
        if ids_option:
            ids = [i.strip() for i in ids_option.group(1).split(",") if i.strip()]
            assert len(bank.get(ids)) == len(ids)
        else:
            questions = bank.chapter(chapter_arg, use="self-check")
            assert len(questions) >= 6, f"{chapter_arg}: {len(questions)} self-check questions"
            assert len({q.type for q in questions}) >= 3


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_a_graded_assignment_with_essay_and_rubric(page):
    chapter = Path(page).name
    notebook_path = EXERCISES_DIR / "source" / chapter / f"{chapter}.ipynb"
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    graded = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade")]
    autograded = [c for c in graded if c["cell_type"] == "code"]
    manual = [
        c for c in graded if c["cell_type"] == "markdown" or c["metadata"]["nbgrader"].get("task")
    ]
    assert autograded, f"{chapter}: no auto-graded cell"
    assert manual, f"{chapter}: no hand-graded essay cell"
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert re.search(r"rubric", markdown, re.I), f"{chapter}: rubric not shown in the notebook"


def figure_cell(page: str, name: str) -> str:
    """The code of the code cell that makes figure *name*, without its YAML header."""
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", source(page), re.M | re.S)
    cell = next(c for c in cells if re.search(rf"^\s*name:\s*{re.escape(name)}\s*$", c, re.M))
    return FRONT_MATTER.sub("", cell)


@pytest.fixture
def draw_figure(monkeypatch):
    """Run a chapter's figure cell headlessly and return its first axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from solidarity_course.data import load_table
    from solidarity_course.plotting import OKABE_ITO, use_course_style

    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    use_course_style()

    def draw(page: str, name: str):
        exec(figure_cell(page, name), {"plt": plt, "load_table": load_table,
                                       "OKABE_ITO": OKABE_ITO})
        return plt.gcf().axes[0]

    yield draw
    plt.close("all")


def test_chapter5_deaths_figure_draws_every_range_in_the_table(draw_figure):
    """fig-ww2-deaths draws a low-high line for each row of military_deaths that has one."""
    from matplotlib.container import ErrorbarContainer

    from solidarity_course.data import load_table

    ax = draw_figure("chapters/05-ww2-memory", "fig-ww2-deaths")
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 1, "the figure draws no low-high ranges"
    segments = bars[0].lines[2][0].get_segments()
    drawn = sorted((round(seg[0][0], 6), round(seg[1][0], 6)) for seg in segments)
    deaths = load_table("military_deaths").dropna(subset=["low", "high"])
    expected = sorted(
        (round(lo / 1e6, 6), round(hi / 1e6, 6))
        for lo, hi in zip(deaths["low"], deaths["high"], strict=True)
    )
    assert drawn == expected
    assert ax.get_xlim()[1] >= deaths["high"].max() / 1e6, "a range runs off the axes"
    assert "range" in " ".join(t.get_text() for t in ax.get_legend().get_texts()).lower()


def test_chapter5_nanjing_figure_draws_every_published_estimate(draw_figure):
    """fig-ww2-nanjing marks every estimate's low and (where given) high end."""
    import pandas as pd

    from solidarity_course.data import load_table

    ax = draw_figure("chapters/05-ww2-memory", "fig-ww2-nanjing")
    drawn = {round(float(x), 6) for line in ax.lines for x in line.get_xdata()}
    estimates = load_table("nanjing_estimates")
    assert len(estimates) >= 4 and (estimates["low"] > 50_000).any()
    for row in estimates.itertuples(index=False):
        assert round(row.low / 1e3, 6) in drawn, row.estimator
        if pd.notna(row.high):
            assert round(row.high / 1e3, 6) in drawn, row.estimator
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("Kasahara" in label for label in labels)
    assert ax.get_xlim()[1] >= estimates["low"].max() / 1e3


def test_chapter5_manchuria_prose_caption_and_data_agree():
    """Loss figures not located in Glantz are called unlocated in the data, caption and prose."""
    from solidarity_course.data import load_table

    notes = load_table("manchuria_losses")["note"].str.lower()
    assert notes.str.contains("not located by us").all()
    text = source("chapters/05-ww2-memory")
    caption = text[text.index("Japanese losses in the Manchurian campaign"):
                   text.index("name: fig-ww2-manchuria")]
    assert "not located by us" in caption
    prose = text[text.index("Even the figures usually reported as the Soviet claim"):][:600]
    assert "glantz2003" in prose and "not located" in prose


def test_chapter7_figure_sets_each_post_figure_against_its_published_range(monkeypatch):
    """fig-resistance-figures draws every low-high range and every figure the post gives."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.container import ErrorbarContainer

    from solidarity_course.data import load_table

    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: None)
    try:
        exec(figure_cell("chapters/07-resistance", "fig-resistance-figures"), {})
        ax = plt.gcf().axes[0]
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == 1, "the figure draws no low-high ranges"
        segments = bars[0].lines[2][0].get_segments()
        drawn = sorted((round(seg[0][0]), round(seg[1][0])) for seg in segments)
        table = load_table("resistance_figures")
        ranged = table.dropna(subset=["low", "high"])
        assert drawn == sorted(zip(ranged["low"], ranged["high"], strict=True))
        markers = [c for c in ax.collections if len(c.get_offsets()) == len(table)]
        assert markers, "the post's figures are not all drawn"
        assert sorted(markers[0].get_offsets()[:, 0]) == sorted(table["post_figure"])
        low, high = ax.get_xlim()
        assert low <= table["low"].min() and high >= table["post_figure"].max()
    finally:
        plt.close("all")


# --------------------------------------------------------------------------- built HTML

EXCERPT_FIGURE = re.compile(
    r'<figure class="course-block course-excerpt" id="excerpt-[^"]+" data-excerpt-id="([^"]+)"'
    r'[^>]*>\s*<blockquote><p class="course-quotation">(.*?)</p></blockquote>',
    re.S,
)
NOTE_REFS = re.compile(r'<sup class="course-note-ref" aria-hidden="true">\[\d+\]</sup>')


def page_html(html_dir: Path, page: str) -> str:
    return (html_dir / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.build
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_excerpts_in_html_match_the_data(html_dir, page):
    rendered = EXCERPT_FIGURE.findall(page_html(html_dir, page))
    assert rendered, f"{page}: no excerpt rendered from data/"
    for excerpt_id, inner in rendered:
        visible = html.unescape(re.sub(r"<[^>]+>", "", NOTE_REFS.sub("", inner)))
        assert visible == displayed_text(get_excerpt(excerpt_id).text), excerpt_id


@pytest.mark.build
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_figures_have_caption_and_alt_text(html_dir, page):
    page_source = page_html(html_dir, page)
    figures = re.findall(
        r'<figure class="align-default" id="[^"]+">(.*?)</figure>', page_source, re.S
    )
    assert figures, f"{page}: no captioned figure"
    for figure in figures:
        alt = re.search(r'<img alt="([^"]*)"', figure)
        assert alt and len(alt.group(1)) > 30, f"{page}: figure without real alt text"
        assert "<figcaption" in figure


@pytest.mark.build
def test_chapter5_deaths_figure_describes_its_ranges(html_dir):
    page_source = page_html(html_dir, "chapters/05-ww2-memory")
    figure = re.search(
        r'<figure class="align-default" id="fig-ww2-deaths">(.*?)</figure>', page_source, re.S
    )
    assert figure, "fig-ww2-deaths not rendered as a captioned figure"
    alt = html.unescape(re.search(r'<img alt="([^"]*)"', figure.group(1)).group(1))
    caption = html.unescape(re.sub(r"<[^>]+>", "", figure.group(1).split("<figcaption", 1)[1]))
    assert "range" in alt and "11.5 million" in alt
    assert "published estimate" in caption and "not margins" in caption
    assert "single figures" not in caption


@pytest.mark.build
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_citations_resolve(html_dir, page):
    """Every {cite} in the source became a link into the bibliography page."""
    cited = [
        key
        for match in re.finditer(r"\{cite(?::\w+)?\}`([^`]*)`", source(page))
        for key in re.split(r"[,;]", match.group(1))
        if key.strip()
    ]
    assert cited, f"{page}: cites no scholarship"
    links = re.findall(r'href="bibliography\.html#[^"]+"', page_html(html_dir, page))
    assert len(links) >= len(cited), f"{page}: {len(cited)} citations, {len(links)} links"


@pytest.mark.build
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_notebook_has_no_stray_none_outputs(html_dir, page):
    """No cell shows a bare ``None`` (e.g. from wrapping a show_* helper in display())."""
    notebook = json.loads((html_dir / "_sources" / f"{page}.ipynb").read_text("utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            assert output.get("data", {}).get("text/plain") != "None", cell["source"][:200]


@pytest.mark.build
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_quiz_renders_without_kernel(html_dir, page):
    """Quiz and exercises are the kernel-free HTML: no widget view is left on the page."""
    page_source = page_html(html_dir, page)
    assert "solidarity_quiz.js" in page_source
    assert "application/vnd.jupyter.widget-view+json" not in page_source
    assert page_source.count('<section class="scq"') >= 8


def test_toc_lists_the_chapters_in_order():
    assert CHAPTERS == sorted(CHAPTERS)
    assert yaml.safe_load((COURSE_ROOT / "_toc.yml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ notebooks in JupyterLab

#: Tags that hide or fold a cell's code in the book.
HIDDEN = {"hide-input", "remove-input", "remove-cell"}
#: Cells this long are set-up or plotting code, folded for readers.
SHORT_CELL = 3


def book_notebooks() -> list[Path]:
    """Every page of the book that is a notebook (a MyST file with a jupytext header)."""
    pages = sorted((COURSE_ROOT / "chapters").glob("*.md"))
    return [p for p in pages if p.read_text(encoding="utf-8").startswith("---\njupytext:")]


@pytest.mark.parametrize("page", chapter_pages())
def test_setup_and_plotting_code_is_hidden_or_folded(page):
    import jupytext

    notebook = jupytext.read(COURSE_ROOT / f"{page}.md")
    shown = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        long = len(cell.source.splitlines()) > SHORT_CELL
        if long or "figure" in cell.metadata.get("mystnb", {}):
            shown.append(cell.source.splitlines()[0])
    assert shown == [], f"{page}: fold these cells with tags: [hide-input]"


@pytest.mark.parametrize("path", book_notebooks(), ids=lambda p: p.stem)
def test_running_and_saving_in_jupyterlab_does_not_rewrite_the_file(path):
    """Read as JupyterLab's jupytext does, run (outputs, counts, metadata), save, compare."""
    import nbformat
    from jupytext import reads, writes
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config_file = find_jupytext_configuration_file(str(path.parent))
    assert config_file and Path(config_file).name == "jupytext.toml"
    config = load_jupytext_configuration_file(config_file)
    text = path.read_text(encoding="utf-8")
    notebook = reads(text, fmt="md:myst")
    # What a run and a save in JupyterLab add to the notebook.
    notebook.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    notebook.metadata.setdefault("jupytext", {}).setdefault("text_representation", {})[
        "jupytext_version"
    ] = "1.19.6"
    for count, cell in enumerate(notebook.cells, 1):
        cell.metadata["jp-MarkdownHeadingCollapsed"] = False
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
            cell.metadata["scrolled"] = True
    saved = writes(notebook, fmt="md:myst", config=config)
    assert saved == text


def reader_text(page: str) -> str:
    """What a reader sees of a page: no scripts, styles, tags or attributes; spaces collapsed."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.build
def test_every_claim_is_shown_to_readers_somewhere_in_the_book(html_dir):
    """Each row of claims.csv reaches a reader: its record (what the record shows) is visible
    text on some page, in a claims table or an excerpt's annotations, not only an attribute."""
    from solidarity_course.data import load_table

    pages = [p for p in html_dir.rglob("*.html") if "_sources" not in p.parts]
    visible = "\n".join(reader_text(p.read_text(encoding="utf-8")) for p in pages)
    claims = load_table("claims")
    missing = [
        claim.id for claim in claims.itertuples(index=False)
        if " ".join(claim.record.split()) not in visible
    ]
    assert not missing, f"claims not shown anywhere in the built book: {', '.join(missing)}"


def test_no_page_names_a_claim_by_its_data_id(html_dir):
    """Claim ids (c26, c400) belong to the data, and no claims table shows them: a reader
    meets none in a page's text (code listings aside)."""
    from solidarity_course.data import load_table

    ids = set(load_table("claims").id)
    named = {}
    for path in html_dir.rglob("*.html"):
        if "_sources" in path.parts:
            continue
        text = reader_text(re.sub(r"<pre\b.*?</pre>", " ", path.read_text(encoding="utf-8"),
                                  flags=re.S))
        found = sorted(set(re.findall(r"\bc\d+\b", text)) & ids)
        if found:
            named[str(path.relative_to(html_dir))] = found
    assert not named, f"claim ids in reader-facing text: {named}"
