"""Progress tables: what has been done by a status date, one row per started task.

Columns ``id``, ``percent_complete`` (0-100), ``remaining_duration``
(working days of the task's calendar, optional), ``actual_cost``,
``actual_start`` and ``actual_finish`` (ISO dates or dates and times,
optional), and ``status_date`` when one table holds several status dates.
:func:`read_progress` reads them from a CSV file or a folder;
:func:`check_progress` validates any table row by row; :func:`project_at`
puts a table (or a path) on a project's tasks (``Project.with_progress``);
:func:`task_progress` measures the progress on the tasks, as earned value
and the re-forecast count it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..calendar import as_date, elapsed_working_days
from ..errors import FileFormatError, ValidationError
from ..model import Project
from ..model.progress import PROGRESS_COLUMNS, apply_progress, check_progress, rows_at, worked_days
from ._files import as_path, input_file
from .csv_files import read_table

__all__ = ["PROGRESS_COLUMNS", "check_progress", "read_progress", "progress_at", "project_at", "task_progress",
           "has_progress", "data_time"]

_NUMERIC = frozenset({"percent_complete", "remaining_duration", "actual_cost"})


def _read_csv(path: Path) -> pd.DataFrame:
    raw = read_table(path, _NUMERIC)
    raw.attrs["lines"] = True
    return check_progress(raw, str(path))


def read_progress(path) -> pd.DataFrame:
    """Read progress data: a ``progress.csv``, or a folder of them named by status date.

    ``path`` may be

    - a CSV file (with a ``status_date`` column when it holds several dates);
    - a folder of CSV files named by their status date (``2027-03-31.csv``);
    - a project folder holding ``progress.csv`` and/or a ``progress/`` folder.

    Returns one validated table (see :func:`check_progress`); when there are
    several status dates it has a ``status_date`` column.

    >>> import pmsim as pm
    >>> table = read_progress(pm.data_path("erp_upgrade"))
    >>> sorted(table["status_date"].dt.date.astype(str).unique())[:1]  # doctest: +ELLIPSIS
    ['2027-...']
    """
    path = as_path(path, "read_progress")
    if not path.exists():
        raise FileFormatError(f"{path}: no such progress file or folder")
    if not path.is_dir():
        return _read_csv(input_file(path))
    parts = []
    if (path / "progress.csv").exists():
        parts.append(_read_csv(path / "progress.csv"))
    folder = path / "progress" if (path / "progress").is_dir() else None
    if folder is None and not parts and any(path.glob("*.csv")) and not (path / "tasks.csv").exists():
        folder = path
    if folder is not None:
        for file in sorted(folder.glob("*.csv")):
            status = as_date(f"{file}: the file name must be its status date (YYYY-MM-DD.csv);", file.stem)
            table = _read_csv(file)
            if "status_date" in table.columns and (table["status_date"] != pd.Timestamp(status)).any():
                raise ValidationError(f"{file}: its status_date column disagrees with its file name")
            table["status_date"] = pd.Timestamp(status)
            parts.append(table)
    if not parts:
        raise FileFormatError(f"{path}: no progress data (progress.csv or a progress/ folder of YYYY-MM-DD.csv)")
    if len(parts) == 1:
        return parts[0]
    for part in parts:
        if "status_date" not in part.columns:
            raise FileFormatError(f"{part.attrs.get('source', path)}: a status_date column is needed next to other progress files")
    table = pd.concat(parts, ignore_index=True)
    dup = table.duplicated(["id", "status_date"])
    if dup.any():
        row = table[dup].iloc[0]
        raise ValidationError(f"{path}: task {row['id']!r} has two progress rows for {row['status_date'].date()}")
    table.attrs.update(source=str(path), checked=True)
    return table


def _table(progress) -> pd.DataFrame:
    if isinstance(progress, (str, Path)):
        return read_progress(progress)
    if isinstance(progress, pd.DataFrame) and progress.attrs.get("checked"):
        return progress
    return check_progress(progress)


def progress_at(progress, status_date=None):
    """The progress rows of one status date, and that date: ``(table, date or datetime)``.

    ``progress`` is a table or a path (:func:`read_progress`); a table of
    several status dates needs ``status_date``.
    """
    rows, status = rows_at(_table(progress), status_date)
    if status is None:
        raise ValidationError("earned_value needs a status_date (the data date of the progress)")
    return rows, status


def project_at(project: Project, progress=None, status_date=None, *, warn: bool = True) -> Project:
    """``project`` with the progress of a table or path on its tasks (:meth:`pmsim.Project.with_progress`);
    without ``progress``, the project itself. ``warn=False``: no warning about inferred actual dates."""
    if progress is None:
        if status_date is not None:
            raise ValidationError("status_date= needs progress= (the progress table at that date)")
        return project
    rows, status = rows_at(_table(progress), status_date)
    return apply_progress(project, rows, status, warn=warn)


def data_time(project: Project, status) -> float:
    """Working days of the project calendar from the project start to the data date (a date alone: its end).

    Earned value's actual time AT.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    >>> data_time(p, "2027-01-05"), data_time(p, dt.datetime(2027, 1, 5, 10))
    (2.0, 1.25)
    """
    if isinstance(status, dt.datetime):
        return float(project.calendar.working_offset(project.start, status))
    return float(elapsed_working_days(project, [as_date("status date", status)])[0])


def has_progress(project: Project) -> bool:
    """Does any task of ``project`` hold progress (an actual start or an actual cost)?"""
    return any(t.actual_start is not None or t.actual_cost for t in project.tasks)


def task_progress(project: Project) -> pd.DataFrame:
    """Per task of ``project`` (by id): the progress its fields hold, measured as earned value counts it.

    Columns: ``status`` (``finished``, ``in progress``, ``not started``);
    ``percent_complete`` (given; else by duration, the working time done
    over done plus remaining; 100 once finished, 0 before the start);
    ``remaining_duration`` (working days of the task's calendar: given,
    else the planned duration less percent complete, else less the working
    time since the actual start; 0 once finished); ``worked`` (working days
    of its calendar from the actual start to the data date); ``actual_cost``
    (0 when not known) and ``cost_known``; ``actual_start``,
    ``actual_finish`` (timestamps).
    """
    status_date = project.status_date
    rows = {}
    for task in project.tasks:
        planned = task.planned_duration
        pct, rem = task.percent_complete, task.remaining_duration
        worked = 0.0
        if task.actual_finish is not None:
            state, pct, rem = "finished", 100.0, 0.0
        elif task.actual_start is not None:
            state = "in progress"
            if status_date is not None:
                worked = worked_days(project.task_calendar(task), task.actual_start, status_date)
            if rem is None:
                rem = planned * (1.0 - pct / 100.0) if pct is not None else max(planned - worked, 0.0)
            elif pct is None:
                pct = 100.0 if worked + rem <= 0 else 100.0 * worked / (worked + rem)
            if pct is None:
                pct = 100.0 if planned <= 0 else min(100.0 * worked / planned, 100.0)
        else:
            state, pct, rem = "not started", 0.0 if pct is None else pct, planned
        rows[task.id] = {
            "status": state, "percent_complete": pct, "remaining_duration": rem, "worked": worked,
            "actual_cost": task.actual_cost or 0.0, "cost_known": task.actual_cost is not None,
            "actual_start": pd.NaT if task.actual_start is None else pd.Timestamp(task.actual_start),
            "actual_finish": pd.NaT if task.actual_finish is None else pd.Timestamp(task.actual_finish),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "id"
    for c in ("actual_start", "actual_finish"):
        frame[c] = pd.to_datetime(frame[c])
    return frame
