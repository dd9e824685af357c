"""Calendars in the table format, both ways.

A row of the ``calendars`` table (or ``project.toml``'s ``[calendar]``):
working weekdays, working times per day and per weekday, hours per day and
exceptions, read into a :class:`~pmsim.calendar.Calendar` and written back
as the same cells.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from ..calendar import DEFAULT_HOURS, WEEKDAYS, Calendar, CalendarException, as_date, parse_hours, parse_weekdays
from ..calendar.model import hours_text
from ..errors import PmsimError, ValidationError
from .cells import _WEEK_COLUMNS, _cell, _date, _in_context, _list, _number, _text

__all__ = ["weekdays_text", "exceptions_text", "parse_exceptions"]

_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
# FIRST[..LAST] [name or "quoted name"][: working times or none]
_EXCEPTION = re.compile(
    rf'(?P<first>{_ISO_DAY})(?:\s*\.\.\s*(?P<last>{_ISO_DAY}))?'
    rf'(?:\s+(?:"(?P<quoted>(?:[^"]|"")*)"|(?P<name>[^:;"]*?)))?\s*(?::(?P<hours>.*))?', re.DOTALL)
_SPAN_START = re.compile(r"\d{1,2}:\d{2}\s*(?:-|–|to\b)", re.IGNORECASE)
_EXCEPTION_EXAMPLE = "such as '2027-12-24: 08:00-12:00' or '2027-12-27..2027-12-31 Shutdown: none'"


def _none(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == "none"


def _spans(value, where: str) -> tuple:
    """Working times of a cell: ``"08:00-12:00; 13:00-17:00"``, ``"none"`` (no working time), or a list of spans."""
    if isinstance(value, (list, tuple)):  # TOML: hours = ["08:00-12:00", "13:00-17:00"]
        value = "; ".join(_text(v) for v in value) or "none"
    if _none(value):
        return ()
    return parse_hours(_text(value), where)


def weekdays_text(days) -> str:
    """Weekdays as a cell, runs of three or more as ranges: ``"Mon-Thu; Sat"``; ``"none"`` when empty.

    >>> weekdays_text(("Mon", "Tue", "Wed", "Thu", "Sat")), weekdays_text(("Sat", "Sun")), weekdays_text(())
    ('Mon-Thu; Sat', 'Sat; Sun', 'none')
    >>> weekdays_text(("Mon", "Tue", "Wed", "Thu", "Sun"))
    'Sun-Thu'
    """
    index = sorted(WEEKDAYS.index(d) for d in days)
    runs: list[list[int]] = []
    for i in index:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # a week that works across Sunday: Sun-Thu
        runs[0] = runs.pop() + runs[0]
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]}-{WEEKDAYS[run[-1]]}")
        else:
            parts.extend(WEEKDAYS[i] for i in run)
    return "; ".join(parts) or "none"


def _split_outside_quotes(text: str) -> list[str]:
    items, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            items.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf))
    return [item.strip() for item in items if item.strip()]


def parse_exceptions(value, owner: str = "exceptions") -> tuple[CalendarException, ...]:
    """Calendar exceptions from text: ``FIRST[..LAST] [name]: working times`` items separated by ``;``.

    The working times are those of :func:`pmsim.calendar.parse_hours` (spans
    separated by ``,``, or by ``;`` when the next item starts with a date), or
    ``none`` for days without work, which is also what an item without ``:``
    means. A name with ``:``, ``;`` or ``"`` goes in double quotes (``""`` for
    a quote). ``value`` may also be a list of such texts, or of tables with
    keys ``first``, ``last``, ``hours``, ``name`` (TOML).

    >>> e = parse_exceptions("2027-12-24 Christmas Eve: 08:00-12:00; 2027-12-27..2027-12-31: none")
    >>> [(x.first.isoformat(), x.last.isoformat(), x.hours, x.name) for x in e]
    [('2027-12-24', '2027-12-24', ((480, 720),), 'Christmas Eve'), ('2027-12-27', '2027-12-31', (), '')]
    """
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[CalendarException] = []
    for item in items:
        if isinstance(item, CalendarException):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(_exception_table(item, owner))
        elif _cell(item) is not None:
            out.extend(_exception_items(_text(item), owner))
    return tuple(out)


def _exception_table(item: Mapping, owner: str) -> CalendarException:
    unknown = [k for k in item if k not in ("first", "last", "hours", "name")]
    if unknown or "first" not in item:
        raise ValidationError(f"{owner}: an exception table has keys first (required), last, hours, name; "
                              f"got {', '.join(map(repr, item))}")
    first = as_date(f"{owner}, exception", _cell(item["first"]))
    where = f"{owner}, exception {first}"
    last = None if _cell(item.get("last")) is None else as_date(where, _cell(item["last"]))
    hours = () if _cell(item.get("hours")) is None else _spans(item["hours"], where)
    try:
        return CalendarException(first, last, hours, _text(item.get("name")))
    except PmsimError as exc:
        raise exc.with_context(owner) from None


def _exception_items(text: str, owner: str) -> list[CalendarException]:
    parsed: list[list] = []  # [first, last, name, [pieces of working times]]
    for token in _split_outside_quotes(text):
        m = _EXCEPTION.fullmatch(token)
        if m:
            name = m["quoted"].replace('""', '"') if m["quoted"] is not None else (m["name"] or "")
            pieces = [] if m["hours"] is None else [m["hours"].strip()]
            parsed.append([m["first"], m["last"], name, pieces])
        elif parsed and _SPAN_START.match(token):
            parsed[-1][3].append(token)
        else:
            raise ValidationError(f"{owner}: cannot read exception {token!r}; write FIRST[..LAST] [name]: "
                                  f"working times, {_EXCEPTION_EXAMPLE}")
    out = []
    for first, last, name, pieces in parsed:
        where = f"{owner}, exception {first}"
        pieces = [p for p in pieces if p]
        if any(_none(p) for p in pieces) and len(pieces) > 1:
            raise ValidationError(f"{where}: 'none' and working times together; give one or the other")
        hours = () if not pieces or _none(pieces[0]) else parse_hours("; ".join(pieces), where)
        first, last = as_date(where, first), None if last is None else as_date(where, last)
        try:
            out.append(CalendarException(first, last, hours, name))
        except PmsimError as exc:
            raise exc.with_context(owner) from None
    return out


def _exception_text(e: CalendarException) -> str:
    days = e.first.isoformat() + ("" if e.last == e.first else f"..{e.last.isoformat()}")
    name = e.name
    if name and (name != name.strip() or re.search(r'[:;"\n\r]', name) or name.startswith("..")):
        name = '"' + name.replace('"', '""') + '"'
    hours = ", ".join(hours_text((span,)) for span in e.hours) or "none"
    return f"{days}{' ' + name if name else ''}: {hours}"


def exceptions_text(exceptions) -> list[str]:
    """Each exception as the text :func:`parse_exceptions` reads.

    >>> exceptions_text([CalendarException("2027-12-24", hours="08:00-12:00; 13:00-15:00", name="Eve")])
    ['2027-12-24 Eve: 08:00-12:00, 13:00-15:00']
    """
    return [_exception_text(e) for e in exceptions]


def _relabel(exc: PmsimError, context: str) -> PmsimError:
    """``exc``, raised by a parser given the owner ``"_"``, with ``context`` in that owner's place."""
    message = str(exc)
    if message.startswith(("_: ", "_, ")):
        message = message[3:]
    new = exc.with_context(context)
    new.args = (f"{context}: {message}",) + tuple(new.args[1:])
    return new


