"""The table format: a project as four pandas tables and its settings.

:func:`project_parts` reads the ``tasks``, ``resources``, ``risks`` and
``calendars`` tables and the ``project.toml`` settings into validated entities
(the Project is built from them in :mod:`pmsim.model.project`);
:func:`project_to_frames` writes a project back. CSV folders and workbooks
both use this format; its columns and cells are described in
``docs/file-format.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from pathlib import Path
from collections.abc import Mapping
from dataclasses import dataclass, fields as dataclass_fields, replace

import numpy as np
import pandas as pd

from ..distributions import Discrete, Distribution, Fixed, finite_number, make_estimate
from ..throughput import BACKLOG_LEVER_COLUMNS, Backlog, read_history, read_range
from ..errors import (
    CycleError,
    DuplicateIdError,
    FileFormatError,
    PmsimError,
    PmsimWarning,
    UnknownReferenceError,
    ValidationError,
)
from ..calendar import DEFAULT_HOURS, WEEKDAYS, Calendar, CalendarException, as_date, parse_hours, parse_weekdays
from ..calendar.model import hours_text
from .checks import check_branches, check_level_of_effort
from .entities import LINK_TYPES, Dependency, Resource, Risk, Task, _moment, valid_id

__all__ = [
    "ProjectParts",
    "project_parts",
    "table_labels",
    "project_to_frames",
    "format_number",
    "TASK_COLUMNS",
    "RESOURCE_COLUMNS",
    "RISK_COLUMNS",
    "CALENDAR_COLUMNS",
    "SETTINGS_KEYS",
    "CALENDAR_KEYS",
    "NUMERIC_COLUMNS",
    "OPTIONAL_COLUMNS",
    "moment_text",
    "weekdays_text",
    "exceptions_text",
    "parse_exceptions",
]

_WEEK_COLUMNS = tuple(d.lower() for d in WEEKDAYS)  # mon ... sun: a weekday's own working times
TASK_COLUMNS = (
    "id", "name", "phase", "duration", "optimistic", "most_likely", "pessimistic",
    "distribution", "lambda", "values", "items", "history", "growth", "arrivals", "split", "predecessors", "resources",
    "fixed_cost", "cost_per_day", "milestone",
    "calendar", "constraint", "constraint_date", "secondary_constraint", "secondary_constraint_date",
    "deadline", "actual_start", "actual_finish", "remaining_duration", "percent_complete", "actual_cost",
    "existence", "branch",
    "ev_method", "level_of_effort",
    "crash_duration", "crash_cost",
)
RESOURCE_COLUMNS = ("id", "name", "capacity", "cost_per_day", "calendar", "rate_optimistic", "rate_most_likely",
                    "rate_pessimistic", "escalation")
RISK_COLUMNS = (
    "id", "name", "kind", "probability", "tasks", "optimistic", "most_likely", "pessimistic",
    "distribution", "lambda", "values", "cost_impact",
    "post_probability", "post_optimistic", "post_most_likely", "post_pessimistic", "post_cost_impact", "response_cost",
)
CALENDAR_COLUMNS = ("id", "name", "workdays", "hours", *_WEEK_COLUMNS, "hours_per_day", "holidays", "exceptions")
SETTINGS_KEYS = ("name", "start", "currency", "budget", "deadline", "description", "calendar",
                 "status_date", "must_finish_by", "lag_calendar", "total_float", "progress_rule",
                 "honor_constraints", "start_time", "cost_per_day", "escalation", "escalation_date")
# The keys of a calendar given in the settings (project.toml's [calendar]): the columns of calendars.csv.
CALENDAR_KEYS = ("workdays", "holidays", "hours", *_WEEK_COLUMNS, "hours_per_day", "exceptions", "id", "name")
# Columns a writer leaves out of a file when no row uses them (a hand-written file need not have them).
OPTIONAL_COLUMNS = {
    "tasks": ("lambda", "values", "items", "history", "growth", "arrivals", "split",
              *TASK_COLUMNS[TASK_COLUMNS.index("calendar"):]),
    "resources": RESOURCE_COLUMNS[RESOURCE_COLUMNS.index("calendar"):],
    "risks": ("kind", "lambda", "values", *RISK_COLUMNS[RISK_COLUMNS.index("post_probability"):]),
    "calendars": (*_WEEK_COLUMNS, "hours_per_day", "exceptions"),
}

_ESTIMATE_COLUMNS = ("duration", "optimistic", "most_likely", "pessimistic", "values", "items")
NUMERIC_COLUMNS = frozenset({
    "duration", "optimistic", "most_likely", "pessimistic", "lambda", "fixed_cost", "cost_per_day", "capacity",
    "probability", "cost_impact", "remaining_duration", "percent_complete", "actual_cost", "hours_per_day",
    "existence", "post_probability", "post_optimistic", "post_most_likely", "post_pessimistic", "post_cost_impact",
    "response_cost", "crash_duration", "crash_cost", "rate_optimistic", "rate_most_likely", "rate_pessimistic",
    "escalation"})
_MOMENT_COLUMNS = ("constraint_date", "secondary_constraint_date", "deadline", "actual_start", "actual_finish")
# The long names of date constraints, as MS Project and P6 show them, read as their codes.
_CONSTRAINT_NAMES = {
    "assoonaspossible": "ASAP", "aslateaspossible": "ALAP",
    "startnoearlierthan": "SNET", "startnolaterthan": "SNLT", "startonorafter": "SNET", "startonorbefore": "SNLT",
    "finishnoearlierthan": "FNET", "finishnolaterthan": "FNLT", "finishonorafter": "FNET",
    "finishonorbefore": "FNLT", "muststarton": "MSO", "mustfinishon": "MFO", "mandatorystart": "MSO",
    "mandatoryfinish": "MFO", "starton": "SO", "finishon": "FO",
}
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f"}

# A signed lag in working days with an optional day suffix: "+2", "-1.5d", "+ 3 days".
_LAG = r"[+-]\s*(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*(?:days?|d)?"
_SPACED = re.compile(rf"(?P<id>.+?)\s+(?P<type>[A-Za-z]{{2}})?\s*(?P<lag>{_LAG})?", re.IGNORECASE)
_COMPACT = re.compile(rf"(?P<id>.+?)(?P<type>FS|SS|FF|SF)(?P<lag>{_LAG})?", re.IGNORECASE)


# --------------------------------------------------------------------------- cells


def format_number(value: float) -> str:
    """Write a number so that reading it back gives exactly the same float.

    Integral values are written without ``.0``; others with the shortest text
    that round-trips (Python's ``repr``).

    >>> format_number(3.0), format_number(0.1), format_number(1 / 3), format_number(-2.5)
    ('3', '0.1', '0.3333333333333333', '-2.5')
    """
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _cell(value):
    """A cell as None (not given), a stripped non-empty str, or a plain Python scalar."""
    if isinstance(value, str):  # the common case: CSV cells are all text
        return value.strip() or None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value.strip() or None
    return value


def _number(value, column: str) -> float | None:
    value = _cell(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{column} must be a number, got {value!r}")
    return finite_number(column, value)


def _text(value) -> str:
    """Text of a cell; numbers from a workbook lose a spurious ``.0``."""
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _flag(value, column: str) -> bool:
    value = _cell(value)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(f"{column} must be true or false (yes/no, 1/0), got {value!r}")


def _milestone_cell(value) -> bool | str:
    """A milestone cell: a flag, or ``start`` / ``finish`` (where the milestone sits)."""
    text = _cell(value)
    if isinstance(text, str) and _text(text).lower() in ("start", "finish"):
        return "start" if _text(text).lower() == "start" else True
    return _flag(value, "milestone")


def _list(value) -> list[str]:
    """A ``;``-separated cell as a list of non-empty stripped items."""
    return [part.strip() for part in _text(value).split(";") if part.strip()]


def _date(value, where: str) -> dt.date | None:
    value = _cell(value)
    return None if value is None else as_date(where, value)


def _moment_cell(value):
    """A date or moment cell as the model takes it: a datetime at midnight (a spreadsheet's date) is that day."""
    value = _python_moment(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def _python_moment(value):
    """A cell with numpy's and pandas' timestamps as ``datetime.datetime``."""
    value = _cell(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def moment_text(value) -> str:
    """A date (a whole day) or a moment as ISO text: ``2027-01-04``, ``2027-01-04T08:00``; ``""`` for None.

    >>> moment_text(dt.date(2027, 1, 4)), moment_text(dt.datetime(2027, 1, 4, 8))
    ('2027-01-04', '2027-01-04T08:00')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        exact = value.second == 0 and value.microsecond == 0
        return value.isoformat(timespec="minutes" if exact else "auto")
    return value.isoformat()


def _percent(value):
    """A percentage cell: ``50`` or ``"50%"`` (as a spreadsheet exports it as text)."""
    return value.strip()[:-1] if isinstance(value, str) and value.strip().endswith("%") else value


def _constraint(value):
    """A constraint cell: its code (``SNET``), also from the long name MS Project or P6 shows."""
    text = _text(value)
    return _CONSTRAINT_NAMES.get(re.sub(r"[\s_-]+", "", text.lower()), text) or None


def _warn_unknown(label: str, what: str, unknown: list, known, stacklevel: int) -> None:
    """One PmsimWarning naming the ``unknown`` columns (settings, keys) that are ignored, and the known ones."""
    if unknown:
        warnings.warn(
            f"{label}: ignoring unknown {what}(s) {', '.join(map(repr, unknown))}; "
            f"known {what}s are {', '.join(known)}",
            PmsimWarning,
            stacklevel=stacklevel + 1,
        )


def _in_context(exc: PmsimError, context: str, who: str | None = None) -> PmsimError:
    """``exc`` with ``context`` in front, dropping the model's own ``who: `` prefix."""
    message = str(exc)
    if who and message.startswith(f"{who}: "):
        message = message[len(who) + 2:]
    new = exc.with_context(context)
    new.args = (f"{context}: {message}",) + tuple(new.args[1:])
    return new


# --------------------------------------------------------------------------- calendars

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


# --------------------------------------------------------------------------- tables


class _Table:
    """One input table, its label for messages, and its rows as dicts of cells."""

    def __init__(self, frame, label: str, known: tuple[str, ...], kind: str, stacklevel: int = 5):
        if frame is None:
            frame = pd.DataFrame(columns=["id"])
        elif not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        self.label = label
        self.kind = kind
        names = {}
        for column in frame.columns:
            key = re.sub(r"\s+", "_", str(column).strip().lower())
            if key in names:
                raise FileFormatError(f"{label}: column {key!r} appears twice")
            names[key] = column
        if "id" not in names:
            found = ", ".join(repr(str(c)) for c in list(frame.columns)[:8]) or "no columns"
            raise FileFormatError(f"{label}: missing required column 'id' (the header has {found}"
                                  f"{' ...' if len(frame.columns) > 8 else ''})")
        _warn_unknown(label, "column", [str(names[k]) for k in names if k not in known], known, stacklevel=stacklevel)
        self.columns = [k for k in known if k in names]
        sub = frame[[names[k] for k in self.columns]]
        sub.columns = self.columns
        self.rows = [
            (index, {k: _cell(v) for k, v in zip(self.columns, values)})
            for index, values in zip(sub.index, sub.itertuples(index=False, name=None))
        ]

    def where(self, index, ident=None) -> str:
        row = f"{self.label}, row {index}"
        return row if ident is None else f"{row} ({self.kind} {ident!r})"


def _ids(table: _Table, kind: str) -> dict[str, object]:
    """id -> row index, checking that every id is given once."""
    seen: dict[str, object] = {}
    for index, row in table.rows:
        try:
            ident = valid_id(kind, row.get("id"))
        except PmsimError as exc:
            raise _in_context(exc, table.where(index)) from None
        if ident in seen:
            raise DuplicateIdError(
                f"{table.where(index, ident)}: {kind.lower()} id {ident!r} appears twice "
                f"(also row {seen[ident]}); ids must be unique"
            )
        seen[ident] = index
    return seen


def _backlog(row: dict, folder: Path, calendar: Calendar) -> Backlog:
    """A backlog estimate: ``items`` and a throughput ``history`` file (relative to ``folder``); a week of the history
    lasts as many working days as ``calendar`` has working weekdays, a day one."""
    others = [k for k in ("duration", "optimistic", "most_likely", "pessimistic", "values", "lambda")
              if row.get(k) is not None]
    if others:
        raise ValidationError(f"a backlog estimate reads items and history only, but {', '.join(others)} "
                              f"{'is' if len(others) == 1 else 'are'} given too and would be ignored")
    if row.get("items") is None or row.get("history") is None:
        raise ValidationError("a backlog estimate needs 'items' (the backlog's size) and 'history' (a throughput "
                              "file, relative to the project folder)")
    text = _text(row["history"])
    history = read_history(folder / text, calendar=calendar, source=str(folder / text))
    days = len(calendar.working_weekdays) if history.period == "week" else 1
    levers = {k: read_range(k, row[k]) for k in BACKLOG_LEVER_COLUMNS if row.get(k) is not None}
    return Backlog(_number(row["items"], "items"), history.completed, period_days=days, source=text, **levers)


def _estimate(row: dict, folder: Path | None = None, calendar: Calendar | None = None) -> Distribution | None:
    if str(row.get("distribution") or "").strip().lower() == Backlog.kind:
        return _backlog(row, folder if folder is not None else Path.cwd(), calendar or Calendar())
    for column in ("items", "history", *BACKLOG_LEVER_COLUMNS):
        if row.get(column) is not None:
            raise ValidationError(f"'{column}' is read only for distribution 'backlog'; give distribution "
                                  f"'backlog' or leave '{column}' empty")
    fields = {k: row.get(k) for k in ("duration", "optimistic", "most_likely", "pessimistic")}
    if all(v is None for v in fields.values()) and row.get("values") is None:
        return None
    numbers = {k: _number(v, k) for k, v in fields.items()}
    return make_estimate(
        row.get("distribution"),
        values=row.get("values"),
        lamb=_number(row.get("lambda"), "lambda"),
        **numbers,
    )


_LAG_CALENDAR = re.compile(r"(?P<link>.*\S)\s+@\s*(?P<calendar>\S.*)")


def _parse_link(token: str, task_ids: Mapping) -> tuple[str, str, float, str | None]:
    """(predecessor id, link type, lag, lag calendar) of one predecessor token."""
    if token in task_ids:
        return token, "FS", 0.0, None
    m = _LAG_CALENDAR.fullmatch(token)
    if m:  # "A FS+2 @24h": the lag counts working time of calendar 24h
        try:
            pred, kind, lag = _parse_typed_link(m["link"].strip(), task_ids)
            return pred, kind, lag, m["calendar"].strip()
        except PmsimError as exc:
            try:  # an id with " @" in it, such as "Go live @ HQ SS+2"
                return (*_parse_typed_link(token, task_ids), None)
            except PmsimError:
                raise exc from None
    return (*_parse_typed_link(token, task_ids), None)


def _parse_typed_link(token: str, task_ids: Mapping) -> tuple[str, str, float]:
    if token in task_ids:
        return token, "FS", 0.0
    for pattern in (_SPACED, _COMPACT):
        m = pattern.fullmatch(token)
        if not m or not (m["type"] or m["lag"]):
            continue
        ident = m["id"].strip()
        if ident not in task_ids and pattern is _COMPACT:
            continue
        kind = (m["type"] or "FS").upper()
        if kind not in LINK_TYPES:
            if ident in task_ids:
                raise ValidationError(
                    f"predecessor {token!r}: unknown link type {m['type']!r}; use one of FS, SS, FF, SF"
                )
            break
        if ident not in task_ids:
            raise UnknownReferenceError(f"unknown predecessor {ident!r} (in {token!r}): no task has this id")
        lag = float(re.sub(r"\s+|[a-zA-Z]+$", "", m["lag"])) if m["lag"] else 0.0
        return ident, kind, lag
    if re.search(r"\s|\+", token):
        raise ValidationError(
            f"cannot read predecessor {token!r}: it is not a task id, nor an id followed by a "
            "link type and lag such as 'A', 'A SS+2', 'A FF-1d'"
        )
    raise UnknownReferenceError(f"unknown predecessor {token!r}: no task has this id")


def _parse_predecessors(text: str, task_ids: Mapping) -> list[tuple[str, str, float, str | None]]:
    links = []
    for token in _list(text):
        try:
            links.append(_parse_link(token, task_ids))
        except PmsimError as whole:
            # MS Project separates predecessors with commas: "3,5SS+2d".
            if "," not in token:
                raise
            try:
                parts = [_parse_link(part.strip(), task_ids) for part in token.split(",") if part.strip()]
            except PmsimError:
                raise whole from None
            links.extend(parts)
    return links


def _parse_demand(text: str) -> list[tuple[str, float]]:
    demand = []
    for part in _list(text):
        rid, colon, units = part.rpartition(":")
        if not colon:
            demand.append((part, 1.0))
            continue
        rid = rid.strip()
        if not rid:
            raise ValidationError(f"resource demand {part!r}: write resource:units such as 'dev:2'")
        demand.append((rid, _number(units, f"units of resource {rid!r}")))
    return demand


# --------------------------------------------------------------------------- reading


def table_labels(source) -> dict[str, str]:
    """How messages name the tables and the settings, given a ``source``.

    ``source`` is a path or name (``"plan.xlsx"``), a dict of labels (what the
    file readers pass; missing keys get the default), or None.

    >>> table_labels("plan.xlsx")["tasks"], table_labels(None)["settings"]
    ('plan.xlsx: tasks table', 'settings')
    """
    tables = ("tasks", "resources", "risks", "calendars")
    if isinstance(source, Mapping):
        labels = dict(source)
    elif source is None:
        labels = {}
    else:
        labels = {k: f"{source}: {k} table" for k in tables}
        labels["settings"] = f"{source}: settings"
    for k in tables:
        labels.setdefault(k, f"{k} table")
    labels.setdefault("settings", "settings")
    return labels


@dataclass(frozen=True)
class ProjectParts:
    """The parts of a project read from its tables, each validated on its own.

    ``settings`` holds the Project's keyword arguments (``name``, ``start``,
    ``currency``, ``budget``, ``deadline``, ``description``, ``calendar``,
    ``calendars``, ``status_date``, ...); ``task_rows`` maps each task id to
    its row, and ``labels`` names the tables, so that :meth:`locate` can say
    where a rule the Project checks (a cycle, a deadline before the start, a
    Must Start On before the start) was broken.
    """

    tasks: tuple[Task, ...]
    dependencies: tuple[Dependency, ...]
    resources: tuple[Resource, ...]
    risks: tuple[Risk, ...]
    settings: Mapping
    task_rows: Mapping[str, object]
    labels: Mapping[str, str]

    def locate(self, exc: PmsimError) -> PmsimError:
        """``exc``, raised when the Project was built from these parts, with its table and rows in front."""
        if isinstance(exc, CycleError):
            numbers = [str(self.task_rows[t]) for t in dict.fromkeys(exc.cycle)]
            rows = ", ".join(numbers if len(numbers) <= 20 else [*numbers[:20], f"and {len(numbers) - 20:,} more"])
            return _in_context(exc, f"{self.labels['tasks']}, rows {rows}")
        message = str(exc)
        for tid, row in self.task_rows.items():  # a rule of one task the Project checks
            if message.startswith(f"Task {tid!r}: "):
                return _in_context(exc, f"{self.labels['tasks']}, row {row} (task {tid!r})", f"Task {tid!r}")
        return _in_context(exc, self.labels["settings"], f"Project {self.settings.get('name', 'project')!r}")


def project_parts(tasks, resources, risks, settings: Mapping, labels: Mapping[str, str],
                  calendars=None) -> ProjectParts:
    """Read the tables and settings of the file format into validated parts.

    Every row becomes its entity (a Calendar, a Task and its Dependencies, a
    Resource, a Risk) and the settings become the Project's keyword arguments;
    each error names the table (``labels``, see :func:`table_labels`), the row
    and the rule. The checks across the parts are the Project's, when it is
    built from them (:func:`pmsim.model.project.build_project`).

    >>> import pandas as pd
    >>> tasks = pd.DataFrame({
    ...     "id": ["A", "B", "C"],
    ...     "optimistic": [2, 1, 1], "most_likely": [3, 2, 1], "pessimistic": [7, 4, 2],
    ...     "predecessors": ["", "A SS+1", "A; B FF-0.5d"],
    ... })
    >>> parts = project_parts(tasks, None, None, {"name": "demo", "start": "2027-01-04"}, table_labels(None))
    >>> [str(d) for d in parts.dependencies], parts.settings["start"]
    (['A SS+1', 'A', 'B FF-0.5'], datetime.date(2027, 1, 4))
    """
    labels = table_labels(labels)
    known_calendars = _calendars(calendars, labels["calendars"])
    kwargs = _settings(settings, labels["settings"], known_calendars, labels["calendars"])
    if kwargs["calendar"].id:
        known_calendars = {**known_calendars, kwargs["calendar"].id: kwargs["calendar"]}

    def calendar_ref(value) -> str | None:
        cid = _cell(value)
        if cid is None:
            return None
        cid = valid_id("Calendar", cid)
        if cid not in known_calendars:
            have = (f"known calendars are {', '.join(map(repr, known_calendars))}" if known_calendars
                    else f"there is no {labels['calendars']}")
            raise UnknownReferenceError(f"unknown calendar {cid!r}; {have}")
        return cid

    task_table = _Table(tasks, labels["tasks"], TASK_COLUMNS, "task")
    # Backlog tasks' history files sit beside the tasks table's file, else in the working directory.
    history_folder = Path(labels["tasks"]).parent if Path(labels["tasks"]).is_file() else Path.cwd()
    res_table = _Table(resources, labels["resources"], RESOURCE_COLUMNS, "resource")
    risk_table = _Table(risks, labels["risks"], RISK_COLUMNS, "risk")
    if not any(c in task_table.columns for c in _ESTIMATE_COLUMNS):
        raise FileFormatError(
            f"{task_table.label}: missing an estimate column: give 'duration', or "
            "'optimistic', 'most_likely' and 'pessimistic'"
        )
    if "probability" not in risk_table.columns and risk_table.rows:
        raise FileFormatError(f"{risk_table.label}: missing required column 'probability'")
    if not task_table.rows:
        raise ValidationError(
            f"{task_table.label}: the project has no tasks (a header but no rows); "
            "a project needs at least one task"
        )

    resource_rows = _ids(res_table, "Resource")
    built_resources = []
    for index, row in res_table.rows:
        rid = valid_id("Resource", row["id"])
        try:
            built_resources.append(Resource(
                rid, _text(row.get("name")),
                capacity=_default(_number(row.get("capacity"), "capacity"), 1.0),
                cost_per_day=_default(_number(row.get("cost_per_day"), "cost_per_day"), 0.0),
                calendar=calendar_ref(row.get("calendar")),
                **{column: _number(row.get(column), column) for column in RESOURCE_COLUMNS[5:]},
            ))
        except PmsimError as exc:
            raise _in_context(exc, res_table.where(index, rid), f"Resource {rid!r}") from None

    task_rows = _ids(task_table, "Task")
    built_tasks, links = [], []
    for index, row in task_table.rows:
        tid = valid_id("Task", row["id"])
        who = f"Task {tid!r}"
        try:
            demand = _parse_demand(row.get("resources"))
            for rid, _ in demand:
                if rid not in resource_rows:
                    hint = "" if res_table.rows else f"; there is no {res_table.label}"
                    if "," in rid or (":" in rid and " " in rid):
                        hint += "; separate resources with ';', such as 'dev:1; qa:2'"
                    raise UnknownReferenceError(f"demands unknown resource {rid!r}{hint}")
            built_tasks.append(Task(
                tid, _text(row.get("name")),
                estimate=_estimate(row, history_folder, known_calendars.get(calendar_ref(row.get("calendar")),
                                                                            kwargs["calendar"])),
                resources=demand,
                fixed_cost=_default(_number(row.get("fixed_cost"), "fixed_cost"), 0.0),
                cost_per_day=_default(_number(row.get("cost_per_day"), "cost_per_day"), 0.0),
                phase=_text(row.get("phase")),
                milestone=_milestone_cell(row.get("milestone")),
                calendar=calendar_ref(row.get("calendar")),
                constraint=_constraint(row.get("constraint")),
                secondary_constraint=_constraint(row.get("secondary_constraint")),
                remaining_duration=_number(row.get("remaining_duration"), "remaining_duration"),
                percent_complete=_number(_percent(row.get("percent_complete")), "percent_complete"),
                actual_cost=_number(row.get("actual_cost"), "actual_cost"),
                existence=_default(_number(row.get("existence"), "existence"), 1.0),
                branch=_text(row.get("branch")),
                ev_method=_text(row.get("ev_method")),
                level_of_effort=_flag(row.get("level_of_effort"), "level_of_effort"),
                crash_duration=_number(row.get("crash_duration"), "crash_duration"),
                crash_cost=_number(row.get("crash_cost"), "crash_cost"),
                **{column: _moment_cell(row.get(column)) for column in _MOMENT_COLUMNS},
            ))
            seen = set()
            for pred, kind, lag, lag_calendar in _parse_predecessors(row.get("predecessors"), task_rows):
                if (pred, kind, lag) in seen:
                    raise DuplicateIdError(
                        f"predecessor {pred!r} is listed twice with the same link ({kind}, lag {lag:g}); "
                        f"two tasks can be linked again only in another way, such as '{pred} SS; {pred} FF+2'")
                seen.add((pred, kind, lag))
                try:
                    lag_calendar = calendar_ref(lag_calendar)
                except PmsimError as exc:
                    raise exc.with_context(f"predecessor {pred!r}, lag calendar") from None
                links.append(Dependency(pred, tid, kind, lag, lag_calendar=lag_calendar))
        except PmsimError as exc:
            raise _in_context(exc, task_table.where(index, tid), who) from None

    try:
        check_branches(built_tasks)
    except PmsimError as exc:
        raise _in_context(exc, task_table.label) from None
    try:
        check_level_of_effort(built_tasks, links)
    except PmsimError as exc:  # name the row of the task
        bad = next(t.id for t in built_tasks if f"Task {t.id!r}:" in str(exc))
        index = next(i for i, row in task_table.rows if valid_id("Task", row["id"]) == bad)
        raise _in_context(exc, task_table.where(index, bad), f"Task {bad!r}") from None

    _ids(risk_table, "Risk")
    built_risks = []
    for index, row in risk_table.rows:
        rid = valid_id("Risk", row["id"])
        who = f"Risk {rid!r}"
        try:
            named = _list(row.get("tasks"))
            for tid in named:
                if tid not in task_rows:
                    raise UnknownReferenceError(f"names unknown task {tid!r}")
            probability = _number(row.get("probability"), "probability")
            if probability is None:
                raise ValidationError("probability is required (a number in [0, 1])")
            built_risks.append(Risk(
                rid, _text(row.get("name")),
                probability=probability,
                tasks=tuple(named),
                impact=_estimate(row),
                cost_impact=_default(_number(row.get("cost_impact"), "cost_impact"), 0.0),
                kind=_text(row.get("kind")) or "event",
                distribution=_text(row.get("distribution")) or None,
                **{column: _number(row.get(column), column) for column in RISK_COLUMNS[RISK_COLUMNS.index(
                    "post_probability"):]},
            ))
        except PmsimError as exc:
            raise _in_context(exc, risk_table.where(index, rid), who) from None

    return ProjectParts(tuple(built_tasks), tuple(links), tuple(built_resources), tuple(built_risks),
                        kwargs, task_rows, dict(labels))


def _default(value, default):
    return default if value is None else value


def _calendars(table, label: str) -> dict[str, Calendar]:
    """The calendars table (or a sequence of Calendar objects) as id -> Calendar, in row order."""
    if table is not None and not isinstance(table, pd.DataFrame) and isinstance(table, (list, tuple)) \
            and all(isinstance(c, Calendar) for c in table):
        out = {}
        for cal in table:
            if not cal.id:
                raise ValidationError(f"{label}: every calendar needs an id (tasks and resources name it)")
            if cal.id in out:
                raise DuplicateIdError(f"{label}: calendar id {cal.id!r} appears twice; ids must be unique")
            out[cal.id] = cal
        return out
    cal_table = _Table(table, label, CALENDAR_COLUMNS, "calendar", stacklevel=6)
    _ids(cal_table, "Calendar")
    out = {}
    for index, row in cal_table.rows:
        cid = valid_id("Calendar", row["id"])
        fields = {k: v for k, v in row.items() if v is not None}
        out[cid] = _build_calendar(fields, lambda key: f"{cal_table.where(index, cid)}, column {key!r}",
                                   cal_table.where(index, cid))
    return out


def _settings(raw: Mapping, label: str, calendars: Mapping[str, Calendar], calendars_label: str) -> dict:
    """Project keyword arguments from the settings, each error naming its key."""
    raw = dict(raw)
    _warn_unknown(label, "setting", [k for k in raw if k not in SETTINGS_KEYS], SETTINGS_KEYS, stacklevel=5)
    where = lambda key: f"{label}, key {key!r}"  # noqa: E731
    start = _date(raw.get("start"), where("start"))
    if start is None:
        raise FileFormatError(f"{where('start')}: the project start date (YYYY-MM-DD) is required")
    for key in ("name", "currency", "description", "lag_calendar", "total_float", "progress_rule"):
        if isinstance(raw.get(key), (Mapping, list, tuple)):  # a TOML table or array
            raise ValidationError(f"{where(key)}: must be text, got {raw[key]!r}")
    out = {"name": _text(raw.get("name")) or "project", "start": start}
    for key in ("budget", "cost_per_day", "escalation"):
        try:
            out[key] = _number(raw.get(key), key)
        except PmsimError as exc:
            raise _in_context(exc, where(key)) from None
    for key in ("cost_per_day", "escalation"):
        if out[key] is None:
            del out[key]
    if _cell(raw.get("escalation_date")) is not None:
        out["escalation_date"] = _date(raw.get("escalation_date"), where("escalation_date"))
    out["deadline"] = _date(raw.get("deadline"), where("deadline"))
    out["currency"] = _text(raw.get("currency")) or "USD"
    out["description"] = _text(raw.get("description"))
    out["calendar"] = _calendar(raw.get("calendar"), label, calendars, calendars_label)
    out["calendars"] = tuple(calendars.values())
    for key in ("status_date", "must_finish_by"):
        out[key] = _moment(where(key), _python_moment(raw.get(key)))
    for key in ("lag_calendar", "total_float", "progress_rule"):
        if _cell(raw.get(key)) is not None:
            out[key] = _text(raw[key])
    if _cell(raw.get("start_time")) is not None:
        out["start_time"] = str(_cell(raw["start_time"])).strip()
    if _cell(raw.get("honor_constraints")) is not None:
        try:
            out["honor_constraints"] = _flag(raw["honor_constraints"], "honor_constraints")
        except PmsimError as exc:
            raise _in_context(exc, where("honor_constraints")) from None
    return out


def _calendar(value, label: str, calendars: Mapping[str, Calendar], calendars_label: str) -> Calendar:
    if value is None:
        return Calendar()
    if isinstance(value, Calendar):
        return value
    if isinstance(value, str):  # the id of a calendar of the calendars table
        cid = value.strip()
        if cid not in calendars:
            have = (f"{calendars_label} has {', '.join(map(repr, calendars))}" if calendars
                    else f"there is no {calendars_label}")
            raise UnknownReferenceError(f"{label}, key 'calendar': unknown calendar {cid!r}; {have}")
        return calendars[cid]
    if not isinstance(value, Mapping):
        raise ValidationError(f"{label}, key 'calendar': expected a calendar id, or a table with workdays, "
                              "hours and holidays")
    _warn_unknown(label, "calendar key", [k for k in value if k not in CALENDAR_KEYS], CALENDAR_KEYS, stacklevel=6)
    fields = {k: v for k, v in value.items() if k in CALENDAR_KEYS}
    return _build_calendar(fields, lambda key: f"{label}, key 'calendar.{key}'", f"{label}, key 'calendar'")


# --------------------------------------------------------------------------- writing


def _estimate_fields(estimate: Distribution) -> dict:
    if isinstance(estimate, Discrete):
        values = "; ".join(
            f"{format_number(v)}:{format_number(p)}" for v, p in zip(estimate.values, estimate.probabilities)
        )
        return {"distribution": "discrete", "values": values}
    fields = dict(estimate.to_fields())
    if not isinstance(estimate, Fixed):
        fields["distribution"] = estimate.kind
    return fields


def _link_text(dep: Dependency) -> str:
    if dep.type == "FS" and dep.lag == 0 and dep.lag_calendar is None:
        return dep.predecessor
    lag = "" if dep.lag == 0 else ("+" if dep.lag > 0 else "-") + format_number(abs(dep.lag))
    on = "" if dep.lag_calendar is None else f" @{dep.lag_calendar}"
    return f"{dep.predecessor} {dep.type}{lag}{on}"


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in columns:
        if column in NUMERIC_COLUMNS:
            frame[column] = frame[column].astype(float)
        elif column == "milestone":
            frame[column] = frame[column].map(lambda v: v if v == "start" else bool(v)).astype(object)
        else:
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), "")
    return frame


def project_to_frames(project) -> dict:
    """The project as tables and settings, the inverse of :func:`pmsim.model.project.project_from_frames`.

    Parameters
    ----------
    project : Project

    Returns
    -------
    dict
        ``tasks``, ``resources``, ``risks``, ``calendars``: DataFrames with
        every column of the format in a fixed order (numbers as floats, NaN
        where not given; text as str, ``""`` where not given, dates and
        moments as ISO text; ``milestone`` as bool), and ``settings``: a dict
        of the ``project.toml`` keys (dates as ``datetime.date``, moments as
        ``datetime.datetime``; ``budget``, ``deadline``, ``description`` and
        the scheduling settings only when set or not at their defaults;
        ``calendar`` the id of a calendar of ``calendars``, or a dict of the
        project calendar's keys).

    ``project_from_frames(**project_to_frames(p)) == p`` for every project
    whose dependencies are listed in task order (as every reader gives them).
    A lognormal estimate built from ``mu`` and ``sigma`` is written as its
    P10/P90, which reads back equal to within rounding.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=1, most_likely=2, pessimistic=4)])
    >>> f = project_to_frames(p)
    >>> f["tasks"][["id", "optimistic", "most_likely", "pessimistic", "distribution"]].to_dict("records")
    [{'id': 'A', 'optimistic': 1.0, 'most_likely': 2.0, 'pessimistic': 4.0, 'distribution': 'betapert'}]
    >>> f["settings"]["start"]
    datetime.date(2027, 1, 4)
    """
    preds: dict[str, list[str]] = {t.id: [] for t in project.tasks}
    for dep in project.dependencies:
        preds[dep.successor].append(_link_text(dep))
    tasks = []
    for t in project.tasks:
        row = {
            "id": t.id, "name": t.name, "phase": t.phase,
            "predecessors": "; ".join(preds[t.id]),
            "resources": "; ".join(f"{rid}:{format_number(u)}" for rid, u in t.resources),
            "fixed_cost": t.fixed_cost, "cost_per_day": t.cost_per_day, "milestone": t.milestone,
            "calendar": t.calendar or "",
            "constraint": "" if t.constraint == "ASAP" else t.constraint,
            "secondary_constraint": t.secondary_constraint or "",
            "remaining_duration": t.remaining_duration, "percent_complete": t.percent_complete,
            "actual_cost": t.actual_cost,
            "existence": None if t.existence == 1.0 and not t.branch else t.existence, "branch": t.branch,
            "ev_method": "" if t.ev_method in ("percent_complete", "level_of_effort" * t.level_of_effort) else t.ev_method,
            "level_of_effort": "true" if t.level_of_effort else "",
            "crash_duration": t.crash_duration, "crash_cost": t.crash_cost,
            **{column: moment_text(getattr(t, column)) for column in _MOMENT_COLUMNS},
        }
        if not t.milestone:
            row.update(_estimate_fields(t.estimate))
        else:
            row["duration"] = 0.0
        tasks.append(row)
    resources = [
        {"id": r.id, "name": r.name, "capacity": r.capacity, "cost_per_day": r.cost_per_day,
         "calendar": r.calendar or "", "rate_optimistic": r.rate_optimistic, "rate_most_likely": r.rate_most_likely,
         "rate_pessimistic": r.rate_pessimistic, "escalation": r.escalation}
        for r in project.resources
    ]
    risks = []
    for r in project.risks:
        row = {"id": r.id, "name": r.name, "kind": "" if r.kind == "event" else r.kind, "probability": r.probability,
               "tasks": "; ".join(r.tasks), "cost_impact": r.cost_impact}
        if r.impact is not None:
            fields = _estimate_fields(r.impact)
            if "duration" in fields:  # risks have no duration column: a fixed impact is its most likely
                fields = {"most_likely": fields["duration"], "distribution": "fixed"}
            row.update(fields)
        row.update(_response_row(r))
        risks.append(row)
    return {
        "tasks": _frame(tasks, TASK_COLUMNS),
        "resources": _frame(resources, RESOURCE_COLUMNS),
        "risks": _frame(risks, RISK_COLUMNS),
        "calendars": _frame([_calendar_row(c) for c in project.calendars], CALENDAR_COLUMNS),
        "settings": _settings_of(project),
    }


def _response_row(risk) -> dict:
    """A risk's response columns; its post-response impact as three points of the risk's distribution."""
    row = {"post_probability": risk.post_probability, "post_cost_impact": risk.post_cost_impact,
           "response_cost": risk.response_cost}
    post = risk.post_impact
    if post is not None:
        if post == risk.impact:
            return row  # the same impact: left empty, it keeps the pre-response one
        fields = _estimate_fields(post)
        if "duration" in fields:  # a fixed post-response impact: its most likely alone
            row["post_most_likely"] = fields["duration"]
            return row
        if risk.impact is None:
            row["distribution"] = fields.get("distribution")  # the column then describes the post-response points
        else:
            pre = _estimate_fields(risk.impact)
            if fields.get("distribution") != pre.get("distribution", "fixed"):
                raise ValidationError(f"Risk {risk.id!r}: its post-response impact ({post.kind}) cannot be written "
                                      f"as three points of its pre-response distribution ({risk.impact.kind}); "
                                      "give both the same kind")
        if set(fields) - {"optimistic", "most_likely", "pessimistic", "distribution"}:
            raise ValidationError(f"Risk {risk.id!r}: its post-response impact ({post.kind}) cannot be written as "
                                  "three points; use a triangular, Beta-PERT (lambda 4) or uniform one")
        row.update({f"post_{k}": fields[k] for k in ("optimistic", "most_likely", "pessimistic") if k in fields})
    return row


def _settings_of(project) -> dict:
    settings = {"name": project.name, "start": project.start, "currency": project.currency}
    if project.budget is not None:
        settings["budget"] = project.budget
    if project.cost_per_day:
        settings["cost_per_day"] = project.cost_per_day
    if project.escalation:
        settings["escalation"] = project.escalation
    if project.escalation_date is not None:
        settings["escalation_date"] = project.escalation_date
    if project.deadline is not None:
        settings["deadline"] = project.deadline
    if project.description:
        settings["description"] = project.description
    defaults = {f.name: f.default for f in dataclass_fields(project)}
    for key in ("status_date", "must_finish_by", "lag_calendar", "total_float", "progress_rule",
                "honor_constraints"):
        if getattr(project, key) != defaults[key]:
            settings[key] = getattr(project, key)
    if project.start_time is not None:
        settings["start_time"] = project.start_time.isoformat(timespec="minutes")
    cal = project.calendar
    listed = cal.id and any(c.id == cal.id and c == cal for c in project.calendars)
    settings["calendar"] = cal.id if listed else _calendar_fields(cal)
    return settings
