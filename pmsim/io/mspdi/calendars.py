"""MSPDI calendars read into pmsim calendars, resolved date by date as MS Project resolves them.

:class:`CalendarBook` reads every ``Calendar`` of a document: the working times of each
weekday (``WeekDays``), exceptions (the ``Exceptions`` element, or the older ``WeekDay``
entries of ``DayType`` 0; recurring ones expanded by :func:`expand_exception`), work weeks
(``WorkWeeks``) and the base calendar a derived one inherits from (``BaseCalendarUID``). On a
date, MS Project takes the calendar's own exception, then its base calendars', then a work
week that covers the date, then the weekday, where a derived calendar's unset ("default")
days are its base's. The book turns that into :class:`pmsim.Calendar` objects whose day
of duration is the file's ``MinutesPerDay``, and gives the calendar a task or resource
works on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from ... import limits
from ...calendar import DEFAULT_HOURS, WEEKDAYS, Calendar, CalendarException
from ...errors import FileFormatError, PmsimError
from .document import Document
from .fields import ELAPSED_CALENDAR, Q

__all__ = ["CalendarBook", "expand_exception", "elapsed_calendar", "day_spans", "local_moment"]

_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # DayType 1 = Sunday ... 7 = Saturday
# MS Project's standard week: what a base calendar's unset day means.
_MS_DEFAULT = {d: (DEFAULT_HOURS if d not in ("Sat", "Sun") else ()) for d in WEEKDAYS}
_MAX_EXCEPTION_DATES = 20_000
_MAX_EXCEPTION_YEARS = 200


def elapsed_calendar() -> Calendar:
    """The calendar of elapsed durations and lags: round the clock, seven days a week, 24-hour days."""
    return Calendar(workdays=WEEKDAYS, hours="00:00-24:00", hours_per_day=24, id=ELAPSED_CALENDAR,
                    name=ELAPSED_CALENDAR)


def day_spans(calendar: Calendar, day: dt.date) -> tuple:
    """The working times of ``calendar`` on ``day`` (its exceptions and holidays counted)."""
    spans = None
    for exc in calendar.exceptions:  # sorted; a later one wins, as in the work table
        if exc.first <= day <= exc.last:
            spans = exc.hours
    if spans is not None:
        return spans
    if day in calendar.holidays:
        return ()
    return calendar.day_hours(WEEKDAYS[day.weekday()])


def local_moment(value: dt.datetime, calendar: Calendar, finish: bool):
    """A date and time from a file as pmsim keeps it: the date alone when it is the start of that
    day's work (a start) or its end (a finish), else the date and time."""
    if value.second or value.microsecond:
        return value
    day, minute = value.date(), value.hour * 60 + value.minute
    if finish and minute == 0:
        day, minute = day - dt.timedelta(days=1), 1440  # midnight ends the day before
    spans = day_spans(calendar, day)
    if spans and minute == (spans[-1][1] if finish else spans[0][0]):
        return day
    return value


class _Raw:
    """One calendar element as written: its own days, exceptions and work weeks, by date."""

    def __init__(self, uid: int, name: str, base: int | None, is_base: bool):
        self.uid, self.name, self.base, self.is_base = uid, name, base, is_base
        self.label = f"calendar {name or f'UID {uid}'!r}"
        self.baseline = False
        self.week: dict[str, tuple | None] = dict.fromkeys(WEEKDAYS)  # None: the base's (default)
        self.exceptions: dict[dt.date, tuple[tuple, str]] = {}
        self.work_weeks: list[tuple[dt.date, dt.date, dict, str]] = []
        self.expanded = 0  # days its exceptions expanded to, repeats counted


