"""pmsim calendars written as MSPDI calendars: :func:`write_calendars`.

The project calendar is UID 1 and every other calendar a base calendar after it, each
with the working times of its weekdays and its exceptions (holidays one day each,
other exceptions as date ranges, sorted and without overlaps, as MS Project needs
them). Each resource gets a calendar of its own derived from the one it works on,
as MS Project gives every resource. Elapsed calendars (round the clock, 24-hour
days) are not written: elapsed durations and lags say it themselves.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ...calendar import WEEKDAYS, Calendar
from ...model import Project
from .._exchange import Notes
from .fields import sub

__all__ = ["write_calendars", "is_elapsed", "WrittenCalendars"]

_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # DayType 1 = Sunday ... 7 = Saturday


def is_elapsed(calendar: Calendar) -> bool:
    """Round the clock every day with 24-hour days: the calendar of elapsed durations and lags."""
    return (calendar.hours_per_day == 24 and not calendar.holidays and not calendar.exceptions
            and all(calendar.day_hours(d) == ((0, 1440),) for d in WEEKDAYS))


class WrittenCalendars:
    """What the tasks and resources need to know of the written calendars."""

    def __init__(self):
        self.uid: dict[str, int] = {}  # calendar id -> UID ("" for an anonymous project calendar)
        self.resource_uid: dict[str, int] = {}  # resource id -> UID of its own calendar
        self.identities: dict[str, list[str]] = {}  # UID -> [id, name] where the written Name does not say them


def _time(minutes: int) -> str:
    minutes %= 1440  # 24:00 is written as 00:00, the end of the day
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _times(parent: ET.Element, spans) -> None:
    times = sub(parent, "WorkingTimes")
    for a, b in spans:
        wt = sub(times, "WorkingTime")
        sub(wt, "FromTime", _time(a))
        sub(wt, "ToTime", _time(b))


def _calendar(box: ET.Element, uid: int, name: str, base: int | None) -> ET.Element:
    cal = sub(box, "Calendar")
    sub(cal, "UID", uid)
    sub(cal, "Name", name)
    sub(cal, "IsBaseCalendar", int(base is None))
    sub(cal, "IsBaselineCalendar", 0)
    sub(cal, "BaseCalendarUID", -1 if base is None else base)
    return cal


def _exceptions(calendar: Calendar) -> list[tuple[dt.date, dt.date, tuple, str]]:
    """(first, last, hours, name) without overlaps: an exception wins over a holiday, a later one over
    an earlier one (as pmsim reads them); runs of equal days become one range, holidays stay one day each."""
    days: dict[dt.date, tuple[tuple, str]] = {}
    for exc in calendar.exceptions:
        day = exc.first
        while day <= exc.last:
            days[day] = (exc.hours, exc.name)
            day += dt.timedelta(days=1)
    out = [(h, h, (), "Holiday") for h in calendar.holidays if h not in days]
    run = None
    for day in sorted(days):
        hours, name = days[day]
        if run and run[1] + dt.timedelta(days=1) == day and (run[2], run[3]) == (hours, name):
            run[1] = day
            continue
        if run:
            out.append(tuple(run))
        run = [day, day, hours, name]
    if run:
        out.append(tuple(run))
    return sorted(out, key=lambda e: e[0])


def _write(box: ET.Element, calendar: Calendar, uid: int, name: str) -> None:
    cal = _calendar(box, uid, name, None)
    days = sub(cal, "WeekDays")
    for code, day_name in enumerate(_DAY_NAMES, 1):
        spans = calendar.day_hours(day_name)
        day = sub(days, "WeekDay")
        sub(day, "DayType", code)
        sub(day, "DayWorking", int(bool(spans)))
        if spans:
            _times(day, spans)
    exceptions = _exceptions(calendar)
    if exceptions:
        box_ex = sub(cal, "Exceptions")
        for first, last, hours, label in exceptions:
            ex = sub(box_ex, "Exception")
            sub(ex, "EnteredByOccurrences", 0)
            period = sub(ex, "TimePeriod")
            sub(period, "FromDate", f"{first.isoformat()}T00:00:00")
            sub(period, "ToDate", f"{last.isoformat()}T23:59:00")
            sub(ex, "Occurrences", 1)
            if label:
                sub(ex, "Name", label)
            sub(ex, "Type", 1)
            sub(ex, "DayWorking", int(bool(hours)))
            if hours:
                _times(ex, hours)


def write_calendars(parent: ET.Element, project: Project, notes: Notes) -> WrittenCalendars:
    """The ``Calendars`` element: the project calendar (UID 1), the others, then one per resource."""
    out = WrittenCalendars()
    box = sub(parent, "Calendars")
    names: set[str] = set()
    project_minutes = project.calendar.minutes_per_day
    calendars = [project.calendar] + [c for c in project.calendars if not is_elapsed(c)]
    for uid, cal in enumerate(calendars, 1):
        name = cal.name or cal.id or ("Standard" if uid == 1 else f"Calendar {uid}")
        while name in names:
            name = f"{name} ({cal.id or uid})"
        names.add(name)
        out.uid[cal.id] = uid
        if (cal.id, cal.name) != (name, name):
            out.identities[str(uid)] = [cal.id, cal.name]
        if abs(cal.minutes_per_day - project_minutes) > 1e-9:
            notes.note("calendars whose day is not as long as the project calendar's (MS Project has one "
                       "length of day)", cal.id or name,
                       f"their durations are written as working time and read back in days of "
                       f"{project_minutes / 60:g} hours")
        _write(box, cal, uid, name)
    uid = len(calendars)
    for res in project.resources:
        uid += 1
        base = out.uid.get(res.calendar or project.calendar.id, 1)
        if res.calendar is not None and res.calendar not in out.uid:
            notes.note("resources on an elapsed calendar (written on the project calendar)", res.id)
        name = res.name
        while name in names:
            name = f"{name} ({res.id})"
        names.add(name)
        _calendar(box, uid, name, base)
        out.resource_uid[res.id] = uid
    return out
