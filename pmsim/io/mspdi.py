"""MS Project XML (MSPDI): read and write.

MSPDI is the XML format of Microsoft Project (File > Save As > XML), in the
namespace ``http://schemas.microsoft.com/project``; MPXJ, ProjectLibre,
GanttProject, Primavera and most other tools read and write it too.

What travels, and where
-----------------------

=================================  ==================================================
pmsim                              MSPDI
=================================  ==================================================
project name, start, currency      ``Title``/``Name``, ``StartDate``, ``CurrencyCode``
calendar: workdays, holidays       the project ``Calendar``: ``WeekDays`` and
                                   ``Exceptions`` (non-working days)
deadline                           ``Deadline`` of the project summary task (UID 0)
description                        ``Notes`` of the project summary task
task id                            custom field Text28, alias ``pmsim id`` (files from
                                   other tools: the task ``ID``, the row number)
name, phase, milestone             ``Name``; the summary task above it (``OutlineLevel``);
                                   ``Milestone``
planned duration                   ``Duration`` (``PT#H#M#S``, ``MinutesPerDay``
                                   minutes per working day, 480 by default)
three-point estimate               Duration1 / Duration2 / Duration3 = optimistic /
                                   most likely (expected) / pessimistic: the fields
                                   MS Project's PERT Analysis uses
distribution                       Text30, alias ``pmsim distribution``; Text29,
                                   alias ``pmsim parameters``: Beta-PERT lambda,
                                   discrete values, lognormal P10/P90 or mu/sigma
fixed cost                         ``FixedCost``
cost per day                       Number20, alias ``pmsim cost per day``
links FS/SS/FF/SF, lag             ``PredecessorLink``: ``Type`` 1/3/0/2,
                                   ``LinkLag`` in tenths of a minute, ``LagFormat`` 7
resources: capacity, cost/day      ``Resource``: ``MaxUnits``, ``StandardRate`` (per
                                   hour); id in resource Text30, alias ``pmsim id``
demands                            ``Assignment``: ``Units``
budget                             Number19 of the summary task, alias ``pmsim budget``
                                   (files from other tools: the summary task's
                                   baseline cost, if any)
risks                              Text27 of the summary task, alias ``pmsim risks``:
                                   JSON
progress (EVM)                     ``PercentComplete``, ``ActualStart``,
                                   ``ActualFinish``, ``ActualCost``,
                                   ``RemainingDuration``
=================================  ==================================================

Links are stored under their successor, so they come back grouped by
successor task (same links, possibly another order). The writer also
stores what MS Project shows: CPM start and finish dates,
each task's planned cost as ``Cost`` and as baseline 0 (``Baseline`` with
``Number`` 0: start, finish, duration, work, cost), assignment work.

A three-point estimate in a file from another tool (the three Duration
fields, no ``pmsim distribution``) is read as classic Beta-PERT; a task
without them gets a fixed duration. The three Duration fields are ignored
when the file defines an alias for one of them that does not mention
optimistic, expected, most likely or pessimistic (they hold something else).

MS Project keeps text fields to 255 characters: the risks field of a
project with many risks may be cut if the file is re-saved by MS Project,
and pmsim then says so. ``LinkLag`` is an integer: lags are kept to a tenth
of a minute, and the writer warns when that rounds a lag. ``PercentComplete``
is an integer percentage. Control characters in names (which XML cannot
hold) are written as spaces, with a warning.

Reading a file that uses features pmsim does not model (date constraints,
task deadlines, manual scheduling, task or resource calendars, recurring
tasks, material and cost resources, work contours, elapsed durations, ...)
gives one :class:`pmsim.PmsimWarning` per feature naming the tasks; nothing
is dropped silently. After reading, :func:`pmsim.health_check` runs and a
warning lists the checks that failed.

Parsing uses defusedxml with document type declarations forbidden: no
entity expansion (an XML bomb is rejected at once), no external entities.

>>> import pmsim as pm, tempfile, pathlib
>>> p = pm.Project(name="demo", start="2027-01-04",
...     tasks=[pm.Task("A", optimistic=2, most_likely=3, pessimistic=7), pm.Task("B", duration=2)],
...     dependencies=[pm.Dependency("A", "B", "SS", 1)])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.xml"
>>> write_mspdi(p, path)
>>> q = read_mspdi(path, check_health=False)
>>> q.tasks == p.tasks and q.dependencies == p.dependencies
True
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd

from ..costs import cost_model
from ..distributions import Fixed
from ..errors import FileFormatError, PmsimError, ValidationError
from ..calendar import WEEKDAYS, Calendar
from ..model import Dependency, Project, Resource, Task
from ._exchange import (
    Notes,
    decimal_text,
    estimate_from,
    estimate_parameters,
    estimate_points,
    progress_frame,
    progress_rows,
    risks_from_json,
    risks_to_json,
    schedule_times,
    unique_id,
    warn_health,
    when,
)
from ._files import XML_ILLEGAL, replacing

__all__ = ["read_mspdi", "write_mspdi", "NAMESPACE"]

NAMESPACE = "http://schemas.microsoft.com/project"
_Q = "{" + NAMESPACE + "}"

MINUTES_PER_DAY = 480

# Link types: MSPDI Type code <-> pmsim.
_LINK_FROM_CODE = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
_LINK_TO_CODE = {v: k for k, v in _LINK_FROM_CODE.items()}

# Duration format codes (also LagFormat): elapsed units and percentages.
_ELAPSED_FORMATS = {4, 6, 8, 10, 12, 36, 38, 40, 42, 44}
_PERCENT_FORMATS = {19, 20, 51, 52}
_FORMAT_DAYS = 7

_CONSTRAINTS = {
    1: "As Late As Possible", 2: "Must Start On", 3: "Must Finish On", 4: "Start No Earlier Than",
    5: "Start No Later Than", 6: "Finish No Earlier Than", 7: "Finish No Later Than",
}

# Custom fields: (FieldID, FieldName, alias).
_DURATION_FIELDS = (("188743783", "Duration1"), ("188743784", "Duration2"), ("188743785", "Duration3"))
_DURATION_ALIASES = ("Optimistic Duration", "Expected Duration", "Pessimistic Duration")
_TASK_FIELDS = {
    "distribution": ("188744016", "Text30", "pmsim distribution"),
    "parameters": ("188744015", "Text29", "pmsim parameters"),
    "id": ("188744014", "Text28", "pmsim id"),
    "risks": ("188744013", "Text27", "pmsim risks"),
    "cost_per_day": ("188743996", "Number20", "pmsim cost per day"),
    "budget": ("188743995", "Number19", "pmsim budget"),
}
_RESOURCE_FIELDS = {"id": ("205521140", "Text30", "pmsim id")}

_NUMBER = re.compile(r"-?\d+(?:\.\d*)?")
_OUTLINE_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})*")  # 1, 1.2, 1.2.3 (ASCII digits that int() reads)
_ISO_DURATION = re.compile(
    r"^(-)?P(?:(-?[\d.]+)Y)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)W)?(?:(-?[\d.]+)D)?"
    r"(?:T(?:(-?[\d.]+)H)?(?:(-?[\d.]+)M)?(?:(-?[\d.]+)S)?)?$"
)


# =========================================================================== writing


def _iso(days: float, minutes_per_day: int = MINUTES_PER_DAY) -> str:
    """Working days as an MSPDI duration, ``PT#H#M#S`` (fractional seconds only if needed)."""
    seconds = round(days * minutes_per_day * 60, 6)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours = int(seconds // 3600)
    seconds -= hours * 3600
    minutes = int(seconds // 60)
    seconds = round(seconds - minutes * 60, 6)
    text = f"{seconds:.6f}".rstrip("0").rstrip(".")
    return f"{sign}PT{hours}H{minutes}M{text}S"


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _sub(parent: ET.Element, tag: str, text=None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _extended(parent: ET.Element, field_id: str, value: str, duration: bool = False) -> None:
    ea = _sub(parent, "ExtendedAttribute")
    _sub(ea, "FieldID", field_id)
    _sub(ea, "Value", value)
    if duration:
        _sub(ea, "DurationFormat", _FORMAT_DAYS)


def _calendar_element(parent: ET.Element, project: Project) -> None:
    cal = _sub(_sub(parent, "Calendars"), "Calendar")
    _sub(cal, "UID", 1)
    _sub(cal, "Name", "Standard")
    _sub(cal, "IsBaseCalendar", 1)
    _sub(cal, "IsBaselineCalendar", 0)
    _sub(cal, "BaseCalendarUID", -1)
    days = _sub(cal, "WeekDays")
    # DayType 1 = Sunday ... 7 = Saturday.
    for code, name in enumerate(("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"), 1):
        day = _sub(days, "WeekDay")
        _sub(day, "DayType", code)
        working = name in project.calendar.workdays
        _sub(day, "DayWorking", int(working))
        if working:
            times = _sub(day, "WorkingTimes")
            for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                wt = _sub(times, "WorkingTime")
                _sub(wt, "FromTime", a)
                _sub(wt, "ToTime", b)
    if project.calendar.holidays:
        exceptions = _sub(cal, "Exceptions")
        for day in project.calendar.holidays:
            ex = _sub(exceptions, "Exception")
            _sub(ex, "EnteredByOccurrences", 0)
            period = _sub(ex, "TimePeriod")
            _sub(period, "FromDate", f"{day.isoformat()}T00:00:00")
            _sub(period, "ToDate", f"{day.isoformat()}T23:59:00")
            _sub(ex, "Occurrences", 1)
            _sub(ex, "Name", "Holiday")
            _sub(ex, "Type", 1)
            _sub(ex, "DayWorking", 0)


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

    The module docstring lists where each pmsim field goes. The file opens in
    MS Project 2010 and later and in MPXJ.

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=2.5)])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> write_mspdi(p, path)
    >>> "<Duration>PT20H0M0S</Duration>" in path.read_text()
    True
    """
    from ..cpm import cpm

    path = Path(path)
    if not isinstance(project, Project):
        raise ValidationError(f"{path}: write_mspdi needs a Project, got {type(project).__name__}")
    rows, status_date = progress_rows(progress, project, str(path))
    notes = Notes(str(path))
    schedule = cpm(project)
    table = schedule.table
    rows_of = table.to_dict("index")
    times = schedule_times(project, table)
    links_into: dict[str, list[Dependency]] = {t.id: [] for t in project.tasks}
    for dep in project.dependencies:
        links_into[dep.successor].append(dep)
    costs = cost_model(project)["budget"].to_dict()
    mpd = MINUTES_PER_DAY

    root = ET.Element("Project", xmlns=NAMESPACE)
    _sub(root, "SaveVersion", 14)
    _sub(root, "Name", project.name)
    _sub(root, "Title", project.name)
    _sub(root, "ScheduleFromStart", 1)
    _sub(root, "StartDate", _stamp(dt.datetime.combine(project.start, dt.time(8))))
    _sub(root, "FinishDate", _stamp(when(project, schedule.makespan, True)))
    currency = project.currency
    if re.fullmatch(r"[A-Za-z]{3}", currency):
        _sub(root, "CurrencyCode", currency.upper() if currency.isupper() else currency)
    else:
        # Not an ISO code: keep it as the symbol, with the ISO code for "no currency".
        _sub(root, "CurrencySymbol", currency[:20])
        _sub(root, "CurrencyCode", "XXX")
    _sub(root, "CalendarUID", 1)
    _sub(root, "DefaultStartTime", "08:00:00")
    _sub(root, "DefaultFinishTime", "17:00:00")
    _sub(root, "MinutesPerDay", mpd)
    _sub(root, "MinutesPerWeek", mpd * len(project.calendar.workdays))
    _sub(root, "DaysPerMonth", 20)
    _sub(root, "DurationFormat", _FORMAT_DAYS)
    _sub(root, "EditableActualCosts", int(bool(rows)))
    if status_date is not None:
        _sub(root, "StatusDate", _stamp(dt.datetime.combine(status_date, dt.time(17))))
    _sub(root, "NewTasksAreManual", 0)

    attrs = _sub(root, "ExtendedAttributes")
    for (fid, fname), alias in zip(_DURATION_FIELDS, _DURATION_ALIASES):
        ea = _sub(attrs, "ExtendedAttribute")
        _sub(ea, "FieldID", fid)
        _sub(ea, "FieldName", fname)
        _sub(ea, "Alias", alias)
    for fid, fname, alias in list(_TASK_FIELDS.values()) + list(_RESOURCE_FIELDS.values()):
        ea = _sub(attrs, "ExtendedAttribute")
        _sub(ea, "FieldID", fid)
        _sub(ea, "FieldName", fname)
        _sub(ea, "Alias", alias)

    _calendar_element(root, project)

    tasks_el = _sub(root, "Tasks")
    # The project summary task.
    summary = _sub(tasks_el, "Task")
    for tag, value in (("UID", 0), ("ID", 0), ("Name", project.name), ("Active", 1), ("Manual", 0), ("Type", 1),
                       ("IsNull", 0), ("WBS", 0), ("OutlineNumber", 0), ("OutlineLevel", 0)):
        _sub(summary, tag, value)
    _sub(summary, "Start", _stamp(when(project, 0, False)))
    _sub(summary, "Finish", _stamp(when(project, schedule.makespan, True)))
    _sub(summary, "Duration", _iso(schedule.makespan))
    _sub(summary, "DurationFormat", _FORMAT_DAYS)
    _sub(summary, "Milestone", 0)
    _sub(summary, "Summary", 1)
    _sub(summary, "Cost", decimal_text(sum(costs.values()) * 100))
    _sub(summary, "ConstraintType", 0)
    _sub(summary, "CalendarUID", -1)
    if project.deadline is not None:
        _sub(summary, "Deadline", _stamp(dt.datetime.combine(project.deadline, dt.time(17))))
    if project.description:
        _sub(summary, "Notes", project.description)
    if project.risks:
        _extended(summary, _TASK_FIELDS["risks"][0], risks_to_json(project.risks))
    if project.budget is not None:
        _extended(summary, _TASK_FIELDS["budget"][0], repr(project.budget))
    base = _sub(summary, "Baseline")
    _sub(base, "Number", 0)
    _sub(base, "Start", _stamp(when(project, 0, False)))
    _sub(base, "Finish", _stamp(when(project, schedule.makespan, True)))
    _sub(base, "Duration", _iso(schedule.makespan))
    _sub(base, "DurationFormat", _FORMAT_DAYS)
    _sub(base, "Cost", decimal_text(sum(costs.values()) * 100))

    # Phases become summary tasks over runs of consecutive tasks of that phase.
    runs: list[tuple[str, list[Task]]] = []
    for task in project.tasks:
        if runs and task.phase and runs[-1][0] == task.phase:
            runs[-1][1].append(task)
        else:
            runs.append((task.phase, [task]))
    # UIDs in the order the rows are written (a phase's summary row, then its tasks), known
    # before any row is written because a link may name a task written later.
    uid = 0
    uid_of: dict[str, int] = {}
    for phase, members in runs:
        uid += bool(phase)
        for task in members:
            uid += 1
            uid_of[task.id] = uid
    uid = 0
    outline_top = 0
    lag_rounded = []
    for phase, members in runs:
        if phase:
            uid += 1
            outline_top += 1
            es = min(rows_of[t.id]["early_start"] for t in members)
            ef = max(rows_of[t.id]["early_finish"] for t in members)
            ph = _sub(tasks_el, "Task")
            for tag, value in (("UID", uid), ("ID", uid), ("Name", phase), ("Active", 1), ("Manual", 0), ("Type", 1),
                               ("IsNull", 0), ("WBS", outline_top), ("OutlineNumber", outline_top), ("OutlineLevel", 1)):
                _sub(ph, tag, value)
            _sub(ph, "Start", _stamp(when(project, es, False)))
            _sub(ph, "Finish", _stamp(when(project, ef, True)))
            _sub(ph, "Duration", _iso(ef - es))
            _sub(ph, "DurationFormat", _FORMAT_DAYS)
            _sub(ph, "Milestone", 0)
            _sub(ph, "Summary", 1)
            _sub(ph, "Cost", decimal_text(sum(costs[t.id] for t in members) * 100))
            _sub(ph, "ConstraintType", 0)
            _sub(ph, "CalendarUID", -1)
        for k, task in enumerate(members, 1):
            uid += 1
            if phase:
                outline, level = f"{outline_top}.{k}", 2
            else:
                outline_top += 1
                outline, level = str(outline_top), 1
            row = rows_of[task.id]
            dur = task.planned_duration
            start, finish = times[task.id]["start"], times[task.id]["finish"]
            el = _sub(tasks_el, "Task")
            for tag, value in (("UID", uid), ("ID", uid), ("Name", task.name), ("Active", 1), ("Manual", 0),
                               ("Type", 1), ("IsNull", 0), ("WBS", outline), ("OutlineNumber", outline),
                               ("OutlineLevel", level)):
                _sub(el, tag, value)
            _sub(el, "Start", _stamp(start))
            _sub(el, "Finish", _stamp(finish))
            _sub(el, "Duration", _iso(dur))
            _sub(el, "DurationFormat", _FORMAT_DAYS)
            work = sum(u for _, u in task.resources) * dur
            if task.resources:
                _sub(el, "Work", _iso(work))
            _sub(el, "EffortDriven", 0)
            _sub(el, "Milestone", int(task.milestone))
            _sub(el, "Summary", 0)
            _sub(el, "Critical", int(bool(row["critical"])))
            _sub(el, "EarlyStart", _stamp(start))
            _sub(el, "EarlyFinish", _stamp(finish))
            _sub(el, "LateStart", _stamp(times[task.id]["late_start"]))
            _sub(el, "LateFinish", _stamp(times[task.id]["late_finish"]))
            # Slack in tenths of a minute.
            _sub(el, "FreeSlack", int(round(row["free_float"] * mpd * 10)))
            _sub(el, "TotalSlack", int(round(row["total_float"] * mpd * 10)))
            _sub(el, "FixedCost", decimal_text(task.fixed_cost * 100))
            _sub(el, "FixedCostAccrual", 3)
            done = rows.get(task.id)
            if done is not None and not math.isnan(done["percent_complete"]):
                pct = done["percent_complete"]
                if pct != round(pct):
                    notes.note("percent complete rounded to whole percents", task.id)
                _sub(el, "PercentComplete", int(round(pct)))
            _sub(el, "Cost", decimal_text(costs[task.id] * 100))
            if done is not None:
                if not pd.isna(done["actual_start"]):
                    _sub(el, "ActualStart", _stamp(done["actual_start"].to_pydatetime().replace(hour=8)))
                if not pd.isna(done["actual_finish"]):
                    _sub(el, "ActualFinish", _stamp(done["actual_finish"].to_pydatetime().replace(hour=17)))
                if not math.isnan(done["actual_cost"]):
                    _sub(el, "ActualCost", decimal_text(done["actual_cost"] * 100))
                if not math.isnan(done["remaining_duration"]):
                    _sub(el, "RemainingDuration", _iso(done["remaining_duration"]))
            else:
                _sub(el, "RemainingDuration", _iso(dur))
            _sub(el, "ConstraintType", 0)
            _sub(el, "CalendarUID", -1)
            for dep in links_into[task.id]:
                link = _sub(el, "PredecessorLink")
                _sub(link, "PredecessorUID", uid_of[dep.predecessor])
                _sub(link, "Type", _LINK_TO_CODE[dep.type])
                _sub(link, "CrossProject", 0)
                tenths = dep.lag * mpd * 10
                if abs(tenths - round(tenths)) > 1e-6:
                    lag_rounded.append(f"{dep.predecessor} -> {dep.successor} ({dep.lag:g} days)")
                _sub(link, "LinkLag", int(round(tenths)))
                _sub(link, "LagFormat", _FORMAT_DAYS)
            points = estimate_points(task.estimate)
            if points is not None and not task.milestone:
                for (fid, _), value in zip(_DURATION_FIELDS, points):
                    _extended(el, fid, _iso(value), duration=True)
            _extended(el, _TASK_FIELDS["distribution"][0], task.estimate.kind)
            params = estimate_parameters(task.estimate)
            if params:
                _extended(el, _TASK_FIELDS["parameters"][0], params)
            _extended(el, _TASK_FIELDS["id"][0], task.id)
            if task.cost_per_day:
                _extended(el, _TASK_FIELDS["cost_per_day"][0], repr(task.cost_per_day))
            base = _sub(el, "Baseline")
            _sub(base, "Number", 0)
            _sub(base, "Start", _stamp(start))
            _sub(base, "Finish", _stamp(finish))
            _sub(base, "Duration", _iso(dur))
            _sub(base, "DurationFormat", _FORMAT_DAYS)
            if task.resources:
                _sub(base, "Work", _iso(work))
            _sub(base, "Cost", decimal_text(costs[task.id] * 100))
    for item in lag_rounded:
        notes.note("lags rounded to a tenth of a minute (MSPDI stores whole tenths)", item)

    res_el = _sub(root, "Resources")
    res_uid = {}
    for k, res in enumerate(project.resources, 1):
        res_uid[res.id] = k
        el = _sub(res_el, "Resource")
        for tag, value in (("UID", k), ("ID", k), ("Name", res.name), ("Type", 1), ("IsNull", 0),
                           ("Initials", res.id), ("MaxUnits", decimal_text(res.capacity)),
                           ("StandardRate", decimal_text(res.cost_per_day / (mpd / 60))), ("StandardRateFormat", 3)):
            _sub(el, tag, value)
        _extended(el, _RESOURCE_FIELDS["id"][0], res.id)

    asg_el = _sub(root, "Assignments")
    n = 0
    rate = {r.id: r.cost_per_day for r in project.resources}
    for task in project.tasks:
        for rid, units in task.resources:
            n += 1
            dur = task.planned_duration
            el = _sub(asg_el, "Assignment")
            _sub(el, "UID", n)
            _sub(el, "TaskUID", uid_of[task.id])
            _sub(el, "ResourceUID", res_uid[rid])
            _sub(el, "Cost", decimal_text(units * rate[rid] * dur * 100))
            _sub(el, "Finish", _stamp(times[task.id]["finish"]))
            _sub(el, "Start", _stamp(times[task.id]["start"]))
            _sub(el, "Units", decimal_text(units))
            _sub(el, "Work", _iso(units * dur))
            base = _sub(el, "Baseline")
            _sub(base, "Number", 0)
            _sub(base, "Work", _iso(units * dur))
            _sub(base, "Cost", decimal_text(units * rate[rid] * dur * 100))

    user_text = [project.name, project.description, project.currency,
                 *(x for t in project.tasks for x in (t.id, t.name, t.phase)),
                 *(x for r in project.resources for x in (r.id, r.name))]
    for parent in root.iter() if XML_ILLEGAL.search("".join(user_text)) else ():
        for el in parent:
            if el.text and XML_ILLEGAL.search(el.text):
                el.text = XML_ILLEGAL.sub(" ", el.text)
                notes.note("control characters replaced by spaces (XML cannot hold them)", f"{parent.tag}.{el.tag}")
    ET.indent(root, space="  ")
    with replacing(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="UTF-8", xml_declaration=True)
    notes.emit(stacklevel=3)


# =========================================================================== reading


class _Reader:
    """One pass over a parsed MSPDI document."""

    def __init__(self, root: ET.Element, path: Path):
        self.root = root
        self.path = path
        self.notes = Notes(str(path))

    # ------------------------------------------------------------ values

    def fail(self, where: str, message: str):
        raise FileFormatError(f"{self.path}: {where}: {message}")

    def text(self, el, tag: str) -> str | None:
        child = el.find(_Q + tag)
        if child is None or child.text is None:
            return None
        value = child.text.strip()
        return value or None

    def int(self, el, tag: str, where: str, default=None):
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            try:
                f = float(value)
            except ValueError:
                f = math.nan
            if math.isfinite(f) and f == int(f):
                return int(f)
            self.fail(where, f"{tag} must be an integer, got {value!r}")

    def float(self, el, tag: str, where: str, default=None):
        value = self.text(el, tag)
        if value is None:
            return default
        try:
            f = float(value)
        except ValueError:
            self.fail(where, f"{tag} must be a number, got {value!r}")
        if not math.isfinite(f):
            self.fail(where, f"{tag} must be a finite number, got {value!r}")
        return f

    def bool(self, el, tag: str, default=False) -> bool:
        value = self.text(el, tag)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes")

    def datetime(self, el, tag: str, where: str):
        value = self.text(el, tag)
        if value is None:
            return None
        return self.parse_datetime(value, f"{where}: {tag}")

    def parse_datetime(self, value: str, where: str) -> dt.datetime:
        text = value.strip().rstrip("Z")
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise FileFormatError(f"{self.path}: {where}: {value!r} is not a date and time (YYYY-MM-DDTHH:MM:SS)") from None

    def minutes(self, value: str, where: str) -> float:
        """An xsd:duration in minutes (Y, M, W, D count working days of MinutesPerDay)."""
        m = _ISO_DURATION.match(value.strip())
        if not m or value.strip() in ("P", "PT") or value.strip().endswith("T"):
            if value.strip() == "0":
                return 0.0
            raise FileFormatError(f"{self.path}: {where}: {value!r} is not a duration such as PT8H0M0S")
        sign, years, months, weeks, days, hours, mins, secs = m.groups()
        try:
            parts = [float(x) if x else 0.0 for x in (years, months, weeks, days, hours, mins, secs)]
        except ValueError:
            raise FileFormatError(f"{self.path}: {where}: {value!r} is not a duration such as PT8H0M0S") from None
        years, months, weeks, days, hours, mins, secs = parts
        mpd = self.minutes_per_day
        total = (((years * 12 + months) * self.days_per_month + weeks * self.days_per_week + days) * mpd
                 + hours * 60 + mins + secs / 60)
        if not math.isfinite(total):
            raise FileFormatError(f"{self.path}: {where}: {value!r} is not a finite duration")
        return -total if sign else total

    # ------------------------------------------------------------ structure

    def read(self, with_progress: bool, check_health: bool):
        root = self.root
        where = "Project"
        self.minutes_per_day = self.int(root, "MinutesPerDay", where, MINUTES_PER_DAY) or MINUTES_PER_DAY
        if not 1 <= self.minutes_per_day <= 1440:
            self.fail(where, f"MinutesPerDay must be between 1 and 1440, got {self.minutes_per_day}")
        self.days_per_month = self.int(root, "DaysPerMonth", where, 20) or 20
        if not 1 <= self.days_per_month <= 31:
            self.fail(where, f"DaysPerMonth must be between 1 and 31, got {self.days_per_month}")
        minutes_per_week = self.int(root, "MinutesPerWeek", where, self.minutes_per_day * 5) or self.minutes_per_day * 5
        self.days_per_week = minutes_per_week / self.minutes_per_day
        self.aliases = self.read_aliases()
        self.pmsim_written = any(a.startswith("pmsim ") for a in self.aliases.values())
        self.calendar, self.calendar_uid = self.read_calendars()
        tasks = self.read_tasks()
        resources, res_by_uid = self.read_resources()
        self.read_assignments(tasks, res_by_uid, resources)
        deps = self.read_links(tasks)
        project = self.build(tasks, resources, deps)
        self.notes.emit(stacklevel=5)
        if check_health:
            warn_health(project, str(self.path), stacklevel=5)
        if not with_progress:
            return project
        rows = [t["progress"] for t in tasks["leaves"] if t.get("progress")]
        return project, progress_frame(rows, str(self.path))

    def read_aliases(self) -> dict[str, str]:
        out = {}
        box = self.root.find(_Q + "ExtendedAttributes")
        if box is None:
            return out
        for ea in box.findall(_Q + "ExtendedAttribute"):
            fid = self.text(ea, "FieldID")
            alias = self.text(ea, "Alias")
            if fid and alias:
                out[fid] = alias.strip().lower()
        return out

    def field_id(self, key: str, table=_TASK_FIELDS) -> str | None:
        """Where a pmsim field lives in this file: by its alias, whatever the custom field."""
        alias = table[key][2]
        for fid, a in self.aliases.items():
            if a == alias and (fid.startswith("1887") if table is _TASK_FIELDS else fid.startswith("2055")):
                return fid
        return None

    # ------------------------------------------------------------ calendars

    def read_calendars(self):
        box = self.root.find(_Q + "Calendars")
        raw = {}
        if box is not None:
            for cal in box.findall(_Q + "Calendar"):
                uid = self.int(cal, "UID", "Calendar")
                if uid is None:
                    self.fail("Calendar", "a calendar has no UID")
                raw[uid] = cal
        self.raw_calendars = raw
        if not raw:
            return Calendar(), None
        uid = self.int(self.root, "CalendarUID", "Project")
        if uid not in raw:
            bases = [u for u, c in raw.items() if self.bool(c, "IsBaseCalendar")]
            uid = bases[0] if bases else next(iter(raw))
        working, holidays = self.calendar_days(uid, "project calendar")
        try:
            return Calendar(workdays=[d for d in WEEKDAYS if working[d]], holidays=sorted(holidays)), uid
        except PmsimError as exc:
            raise exc.with_context(f"{self.path}: calendar {uid}") from None

    def calendar_days(self, uid: int, role: str, depth: int = 0):
        """(working weekdays, holidays) of calendar ``uid``, inheriting from its base calendar."""
        cal = self.raw_calendars[uid]
        name = self.text(cal, "Name") or f"UID {uid}"
        label = f"calendar {name!r}"
        base_uid = self.int(cal, "BaseCalendarUID", label, -1)
        if base_uid in self.raw_calendars and base_uid != uid and depth < 10:
            working, holidays = self.calendar_days(base_uid, role, depth + 1)
            working = dict(working)
        else:
            working = {d: d not in ("Sat", "Sun") for d in WEEKDAYS}
            holidays = set()
        names = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
        legacy = []
        days_el = cal.find(_Q + "WeekDays")
        if days_el is not None:
            for day in days_el.findall(_Q + "WeekDay"):
                code = self.int(day, "DayType", label)
                if code is None:
                    continue
                if code == 0:
                    legacy.append(day)
                    continue
                if not 1 <= code <= 7:
                    self.fail(label, f"DayType must be 0 to 7, got {code}")
                is_working = self.bool(day, "DayWorking")
                working[names[code - 1]] = is_working
                if is_working:
                    minutes = self.working_minutes(day, label)
                    if minutes is not None and abs(minutes - self.minutes_per_day) > 0.5:
                        self.notes.note(
                            "working hours that differ from the hours per day", f"{name} {names[code - 1]}",
                            f"pmsim counts every working day as one day of {self.minutes_per_day / 60:g} hours",
                        )
        if cal.find(_Q + "WorkWeeks") is not None and len(cal.find(_Q + "WorkWeeks")):
            self.notes.note("alternative work weeks in calendars", name, "the default week is used")
        holidays = set(holidays)
        exceptions = cal.find(_Q + "Exceptions")
        if exceptions is not None and len(exceptions):
            for ex in exceptions.findall(_Q + "Exception"):
                self.read_exception(ex, label, name, holidays)
        else:
            for day in legacy:
                self.read_exception(day, label, name, holidays, legacy=True)
        if not any(working.values()):
            self.fail(label, "no working weekday")
        return working, holidays

    def working_minutes(self, day, label):
        times = day.find(_Q + "WorkingTimes")
        if times is None:
            return None
        total = 0.0
        for wt in times.findall(_Q + "WorkingTime"):
            a, b = self.text(wt, "FromTime"), self.text(wt, "ToTime")
            if not a or not b:
                continue
            try:
                ta, tb = dt.time.fromisoformat(a), dt.time.fromisoformat(b)
            except ValueError:
                self.fail(label, f"working time {a!r}-{b!r} is not HH:MM:SS")
            span = (tb.hour * 60 + tb.minute) - (ta.hour * 60 + ta.minute)
            total += span if span > 0 else span + 1440
        return total

    def read_exception(self, ex, label, name, holidays, legacy=False):
        period = ex.find(_Q + "TimePeriod")
        if period is None:
            return
        start = self.datetime(period, "FromDate", f"{label} exception")
        end = self.datetime(period, "ToDate", f"{label} exception")
        if start is None or end is None:
            return
        first, last = start.date(), end.date()
        if last < first:
            self.fail(label, f"exception from {first} to {last} ends before it starts")
        if self.bool(ex, "DayWorking"):
            self.notes.note("calendar exceptions with working times", f"{name} {first}",
                            "pmsim calendars have non-working days only")
            return
        kind = 1 if legacy else self.int(ex, "Type", label, 1)
        dates = _expand_exception(self, ex, kind, first, last, label)
        holidays.update(dates)

    # ------------------------------------------------------------ tasks

    def read_tasks(self) -> dict:
        box = self.root.find(_Q + "Tasks")
        items = [] if box is None else box.findall(_Q + "Task")
        records = []
        summary_task = None
        for el in items:
            uid = self.int(el, "UID", "Task")
            if uid is None:
                self.fail("Task", "a task has no UID")
            if self.bool(el, "IsNull"):
                continue
            level = self.int(el, "OutlineLevel", f"task UID {uid}", None)
            if uid == 0 or level == 0:
                summary_task = el
                continue
            records.append({"uid": uid, "el": el, "level": max(1, level if level is not None else 1)})
        uids = Counter(r["uid"] for r in records)
        dup = [u for u, c in uids.items() if c > 1]
        if dup:
            self.fail("Tasks", f"task UID {dup[0]} appears twice; UIDs must be unique")
        self.outline(records)
        by_uid = {r["uid"]: r for r in records}
        for rec in records:
            rec["name"] = self.text(rec["el"], "Name") or ""
            rec["label"] = f"task UID {rec['uid']}" + (f" ({rec['name']})" if rec["name"] else "")
        self.summary_task = summary_task
        leaves = []
        inactive = set()
        for rec in records:
            el = rec["el"]
            ancestors_inactive = any(a["uid"] in inactive for a in _ancestors(rec))
            if not self.bool(el, "Active", True) or ancestors_inactive:
                inactive.add(rec["uid"])
                if not rec["summary"]:
                    self.notes.note("inactive tasks (left out)", rec["label"])
                continue
            if self.bool(el, "ExternalTask") or self.bool(el, "IsSubproject"):
                inactive.add(rec["uid"])
                self.notes.note("external tasks and inserted projects (left out)", rec["label"])
                continue
            if self.bool(el, "Recurring"):
                self.notes.note("recurring tasks", rec["label"], "each occurrence is read as a task of its own")
            if rec["summary"]:
                continue
            leaves.append(rec)
        self.inactive = inactive
        self.task_ids(leaves)
        for rec in leaves:
            self.read_task(rec)
        return {"records": records, "leaves": leaves, "by_uid": by_uid}

    def outline(self, records: list[dict]) -> None:
        """Set each record's parent and summary flag, and put the records in outline order.

        The outline numbers (1, 1.1, 1.2, 2, ...) say it when every task has a
        distinct one; otherwise the document order and the outline levels do
        (a task followed by a deeper one is a summary). A summary flag with no
        task under it leaves a task like any other.
        """
        numbers = []
        for rec in records:
            text = self.text(rec["el"], "OutlineNumber") or ""
            numbers.append(tuple(map(int, text.split("."))) if _OUTLINE_NUMBER.fullmatch(text) else None)
        if records and all(numbers) and len(set(numbers)) == len(numbers):
            for rec, number in zip(records, numbers):
                rec["outline"] = number
            records.sort(key=lambda r: r["outline"])
            by_number = {r["outline"]: r for r in records}
            for rec in records:
                prefix, parent = rec["outline"][:-1], None
                while prefix and parent is None:
                    parent, prefix = by_number.get(prefix), prefix[:-1]
                rec["parent"] = parent
            parents = {id(r["parent"]) for r in records if r["parent"] is not None}
            for rec in records:
                rec["summary"] = id(rec) in parents
            return
        stack: list[dict] = []
        for i, rec in enumerate(records):
            while stack and stack[-1]["level"] >= rec["level"]:
                stack.pop()
            rec["parent"] = stack[-1] if stack else None
            nxt = records[i + 1]["level"] if i + 1 < len(records) else 0
            rec["summary"] = nxt > rec["level"]
            stack.append(rec)

    def task_ids(self, leaves):
        id_field = self.field_id("id")
        used: set[str] = set()
        for rec in leaves:
            tid = self.custom(rec["el"], id_field) if id_field else None
            if tid is None:
                number = self.int(rec["el"], "ID", rec["label"])
                tid = str(number if number is not None else rec["uid"])
            # Row numbers can clash in odd files; the UID is unique.
            rec["id"] = unique_id(tid, rec["uid"], used)
            used.add(rec["id"])

    def iter(self, el, box: str, item: str) -> list:
        """The ``item`` children of ``el``'s ``box`` child."""
        found = el.find(_Q + box)
        return [] if found is None else found.findall(_Q + item)

    def custom(self, el, field_id: str | None) -> str | None:
        if field_id is None:
            return None
        for ea in el.findall(_Q + "ExtendedAttribute"):
            if self.text(ea, "FieldID") == field_id:
                return self.text(ea, "Value")
        return None

    def days(self, el, tag: str, where: str, value: str | None = None) -> float | None:
        text = self.text(el, tag) if value is None else value
        if text is None:
            return None
        return self.minutes(text, f"{where}: {tag}") / self.minutes_per_day

    def elapsed_factor(self) -> float:
        """Working days per elapsed day under the project calendar."""
        return len(self.calendar.workdays) / 7

    def read_task(self, rec):
        el, label = rec["el"], rec["label"]
        notes = self.notes
        fmt = self.int(el, "DurationFormat", label, _FORMAT_DAYS)
        duration = self.days(el, "Duration", label)
        if duration is None:
            duration = 0.0
        if fmt in _ELAPSED_FORMATS:
            # An elapsed duration runs round the clock: 24 h a day, seven days a week.
            duration = duration * self.minutes_per_day / 1440 * self.elapsed_factor()
            notes.note("elapsed durations", label, "converted to working days of the project calendar")
        if duration < 0:
            self.fail(label, f"Duration must be >= 0, got {self.text(el, 'Duration')!r}")
        rec["duration"] = duration
        milestone = self.bool(el, "Milestone")
        if milestone and duration > 0:
            notes.note("milestones with a duration", label, "read as tasks (a pmsim milestone lasts 0 days)")
            milestone = False
        rec["milestone"] = milestone
        parent = rec["parent"]
        rec["phase"] = (parent["name"] or f"UID {parent['uid']}") if parent else ""
        rec["fixed_cost"] = max(0.0, (self.float(el, "FixedCost", label, 0.0) or 0.0) / 100)
        if self.bool(el, "Manual"):
            notes.note("manually scheduled tasks", label, "scheduled automatically from durations and links")
        constraint = self.int(el, "ConstraintType", label, 0) or 0
        if constraint:
            date = self.text(el, "ConstraintDate")
            kind = _CONSTRAINTS.get(constraint, f"constraint type {constraint}")
            notes.note("date constraints", f"{label}: {kind}" + (f" {date[:10]}" if date else ""),
                       "tasks are scheduled as soon as their links allow")
        if self.text(el, "Deadline"):
            notes.note("task deadlines", f"{label}: {self.text(el, 'Deadline')[:10]}",
                       "only the project deadline (the summary task's) is kept")
        cal_uid = self.int(el, "CalendarUID", label, -1)
        if cal_uid not in (-1, None, self.calendar_uid):
            notes.note("task calendars", label, "tasks follow the project calendar")
        if self.text(el, "Notes"):
            notes.note("task notes (not read)", label)
        if (self.int(el, "LevelingDelay", label, 0) or 0) != 0:
            notes.note("levelling delays", label, "pmsim.level() levels the schedule itself")
        # Three-point estimate.
        points = self.three_points(rec)
        dist_field = self.field_id("distribution")
        kind = self.custom(el, dist_field) if dist_field else None
        params_field = self.field_id("parameters")
        params = self.custom(el, params_field) if params_field else None
        repairs: list[str] = []
        if milestone:
            estimate = Fixed(0.0)
        else:
            try:
                estimate = estimate_from(kind, params or "", duration, points, repairs)
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        for text in repairs:
            notes.note("edited pmsim estimates", f"{label}: {text}")
        rec["estimate"] = estimate
        cpd_field = self.field_id("cost_per_day")
        cpd = self.custom(el, cpd_field) if cpd_field else None
        try:
            rec["cost_per_day"] = float(cpd) if cpd is not None else 0.0
        except ValueError:
            self.fail(label, f"'pmsim cost per day' must be a number, got {cpd!r}")
        rec["cost"] = self.float(el, "Cost", label)
        rec["resources"] = {}
        # Progress for earned value.
        pct = self.float(el, "PercentComplete", label, 0.0) or 0.0
        start = self.datetime(el, "ActualStart", label)
        finish = self.datetime(el, "ActualFinish", label)
        cost = (self.float(el, "ActualCost", label, 0.0) or 0.0) / 100
        if pct > 0 or start is not None or finish is not None or cost > 0:
            remaining = self.days(el, "RemainingDuration", label)
            rec["progress"] = {
                "id": rec["id"], "percent_complete": min(max(pct, 0.0), 100.0),
                "remaining_duration": math.nan if remaining is None else max(remaining, 0.0),
                "actual_cost": cost,
                "actual_start": None if start is None else start.date(),
                "actual_finish": None if finish is None else finish.date(),
            }

    def three_points(self, rec):
        """Duration1-3 (optimistic, expected, pessimistic) in days, or None."""
        el, label = rec["el"], rec["label"]
        for (fid, _), expected in zip(_DURATION_FIELDS, ("optimistic", "expected|most likely", "pessimistic")):
            alias = self.aliases.get(fid)
            if alias and not re.search(expected, alias):
                return None
        values = []
        for fid, fname in _DURATION_FIELDS:
            text = self.custom(el, fid)
            values.append(None if text is None else self.minutes(text, f"{label}: {fname}") / self.minutes_per_day)
        present = [v is not None for v in values]
        if not any(present):
            return None
        if not all(present):
            self.notes.note("incomplete three-point estimates (Duration1-3)", label, "the duration is used")
            return None
        o, m, p = values
        if all(v == 0 for v in values):
            return None
        if not o <= m <= p:
            self.notes.note("three-point estimates out of order (Duration1 <= Duration2 <= Duration3)", label,
                            "the duration is used")
            return None
        return o, m, p

    # ------------------------------------------------------------ resources

    def read_resources(self):
        box = self.root.find(_Q + "Resources")
        resources = []
        by_uid = {}
        used_ids = set()
        id_field = self.field_id("id", _RESOURCE_FIELDS)
        hours_per_day = self.minutes_per_day / 60
        for el in ([] if box is None else box.findall(_Q + "Resource")):
            uid = self.int(el, "UID", "Resource")
            if uid is None:
                self.fail("Resource", "a resource has no UID")
            name = self.text(el, "Name")
            if self.bool(el, "IsNull") or (uid == 0 and not name):
                continue
            label = f"resource UID {uid}" + (f" ({name})" if name else "")
            kind = self.int(el, "Type", label, 1)
            if self.bool(el, "IsCostResource"):
                kind = 2
            rid = unique_id((self.custom(el, id_field) if id_field else None) or name or f"R{uid}", uid, used_ids)
            info = {"uid": uid, "label": label, "kind": kind, "id": rid,
                    "per_use": (self.float(el, "CostPerUse", label, 0.0) or 0.0) / 100}
            by_uid[uid] = info
            if self.bool(el, "IsBudget"):
                self.notes.note("budget resources (left out)", label)
                info["kind"] = -1
                continue
            if kind in (0, 2):
                self.notes.note("material and cost resources", label,
                                "their cost on each task is added to the task's fixed cost")
                continue
            used_ids.add(rid)
            capacity = self.float(el, "MaxUnits", label, 1.0)
            rate = self.float(el, "StandardRate", label)
            table_a = [r for r in self.iter(el, "Rates", "Rate") if (self.int(r, "RateTable", label, 0) or 0) == 0]
            if len(table_a) > 1:
                self.notes.note("rates that change over time", label, "the rate at the project start is used")
            if rate is None and table_a:
                # Only the cost rate table: take the rate in force at the project start.
                day = self.datetime(self.root, "StartDate", "Project")
                current = [r for r in table_a
                           if day is None or ((self.datetime(r, "RatesFrom", label) or day) <= day
                                              <= (self.datetime(r, "RatesTo", label) or day))]
                rate = self.float((current or table_a)[0], "StandardRate", label)
            rate = rate or 0.0
            if (self.float(el, "OvertimeRate", label, 0.0) or 0.0) > 0:
                self.notes.note("overtime rates", label)
            if info["per_use"] > 0:
                self.notes.note("per-use costs", label, "added to the fixed cost of each task using the resource")
            periods = el.find(_Q + "AvailabilityPeriods")
            if periods is not None and len(periods.findall(_Q + "AvailabilityPeriod")) > 1:
                self.notes.note("availability that changes over time", label, "MaxUnits is used throughout")
            cal_uid = self.int(el, "CalendarUID", label, -1)
            if cal_uid in self.raw_calendars and cal_uid != self.calendar_uid:
                workdays, holidays = self.calendar_days(cal_uid, "resource calendar")
                own = tuple(d for d in WEEKDAYS if workdays.get(d))
                if own != self.calendar.workdays or set(holidays) - set(self.calendar.holidays):
                    self.notes.note("resource calendars", label, "resources follow the project calendar")
            try:
                resources.append(Resource(rid, name or rid, capacity=capacity, cost_per_day=rate * hours_per_day))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {label}") from None
        return resources, by_uid

    def read_assignments(self, tasks, res_by_uid, resources):
        box = self.root.find(_Q + "Assignments")
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        by_uid = tasks["by_uid"]
        for el in ([] if box is None else box.findall(_Q + "Assignment")):
            tuid = self.int(el, "TaskUID", "Assignment")
            ruid = self.int(el, "ResourceUID", "Assignment")
            label = f"assignment UID {self.text(el, 'UID')}"
            if ruid is None or ruid < 0 or ruid not in res_by_uid:
                continue  # MS Project's "unassigned" placeholder (-65535) or a skipped resource
            res = res_by_uid[ruid]
            if tuid not in leaves:
                if tuid in by_uid and tuid not in self.inactive:
                    self.notes.note("resources assigned to summary tasks (left out)",
                                    f"{by_uid[tuid]['label']}: {res['label']}")
                elif tuid not in by_uid:
                    self.notes.note("assignments to unknown tasks (left out)", f"{label}: task UID {tuid}")
                continue
            rec = leaves[tuid]
            if (self.int(el, "WorkContour", label, 0) or 0) != 0:
                self.notes.note("work contours", f"{rec['label']}: {res['label']}", "work is spread evenly")
            delay = self.text(el, "Delay")
            if delay and _NUMBER.fullmatch(delay) and float(delay) != 0:
                self.notes.note("assignment delays", f"{rec['label']}: {res['label']}")
            rec["fixed_cost"] += res["per_use"]
            if res["kind"] in (0, 2):
                rec["fixed_cost"] += max(0.0, (self.float(el, "Cost", label, 0.0) or 0.0) / 100)
                continue
            if res["kind"] == -1:
                continue
            units = self.float(el, "Units", label, 1.0)
            if units is None or units < 0:
                self.fail(label, f"Units must be >= 0, got {self.text(el, 'Units')!r}")
            if res["id"] in rec["resources"]:
                self.notes.note("a resource assigned twice to one task (units added)", rec["label"])
            rec["resources"][res["id"]] = rec["resources"].get(res["id"], 0.0) + units

    # ------------------------------------------------------------ links

    def read_links(self, tasks):
        by_uid = tasks["by_uid"]
        leaves = {r["uid"]: r for r in tasks["leaves"]}
        children: dict[int, list[dict]] = {}
        for rec in tasks["records"]:
            for anc in _ancestors(rec):
                children.setdefault(anc["uid"], []).append(rec)

        def ends(uid):
            if uid in leaves:
                return [leaves[uid]]
            return [c for c in children.get(uid, []) if c["uid"] in leaves]

        deps: dict[tuple[str, str], Dependency] = {}
        for rec in tasks["records"]:
            if rec["uid"] in self.inactive:
                continue
            for link in rec["el"].findall(_Q + "PredecessorLink"):
                label = f"{rec['label']} predecessor link"
                puid = self.int(link, "PredecessorUID", label)
                if self.bool(link, "CrossProject"):
                    self.notes.note("links to other projects (left out)", rec["label"])
                    continue
                if puid is None or puid not in by_uid:
                    if puid is not None and puid not in by_uid and puid != 0:
                        self.notes.note("links to unknown tasks (left out)", f"{rec['label']} <- UID {puid}")
                    continue
                if puid in self.inactive:
                    continue
                code = self.int(link, "Type", label, 1)
                if code not in _LINK_FROM_CODE:
                    self.fail(label, f"Type must be 0 (FF), 1 (FS), 2 (SF) or 3 (SS), got {code}")
                kind = _LINK_FROM_CODE[code]
                tenths = self.float(link, "LinkLag", label, 0.0) or 0.0
                fmt = self.int(link, "LagFormat", label, _FORMAT_DAYS)
                pred = by_uid[puid]
                if fmt in _PERCENT_FORMATS:
                    lag_of = lambda p, t=tenths: t / 100 * p.get("duration", 0.0)  # noqa: E731
                    self.notes.note("lags in percent of the predecessor's duration", rec["label"],
                                    "converted to working days")
                elif fmt in _ELAPSED_FORMATS:
                    lag = tenths / 10 / 1440 * self.elapsed_factor()
                    lag_of = lambda p, v=lag: v  # noqa: E731
                    self.notes.note("elapsed lags", rec["label"], "converted to working days of the project calendar")
                else:
                    lag = tenths / 10 / self.minutes_per_day
                    lag_of = lambda p, v=lag: v  # noqa: E731
                preds, succs = ends(puid), ends(rec["uid"])
                if pred["summary"] or rec["summary"]:
                    self.notes.note("links on summary tasks", f"{pred['label']} -> {rec['label']}",
                                    "replaced by links between the tasks under them")
                for p in preds:
                    for s in succs:
                        if p is s or (p["id"], s["id"]) in deps:
                            continue
                        try:
                            deps[(p["id"], s["id"])] = Dependency(p["id"], s["id"], kind, lag_of(p))
                        except PmsimError as exc:
                            raise exc.with_context(f"{self.path}: {label}") from None
        return list(deps.values())

    # ------------------------------------------------------------ project

    def build(self, tasks, resources, deps):
        root = self.root
        leaves = tasks["leaves"]
        if not leaves:
            self.fail("Tasks", "the file has no tasks (a project needs at least one task)")
        name = self.text(root, "Title") or self.text(root, "Name") or self.path.stem
        if name.lower().endswith(".xml") or name.lower().endswith(".mpp"):
            name = name[:-4]
        start = self.datetime(root, "StartDate", "Project")
        if start is None:
            starts = [self.datetime(r["el"], "Start", r["label"]) for r in leaves]
            starts = [s for s in starts if s is not None]
            if not starts:
                self.fail("Project", "no StartDate and no task start dates")
            start = min(starts)
        currency = self.text(root, "CurrencyCode") or "USD"
        if currency.upper() == "XXX":
            currency = self.text(root, "CurrencySymbol") or currency
        summary = self.summary_task
        deadline = description = budget = None
        risks = ()
        if summary is not None:
            when = self.datetime(summary, "Deadline", "project summary task")
            deadline = when.date() if when else None
            description = self.text(summary, "Notes")
            budget_field = self.field_id("budget")
            text = self.custom(summary, budget_field) if budget_field else None
            if text is not None:
                try:
                    budget = float(text)
                except ValueError:
                    self.fail("project summary task", f"'pmsim budget' must be a number, got {text!r}")
            elif not self.pmsim_written:
                for base in summary.findall(_Q + "Baseline"):
                    if (self.int(base, "Number", "baseline", 0) or 0) == 0:
                        cost = self.float(base, "Cost", "project summary task baseline", 0.0) or 0.0
                        budget = cost / 100 if cost > 0 else None
            risk_field = self.field_id("risks")
            text = self.custom(summary, risk_field) if risk_field else None
            if text:
                risks = risks_from_json(text, f"{self.path}: project summary task, field 'pmsim risks'")
        model_tasks = []
        for rec in leaves:
            try:
                model_tasks.append(Task(rec["id"], rec["name"], estimate=rec["estimate"], resources=rec["resources"],
                                        fixed_cost=rec["fixed_cost"], cost_per_day=rec["cost_per_day"],
                                        phase=rec["phase"], milestone=rec["milestone"]))
            except PmsimError as exc:
                raise exc.with_context(f"{self.path}: {rec['label']}") from None
        try:
            project = Project(
                name=name, start=start.date(), tasks=model_tasks, dependencies=deps, resources=resources,
                risks=risks, calendar=self.calendar, currency=currency, budget=budget, deadline=deadline,
                description=description or "",
            )
        except PmsimError as exc:
            raise exc.with_context(str(self.path)) from None
        for rec, mine in zip(leaves, cost_model(project)["budget"]):
            if rec["cost"] is not None and not rec.get("progress"):
                theirs = rec["cost"] / 100
                if abs(mine - theirs) > max(0.01, 1e-6 * abs(theirs)):
                    self.notes.note("task costs that the cost model does not explain", rec["label"],
                                    "pmsim's cost = fixed cost + (cost per day + resource rates) x duration")
        return project


