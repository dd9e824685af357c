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
import html
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .costs import cost_model
from .errors import UnknownReferenceError, ValidationError
from .model import Project, require_project
from .model.baselines import Baseline, use_default_schedule
from .network import Network, network
from .spans_time import lagless, span_floats
from .task_facts import table_head, task_facts
from .timeline import date_pulled, horizon_room, schedule_inputs, timeline

__all__ = ["Schedule", "cpm", "durations_array", "schedule_from_dates", "schedule_on_timeline", "CRITICAL_TOLERANCE"]

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
    # The dates and times behind the table: (timeline, axis values by column, project order); None when
    # the schedule was built from working days alone (its times follow the project calendar).
    timing: tuple | None = field(default=None, repr=False)

    def copy(self) -> "Schedule":
        """A copy whose tables and info can be changed without touching this one."""
        return replace(self, table=self.table.copy(), critical_path=list(self.critical_path),
                       held_back=None if self.held_back is None else self.held_back.copy(), info=dict(self.info))

    @property
    def finish_date(self) -> dt.date:
        """The calendar date of the last working day of the project."""
        if self.timing is not None and not self.timing[0].uniform:
            return pd.Timestamp(self.times()["finish"].max()).date()
        return self.project.calendar.finish_date(self.project.start, self.makespan)

    def times(self) -> pd.DataFrame:
        """The dates and times of each task (``start``, ``finish``, early and late dates), by task id.

        A start is the moment work begins (Monday 08:00), a finish the moment
        it ends (Friday 17:00), on the task's calendar.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1.5)])
        >>> pm.cpm(p).times().loc["A", ["start", "finish"]].tolist()
        [Timestamp('2027-01-04 08:00:00'), Timestamp('2027-01-05 12:00:00')]
        """
        columns = {"start": False, "finish": True, "early_start": False, "early_finish": True,
                   "late_start": False, "late_finish": True}
        if self.timing is None:
            cal, start = self.project.calendar, self.project.start
            out = {}
            for name, finish in columns.items():
                values = self.table[name].to_numpy(dtype=np.float64)
                out[name] = np.atleast_1d((cal.finish_time if finish else cal.start_time)(start, values))
        else:
            tl, axis = self.timing
            out = {name: tl.times(axis[name], finish) for name, finish in columns.items()}
        return pd.DataFrame({k: pd.to_datetime(v) for k, v in out.items()}, index=self.table.index)

    @property
    def start_date(self) -> dt.date:
        return self.project.calendar.first_workday(self.project.start)

    def as_baseline(self, name: str = "BL1") -> Baseline:
        """This schedule as a baseline: each task's start and finish (dates and times), planned duration
        (working days) and planned cost (:func:`pmsim.cost_model`'s budget). ``Project.with_baseline`` keeps it.

        >>> import pmsim as pm
        >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2, fixed_cost=50)])
        >>> pm.cpm(p).as_baseline("BL1").tasks[0][1:]
        (datetime.datetime(2027, 1, 4, 8, 0), datetime.datetime(2027, 1, 5, 17, 0), 2.0, 50.0)
        """
        times = self.times()
        model = cost_model(self.project)
        zero = self.table["duration"] <= 0
        # A zero-duration task sits at the end of the work before it, as MS Project shows it.
        start = times["start"].where(~zero | (times["start"] <= times["finish"]), times["finish"])
        rows = [(tid, start[tid].to_pydatetime(), times.at[tid, "finish"].to_pydatetime(),
                 float(model.at[tid, "duration"]), float(model.at[tid, "budget"])) for tid in self.table.index]
        return Baseline(name, tuple(rows))

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
        return f"<h4>Schedule of {html.escape(self.project.name)}</h4>{head}{self.table[cols].to_html(max_rows=30)}"


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


MAX_WORKING_DAYS = 50_000  # about 190 years: longer is a data error, and dates would overflow


def _check_horizon(net: Network, finish: np.ndarray) -> None:
    if finish.size and not finish.max() <= MAX_WORKING_DAYS:
        k = int(np.argmax(np.nan_to_num(finish, nan=np.inf)))
        raise ValidationError(
            f"Task {net.ids[k]!r} finishes {finish[k]:g} working days after the project start; "
            f"schedules longer than {MAX_WORKING_DAYS:,} working days are not supported "
            "(check the durations and lags that lead to it)"
        )


