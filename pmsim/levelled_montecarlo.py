"""The levelled Monte Carlo: every iteration's sampled durations levelled under the resource capacities.

:func:`levelled_scheduler` gives the batch scheduler that
``simulate(..., levelled=True)`` hands to the engine
(:func:`pmsim.montecarlo.runner.run`): the serial schedule-generation scheme
with one fixed priority list, the order of start of the deterministic
levelled plan (:func:`levelled_plan`), so that with planned durations an
iteration reproduces that plan. Iterations run in compiled code, in parallel.

Criticality counts, per iteration, the tasks on a chain of binding links or
resource hand-overs (a task that waited for a resource is driven by the
tasks that free that resource exactly when it starts) that ends at the
project finish.

On calendars, with date constraints or progress (:class:`CalendarLevelledScheduler`) each
iteration's work is levelled on the dated engine's axis by the serial scheme in the list that gives
the deterministic plan (:func:`pmsim.levelling.level_on_calendars`), with the plan's rules: each task
on its calendar, nothing before the data date, started and finished work where it is.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ._cache import cached
from ._kernels import launching
from .cpm import Schedule
from .levelling import level
from .levelling.solve import level_on_calendars
from .levelling.problem import build_problem, demand_matrix, kernel_demands
from .model import Project
from .montecarlo.plan import Plan
from .montecarlo.runner import Batch, Outputs, duration_cost, sample_durations
from .network import network

__all__ = ["levelled_plan", "levelled_scheduler", "LevelledScheduler", "CalendarLevelledScheduler"]

_NONE2 = np.zeros((1, 1), dtype=np.float32)


def _calendar_plan_of(project: Project):
    """``level_on_calendars(project)`` with its defaults, once per Project object."""
    return cached(project, "levelled calendar plan", lambda: level_on_calendars(project))


def _plan_of(project: Project) -> Schedule:
    from .timeline import plain_schedule

    if not plain_schedule(project):
        return _calendar_plan_of(project)[0]
    return cached(project, "levelled plan", lambda: level(project))


def levelled_plan(project: Project) -> Schedule:
    """``level(project)`` with its defaults, computed once per Project object (a copy is returned).

    The levelled Monte Carlo, its regenerated task dates and the budget
    burn's plan all follow this schedule. Projects are frozen and the
    defaults fix the seed, so an object's result never changes.
    """
    return _plan_of(project).copy()


@dataclass(frozen=True, eq=False)
class LevelledScheduler:
    """The batch scheduler of a levelled run (picklable: a Simulation carries it to other processes).

    ``plan`` is the deterministic levelled plan whose order of start every
    iteration follows; the arrays are the demands of the compiled kernel.
    """

    plan: Schedule
    order: np.ndarray
    rptr: np.ndarray
    ridx: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    tolerance: np.ndarray

    def __call__(self, plan: Plan, batch: Batch, out: Outputs) -> None:
        from ._kernels.levelled_montecarlo import levelled_iterations

        net = plan.net
        durations = np.ascontiguousarray(sample_durations(plan, batch))
        sl = out.rows(batch)
        with launching():
            levelled_iterations(
                durations, self.order, plan.release, net.pred_ptr, net.pred_idx, net.pred_type, plan.pred_lag,
                plan.candidates, self.rptr, self.ridx, self.demand, self.capacity, self.tolerance,
                plan.project_column, out.task_start is not None, out.task_finish is not None,
                out.finish[sl], out.crit_counts,
                _NONE2 if out.task_start is None else out.task_start[sl],
                _NONE2 if out.task_finish is None else out.task_finish[sl],
            )
        out.cost[sl] = duration_cost(plan, durations, batch.rate_dev)


def levelled_scheduler(project: Project, plan: Plan) -> LevelledScheduler:
    """The scheduler of ``simulate(project, ..., levelled=True)`` for the engine's ``plan`` of ``project``.

    Without calendars it depends on the project alone (its network, demands and levelled plan): built once per
    Project object, with read-only arrays."""
    if plan.dated is not None:
        return _calendar_scheduler(project, plan)
    if plan.net is network(project):
        return cached(project, "levelled scheduler", lambda: _plain_scheduler(project, plan))
    return _plain_scheduler(project, plan)


def _plain_scheduler(project: Project, plan: Plan) -> LevelledScheduler:
    from ._kernels.sgs import priority_list, workspace

    net = plan.net
    # Demands count for every task that can take time in some iteration.
    can_last = np.array([project.tasks[i].estimate.high > 0 for i in net.project_index], dtype=bool)
    for risk in project.risks:
        for tid in risk.tasks:
            can_last[net.position[tid]] = True
    rptr, ridx, demand, cap, tol = kernel_demands(
        net, *demand_matrix(project, net, np.where(can_last, 1.0, 0.0), check=True))
    base = _plan_of(project)
    problem = build_problem(project)
    start = net.to_topological(base.table.loc[list(project.task_ids), "start"].to_numpy(dtype=np.float64))
    order = np.empty(net.n, dtype=np.int64)
    priority_list(start, problem.tie, problem.inst, False, order, workspace(net.n, 1, 0))
    arrays = dict(order=order, rptr=rptr, ridx=ridx, demand=demand, capacity=cap, tolerance=tol)
    for a in arrays.values():
        a.flags.writeable = False
    return LevelledScheduler(plan=base, **arrays)


@dataclass(frozen=True, eq=False)
class CalendarLevelledScheduler:
    """The batch scheduler of a levelled run on calendars, with date constraints or progress.

    ``plan`` is the deterministic levelled plan; ``problem`` and ``order`` the
    levelling problem and the list whose forward pass gives that plan;
    ``scale``/``extra``: a task's work is its sampled duration times
    ``scale`` plus ``extra`` (axis units: the Monte Carlo plan's share of work
    left for started tasks).
    """

    plan: Schedule
    problem: object  # pmsim.levelling.calendar_problem.CalendarProblem
    order: np.ndarray
    scale: np.ndarray
    extra: np.ndarray

    def __call__(self, plan: Plan, batch: Batch, out: Outputs) -> None:
        from .levelling.calendar_problem import longer

        durations = np.ascontiguousarray(sample_durations(plan, batch))
        sl = out.rows(batch)
        problem = self.problem
        while True:
            crit = np.zeros_like(out.crit_counts)
            if self._run(problem, durations, plan.project_column, out, sl, crit):
                break
            # An iteration ran past the calendar tables: the whole batch again on longer ones (same dates).
            problem = longer(problem)
        out.crit_counts += crit
        out.cost[sl] = duration_cost(plan, durations, batch.rate_dev)

    def _run(self, problem, durations, columns, out: Outputs, sl: slice, crit: np.ndarray) -> bool:
        from ._kernels.calendar_montecarlo import levelled_calendar_iterations

        tl, inst = problem.tl, problem.inst
        if tl.uniform:
            project_cal, base, day = -1, 0.0, 1.0
        else:
            table = tl.calendars[0].work_table(tl.origin, tl.horizon_days)  # table 0: the project calendar
            project_cal, base, day = 0, float(table.work_at(tl.base)), tl.calendars[0].minutes_per_day
        finish = out.finish[sl]
        count = durations.shape[1]
        starts = _NONE2 if out.task_start is None else out.task_start[sl]
        finishes = _NONE2 if out.task_finish is None else out.task_finish[sl]
        # Contiguous blocks of iterations, one per thread; the kernel releases the GIL.
        block = -(-count // crit.shape[0])

        def one(th: int) -> None:
            levelled_calendar_iterations(
                min(th * block, count), min((th + 1) * block, count), durations, self.scale, self.extra,
                self.order, inst, inst.grid.points.size - 1, problem.buffer, project_cal, base, day, columns,
                out.task_start is not None, out.task_finish is not None, finish, crit[th], starts, finishes)

        if crit.shape[0] == 1:
            one(0)
        else:
            with ThreadPoolExecutor(crit.shape[0]) as pool:
                list(pool.map(one, range(crit.shape[0])))
        return bool(np.all(np.isfinite(finish)))


def _calendar_scheduler(project: Project, plan: Plan) -> CalendarLevelledScheduler:
    schedule, problem, dates = _calendar_plan_of(project)
    dated = plan.dated
    return CalendarLevelledScheduler(
        plan=schedule, problem=problem, order=np.ascontiguousarray(dates.order, dtype=np.int64),
        scale=np.ascontiguousarray(dated.scale, dtype=np.float64),
        extra=np.ascontiguousarray(dated.inputs.extra, dtype=np.float64))
