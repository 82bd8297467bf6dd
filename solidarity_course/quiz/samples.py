"""A small sample bank (one question of every type, self-check and graded) and
sample course data for "spot the device".

Used by the tests and for previews; not part of the course's real bank.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from .devices import FixtureData

EXCERPT_ID = "t1-kerensky"
EXCERPT_TEXT = (
    "Kerensky, the head of the Provisional Government, was a half-baked dictator who "
    "struck Napoleonic attitudes. The history of mankind had never registered anything "
    "of the kind before the rise of the Soviet state."
)
_RIDICULE = "half-baked dictator who struck Napoleonic attitudes"
_UNIQUE = "The history of mankind had never registered anything of the kind"

SAMPLE_DATA: dict[str, Any] = {
    "devices": [
        {"id": "ridicule", "name": "Ridicule", "definition": "Makes an opponent look absurd."},
        {"id": "uniqueness", "name": "Claim of uniqueness",
         "definition": "Presents an event as without precedent."},
        {"id": "concession", "name": "Measured concession",
         "definition": "Grants a point before qualifying it."},
    ],
    "excerpts": {EXCERPT_ID: EXCERPT_TEXT},
    "annotations": [
        {"id": "s1", "excerpt_id": EXCERPT_ID, "start": EXCERPT_TEXT.index(_RIDICULE),
         "end": EXCERPT_TEXT.index(_RIDICULE) + len(_RIDICULE), "device_id": "ridicule",
         "claim_id": "", "note": "Kerensky mocked."},
        {"id": "s2", "excerpt_id": EXCERPT_ID, "start": EXCERPT_TEXT.index(_UNIQUE),
         "end": EXCERPT_TEXT.index(_UNIQUE) + len(_UNIQUE), "device_id": "uniqueness",
         "claim_id": "", "note": "Uniqueness."},
    ],
}


def sample_data() -> FixtureData:
    """The sample annotations, devices and excerpt as a data source."""
    return FixtureData(SAMPLE_DATA["annotations"], SAMPLE_DATA["devices"],
                       SAMPLE_DATA["excerpts"])


_BASE = {"objective": "Sample objective.", "explanation": "Sample explanation.", "points": 2}

#: One self-check question per type, as YAML-ready dicts (graded copies are derived).
SAMPLE_QUESTIONS: list[dict[str, Any]] = [
    {"id": "single", "type": "single_choice", "prompt": "Which year was the October Revolution?",
     "options": [{"id": "y1917", "text": "1917", "feedback": "Right year."},
                 {"id": "y1905", "text": "1905", "feedback": "That was the first revolution."},
                 {"id": "y1921", "text": "1921", "feedback": "Too late."}],
     "answer": "y1917"},
    {"id": "multi", "type": "multiple_select", "prompt": "Which are source texts of the course?",
     "partial_credit": True,
     "options": [{"id": "book", "text": "The 1957 book", "feedback": "Yes, the book."},
                 {"id": "essay", "text": "The essay", "feedback": "Yes, the essay."},
                 {"id": "film", "text": "A film", "feedback": "No film."},
                 {"id": "novel", "text": "A novel", "feedback": "No novel."}],
     "answer": ["book", "essay"]},
    {"id": "match", "type": "matching", "prompt": "Match each quotation to its source.",
     "partial_credit": True,
     "items": [{"id": "q1", "text": "And it is not incorrect.", "feedback": "The essay concedes."},
               {"id": "q2", "text": "clearly the good side", "feedback": "The blog's binary."},
               {"id": "q3", "text": "half-baked dictator", "feedback": "The book mocks."}],
     "options": [{"id": "t1", "text": "1957 book"}, {"id": "t2", "text": "Essay"},
                 {"id": "t3", "text": "Blog"}],
     "answer": {"q1": "t2", "q2": "t3", "q3": "t1"}},
    {"id": "order", "type": "ordering", "prompt": "Put the events in order, earliest first.",
     "partial_credit": True,
     "items": [{"id": "oct", "text": "October Revolution", "feedback": "It was 1917."},
               {"id": "ci", "text": "Comintern founded", "feedback": "It was 1919."},
               {"id": "ils", "text": "Lenin School opens", "feedback": "It was 1926."},
               {"id": "seventh", "text": "Seventh Congress", "feedback": "It was 1935."}],
     "answer": ["oct", "ci", "ils", "seventh"]},
    {"id": "num", "type": "numeric", "prompt": "How many member parties in 1935?",
     "answer": 65, "tolerance": 1, "unit": "parties",
     "feedback_correct": "Yes, 65.", "feedback_incorrect": "Not that number."},
    {"id": "text", "type": "short_text", "prompt": "Ibárruri's nickname?",
     "accepted": ["La Pasionaria", "Pasionaria"],
     "feedback_correct": "Yes, La Pasionaria.", "feedback_incorrect": "Think of a flower."},
    {"id": "spot", "type": "spot_device", "prompt": "Which framing device is highlighted?",
     "annotation": SAMPLE_DATA["annotations"][0] | {},
     "quote": _RIDICULE},
]


def sample_question_dicts(use: str = "self-check") -> list[dict]:
    """The sample questions for one ``use``; graded ids get a ``g-`` prefix."""
    out = []
    for raw in SAMPLE_QUESTIONS:
        q = copy.deepcopy(raw) | _BASE | {"use": use}
        if "annotation" in q:
            q["annotation"] = {k: q["annotation"][k] for k in ("excerpt_id", "start", "end")}
        if use == "graded":
            q["id"] = "g-" + q["id"]
        out.append(q)
    return out


def write_sample_bank(directory: Path | str, chapter: str = "99-sample") -> Path:
    """Write a one-chapter bank (self-check and graded questions, an essay) to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "chapter": chapter,
        "essay": {"prompt": "Write 100 words on a source.",
                  "rubric": [{"criterion": "Accurate", "points": 2},
                             {"criterion": "Clear", "points": 1}]},
        "questions": sample_question_dicts("self-check") + sample_question_dicts("graded"),
    }
    path = directory / f"{chapter}.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_sample_data(path: Path | str) -> Path:
    """Write :data:`SAMPLE_DATA` as YAML (for ``quiz_data_fixture`` in a test site)."""
    path = Path(path)
    path.write_text(yaml.safe_dump(SAMPLE_DATA, allow_unicode=True), encoding="utf-8")
    return path


