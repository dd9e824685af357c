"""Do the date constraints and deadlines of a schedule hold? One row per dated constraint.

The engine honours a constraint as ``docs/time-model.md`` says, but a
schedule may still break one: P6 lets the links win over a start or finish
no later than, a deadline cannot pull work earlier, and a hard must-start-on
forces a date its predecessors cannot meet. Each is then a negative total
float somewhere; :func:`constraint_check` says which constraint, on which
date, by how much.

A constraint is compared with the task's scheduled date (its actual date
once it has one) in working time of the task's calendar, the engine's rule:
a date alone is the start of that day's work for a start and the end of
that day's work for a finish, so a task finishing at 17:00 on the day of its
finish-no-later-than meets it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .calendar import Calendar
from .cpm import Schedule
from .errors import ValidationError

__all__ = ["constraint_check", "CONSTRAINT_NAMES"]

CONSTRAINT_NAMES = {
    "SNET": "start no earlier than", "SNLT": "start no later than", "FNET": "finish no earlier than",
    "FNLT": "finish no later than", "MSO": "must start on", "MFO": "must finish on", "SO": "start on",
    "FO": "finish on", "deadline": "deadline", "must_finish_by": "project must finish by",
}
_FINISH = {"FNET", "FNLT", "MFO", "FO", "deadline", "must_finish_by"}
_NOT_BEFORE = {"SNET", "FNET"}
_NOT_AFTER = {"SNLT", "FNLT", "deadline", "must_finish_by"}
TOLERANCE_MINUTES = 0.5


def _elapsed(origin: dt.date, moment, finish: bool) -> float:
    """Minutes from ``origin``'s midnight to a moment; a date alone is its midnight, or the next one for a finish."""
    if isinstance(moment, dt.datetime):
        return (moment - dt.datetime(origin.year, origin.month, origin.day)).total_seconds() / 60.0
    return ((moment - origin).days + (1 if finish else 0)) * 1440.0


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _work_difference(calendar: Calendar, scheduled: pd.Timestamp, moment, finish: bool) -> float:
    """Working minutes of ``calendar`` from the constraint's moment to the scheduled one (negative: before it)."""
    when = scheduled.to_pydatetime()
    origin = min(_day(when), _day(moment)) - dt.timedelta(days=1)
    days = (max(_day(when), _day(moment)) - origin).days + 2
    table = calendar.work_table(origin, days)
    done = table.work_at([_elapsed(origin, when, finish), _elapsed(origin, moment, finish)])
    return float(done[0] - done[1])


def constraint_check(schedule: Schedule) -> pd.DataFrame:
    """Every dated constraint, deadline and the project's must-finish-by, and whether the schedule meets it.

    Returns
    -------
    DataFrame
        One row per constraint, in task order (a task with two constraints and
        a deadline has three), then the project's ``must_finish_by``:
        ``id``, ``name``, ``kind`` (``SNET`` … ``FO``, ``deadline``,
        ``must_finish_by``: its row has no id, the project's name, and the
        finish and total float of the task that finishes last), ``constraint``
        (its meaning in words), ``date``
        (as given), ``scheduled`` (the task's start or finish that it bounds,
        a datetime), ``holds`` (bool), ``off_by`` (working days of the task's
        calendar by which the scheduled date misses it, 0 when it holds),
        ``total_float`` and ``status`` (``finished`` tasks keep their actual
        dates: their constraints no longer move them).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[
    ...     pm.Task("A", duration=3), pm.Task("B", duration=2, constraint="FNLT", constraint_date="2027-01-07")],
    ...     dependencies=[pm.Dependency("A", "B")], honor_constraints=False)
    >>> check = constraint_check(pm.cpm(p))
    >>> check[["id", "kind", "holds", "off_by", "total_float"]].values.tolist()
    [['B', 'FNLT', False, 1.0, -1.0]]
    """
    if not isinstance(schedule, Schedule):
        raise ValidationError(f"constraint_check needs a Schedule (from pm.cpm), got {type(schedule).__name__}")
    project = schedule.project
    when = schedule.times()
    table = schedule.table
    rows = []
    for task in project.tasks:
        if task.id not in when.index:
            continue
        entries = [(task.constraint, task.constraint_date), (task.secondary_constraint, task.secondary_constraint_date),
                   ("deadline", task.deadline)]
        entries = [(k, d) for k, d in entries if d is not None and k not in (None, "ASAP", "ALAP")]
        if not entries:
            continue
        calendar = project.task_calendar(task)
        finished = task.actual_start is not None and task.actual_finish is not None
        status = "finished" if finished else "in progress" if task.actual_start is not None else "not started"
        for kind, date in entries:
            finish = kind in _FINISH
            scheduled = when.loc[task.id, "finish" if finish else "start"]
            rows.append(_row(task.id, task.name, kind, date, scheduled, calendar, finish,
                             float(table.loc[task.id, "total_float"]), status))
    if project.must_finish_by is not None and len(when):
        last = when["finish"].idxmax()
        rows.append(_row("", project.name, "must_finish_by", project.must_finish_by, when.loc[last, "finish"],
                         project.calendar, True, float(table.loc[last, "total_float"]), "project"))
    columns = ["id", "name", "kind", "constraint", "date", "scheduled", "holds", "off_by", "total_float", "status"]
    return pd.DataFrame(rows, columns=columns)


def _row(tid, name, kind, date, scheduled, calendar: Calendar, finish: bool, total_float: float, status: str) -> dict:
    gap = _work_difference(calendar, scheduled, date, finish)  # working minutes after the constraint's moment
    if kind in _NOT_BEFORE:
        miss = max(-gap, 0.0)
    elif kind in _NOT_AFTER:
        miss = max(gap, 0.0)
    else:  # must start / finish on, start / finish on: that moment
        miss = abs(gap)
    holds = miss <= TOLERANCE_MINUTES
    return {"id": tid, "name": name, "kind": kind, "constraint": CONSTRAINT_NAMES[kind], "date": date,
            "scheduled": scheduled, "holds": bool(holds),
            "off_by": 0.0 if holds else float(np.round(miss / calendar.minutes_per_day, 4)),
            "total_float": total_float, "status": status}
