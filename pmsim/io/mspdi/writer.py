"""Writing a project as MS Project XML (MSPDI): :func:`write_mspdi`.

Besides the plan itself (calendars, constraints, deadlines, progress, links) the
file holds what MS Project shows: the CPM dates, floats and costs, and each task's
plan as baseline 0.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from ...costs import cost_model
from ...cpm import cpm
from ...errors import ValidationError
from ...model import Dependency, Project, Task
from .._exchange import (
    Notes,
    cost_settings,
    decimal_text,
    estimate_parameters,
    estimate_points,
    progress_rows,
    risks_to_json,
)
from .._files import XML_ILLEGAL, replacing
from .baselines import baseline_element, baseline_slots, task_baselines
from .calendar_writer import WrittenCalendars, is_elapsed, write_calendars
from .calendars import day_spans
from .actuals import done_days, planned_duration, task_progress, write_actuals
from .split_work import placeholder, split_ranges, write_split_work
from .fields import (
    CONSTRAINT_TO_CODE,
    DURATION_ALIASES,
    DURATION_FIELDS,
    ELAPSED_MINUTES_PER_DAY,
    FINISH_CONSTRAINTS,
    FORMAT_DAYS,
    LEVEL_OF_EFFORT,
    FORMAT_ELAPSED_DAYS,
    LINK_TO_CODE,
    NAMESPACE,
    RESOURCE_FIELDS,
    TASK_FIELDS,
    duration_text,
    stamp,
    sub,
)

__all__ = ["write_mspdi"]


def write_mspdi(project: Project, path, *, progress=None) -> None:
    """Write ``project`` as MS Project XML (MSPDI).

    Parameters
    ----------
    project : Project
    path : str or Path
    progress : pandas.DataFrame, optional
        Progress for one status date (columns ``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish``, optionally ``status_date``; checked as
        :func:`pmsim.io.progress_table.check_progress` checks it), written as the tasks'
        percent complete, actual dates, actual cost and remaining duration, in place
        of the progress the tasks hold.

    docs/exchange_formats.md lists where each pmsim field goes. The file opens
    in MS Project 2010 and later and in MPXJ.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2.5)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> write_mspdi(p, path)
    >>> "<Duration>PT20H0M0S</Duration>" in path.read_text()
    True
    """
    path = Path(path)
    if not isinstance(project, Project):
        raise ValidationError(f"{path}: write_mspdi needs a Project, got {type(project).__name__}")
    rows, status_date = progress_rows(progress, project, str(path))
    if status_date is not None and project.status_date is not None and status_date != _day(project.status_date):
        raise ValidationError(f"{path}: the progress table's status date {status_date} differs from the "
                              f"project's status date {project.status_date}")
    source = _Source(project, rows, Notes(str(path), verdict="MS Project XML cannot hold it as pmsim has it"))
    source.status_date = status_date if status_date is not None else project.status_date
    root = ET.Element("Project", xmlns=NAMESPACE)
    _project_fields(root, source, source.status_date)
    _field_aliases(root)
    source.calendars = write_calendars(root, project, source.notes)
    tasks_el = sub(root, "Tasks")
    _summary_task(tasks_el, source)
    _tasks(tasks_el, source)
    _resources(root, source)
    _assignments(root, source)
    _replace_control_characters(root, project, source.notes)
    ET.indent(root, space="  ")
    with replacing(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="UTF-8", xml_declaration=True)
    source.notes.emit(stacklevel=3)


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


class _Source:
    """What every part of the file is written from: the project, its CPM schedule and costs, the progress."""

    calendars: WrittenCalendars

    def __init__(self, project: Project, progress: dict[str, dict], notes: Notes):
        self.project = project
        self.progress = progress
        self.notes = notes
        self.schedule = cpm(project)
        table = self.schedule.table
        self.rows_of = table.to_dict("index")
        self.times = _schedule_times(self.schedule)
        self.links_into: dict[str, list[Dependency]] = {t.id: [] for t in project.tasks}
        for dep in project.dependencies:
            self.links_into[dep.successor].append(dep)
        self.costs = cost_model(project)["budget"].to_dict()
        self.calendar_of = {t.id: project.task_calendar(t) for t in project.tasks}
        # The project's baselines by MSPDI slot; without any, Baseline is the schedule written.
        self.slots = baseline_slots(project.baselines, notes)
        self.baseline_rows = {k: {row[0]: row for row in b.tasks} for k, b in self.slots.items()}
        # Phases become summary tasks over runs of consecutive tasks of that phase.
        self.runs: list[tuple[str, list[Task]]] = []
        for task in project.tasks:
            if self.runs and task.phase and self.runs[-1][0] == task.phase:
                self.runs[-1][1].append(task)
            else:
                self.runs.append((task.phase, [task]))
        # UIDs in the order the rows are written (a phase's summary row, then its tasks), known
        # before any row is written because a link may name a task written later.
        uid = 0
        self.uid_of: dict[str, int] = {}
        for phase, members in self.runs:
            uid += bool(phase)
            for task in members:
                uid += 1
                self.uid_of[task.id] = uid

    def minutes_per_day(self, task_id: str) -> float:
        """Minutes in a day of the task's durations: of its calendar, 1440 when it is elapsed."""
        return self.calendar_of[task_id].minutes_per_day

    def elapsed(self, task_id: str) -> bool:
        return is_elapsed(self.calendar_of[task_id])

    def moment(self, value, calendar, finish: bool) -> dt.datetime:
        """A pmsim moment as a date and time: a date alone is the start (or end) of that day's work."""
        if isinstance(value, dt.datetime):
            return value
        spans = day_spans(calendar, value) or self.project.calendar.hours or ((480, 1020),)
        minute = spans[-1][1] if finish else spans[0][0]
        return dt.datetime.combine(value, dt.time()) + dt.timedelta(minutes=minute)


