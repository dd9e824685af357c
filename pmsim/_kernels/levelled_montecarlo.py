"""The levelled Monte Carlo: each iteration's durations scheduled by the serial SGS.

Entry point: :func:`levelled_iterations`.
"""

import numba as nb
import numpy as np

from .links import earliest_start
from .montecarlo import absent
from .profile import breakpoint_at, interval_at, lacks_room


@nb.njit(cache=True)
def _schedule_iteration(it, durations, order, release, pred_ptr, pred_idx, pred_type, pred_lag,
                        rptr, ridx, demand, cap, tol, es, ef, pt, pu, delayed):
    """Serial SGS of iteration ``it`` in float32, with the Monte Carlo pass's arithmetic: without resource
    conflicts its dates are those of the unlevelled simulation, bit for bit."""
    pt[0] = 0.0
    pu[0, :] = 0.0
    nb_ = 1
    for q in range(order.shape[0]):
        j = order[q]
        d = durations[j, it]
        s = release[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            s = max(s, earliest_start(pred_type[k], es[i], ef[i], pred_lag[k], d))
        t = s
        if d > 0 and rptr[j + 1] > rptr[j]:
            if t < 0:
                t = np.float32(0.0)  # the profile starts at the project start
            c = interval_at(pt, nb_, t)
            end = t + d
            while c < nb_ - 1 and pt[c] < end:
                blocked = lacks_room(pu[c], j, rptr, ridx, demand, cap, tol)
                c += 1
                if blocked:
                    t = np.float32(pt[c])
                    end = t + d
            # Breakpoints here are exact float32 values: no tolerance.
            b0, nb_ = breakpoint_at(pt, pu, nb_, t, 0.0)
            b1, nb_ = breakpoint_at(pt, pu, nb_, end, 0.0)
            for c in range(b0, b1):
                for e in range(rptr[j], rptr[j + 1]):
                    pu[c, ridx[e]] += demand[j, ridx[e]]
        delayed[j] = t > s
        es[j] = t
        ef[j] = t + d


@nb.njit(cache=True)
def _critical_chain(durations, it, rptr, ridx, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                    fin, es, ef, delayed, flag, stack, counts):
    """Count the tasks on a chain of binding links or resource hand-overs that ends at the finish."""
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
        counts[j] += not absent(durations[j, it])  # a task counts only where it exists
        s = es[j]
        close = np.float32(1e-6) * max(np.float32(1.0), abs(s))
        d = durations[j, it]
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
    """Each iteration's ``durations`` (tasks x iterations, float32) scheduled by the serial SGS in ``order``:
    ``finish_out``, ``crit_counts[thread, j]`` and, when asked, the task dates (project order)."""
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
    # Contiguous blocks of iterations per thread keep each thread on its own scratch rows; an iteration
    # depends only on its own column, so results ignore the thread count.
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
