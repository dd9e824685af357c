"""Explanations and floats of a levelled schedule.

Entry points: :func:`held_back` (why each task starts when it does) and
:func:`resource_free_float` (how far a task can slip before a resource runs short).
Both ask of a stretch of the profile whether, or from where, a resource lacks
room; a tree of the usage maxima per resource (:func:`usage_maxima`) answers in
O(log breakpoints), where walking the breakpoints costs the length of the
stretch, which on a large programme grows with it.
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .profile import EPS, interval_at


@nb.njit(cache=True)
def usage_maxima(usage):
    """Per resource k, a max tree over the breakpoints: ``mx[k, size + b] = usage[b, k]``, -inf past them."""
    nb_, nk = usage.shape
    size = 1
    while size < nb_:
        size <<= 1
    mx = np.full((nk, 2 * size), -np.inf)
    for k in range(nk):
        for b in range(nb_):
            mx[k, size + b] = usage[b, k]
        for i in range(size - 1, 0, -1):
            mx[k, i] = max(mx[k, 2 * i], mx[k, 2 * i + 1])
    return mx, size


@nb.njit(cache=True, inline="always")
def _short(peak, dem, cap, tol):
    # The kernels' capacity test (profile.lacks_room), on the largest usage of a stretch.
    return peak + dem > cap + tol


@nb.njit(cache=True)
def _short_within(mx, size, lo, hi, dem, cap, tol):
    """Whether the resource of tree ``mx`` lacks room for ``dem`` at some breakpoint of ``[lo, hi)``."""
    lo += size
    hi += size
    while lo < hi:
        if lo & 1:
            if _short(mx[lo], dem, cap, tol):
                return True
            lo += 1
        if hi & 1:
            hi -= 1
            if _short(mx[hi], dem, cap, tol):
                return True
        lo >>= 1
        hi >>= 1
    return False


@nb.njit(cache=True)
def _first_short(mx, size, lo, dem, cap, tol):
    """The first breakpoint from ``lo`` on where the resource lacks room for ``dem`` (``size`` if none)."""
    i = lo + size
    stop = 2 * size
    while i < stop:
        if i & 1:
            if _short(mx[i], dem, cap, tol):
                while i < size:
                    i = 2 * i if _short(mx[2 * i], dem, cap, tol) else 2 * i + 1
                return i - size
            i += 1
        i >>= 1
        stop >>= 1
    return size


@nb.njit(cache=True)
def held_back(start, inst, times, usage, est, driver, blocked):
    """Why each task starts when it does: ``est``, the earliest start its predecessors allow, set by ``driver``
    (-1: none); ``blocked[j, k]``, resource k lacked room at some moment of j's wait after ``est[j]``."""
    n = start.shape[0]
    dur = inst.dur
    tol = 1e-6
    mx, size = usage_maxima(usage)
    for j in range(n):
        d = dur[j]
        best = 0.0
        drv = -1
        for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
            i = inst.pred_idx[e]
            c = earliest_start(inst.pred_type[e], start[i], start[i] + dur[i], inst.pred_lag[e], d)
            if c > best + tol:
                best = c
                drv = i
        est[j] = best
        driver[j] = drv
        blocked[j, :] = False
        if start[j] > best + tol:
            # The breakpoints of the wait: from the one holding est[j] to the last before start[j].
            lo = interval_at(times, times.shape[0], best + tol)
            hi = max(lo, np.searchsorted(times, start[j] - tol))
            for e in range(inst.rptr[j], inst.rptr[j + 1]):
                k = inst.ridx[e]
                if _short_within(mx[k], size, lo, hi, inst.demand[j, k], inst.cap[k], inst.tol[k]):
                    blocked[j, k] = True


@nb.njit(cache=True)
def resource_free_float(start, inst, times, usage, out):
    """How far each task can slip, the others staying put, before a resource runs short (inf: never).

    Links are for the caller.
    """
    n = start.shape[0]
    nb_ = times.shape[0]
    mx, size = usage_maxima(usage)
    for j in range(n):
        out[j] = np.inf
        d = inst.dur[j]
        if d <= 0.0:
            continue
        # Past its finish the slipping task needs its units on top of the usage (which includes it until then).
        f = start[j] + d
        b = interval_at(times, nb_, f)
        if times[b] < f - EPS:
            b += 1
        first = size
        for e in range(inst.rptr[j], inst.rptr[j + 1]):
            k = inst.ridx[e]
            if b < nb_:
                first = min(first, _first_short(mx[k], size, b, inst.demand[j, k], inst.cap[k], inst.tol[k]))
        if first < nb_:
            out[j] = max(times[first] - f, 0.0)
