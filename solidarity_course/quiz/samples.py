"""A small sample bank (one question of every type, self-check and graded) and
sample course data for "spot the device".

Used by the tests and for previews; not part of the course's real bank.
"""

from __future__ import annotations

import copy
from functools import cache
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


#: The excerpts of the sample document set (their text, source and provenance come
#: from the course data, so the sample quotes the sources verbatim).
DBQ_EXCERPTS = ("t1-fraternal-solidarity", "t1-miners-of-wales", "t2-not-incorrect",
                "t2-becoming-bolshevik")


@cache
def _dbq_excerpts() -> dict[str, dict[str, str]]:
    from .devices import CourseData

    data = CourseData()
    return {e: {k: str(v) for k, v in data.excerpt_record(e).items()} for e in DBQ_EXCERPTS}


def _sample_data_dict() -> dict[str, Any]:
    """:data:`SAMPLE_DATA` with the document set's excerpts added."""
    return SAMPLE_DATA | {"excerpts": SAMPLE_DATA["excerpts"] | _dbq_excerpts()}


def sample_data() -> FixtureData:
    """The sample annotations, devices and excerpts as a data source."""
    raw = _sample_data_dict()
    return FixtureData(raw["annotations"], raw["devices"], raw["excerpts"])


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
    path.write_text(yaml.safe_dump(_sample_data_dict(), allow_unicode=True), encoding="utf-8")
    return path


#: The chapter of the sample document-based question's bank file.
DBQ_CHAPTER = "98-dbq"

