"""The critical path on calendars, with date constraints and progress: forward, backward, floats.

Times are on the engine's axis (see ``pmsim.timeline``); every task works on
its calendar and every lag on its own (:mod:`.worktime`; calendar ``-1`` is
the axis itself, where all this is plain addition). Inputs per task come in
a :data:`Dated` tuple: bounds from constraints are ``-inf`` / ``inf`` when
absent, fixed dates ``nan``; ``status`` is 0 (not started), 1 (in progress)
or 2 (finished). ``rule``: 0 retained logic, 1 progress override, 2 MS Project.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .links import from_finish, to_finish
from .worktime import add_work, lag_after, lag_before, last_finish, next_start, start_of_work, work_at

Dated = namedtuple(
    "Dated",
    "dur remaining task_cal start_floor finish_floor start_cap finish_cap fixed_start fixed_finish "
    "late_start_cap late_finish_cap status actual_start actual_finish rule honor",
)


@nb.njit(inline="always")
def _work(inp, j):
    """The work still to schedule: the remaining duration of a started task (its whole duration by
    MS Project's rule, where the work goes on from its actual start), else its duration."""
    return inp.remaining[j] if inp.status[j] == 1 and inp.rule != 2 else inp.dur[j]


@nb.njit(inline="always")
def _link_holds(inp, s):
    """Does a link into task ``s`` still bind? Not into a finished task, nor into a started one
    under progress override (its remaining work ignores its links)."""
    return inp.status[s] != 2 and not (inp.status[s] == 1 and inp.rule == 1)


@nb.njit(cache=True)
def forward(pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, es, ef, rs):
    """Early dates. ``es``/``ef``: the start and finish links see (a started task's actual start);
    ``rs``: where the work still to do starts (the early start of a task not started)."""
    n = inp.dur.shape[0]
    for j in range(n):
        c = inp.task_cal[j]
        status = inp.status[j]
        if status == 2:
            es[j] = inp.actual_start[j]
            ef[j] = inp.actual_finish[j]
            rs[j] = ef[j]
            continue
        if status == 1 and inp.rule == 2:  # MS Project: the work goes on from its actual start
            es[j] = inp.actual_start[j]
            rs[j] = es[j]
            ef[j] = add_work(c, es[j], inp.dur[j], tab)
            continue
        d = _work(inp, j)
        bound = inp.start_floor[j]
        if not (status == 1 and inp.rule == 1):  # progress override: a started task ignores its links
            for e in range(pred_ptr[j], pred_ptr[j + 1]):
                i = pred_idx[e]
                kind = pred_type[e]
                date = lag_after(link_cal[e], ef[i] if from_finish(kind) else es[i], lag[e], tab)
                if to_finish(kind):
                    date = start_of_work(c, date, d, tab)
                if date > bound:
                    bound = date
        if inp.finish_floor[j] > -np.inf:
            b = start_of_work(c, inp.finish_floor[j], d, tab)
            if b > bound:
                bound = b
        if inp.honor:
            if inp.start_cap[j] < bound:
                bound = inp.start_cap[j]
            if inp.finish_cap[j] < np.inf:
                b = start_of_work(c, inp.finish_cap[j], d, tab)
                if b < bound:
                    bound = b
        if status == 0:
            if not np.isnan(inp.fixed_start[j]):
                bound = inp.fixed_start[j]
            if not np.isnan(inp.fixed_finish[j]):
                bound = start_of_work(c, inp.fixed_finish[j], d, tab)
        if d > 0.0:
            bound = next_start(c, bound, tab)
            ef[j] = add_work(c, bound, d, tab)
        else:
            # A milestone sits at the end of the work its calendar has done by then (Friday 17:00, not the
            # Saturday its predecessor on a 24-hour calendar finished): the same moment in working time.
            bound = last_finish(c, bound, tab)
            ef[j] = bound
        rs[j] = bound
        es[j] = inp.actual_start[j] if status == 1 else bound


@nb.njit(cache=True)
def backward(succ_ptr, succ_idx, succ_type, lag, link_cal, inp, tab, finish_anchor, es, ef, rs, ls, lf):
    """Late dates against ``finish_anchor`` (the project finish, or the date it must finish by).

    ``ls``: the late start of the work still to do (a started task's remaining work)."""
    n = inp.dur.shape[0]
    for j in range(n - 1, -1, -1):
        c = inp.task_cal[j]
        status = inp.status[j]
        if status == 2:
            ls[j] = rs[j]
            lf[j] = ef[j]
            continue
        d = _work(inp, j)
        f = finish_anchor
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[e]
            kind = succ_type[e]
            if not _link_holds(inp, s):
                continue
            date = lag_before(link_cal[e], lf[s] if to_finish(kind) else ls[s], lag[e], tab)
            if not from_finish(kind):
                if status == 1:
                    continue  # this task's start is a fact
                date = add_work(c, date, d, tab)
            if date < f:
                f = date
        if inp.late_finish_cap[j] < f:
            f = inp.late_finish_cap[j]
        if inp.late_start_cap[j] < np.inf:
            b = add_work(c, inp.late_start_cap[j], d, tab)
            if b < f:
                f = b
        if status == 0:
            if not np.isnan(inp.fixed_finish[j]):
                f = inp.fixed_finish[j]
            if not np.isnan(inp.fixed_start[j]):
                f = add_work(c, inp.fixed_start[j], d, tab)
        if d > 0.0:
            f = last_finish(c, f, tab)
        lf[j] = f
        ls[j] = start_of_work(c, f, d, tab) if d > 0.0 else f


@nb.njit(cache=True)
def floats(inp, tab, rs, ef, ls, lf, start_float, finish_float):
    """Start and finish float of each task in working time of its calendar (axis units)."""
    n = inp.dur.shape[0]
    for j in range(n):
        if inp.status[j] == 2:
            start_float[j] = 0.0
            finish_float[j] = 0.0
            continue
        c = inp.task_cal[j]
        start_float[j] = work_at(c, ls[j], tab) - work_at(c, rs[j], tab)
        finish_float[j] = work_at(c, lf[j], tab) - work_at(c, ef[j], tab)


@nb.njit(cache=True)
def free_floats(succ_ptr, succ_idx, succ_type, lag, link_cal, inp, tab, project_finish, es, ef, rs, out):
    """How far each task can slip, in working time of its calendar, before any successor's early dates
    or the project finish move (never below 0)."""
    n = inp.dur.shape[0]
    for j in range(n):
        if inp.status[j] == 2:
            out[j] = 0.0
            continue
        c = inp.task_cal[j]
        own_finish = work_at(c, ef[j], tab)
        own_start = work_at(c, rs[j], tab)
        f = work_at(c, project_finish, tab) - own_finish
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_idx[e]
            kind = succ_type[e]
            if not _link_holds(inp, s):
                continue
            date = lag_before(link_cal[e], ef[s] if to_finish(kind) else rs[s], lag[e], tab)
            slack = work_at(c, date, tab) - (own_finish if from_finish(kind) else own_start)
            if slack < f:
                f = slack
        out[j] = f if f > 0.0 else 0.0