def _finished(project: Project, net: Network) -> np.ndarray:
    """Per task (topological order): has it an actual finish?"""
    return task_facts(project).finished


def _table(project: Project, net: Network, dur, start, finish, es, ef, ls, lf, ff, *,
           total_float=None, times=None, span_float=None) -> pd.DataFrame:
    """The schedule's table, project task order; ``total_float`` (negative allowed) instead of
    ``ls - es``, and ``times`` (start and finish datetimes) for the dates, when given; ``span_float``: the
    float of level-of-effort tasks where it is not NaN (else late minus early finish of their span)."""
    tf = np.maximum(ls - es, 0.0) if total_float is None else np.array(total_float, dtype=np.float64)
    loe = np.zeros(net.n, dtype=bool)
    if net.spans is not None:
        dur, start, finish, es, ef, ls, lf, ff, tf = _spanned(net, dur, start, finish, es, ef, ls, lf, ff, tf)
        loe[net.spans.task] = True
        if span_float is not None:
            tf = np.where(np.isnan(span_float), tf, span_float)
    _check_horizon(net, finish)
    tf[np.abs(tf) < CRITICAL_TOLERANCE] = 0.0
    cal, day0 = project.calendar, project.start
    if times is None:
        try:
            start_date = cal.start_date(day0, start)
            finish_date = cal.finish_date(day0, finish)
        except ValidationError as exc:  # a date past 9999-12-31: name the task that gets there
            k = int(np.argmax(finish)) if np.min(start) >= 0 else int(np.argmin(start))
            raise exc.with_context(f"Task {net.ids[k]!r}") from None
    else:
        start_date = np.asarray(times[0], dtype="datetime64[D]")
        finish_date = np.asarray(times[1], dtype="datetime64[D]")
        if loe.any():  # a level-of-effort task's span, in working days of the project calendar
            start_date, finish_date = start_date.copy(), finish_date.copy()
            start_date[loe] = cal.start_date(day0, start[loe])
            finish_date[loe] = cal.finish_date(day0, finish[loe])
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
        "free_float": np.minimum(ff, np.maximum(tf, 0.0)),
        # A level-of-effort task drives nothing; a finished task is history (MS Project and P6 call it not critical).
        "critical": (tf <= CRITICAL_TOLERANCE) & ~loe & ~_finished(project, net),
        "start_date": start_date,
        "finish_date": finish_date,
    }
    # Rows in the project's own task order: permute the arrays rather than reindex a frame.
    columns = {key: net.to_project(values) for key, values in by_position.items()}
    columns["start_date"] = pd.to_datetime(columns["start_date"])
    columns["finish_date"] = pd.to_datetime(columns["finish_date"])
    head = table_head(project)
    return pd.DataFrame(
        {
            "name": head["name"],
            "phase": head["phase"],
            "milestone": head["milestone"],
            **columns,
        },
        index=pd.Index(head["id"], name="id"),
    )


def _spanned(net: Network, dur, start, finish, es, ef, ls, lf, ff, tf):
    """The arrays with each level-of-effort task's span filled in (copies; topological order).

    Its early dates come from the early dates of the tasks it spans, its late dates from their late dates,
    its scheduled dates from their scheduled dates (:class:`pmsim.network.Spans` says how); its duration
    is the scheduled span, its total float ``late_finish - early_finish`` (P6's finish float) and its free
    float 0: it ends where its successors need it to.
    """
    from ._kernels.spans import span_rows

    sp = net.spans
    column = np.arange(net.n, dtype=np.int64)
    out = []
    for a, b in ((start, finish), (es, ef), (ls, lf)):
        a2 = np.array(a, dtype=np.float64).reshape(1, -1)
        b2 = np.array(b, dtype=np.float64).reshape(1, -1)
        span_rows(sp.task, sp.start_ptr, sp.start_idx, sp.start_end, sp.start_lag, sp.finish_ptr, sp.finish_idx,
                  sp.finish_end, sp.finish_lag, column, np.zeros(sp.task.size), np.zeros(sp.task.size + 1, np.int64),
                  np.zeros(1, np.int64), np.zeros(1), np.zeros((1, 1)), a2, b2, np.zeros(0))
        out += [a2[0], b2[0]]
    start, finish, es, ef, ls, lf = out
    k = sp.task
    dur = np.array(dur, dtype=np.float64)
    dur[k] = finish[k] - start[k]
    tf = np.array(tf, dtype=np.float64)
    tf[k] = lf[k] - ef[k]
    ff = np.array(ff, dtype=np.float64)
    ff[k] = 0.0
    return dur, start, finish, es, ef, ls, lf, ff, tf


