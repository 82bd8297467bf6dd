"""The question bank's data model: the schema every question must satisfy.

The bank is one YAML file per chapter in ``data/questions/``::

    chapter: 01-reading-sources
    essay: {...}            # optional: the hand-graded essay of the assignment
    questions:
      - id: rs-provenance
        type: single_choice
        use: self-check      # or "graded"
        objective: ...
        points: 1
        prompt: MyST markdown
        options: [{id: a, text: ..., feedback: ...}, ...]
        answer: a
        explanation: MyST markdown with {cite}`key` roles

This module holds only the pydantic models (the schema) and the cross-field
checks that a single question can do on its own (answer among the options,
unique option ids).  Loading files, naming the file in error messages and
checks across questions live in :mod:`solidarity_course.quiz.bank`.

Response formats (shared by the HTML, widget and notebook renderings and by
:func:`solidarity_course.quiz.scoring.score_answer`):

=================  ===============================================  =========================
type               response                                         partial credit rule
=================  ===============================================  =========================
single_choice      option id (``str``)                              none
multiple_select    list of option ids                               (right - wrong) / number
                                                                    of correct options,
                                                                    floored at 0
matching           ``{item_id: option_id}``                         share of items matched
ordering           list of item ids, first to last                  share of items in the
                                                                    right position
numeric            a number; right within ``tolerance``             none
short_text         a string; right if it equals an accepted         none
                   variant after normalisation (case, spacing,
                   punctuation, diacritics)
spot_device        a device id                                      none
document_set       ``{part_id: response}``, each part in its own    each part by its own
                   type's format (the written answer is graded      ``partial_credit``
                   by hand, never scored here)
=================  ===============================================  =========================

Partial credit applies only where the question sets ``partial_credit: true``.

Every fact a renderer needs about a type is a method or class attribute of its
model (``type_label``, ``partial_rule``, ``option_ids``, ``item_ids``,
``key_literal``, ``check_key``, ``public_view``, ``feedback_entries``,
``answer_example``, ``unresolved``), so adding a type means adding one model
class here and one arm to each ``match`` over :data:`Question` (mypy reports a
``match`` that forgets a type, through ``assert_never`` in its default arm).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .normalise import normalise_text
from .presentation import display_order

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
QuestionId = Annotated[str, Field(pattern=ID_PATTERN, max_length=80)]


class _Strict(BaseModel):
    """Base model: unknown fields are errors, so typos in the bank are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option of a choice question."""

    id: QuestionId
    text: str = Field(min_length=1)
    feedback: str = ""


class Item(_Strict):
    """One item to match or to order."""

    id: QuestionId
    text: str = Field(min_length=1)
    feedback: str = ""


class AnnotationRef(_Strict):
    """Points at one row of the ``annotations`` table: by ``id``, or by excerpt and offsets."""

    id: str | None = Field(default=None, min_length=1)
    excerpt_id: str | None = Field(default=None, min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _id_or_span(self) -> AnnotationRef:
        span = (self.excerpt_id, self.start, self.end)
        if self.id is None and None in span:
            raise ValueError("annotation: give an id, or excerpt_id, start and end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end: must be greater than start")
        return self


class ResolvedSpot(_Strict):
    """A spot-the-device question joined to the course data (see ``devices``)."""

    excerpt_text: str
    start: int
    end: int
    options: tuple[Option, ...]
    answer: str


class QuestionBase(_Strict, ABC):
    """Fields every question has."""

    id: QuestionId
    chapter: str = Field(min_length=1)
    objective: str = Field(min_length=1, description="The learning objective it checks.")
    use: Literal["self-check", "graded"]
    prompt: str = Field(min_length=1, description="MyST markdown.")
    explanation: str = Field(min_length=1, description="MyST markdown; may use {cite} roles.")
    points: float = Field(default=1, gt=0)
    feedback_correct: str = ""
    feedback_incorrect: str = ""
    #: The id of the document set this question is a part of (set by the set, never by hand).
    document_set: QuestionId | None = None

    #: The type's name in the bank (each type narrows it to its own literal).
    type: str
    #: How the type is named to students ("single choice", "spot the device" ...).
    type_label: ClassVar[str]
    #: A placeholder showing the form of an answer (never real ids, which could hint the key).
    example: ClassVar[str] = '"option-id"'

    def key_dump(self) -> str:
        """The question as JSON (it includes the answer key: instructor use only)."""
        dump = self.model_dump(mode="json", exclude=None if self.document_set else {"document_set"})
        return json.dumps(dump, ensure_ascii=False, sort_keys=True)

    @property
    def partial_rule(self) -> str | None:
        """The partial-credit rule shown to students, or None if scoring is all or nothing."""
        return None

    @property
    def unresolved(self) -> bool:
        """True while the question still needs the course data to be shown or graded."""
        return False

    def option_ids(self) -> list[str]:
        """Ids of the options to choose from, in bank order (none for typed answers)."""
        return []

    def item_ids(self) -> list[str]:
        """Ids of the items to match or order, in bank order (none for other types)."""
        return []

    @abstractmethod
    def key_literal(self) -> Any:
        """The key as a Python value, in the response format (see the table above)."""

    def check_key(self) -> dict[str, Any]:
        """What a client-side checker needs (it holds the key: self-check questions only)."""
        return {"answer": self.key_literal()}

    def public_view(self) -> dict[str, Any]:
        """The key-free view: id, type and the option/item ids an answer may use."""
        view: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.option_ids():
            view["options"] = self.option_ids()
        if self.item_ids():
            view["items"] = self.item_ids()
        return view

    def feedback_entries(self) -> list[tuple[str, str, str]]:
        """``(kind, id, feedback)`` of every option or item with feedback to show."""
        return []

    def answer_example(self) -> str:
        """A placeholder showing the form of an answer (never ids, which could hint the key)."""
        return self.example


def _option_ids(options) -> list[str]:
    return [o.id for o in options]


def _entries(
    kind: str, choices: tuple[Option, ...] | tuple[Item, ...]
) -> list[tuple[str, str, str]]:
    return [(kind, c.id, c.feedback) for c in choices if c.feedback]


class _HasOptions(Protocol):
    @property
    def options(self) -> tuple[Option, ...]: ...


class _ChoosesOptions:
    """Mixin for types whose answer picks options: their ids, and the chosen ones' feedback."""

    def option_ids(self: _HasOptions) -> list[str]:
        return _option_ids(self.options)

    def feedback_entries(self: _HasOptions) -> list[tuple[str, str, str]]:
        return _entries("option", self.options)


