"""Progress of a long step (autograde): a bar on a terminal, plain lines otherwise.

:class:`Progress` is what :func:`.autograde.autograde` reports to: ``say(text)``
for a message, ``start(total)`` once the number of students is known, and
``done(student, status, detail)`` as each one finishes.  On a terminal a
``tqdm`` bar shows the count, the rate and the time left; when the output is
a file or a pipe (a log, cron, CI) every student is one plain line with the
same count and time left, so the log can be read afterwards.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter


class Progress:
    """Messages and a per-student count to ``stream`` (default: standard output)."""

    def __init__(self, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stdout
        self.bar_wanted = self.stream.isatty() if bar is None else bar
        self.total = 0
        self.count = 0
        self.started = 0.0
        self._bar = None

    def say(self, text: str) -> None:
        """A message line (printed above the bar when there is one)."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    __call__ = say

    def start(self, total: int) -> None:
        """``total`` students are about to be graded."""
        self.total, self.count, self.started = total, 0, time.monotonic()
        if self.bar_wanted and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="student", file=self.stream, dynamic_ncols=True)

    def done(self, student: str, status: str, detail: str = "") -> None:
        """One student finished with ``status``."""
        self.count += 1
        if self._bar is not None:
            if detail:
                self._bar.write(f"{student}: {status} ({detail})", file=self.stream)
            self._bar.update(1)
            if self.count >= self.total:
                self.close()
            return
        elapsed = time.monotonic() - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.count) / rate if rate else 0.0
        line = (f"[{self.count}/{self.total}] {student}: {status}"
                + (f" ({detail})" if detail else "")
                + f" | {rate * 60:.1f} students/min, about {_duration(left)} left")
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar (if any)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 5 s`` or ``1 h 02 min``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def summary(statuses: Counter, totals: list[float], maximum: float | None = None) -> str:
    """One line: how many were graded, had problems, timed out; mean and spread of totals."""
    problems = sum(n for status, n in statuses.items()
                   if status not in ("graded", "up-to-date", "timed-out"))
    text = (f"graded {statuses.get('graded', 0)}, up to date {statuses.get('up-to-date', 0)}, "
            f"problems {problems}, timed out {statuses.get('timed-out', 0)}")
    if totals:
        of = f" of {maximum:g}" if maximum else ""
        spread = statistics.stdev(totals) if len(totals) > 1 else 0.0
        text += (f"; scores{of}: mean {statistics.fmean(totals):.2f}, "
                 f"standard deviation {spread:.2f}, range {min(totals):g}–{max(totals):g} "
                 f"({len(totals)} students)")
    return text
