"""Explanations and floats of a levelled schedule.

Entry points: :func:`held_back` (why each task starts when it does) and
:func:`resource_free_float` (how far a task can slip before a resource runs short).
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .profile import EPS, interval_at, lacks_room


@nb.njit(cache=True)
def held_back(start, inst, times, usage, est, driver, blocked):
    """Why each task starts when it does: ``est``, the earliest start its predecessors allow, set by ``driver``
    (-1: none); ``blocked[j, k]``, resource k lacked room at some moment of j's wait after ``est[j]``."""
    n = start.shape[0]
    dur = inst.dur
    tol = 1e-6
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
            b = interval_at(times, times.shape[0], best + tol)
            while b < times.shape[0] and times[b] < start[j] - tol:
                for e in range(inst.rptr[j], inst.rptr[j + 1]):
                    k = inst.ridx[e]
                    if usage[b, k] + inst.demand[j, k] > inst.cap[k] + inst.tol[k]:
                        blocked[j, k] = True
                b += 1


@nb.njit(cache=True)
def resource_free_float(start, inst, times, usage, out):
    """How far each task can slip, the others staying put, before a resource runs short (inf: never).

    Links are for the caller.
    """
    n = start.shape[0]
    nb_ = times.shape[0]
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
        while b < nb_:
            if lacks_room(usage[b], j, inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol):
                out[j] = max(times[b] - f, 0.0)
                break
            b += 1
