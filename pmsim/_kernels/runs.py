"""Runs of days with room, for the day-array serial SGS on long schedules.

One segment tree per (resource, demand) pair over days ``[0, size)``: a day
is *open* when the resource's free capacity there holds the demand (the SGS's
own test, ``free + tol >= demand``); each node keeps the open run at its
start, at its end and the longest inside. :func:`first_run` then finds the
first window of ``length`` open days at or after a day in O(log size), where
walking the days costs the distance, which grows with the project on a
programme whose resources are booked far ahead. Days from ``size`` on are
open (nothing is booked there). Entry points: :func:`tree_ids`,
:func:`build`, :func:`update`, :func:`first_run`.
"""

import numba as nb
import numpy as np

MAX_TREES = 64  # (resource, demand) pairs; beyond that the SGS keeps walking the days


@nb.njit(cache=True)
def tree_ids(inst, tid, tres, tthr):
    """``tid[e]``: the tree of link ``e`` of ``inst.ridx``, one per (resource, demand) pair; fills ``tres`` and
    ``tthr`` (its resource and demand) and returns how many trees, or -1 above ``tres.shape[0]``."""
    dur, rptr, ridx, demand = inst.dur, inst.rptr, inst.ridx, inst.demand
    m = 0
    for j in range(dur.shape[0]):
        if dur[j] <= 0.0:
            continue
        for e in range(rptr[j], rptr[j + 1]):
            k = ridx[e]
            q = demand[j, k]
            p = 0
            while p < m and not (tres[p] == k and tthr[p] == q):
                p += 1
            if p == m:
                if m == tres.shape[0]:
                    return -1
                tres[m] = k
                tthr[m] = q
                m += 1
            tid[e] = p
    return m


# Node i of a tree of ``size`` leaves (days) is tr[3i:3i+3]: its open run at the start, at the end, the longest.
@nb.njit(cache=True, inline="always")
def _pull(tr, i, half):
    left = 6 * i
    right = left + 3
    pl = tr[left]
    pr = tr[right]
    sl = tr[left + 1]
    sr = tr[right + 1]
    b = max(tr[left + 2], tr[right + 2])
    c = sl + pr
    tr[3 * i] = pl if pl < half else half + pr
    tr[3 * i + 1] = sr if sr < half else half + sl
    tr[3 * i + 2] = b if b > c else c


@nb.njit(cache=True, inline="always")
def _leaf(tr, i, v):
    tr[3 * i] = v
    tr[3 * i + 1] = v
    tr[3 * i + 2] = v


@nb.njit(cache=True)
def build(tr, size, free, k, tol, thr):
    """The tree of resource ``k`` and demand ``thr`` from ``free`` (days past its rows are open)."""
    rows = min(size, free.shape[0])
    for d in range(rows):
        _leaf(tr, size + d, 0 if free[d, k] + tol < thr else 1)
    for d in range(rows, size):
        _leaf(tr, size + d, 1)
    half = 1
    lo = size >> 1
    while lo >= 1:
        for i in range(lo, 2 * lo):
            _pull(tr, i, half)
        lo >>= 1
        half <<= 1


@nb.njit(cache=True)
def update(tr, size, free, k, tol, thr, a, b):
    """Days ``[a, b)`` of resource ``k`` changed in ``free`` (``b <= size``): the tree follows."""
    lo = b
    hi = a - 1
    for d in range(a, b):
        v = 0 if free[d, k] + tol < thr else 1
        if tr[3 * (size + d)] != v:
            _leaf(tr, size + d, v)
            lo = min(lo, d)
            hi = d
    if hi < lo:
        return  # no day opened or closed (the usual case: room left, or none before)
    lo = (lo + size) >> 1
    hi = (hi + size) >> 1
    half = 1
    while lo >= 1:
        changed = False
        for i in range(lo, hi + 1):
            p0, s0, b0 = tr[3 * i], tr[3 * i + 1], tr[3 * i + 2]
            _pull(tr, i, half)
            if tr[3 * i] != p0 or tr[3 * i + 1] != s0 or tr[3 * i + 2] != b0:
                changed = True
        if not changed:
            return
        lo >>= 1
        hi >>= 1
        half <<= 1


@nb.njit(cache=True)
def first_run(tr, size, s, length):
    """The first day t >= ``s`` with days ``[t, t + length)`` open (``length`` >= 1)."""
    if s >= size:
        return s
    run = 0  # open days just before the current node, from s on
    i = s + size
    stop = 2 * size
    h = 0
    # The nodes covering [s, size), left to right.
    while i < stop:
        if i & 1:
            width = 1 << h
            if run + tr[3 * i] >= length:
                return ((i << h) - size) - run
            if tr[3 * i + 2] >= length:
                # The run lies inside (a run that crossed the node's start would have shown above).
                while h > 0:
                    h -= 1
                    half = 1 << h
                    left = 2 * i
                    if run + tr[3 * left] >= length:
                        return ((left << h) - size) - run
                    if tr[3 * left + 2] >= length:
                        i = left
                        continue
                    run = run + half if tr[3 * left] == half else tr[3 * left + 1]
                    if run + tr[3 * left + 3] >= length:
                        return (((left + 1) << h) - size) - run
                    i = left + 1
                return (i - size) - run
            run = run + width if tr[3 * i] == width else tr[3 * i + 1]
            i += 1
        i >>= 1
        stop >>= 1
        h += 1
    return size - run


@nb.njit(cache=True)
def tree_size(days, cap):
    """The power of two at least ``days``, at most the one at least ``cap``."""
    size = 1
    while size < days and size < cap:
        size <<= 1
    return size

