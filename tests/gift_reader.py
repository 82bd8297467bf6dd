"""A small strict GIFT reader for the tests (no maintained GIFT parser installs from PyPI).

It reads only what Moodle's GIFT import reads, and fails loudly where Moodle would
misread: an unescaped special character (``~ = # { } :``) in a text, a question
without title or braces, an answer line it does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPECIAL = "~=#{}:"


class GiftError(ValueError):
    """The text is not GIFT as Moodle reads it."""


def unescape(text: str) -> str:
    """Undo GIFT's backslash escapes; an unescaped special character is an error."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _SPECIAL + "\\n":
                raise GiftError(f"bad escape at {i} in {text!r}")
            out.append(text[i + 1])
            i += 2
            continue
        if ch in _SPECIAL:
            raise GiftError(f"unescaped {ch!r} at {i} in {text!r}")
        out.append(ch)
        i += 1
    return "".join(out)


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split at ``sep`` where it is not backslash-escaped."""
    parts, start, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(sep, i):
            parts.append(text[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


@dataclass
class Answer:
    """One answer line: its mark ('=', '~' or a weight), text and feedback."""

    mark: str
    weight: float | None
    text: str
    feedback: str = ""
    match: str | None = None


@dataclass
class GiftQuestion:
    """One question as read."""

    category: str
    title: str
    format: str
    text: str
    numeric: bool = False
    number: float | None = None
    tolerance: float | None = None
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str = ""
    description: bool = False  # a text with no answer section (no braces)


_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _answer(line: str) -> Answer:
    mark, rest = line[0], line[1:]
    weight = None
    m = _WEIGHT.match(rest)
    if m:
        weight, rest = float(m.group(1)), rest[m.end():]
    parts = split_unescaped(rest, "#")
    if len(parts) > 2:
        raise GiftError(f"more than one feedback in {line!r}")
    text, feedback = parts[0], parts[1] if len(parts) == 2 else ""
    match = None
    if " -> " in text:
        text, match = text.split(" -> ", 1)
        match = unescape(match)
    return Answer(mark, weight, unescape(text.strip()), unescape(feedback), match)


def parse(source: str) -> list[GiftQuestion]:
    """All questions of a GIFT text."""
    questions, category = [], ""
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = [ln for ln in block.splitlines() if not ln.startswith("//")]
        if not lines:
            continue
        if lines[0].startswith("$CATEGORY:"):
            category = lines[0].removeprefix("$CATEGORY:").strip()
            lines = lines[1:]
            if not lines:
                continue
        body = "\n".join(lines)
        d = re.fullmatch(r"::(.*?)(?<!\\)::(\[(\w+)\])?((?:[^{}\\]|\\.)*)", body, re.S)
        if d:  # a description: text only, no answer braces
            questions.append(GiftQuestion(category, unescape(d.group(1)), d.group(3) or "moodle",
                                          unescape(d.group(4).strip()), description=True))
            continue
        m = re.match(r"^::(.*?)(?<!\\)::(\[(\w+)\])?(.*?)(?<!\\)\{(.*)(?<!\\)\}\s*$", body, re.S)
        if not m:
            raise GiftError(f"not a GIFT question: {body[:80]!r}")
        title, fmt, text, inside = m.group(1), m.group(3) or "moodle", m.group(4), m.group(5)
        q = GiftQuestion(category, unescape(title), fmt, unescape(text.strip()))
        general = split_unescaped(inside, "####")
        if len(general) == 2:
            inside, q.general_feedback = general[0], unescape(general[1].strip())
        inside = inside.strip()
        if inside.startswith("#"):
            q.numeric, inside = True, inside[1:].strip()
        for line in (ln.strip() for ln in inside.splitlines()):
            if not line:
                continue
            if q.numeric:
                num = re.fullmatch(r"=(-?\d+(?:\.\d+)?):(\d+(?:\.\d+)?)", line)
                if not num:
                    raise GiftError(f"{q.title}: bad numeric answer {line!r}")
                q.number, q.tolerance = float(num.group(1)), float(num.group(2))
                continue
            if line[0] not in "=~":
                raise GiftError(f"{q.title}: answer line must start with = or ~: {line!r}")
            q.answers.append(_answer(line))
        questions.append(q)
    return questions
