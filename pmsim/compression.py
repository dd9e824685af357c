"""Schedule compression by crashing: the time-cost trade-off as a linear program (:func:`crash`).

Each task that can be crashed has a normal duration D (its planned
duration, as :func:`pmsim.cpm` uses it) at its normal cost (its cost in
:func:`pmsim.cost_model`), and a crash duration c < D at a crash cost: the
two ``Task`` fields ``crash_duration`` and ``crash_cost`` (columns of
``tasks.csv``). Between the two the cost is taken as linear, so every day
taken off costs the task's **cost slope**

    slope = (crash cost - normal cost) / (D - c).

To finish in T working days at the least extra cost, choose each task's
reduction x (0 <= x <= D - c) and start s (>= 0) to

    minimise   sum slope_j x_j
    subject to every link holding on the durations D_j - x_j
               (FS: s_j >= s_i + D_i - x_i + lag; SS: s_j >= s_i + lag;
                FF: s_j + D_j - x_j >= s_i + D_i - x_i + lag; SF: s_j + D_j - x_j >= s_i + lag)
               and s_j + D_j - x_j <= T for every task,

the classic LP of Kelley (1961) and Fulkerson (1961), solved by HiGHS
through :func:`scipy.optimize.linprog`. Among the cheapest answers the one
that crashes the fewest days is taken (a second LP), so a task with a zero
slope is shortened only when that helps. :func:`time_cost_curve` solves it
for every whole working day from the normal duration down to the shortest
possible one: the project's direct-cost curve, convex and piecewise linear.

The network is the working-day one of the CPM: links and lags in working
days of the project calendar; date constraints, task calendars and
progress are not part of the program (a project with progress is refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calendar import elapsed_working_days
from .costs import cost_model
from .cpm import cpm
from .errors import InfeasibleError, ValidationError
from .model import Project, require_project

__all__ = ["crash", "time_cost_curve", "CrashPlan"]

_EPS = 1e-7


@dataclass(frozen=True)
class CrashPlan:
    """The cheapest way to finish by a target: which tasks to crash, by how much, at what cost.

    Attributes
    ----------
    target : float
        The project duration asked for (working days from the start).
    makespan, normal_makespan : float
        The duration reached, and the duration without crashing.
    extra_cost : float
        The direct cost added by crashing.
    tasks : DataFrame
        One row per task that can be crashed (index ``id``): ``name``,
        ``normal_duration``, ``crash_duration``, ``normal_cost``, ``crash_cost``,
        ``cost_slope`` (cost per working day taken off), ``crashed_by``
        (working days taken off), ``duration`` (the new one) and ``extra_cost``.
    project : Project
        The compressed project: each crashed task's estimate scaled by new /
        normal duration, so a simulation keeps its shape of uncertainty.
    """

    target: float
    makespan: float
    normal_makespan: float
    extra_cost: float
    tasks: pd.DataFrame = field(repr=False)
    project: Project = field(repr=False)

    @property
    def crashed(self) -> pd.DataFrame:
        """Only the tasks actually crashed, cheapest slope first."""
        rows = self.tasks[self.tasks["crashed_by"] > _EPS]
        return rows.sort_values(["cost_slope", "crashed_by"], ascending=[True, False], kind="stable")


def _crash_table(project: Project) -> pd.DataFrame:
    """Normal and crash duration and cost of every task, the slope, and the bad input refused."""
    costs = cost_model(project)
    rows = []
    for task in project.tasks:
        normal = float(costs.loc[task.id, "duration"])
        normal_cost = float(costs.loc[task.id, "budget"])
        if task.crash_duration is None:
            rows.append((task.id, task.name, normal, normal, normal_cost, normal_cost, 0.0))
            continue
        who = f"Task {task.id!r}"
        if task.crash_duration > normal + _EPS:
            raise ValidationError(f"{who}: crash_duration {task.crash_duration:g} is longer than its planned "
                                  f"duration {normal:g}; crashing can only shorten a task")
        if task.crash_cost < normal_cost - 1e-6 * max(1.0, normal_cost):
            raise ValidationError(f"{who}: crash_cost {task.crash_cost:,.2f} is below its normal cost "
                                  f"{normal_cost:,.2f} (a negative cost slope: a shorter task that costs less "
                                  "should be planned that way, not crashed)")
        days = normal - task.crash_duration
        slope = (task.crash_cost - normal_cost) / days if days > _EPS else 0.0
        rows.append((task.id, task.name, normal, float(task.crash_duration), normal_cost, float(task.crash_cost),
                     slope))
    return pd.DataFrame(rows, columns=["id", "name", "normal_duration", "crash_duration", "normal_cost",
                                       "crash_cost", "cost_slope"]).set_index("id")


class _Program:
    """The LP's constraint matrix for one project: variables s_0..s_n-1, then x_0..x_n-1."""

    def __init__(self, project: Project, table: pd.DataFrame):
        ids = list(project.task_ids)
        pos = {t: k for k, t in enumerate(ids)}
        n = len(ids)
        self.n = n
        self.normal = table["normal_duration"].to_numpy(float)
        self.room = np.maximum(self.normal - table["crash_duration"].to_numpy(float), 0.0)
        self.slope = table["cost_slope"].to_numpy(float)
        rows, rhs = [], []
        for dep in project.dependencies:
            i, j = pos[dep.predecessor], pos[dep.successor]
            a = np.zeros(2 * n)
            a[i], a[j] = 1.0, -1.0       # s_i - s_j ...
            di, dj, lag = self.normal[i], self.normal[j], float(dep.lag)
            if dep.type == "FS":
                a[n + i] = -1.0
                b = -di - lag
            elif dep.type == "SS":
                b = -lag
            elif dep.type == "FF":
                a[n + i], a[n + j] = -1.0, 1.0
                b = dj - di - lag
            else:  # SF
                a[n + j] = 1.0
                b = dj - lag
            rows.append(a)
            rhs.append(b)
        self.links = (np.array(rows).reshape(-1, 2 * n), np.array(rhs, dtype=float))
        finish = np.zeros((n, 2 * n))
        finish[np.arange(n), np.arange(n)] = 1.0
        finish[np.arange(n), n + np.arange(n)] = -1.0
        self.finish = finish  # s_j - x_j <= T - D_j
        self.bounds = [(0, None)] * n + [(0, r) for r in self.room]

    def solve(self, target: float):
        """(reductions, cost) of the cheapest crash to finish within ``target``; None when impossible."""
        from scipy.optimize import linprog

        a_links, b_links = self.links
        a = np.vstack([a_links, self.finish])
        b = np.concatenate([b_links, target - self.normal])
        scale = max(1.0, float(np.abs(self.slope).max(initial=0.0)))  # costs of order 1 for the solver
        cost = np.concatenate([np.zeros(self.n), self.slope / scale])
        first = linprog(cost, A_ub=a, b_ub=b, bounds=self.bounds, method="highs")
        if first.status == 2:
            return None
        if first.status != 0:
            raise InfeasibleError(f"crash: the linear program failed: {first.message}")
        best = float(first.fun)
        # Among the cheapest answers, crash the fewest days (a zero slope is no reason to crash).
        fewest = np.concatenate([np.zeros(self.n), np.ones(self.n)])
        a2 = np.vstack([a, cost])
        b2 = np.concatenate([b, [best + 1e-9 * max(1.0, abs(best))]])
        second = linprog(fewest, A_ub=a2, b_ub=b2, bounds=self.bounds, method="highs")
        x = (second if second.status == 0 else first).x[self.n:]
        # The solver works to about 1e-6: a hundred-thousandth of a working day is below any plan's resolution.
        x = np.round(x, 5)
        whole = np.round(x)
        x = np.clip(np.where(np.abs(x - whole) < 1e-5, whole, x), 0.0, self.room)
        return x, float(self.slope @ x)

    def shortest(self, crashing: bool = True) -> float:
        """The shortest project duration any crash reaches (``crashing=False``: the links' own duration)."""
        from scipy.optimize import linprog

        a_links, b_links = self.links
        n = self.n
        # Variables s, x, T: minimise T subject to the links and s_j - x_j - T <= -D_j.
        a = np.hstack([np.vstack([a_links, self.finish]), np.concatenate([np.zeros(len(b_links)), -np.ones(n)])[:, None]])
        b = np.concatenate([b_links, -self.normal])
        cost = np.zeros(2 * n + 1)
        cost[-1] = 1.0
        bounds = self.bounds if crashing else [(0, None)] * n + [(0, 0)] * n
        res = linprog(cost, A_ub=a, b_ub=b, bounds=bounds + [(0, None)], method="highs")
        if res.status != 0:
            raise InfeasibleError(f"crash: the linear program failed: {res.message}")
        return float(res.fun)