#: One document-based question, written as a chapter's would be (self-check).
SAMPLE_DBQ: dict[str, Any] = {
    "id": "dbq",
    "type": "document_set",
    "objective": "Source, contextualise and corroborate documents that disagree about where "
                 "international communist solidarity came from.",
    "prompt": "Was the solidarity of communists abroad with Soviet Russia given freely from "
              "below, or organised and directed from Moscow?",
    "explanation": (
        "Historians of the Comintern as an institution stress how far its member parties came "
        "under Moscow's direction {cite}`mcdermott1996`. More recent work asks how individual "
        "communists made international solidarity real in their own lives, without denying that "
        "direction {cite}`kirschenbaum2015`. A strong answer notices that Documents A and B, "
        "published by a Soviet state publisher in 1957 for readers abroad, describe support that "
        "flows towards the Soviet state and never mention direction from Moscow "
        "{cite}`vistinetsky1957`; that Documents C and D, from a 2017 essay, grant that "
        "direction was real and that many communists welcomed it {cite}`thinkleft2017essay`; "
        "and that the two answers need not exclude each other: a communist could accept "
        "Moscow's discipline because of a commitment freely chosen."),
    "documents": [
        {"id": "doc-a", "excerpt_id": "t1-fraternal-solidarity",
         "sourcing": "The opening sentence of the introduction to a collection of documents "
                     "compiled by M. Vistinetsky and published in English in 1957 by the "
                     "Foreign Languages Publishing House in Moscow, a Soviet state publisher, "
                     "for readers abroad, in the fortieth anniversary year of the revolution "
                     "{cite}`vistinetsky1957`."},
        {"id": "doc-b", "excerpt_id": "t1-miners-of-wales",
         "sourcing": "A later passage of the same 1957 introduction, summing up the years after "
                     "1917 {cite}`vistinetsky1957`."},
        {"id": "doc-c", "excerpt_id": "t2-not-incorrect",
         "sourcing": "An essay posted on the Think Left website in October 2017 for general "
                     "left-wing readers; its byline is not confirmed, and it is probably by the "
                     "historian Lisa A. Kirschenbaum {cite}`thinkleft2017essay`. Here it sums "
                     "up earlier scholarship before turning to newer work."},
        {"id": "doc-d", "excerpt_id": "t2-becoming-bolshevik",
         "sourcing": "A later paragraph of the same 2017 essay, explaining why communists "
                     "abroad accepted Moscow's authority {cite}`thinkleft2017essay`."},
    ],
    "parts": [
        {"id": "dbq-audience", "type": "single_choice", "points": 1,
         "objective": "Source a document: who published it, when and for whom.",
         "prompt": "Sourcing: for whom was Document A written?",
         "options": [
             {"id": "abroad", "text": "Readers outside the USSR, in a translation published "
                                      "in Moscow in 1957",
              "feedback": "Yes: an English text from a Soviet state publisher, for readers "
                          "abroad."},
             {"id": "archivists", "text": "Soviet archivists cataloguing Comintern records",
              "feedback": "The sourcing card names a state publisher and readers abroad, not "
                          "an archive."},
             {"id": "historians", "text": "Historians of communism writing in 2017",
              "feedback": "That is the audience of Documents C and D, sixty years later."}],
         "answer": "abroad",
         "explanation": "Document A opens a collection published in English by the Foreign "
                        "Languages Publishing House in Moscow in 1957 {cite}`vistinetsky1957`."},
        {"id": "dbq-corroborate", "type": "multiple_select", "points": 2,
         "partial_credit": True,
         "objective": "Corroborate: find the claims two documents share.",
         "prompt": "Corroboration: which claims do Document C and Document D both make?",
         "options": [
             {"id": "authority", "text": "Moscow held real authority over communists abroad."},
             {"id": "reasons", "text": "Communists abroad had reasons of their own for "
                                       "taking part."},
             {"id": "spontaneous", "text": "Support for the Soviet state needed no "
                                           "organisation at all.",
              "feedback": "Neither says so: Document C grants the picture of a "
                          "Moscow-centred Comintern."},
             {"id": "miners", "text": "The miners of Wales shared the Soviet cause.",
              "feedback": "That is Document B."}],
         "answer": ["authority", "reasons"],
         "explanation": "Document C calls the Moscow-centred picture \"not incorrect\" and "
                        "Document D says communists abroad welcomed guidance, even "
                        "subordination; Document C points to individuals who made solidarity "
                        "concrete, Document D to the hope and certainty that drew communists "
                        "in {cite}`thinkleft2017essay`."},
        {"id": "dbq-omission", "type": "single_choice", "points": 1,
         "objective": "Close reading: notice what a document leaves out.",
         "prompt": "What does Document D state that Documents A and B leave out?",
         "options": [
             {"id": "subordination", "text": "Communists abroad accepted subordination to "
                                             "Moscow."},
             {"id": "support", "text": "Working people abroad supported the Soviet cause.",
              "feedback": "Documents A and B say this too."},
             {"id": "common", "text": "The Soviet cause was the cause of all working people.",
              "feedback": "That is Document B's own claim."}],
         "answer": "subordination",
         "explanation": "The 1957 introduction describes support flowing towards the Soviet "
                        "people {cite}`vistinetsky1957`; the essay adds that many communists "
                        "abroad welcomed Moscow's guidance and discipline "
                        "{cite}`thinkleft2017essay`."},
    ],
    "written": {
        "prompt": "In 200 to 300 words, answer the central question. Use at least two of the "
                  "documents, say who produced each one you use and why that matters, and "
                  "deal with the evidence that goes against your answer.",
        "rubric": [
            {"criterion": "Claim: answers the central question with a clear position.",
             "points": 1},
            {"criterion": "Evidence: uses at least two documents, quoting or paraphrasing them "
                          "accurately.", "points": 2},
            {"criterion": "Sourcing: explains how who produced a document, when and for whom "
                          "shapes what it says.", "points": 1},
            {"criterion": "Counter-evidence: deals with a document or detail that goes against "
                          "the claim.", "points": 1}],
    },
}


def sample_dbq_dict(use: str = "self-check") -> dict[str, Any]:
    """The sample document set for one ``use``; graded ids (set and parts) get a ``g-`` prefix."""
    q = copy.deepcopy(SAMPLE_DBQ) | {"use": use}
    if use == "graded":
        q["id"] = "g-" + q["id"]
        for part in q["parts"]:
            part["id"] = "g-" + part["id"]
    return q


def write_sample_dbq_bank(directory: Path | str, use: str = "self-check",
                          chapter: str = DBQ_CHAPTER) -> Path:
    """Write a bank file holding only the sample document set to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{chapter}.yml"
    doc = {"chapter": chapter, "questions": [sample_dbq_dict(use)]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
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
