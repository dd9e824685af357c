"""Budget burn S-curves, contingency and joint confidence (JCL), on the cost model of :mod:`pmsim.costs`.

:func:`budget_burn` gives the cumulative cost by date (the baseline envelope
and, from a Simulation, P-bands); :func:`contingency`, :func:`jcl` and
:func:`jcl_frontier` read a Simulation's finish and cost together. The
conventions (accrual, risk costs, dates): ``docs/costs-and-earned-value.md``.

What links cost to time: a task's cost is linear in its own duration, and
the project's ``cost_per_day`` (the standing team: the time-dependent cost of
the NASA Cost Estimating Handbook's JCL appendix) is paid every working day
until each iteration's finish. Without it a day the project only waits costs
nothing, and the JCL is optimistic about delays. Risk cost impacts are
time-independent, booked when the risk strikes.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=2, fixed_cost=100), pm.Task("B", duration=3, cost_per_day=50)],
...     dependencies=[pm.Dependency("A", "B")])
>>> budget_burn(p, freq="W")["early"].tolist()
[250.0]
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .accrual import accrued_by_task, accrued_cost, cumulative_cost, end_of, on_calendars
from .calendar import elapsed_working_days
from .costs import (baseline_cost, class_rates, cost_rates, escalates, escalation_classes, escalation_index,
                    project_budget, require_costs)
from .cpm import Schedule, cpm
from .errors import ValidationError
from .model import Project, require_project
from .simulation import Simulation

__all__ = [
    "budget_burn",
    "contingency",
    "jcl",
    "jcl_frontier",
    "JointConfidence",
    "cumulative_cost",
    "accrued_cost",
    "accrued_by_task",
    "on_calendars",
    "end_of",
]


# --------------------------------------------------------------------------- time helpers


def _date_grid(project: Project, last_offset: float, freq: str) -> pd.DatetimeIndex:
    """Period-end dates from the project start until the period holding ``last_offset``."""
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (TypeError, ValueError):
        raise ValidationError(f"budget_burn: unknown frequency {freq!r}; use a pandas frequency such as 'D', 'W', 'ME'") from None
    first = pd.Timestamp(project.calendar.first_workday(project.start))
    last = pd.Timestamp(project.calendar.finish_date(project.start, max(last_offset, 0.0)))
    start, end = offset.rollforward(first), offset.rollforward(last)
    return pd.date_range(start, end, freq=offset, name="date")


def _escalated(project: Project, table: pd.DataFrame, first: str, last: str) -> np.ndarray:
    """Each task's cost (project order) between its dates ``table[first]`` .. ``table[last]`` (working days),
    escalated by the mean factor of each escalation class over them."""
    duration = table["duration"].to_numpy(dtype=np.float64)
    fixed, daily = class_rates(project)
    start, finish = table[first].to_numpy(np.float64), table[last].to_numpy(np.float64)
    index = escalation_index(project, float(finish.max(initial=0.0)))
    return sum((fixed[c] + daily[c] * duration) * index.mean_factor(c, start, finish) for c in range(fixed.shape[0]))


def _schedule_curves(project: Project, schedule: Schedule, times: np.ndarray, moments=None) -> dict:
    t = schedule.table.loc[list(project.task_ids)]
    fixed, daily = cost_rates(project)
    duration = t["duration"].to_numpy(dtype=np.float64)
    cost = fixed + daily * duration
    if escalates(project):
        return _escalated_curves(project, schedule, t, times, moments)
    if on_calendars(schedule):
        # Each task's cost spreads over its own calendar's working time between its dates.
        when = schedule.times().loc[list(project.task_ids)]
        curves = {key: accrued_cost(project, when[first].to_numpy(), when[last].to_numpy(), cost, moments)
                  for key, (first, last) in (("early", ("early_start", "early_finish")),
                                             ("late", ("late_start", "late_finish")))}
        if schedule.kind != "cpm":
            curves["scheduled"] = accrued_cost(project, when["start"].to_numpy(), when["finish"].to_numpy(), cost,
                                               moments)
        return curves
    curves = {
        "early": cumulative_cost(times, t["early_start"].to_numpy(float), t["early_finish"].to_numpy(float), cost),
        "late": cumulative_cost(times, t["late_start"].to_numpy(float), t["late_finish"].to_numpy(float), cost),
    }
    if schedule.kind != "cpm":
        curves["scheduled"] = cumulative_cost(times, t["start"].to_numpy(float), t["finish"].to_numpy(float), cost)
    return curves


def _escalated_curves(project: Project, schedule: Schedule, t: pd.DataFrame, times: np.ndarray, moments) -> dict:
    """:func:`_schedule_curves` with each task's cost escalated over its own dates (the late dates cost more)."""
    keys = {"early": ("early_start", "early_finish"), "late": ("late_start", "late_finish")}
    if schedule.kind != "cpm":
        keys["scheduled"] = ("start", "finish")
    calendars = on_calendars(schedule)
    when = schedule.times().loc[list(project.task_ids)] if calendars else None
    curves = {}
    for key, (first, last) in keys.items():
        if calendars:
            cost = _escalated(project, t, first, last)
            curves[key] = accrued_cost(project, when[first].to_numpy(), when[last].to_numpy(), cost, moments)
            continue
        # By date: each class's cost spreads linearly on the axis of ∫ factor, so a later day costs more.
        fixed, daily = class_rates(project)
        start, finish = t[first].to_numpy(np.float64), t[last].to_numpy(np.float64)
        index = escalation_index(project, max(float(finish.max(initial=0.0)), float(times.max(initial=0.0))))
        duration = t["duration"].to_numpy(dtype=np.float64)
        curves[key] = sum(cumulative_cost(index.integral(c, times), index.integral(c, start),
                                          index.integral(c, finish),
                                          (fixed[c] + daily[c] * duration) * index.mean_factor(c, start, finish))
                          for c in range(fixed.shape[0]))
    return curves


