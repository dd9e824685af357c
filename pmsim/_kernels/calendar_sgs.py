"""The serial schedule-generation scheme on calendars, with date constraints and progress.

Times are on the engine's axis; each task works on its calendar
(``inst.inp.task_cal``, :mod:`.worktime`) and uses its resources only then
(:mod:`.calendar_profile`). A task's earliest start given its placed
predecessors follows the rules of :func:`pmsim._kernels.dated.forward`
(:func:`early_dates`); ``work[j]`` is the work it still has to do. Tasks that
``pinned`` marks are never moved for resources (finished and started work,
Must Start / Finish On); ``pre`` marks those whose dates depend on no other
task, placed before the list. Entry points: :func:`forward_sgs`,
:func:`backward_sgs` (right-justified, for late dates and justification),
:func:`clear` and :func:`fill`, :func:`held_back`, :func:`resource_free_float`.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .calendar_profile import (EPS, add_usage, atom_of, clear_usage, first_conflict, first_piece, last_conflict,
                               pieces, reset_pool, short_stretch, usage_range)
from .dated import _starts_next
from .links import from_finish, to_finish
from .worktime import add_work, lag_after, lag_before, last_finish, next_start, start_of_work, work_at

# ``inp``: the engine's Dated inputs with ``task_cal`` the calendar each task works on; links in the network's
# ``pred_*`` order (``pred_lag``, ``pred_cal``, ``pred_date``: Dated.link_lag, the lag calendars, Dated.link_date)
# and the same in ``succ_*`` order; resources as in pmsim._kernels.sgs.Instance; ``tab``: the work tables of the
# calendars, ``grid``: the profile's atoms (calendar_profile.Grid).
CalendarInstance = namedtuple(
    "CalendarInstance",
    "inp pinned pre pred_ptr pred_idx pred_type pred_lag pred_cal pred_date succ_ptr succ_idx succ_type succ_lag "
    "succ_cal succ_date rptr ridx demand cap tol tab grid",
)


@nb.njit(inline="always")
def uses_resources(inst, work, j):
    return work[j] > 0.0 and inst.rptr[j + 1] > inst.rptr[j]


@nb.njit(inline="always")
def early_dates(j, inst, work, es, ef):
    """(start links see, start of the work still to do, finish) of task ``j`` after its placed predecessors,
    by the rules of ``dated.forward``."""
    inp = inst.inp
    tab = inst.tab
    c = inp.task_cal[j]
    status = inp.status[j]
    if status == 2 and inp.rule == 2:
        return inp.actual_start[j], inp.actual_finish[j], inp.actual_finish[j]
    if status == 1 and inp.rule == 2:
        s = inp.actual_start[j]
        return s, s, add_work(c, s, work[j], tab)
    d = work[j]
    bound = inp.start_floor[j]
    if not (status > 0 and inp.rule == 1):
        for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
            i = inst.pred_idx[e]
            kind = inst.pred_type[e]
            date = inst.pred_date[e]
            if np.isnan(date):
                date = lag_after(inst.pred_cal[e], ef[i] if from_finish(kind) else es[i], inst.pred_lag[e], tab)
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
    if inp.status[j] == 2 and inp.rule != 2:  # P6: a finished task where it is given (dated.forward)
        return bound, bound, bound
    if d > 0.0 or _starts_next(inp, j):  # work, and a start milestone, wait for the next working moment
        bound = next_start(c, bound, tab)  # a start milestone finishes there too (dated.forward)
        return bound, bound, bound if d <= 0.0 and not inp.moved_late[j] else add_work(c, bound, d, tab)
    bound = last_finish(c, bound, tab)
    return bound, bound, bound


@nb.njit(inline="always")
def _link_binds_late(inp, s):
    """Does a link into task ``s`` bind its predecessor's late dates? (``dated.backward``'s rule)"""
    if inp.status[s] == 0:
        return True
    if inp.rule == 1:
        return False
    return not (inp.status[s] == 2 and inp.rule == 2)


@nb.njit(inline="always")
def latest_finish(j, inst, work, ls, lf, anchor):
    """The latest finish task ``j``'s placed successors and ``anchor`` allow (``dated.backward``'s links)."""
    inp = inst.inp
    tab = inst.tab
    c = inp.task_cal[j]
    d = work[j]
    f = anchor
    for e in range(inst.succ_ptr[j], inst.succ_ptr[j + 1]):
        s = inst.succ_idx[e]
        kind = inst.succ_type[e]
        if not _link_binds_late(inp, s) or not np.isnan(inst.succ_date[e]):
            continue
        date = lag_before(inst.succ_cal[e], lf[s] if to_finish(kind) else ls[s], inst.succ_lag[e], tab)
        if not from_finish(kind):
            date = add_work(c, date, d, tab)
        if date < f:
            f = date
    return f


@nb.njit(cache=True)
def clear(inst, work, prof, start, finish):
    """Empty the profile of a schedule's use (``start``/``finish``: where each task's remaining work lies)."""
    for j in range(work.shape[0]):
        if uses_resources(inst, work, j) and start[j] < finish[j]:
            clear_usage(prof, inst.grid, inst.inp.task_cal[j], start[j], finish[j], j, inst.rptr, inst.ridx,
                        inst.tab)
    reset_pool(prof)


@nb.njit(cache=True)
def fill(inst, work, prof, start, finish):
    """Put a schedule's use into an empty profile (``start``/``finish``: where each task's remaining work lies)."""
    for j in range(work.shape[0]):
        if uses_resources(inst, work, j) and start[j] < finish[j]:
            add_usage(prof, inst.grid, inst.inp.task_cal[j], start[j], finish[j], j, inst.rptr, inst.ridx,
                      inst.demand, inst.tab)


@nb.njit(cache=True)
def _fit_forward(j, c, t, d, inst, prof, buf):
    """The earliest start at or after ``t`` where task ``j`` fits (inf: past the grid); and its finish."""
    tab = inst.tab
    f = add_work(c, t, d, tab)
    while True:
        z = first_conflict(prof, inst.grid, c, t, f, j, inst.rptr, inst.ridx, inst.demand, inst.cap, inst.tol,
                           tab, buf)
        if z == -np.inf:
            return t, f
        if z == np.inf or not np.isfinite(f):
            return np.inf, np.inf
        t = next_start(c, z, tab)
        f = add_work(c, t, d, tab)


@nb.njit(cache=True)
def forward_sgs(order, inst, work, prof, buf, es, ef, rs):
    """Serial SGS: each task of ``order`` (predecessors first) at its earliest start where its resources have
    room; returns the finish (inf when a calendar table or the grid is too short). ``prof`` must be empty;
    it holds the schedule's use afterwards (``rs``..``ef``: where each task's remaining work lies)."""
    n = work.shape[0]
    inp = inst.inp
    for j in range(n):
        if inst.pre[j]:
            es[j], rs[j], ef[j] = early_dates(j, inst, work, es, ef)
            if uses_resources(inst, work, j):
                if not np.isfinite(ef[j]) or ef[j] > inst.grid.points[inst.grid.points.shape[0] - 1]:
                    return np.inf
                add_usage(prof, inst.grid, inp.task_cal[j], rs[j], ef[j], j, inst.rptr, inst.ridx, inst.demand,
                          inst.tab)
    finish = -np.inf
    for q in range(order.shape[0]):
        j = order[q]
        if not inst.pre[j]:
            a, s, f = early_dates(j, inst, work, es, ef)
            if uses_resources(inst, work, j):
                if not inst.pinned[j]:
                    s, f = _fit_forward(j, inp.task_cal[j], s, work[j], inst, prof, buf)
                    a = s
                if not np.isfinite(f) or f > inst.grid.points[inst.grid.points.shape[0] - 1]:
                    return np.inf
                add_usage(prof, inst.grid, inp.task_cal[j], s, f, j, inst.rptr, inst.ridx, inst.demand, inst.tab)
            es[j], rs[j], ef[j] = a, s, f
        if not np.isfinite(ef[j]):
            return np.inf
        if ef[j] > finish:
            finish = ef[j]
    return finish


@nb.njit(cache=True)
def backward_sgs(order, inst, work, anchor, prof, buf, rs, ef, ls, lf):
    """Serial SGS in reversed time: each task of ``order`` (successors first) at its latest finish by
    ``anchor`` where its resources have room; pinned tasks stay at ``rs``..``ef``. ``ls``/``lf``: the
    right-justified schedule. Returns its earliest start (-inf: it ran off the grid). ``prof`` must be empty."""
    n = work.shape[0]
    inp = inst.inp
    tab = inst.tab
    for j in range(n):
        if inst.pinned[j]:
            ls[j] = rs[j]
            lf[j] = ef[j]
            if uses_resources(inst, work, j):
                add_usage(prof, inst.grid, inp.task_cal[j], rs[j], ef[j], j, inst.rptr, inst.ridx, inst.demand,
                          tab)
    first = np.inf
    for q in range(order.shape[0]):
        j = order[q]
        if not inst.pinned[j]:
            c = inp.task_cal[j]
            d = work[j]
            # The end of the work done by then (a milestone too), as dated.backward has it.
            f = last_finish(c, latest_finish(j, inst, work, ls, lf, anchor), tab)
            s = start_of_work(c, f, d, tab) if d > 0.0 else f
            if uses_resources(inst, work, j):
                while True:
                    z = last_conflict(prof, inst.grid, c, s, f, j, inst.rptr, inst.ridx, inst.demand, inst.cap,
                                      inst.tol, tab, buf)
                    if z == np.inf:
                        break
                    if z == -np.inf:
                        return -np.inf
                    f = last_finish(c, z, tab)
                    s = start_of_work(c, f, d, tab)
                add_usage(prof, inst.grid, c, s, f, j, inst.rptr, inst.ridx, inst.demand, tab)
            ls[j] = s
            lf[j] = f
        if ls[j] < first:
            first = ls[j]
    return first


@nb.njit(cache=True)
def held_back(inst, work, prof, buf, es, ef, rs, est, driver, blocked):
    """Why each task starts when it does: ``est``, the start its placed predecessors and dates allow, set by
    ``driver`` (-1: a date or none); ``blocked[j, k]``: resource k lacked room for j somewhere in its working
    time between ``est[j]`` and its start. ``prof`` holds the schedule's use."""
    n = work.shape[0]
    inp = inst.inp
    tab = inst.tab
    tol = 1e-6
    for j in range(n):
        blocked[j, :] = False
        driver[j] = -1
        a, s, f = early_dates(j, inst, work, es, ef)
        est[j] = s
        c = inp.task_cal[j]
        d = work[j]
        best = -np.inf
        for e in range(inst.pred_ptr[j], inst.pred_ptr[j + 1]):
            if not np.isnan(inst.pred_date[e]) or (inp.status[j] > 0 and inp.rule == 1):
                continue
            i = inst.pred_idx[e]
            kind = inst.pred_type[e]
            date = lag_after(inst.pred_cal[e], ef[i] if from_finish(kind) else es[i], inst.pred_lag[e], tab)
            if to_finish(kind):
                date = start_of_work(c, date, d, tab)
            if not (inp.status[j] == 2 and inp.rule != 2):  # P6: a finished task where it is given
                date = next_start(c, date, tab) if d > 0.0 or _starts_next(inp, j) else last_finish(c, date, tab)
            if date >= s - tol and date > best:
                best = date
                driver[j] = i
        if rs[j] > s + tol and uses_resources(inst, work, j):
            k = first_piece(c, s, tab)
            while True:
                lo, hi = pieces(c, k, s, rs[j], tab)
                if lo >= rs[j] - EPS:
                    break
                k += 1
                if hi <= lo + EPS:
                    continue
                for e in range(inst.rptr[j], inst.rptr[j + 1]):
                    r = inst.ridx[e]
                    if not blocked[j, r] and _short(prof, inst, lo, hi, j, r, buf):
                        blocked[j, r] = True


