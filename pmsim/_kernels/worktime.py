"""Working time on calendars, for compiled schedulers: "start at t, work d" as a lookup.

Times are minutes from an origin (elapsed time). Calendar ``c`` is a run of
working intervals in :class:`WorkTables` (``starts``, ``ends``, ``done``: the
working minutes before each interval, ``day_first``: per day the first
interval not over by that day's midnight). ``c < 0`` is the axis itself:
working time and time are one, ``t + d`` (one calendar for everything, or a
round-the-clock lag). Past the end of a table a time is ``inf``; the caller
builds a longer table and runs again.
"""

from collections import namedtuple

import numba as nb
import numpy as np

MINUTES_PER_DAY = 1440.0
WORK_BUCKET = 60.0  # working minutes per step of the index from work to interval
IDENTITY = -1

WorkTables = namedtuple("WorkTables", "cal_ptr day_ptr starts ends done day_first work_ptr work_first")


def empty_tables() -> WorkTables:
    """Tables holding no calendar (every task on the identity axis)."""
    return WorkTables(np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1), np.zeros(1), np.zeros(1),
                      np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64))


def work_index(starts: np.ndarray, ends: np.ndarray, done: np.ndarray) -> np.ndarray:
    """Per :data:`WORK_BUCKET` of work: the first interval whose end is not before the bucket's start."""
    total = float(done[-1] + ends[-1] - starts[-1]) if starts.size else 0.0
    buckets = np.arange(int(total // WORK_BUCKET) + 1) * WORK_BUCKET
    return np.searchsorted(done + (ends - starts), buckets, side="left").astype(np.int64)


@nb.njit(inline="always")
def work_at(c, t, tab):
    """Working minutes of calendar ``c`` done by time ``t`` (``t`` itself when ``c < 0``)."""
    if c < 0:
        return t
    base = tab.cal_ptr[c]
    last = tab.cal_ptr[c + 1] - 1
    days = tab.day_ptr[c + 1] - tab.day_ptr[c] - 1
    if t > days * MINUTES_PER_DAY:
        return np.inf
    if t <= tab.starts[base]:
        return 0.0
    if t >= tab.ends[last]:
        return tab.done[last] + tab.ends[last] - tab.starts[last]
    d = int(t // MINUTES_PER_DAY)
    k = base + tab.day_first[tab.day_ptr[c] + d]
    while k < last and tab.ends[k] <= t:
        k += 1
    if t <= tab.starts[k]:
        return tab.done[k]
    if t >= tab.ends[k]:
        return tab.done[k] + tab.ends[k] - tab.starts[k]
    return tab.done[k] + (t - tab.starts[k])


@nb.njit(inline="always")
def time_at(c, w, finish, tab):
    """The time calendar ``c`` has done ``w`` working minutes: the end of that work
    (``finish``) or the next working moment (not ``finish``); ``inf`` beyond the table."""
    if c < 0:
        return w
    base = tab.cal_ptr[c]
    hi = tab.cal_ptr[c + 1] - 1
    if w > tab.done[hi] + tab.ends[hi] - tab.starts[hi]:
        return np.inf
    if w <= 0.0:
        return tab.starts[base]
    # The first interval whose end reaches the start of w's bucket, then a few steps.
    k = base + tab.work_first[tab.work_ptr[c] + int(w / WORK_BUCKET)]
    while k < hi and tab.done[k] + tab.ends[k] - tab.starts[k] < w:
        k += 1  # now the first interval whose end reaches w
    if not finish:
        while k < hi and tab.done[k + 1] <= w:
            k += 1  # the last interval starting at or before w
    left = w - tab.done[k]
    length = tab.ends[k] - tab.starts[k]
    return tab.starts[k] + (left if left < length else length)


@nb.njit(inline="always")
def add_work(c, t, d, tab):
    """The finish of ``d`` working minutes started at ``t`` (``d`` may be negative: work done before)."""
    if c < 0:
        return t + d
    return time_at(c, work_at(c, t, tab) + d, True, tab)


@nb.njit(inline="always")
def start_of_work(c, t, d, tab):
    """The start of ``d`` working minutes that end at ``t``: the next working moment after ``t`` minus ``d``."""
    if c < 0:
        return t - d
    w = work_at(c, t, tab) - d
    return time_at(c, w if w > 0.0 else 0.0, False, tab)


@nb.njit(inline="always")
def next_start(c, t, tab):
    """The next working moment at or after ``t`` (the start of work from ``t``)."""
    if c < 0:
        return t
    return time_at(c, work_at(c, t, tab), False, tab)


@nb.njit(inline="always")
def last_finish(c, t, tab):
    """The end of the work done by ``t`` (the last working moment at or before ``t``)."""
    if c < 0:
        return t
    return time_at(c, work_at(c, t, tab), True, tab)


@nb.njit(inline="always")
def lag_after(c, t, lag, tab):
    """``t`` plus ``lag`` working minutes of calendar ``c`` (the moment that work is done)."""
    if lag == 0.0:
        return t
    return add_work(c, t, lag, tab)


@nb.njit(inline="always")
def lag_before(c, t, lag, tab):
    """``t`` minus ``lag`` working minutes of calendar ``c``."""
    if lag == 0.0:
        return t
    return add_work(c, t, -lag, tab)