def _ancestors(rec):
    out = []
    p = rec.get("parent")
    while p is not None:
        out.append(p)
        p = p.get("parent")
    return out


_MAX_EXCEPTION_DATES = 20_000
_MAX_EXCEPTION_YEARS = 200


def _expand_exception(reader: _Reader, ex, kind: int, first: dt.date, last: dt.date, label: str) -> list[dt.date]:
    """The dates of a calendar exception, recurring ones included (as MS Project defines them).

    Type 1 and 7 repeat every ``Period`` days, 6 every ``Period`` weeks on the
    ``DaysOfWeek`` bits (1 = Sunday ... 64 = Saturday), 4 and 5 every
    ``Period`` months on a day (``MonthDay``) or a weekday (``MonthPosition``
    0-3 = first to fourth, 4 = last; ``MonthItem`` 3-9 = Sunday to Saturday),
    2 and 3 every year in ``Month`` (0-11) likewise. They stop after
    ``Occurrences`` dates when entered by occurrences, else after ``ToDate``.
    """
    count = reader.int(ex, "Occurrences", label, None)
    by_count = reader.bool(ex, "EnteredByOccurrences") and count is not None and count > 0
    period = max(1, reader.int(ex, "Period", label, 1) or 1)
    limit = min(count, _MAX_EXCEPTION_DATES) if by_count else _MAX_EXCEPTION_DATES
    horizon = first.year + _MAX_EXCEPTION_YEARS

    def daily():
        day = first
        while True:
            yield day
            day += dt.timedelta(days=period)

    def weekly():
        mask = (reader.int(ex, "DaysOfWeek", label, 0) or 0) & 127
        if not mask:
            return
        week = first - dt.timedelta(days=(first.weekday() + 1) % 7)  # the Sunday before
        while week.year <= horizon:
            for k in range(7):
                if mask & (1 << k):
                    yield week + dt.timedelta(days=k)
            week += dt.timedelta(weeks=period)

    def monthly():
        month = reader.int(ex, "Month", label, first.month - 1)
        day_of_month = reader.int(ex, "MonthDay", label, first.day)
        position = reader.int(ex, "MonthPosition", label, 0)
        item = reader.int(ex, "MonthItem", label, 3)
        yearly = kind in (2, 3)
        m = (month or 0) + 1 if yearly else first.month
        if not 1 <= m <= 12:
            reader.fail(label, f"Month must be 0 to 11, got {month}")
        step = 12 if yearly else period
        k = 0
        while True:
            yy, mm = first.year + (m - 1 + k) // 12, (m - 1 + k) % 12 + 1
            if yy > min(horizon, 9999):
                return
            day = _safe_date(yy, mm, day_of_month) if kind in (2, 4) else _nth_weekday(yy, mm, position, item)
            if day is not None:
                yield day
            k += step

    candidates = weekly() if kind == 6 else monthly() if kind in (2, 3, 4, 5) else daily()
    out: list[dt.date] = []
    try:
        for day in candidates:
            if not by_count and day > last:
                break
            if day < first:
                continue
            out.append(day)
            if len(out) >= limit:
                break
    except OverflowError:
        pass  # dates end with the year 9999
    return out


