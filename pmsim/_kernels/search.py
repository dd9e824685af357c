"""Searches over schedules: forward-backward improvement and the random-key genetic search.

Entry points: :func:`forward_backward_improvement` (repeated double justification) and
:func:`brkga_search` (a steady-state biased random-key GA whose crossover
follows the density of each parent's schedule).
"""

import numba as nb
import numpy as np

from .profile import EPS
from .random import xorshift_randint, xorshift_uniform
from .sgs import priority_list, serial_sgs, workspace

DENSITY_CELLS = 1 << 20  # at most, for a schedule's load in brkga_search (8 MB)


@nb.njit(cache=True)
def justify(start, inst, tie, ws, back, fwd):
    """One forward-backward improvement step (double justification, Valls et al. 2005).

    Right-justify the schedule ``start`` (tasks in order of decreasing finish,
    each as late as possible) into ``back``, then left-justify that (increasing
    start, each as early as possible) into ``fwd``. ``start`` becomes the
    shortest of the three (the old one on ties). Returns its makespan; costs
    two schedule passes.
    """
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
    """Decode a chromosome: its list by the keys, one serial pass, then one pass the other way.

    Keys are in days. Forward: the list takes tasks by increasing key;
    backward: by decreasing key + duration (a finish). The second pass
    schedules the first schedule's order the other way round (forward: by
    start; backward: by decreasing finish), a justification; the shorter
    schedule (the second on ties) is kept in ``start`` and written back into
    the keys (its starts, ties in the decoded list's order), so the
    chromosome learns the improvement. Returns (makespan, passes used): two,
    or one when ``max_passes`` is 1.
    """
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
    for j in range(n):
        keys[j] = start[j] + 0.9 * pos[j] / n
    return ms, used


@nb.njit(cache=True)
def task_density(start, inst, day, unit, out, relative, power):
    """How full the schedule ``start`` is around each task: the mean of load ** ``power`` over its time.

    The load is the sum over resources of usage / capacity, averaged over
    cells of ``unit`` days (``day``, one a cell, long enough for the
    schedule: a longer one is cut off); a task counts the share of each cell
    it covers, so fractional times and tasks shorter than a cell count. A
    power above 1 weights the days near the peak. A task of zero duration
    gets 0. ``relative``: divided by the schedule's mean of load ** power
    over its length.
    """
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
    """Steady-state biased random-key GA with density-guided crossover; returns the best makespan.

    A member is a vector of keys (in days) decoded by :func:`_brkga_decode`
    (the first pass forward or backward, alternately, then one pass the
    other way: two passes), its schedule ``starts`` and the density around
    each of its tasks ``dens`` (:func:`task_density`, relative, the load to
    the power ``params[3]``). Row 0 must hold the caller's (justified)
    schedule, ``ms[0]`` its makespan. ``state`` = [members filled, passes
    spent, decodings, children accepted]; ``best`` = the best schedule's
    starts. The search stops at ``budget`` passes of a run of ``total`` and
    resumes where it stopped (a run in slices gives the result of one call).

    The other members start from uniform random keys over ``ms[0]`` days.
    Each child has an elite parent (from the best ``params[0]`` share) and a
    non-elite one; where the elite parent's task lies in the denser stretch
    (relative to each parent's own mean), the child takes its key with
    probability ``params[1]``, elsewhere the other parent's key with
    probability ``params[2]``. It replaces the worst member when shorter (as
    short: probability 1/2) and not a copy of a member.
    params: elite share, p_dense, p_dense_other, density power.
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
