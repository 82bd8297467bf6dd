"""Exercises in the built book, in headless Chromium, with no kernel anywhere.

Every button (and every ``<summary>``) in a chapter's article does something
when clicked; an exercise answered right, wrong and partly right gives the
verdicts, feedback and running score of the notebook widgets; the ordering
exercise shows every item and button label whole on a phone and a desktop.
"""

from __future__ import annotations

import json

import pytest
from browser_support import chromium, html_pages, open_page, site_url  # noqa: F401

pytestmark = pytest.mark.browser

OCTOBER = "chapters/02-october-1917.html"
VERDICTS = "section.scq[data-qid^='verdicts-']"
TIMELINE = "#scq-oct-widget-timeline"

#: Everything in the article that a reader can see changing when a control works:
#: the markup (classes, hidden, open, text) and the state of the form controls.
SNAPSHOT_JS = """(article) => article.innerHTML + JSON.stringify(
    [...article.querySelectorAll('input, select, textarea')].map(
        el => [el.value, el.checked, el.selectedIndex]))"""


def chapter_pages(html_dir) -> list[str]:
    pages = [p for p in html_pages(html_dir) if p.startswith("chapters/")]
    assert OCTOBER in pages
    return ["index.html", *pages]


def inert_controls(page) -> tuple[int, list[str]]:
    """Click every visible, enabled button and summary of the article in turn.

    Returns how many were clicked and a description of each that changed nothing.
    """
    article = page.locator("article.bd-article")
    count = article.locator("button, summary").evaluate_all(
        "els => els.map((el, i) => el.dataset.inertProbe = i).length")
    clicked, inert = 0, []
    for i in range(count):
        control = article.locator(f"[data-inert-probe='{i}']")
        if not control.is_visible() or control.is_disabled():
            continue  # hidden until needed (Try again), or disabled (the first item's Up)
        before = article.evaluate(SNAPSHOT_JS)
        control.click()
        page.wait_for_timeout(50)
        clicked += 1
        if article.evaluate(SNAPSHOT_JS) == before:
            label = control.evaluate("el => el.getAttribute('aria-label') || el.innerText")
            context = control.evaluate(
                "el => (el.closest('section, .cell, p, div') || el).id || el.className")
            inert.append(f"{label.strip()!r} in {context!r}")
    return clicked, inert


def test_no_button_in_a_chapter_is_inert(html_dir, site_url, chromium):  # noqa: F811
    found, total = {}, 0
    for path in chapter_pages(html_dir):
        page, recorder = open_page(
            chromium, site_url + path, permissions=["clipboard-read", "clipboard-write"])
        clicked, inert = inert_controls(page)
        total += clicked
        if inert:
            found[path] = inert
        assert recorder.problems() == {}, path
        page.context.close()
    assert total > 100  # the exercises' and quizzes' buttons were all reached
    assert found == {}


# ------------------------------------------------------------------ an exercise
def answer_matching(section, key: dict, right: set[str]) -> None:
    """Choose the key for the items in ``right``, another option for the rest."""
    for item, answer in key.items():
        select = section.locator(f"select[data-item='{item}']")
        options = select.locator("option").evaluate_all("els => els.map(e => e.value)")
        choice = answer if item in right else next(o for o in options if o not in ("", answer))
        select.select_option(choice)


@pytest.fixture
def october(site_url, chromium):  # noqa: F811
    page, recorder = open_page(chromium, site_url + OCTOBER)
    yield page
    assert recorder.problems() == {}
    page.context.close()


def check(section) -> str:
    section.locator(".scq-check").click()
    return section.locator(".scq-verdict").inner_text().strip()


def test_verdict_matcher_right_wrong_and_partly_right(october):
    section = october.locator(VERDICTS)
    key = json.loads(section.get_attribute("data-key"))["answer"]
    items = list(key)
    n = len(items)
    total = section.locator("xpath=ancestor::div[contains(@class,'scq-quiz')]").locator(
        ".scq-total")
    assert total.inner_text() == f"Score: 0 of {n}"

    answer_matching(section, key, right=set(items))
    assert check(section) == "Correct."
    assert section.locator(".scq-explanation").is_visible()
    assert total.inner_text() == f"Score: {n} of {n}"

    answer_matching(section, key, right=set())
    assert check(section) == f"Not correct: 0 of {n} matched correctly."
    assert not section.locator(".scq-explanation").is_visible()
    assert section.locator(".scq-fb[data-fb-item]:visible").count() == n
    assert total.inner_text() == f"Score: 0 of {n}"

    answer_matching(section, key, right=set(items[:2]))
    verdict = check(section)
    assert verdict == (f"Partly correct: 2 of {n} matched correctly "
                       f"({round(200 / n)}% of the credit).")
    shown = section.locator(".scq-fb[data-fb-item]:visible").evaluate_all(
        "els => els.map(e => e.dataset.fbItem)")
    assert shown == items[2:]  # the course's answer for each item answered wrongly
    assert total.inner_text() == f"Score: 2 of {n}"


