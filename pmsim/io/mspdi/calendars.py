"""MSPDI calendars: the project calendar written, and every calendar of a document read.

:func:`write_calendars` writes the project calendar (an 8-hour day on the
working weekdays, holidays as exceptions); :class:`Calendars` reads a
document's calendars, base calendars and exceptions (recurring ones expanded
by :func:`expand_exception`, as MS Project defines them).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ...calendar import WEEKDAYS, Calendar
from ...errors import PmsimError
from ...model import Project
from .document import Document
from .fields import Q, sub

_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # DayType 1 = Sunday ... 7 = Saturday
_MAX_EXCEPTION_DATES = 20_000
_MAX_EXCEPTION_YEARS = 200


def write_calendars(parent: ET.Element, project: Project) -> None:
    """The ``Calendars`` element: the project calendar, UID 1."""
    cal = sub(sub(parent, "Calendars"), "Calendar")
    sub(cal, "UID", 1)
    sub(cal, "Name", "Standard")
    sub(cal, "IsBaseCalendar", 1)
    sub(cal, "IsBaselineCalendar", 0)
    sub(cal, "BaseCalendarUID", -1)
    days = sub(cal, "WeekDays")
    for code, name in enumerate(_DAY_NAMES, 1):
        day = sub(days, "WeekDay")
        sub(day, "DayType", code)
        working = name in project.calendar.workdays
        sub(day, "DayWorking", int(working))
        if working:
            times = sub(day, "WorkingTimes")
            for a, b in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                wt = sub(times, "WorkingTime")
                sub(wt, "FromTime", a)
                sub(wt, "ToTime", b)
    if project.calendar.holidays:
        exceptions = sub(cal, "Exceptions")
        for day in project.calendar.holidays:
            ex = sub(exceptions, "Exception")
            sub(ex, "EnteredByOccurrences", 0)
            period = sub(ex, "TimePeriod")
            sub(period, "FromDate", f"{day.isoformat()}T00:00:00")
            sub(period, "ToDate", f"{day.isoformat()}T23:59:00")
            sub(ex, "Occurrences", 1)
            sub(ex, "Name", "Holiday")
            sub(ex, "Type", 1)
            sub(ex, "DayWorking", 0)


class Calendars:
    """The calendars of a document: ``calendar`` (the project's, a pmsim Calendar), its ``uid``,
    and every calendar element by UID in ``raw``.

    The project calendar is the document's ``CalendarUID``, else its first
    base calendar, else its first calendar; a document without calendars gets
    pmsim's default calendar and ``uid`` None.
    """

    def __init__(self, doc: Document):
        self.doc = doc
        box = doc.root.find(Q + "Calendars")
        raw = {}
        if box is not None:
            for cal in box.findall(Q + "Calendar"):
                uid = doc.int(cal, "UID", "Calendar")
                if uid is None:
                    doc.fail("Calendar", "a calendar has no UID")
                raw[uid] = cal
        self.raw = raw
        if not raw:
            self.calendar, self.uid = Calendar(), None
            return
        uid = doc.int(doc.root, "CalendarUID", "Project")
        if uid not in raw:
            bases = [u for u, c in raw.items() if doc.bool(c, "IsBaseCalendar")]
            uid = bases[0] if bases else next(iter(raw))
        working, holidays = self.days(uid, "project calendar")
        try:
            self.calendar = Calendar(workdays=[d for d in WEEKDAYS if working[d]], holidays=sorted(holidays))
        except PmsimError as exc:
            raise exc.with_context(f"{doc.path}: calendar {uid}") from None
        self.uid = uid

    def days(self, uid: int, role: str, depth: int = 0):
        """(working weekdays, holidays) of calendar ``uid``, inheriting from its base calendar."""
        doc = self.doc
        cal = self.raw[uid]
        name = doc.text(cal, "Name") or f"UID {uid}"
        label = f"calendar {name!r}"
        base_uid = doc.int(cal, "BaseCalendarUID", label, -1)
        if base_uid in self.raw and base_uid != uid and depth < 10:
            working, holidays = self.days(base_uid, role, depth + 1)
            working = dict(working)
        else:
            working = {d: d not in ("Sat", "Sun") for d in WEEKDAYS}
            holidays = set()
        legacy = []
        days_el = cal.find(Q + "WeekDays")
        if days_el is not None:
            for day in days_el.findall(Q + "WeekDay"):
                code = doc.int(day, "DayType", label)
                if code is None:
                    continue
                if code == 0:
                    legacy.append(day)
                    continue
                if not 1 <= code <= 7:
                    doc.fail(label, f"DayType must be 0 to 7, got {code}")
                is_working = doc.bool(day, "DayWorking")
                working[_DAY_NAMES[code - 1]] = is_working
                if is_working:
                    minutes = self._working_minutes(day, label)
                    if minutes is not None and abs(minutes - doc.minutes_per_day) > 0.5:
                        doc.notes.note(
                            "working hours that differ from the hours per day", f"{name} {_DAY_NAMES[code - 1]}",
                            f"pmsim counts every working day as one day of {doc.minutes_per_day / 60:g} hours",
                        )
        if cal.find(Q + "WorkWeeks") is not None and len(cal.find(Q + "WorkWeeks")):
            doc.notes.note("alternative work weeks in calendars", name, "the default week is used")
        holidays = set(holidays)
        exceptions = cal.find(Q + "Exceptions")
        if exceptions is not None and len(exceptions):
            for ex in exceptions.findall(Q + "Exception"):
                self._read_exception(ex, label, name, holidays)
        else:
            for day in legacy:
                self._read_exception(day, label, name, holidays, legacy=True)
        if not any(working.values()):
            doc.fail(label, "no working weekday")
        return working, holidays

    def _working_minutes(self, day, label):
        doc = self.doc
        times = day.find(Q + "WorkingTimes")
        if times is None:
            return None
        total = 0.0
        for wt in times.findall(Q + "WorkingTime"):
            a, b = doc.text(wt, "FromTime"), doc.text(wt, "ToTime")
            if not a or not b:
                continue
            try:
                ta, tb = dt.time.fromisoformat(a), dt.time.fromisoformat(b)
            except ValueError:
                doc.fail(label, f"working time {a!r}-{b!r} is not HH:MM:SS")
            span = (tb.hour * 60 + tb.minute) - (ta.hour * 60 + ta.minute)
            total += span if span > 0 else span + 1440
        return total

    def _read_exception(self, ex, label, name, holidays, legacy=False):
        doc = self.doc
        period = ex.find(Q + "TimePeriod")
        if period is None:
            return
        start = doc.datetime(period, "FromDate", f"{label} exception")
        end = doc.datetime(period, "ToDate", f"{label} exception")
        if start is None or end is None:
            return
        first, last = start.date(), end.date()
        if last < first:
            doc.fail(label, f"exception from {first} to {last} ends before it starts")
        if doc.bool(ex, "DayWorking"):
            doc.notes.note("calendar exceptions with working times", f"{name} {first}",
                           "pmsim calendars have non-working days only")
            return
        kind = 1 if legacy else doc.int(ex, "Type", label, 1)
        dates = expand_exception(doc, ex, kind, first, last, label)
        holidays.update(dates)


def expand_exception(doc: Document, ex, kind: int, first: dt.date, last: dt.date, label: str) -> list[dt.date]:
    """The dates of a calendar exception, recurring ones included (as MS Project defines them).

    Type 1 and 7 repeat every ``Period`` days, 6 every ``Period`` weeks on the
    ``DaysOfWeek`` bits (1 = Sunday ... 64 = Saturday), 4 and 5 every
    ``Period`` months on a day (``MonthDay``) or a weekday (``MonthPosition``
    0-3 = first to fourth, 4 = last; ``MonthItem`` 3-9 = Sunday to Saturday),
    2 and 3 every year in ``Month`` (0-11) likewise. They stop after
    ``Occurrences`` dates when entered by occurrences, else after ``ToDate``.
    """
    count = doc.int(ex, "Occurrences", label, None)
    by_count = doc.bool(ex, "EnteredByOccurrences") and count is not None and count > 0
    period = max(1, doc.int(ex, "Period", label, 1) or 1)
    limit = min(count, _MAX_EXCEPTION_DATES) if by_count else _MAX_EXCEPTION_DATES
    horizon = first.year + _MAX_EXCEPTION_YEARS

    def daily():
        day = first
        while True:
            yield day
            day += dt.timedelta(days=period)

    def weekly():
        mask = (doc.int(ex, "DaysOfWeek", label, 0) or 0) & 127
        if not mask:
            return
        week = first - dt.timedelta(days=(first.weekday() + 1) % 7)  # the Sunday before
        while week.year <= horizon:
            for k in range(7):
                if mask & (1 << k):
                    yield week + dt.timedelta(days=k)
            week += dt.timedelta(weeks=period)

    def monthly():
        month = doc.int(ex, "Month", label, first.month - 1)
        day_of_month = doc.int(ex, "MonthDay", label, first.day)
        position = doc.int(ex, "MonthPosition", label, 0)
        item = doc.int(ex, "MonthItem", label, 3)
        yearly = kind in (2, 3)
        m = (month or 0) + 1 if yearly else first.month
        if not 1 <= m <= 12:
            doc.fail(label, f"Month must be 0 to 11, got {month}")
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
