"""The Monte Carlo forward pass on calendars, with date constraints and progress.

The same sampling as :mod:`.montecarlo` (the same numbers). Each task's
dates are kept in working minutes of its own calendar ("work time"), where
starting at the next working moment is free and a task lasts ``start + d``:
a link between two tasks of one calendar (its lag on that calendar too) is
plain addition over a chunk of iterations, and only a link that crosses
calendars goes through elapsed time (:mod:`.worktime`), one iteration at a
time. The rules are those of :func:`pmsim._kernels.dated.forward`; each
iteration's finish leaves as working days of the project calendar. Entry
point: :func:`simulate_dated`.
"""

from collections import namedtuple

import numba as nb
import numpy as np

from .crossmap import cross_link
from .dated import _add_work, _next_start, _start_of_work
from .links import from_finish, to_finish
from .montecarlo import _durations, absent, add_rate_costs
from .worktime import lag_after, last_finish, time_at, work_at

_TOL = 1e-6

# Per task (topological order), in work time of its calendar: the bounds of Dated (pmsim._kernels.dated),
# the actual dates; per link: ``same[e]``, both ends and the lag on one calendar (plain addition), and
# ``link_date[e]``, the date a fact gives the link (Dated.link_date) in work time of its successor (nan: none).
# ``extra``: time added to the scaled sample (a started milestone's remaining work, a split task's gaps);
# ``earliest``: the earliest work time MS Project's rule lets a task reach (P6's rules: 0, the axis origin);
# ``delay``: a levelling delay in axis units of calendar ``delay_cal`` (Dated.delay), after the links' start.
# A task whose resources work on several calendars (``asg_ptr[j] .. asg_ptr[j + 1]``: each assignment's calendar
# ``asg_cal`` and share of the work ``asg_share``, Dated's) keeps its dates and bounds in axis time (its
# ``task_cal`` is -1, the axis): it starts with its first assignment and finishes with its last, and a
# milestone among them sits at the end of the work of ``own_cal``, its own calendar (see :func:`_multi_rows`).
# A task finished under P6's rules keeps its dates in axis time too (:func:`_finished_rows`). ``start_milestone``:
# with no work, at the next working moment (P6's start milestone, and its started task with no work left).
WorkInputs = namedtuple(
    "WorkInputs",
    "task_cal start_floor finish_floor start_cap finish_cap fixed_start fixed_finish status actual_start "
    "actual_finish rule honor same link_date extra start_milestone earliest delay delay_cal "
    "asg_ptr asg_cal asg_share own_cal",
)


@nb.njit(inline="always")
def _task_work(dur, j, t, s, inp):
    """Task ``j``'s work in iteration row ``t``: its sampled duration scaled to its calendar (and to the
    share of work left of a started task), plus ``extra``: a started milestone's remaining work, a split task's gaps."""
    return np.float64(dur[j, t]) * s + inp.extra[j]


@nb.njit(inline="always")
def _crossing(e, i, j, kind, anchor, zero_i, lag, link_cal, inp, tab, maps):
    """The work time on ``j``'s calendar that link ``e`` from ``i`` gives for ``anchor`` (a work time on ``i``'s
    calendar; a finish, or a milestone, at the end of its work, a start, or a start milestone, at its next
    moment): through the calendar pair's map (:mod:`.crossmap`), or through elapsed time when its lag counts on a
    third calendar."""
    finish = not inp.start_milestone[i] if zero_i else from_finish(kind)
    if maps.link_map[e] >= 0:
        return cross_link(e, anchor, finish, lag[e], maps)
    t = time_at(inp.task_cal[i], anchor, finish, tab)
    return work_at(inp.task_cal[j], lag_after(link_cal[e], t, lag[e], tab), tab)


@nb.njit(inline="always")
def _multi(inp, j):
    """Whether task ``j``'s resources work on several calendars (its dates in axis time)."""
    return inp.asg_ptr[j + 1] > inp.asg_ptr[j]