@nb.njit(inline="always")
def _short(prof, inst, lo, hi, j, r, buf):
    """Does resource ``r`` lack room for task ``j`` at some moment of ``[lo, hi)``?"""
    return usage_range(prof, inst.grid, lo, hi, r, inst.demand, buf) + inst.demand[j, r] > inst.cap[r] + inst.tol[r]


@nb.njit(cache=True)
def resource_free_float(inst, work, prof, buf, rs, ef, out):
    """How far each task can slip, in working time of its calendar, the others staying put, before one of
    its resources runs short (inf: never within the grid). ``prof`` holds the schedule's use."""
    n = work.shape[0]
    inp = inst.inp
    tab = inst.tab
    grid = inst.grid
    end = grid.points[grid.points.shape[0] - 1]
    for j in range(n):
        out[j] = np.inf
        if not uses_resources(inst, work, j) or inst.pinned[j]:
            continue
        c = inp.task_cal[j]
        f = ef[j]
        # Past its finish the slipping task needs its units on top of the use (which holds it until then).
        k = first_piece(c, f, tab)
        while out[j] == np.inf:
            lo, hi = pieces(c, k, f, end, tab)
            if lo >= end - EPS:
                break
            k += 1
            if hi <= lo + EPS:
                continue
            a = atom_of(grid, lo)
            while grid.points[a] < hi - EPS:
                x = lo if lo > grid.points[a] else grid.points[a]
                y = hi if hi < grid.points[a + 1] else grid.points[a + 1]
                z0, z1 = short_stretch(prof, grid, a, x, y, j, inst.rptr, inst.ridx, inst.demand, inst.cap,
                                       inst.tol, buf, False)
                if z1 > -np.inf:
                    out[j] = max(work_at(c, max(z0, x), tab) - work_at(c, f, tab), 0.0)
                    break
                a += 1
