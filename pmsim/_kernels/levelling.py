"""Resource-constrained scheduling: schedule-generation schemes and the search around them.

Time is continuous (float64 working days). The resource profile of a partial
schedule is a step function kept as sorted breakpoints ``pt[0..nb)`` with the
usage of each resource on ``[pt[b], pt[b+1])`` in ``pu[b, :]``; the last
interval runs to infinity with zero usage. Integer data stay exact.

Links are generalised (FS/SS/FF/SF, any lag). Every link only bounds the
successor from below, so a serial scheme that schedules each task after all
its predecessors can compute its precedence-earliest start from them. The
backward (right-justifying) pass runs the same code on the *mirrored*
network: time reversed, links reversed, SS and FF swapped.

Lists are precedence-feasible orders of tasks; ``key1``/``key2`` priorities
are "smaller first".
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .random import xorshift_randint, xorshift_uniform

FS, SS, FF, SF = 0, 1, 2, 3
EPS = 1e-9
DENSITY_CELLS = 1 << 20  # at most, for a schedule's load in brkga_search (8 MB)

# One instance in topological numbering; see pmsim.levelling._instance.
# ``horizon`` > 0: every duration and lag is a whole number of days and no
# serial schedule lasts longer than ``horizon``; the serial SGS then keeps
# the free capacity of each day in an array (faster). 0: the general profile.
Instance = namedtuple(
    "Instance",
    "dur pred_ptr pred_idx pred_type pred_lag succ_ptr succ_idx succ_type msucc_type succ_lag "
    "rptr ridx demand cap tol horizon",
)
Workspace = namedtuple("Workspace", "pt pu heap cnt order key1 key2 elig free used")


@nb.njit(cache=True)
def workspace(n, k, horizon):
    """Scratch arrays for one thread of scheduling (``used[0]``: days of ``free`` to reset)."""
    return Workspace(
        np.empty(2 * n + 2), np.empty((2 * n + 2, max(k, 1))), np.empty(n, np.int64), np.empty(n, np.int64),
        np.empty(n, np.int64), np.empty(n), np.empty(n), np.empty(n, np.int64),
        np.empty((max(horizon, 1), max(k, 1))), np.array([max(horizon, 1)], np.int64),
    )


# --------------------------------------------------------------------------- resource profile


@nb.njit(cache=True, inline="always")
def _find(pt, nb_, t):
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
def _short(use, j, rptr, ridx, demand, cap, tol):
    """True when, beside the usage ``use`` (one breakpoint's row), some resource of task j lacks room for it."""
    for e in range(rptr[j], rptr[j + 1]):
        k = ridx[e]
        if use[k] + demand[j, k] > cap[k] + tol[k]:
            return True
    return False


@nb.njit(cache=True)
def _earliest(pt, pu, nb_, t0, d, j, rptr, ridx, demand, cap, tol):
    """Earliest t >= t0 where task j (duration d > 0) fits under every capacity."""
    t = t0
    c = _find(pt, nb_, t)
    end = t + d - EPS
    # Scan intervals once: a conflict on interval c moves the candidate start to its end.
    while c < nb_ - 1 and pt[c] < end:
        blocked = _short(pu[c], j, rptr, ridx, demand, cap, tol)
        c += 1
        if blocked:
            t = pt[c]
            end = t + d - EPS
    return t


@nb.njit(cache=True, inline="always")
def _split(pt, pu, nb_, t, tol):
    """Make ``t`` a breakpoint (unless one lies within ``tol``); returns (its index, new count)."""
    b = _find(pt, nb_, t)
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
def _add(pt, pu, nb_, t, d, j, rptr, ridx, demand):
    b0, nb_ = _split(pt, pu, nb_, t, EPS)
    b1, nb_ = _split(pt, pu, nb_, t + d, EPS)
    for c in range(b0, b1):
        for e in range(rptr[j], rptr[j + 1]):
            k = ridx[e]
            pu[c, k] += demand[j, k]
    return nb_


# --------------------------------------------------------------------------- serial scheme


@nb.njit(cache=True, inline="always")
def _precedence_start(j, start, dur, ptr, idx, typ, lag):
    """Earliest start of j allowed by its (already scheduled) predecessors, and >= 0."""
    d = dur[j]
    s = 0.0
    for e in range(ptr[j], ptr[j + 1]):
        i = idx[e]
        ty = typ[e]
        if ty == FS:
            c = start[i] + dur[i] + lag[e]
        elif ty == SS:
            c = start[i] + lag[e]
        elif ty == FF:
            c = start[i] + dur[i] + lag[e] - d
        else:
            c = start[i] + lag[e] - d
        if c > s:
            s = c
    return s


@nb.njit(cache=True)
def _serial_sgs_days(order, inst, ptr, idx, typ, lag, start, free, used):
    """The serial SGS on whole days: ``free[t, k]`` is what is left of resource k on day t."""
    dur, rptr, ridx, demand, tol, cap = inst.dur, inst.rptr, inst.ridx, inst.demand, inst.tol, inst.cap
    nk = free.shape[1]
    # Only the days the previous pass used need resetting.
    for t in range(used[0]):
        for k in range(nk):
            free[t, k] = cap[k]
    makespan = 0.0
    for q in range(order.shape[0]):
        j = order[q]
        d = dur[j]
        s = _precedence_start(j, start, dur, ptr, idx, typ, lag)
        if d > 0.0 and rptr[j + 1] > rptr[j]:
            t = np.int64(s)
            length = np.int64(d)
            # Check the window from its end, so a conflict moves the start past it.
            tt = t + length - 1
            while tt >= t:
                blocked = False
                for e in range(rptr[j], rptr[j + 1]):
                    k = ridx[e]
                    if free[tt, k] + tol[k] < demand[j, k]:
                        blocked = True
                        break
                if blocked:
                    t = tt + 1
                    tt = t + length - 1
                else:
                    tt -= 1
            for tt in range(t, t + length):
                for e in range(rptr[j], rptr[j + 1]):
                    free[tt, ridx[e]] -= demand[j, ridx[e]]
            s = np.float64(t)
        start[j] = s
        if s + d > makespan:
            makespan = s + d
    used[0] = min(np.int64(makespan) + 1, free.shape[0])
    return makespan


@nb.njit(cache=True)
def serial_sgs(order, inst, backward, start, ws):
    """Serial SGS: each task of ``order`` at its earliest precedence- and resource-feasible start.

    ``backward`` schedules the mirrored network (``order`` must then be
    feasible for it, i.e. successors first) and returns ordinary start
    times of the right-justified schedule. Returns the makespan.
    """
    inst_dur = inst.dur
    if backward:
        ptr, idx, typ, lag = inst.succ_ptr, inst.succ_idx, inst.msucc_type, inst.succ_lag
    else:
        ptr, idx, typ, lag = inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag
    if inst.horizon > 0:
        makespan = _serial_sgs_days(order, inst, ptr, idx, typ, lag, start, ws.free, ws.used)
    else:
        makespan = _serial_sgs_profile(order, inst, ptr, idx, typ, lag, start, ws)
    if backward:
        # Mirror back: a task ending at f' in reversed time starts at makespan - f'.
        for j in range(start.shape[0]):
            start[j] = makespan - start[j] - inst_dur[j]
    return makespan


@nb.njit(cache=True)
def _serial_sgs_profile(order, inst, ptr, idx, typ, lag, start, ws):
    """The serial SGS on the breakpoint profile (any durations)."""
    inst_dur = inst.dur
    rptr, ridx, demand, cap, tol = inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol
    pt, pu = ws.pt, ws.pu
    pt[0] = 0.0
    pu[0, :] = 0.0
    nb_ = 1
    makespan = 0.0
    for q in range(order.shape[0]):
        j = order[q]
        d = inst_dur[j]
        s = _precedence_start(j, start, inst_dur, ptr, idx, typ, lag)
        if d > 0.0 and rptr[j + 1] > rptr[j]:
            s = _earliest(pt, pu, nb_, s, d, j, rptr, ridx, demand, cap, tol)
            nb_ = _add(pt, pu, nb_, s, d, j, rptr, ridx, demand)
        start[j] = s
        if s + d > makespan:
            makespan = s + d
    return makespan


@nb.njit(cache=True)
def parallel_sgs(key1, key2, inst, start, ws):
    """Parallel SGS: at each decision time, start the eligible tasks that fit, best priority first.

    A task is eligible once all its predecessors are scheduled and the time
    has reached its precedence-earliest start. Tasks that use no resource
    start at their precedence-earliest start. Returns the makespan.
    """
    n = inst.dur.shape[0]
    dur = inst.dur
    pt, pu = ws.pt, ws.pu
    pt[0] = 0.0
    pu[0, :] = 0.0
    nb_ = 1
    cnt, elig = ws.cnt, ws.elig
    est = ws.key1  # scratch: earliest start of each eligible task
    n_elig = 0
    for j in range(n):
        cnt[j] = inst.pred_ptr[j + 1] - inst.pred_ptr[j]
    for j in range(n):
        if cnt[j] == 0:
            elig[n_elig] = j
            est[j] = 0.0
            n_elig += 1
    done = 0
    t = 0.0
    makespan = 0.0
    while done < n:
        # Best-priority eligible task whose time has come and which fits now.
        best = -1
        for q in range(n_elig):
            j = elig[q]
            if est[j] > t + EPS and not (dur[j] == 0.0 or inst.rptr[j + 1] == inst.rptr[j]):
                continue
            if best >= 0 and (key1[j] > key1[best] or (key1[j] == key1[best] and key2[j] >= key2[best])):
                continue
            if dur[j] > 0.0 and inst.rptr[j + 1] > inst.rptr[j]:
                if _earliest(pt, pu, nb_, t, dur[j], j, inst.rptr, inst.ridx, inst.demand, inst.cap,
                             inst.tol) > t + EPS:
                    continue
            best = j
        if best < 0:
            # Next decision time: a resource is released or an eligible task's time comes.
            nxt = np.inf
            b = _find(pt, nb_, t)
            if b + 1 < nb_:
                nxt = pt[b + 1]
            for q in range(n_elig):
                if est[elig[q]] > t + EPS and est[elig[q]] < nxt:
                    nxt = est[elig[q]]
            t = nxt
            continue
        j = best
        d = dur[j]
        if d > 0.0 and inst.rptr[j + 1] > inst.rptr[j]:
            s = t if t > est[j] else est[j]
            nb_ = _add(pt, pu, nb_, s, d, j, inst.rptr, inst.ridx, inst.demand)
        else:
            s = est[j]
        start[j] = s
        if s + d > makespan:
            makespan = s + d
        done += 1
        for q in range(n_elig):
            if elig[q] == j:
                elig[q] = elig[n_elig - 1]
                n_elig -= 1
                break
        for e in range(inst.succ_ptr[j], inst.succ_ptr[j + 1]):
            s2 = inst.succ_idx[e]
            cnt[s2] -= 1
            if cnt[s2] == 0:
                est[s2] = _precedence_start(s2, start, dur, inst.pred_ptr, inst.pred_idx,
                                            inst.pred_type, inst.pred_lag)
                elig[n_elig] = s2
                n_elig += 1
    return makespan


@nb.njit(cache=True)
def left_shift(start, inst, ws):
    """Move every task as early as links and capacity allow, the others staying put.

    One task at a time, in order of start, repeated until nothing moves; a
    move never breaks a link (links only bound successors from below) nor a
    capacity (the task is placed where it fits), so the makespan never grows.
    With ample capacity this gives the early (CPM) dates. Returns the makespan.
    """
    n = start.shape[0]
    dur = inst.dur
    rptr, ridx, demand, cap, tol = inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol
    pt, pu = ws.pt, ws.pu
    for _ in range(n + 1):
        pt[0] = 0.0
        pu[0, :] = 0.0
        nb_ = 1
        for j in range(n):
            if dur[j] > 0.0 and rptr[j + 1] > rptr[j]:
                nb_ = _add(pt, pu, nb_, start[j], dur[j], j, rptr, ridx, demand)
        order = np.argsort(start, kind="mergesort")
        moved = False
        for q in range(n):
            j = order[q]
            d = dur[j]
            s = _precedence_start(j, start, dur, inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag)
            if d > 0.0 and rptr[j + 1] > rptr[j]:
                # Take the task out of the profile, then put it back at its earliest fit.
                b0 = _find(pt, nb_, start[j])
                b1 = _find(pt, nb_, start[j] + d)
                for c in range(b0, b1):
                    for e in range(rptr[j], rptr[j + 1]):
                        k = ridx[e]
                        pu[c, k] -= demand[j, k]
                if s < start[j] - EPS:
                    s = _earliest(pt, pu, nb_, s, d, j, rptr, ridx, demand, cap, tol)
                if s > start[j]:
                    s = start[j]
                nb_ = _add(pt, pu, nb_, s, d, j, rptr, ridx, demand)
            if s < start[j] - EPS:
                start[j] = s
                moved = True
        if not moved:
            break
    makespan = 0.0
    for j in range(n):
        if start[j] + dur[j] > makespan:
            makespan = start[j] + dur[j]
    return makespan


# --------------------------------------------------------------------------- lists


@nb.njit(cache=True, inline="always")
def _less(a, b, key1, key2):
    return key1[a] < key1[b] or (key1[a] == key1[b] and key2[a] < key2[b])


@nb.njit(cache=True, inline="always")
def _sift_up(heap, c, key1, key2):
    """Move the entry at ``c`` up the binary heap until its parent is not greater."""
    while c > 0:
        p = (c - 1) >> 1
        if _less(heap[c], heap[p], key1, key2):
            heap[c], heap[p] = heap[p], heap[c]
            c = p
        else:
            break


@nb.njit(cache=True)
def priority_list(key1, key2, inst, backward, out, ws):
    """The precedence-feasible list that always takes the eligible task with the smallest (key1, key2).

    Forward lists put predecessors first; backward lists put successors first.
    """
    n = key1.shape[0]
    heap, cnt = ws.heap, ws.cnt
    if backward:
        cptr, rel_ptr, rel_idx = inst.succ_ptr, inst.pred_ptr, inst.pred_idx
    else:
        cptr, rel_ptr, rel_idx = inst.pred_ptr, inst.succ_ptr, inst.succ_idx
    size = 0
    for j in range(n):
        cnt[j] = cptr[j + 1] - cptr[j]
        if cnt[j] == 0:
            heap[size] = j
            _sift_up(heap, size, key1, key2)
            size += 1
    for q in range(n):
        j = heap[0]
        out[q] = j
        size -= 1
        heap[0] = heap[size]
        c = 0
        while True:
            left = 2 * c + 1
            if left >= size:
                break
            m = left
            if left + 1 < size and _less(heap[left + 1], heap[left], key1, key2):
                m = left + 1
            if _less(heap[m], heap[c], key1, key2):
                heap[c], heap[m] = heap[m], heap[c]
                c = m
            else:
                break
        for e in range(rel_ptr[j], rel_ptr[j + 1]):
            s = rel_idx[e]
            cnt[s] -= 1
            if cnt[s] == 0:
                heap[size] = s
                _sift_up(heap, size, key1, key2)
                size += 1


@nb.njit(cache=True)
def sampled_list(key1, key2, inst, rng, out, ws):
    """Regret-based biased random sampling (Drexl 1991): a random precedence-feasible list.

    Among the eligible tasks, task j is drawn with probability proportional
    to ``(max_E key1 - key1[j] + 1)``: the better its priority, the likelier.
    """
    n = key1.shape[0]
    cnt, elig = ws.cnt, ws.elig
    n_elig = 0
    for j in range(n):
        cnt[j] = inst.pred_ptr[j + 1] - inst.pred_ptr[j]
        if cnt[j] == 0:
            elig[n_elig] = j
            n_elig += 1
    for q in range(n):
        worst = -np.inf
        for e in range(n_elig):
            if key1[elig[e]] > worst:
                worst = key1[elig[e]]
        total = 0.0
        for e in range(n_elig):
            total += worst - key1[elig[e]] + 1.0
        u = xorshift_uniform(rng) * total
        pick = n_elig - 1
        for e in range(n_elig):
            u -= worst - key1[elig[e]] + 1.0
            if u < 0.0:
                pick = e
                break
        j = elig[pick]
        out[q] = j
        elig[pick] = elig[n_elig - 1]
        n_elig -= 1
        for e in range(inst.succ_ptr[j], inst.succ_ptr[j + 1]):
            s = inst.succ_idx[e]
            cnt[s] -= 1
            if cnt[s] == 0:
                elig[n_elig] = s
                n_elig += 1


# --------------------------------------------------------------------------- justification


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
def improve(start, inst, tie, ws, back, fwd, max_passes):
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


# --------------------------------------------------------------------------- biased random-key genetic algorithm


@nb.njit(cache=True)
def _same(a, b):
    for j in range(a.shape[0]):
        if abs(a[j] - b[j]) > EPS:
            return False
    return True


@nb.njit(cache=True)
def _order_of(start, inst, tie, backward, out, ws):
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
        _order_of(start, inst, tie, not backward, order, ws)
        m = serial_sgs(order, inst, not backward, other, ws)
        used = 2
        if m <= ms + EPS:
            start[:] = other
            ms = m
    for j in range(n):
        keys[j] = start[j] + 0.9 * pos[j] / n
    return ms, used


@nb.njit(cache=True)
def _task_density(start, inst, day, unit, out, relative, power):
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
    each of its tasks ``dens`` (:func:`_task_density`, relative, the load to
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
        _task_density(starts[0], inst, day, unit, dens[0], True, power)
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
        _task_density(start, inst, day, unit, dens[i], True, power)
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
                _task_density(start, inst, day, unit, dens[w], True, power)
                state[3] += 1
    return best_ms


# --------------------------------------------------------------------------- explanations


@nb.njit(cache=True)
def held_back(start, inst, times, usage, est, driver, blocked):
    """Why each task starts when it does.

    ``est[j]``: the earliest start its scheduled predecessors allow (>= 0),
    ``driver[j]``: the predecessor that sets it (-1: none). When j starts
    later than ``est[j]`` it waited for resources: ``blocked[j, k]`` marks the
    resources k that, at some moment of the wait, had too little left for it
    (``times``/``usage``: the schedule's profile, as breakpoints).
    """
    n = start.shape[0]
    dur = inst.dur
    tol = 1e-6
    for j in range(n):
        d = dur[j]
        best = 0.0
        drv = -1
        for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
            i = inst.pred_idx[e]
            ty = inst.pred_type[e]
            c = start[i] + inst.pred_lag[e]
            if ty == FS or ty == FF:
                c += dur[i]
            if ty == FF or ty == SF:
                c -= d
            if c > best + tol:
                best = c
                drv = i
        est[j] = best
        driver[j] = drv
        blocked[j, :] = False
        if start[j] > best + tol:
            b = _find(times, times.shape[0], best + tol)
            while b < times.shape[0] and times[b] < start[j] - tol:
                for e in range(inst.rptr[j], inst.rptr[j + 1]):
                    k = inst.ridx[e]
                    if usage[b, k] + inst.demand[j, k] > inst.cap[k] + inst.tol[k]:
                        blocked[j, k] = True
                b += 1


@nb.njit(cache=True)
def resource_free_float(start, inst, times, usage, out):
    """How far each task can slip, every other task staying put, before one of its resources runs short.

    ``times``/``usage``: the schedule's profile as breakpoints, the task
    itself included. Past its finish a slipping task needs its units on top
    of the others' usage; ``out[j]`` is the time from its finish to the first
    breakpoint where they do not fit (inf: they always fit, or it uses no
    resource). Links are for the caller.
    """
    n = start.shape[0]
    nb_ = times.shape[0]
    for j in range(n):
        out[j] = np.inf
        d = inst.dur[j]
        if d <= 0.0:
            continue
        f = start[j] + d
        b = _find(times, nb_, f)
        if times[b] < f - EPS:
            b += 1
        while b < nb_:
            if _short(usage[b], j, inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol):
                out[j] = max(times[b] - f, 0.0)
                break
            b += 1


# --------------------------------------------------------------------------- smoothing


@nb.njit(cache=True)
def start_distances(inst, tasks):
    """Longest start-to-start distances between ``tasks``: ``D[a, b]`` with s_b >= s_a + D[a, b].

    -inf where no chain of links leads from a to b. Links are turned into
    start-to-start bounds (FS: d_i + lag, SS: lag, FF: d_i + lag - d_j,
    SF: lag - d_j); chains add them up.
    """
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
                ty = inst.pred_type[e]
                w = inst.pred_lag[e]
                if ty == FS or ty == FF:
                    w += dur[i]
                if ty == FF or ty == SF:
                    w -= dur[j]
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
        c = _find(pt, nb_, s)
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
    """Coordinate descent on the start of each resource-using task inside its float.

    ``tasks`` (topological order) use resources; ``dist`` holds their
    start-to-start distances (:func:`start_distances`); ``early``/``late``
    bound every start (CPM early and late start against the fixed finish).
    Each move puts one task at the start that most lowers the sum over
    resources of ``weight x peak usage``, then ``weight^2 x sum of
    squares`` of usage, the other tasks staying put; its window keeps every
    chain of links to the others. Sweeps alternate backward and forward
    until a sweep improves nothing. Candidate starts are the window ends and
    the moments where the task's start or finish meets a change of the
    others' usage: the score is piecewise linear between them.
    Returns the number of moves.
    """
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
            nb_ = _add(pt, pu, nb_, start[j], inst.dur[j], j, rptr, ridx, demand)
        improved = False
        for q in range(m):
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
            # Take j out of the profile.
            b0 = _find(pt, nb_, start[j])
            b1 = _find(pt, nb_, start[j] + d)
            for c in range(b0, b1):
                for e in range(rptr[j], rptr[j + 1]):
                    pu[c, ridx[e]] -= demand[j, ridx[e]]
            if hi > lo + EPS:
                peak_others[:] = 0.0
                for c in range(nb_):
                    for k in range(n_res):
                        if pu[c, k] > peak_others[k]:
                            peak_others[k] = pu[c, k]
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
            nb_ = _add(pt, pu, nb_, start[j], d, j, rptr, ridx, demand)
        if not improved and sweep > 0:
            break
    return moves


# --------------------------------------------------------------------------- levelled Monte Carlo


@nb.njit(cache=True)
def _schedule_iteration(it, durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag,
                        rptr, ridx, demand, cap, tol, es, ef, pt, pu, delayed):
    """Serial SGS of one iteration in float32, with the arithmetic of the unconstrained pass.

    A task's precedence-earliest start is computed exactly as the Monte
    Carlo forward pass does, so without resource conflicts the dates (and
    the finish) are bit for bit those of the unlevelled simulation.
    """
    pt[0] = 0.0
    pu[0, :] = 0.0
    nb_ = 1
    for q in range(order.shape[0]):
        j = order[q]
        d = durations[j, it]
        s = release[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            typ = pred_type[k]
            if typ == FS:
                c = ef[i] + pred_lag[k]
            elif typ == SS:
                c = es[i] + pred_lag[k]
            elif typ == FF:
                c = ef[i] + pred_lag[k] - d
            else:
                c = es[i] + pred_lag[k] - d
            s = max(s, c)
        t = s
        if d > 0 and rptr[j + 1] > rptr[j]:
            if t < 0:
                t = np.float32(0.0)  # the profile starts at the project start
            c = _find(pt, nb_, t)
            end = t + d
            while c < nb_ - 1 and pt[c] < end:
                blocked = _short(pu[c], j, rptr, ridx, demand, cap, tol)
                c += 1
                if blocked:
                    t = np.float32(pt[c])
                    end = t + d
            # Breakpoints here are exact float32 values: no tolerance.
            b0, nb_ = _split(pt, pu, nb_, t, 0.0)
            b1, nb_ = _split(pt, pu, nb_, end, 0.0)
            for c in range(b0, b1):
                for e in range(rptr[j], rptr[j + 1]):
                    pu[c, ridx[e]] += demand[j, ridx[e]]
        delayed[j] = t > s
        es[j] = t
        ef[j] = t + d


@nb.njit(cache=True)
def _critical_chain(durations, it, rptr, ridx, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                    fin, es, ef, delayed, flag, stack, counts):
    """Count the tasks on a chain of binding links or resource hand-overs that ends at the finish.

    Starting from the tasks that finish last, a task's drivers are its
    predecessors whose link constraint equals its start and, when it waited
    for resources, the tasks sharing a resource with it that finish exactly
    when it starts (they handed the resource over).
    """
    n = es.shape[0]
    top = 0
    flag[:] = False
    for q in range(candidates.shape[0]):
        j = candidates[q]
        if ef[j] >= fin - np.float32(1e-6) * max(np.float32(1.0), abs(fin)):
            flag[j] = True
            stack[top] = j
            top += 1
    while top > 0:
        top -= 1
        j = stack[top]
        counts[j] += 1
        s = es[j]
        close = np.float32(1e-6) * max(np.float32(1.0), abs(s))
        d = durations[j, it]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            if flag[i]:
                continue
            typ = pred_type[k]
            v = (ef[i] if typ == FS or typ == FF else es[i]) + pred_lag[k]
            if typ == FF or typ == SF:
                v = v - d
            if v >= s - close:
                flag[i] = True
                stack[top] = i
                top += 1
        if delayed[j]:
            for i in range(n):
                if flag[i] or ef[i] < s - close or ef[i] > s + close:
                    continue
                shared = False
                for e in range(rptr[j], rptr[j + 1]):
                    for e2 in range(rptr[i], rptr[i + 1]):
                        if ridx[e2] == ridx[e]:
                            shared = True
                if shared and durations[i, it] > 0:
                    flag[i] = True
                    stack[top] = i
                    top += 1


@nb.njit(cache=True, parallel=True)
def levelled_iterations(durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                        rptr, ridx, demand, cap, tol, project_column, keep_start, keep_finish,
                        finish_out, crit_counts, start_out, task_finish_out):
    """Resource-constrained Monte Carlo: each iteration's durations scheduled by the serial SGS.

    ``durations`` is tasks x iterations (float32, topological order);
    ``order`` the fixed priority list. Iterations run in parallel; each
    depends only on its own column, so results ignore the thread count.
    Fills ``finish_out`` (project finish), adds 1 to ``crit_counts[thread, j]``
    per iteration in which j is on the resource-constrained critical chain
    (:func:`_critical_chain`) and, when asked, the task dates (project order).
    """
    n, count = durations.shape
    threads = crit_counts.shape[0]
    k = demand.shape[1]
    es_s = np.empty((threads, n), np.float32)
    ef_s = np.empty((threads, n), np.float32)
    pt_s = np.empty((threads, 2 * n + 2))
    pu_s = np.empty((threads, 2 * n + 2, k))
    delayed_s = np.empty((threads, n), np.bool_)
    flag_s = np.empty((threads, n), np.bool_)
    stack_s = np.empty((threads, n), np.int64)
    # Contiguous blocks of iterations per thread keep each thread on its own scratch rows.
    block = (count + threads - 1) // threads
    for th in nb.prange(threads):
        es, ef, pt, pu = es_s[th], ef_s[th], pt_s[th], pu_s[th]
        for it in range(th * block, min(count, (th + 1) * block)):
            _schedule_iteration(it, durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag,
                                rptr, ridx, demand, cap, tol, es, ef, pt, pu, delayed_s[th])
            fin = np.float32(-np.inf)
            for q in range(candidates.shape[0]):
                fin = max(fin, ef[candidates[q]])
            finish_out[it] = fin
            _critical_chain(durations, it, rptr, ridx, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                            fin, es, ef, delayed_s[th], flag_s[th], stack_s[th], crit_counts[th])
            if keep_start:
                for j in range(n):
                    start_out[it, project_column[j]] = es[j]
            if keep_finish:
                for j in range(n):
                    task_finish_out[it, project_column[j]] = ef[j]
