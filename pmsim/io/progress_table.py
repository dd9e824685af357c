"""Progress tables: what has been done by a status date, one row per started task.

Columns ``id``, ``percent_complete`` (0-100), ``remaining_duration``
(working days, optional), ``actual_cost``, ``actual_start`` and
``actual_finish`` (ISO dates, optional), and ``status_date`` when one table
holds several status dates. :func:`read_progress` reads them from a CSV file
or a folder; :func:`check_progress` validates any table row by row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..calendar import as_date
from ..errors import FileFormatError, PmsimWarning, UnknownReferenceError, ValidationError
from ..model import Project
from ._files import as_path, input_file
from .csv_files import read_table

__all__ = ["PROGRESS_COLUMNS", "check_progress", "read_progress", "progress_at", "task_progress"]

PROGRESS_COLUMNS = ("id", "percent_complete", "remaining_duration", "actual_cost", "actual_start", "actual_finish")
_NUMERIC = frozenset({"percent_complete", "remaining_duration", "actual_cost"})


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT:
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


def check_progress(progress: pd.DataFrame, source: str = "progress") -> pd.DataFrame:
    """Validate a progress table row by row and return it normalised.

    The checks that need no project: known columns, ids, percent complete in
    [0, 100], remaining duration >= 0, actual cost a number >= 0, ISO dates,
    actual finish not before actual start, a finished task at 100 %, one row
    per task (per status date). Errors name ``source`` and the row (the CSV
    line for a file). Returns columns ``id percent_complete
    remaining_duration actual_cost actual_start actual_finish`` (NaN/NaT when
    blank) and ``status_date`` when given.

    >>> check_progress(pd.DataFrame({"id": ["A"], "percent_complete": [120], "actual_cost": [5]}))
    Traceback (most recent call last):
    ...
    pmsim.errors.ValidationError: progress row 1 (task 'A'): percent_complete must be in [0, 100], got 120
    """
    if not isinstance(progress, pd.DataFrame):
        raise ValidationError(f"{source}: progress must be a pandas DataFrame or a path, got {type(progress).__name__}")
    frame = _named_columns(progress, source)
    missing = [c for c in ("id", "actual_cost") if c not in frame.columns]
    if "percent_complete" not in frame.columns and "remaining_duration" not in frame.columns:
        missing.append("percent_complete")
    if missing:
        raise FileFormatError(
            f"{source}: missing column(s) {', '.join(missing)}; progress needs id, percent_complete "
            "(or remaining_duration), actual_cost, and optionally actual_start, actual_finish"
        )
    # A CSV file's rows are named by their line (read_table's index), a frame's by their position.
    kind, labels = ("line", list(frame.index)) if progress.attrs.get("lines") else \
        ("row", range(1, len(frame) + 1))
    rows = []
    seen = {}
    for label, rec in zip(labels, frame.to_dict("records")):
        place = f"{source} {kind} {label}"
        where = place
        tid = rec.get("id")
        if _blank(tid):
            raise ValidationError(f"{where}: the task id is missing")
        if isinstance(tid, float) and tid.is_integer():
            tid = int(tid)
        tid = str(tid).strip()
        where = f"{where} (task {tid!r})"
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
        start = rec.get("actual_start")
        start = pd.NaT if _blank(start) else pd.Timestamp(as_date(f"{where}: actual_start", start))
        finish = rec.get("actual_finish")
        finish = pd.NaT if _blank(finish) else pd.Timestamp(as_date(f"{where}: actual_finish", finish))
        if start is not pd.NaT and finish is not pd.NaT and finish < start:
            raise ValidationError(
                f"{where}: actual_finish {finish.date()} is before actual_start {start.date()}"
            )
        if finish is not pd.NaT:
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
               "actual_start": start, "actual_finish": finish}
        key = tid
        if "status_date" in frame.columns:
            sd = rec.get("status_date")
            if _blank(sd):
                raise ValidationError(f"{where}: status_date is missing")
            row["status_date"] = pd.Timestamp(as_date(f"{where}: status_date", sd))
            key = (tid, row["status_date"])
            if finish is not pd.NaT and finish > row["status_date"]:
                raise ValidationError(f"{where}: actual_finish {finish.date()} is after the status date {row['status_date'].date()}")
            if start is not pd.NaT and start > row["status_date"]:
                raise ValidationError(f"{where}: actual_start {start.date()} is after the status date {row['status_date'].date()}")
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


def progress_at(progress, status_date=None):
    """The progress rows of one status date, and that date: ``(table, date)``.

    ``progress`` is a table or a path (:func:`read_progress`); a table of
    several status dates needs ``status_date``.
    """
    if isinstance(progress, (str, Path)):
        progress = read_progress(progress)
    if isinstance(progress, pd.DataFrame) and progress.attrs.get("checked"):
        table = progress
    else:
        table = check_progress(progress)
    if "status_date" in table.columns:
        dates = sorted(table["status_date"].dt.date.unique())
        if status_date is None:
            if len(dates) != 1:
                raise ValidationError(
                    f"the progress data holds {len(dates)} status dates ({', '.join(map(str, dates))}); "
                    "pass status_date"
                )
            status_date = dates[0]
        status_date = as_date("status_date", status_date)
        if status_date not in dates:
            raise ValidationError(
                f"no progress for status date {status_date}; the progress data has {', '.join(map(str, dates))}"
            )
        table = table[table["status_date"].dt.date == status_date].reset_index(drop=True)
    elif status_date is None:
        raise ValidationError("earned_value needs a status_date (the data date of the progress)")
    return table, as_date("status_date", status_date)


def task_progress(project: Project, table: pd.DataFrame, status_date: dt.date, at: float) -> pd.DataFrame:
    """Per task of ``project``: percent complete, actual cost, remaining duration, actual dates and status.

    ``table`` holds the rows of one status date (:func:`progress_at`); ``at``
    is the working days elapsed by the end of that date. Status is
    ``finished``, ``in progress`` or ``not started``.
    """
    known = set(project.task_ids)
    ids = list(project.task_ids)
    pct = pd.Series(0.0, index=ids)
    cost = pd.Series(0.0, index=ids)
    remaining = pd.Series(np.nan, index=ids)
    started = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    finished = pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")
    source = table.attrs.get("source", "progress")
    cal = project.calendar
    for row in table.itertuples(index=False):
        where = f"{source}: task {row.id!r} (status date {status_date})"
        if row.id not in known:
            raise UnknownReferenceError(f"{where}: project {project.name!r} has no task {row.id!r}")
        for name, value in (("actual_start", row.actual_start), ("actual_finish", row.actual_finish)):
            if value is not pd.NaT and value.date() > status_date:
                raise ValidationError(f"{where}: {name} {value.date()} is after the status date")
            if value is not pd.NaT and value.date() < project.start:
                raise ValidationError(f"{where}: {name} {value.date()} is before the project start {project.start}")
        p = row.percent_complete
        if math.isnan(p):
            # Only a remaining duration: percent complete by duration.
            if row.actual_start is pd.NaT:
                raise ValidationError(f"{where}: give percent_complete, or actual_start with remaining_duration")
            done = at - cal.offset(project.start, row.actual_start.date())
            total = done + row.remaining_duration
            p = 100.0 if total <= 0 else 100.0 * done / total
        pct[row.id] = p
        cost[row.id] = row.actual_cost
        remaining[row.id] = row.remaining_duration
        started[row.id] = row.actual_start
        finished[row.id] = row.actual_finish
    status = np.where(pct >= 100, "finished", np.where((pct > 0) | started.notna() | (cost > 0), "in progress", "not started"))
    return pd.DataFrame({"percent_complete": pct, "actual_cost": cost, "remaining_duration": remaining,
                         "actual_start": started, "actual_finish": finished, "status": status})
