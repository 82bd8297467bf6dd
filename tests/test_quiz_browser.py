"""The self-check quiz in headless Chromium (no kernel): every type answered
right and wrong, by mouse and by keyboard; feedback text and "Try again"."""

from __future__ import annotations

import pytest
from browser_support import chromium, open_page  # noqa: F401  (chromium is a fixture)
from test_quiz_sphinx import build_quiz_site

from solidarity_course.quiz.presentation import display_order
from solidarity_course.quiz.samples import SAMPLE_QUESTIONS, SAMPLE_RESPONSES
from solidarity_course.serve import serve_in_thread

pytestmark = pytest.mark.browser

ORDER_KEY = ["oct", "ci", "ils", "seventh"]


@pytest.fixture(scope="module")
def quiz_url(tmp_path_factory):
    html = build_quiz_site(tmp_path_factory.mktemp("quizsite"))
    with serve_in_thread(html) as url:
        yield url + "quiz.html"


@pytest.fixture
def page(chromium, quiz_url):  # noqa: F811
    page, recorder = open_page(chromium, quiz_url)
    yield page
    assert recorder.problems() == {}
    page.context.close()


def section(page, qid):
    return page.locator(f"#scq-{qid}")


def verdict(page, qid) -> str:
    return section(page, qid).locator(".scq-verdict").inner_text().strip()


def visible_feedback(page, qid) -> list[str]:
    region = section(page, qid).locator(".scq-feedback")
    return [t.strip() for t in region.locator(".scq-fb:visible").all_inner_texts()]


def explanation_visible(page, qid) -> bool:
    return section(page, qid).locator(".scq-explanation").is_visible()


# --------------------------------------------------------------------- by mouse
def mouse_answer(page, qid, kind):
    s = section(page, qid)
    if qid in ("single", "spot"):
        choice = {"single": {"right": "y1917", "wrong": "y1905"},
                  "spot": {"right": "ridicule", "wrong": "uniqueness"}}[qid][kind]
        s.locator(f"label[for='scq-{qid}-opt-{choice}']").click()
    elif qid == "multi":
        for opt in (["book", "essay"] if kind == "right" else ["film", "novel"]):
            s.locator(f"label[for='scq-multi-opt-{opt}']").click()
    elif qid == "match":
        for item, opt in SAMPLE_RESPONSES["match"][kind][0].items():
            s.locator(f"select[data-item='{item}']").select_option(opt)
    elif qid == "order":
        target = ORDER_KEY if kind == "right" else SAMPLE_RESPONSES["order"]["wrong"][0]
        for pos, item in enumerate(target):
            current = s.locator(".scq-order > li").evaluate_all(
                "els => els.map(e => e.dataset.item)")
            for _ in range(current.index(item) - pos):
                s.locator(f"li[data-item='{item}'] .scq-up").click()
    else:
        s.locator("input[type=text]").click()
        page.keyboard.type({"num": {"right": "65", "wrong": "70"},
                            "text": {"right": "la pasionária", "wrong": "Dolores"}}[qid][kind])
    s.locator(".scq-check").click()


EXPECTED_WRONG_FEEDBACK = {
    "single": ["That was the first revolution."],
    "multi": ["No film.", "No novel."],
    "match": ["The essay concedes.", "The blog’s binary.", "The book mocks."],
    "order": ["It was 1917.", "It was 1919.", "It was 1926.", "It was 1935."],
    "num": ["Not that number."],
    "text": ["Think of a flower."],
    "spot": ["Presents an event as without precedent."],
}
QIDS = [q["id"] for q in SAMPLE_QUESTIONS]
#: Many-part questions say how many parts were right, even when none were.
WRONG_VERDICTS = {
    "multi": "Not correct: 0 of 2 right choices ticked, 2 wrong.",
    "match": "Not correct: 0 of 3 matched correctly.",
    "order": "Not correct: 0 of 4 in the right place.",
}


@pytest.mark.parametrize("qid", QIDS)
def test_mouse_right_then_try_again_then_wrong(page, qid):
    mouse_answer(page, qid, "right")
    assert verdict(page, qid) == "Correct."
    assert explanation_visible(page, qid)
    retry = section(page, qid).locator(".scq-retry")
    assert retry.is_visible()
    retry.click()
    assert verdict(page, qid) == "" and not explanation_visible(page, qid)
    assert not retry.is_visible()
    mouse_answer(page, qid, "wrong")
    assert verdict(page, qid) == WRONG_VERDICTS.get(qid, "Not correct.")
    assert not explanation_visible(page, qid)
    assert sorted(visible_feedback(page, qid)) == sorted(EXPECTED_WRONG_FEEDBACK[qid])