class _PartialCredit(QuestionBase):
    """A type whose key has parts, so a partly right answer may earn partial credit."""

    partial_credit: bool = True
    #: The rule, stated for students.
    partial_credit_rule: ClassVar[str]

    @property
    def partial_rule(self) -> str | None:
        return self.partial_credit_rule if self.partial_credit else None


def _check_unique(ids: list[str], what: str) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{what}s: duplicate id(s): {', '.join(dupes)}")


class SingleChoice(_ChoosesOptions, QuestionBase):
    """Pick exactly one option."""

    type: Literal["single_choice"]
    options: tuple[Option, ...] = Field(min_length=2)
    answer: str

    type_label: ClassVar[str] = "single choice"

    def key_literal(self) -> str:
        return self.answer

    @model_validator(mode="after")
    def _answer_in_options(self) -> SingleChoice:
        ids = _option_ids(self.options)
        _check_unique(ids, "option")
        if self.answer not in ids:
            raise ValueError(f"answer: {self.answer!r} is not among the option ids {ids}")
        return self


class MultipleSelect(_ChoosesOptions, _PartialCredit):
    """Tick every option that applies."""

    type: Literal["multiple_select"]
    options: tuple[Option, ...] = Field(min_length=2)
    answer: tuple[str, ...] = Field(min_length=1)

    type_label: ClassVar[str] = "multiple select"
    example: ClassVar[str] = '["option-id", "another-option-id"]'
    partial_credit_rule: ClassVar[str] = (
        "Partial credit: (correct choices ticked − wrong choices ticked) ÷ number of "
        "correct choices, never below zero."
    )

    def key_literal(self) -> list[str]:
        return list(self.answer)

    def check_key(self) -> dict[str, Any]:
        return {"answer": self.key_literal(), "partial": self.partial_credit}

    @model_validator(mode="after")
    def _answer_in_options(self) -> MultipleSelect:
        ids = _option_ids(self.options)
        _check_unique(ids, "option")
        _check_unique(list(self.answer), "answer")
        bad = [a for a in self.answer if a not in ids]
        if bad:
            raise ValueError(f"answer: {bad} not among the option ids {ids}")
        return self