#: Responses to the sample questions (by base id) and their expected scores:
#: kind -> (response, score).  Partial is None where the type has no partial credit.
SAMPLE_RESPONSES = {
    "single": {"right": ("y1917", 1.0), "wrong": ("y1905", 0.0), "partial": None,
               "blank": (None, 0.0), "malformed": (1917, 0.0)},
    "multi": {"right": (["essay", "book"], 1.0), "wrong": (["film", "novel"], 0.0),
              "partial": (["book"], 0.5), "blank": ([], 0.0), "malformed": ("book", 0.0)},
    "match": {"right": ({"q1": "t2", "q2": "t3", "q3": "t1"}, 1.0),
              "wrong": ({"q1": "t1", "q2": "t2", "q3": "t3"}, 0.0),
              "partial": ({"q1": "t2", "q2": "t1", "q3": "t3"}, 1 / 3),
              "blank": ({"q1": None, "q2": None, "q3": None}, 0.0),
              "malformed": (["t2", "t3", "t1"], 0.0)},
    "order": {"right": (["oct", "ci", "ils", "seventh"], 1.0),
              "wrong": (["seventh", "oct", "ci", "ils"], 0.0),
              "partial": (["oct", "ci", "seventh", "ils"], 0.5),
              "blank": (None, 0.0), "malformed": (["oct", "ci"], 0.0)},
    "num": {"right": ("65.5", 1.0), "wrong": (70, 0.0), "partial": None,
            "blank": ("  ", 0.0), "malformed": ("sixty-five", 0.0)},
    "text": {"right": ("  la PASIONÁRIA!! ", 1.0), "wrong": ("Dolores", 0.0), "partial": None,
             "blank": ("", 0.0), "malformed": (42, 0.0)},
    "spot": {"right": ("ridicule", 1.0), "wrong": ("uniqueness", 0.0), "partial": None,
             "blank": (None, 0.0), "malformed": ("propaganda", 0.0)},
}

#: The verdict line for responses the browser can produce: (base id, response, verdict).
#: One table for both scorings: tests check scoring.feedback and solidarity_quiz.js
#: against it (partial answers are reported as such, blank items are never marked).
VERDICT_CASES = [
    ("single", "y1917", "Correct."),
    ("single", "y1905", "Not correct."),
    ("single", None, "No answer yet: choose or type an answer, then press Check."),
    ("multi", ["essay", "book"], "Correct."),
    ("multi", ["book"], "Partly correct: 1 of 2 right choices ticked (50% of the credit)."),
    ("multi", ["book", "film"], "Not correct: 1 of 2 right choices ticked, 1 wrong."),
    ("multi", ["film", "novel"], "Not correct: 0 of 2 right choices ticked, 2 wrong."),
    ("multi", ["book", "essay", "film"],
     "Partly correct: 2 of 2 right choices ticked, 1 wrong (50% of the credit)."),
    ("match", {"q1": "t2", "q2": "t3", "q3": "t1"}, "Correct."),
    ("match", {"q1": "t2", "q2": "t1", "q3": "t3"},
     "Partly correct: 1 of 3 matched correctly (33% of the credit)."),
    ("match", {"q1": "t2", "q2": None, "q3": None},
     "Partly correct: 1 of 3 matched correctly, 2 not answered (33% of the credit)."),
    ("match", {"q1": "t1", "q2": None, "q3": None},
     "Not correct: 0 of 3 matched correctly, 2 not answered."),
    ("match", {"q1": None, "q2": None, "q3": None},
     "No answer yet: choose or type an answer, then press Check."),
    ("order", ["oct", "ci", "ils", "seventh"], "Correct."),
    ("order", ["oct", "ci", "seventh", "ils"],
     "Partly correct: 2 of 4 in the right place (50% of the credit)."),
    ("order", ["seventh", "oct", "ci", "ils"], "Not correct: 0 of 4 in the right place."),
    ("num", "65.5", "Correct."),
    ("num", "70", "Not correct."),
    ("num", "sixty-five", "Answer not in the expected form: “sixty-five” is not a number"),
    ("num", " 65.5 ", "Correct."),  # a number given as text is read as that number
    ("num", "6_5.5", "Answer not in the expected form: “6_5.5” is not a number"),
    ("text", "  la PASIONÁRIA!! ", "Correct."),
    ("text", "Dolores", "Not correct."),
    ("text", "   ", "No answer yet: choose or type an answer, then press Check."),
    ("spot", "ridicule", "Correct."),
    ("spot", "uniqueness", "Not correct."),
]
