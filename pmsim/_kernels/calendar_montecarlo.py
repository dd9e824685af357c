"""The levelled Monte Carlo on calendars: each iteration's work levelled by the serial scheme in one list.

Entry point: :func:`levelled_calendar_iterations`. Times are on the engine's
axis (:mod:`.calendar_sgs`); each iteration's sampled durations (working days
of each task's calendar) become the work still to do, the serial scheme
places the tasks in the fixed list, and the results leave as working days
of the project calendar from the project start.
"""

import numba as nb
import numpy as np

from .calendar_profile import make_profile
from .calendar_sgs import early_dates, forward_sgs
from .dated import _starts_next
from .links import from_finish, to_finish
from .montecarlo import absent
from .worktime import lag_after, last_finish, next_start, start_of_work, work_at

_CLOSE = 1e-6  # axis units: a binding date meets the start it drives within rounding


@nb.njit(inline="always")
def _days(project_cal, t, base, day, tab):
    """An axis value as working days of the project calendar from the project start."""
    return np.float32((work_at(project_cal, t, tab) - base) / day)


@nb.njit(inline="always")
def _close(a, b):
    return abs(a - b) <= _CLOSE * max(1.0, abs(a))


@nb.njit(cache=True)
def _critical_chain(inst, work, es, ef, rs, fin, flag, stack, counts):
    """Count the tasks on a chain of binding links or resource hand-overs that ends at the finish ``fin``:
    a task whose remaining work starts where a link puts it is driven by that link's predecessor; one that
    waited for a resource, by the tasks sharing one whose work ends where its work starts."""
    n = work.shape[0]
    inp, tab = inst.inp, inst.tab
    flag[:] = False
    top = 0
    for j in range(n):
        if ef[j] >= fin - _CLOSE * max(1.0, abs(fin)):
            flag[j] = True
            stack[top] = j
            top += 1
    while top > 0:
        top -= 1
        j = stack[top]
        counts[j] += not absent(work[j])  # a task counts only where it exists
        if inp.status[j] == 2 or (inp.status[j] == 1 and inp.rule != 0):
            continue  # its dates are facts, or its remaining work ignores its links: nothing drives it
        c = inp.task_cal[j]
        d = work[j]
        est = early_dates(j, inst, work, es, ef)[1]
        if _close(est, rs[j]) or inst.pinned[j]:
            for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
                i = inst.pred_idx[e]
                if flag[i] or not np.isnan(inst.pred_date[e]):
                    continue
                kind = inst.pred_type[e]
                date = lag_after(inst.pred_cal[e], ef[i] if from_finish(kind) else es[i], inst.pred_lag[e], tab)
                if to_finish(kind):
                    date = start_of_work(c, date, d, tab)
                if inp.status[j] == 2 and inp.rule != 2:
                    pass  # P6: a finished task where it is given (dated.forward)
                elif d > 0.0 or _starts_next(inp, j):
                    date = next_start(c, date, tab)
                else:
                    date = last_finish(c, date, tab)
                if date >= rs[j] - _CLOSE * max(1.0, abs(rs[j])):
                    flag[i] = True
                    stack[top] = i
                    top += 1
        elif d > 0.0:
            for i in range(n):
                if flag[i] or work[i] <= 0.0 or not _close(next_start(c, ef[i], tab), rs[j]):
                    continue
                shared = False
                for e in range(inst.rptr[j], inst.rptr[j + 1]):
                    for e2 in range(inst.rptr[i], inst.rptr[i + 1]):
                        if inst.ridx[e2] == inst.ridx[e]:
                            shared = True
                if shared:
                    flag[i] = True
                    stack[top] = i
                    top += 1


@nb.njit(cache=True, nogil=True)
def levelled_calendar_iterations(first, last, durations, scale, extra, order, inst, atoms, buffer, project_cal, base,
                                 day, project_column, keep_start, keep_finish, finish_out, counts, start_out,
                                 task_finish_out):
    """Iterations ``first .. last - 1`` of ``durations`` (tasks x iterations, float32, working days) levelled
    in ``order``; without the GIL, so threads can run blocks of a batch side by side.

    A task's work is ``duration * scale + extra`` (axis units; none once
    finished). Writes ``finish_out`` (working days of the project calendar,
    ``inf`` when an iteration runs past the calendar tables: the caller runs
    the batch again on longer ones), ``counts[j]`` (iterations task j was
    critical) and, when asked, the task dates (project order). An iteration
    depends only on its own column, so results ignore how a batch is split.
    """
    n = durations.shape[0]
    status = inst.inp.status
    prof = make_profile(atoms, inst.demand.shape[1], n)
    buf = np.empty(buffer)
    work, es, ef, rs = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    flag = np.empty(n, np.bool_)
    stack = np.empty(n, np.int64)
    for it in range(first, last):
        for j in range(n):
            d = np.float64(durations[j, it])
            # A task that does not exist keeps its -0.0 (no extra: it has not started).
            work[j] = 0.0 if status[j] == 2 else d * scale[j] + extra[j] if extra[j] != 0.0 else d * scale[j]
        prof.full[:] = 0.0
        prof.head[:] = -1
        prof.top[0] = 0
        prof.top[1] = -1
        fin = forward_sgs(order, inst, work, prof, buf, es, ef, rs)
        if not np.isfinite(fin):
            finish_out[it] = np.inf
            continue
        finish_out[it] = _days(project_cal, fin, base, day, inst.tab)
        _critical_chain(inst, work, es, ef, rs, fin, flag, stack, counts)
        if keep_start or keep_finish:
            for j in range(n):
                col = project_column[j]
                if keep_start:
                    v = inst.inp.actual_start[j] if status[j] > 0 else rs[j]
                    start_out[it, col] = _days(project_cal, v, base, day, inst.tab)
                if keep_finish:
                    v = inst.inp.actual_finish[j] if status[j] == 2 else ef[j]
                    task_finish_out[it, col] = _days(project_cal, v, base, day, inst.tab)