def _simulated_curves(sim, times: np.ndarray, percentiles, chunk_size: int) -> dict:
    """Cumulative cost by time in every iteration, then its percentiles."""
    remaining = sim.remaining  # a re-forecast from progress, or None
    project = sim.project if remaining is None else remaining.project
    fixed, daily = cost_rates(project)
    total = np.asarray(sim.cost, dtype=np.float64)
    finish = np.asarray(sim.finish, dtype=np.float64)
    known = 0.0
    started = np.zeros(len(project.tasks), dtype=bool)
    if remaining is not None:
        # Work done is in the actual cost, booked at the status date; a started task's cost left
        # spreads from the data date.
        fixed = np.asarray(remaining.fixed_left, dtype=np.float64)
        daily = daily * (np.asarray(remaining.status) != "finished")
        started = np.asarray(remaining.status == "in progress")
        known = remaining.actual_cost
    # With escalation every cost is booked by date at its own factor (the index runs past the last date).
    index = escalation_index(project, max(float(times.max(initial=0.0)), float(finish.max(initial=0.0)))) \
        if escalates(project) else None
    per_day = float(project.cost_per_day)
    column = {tid: k for k, tid in enumerate(project.task_ids)}
    risk_columns = [[column[t] for t in project.risk(rid).tasks if t in column] for rid in sim.risk_summary.index]
    rows = np.empty((int(sim.iterations), times.shape[0]), dtype=np.float64)
    for it, start, end in sim.iter_task_dates(chunk_size=chunk_size):
        start = np.asarray(start, dtype=np.float64)
        end = np.asarray(end, dtype=np.float64)
        if started.any():
            start = np.where(started, np.minimum(np.maximum(start, remaining.data_time), end), start)
        if index is None:
            rate = daily + _rate_extra(project, sim.rate_factors(it), daily)  # each iteration's resource rates
            cost = np.where(sim.task_exists(it), fixed, 0.0) + rate * (end - start)  # a task that does not exist: 0
            curve = cumulative_cost(times, start, end, cost)
            rest = total[it] - known - cost.sum(axis=1)
        else:
            curve, booked_tasks = _escalated_task_curves(project, index, sim, it, times, start, end, fixed, daily)
            rest = total[it] - known - booked_tasks
        if per_day:  # the project's cost per working day, paid day by day until the finish
            paid = np.minimum(times[None, :], finish[it][:, None])
            curve += per_day * (paid if index is None else index.integral(0, paid))
            rest -= per_day * (finish[it] if index is None else index.integral(0, finish[it]))
        # A risk's cost impact is booked when it strikes: at the finish of the first task it delays.
        for k, booked in enumerate(sim.risk_costs(it)):
            if risk_columns[k] and booked.any():
                strikes = end[:, risk_columns[k]].min(axis=1)
                if index is not None:  # at the factor of the day it strikes, as the engine books it
                    booked = booked * index.point_factor(0, strikes)
                curve += booked[:, None] * (times[None, :] >= strikes[:, None] - 1e-9)
                rest -= booked
        # What the dates do not explain (response costs, a risk naming no task) is booked at the finish.
        curve += rest[:, None] * (times[None, :] >= finish[it][:, None] - 1e-9)
        rows[it] = curve
    if remaining is not None:
        rows += known * (times >= remaining.data_time)
        rows[:, times < remaining.data_time] = np.nan
    # The P-levels of Simulation.cost_percentile, so the last row of each band is that P-level cost.
    out = {f"p{p:g}": np.percentile(rows, p, axis=0, method="inverted_cdf") for p in percentiles}
    out["mean"] = rows.mean(axis=0)
    return out