class Matching(_PartialCredit):
    """Match each item (e.g. a claim) to one option (e.g. a verdict)."""

    type: Literal["matching"]
    items: tuple[Item, ...] = Field(min_length=2)
    options: tuple[Option, ...] = Field(min_length=2)
    answer: dict[str, str]

    type_label: ClassVar[str] = "matching"
    example: ClassVar[str] = '{"item-id": "option-id", "other-item-id": "option-id", ...}'
    partial_credit_rule: ClassVar[str] = "Partial credit: the share of items matched correctly."

    def option_ids(self) -> list[str]:
        return _option_ids(self.options)

    def item_ids(self) -> list[str]:
        return _option_ids(self.items)

    def key_literal(self) -> dict[str, str]:
        return dict(self.answer)

    def check_key(self) -> dict[str, Any]:
        return {"answer": self.key_literal(), "partial": self.partial_credit}

    def feedback_entries(self) -> list[tuple[str, str, str]]:
        return _entries("item", self.items)

    @model_validator(mode="after")
    def _answer_complete(self) -> Matching:
        items, opts = _option_ids(self.items), _option_ids(self.options)
        _check_unique(items, "item")
        _check_unique(opts, "option")
        if set(self.answer) != set(items):
            raise ValueError(f"answer: must map every item id {items} exactly once")
        bad = sorted({v for v in self.answer.values() if v not in opts})
        if bad:
            raise ValueError(f"answer: value(s) {bad} not among the option ids {opts}")
        return self


class Ordering(_PartialCredit):
    """Put the items in order (e.g. events on a timeline)."""

    type: Literal["ordering"]
    items: tuple[Item, ...] = Field(min_length=2)
    answer: tuple[str, ...]

    type_label: ClassVar[str] = "ordering"
    example: ClassVar[str] = '["first-item-id", "second-item-id", ...]'
    partial_credit_rule: ClassVar[str] = (
        "Partial credit: the share of items placed in the right position."
    )

    def item_ids(self) -> list[str]:
        return _option_ids(self.items)

    def public_view(self) -> dict[str, Any]:
        """The key-free view; the items in display order, never the answer's."""
        return super().public_view() | {"items": display_order(self)}

    def key_literal(self) -> list[str]:
        return list(self.answer)

    def check_key(self) -> dict[str, Any]:
        return {"answer": self.key_literal(), "partial": self.partial_credit}

    def feedback_entries(self) -> list[tuple[str, str, str]]:
        return _entries("item", self.items)

    @model_validator(mode="after")
    def _answer_is_permutation(self) -> Ordering:
        items = _option_ids(self.items)
        _check_unique(items, "item")
        if sorted(self.answer) != sorted(items):
            raise ValueError(f"answer: must list every item id {items} exactly once")
        return self


class Numeric(QuestionBase):
    """Type a number; right if within ``tolerance`` (absolute) of ``answer``."""

    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(default=0, ge=0)
    unit: str = ""

    type_label: ClassVar[str] = "numeric answer"

    def answer_example(self) -> str:
        return "1234.5  (a number" + (f", in {self.unit}" if self.unit else "") + ")"

    def key_literal(self) -> float:
        return self.answer

    def check_key(self) -> dict[str, Any]:
        return {"answer": self.answer, "tolerance": self.tolerance}


