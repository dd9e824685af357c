"""P6 calendars: ``clndr_data`` text read and written, and pmsim calendars built from P6's.

A P6 calendar is a work week (working intervals per weekday, P6 day 1 =
Sunday), exceptions (single days with other working intervals, or none),
a base calendar whose exceptions (and, when the calendar has no week of its
own, whose week) it inherits, and ``day_hr_cnt``: the hours of a day of
duration, which may differ from the hours the week works. :class:`CalendarSpec`
holds one as the file has it (XER's ``clndr_data`` or P6 XML's elements);
:func:`build_calendar` turns it into a :class:`pmsim.Calendar`; :func:`clndr_data`
writes a pmsim calendar back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from ...calendar import WEEKDAYS, Calendar, CalendarException
from ...errors import FileFormatError, PmsimError
from .tables import Tables

__all__ = ["CalendarSpec", "spec_from_row", "build_calendar", "clndr_data", "DEFAULT_WEEK", "EPOCH"]

EPOCH = dt.date(1899, 12, 30)  # day 0 of clndr_data exception dates
P6_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")  # P6 day 1 = Sunday
# What P6 works when a calendar has no week (MPXJ's ProjectCalendarHelper.ensureWorkingTime).
DEFAULT_WEEK = {d: ((480, 960),) if d not in ("Sat", "Sun") else () for d in WEEKDAYS}


@dataclass
class CalendarSpec:
    """A P6 calendar as its file holds it: the week (weekday -> spans of minutes, or None when the
    file gives none), exceptions (day -> spans, ``()`` for a non-working day), the base calendar's
    key and ``day_hr_cnt`` (None when not given)."""

    key: str
    name: str
    where: str
    kind: str = ""
    project: str = ""
    base: str = ""
    hours_per_day: float | None = None
    week: dict[str, tuple] | None = None
    exceptions: dict[dt.date, tuple] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading clndr_data


def spec_from_row(tables: Tables, row: dict) -> CalendarSpec:
    """The :class:`CalendarSpec` of a CALENDAR row (its ``clndr_data`` parsed)."""
    where = tables.where("CALENDAR", row)
    name = row.get("clndr_name") or row.get("clndr_id", "")
    label = f"{where} (calendar {name!r})"
    hpd = tables.number(row, "day_hr_cnt", "CALENDAR")
    spec = CalendarSpec(key=row.get("clndr_id", "").strip(), name=name, where=label,
                        kind=row.get("clndr_type", "").strip(), project=row.get("proj_id", "").strip(),
                        base=row.get("base_clndr_id", "").strip(), hours_per_day=hpd)
    data = row.get("clndr_data", "").strip()
    if not data:
        return spec
    root = parse_structured(data, f"{tables.path}: {label}")[0]
    if root["name"].lower() != "calendardata":
        root = _child(root, "CalendarData") or root
    days = _child(root, "DaysOfWeek")
    if days is not None and days["children"]:
        spec.week = {d: () for d in WEEKDAYS}
        for day in days["children"]:
            if not re.fullmatch(r"0*[1-7]", day["name"]):  # 1 = Sunday ... 7 = Saturday; others are not days
                continue
            spec.week[P6_DAYS[int(day["name"]) - 1]] = _spans(tables, day, label)
    exceptions = _child(root, "Exceptions")
    for ex in ([] if exceptions is None else exceptions["children"]):
        serial = ex["attrs"].get("d", "")
        try:
            day = EPOCH + dt.timedelta(days=int(float(serial)))
        except (ValueError, OverflowError):
            tables.fail(label, f"exception date d|{serial} is not a day number")
        spec.exceptions[day] = _spans(tables, ex, label)
    return spec


def _spans(tables: Tables, node: dict, label: str) -> tuple:
    """The working intervals of a day record as sorted, merged (start, finish) minutes; 00:00 as a
    finish is midnight at the end of the day (00:00-00:00: round the clock)."""
    spans = []
    for period in node["children"]:
        a, b = _clock(period["attrs"].get("s", "")), _clock(period["attrs"].get("f", ""))
        if a is None or b is None:
            continue  # P6 (and MPXJ) skip incomplete intervals
        if b == 0:
            b = 1440
        if b < a:
            # An interval past midnight: P6 writes these as two; read as the two ends of the same day.
            tables.notes.inform("calendar intervals that run past midnight (read as two intervals of the day)",
                                label)
            spans += [(0, b), (a, 1440)]
        elif b > a:
            spans.append((a, b))
    return merge_spans(spans)


def merge_spans(spans) -> tuple:
    """Spans sorted, overlapping or touching ones joined."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


