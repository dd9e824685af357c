"""Team throughput: a history of items completed per period, and a backlog forecast as a duration estimate.

:func:`read_history` turns a table of completions per period, a list of
completion dates or a CSV file of either into a validated :class:`History`;
:class:`Backlog` is the estimate of a task whose duration is the time a team
takes to finish a backlog at that throughput (``distribution = backlog`` in
``tasks.csv``). The method: ``docs/forecasting.md``.

>>> import pmsim as pm
>>> h = read_history(["2027-01-04", "2027-01-05", "2027-01-13"])
>>> h.completed, h.period, h.first
((2.0, 1.0), 'week', datetime.date(2027, 1, 4))
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from .calendar import Calendar, as_date
from .distributions import Distribution, finite_number
from .errors import FileFormatError, ValidationError

__all__ = ["History", "read_history", "Backlog", "PERIOD_DAYS", "MAX_PERIODS", "BACKLOG_LEVER_COLUMNS", "read_range",
           "range_text"]

PERIOD_DAYS = {"day": 1, "week": 7}  # calendar days a period spans (a "day" period is a working day)
MAX_PERIODS = 9_999  # no forecast runs longer: 9,999 weeks are about 190 years, as many working days as a schedule can date
_REFERENCE_DRAWS = 16_384  # the draws that give a backlog estimate its mean, quantiles and horizon
_REFERENCE_STREAM = np.uint64(0x243F6A8885A308D3)


@dataclass(frozen=True)
class History:
    """Items completed per period, oldest first.

    Attributes
    ----------
    completed : tuple of float
        Items completed in each period (periods without a completion are 0).
    period : str
        ``"week"`` (7 calendar days) or ``"day"`` (a working day of the calendar).
    first : date or None
        The first day of the first period (None when periods were given as numbers).
    source : str
        Where it came from, for messages.
    """

    completed: tuple[float, ...]
    period: str = "week"
    first: dt.date | None = None
    source: str = "history"

    def __post_init__(self):
        if self.period not in PERIOD_DAYS:
            raise ValidationError(f"{self.source}: period must be 'week' or 'day', got {self.period!r}")
        values = tuple(float(v) for v in self.completed)
        if not values:
            raise ValidationError(f"{self.source}: the history has no periods; give at least one period's completions")
        for i, v in enumerate(values):
            if not (math.isfinite(v) and v >= 0):
                raise ValidationError(f"{self.source}: period {i + 1}: completed must be a number >= 0, got {v:g}")
        if not any(values):
            raise ValidationError(f"{self.source}: no item was completed in any of its {len(values)} periods; "
                                  "a forecast needs at least one completion")
        object.__setattr__(self, "completed", values)

    def __len__(self) -> int:
        return len(self.completed)

    @property
    def end(self) -> dt.date | None:
        """The day after the last period (where a forecast from this history starts by default)."""
        if self.first is None:
            return None
        if self.period == "week":
            return self.first + dt.timedelta(days=7 * len(self))
        return None  # working days: the calendar decides; see pmsim.forecast

    def window(self, periods: int | None) -> "History":
        """The last ``periods`` periods (all when None)."""
        if periods is None:
            return self
        periods = _whole(self.source, "window", periods, minimum=1)
        if periods >= len(self):
            return self
        cut = len(self) - periods
        first = self.first
        if first is not None and self.period == "week":
            first = first + dt.timedelta(days=7 * cut)
        elif first is not None:
            first = None  # working days: the caller re-dates through the calendar
        values = self.completed[cut:]
        if not any(values):
            raise ValidationError(f"{self.source}: no item was completed in the last {periods} periods (window); "
                                  "a forecast needs at least one completion")
        return History(values, self.period, first, self.source)


def _whole(source: str, name: str, value, minimum: int) -> int:
    v = finite_number(f"{source}: {name}", value)
    if v != int(v) or v < minimum:
        raise ValidationError(f"{source}: {name} must be a whole number >= {minimum}, got {value!r}")
    return int(v)


def _rows(frame: pd.DataFrame, source: str, row_base: int):
    for pos, (index, row) in enumerate(frame.iterrows()):
        yield (f"{source}, row {pos + row_base}" if row_base else f"{source}, row {index!r}"), row


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and not x.strip()) or (
        x is pd.NaT)


def _day(where: str, value) -> dt.date:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date()
    return as_date(where, value)


def _from_table(frame: pd.DataFrame, source: str, period: str | None, calendar: Calendar, row_base: int) -> History:
    columns = {str(c).strip().lower(): c for c in frame.columns}
    if "completed_on" in columns and "completed" not in columns:
        dates = []
        for where, row in _rows(frame, source, row_base):
            value = row[columns["completed_on"]]
            if _is_missing(value):
                raise ValidationError(f"{where}: completed_on is empty; give the date each item was completed")
            dates.append((where, _day(f"{where}: completed_on", value)))
        return _from_dates(dates, source, period or "week", calendar)
    missing = [c for c in ("period", "completed") if c not in columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "no columns"
        raise FileFormatError(f"{source}: a throughput history needs columns 'period' and 'completed' (or "
                              f"'completed_on', one completion date a row); missing {', '.join(missing)} (has {found})")
    if frame.empty:
        raise ValidationError(f"{source}: the history has no periods; give at least one period's completions")
    keys, counts = [], []
    for where, row in _rows(frame, source, row_base):
        raw = row[columns["period"]]
        if _is_missing(raw):
            raise ValidationError(f"{where}: period is empty")
        count = row[columns["completed"]]
        if _is_missing(count):
            raise ValidationError(f"{where}: completed is empty; give 0 for a period without completions")
        value = finite_number(f"{where}: completed", count)
        if value < 0:
            raise ValidationError(f"{where}: completed must be >= 0, got {value:g}")
        number = None
        if isinstance(raw, (int, np.integer)) or (isinstance(raw, (float, np.floating)) and float(raw).is_integer()):
            number = int(raw)
        elif isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            number = int(raw.strip())
        key = number if number is not None else _day(f"{where}: period", raw)
        if keys and type(key) is not type(keys[-1][1]):
            raise ValidationError(f"{where}: period {raw!r} mixes numbers and dates; give one or the other")
        if keys and key <= keys[-1][1]:
            raise ValidationError(f"{where}: period {raw} is not after the previous one ({keys[-1][1]}); "
                                  "periods must be in increasing order, each once")
        keys.append((where, key))
        counts.append(value)
    if isinstance(keys[0][1], int):
        # Numbered periods; a number left out is a period without completions.
        span = keys[-1][1] - keys[0][1] + 1
        if span > 100_000:
            raise ValidationError(f"{source}: periods {keys[0][1]} to {keys[-1][1]} span more than 100,000 periods")
        completed = np.zeros(span)
        for (_, k), c in zip(keys, counts):
            completed[k - keys[0][1]] = c
        return History(tuple(completed), period or "week", None, source)
    dates = [k for _, k in keys]
    if period is None:
        steps = {(b - a).days for a, b in zip(dates, dates[1:])}
        period = "week" if steps and all(s % 7 == 0 for s in steps) else "day"
    if period == "week":
        for (where, d), previous in zip(keys[1:], dates):
            if (d - previous).days % 7:
                raise ValidationError(f"{where}: period {d} is not a whole number of weeks after {previous}; "
                                      "weekly periods are dated by their first day, 7 days apart")
        completed = np.zeros((dates[-1] - dates[0]).days // 7 + 1)
        for d, c in zip(dates, counts):
            completed[(d - dates[0]).days // 7] += c
        return History(tuple(completed), "week", dates[0], source)
    return _on_workdays(list(zip(dates, counts)), source, calendar)


def _on_workdays(dated: list[tuple[dt.date, float]], source: str, calendar: Calendar) -> History:
    """Completions per working day of ``calendar``: a completion on a non-working day counts on the next working day."""
    cal = calendar.busdaycalendar
    days = np.busday_offset(np.array([d for d, _ in dated], dtype="datetime64[D]"), 0, roll="forward", busdaycal=cal)
    first = days[0]
    index = np.busday_count(first, days, busdaycal=cal)
    completed = np.zeros(int(index[-1]) + 1)
    np.add.at(completed, index, [c for _, c in dated])
    return History(tuple(completed), "day", first.item(), source)


def _from_dates(dates: list[tuple[str, dt.date]], source: str, period: str, calendar: Calendar) -> History:
    if not dates:
        raise ValidationError(f"{source}: the history has no completion dates; give at least one")
    for (where, d), (_, previous) in zip(dates[1:], dates):
        if d < previous:
            raise ValidationError(f"{where}: completion date {d} is before the previous one ({previous}); "
                                  "completion dates must be in order")
    if period == "day":
        return _on_workdays([(d, 1.0) for _, d in dates], source, calendar)
    # Weeks from the Monday of the first completion's week; the last week may be partial.
    monday = dates[0][1] - dt.timedelta(days=dates[0][1].weekday())
    completed = np.zeros((dates[-1][1] - monday).days // 7 + 1)
    for _, d in dates:
        completed[(d - monday).days // 7] += 1
    return History(tuple(completed), "week", monday, source)


def read_history(history, *, period: str | None = None, calendar: Calendar | None = None,
                 source: str | None = None) -> History:
    """A validated :class:`History` from a table, a list of completion dates or a CSV file.

    Parameters
    ----------
    history : DataFrame, sequence of dates, path or History
        A table with columns ``period`` (whole numbers, or each period's first
        day) and ``completed`` (items completed in it), or with one column
        ``completed_on`` (a date a row, one row per item); or a sequence of
        completion dates; or a CSV file holding either table.
    period : {"week", "day"}, optional
        The period of numbered periods and of completion dates (default
        ``"week"``); dated periods 7 days apart are weeks, otherwise days.
    calendar : Calendar, optional
        The working days of daily periods (default: Monday to Friday).
        Completions dated on a non-working day count on the next working day.
    source : str, optional
        The name used in messages (default: the file, or "history").

    Numbered or dated periods left out of a table completed nothing. Dates must
    be in order; counts must be numbers >= 0; at least one item completed.

    >>> import pandas as pd
    >>> read_history(pd.DataFrame({"period": [1, 2, 4], "completed": [3, 5, 2]})).completed
    (3.0, 5.0, 0.0, 2.0)
    >>> read_history(pd.DataFrame({"period": [1, 2], "completed": [3, -1]}))
    Traceback (most recent call last):
    pmsim.errors.ValidationError: history, row 1: completed must be >= 0, got -1
    """
    if period is not None and period not in PERIOD_DAYS:
        raise ValidationError(f"period must be 'week' or 'day', got {period!r}")
    calendar = calendar if calendar is not None else Calendar()
    if isinstance(history, History):
        return history if period in (None, history.period) else _refuse_period(history, period)
    if isinstance(history, (str, Path)):
        path = Path(history)
        label = source or str(history)
        if not path.is_file():
            raise FileFormatError(f"{label}: no such throughput history file")
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise FileFormatError(f"{label}: not a readable CSV file ({exc})") from None
        return _from_table(frame, label, period, calendar, row_base=2)
    label = source or "history"
    if isinstance(history, pd.DataFrame):
        return _from_table(history, label, period, calendar, row_base=0)
    if isinstance(history, Mapping) or not isinstance(history, (Sequence, pd.Series, pd.Index, np.ndarray)):
        raise ValidationError(f"{label}: a history is a DataFrame with 'period' and 'completed', or a sequence of "
                              f"completion dates, got {type(history).__name__}")
    dates = [(f"{label}, date {i + 1}", _day(f"{label}, date {i + 1}", d)) for i, d in enumerate(list(history))]
    return _from_dates(dates, label, period or "week", calendar)


def _refuse_period(history: History, period: str):
    raise ValidationError(f"{history.source}: the history is in {history.period}s, not {period}s")


def _pair(name: str, value, minimum: float, maximum: float) -> tuple[float, float]:
    """A value or a (low, high) range, checked."""
    lo, hi = (value, value) if np.ndim(value) == 0 else tuple(value) if len(value) == 2 else (None, None)
    if lo is None:
        raise ValidationError(f"{name} must be a number or a (low, high) pair, got {value!r}")
    lo, hi = finite_number(name, lo), finite_number(name, hi)
    if not (minimum <= lo <= hi <= maximum):
        raise ValidationError(f"{name} must satisfy {minimum:g} <= low <= high <= {maximum:g}, got {value!r}")
    return lo, hi


@dataclass(frozen=True)
class Backlog(Distribution):
    """The time a team takes to finish ``items`` backlog items, resampling its throughput history.

    Each draw is one whole forecast (see :func:`pmsim.forecast_backlog`),
    in periods times ``period_days`` working days; its mean, quantiles and
    ``planned`` value (the median) come from 16,384 reference draws, made on first
    use (a task checks its estimate when built, so a backlog that never finishes
    is refused then).

    Parameters
    ----------
    items : whole number >= 1
    throughput : items completed per period, oldest first (some > 0)
    period_days : working days a period lasts in the plan (a week: the calendar's working weekdays, 5 by default)
    weights : per period, the weight of drawing it (empty: equal)
    growth : the scope grows once by this fraction (or a (low, high) range sampled per draw)
    arrivals : new items a period, Poisson at this rate (or a range sampled per draw)
    split : (low, high): each item becomes low..high pieces of the history's size
    team : ((first period, factor), ...): throughput times factor from that period on
    source : the history file, for writing the project back

    >>> b = Backlog(12, (3.0, 3.0), period_days=5)   # 4 weeks of 5 working days
    >>> b.planned, b.low, b.mean
    (20.0, 20.0, 20.0)
    """

    items: int
    throughput: tuple[float, ...]
    period_days: float = 5.0
    weights: tuple[float, ...] = ()
    growth: tuple[float, float] = (0.0, 0.0)
    arrivals: tuple[float, float] = (0.0, 0.0)
    split: tuple[int, int] = (1, 1)
    team: tuple[tuple[int, float], ...] = ()
    source: str = field(default="", compare=False)
    kind: ClassVar[str] = "backlog"

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        set_("items", _whole("backlog", "items", self.items, minimum=1))
        throughput = History(tuple(self.throughput), source="backlog throughput").completed
        set_("throughput", throughput)
        days = finite_number("period_days", self.period_days)
        if days <= 0:
            raise ValidationError(f"period_days must be > 0, got {days:g}")
        set_("period_days", days)
        weights = tuple(finite_number("weight", w) for w in self.weights)
        if weights and (len(weights) != len(throughput) or min(weights) < 0 or sum(weights) <= 0):
            raise ValidationError(f"weights need one number >= 0 per period ({len(throughput)}), not all 0")
        set_("weights", weights)
        set_("growth", _pair("growth", self.growth, 0.0, 100.0))
        set_("arrivals", _pair("arrivals", self.arrivals, 0.0, 500.0))
        lo, hi = _pair("split", self.split, 1, 100)
        if lo != int(lo) or hi != int(hi):
            raise ValidationError(f"split must be whole numbers of pieces, got {self.split!r}")
        set_("split", (int(lo), int(hi)))
        team = []
        for entry in self.team:
            try:
                first, factor = entry
            except (TypeError, ValueError):
                raise ValidationError(f"team changes are (first period, factor) pairs, got {entry!r}") from None
            first = _whole("team change", "first period", first, minimum=0)
            factor = finite_number("team factor", factor)
            if factor <= 0:
                raise ValidationError(f"a team factor must be > 0 (a team that completes nothing never finishes), "
                                      f"got {factor:g}")
            team.append((first, factor))
        set_("team", tuple(sorted(team)))

    def adjusted(self, items=None, growth=None, throughput=None, window=None) -> "Backlog":
        """This backlog with the what-if levers of a hybrid plan (None leaves a lever as it is).

        ``items``: the backlog's size; ``growth``: the scope grows once by this
        fraction (replacing a sampled range); ``throughput``: the team's
        throughput times this factor in every period (a bigger or smaller team;
        team changes multiply with it); ``window``: resample only the last
        ``window`` periods of the history (and their weights).

        >>> b = Backlog(12, (1.0, 3.0, 3.0), period_days=5)
        >>> b.adjusted(window=2).planned, b.adjusted(items=24, window=2).planned, b.adjusted(throughput=2).team
        (20.0, 40.0, ((0, 2.0),))
        """
        from dataclasses import replace

        changes: dict = {}
        if items is not None:
            changes["items"] = items
        if growth is not None:
            changes["growth"] = (growth, growth)
        if throughput is not None:
            factor = finite_number("throughput factor", throughput)
            if factor <= 0:
                raise ValidationError(f"a throughput factor must be > 0, got {factor:g}")
            team = [(first, f * factor) for first, f in self.team]
            changes["team"] = tuple(team if team and team[0][0] == 0 else [(0, factor), *team])
        if window is not None:
            n = _whole("backlog", "history window", window, minimum=1)
            if n < len(self.throughput):
                changes["throughput"] = self.throughput[-n:]
                changes["weights"] = self.weights[-n:]
                changes["source"] = ""  # no longer the file's history: not written back as it
                if not any(changes["throughput"]):
                    raise ValidationError(f"no item was completed in the last {n} periods of the history (window); "
                                          "a forecast needs at least one completion")
        return replace(self, **changes) if changes else self

    def record(self, horizon: int | None = None) -> np.ndarray:
        """The compiled sampler's record of this backlog (its layout: ``pmsim/_kernels/random.py``)."""
        n = len(self.throughput)
        head = [self.items, *self.growth, *self.arrivals, *self.split, len(self.team),
                self.horizon if horizon is None else horizon, 1.0 if self.weights else 0.0, n]
        cum = []
        if self.weights:
            c = np.cumsum(self.weights) / sum(self.weights)
            c[-1] = 1.0
            cum = c.tolist()
        return np.array(head + list(self.throughput) + cum + [p for p, _ in self.team] + [f for _, f in self.team],
                        dtype=np.float64)

    @functools.cached_property
    def _reference(self) -> np.ndarray:
        from ._kernels.backlog import forecast_periods

        out = np.empty(_REFERENCE_DRAWS)
        forecast_periods(_REFERENCE_STREAM, 0, _REFERENCE_DRAWS, 1024, self.record(MAX_PERIODS), out)
        late = int(np.sum(out > MAX_PERIODS))
        if late:
            raise ValidationError(
                f"the backlog of {self.items} items is not done within {MAX_PERIODS:,} periods in {late:,} of "
                f"{_REFERENCE_DRAWS:,} reference draws: new items arrive about as fast as the team completes them "
                f"(mean throughput {np.mean(self.throughput):g} a period, arrivals {self.arrivals[1]:g})")
        out.sort()
        out.setflags(write=False)
        return out

    @property
    def horizon(self) -> int:
        """The longest draw, in periods: twice the longest reference draw (a longer one is cut there)."""
        return int(min(MAX_PERIODS, 2 * self._reference[-1] + 10))

    @property
    def mean(self):
        return float(self._reference.mean()) * self.period_days

    @property
    def var(self):
        return float(self._reference.var()) * self.period_days ** 2

    def ppf(self, u):
        u = np.asarray(u, dtype=float)
        q = self._reference[np.clip(np.ceil(u * _REFERENCE_DRAWS).astype(np.int64) - 1, 0, _REFERENCE_DRAWS - 1)]
        return q * self.period_days

    def cdf(self, x):
        x = np.asarray(x, dtype=float) / self.period_days
        return np.searchsorted(self._reference, x + 1e-9, side="right") / _REFERENCE_DRAWS

    @property
    def low(self) -> float:
        return float(self._reference[0]) * self.period_days

    @property
    def high(self) -> float:
        return float(self.horizon + 1) * self.period_days

    def _scaled(self, factor):
        from dataclasses import replace

        return replace(self, period_days=self.period_days * factor)

    def to_fields(self):
        if self.weights or self.team or not self.source:
            raise ValidationError("a backlog estimate is written as 'items', a 'history' file and its growth, "
                                  "arrivals and split; this one has weights, team changes or no history file")
        fields = {"items": self.items, "history": self.source}
        for column, value, plain in (("growth", self.growth, (0.0, 0.0)), ("arrivals", self.arrivals, (0.0, 0.0)),
                                     ("split", self.split, (1, 1))):
            if tuple(value) != plain:
                fields[column] = range_text(value)
        return fields


BACKLOG_LEVER_COLUMNS = ("growth", "arrivals", "split")  # the tasks.csv columns of a backlog task beyond items, history
_RANGE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*[-\u2013]\s*(\d+(?:\.\d*)?|\.\d+)\s*")


def read_range(column: str, value) -> tuple[float, float]:
    """A number, or a range written ``low-high`` (``"0.1-0.3"``, ``"1-3"``), as a (low, high) pair.

    >>> read_range("growth", "0.1-0.3"), read_range("split", 2), read_range("arrivals", " 1.5 ")
    ((0.1, 0.3), (2.0, 2.0), (1.5, 1.5))
    """
    if isinstance(value, str):
        m = _RANGE.fullmatch(value)
        if m:
            return float(m.group(1)), float(m.group(2))
        try:
            value = float(value)
        except ValueError:
            raise ValidationError(f"{column} must be a number or a range such as '1-3', got {value!r}") from None
    v = finite_number(column, value)
    return v, v


def range_text(pair) -> str:
    """The text :func:`read_range` reads back: ``"0.2"`` or ``"0.1-0.3"``."""
    lo, hi = (f"{float(v):g}" for v in pair)
    return lo if lo == hi else f"{lo}-{hi}"
