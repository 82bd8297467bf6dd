"""Load and validate the YAML question bank (``data/questions/*.yml``).

Every problem is reported as ``<file>: question '<id>': field '<field>': <message>``
and all problems of a bank are collected into one :class:`BankError`.
Checks: the schema of :mod:`.model` (missing or unknown fields, unknown type,
answer not among the options ...), the question's ``chapter`` equals the
file's, ids (document sets' part ids included) are unique across the whole
bank and, when course data is given, spot-the-device annotations and the
excerpts of document sets exist (and a set's documents come from at least two
sources).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ..paths import DATA_DIR
from .model import PART_TYPES, QUESTION_TYPES, BankFile, DocumentSet, Essay, Question, SpotDevice

#: Where the bank lives in the course repository.
BANK_DIR = DATA_DIR / "questions"

_QUESTION = TypeAdapter(Question)


class BankError(ValueError):
    """The bank is invalid; ``problems`` lists one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid question bank:\n  " + "\n  ".join(problems))


@dataclass
class Bank:
    """All questions of the bank, in file order, plus each chapter's essay."""

    questions: dict[str, Question] = field(default_factory=dict)
    essays: dict[str, Essay] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def chapter(self, chapter: str, use: str | None = None) -> list[Question]:
        """Questions of one chapter, optionally only those of one ``use``."""
        return [
            q
            for q in self.questions.values()
            if q.chapter == chapter and (use is None or q.use == use)
        ]

    def get(self, ids: Iterable[str]) -> list[Question]:
        """Questions by id, in the order given (KeyError names a missing id)."""
        missing = [i for i in ids if i not in self.questions]
        if missing:
            raise KeyError(f"no question with id(s) {missing} in the bank")
        return [self.questions[i] for i in ids]

    @property
    def chapters(self) -> list[str]:
        """Chapter ids that have questions, sorted."""
        return sorted({q.chapter for q in self.questions.values()})


_FIELD_IN_MSG = re.compile(r"^Value error, ([a-z_]+): (.*)$", re.S)


def _loc_msg(err: Mapping[str, Any]) -> tuple[str, str]:
    """The field path and message of one pydantic error.

    The discriminator tag pydantic puts first (e.g. ``('single_choice', 'answer')``)
    is dropped; checks across fields name their field as ``"field: message"``.
    """
    parts = [str(p) for p in err["loc"]]
    if parts and parts[0] in _TAGS:
        parts = parts[1:]
    if len(parts) > 2 and parts[0] == "parts" and parts[2] in _TAGS:  # a part's own tag
        parts = parts[:2] + parts[3:]
    msg = err["msg"]
    match = _FIELD_IN_MSG.match(msg)
    if match:
        parts, msg = [*parts, match.group(1)], match.group(2)
    return ".".join(parts) or "(question)", msg


_TAGS = set(QUESTION_TYPES)


