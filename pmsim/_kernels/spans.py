"""The dates and cost of level-of-effort tasks, read from the dates of the tasks they span (rows of schedules)."""

import numba as nb
import numpy as np


@nb.njit(cache=True, parallel=True)
def span_rows(task, start_ptr, start_idx, start_end, start_lag, finish_ptr, finish_idx, finish_end, finish_lag,
              column, daily, rate_ptr, rate_row, rate_w, rate_dev, start, finish, cost):
    """Per row r of ``start``/``finish`` (rows x columns; task position k in column ``column[k]``), the span of
    each level-of-effort task q: its start the latest of (the other task's start or finish + lag) over its
    predecessor links, its finish the earliest of (start or finish - lag) over its successor links, at least
    its start. Writes both into its own column and adds ``daily[q] * (finish - start)`` to ``cost[r]`` (when
    ``cost`` has rows), and for its uncertain resource rates (entries ``rate_ptr[q] ..``, as in
    :func:`pmsim._kernels.montecarlo.add_rate_costs`) ``rate_w * rate_dev[row, r] * (finish - start)``."""
    m = start.shape[0]
    add = cost.shape[0] > 0
    for r in nb.prange(m):
        for q in range(task.shape[0]):
            s = -np.inf
            for k in range(start_ptr[q], start_ptr[q + 1]):
                c = column[start_idx[k]]
                v = (finish[r, c] if start_end[k] else start[r, c]) + start_lag[k]
                s = max(s, v)
            f = np.inf
            for k in range(finish_ptr[q], finish_ptr[q + 1]):
                c = column[finish_idx[k]]
                v = (finish[r, c] if finish_end[k] else start[r, c]) - finish_lag[k]
                f = min(f, v)
            f = max(f, s)
            col = column[task[q]]
            start[r, col] = s
            finish[r, col] = f
            if add:
                span = finish[r, col] - start[r, col]
                cost[r] += daily[q] * span
                for e in range(rate_ptr[q], rate_ptr[q + 1]):
                    cost[r] += rate_w[e] * rate_dev[rate_row[e], r] * span