class CalendarBook:
    """The calendars of a document, and the pmsim calendar each task and resource works on.

    ``project`` is the project calendar: the document's ``CalendarUID``, else its first base
    calendar, else its first calendar (pmsim's default calendar when there is none). Calendar
    ids are the calendars' names (made unique); a file written by pmsim restores its own ids.
    """

    def __init__(self, doc: Document, identities: dict | None = None):
        self.doc = doc
        self.hours_per_day = doc.minutes_per_day / 60
        self.raw: dict[int, _Raw] = {}
        box = doc.root.find(Q + "Calendars")
        for el in ([] if box is None else box.findall(Q + "Calendar")):
            self._read(el)
        self._cache: dict[int, Calendar] = {}
        self.used: dict[str, Calendar] = {}
        self.elapsed_used = False
        identities = identities or {}
        pairs = identities.values() if isinstance(identities, dict) else [None]
        if not all(isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in pairs):
            doc.fail("project summary task", "'pmsim settings': calendars must map calendar UIDs to [id, name]")
        taken: set[str] = set()
        self.ids: dict[int, tuple[str, str]] = {}
        for uid, raw in self.raw.items():
            ident = identities.get(str(uid))
            if ident is not None:
                self.ids[uid] = (ident[0], ident[1])
                taken.add(ident[0])
        for uid, raw in self.raw.items():
            if uid in self.ids:
                continue
            name = raw.name or f"Calendar {uid}"
            ident = name if name not in taken and name != ELAPSED_CALENDAR else f"{name} (UID {uid})"
            taken.add(ident)
            self.ids[uid] = (ident, name)
        uid = doc.int(doc.root, "CalendarUID", "Project")
        if uid not in self.raw:
            bases = [u for u, r in self.raw.items() if r.is_base]
            uid = bases[0] if bases else next(iter(self.raw), None)
        self.project_uid = uid
        if uid is None:
            self.project = Calendar(hours_per_day=self.hours_per_day)
        else:
            self.project = self.calendar(uid)

    # ------------------------------------------------------------ reading the elements

    def _read(self, el) -> None:
        doc = self.doc
        uid = doc.int(el, "UID", "Calendar")
        if uid is None:
            doc.fail("Calendar", "a calendar has no UID")
        name = doc.text(el, "Name") or ""
        label = f"calendar {name or f'UID {uid}'!r}"
        base = doc.int(el, "BaseCalendarUID", label, -1)
        is_base = doc.bool(el, "IsBaseCalendar", base in (-1, None))
        raw = _Raw(uid, name, None if base in (-1, None) or base == uid else base, is_base)
        raw.baseline = doc.bool(el, "IsBaselineCalendar")  # MS Project 98's baseline calendar: not a working one
        legacy = []
        days = el.find(Q + "WeekDays")
        for day in ([] if days is None else days.findall(Q + "WeekDay")):
            code = doc.int(day, "DayType", label)
            if code is None:
                continue
            if code == 0:
                legacy.append(day)
                continue
            if not 1 <= code <= 7:
                doc.fail(label, f"DayType must be 0 to 7, got {code}")
            raw.week[_DAY_NAMES[code - 1]] = self._day_hours(day, label)
        for week in self.doc.iter(el, "WorkWeeks", "WorkWeek"):
            self._read_work_week(raw, week, label)
        exceptions = el.find(Q + "Exceptions")
        if exceptions is not None and len(exceptions):
            entries = [(ex, doc.int(ex, "Type", label, 1) or 1) for ex in exceptions.findall(Q + "Exception")]
        else:
            entries = [(day, 1) for day in legacy]
        # Where exceptions overlap, a later one here wins: weekly ones, then monthly, yearly, daily, and a single
        # date or range over them all (MS Project's precedence, as MPXJ applies it: calendar-exception-precedence-
        # *.mpp of its tests, whose dates MS Project computed with it).
        entries.sort(key=lambda item: _precedence(doc, item[0], item[1], label))
        for ex, kind in entries:
            self._read_exception(raw, ex, kind, label)
        self.raw[uid] = raw

    def _day_hours(self, day, label: str) -> tuple:
        if not self.doc.bool(day, "DayWorking"):
            return ()
        spans = self._spans(day, label)
        return DEFAULT_HOURS if spans is None else spans

    def _spans(self, el, label: str) -> tuple | None:
        """The ``WorkingTimes`` of an element as (start, finish) minutes, or None when it has none."""
        doc = self.doc
        times = el.find(Q + "WorkingTimes")
        if times is None:
            return None
        spans = []
        for wt in times.findall(Q + "WorkingTime"):
            a, b = doc.text(wt, "FromTime"), doc.text(wt, "ToTime")
            if not a or not b:
                continue
            start, finish = _clock(doc, a, label), _clock(doc, b, label)
            if finish == 0:
                finish = 1440  # 00:00 as an end is midnight at the end of the day
            if finish <= start:
                doc.fail(label, f"working time {a}-{b} ends before it starts; MSPDI splits a shift that "
                                "runs past midnight into one span per day")
            spans.append((start, finish))
        spans.sort()
        for (a, b), (c, d) in zip(spans, spans[1:]):
            if c < b:
                doc.fail(label, f"working times {_hhmm(a)}-{_hhmm(b)} and {_hhmm(c)}-{_hhmm(d)} overlap")
        return tuple(spans)

    def _read_work_week(self, raw: _Raw, week, label: str) -> None:
        doc = self.doc
        period = week.find(Q + "TimePeriod")
        if period is None:
            return
        first = doc.datetime(period, "FromDate", f"{label} work week")
        last = doc.datetime(period, "ToDate", f"{label} work week")
        if first is None or last is None:
            return
        if last.date() < first.date():
            doc.fail(label, f"work week from {first.date()} to {last.date()} ends before it starts")
        days: dict[str, tuple | None] = dict.fromkeys(WEEKDAYS)
        for day in doc.iter(week, "WeekDays", "WeekDay"):
            code = doc.int(day, "DayType", label)
            if code is not None and 1 <= code <= 7:
                days[_DAY_NAMES[code - 1]] = self._day_hours(day, label)
        raw.work_weeks.append((first.date(), last.date(), days, doc.text(week, "Name") or ""))

    def _read_exception(self, raw: _Raw, ex, kind: int, label: str) -> None:
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
        spans = self._spans(ex, label) if doc.bool(ex, "DayWorking") else ()
        hours = spans or ()  # a working exception without times has none (as MPXJ reads it)
        name = doc.text(ex, "Name") or ""
        days = expand_exception(doc, ex, kind, first, last, label)
        raw.expanded += len(days)
        limits.check("CALENDAR_EXCEPTION_DAYS", raw.expanded,
                     f"{doc.path}: {label}: days its exceptions expand to (the exception from {first} adds "
                     f"{len(days):,})")
        if len(days) >= _MAX_EXCEPTION_DATES:
            doc.notes.note(f"calendar exceptions of more than {_MAX_EXCEPTION_DATES:,} days (cut there)",
                           f"{raw.name or raw.uid} {first}", f"they end on {days[-1]}")
        for day in days:
            raw.exceptions[day] = (hours, name)

    # ------------------------------------------------------------ resolving dates

    def _chain(self, uid: int) -> list[_Raw]:
        out, seen = [], set()
        while uid in self.raw and uid not in seen and len(out) < 20:
            seen.add(uid)
            out.append(self.raw[uid])
            uid = self.raw[uid].base
        return out

    @staticmethod
    def _weekday(chain: list[_Raw], day: str) -> tuple:
        for raw in chain:
            if raw.week[day] is not None:
                return raw.week[day]
        return _MS_DEFAULT[day]

    @staticmethod
    def _regular(chain: list[_Raw], date: dt.date) -> tuple[tuple, str] | None:
        """The hours of ``date`` from a work week (the calendar's own, else a base's), or None."""
        day = WEEKDAYS[date.weekday()]
        for k, raw in enumerate(chain):
            for first, last, days, name in raw.work_weeks:
                if first <= date <= last:
                    if days[day] is not None:
                        return days[day], name
                    return CalendarBook._weekday(chain[k:], day), name
            if raw.week[day] is not None:
                return None
        return None

    def calendar(self, uid: int) -> Calendar:
        """Calendar ``uid`` as a pmsim calendar (its id: :attr:`ids`), inheritance resolved."""
        if uid in self._cache:
            return self._cache[uid]
        chain = self._chain(uid)
        week = {d: self._weekday(chain, d) for d in WEEKDAYS}
        special: dict[dt.date, tuple[tuple, str]] = {}
        for raw in reversed(chain):  # the calendar's own exceptions over its base's
            special.update(raw.exceptions)
        holidays, days = [], {}
        for date, (hours, name) in special.items():
            if hours:
                days[date] = (hours, name)
            else:
                holidays.append(date)
        weeks = {(first, last) for raw in chain for first, last, _, _ in raw.work_weeks}
        for first, last in weeks:
            date = first
            for _ in range(_MAX_EXCEPTION_DATES):
                if date > last:
                    break
                if date not in special:
                    found = self._regular(chain, date)
                    if found is not None and found[0] != week[WEEKDAYS[date.weekday()]]:
                        if found[0]:
                            days[date] = found
                        else:
                            holidays.append(date)
                date += dt.timedelta(days=1)
        ident, name = self.ids[uid]
        try:
            cal = _build(week, sorted(holidays), days, self.hours_per_day, ident, name)
        except PmsimError as exc:
            raise exc.with_context(f"{self.doc.path}: {chain[0].label}") from None
        self._cache[uid] = cal
        return cal

    @staticmethod
    def has_work_from(calendar: Calendar, start: dt.date, years: int = 10) -> bool:
        """Does ``calendar`` work at all in the ``years`` from ``start`` (exceptions and holidays counted)?"""
        days = years * 366
        return calendar.work_table(start, days).work_at(days * 1440.0) > 0

    # ------------------------------------------------------------ what tasks and resources work on

    def use(self, uid: int) -> str | None:
        """The id of calendar ``uid``, noted as used (None for the project calendar without an id)."""
        cal = self.calendar(uid)
        if uid != self.project_uid:
            self.used[cal.id] = cal
        return cal.id or None

    def resource_calendar(self, uid: int) -> str | None:
        """A resource's calendar id: its base's when it changes no working time (MS Project gives every
        resource a calendar of its own), None when that is the project calendar."""
        if uid not in self.raw:
            return None
        cal = self.calendar(uid)
        base = self.raw[uid].base
        while base in self.raw and _same_time(self.calendar(base), cal):
            uid, cal = base, self.calendar(base)
            base = self.raw[uid].base
        if uid == self.project_uid or _same_time(cal, self.project):
            return None
        return self.use(uid)

    def combined(self, task_uid: int, resource_id: str | None) -> str:
        """A calendar working only when both the task calendar and the resource calendar do
        (MS Project's rule for a task calendar that does not ignore resource calendars)."""
        cal = self.calendar(task_uid)
        other = self.used.get(resource_id) if resource_id else self.project
        ident = f"{cal.id} & {other.id}"
        if ident not in self.used:
            try:
                both = _intersect(cal, other, ident)
            except PmsimError as exc:
                raise exc.with_context(f"{self.doc.path}: the task calendar {cal.id!r} and the resource calendar "
                                       f"{other.id!r} never work at the same time") from None
            if _same_time(both, cal):
                return self.use(task_uid) or cal.id
            if _same_time(both, other):  # e.g. a 24-hour task calendar and a standard resource: standard hours
                return other.id
            self.used[ident] = both
        return ident

    def elapsed(self) -> str:
        self.used[ELAPSED_CALENDAR] = elapsed_calendar()
        return ELAPSED_CALENDAR

    def base_calendars(self) -> list[tuple[int, Calendar | None]]:
        """Every base calendar but the project's, with its pmsim calendar (None if it has no working time)."""
        out = []
        for uid, raw in self.raw.items():
            if uid == self.project_uid or not raw.is_base or raw.base is not None or raw.baseline:
                continue
            try:
                out.append((uid, self.calendar(uid)))
            except PmsimError:
                out.append((uid, None))
        return out