def _question_problems(path: Path, raw: dict, index: int) -> tuple[Question | None, list[str]]:
    qid = raw.get("id") if isinstance(raw, dict) else None
    label = f"{path.name}: question '{qid if qid else f'#{index + 1}'}'"
    if not isinstance(raw, dict):
        return None, [f"{label}: field '(question)': must be a mapping"]
    try:
        return _QUESTION.validate_python(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where, msg = _loc_msg(err)
            nested = where != "(question)"  # a tag inside the question: a part's type
            if err["type"] == "union_tag_invalid":
                tag = err.get("ctx", {}).get("tag") if nested else raw.get("type")
                allowed = PART_TYPES if nested else sorted(_TAGS)
                where = f"{where}.type" if nested else "type"
                msg = f"unknown type {tag!r}; expected one of {list(allowed)}"
                if nested:
                    msg = (f"type {tag!r} cannot be a part of a document set; "
                           f"expected one of {list(allowed)}")
            elif err["type"] == "union_tag_not_found":
                where, msg = (f"{where}.type" if nested else "type"), "missing field 'type'"
            problems.append(f"{label}: field '{where}': {msg}")
        return None, problems


def load_file(path: Path) -> tuple[BankFile | None, list[Question], list[str]]:
    """Parse one bank file; return (file model, valid questions, problems)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [], [f"{path.name}: question '-': field '-': YAML error: {exc}"]
    if not isinstance(raw, dict):
        return None, [], [f"{path.name}: question '-': field '-': top level must be a mapping"]
    questions_raw = raw.get("questions") or []
    raw = {k: v for k, v in raw.items() if k != "questions"} | {"questions": []}
    try:
        bank_file = BankFile.model_validate(raw)
    except ValidationError as exc:
        return None, [], [
            "{}: question '-': field '{}': {}".format(path.name, *_loc_msg(e))
            for e in exc.errors()
        ]
    questions, problems = [], []
    for i, q_raw in enumerate(questions_raw):
        if isinstance(q_raw, dict):
            q_raw = {"chapter": bank_file.chapter} | q_raw
        q, probs = _question_problems(path, q_raw, i)
        problems += probs
        if q is not None and not isinstance(q, DocumentSet) and q.document_set is not None:
            problems.append(f"{path.name}: question '{q.id}': field 'document_set': only a "
                            "document set's parts belong to one; write the part inside the set")
        if q is not None:
            if q.chapter != bank_file.chapter:
                problems.append(
                    f"{path.name}: question '{q.id}': field 'chapter': "
                    f"{q.chapter!r} differs from the file's chapter {bank_file.chapter!r}"
                )
            questions.append(q)
    return bank_file, questions, problems


def load_bank(directory: Path | str | None = None, data=None, strict: bool = True) -> Bank:
    """Load every ``*.yml``/``*.yaml`` file of ``directory`` (default: the course bank).

    ``data`` is a course-data source (see :mod:`.devices`); when given, the
    spot-the-device questions are resolved against it.  With ``strict`` any
    problem raises :class:`BankError`.
    """
    from .devices import resolve_spot  # local import: devices imports the model only

    directory = Path(directory) if directory is not None else BANK_DIR
    files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    bank, problems = Bank(files=files), []
    origin: dict[str, str] = {}
    for path in files:
        bank_file, questions, probs = load_file(path)
        problems += probs
        if bank_file is None:
            continue
        if bank_file.essay is not None:
            bank.essays[bank_file.chapter] = bank_file.essay
        for q in questions:
            if q.id in origin:
                problems.append(
                    f"{path.name}: question '{q.id}': field 'id': duplicate id "
                    f"(also in {origin[q.id]})"
                )
                continue
            match q:
                case SpotDevice() if data is not None:
                    try:
                        q = resolve_spot(q, data)
                    except (KeyError, ValueError) as exc:
                        problems.append(
                            f"{path.name}: question '{q.id}': field 'annotation': {exc}"
                        )
                case DocumentSet():
                    q, probs = _document_set(path, q, data, origin)
                    problems += probs
            bank.questions[q.id] = q
            origin[q.id] = path.name
    if problems and strict:
        raise BankError(problems)
    return bank


def _document_set(path: Path, q: DocumentSet, data, origin: dict[str, str],
                  ) -> tuple[DocumentSet, list[str]]:
    """A document set's part ids claimed in ``origin``, its documents resolved if ``data``."""
    from .documents import DocumentProblem, resolve_documents

    label = f"{path.name}: question '{q.id}'"
    problems = []
    for i, part in enumerate(q.parts):
        if part.id in origin or part.id == q.id:
            where = path.name if part.id == q.id else origin[part.id]
            problems.append(f"{label}: field 'parts.{i}.id': duplicate id {part.id!r} "
                            f"(also in {where})")
        else:
            origin[part.id] = path.name
    if data is not None:
        try:
            q = resolve_documents(q, data)
        except DocumentProblem as exc:
            problems.append(f"{label}: field '{exc.field}': {exc}")
    return q, problems
