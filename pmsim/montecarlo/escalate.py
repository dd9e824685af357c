"""Escalated cost per iteration: each cost at the escalation factor of the dates it is incurred on.

With escalation (``Project.escalation``, a resource's ``escalation``) the
cost of an iteration depends on its dates, not only on its durations: a
task's fixed cost and daily costs (at the iteration's resource rates) are
spread over its working days and escalated by the mean factor of its
escalation class over them; the project's cost per day is paid each working
day until the finish at that day's factor; a risk's cost impact at the
factor of the day it strikes (the finish of the first task it delays, the
project finish for a risk naming none). Response costs and the actual cost
to date are not escalated (they are known amounts). The run keeps every
task's dates to do this (:func:`escalated_cost`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..costs import class_rates, escalation_classes, escalation_index

__all__ = ["Escalation", "escalation_of", "escalated_cost"]


@dataclass(frozen=True, eq=False)
class Escalation:
    """Per escalation class and task (topological order): ``fixed`` and ``daily`` costs; ``entry_class``: the
    class of each uncertain-rate entry of the plan; ``risk_columns``: per risk, its tasks' columns (project
    order); ``project``: whose calendar and base date the factors follow."""

    fixed: np.ndarray
    daily: np.ndarray
    entry_class: np.ndarray
    risk_columns: tuple
    project: object

    def scaled(self, share: np.ndarray, fixed_left: np.ndarray) -> "Escalation":
        """A re-forecast's copy: the daily costs paid on ``share`` of the work, the fixed cost left (both
        topological)."""
        fixed = np.zeros_like(self.fixed)
        fixed[0] = fixed_left
        return replace(self, fixed=fixed, daily=self.daily * share[None, :])


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
    return Escalation(fixed=np.ascontiguousarray(fixed[:, net.project_index]),
                      daily=np.ascontiguousarray(daily[:, net.project_index]),
                      entry_class=np.array(entry_class or [0], dtype=np.int64), risk_columns=risk_columns,
                      project=project)


def escalated_cost(plan, durations: np.ndarray, rate_dev: np.ndarray, start: np.ndarray, finish: np.ndarray,
                   project_finish: np.ndarray, occurred: np.ndarray) -> np.ndarray:
    """The escalated cost of a batch's iterations of ``plan`` (a :class:`pmsim.montecarlo.plan.Plan`), float64
    per iteration (the response costs and actual cost in ``plan.cost_offset`` left out).

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
    out = np.empty(count)
    with launching():
        escalated_task_costs(np.ascontiguousarray(durations), np.ascontiguousarray(start), np.ascontiguousarray(finish),
                             plan.project_column, span_task, esc.fixed, esc.daily, ptr, row, weight,
                             np.ascontiguousarray(rate_dev, dtype=np.float64), esc.entry_class,
                             np.ascontiguousarray(index.cumulative), np.ascontiguousarray(index.factor), out)
    if plan.cost_per_day:
        out += plan.cost_per_day * index.integral(0, project_finish)
    for k, cost in enumerate(plan.risk_cost):
        if cost == 0:
            continue
        cols = esc.risk_columns[k]
        when = finish[:, cols].min(axis=1) if cols.size else project_finish
        out += cost * occurred[k] * index.point_factor(0, when)
    return out
