"""Cumulative cost on a time grid, per iteration (budget burn bands)."""

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def cumulative_cost(times, start, finish, cost, out):
    """``out[r, i]``: cost accrued by ``times[i]`` in row ``r`` when each task's
    cost spreads linearly over [start, finish] (a zero-length task books its
    cost at its start). ``start``, ``finish``, ``cost``: rows x tasks."""
    m, n = start.shape
    k = times.shape[0]
    booked = np.empty(k + 1)
    for r in range(m):
        booked[:] = 0.0
        row = out[r]
        row[:] = 0.0
        for j in range(n):
            s = start[r, j]
            f = finish[r, j]
            c = cost[r, j]
            if f > s:
                # The whole cost from the first grid time at or after the finish ...
                full = np.searchsorted(times, f, side="left")
                booked[full] += c
                # ... and the elapsed share at the grid times inside (start, finish).
                rate = c / (f - s)
                i = np.searchsorted(times, s, side="right")
                while i < full:
                    row[i] += rate * (times[i] - s)
                    i += 1
            else:
                booked[np.searchsorted(times, s, side="left")] += c
        running = 0.0
        for i in range(k):
            running += booked[i]
            row[i] += running
