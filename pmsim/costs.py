"""The cost model: what each task costs, from its fixed cost and daily rates.

A task costs ``fixed_cost + daily rate × duration``, the daily rate being its
own ``cost_per_day`` plus units × the day rate of each resource it demands.
:func:`cost_model` tabulates it per task, :func:`baseline_cost` is the cost
of the plan (the budget at completion of earned value), :func:`project_budget`
the budget. The Monte Carlo engine, budget burn and earned value all use it.

Escalation (``Project.escalation``, a resource's own ``escalation``: percent
per year) multiplies a cost by ``(1 + rate / 100) ** (years from the base
date)`` on the date it is incurred: :func:`escalation_factors` by date,
:class:`EscalationIndex` on the working-day axis of schedules. A task's cost
accrues linearly over its working days, so its escalated cost is its cost
times the mean factor over those days: a slip makes it dearer.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cache import cached
from .errors import ValidationError
from .model import Project, require_project
from .model.baselines import default_schedule

__all__ = ["cost_rates", "cost_model", "baseline_cost", "project_budget", "require_costs", "planned_durations",
           "escalation_base", "escalation_factors", "EscalationIndex", "escalation_index", "escalation_classes",
           "escalates", "class_rates", "planned_escalation"]


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
    ``escalation_factor`` (the mean escalation factor over the task's
    planned working days, 1 without escalation), ``budget`` ((fixed + daily
    rate × planned duration) × that factor: the task's share of the
    baseline), ``mean_duration`` and ``expected_cost`` (at the mean of the
    estimate, unescalated, risks left out).

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
    factor = planned_escalation(project)
    return pd.DataFrame(
        {
            "name": [t.name for t in project.tasks],
            "phase": [t.phase for t in project.tasks],
            "duration": planned,
            "fixed_cost": fixed,
            "cost_per_day": own,
            "resource_cost_per_day": daily - own,
            "daily_rate": daily,
            "escalation_factor": factor,
            "budget": (fixed + daily * planned) * factor,
            "mean_duration": mean,
            "expected_cost": fixed + daily * mean,
        },
        index=pd.Index(list(project.task_ids), name="id"),
    )


def baseline_cost(project: Project) -> float:
    """The cost of the plan: every task at its planned duration, risks left out.

    This is the budget at completion (BAC) of earned value; with escalation,
    the escalated plan (each task at the mean factor over its CPM dates).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=4, cost_per_day=250)])
    >>> baseline_cost(p)
    1000.0
    """
    project = require_project(project, "baseline_cost")
    fixed, daily = cost_rates(project)
    return float(np.sum((fixed + daily * planned_durations(project)) * planned_escalation(project)))


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


# --------------------------------------------------------------------------- escalation


def escalation_base(project: Project) -> dt.date:
    """The date escalation compounds from: ``escalation_date``, else the project start (the price base of the
    plan's estimates; a status date does not move it, so the escalated budget at completion stays put).

    >>> import pmsim as pm
    >>> escalation_base(pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)]))
    datetime.date(2027, 1, 4)
    """
    return project.escalation_date if project.escalation_date is not None else project.start


def escalation_factors(project: Project, dates, rate: float | None = None) -> np.ndarray:
    """The escalation factor of a cost incurred on each date: ``(1 + rate / 100) ** (days / 365.25)``, days
    counted from :func:`escalation_base` (``rate``: percent per year, by default the project's).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-01", tasks=[pm.Task("A", duration=1)], escalation=4)
    >>> escalation_factors(p, ["2027-01-01", "2028-01-01"]).round(6).tolist()
    [1.0, 1.039972]
    """
    rate = project.escalation if rate is None else float(rate)
    days = (np.asarray(pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype=object))).values, dtype="datetime64[D]")
            - np.datetime64(escalation_base(project), "D")).astype(np.float64)
    return np.power(1.0 + rate / 100.0, days / 365.25)


def escalation_classes(project: Project) -> tuple[tuple[float, ...], dict[str, int]]:
    """(the escalation rates, the project's first; the class of each resource by id): a resource with its own
    rate escalates in that rate's class, every other cost in the project's."""
    rates = [project.escalation]
    of = {}
    for r in project.resources:
        rate = project.escalation if r.escalation is None else r.escalation
        if rate not in rates:
            rates.append(rate)
        of[r.id] = rates.index(rate)
    return tuple(rates), of


def escalates(project: Project) -> bool:
    """Whether any cost of ``project`` escalates."""
    return bool(project.escalation) or any(r.escalation for r in project.resources)


@dataclass(frozen=True, eq=False)
class EscalationIndex:
    """Escalation on the working-day axis of schedules (time t in working days from the project start).

    ``factor[c, k]``: the factor of class ``c`` (:func:`escalation_classes`)
    on working day k (its date's); ``cumulative[c, k]``: the sum of the
    factors of days 0 .. k - 1. A cost spread evenly over [s, f] costs its
    amount × :meth:`mean_factor`; a cost booked when a time t is reached
    (the end of the day before it) × :meth:`point_factor`.
    """

    factor: np.ndarray
    cumulative: np.ndarray

    @property
    def horizon(self) -> int:
        return self.factor.shape[1]

    def integral(self, c: int, t) -> np.ndarray:
        """∫ factor over working days [0, t] (linear within a day)."""
        t = np.clip(np.asarray(t, dtype=np.float64), 0.0, None)
        if t.size and float(t.max()) > self.horizon:
            raise ValidationError(f"escalation: a time of {float(t.max()):g} working days is beyond the index "
                                  f"({self.horizon} days)")
        return np.interp(t, np.arange(self.horizon + 1, dtype=np.float64), self.cumulative[c])

    def point_factor(self, c: int, t) -> np.ndarray:
        """The factor of a cost booked at time t: that of the working day ending at t (day 0 for t <= 1)."""
        day = np.clip(np.ceil(np.asarray(t, dtype=np.float64) - 1e-9) - 1, 0, self.horizon - 1).astype(np.int64)
        return self.factor[c][day]

    def mean_factor(self, c: int, start, finish) -> np.ndarray:
        """The mean factor over [start, finish] (the point factor of ``start``'s day where they are equal)."""
        start = np.asarray(start, dtype=np.float64)
        finish = np.asarray(finish, dtype=np.float64)
        span = finish - start
        mean = (self.integral(c, finish) - self.integral(c, start)) / np.where(span > 0, span, 1.0)
        at = np.clip(np.floor(start + 1e-9), 0, self.horizon - 1).astype(np.int64)
        return np.where(span > 0, mean, self.factor[c][at])


def escalation_index(project: Project, horizon: float) -> EscalationIndex:
    """The :class:`EscalationIndex` of ``project`` for times up to ``horizon`` working days (and a little more).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)], escalation=10)
    >>> index = escalation_index(p, 5)
    >>> float(index.mean_factor(0, 0, 1)), round(float(index.point_factor(0, 5)), 6)  # Monday; Friday (4 days on)
    (1.0, 1.001045)
    """
    days = max(int(math.ceil(horizon)) + 2, 8)
    rates, _ = escalation_classes(project)
    dates = project.calendar.start_date(project.start, np.arange(days, dtype=np.float64))
    factor = np.stack([escalation_factors(project, dates, rate) for rate in rates])
    cumulative = np.concatenate([np.zeros((len(rates), 1)), np.cumsum(factor, axis=1)], axis=1)
    return EscalationIndex(factor, cumulative)


def planned_escalation(project: Project) -> np.ndarray:
    """Per task (project order), the mean escalation factor of its planned cost over its CPM dates (1 without
    escalation); a task's resources with their own rates weigh in by their share of its planned cost."""
    n = len(project.tasks)
    if not escalates(project):
        return np.ones(n)

    def compute():
        table = default_schedule(project).table.loc[list(project.task_ids)]
        start, finish = table["start"].to_numpy(np.float64), table["finish"].to_numpy(np.float64)
        index = escalation_index(project, float(finish.max(initial=0.0)))
        fixed, daily = cost_rates(project)
        by_class = class_rates(project)
        planned = planned_durations(project)
        total = fixed + daily * planned
        escalated = sum(index.mean_factor(c, start, finish) * (by_class[0][c] + by_class[1][c] * planned)
                        for c in range(by_class[0].shape[0]))
        return np.divide(escalated, total, out=index.mean_factor(0, start, finish), where=total > 0)

    return cached(project, "planned_escalation", compute)


def class_rates(project: Project) -> tuple[np.ndarray, np.ndarray]:
    """(fixed cost, cost per day) per escalation class and task (classes x tasks, project order): the fixed
    cost and the task's own cost per day in the project's class, each resource's share in its class."""
    rates, of = escalation_classes(project)
    paid = {r.id: r.cost_per_day for r in project.resources}
    fixed = np.zeros((len(rates), len(project.tasks)))
    daily = np.zeros_like(fixed)
    for k, t in enumerate(project.tasks):
        fixed[0, k] = t.fixed_cost
        daily[0, k] = t.cost_per_day
        for rid, units in t.resources:
            daily[of[rid], k] += units * paid[rid]
    return fixed, daily
