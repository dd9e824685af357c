"""XER calendars: P6's ``clndr_data`` text written and read, and the project calendar chosen.

:func:`clndr_data` writes a pmsim calendar (an 8-hour day on the working
weekdays, holidays as exceptions); :func:`read_calendars` reads the
calendars a project's activities use and picks the project calendar.
"""

from __future__ import annotations

import datetime as dt
import re

from ...calendar import Calendar
from ...errors import FileFormatError, PmsimError
from .fields import HOURS_PER_DAY
from .tables import Tables

EPOCH = dt.date(1899, 12, 30)  # day 0 of clndr_data exception dates
_DAY_NUMBER = {"Sun": 1, "Mon": 2, "Tue": 3, "Wed": 4, "Thu": 5, "Fri": 6, "Sat": 7}


def clndr_data(calendar: Calendar) -> str:
    """The structured text P6 keeps a calendar in."""
    hours = "(0||0(s|08:00|f|12:00)())(0||1(s|13:00|f|17:00)())"
    days = "".join(
        f"(0||{_DAY_NUMBER[d]}()({hours if d in calendar.workdays else ''}))"
        for d in ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
    )
    exceptions = "".join(f"(0||{k}(d|{(day - EPOCH).days})())" for k, day in enumerate(calendar.holidays))
    return (f"(0||CalendarData()((0||DaysOfWeek()({days}))(0||VIEW(ShowTotal|Y)())"
            f"(0||Exceptions()({exceptions}))))")


def read_calendars(tables: Tables, rows: dict[str, dict], tasks: list[dict], default: str):
    """The calendars the activities use, by ``clndr_id``, as (pmsim calendar, hours per day), and the
    project calendar's id: the one most activities use (ties: ``default``, the project's).

    ``rows`` are the CALENDAR rows by id, ``tasks`` the project's TASK rows;
    an activity without a calendar gets ``default``. Activities on another
    calendar than the project's are noted.
    """
    for t in tasks:
        # An activity without a calendar uses the project's.
        if not t.get("clndr_id", "").strip():
            t["clndr_id"] = default
    use = {}
    for t in tasks:
        use[t["clndr_id"]] = use.get(t["clndr_id"], 0) + 1
    ranked = sorted((c for c in use if c in rows), key=lambda c: (-use[c], c != default))
    main = ranked[0] if ranked else (default if default in rows else next(iter(rows)))
    calendars = {}
    for cid in set(use) | {main}:
        if cid in rows:
            calendars[cid] = read_calendar(tables, rows[cid])
    calendar, hpd = calendars[main]
    for cid in use:
        if cid != main:
            other = calendars.get(cid)
            if other is None or other[0] != calendar or other[1] != hpd:
                names = [t.get("task_code") or t.get("task_id") for t in tasks if t.get("clndr_id") == cid]
                for n in names:
                    tables.notes.note("activity calendars other than the project calendar", n,
                                      "activities follow the project calendar")
    return calendars, main


def read_calendar(tables: Tables, row: dict) -> tuple[Calendar, float]:
    """(pmsim calendar, hours per day) of a CALENDAR row."""
    where = tables.where("CALENDAR", row)
    name = row.get("clndr_name") or row.get("clndr_id")
    label = f"{where} (calendar {name!r})"
    data = row.get("clndr_data", "").strip()
    workdays, holidays, day_hours = ["Mon", "Tue", "Wed", "Thu", "Fri"], [], {}
    if data:
        root = parse_structured(data, f"{tables.path}: {label}")[0]
        if root["name"].lower() != "calendardata":
            found = _child(root, "CalendarData")
            root = found or root
        days = _child(root, "DaysOfWeek")
        if days is not None:
            workdays = []
            names = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
            for day in days["children"]:
                if not re.fullmatch(r"0*[1-7]", day["name"]):  # 1 = Sunday ... 7 = Saturday
                    continue
                hours = _hours(day)
                if hours > 0:
                    d = names[int(day["name"]) - 1]
                    workdays.append(d)
                    day_hours[d] = hours
        exceptions = _child(root, "Exceptions")
        for ex in ([] if exceptions is None else exceptions["children"]):
            serial = ex["attrs"].get("d", "")
            try:
                day = EPOCH + dt.timedelta(days=int(float(serial)))
            except (ValueError, OverflowError):
                tables.fail(label, f"exception date d|{serial} is not a day number")
            if _hours(ex) > 0:
                tables.notes.note("calendar exceptions with working times", f"calendar {name!r} {day}",
                                  "pmsim calendars have non-working days only")
                continue
            holidays.append(day)
    else:
        tables.notes.note("calendars without data (Monday to Friday assumed)", f"calendar {name!r}")
    if not workdays:
        tables.fail(label, "no working weekday")
    hpd = tables.number(row, "day_hr_cnt", "CALENDAR")
    if not hpd or hpd <= 0:
        hpd = (sum(day_hours.values()) / len(day_hours)) if day_hours else HOURS_PER_DAY
    odd = [d for d, h in day_hours.items() if abs(h - hpd) > 1e-6]
    if odd:
        tables.notes.note("working hours that differ from the hours per day", f"calendar {name!r} {', '.join(odd)}",
                          f"pmsim counts every working day as one day of {hpd:g} hours")
    try:
        cal = Calendar(workdays=workdays, holidays=holidays)
    except PmsimError as exc:
        raise exc.with_context(f"{tables.path}: {label}") from None
    return cal, hpd


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

    out = [record(0)]
    return out


def _child(node: dict, name: str) -> dict | None:
    for c in node["children"]:
        if c["name"].lower() == name.lower():
            return c
    return None


def _clock(text: str) -> float | None:
    """Minutes after midnight of '08:00' or '8:00 AM'."""
    text = text.strip().upper()
    for fmt in ("%H:%M", "%I:%M %p", "%H:%M:%S"):
        try:
            t = dt.datetime.strptime(text, fmt)
            return t.hour * 60 + t.minute
        except ValueError:
            continue
    return None


def _hours(node: dict) -> float:
    total = 0.0
    for period in node["children"]:
        a, b = _clock(period["attrs"].get("s", "")), _clock(period["attrs"].get("f", ""))
        if a is None or b is None:
            continue
        span = b - a
        # "00:00" as a finish is the end of the day.
        total += span if span > 0 else span + 1440
    return total / 60

