"""Escalated cost per iteration: each cost at the escalation factor of the dates it is incurred on.

With escalation (``Project.escalation``, a resource's ``escalation``) the
cost of an iteration depends on its dates, not only on its durations: a
task's fixed cost and daily costs (at the iteration's resource rates) are
spread over its working days and escalated by the mean factor of its
escalation class over them; the project's cost per day is paid each working
day until the finish at that day's factor; a risk's cost impact at the
factor of the day it strikes (the finish of the first task it delays, the
project finish for a risk naming none). Response costs and the actual cost
to date are not escalated (they are known amounts).

Two ways to get there, with the same numbers: the fused kernel escalates
each task's cost on its own rows of dates (:meth:`Escalation.kernel_arrays`)
and keeps only the finishes the risk costs and the level-of-effort spans
read (:func:`escalated_spans`, :func:`add_escalated_extras`); another scheduler
(levelling, calendars) keeps every task's dates and :func:`escalated_cost`
reads them. The factors come from an :class:`~pmsim.costs.EscalationIndex`
long enough for the latest date of a batch (:class:`Horizon`); a longer one
gives the same factors, so the numbers do not depend on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..costs import EscalationIndex, class_rates, escalation_classes, escalation_index

__all__ = ["Escalation", "Horizon", "escalation_of", "escalated_cost", "escalated_spans", "add_escalated_extras",
           "costed_risk_tasks", "no_escalation_arrays"]


@dataclass(frozen=True, eq=False)
class Escalation:
    """Per escalation class and task (topological order): ``fixed`` and ``daily`` costs; ``entry_class``: the
    class of each uncertain-rate entry of the plan; ``risk_columns``: per risk, its tasks' columns (project
    order), ``risk_tasks`` their topological positions; ``project``: whose calendar and base date the factors
    follow."""

    fixed: np.ndarray
    daily: np.ndarray
    entry_class: np.ndarray
    risk_columns: tuple
    risk_tasks: tuple
    project: object

    def scaled(self, share: np.ndarray, fixed_left: np.ndarray) -> "Escalation":
        """A re-forecast's copy: the daily costs paid on ``share`` of the work, the fixed cost left (both
        topological)."""
        fixed = np.zeros_like(self.fixed)
        fixed[0] = fixed_left
        return replace(self, fixed=fixed, daily=self.daily * share[None, :])

    def kernel_arrays(self, plan, index: EscalationIndex, reach: np.ndarray) -> tuple:
        """The escalation arguments of the fused kernel (``reach``: one float64 per thread, set to -inf)."""
        skip = np.zeros(plan.n, dtype=np.bool_)
        if plan.net.spans is not None:
            skip[plan.net.spans.task] = True
        reach[:] = -np.inf
        return (True, self.fixed, self.daily, self.entry_class, skip, np.ascontiguousarray(index.cumulative),
                np.ascontiguousarray(index.factor), reach)


def no_escalation_arrays() -> tuple:
    """The fused kernel's escalation arguments when costs do not escalate."""
    one = np.zeros((1, 1))
    return (False, one, one, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.bool_), one, one, np.zeros(1))


class Horizon:
    """The escalation index of a run, made longer when a batch reaches past it (the factors of the days it
    had stay the same). It starts at ``days`` working days (about 16 years: few projects reach past it, and
    it takes a millisecond to build)."""

    def __init__(self, project, days: float = 4096.0):
        self.project = project
        self.index = escalation_index(project, days)

    def covers(self, latest: float) -> bool:
        return not latest > self.index.horizon

    def extend(self, latest: float) -> EscalationIndex:
        self.index = escalation_index(self.project, max(2.0 * self.index.horizon, math.ceil(latest) + 64.0))
        return self.index


def escalation_of(project, net, risk_ids) -> Escalation:
    """The :class:`Escalation` of ``project`` (tasks in ``net``'s topological order)."""
    fixed, daily = class_rates(project)
    _, of = escalation_classes(project)
    uncertain = [r for r in project.resources if r.rate_factor is not None and r.cost_per_day > 0]
    row_class = np.array([of[r.id] for r in uncertain] or [0], dtype=np.int64)
    ordered = [project.tasks[i] for i in net.project_index.tolist()]
    rows = {r.id: k for k, r in enumerate(uncertain)}
    entry_class = [row_class[rows[rid]] for t in ordered for rid, units in t.resources if rid in rows and units]
    column = {tid: k for k, tid in enumerate(project.task_ids)}
    risk_columns = tuple(np.array([column[t] for t in project.risk(rid).tasks], dtype=np.int64) for rid in risk_ids)
    topological = np.empty(net.n, dtype=np.int64)
    topological[net.project_index] = np.arange(net.n)
    return Escalation(fixed=np.ascontiguousarray(fixed[:, net.project_index]),
                      daily=np.ascontiguousarray(daily[:, net.project_index]),
                      entry_class=np.array(entry_class or [0], dtype=np.int64), risk_columns=risk_columns,
                      risk_tasks=tuple(topological[cols] for cols in risk_columns), project=project)