# ------------------------------------------------------------------ by keyboard
def press(page, *keys):
    for key in keys:
        page.keyboard.press(key)


def keyboard_answer(page, qid, kind):
    """Answer with keys only, from focus on the question's first control."""
    s = section(page, qid)
    if qid in ("single", "spot"):
        # Space checks the focused first option; ArrowDown moves to (and checks) the next.
        press(page, "Space" if kind == "right" else "ArrowDown", "Tab", "Enter")
    elif qid == "multi":
        keys = ["Space", "Tab", "Space", "Tab", "Tab", "Tab"] if kind == "right" else \
            ["Tab", "Tab", "Space", "Tab", "Space", "Tab"]
        press(page, *keys, "Enter")
    elif qid == "match":
        labels = {"t1": "1", "t2": "E", "t3": "B"}  # type-ahead: "1957 book", "Essay", "Blog"
        for item in ("q1", "q2", "q3"):
            press(page, labels[SAMPLE_RESPONSES["match"][kind][0][item]], "Tab")
        press(page, "Enter")
    elif qid == "order":
        target = ORDER_KEY if kind == "right" else SAMPLE_RESPONSES["order"]["wrong"][0]
        for pos, item in enumerate(target):
            current = s.locator(".scq-order > li").evaluate_all(
                "els => els.map(e => e.dataset.item)")
            moves = current.index(item) - pos
            if moves:
                s.locator(f"li[data-item='{item}'] .scq-up").focus()
                for _ in range(moves):
                    press(page, "Enter")  # focus stays on the moved item's button
        s.locator(".scq-check").focus()
        press(page, "Enter")
    else:
        page.keyboard.type({"num": {"right": "65", "wrong": "70"},
                            "text": {"right": "LA PASIONARIA", "wrong": "Dolores"}}[qid][kind])
        press(page, "Enter")  # implicit form submission


@pytest.mark.parametrize("qid", QIDS)
def test_keyboard_right_then_try_again_then_wrong(page, qid):
    s = section(page, qid)
    s.locator("fieldset input, fieldset select, fieldset button:enabled").first.focus()
    keyboard_answer(page, qid, "right")
    assert verdict(page, qid) == "Correct."
    assert explanation_visible(page, qid)
    s.locator(".scq-retry").focus()
    press(page, "Enter")
    assert verdict(page, qid) == ""
    # Try again puts focus back on the first control, so the keyboard user goes on.
    first_id = s.locator(
        "fieldset input, fieldset select, fieldset button:enabled").first.evaluate(
        "el => el === document.activeElement")
    assert first_id
    keyboard_answer(page, qid, "wrong")
    assert verdict(page, qid) == WRONG_VERDICTS.get(qid, "Not correct.")
    assert sorted(visible_feedback(page, qid)) == sorted(EXPECTED_WRONG_FEEDBACK[qid])


def test_partial_blank_and_malformed_feedback(page):
    section(page, "multi").locator("label[for='scq-multi-opt-book']").click()
    section(page, "multi").locator(".scq-check").click()
    assert verdict(page, "multi") == (
        "Partly correct: 1 of 2 right choices ticked (50% of the credit).")
    section(page, "num").locator(".scq-check").click()
    assert verdict(page, "num").startswith("No answer yet")
    section(page, "num").locator("input").fill("sixty-five")
    section(page, "num").locator(".scq-check").click()
    assert verdict(page, "num").startswith("Answer not in the expected form")


def test_ordering_announces_moves(page):
    first = display_order_ids(page)[1]
    section(page, "order").locator(f"li[data-item='{first}'] .scq-up").click()
    status = section(page, "order").locator(".scq-order-status").inner_text()
    assert status.endswith("now 1 of 4.")


def display_order_ids(page):
    return section(page, "order").locator(".scq-order > li").evaluate_all(
        "els => els.map(e => e.dataset.item)")


