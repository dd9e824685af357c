"""Progress tables and the progress on a project's tasks: one set of facts, two shapes.

A progress table (``progress.csv``, or the table a reader returns with
``with_progress=True``) has one row per task that has started, with ``id``,
``percent_complete``, ``remaining_duration``, ``actual_cost``,
``actual_start`` and ``actual_finish`` (and ``status_date`` when one table
holds several data dates). :func:`check_progress` validates one;
:func:`apply_progress` puts it on the tasks (``Project.with_progress``) and
:func:`progress_table` takes it back (``Project.progress_table``). The rules:
``docs/costs-and-earned-value.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..calendar import as_date
from ..calendar.worktime import MINUTES_PER_DAY
from ..errors import FileFormatError, PmsimError, PmsimWarning, UnknownReferenceError, ValidationError
from .entities import _later, _moment

__all__ = ["PROGRESS_COLUMNS", "check_progress", "apply_progress", "progress_table", "clear_progress",
           "moment_value", "worked_days"]

PROGRESS_COLUMNS = ("id", "percent_complete", "remaining_duration", "actual_cost", "actual_start", "actual_finish")
_TASK_FIELDS = ("actual_start", "actual_finish", "remaining_duration", "percent_complete", "actual_cost")


def _blank(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _number(value, where: str, name: str) -> float:
    try:
        v = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValidationError(f"{where}: {name} must be a finite number, got {value!r}")
    return v


def moment_value(value):
    """A table cell as a progress moment: a date (a whole day) or a datetime; None when blank.

    A timestamp at midnight is that whole day, as a spreadsheet's date is.

    >>> moment_value(pd.Timestamp("2027-01-04")), moment_value("2027-01-04 09:30")
    (datetime.date(2027, 1, 4), datetime.datetime(2027, 1, 4, 9, 30))
    """
    if _blank(value):
        return None
    moment = _moment("date", value)
    if isinstance(moment, dt.datetime) and moment.time() == dt.time(0):
        return moment.date()
    return moment


def _cell_moment(where: str, name: str, value):
    try:
        return moment_value(value)
    except PmsimError:
        raise ValidationError(
            f"{where}: {name}: {value!r} is not an ISO date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)"
        ) from None


def _text(moment) -> str:
    return moment.isoformat(sep=" ", timespec="minutes") if isinstance(moment, dt.datetime) else moment.isoformat()


def _stamp(moment):
    return pd.NaT if moment is None else pd.Timestamp(moment)


def _named_columns(progress: pd.DataFrame, source: str) -> pd.DataFrame:
    """``progress`` with its columns named as the format names them (lower case, ``_`` for spaces);
    a column given twice is refused, unknown ones are named in a warning."""
    names = [re.sub(r"\s+", "_", str(c).strip().lower()) for c in progress.columns]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise FileFormatError(f"{source}: column {name!r} appears twice")
    known = (*PROGRESS_COLUMNS, "status_date")
    unknown = [str(c) for c, name in zip(progress.columns, names) if name not in known]
    if unknown:
        warnings.warn(f"{source}: ignoring unknown column(s) {', '.join(map(repr, unknown))}; known columns are "
                      f"{', '.join(known)}", PmsimWarning, stacklevel=4)
    frame = progress.copy()
    frame.columns = names
    return frame


def check_progress(progress: pd.DataFrame, source: str = "progress") -> pd.DataFrame:
    """Validate a progress table row by row and return it normalised.

    The checks that need no project: known columns, ids, percent complete in
    [0, 100], remaining duration >= 0, actual cost a number >= 0, dates (ISO,
    with a time of day when it matters), actual finish not before actual
    start, a finished task at 100 %, one row per task (per status date).
    Errors name ``source`` and the row (the CSV line for a file). Returns
    columns ``id percent_complete remaining_duration actual_cost
    actual_start actual_finish`` (NaN/NaT when blank) and ``status_date``
    when given; a date alone is a timestamp at midnight (that whole day).

    >>> check_progress(pd.DataFrame({"id": ["A"], "percent_complete": [120], "actual_cost": [5]}))
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: progress row 1 (task 'A'): percent_complete must be in [0, 100], got 120

    The table may also come as its rows, a list of mappings (an empty list: nothing started).
    """
    if isinstance(progress, (list, tuple)) and all(isinstance(row, Mapping) for row in progress):
        progress = pd.DataFrame(list(progress)) if progress else pd.DataFrame(columns=["id", "percent_complete",
                                                                                      "actual_cost"])
    if not isinstance(progress, pd.DataFrame):
        raise ValidationError(f"{source}: progress must be a pandas DataFrame, a path or a list of rows, got "
                              f"{type(progress).__name__}")
    frame = _named_columns(progress, source)
    missing = [c for c in ("id", "actual_cost") if c not in frame.columns]
    if "percent_complete" not in frame.columns and "remaining_duration" not in frame.columns:
        missing.append("percent_complete")
    if missing:
        raise FileFormatError(
            f"{source}: missing column(s) {', '.join(missing)}; progress needs id, percent_complete "
            "(or remaining_duration), actual_cost, and optionally actual_start, actual_finish"
        )
    # A CSV file's rows are named by their line (the reader's index), a frame's by their position.
    kind, labels = ("line", list(frame.index)) if progress.attrs.get("lines") else ("row", range(1, len(frame) + 1))
    rows = []
    seen = {}
    for label, rec in zip(labels, frame.to_dict("records")):
        place = f"{source} {kind} {label}"
        tid = rec.get("id")
        if _blank(tid):
            raise ValidationError(f"{place}: the task id is missing")
        if isinstance(tid, float) and tid.is_integer():
            tid = int(tid)
        tid = str(tid).strip()
        where = f"{place} (task {tid!r})"
        pct = rec.get("percent_complete")
        pct = math.nan if _blank(pct) else _number(pct, where, "percent_complete")
        if not math.isnan(pct) and not 0 <= pct <= 100:
            raise ValidationError(f"{where}: percent_complete must be in [0, 100], got {pct:g}")
        rem = rec.get("remaining_duration")
        rem = math.nan if _blank(rem) else _number(rem, where, "remaining_duration")
        if not math.isnan(rem) and rem < 0:
            raise ValidationError(f"{where}: remaining_duration must be >= 0 working days, got {rem:g}")
        cost = rec.get("actual_cost")
        if _blank(cost):
            raise ValidationError(f"{where}: actual_cost is missing (use 0 if nothing was spent)")
        cost = _number(cost, where, "actual_cost")
        if cost < 0:
            raise ValidationError(f"{where}: actual_cost must be >= 0, got {cost:g}")
        start = _cell_moment(where, "actual_start", rec.get("actual_start"))
        finish = _cell_moment(where, "actual_finish", rec.get("actual_finish"))
        if start is not None and finish is not None and _later(start, finish):
            raise ValidationError(f"{where}: actual_finish {_text(finish)} is before actual_start {_text(start)}")
        if finish is not None:
            if not math.isnan(pct) and pct != 100:
                raise ValidationError(f"{where}: has an actual_finish but is {pct:g} % complete; a finished task is 100 %")
            if not math.isnan(rem) and rem > 0:
                raise ValidationError(f"{where}: has an actual_finish but {rem:g} working days remaining")
            pct = 100.0
        if pct == 100 and not math.isnan(rem) and rem > 0:
            raise ValidationError(f"{where}: is 100 % complete but has {rem:g} working days remaining")
        if math.isnan(pct) and math.isnan(rem):
            # Without either, earned value and the remaining work would be silently NaN.
            raise ValidationError(f"{where}: give percent_complete or remaining_duration (or an actual_finish)")
        row = {"id": tid, "percent_complete": pct, "remaining_duration": rem, "actual_cost": cost,
               "actual_start": _stamp(start), "actual_finish": _stamp(finish)}
        key = tid
        if "status_date" in frame.columns:
            status = _cell_moment(where, "status_date", rec.get("status_date"))
            if status is None:
                raise ValidationError(f"{where}: status_date is missing")
            row["status_date"] = _stamp(status)
            key = (tid, row["status_date"])
            for name, moment in (("actual_finish", finish), ("actual_start", start)):
                if moment is not None and _after(moment, status):
                    raise ValidationError(f"{where}: {name} {_text(moment)} is after the status date {_text(status)}")
        if key in seen:
            raise ValidationError(f"{where}: task {tid!r} has two progress rows (first at {seen[key]})")
        seen[key] = place
        rows.append(row)
    columns = list(PROGRESS_COLUMNS) + (["status_date"] if "status_date" in frame.columns else [])
    out = pd.DataFrame(rows, columns=columns)
    for c in ("percent_complete", "remaining_duration", "actual_cost"):
        out[c] = out[c].astype(np.float64)
    for c in ("actual_start", "actual_finish") + (("status_date",) if "status_date" in columns else ()):
        out[c] = pd.to_datetime(out[c])
    out.attrs["source"] = source
    out.attrs["checked"] = True
    return out


def _after(moment, status) -> bool:
    """Is a progress moment after the data date (a date alone: the whole day counts as done)?"""
    if isinstance(moment, dt.datetime) and isinstance(status, dt.datetime):
        return moment > status
    if isinstance(moment, dt.datetime):  # a data date alone is the end of that day
        return moment.date() > status
    return as_date("date", moment) > as_date("date", status)


def rows_at(table: pd.DataFrame, status_date=None):
    """The rows of one data date of a checked table, and that date: ``(rows, date or datetime or None)``."""
    if "status_date" not in table.columns:
        return table, None if status_date is None else _cell_moment("progress", "status_date", status_date)
    stamps = sorted(table["status_date"].unique())
    dates = [moment_value(pd.Timestamp(s)) for s in stamps]
    if status_date is None:
        if len(dates) != 1:
            raise ValidationError(
                f"the progress data holds {len(dates)} status dates ({', '.join(map(_text, dates))}); "
                "pass status_date")
        status = dates[0]
    else:
        status = _cell_moment("progress", "status_date", status_date)
    if status not in dates:
        raise ValidationError(
            f"no progress for status date {_text(status)}; the progress data has {', '.join(map(_text, dates))}")
    rows = table[table["status_date"] == pd.Timestamp(status)].reset_index(drop=True)
    rows.attrs.update(table.attrs)
    return rows, status


# --------------------------------------------------------------------------- working time


def _elapsed(origin: dt.date, moment, finish: bool) -> float:
    """Elapsed minutes from ``origin``'s midnight to a moment (a date alone: its start, or its end)."""
    if isinstance(moment, dt.datetime):
        delta = moment - dt.datetime(origin.year, origin.month, origin.day)
        return delta.total_seconds() / 60.0
    return ((moment - origin).days + (1 if finish else 0)) * float(MINUTES_PER_DAY)


