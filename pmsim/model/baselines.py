"""Baselines: the planned start, finish, duration and cost of every task, saved under a name.

A :class:`Baseline` is data on a project (``Project.baselines``), taken from a
schedule by :meth:`pmsim.Project.with_baseline`, read from ``baselines/<name>.csv``
in a project folder, from an MSPDI file's Baseline, Baseline1..Baseline10 or from
a P6 baseline project in an XER file. :func:`pmsim.variance` compares a schedule
with one. The table's columns: ``id``, ``start`` and ``finish`` (dates and times),
``duration`` (working days of the task's calendar) and ``cost`` (blank: not known).

>>> b = Baseline.from_table("BL1", pd.DataFrame({"id": ["A"], "start": ["2027-01-04 08:00"],
...     "finish": ["2027-01-06 17:00"], "duration": [3], "cost": [1500]}))
>>> b.table.loc["A", ["duration", "cost"]].tolist()
[3.0, 1500.0]
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import re
from dataclasses import dataclass

import pandas as pd

from ..errors import DuplicateIdError, FileFormatError, UnknownReferenceError, ValidationError
from .entities import _moment, valid_number

__all__ = ["Baseline", "BASELINE_COLUMNS", "BASELINE_NAME", "check_baselines", "default_schedule", "use_default_schedule"]

BASELINE_COLUMNS = ("id", "start", "finish", "duration", "cost")
# A baseline is saved as baselines/<name>.csv: its name must be a file name on every system.
BASELINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_. -]{0,63}")


def _blank(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _as_datetime(where: str, name: str, value, finish: bool) -> dt.datetime:
    if _blank(value):
        raise ValidationError(f"{where}: {name} is blank; a baseline needs every task's start and finish")
    moment = _moment(f"{where}: {name}", value)
    if not isinstance(moment, dt.datetime):  # a date alone: the start of that day, or its end
        moment = dt.datetime.combine(moment, dt.time(23, 59) if finish else dt.time(0))
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Baseline:
    """A named baseline: per task ``(id, start, finish, duration, cost)``; ``cost`` None when not known.

    Build one with :meth:`from_table`, or take one with :meth:`pmsim.Project.with_baseline`.
    Tasks added after the baseline was taken have no row (their variance is blank).
    """

    name: str
    tasks: tuple

    def __post_init__(self):
        name = str(self.name).strip()
        if not BASELINE_NAME.fullmatch(name):
            raise ValidationError(
                f"baseline name {self.name!r}: use letters, digits, '_', '-', '.' or spaces (at most 64, "
                "starting with a letter or digit); the name is its file name, baselines/<name>.csv")
        object.__setattr__(self, "name", name)
        rows, seen = [], set()
        for row in self.tasks:
            if len(row) != 5:
                raise ValidationError(f"Baseline {name!r}: each task row is (id, start, finish, duration, cost)")
            tid = str(row[0]).strip()
            where = f"Baseline {name!r}, task {tid!r}"
            if not tid:
                raise ValidationError(f"Baseline {name!r}: a row has a blank task id")
            if tid in seen:
                raise DuplicateIdError(f"{where} appears twice; a baseline holds one row per task")
            seen.add(tid)
            start = _as_datetime(where, "start", row[1], False)
            finish = _as_datetime(where, "finish", row[2], True)
            if finish < start:
                raise ValidationError(f"{where}: finish {finish} is before start {start}")
            duration = valid_number(where, "duration", row[3], minimum=0)
            cost = None if _blank(row[4]) else valid_number(where, "cost", row[4], minimum=0)
            rows.append((tid, start, finish, duration, cost))
        object.__setattr__(self, "tasks", tuple(rows))

    @classmethod
    def from_table(cls, name: str, table, source: str | None = None) -> "Baseline":
        """A baseline from a table with the columns ``id start finish duration cost`` (``cost`` optional).

        Messages name ``source`` (a file: its rows counted as lines, the header being line 1).
        """
        frame = pd.DataFrame(table)
        label = source or f"baseline {name!r}"
        missing = [c for c in BASELINE_COLUMNS[:4] if c not in frame.columns]
        if missing:
            raise FileFormatError(f"{label}: missing column(s) {', '.join(missing)}; a baseline table has "
                                  f"{', '.join(BASELINE_COLUMNS)}")
        cost = frame["cost"] if "cost" in frame.columns else [None] * len(frame)
        rows = list(zip(frame["id"], frame["start"], frame["finish"], frame["duration"], cost))
        try:
            return cls(name, tuple(rows))
        except ValidationError as exc:
            if source is None:
                raise
            raise type(exc)(f"{source}: {exc}") from None

    @property
    def table(self) -> pd.DataFrame:
        """The baseline as a DataFrame indexed by task id (``start``, ``finish``, ``duration``, ``cost``)."""
        frame = pd.DataFrame(list(self.tasks), columns=list(BASELINE_COLUMNS)).set_index("id")
        frame["start"] = pd.to_datetime(frame["start"])
        frame["finish"] = pd.to_datetime(frame["finish"])
        frame["duration"] = frame["duration"].astype(float)
        frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce").astype(float)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """The rows as written to ``baselines/<name>.csv``: ``id``, ISO dates and times, numbers."""
        return pd.DataFrame(
            [(tid, s.isoformat(sep=" ", timespec="minutes"), f.isoformat(sep=" ", timespec="minutes"), d, c)
             for tid, s, f, d, c in self.tasks], columns=list(BASELINE_COLUMNS))

    def without_task(self, task_id: str) -> "Baseline":
        """The baseline without that task's row (the task was removed from the project)."""
        return Baseline(self.name, tuple(row for row in self.tasks if row[0] != task_id))

    def __repr__(self) -> str:
        return f"Baseline(name={self.name!r}, tasks={len(self.tasks)})"


# The schedule a baseline is taken from when none is given: pmsim.cpm's, which registers itself here when
# it is imported, so that the model needs no import of the layers above it. ``import pmsim`` loads
# modules on first use, so the first call may have to load it: by name, the one place the model does.
_DEFAULT_SCHEDULE: list = []
_SCHEDULER_MODULE = "pmsim.cpm"


def use_default_schedule(scheduler) -> None:
    """Make ``scheduler(project) -> Schedule`` the schedule :meth:`pmsim.Project.with_baseline` takes by default."""
    _DEFAULT_SCHEDULE[:] = [scheduler]


def default_schedule(project):
    """The default schedule of ``project`` (its CPM schedule) for a baseline."""
    if not _DEFAULT_SCHEDULE:
        importlib.import_module(_SCHEDULER_MODULE)  # registers pmsim.cpm.cpm
    return _DEFAULT_SCHEDULE[0](project)


def check_baselines(project_name: str, baselines, task_ids) -> tuple:
    """The project's baselines as a tuple, after checking each is a Baseline, names are unique (ignoring
    case: they are file names) and every row names a task of the project."""
    out = tuple(baselines)
    known = set(task_ids)
    names: dict[str, str] = {}
    for b in out:
        if not isinstance(b, Baseline):
            raise ValidationError(f"Project.baselines must hold Baseline objects, got {type(b).__name__}")
        key = b.name.casefold()
        if key in names:
            raise DuplicateIdError(f"Project {project_name!r}: two baselines are named {b.name!r}"
                                   + (f" and {names[key]!r}" if names[key] != b.name else "")
                                   + "; baseline names must be unique (ignoring case)")
        names[key] = b.name
        for row in b.tasks:
            if row[0] not in known:
                raise UnknownReferenceError(f"Baseline {b.name!r} names unknown task {row[0]!r}")
    return out