def _schedule_times(schedule) -> dict[str, dict]:
    """Task id -> its dates and times on its calendar: ``start`` and ``finish`` (the actual start of a
    started task), early and late dates; a zero-duration task sits at the end of the working time
    before it, as MS Project shows it."""
    times = schedule.times()
    zero = schedule.table["duration"].to_numpy() == 0
    out = {}
    for k, tid in enumerate(times.index):
        row = {name: value.to_pydatetime() for name, value in times.iloc[k].items()}
        if zero[k]:
            row["start"], row["early_start"], row["late_start"] = row["finish"], row["early_finish"], row["late_finish"]
        out[tid] = row
    return out


# --------------------------------------------------------------------------- elements


def _extended(parent: ET.Element, field_id: str, value: str, duration: bool = False, elapsed: bool = False) -> None:
    ea = sub(parent, "ExtendedAttribute")
    sub(ea, "FieldID", field_id)
    sub(ea, "Value", value)
    if duration:
        sub(ea, "DurationFormat", FORMAT_ELAPSED_DAYS if elapsed else FORMAT_DAYS)


def _task_element(parent: ET.Element, uid: int, name: str, outline, level: int, start: dt.datetime,
                  finish: dt.datetime, duration: float, minutes_per_day: float, elapsed: bool = False,
                  kind: int = 1) -> ET.Element:
    """A ``Task`` with its identity, place in the outline, dates and duration."""
    el = sub(parent, "Task")
    for tag, value in (("UID", uid), ("ID", uid), ("Name", name), ("Active", 1), ("Manual", 0), ("Type", kind),
                       ("IsNull", 0), ("WBS", outline), ("OutlineNumber", outline), ("OutlineLevel", level)):
        sub(el, tag, value)
    sub(el, "Start", stamp(start))
    sub(el, "Finish", stamp(finish))
    sub(el, "Duration", duration_text(duration, minutes_per_day))
    sub(el, "DurationFormat", FORMAT_ELAPSED_DAYS if elapsed else FORMAT_DAYS)
    return el


def _summary_fields(el: ET.Element, cost: float) -> None:
    sub(el, "Milestone", 0)
    sub(el, "Summary", 1)
    sub(el, "Cost", decimal_text(cost * 100))
    sub(el, "ConstraintType", 0)
    sub(el, "CalendarUID", -1)


# --------------------------------------------------------------------------- the project