# --------------------------------------------------------------------------- building pmsim calendars


def build_calendar(spec: CalendarSpec, specs, tables: Tables, *, cal_id: str, name: str | None = None,
                   default_hours_per_day: float | None = None, template=None) -> Calendar:
    """The pmsim calendar of ``spec`` (``specs``: every calendar of the file by key, for base calendars).

    ``cal_id`` and ``name`` are its pmsim id and name (the P6 name by default), ``template`` the working times to name as the calendar's ``hours``
    (the most common working day's when None), ``default_hours_per_day`` P6's default
    (``PREFER.day_hr_cnt``) for a calendar without ``day_hr_cnt``.
    """
    chain = [spec]
    while chain[-1].base and chain[-1].base in specs and specs[chain[-1].base] not in chain:
        chain.append(specs[chain[-1].base])
    week = next((s.week for s in chain if s.week is not None), None)
    if week is None:
        tables.notes.inform("calendars without a work week (P6's default, Monday to Friday 08:00-16:00, is used)",
                            f"calendar {spec.name!r}")
        week = DEFAULT_WEEK
    exceptions: dict[dt.date, tuple] = {}
    for s in reversed(chain):  # the calendar's own exceptions win over its base's
        exceptions.update(s.exceptions)
    if not any(week.values()) and not any(exceptions.values()):
        tables.fail(spec.where, "no working time: no weekday has working hours (and no exception adds some)")
    hpd = next((s.hours_per_day for s in chain if s.hours_per_day is not None and s.hours_per_day > 0), None)
    if hpd is not None and hpd > 24:
        tables.notes.inform("hours per day above 24 (P6's day_hr_cnt): the hours of a working day are used",
                            f"calendar {spec.name!r} ({hpd:g})")
        hpd = None
    if hpd is None:
        hpd = default_hours_per_day
    if hpd is None:
        working = [sum(b - a for a, b in spans) for spans in week.values() if spans]
        hpd = (sum(working) / len(working) / 60.0) if working else 8.0
    if template is None:
        counts = Counter(spans for spans in (week[d] for d in WEEKDAYS) if spans)
        template = max(counts, key=lambda s: (counts[s], -min(WEEKDAYS.index(d) for d in WEEKDAYS if week[d] == s))) \
            if counts else ()
    holidays = sorted(d for d, spans in exceptions.items() if not spans)
    try:
        return Calendar(
            workdays=tuple(d for d in WEEKDAYS if week[d] and week[d] == tuple(template)),
            hours=template,
            week={d: week[d] for d in WEEKDAYS if week[d] != tuple(template)},
            holidays=holidays,
            exceptions=_exception_ranges(exceptions),
            hours_per_day=hpd, id=cal_id, name=spec.name if name is None else name,
        )
    except PmsimError as exc:
        raise exc.with_context(f"{tables.path}: {spec.where}") from None


def _exception_ranges(exceptions: dict[dt.date, tuple]) -> list[CalendarException]:
    """Working exceptions as ranges of consecutive days with the same working times."""
    out: list[list] = []
    for day in sorted(d for d, spans in exceptions.items() if spans):
        spans = exceptions[day]
        if out and out[-1][1] + dt.timedelta(days=1) == day and out[-1][2] == spans:
            out[-1][1] = day
        else:
            out.append([day, day, spans])
    return [CalendarException(a, b, hours=spans) for a, b, spans in out]


def day_spans(calendar: Calendar, day: dt.date) -> tuple:
    """The working intervals of ``day`` on ``calendar`` (exceptions, then holidays, then the week)."""
    for exc in calendar.exceptions:
        if exc.first <= day <= exc.last:
            return exc.hours
    if day in calendar.holidays:
        return ()
    return calendar.day_hours(WEEKDAYS[day.weekday()])