def _weekday_cell(value) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return parse_weekdays([x for x in value if _cell(x) is not None], "_")
    return () if _none(value) or _cell(value) is None else parse_weekdays(_text(value), "_")


def _build_calendar(fields: Mapping, where, context: str) -> Calendar:
    """A Calendar from the cells (or settings) of the calendars format; ``fields`` holds only what is given.

    ``where(key)`` names a field in messages, ``context`` the whole calendar.
    An empty ``workdays`` (``[]``, ``""``, ``none``) means no weekday works
    the usual ``hours``, which is refused unless some weekday has its own.
    """
    def read(key, parse):
        try:
            return parse(fields[key])
        except PmsimError as exc:
            raise _relabel(exc, where(key)) from None

    kwargs: dict = {}
    if "workdays" in fields:
        kwargs["workdays"] = read("workdays", _weekday_cell)
    if "hours" in fields:
        kwargs["hours"] = read("hours", lambda v: _spans(v, "_"))
    week = {day.title(): read(day, lambda v: _spans(v, "_")) for day in _WEEK_COLUMNS if day in fields}
    if "workdays" in kwargs and not kwargs["workdays"] and not any(week.values()):
        raise ValidationError(f"{where('workdays')}: no working weekday; name them (such as 'Mon-Fri'), "
                              "give a weekday its own working times, or leave workdays out for Mon-Fri")
    if "holidays" in fields:
        value = fields["holidays"]
        items = value if isinstance(value, (list, tuple)) else _list(value)
        kwargs["holidays"] = tuple(_date(h, where("holidays")) for h in items if _cell(h) is not None)
    if "exceptions" in fields:
        kwargs["exceptions"] = read("exceptions", lambda v: parse_exceptions(v, "_"))
    if "hours_per_day" in fields:
        try:
            kwargs["hours_per_day"] = _number(fields["hours_per_day"], "hours_per_day")
        except PmsimError as exc:
            raise _in_context(exc, context) from None
    for key in ("id", "name"):
        if key in fields:
            kwargs[key] = _text(fields[key])
    try:
        return Calendar(week=week, **kwargs)
    except PmsimError as exc:
        raise _in_context(exc, context, f"Calendar {kwargs['id']!r}" if kwargs.get("id") else "Calendar") from None


def _default_hours_per_day(cal: Calendar) -> float:
    return replace(cal, hours_per_day=None).hours_per_day


def _calendar_fields(cal: Calendar) -> dict:
    """The fields of a calendar as the settings hold them (lists for workdays, holidays and exceptions)."""
    fields: dict = {"workdays": list(cal.workdays), "holidays": list(cal.holidays)}
    if cal.hours != DEFAULT_HOURS or not cal.workdays:
        fields["hours"] = hours_text(cal.hours) or "none"
    for day, spans in cal.week:
        fields[day.lower()] = hours_text(spans)
    if cal.hours_per_day != _default_hours_per_day(cal):
        fields["hours_per_day"] = cal.hours_per_day
    if cal.exceptions:
        fields["exceptions"] = exceptions_text(cal.exceptions)
    if cal.id:
        fields["id"] = cal.id
    if cal.name:
        fields["name"] = cal.name
    return fields


def _calendar_row(cal: Calendar) -> dict:
    """A row of the calendars table."""
    fields = _calendar_fields(cal)
    return {**fields, "id": cal.id, "name": cal.name, "workdays": weekdays_text(cal.workdays),
            "hours": hours_text(cal.hours) or "none",
            "holidays": "; ".join(d.isoformat() for d in cal.holidays),
            "exceptions": "; ".join(fields.get("exceptions", ()))}