def _project_fields(root: ET.Element, source: _Source, status_date) -> None:
    project = source.project
    cal = project.calendar
    mpd = cal.minutes_per_day
    if mpd != round(mpd):
        source.notes.note("a length of day that is not whole minutes (MSPDI's MinutesPerDay is a whole number)",
                          f"{cal.hours_per_day:g} hours", "rounded to the minute")
    sub(root, "SaveVersion", 14)
    sub(root, "Name", project.name)
    sub(root, "Title", project.name)
    sub(root, "ScheduleFromStart", 1)
    start = project.start if project.start_time is None else dt.datetime.combine(project.start, project.start_time)
    sub(root, "StartDate", stamp(source.moment(start, cal, False)))
    sub(root, "FinishDate", stamp(cal.finish_time(project.start, source.schedule.makespan)))
    currency = project.currency
    if re.fullmatch(r"[A-Za-z]{3}", currency):
        sub(root, "CurrencyCode", currency.upper() if currency.isupper() else currency)
    else:
        # Not an ISO code: keep it as the symbol, with the ISO code for "no currency".
        sub(root, "CurrencySymbol", currency[:20])
        sub(root, "CurrencyCode", "XXX")
    sub(root, "CalendarUID", 1)
    spans = cal.hours or ((480, 1020),)
    sub(root, "DefaultStartTime", f"{spans[0][0] // 60:02d}:{spans[0][0] % 60:02d}:00")
    sub(root, "DefaultFinishTime", f"{spans[-1][1] % 1440 // 60:02d}:{spans[-1][1] % 60:02d}:00")
    sub(root, "MinutesPerDay", int(round(mpd)))
    sub(root, "MinutesPerWeek", int(round(mpd * max(len(cal.working_weekdays), 1))))
    sub(root, "DaysPerMonth", 20)
    sub(root, "DurationFormat", FORMAT_DAYS)
    sub(root, "EditableActualCosts", int(bool(source.progress)))
    sub(root, "HonorConstraints", int(project.honor_constraints))
    if status_date is not None:
        sub(root, "StatusDate", stamp(source.moment(status_date, cal, True)))
    sub(root, "NewTasksAreManual", 0)


def _field_aliases(root: ET.Element) -> None:
    """The names MS Project shows for the custom fields pmsim uses."""
    attrs = sub(root, "ExtendedAttributes")
    for (fid, fname), alias in zip(DURATION_FIELDS, DURATION_ALIASES):
        ea = sub(attrs, "ExtendedAttribute")
        sub(ea, "FieldID", fid)
        sub(ea, "FieldName", fname)
        sub(ea, "Alias", alias)
    for fid, fname, alias in list(TASK_FIELDS.values()) + list(RESOURCE_FIELDS.values()):
        ea = sub(attrs, "ExtendedAttribute")
        sub(ea, "FieldID", fid)
        sub(ea, "FieldName", fname)
        sub(ea, "Alias", alias)


def _settings(source: _Source) -> str:
    """pmsim's settings that MSPDI has no place for, as JSON (read back by pmsim only)."""
    project = source.project
    rule = project.progress_rule
    started = any(t.actual_start is not None for t in project.tasks) or any(
        not pd.isna(row["actual_start"]) for row in source.progress.values())
    if started and source.status_date is None and rule != "ms_project":
        source.notes.note("progress without a status date", f"progress_rule={rule!r}",
                          "the file says MS Project's progress rule, the one that needs no data date")
        rule = "ms_project"
    data = {"lag_calendar": project.lag_calendar, "total_float": project.total_float, "progress_rule": rule,
            "honor_constraints": project.honor_constraints}
    if project.must_finish_by is not None:
        data["must_finish_by"] = project.must_finish_by.isoformat()
    if project.start_time is not None:
        data["start_time"] = project.start_time.isoformat(timespec="minutes")
    if source.calendars.identities:
        data["calendars"] = source.calendars.identities
    data["baselines"] = {str(k): b.name for k, b in source.slots.items()}
    data.update(cost_settings(project))
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _summary_task(tasks_el: ET.Element, source: _Source) -> None:
    """The project summary task (UID 0): the project's dates, cost, deadline, description, risks and budget."""
    project, makespan = source.project, source.schedule.makespan
    cal, mpd = project.calendar, project.calendar.minutes_per_day
    start, finish = cal.start_time(project.start, 0.0), cal.finish_time(project.start, makespan)
    total_cost = sum(source.costs.values())
    summary = _task_element(tasks_el, 0, project.name, 0, 0, start, finish, makespan, mpd)
    _summary_fields(summary, total_cost)
    if project.deadline is not None:
        sub(summary, "Deadline", stamp(source.moment(project.deadline, cal, True)))
    if project.description:
        sub(summary, "Notes", project.description)
    if project.risks:
        _extended(summary, TASK_FIELDS["risks"][0], risks_to_json(project.risks))
    if project.budget is not None:
        _extended(summary, TASK_FIELDS["budget"][0], repr(project.budget))
    _extended(summary, TASK_FIELDS["settings"][0], _settings(source))
    if not source.slots:
        baseline_element(summary, 0, start, finish, makespan, total_cost, mpd)
    for k, rows in source.baseline_rows.items():
        first, last = min(r[1] for r in rows.values()), max(r[2] for r in rows.values())
        days = cal.working_offset(project.start, last) - cal.working_offset(project.start, first)
        costs = [r[4] for r in rows.values() if r[4] is not None]
        baseline_element(summary, k, first, last, days, sum(costs) if costs else None, mpd)


