"""The deterministic critical path method (CPM).

A forward pass gives the early dates, a backward pass from the project
finish the late dates, for all four link types with their lags:

====  =========================================
FS    successor starts >= predecessor finishes + lag
SS    successor starts >= predecessor starts + lag
FF    successor finishes >= predecessor finishes + lag
SF    successor finishes >= predecessor starts + lag
====  =========================================

No task starts before the project start (offset 0). Total float is
``late_start - early_start``; free float is the delay a task can take without
moving any successor's early dates or the project finish. Tasks with zero
total float are critical.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=3), pm.Task("B", duration=2), pm.Task("C", duration=4)],
...     dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C")])
>>> s = pm.cpm(p)
>>> s.makespan, s.critical_path, s.finish_date
(7.0, ['A', 'C'], datetime.date(2027, 1, 12))
>>> s.table.loc["B", ["early_start", "late_start", "total_float", "free_float"]].tolist()
[3.0, 5.0, 2.0, 2.0]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .errors import UnknownReferenceError, ValidationError
from .model import Project
from .network import Network, network

__all__ = ["Schedule", "cpm", "durations_array", "schedule_from_dates", "CRITICAL_TOLERANCE"]

CRITICAL_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class Schedule:
    """A schedule of a project: one row per task in ``table``.

    ``table`` is indexed by task id with, in working days from the project
    start, ``start`` and ``finish`` (where the task is scheduled: early dates
    for :func:`cpm`, levelled dates for :func:`pmsim.level`), ``early_start``,
    ``early_finish``, ``late_start``, ``late_finish``, ``total_float``,
    ``free_float``, ``critical``, and the calendar dates ``start_date`` and
    ``finish_date``.
    """

    project: Project = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    makespan: float
    critical_path: list
    kind: str = "cpm"
    # Levelling reports (empty for a plain CPM schedule).
    delay: float = 0.0
    held_back: pd.DataFrame | None = field(default=None, repr=False)
    status: str | None = None
    lower_bound: float | None = None
    info: dict = field(default_factory=dict, repr=False)

    def copy(self) -> "Schedule":
        """A copy whose tables and info can be changed without touching this one."""
        return replace(self, table=self.table.copy(), critical_path=list(self.critical_path),
                       held_back=None if self.held_back is None else self.held_back.copy(), info=dict(self.info))

    @property
    def finish_date(self) -> dt.date:
        """The calendar date of the last working day of the project."""
        return self.project.calendar.finish_date(self.project.start, self.makespan)

    @property
    def start_date(self) -> dt.date:
        return self.project.calendar.first_workday(self.project.start)

    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column DataFrame.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
        >>> pm.cpm(p).summary().loc[["finish", "makespan (working days)"], "value"].tolist()
        [datetime.date(2027, 1, 6), 3.0]
        """
        rows = {
            "project": self.project.name,
            "schedule": self.kind,
            "tasks": len(self.table),
            "start": self.start_date,
            "finish": self.finish_date,
            "makespan (working days)": self.makespan,
            "critical tasks": int(self.table["critical"].sum()),
        }
        if self.kind != "cpm":
            rows["delay vs CPM (working days)"] = self.delay
        if self.status is not None:
            rows["status"] = self.status
        if self.lower_bound is not None:
            rows["lower bound (working days)"] = self.lower_bound
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        head = self.summary().to_html(header=False)
        cols = ["name", "start_date", "finish_date", "duration", "total_float", "free_float", "critical"]
        return f"<h4>Schedule of {self.project.name}</h4>{head}{self.table[cols].to_html(max_rows=30)}"


