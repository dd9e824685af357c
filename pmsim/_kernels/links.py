"""The four link types and the one rule of what a link allows, for every kernel.

A link ties a date of its predecessor (the finish for FS and FF, the start
for SS and SF) to a date of its successor (the start for FS and SS, the
finish for FF and SF): the successor's date is at least the predecessor's
plus the lag. Codes follow ``pmsim.model.LINK_TYPES``; ``MIRROR[code]`` is
the type of the same link in reversed time. Entry points:
:func:`earliest_start` (or :func:`from_finish` to read one predecessor date,
then :func:`earliest_start_after`), :func:`latest_finish`, :func:`slack`, and
:func:`raise_to_earliest_starts` over a chunk of iterations.
"""

import numba as nb
import numpy as np

FS, SS, FF, SF = 0, 1, 2, 3
MIRROR = np.array([FS, FF, SS, SF], dtype=np.int8)
FROM_FINISH = np.array([True, False, True, False])  # by code: the link starts at its predecessor's finish
TO_FINISH = np.array([False, False, True, True])  # by code: the link ends at its successor's finish


@nb.njit(inline="always")
def from_finish(kind):
    """True when the link starts at its predecessor's finish (FS, FF)."""
    return kind == FS or kind == FF


@nb.njit(inline="always")
def to_finish(kind):
    """True when the link ends at its successor's finish (FF, SF)."""
    return kind == FF or kind == SF


@nb.njit(inline="always")
def earliest_start(kind, pred_start, pred_finish, lag, duration):
    """The earliest start the link allows its successor, which lasts ``duration``."""
    return earliest_start_after(kind, pred_finish if from_finish(kind) else pred_start, lag, duration)


@nb.njit(inline="always")
def earliest_start_after(kind, pred_date, lag, duration):
    """:func:`earliest_start` given the predecessor's date the link starts from (see :func:`from_finish`)."""
    date = pred_date + lag
    return date - duration if to_finish(kind) else date


@nb.njit(inline="always")
def latest_finish(kind, succ_start, succ_finish, lag, duration):
    """The latest finish the link allows its predecessor, which lasts ``duration``."""
    date = (succ_finish if to_finish(kind) else succ_start) - lag
    return date if from_finish(kind) else date + duration


@nb.njit(inline="always")
def slack(kind, pred_start, pred_finish, succ_start, succ_finish, lag):
    """How far the predecessor can slip before the link moves its successor."""
    bound = succ_finish if to_finish(kind) else succ_start
    return bound - lag - (pred_finish if from_finish(kind) else pred_start)


def earliest_starts(kind, pred_start, pred_finish, lag, duration):
    """:func:`earliest_start` over numpy arrays of links (for callers outside compiled code)."""
    date = np.where(FROM_FINISH[kind], pred_finish, pred_start) + lag
    return np.where(TO_FINISH[kind], date - duration, date)


@nb.njit(inline="always")
def raise_to_earliest_starts(kind, start, finish, duration, pred, succ, lag, count):
    """``start[succ, t]`` raised to the earliest start the link from ``pred`` allows, for ``t < count``.

    Dates are tasks x iterations; a loop per type reads only the dates it needs.
    """
    if kind == FS:
        for t in range(count):
            bound = earliest_start(FS, start[pred, t], finish[pred, t], lag, duration[succ, t])
            start[succ, t] = max(start[succ, t], bound)
    elif kind == SS:
        for t in range(count):
            bound = earliest_start(SS, start[pred, t], finish[pred, t], lag, duration[succ, t])
            start[succ, t] = max(start[succ, t], bound)
    elif kind == FF:
        for t in range(count):
            bound = earliest_start(FF, start[pred, t], finish[pred, t], lag, duration[succ, t])
            start[succ, t] = max(start[succ, t], bound)
    else:
        for t in range(count):
            bound = earliest_start(SF, start[pred, t], finish[pred, t], lag, duration[succ, t])
            start[succ, t] = max(start[succ, t], bound)
