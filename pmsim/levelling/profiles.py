"""Resource profiles of any schedule: demand against capacity by working day, and the over-allocations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cpm import Schedule, cpm
from ..model import Project, require_project
from ..network import network
from .floats import usage_events
from .problem import Problem, demand_matrix, schedule_start

__all__ = ["resource_profile", "overallocations"]


def _daily(problem: Problem, start: np.ndarray, days: int):
    """Per working day: the peak usage of each resource, and the tasks using it that day."""
    times, usage = usage_events(problem, start)
    peak = np.zeros((days, len(problem.resources)))
    for b in range(times.shape[0]):
        lo = int(math.floor(times[b] + 1e-9))
        hi = times[b + 1] if b + 1 < times.shape[0] else times[b]
        hi = int(math.ceil(hi - 1e-9))
        for day in range(max(lo, 0), min(max(hi, lo + 1), days)):
            np.maximum(peak[day], usage[b], out=peak[day])
    return peak


def resource_profile(project: Project, schedule: Schedule | None = None) -> pd.DataFrame:
    """Demand, capacity and over-allocation of every resource, one row per working day.

    Parameters
    ----------
    project : Project
    schedule : Schedule, optional
        Any schedule of ``project`` (default: its CPM schedule).

    Returns
    -------
    DataFrame
        Indexed by ``date`` (one row per working day from the project start
        to the schedule's finish); columns are a MultiIndex ``(resource,
        measure)`` with measure ``demand`` (the most units in use at any
        moment of that day), ``capacity`` and ``overallocation`` (demand
        above capacity, else 0). ``profile["dev"]`` is one resource;
        ``profile.xs("demand", axis=1, level=1)`` all demands.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, resources={"dev": 2}),
    ...            pm.Task("B", duration=1, resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", capacity=2)])
    >>> prof = pm.resource_profile(p, pm.cpm(p))
    >>> prof["dev"]
    measure     demand  capacity  overallocation
    date
    2027-01-04     3.0       2.0             1.0
    2027-01-05     2.0       2.0             0.0
    """
    project = require_project(project, "resource_profile")
    schedule = cpm(project) if schedule is None else schedule
    problem = _problem_for_profile(project, schedule)
    net = problem.net
    start = schedule_start(project, schedule, net)
    days = int(math.ceil(schedule.makespan - 1e-9)) if schedule.makespan > 0 else 0
    peak = _daily(problem, start, days)
    dates = pd.to_datetime(project.calendar.date(project.start, np.arange(days)) if days else [])
    cols, data = [], []
    for k, rid in enumerate(problem.resources):
        cap = problem.capacity[k]
        cols += [(rid, "demand"), (rid, "capacity"), (rid, "overallocation")]
        data += [peak[:, k], np.full(days, cap), np.maximum(peak[:, k] - cap, 0.0)]
    frame = pd.DataFrame(
        np.column_stack(data) if data else np.empty((days, 0)),
        index=pd.DatetimeIndex(dates, name="date"),
        columns=pd.MultiIndex.from_tuples(cols, names=["resource", "measure"]),
    )
    frame[frame.abs() < 1e-9] = 0.0
    return frame


def _problem_for_profile(project: Project, schedule: Schedule) -> Problem:
    """Like _problem, but a task demanding more than its capacity is shown, not refused."""
    net = network(project)
    dur = net.to_topological(schedule.table.loc[list(project.task_ids), "duration"].to_numpy(dtype=np.float64))
    res, demand, capacity = demand_matrix(project, net, dur, check=False)
    return Problem(project, net, res, dur, demand, capacity, None, net.project_index.astype(float), {})


def overallocations(project: Project, schedule: Schedule | None = None) -> pd.DataFrame:
    """Each stretch of time in which a resource is over capacity, with the tasks involved.

    Parameters
    ----------
    project : Project
    schedule : Schedule, optional
        Default: the CPM schedule (where over-allocations usually are).

    Returns
    -------
    DataFrame
        One row per resource and maximal period of over-allocation:
        ``resource``, ``start``/``finish`` (working days), ``start_date``/
        ``finish_date`` (first and last working day touched), ``peak`` (most
        units in use), ``capacity``, ``excess`` (peak - capacity), and
        ``tasks`` (the ids of the tasks using the resource in that period,
        in order of start). Empty when the schedule is resource-feasible.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=3, resources={"dev": 1}),
    ...            pm.Task("B", duration=2, resources={"dev": 1})],
    ...     resources=[pm.Resource("dev", capacity=1)])
    >>> pm.overallocations(p)[["resource", "start", "finish", "peak", "tasks"]]
      resource  start  finish  peak   tasks
    0      dev    0.0     2.0   2.0  (A, B)
    >>> pm.overallocations(p, pm.level(p)).empty
    True
    """
    project = require_project(project, "overallocations")
    schedule = cpm(project) if schedule is None else schedule
    problem = _problem_for_profile(project, schedule)
    start = schedule_start(project, schedule, problem.net)
    times, usage = usage_events(problem, start)
    dur, demand, net = problem.dur, problem.demand, problem.net
    rows = []
    for k, rid in enumerate(problem.resources):
        cap = problem.capacity[k]
        over = usage[:, k] > cap * (1 + 1e-9) + 1e-9
        b = 0
        while b < len(times):
            if not over[b]:
                b += 1
                continue
            a = b
            while b < len(times) and over[b]:
                b += 1
            t0, t1 = times[a], times[b] if b < len(times) else times[-1]
            users = [j for j in np.argsort(start, kind="stable")
                     if demand[j, k] > 0 and start[j] < t1 - 1e-9 and start[j] + dur[j] > t0 + 1e-9]
            rows.append({
                "resource": rid, "start": float(t0), "finish": float(t1),
                "start_date": project.calendar.start_date(project.start, t0),
                "finish_date": project.calendar.finish_date(project.start, t1),
                "peak": float(usage[a:b, k].max()), "capacity": float(cap),
                "excess": float(usage[a:b, k].max() - cap),
                "tasks": tuple(net.ids[j] for j in users),
            })
    columns = ["resource", "start", "finish", "start_date", "finish_date", "peak", "capacity", "excess", "tasks"]
    frame = pd.DataFrame(rows, columns=columns)
    for c in ("start_date", "finish_date"):
        frame[c] = pd.to_datetime(frame[c])
    return frame