class ShortText(QuestionBase):
    """Type a short text; right if it matches an accepted variant after normalisation."""

    type: Literal["short_text"]
    accepted: tuple[str, ...] = Field(min_length=1)

    type_label: ClassVar[str] = "short text answer"
    example: ClassVar[str] = '"your answer"'

    def key_literal(self) -> str:
        """The first accepted variant (any accepted variant scores full marks)."""
        return self.accepted[0]

    def check_key(self) -> dict[str, Any]:
        return {"accepted": sorted({normalise_text(a) for a in self.accepted})}

    @field_validator("accepted")
    @classmethod
    def _not_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not normalise_text(v) for v in value):
            raise ValueError("accepted variants must not be blank after normalisation")
        return value


class SpotDevice(_ChoosesOptions, QuestionBase):
    """Name the framing device used in a highlighted span of an excerpt.

    The key is the ``device_id`` of the referenced ``annotations`` row and the
    options come from the ``devices`` table; both are filled in by
    :func:`solidarity_course.quiz.devices.resolve_spot` into ``resolved``.
    ``quote`` (optional) must equal the span's text, which guards against
    offsets drifting when an excerpt is edited.  ``device_ids`` optionally
    restricts the options to a subset of devices (it must include the key).
    """

    type: Literal["spot_device"]
    annotation: AnnotationRef
    quote: str = ""
    device_ids: tuple[str, ...] = ()
    resolved: ResolvedSpot | None = None

    type_label: ClassVar[str] = "spot the device"

    @property
    def unresolved(self) -> bool:
        return self.resolved is None

    def key_literal(self) -> str:
        return self.answer

    def span(self) -> tuple[str, int, int]:
        """The excerpt's text and the highlighted span's offsets (requires resolution)."""
        r = self._require_resolved()
        return r.excerpt_text, r.start, r.end

    @property
    def options(self) -> tuple[Option, ...]:
        """The device options (requires the question to be resolved)."""
        return self._require_resolved().options

    @property
    def answer(self) -> str:
        """The key: the annotation's device id (requires resolution)."""
        return self._require_resolved().answer

    def _require_resolved(self) -> ResolvedSpot:
        if self.resolved is None:
            raise ValueError(
                f"spot_device question {self.id!r} is not resolved against the course data"
            )
        return self.resolved


#: The types a document set's parts may have (not spot_device, not document_set).
Part = Annotated[
    SingleChoice | MultipleSelect | Matching | Ordering | Numeric | ShortText,
    Field(discriminator="type"),
]
PART_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in get_args(get_args(Part)[0]))


class RubricCriterion(_Strict):
    """One criterion of a hand-graded essay rubric."""

    criterion: str = Field(min_length=1)
    points: float = Field(gt=0)


class Essay(_Strict):
    """The hand-graded short essay of a chapter's assignment."""

    prompt: str = Field(min_length=1)
    rubric: tuple[RubricCriterion, ...] = Field(min_length=1)

    @property
    def points(self) -> float:
        """Total points: the sum of the rubric's criteria."""
        return sum(c.points for c in self.rubric)


#: The criteria of a document-based question's written answer, in order (SHEG's four).
DBQ_CRITERIA = ("Claim", "Evidence", "Sourcing", "Counter-evidence")


class WrittenAnswer(Essay):
    """The written answer of a document set: a rubric of the four criteria, in order."""

    @field_validator("rubric")
    @classmethod
    def _four_criteria(cls, rubric: tuple[RubricCriterion, ...]) -> tuple[RubricCriterion, ...]:
        names = tuple(c.criterion.split(":", 1)[0].strip() for c in rubric)
        if tuple(n.casefold() for n in names) != tuple(c.casefold() for c in DBQ_CRITERIA):
            raise ValueError(
                f"the rubric's criteria must begin with {', '.join(DBQ_CRITERIA)} "
                f"(then a colon), in this order; found {', '.join(names)}")
        return rubric


class ResolvedDocument(_Strict):
    """A document joined to the course data: the excerpt's verbatim text and provenance."""

    text: str
    source_id: str
    provenance: str


class Document(_Strict):
    """One document of a set: an excerpt of the course data and its sourcing card."""

    id: QuestionId
    excerpt_id: str = Field(min_length=1)
    sourcing: str = Field(min_length=1, description="MyST: who wrote it, when, for whom, why.")
    resolved: ResolvedDocument | None = None


def document_label(index: int) -> str:
    """How readers know the document at ``index`` (0-based): "Document A", "Document B" ..."""
    return f"Document {chr(ord('A') + index)}"