# --------------------------------------------------------------------------- tasks


def _tasks(tasks_el: ET.Element, source: _Source) -> None:
    """A summary task per run of a phase, then its tasks; the outline numbers say which is under which."""
    project = source.project
    cal, mpd = project.calendar, project.calendar.minutes_per_day
    uid = 0
    outline_top = 0
    for phase, members in source.runs:
        if phase:
            uid += 1
            outline_top += 1
            es = min(source.rows_of[t.id]["early_start"] for t in members)
            ef = max(source.rows_of[t.id]["early_finish"] for t in members)
            ph = _task_element(tasks_el, uid, phase, outline_top, 1, cal.start_time(project.start, es),
                               cal.finish_time(project.start, ef), ef - es, mpd)
            _summary_fields(ph, sum(source.costs[t.id] for t in members))
        for k, task in enumerate(members, 1):
            uid += 1
            if phase:
                outline, level = f"{outline_top}.{k}", 2
            else:
                outline_top += 1
                outline, level = str(outline_top), 1
            _task(tasks_el, source, task, uid, outline, level)
    _link_notes(source)


def _task(tasks_el: ET.Element, source: _Source, task: Task, uid: int, outline: str, level: int) -> None:
    project = source.project
    row = source.rows_of[task.id]
    times = source.times[task.id]
    dur = planned_duration(source, task)
    cal, mpd, elapsed = source.calendar_of[task.id], source.minutes_per_day(task.id), source.elapsed(task.id)
    start, finish = times["start"], times["finish"]
    # Fixed units (0) lets MS Project schedule a task on its resources' calendars, as pmsim does
    # when the task has no calendar of its own; otherwise fixed duration (1).
    by_resources = task.calendar is None and any(units > 0 and project.resource(rid).calendar is not None
                                                 for rid, units in task.resources)
    el = _task_element(tasks_el, uid, task.name, outline, level, start, finish, dur, mpd, elapsed,
                       kind=0 if by_resources else 1)
    if task.manual_start is not None:
        el.find("Manual").text = "1"  # MS Project keeps its Start where it is (pmsim's manual_start)
    work = sum(u for _, u in task.resources) * dur
    if task.resources:
        sub(el, "Work", duration_text(work, mpd))
    sub(el, "EffortDriven", 0)
    sub(el, "Milestone", int(task.milestone))
    sub(el, "Summary", 0)
    sub(el, "Critical", int(bool(row["critical"])))
    sub(el, "EarlyStart", stamp(times["early_start"]))
    sub(el, "EarlyFinish", stamp(times["early_finish"]))
    sub(el, "LateStart", stamp(times["late_start"]))
    sub(el, "LateFinish", stamp(times["late_finish"]))
    # Slack in tenths of a minute (the schedule's floats are days of the project calendar).
    project_mpd = project.calendar.minutes_per_day
    sub(el, "FreeSlack", int(round(row["free_float"] * project_mpd * 10)))
    sub(el, "TotalSlack", int(round(row["total_float"] * project_mpd * 10)))
    sub(el, "FixedCost", decimal_text(task.fixed_cost * 100))
    sub(el, "FixedCostAccrual", 3)
    done = task_progress(source, task)
    if done["percent_complete"] is not None:
        pct = done["percent_complete"]
        if pct != round(pct):
            source.notes.note("percent complete rounded to whole percents", task.id)
        sub(el, "PercentComplete", int(round(pct)))
    sub(el, "Cost", decimal_text(source.costs[task.id] * 100))
    write_actuals(el, source, task, done, cal, mpd)
    _constraint(el, source, task, cal)
    sub(el, "CalendarUID", source.calendars.uid[task.calendar] if task.calendar and not elapsed else -1)
    if task.levelling_delay:
        _levelling_delay(el, source, task, cal)
    sub(el, "IgnoreResourceCalendar", int(task.calendar is not None and not elapsed))
    if task.deadline is not None:
        sub(el, "Deadline", stamp(source.moment(task.deadline, cal, True)))
    for dep in source.links_into[task.id]:
        _predecessor_link(el, dep, source)
    _estimate_fields(el, task, elapsed, mpd)
    if task.ev_method != ("level_of_effort" if task.level_of_effort else "percent_complete"):  # an LOE: its own
        source.notes.note("earned value methods other than percent complete (not written)", task.id)
    task_baselines(el, task, source.baseline_rows if source.slots else None,
                   (start, finish, dur, source.costs[task.id], work), mpd, elapsed)
    if task.manual_start is not None:
        sub(el, "ManualStart", stamp(start))
        sub(el, "ManualFinish", stamp(finish))
        sub(el, "ManualDuration", duration_text(dur, mpd))


