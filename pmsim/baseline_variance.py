"""Baseline variance: how far a schedule's dates, durations and costs have moved from a saved baseline.

:func:`variance` compares a schedule (by default the project's CPM schedule,
its progress included) with one of the project's baselines
(:meth:`pmsim.Project.with_baseline`), per task and for the project, as MS
Project's Start, Finish, Duration and Cost Variance fields do: current minus
baseline, so a positive variance is a later date, a longer task or a higher
cost. Date variances are in working days of the project calendar.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calendar import as_date
from .costs import cost_model
from .cpm import Schedule, cpm
from .errors import ValidationError
from .io.progress_table import task_progress
from .model import Baseline, Project, require_project

__all__ = ["BaselineVariance", "variance"]


@dataclass(frozen=True, eq=False)
class BaselineVariance:
    """The variance of a schedule from a baseline: ``tasks`` (one row per task) and ``project`` (a Series).

    Columns (and ``project`` keys): ``start``, ``baseline_start``, ``start_variance``, ``finish``,
    ``baseline_finish``, ``finish_variance`` (working days of the project calendar), ``duration``,
    ``baseline_duration``, ``duration_variance`` (working days), ``cost``, ``baseline_cost``,
    ``cost_variance`` (currency). A task the baseline does not hold has blank baseline columns.
    """

    project: pd.Series
    tasks: pd.DataFrame = field(repr=False)
    baseline: str
    currency: str

    def summary(self) -> pd.DataFrame:
        """The project row as a one-column table."""
        return pd.DataFrame({"value": self.project})

    def _repr_html_(self) -> str:
        return (f"<h4>Variance from baseline {html.escape(self.baseline)} ({html.escape(self.currency)}; "
                f"dates and durations in working days, positive = later, longer, dearer)</h4>"
                + self.summary().to_html() + self.tasks.to_html(max_rows=30))


def _offsets(project: Project, origin, moments) -> np.ndarray:
    """Working days of the project calendar from ``origin`` (its midnight) to each moment (NaT: NaN)."""
    cal = project.calendar
    when = pd.to_datetime(pd.Series(moments))
    out = np.full(len(when), np.nan)
    known = when.notna().to_numpy()
    if known.any():
        elapsed = ((when[known] - pd.Timestamp(origin)).dt.total_seconds() / 60.0).to_numpy()
        table = cal.work_table(origin, math.ceil(max(elapsed.max(), 0.0) / 1440.0) + 2)
        out[known] = np.asarray(table.work_at(np.maximum(elapsed, 0.0)), dtype=float) / cal.minutes_per_day
    return out


def _current_costs(project: Project) -> pd.Series:
    """Each task's cost as it stands: its planned budget; a started task's actual cost plus the rest of
    the work at planned rates (as earned value's bottom-up estimate at completion)."""
    model = cost_model(project)
    if not any(t.actual_start is not None or t.actual_cost for t in project.tasks):
        return model["budget"]
    prog = task_progress(project)
    rest = prog["remaining_duration"] * model["daily_rate"] + (1.0 - prog["percent_complete"] / 100.0) * model["fixed_cost"]
    rest = rest.where(prog["status"] != "finished", 0.0)
    return model["budget"].where(prog["status"] == "not started", prog["actual_cost"] + rest)


def variance(project: Project, schedule: Schedule | None = None, baseline: str | Baseline = "BL1") -> BaselineVariance:
    """Start, finish, duration and cost variance of a schedule from a baseline, per task and for the project.

    Parameters
    ----------
    project : Project
        Holds the baseline (``project.baselines``) unless a :class:`pmsim.Baseline` is passed.
    schedule : Schedule, optional
        The schedule as it stands (levelled or not); by default ``pmsim.cpm(project)``, which schedules
        the remaining work of a progressed project from its data date.
    baseline : str or Baseline
        The name of one of the project's baselines, or a Baseline.

    Returns
    -------
    BaselineVariance
        ``tasks``: per task the current and baseline start, finish, duration and cost and their
        variances (current − baseline); ``project``: the same for the project (first start, last
        finish, working days between them, total cost).

    Notes
    -----
    A started task's duration is the working days of the project calendar from its actual start to
    its forecast finish. A task's current cost is its planned budget, or, once started, its actual cost plus its remaining
    duration at its planned rates and the unearned share of its fixed cost.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, cost_per_day=100),
    ...     pm.Task("B", duration=2, cost_per_day=100)], dependencies=[pm.Dependency("A", "B")])
    >>> planned = p.with_baseline("BL1")
    >>> later = planned.with_task(pm.Task("A", duration=5, cost_per_day=100))
    >>> v = pm.variance(later, baseline="BL1")
    >>> v.tasks.loc["B", ["start_variance", "finish_variance", "duration_variance", "cost_variance"]].tolist()
    [2.0, 2.0, 0.0, 0.0]
    >>> v.project[["finish_variance", "duration_variance", "cost_variance"]].tolist()
    [2.0, 2.0, 200.0]
    """
    project = require_project(project, "variance")
    if not isinstance(baseline, Baseline):
        baseline = project.baseline(baseline)
    if schedule is None:
        schedule = cpm(project)
    elif not isinstance(schedule, Schedule):
        raise ValidationError(f"variance needs a Schedule (from pm.cpm or pm.level), got {type(schedule).__name__}")
    elif schedule.project.task_ids != project.task_ids:
        raise ValidationError("variance: the schedule is of another project (its tasks differ)")
    times = schedule.times()
    base = baseline.table.reindex(times.index)
    unknown = [t for t in baseline.table.index if t not in times.index]
    if unknown:
        raise ValidationError(f"variance: baseline {baseline.name!r} names task {unknown[0]!r}, which the schedule "
                              "does not hold")
    model = cost_model(project)
    current = pd.DataFrame({"name": model["name"], "start": times["start"], "finish": times["finish"],
                            "duration": model["duration"], "cost": _current_costs(project)})
    started = np.array([t.actual_start is not None for t in project.tasks])
    if started.any():  # done and remaining work: from its actual start to its forecast finish
        worked = _offsets(project, project.start, current["finish"]) - _offsets(project, project.start, current["start"])
        current["duration"] = np.where(started, worked, current["duration"])
    origin = min(as_date("date", project.start), base["start"].min().date() if base["start"].notna().any()
                 else project.start)
    off = {(col, which): _offsets(project, origin, frame[col])
           for col in ("start", "finish") for which, frame in (("now", current), ("base", base))}
    tasks = pd.DataFrame({
        "name": current["name"],
        "start": current["start"], "baseline_start": base["start"],
        "start_variance": off["start", "now"] - off["start", "base"],
        "finish": current["finish"], "baseline_finish": base["finish"],
        "finish_variance": off["finish", "now"] - off["finish", "base"],
        "duration": current["duration"], "baseline_duration": base["duration"],
        "duration_variance": current["duration"] - base["duration"],
        "cost": current["cost"], "baseline_cost": base["cost"],
        "cost_variance": current["cost"] - base["cost"],
    }, index=times.index)
    tasks.index.name = "id"
    start_now, finish_now = np.nanmin(off["start", "now"]), np.nanmax(off["finish", "now"])
    start_base, finish_base = np.nanmin(off["start", "base"]), np.nanmax(off["finish", "base"])
    baseline_cost = float(base["cost"].sum()) if base["cost"].notna().any() else math.nan
    whole = pd.Series({
        "start": current["start"].min(), "baseline_start": base["start"].min(),
        "start_variance": start_now - start_base,
        "finish": current["finish"].max(), "baseline_finish": base["finish"].max(),
        "finish_variance": finish_now - finish_base,
        "duration": finish_now - start_now, "baseline_duration": finish_base - start_base,
        "duration_variance": (finish_now - start_now) - (finish_base - start_base),
        "cost": float(current["cost"].sum()), "baseline_cost": baseline_cost,
        "cost_variance": float(current["cost"].sum()) - baseline_cost,
    }, dtype=object)
    for key in whole.index:
        if key.endswith("variance") or key.endswith("duration") or key.endswith("cost"):
            whole[key] = float(whole[key])
    return BaselineVariance(project=whole, tasks=tasks, baseline=baseline.name, currency=project.currency)