def costed_risk_tasks(plan) -> np.ndarray:
    """The topological positions of the tasks named by a risk with a cost impact (its strike date reads them)."""
    esc: Escalation = plan.escalation
    named = [esc.risk_tasks[k] for k, cost in enumerate(plan.risk_cost) if cost != 0]
    return np.unique(np.concatenate(named)) if named else np.zeros(0, dtype=np.int64)


def escalated_spans(plan, index: EscalationIndex, start: np.ndarray, finish: np.ndarray, columns: np.ndarray,
                    rate_dev: np.ndarray, cost: np.ndarray) -> None:
    """Add the escalated cost of the level-of-effort tasks over their spans (``start``/``finish``: rows x
    columns, task j in column ``columns[j]``) to ``cost``."""
    from .._kernels import launching
    from .._kernels.escalation import escalated_task_costs

    esc: Escalation = plan.escalation
    span_task = np.zeros(plan.n, dtype=np.bool_)
    span_task[plan.net.spans.task] = True
    ptr, row, weight = plan.rate_entries()
    with launching():
        escalated_task_costs(plan.net.spans.task, np.zeros((1, 1), np.float32), start, finish, columns, span_task,
                             esc.fixed, esc.daily, ptr, row, weight, np.ascontiguousarray(rate_dev, dtype=np.float64),
                             esc.entry_class, np.ascontiguousarray(index.cumulative),
                             np.ascontiguousarray(index.factor), cost)


def add_escalated_extras(plan, index: EscalationIndex, finish: np.ndarray, columns: np.ndarray,
                         project_finish: np.ndarray, occurred: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Add to ``out`` (per iteration) the project's cost per day until ``project_finish`` and the risks' cost
    impacts on the day they strike, escalated; ``finish``: rows x columns, task j (topological) in column
    ``columns[j]``."""
    if plan.cost_per_day:
        out += plan.cost_per_day * index.integral(0, project_finish)
    esc: Escalation = plan.escalation
    for k, cost in enumerate(plan.risk_cost):
        if cost == 0:
            continue
        cols = columns[esc.risk_tasks[k]]
        when = finish[:, cols].min(axis=1) if cols.size else project_finish
        out += cost * occurred[k] * index.point_factor(0, when)
    return out


def escalated_cost(plan, durations: np.ndarray, rate_dev: np.ndarray, start: np.ndarray, finish: np.ndarray,
                   project_finish: np.ndarray, occurred: np.ndarray) -> np.ndarray:
    """The escalated cost of a batch's iterations of ``plan`` (a :class:`pmsim.montecarlo.plan.Plan`) from every
    task's dates, float64 per iteration (the response costs and actual cost in ``plan.cost_offset`` left out).

    ``durations``: (tasks, count) topological, as :func:`pmsim.montecarlo.runner.sample_durations` (-0.0: the
    task does not exist); ``start``/``finish``: (count, tasks) project order, working days; ``project_finish``
    and ``occurred`` (risks, count) as the run has them.
    """
    from .._kernels import launching
    from .._kernels.escalation import escalated_task_costs

    esc: Escalation = plan.escalation
    n, count = durations.shape
    index = escalation_index(esc.project, float(max(np.max(finish, initial=0.0), project_finish.max(initial=0.0))))
    span_task = np.zeros(n, dtype=np.bool_)
    if plan.net.spans is not None:
        span_task[plan.net.spans.task] = True
    ptr, row, weight = plan.rate_entries()
    out = np.zeros(count)
    with launching():
        escalated_task_costs(np.arange(n, dtype=np.int64), np.ascontiguousarray(durations),
                             np.ascontiguousarray(start), np.ascontiguousarray(finish), plan.project_column,
                             span_task, esc.fixed, esc.daily, ptr, row, weight,
                             np.ascontiguousarray(rate_dev, dtype=np.float64), esc.entry_class,
                             np.ascontiguousarray(index.cumulative), np.ascontiguousarray(index.factor), out)
    return add_escalated_extras(plan, index, finish, plan.project_column, project_finish, occurred, out)
