"""Escalated task costs per iteration: each task's cost at the mean escalation factor over its dates.

:func:`add_escalated` is the rule for one task in one iteration; the fused
Monte Carlo kernel (:func:`pmsim._kernels.montecarlo.simulate_batch`) calls
it on its own rows of dates, and :func:`escalated_task_costs` on tables of
dates kept by another scheduler (levelling, calendars) or on the spans of
level-of-effort tasks. Both add in the same order (tasks in topological
order, then classes), so they give the same bits.
"""

import math

import numba as nb
import numpy as np


@nb.njit(inline="always")
def _integral(cum, factor, x):
    """∫ factor over working days [0, x], linear within a day (x clipped to the table)."""
    h = factor.shape[0]
    x = min(max(x, 0.0), float(h))
    k = min(int(math.floor(x)), h - 1)
    return cum[k] + (x - k) * factor[k]


@nb.njit(inline="always")
def _absent(d):
    """A duration of -0.0: the task does not exist in that iteration."""
    return d == 0.0 and math.copysign(1.0, d) < 0.0


@nb.njit(inline="always")
def _add_amount(total, amount, s, f, cum, factor):
    """``total`` plus ``amount`` x the mean of ``factor`` over [s, f] (the factor of s's day when s == f)."""
    if amount == 0.0:
        return total
    if f > s:
        mean = (_integral(cum, factor, f) - _integral(cum, factor, s)) / (f - s)
    else:
        mean = factor[min(max(int(math.floor(s + 1e-9)), 0), factor.shape[0] - 1)]
    return total + amount * mean


@nb.njit(inline="always")
def add_escalated_rows(j, m, es, ef, dur, fixed, daily, rate_ptr, rate_row, rate_w, rate_dev, base,
                       entry_class, cum, factor, cst):
    """:func:`add_escalated` for task ``j`` over a chunk's rows (``es[j, t]`` .., iteration column ``base + t`` of
    ``rate_dev``), with a lean loop for the common case of one class and no uncertain rate."""
    if fixed.shape[0] == 1 and rate_ptr[j] == rate_ptr[j + 1]:
        fx = fixed[0, j]
        dl = daily[0, j]
        if fx == 0.0 and dl == 0.0:
            return
        c0 = cum[0]
        f0 = factor[0]
        h = f0.shape[0]
        # Branch-free (it vectorises), the same operations as _add_amount: an amount of 0 adds 0 x a finite
        # mean, a span of 0 takes the factor of its day.
        for t in range(m):
            d = np.float64(dur[j, t])
            amount = dl * d + (0.0 if _absent(d) else fx)
            s = np.float64(es[j, t])
            f = np.float64(ef[j, t])
            span = f - s
            whole = (_integral(c0, f0, f) - _integral(c0, f0, s)) / (span if span > 0.0 else 1.0)
            mean = whole if span > 0.0 else f0[min(max(int(math.floor(s + 1e-9)), 0), h - 1)]
            cst[t] += amount * mean
        return
    for t in range(m):
        cst[t] = add_escalated(cst[t], j, np.float64(es[j, t]), np.float64(ef[j, t]), np.float64(dur[j, t]),
                               not _absent(np.float64(dur[j, t])), fixed, daily, rate_ptr, rate_row, rate_w, rate_dev, base + t,
                               entry_class, cum, factor)


@nb.njit(inline="always")
def add_escalated(total, j, s, f, d, exists, fixed, daily, rate_ptr, rate_row, rate_w, rate_dev, t, entry_class,
                  cum, factor):
    """``total`` plus task ``j``'s cost over [s, f] (working days) in iteration column ``t`` of ``rate_dev``:
    per escalation class c, (daily[c, j] x d + fixed[c, j] where it exists + its uncertain rates' share in c)
    x the mean factor of c over [s, f] (the factor of s's day when s == f)."""
    for c in range(fixed.shape[0]):
        amount = daily[c, j] * d
        if exists:
            amount += fixed[c, j]
        for q in range(rate_ptr[j], rate_ptr[j + 1]):
            if entry_class[q] == c:
                amount += rate_w[q] * rate_dev[rate_row[q], t] * d
        total = _add_amount(total, amount, s, f, cum[c], factor[c])
    return total


@nb.njit(cache=True, parallel=True)
def escalated_task_costs(tasks, dur, start, finish, column, span_task, fixed, daily, rate_ptr, rate_row, rate_w,
                         rate_dev, entry_class, cum, factor, out):
    """``out[t] +=`` the escalated cost (:func:`add_escalated`) of each task j of ``tasks`` (topological
    indices, in order) in iteration t.

    ``dur``: (tasks, m) float32, topological (-0.0: the task does not exist; not read for a level of effort);
    ``start``/``finish``: (m, columns) working days, task j in column ``column[j]``; ``span_task[j]``: a level
    of effort, which lasts its span and always exists."""
    m = out.shape[0]
    for t in nb.prange(m):
        total = out[t]
        for k in range(tasks.shape[0]):
            j = tasks[k]
            col = column[j]
            s = np.float64(start[t, col])
            f = np.float64(finish[t, col])
            if span_task[j]:
                d = f - s
                exists = True
            else:
                d = np.float64(dur[j, t])
                exists = not _absent(d)
            total = add_escalated(total, j, s, f, d, exists, fixed, daily, rate_ptr, rate_row, rate_w, rate_dev, t,
                                  entry_class, cum, factor)
        out[t] = total
