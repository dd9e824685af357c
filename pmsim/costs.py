"""The cost model: what each task costs, from its fixed cost and daily rates.

A task costs ``fixed_cost + daily rate × duration``, the daily rate being its
own ``cost_per_day`` plus units × the day rate of each resource it demands.
:func:`cost_model` tabulates it per task, :func:`baseline_cost` is the cost
of the plan (the budget at completion of earned value), :func:`project_budget`
the budget. The Monte Carlo engine, budget burn and earned value all use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cache import cached
from .errors import ValidationError
from .model import Project, require_project
from .model.baselines import default_schedule

__all__ = ["cost_rates", "cost_model", "baseline_cost", "project_budget", "require_costs", "planned_durations"]


def cost_rates(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """Per task, in project task order: (fixed cost, cost per working day).

    The daily rate adds the task's own ``cost_per_day`` and, for each resource
    it demands, units × that resource's ``cost_per_day``.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, fixed_cost=100, cost_per_day=10, resources={"dev": 2})],
    ...     resources=[pm.Resource("dev", capacity=3, cost_per_day=500)])
    >>> fixed, daily = cost_rates(p)
    >>> fixed.tolist(), daily.tolist()
    ([100.0], [1010.0])
    """
    rate = {r.id: r.cost_per_day for r in project.resources}
    fixed = np.array([t.fixed_cost for t in project.tasks], dtype=np.float64)
    daily = np.array(
        [t.cost_per_day + sum(units * rate[rid] for rid, units in t.resources) for t in project.tasks],
        dtype=np.float64,
    )
    return fixed, daily


def planned_durations(project: Project) -> np.ndarray:
    """The planned duration of each task (project order, working days); a level-of-effort task's is the span
    the critical-path schedule gives it (its cost per day is paid for that span).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2), pm.Task("H", level_of_effort=True), pm.Task("B", duration=3)],
    ...     dependencies=[pm.Dependency("A", "H", "SS"), pm.Dependency("A", "B"), pm.Dependency("H", "B", "FF")])
    >>> planned_durations(p).tolist()
    [2.0, 5.0, 3.0]
    """
    planned = np.array([t.planned_duration for t in project.tasks], dtype=np.float64)
    loe = np.array([t.level_of_effort for t in project.tasks], dtype=bool)
    if loe.any():
        span = cached(project, "level_of_effort_spans",
                      lambda: default_schedule(project).table["duration"].to_numpy(dtype=np.float64)[loe])
        planned[loe] = span
    return planned


def cost_model(project: Project) -> pd.DataFrame:
    """The cost of each task, as a table indexed by task id (project order).

    Columns: ``name``, ``phase``, ``duration`` (planned, working days),
    ``fixed_cost``, ``cost_per_day`` (the task's own), ``resource_cost_per_day``
    (Σ units × resource day rate), ``daily_rate`` (the two added),
    ``budget`` (fixed + daily rate × planned duration: the task's share of
    the baseline), ``mean_duration`` and ``expected_cost`` (the same at the
    mean of the estimate, risks left out).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=10, fixed_cost=100,
    ...                    resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", cost_per_day=400)])
    >>> cost_model(p).loc["A", ["daily_rate", "budget", "expected_cost"]].tolist()
    [400.0, 1300.0, 1700.0]
    """
    project = require_project(project, "cost_model")
    fixed, daily = cost_rates(project)
    own = np.array([t.cost_per_day for t in project.tasks], dtype=np.float64)
    planned = planned_durations(project)
    loe = np.array([t.level_of_effort for t in project.tasks], dtype=bool)
    mean = np.where(loe, planned, [t.estimate.mean for t in project.tasks])  # a span: the planned one
    return pd.DataFrame(
        {
            "name": [t.name for t in project.tasks],
            "phase": [t.phase for t in project.tasks],
            "duration": planned,
            "fixed_cost": fixed,
            "cost_per_day": own,
            "resource_cost_per_day": daily - own,
            "daily_rate": daily,
            "budget": fixed + daily * planned,
            "mean_duration": mean,
            "expected_cost": fixed + daily * mean,
        },
        index=pd.Index(list(project.task_ids), name="id"),
    )


def baseline_cost(project: Project) -> float:
    """The cost of the plan: every task at its planned duration, risks left out.

    This is the budget at completion (BAC) of earned value.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=4, cost_per_day=250)])
    >>> baseline_cost(p)
    1000.0
    """
    project = require_project(project, "baseline_cost")
    fixed, daily = cost_rates(project)
    return float(np.sum(fixed + daily * planned_durations(project)))


def project_budget(project: Project) -> float:
    """The project's budget, or its baseline cost when none is given.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=4, cost_per_day=250)])
    >>> project_budget(p), project_budget(p.replace(budget=1500))
    (1000.0, 1500.0)
    """
    return float(project.budget) if project.budget is not None else baseline_cost(project)


def require_costs(project: Project, what: str) -> None:
    """Raise a clear error when ``project`` has no costs at all (nothing to measure).

    >>> import pmsim as pm
    >>> require_costs(pm.Project(name="free", start="2027-01-04", tasks=[pm.Task("A", duration=2)]), "jcl")
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: Project 'free' has no costs, so jcl has nothing to measure: ...
    """
    if baseline_cost(project) > 0 or project.cost_per_day > 0 or any(r.cost_impact > 0 for r in project.risks):
        return
    raise ValidationError(
        f"Project {project.name!r} has no costs, so {what} has nothing to measure: give tasks a "
        "fixed_cost or cost_per_day, or resources a cost_per_day (resources.csv)"
    )