class DocumentSet(_Strict):
    """A document-based question: documents, auto-scored parts and a written answer.

    The parts are complete questions of the :data:`Part` types; they inherit the
    set's ``chapter`` and ``use``.  The set has no points of its own: its total is
    the parts' points plus the rubric's.  Documents are resolved against the
    course data (verbatim text, provenance) by
    :func:`solidarity_course.quiz.documents.resolve_documents`.
    """

    id: QuestionId
    type: Literal["document_set"]
    chapter: str = Field(min_length=1)
    objective: str = Field(min_length=1)
    use: Literal["self-check", "graded"]
    prompt: str = Field(min_length=1, description="The central historical question (MyST).")
    explanation: str = Field(min_length=1, description="How historians answer it (MyST).")
    documents: tuple[Document, ...] = Field(min_length=3, max_length=5)
    parts: tuple[Part, ...] = Field(min_length=2, max_length=4)
    written: WrittenAnswer

    type_label: ClassVar[str] = "document-based question"
    #: A set has no feedback of its own (its parts have).
    feedback_correct: ClassVar[str] = ""
    feedback_incorrect: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _parts_inherit(cls, data: Any) -> Any:
        """Each part takes the set's chapter, use and id (stating another is an error)."""
        if not isinstance(data, dict) or not isinstance(data.get("parts"), list | tuple):
            return data
        inherited = {"chapter": data.get("chapter"), "use": data.get("use"),
                     "document_set": data.get("id")}
        parts = []
        for part in data["parts"]:
            if isinstance(part, dict):
                for name, value in inherited.items():
                    if name in part and part[name] != value:
                        raise ValueError(f"parts: part {part.get('id')!r} may not set {name!r}: "
                                         "parts take the document set's")
                part = part | {k: v for k, v in inherited.items() if v is not None}
            parts.append(part)
        return data | {"parts": parts}

    @model_validator(mode="after")
    def _unique_ids(self) -> DocumentSet:
        _check_unique([d.id for d in self.documents], "document")
        _check_unique([p.id for p in self.parts], "part")
        return self

    @property
    def points(self) -> float:
        """The parts' points plus the written answer's."""
        return self.auto_points + self.written.points

    @property
    def auto_points(self) -> float:
        """The points scored automatically (the parts')."""
        return sum(p.points for p in self.parts)

    @property
    def unresolved(self) -> bool:
        """True while a document still lacks its text from the course data."""
        return any(d.resolved is None for d in self.documents)

    @property
    def partial_rule(self) -> None:
        """Each part states its own rule."""
        return None

    def labelled_documents(self) -> list[tuple[str, Document]]:
        """``("Document A", document)`` ... in list order."""
        return [(document_label(i), d) for i, d in enumerate(self.documents)]

    def key_dump(self) -> str:
        """The set as JSON (the parts' keys included: instructor use only)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


Question = Annotated[
    SingleChoice | MultipleSelect | Matching | Ordering | Numeric | ShortText | SpotDevice
    | DocumentSet,
    Field(discriminator="type"),
]

#: A question scored automatically: any but a document set (whose parts are).
AutoQuestion = (
    SingleChoice | MultipleSelect | Matching | Ordering | Numeric | ShortText | SpotDevice)


def auto_questions(questions: Iterable[Question]) -> list[AutoQuestion]:
    """The questions, each document set replaced by its parts (what is scored automatically)."""
    out: list[AutoQuestion] = []
    for q in questions:
        if isinstance(q, DocumentSet):
            out += q.parts
        else:
            out.append(q)
    return out


#: The question classes, in the order of the :data:`Question` union.
QUESTION_CLASSES: tuple[type[QuestionBase | DocumentSet], ...] = get_args(get_args(Question)[0])

#: The type names, in the same order (each class's ``type`` literal).
QUESTION_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in QUESTION_CLASSES
)


class BankFile(_Strict):
    """One YAML file of the bank: one chapter's questions (validated item by item)."""

    chapter: str = Field(min_length=1)
    essay: Essay | None = None
    questions: list[dict] = Field(default_factory=list)