def durations_array(project: Project, durations=None, net: Network | None = None) -> np.ndarray:
    """Planned durations in topological order; ``durations`` overrides some or all.

    ``durations`` is a mapping (or a pandas Series) of task id to working
    days, or a sequence in project task order.
    """
    net = network(project) if net is None else net
    if durations is None:
        return np.array(net.planned, dtype=np.float64)
    if isinstance(durations, pd.Series):
        # A Series is labelled by task id: match its labels, never its positions.
        durations = durations.to_dict()
    if isinstance(durations, Mapping):
        out = np.array(net.planned, dtype=np.float64)
        for tid, value in durations.items():
            if tid not in net.position:
                raise UnknownReferenceError(f"durations name unknown task {tid!r}")
            try:
                out[net.position[tid]] = float(value)
            except (TypeError, ValueError):
                raise ValidationError(f"Task {tid!r}: duration must be a number >= 0, got {value!r}") from None
    else:
        try:
            values = np.asarray(durations, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValidationError("durations must be numbers, one per task in project order") from None
        if values.shape != (net.n,):
            raise ValidationError(f"durations must have one value per task ({net.n}), got shape {values.shape}")
        out = net.to_topological(values).astype(np.float64)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValidationError(f"Task {net.ids[k]!r}: duration must be a number >= 0, got {out[k]}")
    return out


def _passes(net: Network, dur: np.ndarray):
    from ._kernels.cpm import backward_pass, forward_pass, free_float

    n = net.n
    es, ef, ls, lf, ff = (np.empty(n) for _ in range(5))
    forward_pass(dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag, es, ef)
    finish = float(ef.max()) if n else 0.0
    backward_pass(dur, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, finish, ls, lf)
    free_float(es, ef, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, finish, ff)
    return es, ef, ls, lf, ff, finish


MAX_WORKING_DAYS = 50_000  # about 190 years: longer is a data error, and dates would overflow


def _check_horizon(net: Network, finish: np.ndarray) -> None:
    if finish.size and not finish.max() <= MAX_WORKING_DAYS:
        k = int(np.argmax(np.nan_to_num(finish, nan=np.inf)))
        raise ValidationError(
            f"Task {net.ids[k]!r} finishes {finish[k]:g} working days after the project start; "
            f"schedules longer than {MAX_WORKING_DAYS:,} working days are not supported "
            "(check the durations and lags that lead to it)"
        )


def _table(project: Project, net: Network, dur, start, finish, es, ef, ls, lf, ff) -> pd.DataFrame:
    _check_horizon(net, finish)
    tf = np.maximum(ls - es, 0.0)
    tf[np.abs(tf) < CRITICAL_TOLERANCE] = 0.0
    cal, day0 = project.calendar, project.start
    start_date = cal.start_date(day0, start)
    finish_date = cal.finish_date(day0, finish)
    # A zero-duration task (milestone) shows on the day its predecessor finished.
    zero = dur == 0
    start_date = np.where(zero, finish_date, start_date)
    by_position = {
        "duration": dur,
        "start": start,
        "finish": finish,
        "early_start": es,
        "early_finish": ef,
        "late_start": ls,
        "late_finish": lf,
        "total_float": tf,
        "free_float": np.minimum(ff, tf),
        "critical": tf <= CRITICAL_TOLERANCE,
        "start_date": start_date,
        "finish_date": finish_date,
    }
    # Rows in the project's own task order: permute the arrays rather than reindex a frame.
    columns = {key: net.to_project(values) for key, values in by_position.items()}
    columns["start_date"] = pd.to_datetime(columns["start_date"])
    columns["finish_date"] = pd.to_datetime(columns["finish_date"])
    tasks = project.tasks
    return pd.DataFrame(
        {
            "name": [t.name for t in tasks],
            "phase": [t.phase for t in tasks],
            "milestone": np.array([t.milestone for t in tasks], dtype=bool),
            **columns,
        },
        index=pd.Index([t.id for t in tasks], name="id"),
    )


def _critical_path(table: pd.DataFrame) -> list:
    """The critical tasks in order of (scheduled) start, then finish: for CPM the early dates."""
    crit = table[table["critical"]]
    order = np.lexsort((crit["finish"].to_numpy(), crit["start"].to_numpy()))
    return [crit.index[i] for i in order]


def cpm(project: Project, durations=None) -> Schedule:
    """The critical-path schedule of ``project``.

    Parameters
    ----------
    project : Project
    durations : mapping or Series of task id to working days, or sequence in task order, optional
        Durations to use instead of the planned ones (``duration`` column, else
        ``most_likely``).

    Returns
    -------
    Schedule
        ``table`` with early/late dates, floats, the critical flag and
        calendar dates; ``makespan`` in working days; ``critical_path``, the
        critical tasks in order of their early start.

    Time is linear in tasks plus links.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=4), pm.Task("B", duration=2)],
    ...     dependencies=[pm.Dependency("A", "B", "FF", 1)])
    >>> pm.cpm(p).table[["early_start", "early_finish"]].to_dict("list")
    {'early_start': [0.0, 3.0], 'early_finish': [4.0, 5.0]}
    >>> pm.cpm(p, durations={"B": 6}).makespan
    6.0
    """
    net = network(project)
    dur = durations_array(project, durations, net)
    es, ef, ls, lf, ff, finish = _passes(net, dur)
    table = _table(project, net, dur, es, ef, es, ef, ls, lf, ff)
    return Schedule(project=project, table=table, makespan=finish, critical_path=_critical_path(table))


def schedule_from_dates(project: Project, start, durations=None, *, kind: str, late_start=None,
                        free_float=None, **report) -> Schedule:
    """A Schedule whose tasks start at ``start`` (topological order), e.g. a levelled one.

    Early dates are those of the unconstrained network (CPM) with the same
    durations. Late dates come from its backward pass against the schedule's
    own finish, so total float says how far a task can slip without delaying
    this schedule's finish, links alone counted. ``late_start`` (topological
    order) replaces them when more than links holds a task, e.g. resources
    in a levelled schedule (:func:`pmsim.levelling.resource_floats`);
    ``free_float`` (topological order) caps the free float the links leave.
    """
    net = network(project)
    dur = durations_array(project, durations, net)
    start = np.asarray(start, dtype=np.float64)
    finish_at = start + dur
    makespan = float(finish_at.max()) if net.n else 0.0
    from ._kernels.cpm import backward_pass, forward_pass, free_float as link_free_float

    n = net.n
    es, ef, ls, lf, ff = (np.empty(n) for _ in range(5))
    forward_pass(dur, net.pred_ptr, net.pred_idx, net.pred_type, net.pred_lag, es, ef)
    backward_pass(dur, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, makespan, ls, lf)
    if late_start is not None:
        ls = np.minimum(ls, np.asarray(late_start, dtype=np.float64))
        lf = ls + dur
    link_free_float(start, finish_at, net.succ_ptr, net.succ_idx, net.succ_type, net.succ_lag, makespan, ff)
    if free_float is not None:
        ff = np.minimum(ff, free_float)
    table = _table(project, net, dur, start, finish_at, es, ef, ls, lf, ff)
    # Critical in a levelled schedule: no float left at the scheduled dates.
    slack = np.maximum(ls - start, 0.0)
    slack_by_id = pd.Series(net.to_project(slack), index=list(project.task_ids))
    table["total_float"] = slack_by_id.where(slack_by_id > CRITICAL_TOLERANCE, 0.0)
    table["free_float"] = np.minimum(table["free_float"], table["total_float"])
    table["critical"] = table["total_float"] <= CRITICAL_TOLERANCE
    cp = _critical_path(table)
    base = float(ef.max()) if n else 0.0  # the unconstrained (CPM) finish
    return Schedule(project=project, table=table, makespan=makespan, critical_path=cp,
                    kind=kind, delay=makespan - base, **report)
