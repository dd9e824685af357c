"""The four link types and the one rule of what a link allows, for every kernel.

A link ties a date of its predecessor (the finish for FS and FF, the start
for SS and SF) to a date of its successor (the start for FS and SS, the
finish for FF and SF): the successor's date is at least the predecessor's
plus the lag. Codes follow ``pmsim.model.LINK_TYPES``; ``MIRROR[code]`` is
the type of the same link in reversed time. Entry points:
:func:`earliest_start`, :func:`latest_finish`, :func:`slack`.
"""

import numba as nb
import numpy as np

FS, SS, FF, SF = 0, 1, 2, 3
MIRROR = np.array([FS, FF, SS, SF], dtype=np.int8)


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
    # Branches: in a loop over iterations of one link they become one loop per type.
    if kind == FS:
        return pred_finish + lag
    if kind == SS:
        return pred_start + lag
    if kind == FF:
        return pred_finish + lag - duration
    return pred_start + lag - duration


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