def _prepare(project: Project, caller: str):
    project = require_project(project, caller)
    if any(t.actual_start is not None or t.actual_finish is not None for t in project.tasks):
        raise ValidationError(f"{caller}: the project has progress; crash the plan (project.without_progress()) "
                              "or the remaining work, not a schedule under way")
    table = _crash_table(project)
    program = _Program(project, table)
    normal = float(cpm(project).makespan)
    by_links = program.shortest(crashing=False)
    if abs(by_links - normal) > 1e-6:
        raise ValidationError(
            f"{caller}: the schedule of {project.name!r} depends on more than its links and lags (date constraints, "
            f"task calendars, lags on other calendars or split tasks): the CPM gives {normal:g} working days, the "
            f"links alone {by_links:g}. Crashing works on the links: remove the constraints, calendars or splits "
            "that move the finish")
    return project, table, program, normal


def _target_days(project: Project, target) -> float:
    if isinstance(target, (dt.date, str, pd.Timestamp, np.datetime64)):
        try:
            return float(elapsed_working_days(project, [target])[0])
        except (TypeError, ValueError):
            raise ValidationError(f"crash: target must be a number of working days or a date, got {target!r}") from None
    try:
        days = float(target)
    except (TypeError, ValueError):
        raise ValidationError(f"crash: target must be a number of working days or a date, got {target!r}") from None
    if not np.isfinite(days) or days < 0:
        raise ValidationError(f"crash: target must be >= 0 working days, got {target!r}")
    return days


