"""Searches over levelled schedules: justification and a random-key genetic search.

Entry points: :func:`forward_backward_improvement` (repeated double
justification) and :func:`brkga_search` (a biased random-key GA whose
crossover follows how full each parent's schedule is around each task).
"""

import numba as nb
import numpy as np

from .profile import EPS
from .random import xorshift_randint, xorshift_uniform
from .sgs import priority_list, serial_sgs, workspace

DENSITY_CELLS = 1 << 20  # at most, for a schedule's load in brkga_search (8 MB)


@nb.njit(cache=True)
def justify(start, inst, tie, ws, back, fwd):
    """Double justification (Valls et al. 2005): ``start`` right-justified into ``back``, that left-justified
    into ``fwd``; ``start`` becomes the shortest (the old one on ties). Returns its makespan; two passes."""
    n = start.shape[0]
    dur = inst.dur
    old = 0.0
    for j in range(n):
        if start[j] + dur[j] > old:
            old = start[j] + dur[j]
    key1, order = ws.key1, ws.order
    for j in range(n):
        key1[j] = -(start[j] + dur[j])
    priority_list(key1, tie, inst, True, order, ws)
    m_back = serial_sgs(order, inst, True, back, ws)
    for j in range(n):
        key1[j] = back[j]
    priority_list(key1, tie, inst, False, order, ws)
    m_fwd = serial_sgs(order, inst, False, fwd, ws)
    if m_fwd < old - EPS and m_fwd <= m_back + EPS:
        start[:] = fwd
        return m_fwd
    if m_back < old - EPS:
        start[:] = back
        return m_back
    return old


@nb.njit(cache=True)
def forward_backward_improvement(start, inst, tie, ws, back, fwd, max_passes):
    """Repeat :func:`justify` while it shortens the schedule; returns (makespan, passes used)."""
    best = 0.0
    for j in range(start.shape[0]):
        if start[j] + inst.dur[j] > best:
            best = start[j] + inst.dur[j]
    passes = 0
    while passes + 2 <= max_passes:
        m = justify(start, inst, tie, ws, back, fwd)
        passes += 2
        if m >= best - EPS:
            break
        best = m
    return best, passes


@nb.njit(cache=True)
def _same(a, b):
    for j in range(a.shape[0]):
        if abs(a[j] - b[j]) > EPS:
            return False
    return True


@nb.njit(cache=True)
def schedule_order(start, inst, tie, backward, out, ws):
    """The list of a schedule: by start (forward) or by decreasing finish (backward)."""
    key = ws.key2
    if backward:
        for j in range(start.shape[0]):
            key[j] = -(start[j] + inst.dur[j])
    else:
        for j in range(start.shape[0]):
            key[j] = start[j]
    priority_list(key, tie, inst, backward, out, ws)


@nb.njit(cache=True)
def _best(pop_ms, n_pop):
    ib = 0
    for i in range(n_pop):
        if pop_ms[i] < pop_ms[ib]:
            ib = i
    return ib


@nb.njit(cache=True)
def _brkga_decode(keys, inst, tie, ws, order, start, other, pos, max_passes, backward):
    """Decode keys (days; backward: key + duration is a finish) into ``start``: a serial pass, then one the
    other way when ``max_passes`` allows; returns (makespan, passes used)."""
    n = keys.shape[0]
    dur = inst.dur
    key = ws.key1
    for j in range(n):
        key[j] = -(keys[j] + dur[j]) if backward else keys[j]
    priority_list(key, tie, inst, backward, order, ws)
    for q in range(n):
        pos[order[q]] = (n - 1 - q) if backward else q
    ms = serial_sgs(order, inst, backward, start, ws)
    used = 1
    if max_passes >= 2:
        schedule_order(start, inst, tie, not backward, order, ws)
        m = serial_sgs(order, inst, not backward, other, ws)
        used = 2
        if m <= ms + EPS:
            start[:] = other
            ms = m
    # The kept schedule goes back into the keys (ties in the decoded order): the chromosome learns it.
    for j in range(n):
        keys[j] = start[j] + 0.9 * pos[j] / n
    return ms, used


