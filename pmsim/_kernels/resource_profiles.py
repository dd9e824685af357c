"""The serial SGS of the levelled Monte Carlo on one profile per resource, or on a profile per time unit.

The levelled Monte Carlo (:mod:`.levelled_montecarlo`) schedules each iteration by the serial SGS on a profile
of all resources together (a breakpoint wherever any resource's usage changes). The two schemes here take the
same decisions, bit for bit, on cheaper structures, when an iteration's numbers allow it (the caller checks):

- :func:`schedule_split`: one breakpoint profile per resource (``pr[r, 0, b]`` the time, ``pr[r, 1, b]`` the
  usage; ``cnt[r]`` breakpoints). A task looks only at the breakpoints of its own resources: fewer intervals in
  its window, fewer rows to move. A task with several resources takes the earliest start that fits on each in
  turn until all agree, the earliest start that fits on all (the same start as the scan of the combined profile,
  whose breakpoints of other resources never change this task's room).
- :func:`schedule_dense`: when every date of the iteration is a whole number of time units, the usage of each
  resource per unit of time (``use[r, u]``, for [u, u + 1)): a window is checked by reading its cells from its
  end (a conflict moves the start past it), a task adds its demand to its cells. The earliest whole start that
  fits is the earliest start that fits, since every breakpoint is whole.

Usages are the sums of the same demands in the same order as in the combined profile (the same float64 values),
compared with ``capacity + tolerance`` in the same way.
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .profile import EPS


@nb.njit(cache=True, inline="always")
def _at(pr, r, nb_, t):
    """Index of resource r's interval that contains ``t`` (largest b with ``pr[r, 0, b] <= t``, as
    ``profile.interval_at``), searched from the last breakpoint back: tasks come about in order of start, so few
    breakpoints lie past t."""
    b = nb_ - 1
    x = t + EPS
    while b > 0 and pr[r, 0, b] > x:
        b -= 1
    return b


@nb.njit(cache=True, inline="always")
def _fit(pr, r, nb_, t, d, dm, lim):
    """Earliest start >= t where demand ``dm`` lasting ``d`` fits under ``lim`` on resource r; returns it, the
    interval that holds it and the last interval that starts before its end.

    The scan of the combined profile on one column: the window checked from its end (a conflict on interval c
    moves the start to c's end, past every interval before c); intervals up to ``free`` are known to have room;
    the last interval (after every task) never limits.
    """
    at = _at(pr, r, nb_, t)
    end = t + d
    free = at - 1
    hi = at - 1
    while True:
        while hi + 1 < nb_ - 1 and pr[r, 0, hi + 1] < end:
            hi += 1
        c = hi
        while c > free:
            if pr[r, 1, c] + dm > lim:
                break
            c -= 1
        if c <= free:
            return t, at, hi
        free = hi
        at = c + 1
        t = np.float32(pr[r, 0, at])
        end = t + d
        if hi < at - 1:
            hi = at - 1


@nb.njit(cache=True, inline="always")
def _end_at(pr, r, nb_, end, e):
    """The interval of ``end`` (as :func:`_at`), searched forward from ``e``, an interval at or before it."""
    x = end + EPS
    while e + 1 < nb_ and pr[r, 0, e + 1] <= x:
        e += 1
    return e


@nb.njit(cache=True, inline="always")
def _occupy(pr, r, nb_, t, end, dm, b, e):
    """Demand ``dm`` on [t, end) added to resource r's profile, given the intervals ``b`` of t and ``e`` of end;
    returns the new count of breakpoints. The rows after the end move down once (by the breakpoints that are
    new), the rows of the window take the demand (a new row at t starts with the usage of the row it splits, a
    new row at the end with the usage row e had before)."""
    T = pr[r, 0]
    U = pr[r, 1]
    new_t = T[b] != t
    if e == b and new_t:
        new_e = end != t
    else:
        new_e = T[e] != end
    sh = np.int64(new_t) + np.int64(new_e)
    ue = U[e]
    if sh:
        for x in range(nb_ - 1, e, -1):
            T[x + sh] = T[x]
            U[x + sh] = U[x]
    last = e if new_e else e - 1
    if new_e:
        T[e + new_t + 1] = end
        U[e + new_t + 1] = ue
    if new_t:
        for x in range(e, b, -1):
            T[x + 1] = T[x]
            U[x + 1] = U[x]
        T[b + 1] = t
        U[b + 1] = U[b]
        for x in range(b + 1, last + 2):
            U[x] += dm
    else:
        for x in range(b, last + 1):
            U[x] += dm
    return nb_ + sh


@nb.njit(cache=True, inline="always")
def _precedence_start(j, d, release, pred_ptr, pred_idx, pred_type, pred_lag, es, ef):
    s = release[j]
    for x in range(pred_ptr[j], pred_ptr[j + 1]):
        i = pred_idx[x]
        s = max(s, earliest_start(pred_type[x], es[i], ef[i], pred_lag[x], d))
    return s


@nb.njit(cache=True)
def schedule_split(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres, edem, elim,
                   es, ef, pr, cnt, delayed):
    """Serial SGS of one iteration (durations ``dur``) on one profile per resource; ``eres[e]`` is the resource
    (0-based) of a task's e-th demand ``edem[e]``, ``elim[e]`` its capacity + tolerance."""
    for r in range(pr.shape[0]):
        pr[r, 0, 0] = 0.0
        pr[r, 1, 0] = 0.0
        cnt[r] = 1
    for q in range(order.shape[0]):
        j = order[q]
        d = dur[j]
        s = _precedence_start(j, d, release, pred_ptr, pred_idx, pred_type, pred_lag, es, ef)
        t = s
        e0, e1 = rptr[j], rptr[j + 1]
        if d > 0 and e1 > e0:
            if t < 0:
                t = np.float32(0.0)  # the profile starts at the project start
            if e1 - e0 == 1:
                r = eres[e0]
                nb_ = cnt[r]
                t, at, hi = _fit(pr, r, nb_, t, d, edem[e0], elim[e0])
                end = t + d
                if at + 1 < nb_ and pr[r, 0, at + 1] <= t + EPS:
                    at = _at(pr, r, nb_, t)
                cnt[r] = _occupy(pr, r, nb_, t, end, edem[e0], at, _end_at(pr, r, nb_, end, max(hi, at)))
            else:
                # The earliest start that fits on each resource in turn, until all agree.
                e = e0
                agreed = 0
                while agreed < e1 - e0:
                    r = eres[e]
                    t2 = _fit(pr, r, cnt[r], t, d, edem[e], elim[e])[0]
                    if t2 != t:
                        t = t2
                        agreed = 1
                    else:
                        agreed += 1
                    e = e + 1 if e + 1 < e1 else e0
                end = t + d
                for e in range(e0, e1):
                    r = eres[e]
                    nb_ = cnt[r]
                    cnt[r] = _occupy(pr, r, nb_, t, end, edem[e], _at(pr, r, nb_, t), _at(pr, r, nb_, end))
        delayed[j] = t > s
        es[j] = t
        ef[j] = t + d


@nb.njit(cache=True, inline="always")
def _dense_fit(use, r, t, d, dm, lim):
    """Earliest whole start >= t where demand ``dm`` fits on resource r's cells for ``d`` units (cells below
    ``ok`` in the window are known to have room)."""
    ok = t
    end = t + d
    while True:
        c = end - 1
        while c >= ok:
            if use[r, c] + dm > lim:
                break
            c -= 1
        if c < ok:
            return t
        t = c + 1
        ok = end
        end = t + d


@nb.njit(cache=True)
def schedule_dense(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres, edem, elim,
                   es, ef, use, top, delayed):
    """Serial SGS of one iteration whose dates are all whole numbers (durations, lags and releases whole, the
    horizon within ``use.shape[1]``) on the usage per unit of time; ``top[r]``: the cells of resource r in use."""
    for r in range(use.shape[0]):
        for c in range(top[r]):
            use[r, c] = 0.0
        top[r] = 0
    for q in range(order.shape[0]):
        j = order[q]
        d = dur[j]
        s = _precedence_start(j, d, release, pred_ptr, pred_idx, pred_type, pred_lag, es, ef)
        t = s
        e0, e1 = rptr[j], rptr[j + 1]
        if d > 0 and e1 > e0:
            if t < 0:
                t = np.float32(0.0)
            ti = np.int64(t)
            di = np.int64(d)
            if e1 - e0 == 1:
                ti = _dense_fit(use, eres[e0], ti, di, edem[e0], elim[e0])
            else:
                e = e0
                agreed = 0
                while agreed < e1 - e0:
                    t2 = _dense_fit(use, eres[e], ti, di, edem[e], elim[e])
                    if t2 != ti:
                        ti = t2
                        agreed = 1
                    else:
                        agreed += 1
                    e = e + 1 if e + 1 < e1 else e0
            for e in range(e0, e1):
                r = eres[e]
                dm = edem[e]
                for c in range(ti, ti + di):
                    use[r, c] += dm
                top[r] = max(top[r], ti + di)
            t = np.float32(ti)
        delayed[j] = t > s
        es[j] = t
        ef[j] = t + d