def _escalated_task_curves(project: Project, index, sim, it, times, start, end, fixed, daily):
    """(the escalated cost of the tasks accrued by each time, rows x times; their total per row).

    Per escalation class, each task's amount (its fixed cost where it exists, its daily rates at the
    iteration's factors x its duration) costs amount x the mean factor over [start, end] (as the engine has
    it), and by a time T it has accrued amount / (end - start) x ∫ factor over [start, min(T, end)]: spread
    linearly on the axis of ∫ factor, a later day costs more. A task of no span books amount x its day's
    factor at its start."""
    fixed_c, daily_c = class_rates(project)
    rates, of = escalation_classes(project)
    if sim.remaining is not None:  # a re-forecast: the fixed cost left (the project's class), no finished work
        fixed_c = np.zeros_like(fixed_c)
        fixed_c[0] = fixed
        daily_c = daily_c * (daily > 0)[None, :]
    exists = sim.task_exists(it)
    factors = sim.rate_factors(it)
    curve = np.zeros((start.shape[0], times.shape[0]))
    booked = np.zeros(start.shape[0])
    for c in range(len(rates)):
        extra = _rate_extra(project, factors, daily, only={rid for rid, k in of.items() if k == c})
        amount = np.where(exists, fixed_c[c], 0.0) + (daily_c[c] + extra) * (end - start)
        if not amount.any():
            continue
        cost = amount * index.mean_factor(c, start, end)
        curve += cumulative_cost(index.integral(c, times), index.integral(c, start), index.integral(c, end), cost)
        booked += cost.sum(axis=1)
    return curve, booked


def _rate_extra(project: Project, factors: pd.DataFrame, daily: np.ndarray, only=None) -> np.ndarray:
    """(iterations, tasks): what the drawn rate factors add to each task's cost per day (0 where the task pays no
    rate, as ``daily``: a finished task in a re-forecast); ``only``: the ids of the resources to count (all by
    default)."""
    extra = np.zeros((len(factors), len(project.tasks)))
    if factors.shape[1] == 0:
        return extra
    paid = {r.id: r.cost_per_day for r in project.resources}
    for k, task in enumerate(project.tasks):
        if daily[k] == 0:
            continue
        for rid, units in task.resources:
            if rid in factors.columns and (only is None or rid in only):
                extra[:, k] += units * paid[rid] * (factors[rid].to_numpy() - 1.0)
    return extra


