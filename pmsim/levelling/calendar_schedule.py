"""What a levelled schedule on calendars says: late dates and floats that count the resources, why tasks moved.

:func:`calendar_levelled_schedule` turns levelled dates on the axis into the
:class:`~pmsim.cpm.Schedule`, as :func:`pmsim.levelling.floats.levelled_schedule`
does for plain projects: late dates are the earlier of the links' late dates
(against the levelled finish, or the must-finish-by date; late caps give
negative float) and the schedule right-justified under the capacities; free
float stops where a resource runs short; ``held_back`` says why each task
moved. Floats are in working days of each task's calendar.

Tasks levelling never moves (work already started, Must Start / Finish On)
may leave a resource over capacity, and levelling may move a task past a
start or finish no later than date it honours: each such task gets a
:class:`~pmsim.errors.PmsimWarning` naming it (:func:`conflicts`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .._kernels.calendar_profile import new_profile
from ..cpm import Schedule, schedule_on_timeline
from ..errors import PmsimWarning
from .calendar_heuristic import CalendarDates, _Passes
from .calendar_problem import CalendarProblem
from .floats import held_back_reasons

__all__ = ["calendar_levelled_schedule", "calendar_profile_of", "conflicts"]


def calendar_profile_of(problem: CalendarProblem, dates: CalendarDates):
    """A profile holding the use of a levelled schedule, and its scratch buffer."""
    from .._kernels.calendar_sgs import fill

    inst = problem.inst
    prof = new_profile(inst.grid.points.size - 1, inst.demand.shape[1], problem.n)
    fill(inst, problem.work, prof, dates.rs, dates.ef)
    return prof, np.empty(problem.buffer)


def _work_between(problem: CalendarProblem, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working time of each task's calendar from ``a`` to ``b``, in working days of its own calendar."""
    tab, cal = problem.inst.tab, problem.inst.inp.task_cal
    out = b - a
    for c in np.unique(cal[cal >= 0]).tolist():
        rows = cal == c
        lo, hi = tab.cal_ptr[c], tab.cal_ptr[c + 1]
        starts, ends, done = tab.starts[lo:hi], tab.ends[lo:hi], tab.done[lo:hi]
        out[rows] = _work_at(starts, ends, done, b[rows]) - _work_at(starts, ends, done, a[rows])
    return out / problem.cal_day


def _work_at(starts, ends, done, t):
    k = np.clip(np.searchsorted(ends, t, side="left"), 0, starts.size - 1)
    inside = np.clip(t - starts[k], 0.0, ends[k] - starts[k])
    return np.where(t >= ends[-1], done[-1] + ends[-1] - starts[-1], done[k] + inside)


def calendar_levelled_schedule(problem: CalendarProblem, dates: CalendarDates, **report) -> Schedule:
    """The levelled :class:`~pmsim.cpm.Schedule` of ``dates`` (see the module notes)."""
    from .._kernels.calendar_sgs import held_back, resource_free_float
    from .._kernels.dated import backward, floats, free_floats

    project, tl, inst, work = problem.project, problem.tl, problem.inst, problem.work
    inp, net, n = inst.inp, tl.net, problem.n
    es, ef, rs, finish = dates.es, dates.ef, dates.rs, dates.finish
    prof, buf = calendar_profile_of(problem, dates)
    for message in conflicts(problem, dates, prof, buf):
        warnings.warn(message, PmsimWarning, stacklevel=4)
    est, driver = np.empty(n), np.empty(n, dtype=np.int64)
    blocked = np.zeros((n, inst.demand.shape[1]), dtype=np.bool_)
    held_back(inst, work, prof, buf, es, ef, rs, est, driver, blocked)
    own_free = np.empty(n)
    resource_free_float(inst, work, prof, buf, rs, ef, own_free)
    # Late dates: the links' (against the finish or the must-finish-by date) and the schedule right-justified.
    ls, lf = np.empty(n), np.empty(n)
    anchor = finish if problem.anchor == -np.inf else problem.anchor
    backward(inst.succ_ptr, inst.succ_idx, inst.succ_type, inst.succ_lag, inst.succ_cal, inst.succ_date, inp,
             inst.tab, anchor, es, ef, rs, ls, lf)
    passes = _Passes(problem)
    ls_r, lf_r = np.empty(n), np.empty(n)
    if n and passes.backward(passes.order_by(-ef, True), dates, ls_r, lf_r, anchor):
        # A right-justified task never starts before its levelled start (Valls et al. 2005), rounding aside;
        # tasks levelling does not move keep the late dates of their links.
        early = ls_r < rs
        ls_r, lf_r = np.where(early, rs, ls_r), np.where(early, ef, lf_r)
        tighter = (ls_r < ls) & ~inst.pinned
        ls, lf = np.where(tighter, ls_r, ls), np.where(tighter, lf_r, lf)
    start_float, finish_float = np.empty(n), np.empty(n)
    floats(inp, inst.tab, rs, ef, ls, lf, start_float, finish_float)
    link_free = np.empty(n)
    free_floats(inst.succ_ptr, inst.succ_idx, inst.succ_type, inst.succ_lag, inst.succ_cal, inst.succ_date, inp,
                inst.tab, finish, es, ef, rs, link_free)
    total = {"start": start_float, "finish": finish_float,
             "smallest": np.minimum(start_float, finish_float)}[project.total_float]
    total = np.where(inp.status == 1, finish_float, total) / problem.cal_day
    free = np.minimum(link_free, own_free) / problem.cal_day
    status = inp.status
    axis = {"start": np.where(status > 0, inp.actual_start, rs), "finish": np.where(status == 2, inp.actual_finish, ef),
            "early_start": problem.cpm["remaining_start"], "early_finish": problem.cpm["early_finish"],
            "late_start": ls, "late_finish": lf}
    held = _held_back(problem, dates, est, driver, blocked)
    delay = float(tl.working_days(np.array([finish]))[0]) - problem.cpm["schedule"].makespan if n else 0.0
    return schedule_on_timeline(project, tl, problem.days, axis, finish, total, free, kind="levelled",
                                held_back=held, delay=delay, **report)


