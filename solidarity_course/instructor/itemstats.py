"""Item analysis: the statistics, as pure functions of scores and responses.

Definitions (n students; x = a question's points per student, T = total points):

- facility: mean(x) / maximum points of the question (Moodle's facility index);
- discrimination: the *corrected* item–total correlation, Pearson r between x
  and T − x, the rest of the test (Moodle's discrimination index);
- point-biserial of an option: Pearson r between choosing it (1/0) and T (as
  Canvas reports it, with the uncorrected total); for the key and each distractor;
- Cronbach's alpha: k/(k−1) · (1 − Σ var(x_i) / var(T)) over the k questions;
- a correlation is ``None`` when either variable has no variance.

Flags: facility above 0.9 or below 0.2, discrimination below 0.2, any
distractor (a wrong option chosen by someone) with a positive point-biserial,
and, for the assignment, alpha below 0.7.  Each flag is a :class:`Flag`: its
text (as in the CSV files) and a reading in plain words for the report.

A document-based question is several items: each auto-scored part, and its
written answer as a hand-graded item; they carry the set's id as ``group`` and
:meth:`AssignmentStats.groups` sums them per set.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import assert_never

from ..quiz import model
from ..quiz.model import Question
from ..quiz.scoring import is_blank, score_answer

EASY, HARD, LOW_DISCRIMINATION, LOW_ALPHA = 0.9, 0.2, 0.2, 0.7
BLANK, OTHER = "(blank)", "(other)"
FULL, PARTIAL, NONE = "full credit", "partial credit", "no credit"


class Flag(str):
    """A flag's text, with :attr:`reading`: what it suggests, in plain words."""

    reading: str

    def __new__(cls, text: str, reading: str) -> Flag:
        flag = super().__new__(cls, text)
        flag.reading = reading
        return flag


def pearson(x: list[float], y: list[float]) -> float | None:
    """Pearson's r (``statistics.correlation``), or None if either list has no variance.

    Also None for fewer than 2 values or lists of different lengths (where
    ``statistics`` raises).
    """
    if len(set(x)) < 2 or len(set(y)) < 2:
        return None
    try:
        return statistics.correlation(x, y)
    except statistics.StatisticsError:
        return None


def cronbach_alpha(columns: list[list[float]]) -> float | None:
    """Cronbach's alpha of item score columns (same students in each)."""
    k = len(columns)
    if k < 2 or len(columns[0]) < 2:
        return None
    totals = [sum(row) for row in zip(*columns, strict=True)]
    var_total = statistics.variance(totals)
    if var_total <= 1e-12:
        return None
    return k / (k - 1) * (1 - sum(statistics.variance(c) for c in columns) / var_total)


def choices(question: Question | None, response) -> list[str]:
    """What a response "chose": option ids for choice questions, else an outcome."""
    if is_blank(response):
        return [BLANK]
    match question:
        case model.SingleChoice() | model.SpotDevice():
            ids = question.option_ids()
            return [response] if isinstance(response, str) and response in ids else [OTHER]
        case model.MultipleSelect():
            ids = question.option_ids()
            if (isinstance(response, list | tuple | set | frozenset)
                    and all(isinstance(r, str) and r in ids for r in response)):
                return sorted(set(response))
            return [OTHER]
        case None:
            return [OTHER]
        case (model.Matching() | model.Ordering() | model.Numeric() | model.ShortText()
              | model.DocumentSet()):
            try:
                score = score_answer(question, response)
            except Exception:  # one odd response never stops the class's analysis
                return [OTHER]
            return [FULL if score >= 1 - 1e-9 else PARTIAL if score > 0 else NONE]
        case _:
            assert_never(question)


def option_list(question: Question | None) -> tuple[list[str], set[str]]:
    """(all options to count, the key options) of a question."""
    match question:
        case model.SingleChoice() | model.SpotDevice():
            return question.option_ids() + [BLANK, OTHER], {question.answer}
        case model.MultipleSelect():
            return question.option_ids() + [BLANK, OTHER], set(question.answer)
        case (None | model.Matching() | model.Ordering() | model.Numeric() | model.ShortText()
              | model.DocumentSet()):
            return [FULL, PARTIAL, NONE, BLANK, OTHER], {FULL}
        case _:
            assert_never(question)


@dataclass
class OptionStats:
    """One option (or outcome) of a question."""

    option: str
    is_key: bool
    is_distractor: bool
    count: int
    point_biserial: float | None


@dataclass
class ItemStats:
    """The statistics of one question."""

    item: str
    max_points: float
    mean: float
    facility: float
    discrimination: float | None
    key_point_biserial: float | None
    options: list[OptionStats] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    group: str = ""  # the document set the item belongs to
    hand_graded: bool = False


@dataclass
class ItemInput:
    """One question's data: points per student, max points, and optionally responses.

    ``group`` is the document set the item is part of (its parts and written answer);
    ``hand_graded`` marks an item scored by hand (an essay, a written answer).
    """

    item: str
    max_points: float
    scores: list[float]
    question: Question | None = None
    responses: list | None = None
    group: str = ""
    hand_graded: bool = False