@nb.njit(cache=True)
def _multi_start(inp, j, w, back, d, tab):
    """The start a link's date ``w`` (axis time) gives multi-calendar task ``j`` with work ``d``: the start
    that finishes by ``w`` for a finish link (``back``), then the first working moment of its assignments."""
    if back:
        w = _start_of_work(inp, j, -1, w, d, tab)
    if d > 0.0 or inp.start_milestone[j]:
        return _next_start(inp, j, -1, w, tab)
    return w


@nb.njit(inline="always")
def _links_bound(j, t, c, d, bound, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es,
                 ef):
    """The latest start, from ``bound`` up, that the links into task ``j`` (dates in axis time, work ``d`` on
    calendar ``c``) give it in row ``t``: a finish link's date is where that work ends."""
    for e in range(pred_ptr[j], pred_ptr[j + 1]):
        i = pred_idx[e]
        kind = pred_type[e]
        w = inp.link_date[e]
        if np.isnan(w):
            anchor = ef[i, t] if from_finish(kind) else es[i, t]
            if inp.same[e]:
                w = anchor + lag[e]
            else:
                w = _crossing(e, i, j, kind, anchor, _task_work(dur, i, t, scale[i], inp) <= 0.0, lag, link_cal,
                              inp, tab, maps)
        if to_finish(kind):
            w = _start_of_work(inp, j, c, w, d, tab)
        if w > bound:
            bound = w
    return bound


@nb.njit(cache=True)
def _multi_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef):
    """Early start and finish (axis time) of task ``j``, whose resources work on several calendars, in rows
    ``0 .. m - 1``: the rules of :func:`pmsim._kernels.dated.forward` (each assignment does its share on its own
    calendar; a manually scheduled task typed outside working time is not stretched here), iteration by
    iteration."""
    s = scale[j]
    status = inp.status[j]
    lowest = inp.earliest if inp.rule == 2 else 0.0
    for t in range(m):
        d = _task_work(dur, j, t, s, inp)
        if status == 2 and inp.rule == 2:  # MS Project: history
            es[j, t] = inp.actual_start[j]
            ef[j, t] = inp.actual_finish[j]
            continue
        if status == 1 and inp.rule == 2:  # MS Project: the work goes on from its actual start
            es[j, t] = inp.actual_start[j]
            ef[j, t] = _add_work(inp, j, -1, inp.actual_start[j], d, tab)
            continue
        bound = inp.start_floor[j]
        if not (status > 0 and inp.rule == 1):
            bound = _links_bound(j, t, -1, d, bound, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp,
                                 tab, maps, es, ef)
        if inp.delay[j] > 0.0 and status == 0:
            bound = lag_after(inp.delay_cal[j], _next_start(inp, j, -1, bound, tab), inp.delay[j], tab)
        if inp.finish_floor[j] > -np.inf:
            bound = max(bound, _start_of_work(inp, j, -1, inp.finish_floor[j], d, tab))
        if inp.honor:
            bound = min(bound, inp.start_cap[j])
            if inp.finish_cap[j] < np.inf:
                bound = min(bound, _start_of_work(inp, j, -1, inp.finish_cap[j], d, tab))
        if status == 0:
            if not np.isnan(inp.fixed_start[j]):
                bound = inp.fixed_start[j]
            if not np.isnan(inp.fixed_finish[j]):
                bound = _start_of_work(inp, j, -1, inp.fixed_finish[j], d, tab)
        if bound < lowest:
            bound = lowest
        if d > 0.0 or inp.start_milestone[j]:
            bound = _next_start(inp, j, -1, bound, tab)
            ef[j, t] = _add_work(inp, j, -1, bound, d, tab)
        else:  # a milestone: at the end of the work its own calendar has done by then (dated.forward)
            bound = last_finish(inp.own_cal[j], bound, tab)
            ef[j, t] = bound
        es[j, t] = bound


