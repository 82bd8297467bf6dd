"""The public book contains no answer key of a graded question.

Every graded question of the bank (``use: graded`` in ``data/questions``) gives
a set of *needles*, strings that appear only if its key was published:

* its id (the self-check renderer writes ``data-qid`` and the key beside it;
  graded ids are never meant to reach the book at all);
* its key as the quiz code serialises it (``check_key()`` as JSON, several
  spellings), for the types whose key is specific to the question;
* its explanation and the option feedback, which state the right answer.

Every file of the built site (HTML, JavaScript, JSON, notebooks, search index
...) is searched in several views: raw, HTML-unescaped, JSON-unescaped, tags
stripped, quotes and dashes normalised, whitespace collapsed, case folded.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from solidarity_course.quiz.bank import load_bank
from solidarity_course.quiz.devices import default_data
from solidarity_course.quiz.model import DocumentSet

#: Shorter prose could occur in the book by chance.
MIN_PROSE = 40
#: Key types whose serialised key names the question's own items or options.
SPECIFIC_KEYS = {"multiple_select", "matching", "ordering", "short_text"}
_TYPOGRAPHY = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"))
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([\"\\/bfnrt])")
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")  # {cite}`key` renders as something else
_MARKUP = re.compile(r"[*_`#>]|\[|\]\([^)]*\)")


@dataclass(frozen=True)
class Needle:
    """A string that reveals ``question``'s key; ``kind`` says which part."""

    question: str
    kind: str
    text: str


def normalise(text: str) -> str:
    """Typography and whitespace normalised, case folded."""
    for fancy, plain in _TYPOGRAPHY:  # str.replace: far faster than translate on big files
        text = text.replace(fancy, plain)
    return " ".join(text.split()).casefold()


def json_unescape(text: str) -> str:
    """``\\uXXXX`` and backslash escapes of JSON/JS strings decoded."""

    def decode(match: re.Match) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _JSON_SIMPLE.get(match.group(2), match.group(2))

    return _JSON_ESCAPE.sub(decode, text)


def views(raw: str) -> list[str]:
    """The normalised views of a file's text that a needle is searched in."""
    unescaped = html.unescape(json_unescape(html.unescape(raw)))
    stripped = re.sub(r"<[^>]+>", " ", unescaped)
    return [normalise(v) for v in (raw, unescaped, stripped)]


def prose_segments(markdown: str) -> list[str]:
    """Plain-text runs of MyST ``markdown`` long enough to be distinctive."""
    segments = []
    for part in _ROLE.split(markdown):
        text = normalise(_MARKUP.sub(" ", part))
        segments += [s for s in re.split(r"(?<=[.;:!?])\s", text) if len(s) >= MIN_PROSE]
    return segments


def key_spellings(key: dict) -> list[str]:
    """How ``key`` may be written as JSON (spacing, ASCII escaping)."""
    spellings = set()
    for ascii_only in (True, False):
        for separators in ((", ", ": "), (",", ":")):
            spellings.add(json.dumps(key, ensure_ascii=ascii_only, separators=separators))
    return sorted(spellings)


def graded_needles(bank) -> list[Needle]:
    """Every needle of every graded question of ``bank`` (a document set's and its parts')."""
    needles = []
    graded = [q for q in bank.questions.values() if q.use == "graded"]
    parts = [p for q in graded if isinstance(q, DocumentSet) for p in q.parts]
    for q in [*graded, *parts]:
        needles.append(Needle(q.id, "question id", q.id))
        if isinstance(q, DocumentSet):
            needles += [Needle(q.id, "explanation/feedback", s)
                        for text in (q.explanation, q.written.prompt)
                        for s in prose_segments(text)]
            continue
        if q.type in SPECIFIC_KEYS:
            spellings = key_spellings(q.check_key())
            needles += [Needle(q.id, "answer key", normalise(s)) for s in spellings]
        prose = [q.explanation, q.feedback_correct]
        if q.type != "spot_device":  # its options' feedback is the public devices table
            prose += [o.feedback for o in getattr(q, "options", ()) if getattr(o, "feedback", "")]
        for text in prose:
            needles += [Needle(q.id, "explanation/feedback", s) for s in prose_segments(text)]
    return needles


def _matcher(needle: Needle):
    text = needle.text.casefold()
    if needle.kind == "question id":  # whole id only; the substring test first, as it is fast
        pattern = re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])")
        return lambda view: text in view and pattern.search(view) is not None
    return lambda view: text in view


def find_leaks(site: Path, needles: list[Needle]) -> list[str]:
    """``file: question (kind)`` for every needle found in a file under ``site``."""
    matchers = [(needle, _matcher(needle)) for needle in needles]
    leaks = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        text_views = views(path.read_text(encoding="utf-8", errors="ignore"))
        for needle, match in matchers:
            if any(match(v) for v in text_views):
                leaks.append(f"{path.relative_to(site)}: {needle.question} ({needle.kind})")
    return leaks


SAMPLE_BANK = """\
chapter: 09-sample
questions:
  - id: sample-graded-order
    type: ordering
    use: graded
    objective: Order events.
    prompt: Put these in order.
    items: [{id: comintern, text: Comintern founded}, {id: brigades, text: Brigades formed}]
    answer: [comintern, brigades]
    explanation: The Comintern was founded in March 1919, long before the International Brigades.
  - id: sample-selfcheck
    type: single_choice
    use: self-check
    objective: Check.
    prompt: Pick one.
    options: [{id: a, text: A}, {id: b, text: B}]
    answer: a
    explanation: A is right because the excerpt says so in its second paragraph.
"""


def test_scanner_finds_graded_keys_in_html_json_and_js_but_not_self_check(tmp_path):
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "09-sample.yml").write_text(SAMPLE_BANK, encoding="utf-8")
    needles = graded_needles(load_bank(tmp_path / "bank"))
    assert {n.question for n in needles} == {"sample-graded-order"}
    site = tmp_path / "site"
    site.mkdir()
    (site / "clean.html").write_text("<p>A is right because the excerpt says so.</p>", "utf-8")
    (site / "page.html").write_text(
        "<p>The Comintern was <em>founded</em> in March&nbsp;1919, long before "
        "the International Brigades.</p>",
        "utf-8",
    )
    (site / "bank.js").write_text(
        'var k = "{\\"answer\\": [\\"comintern\\", \\"brigades\\"], \\"partial\\": true}";', "utf-8"
    )
    (site / "quiz.html").write_text('<section data-qid="sample-graded-order">', "utf-8")
    leaks = find_leaks(site, needles)
    assert "page.html: sample-graded-order (explanation/feedback)" in leaks
    assert "bank.js: sample-graded-order (answer key)" in leaks
    assert "quiz.html: sample-graded-order (question id)" in leaks
    assert not [leak for leak in leaks if leak.startswith("clean.html")]


def test_built_book_contains_no_graded_answer_key(html_dir):
    bank = load_bank(data=default_data())
    graded = [q for q in bank.questions.values() if q.use == "graded"]
    parts = [p for q in graded if isinstance(q, DocumentSet) for p in q.parts]
    needles = graded_needles(bank)
    assert {n.question for n in needles} == {q.id for q in [*graded, *parts]}
    assert find_leaks(html_dir, needles) == []
