"""Re-forecast from progress: the work left at a status date, as the Monte Carlo engine runs it.

:func:`remaining_work` turns a progress table into :class:`RemainingWork`
(finished tasks fixed at their actual dates, in-progress tasks as their
remaining part from the status date, the rest released at the status date);
:func:`reforecast_plan` applies it to an engine plan.
``pm.simulate(project, progress=..., status_date=...)`` does both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .calendar import elapsed_working_days
from .costs import cost_model
from .cpm import cpm
from .distributions import Fixed
from .errors import ValidationError
from .io.progress_table import progress_at, task_progress
from .model import Project
from .montecarlo.plan import Plan, finish_candidates

__all__ = ["RemainingWork", "remaining_work", "reforecast_plan"]


@dataclass(frozen=True, eq=False)
class RemainingWork:
    """What the Monte Carlo engine needs to simulate only the work left at a status date.

    Arrays are in project task order, times in working days from the project start.

    ``project``: the project to sample, with each in-progress task's estimate
    replaced by the estimate of its remaining part, and the risks whose tasks
    are all finished removed. ``release``: each task's earliest start.
    ``fixed_mask`` / ``fixed_duration``: tasks whose duration is not sampled.
    ``started``: tasks that have started; links into them no longer bind
    (their start is a fact). ``cost_offset``: added to the engine's cost of
    every iteration so that the cost is actual cost to date plus the cost of
    the remaining work at planned rates.
    """

    project: Project = field(repr=False)
    status_date: dt.date
    data_time: float
    release: np.ndarray = field(repr=False)
    fixed_mask: np.ndarray = field(repr=False)
    fixed_duration: np.ndarray = field(repr=False)
    started: np.ndarray = field(repr=False)
    cost_offset: float
    actual_cost: float
    status: pd.Series = field(repr=False)


def remaining_work(project: Project, progress, status_date=None, *, remaining: str = "scaled") -> RemainingWork:
    """Turn progress at a status date into the inputs of a re-forecast simulation.

    - A **finished** task keeps its actual dates: it starts at its actual
      start and lasts its actual duration (working days from the start of
      ``actual_start`` to the end of ``actual_finish``); nothing is sampled.
      Without dates it is taken to have ended by the status date at its
      planned duration, starting no later than its baseline start.
    - An **in-progress** task is simulated as its remaining part, starting at
      the status date (the end of that day). With ``remaining="scaled"``
      (default) its estimate is scaled by ``remaining_duration / planned
      duration`` (or by ``1 - percent complete`` without a remaining
      duration), so the remaining work keeps the estimate's relative
      uncertainty; with ``remaining="fixed"`` the remaining duration is used
      as given.
    - A task **not started** is released at the status date: it cannot start
      before the work after the status date begins.
    - Cost: actual cost to date, plus for each unfinished task its daily rate
      × its (sampled) remaining duration and its unearned share of fixed
      cost, plus the risk cost impacts of the risks still open. The engine
      works out each iteration's duration-driven cost; ``cost_offset``
      carries the rest.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, cost_per_day=100), pm.Task("B", duration=4, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> table = pd.DataFrame({"id": ["A", "B"], "percent_complete": [100, 50], "remaining_duration": [None, 3],
    ...     "actual_cost": [350, 250], "actual_start": ["2027-01-04", "2027-01-07"],
    ...     "actual_finish": ["2027-01-07", None]})
    >>> work = remaining_work(p, table, "2027-01-08")
    >>> work.release.tolist(), work.fixed_duration.tolist(), work.cost_offset
    ([0.0, 5.0], [4.0, 0.0], 200.0)
    >>> work.project.task("B").estimate
    Fixed(value=3.0)
    """
    if remaining not in ("scaled", "fixed"):
        raise ValidationError(f"remaining must be 'scaled' or 'fixed', got {remaining!r}")
    table, status = progress_at(progress, status_date)
    if status < project.start:
        raise ValidationError(f"status date {status} is before the project start {project.start}")
    at = float(elapsed_working_days(project, [status])[0])
    base = cpm(project).table
    prog = task_progress(project, table, status, at)
    model = cost_model(project)
    cal = project.calendar
    n = len(project.tasks)
    release = np.full(n, at)
    fixed_mask = np.zeros(n, dtype=bool)
    fixed_duration = np.zeros(n)
    started = np.zeros(n, dtype=bool)
    offset = float(prog["actual_cost"].sum())
    tasks = list(project.tasks)
    finished_ids = set()
    for k, task in enumerate(project.tasks):
        row = prog.loc[task.id]
        planned = task.planned_duration
        daily = float(model.loc[task.id, "daily_rate"])
        if row["status"] == "finished":
            finished_ids.add(task.id)
            if row["actual_start"] is not pd.NaT and not pd.isna(row["actual_start"]):
                start = float(cal.offset(project.start, row["actual_start"].date()))
            else:
                start = max(0.0, min(float(base.loc[task.id, "early_start"]), at - planned))
            if not pd.isna(row["actual_finish"]):
                end = float(cal.offset(project.start, row["actual_finish"].date())) + (0.0 if task.milestone else 1.0)
                end = max(end, start)
            else:
                end = min(start + planned, at)
            started[k] = True
            release[k] = start
            fixed_mask[k] = True
            fixed_duration[k] = end - start
            # Their cost is in the actual cost: take back what the engine adds.
            offset -= daily * (end - start)
            tasks[k] = task.replace(fixed_cost=0.0)
        elif row["status"] == "in progress":
            started[k] = True
            share_left = 1.0 - row["percent_complete"] / 100.0
            left = row["remaining_duration"]
            if pd.isna(left):
                left = planned * share_left
            if remaining == "fixed" or planned <= 0 or left <= 0:
                fixed_mask[k] = True
                fixed_duration[k] = left
                estimate = Fixed(float(left))
            else:
                estimate = task.estimate.scaled(left / planned)
            tasks[k] = task.replace(estimate=estimate, fixed_cost=task.fixed_cost * share_left)
    risks = tuple(r for r in project.risks if not r.tasks or not set(r.tasks) <= finished_ids)
    remaining_project = project.replace(tasks=tuple(tasks), risks=risks)
    for a in (release, fixed_mask, fixed_duration, started):
        a.setflags(write=False)
    return RemainingWork(
        project=remaining_project, status_date=status, data_time=at, release=release,
        fixed_mask=fixed_mask, fixed_duration=fixed_duration, started=started,
        cost_offset=offset, actual_cost=float(prog["actual_cost"].sum()), status=prog["status"],
    )


def reforecast_plan(plan: Plan, work: RemainingWork) -> Plan:
    """Apply :class:`RemainingWork` to a Monte Carlo plan (:class:`pmsim.montecarlo.plan.Plan`).

    Releases every task, fixes the finished ones (and fixed remainders), makes
    the links into started tasks non-binding (their start is a fact), lets any
    task whose successors have all started set the finish, and adds the cost
    offset. ``plan`` must be built from ``work.project``;
    ``pm.simulate(project, progress=..., status_date=...)`` does all this.

    >>> import pmsim as pm
    >>> from pmsim.montecarlo import make_plan
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, cost_per_day=100), pm.Task("B", duration=4, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> table = pd.DataFrame({"id": ["A"], "percent_complete": [100], "actual_cost": [350],
    ...     "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-07"]})
    >>> work = remaining_work(p, table, "2027-01-08")
    >>> plan = reforecast_plan(make_plan(work.project, 1), work)
    >>> plan.release.tolist(), plan.override_mask.tolist(), plan.cost_offset
    ([0.0, 5.0], [True, False], -50.0)
    """
    net = plan.net
    ids = work.project.task_ids
    release = {tid: float(v) for tid, v in zip(ids, work.release)}
    override = {tid: float(v) for tid, v, m in zip(ids, work.fixed_duration, work.fixed_mask) if m}
    plan = plan.with_progress(release=release, override=override, cost_offset=plan.cost_offset + work.cost_offset)
    started = np.asarray(net.to_topological(work.started), dtype=bool)
    lag = np.array(plan.pred_lag, dtype=np.float32)
    lag[np.repeat(started, np.diff(net.pred_ptr))] = np.float32(-1e30)
    # Links into a started task no longer push: its predecessors may set the finish again.
    candidate = finish_candidates(net, started)
    return replace(plan, pred_lag=lag, candidate=candidate, candidates=np.flatnonzero(candidate).astype(np.int64))
