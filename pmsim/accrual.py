"""How costs accrue over time: linearly over each task's working days, on a grid of times or on calendars.

:func:`cumulative_cost` spreads costs over working-day times (compiled);
:func:`accrued_cost` and :func:`accrued_by_task` over each task's own
calendar's working time between datetimes. Budget burn and earned value
both read them (``docs/costs-and-earned-value.md``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .cpm import Schedule
from .errors import ValidationError
from .model import Project

__all__ = ["cumulative_cost", "accrued_cost", "accrued_by_task", "on_calendars", "end_of"]


# --------------------------------------------------------------------------- cumulative cost


def cumulative_cost(times, start, finish, cost) -> np.ndarray:
    """Cost accrued by each time when each task's cost spreads linearly over [start, finish].

    ``start``, ``finish`` and ``cost`` are arrays of shape ``(m, n)`` (m
    scenarios or iterations, n tasks; 1-D means one scenario); ``times`` is
    an ascending 1-D grid. A task with ``finish == start`` books its cost at
    ``start`` (counted from that time on). Returns shape ``(m, len(times))``
    (or 1-D).

    Each task adds its whole cost from the first grid time at or after its
    finish (a difference array, summed once), plus a partial ramp at the few
    grid times inside (start, finish): O(m · n · (log k + points per task)),
    in compiled code.

    >>> cumulative_cost([0, 1, 2, 3, 4], [0, 2], [2, 2], [10, 5]).tolist()
    [0.0, 5.0, 15.0, 15.0, 15.0]
    """
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or np.any(np.diff(times) < 0):
        raise ValidationError("cumulative_cost: times must be an ascending 1-D grid")
    one = np.ndim(start) == 1
    start, finish, cost = (np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in (start, finish, cost))
    start, finish, cost = np.broadcast_arrays(start, finish, cost)
    from ._kernels.budget import cumulative_cost as accrue

    out = np.empty((start.shape[0], times.shape[0]))
    accrue(times, np.ascontiguousarray(start), np.ascontiguousarray(finish), np.ascontiguousarray(cost), out)
    return out[0] if one else out


# --------------------------------------------------------------------------- accrual on calendars


def on_calendars(schedule: Schedule) -> bool:
    """Does ``schedule`` need the calendars to spread costs (tasks or lags off the project calendar)?

    Otherwise its times are working days of the project calendar, over which
    costs spread linearly.
    """
    return schedule.timing is not None and not schedule.timing[0].uniform


def end_of(moment) -> np.datetime64:
    """A data date as a moment (``datetime64[m]``): a date alone is the end of that day (its midnight after)."""
    if isinstance(moment, dt.datetime):
        return np.datetime64(moment, "m")
    day = np.datetime64(pd.Timestamp(moment).date(), "D")
    return (day + np.timedelta64(1, "D")).astype("datetime64[m]")


def _work_minutes(project: Project, start, finish, moments):
    """Per calendar of the tasks: (task rows, work done by each start, finish and moment in working minutes)."""
    start = np.asarray(start, dtype="datetime64[m]")
    finish = np.asarray(finish, dtype="datetime64[m]")
    moments = np.asarray(moments, dtype="datetime64[m]")
    every = np.concatenate([start, finish, moments])
    first = min(every.min().astype("datetime64[D]"), np.datetime64(project.start, "D"))
    days = int((every.max().astype("datetime64[D]") - first).astype(np.int64)) + 2
    origin = first.item()
    base = first.astype("datetime64[m]")
    minutes = lambda x: (x - base).astype(np.int64).astype(np.float64)  # noqa: E731
    groups: dict = {}
    for k, task in enumerate(project.tasks):
        groups.setdefault(project.task_calendar(task), []).append(k)
    for cal, rows in groups.items():
        rows = np.array(rows)
        table = cal.work_table(origin, days)
        yield (rows, np.atleast_1d(table.work_at(minutes(start[rows]))), np.atleast_1d(table.work_at(minutes(finish[rows]))),
               np.atleast_1d(table.work_at(minutes(moments))), minutes(finish[rows]), minutes(moments))


def accrued_cost(project: Project, start, finish, cost, moments) -> np.ndarray:
    """Cost accrued by each moment when each task's cost spreads over its working time on its own calendar.

    ``start``, ``finish`` (datetimes) and ``cost`` are per task in project
    order; ``moments`` an ascending array of datetimes. A task's cost accrues
    linearly in the working time of its calendar between its start and
    finish (nothing over its nights and weekends, all of it over a 24-hour
    calendar's); a task with no working time in between (a milestone) books
    its cost at its finish. Returns one value per moment.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-08", tasks=[pm.Task("A", duration=2, cost_per_day=50)])
    >>> moments = np.array(["2027-01-08T17:00", "2027-01-10T00:00", "2027-01-11T17:00"], dtype="datetime64[m]")
    >>> accrued_cost(p, ["2027-01-08T08:00"], ["2027-01-11T17:00"], [100.0], moments).tolist()  # Fri, Sun, Mon
    [50.0, 50.0, 100.0]
    """
    cost = np.asarray(cost, dtype=np.float64)
    moments = np.asarray(moments, dtype="datetime64[m]")
    out = np.zeros(moments.shape[0])
    for rows, ws, wf, wm, finish_at, moment_at in _work_minutes(project, start, finish, moments):
        spread = wf > ws
        if spread.any():
            out += cumulative_cost(wm, ws[spread], wf[spread], cost[rows][spread])
        for f, c in zip(finish_at[~spread], cost[rows][~spread]):
            out += c * (moment_at >= f)
    return out


def accrued_by_task(project: Project, start, finish, cost, moment) -> np.ndarray:
    """The cost each task has accrued by one moment (the rule of :func:`accrued_cost`), project order."""
    cost = np.asarray(cost, dtype=np.float64)
    out = np.zeros(cost.shape[0])
    moments = np.array([moment], dtype="datetime64[m]")
    for rows, ws, wf, wm, finish_at, moment_at in _work_minutes(project, start, finish, moments):
        span = wf - ws
        share = np.where(span > 0, np.clip((wm[0] - ws) / np.where(span > 0, span, 1.0), 0.0, 1.0),
                         (moment_at[0] >= finish_at).astype(np.float64))
        out[rows] = cost[rows] * share
    return out