def test_check_with_items_left_blank_reveals_nothing_about_them(october):
    section = october.locator(VERDICTS)
    key = json.loads(section.get_attribute("data-key"))["answer"]
    first = next(iter(key))
    select = section.locator(f"select[data-item='{first}']")
    wrong = next(o for o in select.locator("option").evaluate_all("els => els.map(e => e.value)")
                 if o not in ("", key[first]))
    select.select_option(wrong)
    assert check(section) == (
        f"Not correct: 0 of {len(key)} matched correctly, {len(key) - 1} not answered.")
    shown = section.locator(".scq-fb:visible").evaluate_all(
        "els => els.map(e => e.dataset.fbItem || e.dataset.fbGeneral)")
    assert shown == [first]


def put_in_order(section, order: list[str]) -> None:
    for pos, item in enumerate(order):
        current = section.locator(".scq-order > li").evaluate_all(
            "els => els.map(e => e.dataset.item)")
        for _ in range(current.index(item) - pos):
            section.locator(f"li[data-item='{item}'] .scq-up").click()


def test_ordering_exercise_right_and_partly_right(october):
    section = october.locator(TIMELINE)
    key = json.loads(section.get_attribute("data-key"))["answer"]
    n = len(key)
    put_in_order(section, key)
    assert check(section) == "Correct."
    section.locator(".scq-retry").click()
    swapped = [key[1], key[0], *key[2:]]
    put_in_order(section, swapped)
    assert check(section) == (
        f"Partly correct: {n - 2} of {n} in the right place "
        f"({round(100 * (n - 2) / n)}% of the credit).")


@pytest.mark.parametrize("width", [390, 1280])
def test_ordering_shows_every_item_and_button_label_whole(site_url, chromium, width):  # noqa: F811
    page, _ = open_page(chromium, site_url + OCTOBER,
                        viewport={"width": width, "height": 900})
    section = page.locator(TIMELINE)
    section.scroll_into_view_if_needed()
    clipped = section.evaluate(
        """(s) => {
          const out = [];
          const right = document.documentElement.clientWidth;
          for (const el of s.querySelectorAll('.scq-item-text, .scq-up, .scq-down')) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
                || box.right > right + 0.5 || box.left < -0.5 || box.width < 1
                || style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth)
              out.push(el.className + ': ' + el.innerText);
          }
          return out;
        }""")
    assert clipped == []
    labels = section.locator(".scq-up, .scq-down").all_inner_texts()
    assert set(labels) == {"↑ Up", "↓ Down"}
    page.context.close()


def test_quiz_prompts_are_in_body_size_type(october):
    sizes = october.evaluate(
        """() => [getComputedStyle(document.querySelector('article.bd-article p')).fontSize,
                  ...[...document.querySelectorAll('.scq legend')].map(
                      el => getComputedStyle(el).fontSize)]""")
    body, prompts = sizes[0], sizes[1:]
    assert prompts and set(prompts) == {body}


def test_the_inert_control_check_catches_a_dead_button(chromium):  # noqa: F811
    """The check above can fail: a button that changes nothing is reported."""
    page = chromium.new_page()
    page.set_content(
        '<article class="bd-article"><p id="p">before</p>'
        '<button id="dead">Dead</button>'
        "<button onclick=\"document.getElementById('p').textContent='after'\">Live</button>"
        "<button hidden>Hidden</button><button disabled>Off</button></article>")
    clicked, inert = inert_controls(page)
    assert clicked == 2 and len(inert) == 1 and inert[0].startswith("'Dead'")
    page.close()


# ------------------------------------------------------- the chapters as notebooks
def executed_notebooks(html_dir) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8"))
            for p in sorted((html_dir / "_sources" / "chapters").glob("*.ipynb"))}


def test_each_chapter_notebook_shows_its_quiz_as_widgets(html_dir):
    """The {quiz} directive renders nothing in JupyterLab: a code cell (removed from the
    page) shows the same quiz there as widgets."""
    notebooks = executed_notebooks(html_dir)
    chapters = [name for name in notebooks if name[:2].isdigit()]
    assert len(chapters) >= 7
    for name in chapters:
        cells = [c for c in notebooks[name]["cells"]
                 if c["cell_type"] == "code" and f'ChapterQuiz("{name}")' in "".join(c["source"])]
        assert len(cells) == 1, name
        assert "remove-cell" in cells[0]["metadata"].get("tags", []), name
        data = cells[0]["outputs"][0]["data"]
        assert "application/vnd.jupyter.widget-view+json" in data, name
        assert '<section class="scq"' in "".join(data["text/html"]), name


def test_executed_notebooks_carry_no_kernel_warning(html_dir):
    """No stderr of the kernel (e.g. "Kernel is running over TCP without encryption")."""
    found = {}
    for name, notebook in executed_notebooks(html_dir).items():
        streams = [o for c in notebook["cells"] if c["cell_type"] == "code"
                   for o in c.get("outputs", []) if o.get("name") == "stderr"]
        if streams or "without encryption" in json.dumps(notebook):
            found[name] = ["".join(o["text"])[:120] for o in streams]
    assert found == {}
