"""Escalated task costs per iteration: each task's cost at the mean escalation factor over its dates."""

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


@nb.njit(cache=True, parallel=True)
def escalated_task_costs(dur, start, finish, column, span_task, fixed, daily, rate_ptr, rate_row, rate_w, rate_dev,
                         entry_class, cum, factor, out):
    """``out[t]``: Σ over tasks j and escalation classes c of (fixed[c, j] where the task exists + daily[c, j] x
    its duration + its uncertain rates' share in class c) x the mean factor of class c over [start, finish].

    ``dur``: (tasks, m) float32, topological (-0.0: the task does not exist); ``start``/``finish``: (m, columns)
    working days, task j in column ``column[j]``; ``span_task[j]``: a level of effort, which lasts its span."""
    n, m = dur.shape
    classes = fixed.shape[0]
    h = factor.shape[1]
    for t in nb.prange(m):
        total = 0.0
        for j in range(n):
            col = column[j]
            s = np.float64(start[t, col])
            f = np.float64(finish[t, col])
            d = np.float64(dur[j, t])
            exists = not (d == 0.0 and math.copysign(1.0, d) < 0.0)
            if span_task[j]:
                d = f - s
            for c in range(classes):
                amount = daily[c, j] * d
                if exists:
                    amount += fixed[c, j]
                for q in range(rate_ptr[j], rate_ptr[j + 1]):
                    if entry_class[q] == c:
                        amount += rate_w[q] * rate_dev[rate_row[q], t] * d
                if amount == 0.0:
                    continue
                if f > s:
                    mean = (_integral(cum[c], factor[c], f) - _integral(cum[c], factor[c], s)) / (f - s)
                else:
                    mean = factor[c, min(max(int(math.floor(s + 1e-9)), 0), h - 1)]
                total += amount * mean
        out[t] = total
