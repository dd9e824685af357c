"""Re-forecast from progress: the work left at the data date, as the Monte Carlo engine runs it.

The progress lives on the tasks (actual dates, remaining duration, percent
complete, actual cost) and the data date is the project's status date; a
progress table is put there by ``Project.with_progress``. The dated engine
then schedules what is left from the data date by the project's
``progress_rule`` (P6's retained logic or progress override, or MS
Project's way; ``docs/time-model.md``), and completed work never moves.
:func:`remaining_work` adds what the schedule alone does not say: the
actual cost to date, the cost of the work left, and the risks that can no
longer occur; :func:`reforecast_plan` applies it to an engine plan.
``pm.simulate(project, progress=..., status_date=...)`` does both, as does
``pm.simulate`` of a project whose tasks hold progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .costs import cost_model
from .errors import ValidationError
from .io.progress_table import data_time, has_progress, project_at, task_progress
from .model import Project
from .montecarlo.plan import Plan, finish_candidates

__all__ = ["RemainingWork", "remaining_work", "reforecast_plan", "has_progress"]


@dataclass(frozen=True, eq=False)
class RemainingWork:
    """What a re-forecast simulates, and the cost it adds, at the data date.

    ``project``: the project with its progress on its tasks and its status
    date, less the risks whose tasks have all finished (they can no longer
    occur): the project the engine samples. ``status_date``: the data date.
    ``data_time``: the working days of the project calendar from the start
    to the data date. ``actual_cost``: the cost to date (a task's
    ``actual_cost``, or for a started task without one the planned cost of
    the work it has done). ``status``: per task, ``finished``, ``in
    progress`` or ``not started``. ``cost_share`` and ``fixed_left`` (arrays
    in project task order): the share of each task's sampled duration still
    to be paid at its daily rate (its remaining work over its planned
    duration: 0 once finished, 1 before it starts), and its fixed cost not
    yet earned.
    """

    project: Project = field(repr=False)
    status_date: dt.date | dt.datetime
    data_time: float
    actual_cost: float
    status: pd.Series = field(repr=False)
    cost_share: np.ndarray = field(repr=False)
    fixed_left: np.ndarray = field(repr=False)


def remaining_work(project: Project, progress=None, status_date=None) -> RemainingWork:
    """The progress of ``project`` at its data date as the inputs of a re-forecast simulation.

    ``progress`` (a table or a path, with ``status_date``) is put on the
    tasks first (:meth:`pmsim.Project.with_progress`); without it the
    tasks' own progress and the project's ``status_date`` are used.

    - A **finished** task keeps its actual dates; nothing is sampled and its
      cost is in the actual cost.
    - A **started** task's remaining work is its sampled duration scaled by
      remaining over planned duration (so it keeps the estimate's relative
      uncertainty), scheduled from the data date by the progress rule; its
      cost is the daily rate × that remaining work plus the unearned share
      of its fixed cost.
    - A task **not started** starts at the data date at the earliest, and
      costs what it costs in any simulation.
    - Risks whose tasks have all finished are closed.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, cost_per_day=100), pm.Task("B", duration=4, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> table = pd.DataFrame({"id": ["A", "B"], "percent_complete": [100, 50], "remaining_duration": [None, 3],
    ...     "actual_cost": [350, 250], "actual_start": ["2027-01-04", "2027-01-07"],
    ...     "actual_finish": ["2027-01-07", None]})
    >>> work = remaining_work(p, table, "2027-01-08")
    >>> work.data_time, work.actual_cost, work.cost_share.tolist(), work.status.tolist()
    (5.0, 600.0, [0.0, 0.75], ['finished', 'in progress'])
    """
    progressed = project_at(project, progress, status_date)
    status = progressed.status_date
    if status is None:
        raise ValidationError(
            f"Project {project.name!r}: a re-forecast needs the data date of the progress (its status_date)")
    prog = task_progress(progressed)
    model = cost_model(progressed)
    planned = model["duration"].to_numpy(float)
    remaining = prog["remaining_duration"].to_numpy(float)
    state = prog["status"].to_numpy()
    started = state == "in progress"
    share = np.where(state == "finished", 0.0,
                     np.where(started, np.divide(remaining, planned, out=np.zeros_like(planned), where=planned > 0),
                              1.0))
    pct = prog["percent_complete"].to_numpy(float) / 100.0
    fixed_left = np.where(state == "finished", 0.0, np.where(started, 1.0 - pct, 1.0)) * model["fixed_cost"].to_numpy()
    # The cost to date: what was spent, or for a started task that does not say, the planned cost of what it did.
    spent = np.where(prog["cost_known"].to_numpy(bool), prog["actual_cost"].to_numpy(float),
                     np.where(state != "not started", pct * model["budget"].to_numpy(), 0.0))
    finished = set(prog.index[state == "finished"])
    risks = tuple(r for r in progressed.risks if not r.tasks or not set(r.tasks) <= finished)
    sampled = progressed if len(risks) == len(progressed.risks) else progressed.replace(risks=risks)
    for a in (share, fixed_left):
        a.setflags(write=False)
    return RemainingWork(project=sampled, status_date=status, data_time=data_time(progressed, status),
                         actual_cost=float(spent.sum()), status=prog["status"], cost_share=share,
                         fixed_left=fixed_left)


def reforecast_plan(plan: Plan, work: RemainingWork) -> Plan:
    """Apply :class:`RemainingWork`'s costs to a Monte Carlo plan built from ``work.project``.

    Each task's daily rate is paid on the share of its sampled duration still
    to do, its fixed cost on the part not yet earned, and the actual cost to
    date is added to every iteration. By progress override and MS Project's
    rule the links into started tasks no longer push them, so their
    predecessors may set the finish again. The dates themselves need nothing
    here: the dated engine runs the progress on the tasks.

    >>> import pmsim as pm
    >>> from pmsim.montecarlo import make_plan
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, cost_per_day=100), pm.Task("B", duration=4, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> table = pd.DataFrame({"id": ["A"], "percent_complete": [100], "actual_cost": [350],
    ...     "actual_start": ["2027-01-04"], "actual_finish": ["2027-01-07"]})
    >>> work = remaining_work(p, table, "2027-01-08")
    >>> plan = reforecast_plan(make_plan(work.project, 1), work)
    >>> plan.daily.tolist(), plan.fixed_cost, plan.cost_offset
    ([0.0, 100.0], 0.0, 350.0)
    """
    net = plan.net
    if net.n != len(work.project.tasks):
        raise ValidationError("reforecast_plan: the plan was built from another project than work.project")
    daily = np.ascontiguousarray(plan.daily * net.to_topological(work.cost_share), dtype=np.float64)
    share = np.asarray(net.to_topological(work.cost_share), dtype=np.float64)
    rates = None if plan.rates is None else plan.rates.scaled(share, None if net.spans is None else net.spans.task)
    escalation = None if plan.escalation is None else plan.escalation.scaled(
        share, np.asarray(net.to_topological(np.asarray(work.fixed_left, dtype=np.float64)), dtype=np.float64))
    plan = replace(plan, daily=daily, fixed_cost=float(work.fixed_left.sum()),
                   cost_offset=plan.cost_offset + work.actual_cost, rates=rates, escalation=escalation)
    if work.project.progress_rule != "retained_logic":
        # Links into started work no longer push it (progress override, MS Project): a predecessor of a
        # started task may finish after it and set the project finish.
        started = np.asarray(net.to_topological(np.asarray(work.status) != "not started"), dtype=bool)
        candidate = finish_candidates(net, started)
        plan = replace(plan, candidate=candidate, candidates=np.flatnonzero(candidate).astype(np.int64))
    return plan