def test_js_scoring_matches_python(page, tmp_path):
    """quiz.js's score() and normalise() agree with scoring.py on the sample cases."""
    from solidarity_course.quiz.bank import load_bank
    from solidarity_course.quiz.normalise import normalise_text
    from solidarity_course.quiz.samples import sample_data, write_sample_bank
    from solidarity_course.quiz.scoring import score_answer

    write_sample_bank(tmp_path)
    bank = load_bank(tmp_path, data=sample_data())
    for qid, kinds in SAMPLE_RESPONSES.items():
        q = bank.questions[qid]
        for kind in ("right", "wrong", "partial"):
            if kinds[kind] is None:
                continue
            response = kinds[kind][0]
            js = page.evaluate("([t, k, r]) => window.solidarityQuiz.score(t, k, r).score",
                               [q.type, q.check_key(), response])
            assert js == pytest.approx(score_answer(q, response)), (qid, kind)
    for text in ["  Dolores IBÁRRURI! ", "Šubašić", "La-Pasionaria", "Łódź"]:
        assert page.evaluate("t => window.solidarityQuiz.normalise(t)", text) == \
            normalise_text(text)
    assert display_order(bank.questions["order"]) == display_order_ids(page)


def test_js_verdicts_match_the_shared_case_table(page, tmp_path):
    """solidarity_quiz.js gives the verdict of scoring.feedback on every shared case."""
    from solidarity_course.quiz.bank import load_bank
    from solidarity_course.quiz.samples import VERDICT_CASES, sample_data, write_sample_bank
    from solidarity_course.quiz.scoring import feedback

    write_sample_bank(tmp_path)
    bank = load_bank(tmp_path, data=sample_data())
    for qid, response, expected in VERDICT_CASES:
        q = bank.questions[qid]
        js = page.evaluate("([t, k, r]) => window.solidarityQuiz.verdict(t, k, r)",
                           [q.type, q.check_key(), response])
        assert (js, feedback(q, response).verdict) == (expected, expected), (qid, response)
    for earned, total in [(0, 14), (2.5, 14), (1 / 3, 1), (14, 14)]:
        from solidarity_course.quiz.presentation import score_line

        assert page.evaluate("([e, t]) => window.solidarityQuiz.scoreLine(e, t)",
                             [earned, total]) == score_line(earned, total)


def test_running_total_and_reset_quiz(page):
    total = page.locator(".scq-total")
    reset_all = page.locator(".scq-reset-all")
    assert total.inner_text() == "Score: 0 of 14" and not reset_all.is_visible()
    mouse_answer(page, "single", "right")
    section(page, "multi").locator("label[for='scq-multi-opt-book']").click()
    section(page, "multi").locator(".scq-check").click()
    assert total.inner_text() == "Score: 3 of 14"  # 2 points + half of 2
    section(page, "single").locator(".scq-retry").click()
    assert total.inner_text() == "Score: 1 of 14"
    reset_all.click()
    assert total.inner_text() == "Score: 0 of 14" and not reset_all.is_visible()
    assert verdict(page, "multi") == ""


def test_blank_items_are_not_revealed(page):
    s = section(page, "match")
    s.locator("select[data-item='q1']").select_option("t1")
    s.locator(".scq-check").click()
    assert verdict(page, "match") == "Not correct: 0 of 3 matched correctly, 2 not answered."
    assert visible_feedback(page, "match") == ["The essay concedes."]


def test_axe_finds_no_serious_problems_in_quizzes(page):
    """axe-core (local copy) on the quiz page, before and after checking answers."""
    from browser_support import AXE_JS, describe_violations, run_axe

    if not AXE_JS.is_file():
        pytest.skip(f"{AXE_JS} missing (npm ci --prefix web)")
    mouse_answer(page, "single", "wrong")
    mouse_answer(page, "multi", "right")
    violations = run_axe(page)
    quiz = [v for v in violations
            if any(".scq" in " ".join(n["target"]) or "scq-" in " ".join(n["target"])
                   for n in v["nodes"])]
    assert quiz == [], describe_violations(quiz)


# --------------------------------------------------------------------- document sets
@pytest.fixture
def dbq_page(chromium, quiz_url):  # noqa: F811
    page, recorder = open_page(chromium, quiz_url.replace("quiz.html", "dbq.html"))
    yield page
    assert recorder.problems() == {}
    page.context.close()