@nb.njit(cache=True)
def _finished_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef):
    """P6's rules: finished task ``j`` (no work left; its dates in axis time, see the plan) at the very moment its
    links and the data date give it in rows ``0 .. m - 1``, as :func:`pmsim._kernels.dated.forward` puts it (a
    finish link: the next working moment of its own calendar, the start of no work that ends there)."""
    c = inp.own_cal[j]
    for t in range(m):
        bound = inp.start_floor[j]
        if inp.rule != 1:  # progress override: a task with progress ignores its links
            bound = _links_bound(j, t, c, 0.0, bound, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp,
                                 tab, maps, es, ef)
        if inp.finish_floor[j] > -np.inf:
            bound = max(bound, _start_of_work(inp, j, c, inp.finish_floor[j], 0.0, tab))
        if inp.honor:
            bound = min(bound, inp.start_cap[j])
            if inp.finish_cap[j] < np.inf:
                bound = min(bound, _start_of_work(inp, j, c, inp.finish_cap[j], 0.0, tab))
        es[j, t] = bound
        ef[j, t] = bound


@nb.njit(inline="always")
def _task_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef):
    """Early start and finish (work time of its calendar) of task ``j`` in rows ``0 .. m - 1``."""
    if inp.status[j] == 2 and inp.rule != 2:
        _finished_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef)
        return
    if _multi(inp, j):
        _multi_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef)
        return
    s = scale[j]
    status = inp.status[j]
    if status == 2 and inp.rule == 2:  # MS Project: history (P6: no work left, scaled to zero by the plan)
        for t in range(m):
            es[j, t] = inp.actual_start[j]
            ef[j, t] = inp.actual_finish[j]
        return
    if status == 1 and inp.rule == 2:
        for t in range(m):
            es[j, t] = inp.actual_start[j]
            ef[j, t] = inp.actual_start[j] + _task_work(dur, j, t, s, inp)
        return
    floor = inp.start_floor[j]
    for t in range(m):
        es[j, t] = floor
    if not (status > 0 and inp.rule == 1):
        for e in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[e]
            kind = pred_type[e]
            anchors = ef if from_finish(kind) else es
            back = to_finish(kind)
            fact = inp.link_date[e]
            if not np.isnan(fact):
                for t in range(m):
                    w = fact
                    if back:
                        w -= _task_work(dur, j, t, s, inp)
                    if w > es[j, t]:
                        es[j, t] = w
            elif inp.same[e]:
                lg = lag[e]
                if back:
                    for t in range(m):
                        es[j, t] = max(es[j, t], anchors[i, t] + lg - _task_work(dur, j, t, s, inp))
                else:
                    for t in range(m):
                        es[j, t] = max(es[j, t], anchors[i, t] + lg)
            else:
                si = scale[i]
                for t in range(m):
                    w = _crossing(e, i, j, kind, anchors[i, t], _task_work(dur, i, t, si, inp) <= 0.0, lag, link_cal, inp, tab,
                                  maps)
                    if back:
                        w -= _task_work(dur, j, t, s, inp)
                    if w > es[j, t]:
                        es[j, t] = w
    if inp.delay[j] > 0.0 and status == 0:
        c = inp.task_cal[j]
        for t in range(m):  # MS Project's levelling delay, from the next working moment the links allow
            moment = lag_after(inp.delay_cal[j], time_at(c, es[j, t], False, tab), inp.delay[j], tab)
            es[j, t] = work_at(c, moment, tab)
    finish_floor = inp.finish_floor[j]
    start_cap = inp.start_cap[j]
    finish_cap = inp.finish_cap[j]
    fixed_start = inp.fixed_start[j]
    fixed_finish = inp.fixed_finish[j]
    if (not finish_floor > -np.inf and not (inp.honor and (start_cap < np.inf or finish_cap < np.inf))
            and (status != 0 or np.isnan(fixed_start) and np.isnan(fixed_finish))):
        lowest = inp.earliest if inp.rule == 2 else 0.0
        for t in range(m):  # no date bounds the task: the links' start (never before the axis; MS Project's rule:
            bound = max(es[j, t], lowest)  # the earliest time it lets a task reach)
            es[j, t] = bound
            ef[j, t] = bound + _task_work(dur, j, t, s, inp)
        return
    for t in range(m):
        d = _task_work(dur, j, t, s, inp)
        bound = es[j, t]
        if finish_floor - d > bound:
            bound = finish_floor - d
        if inp.honor:
            if start_cap < bound:
                bound = start_cap
            if finish_cap - d < bound:
                bound = finish_cap - d
        if status == 0:
            if not np.isnan(fixed_start):
                bound = fixed_start
            if not np.isnan(fixed_finish):
                bound = fixed_finish - d
        lowest = inp.earliest if inp.rule == 2 else 0.0
        if bound < lowest:
            bound = lowest
        ef[j, t] = bound + d
        es[j, t] = bound  # a started task's remaining work (its start links run from there, P6)


