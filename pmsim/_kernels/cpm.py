"""Forward and backward passes of the critical path method."""

import numba as nb
import numpy as np

from .links import earliest_start_after, from_finish, latest_finish, slack


@nb.njit(cache=True, nogil=True)
def forward_pass(duration, pred_ptr, pred_idx, pred_type, pred_lag, early_start, early_finish):
    """Early dates; every task starts at or after the project start (0)."""
    n = duration.shape[0]
    for j in range(n):
        s = 0.0
        d = duration[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            kind = pred_type[k]
            # Read only the date the link starts from: loading both dates slows the pass.
            c = earliest_start_after(kind, early_finish[i] if from_finish(kind) else early_start[i], pred_lag[k], d)
            if c > s:
                s = c
        early_start[j] = s
        early_finish[j] = s + d


@nb.njit(cache=True, nogil=True)
def backward_pass(duration, succ_ptr, succ_idx, succ_type, succ_lag, project_finish, late_start, late_finish):
    """Late dates against ``project_finish``."""
    n = duration.shape[0]
    for j in range(n - 1, -1, -1):
        f = project_finish
        d = duration[j]
        for k in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[k]
            c = latest_finish(succ_type[k], late_start[s], late_finish[s], succ_lag[k], d)
            if c < f:
                f = c
        late_finish[j] = f
        late_start[j] = f - d


@nb.njit(cache=True, nogil=True)
def free_float(early_start, early_finish, succ_ptr, succ_idx, succ_type, succ_lag, project_finish, out):
    """Delay a task can take without delaying any successor's early dates or the finish."""
    n = early_start.shape[0]
    for j in range(n):
        f = project_finish - early_finish[j]
        for k in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[k]
            c = slack(succ_type[k], early_start[j], early_finish[j], early_start[s], early_finish[s], succ_lag[k])
            if c < f:
                f = c
        out[j] = f if f > 0.0 else 0.0


@nb.njit(cache=True, nogil=True)
def topological_order(n, succ_ptr, succ_idx, indegree):
    """Kahn's algorithm, first-in first-out from the tasks in input order.

    Returns the order (length n when the graph is acyclic, shorter otherwise).
    """
    order = np.empty(n, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(n):
        if indegree[i] == 0:
            order[tail] = i
            tail += 1
    while head < tail:
        i = order[head]
        head += 1
        for k in range(succ_ptr[i], succ_ptr[i + 1]):
            j = succ_idx[k]
            indegree[j] -= 1
            if indegree[j] == 0:
                order[tail] = j
                tail += 1
    return order[:tail]
