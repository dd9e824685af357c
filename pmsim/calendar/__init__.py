"""Working calendars: when work happens, and the dates and times of working-time offsets.

A :class:`Calendar` holds working times within the day for each weekday,
holidays and exceptions, and the length of a day of duration
(``hours_per_day``). Time inside pmsim is working time; a calendar turns it
into dates and times at the edges (:meth:`Calendar.start_date`,
:meth:`Calendar.finish_date`, :meth:`Calendar.start_time`,
:meth:`Calendar.finish_time`, :meth:`Calendar.offset`), through a
:class:`~pmsim.calendar.worktime.WorkTable` of its working intervals.
"""

from .model import (
    DEFAULT_HOURS,
    WEEKDAYS,
    Calendar,
    CalendarException,
    as_date,
    as_datetime,
    elapsed_working_days,
    parse_hours,
    parse_weekdays,
)

__all__ = ["Calendar", "CalendarException", "WEEKDAYS", "DEFAULT_HOURS", "as_date", "as_datetime",
           "elapsed_working_days", "parse_hours", "parse_weekdays"]