@dataclass
class GroupStats:
    """A document set's items together: points, mean and facility of their sum."""

    group: str
    items: list[str]
    max_points: float
    mean: float
    facility: float


@dataclass
class AssignmentStats:
    """Item analysis of one assignment."""

    students: list[str]
    totals: list[float]
    max_total: float
    alpha: float | None
    items: list[ItemStats]

    @property
    def summary(self) -> dict:
        """n, mean, standard deviation, median, minimum and maximum of the totals."""
        t = self.totals
        return {"n": len(t), "mean": statistics.fmean(t) if t else 0.0,
                "sd": statistics.stdev(t) if len(t) > 1 else 0.0,
                "median": statistics.median(t) if t else 0.0,
                "min": min(t, default=0.0), "max": max(t, default=0.0),
                "max_possible": self.max_total, "alpha": self.alpha}

    def groups(self) -> list[GroupStats]:
        """Each document set's items summed, in order of first appearance."""
        out: dict[str, GroupStats] = {}
        for i in self.items:
            if not i.group:
                continue
            g = out.setdefault(i.group, GroupStats(i.group, [], 0.0, 0.0, 0.0))
            g.items.append(i.item)
            g.max_points += i.max_points
            g.mean += i.mean
        for g in out.values():
            g.facility = g.mean / g.max_points if g.max_points else 0.0
        return list(out.values())


def item_stats(item: ItemInput, totals: list[float]) -> ItemStats:
    """Facility, discrimination, point-biserials, option counts and flags of one item."""
    mean = statistics.fmean(item.scores) if item.scores else 0.0
    facility = mean / item.max_points if item.max_points else 0.0
    rest = [t - x for t, x in zip(totals, item.scores, strict=True)]
    stats = ItemStats(item.item, item.max_points, mean, facility,
                      pearson(item.scores, rest), None, group=item.group,
                      hand_graded=item.hand_graded)
    if item.responses is not None:
        chosen = [set(choices(item.question, r)) for r in item.responses]
        options, keys = option_list(item.question)
        real = set(options) - {BLANK, OTHER, FULL, PARTIAL, NONE}
        for option in options:
            flags = [1.0 if option in c else 0.0 for c in chosen]
            stats.options.append(OptionStats(
                option, option in keys, option in real and option not in keys,
                int(sum(flags)), pearson(flags, totals)))
        key_hits = [1.0 if any(k in c for k in keys) else 0.0 for c in chosen]
        match item.question:
            case model.MultipleSelect():  # the key is the whole key set
                key_hits = [1.0 if c == keys else 0.0 for c in chosen]
        stats.key_point_biserial = pearson(key_hits, totals)
    stats.flags = flags_for(stats)
    return stats


def flags_for(stats: ItemStats) -> list[Flag]:
    """Why a question looks broken (empty if it looks fine)."""
    flags = []
    if stats.facility > EASY:
        flags.append(Flag(
            f"too easy (facility {stats.facility:.2f} > {EASY})",
            "Nearly everyone got it right, so it tells strong and weak students apart very "
            "little; check that the wording does not give the answer away."))
    if stats.facility < HARD:
        flags.append(Flag(
            f"too hard (facility {stats.facility:.2f} < {HARD})",
            "Few got it right: check that the key is right and the question clear, and "
            "whether it was taught."))
    if stats.discrimination is not None and stats.discrimination < LOW_DISCRIMINATION:
        flags.append(Flag(
            f"low discrimination ({stats.discrimination:.2f} < {LOW_DISCRIMINATION})",
            "Students who did well on the rest did no better here than those who did "
            "poorly: the question may be ambiguous, mis-keyed or about something else."))
    for option in stats.options:
        if option.is_distractor and option.count and (option.point_biserial or 0) > 0:
            flags.append(Flag(
                f"distractor {option.option!r} has a positive point-biserial "
                f"({option.point_biserial:.2f})",
                f"Stronger students chose the wrong option {option.option!r} more often than "
                "weaker ones: it may be defensible, or the key may be wrong."))
    return flags


def alpha_flag(alpha: float | None) -> Flag | None:
    """The assignment's flag when Cronbach's alpha is below :data:`LOW_ALPHA` (else None)."""
    if alpha is None or alpha >= LOW_ALPHA:
        return None
    return Flag(f"low reliability (alpha {alpha:.2f} < {LOW_ALPHA})",
                "The questions do not rank students consistently, so the total is a rough "
                "measure; short tests and small classes often give this.")


def analyse(students: list[str], items: list[ItemInput]) -> AssignmentStats:
    """Item analysis of an assignment: totals are the sums over ``items``."""
    totals = [sum(col) for col in zip(*(i.scores for i in items), strict=True)] if items else []
    return AssignmentStats(
        students, totals, sum(i.max_points for i in items),
        cronbach_alpha([i.scores for i in items]),
        [item_stats(i, totals) for i in items])