def _same_time(a: Calendar, b: Calendar) -> bool:
    return dataclasses.replace(a, id="", name="") == dataclasses.replace(b, id="", name="")


def _build(week: dict, holidays: list, days: dict, hours_per_day: float, ident: str, name: str) -> Calendar:
    """A pmsim calendar from weekday hours, holidays and dated hours (runs of equal days become one exception)."""
    working = Counter(h for h in week.values() if h)
    exceptions = []
    run = None
    for date in sorted(days):
        hours, label = days[date]
        if run and run[1] + dt.timedelta(days=1) == date and tuple(run[2:]) == (hours, label):
            run[1] = date
            continue
        if run:
            exceptions.append(CalendarException(run[0], run[1], run[2], run[3]))
        run = [date, date, hours, label]
    if run:
        exceptions.append(CalendarException(run[0], run[1], run[2], run[3]))
    if working:
        # The most common hours are the calendar's "hours" (the first weekday's of equals).
        top = max(working.values())
        hours = next(week[d] for d in WEEKDAYS if week[d] and working[week[d]] == top)
        workdays = tuple(d for d in WEEKDAYS if week[d] == hours)
        other = tuple((d, week[d]) for d in WEEKDAYS if week[d] and week[d] != hours)
    else:
        hours, workdays, other = DEFAULT_HOURS, (), tuple((d, ()) for d in WEEKDAYS)
    return Calendar(workdays=workdays, holidays=tuple(holidays), hours=hours, week=other,
                    exceptions=tuple(exceptions), hours_per_day=hours_per_day, id=ident, name=name)


