"""Pools as LMSs draw them: a pool's questions gathered into one group that gives one.

The bank's ``pool:`` names questions of which each student gets one.  In an export
each pool's questions are gathered, at the place of its first member, into a
:class:`Group`: Canvas reads it as a question group that picks one question at the
pool's points (QTI ``section`` with ``selection_number`` 1 and ``points_per_item``);
Moodle and GIFT as a category of its own below the chapter's, from which a quiz
takes a random question (:func:`by_category`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .form import Form


@dataclass(frozen=True)
class Group:
    """One question everyone gets (``pool`` empty), or a pool's questions, one drawn."""

    pool: str
    forms: tuple[Form, ...]

    @property
    def points(self) -> float:
        """Points of the drawn question (a pool's questions all have the same)."""
        return self.forms[0].source.points


def pool_of(form: Form) -> str:
    """The pool a form's question belongs to ('' for none)."""
    question = form.source.question
    return (question.pool or "") if question is not None else ""


def grouped(forms: list[Form]) -> list[Group]:
    """``forms`` in order, each pool's questions gathered where its first one stands."""
    groups: list[Group] = []
    at: dict[str, int] = {}
    for form in forms:
        pool = pool_of(form)
        if not pool:
            groups.append(Group("", (form,)))
        elif pool in at:
            group = groups[at[pool]]
            groups[at[pool]] = Group(pool, (*group.forms, form))
        else:
            at[pool] = len(groups)
            groups.append(Group(pool, (form,)))
    return groups


def by_category(forms: list[Form]) -> list[tuple[str, list[Form]]]:
    """``(pool, forms)`` per Moodle/GIFT category of one chapter: the chapter's own
    questions first (pool ''), then each pool's."""
    groups = grouped(forms)
    own = [f for g in groups if not g.pool for f in g.forms]
    return [("", own), *((g.pool, list(g.forms)) for g in groups if g.pool)]


def category(title: str, chapter: str, pool: str = "") -> str:
    """The Moodle/GIFT category path of a chapter, or of one of its pools."""
    base = f"$course$/top/{title}/{chapter}"
    return f"{base}/pool {pool}" if pool else base
