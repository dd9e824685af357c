"""Schedule-generation schemes, the left shift, and the task lists the schemes take.

Tasks are in topological order, times in float64 working days; priorities
``key1``/``key2`` are "smaller first". Entry points: :func:`serial_sgs`,
:func:`parallel_sgs`, :func:`left_shift`, :func:`priority_list`, :func:`sampled_list`.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .links import earliest_start
from .profile import EPS, add_task, build_profile, earliest_fit, interval_at, remove_task
from .random import xorshift_uniform
from .runs import MAX_TREES, build, first_run, tree_ids, tree_size, update

# One instance in topological numbering; see pmsim.levelling._problem.
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


@nb.njit(cache=True, inline="always")
def _precedence_start(j, start, dur, ptr, idx, typ, lag):
    """Earliest start of j allowed by its (already scheduled) predecessors, and >= 0."""
    d = dur[j]
    s = 0.0
    for e in range(ptr[j], ptr[j + 1]):
        i = idx[e]
        c = earliest_start(typ[e], start[i], start[i] + dur[i], lag[e], d)
        if c > s:
            s = c
    return s


# The serial SGS on days walks each task's window from its precedence-feasible start to where its resources
# have room. When that walk grows long (resources booked far ahead, on a large programme) it switches to
# run trees (.runs), which find the same window in O(log days): checked every WALK_BLOCK tasks, when they
# took more than WALK_LIMIT day checks a task on average and the checks the rest of the pass would save pay
# for building the trees (a task on the trees costs about TREE_TASK checks, a tree node about one); within
# RUN_TREE_BYTES of trees.
WALK_BLOCK = 256
WALK_LIMIT = 128
TREE_TASK = 100
RUN_TREE_BYTES = 1 << 27


@nb.njit(cache=True)
def _serial_sgs_days(order, inst, ptr, idx, typ, lag, start, free, used, block, limit):
    """The serial SGS on whole days: ``free[t, k]`` is what is left of resource k on day t.

    Run trees from when a ``block`` of tasks took more than ``limit`` day checks each and the trees pay
    (WALK_BLOCK, WALK_LIMIT); ``limit`` < 0: from the first block on, whatever they cost (for tests).
    """
    dur, rptr, ridx, demand, tol, cap = inst.dur, inst.rptr, inst.ridx, inst.demand, inst.tol, inst.cap
    nk = free.shape[1]
    rows = free.shape[0]
    previous = used[0]
    # Only the days the previous pass used need resetting.
    for t in range(previous):
        for k in range(nk):
            free[t, k] = cap[k]
    hint = previous if previous < rows else 0  # the previous pass's length (none on a fresh workspace)
    makespan = 0.0
    n = order.shape[0]
    checks = 0
    walk = True
    m = 0  # trees: not counted yet
    tid = np.empty(0, np.int64)
    tres = np.empty(0, np.int64)
    tthr = np.empty(0)
    q = 0
    while q < n:
        if walk and q % block == 0 and q > 0:
            if checks > limit * block:
                if m == 0:
                    tid = np.empty(max(ridx.shape[0], 1), np.int64)
                    tres = np.empty(MAX_TREES, np.int64)
                    tthr = np.empty(MAX_TREES)
                    m = tree_ids(inst, tid, tres, tthr)
                size = tree_size(max(np.int64(makespan * 1.25) + 2, hint), rows)
                if m <= 0 or m * 2 * size * 12 > RUN_TREE_BYTES:
                    walk = False  # too many (resource, demand) pairs for the trees: keep walking
                elif limit < 0 or (n - q) * (checks // block - TREE_TASK) > m * 2 * size:
                    makespan = _serial_sgs_runs(order, q, inst, ptr, idx, typ, lag, start, free, makespan, tid,
                                                tres, tthr, m, size)
                    q = n
                    break
            checks = 0
        j = order[q]
        d = dur[j]
        s = _precedence_start(j, start, dur, ptr, idx, typ, lag)
        if d > 0.0 and rptr[j + 1] > rptr[j]:
            t = np.int64(s)
            length = np.int64(d)
            # Check the window from its end, so a conflict moves the start past it.
            tt = t + length - 1
            while tt >= t:
                checks += 1
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
        q += 1
    used[0] = min(np.int64(makespan) + 1, rows)
    return makespan


@nb.njit(cache=True)
def _serial_sgs_runs(order, q0, inst, ptr, idx, typ, lag, start, free, makespan, tid, tres, tthr, m, size):
    """:func:`_serial_sgs_days` from ``order[q0]`` on with ``m`` run trees (:func:`.runs.tree_ids`) over
    ``size`` days to begin with; returns the makespan."""
    dur, rptr, ridx, demand, tol = inst.dur, inst.rptr, inst.ridx, inst.demand, inst.tol
    rows = free.shape[0]
    trees = np.empty((m, 6 * size), np.int32)
    for p in range(m):
        build(trees[p], size, free, tres[p], tol[tres[p]], tthr[p])
    for q in range(q0, order.shape[0]):
        j = order[q]
        d = dur[j]
        s = _precedence_start(j, start, dur, ptr, idx, typ, lag)
        if d > 0.0 and rptr[j + 1] > rptr[j]:
            t = np.int64(s)
            length = np.int64(d)
            # Each resource's first window from t; until all of them agree.
            count = rptr[j + 1] - rptr[j]
            agreed = 0
            e = rptr[j]
            while agreed < count:
                p = tid[e]
                t2 = first_run(trees[p], size, t, length)
                if t2 > t:
                    t = t2
                    agreed = 1
                else:
                    agreed += 1
                e += 1
                if e == rptr[j + 1]:
                    e = rptr[j]
            for tt in range(t, t + length):
                for e in range(rptr[j], rptr[j + 1]):
                    free[tt, ridx[e]] -= demand[j, ridx[e]]
            if t + length > size:
                # Past the trees: twice as many days.
                size = tree_size(2 * (t + length), rows)
                if m * 2 * size * 12 > RUN_TREE_BYTES:
                    size = tree_size(t + length, rows)
                trees = np.empty((m, 6 * size), np.int32)
                for p in range(m):
                    build(trees[p], size, free, tres[p], tol[tres[p]], tthr[p])
            else:
                for e in range(rptr[j], rptr[j + 1]):
                    k = ridx[e]
                    for p in range(m):
                        if tres[p] == k:
                            update(trees[p], size, free, k, tol[k], tthr[p], t, t + length)
            s = np.float64(t)
        start[j] = s
        if s + d > makespan:
            makespan = s + d
    return makespan


@nb.njit(cache=True)
def serial_sgs(order, inst, backward, start, ws):
    """Serial SGS: each task of ``order`` at its earliest feasible start; returns the makespan.

    ``backward``: on the mirrored network (time reversed, ``order`` successors first), the right-justified starts.
    """
    inst_dur = inst.dur
    if backward:
        ptr, idx, typ, lag = inst.succ_ptr, inst.succ_idx, inst.msucc_type, inst.succ_lag
    else:
        ptr, idx, typ, lag = inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag
    if inst.horizon > 0:
        makespan = _serial_sgs_days(order, inst, ptr, idx, typ, lag, start, ws.free, ws.used, WALK_BLOCK, WALK_LIMIT)
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
            s = earliest_fit(pt, pu, nb_, s, d, j, rptr, ridx, demand, cap, tol)
            nb_ = add_task(pt, pu, nb_, s, d, j, rptr, ridx, demand)
        start[j] = s
        if s + d > makespan:
            makespan = s + d
    return makespan


@nb.njit(cache=True)
def parallel_sgs(key1, key2, inst, start, ws):
    """Parallel SGS: at each decision time the eligible tasks that fit start, best first; returns the makespan.

    A task using no resource starts at its precedence-earliest start.
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
                if earliest_fit(pt, pu, nb_, t, dur[j], j, inst.rptr, inst.ridx, inst.demand, inst.cap,
                             inst.tol) > t + EPS:
                    continue
            best = j
        if best < 0:
            # Next decision time: a resource is released or an eligible task's time comes.
            nxt = np.inf
            b = interval_at(pt, nb_, t)
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
            nb_ = add_task(pt, pu, nb_, s, d, j, inst.rptr, inst.ridx, inst.demand)
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
    """Tasks moved, in order of start, as early as links and capacity allow until none moves; returns the makespan."""
    # A move breaks no link (links only bound successors from below) and no capacity: the makespan never grows.
    n = start.shape[0]
    dur = inst.dur
    rptr, ridx, demand, cap, tol = inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol
    pt, pu = ws.pt, ws.pu
    for _ in range(n + 1):
        nb_ = build_profile(pt, pu, start, dur, rptr, ridx, demand)
        if nb_ < 0:
            pt[0] = 0.0
            pu[0, :] = 0.0
            nb_ = 1
            for j in range(n):
                if dur[j] > 0.0 and rptr[j + 1] > rptr[j]:
                    nb_ = add_task(pt, pu, nb_, start[j], dur[j], j, rptr, ridx, demand)
        order = np.argsort(start, kind="mergesort")
        moved = False
        for q in range(n):
            j = order[q]
            d = dur[j]
            s = _precedence_start(j, start, dur, inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag)
            if d > 0.0 and rptr[j + 1] > rptr[j]:
                # Take the task out of the profile, then put it back at its earliest fit.
                remove_task(pt, pu, nb_, start[j], d, j, rptr, ridx, demand)
                if s < start[j] - EPS:
                    s = earliest_fit(pt, pu, nb_, s, d, j, rptr, ridx, demand, cap, tol)
                if s > start[j]:
                    s = start[j]
                nb_ = add_task(pt, pu, nb_, s, d, j, rptr, ridx, demand)
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
    """The precedence-feasible list (``backward``: successors first) taking the smallest (key1, key2) eligible task."""
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
    """A random precedence-feasible list by regret-based biased sampling (Drexl 1991).

    An eligible task j is drawn with probability proportional to ``max key1 - key1[j] + 1``.
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
