"""Shared by the MSPDI tests: a project that uses every feature MSPDI carries, and small MSPDI documents.

(Not a test module: test_mspdi_time.py and test_mpxj.py import it.)
"""

from __future__ import annotations

import datetime as dt

import pmsim as pm
from pmsim.calendar import CalendarException
from pmsim.io.mspdi import NAMESPACE

ELAPSED = "24 hours (elapsed)"


def every_feature_project() -> pm.Project:
    """Calendars with shifts, exceptions with and without working time; a task calendar, a resource
    calendar, an elapsed task and an elapsed lag; every constraint, with dates and with dates and times;
    deadlines; progress and a status date; two links between one pair; the project's settings.

    Calendars are in the form the reader gives them back: the most common hours of a day are ``hours``.
    """
    standard = pm.Calendar(holidays=("2027-01-06",), id="Standard", name="Standard",
                           exceptions=(CalendarException("2027-01-16", hours="08:00-12:00", name="Saturday work"),
                                       CalendarException("2027-02-01", "2027-02-03", hours="08:00-12:00",
                                                            name="Short days")))
    night = pm.Calendar(hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri",
                        week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"}, id="Night shift", name="Night shift")
    early = pm.Calendar(hours="06:00-14:00", holidays=("2027-01-06",), id="Early", name="Early")
    elapsed = pm.Calendar(workdays="Mon-Sun", hours="00:00-24:00", hours_per_day=24, id=ELAPSED, name=ELAPSED)
    tasks = [
        pm.Task("A", "Survey", duration=3, resources={"dev": 1}, constraint="SNET", constraint_date="2027-01-05",
                deadline="2027-01-20", actual_start="2027-01-05", actual_finish="2027-01-07", percent_complete=100),
        pm.Task("B", "Early build", optimistic=1, most_likely=2, pessimistic=4, calendar="Early",
                resources={"dev": 1}, actual_start=dt.datetime(2027, 1, 8, 10), percent_complete=30,
                remaining_duration=1.5),
        pm.Task("C", "Curing", duration=1.5, calendar=ELAPSED, constraint="FNLT", constraint_date="2027-01-29"),
        pm.Task("D", "Night work", duration=2, resources={"ops": 1}, constraint="SNLT",
                constraint_date=dt.datetime(2027, 1, 19, 23)),
        pm.Task("E", "Review", duration=1, constraint="ALAP", deadline=dt.datetime(2027, 1, 28, 12)),
        pm.Task("F", "Handover", milestone=True, constraint="MFO", constraint_date="2027-02-10"),
        pm.Task("G", "Inspection", duration=1, constraint="MSO", constraint_date=dt.datetime(2027, 1, 25, 13)),
        pm.Task("H", "Paperwork", duration=0.5, constraint="FNET", constraint_date="2027-01-27"),
        pm.Task("K", "Wrap-up", duration=1),
    ]
    deps = [
        pm.Dependency("A", "B", "FS", 1),
        pm.Dependency("A", "E", "SS", 0.5),
        pm.Dependency("A", "E", "FF", 1),
        pm.Dependency("B", "C"),
        pm.Dependency("C", "F", "FS", 0.25, lag_calendar=ELAPSED),
        pm.Dependency("D", "F", "FS", -1),
        pm.Dependency("G", "K"),
        pm.Dependency("H", "K", "SF", 2),
    ]
    resources = [pm.Resource("dev", "Developer", capacity=2, cost_per_day=640),
                 pm.Resource("ops", "Operator", capacity=1, cost_per_day=400, calendar="Night shift")]
    return pm.Project(name="Every feature", start="2027-01-04", tasks=tasks, dependencies=deps,
                      resources=resources, calendar=standard, calendars=(night, early, elapsed),
                      status_date="2027-01-08", must_finish_by="2027-03-31", total_float="finish",
                      honor_constraints=False)


# --------------------------------------------------------------------------- small documents

def times(*spans: str) -> str:
    """WorkingTimes for spans such as "08:00-12:00"."""
    out = "".join(f"<WorkingTime><FromTime>{s.split('-')[0]}:00</FromTime><ToTime>{s.split('-')[1]}:00</ToTime>"
                  "</WorkingTime>" for s in spans)
    return f"<WorkingTimes>{out}</WorkingTimes>"


def week(days: dict) -> str:
    """WeekDays from {DayType (1 = Sunday): spans or () for a non-working day}."""
    out = []
    for code, spans in days.items():
        body = times(*spans) if spans else ""
        out.append(f"<WeekDay><DayType>{code}</DayType><DayWorking>{int(bool(spans))}</DayWorking>{body}</WeekDay>")
    return f"<WeekDays>{''.join(out)}</WeekDays>"


STANDARD_WEEK = {1: (), 2: ("08:00-12:00", "13:00-17:00"), 3: ("08:00-12:00", "13:00-17:00"),
                 4: ("08:00-12:00", "13:00-17:00"), 5: ("08:00-12:00", "13:00-17:00"),
                 6: ("08:00-12:00", "13:00-17:00"), 7: ()}


def calendar(uid: int, name: str, days: dict | None = None, base: int = -1, extra: str = "") -> str:
    body = week(days) if days is not None else ""
    return (f"<Calendar><UID>{uid}</UID><Name>{name}</Name><IsBaseCalendar>{int(base == -1)}</IsBaseCalendar>"
            f"<BaseCalendarUID>{base}</BaseCalendarUID>{body}{extra}</Calendar>")


def exception(first: str, last: str, spans=(), name: str = "", extra: str = "") -> str:
    body = times(*spans) if spans else ""
    return (f"<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod><FromDate>{first}T00:00:00"
            f"</FromDate><ToDate>{last}T23:59:00</ToDate></TimePeriod><Occurrences>1</Occurrences>"
            f"<Name>{name}</Name><Type>1</Type>{extra}<DayWorking>{int(bool(spans))}</DayWorking>{body}</Exception>")


def task(uid: int, name: str, hours: float = 8, extra: str = "", level: int = 1) -> str:
    return (f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
            f"<Duration>PT{hours:g}H0M0S</Duration><DurationFormat>7</DurationFormat>{extra}</Task>")


def link(pred: int, kind: int = 1, lag: int = 0, fmt: int = 7) -> str:
    return (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
            f"<LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat></PredecessorLink>")


def resource(uid: int, name: str, calendar_uid: int = -1, extra: str = "") -> str:
    return (f"<Resource><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><Type>1</Type><MaxUnits>1</MaxUnits>"
            f"<CalendarUID>{calendar_uid}</CalendarUID>{extra}</Resource>")


def assignment(uid: int, task_uid: int, resource_uid: int, units: float = 1, extra: str = "") -> str:
    return (f"<Assignment><UID>{uid}</UID><TaskUID>{task_uid}</TaskUID><ResourceUID>{resource_uid}</ResourceUID>"
            f"<Units>{units:g}</Units>{extra}</Assignment>")


def document(*, calendars: str | None = None, tasks: str = "", resources: str = "", assignments: str = "",
             project: str = "", minutes_per_day: int = 480, start: str = "2027-01-04T08:00:00") -> str:
    """An MSPDI document: Standard (UID 1) unless other calendars are given, the project summary task, the rest."""
    if calendars is None:
        calendars = calendar(1, "Standard", STANDARD_WEEK)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Project xmlns="{NAMESPACE}"><Name>t.xml</Name>'
            f"<Title>Test plan</Title><StartDate>{start}</StartDate><CalendarUID>1</CalendarUID>"
            f"<MinutesPerDay>{minutes_per_day}</MinutesPerDay>{project}<Calendars>{calendars}</Calendars>"
            f"<Tasks><Task><UID>0</UID><ID>0</ID><Name>Test plan</Name><OutlineLevel>0</OutlineLevel>"
            f"<Summary>1</Summary></Task>{tasks}</Tasks><Resources>{resources}</Resources>"
            f"<Assignments>{assignments}</Assignments></Project>")