@nb.njit(cache=True, parallel=True)
def simulate_dated(
    first, count, chunk,
    pred_ptr, pred_idx, pred_type, lag, link_cal, candidates,
    stream, kind, param, tables, disc_val, disc_cum,
    corr_col, corr_u, corr_first,
    risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
    override_mask, override_value, daily, rate_ptr, rate_row, rate_w, rate_dev, rate_first,
    inp, scale, tab, maps, project_cal, project_base, project_day,
    with_criticality, keep_start, keep_finish, project_column,
    es_scratch, ef_scratch, dur_scratch, flag_scratch, any_scratch, u_scratch, fin_scratch, cost_scratch,
    finish_out, cost_out, crit_counts, start_out, task_finish_out,
):
    """Sample and schedule iterations ``first ..``: finishes in working days of the project calendar
    (``(work_at(project_cal, t) - project_base) / project_day``), costs, criticality, task dates."""
    n = pred_ptr.shape[0] - 1
    n_cal = tab.cal_ptr.shape[0]  # calendars with tables, and one more slot for the axis itself (-1)
    n_chunks = (count + chunk - 1) // chunk
    for c in nb.prange(n_chunks):
        tid = nb.get_thread_id()
        es = es_scratch[tid]
        ef = ef_scratch[tid]
        dur = dur_scratch[tid]
        ubuf = u_scratch[tid]
        fin = fin_scratch[tid]
        cst = cost_scratch[tid]
        a = c * chunk
        m = min(chunk, count - a)
        it0 = first + a
        for t in range(m):
            cst[t] = 0.0
        for j in range(n):
            _durations(j, it0, m, stream, kind, param, tables, disc_val, disc_cum,
                       corr_col, corr_u, corr_first, risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
                       override_mask, override_value, True, ubuf, dur, j, 0)
            _task_rows(j, m, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps, es, ef)
            w = daily[j]
            if w != 0.0:
                for t in range(m):
                    cst[t] += w * dur[j, t]
            add_rate_costs(j, m, it0 - rate_first, dur[j], rate_ptr, rate_row, rate_w, rate_dev, cst)
        # The finish: the latest work time of the candidates on each calendar, then one lookup per calendar.
        latest = np.full((n_cal, m), -np.inf)
        for q in range(candidates.shape[0]):
            j = candidates[q]
            slot = inp.task_cal[j] + 1
            for t in range(m):
                if ef[j, t] > latest[slot, t]:
                    latest[slot, t] = ef[j, t]
        for t in range(m):
            f = -np.inf
            for slot in range(n_cal):
                if latest[slot, t] > -np.inf:
                    v = time_at(slot - 1, latest[slot, t], True, tab)
                    if v > f:
                        f = v
            fin[t] = f
            finish_out[a + t] = np.float32((work_at(project_cal, f, tab) - project_base) / project_day)
            cost_out[a + t] = cst[t]
        if keep_start or keep_finish:
            for j in range(n):
                col = project_column[j]
                if col < 0:  # its dates are not kept
                    continue
                cj = inp.task_cal[j]
                for t in range(m):
                    if keep_start:
                        zero = _task_work(dur, j, t, scale[j], inp) <= 0.0 and not inp.start_milestone[j]
                        v = inp.actual_start[j] if inp.status[j] > 0 else es[j, t]
                        v = work_at(project_cal, time_at(cj, v, zero, tab), tab)
                        start_out[a + t, col] = np.float32((v - project_base) / project_day)
                    if keep_finish:  # a start milestone (or P6's started task with no work left) at its start
                        v = inp.actual_finish[j] if inp.status[j] == 2 else ef[j, t]
                        end = not (inp.start_milestone[j] and _task_work(dur, j, t, scale[j], inp) <= 0.0)
                        v = work_at(project_cal, time_at(cj, v, end, tab), tab)
                        task_finish_out[a + t, col] = np.float32((v - project_base) / project_day)
        if with_criticality:
            _criticality(n, m, n_cal, fin, es, ef, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp,
                         tab, maps, candidates, flag_scratch[tid], any_scratch[tid], crit_counts[tid])


