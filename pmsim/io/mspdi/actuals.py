"""The progress an MSPDI task is written with: actual dates and cost, the duration done and the duration left.

``source`` is the writer's view of the project being written (its progress table by task id, its schedule's
rows and the moment of a date on a calendar).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd

from ...model import Task
from .._exchange import decimal_text
from .fields import duration_text, stamp, sub

__all__ = ["task_progress", "write_actuals", "planned_duration", "done_days"]


def task_progress(source, task: Task) -> dict:
    """A task's progress: the progress table's row, else what the task holds."""
    row = source.progress.get(task.id)
    if row is not None:
        def blank(v):
            return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT

        return {"percent_complete": None if blank(row["percent_complete"]) else row["percent_complete"],
                "remaining_duration": None if blank(row["remaining_duration"]) else row["remaining_duration"],
                "actual_cost": None if blank(row["actual_cost"]) else row["actual_cost"],
                "actual_start": None if blank(row["actual_start"]) else row["actual_start"].to_pydatetime().date(),
                "actual_finish": None if blank(row["actual_finish"]) else row["actual_finish"].to_pydatetime().date(),
                "table": True}
    pct = task.percent_complete
    if pct is None and task.actual_finish is not None:
        pct = 100.0  # MS Project holds a finished task at 100 %
    return {"percent_complete": pct, "remaining_duration": task.remaining_duration, "actual_cost": None,
            "actual_start": task.actual_start, "actual_finish": task.actual_finish, "table": False}


def write_actuals(el: ET.Element, source, task: Task, done: dict, cal, mpd: float) -> None:
    """Actual dates and cost, the actual duration (MS Project's share of the duration done) and the
    remaining duration (all of it for a task not started)."""
    dur = planned_duration(source, task)
    sub(el, "ActualDuration", duration_text(done_days(task, done), mpd))
    if done["actual_start"] is None and not done["table"]:
        sub(el, "RemainingDuration", duration_text(dur, mpd))
        return
    if done["actual_start"] is not None:
        sub(el, "ActualStart", stamp(source.moment(done["actual_start"], cal, False)))
    if done["actual_finish"] is not None:
        sub(el, "ActualFinish", stamp(source.moment(done["actual_finish"], cal, True)))
    if done["actual_cost"] is not None:
        sub(el, "ActualCost", decimal_text(done["actual_cost"] * 100))
    remaining = done["remaining_duration"]
    if remaining is None and done["actual_finish"] is not None:
        remaining = 0.0
    if remaining is not None:
        sub(el, "RemainingDuration", duration_text(remaining, mpd))


def planned_duration(source, task: Task) -> float:
    """The planned duration written: a level-of-effort task's is its span in the schedule written."""
    return float(source.rows_of[task.id]["duration"]) if task.level_of_effort else task.planned_duration


def done_days(task: Task, done: dict) -> float:
    """The duration done: all of it when finished, else the percent complete of it (or what the
    remaining duration leaves), none before the start."""
    dur = task.planned_duration
    if done["actual_start"] is None:
        return 0.0
    if done["actual_finish"] is not None:
        return dur
    if done["percent_complete"] is not None:
        return dur * done["percent_complete"] / 100
    if done["remaining_duration"] is not None:
        return max(dur - done["remaining_duration"], 0.0)
    return 0.0