def _spanned_axis(tl, axis: dict) -> dict:
    """``axis`` with each level-of-effort task's moments set to its span: the span in working days of the project
    calendar (as :func:`_table` computes it, lags included) put back on the timeline's axis."""
    names = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")
    wd = [tl.working_days(axis[k]) for k in names]
    n = tl.net.n
    zeros = np.zeros(n)
    _, *spanned, _, _ = _spanned(tl.net, zeros, *wd, zeros, zeros)
    k = tl.net.spans.task
    out = dict(axis)
    for name, values in zip(names, spanned):
        column = np.array(axis[name], dtype=np.float64)
        column[k] = tl.from_working_days(values[k], name.endswith("finish"))
        out[name] = column
    if not tl.uniform:
        # Spans whose links have no lag read their tasks' moments as they are (P6: a 7-day successor's Monday
        # 16:00, not the end of the project calendar's work by then, a Friday before a bank holiday).
        from ._kernels.spans import span_rows

        sp = tl.net.spans
        plain = k[lagless(sp)]
        column = np.arange(n, dtype=np.int64)
        for first, second in zip(names[::2], names[1::2]):
            a2 = np.array(axis[first], dtype=np.float64).reshape(1, -1)
            b2 = np.array(axis[second], dtype=np.float64).reshape(1, -1)
            span_rows(sp.task, sp.start_ptr, sp.start_idx, sp.start_end, sp.start_lag, sp.finish_ptr, sp.finish_idx,
                      sp.finish_end, sp.finish_lag, column, np.zeros(sp.task.size),
                      np.zeros(sp.task.size + 1, np.int64), np.zeros(1, np.int64), np.zeros(1), np.zeros((1, 1)), a2,
                      b2, np.zeros(0))
            out[first][plain], out[second][plain] = a2[0, plain], b2[0, plain]
    return out


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
    project = require_project(project, "cpm")
    tl = timeline(project)
    days = durations_array(project, durations, tl.net)
    passes = _dated_passes(tl, days)
    while passes is None:  # a calendar table too short for this schedule: twice as long
        room = horizon_room(tl.origin)
        if tl.horizon_days >= room:
            raise ValidationError(f"Project {project.name!r}: the schedule reaches past {dt.date.max}, the last date "
                                  "a schedule can show; check the dates, durations and lags that lead there")
        tl = timeline(project, horizon_days=min(tl.horizon_days * 2, room), lead_days=tl.lead_days)
        passes = _dated_passes(tl, days)
    while _late_dates_cut_short(tl, passes):  # late dates before the origin: an axis starting earlier
        lead = max(2 * tl.lead_days, 366)
        if tl.origin <= dt.date.min + dt.timedelta(days=1):
            break
        tl = timeline(project, horizon_days=tl.horizon_days + lead - tl.lead_days, lead_days=lead)
        passes = _dated_passes(tl, days)
        while passes is None:
            tl = timeline(project, horizon_days=min(tl.horizon_days * 2, horizon_room(tl.origin)), lead_days=lead)
            passes = _dated_passes(tl, days)
    return _dated_schedule(project, tl, days, passes)


def _late_dates_cut_short(tl, passes) -> bool:
    """Did a late date stop at the start of its calendar's table (the origin's first working moment)? Negative
    total float can reach back past the project start and the origin (P6 and MS Project show such late dates);
    a task not finished, with negative float, whose late start is the table's first moment was cut short there.
    An earlier origin moves no early date: by MS Project's rules a task pulled before the project start still
    stops at the origin it would have without the lead (:func:`pmsim.timeline.axis_origin`)."""
    inputs = passes["inputs"]
    if tl.uniform or not tl.net.n:
        return False  # the uniform axis is plain arithmetic: no table to run out of
    tables, cal = tl.tables, tl.task_calendar
    first = np.where(cal >= 0, tables.starts[tables.cal_ptr[np.maximum(cal, 0)]], -np.inf)
    cut = (inputs.status < 2) & (passes["ls"] <= first + 1e-6) & (passes["finish_float"] < -1e-6)
    return bool(cut.any())