def _safe_date(y, m, d):
    try:
        return dt.date(y, m, d)
    except (ValueError, TypeError, OverflowError):
        return None


def _nth_weekday(y, m, position, item):
    """MonthPosition 0-3 = first..fourth, 4 = last; MonthItem 3-9 = Sunday..Saturday."""
    if item is None or not 3 <= item <= 9 or position is None or not 0 <= position <= 4:
        return None
    weekday = (item - 3 + 6) % 7  # Python: Monday = 0; MonthItem 3 = Sunday
    if not 1 <= y <= 9999:
        return None
    if position == 4:
        nxt = dt.date(y + (m // 12), m % 12 + 1, 1) if y < 9999 or m < 12 else None
        if nxt is None:
            return None
        day = nxt - dt.timedelta(days=1)
        while day.weekday() != weekday:
            day -= dt.timedelta(days=1)
        return day
    day = dt.date(y, m, 1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    day += dt.timedelta(weeks=position)
    return day if day.month == m else None


def _parse(path: Path, data: bytes | None = None) -> ET.Element:
    """The root element of an MSPDI document (the file at ``path``, or ``data`` read from it)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring, parse

    safe = dict(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        root = parse(str(path), **safe).getroot() if data is None else fromstring(data, **safe)
    except DefusedXmlException as exc:
        raise FileFormatError(
            f"{path}: refused: the file declares a document type or entities ({type(exc).__name__}); "
            "MSPDI files have none, and entity expansion is a known attack (XML bomb)"
        ) from None
    except ParseError as exc:
        raise FileFormatError(f"{path}: not well-formed XML ({exc}); is the file complete?") from None
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{path}: cannot read ({exc})") from None
    if root.tag != _Q + "Project":
        found = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        local = root.tag.split("}")[-1]
        raise FileFormatError(
            f"{path}: not an MS Project XML file: the root element is <{local}> in namespace "
            f"{found or '(none)'!r}; MSPDI needs <Project xmlns={NAMESPACE!r}>"
        )
    return root


def read_mspdi(path, *, with_progress: bool = False, check_health: bool = True):
    """Read an MS Project XML (MSPDI) file.

    Parameters
    ----------
    path : str or Path
    with_progress : bool
        Also return the progress table for earned value: one row per task
        that has started, with ``id``, ``percent_complete``,
        ``remaining_duration``, ``actual_cost``, ``actual_start``,
        ``actual_finish`` (from ``PercentComplete``, ``RemainingDuration``,
        ``ActualCost``, ``ActualStart``, ``ActualFinish``).
    check_health : bool
        Run :func:`pmsim.health_check` and warn about the checks that fail.

    Returns
    -------
    Project, or (Project, pandas.DataFrame) with ``with_progress``.

    Raises :class:`pmsim.FileFormatError` naming the file for XML that is
    not well formed, not MSPDI, or declares entities; features pmsim does
    not model give a :class:`pmsim.PmsimWarning` each (see the module
    docstring).

    >>> import pmsim as pm, tempfile, pathlib
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3, phase="Build")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
    >>> write_mspdi(p, path)
    >>> q, progress = read_mspdi(path, with_progress=True)
    >>> q.tasks[0].phase, len(progress)
    ('Build', 0)
    """
    path = Path(path)
    root = _parse(path)
    return _Reader(root, path).read(with_progress, check_health)