def test_document_set_parts_are_checked_without_a_kernel(dbq_page):
    page = dbq_page
    total = page.locator(".scq-total")
    assert total.inner_text() == "Score: 0 of 4"
    section(page, "dbq-audience").locator("label[for='scq-dbq-audience-opt-abroad']").click()
    section(page, "dbq-audience").locator(".scq-check").click()
    assert verdict(page, "dbq-audience") == "Correct."
    multi = section(page, "dbq-corroborate")
    multi.locator("label[for='scq-dbq-corroborate-opt-authority']").click()
    multi.locator(".scq-check").click()
    assert verdict(page, "dbq-corroborate") == (
        "Partly correct: 1 of 2 right choices ticked (50% of the credit).")
    assert total.inner_text() == "Score: 2 of 4"


def test_written_answer_self_assessment_by_keyboard(dbq_page):
    page = dbq_page
    written = page.locator("#scq-dbq-written")
    line = written.locator(".scq-self-total")
    assert line.inner_text() == "Your self-assessment: 0 of 5 points."
    written.locator("textarea").fill("Document A was published in Moscow for readers abroad.")
    written.locator("#scq-dbq-written-c2").focus()
    page.keyboard.press("Space")  # Evidence, 2 points
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Counter-evidence, 1 point
    assert line.inner_text() == "Your self-assessment: 3 of 5 points."
    toggle = written.locator(".scq-outline-toggle")
    outline = written.locator(".scq-outline")
    assert not outline.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert outline.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert "Historians of the Comintern" in outline.inner_text()
    assert toggle.inner_text() == "Hide how historians answer it"
    # "Reset quiz" resets the ticks and hides the outline; the reader's text stays.
    section(page, "dbq-omission").locator("label[for='scq-dbq-omission-opt-support']").click()
    section(page, "dbq-omission").locator(".scq-check").click()
    page.locator(".scq-reset-all").click()
    assert line.inner_text() == "Your self-assessment: 0 of 5 points."
    assert not outline.is_visible()
    assert written.locator("textarea").input_value().startswith("Document A was")


def test_js_self_assessment_line_matches_python(dbq_page):
    from solidarity_course.quiz.scoring import self_assessment_line

    for earned, total in [(0, 5), (3, 5), (2.5, 5), (5, 5)]:
        assert dbq_page.evaluate("([e, t]) => window.solidarityQuiz.selfAssessmentLine(e, t)",
                                 [earned, total]) == self_assessment_line(earned, total)


def _document_boxes(page):
    return page.locator(".scq-document").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [Math.round(r.left), Math.round(r.top), Math.round(r.width)]; })")


def test_documents_side_by_side_when_wide_and_stacked_at_390_px(chromium, quiz_url):  # noqa: F811
    url = quiz_url.replace("quiz.html", "dbq.html")
    wide, _ = open_page(chromium, url, viewport={"width": 1400, "height": 900})
    boxes = _document_boxes(wide)
    assert boxes[0][1] == boxes[1][1] and boxes[1][0] > boxes[0][0]  # A and B in one row
    wide.context.close()
    phone, _ = open_page(chromium, url, viewport={"width": 390, "height": 844})
    boxes = _document_boxes(phone)
    assert len({left for left, _top, _w in boxes}) == 1  # one column
    assert [top for _l, top, _w in boxes] == sorted(top for _l, top, _w in boxes)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The contents list takes the reader to a document.
    phone.locator(".scq-dbq-contents a", has_text="Document C").click()
    assert phone.evaluate("location.hash") == "#scq-dbq-doc-c"
    assert phone.locator("#scq-dbq-doc-c").evaluate(
        "e => e.getBoundingClientRect().top < window.innerHeight")
    phone.context.close()


@pytest.mark.parametrize("colour_scheme", ["light", "dark"])
def test_axe_finds_no_serious_problems_in_a_document_set(chromium, quiz_url,  # noqa: F811
                                                         colour_scheme):
    from browser_support import AXE_JS, describe_violations

    if not AXE_JS.is_file():
        pytest.skip(f"{AXE_JS} missing (npm ci --prefix web)")
    page, _ = open_page(chromium, quiz_url.replace("quiz.html", "dbq.html"),
                        color_scheme=colour_scheme, viewport={"width": 390, "height": 844})
    page.locator("#scq-dbq-written .scq-outline-toggle").click()
    page.add_script_tag(path=str(AXE_JS))
    # Everything inside the document set (citation links in sourcing cards included);
    # the test site's theme chrome is the site tests' business.
    result = page.evaluate("async () => await axe.run('.scq-dbq')")
    violations = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == [], describe_violations(violations)
    page.context.close()
