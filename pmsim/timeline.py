"""The engine's time axis of a project: which calendar each task and lag works on, and the conversions.

When every task and every lag works on the project calendar the axis is
simply working days of it (*uniform*: "start at t, work d" is ``t + d``, as
it always was). Otherwise the axis is elapsed minutes from the midnight of
an origin date, and each calendar is a table of working intervals that the
compiled passes read (:mod:`pmsim._kernels.worktime`). Either way results
leave the engine as working days of the project calendar from the project
start, and as dates and times. The rules: ``docs/time-model.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from ._cache import cached
from ._kernels.worktime import IDENTITY, MINUTES_PER_DAY, WorkTables, empty_tables, work_index
from .calendar import Calendar, as_date
from .errors import ValidationError
from .model import Project
from .network import Network, network
from .task_facts import dated_inputs, one_calendar, task_facts

__all__ = ["Timeline", "timeline", "ROUND_THE_CLOCK", "schedule_inputs", "plain_schedule", "require_plain",
           "horizon_room", "date_pulled", "refuse_multi_calendar_tasks"]

ROUND_THE_CLOCK = Calendar(workdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), hours="00:00-24:00",
                           hours_per_day=24, id="24h", name="24 hours")
MAX_YEARS = 400


def _moment_minutes(origin: dt.date, moment, finish: bool) -> float:
    """Elapsed minutes from ``origin``'s midnight to a moment (a date alone: its start, or its end for a finish)."""
    if isinstance(moment, dt.datetime):
        delta = moment - dt.datetime(origin.year, origin.month, origin.day)
        return delta.total_seconds() / 60.0
    day = as_date("date", moment)
    return ((day - origin).days + (1 if finish else 0)) * MINUTES_PER_DAY


