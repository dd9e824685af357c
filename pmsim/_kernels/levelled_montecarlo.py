"""The levelled Monte Carlo: each iteration's durations scheduled by the serial SGS.

Entry point: :func:`levelled_iterations`.

The serial SGS here is the general profile scheme of :mod:`.profile` specialised for speed, with the same
decisions bit for bit: the profile keeps each breakpoint's time and usages in one row (``prof[b, 0]`` the time,
``prof[b, 1 + k]`` the usage of resource k), so that making room for a task's two breakpoints moves one block of
memory once; a task's window is checked from its end (a conflict skips every interval before it); each task's
resources, demands and ``capacity + tolerance`` are gathered once per run into flat arrays. The criticality pass
finds the tasks that hand a resource over in buckets of finish time, and compares resources as bit masks.
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .montecarlo import absent
from .profile import EPS

_MASK_BITS = 64  # with more resources, tasks share a resource when their (resource mod 64) bits meet: then checked


@nb.njit(cache=True, inline="always")
def _interval_at(prof, nb_, t):
    """Index of the interval that contains ``t`` (largest b with prof[b, 0] <= t), as ``profile.interval_at``."""
    lo = 0
    hi = nb_ - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if prof[mid, 0] <= t + EPS:
            lo = mid
        else:
            hi = mid - 1
    return lo


@nb.njit(cache=True, inline="always")
def _locate(prof, nb_, t, guess):
    """:func:`_interval_at` of ``t``, checked first at ``guess`` (the interval the caller expects)."""
    if 0 <= guess < nb_ and prof[guess, 0] <= t + EPS and (guess == nb_ - 1 or prof[guess + 1, 0] > t + EPS):
        return guess  # on sorted breakpoints the one answer a binary search gives
    return _interval_at(prof, nb_, t)


@nb.njit(cache=True, inline="always")
def _occupy(flat, width, prof, nb_, t, end, b, e, e0, e1, eres, edem):
    """Task demands ``edem`` on [t, end), given the intervals ``b`` of t and ``e`` of end; returns the new count.

    The profile of ``profile.add_task`` with exact breakpoints, in one pass from the end: the rows after the
    end move down once (by the breakpoints that are new), the rows in between take the demands.
    """
    new_t = prof[b, 0] != t
    if e == b and new_t:
        new_e = end != t
    else:
        new_e = prof[e, 0] != end
    sh = np.int64(new_t) + np.int64(new_e)
    if sh:
        for x in range(nb_ * width - 1, (e + 1) * width - 1, -1):
            flat[x + sh * width] = flat[x]
    if new_e:
        r = e + new_t + 1
        prof[r, 0] = end
        for x in range(1, width):
            prof[r, x] = prof[e, x]
    first = b + 1
    if not new_t:
        first = b
    last = e if new_e else e - 1  # the last old row before the end
    for r in range(e, first - 1, -1):
        if new_t:
            for x in range(width):
                prof[r + 1, x] = prof[r, x]
        if r <= last:
            for q in range(e0, e1):
                prof[r + new_t, eres[q]] += edem[q]
    if new_t:
        prof[b + 1, 0] = t
        for x in range(1, width):
            prof[b + 1, x] = prof[b, x]
        if e > b or new_e:  # not when the end rounds to t itself (a duration under half a float32 step of t)
            for q in range(e0, e1):
                prof[b + 1, eres[q]] += edem[q]
    return nb_ + sh


@nb.njit(cache=True)
def _schedule_iteration(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres, edem, elim,
                        es, ef, flat, prof, delayed):
    """Serial SGS of one iteration (durations ``dur``) in float32, with the Monte Carlo pass's arithmetic:
    without resource conflicts its dates are those of the unlevelled simulation, bit for bit."""
    width = prof.shape[1]
    prof[0, :] = 0.0
    nb_ = 1
    for q in range(order.shape[0]):
        j = order[q]
        d = dur[j]
        s = release[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            s = max(s, earliest_start(pred_type[k], es[i], ef[i], pred_lag[k], d))
        t = s
        e0, e1 = rptr[j], rptr[j + 1]
        if d > 0 and e1 > e0:
            if t < 0:
                t = np.float32(0.0)  # the profile starts at the project start
            at = _interval_at(prof, nb_, t)  # the interval that holds t
            end = t + d
            # The earliest start that fits, as a forward scan of the intervals finds it, found from the end of the
            # window: a conflict on interval c moves the candidate start to c's end, past every interval checked
            # before c; intervals up to ``free`` are known to have room (the last one never limits).
            free = at - 1
            hi = at - 1
            while True:
                while hi + 1 < nb_ - 1 and prof[hi + 1, 0] < end:
                    hi += 1
                c = hi
                while c > free:
                    blocked = False
                    for e in range(e0, e1):
                        if prof[c, eres[e]] + edem[e] > elim[e]:
                            blocked = True
                            break
                    if blocked:
                        break
                    c -= 1
                if c <= free:
                    break
                free = hi
                at = c + 1
                t = np.float32(prof[at, 0])
                end = t + d
                if hi < at - 1:
                    hi = at - 1
            c = hi + 1  # the first breakpoint at or past the end (or the last one)
            # Breakpoints here are exact float32 values: no tolerance. The scan stopped at the first breakpoint
            # at or past the end: the end lies in the interval before it (or that one), one row on when t is new.
            guess = c - 1
            if guess + 1 < nb_ and prof[guess + 1, 0] <= end + EPS:
                guess += 1
            nb_ = _occupy(flat, width, prof, nb_, t, end, _locate(prof, nb_, t, at), _locate(prof, nb_, end, guess),
                          e0, e1, eres, edem)
        delayed[j] = t > s
        es[j] = t
        ef[j] = t + d


@nb.njit(cache=True, inline="always")
def _share(i, j, mask, rptr, eres, exact_mask):
    """Whether tasks i and j use a common resource."""
    if mask[i] & mask[j] == 0:
        return False
    if exact_mask:
        return True
    for e in range(rptr[j], rptr[j + 1]):
        for e2 in range(rptr[i], rptr[i + 1]):
            if eres[e2] == eres[e]:
                return True
    return False


@nb.njit(cache=True)
def _bucket_by_finish(dur, rptr, ef, head, item, bounds):
    """Tasks that take time and use a resource, in ``n`` buckets of finish (a counting sort): bucket b holds
    ``item[head[b]:head[b + 1]]``; ``bounds`` = (lowest finish, buckets per day). A bucket is a monotone function
    of the finish, so the tasks finishing in [lo, hi] are in the buckets of lo to hi."""
    n = ef.shape[0]
    lo, hi = np.inf, -np.inf
    for i in range(n):
        if dur[i] > 0 and rptr[i + 1] > rptr[i]:
            lo = min(lo, np.float64(ef[i]))
            hi = max(hi, np.float64(ef[i]))
    scale = n / (hi - lo) if hi > lo else 0.0
    bounds[0], bounds[1] = lo, scale
    head[:] = 0
    for i in range(n):
        if dur[i] > 0 and rptr[i + 1] > rptr[i]:
            head[_bucket(ef[i], bounds, n) + 1] += 1
    for b in range(n):
        head[b + 1] += head[b]
    fill = head[n + 1:]  # scratch: the next free slot of each bucket
    fill[:n] = head[:n]
    for i in range(n):
        if dur[i] > 0 and rptr[i + 1] > rptr[i]:
            b = _bucket(ef[i], bounds, n)
            item[fill[b]] = i
            fill[b] += 1


@nb.njit(cache=True, inline="always")
def _bucket(x, bounds, n):
    b = np.int64(max(0.0, min((np.float64(x) - bounds[0]) * bounds[1], n - 1.0)))
    return b


@nb.njit(cache=True)
def _critical_chain(dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates, rptr, eres, mask, exact_mask,
                    fin, es, ef, delayed, flag, stack, counts, head, item, bounds):
    """Count the tasks on a chain of binding links or resource hand-overs that ends at the finish."""
    n = es.shape[0]
    top = 0
    flag[:] = False
    bucketed = False
    for q in range(candidates.shape[0]):
        j = candidates[q]
        if ef[j] >= fin - np.float32(1e-6) * max(np.float32(1.0), abs(fin)):
            flag[j] = True
            stack[top] = j
            top += 1
    while top > 0:
        top -= 1
        j = stack[top]
        counts[j] += not absent(dur[j])  # a task counts only where it exists
        s = es[j]
        close = np.float32(1e-6) * max(np.float32(1.0), abs(s))
        d = dur[j]
        # Its drivers: the predecessors whose link allows exactly its start (within float32 rounding) ...
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            if flag[i]:
                continue
            v = earliest_start(pred_type[k], es[i], ef[i], pred_lag[k], d)
            if v >= s - close:
                flag[i] = True
                stack[top] = i
                top += 1
        if delayed[j]:
            # ... and, when it waited for a resource, the tasks sharing one that finish as it starts.
            if not bucketed:
                _bucket_by_finish(dur, rptr, ef, head, item, bounds)
                bucketed = True
            lo, hi = s - close, s + close
            for b in range(_bucket(lo, bounds, n), _bucket(hi, bounds, n) + 1):
                for x in range(head[b], head[b + 1]):
                    i = item[x]
                    if ef[i] < lo or ef[i] > hi or flag[i]:
                        continue
                    if _share(i, j, mask, rptr, eres, exact_mask):
                        flag[i] = True
                        stack[top] = i
                        top += 1


@nb.njit(cache=True, parallel=True)
def levelled_iterations(durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                        rptr, ridx, demand, cap, tol, project_column, keep_start, keep_finish,
                        finish_out, crit_counts, start_out, task_finish_out):
    """Each iteration's ``durations`` (tasks x iterations, float32) scheduled by the serial SGS in ``order``:
    ``finish_out``, ``crit_counts[thread, j]`` and, when asked, the task dates (project order)."""
    n, count = durations.shape
    threads = crit_counts.shape[0]
    k = demand.shape[1]
    width = k + 1
    # Each task's resources as columns of the profile's rows, with their demand and capacity + tolerance.
    ne = rptr[n]
    eres = np.empty(ne, np.int64)
    edem = np.empty(ne)
    elim = np.empty(ne)
    mask = np.zeros(n, np.uint64)
    for j in range(n):
        for e in range(rptr[j], rptr[j + 1]):
            r = ridx[e]
            eres[e] = 1 + r
            edem[e] = demand[j, r]
            elim[e] = cap[r] + tol[r]
            mask[j] |= np.uint64(1) << np.uint64(r % _MASK_BITS)
    exact_mask = k <= _MASK_BITS
    rows = 2 * n + 2
    es_s = np.empty((threads, n), np.float32)
    ef_s = np.empty((threads, n), np.float32)
    dur_s = np.empty((threads, n), np.float32)
    flat_s = np.empty((threads, rows * width))
    delayed_s = np.empty((threads, n), np.bool_)
    flag_s = np.empty((threads, n), np.bool_)
    stack_s = np.empty((threads, n), np.int64)
    head_s = np.empty((threads, 2 * n + 1), np.int64)
    item_s = np.empty((threads, n), np.int64)
    bounds_s = np.empty((threads, 2))
    # Contiguous blocks of iterations per thread keep each thread on its own scratch rows; an iteration
    # depends only on its own column, so results ignore the thread count.
    block = (count + threads - 1) // threads
    for th in nb.prange(threads):
        es, ef, dur, flat = es_s[th], ef_s[th], dur_s[th], flat_s[th]
        prof = flat.reshape((rows, width))
        for it in range(th * block, min(count, (th + 1) * block)):
            for j in range(n):
                dur[j] = durations[j, it]
            _schedule_iteration(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres, edem,
                                elim, es, ef, flat, prof, delayed_s[th])
            fin = np.float32(-np.inf)
            for q in range(candidates.shape[0]):
                fin = max(fin, ef[candidates[q]])
            finish_out[it] = fin
            _critical_chain(dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates, rptr, eres, mask,
                            exact_mask, fin, es, ef, delayed_s[th], flag_s[th], stack_s[th], crit_counts[th],
                            head_s[th], item_s[th], bounds_s[th])
            if keep_start:
                for j in range(n):
                    start_out[it, project_column[j]] = es[j]
            if keep_finish:
                for j in range(n):
                    task_finish_out[it, project_column[j]] = ef[j]