def _held_back(problem: CalendarProblem, dates: CalendarDates, est, driver, blocked) -> pd.DataFrame:
    """For each task starting later than its CPM early start: how much later (working days of its calendar),
    how much of that it waited for resources itself, which resources, and the predecessor that pushed it."""
    net = problem.tl.net
    early = problem.cpm["remaining_start"]
    rs = dates.rs
    delay = _work_between(problem, early, np.maximum(rs, early))
    own = _work_between(problem, np.minimum(est, rs), rs)
    tol = 1e-6
    moved = delay > tol
    pushed = (driver >= 0) & (_work_between(problem, early, np.maximum(est, early)) > tol)
    names_of, via = held_back_reasons(problem.resources, net.ids, moved, pushed, driver, blocked)
    rows = [k for k in np.argsort(net.project_index, kind="stable") if moved[k]]
    own = np.where(own > tol, own, 0.0)
    return pd.DataFrame(
        {"delay": delay[rows], "own_delay": own[rows], "resources": [names_of[k] for k in rows],
         "via": [via[k] for k in rows]},
        index=pd.Index([net.ids[k] for k in rows], name="id", dtype=object),
    )


def _moment(problem: CalendarProblem, t: float, finish: bool) -> str:
    return str(problem.tl.times(np.array([t]), finish)[0]).replace("T", " ")


def conflicts(problem: CalendarProblem, dates: CalendarDates, prof, buf) -> list[str]:
    """What a levelled schedule breaks, one message per task: a task levelling may not move (started,
    Must Start / Finish On) using more of a resource than is left where it sits, and a start or finish
    no later than date that holds (``honor_constraints``) passed. ``prof`` holds the schedule's use."""
    from .._kernels.calendar_profile import add_usage, first_conflict, remove_usage

    inst, work, tl = problem.inst, problem.work, problem.tl
    inp, ids = inst.inp, tl.net.ids
    out = []
    for j in np.argsort(tl.net.project_index, kind="stable").tolist():
        c, s, f = int(inp.task_cal[j]), dates.rs[j], dates.ef[j]
        if inst.pinned[j] and work[j] > 0 and inst.rptr[j + 1] > inst.rptr[j]:
            args = (inst.grid, c, s, f, j, inst.rptr, inst.ridx, inst.demand)
            remove_usage(prof, *args, inst.tab)
            short = first_conflict(prof, *args, inst.cap, inst.tol, inst.tab, buf) != -np.inf
            add_usage(prof, *args, inst.tab)
            if short:
                names = ", ".join(problem.resources[inst.ridx[e]] for e in range(inst.rptr[j], inst.rptr[j + 1]))
                why = "its work has started" if inp.status[j] > 0 else "it must start or finish on its date"
                out.append(f"Task {ids[j]!r}: levelling keeps it where it is ({why}), so {names} is over capacity "
                           f"between {_moment(problem, s, False)} and {_moment(problem, f, True)}")
        if not inp.honor or inst.pinned[j]:
            continue
        tol = 1e-6 * max(1.0, problem.cal_day[j])
        if s > inp.start_cap[j] + tol:
            out.append(f"Task {ids[j]!r}: levelling starts it at {_moment(problem, s, False)}, after its start no "
                       f"later than {_moment(problem, inp.start_cap[j], False)} (its resources have no room before)")
        elif f > inp.finish_cap[j] + tol:
            out.append(f"Task {ids[j]!r}: levelling finishes it at {_moment(problem, f, True)}, after its finish "
                       f"no later than {_moment(problem, inp.finish_cap[j], True)} (its resources have no room "
                       "before)")
    return out