@nb.njit(inline="always")
def _criticality(n, m, n_cal, fin, es, ef, dur, scale, pred_ptr, pred_idx, pred_type, lag, link_cal, inp, tab, maps,
                 candidates, flag, anyflag, counts):
    """Per task, the chunk's iterations in which it is on a driving chain into the finish.

    ``flag`` (tasks x chunk) is all False on entry and on exit."""
    # A candidate finishes last when its work time reaches the work its calendar has done by the finish.
    reach = np.empty((n_cal, m))
    for slot in range(n_cal):
        for t in range(m):
            reach[slot, t] = work_at(slot - 1, fin[t], tab)
    for q in range(candidates.shape[0]):
        j = candidates[q]
        slot = inp.task_cal[j] + 1
        hit = False
        for t in range(m):
            r = reach[slot, t]
            on = ef[j, t] >= r - _TOL * max(1.0, abs(r))
            flag[j, t] = on
            hit |= on
        anyflag[j] = hit
    for j in range(n - 1, -1, -1):
        if not anyflag[j]:
            continue
        anyflag[j] = False
        total = 0
        for t in range(m):
            total += flag[j, t] and not absent(dur[j, t])  # a task counts only where it exists
        counts[j] += total
        if inp.status[j] == 2 or (inp.status[j] == 1 and inp.rule != 0):
            for t in range(m):
                flag[j, t] = False
            continue
        started = inp.status[j] == 1
        s = scale[j]
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            if not np.isnan(inp.link_date[k]):
                continue  # a fact drives, not the predecessor
            i = pred_idx[k]
            link_type = pred_type[k]
            anchors = ef if from_finish(link_type) else es
            back = to_finish(link_type)
            hit = False
            for t in range(m):
                if not flag[j, t]:
                    continue
                # The forward pass's rule: a driving link gives exactly the task's (remaining work's) start.
                d = _task_work(dur, j, t, s, inp)
                if inp.same[k]:
                    w = anchors[i, t] + lag[k]
                else:
                    w = _crossing(k, i, j, link_type, anchors[i, t], _task_work(dur, i, t, scale[i], inp) <= 0.0, lag, link_cal,
                                  inp, tab, maps)
                if _multi(inp, j):
                    w = _multi_start(inp, j, w, back, d, tab)
                elif back:
                    w -= d
                own = ef[j, t] - d if started else es[j, t]
                if w >= own - _TOL * max(1.0, abs(own)):
                    flag[i, t] = True
                    hit = True
            if hit:
                anyflag[i] = True
        for t in range(m):
            flag[j, t] = False
