"""The columns of the table format and how one cell is read.

The column names of the ``tasks``, ``resources``, ``risks`` and ``calendars``
tables and the settings keys of ``project.toml``, and the parsers of one
cell (numbers, flags, dates and moments, constraints, links, demands), shared
by the reader (:mod:`pmsim.model.tables`) and the writer
(:mod:`pmsim.model.frames`). The format is described in ``docs/file-format.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings

import numpy as np
import pandas as pd

from ..calendar import WEEKDAYS, as_date
from ..distributions import finite_number
from ..errors import PmsimError, PmsimWarning, ValidationError

__all__ = ["TASK_COLUMNS", "RESOURCE_COLUMNS", "RISK_COLUMNS", "CALENDAR_COLUMNS", "SETTINGS_KEYS", "CALENDAR_KEYS",
           "NUMERIC_COLUMNS", "OPTIONAL_COLUMNS", "format_number", "moment_text"]

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