def _plan(project: Project, table: pd.DataFrame, target: float, x: np.ndarray, cost: float,
          normal_makespan: float) -> CrashPlan:
    out = table.copy()
    out["crashed_by"] = x
    out["duration"] = out["normal_duration"] - x
    out["extra_cost"] = out["cost_slope"] * x
    crashable = [t.crash_duration is not None for t in project.tasks]
    out = out[crashable]
    tasks = []
    for task, by in zip(project.tasks, x):
        if by > _EPS and task.estimate is not None:
            factor = (out.loc[task.id, "normal_duration"] - by) / out.loc[task.id, "normal_duration"]
            task = task.replace(estimate=task.estimate.scaled(factor))
        tasks.append(task)
    compressed = project.replace(tasks=tuple(tasks))
    durations = {t: float(d) for t, d in zip(project.task_ids, table["normal_duration"].to_numpy() - x)}
    makespan = float(cpm(project, durations=durations).makespan)
    return CrashPlan(target=target, makespan=makespan, normal_makespan=normal_makespan, extra_cost=cost,
                     tasks=out, project=compressed)


def crash(project: Project, target=None) -> CrashPlan:
    """The cheapest crash that finishes the project within ``target``.

    Parameters
    ----------
    project : Project
        Tasks carry ``crash_duration`` and ``crash_cost`` where they can be
        crashed (module docstring: the model and the linear program).
    target : float or date, optional
        Working days from the start, or a date (finish by the end of that
        working day). Default: the shortest duration crashing can reach.

    Returns
    -------
    CrashPlan

    Raises
    ------
    ValidationError
        A crash duration longer than the planned one, a crash cost below the
        normal cost (a negative slope), a bad target, or progress.
    InfeasibleError
        The target is shorter than any crash can reach (the message says the shortest).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[
    ...     pm.Task("A", duration=5, fixed_cost=100, crash_duration=3, crash_cost=300),
    ...     pm.Task("B", duration=4, fixed_cost=100, crash_duration=2, crash_cost=160)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> plan = crash(p, target=6)
    >>> plan.makespan, plan.extra_cost, plan.tasks["crashed_by"].tolist()
    (6.0, 160.0, [1.0, 2.0])
    """
    project, table, program, normal = _prepare(project, "crash")
    shortest = program.shortest()
    days = shortest if target is None else _target_days(project, target)
    if days >= normal - _EPS:
        return _plan(project, table, days, np.zeros(len(table)), 0.0, normal)
    if days < shortest - 1e-6:
        raise InfeasibleError(f"crash: {project.name!r} cannot finish within {days:g} working days; crashing every "
                              f"task as far as it goes reaches {shortest:g} (normal duration {normal:g})")
    solved = program.solve(max(days, shortest))
    if solved is None:
        raise InfeasibleError(f"crash: {project.name!r} cannot finish within {days:g} working days")
    return _plan(project, table, days, solved[0], solved[1], normal)


