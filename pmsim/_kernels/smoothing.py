"""Resource smoothing: starts moved inside their float to flatten the usage.

Entry points: :func:`start_distances` (the bounds chains of links put
between starts) and :func:`smooth` (coordinate descent on the starts).
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .profile import EPS, add_task, interval_at, remove_task


@nb.njit(cache=True)
def start_distances(inst, tasks):
    """``D[a, b]``: the longest chain of links from ``tasks[a]`` to ``tasks[b]`` as a bound s_b >= s_a + D[a, b]
    (-inf: no chain)."""
    n = inst.dur.shape[0]
    m = tasks.shape[0]
    dur = inst.dur
    out = np.full((m, m), -np.inf)
    where = np.full(n, -1, np.int64)
    for a in range(m):
        where[tasks[a]] = a
    dist = np.empty(n)
    for a in range(m):
        i0 = tasks[a]
        dist[:] = -np.inf
        dist[i0] = 0.0
        for j in range(i0 + 1, n):
            best = -np.inf
            for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
                i = inst.pred_idx[e]
                if dist[i] == -np.inf:
                    continue
                # The bound the link puts on j's start when i starts at 0.
                w = earliest_start(inst.pred_type[e], 0.0, dur[i], inst.pred_lag[e], dur[j])
                if dist[i] + w > best:
                    best = dist[i] + w
            dist[j] = best
            if where[j] >= 0:
                out[a, where[j]] = best
    return out


@nb.njit(cache=True)
def _smooth_score(pt, pu, nb_, s, d, j, rptr, ridx, demand, weight, peak_others):
    """(sum of normalised peaks, the part of the sum of squares that depends on s) with task j at s."""
    peak = 0.0
    square = 0.0
    end = s + d
    for e in range(rptr[j], rptr[j + 1]):
        k = ridx[e]
        top = 0.0
        area = 0.0
        c = interval_at(pt, nb_, s)
        while c < nb_ and pt[c] < end - EPS:
            right = pt[c + 1] if c + 1 < nb_ else end
            lo = s if s > pt[c] else pt[c]
            hi = end if end < right else right
            if pu[c, k] > top:
                top = pu[c, k]
            if hi > lo:
                area += (hi - lo) * pu[c, k]
            c += 1
        top += demand[j, k]
        if peak_others[k] > top:
            top = peak_others[k]
        peak += (top - peak_others[k]) * weight[k]
        square += demand[j, k] * area * weight[k] * weight[k]
    return peak, square


@nb.njit(cache=True)
def smooth(start, inst, tasks, dist, early, late, weight, max_sweeps):
    """Coordinate descent on the starts of the resource-using ``tasks`` inside ``early``/``late`` and the chains
    ``dist``: each move lowers the weighted peaks, then the sum of squares of usage. Returns the number of moves."""
    m = tasks.shape[0]
    n_res = inst.demand.shape[1]
    rptr, ridx, demand = inst.rptr, inst.ridx, inst.demand
    size = 4 * m + 4
    pt = np.empty(size)
    pu = np.empty((size, n_res))
    peak_others = np.empty(n_res)
    cand = np.empty(2 * size + 2)
    moves = 0
    for sweep in range(max_sweeps):
        pt[0] = 0.0
        pu[0, :] = 0.0
        nb_ = 1
        for a in range(m):
            j = tasks[a]
            nb_ = add_task(pt, pu, nb_, start[j], inst.dur[j], j, rptr, ridx, demand)
        improved = False
        for q in range(m):  # sweeps alternate backward and forward
            a = m - 1 - q if sweep % 2 == 0 else q
            j = tasks[a]
            d = inst.dur[j]
            lo = early[j]
            hi = late[j]
            for b in range(m):
                if dist[b, a] > -np.inf and start[tasks[b]] + dist[b, a] > lo:
                    lo = start[tasks[b]] + dist[b, a]
                if dist[a, b] > -np.inf and start[tasks[b]] - dist[a, b] < hi:
                    hi = start[tasks[b]] - dist[a, b]
            remove_task(pt, pu, nb_, start[j], d, j, rptr, ridx, demand)
            if hi > lo + EPS:
                peak_others[:] = 0.0
                for c in range(nb_):
                    for k in range(n_res):
                        if pu[c, k] > peak_others[k]:
                            peak_others[k] = pu[c, k]
                # The score is piecewise linear between the window's ends and the moments where j's start or
                # finish meets a change of the others' usage: those are the candidates.
                nc = 0
                cand[nc] = lo
                cand[nc + 1] = hi
                nc += 2
                for c in range(nb_):
                    for t in (pt[c], pt[c] - d):
                        if lo + EPS < t < hi - EPS:
                            cand[nc] = t
                            nc += 1
                best_s = start[j]
                best_p, best_q = _smooth_score(pt, pu, nb_, best_s, d, j, rptr, ridx, demand, weight, peak_others)
                for c in range(nc):
                    p, sq = _smooth_score(pt, pu, nb_, cand[c], d, j, rptr, ridx, demand, weight, peak_others)
                    if p < best_p - 1e-9 or (p < best_p + 1e-9 and sq < best_q - 1e-9 * (1.0 + abs(best_q))):
                        best_s, best_p, best_q = cand[c], p, sq
                if best_s != start[j]:
                    start[j] = best_s
                    moves += 1
                    improved = True
            nb_ = add_task(pt, pu, nb_, start[j], d, j, rptr, ridx, demand)
        if not improved and sweep > 0:
            break
    return moves