def _dated_passes(tl, days: np.ndarray):
    """Forward, backward and floats on the timeline; None when a calendar table is too short."""
    from ._kernels.dated import backward, floats, forward, free_floats, held_floats

    net = tl.net
    inputs, anchor = schedule_inputs(tl, days)
    lag, link_cal = inputs.link_lag, tl.link_calendar
    in_pred_order = np.empty(net.n_links, dtype=np.int64)
    in_pred_order[net.pred_link] = np.arange(net.n_links)
    by_succ = in_pred_order[net.succ_link]
    succ_lag, succ_cal, succ_date = lag[by_succ], link_cal[by_succ], inputs.link_date[by_succ]
    n = net.n
    es, ef, rs, ls, lf = (np.empty(n) for _ in range(5))
    for attempt in range(2):
        forward(net.pred_ptr, net.pred_idx, net.pred_type, lag, link_cal, inputs, tl.tables, es, ef, rs)
        finish = float(ef.max()) if n else 0.0
        end = finish if anchor == -np.inf else anchor
        backward(net.succ_ptr, net.succ_idx, net.succ_type, succ_lag, succ_cal, succ_date, inputs, tl.tables, end,
                 es, ef, rs, ls, lf)
        if attempt:
            break
        late = _as_late_as_possible(tl, inputs, es, ef, rs, ls, lf, (succ_lag, succ_cal, succ_date), finish)
        if late is None:
            break
        inputs = inputs._replace(start_floor=np.maximum(inputs.start_floor, late), moved_late=late > -np.inf)
    _refuse_starts_before_the_project(tl, inputs, rs)
    if not (np.all(np.isfinite(ef)) and np.all(np.isfinite(lf)) and np.all(np.isfinite(ls))):
        if tl.uniform:
            raise ValidationError("the schedule has no finite dates; check the durations, lags and constraints")
        return None
    sf, ff_ = np.empty(n), np.empty(n)
    floats(inputs, tl.tables, rs, ef, ls, lf, sf, ff_)
    if inputs.rule == 2:  # MS Project: a constraint that holds a task against its links gives it negative float
        held_floats(net.pred_ptr, net.pred_idx, net.pred_type, lag, link_cal, inputs, tl.tables, es, ef, rs, ls, lf,
                    sf, ff_)
    free = np.empty(n)
    free_floats(net.succ_ptr, net.succ_idx, net.succ_type, succ_lag, succ_cal, succ_date, inputs, tl.tables,
                finish, es, ef, rs, free)
    return {"inputs": inputs, "es": es, "ef": ef, "rs": rs, "ls": ls, "lf": lf, "start_float": sf,
            "finish_float": ff_, "free_float": free, "finish": finish}


def _refuse_starts_before_the_project(tl, inputs, rs) -> None:
    """A task not started that a date would start before the project start: no schedule meets its constraint
    (a must-finish-on, or under ``honor_constraints`` a no-later-than, with too little working time before it).
    The engine's axis begins at the project start; MS Project's rule may place such a task earlier (not refused,
    it starts at the axis origin)."""
    if inputs.rule == 2:
        return  # MS Project's rule lets such a date place a task before the project start
    start = 0.0 if tl.uniform else tl.base
    early = np.flatnonzero(date_pulled(inputs) & (rs < start - 1e-6 * max(1.0, abs(start))))
    if not early.size:
        return
    project = tl.project
    task = project.tasks[int(tl.net.project_index[early[0]])]
    hard = task.constraint in ("MSO", "MFO") or task.secondary_constraint in ("MSO", "MFO")
    rule = ("" if hard else "; honor_constraints makes this constraint binding (with honor_constraints=False "
            "the conflict shows as negative total float)")
    others = f" (and {early.size - 1} other tasks)" if early.size > 1 else ""
    raise ValidationError(f"Task {task.id!r}{others}: its constraint {task.constraint} on {task.constraint_date} "
                          f"leaves its calendar too little working time after the project start {project.start} "
                          f"for its work, so it would start before the project; no schedule can meet it{rule}")


