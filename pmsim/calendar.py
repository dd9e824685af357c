"""Working calendars: working weekdays and holidays, and the dates of working-day offsets.

Time inside pmsim is working days from the project start; a :class:`Calendar`
turns it into dates at the edges (:meth:`Calendar.start_date`,
:meth:`Calendar.finish_date`, :meth:`Calendar.offset`). :func:`as_date` reads
any date-like value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cache import memoized
from .errors import ValidationError

__all__ = ["Calendar", "WEEKDAYS", "as_date", "elapsed_working_days"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def as_date(owner: str, value) -> dt.date:
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


@memoized(maxsize=64)
def _busdaycalendar(weekmask: str, holidays: tuple) -> np.busdaycalendar:
    # Built once per calendar (kept outside the object: it does not pickle).
    return np.busdaycalendar(weekmask=weekmask, holidays=list(holidays))


@dataclass(frozen=True)
class Calendar:
    """Working weekdays and holidays; turns working-day offsets into dates.

    Offset 0 is the first working day on or after the project start. A task
    that starts at offset ``s`` works on day ``floor(s)``; one that finishes at
    offset ``f`` last works on day ``ceil(f) - 1``.

    >>> cal = Calendar(holidays=("2027-01-06",))
    >>> cal.date(dt.date(2027, 1, 4), 3)          # Mon 4 Jan, skip Wed 6 Jan
    datetime.date(2027, 1, 8)
    >>> cal.offset(dt.date(2027, 1, 4), dt.date(2027, 1, 11))
    4
    """

    workdays: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    holidays: tuple[dt.date, ...] = ()

    def __post_init__(self):
        days = (self.workdays,) if isinstance(self.workdays, str) else tuple(self.workdays)
        norm = []
        for d in days:
            key = str(d).strip()[:3].title()
            if key not in WEEKDAYS:
                raise ValidationError(f"Calendar: unknown weekday {d!r}; use {', '.join(WEEKDAYS)}")
            if key not in norm:
                norm.append(key)
        if not norm:
            raise ValidationError("Calendar: at least one working weekday is needed")
        object.__setattr__(self, "workdays", tuple(sorted(norm, key=WEEKDAYS.index)))
        # One holiday given as a string or date, like one weekday above, is not a sequence of characters.
        holidays = (self.holidays,) if isinstance(self.holidays, (str, dt.date)) else self.holidays
        hol = sorted({as_date("Calendar holiday", h) for h in holidays})
        object.__setattr__(self, "holidays", tuple(hol))

    @property
    def weekmask(self) -> str:
        return "".join("1" if d in self.workdays else "0" for d in WEEKDAYS)

    @property
    def busdaycalendar(self) -> np.busdaycalendar:
        return _busdaycalendar(self.weekmask, self.holidays)

    def first_workday(self, start) -> dt.date:
        """The first working day on or after ``start``."""
        d = np.datetime64(as_date("date", start), "D")
        return np.busday_offset(d, 0, roll="forward", busdaycal=self.busdaycalendar).item()

    def date(self, start, offset):
        """The date of working day ``offset`` (an int or array) counted from ``start``."""
        base = np.datetime64(self.first_workday(start), "D")
        off = np.asarray(offset)
        out = np.busday_offset(base, off.astype(np.int64), roll="forward", busdaycal=self.busdaycalendar)
        return out.item() if out.ndim == 0 else out

    def start_date(self, start, offset):
        """The date a task starting at ``offset`` working days begins work.

        >>> Calendar().start_date("2027-01-04", 2.5)   # during day 2, Wed 6 Jan
        datetime.date(2027, 1, 6)
        """
        return self.date(start, np.floor(np.asarray(offset, dtype=float) + 1e-9))

    def finish_date(self, start, offset):
        """The last working day of a task finishing at ``offset`` (end of that day).

        >>> Calendar().finish_date("2027-01-04", 5)    # five days from Monday end on Friday
        datetime.date(2027, 1, 8)
        """
        last = np.maximum(np.ceil(np.asarray(offset, dtype=float) - 1e-9) - 1, 0)
        return self.date(start, last)

    def offset(self, start, date) -> int:
        """Working days from ``start`` to ``date`` (``date`` itself not counted)."""
        base = np.datetime64(self.first_workday(start), "D")
        return int(np.busday_count(base, np.datetime64(as_date("date", date), "D"), busdaycal=self.busdaycalendar))

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
    # Calendar.offset of the next day, vectorised: the working days before the end of each date.
    day0 = np.datetime64(cal.first_workday(project.start), "D")
    counted = np.busday_count(day0, days + np.timedelta64(1, "D"), busdaycal=cal.busdaycalendar)
    return np.maximum(counted, 0).astype(np.float64)
