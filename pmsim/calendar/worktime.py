"""A calendar's working time laid out over a window of days, for conversions both ways.

A :class:`WorkTable` lists the working intervals of the days from an
``origin`` date, in minutes from the origin's midnight ("elapsed minutes"),
with the working minutes done before each. :meth:`WorkTable.work_at` turns an
elapsed time into working time done by then; :meth:`WorkTable.time_at` turns
working time back into the elapsed time where it is reached: the end of a
working moment (``side="finish"``) or the next working moment
(``side="start"``). The compiled engine reads the same arrays
(:mod:`pmsim._kernels.worktime`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = ["WorkTable", "build_table", "WEEKDAYS", "MINUTES_PER_DAY"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 1440


@dataclass(frozen=True, eq=False)
class WorkTable:
    """The working intervals of ``days`` days from ``origin`` (read-only arrays, elapsed minutes)."""

    origin: dt.date
    days: int
    starts: np.ndarray  # float64: start of each working interval
    ends: np.ndarray  # float64: its end
    done: np.ndarray  # float64: working minutes done before it starts
    day_first: np.ndarray  # int64, days + 1: the first interval that ends after each day's midnight

    @property
    def total(self) -> float:
        """Working minutes in the whole window."""
        return float(self.done[-1] + self.ends[-1] - self.starts[-1]) if self.starts.size else 0.0

    def work_at(self, elapsed):
        """Working minutes done by elapsed minute ``elapsed`` (an array or a number)."""
        t = np.asarray(elapsed, dtype=np.float64)
        k = np.searchsorted(self.ends, t, side="left")  # the first interval not over by t
        k = np.minimum(k, self.starts.size - 1)
        inside = np.clip(t - self.starts[k], 0.0, self.ends[k] - self.starts[k])
        out = np.where(t >= self.ends[-1], self.total, self.done[k] + inside)
        return out if out.ndim else float(out)

    def time_at(self, work, side: str):
        """The elapsed minute where ``work`` working minutes are reached.

        ``side="finish"``: the end of that work (an interval's end rather than
        the next one's start); ``side="start"``: the next working moment.
        """
        w = np.asarray(work, dtype=np.float64)
        length = self.ends - self.starts
        if side == "finish":
            # The first interval whose end reaches w; w at an interval's start belongs to the one before.
            k = np.searchsorted(self.done + length, w, side="left")
        else:
            # The last interval starting at or before w: w at an interval's end starts the next one.
            k = np.searchsorted(self.done, w, side="right") - 1
        k = np.clip(k, 0, self.starts.size - 1)
        out = self.starts[k] + np.clip(w - self.done[k], 0.0, length[k])
        return out if out.ndim else float(out)


def build_table(calendar, origin: dt.date, days: int) -> WorkTable:
    """The work table of ``calendar`` for the ``days`` days from ``origin``."""
    weekday0 = origin.weekday()
    week = [calendar.day_hours(WEEKDAYS[(weekday0 + d) % 7]) for d in range(7)]
    special: dict[int, tuple] = {}
    last_day = origin + dt.timedelta(days=days - 1)
    for exc in calendar.exceptions:
        a, b = max(exc.first, origin), min(exc.last, last_day)
        for d in range((a - origin).days, (b - origin).days + 1):
            special[d] = exc.hours
    for h in calendar.holidays:
        if origin <= h <= last_day:
            special.setdefault((h - origin).days, ())
    starts, ends, first = [], [], np.empty(days + 1, dtype=np.int64)
    for d in range(days):
        first[d] = len(starts)
        base = d * MINUTES_PER_DAY
        for a, b in special.get(d, week[d % 7]):
            if starts and ends[-1] == base + a:
                ends[-1] = base + b  # a span running past midnight into the next day's is one interval
            else:
                starts.append(base + a)
                ends.append(base + b)
    first[days] = len(starts)
    if not starts:
        starts, ends = [float(days * MINUTES_PER_DAY)], [float(days * MINUTES_PER_DAY)]
    s = np.array(starts, dtype=np.float64)
    e = np.array(ends, dtype=np.float64)
    done = np.concatenate([[0.0], np.cumsum(e - s)[:-1]])
    # An interval that spans midnight belongs to the day it ends in too.
    day_first = np.searchsorted(e, np.arange(days + 1) * float(MINUTES_PER_DAY), side="right")
    for a in (s, e, done, day_first):
        a.setflags(write=False)
    del first
    return WorkTable(origin=origin, days=days, starts=s, ends=e, done=done, day_first=day_first)