def time_cost_curve(project: Project, indirect_cost_per_day: float = 0.0) -> pd.DataFrame:
    """The project's direct-cost curve: the cheapest crash for each whole working day of duration.

    From the normal duration down to the shortest crashing can reach (that
    one included, whole or not). Columns: ``makespan`` (working days),
    ``extra_cost`` (crash cost added), ``marginal_cost`` (the cost of the last
    day taken off: the curve's slope), ``direct_cost`` (the baseline cost
    plus the extra), ``indirect_cost`` (``indirect_cost_per_day`` × makespan)
    and ``total_cost``; ``crashed`` names the tasks shortened, each with its
    working days taken off.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[
    ...     pm.Task("A", duration=5, fixed_cost=100, crash_duration=3, crash_cost=300),
    ...     pm.Task("B", duration=4, fixed_cost=100, crash_duration=2, crash_cost=160)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> time_cost_curve(p)[["makespan", "extra_cost", "marginal_cost"]].values.tolist()
    [[9.0, 0.0, 0.0], [8.0, 30.0, 30.0], [7.0, 60.0, 30.0], [6.0, 160.0, 100.0], [5.0, 260.0, 100.0]]
    """
    try:
        indirect = float(indirect_cost_per_day)
    except (TypeError, ValueError):
        raise ValidationError(f"time_cost_curve: indirect_cost_per_day must be a number, got {indirect_cost_per_day!r}") from None
    if not np.isfinite(indirect) or indirect < 0:
        raise ValidationError(f"time_cost_curve: indirect_cost_per_day must be >= 0, got {indirect_cost_per_day!r}")
    project, table, program, normal = _prepare(project, "time_cost_curve")
    shortest = program.shortest()
    targets = list(np.arange(normal, shortest - _EPS, -1.0))
    if not targets or targets[-1] - shortest > 1e-6:
        targets.append(shortest)
    base = float(table["normal_cost"].sum())
    rows = []
    previous = None
    for t in targets:
        x, cost = program.solve(float(t)) if t < normal - _EPS else (np.zeros(len(table)), 0.0)
        crashed = {tid: round(float(v), 6) for tid, v in zip(table.index, x) if v > _EPS}
        marginal = 0.0 if previous is None else (cost - previous[1]) / (previous[0] - t)
        rows.append((float(t), cost, marginal, crashed))
        previous = (float(t), cost)
    out = pd.DataFrame(rows, columns=["makespan", "extra_cost", "marginal_cost", "crashed"])
    out["direct_cost"] = base + out["extra_cost"]
    out["indirect_cost"] = indirect * out["makespan"]
    out["total_cost"] = out["direct_cost"] + out["indirect_cost"]
    return out[["makespan", "extra_cost", "marginal_cost", "direct_cost", "indirect_cost", "total_cost", "crashed"]]