def _constraint(el: ET.Element, source: _Source, task: Task, cal) -> None:
    kind = task.constraint
    if kind in ("SO", "FO"):
        source.notes.note("P6's start-on and finish-on constraints (written as Must Start On and Must Finish On)",
                          task.id)
    sub(el, "ConstraintType", CONSTRAINT_TO_CODE[kind])
    if task.constraint_date is not None:
        sub(el, "ConstraintDate", stamp(source.moment(task.constraint_date, cal, kind in FINISH_CONSTRAINTS)))
    if task.secondary_constraint is not None:
        source.notes.note("secondary constraints (MS Project has one constraint per task; left out)",
                          f"{task.id}: {task.secondary_constraint}")
    if task.summary_finish is not None:
        source.notes.note("late finishes held by a manually scheduled summary task (left out: pmsim writes no such "
                          "summary)", task.id, "read back, their late dates follow from their links alone")


def _levelling_delay(el: ET.Element, source: _Source, task: Task, cal) -> None:
    """A levelling delay in tenths of a minute: elapsed, or working time of the task's calendar."""
    own = source.project.calendar_named(task.levelling_delay_calendar) if task.levelling_delay_calendar else cal
    elapsed = is_elapsed(own)
    if not elapsed and own.id != cal.id:
        source.notes.note("levelling delays on another calendar than the task's (MS Project counts them on the "
                          "task's calendar or round the clock)", task.id)
    minutes = ELAPSED_MINUTES_PER_DAY if elapsed else own.minutes_per_day
    sub(el, "LevelingDelay", int(round(task.levelling_delay * minutes * 10)))
    sub(el, "LevelingDelayFormat", FORMAT_ELAPSED_DAYS if elapsed else FORMAT_DAYS)


def _predecessor_link(el: ET.Element, dep: Dependency, source: _Source) -> None:
    """A link: its lag in tenths of a minute of the successor's calendar (MS Project's rule), or elapsed."""
    project = source.project
    link = sub(el, "PredecessorLink")
    sub(link, "PredecessorUID", source.uid_of[dep.predecessor])
    sub(link, "Type", LINK_TO_CODE[dep.type])
    sub(link, "CrossProject", 0)
    succ_cal = source.calendar_of[dep.successor]
    lag_cal = project.calendar_named(dep.lag_calendar) if dep.lag_calendar is not None else None
    elapsed = lag_cal is not None and is_elapsed(lag_cal)
    if lag_cal is not None and not elapsed and lag_cal.id != succ_cal.id and dep.lag:
        source.notes.note("lags on another calendar than the successor's (MS Project counts a lag on the "
                          "successor's calendar)", f"{dep.predecessor} -> {dep.successor}")
    minutes = ELAPSED_MINUTES_PER_DAY if elapsed else (lag_cal or succ_cal).minutes_per_day
    tenths = dep.lag * minutes * 10
    if abs(tenths - round(tenths)) > 1e-6:
        source.notes.note("lags rounded to a tenth of a minute (MSPDI stores whole tenths)",
                          f"{dep.predecessor} -> {dep.successor} ({dep.lag:g} days)")
    sub(link, "LinkLag", int(round(tenths)))
    sub(link, "LagFormat", FORMAT_ELAPSED_DAYS if elapsed else FORMAT_DAYS)


def _link_notes(source: _Source) -> None:
    project = source.project
    pairs: dict[tuple[str, str], list[str]] = {}
    for dep in project.dependencies:
        pairs.setdefault((dep.predecessor, dep.successor), []).append(dep.type)
    for (a, b), kinds in pairs.items():
        if len(kinds) > 1:
            source.notes.note("two links between the same tasks (MS Project keeps one per pair when it opens "
                              "the file; MPXJ and pmsim read both)", f"{a} -> {b} ({', '.join(kinds)})")
    if project.lag_calendar != "successor" and any(d.lag for d in project.dependencies):
        source.notes.note("a lag calendar rule other than the successor's (MS Project's)",
                          f"lag_calendar={project.lag_calendar!r}",
                          "MS Project counts lags on the successor's calendar")


