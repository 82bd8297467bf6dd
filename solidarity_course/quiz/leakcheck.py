"""Scan released notebooks (or any text) for answer keys of graded questions.

Looks for every form in which our code could write a key: the question's JSON
dump, the key as a Python/JSON literal or an assignment, accepted text
variants, the numeric answer, and reversible or hashed encodings of those
(base64, rot13, hex, md5/sha1/sha256), and any sentence of a graded question's
explanation (a document set's and its parts').  Used by the tests and by
``course-grade release``, which refuses to publish a notebook with a leak.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import json
import re
from pathlib import Path
from typing import assert_never

from . import model
from .model import AutoQuestion, DocumentSet, Question, auto_questions
from .normalise import normalise_text

#: Explanation sentences shorter than this (normalised) are too common to count as a leak.
MIN_SENTENCE = 40


def _key_literals(q: AutoQuestion) -> tuple[list[str], str]:
    """The key as it would be written in code, and as plain text ("" if not one value)."""
    match q:
        case model.ShortText():
            return list(q.accepted), ""
        case model.Numeric():
            return [], str(q.answer)  # also searched for as a number in :func:`find_leaks`
        case model.Matching():
            mapping = q.key_literal()
            return [repr(mapping), json.dumps(mapping)], str(mapping)
        case model.MultipleSelect() | model.Ordering():
            ids = q.key_literal()
            codes = [repr(ids), json.dumps(ids), repr(sorted(ids)), json.dumps(sorted(ids))]
            return codes, str(q.answer)
        case model.SingleChoice() | model.SpotDevice():
            key = q.key_literal()
            return [f"= {key!r}", f'= "{key}"', f'"answer": "{key}"'], key
        case _:
            assert_never(q)


def key_forms(q: Question) -> list[str]:
    """Strings that would reveal the key of ``q`` if found in a released file."""
    if isinstance(q, DocumentSet):
        return [q.key_dump()] + [f for part in q.parts for f in key_forms(part)]
    literals, plain = _key_literals(q)
    forms = [q.key_dump(), *literals]
    encoded = []
    for text in [q.key_dump(), *literals, plain]:
        raw = text.encode()
        encoded += [base64.b64encode(raw).decode(), codecs.encode(text, "rot13"), raw.hex()]
        encoded += [hashlib.new(name, raw).hexdigest() for name in ("md5", "sha1", "sha256")]
    return [f for f in forms + encoded if len(f) >= 4 and f not in ("= ''",)]


def find_leaks(text: str, questions: list[Question]) -> list[str]:
    """Descriptions of every key form of ``questions`` found in ``text``."""
    leaks = []
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "solidarity_course.quiz.grading"):
        if marker in text:
            leaks.append(f"marker {marker!r}")
    norm = normalise_text(text)
    graded = [q for q in questions if q.use == "graded"]
    for q in auto_questions(graded):
        for form in key_forms(q):
            if form in text:
                leaks.append(f"{q.id}: {form[:60]!r}")
        leaks += _typed_answer_leaks(q, text, norm)
    explained: list[Question | AutoQuestion] = [
        *graded, *(p for q in graded if isinstance(q, DocumentSet) for p in q.parts)]
    for item in explained:
        leaks += [f"{item.id}: explanation {s[:60]!r}"
                  for s in explanation_sentences(item.explanation) if s in norm]
    return leaks


def explanation_sentences(text: str) -> list[str]:
    """The sentences of an explanation, normalised, that are long enough to be distinctive."""
    without_roles = re.sub(r"\{[a-z:]+\}`[^`]*`", " ", text)
    sentences = (normalise_text(s) for s in re.split(r"(?<=[.!?])\s+", without_roles))
    return [s for s in sentences if len(s) >= MIN_SENTENCE]


def _typed_answer_leaks(q: AutoQuestion, text: str, norm: str) -> list[str]:
    """A typed answer (text variant or number) found as a word in ``text``."""
    match q:
        case model.ShortText():
            return [
                f"{q.id}: accepted variant {variant!r}"
                for variant in q.accepted
                if re.search(rf"\b{re.escape(normalise_text(variant))}\b", norm)
            ]
        case model.Numeric():
            number = f"{q.answer:g}"
            if re.search(rf"(?<![\w.]){re.escape(number)}(?:\.0+)?(?![\w.])", text):
                return [f"{q.id}: numeric answer {number}"]
            return []
        case (model.SingleChoice() | model.MultipleSelect() | model.Matching()
              | model.Ordering() | model.SpotDevice()):
            return []
        case _:
            assert_never(q)


def scan_directory(directory: Path | str, questions: list[Question]) -> dict[str, list[str]]:
    """Leaks per released notebook under ``directory`` (cell text; key forms in the whole file)."""
    import nbformat

    found = {}
    for path in sorted(Path(directory).rglob("*.ipynb")):
        # A release is release/<assignment>/<notebook>; assignments are named after
        # chapters, so check the chapter's own questions (all, if none match).
        own = [q for q in questions if q.chapter == path.parent.name] or questions
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(
            [c.source for c in nb.cells]
            + [json.dumps(c.get("outputs", []), ensure_ascii=False) for c in nb.cells]
        )
        leaks = find_leaks(text, own) + [
            f"in file: {f[:60]!r}" for q in own if q.use == "graded"
            for f in key_forms(q) if f in path.read_text(encoding="utf-8")
        ]
        if leaks:
            found[str(path)] = sorted(set(leaks))
    return found