def budget_burn(project: Project, sim_or_schedule=None, freq: str = "W", *,
                percentiles=(10, 50, 90), confidence: float = 0.8, chunk_size: int = 2048) -> pd.DataFrame:
    """The budget burn S-curves by date: the baseline envelope and, from a Simulation, P-bands.

    Parameters
    ----------
    project : Project
    sim_or_schedule : Simulation or Schedule, optional
        A :class:`pmsim.Simulation` adds the bands of cumulative cost over
        its iterations; a Schedule (e.g. a levelled one) gives the envelope
        and, unless it is plain CPM, its own ``scheduled`` curve. ``None``
        uses ``pm.cpm(project)``.
    freq : str
        A pandas frequency for the rows: ``"D"``, ``"W"`` (weeks ending on
        Sunday), ``"ME"`` (month ends), ...
    percentiles : sequence of float
        The P-levels of the bands (0-100).
    confidence : float
        The confidence (a share in (0, 1)) at which ``attrs["contingency"]``
        is given.
    chunk_size : int
        Iterations regenerated at once from the Simulation (memory bound).

    Returns
    -------
    DataFrame
        Indexed by ``date`` (the end of each period); columns
        ``working_day`` (working days elapsed by then), ``early`` and
        ``late`` (the planned cumulative cost with every task at its early,
        resp. late dates: the "banana" envelope), ``scheduled`` (for a
        non-CPM Schedule), and for a Simulation ``p10 p50 p90`` and
        ``mean``. ``attrs`` holds ``baseline_cost``, ``budget``,
        ``currency`` and, for a Simulation, ``expected_cost``,
        ``p_on_budget``, ``cost_percentiles`` (P10..P90 of the total cost,
        as :meth:`Simulation.cost_percentile`), ``confidence`` and
        ``contingency`` (see :func:`contingency`).

    Notes
    -----
    Cost accrues linearly over each task's working days, the fixed part
    included (so ``early`` is the earned-value planned value curve). In the
    Simulation each iteration's tasks cost ``fixed + daily rate × sampled
    duration`` (nothing for a task that does not exist in it); the
    project's ``cost_per_day`` accrues every working day until that
    iteration's finish; a risk's cost impact is booked when it strikes, at
    the finish of the first task it delays in that iteration; anything else
    (response costs, the cost impact of a risk that names no task) is
    booked at the iteration's finish. The bands are percentiles per date
    (the inverted CDF, as everywhere in pmsim), not the curves of particular
    iterations; once every iteration has finished they are the P-level
    costs. Memory: iterations × dates floats.

    For a levelled Simulation the bands follow each iteration's levelled
    dates, and the ``scheduled`` column is the deterministic levelled plan
    (:func:`pmsim.level`). With escalation every cost is booked by date at
    its own factor: a task's escalated cost accrues day by day (a later day
    costs more), the project's cost per day at each day's factor, a risk's
    cost at the factor of the day it strikes. For a re-forecast (``pm.simulate(project, progress=..., status_date=...)``)
    the bands start at the status date with the actual cost to date and are
    NaN before it (the actuals by date are in ``pm.earned_value_series``).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=5, cost_per_day=100), pm.Task("B", duration=5, cost_per_day=100),
    ...            pm.Task("C", duration=2, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C")])
    >>> burn = budget_burn(p, freq="W")
    >>> burn[["early", "late"]].to_dict("list")
    {'early': [500.0, 1200.0], 'late': [500.0, 1200.0]}
    >>> budget_burn(p, freq="D").loc["2027-01-12", ["early", "late"]].tolist()
    [900.0, 700.0]
    """
    project = require_project(project, "budget_burn")
    if sim_or_schedule is None:
        sim_or_schedule = cpm(project)
    sim = sim_or_schedule if isinstance(sim_or_schedule, Simulation) else None
    if sim is None and not isinstance(sim_or_schedule, Schedule):
        raise ValidationError(
            f"budget_burn needs a Simulation or a Schedule, got {type(sim_or_schedule).__name__}"
        )
    if sim is not None and sim.project is not project and sim.project != project:
        raise ValidationError("budget_burn: the Simulation was run on another project")
    require_costs(project, "budget_burn")
    _check_share("confidence", confidence)
    percentiles = tuple(percentiles)
    bad = [p for p in percentiles if not 0 <= p <= 100]
    if bad or not percentiles:
        raise ValidationError(f"budget_burn: percentiles must be P-levels in [0, 100], got {percentiles!r}")
    if sim is None:
        schedule = sim_or_schedule
    elif sim.levelled_plan is not None:
        schedule = sim.levelled_plan  # the plan a levelled run's iterations follow
    else:
        schedule = cpm(project)
    last = float(schedule.table[["late_finish", "finish"]].to_numpy().max())
    if sim is not None:
        last = max(last, float(np.max(sim.finish)))
    dates = _date_grid(project, last, freq)
    times = elapsed_working_days(project, dates)
    moments = (np.asarray(dates.values, dtype="datetime64[D]") + np.timedelta64(1, "D")).astype("datetime64[m]")
    columns = {"working_day": times, **_schedule_curves(project, schedule, times, moments)}
    if project.cost_per_day:  # the project's cost per working day, until the planned finish
        paid = np.minimum(times, schedule.makespan)
        if escalates(project):  # each day at its own escalation factor
            paid = escalation_index(project, schedule.makespan).integral(0, paid)
        for key in ("early", "late", "scheduled"):
            if key in columns:
                columns[key] = columns[key] + project.cost_per_day * paid
    attrs = {"baseline_cost": plan_cost(project), "budget": project_budget(project), "currency": project.currency}
    if sim is not None:
        columns.update(_simulated_curves(sim, times, percentiles, chunk_size))
        levels = (10, 20, 30, 40, 50, 60, 70, 80, 90)
        attrs.update(
            expected_cost=float(np.mean(sim.cost)),
            p_on_budget=sim.probability_within(attrs["budget"]),
            cost_percentiles=dict(zip(levels, sim.cost_percentile(levels))),
            confidence=confidence,
            contingency=contingency(sim, confidence),
        )
    frame = pd.DataFrame(columns, index=dates)
    frame.attrs.update(attrs)
    return frame