def _intersect(a: Calendar, b: Calendar, ident: str) -> Calendar:
    def meet(x, y):
        out = []
        for s, e in x:
            for u, v in y:
                lo, hi = max(s, u), min(e, v)
                if lo < hi:
                    out.append((lo, hi))
        return tuple(sorted(out))

    week = {d: meet(a.day_hours(d), b.day_hours(d)) for d in WEEKDAYS}
    dates = set(a.holidays) | set(b.holidays)
    for cal in (a, b):
        for exc in cal.exceptions:
            span = min((exc.last - exc.first).days, _MAX_EXCEPTION_DATES)
            dates.update(exc.first + dt.timedelta(days=k) for k in range(span + 1))
    holidays, days = [], {}
    for date in sorted(dates):
        hours = meet(day_spans(a, date), day_spans(b, date))
        if not hours:
            holidays.append(date)
        elif hours != week[WEEKDAYS[date.weekday()]]:
            days[date] = (hours, "")
    return _build(week, holidays, days, a.hours_per_day, ident, ident)


def _clock(doc: Document, text: str, label: str) -> int:
    if text.strip() in ("24:00:00", "24:00"):
        return 1440
    try:
        t = dt.time.fromisoformat(text.strip())
    except ValueError:
        raise FileFormatError(f"{doc.path}: {label}: working time {text!r} is not HH:MM:SS") from None
    return t.hour * 60 + t.minute


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _precedence(doc: Document, ex, kind: int, label: str) -> int:
    """The rank of an exception where exceptions overlap (the highest wins): 0 weekly, 1 monthly, 2 yearly,
    3 daily, 4 not recurring (a date or a range: ``Type`` 1 with at most one occurrence)."""
    if kind == 1 and (doc.int(ex, "Occurrences", label, None) or 1) <= 1:
        return 4
    return {6: 0, 4: 1, 5: 1, 2: 2, 3: 2}.get(kind, 3)


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
