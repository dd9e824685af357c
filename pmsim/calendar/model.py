"""The calendar as a model object: working times, weekdays, holidays, exceptions, length of a day.

Time inside pmsim is working time; a working day of a calendar is
``hours_per_day`` hours of its working time (8 by default). Offset 0 is the
first working moment on or after the project start. A task that starts at
offset ``s`` starts at the working moment that follows ``s`` of working time;
one that finishes at ``f`` ends at the working moment where ``f`` is reached
(17:00 on Friday, not 08:00 on Monday).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._cache import cached, memoized, uncached_state
from ..errors import ValidationError
from .worktime import MINUTES_PER_DAY, WEEKDAYS, build_table

__all__ = ["Calendar", "CalendarException", "WEEKDAYS", "DEFAULT_HOURS", "as_date", "as_datetime",
           "parse_hours", "parse_weekdays", "hours_text", "elapsed_working_days"]

_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_HOURS = ((480, 720), (780, 1020))  # 08:00-12:00 and 13:00-17:00, minutes from midnight
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*(?:-|–|to)\s*(\d{1,2}:\d{2})\s*$", re.IGNORECASE)


def as_date(owner: str, value) -> dt.date:
    """``value`` (a date, datetime, numpy or pandas date, or ISO text) as a ``datetime.date``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").item()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{owner}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def as_datetime(owner: str, value) -> dt.datetime:
    """``value`` as a ``datetime.datetime`` (a date alone is its midnight); ISO text such as ``2027-01-04T08:00``.

    >>> as_datetime("x", "2027-01-04 08:30")
    datetime.datetime(2027, 1, 4, 8, 30)
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().replace(tzinfo=None)
    try:
        return dt.datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)
    except ValueError:
        raise ValidationError(f"{owner}: {value!r} is not an ISO date or date and time (YYYY-MM-DD[THH:MM])") from None


def _weekday(owner: str, token) -> int:
    key = str(token).strip().lower()
    for i, (short, full) in enumerate(zip(WEEKDAYS, _FULL_NAMES)):
        if key in (short.lower(), full):
            return i
    raise ValidationError(f"{owner}: unknown weekday {str(token).strip()!r}; use {', '.join(WEEKDAYS)} "
                          "(or full names; a range such as Mon-Fri)")


def parse_weekdays(value, owner: str = "Calendar") -> tuple[str, ...]:
    """Weekdays from names, ranges and lists: ``"Mon-Fri"``, ``"Mon, Wed"``, ``["Sunday", "Mon"]``.

    A range may wrap (``"Sun-Thu"``). Returns them in week order, each once.

    >>> parse_weekdays("Mon-Fri")
    ('Mon', 'Tue', 'Wed', 'Thu', 'Fri')
    >>> parse_weekdays("Sun-Tue; Fri")
    ('Mon', 'Tue', 'Fri', 'Sun')
    """
    if not isinstance(value, str) and not hasattr(value, "__iter__"):
        raise ValidationError(f"{owner}: weekdays must be names or a range such as 'Mon-Fri', got {value!r}")
    items = [value] if isinstance(value, str) else list(value)
    days: set[int] = set()
    for item in items:
        for token in re.split(r"[,;]", str(item)):
            token = token.strip()
            if not token:
                continue
            ends = re.split(r"\s*(?:-|–|\bto\b)\s*", token)
            if len(ends) == 2 and all(ends):
                a, b = _weekday(owner, ends[0]), _weekday(owner, ends[1])
                k = a
                while True:
                    days.add(k)
                    if k == b:
                        break
                    k = (k + 1) % 7
            elif len(ends) == 1:
                days.add(_weekday(owner, token))
            else:
                raise ValidationError(f"{owner}: {token!r} is not a weekday or a range such as Mon-Fri")
    return tuple(WEEKDAYS[i] for i in sorted(days))


def _clock(owner: str, text: str) -> int:
    m = _CLOCK.match(text)
    if not m or int(m.group(2)) >= 60 or int(m.group(1)) > 24 or (int(m.group(1)) == 24 and int(m.group(2))):
        raise ValidationError(f"{owner}: {text!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_hours(value, owner: str = "Calendar") -> tuple[tuple[int, int], ...]:
    """Working times within a day as ``((start, finish), ...)`` in minutes from midnight.

    Accepts text such as ``"08:00-12:00; 13:00-17:00"`` (``"00:00-24:00"`` for
    round the clock, ``""`` for none) or pairs of minutes or ``"HH:MM"``
    strings. Spans must be in order and must not overlap.

    >>> parse_hours("08:00-12:00; 13:00-17:00")
    ((480, 720), (780, 1020))
    """
    if value is None:
        return ()
    if isinstance(value, str):
        spans = []
        for token in re.split(r"[;,]", value):
            if not token.strip():
                continue
            m = _SPAN.match(token)
            if not m:
                raise ValidationError(f"{owner}: {token.strip()!r} is not a span of working time such as 08:00-12:00")
            spans.append((_clock(owner, m.group(1)), _clock(owner, m.group(2))))
    else:
        spans = []
        for pair in value:
            try:
                a, b = pair
            except (TypeError, ValueError):
                raise ValidationError(f"{owner}: working times must be (start, finish) pairs, got {pair!r}") from None
            a = _clock(owner, a) if isinstance(a, str) else a
            b = _clock(owner, b) if isinstance(b, str) else b
            try:
                a, b = float(a), float(b)
            except (TypeError, ValueError):
                raise ValidationError(f"{owner}: working times must be minutes from midnight, got {pair!r}") from None
            if not (math.isfinite(a) and math.isfinite(b)) or a != int(a) or b != int(b):
                raise ValidationError(f"{owner}: working times must be whole minutes, got {pair!r}")
            spans.append((int(a), int(b)))
    last = 0
    for a, b in spans:
        if not 0 <= a < b <= MINUTES_PER_DAY:
            raise ValidationError(f"{owner}: a span of working time must start before it ends, within the day; "
                                  f"got {_text((a, b))}")
        if a < last:
            raise ValidationError(f"{owner}: spans of working time must be in order and not overlap; "
                                  f"{_text((a, b))} starts before {_hhmm(last)}")
        last = b
    return tuple(spans)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _text(span) -> str:
    return f"{_hhmm(span[0])}-{_hhmm(span[1])}"


def hours_text(hours) -> str:
    """The working times of a day as text: ``"08:00-12:00; 13:00-17:00"``."""
    return "; ".join(_text(s) for s in hours)


def _minutes(hours) -> int:
    return sum(b - a for a, b in hours)


@dataclass(frozen=True)
class CalendarException:
    """Days from ``first`` to ``last`` (inclusive) that work ``hours`` instead of their usual times.

    ``hours=()`` (the default) makes them non-working: a holiday or a shutdown.
    """

    first: dt.date
    last: dt.date | None = None
    hours: tuple = ()
    name: str = ""

    def __post_init__(self):
        first = as_date("Calendar exception", self.first)
        last = first if self.last is None else as_date("Calendar exception", self.last)
        if last < first:
            raise ValidationError(f"Calendar exception {self.name or first}: last day {last} is before first day {first}")
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "hours", parse_hours(self.hours, f"Calendar exception {self.name or first}"))
        object.__setattr__(self, "name", str(self.name or ""))


_FIRST_DAY, _LAST_DAY = np.datetime64(dt.date.min, "D"), np.datetime64(dt.date.max, "D")
# Working-day offsets beyond this cannot be dates (ten thousand years of days); checked before any arithmetic.
_MAX_OFFSET = 3_700_000


def _check_offsets(start, offset) -> np.ndarray:
    """``offset`` as a float array whose values can become dates: finite, and not beyond ten thousand years."""
    off = np.asarray(offset, dtype=np.float64)
    bad = ~np.isfinite(off) | (np.abs(off) > _MAX_OFFSET)
    if bad.any():
        value = off[bad].flat[0]
        raise ValidationError(f"Calendar: {value:g} working days from {start} is not a date (a calendar gives "
                              f"dates from {dt.date.min} to {dt.date.max}); check the start, durations and lags "
                              "that lead there")
    return off


def _in_range(start, offset, days):
    """``days`` (datetime64) when every one lies between 0001-01-01 and 9999-12-31, the dates Python and pandas
    can hold; else a ValidationError, instead of numbers where dates should be."""
    arr = np.asarray(days)
    if arr.size and ((arr > _LAST_DAY).any() or (arr < _FIRST_DAY).any()):
        late = (arr > _LAST_DAY).any()
        off = np.asarray(offset, dtype=np.float64)
        worst = float(off.max() if late else off.min()) if off.size else float("nan")
        raise ValidationError(
            f"Calendar: {worst:,.6g} working days from {start} fall {'after' if late else 'before'} "
            f"{dt.date.max if late else dt.date.min}, the {'last' if late else 'first'} date a schedule can show; "
            "check the start, durations and lags that lead there")
    return days


@memoized(maxsize=64)
def _busdaycalendar(weekmask: str, holidays: tuple) -> np.busdaycalendar:
    # Built once per calendar (kept outside the object: it does not pickle).
    return np.busdaycalendar(weekmask=weekmask, holidays=list(holidays))


@dataclass(frozen=True)
class Calendar:
    """When work happens: working times within the day, weekdays, holidays and exceptions.

    Parameters
    ----------
    workdays : weekdays that work ``hours`` (``("Mon", ..., "Fri")`` by default; ``"Mon-Fri"`` works too)
    holidays : non-working dates
    hours : the working times of a workday, ``"08:00-12:00; 13:00-17:00"`` by default
        (``"00:00-24:00"``: round the clock)
    week : per weekday, working times other than ``hours``: ``{"Fri": "08:00-12:00"}``
    exceptions : :class:`CalendarException` s (date ranges with other working times, or none)
    hours_per_day : the working hours of a day of duration (default: the hours of a workday)
    id, name : how tasks, resources and files refer to it

    A working-day offset counts days of ``hours_per_day`` working hours.

    >>> cal = Calendar(holidays=("2027-01-06",))
    >>> cal.date(dt.date(2027, 1, 4), 3)          # Mon 4 Jan, skip Wed 6 Jan
    datetime.date(2027, 1, 8)
    >>> cal.offset(dt.date(2027, 1, 4), dt.date(2027, 1, 11))
    4
    >>> cal.finish_time("2027-01-04", 2.5)        # two and a half 8-hour days from Monday 08:00
    datetime.datetime(2027, 1, 7, 12, 0)
    """

    workdays: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[dt.date, ...] = ()
    hours: tuple = DEFAULT_HOURS
    week: tuple = ()
    exceptions: tuple[CalendarException, ...] = ()
    hours_per_day: float | None = None
    id: str = ""
    name: str = ""

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        who = f"Calendar {self.id!r}" if self.id else "Calendar"
        if isinstance(self.workdays, (list, tuple)) and not self.workdays and not self.week:
            raise ValidationError(f"{who}: at least one working weekday is needed")
        workdays = parse_weekdays(self.workdays, who)
        hours = parse_hours(self.hours, who)
        week_items = self.week.items() if isinstance(self.week, dict) else self.week
        week = {}
        for entry in week_items:
            try:
                day, spans = entry
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: week entries are (weekday, working times), got {entry!r}") from None
            for name in parse_weekdays(day, who):
                week[name] = parse_hours(spans, f"{who}, {name}")
        # Canonical form: the days that work the usual hours, and the others with their own.
        days = {d: week.get(d, hours if d in workdays else ()) for d in WEEKDAYS}
        if not hours and not any(days.values()):
            raise ValidationError(f"{who}: no working time at all (every day has no working hours)")
        common = tuple(d for d in WEEKDAYS if hours and days[d] == hours)
        set_("workdays", common)
        set_("hours", hours)
        set_("week", tuple((d, days[d]) for d in WEEKDAYS if d not in common and days[d]))
        holidays = (self.holidays,) if isinstance(self.holidays, (str, dt.date)) else self.holidays
        set_("holidays", tuple(sorted({as_date(f"{who} holiday", h) for h in holidays})))
        exceptions = self.exceptions if isinstance(self.exceptions, (list, tuple)) else (self.exceptions,)
        exc = []
        for e in exceptions:
            if not isinstance(e, CalendarException):
                raise ValidationError(f"{who}: exceptions must be CalendarException objects, got {type(e).__name__}")
            exc.append(e)
        set_("exceptions", tuple(sorted(exc, key=lambda e: (e.first, e.last))))
        if not any(days.values()) and not any(e.hours for e in exc):
            raise ValidationError(f"{who}: no working time at all (every day has no working hours)")
        if self.hours_per_day is None:
            typical = _minutes(hours) or max(_minutes(s) for s in days.values())
            set_("hours_per_day", typical / 60.0)
        else:
            try:
                hpd = float(self.hours_per_day)
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: hours_per_day must be a number, got {self.hours_per_day!r}") from None
            if not (math.isfinite(hpd) and 0 < hpd <= 24):
                raise ValidationError(f"{who}: hours_per_day must be in (0, 24], got {self.hours_per_day!r}")
            set_("hours_per_day", hpd)
        set_("id", str(self.id or "").strip())
        set_("name", str(self.name or ""))

    def __getstate__(self) -> dict:
        return uncached_state(self)

    # ------------------------------------------------------------ shape

    def day_hours(self, weekday: str) -> tuple:
        """The working times of a weekday (``"Mon"`` ...) outside exceptions and holidays."""
        own = dict(self.week)
        if weekday in own:
            return own[weekday]
        return self.hours if weekday in self.workdays else ()

    @property
    def working_weekdays(self) -> tuple[str, ...]:
        """The weekdays with some working time."""
        return tuple(d for d in WEEKDAYS if self.day_hours(d))

    @property
    def minutes_per_day(self) -> float:
        return self.hours_per_day * 60.0

    @property
    def regular(self) -> bool:
        """Every working day works the same times, as long as a day of duration; no partial exceptions.

        Offsets of a regular calendar are whole working days plus a share of
        one, so dates come from numpy's business-day functions.
        """
        return (not self.week and not self.exceptions and bool(self.workdays)
                and abs(_minutes(self.hours) - self.minutes_per_day) < 1e-9)

    @property
    def weekmask(self) -> str:
        return "".join("1" if self.day_hours(d) else "0" for d in WEEKDAYS)

    @property
    def busdaycalendar(self) -> np.busdaycalendar:
        return _busdaycalendar(self.weekmask, self.holidays)

    def work_table(self, origin, days: int):
        """The :class:`~pmsim.calendar.worktime.WorkTable` of the ``days`` days from ``origin`` (kept per calendar)."""
        origin = as_date("date", origin)
        days = max(int(days), 1)
        size = 1 << max(9, math.ceil(math.log2(days)))  # a table for a horizon up to the next power of two
        size = min(size, (dt.date.max - origin).days + 1)  # tables end with 9999-12-31
        return cached(self, ("work table", origin, size), lambda: build_table(self, origin, size))

    # ------------------------------------------------------------ dates of working-day offsets

    def first_workday(self, start) -> dt.date:
        """The first working day on or after ``start``."""
        d = np.datetime64(as_date("date", start), "D")
        if self.regular:
            return np.busday_offset(d, 0, roll="forward", busdaycal=self.busdaycalendar).item()
        return self.start_time(start, 0.0).date()

    def date(self, start, offset):
        """The date of working day ``offset`` (an int or array) counted from ``start``."""
        if not self.regular:
            return self.start_date(start, offset)
        off = _check_offsets(start, offset)
        base = np.datetime64(self.first_workday(start), "D")
        try:
            out = np.busday_offset(base, off.astype(np.int64), roll="forward", busdaycal=self.busdaycalendar)
        except OverflowError:
            out = np.asarray(_LAST_DAY + 1 if off.max() > 0 else _FIRST_DAY - 1)
        out = _in_range(start, off, out)
        return out.item() if out.ndim == 0 else out

    def start_date(self, start, offset):
        """The date a task starting at ``offset`` working days begins work.

        >>> Calendar().start_date("2027-01-04", 2.5)   # during day 2, Wed 6 Jan
        datetime.date(2027, 1, 6)
        """
        if self.regular:
            return self.date(start, np.floor(_check_offsets(start, offset) + 1e-9))
        return _dates(self.start_time(start, offset))

    def finish_date(self, start, offset):
        """The last working day of a task finishing at ``offset`` (end of that day).

        >>> Calendar().finish_date("2027-01-04", 5)    # five days from Monday end on Friday
        datetime.date(2027, 1, 8)
        """
        if self.regular:
            last = np.maximum(np.ceil(_check_offsets(start, offset) - 1e-9) - 1, 0)
            return self.date(start, last)
        return _dates(self.finish_time(start, offset))

    def offset(self, start, date) -> float:
        """Working days from ``start`` to ``date`` (``date`` itself not counted)."""
        if self.regular:
            base = np.datetime64(self.first_workday(start), "D")
            return int(np.busday_count(base, np.datetime64(as_date("date", date), "D"),
                                       busdaycal=self.busdaycalendar))
        return self.working_offset(start, as_datetime("date", as_date("date", date)))

    # ------------------------------------------------------------ times of working-time offsets

    def start_time(self, start, offset):
        """The date and time work resumes at ``offset`` working days from ``start``: the next working moment."""
        return self._times(start, offset, "start")

    def finish_time(self, start, offset):
        """The date and time ``offset`` working days from ``start`` are done: the end of that working moment."""
        return self._times(start, offset, "finish")

    def _times(self, start, offset, side: str):
        origin = as_date("date", start)
        off = _check_offsets(start, offset)
        work = np.maximum(off, 0.0) * self.minutes_per_day
        top = float(np.max(work)) if work.size else 0.0
        table = self.table_for_work(origin, top)
        minutes = table.time_at(work, side)
        out = np.datetime64(origin, "m") + np.round(minutes).astype("timedelta64[m]")
        _in_range(start, off, out.astype("datetime64[D]"))
        return out.item() if out.ndim == 0 else out.astype("datetime64[m]")

    def working_offset(self, start, when) -> float:
        """Working days from ``start`` (its midnight) to the moment ``when``."""
        origin = as_date("date", start)
        moment = as_datetime("date", when)
        elapsed = (moment - dt.datetime(origin.year, origin.month, origin.day)).total_seconds() / 60.0
        if elapsed <= 0:
            return 0.0
        table = self.work_table(origin, math.ceil(elapsed / MINUTES_PER_DAY) + 1)
        return float(table.work_at(elapsed)) / self.minutes_per_day

    def table_for_work(self, origin, work_minutes: float):
        """A work table from ``origin`` long enough to hold ``work_minutes`` of working time."""
        days = 366
        while True:
            table = self.work_table(origin, days)
            if table.total >= work_minutes:
                return table
            if days > 400 * 366:
                raise ValidationError(
                    f"Calendar {self.id or ''}: {work_minutes / self.minutes_per_day:,.0f} working days from "
                    f"{origin} reach beyond 400 years; check the durations and lags that lead there")
            days *= 2


def _dates(values):
    arr = np.asarray(values, dtype="datetime64[m]").astype("datetime64[D]")
    return arr.item() if arr.ndim == 0 else arr


def elapsed_working_days(project, dates) -> np.ndarray:
    """Working days elapsed by the end of each date, counted from the project start.

    A date before the start gives 0; a non-working day counts what was done by
    the working day before it.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=1)])
    >>> elapsed_working_days(p, ["2027-01-04", "2027-01-08", "2027-01-09", "2027-01-11"]).tolist()
    [1.0, 5.0, 5.0, 6.0]
    """
    days = np.asarray(pd.to_datetime(np.atleast_1d(np.asarray(dates, dtype=object))).values, dtype="datetime64[D]")
    cal = project.calendar
    if cal.regular:
        # Calendar.offset of the next day, vectorised: the working days before the end of each date.
        day0 = np.datetime64(cal.first_workday(project.start), "D")
        counted = np.busday_count(day0, days + np.timedelta64(1, "D"), busdaycal=cal.busdaycalendar)
        return np.maximum(counted, 0).astype(np.float64)
    origin = np.datetime64(as_date("start", project.start), "D")
    elapsed = ((days + np.timedelta64(1, "D")) - origin).astype(np.int64) * float(MINUTES_PER_DAY)
    table = cal.work_table(project.start, int(max(elapsed.max(), 0) // MINUTES_PER_DAY) + 2)
    return np.maximum(table.work_at(np.maximum(elapsed, 0.0)), 0.0) / cal.minutes_per_day