def _require_simulation(sim, what: str):
    """``sim`` when it has what a Simulation gives (its project, finish and cost per iteration)."""
    if not all(hasattr(sim, name) for name in ("project", "finish", "cost", "finish_dates")):
        raise ValidationError(f"{what} needs a Simulation (from pm.simulate), got {type(sim).__name__}")
    return sim


def _amount(name: str, value) -> float:
    """``value`` as a finite amount >= 0, else a ValidationError naming ``name``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number >= 0, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValidationError(f"{name} must be a number >= 0, got {value!r}")
    return v


def _check_share(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number in (0, 1), got {value!r}") from None
    if not 0 < v < 1:
        hint = f" (a share: {v / 100:g} for {v:g} %)" if 1 < v < 100 else ""
        raise ValidationError(f"{name} must be in (0, 1), got {value!r}{hint}")
    return v


def contingency(sim, confidence: float = 0.8) -> float:
    """The cost contingency needed at ``confidence``: the P-level cost minus the baseline cost.

    ``confidence`` is a share in (0, 1): 0.8 asks for the cost that 80 % of
    the iterations stay within (P80, :meth:`Simulation.cost_percentile`),
    less the cost of the plan (``pmsim.budget.plan_cost``: the baseline cost and the project's
    ``cost_per_day`` over the CPM duration). The result is
    what to hold in reserve above the plan's cost: a budget of baseline +
    contingency is met in at least that share of iterations. It is negative
    when the plan's cost already has more than that confidence.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=12, cost_per_day=100)])
    >>> sim = pm.simulate(p, iterations=2000, seed=1)
    >>> 0 < contingency(sim, 0.8) < 700
    True
    """
    sim = _require_simulation(sim, "contingency")
    c = _check_share("confidence", confidence)
    require_costs(sim.project, "contingency")
    return float(sim.cost_percentile(100 * c)) - plan_cost(sim.project)


def plan_cost(project: Project) -> float:
    """The cost of the plan: :func:`pmsim.costs.baseline_cost` (every task at its planned duration) plus the
    project's ``cost_per_day`` for every working day of the CPM plan.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=4, cost_per_day=250)],
    ...                cost_per_day=100)
    >>> plan_cost(p)
    1400.0
    """
    base = baseline_cost(project)
    if not project.cost_per_day:
        return base
    makespan = cpm(project).makespan
    if escalates(project):
        return base + project.cost_per_day * float(escalation_index(project, makespan).integral(0, makespan))
    return base + project.cost_per_day * makespan


# --------------------------------------------------------------------------- joint confidence


@dataclass(frozen=True, eq=False)
class JointConfidence:
    """Joint confidence level: the share of iterations both on time and on budget.

    ``jcl``, ``p_on_time`` (finish date on or before ``deadline``) and
    ``p_on_budget`` (cost at most ``budget``) are shares in [0, 1];
    ``scatter`` has one row per iteration: ``finish_date``, ``finish``
    (working days), ``cost``, ``on_time``, ``on_budget``.
    """

    jcl: float
    p_on_time: float
    p_on_budget: float
    budget: float
    deadline: dt.date
    scatter: pd.DataFrame = field(repr=False)
    currency: str = "USD"

    @property
    def iterations(self) -> int:
        return len(self.scatter)

    def to_dict(self) -> dict:
        """The headline numbers as plain values."""
        return {"jcl": self.jcl, "p_on_time": self.p_on_time, "p_on_budget": self.p_on_budget,
                "budget": self.budget, "deadline": self.deadline.isoformat()}

    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column DataFrame."""
        rows = {
            "deadline": self.deadline,
            f"budget ({self.currency})": self.budget,
            "P(on time)": self.p_on_time,
            "P(on budget)": self.p_on_budget,
            "JCL (both)": self.jcl,
            "iterations": self.iterations,
        }
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        return f"<h4>Joint confidence</h4>{self.summary().to_html(header=False)}"


def _deadline(project: Project, deadline) -> dt.date:
    if deadline is None:
        if project.deadline is not None:
            return project.deadline
        return cpm(project).finish_date
    try:
        return pd.Timestamp(deadline).date()
    except (TypeError, ValueError):
        raise ValidationError(f"deadline {deadline!r} is not a date (YYYY-MM-DD)") from None