def day_start(calendar: Calendar, day: dt.date) -> dt.datetime:
    """When work begins on ``day`` (midnight when it does not work)."""
    spans = day_spans(calendar, day)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=spans[0][0] if spans else 0)


def day_end(calendar: Calendar, day: dt.date) -> dt.datetime:
    """When work ends on ``day`` (the next midnight when it does not work)."""
    spans = day_spans(calendar, day)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=spans[-1][1] if spans else 1440)


# --------------------------------------------------------------------------- writing clndr_data


def _hhmm(minutes: int) -> str:
    minutes %= 1440  # 24:00 is written as 00:00, as P6 does
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intervals(spans) -> str:
    return "".join(f"(0||{k}(s|{_hhmm(a)}|f|{_hhmm(b)})())" for k, (a, b) in enumerate(spans))


def clndr_data(calendar: Calendar) -> str:
    """The structured text P6 keeps a calendar in: its week, and one exception per day."""
    days = "".join(f"(0||{k}()({_intervals(calendar.day_hours(d))}))" for k, d in enumerate(P6_DAYS, 1))
    special: dict[dt.date, tuple] = {d: () for d in calendar.holidays}
    for exc in calendar.exceptions:  # an exception wins over a holiday, as when scheduling
        day = exc.first
        while day <= exc.last:
            special[day] = exc.hours
            day += dt.timedelta(days=1)
    exceptions = "".join(f"(0||{k}(d|{(day - EPOCH).days})({_intervals(special[day])}))"
                         for k, day in enumerate(sorted(special)))
    return (f"(0||CalendarData()((0||DaysOfWeek()({days}))(0||VIEW(ShowTotal|Y)())"
            f"(0||Exceptions()({exceptions}))))")


# --------------------------------------------------------------------------- clndr_data text


def parse_structured(text: str, where: str) -> list[dict]:
    """P6's structured text ``(0||Name(attr|value|...)(children...))`` as nested dicts."""
    pos = 0
    n = len(text)

    def skip():
        nonlocal pos
        while pos < n and (text[pos].isspace() or ord(text[pos]) < 32 or text[pos] == "\x7f"):
            pos += 1

    def fail(message):
        raise FileFormatError(f"{where}: calendar data unreadable at character {pos}: {message}")

    def record(depth):
        nonlocal pos
        if depth > 50:
            fail("nested too deeply")
        skip()
        if pos >= n or text[pos] != "(":
            fail("expected '('")
        pos += 1
        skip()
        start = pos
        while pos < n and text[pos].isdigit():
            pos += 1
        if pos == start:
            fail("missing record number")
        skip()
        if text[pos:pos + 2] != "||":
            fail("missing '||'")
        pos += 2
        end = text.find("(", pos)
        if end < 0:
            fail("missing '(' after the record name")
        name = text[pos:end].strip()
        pos = end + 1
        close = text.find(")", pos)
        if close < 0:
            fail("missing ')' after the attributes")
        parts = text[pos:close].split("|")
        attrs = {parts[i].strip(): parts[i + 1].strip() for i in range(0, len(parts) - 1, 2)}
        pos = close + 1
        skip()
        if pos >= n or text[pos] != "(":
            fail("expected '(' before the child records")
        pos += 1
        children = []
        while True:
            skip()
            if pos >= n:
                fail("the text ends inside a record")
            if text[pos] == ")":
                pos += 1
                break
            children.append(record(depth + 1))
        skip()
        if pos >= n or text[pos] != ")":
            fail("expected ')' closing the record")
        pos += 1
        return {"name": name, "attrs": attrs, "children": children}

    return [record(0)]


def _child(node: dict, name: str) -> dict | None:
    for c in node["children"]:
        if c["name"].lower() == name.lower():
            return c
    return None


def _clock(text: str) -> int | None:
    """Minutes after midnight of '08:00', '8:00 AM' or '08:00:00'."""
    text = text.strip().upper()
    for fmt in ("%H:%M", "%I:%M %p", "%H:%M:%S"):
        try:
            t = dt.datetime.strptime(text, fmt)
            return t.hour * 60 + t.minute
        except ValueError:
            continue
    return None