@dataclass(frozen=True, eq=False)
class Timeline:
    """How one project's working time maps to the engine's axis (see the module notes).

    Arrays are in topological task order (links: the network's ``pred_*`` order).
    """

    project: Project
    net: Network
    uniform: bool
    origin: dt.date  # calendar mode: elapsed minute 0 is this midnight (on or before the project start)
    base: float  # the axis value of the project start
    calendars: tuple[Calendar, ...]  # calendar mode: the distinct calendars, by table index
    task_calendar: np.ndarray  # per task: table index (IDENTITY in uniform mode)
    link_calendar: np.ndarray  # per link: the lag's table index (IDENTITY: uniform, or round the clock)
    task_scale: np.ndarray  # axis units per day of duration
    link_scale: np.ndarray  # axis units per day of lag
    tables: WorkTables
    horizon_days: int
    delay: np.ndarray  # per task: the levelling delay in axis units of its delay calendar
    delay_calendar: np.ndarray  # per task: the delay's table index (IDENTITY: uniform, or round the clock)
    # Tasks whose resources work on several calendars (Project.assignment_calendars): per task its assignments
    # asg_ptr[j] .. asg_ptr[j + 1] (none for the others), each the table index of one calendar, and the share of
    # the task's work it does there (axis units of the task's calendar become minutes of the assignment's).
    asg_ptr: np.ndarray | None = None
    asg_cal: np.ndarray | None = None
    asg_share: np.ndarray | None = None

    @property
    def assignments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``asg_ptr``, ``asg_cal``, ``asg_share`` (empty when every task works on one calendar)."""
        if self.asg_ptr is None:
            return np.zeros(self.net.n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return self.asg_ptr, self.asg_cal, self.asg_share

    def multi_calendar_tasks(self) -> list:
        """The ids of the tasks whose resources work on several calendars (project order)."""
        ptr = self.assignments[0]
        topo = np.flatnonzero(np.diff(ptr) > 0)
        rows = sorted(self.net.project_index[topo].tolist())
        return [self.project.tasks[i].id for i in rows]
    # Split tasks, one row a split: the task (topological index), the work before it (working days) and its
    # gap (axis units of the task's calendar).
    split_task: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    split_after: np.ndarray = field(default_factory=lambda: np.zeros(0))
    split_gap: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lead_days: int = 0  # the origin's days before where it would be (late dates reaching back: see timeline())

    # ------------------------------------------------------------ inputs

    def durations(self, days: np.ndarray) -> np.ndarray:
        """The working time each task spans (topological order, axis units) for durations ``days`` (working days of
        each task's calendar): its work, and the gaps of the splits its work reaches."""
        days = np.asarray(days, dtype=np.float64)
        out = days * self.task_scale
        if self.split_task.size:
            return out + self.gaps(days)
        return out

    def gaps(self, days: np.ndarray) -> np.ndarray:
        """Per task (topological order), the axis time its split gaps add when it works ``days``."""
        out = np.zeros(self.net.n)
        reached = self.split_after < np.asarray(days, dtype=np.float64)[self.split_task] - 1e-9
        np.add.at(out, self.split_task[reached], self.split_gap[reached])
        return out

    def lags(self) -> np.ndarray:
        """The links' lags (``net.pred_lag`` order) in axis units."""
        return self.net.pred_lag * self.link_scale

    def at(self, moment, finish: bool = False) -> float:
        """A date or datetime on the axis (a date alone: the start of its work, or its end when ``finish``)."""
        if self.uniform:
            cal = self.project.calendar
            minutes = _moment_minutes(self.origin, moment, finish)
            table = cal.work_table(self.origin, max(int(minutes // MINUTES_PER_DAY) + 2, 2))
            return float(table.work_at(minutes)) / cal.minutes_per_day - self.base
        return _moment_minutes(self.origin, moment, finish)

    # ------------------------------------------------------------ results

    def working_days(self, values: np.ndarray) -> np.ndarray:
        """Axis values as working days of the project calendar from the project start."""
        values = np.asarray(values, dtype=np.float64)
        if self.uniform:
            return values
        cal = self.project.calendar
        table = cal.work_table(self.origin, self.horizon_days)
        work = table.work_at(np.where(np.isfinite(values), values, 0.0))
        start = table.work_at(_moment_minutes(self.origin, self.project.start, False))
        return (np.asarray(work) - start) / cal.minutes_per_day

    def from_working_days(self, days: np.ndarray, finish: bool) -> np.ndarray:
        """Working days of the project calendar from the project start as axis values (:meth:`working_days` the
        other way): the moment that work is reached, its end when ``finish``, else the next working moment."""
        days = np.asarray(days, dtype=np.float64)
        if self.uniform:
            return days
        cal = self.project.calendar
        table = cal.work_table(self.origin, self.horizon_days)
        start = table.work_at(_moment_minutes(self.origin, self.project.start, False))
        out = table.time_at(start + days * cal.minutes_per_day, "finish" if finish else "start")
        return np.atleast_1d(np.asarray(out, dtype=np.float64))

    def task_days(self, calendar_index: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Working time (axis units) of each task's calendar, as days of that calendar (float, floats)."""
        if self.uniform:
            return np.asarray(values, dtype=np.float64)
        per_day = np.array([c.minutes_per_day for c in self.calendars] + [MINUTES_PER_DAY])
        return np.asarray(values, dtype=np.float64) / per_day[calendar_index]

    def times(self, values: np.ndarray, finish: bool) -> np.ndarray:
        """Axis values as datetimes (datetime64[m]): the next working moment, or the end of work when ``finish``."""
        values = np.asarray(values, dtype=np.float64)
        if self.uniform:
            cal = self.project.calendar
            out = (cal.finish_time if finish else cal.start_time)(self.origin, values + self.base)
            return np.atleast_1d(np.asarray(out, dtype="datetime64[m]"))
        origin = np.datetime64(self.origin, "m")
        return origin + np.round(values).astype("timedelta64[m]")


def _stretch(calendar: Calendar, origin: dt.date) -> float:
    """Elapsed minutes per working minute over a year: to guess how far a plan reaches."""
    table = calendar.work_table(origin, 366)
    return 366 * MINUTES_PER_DAY / max(table.total, 1.0)


def _calendar_mode_tables(calendars, origin: dt.date, days: int) -> WorkTables:
    cal_ptr, day_ptr, work_ptr = [0], [0], [0]
    starts, ends, done, day_first, work_first = [], [], [], [], []
    for cal in calendars:
        table = cal.work_table(origin, days)
        n = table.starts.size
        starts.append(table.starts)
        ends.append(table.ends)
        done.append(table.done)
        # This calendar's own day index, over the days asked for (its table may be longer).
        day_first.append(np.asarray(table.day_first[:days + 1], dtype=np.int64))
        index = work_index(table.starts, table.ends, table.done)
        work_first.append(index)
        cal_ptr.append(cal_ptr[-1] + n)
        day_ptr.append(day_ptr[-1] + days + 1)
        work_ptr.append(work_ptr[-1] + index.size)
    return WorkTables(np.array(cal_ptr, np.int64), np.array(day_ptr, np.int64), np.concatenate(starts),
                      np.concatenate(ends), np.concatenate(done), np.concatenate(day_first),
                      np.array(work_ptr, np.int64), np.concatenate(work_first))


def _check_dates(project: Project) -> None:
    """Refuse a date more than MAX_YEARS years from the start: a calendar table that long takes minutes to build."""
    start = project.start
    for moment in dated_inputs(project):
        day = as_date("date", moment)
        if abs((day - start).days) > MAX_YEARS * 366:
            raise ValidationError(f"Project {project.name!r}: the date {day} lies more than {MAX_YEARS} years from "
                                  f"the start {start}; check the constraint, deadline, actual and status dates")


def _build(project: Project, horizon_days: int | None, lead_days: int = 0) -> Timeline:
    _check_dates(project)
    net = network(project)
    n = net.n
    if one_calendar(project):  # the quick test first: reading every task's and link's calendar takes long
        facts = task_facts(project)
        return _uniform(project, net, _split_rows(facts.split_tasks, np.ones(n), facts.split.tolist()))
    tasks = [project.tasks[i] for i in net.project_index.tolist()]
    task_cals = [project.task_calendar(t) for t in tasks]
    asg_cals = [project.assignment_calendars(t) for t in tasks]
    # Each link's lag calendar: its own, else the project's rule; None = round the clock.
    succ_of = np.repeat(np.arange(n), np.diff(net.pred_ptr))
    deps = [project.dependencies[k] for k in net.dependency[net.pred_link].tolist()]
    rule = project.lag_calendar
    lag_cals = []
    for e, dep in enumerate(deps):
        if dep.lag_calendar is not None:
            lag_cals.append(project.calendar_named(dep.lag_calendar))
        elif rule == "successor":
            lag_cals.append(task_cals[succ_of[e]])
        elif rule == "predecessor":
            lag_cals.append(task_cals[net.pred_idx[e]])
        elif rule == "project":
            lag_cals.append(project.calendar)
        else:
            lag_cals.append(ROUND_THE_CLOCK)
    cal = project.calendar
    delays = [t.levelling_delay for t in tasks]
    delay_cals = [project.calendar_named(t.levelling_delay_calendar) if t.levelling_delay_calendar is not None
                  else c for t, c in zip(tasks, task_cals)]
    uniform = all(c == cal for c in task_cals) and all(
        c == cal or lag == 0 for c, lag in zip(lag_cals, net.pred_lag.tolist())) and not any(delays) and not any(
        asg_cals) and not any(_typed_off_hours(t, c) for t, c in zip(tasks, task_cals))
    if uniform:
        return _uniform(project, net, _split_rows(tasks, np.ones(n)))
    distinct: list[Calendar] = []
    index: dict[Calendar, int] = {}

    def slot(c: Calendar) -> int:
        if c == ROUND_THE_CLOCK:
            return IDENTITY
        if c not in index:
            index[c] = len(distinct)
            distinct.append(c)
        return index[c]

    slot(cal)
    task_index = np.array([slot(c) for c in task_cals], dtype=np.int64)
    link_index = np.array([slot(c) for c in lag_cals], dtype=np.int64)
    delay_index = np.array([slot(c) for c in delay_cals], dtype=np.int64)
    asg_ptr = np.concatenate([[0], np.cumsum([len(a) for a in asg_cals])]).astype(np.int64)
    asg_cal = np.array([slot(a) for group in asg_cals for a in group], dtype=np.int64)
    # An assignment works the task's minutes (its days of the task's calendar) on its own calendar.
    asg_share = np.ones(asg_cal.size)
    delay = np.array([d * c.minutes_per_day for d, c in zip(delays, delay_cals)], dtype=np.float64)
    task_scale = np.array([c.minutes_per_day for c in task_cals], dtype=np.float64)
    link_scale = np.array([c.minutes_per_day for c in lag_cals], dtype=np.float64)
    origin = _origin(project, lead_days)
    if horizon_days is None:
        horizon_days = _guess_horizon(project, net, origin, task_cals, task_scale, link_scale)
    horizon_days = min(horizon_days, horizon_room(origin))  # calendar tables end with the year 9999
    tables = _calendar_mode_tables(distinct, origin, horizon_days)
    return Timeline(project=project, net=net, uniform=False, origin=origin,
                    base=_moment_minutes(origin, project.start, False), calendars=tuple(distinct),
                    task_calendar=task_index, link_calendar=link_index, task_scale=task_scale,
                    link_scale=link_scale, tables=tables, horizon_days=horizon_days, delay=delay,
                    delay_calendar=delay_index, asg_ptr=asg_ptr, asg_cal=asg_cal, asg_share=asg_share,
                    lead_days=lead_days, **_split_rows(tasks, task_scale))


def _uniform(project: Project, net: Network, splits: dict) -> Timeline:
    """The timeline of a project whose tasks and lags all work on the project calendar: its working days
    (``splits``: its split rows)."""
    n, m = net.n, net.n_links
    ones_t, ones_l = np.ones(n), np.ones(m)
    # A project calendar whose day is not the length of its working day still counts days of hours_per_day.
    return Timeline(project=project, net=net, uniform=True, origin=_origin(project), base=_base(project),
                    calendars=(), task_calendar=np.full(n, IDENTITY, np.int64),
                    link_calendar=np.full(m, IDENTITY, np.int64), task_scale=ones_t, link_scale=ones_l,
                    tables=empty_tables(), horizon_days=0, delay=np.zeros(n),
                    delay_calendar=np.full(n, IDENTITY, np.int64), **splits)


def _typed_off_hours(task, cal: Calendar) -> bool:
    """Was a manually scheduled task typed to start (or did it start) outside its calendar's working time (MS
    Project leaves it there: only the calendar mode's axis of elapsed minutes holds such a moment)?"""
    moment = task.manual_start if task.actual_start is None else task.actual_start
    if task.manual_start is None or not isinstance(moment, dt.datetime):
        return False
    table = cal.work_table(moment.date(), 2)
    t = moment.hour * 60 + moment.minute + moment.second / 60
    return bool(table.time_at(table.work_at(t), "start") != t)


def _split_rows(tasks, task_scale, positions=None) -> dict:
    """The split rows of a timeline (see :class:`Timeline`) of ``tasks`` (topological order, else at
    ``positions``)."""
    positions = range(len(tasks)) if positions is None else positions
    rows = [(j, after, gap * task_scale[j]) for j, t in zip(positions, tasks) for after, gap in t.splits]
    if not rows:
        return {}
    j, after, gap = zip(*rows)
    return {"split_task": np.array(j, np.int64), "split_after": np.array(after, np.float64),
            "split_gap": np.array(gap, np.float64)}


def _origin(project: Project, lead_days: int = 0) -> dt.date:
    """The axis origin: the project start, or the earliest actual date before it (a week more for safety);
    ``lead_days`` earlier still when late dates reach before it (negative float: see :func:`timeline`)."""
    earliest = min([as_date("date", m) for m in dated_inputs(project)] + [project.start])
    if earliest >= project.start and not lead_days:
        return project.start
    lead = (7 if earliest < project.start else 0) + lead_days
    return earliest - dt.timedelta(days=lead) if (earliest - dt.date.min).days > lead else dt.date.min


def horizon_room(origin: dt.date) -> int:
    """Days from ``origin`` to 9999-12-31, the last date a schedule can show, both counted."""
    return (dt.date.max - origin).days + 1


def _base(project: Project) -> float:
    """Uniform axis: working days of the project calendar between the origin and the project start."""
    origin = _origin(project)
    if origin == project.start:
        return 0.0
    cal = project.calendar
    table = cal.work_table(origin, (project.start - origin).days + 2)
    return float(table.work_at(_moment_minutes(origin, project.start, False))) / cal.minutes_per_day


def _work_left(task) -> float:
    """The longest a task can still take (working days): nothing once finished, its remaining work once
    started (a started task's planned duration may be junk its tool no longer uses)."""
    if task.actual_finish is not None:
        return 0.0
    if task.actual_start is not None and task.remaining_duration is not None:
        return task.remaining_duration * max(1.0, task.estimate.high / max(task.planned_duration, 1e-9))
    high = task.estimate.high
    return high if math.isfinite(high) else task.planned_duration


def _reach(project, net, origin, task_cals, task_scale, link_scale) -> tuple[float, dict]:
    """Minutes that surely hold the plan (a forward pass on elapsed time with each calendar stretched), and the
    stretch of each calendar."""
    from ._kernels.cpm import forward_pass

    stretch = {c: _stretch(c, origin) for c in set(task_cals)}
    tasks = [project.tasks[i] for i in net.project_index.tolist()]
    dur = np.array([_work_left(t) + sum(gap for _, gap in t.splits) for t in tasks], dtype=np.float64)
    # A levelling delay may count round the clock (3 times a working day of 8 hours) or on the task's calendar.
    delay = np.array([t.levelling_delay for t in tasks], dtype=np.float64) * 3.0
    elapsed = (dur + delay) * task_scale * np.array([stretch[c] for c in task_cals]) * 1.25
    lags = np.abs(net.pred_lag) * link_scale * 2.0
    es, ef = np.empty(net.n), np.empty(net.n)
    forward_pass(elapsed, net.pred_ptr, net.pred_idx, net.pred_type, lags, es, ef)
    return (float(ef.max()) if net.n else 0.0), stretch


def _guess_horizon(project, net, origin, task_cals, task_scale, link_scale) -> int:
    """Days that surely hold the schedule, from ``origin``."""
    reach, stretch = _reach(project, net, origin, task_cals, task_scale, link_scale)
    dated = max([_moment_minutes(origin, m, True) for m in dated_inputs(project)] + [0.0])
    start = _moment_minutes(origin, project.start, False)
    days = int((max(reach + start, dated) + reach * 0.25) // MINUTES_PER_DAY) + 120
    if days > MAX_YEARS * 366:
        idle = [c for c in stretch if stretch[c] >= 366 * MINUTES_PER_DAY]  # no working minute in a year
        if idle:
            users = [project.tasks[i].id for i, c in zip(net.project_index.tolist(), task_cals) if c in idle]
            names = ", ".join(repr(c.id) for c in idle)
            raise ValidationError(f"Project {project.name!r}: calendar {names} has no working time in the year "
                                  f"from {origin} (its exceptions or weekdays leave none), so task "
                                  f"{', '.join(map(repr, users[:5]))}{' ...' if len(users) > 5 else ''} "
                                  "can never be scheduled; give the calendar working time")
        raise ValidationError(f"Project {project.name!r}: the schedule would reach beyond {MAX_YEARS} years; "
                              "check the durations, lags and dates")
    return days


def timeline(project: Project, horizon_days: int | None = None, lead_days: int = 0) -> Timeline:
    """The :class:`Timeline` of ``project`` (kept with it; ``horizon_days`` asks for a longer one, ``lead_days``
    an origin that many days earlier: calendar tables start there, and late dates of negative float may not)."""
    if horizon_days is not None and horizon_days > MAX_YEARS * 366:
        raise ValidationError(f"Project {project.name!r}: the schedule reaches beyond {MAX_YEARS} years; "
                              "check the durations, lags and dates that lead there")
    if lead_days:
        return cached(project, ("timeline", horizon_days, lead_days), lambda: _build(project, horizon_days, lead_days))
    if horizon_days is not None:
        return cached(project, ("timeline", horizon_days), lambda: _build(project, horizon_days))
    return cached(project, "timeline", lambda: _build(project, None))


# --------------------------------------------------------------------------- what the passes take


def _table_of(tl: Timeline, c: int):
    return tl.calendars[c].work_table(tl.origin, tl.horizon_days) if c >= 0 else None


def _snap(tl: Timeline, c: int, t: float, finish: bool) -> float:
    """A calendar-mode time moved to a working moment of calendar ``c`` (the end of work when ``finish``)."""
    table = _table_of(tl, c)
    if table is None or not np.isfinite(t):
        return t
    return float(table.time_at(table.work_at(t), "finish" if finish else "start"))


def schedule_inputs(tl: Timeline, days: np.ndarray):
    """The :class:`~pmsim._kernels.dated.Dated` inputs of the passes, for durations ``days`` (topological order).

    Also returns the axis value of the finish anchor (``must_finish_by``, or -inf: the project finish).
    """
    from ._kernels.dated import Dated, progress_links

    project, net = tl.project, tl.net
    n = net.n
    facts = task_facts(project)
    dur = tl.durations(days)
    floor = np.full(n, project_start(tl))
    finish_floor = np.full(n, -np.inf)
    start_cap, finish_cap = np.full(n, np.inf), np.full(n, np.inf)
    late_start_cap, late_finish_cap, summary_finish = np.full(n, np.inf), np.full(n, np.inf), np.full(n, np.inf)
    fixed_start, fixed_finish, remaining, worked = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n), np.zeros(n)
    status, manual = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=bool)
    actual_start, actual_finish = np.full(n, np.nan), np.full(n, np.nan)
    rule = {"retained_logic": 0, "progress_override": 1, "ms_project": 2}[project.progress_rule]
    honor = project.honor_constraints
    data_date = None if project.status_date is None else tl.at(project.status_date, finish=True)
    at = tl.at
    if rule == 2:  # MS Project's earliest starts (task_facts: held_by_start)
        floor = np.where(facts.held_by_start, floor, axis_origin(tl))
    for j, task in zip(facts.dated.tolist(), facts.dated_tasks):  # the others have no date or progress to read
        c = int(tl.task_calendar[j])
        finished = task.actual_start is not None and task.actual_finish is not None
        for kind, date in ((task.constraint, task.constraint_date),
                           (task.secondary_constraint, task.secondary_constraint_date)):
            if date is None or finished:  # a finished task's dates are facts, constraints do not move them
                continue
            finish = kind in ("FNET", "FNLT", "MFO", "FO")
            t = at(date, finish)
            if kind in ("SNET", "SO"):
                floor[j] = max(floor[j], t)
            if kind in ("FNET", "FO"):
                finish_floor[j] = max(finish_floor[j], t)
            if kind in ("SNLT", "SO"):
                late_start_cap[j] = min(late_start_cap[j], t)
                if honor and kind == "SNLT":
                    start_cap[j] = min(start_cap[j], t)
            if kind in ("FNLT", "FO"):
                late_finish_cap[j] = min(late_finish_cap[j], t)
                if honor and kind == "FNLT":
                    finish_cap[j] = min(finish_cap[j], t)
            if kind == "MSO":
                fixed_start[j] = t
            if kind == "MFO":
                fixed_finish[j] = t
        if task.deadline is not None and not finished:
            late_finish_cap[j] = min(late_finish_cap[j], at(task.deadline, True))
        if task.summary_finish is not None and not finished:
            summary_finish[j] = at(task.summary_finish, True)  # MS Project: a manual summary task's finish
        if task.manual_start is not None and task.actual_start is None:
            # MS Project: a manually scheduled task starts where it was typed, whatever its links and
            # constraints; only its early dates are pinned (its late dates follow its successors).
            typed = at(task.manual_start, False)
            if not isinstance(task.manual_start, dt.datetime):
                typed = _snap(tl, c, typed, False)  # a date alone: the start of its work
            fixed_start[j], fixed_finish[j], manual[j] = typed, np.nan, True
        if task.actual_start is not None:
            status[j] = 2 if task.actual_finish is not None else 1
            actual_start[j] = _snap(tl, c, at(task.actual_start, False), False)
            if task.actual_finish is None and c >= 0 and _typed_off_hours(task, tl.calendars[c]):  # MS Project:
                actual_start[j], manual[j] = at(task.actual_start, False), True  # it works from there, as typed
            if task.actual_finish is not None:
                actual_finish[j] = max(_snap(tl, c, at(task.actual_finish, True), True), actual_start[j])
            else:
                remaining[j] = _remaining(tl, j, task, dur[j], actual_start[j], data_date)
            if data_date is not None:
                worked[j] = _worked(tl, c, actual_start[j], data_date)
    if data_date is not None and rule != 2:
        floor = np.maximum(floor, data_date)  # P6: a finished task is no work left at the data date
    n_links = net.n_links
    asg_ptr, asg_cal, asg_share = tl.assignments
    # Floats count on the task's own calendar, else the project's (table 0), never on one its resources lend it.
    float_cal = np.where(facts.own_calendar | tl.uniform, tl.task_calendar, 0)
    inputs = Dated(dur=dur, remaining=remaining, task_cal=tl.task_calendar, float_cal=float_cal,
                   start_floor=floor, finish_floor=finish_floor, start_cap=start_cap, finish_cap=finish_cap,
                   fixed_start=fixed_start, fixed_finish=fixed_finish, late_start_cap=late_start_cap,
                   late_finish_cap=late_finish_cap, summary_finish=summary_finish, status=status,
                   actual_start=actual_start, actual_finish=actual_finish, worked=worked,
                   data_date=float(tl.base if data_date is None else data_date), rule=rule, honor=honor,
                   link_lag=np.empty(n_links), link_date=np.empty(n_links),
                   start_milestone=facts.start_milestone.copy(), manual=manual,
                   moved_late=np.zeros(n, dtype=bool), delay=np.where(status == 0, tl.delay, 0.0),
                   delay_cal=tl.delay_calendar, asg_ptr=asg_ptr, asg_cal=asg_cal, asg_share=asg_share,
                   earliest=float(axis_origin(tl)))
    progress_links(net.pred_ptr, net.pred_idx, net.pred_type, tl.lags(), tl.link_calendar, inputs, tl.tables,
                   inputs.link_lag, inputs.link_date)
    anchor = -np.inf if project.must_finish_by is None else at(project.must_finish_by, True)
    return inputs, anchor


def date_pulled(inputs) -> np.ndarray:
    """The tasks not started whose date constraint can place them against their logic (a must start or finish on
    date, and a start or finish no later than date when constraints are honoured): such a date may ask for a
    start before the project's, which only MS Project allows (``cpm`` refuses it under the other rules). A manually
    scheduled task is not one: it starts where it was typed, before the project too."""
    pulled = np.isfinite(inputs.fixed_start) | np.isfinite(inputs.fixed_finish)
    if inputs.honor:
        pulled |= np.isfinite(inputs.start_cap) | np.isfinite(inputs.finish_cap)
    return pulled & (inputs.status == 0) & ~inputs.manual


def axis_origin(tl: Timeline) -> float:
    """The axis value of the origin's midnight, the earliest moment a schedule's early dates can reach (an axis
    that starts earlier for late dates reaching back, ``lead_days``, keeps it where it was)."""
    if tl.uniform:
        return -tl.base
    return tl.at(_origin(tl.project), False) if tl.lead_days else 0.0


def project_start(tl: Timeline) -> float:
    """The axis value of the moment the project starts: the start of its start day's work, or its
    ``start_time`` on that day (MS Project's start date is a moment: 09:00 starts the first tasks then)."""
    project = tl.project
    if project.start_time is None:
        return 0.0 if tl.uniform else tl.base
    return tl.at(dt.datetime.combine(project.start, project.start_time))


def _worked(tl: Timeline, c: int, started: float, data_date: float) -> float:
    """The working time (axis units of calendar ``c``) between a task's actual start and the data date."""
    table = _table_of(tl, c)
    done = (data_date - started) if table is None else float(table.work_at(data_date) - table.work_at(started))
    return max(done, 0.0)


def _remaining(tl: Timeline, j: int, task, duration: float, started: float, data_date) -> float:
    """The work a started task has left (axis units): given, or from percent complete, or the planned
    work less the working time since its actual start."""
    scale = tl.task_scale[j]
    if task.remaining_duration is not None:
        return task.remaining_duration * scale
    if task.percent_complete is not None:
        return duration * (1.0 - task.percent_complete / 100.0)
    if data_date is None:
        return duration
    return max(duration - _worked(tl, int(tl.task_calendar[j]), started, data_date), 0.0)


def plain_schedule(project: Project) -> bool:
    """Does plain addition of working days schedule ``project``? One calendar for every task and lag, and
    no constraint, deadline or progress that moves the early dates (late-date caps alone keep it plain)."""

    def build() -> bool:
        tl = timeline(project)
        if not tl.uniform or tl.split_task.size:
            return False  # split tasks: their gaps are added to the work (the dated passes)
        inputs, _ = schedule_inputs(tl, np.array(tl.net.planned, dtype=np.float64))
        return bool(not inputs.status.any() and np.all(inputs.start_floor == 0.0)
                    and np.all(np.isneginf(inputs.finish_floor)) and np.all(np.isnan(inputs.fixed_start))
                    and np.all(np.isnan(inputs.fixed_finish))
                    and not (inputs.honor and (np.isfinite(inputs.start_cap).any()
                                               or np.isfinite(inputs.finish_cap).any())))

    return cached(project, "plain schedule", build)


def require_plain(project: Project, what: str) -> None:
    """Refuse, naming ``what``, a project that plain addition of working days cannot schedule."""
    if not plain_schedule(project):
        raise ValidationError(
            f"Project {project.name!r}: {what} works on projects whose tasks and lags share one calendar, without "
            "date constraints, progress or split tasks; this one has several calendars, constraints, progress "
            "or split tasks "
            "(docs/time-model.md; pm.cpm, pm.level and pm.simulate schedule it)")


def refuse_multi_calendar_tasks(tl: Timeline, what: str) -> None:
    """Refuse, naming ``what`` and the tasks, a project with tasks whose resources work on several calendars:
    ``what`` would schedule each of them on one calendar, and its dates would differ from the CPM's."""
    tasks = tl.multi_calendar_tasks()
    if not tasks:
        return
    shown = ", ".join(repr(t) for t in tasks[:5]) + (f" and {len(tasks) - 5} more" if len(tasks) > 5 else "")
    raise ValidationError(
        f"Project {tl.project.name!r}: {what} does not yet schedule a task whose resources work on different "
        f"calendars (each resource on its own calendar, the task finishing with the last), and task {shown} has "
        "such resources; give each of them a calendar of its own (Task.calendar) to schedule it on that calendar")