def jcl(sim, budget: float | None = None, deadline=None) -> JointConfidence:
    """The joint confidence level of a Simulation: P(on time and on budget).

    Parameters
    ----------
    sim : Simulation
    budget : float, optional
        Defaults to the project's budget, or its baseline cost when none is given.
    deadline : date or ISO string, optional
        Defaults to the project's deadline, or the CPM finish date when none is given.

    An iteration is on time when its finish date is on or before the
    deadline, on budget when its cost is at most the budget. Returns a
    :class:`JointConfidence` with the joint share, each share on its own and
    the scatter data (one row per iteration).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", budget=600, deadline="2027-01-08",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=9, cost_per_day=100)])
    >>> r = jcl(pm.simulate(p, iterations=1000, seed=3))
    >>> r.jcl <= min(r.p_on_time, r.p_on_budget)
    True
    """
    sim = _require_simulation(sim, "jcl")
    project = sim.project
    require_costs(project, "jcl")
    budget = project_budget(project) if budget is None else _amount("jcl: budget", budget)
    if math.isnan(budget) or budget < 0:
        raise ValidationError(f"jcl: budget must be a number >= 0, got {budget!r}")
    deadline = _deadline(project, deadline)
    finish_dates = np.asarray(sim.finish_dates, dtype="datetime64[D]")
    cost = np.asarray(sim.cost, dtype=np.float64)
    on_time = finish_dates <= np.datetime64(deadline, "D")  # as Simulation.probability_by
    on_budget = cost <= budget + 1e-9 * max(1.0, budget)  # as Simulation.probability_within: rounding is not overspending
    scatter = pd.DataFrame(
        {
            "finish_date": pd.to_datetime(finish_dates),
            "finish": np.asarray(sim.finish, dtype=np.float64),
            "cost": cost,
            "on_time": on_time,
            "on_budget": on_budget,
        }
    )
    scatter.index.name = "iteration"
    return JointConfidence(
        jcl=float(np.mean(on_time & on_budget)),
        p_on_time=float(np.mean(on_time)),
        p_on_budget=float(np.mean(on_budget)),
        budget=budget,
        deadline=deadline,
        scatter=scatter,
        currency=project.currency,
    )


def jcl_frontier(sim, target: float = 0.7) -> pd.DataFrame:
    """The (deadline, budget) pairs that reach a joint confidence of ``target``.

    For each candidate deadline (each distinct simulated finish date), the
    smallest budget B such that at least ``target`` of all iterations finish
    by that date *and* cost at most B. Only the efficient pairs are kept:
    each later deadline needs a strictly smaller budget. NASA policy asks
    for a JCL of 0.7.

    Returns a DataFrame with ``deadline`` (date), ``working_days`` (finish
    offset of that date), ``budget`` and ``jcl`` (the share reached, >= target).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=3, most_likely=5, pessimistic=9, cost_per_day=100),
    ...            pm.Task("B", optimistic=1, most_likely=2, pessimistic=6, fixed_cost=50)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> front = jcl_frontier(pm.simulate(p, iterations=2000, seed=2), target=0.7)
    >>> bool((front["jcl"] >= 0.7).all()), bool(front["budget"].is_monotonic_decreasing)
    (True, True)
    """
    sim = _require_simulation(sim, "jcl_frontier")
    t = _check_share("target", target)
    require_costs(sim.project, "jcl_frontier")
    finish_dates = np.asarray(sim.finish_dates, dtype="datetime64[D]")
    cost = np.asarray(sim.cost, dtype=np.float64)
    n = cost.shape[0]
    need = int(math.ceil(t * n - 1e-9))
    order = np.argsort(finish_dates, kind="stable")
    dates_sorted = finish_dates[order]
    cost_sorted = cost[order]
    unique, first = np.unique(dates_sorted, return_index=True)
    ends = np.append(first[1:], n)  # iterations [0, end) finish on or before unique[i]
    rows = []
    best = math.inf
    for date, end in zip(unique, ends):
        if end < need:
            continue
        budget = float(np.partition(cost_sorted[:end], need - 1)[need - 1])
        if budget < best:
            best = budget
            reached = np.count_nonzero(cost_sorted[:end] <= budget) / n
            rows.append((pd.Timestamp(date), budget, reached))
    front = pd.DataFrame(rows, columns=["deadline", "budget", "jcl"])
    front.insert(1, "working_days", elapsed_working_days(sim.project, front["deadline"]) if rows else [])
    return front