def _table(calendar, origin: dt.date, *moments):
    days = max(int(max(_elapsed(origin, m, True) for m in moments) // MINUTES_PER_DAY) + 2, 2)
    return calendar.work_table(origin, days)


def worked_days(calendar, start, until) -> float:
    """Working days of ``calendar`` between a task's actual start and a moment (a date alone: its end).

    >>> from pmsim.calendar import Calendar
    >>> worked_days(Calendar(), dt.date(2027, 1, 4), dt.date(2027, 1, 6))   # Monday to the end of Wednesday
    3.0
    """
    origin = min(as_date("date", start), as_date("date", until))
    table = _table(calendar, origin, start, until)
    done = table.work_at(_elapsed(origin, until, True)) - table.work_at(_elapsed(origin, start, False))
    return max(float(done), 0.0) / calendar.minutes_per_day


def _moment_at(table, origin: dt.date, work: float, side: str) -> dt.datetime:
    minutes = float(table.time_at(work, side))
    return dt.datetime(origin.year, origin.month, origin.day) + dt.timedelta(minutes=round(minutes))


# --------------------------------------------------------------------------- table -> tasks


def apply_progress(project, progress: pd.DataFrame, status_date=None, *, warn: bool = True):
    """``project`` with the progress of a table on its tasks and ``status_date`` as its data date.

    See :meth:`pmsim.Project.with_progress`. ``warn=False`` leaves out the
    warning about inferred actual dates (earned value does not use them).
    """
    checked = isinstance(progress, pd.DataFrame) and progress.attrs.get("checked")
    table = progress if checked else check_progress(progress)
    rows, status = rows_at(table, status_date)
    if status is None:
        status = project.status_date
    if status is None:
        raise ValidationError("the progress needs a status_date (the data date of the progress)")
    if as_date("status_date", status) < project.start:
        raise ValidationError(f"status date {_text(status)} is before the project start {project.start}")
    source = table.attrs.get("source", "progress")
    by_id = {}
    for rec in rows.to_dict("records"):
        if rec["id"] not in project._by_id()["task"]:
            raise UnknownReferenceError(
                f"{source}: task {rec['id']!r} (status date {_text(status)}): project {project.name!r} has no task "
                f"{rec['id']!r}")
        by_id[rec["id"]] = rec
    tasks, inferred = [], []
    for task in project.tasks:
        rec = by_id.get(task.id)
        fields = dict.fromkeys(_TASK_FIELDS)
        if rec is not None:
            where = f"{source}: task {task.id!r} (status date {_text(status)})"
            fields.update(_task_fields(project, task, rec, status, where, inferred))
        try:
            tasks.append(task.replace(**fields))
        except PmsimError as exc:
            raise exc.with_context(f"{source} (status date {_text(status)})") from None
    if inferred and warn:
        warnings.warn(
            f"{source}: actual dates inferred for tasks {', '.join(inferred[:10])}"
            f"{' and more' if len(inferred) > 10 else ''} (started or finished without them): the work done "
            "is taken to end at the data date (docs/costs-and-earned-value.md)", PmsimWarning, stacklevel=3)
    try:
        return project.replace(tasks=tuple(tasks), status_date=status)
    except PmsimError as exc:
        raise exc.with_context(f"{source} (status date {_text(status)})") from None


def _task_fields(project, task, rec: dict, status, where: str, inferred: list) -> dict:
    """The progress fields of one task from its table row (actual dates inferred when missing)."""
    pct = None if math.isnan(rec["percent_complete"]) else float(rec["percent_complete"])
    rem = None if math.isnan(rec["remaining_duration"]) else float(rec["remaining_duration"])
    start = moment_value(rec["actual_start"])
    finish = moment_value(rec["actual_finish"])
    for name, moment in (("actual_start", start), ("actual_finish", finish)):
        if moment is not None and _after(moment, status):
            raise ValidationError(f"{where}: {name} {_text(moment)} is after the status date")
    out = {"percent_complete": pct, "remaining_duration": rem, "actual_cost": float(rec["actual_cost"])}
    done = finish is not None or pct == 100
    if start is None and not done and not (pct or 0) > 0:
        if rem is not None:
            raise ValidationError(f"{where}: give percent_complete, or actual_start with remaining_duration")
        return out  # not started (an actual cost alone: money spent before the work began)
    if start is None or (done and finish is None):
        start, finish = _infer_dates(project, task, status, pct, start, done)
        inferred.append(task.id)
    out.update(actual_start=start, actual_finish=finish if done else None)
    if done:
        out["remaining_duration"] = None if rem is None else 0.0
    return out


def _infer_dates(project, task, status, pct, start, done: bool):
    """Actual dates a row leaves out: the work done ends at the data date (or starts at the actual start)."""
    cal = project.task_calendar(task)
    origin = min(project.start, as_date("date", status), as_date("date", start) if start is not None else project.start)
    table = _table(cal, origin, status)
    at_data = float(table.work_at(_elapsed(origin, status, True)))
    planned = task.planned_duration * cal.minutes_per_day
    if start is None:
        work = planned if done else planned * (pct or 0.0) / 100.0
        begin = max(at_data - work, float(table.work_at(_elapsed(origin, project.start, False))))
        side = "start" if begin < at_data else "finish"  # no work done: the start is the data date itself
        start = _moment_at(table, origin, begin, side)
        end = _moment_at(table, origin, at_data, "finish")
    else:
        begin = float(table.work_at(_elapsed(origin, start, False)))
        end = _moment_at(table, origin, min(begin + planned, at_data), "finish")
    if isinstance(end, dt.datetime) and _later(start, end):
        end = start
    return start, end


# --------------------------------------------------------------------------- tasks -> table


def _finish_stamp(moment):
    """A finish moment for the table: one at midnight is the end of the day before (a whole day)."""
    if isinstance(moment, dt.datetime) and moment.time() == dt.time(0):
        return pd.Timestamp(moment.date() - dt.timedelta(days=1))
    return _stamp(moment)


def progress_table(project) -> pd.DataFrame:
    """The progress on ``project``'s tasks as a progress table (see :meth:`pmsim.Project.progress_table`)."""
    rows = []
    status = project.status_date
    for task in project.tasks:
        cost = task.actual_cost
        if task.actual_start is None and not cost:
            continue
        pct, rem = task.percent_complete, task.remaining_duration
        if task.actual_finish is not None:
            pct = 100.0
        elif task.actual_start is not None and pct is None and rem is None:
            # The engine's rule: the planned work less the working time since the actual start.
            worked = 0.0 if status is None else worked_days(project.task_calendar(task), task.actual_start, status)
            rem = max(task.planned_duration - worked, 0.0)
        elif task.actual_start is None:
            pct = 0.0 if pct is None else pct
        row = {"id": task.id, "percent_complete": math.nan if pct is None else pct,
               "remaining_duration": math.nan if rem is None else rem, "actual_cost": cost or 0.0,
               "actual_start": _stamp(task.actual_start), "actual_finish": _finish_stamp(task.actual_finish)}
        if status is not None:
            row["status_date"] = _stamp(status)
        rows.append(row)
    columns = list(PROGRESS_COLUMNS) + (["status_date"] if status is not None else [])
    out = pd.DataFrame(rows, columns=columns)
    for c in ("percent_complete", "remaining_duration", "actual_cost"):
        out[c] = out[c].astype(np.float64)
    for c in ("actual_start", "actual_finish") + (("status_date",) if status is not None else ()):
        out[c] = pd.to_datetime(out[c])
    out.attrs.update(source=f"project {project.name!r}", checked=True)
    return out


def clear_progress(project):
    """``project`` as planned: no progress on any task, no status date."""
    tasks = tuple(t.replace(**dict.fromkeys(_TASK_FIELDS)) if any(getattr(t, f) is not None for f in _TASK_FIELDS)
                  else t for t in project.tasks)
    return project.replace(tasks=tasks, status_date=None)
