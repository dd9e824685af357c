"""The levelling problem of a project on calendars, with date constraints and progress.

:func:`build_calendar_problem` gives the compiled
:class:`~pmsim._kernels.calendar_sgs.CalendarInstance`: the engine's dated
inputs (``pmsim.timeline.schedule_inputs``) with each task on the calendar
it works on (the CPM's: its own, else its resources', else the project's),
the work tables of those calendars, the profile's grid, the resources, and which tasks levelling
may move. The rules: ``docs/levelling.md`` (calendars, constraints, progress).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._kernels.calendar_profile import Grid
from .._kernels.calendar_sgs import CalendarInstance
from .._kernels.links import MIRROR
from .._kernels.worktime import MINUTES_PER_DAY, WorkTables
from ..cpm import Schedule, cpm
from ..errors import ValidationError
from ..model import Project
from ..timeline import Timeline, refuse_multi_calendar_tasks, schedule_inputs, timeline
from .problem import demand_matrix, kernel_demands

__all__ = ["CalendarProblem", "build_calendar_problem", "longer", "task_work"]

MAX_HORIZON_DAYS = 400 * 366


def task_work(inputs) -> np.ndarray:
    """The work each task still has to do (axis units): none once finished, a started task's remaining work
    (its whole duration by MS Project's rule), else its duration: ``dated._work`` over all tasks."""
    status, rule = inputs.status, inputs.rule
    work = np.where(status == 1, inputs.remaining if rule != 2 else inputs.dur, inputs.dur)
    return np.ascontiguousarray(np.where(status == 2, 0.0, work), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class CalendarProblem:
    """A project as the calendar levelling kernels see it (topological order)."""

    project: Project
    tl: Timeline
    days: np.ndarray  # durations, working days of each task's own calendar
    inst: CalendarInstance
    work: np.ndarray  # per task: work still to do (axis units)
    anchor: float  # the axis value of must_finish_by, or -inf
    resources: tuple[str, ...]  # the kernels' resource columns
    plain: object  # pmsim._kernels.sgs.Instance of the network, for the priority lists
    tie: np.ndarray
    cpm: dict  # early/late dates on the working calendars, no resources (axis), and the CPM schedule
    cal_day: np.ndarray  # per task: axis units per day of its own calendar (durations and floats)
    buffer: int  # size of the profile's scratch

    @property
    def n(self) -> int:
        return self.tl.net.n


# --------------------------------------------------------------------------- the grid


def _grid(tl: Timeline, tables: WorkTables, calendars: np.ndarray, span: float) -> Grid:
    """Atoms cut at every boundary of the ``calendars`` given, and at least once a day (axis units)."""
    width = 1.0 if tl.uniform else MINUTES_PER_DAY
    low = math.floor(min(0.0, -tl.base if tl.uniform else 0.0)) - (1.0 if tl.uniform else 0.0)
    points = [np.arange(low, span + width, width)]
    for c in np.unique(calendars[calendars >= 0]).tolist():
        a, b = tables.cal_ptr[c], tables.cal_ptr[c + 1]
        points += [tables.starts[a:b], tables.ends[a:b]]
    pts = np.unique(np.concatenate(points))
    pts = pts[(pts >= low) & (pts <= span)]
    if pts[-1] < span:
        pts = np.append(pts, span)
    first = np.searchsorted(pts, low + np.arange(int((pts[-1] - low) // width) + 2) * width, side="right") - 1
    return Grid(np.ascontiguousarray(pts), np.clip(first, 0, pts.size - 2).astype(np.int64), float(width))


# --------------------------------------------------------------------------- the problem


def _alap_floors(project: Project, tl: Timeline, schedule: Schedule, inputs) -> tuple[np.ndarray, np.ndarray]:
    """Start floors that keep as-late-as-possible tasks where CPM puts them (none for the others), and which
    tasks they move (``Dated.moved_late``)."""
    net = tl.net
    floor = inputs.start_floor.copy()
    alap = np.array([project.tasks[i].constraint == "ALAP" or project.tasks[i].secondary_constraint == "ALAP"
                     for i in net.project_index.tolist()], dtype=bool) & (inputs.status == 0)
    if alap.any() and schedule.timing is not None:
        early = net.to_topological(schedule.timing[1]["early_start"])
        floor = np.where(alap, np.maximum(floor, early), floor)
        return floor, alap
    return floor, np.zeros(net.n, dtype=bool)


def _succ_order(net):
    in_pred_order = np.empty(net.n_links, dtype=np.int64)
    in_pred_order[net.pred_link] = np.arange(net.n_links)
    return in_pred_order[net.succ_link]


def build_calendar_problem(project: Project, horizon_days: int | None = None, durations=None) -> CalendarProblem:
    """The levelling problem of ``project`` on its calendars (``horizon_days``: a longer calendar table)."""
    from .._kernels.dated import backward, forward
    from .._kernels.sgs import Instance
    from ..cpm import durations_array

    base_schedule = cpm(project, durations)
    tl = base_schedule.timing[0]
    refuse_multi_calendar_tasks(tl, "levelling")
    net = tl.net
    n = net.n
    days = durations_array(project, durations, net)
    if horizon_days is not None and not tl.uniform and horizon_days > tl.horizon_days:
        tl = timeline(project, horizon_days=horizon_days)
    inputs, anchor = schedule_inputs(tl, days)
    work = task_work(inputs)
    # How far a levelled schedule may reach: the CPM's reach and the resource work laid end to end.
    users = np.array([any(u > 0 for _, u in project.tasks[i].resources) for i in net.project_index.tolist()])
    cpm_finish = float(np.nanmax(np.where(np.isfinite(base_schedule.timing[1]["finish"]),
                                          base_schedule.timing[1]["finish"], -np.inf))) if n else 0.0
    if tl.uniform:  # working days of the one calendar
        span = max(max(cpm_finish, 0.0) + 3.0 * float(work[users].sum()) + 10.0, float(horizon_days or 0))
        if span > MAX_HORIZON_DAYS:
            raise ValidationError(f"Project {project.name!r}: the levelled schedule would reach beyond 400 years; "
                                  "check the durations, capacities and dates")
    else:  # elapsed minutes: the calendar tables' horizon (longer() doubles it when a schedule runs past)
        span = tl.horizon_days * MINUTES_PER_DAY
    tables = tl.tables
    cal_w = tl.task_calendar  # each task works on the calendar the CPM gives it (docs/levelling.md)
    # Levelled floats count on the calendar each task works on (a resource's too), as its durations do.
    alap_floor, moved_late = _alap_floors(project, tl, base_schedule, inputs)
    inputs_w = inputs._replace(task_cal=np.ascontiguousarray(cal_w, dtype=np.int64),
                               float_cal=np.ascontiguousarray(cal_w, dtype=np.int64),
                               start_floor=alap_floor, moved_late=moved_late)
    # Resources: only those some task demands get a column.
    # Demands count for every task that can take time: work left, or in the Monte Carlo a task not started
    # whose estimate or risks can give it some.
    at_risk = {tid for risk in project.risks for tid in risk.tasks}
    can_last = np.array([project.tasks[i].estimate.high > 0 or project.tasks[i].id in at_risk
                         for i in net.project_index.tolist()], dtype=bool) & (inputs.status == 0)
    res, demand, capacity = demand_matrix(project, net, np.where((work > 0) | can_last, 1.0, 0.0), check=True)
    used = demand.sum(axis=0) > 0
    res = tuple(r for r, u in zip(res, used) if u)
    demand, capacity = demand[:, used], capacity[used]
    rptr, ridx, kdemand, kcap, tol = kernel_demands(net, res, demand, capacity)
    status, rule = inputs.status, inputs.rule
    fixed = (status == 0) & (~np.isnan(inputs.fixed_start) | ~np.isnan(inputs.fixed_finish))
    pinned = fixed | (status > 0)
    pre = fixed | ((status > 0) & (rule != 0))
    by_succ = _succ_order(net)
    lag, link_cal, link_date = inputs.link_lag, tl.link_calendar, inputs.link_date
    resource_cals = cal_w[(rptr[1:] > rptr[:-1]) & ((work > 0) | can_last)]
    grid = _grid(tl, tables, resource_cals, span)
    c = lambda a, t=None: np.ascontiguousarray(a, dtype=t) if t else np.ascontiguousarray(a)  # noqa: E731
    inst = CalendarInstance(
        inp=inputs_w, pinned=c(pinned, np.bool_), pre=c(pre, np.bool_),
        pred_ptr=c(net.pred_ptr, np.int64), pred_idx=c(net.pred_idx, np.int64), pred_type=c(net.pred_type, np.int8),
        pred_lag=c(lag, np.float64), pred_cal=c(link_cal, np.int64), pred_date=c(link_date, np.float64),
        succ_ptr=c(net.succ_ptr, np.int64), succ_idx=c(net.succ_idx, np.int64), succ_type=c(net.succ_type, np.int8),
        succ_lag=c(lag[by_succ], np.float64), succ_cal=c(link_cal[by_succ], np.int64),
        succ_date=c(link_date[by_succ], np.float64),
        rptr=c(rptr, np.int64), ridx=c(ridx, np.int64), demand=c(kdemand, np.float64), cap=c(kcap, np.float64),
        tol=c(tol, np.float64), tab=tables, grid=grid,
    )
    plain = Instance(days, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag, net.succ_ptr, net.succ_idx,
                     net.succ_type, MIRROR[net.succ_type], net.succ_lag, rptr, ridx, kdemand, kcap, tol, 0)
    # The CPM dates on the working calendars, resources not counted: the early dates and the priorities.
    es, ef, rs, ls, lf = (np.empty(n) for _ in range(5))
    forward(inst.pred_ptr, inst.pred_idx, inst.pred_type, inst.pred_lag, inst.pred_cal, inputs_w, tables, es, ef, rs)
    finish = float(ef.max()) if n else 0.0
    end = finish if anchor == -np.inf else anchor
    backward(inst.succ_ptr, inst.succ_idx, inst.succ_type, inst.succ_lag, inst.succ_cal, inst.succ_date, inputs_w,
             tables, end, es, ef, rs, ls, lf)
    return CalendarProblem(
        project=project, tl=tl, days=days, inst=inst, work=work, anchor=float(anchor), resources=res,
        plain=plain, tie=net.project_index.astype(np.float64),
        cpm={"early_start": es, "early_finish": ef, "remaining_start": rs, "late_start": ls, "late_finish": lf,
             "finish": finish, "schedule": base_schedule},
        cal_day=np.asarray(tl.task_scale, dtype=np.float64), buffer=4 * n + 8,
    )


def longer(problem: CalendarProblem, durations=None) -> CalendarProblem:
    """The same problem on calendar tables and a grid twice as long (a levelled schedule ran past them)."""
    tl = problem.tl
    days = 2 * tl.horizon_days if not tl.uniform else 2 * int(math.ceil(problem.inst.grid.points[-1]))
    out = build_calendar_problem(problem.project, horizon_days=max(days, 2), durations=durations)
    if out.inst.grid.points[-1] <= problem.inst.grid.points[-1]:  # the tables end with the year 9999
        raise ValidationError(f"Project {problem.project.name!r}: the levelled schedule reaches beyond the last "
                              "date a calendar can hold; check the durations, capacities and dates")
    return out
