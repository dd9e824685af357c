"""The resource profile of a partial schedule, for the levelling kernels.

A step function kept as sorted breakpoints ``pt[0..nb_)``, with the usage of
each resource on ``[pt[b], pt[b+1])`` in ``pu[b, :]``; the last interval
runs to infinity. Entry points: :func:`earliest_fit`, :func:`add_task`,
:func:`remove_task`.
"""

import numba as nb
import numpy as np

EPS = 1e-9


@nb.njit(cache=True, inline="always")
def interval_at(pt, nb_, t):
    """Index of the interval that contains ``t`` (largest b with pt[b] <= t)."""
    lo = 0
    hi = nb_ - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if pt[mid] <= t + EPS:
            lo = mid
        else:
            hi = mid - 1
    return lo


@nb.njit(cache=True, inline="always")
def lacks_room(use, j, rptr, ridx, demand, cap, tol):
    """True when, beside the usage ``use`` (one breakpoint's row), some resource of task j lacks room for it."""
    for e in range(rptr[j], rptr[j + 1]):
        k = ridx[e]
        if use[k] + demand[j, k] > cap[k] + tol[k]:
            return True
    return False


@nb.njit(cache=True)
def earliest_fit(pt, pu, nb_, t0, d, j, rptr, ridx, demand, cap, tol):
    """Earliest t >= t0 where task j (duration d > 0) fits under every capacity."""
    t = t0
    c = interval_at(pt, nb_, t)
    end = t + d - EPS
    # Scan intervals once: a conflict on interval c moves the candidate start to its end.
    while c < nb_ - 1 and pt[c] < end:
        blocked = lacks_room(pu[c], j, rptr, ridx, demand, cap, tol)
        c += 1
        if blocked:
            t = pt[c]
            end = t + d - EPS
    return t


@nb.njit(cache=True, inline="always")
def breakpoint_at(pt, pu, nb_, t, tol):
    """Make ``t`` a breakpoint (unless one lies within ``tol``); returns (its index, new count)."""
    b = interval_at(pt, nb_, t)
    if abs(pt[b] - t) <= tol:
        return b, nb_
    nk = pu.shape[1]
    for c in range(nb_, b + 1, -1):
        pt[c] = pt[c - 1]
        for k in range(nk):
            pu[c, k] = pu[c - 1, k]
    pt[b + 1] = t
    for k in range(nk):
        pu[b + 1, k] = pu[b, k]
    return b + 1, nb_ + 1


@nb.njit(cache=True)
def add_task(pt, pu, nb_, t, d, j, rptr, ridx, demand):
    """Task j's demands on [t, t + d) added to the profile; returns the new count of breakpoints."""
    b0, nb_ = breakpoint_at(pt, pu, nb_, t, EPS)
    b1, nb_ = breakpoint_at(pt, pu, nb_, t + d, EPS)
    for c in range(b0, b1):
        for e in range(rptr[j], rptr[j + 1]):
            k = ridx[e]
            pu[c, k] += demand[j, k]
    return nb_


@nb.njit(cache=True, inline="always")
def remove_task(pt, pu, nb_, t, d, j, rptr, ridx, demand):
    """Task j's demands on [t, t + d) taken out of the profile (its breakpoints stay)."""
    b0 = interval_at(pt, nb_, t)
    b1 = interval_at(pt, nb_, t + d)
    for c in range(b0, b1):
        for e in range(rptr[j], rptr[j + 1]):
            k = ridx[e]
            pu[c, k] -= demand[j, k]


@nb.njit(cache=True)
def build_profile(pt, pu, start, dur, rptr, ridx, demand):
    """The profile of every task with duration and resources, as :func:`add_task` in task order builds it, in
    O(n log n); returns the count of breakpoints, or -1 when two differ by EPS or less (then the order of
    the adds decides which one stays: use :func:`add_task`)."""
    n = start.shape[0]
    ends = np.empty(2 * n + 1)
    m = 1
    ends[0] = 0.0
    for j in range(n):
        if dur[j] > 0.0 and rptr[j + 1] > rptr[j]:
            ends[m] = start[j]
            ends[m + 1] = start[j] + dur[j]
            m += 2
    ends = np.sort(ends[:m])
    nb_ = 0
    for c in range(m):
        if nb_ > 0 and ends[c] == pt[nb_ - 1]:
            continue
        if nb_ > 0 and ends[c] - pt[nb_ - 1] <= EPS:
            return -1
        pt[nb_] = ends[c]
        nb_ += 1
    if pt[0] != 0.0:
        return -1  # a start before 0
    pu[:nb_, :] = 0.0
    # Each interval sums its tasks' demands in task order, as the adds do (a split copies the sum so far).
    for j in range(n):
        if dur[j] > 0.0 and rptr[j + 1] > rptr[j]:
            b0 = np.searchsorted(pt[:nb_], start[j])
            b1 = np.searchsorted(pt[:nb_], start[j] + dur[j])
            for c in range(b0, b1):
                for e in range(rptr[j], rptr[j + 1]):
                    k = ridx[e]
                    pu[c, k] += demand[j, k]
    return nb_