def _as_late_as_possible(tl, inputs, es, ef, rs, ls, lf, succ_links, finish):
    """The start floors that move the project's ALAP tasks late, or None when it has none.

    By MS Project's rule a task as late as possible sits at its late dates;
    by P6's it starts as late as its successors' early dates allow, so no
    successor moves (a chain of ALAP tasks moves together).
    """
    from ._kernels.dated import alap_starts

    project, net = tl.project, tl.net
    alap = task_facts(project).alap & (inputs.status == 0)
    if not alap.any():
        return None
    if inputs.rule == 2:
        return np.where(alap, ls, -np.inf)
    out = np.empty(net.n)
    alap_starts(net.succ_ptr, net.succ_idx, net.succ_type, *succ_links[:2], inputs, tl.tables, alap, finish,
                es.copy(), ef.copy(), rs.copy(), out)
    return out


def _dated_schedule(project: Project, tl, days: np.ndarray, passes: dict) -> Schedule:
    inputs = passes["inputs"]
    status = inputs.status
    started = status == 1
    tf_axis = {"start": passes["start_float"], "finish": passes["finish_float"],
               "smallest": np.minimum(passes["start_float"], passes["finish_float"])}[project.total_float]
    tf_axis = np.where(started, passes["finish_float"], tf_axis)
    cal_index = inputs.float_cal
    tf = tl.task_days(cal_index, tf_axis)
    ff = tl.task_days(cal_index, passes["free_float"])
    start_axis = np.where(status > 0, inputs.actual_start, passes["rs"])
    finish_axis = np.where(status == 2, inputs.actual_finish, passes["ef"])  # P6: early dates at the data date
    axis = {"start": start_axis, "finish": finish_axis, "early_start": passes["rs"],
            "early_finish": passes["ef"], "late_start": passes["ls"], "late_finish": passes["lf"]}
    return schedule_on_timeline(project, tl, days, axis, passes["finish"], tf, ff)


def schedule_on_timeline(project: Project, tl, days: np.ndarray, axis: dict, finish: float, total_float,
                         free_float, **report) -> Schedule:
    """A Schedule from times on the timeline's axis (e.g. a levelled one on calendars).

    ``axis`` maps ``start``, ``finish``, ``early_start``, ``early_finish``,
    ``late_start`` and ``late_finish`` to axis values, ``days`` gives the
    durations, ``total_float`` and ``free_float`` the floats in working days
    of each task's calendar, all in topological order; ``finish`` is the
    project finish on the axis. ``report``: the other Schedule fields (kind,
    delay, held_back, status, info).
    """
    net = tl.net
    span_float = None
    if net.spans is not None:
        axis = _spanned_axis(tl, axis)
        span_float = span_floats(tl, axis)
    wd = {k: tl.working_days(v) for k, v in axis.items()}
    makespan = float(tl.working_days(np.array([finish]))[0]) if net.n else 0.0
    table = _table(project, net, days, wd["start"], wd["finish"], wd["early_start"], wd["early_finish"],
                   wd["late_start"], wd["late_finish"], free_float, total_float=total_float, span_float=span_float,
                   times=None if tl.uniform else (tl.times(axis["start"], False), tl.times(axis["finish"], True)))
    in_project_order = {k: net.to_project(v) for k, v in axis.items()}
    return Schedule(project=project, table=table, makespan=makespan, critical_path=_critical_path(table),
                    timing=(tl, in_project_order), **report)


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
    spanned = table["total_float"][[t.level_of_effort for t in project.tasks]]  # a span's float: from _table
    table["total_float"] = slack_by_id.where(slack_by_id > CRITICAL_TOLERANCE, 0.0)
    table.loc[spanned.index, "total_float"] = spanned
    table["free_float"] = np.minimum(table["free_float"], table["total_float"])
    table["critical"] = ((table["total_float"] <= CRITICAL_TOLERANCE) & ~table.index.isin(spanned.index)
                         & ~np.array([t.finished for t in project.tasks], dtype=bool))
    cp = _critical_path(table)
    base = float(ef.max()) if n else 0.0  # the unconstrained (CPM) finish
    return Schedule(project=project, table=table, makespan=makespan, critical_path=cp,
                    kind=kind, delay=makespan - base, **report)


# Project.with_baseline() takes the CPM schedule when given none (the model cannot import this module).
use_default_schedule(cpm)
