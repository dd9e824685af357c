"""Writing a project as MS Project XML (MSPDI): :func:`write_mspdi`.

Besides the plan itself the file holds what MS Project shows: the CPM dates,
floats and costs, and each task's plan as baseline 0.
"""

from __future__ import annotations

import datetime as dt
import math
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
    decimal_text,
    estimate_parameters,
    estimate_points,
    progress_rows,
    risks_to_json,
    schedule_times,
    when,
)
from .._files import XML_ILLEGAL, replacing
from .calendars import write_calendars
from .fields import (
    DURATION_ALIASES,
    DURATION_FIELDS,
    FORMAT_DAYS,
    LINK_TO_CODE,
    MINUTES_PER_DAY,
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
        percent complete, actual dates, actual cost and remaining duration.

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
    source = _Source(project, rows, Notes(str(path)))

    root = ET.Element("Project", xmlns=NAMESPACE)
    _project_fields(root, source, status_date)
    _field_aliases(root)
    write_calendars(root, project)
    tasks_el = sub(root, "Tasks")
    _summary_task(tasks_el, source)
    _tasks(tasks_el, source)
    res_uid = _resources(root, project)
    _assignments(root, source, res_uid)
    _replace_control_characters(root, project, source.notes)
    ET.indent(root, space="  ")
    with replacing(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="UTF-8", xml_declaration=True)
    source.notes.emit(stacklevel=3)


class _Source:
    """What every part of the file is written from: the project, its CPM schedule and costs, the progress."""

    def __init__(self, project: Project, progress: dict[str, dict], notes: Notes):
        self.project = project
        self.progress = progress
        self.notes = notes
        self.schedule = cpm(project)
        table = self.schedule.table
        self.rows_of = table.to_dict("index")
        self.times = schedule_times(project, table)
        self.links_into: dict[str, list[Dependency]] = {t.id: [] for t in project.tasks}
        for dep in project.dependencies:
            self.links_into[dep.successor].append(dep)
        self.costs = cost_model(project)["budget"].to_dict()
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


# --------------------------------------------------------------------------- elements


def _extended(parent: ET.Element, field_id: str, value: str, duration: bool = False) -> None:
    ea = sub(parent, "ExtendedAttribute")
    sub(ea, "FieldID", field_id)
    sub(ea, "Value", value)
    if duration:
        sub(ea, "DurationFormat", FORMAT_DAYS)


def _task_element(parent: ET.Element, uid: int, name: str, outline, level: int,
                  start: dt.datetime, finish: dt.datetime, duration: float) -> ET.Element:
    """A ``Task`` with its identity, place in the outline, dates and duration."""
    el = sub(parent, "Task")
    for tag, value in (("UID", uid), ("ID", uid), ("Name", name), ("Active", 1), ("Manual", 0), ("Type", 1),
                       ("IsNull", 0), ("WBS", outline), ("OutlineNumber", outline), ("OutlineLevel", level)):
        sub(el, tag, value)
    sub(el, "Start", stamp(start))
    sub(el, "Finish", stamp(finish))
    sub(el, "Duration", duration_text(duration))
    sub(el, "DurationFormat", FORMAT_DAYS)
    return el


def _summary_fields(el: ET.Element, cost: float) -> None:
    sub(el, "Milestone", 0)
    sub(el, "Summary", 1)
    sub(el, "Cost", decimal_text(cost * 100))
    sub(el, "ConstraintType", 0)
    sub(el, "CalendarUID", -1)


def _baseline(el: ET.Element, start: dt.datetime, finish: dt.datetime, duration: float, cost: float,
              work: float | None = None) -> None:
    base = sub(el, "Baseline")
    sub(base, "Number", 0)
    sub(base, "Start", stamp(start))
    sub(base, "Finish", stamp(finish))
    sub(base, "Duration", duration_text(duration))
    sub(base, "DurationFormat", FORMAT_DAYS)
    if work is not None:
        sub(base, "Work", duration_text(work))
    sub(base, "Cost", decimal_text(cost * 100))


# --------------------------------------------------------------------------- the project


def _project_fields(root: ET.Element, source: _Source, status_date: dt.date | None) -> None:
    project, mpd = source.project, MINUTES_PER_DAY
    sub(root, "SaveVersion", 14)
    sub(root, "Name", project.name)
    sub(root, "Title", project.name)
    sub(root, "ScheduleFromStart", 1)
    sub(root, "StartDate", stamp(dt.datetime.combine(project.start, dt.time(8))))
    sub(root, "FinishDate", stamp(when(project, source.schedule.makespan, True)))
    currency = project.currency
    if re.fullmatch(r"[A-Za-z]{3}", currency):
        sub(root, "CurrencyCode", currency.upper() if currency.isupper() else currency)
    else:
        # Not an ISO code: keep it as the symbol, with the ISO code for "no currency".
        sub(root, "CurrencySymbol", currency[:20])
        sub(root, "CurrencyCode", "XXX")
    sub(root, "CalendarUID", 1)
    sub(root, "DefaultStartTime", "08:00:00")
    sub(root, "DefaultFinishTime", "17:00:00")
    sub(root, "MinutesPerDay", mpd)
    sub(root, "MinutesPerWeek", mpd * len(project.calendar.workdays))
    sub(root, "DaysPerMonth", 20)
    sub(root, "DurationFormat", FORMAT_DAYS)
    sub(root, "EditableActualCosts", int(bool(source.progress)))
    if status_date is not None:
        sub(root, "StatusDate", stamp(dt.datetime.combine(status_date, dt.time(17))))
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


def _summary_task(tasks_el: ET.Element, source: _Source) -> None:
    """The project summary task (UID 0): the project's dates, cost, deadline, description, risks and budget."""
    project, makespan = source.project, source.schedule.makespan
    start, finish = when(project, 0, False), when(project, makespan, True)
    total_cost = sum(source.costs.values())
    summary = _task_element(tasks_el, 0, project.name, 0, 0, start, finish, makespan)
    _summary_fields(summary, total_cost)
    if project.deadline is not None:
        sub(summary, "Deadline", stamp(dt.datetime.combine(project.deadline, dt.time(17))))
    if project.description:
        sub(summary, "Notes", project.description)
    if project.risks:
        _extended(summary, TASK_FIELDS["risks"][0], risks_to_json(project.risks))
    if project.budget is not None:
        _extended(summary, TASK_FIELDS["budget"][0], repr(project.budget))
    _baseline(summary, start, finish, makespan, total_cost)


# --------------------------------------------------------------------------- tasks


def _tasks(tasks_el: ET.Element, source: _Source) -> None:
    """A summary task per run of a phase, then its tasks; the outline numbers say which is under which."""
    project = source.project
    uid = 0
    outline_top = 0
    lag_rounded: list[str] = []
    for phase, members in source.runs:
        if phase:
            uid += 1
            outline_top += 1
            es = min(source.rows_of[t.id]["early_start"] for t in members)
            ef = max(source.rows_of[t.id]["early_finish"] for t in members)
            ph = _task_element(tasks_el, uid, phase, outline_top, 1, when(project, es, False),
                               when(project, ef, True), ef - es)
            _summary_fields(ph, sum(source.costs[t.id] for t in members))
        for k, task in enumerate(members, 1):
            uid += 1
            if phase:
                outline, level = f"{outline_top}.{k}", 2
            else:
                outline_top += 1
                outline, level = str(outline_top), 1
            _task(tasks_el, source, task, uid, outline, level, lag_rounded)
    for item in lag_rounded:
        source.notes.note("lags rounded to a tenth of a minute (MSPDI stores whole tenths)", item)


def _task(tasks_el: ET.Element, source: _Source, task: Task, uid: int, outline: str, level: int,
          lag_rounded: list[str]) -> None:
    mpd = MINUTES_PER_DAY
    row = source.rows_of[task.id]
    times = source.times[task.id]
    dur = task.planned_duration
    start, finish = times["start"], times["finish"]
    el = _task_element(tasks_el, uid, task.name, outline, level, start, finish, dur)
    work = sum(u for _, u in task.resources) * dur
    if task.resources:
        sub(el, "Work", duration_text(work))
    sub(el, "EffortDriven", 0)
    sub(el, "Milestone", int(task.milestone))
    sub(el, "Summary", 0)
    sub(el, "Critical", int(bool(row["critical"])))
    sub(el, "EarlyStart", stamp(start))
    sub(el, "EarlyFinish", stamp(finish))
    sub(el, "LateStart", stamp(times["late_start"]))
    sub(el, "LateFinish", stamp(times["late_finish"]))
    # Slack in tenths of a minute.
    sub(el, "FreeSlack", int(round(row["free_float"] * mpd * 10)))
    sub(el, "TotalSlack", int(round(row["total_float"] * mpd * 10)))
    sub(el, "FixedCost", decimal_text(task.fixed_cost * 100))
    sub(el, "FixedCostAccrual", 3)
    done = source.progress.get(task.id)
    if done is not None and not math.isnan(done["percent_complete"]):
        pct = done["percent_complete"]
        if pct != round(pct):
            source.notes.note("percent complete rounded to whole percents", task.id)
        sub(el, "PercentComplete", int(round(pct)))
    sub(el, "Cost", decimal_text(source.costs[task.id] * 100))
    _actuals(el, done, dur)
    sub(el, "ConstraintType", 0)
    sub(el, "CalendarUID", -1)
    for dep in source.links_into[task.id]:
        _predecessor_link(el, dep, source.uid_of, lag_rounded)
    _estimate_fields(el, task)
    _baseline(el, start, finish, dur, source.costs[task.id], work if task.resources else None)


def _actuals(el: ET.Element, done: dict | None, duration: float) -> None:
    """Actual dates and cost and the remaining duration (all of it for a task without progress)."""
    if done is None:
        sub(el, "RemainingDuration", duration_text(duration))
        return
    if not pd.isna(done["actual_start"]):
        sub(el, "ActualStart", stamp(done["actual_start"].to_pydatetime().replace(hour=8)))
    if not pd.isna(done["actual_finish"]):
        sub(el, "ActualFinish", stamp(done["actual_finish"].to_pydatetime().replace(hour=17)))
    if not math.isnan(done["actual_cost"]):
        sub(el, "ActualCost", decimal_text(done["actual_cost"] * 100))
    if not math.isnan(done["remaining_duration"]):
        sub(el, "RemainingDuration", duration_text(done["remaining_duration"]))


def _predecessor_link(el: ET.Element, dep: Dependency, uid_of: dict[str, int], lag_rounded: list[str]) -> None:
    link = sub(el, "PredecessorLink")
    sub(link, "PredecessorUID", uid_of[dep.predecessor])
    sub(link, "Type", LINK_TO_CODE[dep.type])
    sub(link, "CrossProject", 0)
    tenths = dep.lag * MINUTES_PER_DAY * 10
    if abs(tenths - round(tenths)) > 1e-6:
        lag_rounded.append(f"{dep.predecessor} -> {dep.successor} ({dep.lag:g} days)")
    sub(link, "LinkLag", int(round(tenths)))
    sub(link, "LagFormat", FORMAT_DAYS)


def _estimate_fields(el: ET.Element, task: Task) -> None:
    """The three-point estimate in Duration1-3, and pmsim's own fields: distribution, parameters, id, cost per day."""
    points = estimate_points(task.estimate)
    if points is not None and not task.milestone:
        for (fid, _), value in zip(DURATION_FIELDS, points):
            _extended(el, fid, duration_text(value), duration=True)
    _extended(el, TASK_FIELDS["distribution"][0], task.estimate.kind)
    params = estimate_parameters(task.estimate)
    if params:
        _extended(el, TASK_FIELDS["parameters"][0], params)
    _extended(el, TASK_FIELDS["id"][0], task.id)
    if task.cost_per_day:
        _extended(el, TASK_FIELDS["cost_per_day"][0], repr(task.cost_per_day))


# --------------------------------------------------------------------------- resources


def _resources(root: ET.Element, project: Project) -> dict[str, int]:
    """The resources (rates per hour); returns resource id -> UID."""
    mpd = MINUTES_PER_DAY
    res_el = sub(root, "Resources")
    res_uid = {}
    for k, res in enumerate(project.resources, 1):
        res_uid[res.id] = k
        el = sub(res_el, "Resource")
        for tag, value in (("UID", k), ("ID", k), ("Name", res.name), ("Type", 1), ("IsNull", 0),
                           ("Initials", res.id), ("MaxUnits", decimal_text(res.capacity)),
                           ("StandardRate", decimal_text(res.cost_per_day / (mpd / 60))), ("StandardRateFormat", 3)):
            sub(el, tag, value)
        _extended(el, RESOURCE_FIELDS["id"][0], res.id)
    return res_uid


def _assignments(root: ET.Element, source: _Source, res_uid: dict[str, int]) -> None:
    project = source.project
    asg_el = sub(root, "Assignments")
    n = 0
    rate = {r.id: r.cost_per_day for r in project.resources}
    for task in project.tasks:
        for rid, units in task.resources:
            n += 1
            dur = task.planned_duration
            el = sub(asg_el, "Assignment")
            sub(el, "UID", n)
            sub(el, "TaskUID", source.uid_of[task.id])
            sub(el, "ResourceUID", res_uid[rid])
            sub(el, "Cost", decimal_text(units * rate[rid] * dur * 100))
            sub(el, "Finish", stamp(source.times[task.id]["finish"]))
            sub(el, "Start", stamp(source.times[task.id]["start"]))
            sub(el, "Units", decimal_text(units))
            sub(el, "Work", duration_text(units * dur))
            base = sub(el, "Baseline")
            sub(base, "Number", 0)
            sub(base, "Work", duration_text(units * dur))
            sub(base, "Cost", decimal_text(units * rate[rid] * dur * 100))


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