@nb.njit(cache=True)
def task_density(start, inst, day, unit, out, relative, power):
    """Per task, the mean over its time of load ** ``power`` (usage / capacity summed over resources, in cells
    of ``unit`` days kept in ``day``); ``relative``: divided by the schedule's mean; 0 for no duration."""
    n = start.shape[0]
    makespan = 0.0
    for j in range(n):
        if start[j] + inst.dur[j] > makespan:
            makespan = start[j] + inst.dur[j]
    length = makespan / unit
    cells = min(np.int64(np.ceil(length)), day.shape[0])
    day[:cells] = 0.0
    for j in range(n):
        w = 0.0
        for e in range(inst.rptr[j], inst.rptr[j + 1]):
            w += inst.demand[j, inst.ridx[e]] / inst.cap[inst.ridx[e]]
        s = start[j] / unit
        f = (start[j] + inst.dur[j]) / unit
        for t in range(np.int64(s), min(cells, np.int64(np.ceil(f)))):
            day[t] += w * (min(f, t + 1.0) - max(s, np.float64(t)))
    mean = 0.0
    for t in range(cells):
        day[t] = day[t] ** power
        mean += day[t]
    mean = mean / length if relative and length > 0.0 and mean > 0.0 else 1.0
    for j in range(n):
        s = start[j] / unit
        f = (start[j] + inst.dur[j]) / unit
        tot = 0.0
        for t in range(np.int64(s), min(cells, np.int64(np.ceil(f)))):
            tot += day[t] * (min(f, t + 1.0) - max(s, np.float64(t)))
        out[j] = tot / (f - s) / mean if f > s else 0.0


@nb.njit(cache=True)
def brkga_search(inst, tie, keys, ms, starts, dens, state, best, budget, total, rng, params):
    """Steady-state biased random-key GA from the schedule in row 0 (``ms[0]``); returns the best makespan.

    Stops at ``budget`` of ``total`` passes and resumes from ``state`` = [members, passes, decodings, children
    accepted]; ``params`` = elite share, p_dense, p_dense_other, density power.
    """
    n = inst.dur.shape[0]
    size = keys.shape[0]
    n_elite = min(size - 1, max(1, np.int64(params[0] * size + 0.5)))
    p_dense = params[1]
    p_other = params[2]
    power = params[3]
    ws = workspace(n, inst.demand.shape[1], inst.horizon)
    other = np.empty(n)
    pos = np.empty(n)
    order = np.empty(n, np.int64)
    start = np.empty(n)
    child = np.empty(n)
    # Cells for the density: any serial schedule ends within the sum of the durations and the
    # positive lags; one a day, or wider ones when that sum passes DENSITY_CELLS days.
    span = 0.0
    for j in range(n):
        span += inst.dur[j]
    for e in range(inst.pred_lag.shape[0]):
        span += max(inst.pred_lag[e], 0.0)
    unit = max(1.0, span / DENSITY_CELLS)
    day = np.zeros(np.int64(np.ceil(span / unit)) + 2)
    if state[0] == 0:
        best[:] = starts[0]
        for j in range(n):
            keys[0, j] = starts[0, j] + 0.5 * xorshift_uniform(rng)
        task_density(starts[0], inst, day, unit, dens[0], True, power)
        state[0] = 1
    best_ms = ms[_best(ms, state[0])]
    # The other members start from random keys over ms[0] days, decoded forward and backward in turn.
    while state[0] < size and state[1] < budget:
        i = state[0]
        for j in range(n):
            keys[i, j] = xorshift_uniform(rng) * ms[0]
        m, u = _brkga_decode(keys[i], inst, tie, ws, order, start, other, pos, total - state[1],
                             (state[2] & 1) == 1)
        state[2] += 1
        state[1] += u
        ms[i] = m
        starts[i, :] = start
        task_density(start, inst, day, unit, dens[i], True, power)
        if m < best_ms - EPS:
            best_ms = m
            best[:] = start
        state[0] += 1
    if state[0] < size:
        return best_ms
    while state[1] < budget:
        rank = np.argsort(ms, kind="mergesort")
        a = rank[xorshift_randint(rng, n_elite)]
        b = rank[n_elite + xorshift_randint(rng, size - n_elite)]
        # Where the elite parent's task sits in the denser stretch it passes on its key with p_dense,
        # elsewhere the other parent does with p_dense_other.
        for j in range(n):
            if dens[a, j] >= dens[b, j]:
                child[j] = keys[a, j] if xorshift_uniform(rng) < p_dense else keys[b, j]
            else:
                child[j] = keys[b, j] if xorshift_uniform(rng) < p_other else keys[a, j]
        m, u = _brkga_decode(child, inst, tie, ws, order, start, other, pos, total - state[1],
                             (state[2] & 1) == 1)
        state[2] += 1
        state[1] += u
        if m < best_ms - EPS:
            best_ms = m
            best[:] = start
        # The child replaces the worst member when shorter (as short: one time in two) and not a copy.
        w = rank[size - 1]
        if m < ms[w] - EPS or (m <= ms[w] + EPS and xorshift_uniform(rng) < 0.5):
            dup = False
            for i in range(size):
                if abs(ms[i] - m) <= EPS and _same(starts[i], start):
                    dup = True
                    break
            if not dup:
                keys[w, :] = child
                ms[w] = m
                starts[w, :] = start
                task_density(start, inst, day, unit, dens[w], True, power)
                state[3] += 1
    return best_ms
