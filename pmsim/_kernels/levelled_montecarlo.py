"""The levelled Monte Carlo: each iteration's durations scheduled by the serial SGS.

Entry point: :func:`levelled_iterations`.

The serial SGS here is the general profile scheme of :mod:`.profile` specialised for speed, with the same
decisions bit for bit: the profile keeps each breakpoint's time and usages in one row (``prof[b, 0]`` the time,
``prof[b, 1 + k]`` the usage of resource k), so that making room for a task's two breakpoints moves one block of
memory once; a task's window is checked from its end (a conflict skips every interval before it); each task's
resources, demands and ``capacity + tolerance`` are gathered once per run into flat arrays. The criticality pass
finds the tasks that hand a resource over in buckets of finish time, and compares resources as bit masks.

That combined profile is the reference. Each iteration runs on the cheapest structure its numbers allow, with the
same decisions (:func:`_profile_modes`; :mod:`.resource_profiles`): the usage per time unit when every date is
whole, one breakpoint profile per resource otherwise, the combined profile only with durations or lags under
1/64 of a day or a task too short to move a date of the horizon.
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .montecarlo import absent
from .profile import EPS
from .resource_profiles import schedule_dense, schedule_split

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
def _bucket_by_finish(dur, users, ef, head, item, bounds, bk):
    """The tasks of ``users`` (those with a resource) that take time, in ``n`` buckets of finish (a counting
    sort): bucket b holds ``item[head[b]:head[b + 1]]``; ``bounds`` = (lowest finish, buckets per day); ``bk``
    scratch. A bucket is a monotone function of the finish, so the tasks finishing in [lo, hi] are in the
    buckets of lo to hi."""
    n = ef.shape[0]
    lo, hi = np.inf, -np.inf
    for x in range(users.shape[0]):
        i = users[x]
        if dur[i] > 0:
            lo = min(lo, np.float64(ef[i]))
            hi = max(hi, np.float64(ef[i]))
    scale = n / (hi - lo) if hi > lo else 0.0
    bounds[0], bounds[1] = lo, scale
    head[: n + 1] = 0
    for x in range(users.shape[0]):
        i = users[x]
        if dur[i] > 0:
            b = _bucket(ef[i], bounds, n)
            bk[x] = b
            head[b + 1] += 1
    for b in range(n):
        head[b + 1] += head[b]
    fill = head[n + 1:]  # scratch: the next free slot of each bucket
    fill[:n] = head[:n]
    for x in range(users.shape[0]):
        i = users[x]
        if dur[i] > 0:
            b = bk[x]
            item[fill[b]] = i
            fill[b] += 1


@nb.njit(cache=True, inline="always")
def _bucket(x, bounds, n):
    b = np.int64(max(0.0, min((np.float64(x) - bounds[0]) * bounds[1], n - 1.0)))
    return b


@nb.njit(cache=True)
def _critical_chain(dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates, rptr, eres, mask, exact_mask,
                    fin, es, ef, delayed, flag, stack, counts, head, item, bounds, users, bk):
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
                _bucket_by_finish(dur, users, ef, head, item, bounds, bk)
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


_COMBINED, _SPLIT, _DENSE = 0, 1, 2  # the profile an iteration is scheduled on
_TINY = 2.0 ** -6  # durations, lags and releases 0 or at least this: dates apart by more than EPS when they differ
_WHOLE_MAX = 2.0 ** 22  # whole dates below this are exact in float32
_DENSE_CELLS = 1 << 20  # cells per thread of the usage per time unit (8 MB)


@nb.njit(cache=True)
def _profile_modes(durations, release, pred_lag, rptr, k, modes):
    """Per iteration, the profile its serial SGS runs on (``modes``); returns the cells per resource of the
    usage per time unit (0: no iteration uses it).

    All three take the same decisions; the cheaper ones need numbers the combined profile's comparisons treat
    exactly: a profile per resource (``_SPLIT``) when every duration, lag and release is 0 or at least ``_TINY``
    (float32 dates are then multiples of 2**-29, apart by more than ``EPS`` when they differ) and no task with a
    resource is so short next to the horizon ``B`` that adding it to a start could round it away; the usage per
    time unit (``_DENSE``) when every number is whole and the horizon short. ``B`` bounds every date the
    profile holds: the latest release plus every duration and every positive lag.
    """
    n, count = durations.shape
    whole_run = True
    tidy_run = True
    base = 0.0
    for j in range(n):
        x = np.float64(release[j])
        whole_run &= x == np.floor(x) and abs(x) < _WHOLE_MAX
        tidy_run &= x == 0.0 or abs(x) >= _TINY
        base = max(base, x)
    for e in range(pred_lag.shape[0]):
        x = np.float64(pred_lag[e])
        whole_run &= x == np.floor(x) and abs(x) < _WHOLE_MAX
        tidy_run &= x == 0.0 or abs(x) >= _TINY
        if x > 0:
            base += x
    horizon = np.full(count, base)
    whole = np.full(count, whole_run)
    tidy = np.full(count, tidy_run)
    shortest = np.full(count, np.inf)
    for j in range(n):
        row = durations[j]
        uses = rptr[j + 1] > rptr[j]
        for it in range(count):
            d = np.float64(row[it])
            whole[it] &= d == np.floor(d)
            tidy[it] &= d == 0.0 or abs(d) >= _TINY
            if d > 0:
                horizon[it] += d
                if uses:
                    shortest[it] = min(shortest[it], d)
    cells = 0
    for it in range(count):
        if whole[it] and horizon[it] < _WHOLE_MAX:
            cells = max(cells, np.int64(horizon[it]) + 2)
    cells = cells if cells * k <= _DENSE_CELLS else 0
    for it in range(count):
        if whole[it] and horizon[it] + 1 < cells:
            modes[it] = _DENSE
        elif tidy[it] and shortest[it] >= 2.0 ** -20 * horizon[it]:
            modes[it] = _SPLIT
        else:
            modes[it] = _COMBINED
    return cells


@nb.njit(cache=True, parallel=True)
def levelled_iterations(durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                        rptr, ridx, demand, cap, tol, project_column, keep_start, keep_finish,
                        finish_out, crit_counts, start_out, task_finish_out, profiles=-1):
    """Each iteration's ``durations`` (tasks x iterations, float32) scheduled by the serial SGS in ``order``:
    ``finish_out``, ``crit_counts[thread, j]`` and, when asked, the task dates (project order).

    ``profiles``: -1 (the default) picks each iteration's profile (:func:`_profile_modes`); 0 the combined
    profile, 1 one per resource, 2 the usage per time unit where the iteration allows it (for tests).
    """
    n, count = durations.shape
    threads = crit_counts.shape[0]
    k = demand.shape[1]
    width = k + 1
    # Each task's resources as columns of the profile's rows, with their demand and capacity + tolerance.
    ne = rptr[n]
    eres = np.empty(ne, np.int64)
    eres0 = np.empty(ne, np.int64)
    edem = np.empty(ne)
    elim = np.empty(ne)
    mask = np.zeros(n, np.uint64)
    per_resource = np.zeros(k, np.int64)
    for j in range(n):
        for e in range(rptr[j], rptr[j + 1]):
            r = ridx[e]
            eres[e] = 1 + r
            eres0[e] = r
            edem[e] = demand[j, r]
            elim[e] = cap[r] + tol[r]
            mask[j] |= np.uint64(1) << np.uint64(r % _MASK_BITS)
            per_resource[r] += 1
    exact_mask = k <= _MASK_BITS
    users = np.nonzero(rptr[1:] > rptr[:-1])[0]  # the tasks with a resource
    modes = np.empty(count, np.int8)
    cells = _profile_modes(durations, release, pred_lag, rptr, k, modes)
    if profiles == _COMBINED or profiles == _SPLIT:
        modes[:] = profiles
    elif profiles == _DENSE:
        for it in range(count):
            if modes[it] != _DENSE:
                modes[it] = _COMBINED
    rows = 2 * n + 2
    es_s = np.empty((threads, n), np.float32)
    ef_s = np.empty((threads, n), np.float32)
    dur_s = np.empty((threads, n), np.float32)
    flat_s = np.empty((threads, rows * width))
    pr_s = np.empty((threads, k, 2, 2 * per_resource.max() + 2))
    cnt_s = np.empty((threads, k), np.int64)
    use_s = np.zeros((threads, k, cells))
    top_s = np.zeros((threads, k), np.int64)
    delayed_s = np.empty((threads, n), np.bool_)
    flag_s = np.empty((threads, n), np.bool_)
    stack_s = np.empty((threads, n), np.int64)
    head_s = np.empty((threads, 2 * n + 1), np.int64)
    item_s = np.empty((threads, n), np.int64)
    bounds_s = np.empty((threads, 2))
    bk_s = np.empty((threads, n), np.int64)
    # Contiguous blocks of iterations per thread keep each thread on its own scratch rows; an iteration
    # depends only on its own column, so results ignore the thread count.
    block = (count + threads - 1) // threads
    for th in nb.prange(threads):
        es, ef, dur, flat = es_s[th], ef_s[th], dur_s[th], flat_s[th]
        prof = flat.reshape((rows, width))
        for it in range(th * block, min(count, (th + 1) * block)):
            for j in range(n):
                dur[j] = durations[j, it]
            if modes[it] == _DENSE:
                schedule_dense(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres0, edem,
                               elim, es, ef, use_s[th], top_s[th], delayed_s[th])
            elif modes[it] == _SPLIT:
                schedule_split(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres0, edem,
                               elim, es, ef, pr_s[th], cnt_s[th], delayed_s[th])
            else:
                _schedule_iteration(dur, order, release, pred_ptr, pred_idx, pred_type, pred_lag, rptr, eres, edem,
                                    elim, es, ef, flat, prof, delayed_s[th])
            fin = np.float32(-np.inf)
            for q in range(candidates.shape[0]):
                fin = max(fin, ef[candidates[q]])
            finish_out[it] = fin
            _critical_chain(dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates, rptr, eres, mask,
                            exact_mask, fin, es, ef, delayed_s[th], flag_s[th], stack_s[th], crit_counts[th],
                            head_s[th], item_s[th], bounds_s[th], users, bk_s[th])
            if keep_start:
                for j in range(n):
                    start_out[it, project_column[j]] = es[j]
            if keep_finish:
                for j in range(n):
                    task_finish_out[it, project_column[j]] = ef[j]
