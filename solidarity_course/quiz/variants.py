"""Per-student variants of graded work: slots, deterministic draws, relabelled questions.

An assignment is a list of **slots**: each graded question is a slot of its own,
except the questions of a ``pool`` (see :mod:`.model`), which share one slot
named after the pool, at the place of its first member.  A student's variant
draws, per slot, one member and (where the question ``shuffles``) an order of
its options and items; the options are then shown as ``a``, ``b``, ``c`` ... and
the items as ``1``, ``2``, ``3`` ... in that order (:func:`present`), so an
answer names what the student saw.  Scoring maps it back through the same
student's draw (:func:`translate`): B handing in A's letters scores what those
letters mean in B's variant.

A draw is a pure function of a seed; the instructor tool derives the seed
from HMAC-SHA256(course secret, assignment, student id) (:func:`seed_for`), so
nobody without the secret can predict another student's variant.  Only
generic model methods are used (``option_ids``, ``item_ids``, ``shuffles``,
``relabelled``, ``translate_response``), so a new question type takes part
once its model implements them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import string
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Generic, TypeVar

from .model import AutoQuestion, Question

#: What a slot holds: any bank question while an assignment is laid out, an
#: auto-scored question (a graded test cell's) when variants are drawn.
Q = TypeVar("Q", Question, AutoQuestion)


@dataclass(frozen=True)
class Slot(Generic[Q]):
    """One place of an assignment: a question, or the members of one pool."""

    name: str
    members: tuple[Q, ...]

    @property
    def pooled(self) -> bool:
        """True when students may get different questions here."""
        return len(self.members) > 1

    def member(self, question_id: str) -> Q:
        """The member with this id (KeyError if none)."""
        for q in self.members:
            if q.id == question_id:
                return q
        raise KeyError(f"slot {self.name!r} has no question {question_id!r}")


def assignment_slots(questions: Sequence[Q]) -> list[Slot[Q]]:
    """The slots of an assignment's graded ``questions``, in order (pools at their first)."""
    order: list[str] = []
    members: dict[str, list[Q]] = {}
    for q in questions:
        name = getattr(q, "pool", None) or q.id  # (a document set is never pooled)
        if name not in members:
            order.append(name)
            members[name] = []
        members[name].append(q)
    return [Slot(name, tuple(members[name])) for name in order]


@dataclass(frozen=True)
class Draw:
    """One slot of a student's variant: the question and its options/items as shown."""

    question: str
    options: tuple[str, ...] = ()  # bank ids, in shown order
    items: tuple[str, ...] = ()

    @property
    def option_labels(self) -> dict[str, str]:
        """Bank id → shown label (``a``, ``b`` ...)."""
        return dict(zip(self.options, labels(len(self.options), string.ascii_lowercase),
                        strict=True))

    @property
    def item_labels(self) -> dict[str, str]:
        """Bank id → shown label (``1``, ``2`` ...)."""
        return {i: str(n) for n, i in enumerate(self.items, start=1)}

    def to_json(self) -> dict:
        """Plain data for the variant record."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> Draw:
        """The inverse of :meth:`to_json`."""
        return cls(str(data["question"]), tuple(data.get("options", ())),
                   tuple(data.get("items", ())))

    def fits(self, slot: Slot[AutoQuestion]) -> bool:
        """Whether this (recorded) draw still fits the slot's questions."""
        try:
            q = slot.member(self.question)
        except KeyError:
            return False
        return (sorted(self.options) == sorted(q.option_ids())
                and sorted(self.items) == sorted(q.item_ids()))


def labels(n: int, alphabet: str) -> list[str]:
    """``n`` short labels: a..z, then aa, ab ... (never running out)."""
    out: list[str] = []
    width = 1
    while len(out) < n:
        out += ["".join(p) for p in itertools.product(alphabet, repeat=width)]
        width += 1
    return out[:n]


def seed_for(secret: bytes, assignment: str, student: str, purpose: str = "draw") -> bytes:
    """HMAC-SHA256 of (purpose, assignment, student) under the course secret."""
    message = "\0".join((purpose, assignment, student)).encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def variant_id(secret: bytes, assignment: str, student: str) -> str:
    """The id a student's notebook carries: unguessable without the secret."""
    return seed_for(secret, assignment, student, "variant-id").hex()[:20]


def _order(rng: random.Random, ids: list[str], shuffle: bool, avoid: list[str] | None) -> list:
    if not shuffle:
        return ids
    shown = list(ids)
    rng.shuffle(shown)
    if avoid is not None and len(shown) > 1 and shown == avoid:
        shown = shown[1:] + shown[:1]  # an ordering shown in its answer's order gives it away
    return shown


def draw_slot(slot: Slot[AutoQuestion], rng: random.Random) -> Draw:
    """One slot of a variant: a member, then its options/items in shown order."""
    q = rng.choice(slot.members)
    return Draw(q.id, tuple(_order(rng, q.option_ids(), q.shuffles, None)),
                tuple(_order(rng, q.shown_item_ids(), q.shuffles, q.revealing_item_order())))


def draw(slots: list[Slot[AutoQuestion]], seed: bytes) -> dict[str, Draw]:
    """A whole variant: one :class:`Draw` per slot, determined by ``seed``."""
    rng = random.Random(int.from_bytes(seed, "big"))
    return {slot.name: draw_slot(slot, rng) for slot in slots}


def present(slot: Slot[AutoQuestion], choice: Draw) -> AutoQuestion:
    """The question of a slot as one student sees it (options/items relabelled)."""
    q = slot.member(choice.question)
    if not choice.options and not choice.items:
        return q
    return q.relabelled(choice.option_labels, choice.item_labels)


def translate(slot: Slot[AutoQuestion], choice: Draw, response):
    """A response in the student's shown labels, in the bank ids of their question."""
    q = slot.member(choice.question)
    options = {label: i for i, label in choice.option_labels.items()}
    items = {label: i for i, label in choice.item_labels.items()}
    return q.translate_response(response, options, items)


@dataclass
class StudentVariant:
    """One student's variant: its id and the draw of every slot."""

    variant: str
    draws: dict[str, Draw] = field(default_factory=dict)

    def to_json(self) -> dict:
        """Plain data for the variant record (and for a grading job)."""
        return {"variant": self.variant,
                "draws": {s: d.to_json() for s, d in self.draws.items()}}

    @classmethod
    def from_json(cls, data: dict) -> StudentVariant:
        """The inverse of :meth:`to_json`."""
        return cls(str(data["variant"]),
                   {s: Draw.from_json(d) for s, d in dict(data.get("draws", {})).items()})