def _estimate_fields(el: ET.Element, task: Task, elapsed: bool, mpd: float) -> None:
    """The three-point estimate in Duration1-3, and pmsim's own fields: distribution, parameters, id, cost per day."""
    points = estimate_points(task.estimate)
    if points is not None and not task.milestone:
        for (fid, _), value in zip(DURATION_FIELDS, points):
            _extended(el, fid, duration_text(value, mpd), duration=True, elapsed=elapsed)
    _extended(el, TASK_FIELDS["distribution"][0], LEVEL_OF_EFFORT if task.level_of_effort else task.estimate.kind)
    params = estimate_parameters(task.estimate)
    if params:
        _extended(el, TASK_FIELDS["parameters"][0], params)
    _extended(el, TASK_FIELDS["id"][0], task.id)
    if task.cost_per_day:
        _extended(el, TASK_FIELDS["cost_per_day"][0], repr(task.cost_per_day))


# --------------------------------------------------------------------------- resources


def _resources(root: ET.Element, source: _Source) -> None:
    """The resources (rates per hour of the project calendar's day), each on a calendar of its own."""
    project = source.project
    hours = project.calendar.hours_per_day
    res_el = sub(root, "Resources")
    source.res_uid = {}
    for k, res in enumerate(project.resources, 1):
        source.res_uid[res.id] = k
        el = sub(res_el, "Resource")
        for tag, value in (("UID", k), ("ID", k), ("Name", res.name), ("Type", 1), ("IsNull", 0),
                           ("Initials", res.id), ("MaxUnits", decimal_text(res.capacity)),
                           ("StandardRate", decimal_text(res.cost_per_day / hours)), ("StandardRateFormat", 3),
                           ("CalendarUID", source.calendars.resource_uid[res.id])):
            sub(el, tag, value)
        _extended(el, RESOURCE_FIELDS["id"][0], res.id)


def _assignments(root: ET.Element, source: _Source) -> None:
    project = source.project
    asg_el = sub(root, "Assignments")
    n = 0
    rate = {r.id: r.cost_per_day for r in project.resources}
    for task in project.tasks:
        mpd = source.minutes_per_day(task.id)
        done = done_days(task, task_progress(source, task))
        split = split_ranges(task, source.times[task.id]["start"], source.calendar_of[task.id]) if task.splits else ()
        if split and not task.resources:  # MS Project's placeholder assignment holds the split
            n += 1
            placeholder(asg_el, n, source.uid_of[task.id], source.times[task.id], split)
        for rid, units in task.resources:
            n += 1
            dur = planned_duration(source, task)
            el = sub(asg_el, "Assignment")
            sub(el, "UID", n)
            sub(el, "TaskUID", source.uid_of[task.id])
            sub(el, "ResourceUID", source.res_uid[rid])
            sub(el, "Cost", decimal_text(units * rate[rid] * dur * 100))
            sub(el, "Finish", stamp(source.times[task.id]["finish"]))
            sub(el, "Start", stamp(source.times[task.id]["start"]))
            sub(el, "Units", decimal_text(units))
            sub(el, "Work", duration_text(units * dur, mpd))
            sub(el, "ActualWork", duration_text(units * done, mpd))
            sub(el, "RemainingWork", duration_text(units * (dur - done), mpd))
            base = sub(el, "Baseline")
            sub(base, "Number", 0)
            sub(base, "Work", duration_text(units * dur, mpd))
            sub(base, "Cost", decimal_text(units * rate[rid] * dur * 100))
            if split:
                write_split_work(el, n, split, units)


def _replace_control_characters(root: ET.Element, project: Project, notes: Notes) -> None:
    """Control characters in the text of any element as spaces (XML cannot hold them), noted."""
    user_text = [project.name, project.description, project.currency,
                 *(x for t in project.tasks for x in (t.id, t.name, t.phase)),
                 *(x for r in project.resources for x in (r.id, r.name))]
    for parent in root.iter() if XML_ILLEGAL.search("".join(user_text)) else ():
        for el in parent:
            if el.text and XML_ILLEGAL.search(el.text):
                el.text = XML_ILLEGAL.sub(" ", el.text)
                notes.note("control characters replaced by spaces (XML cannot hold them)", f"{parent.tag}.{el.tag}")
