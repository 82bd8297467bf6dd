"""Item analysis of an assignment released with variants: is every variant as hard?

The question rows of the item analysis are per **slot** (what every student
answered at that place).  For a slot whose students had different variants, this
adds, from the draw autograde scored each student with:

- one row per **pool member** (which question the student got): n and facility;
- one row per **variant** of each member: the key as the student saw it (for a
  single choice, the letter of the right option; for an ordering, the order of
  the shown numbers), so a key that is easier at ``a`` than at ``d``, or one pool
  member easier than another, shows as different facilities.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import dataclass

from ..quiz.variants import Draw, Slot, present


@dataclass
class VariantInput:
    """One slot's data: points and draw per student (None: graded without a variant)."""

    item: str
    slot: Slot
    max_points: float
    scores: list[float]
    draws: list[dict | None]


@dataclass(frozen=True)
class VariantRow:
    """Facility of one group of students: a pool member, or one variant of it."""

    item: str
    level: str  # "member" or "variant"
    question: str
    shown_key: str  # the key in the labels shown ("" for a member row)
    n: int
    mean: float
    facility: float


def _shown_key(slot: Slot, draw: Draw) -> str:
    try:
        key = present(slot, draw).key_literal()
    except (KeyError, ValueError):  # a draw the slot no longer has: counted apart
        return "(unknown)"
    return json.dumps(key, ensure_ascii=False, sort_keys=True)


def _row(item: str, level: str, question: str, key: str, scores: list[float],
         max_points: float) -> VariantRow:
    mean = statistics.fmean(scores)
    return VariantRow(item, level, question, key, len(scores), mean,
                      mean / max_points if max_points else 0.0)


def variant_rows(inputs: list[VariantInput]) -> list[VariantRow]:
    """Member and variant rows of every slot, in slot order, then by question and key."""
    rows = []
    for data in inputs:
        members: dict[str, list[float]] = {}
        variants: dict[tuple[str, str], list[float]] = {}
        for score, raw in zip(data.scores, data.draws, strict=True):
            if not raw:
                continue
            draw = Draw.from_json(raw)
            members.setdefault(draw.question, []).append(score)
            variants.setdefault((draw.question, _shown_key(data.slot, draw)), []).append(score)
        for question in sorted(members):
            rows.append(_row(data.item, "member", question, "", members[question],
                             data.max_points))
            rows += [_row(data.item, "variant", question, key, scores, data.max_points)
                     for (q, key), scores in sorted(variants.items()) if q == question]
    return rows


def variant_csv(rows: list[VariantRow]) -> str:
    """``A-variants.csv``: one row per pool member and per variant."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["question", "level", "pool_member", "key_as_shown", "n", "mean",
                     "facility"])
    writer.writerows([r.item, r.level, r.question, r.shown_key, r.n, f"{r.mean:.4f}",
                      f"{r.facility:.4f}"] for r in rows)
    return buf.getvalue()
