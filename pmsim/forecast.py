"""Forecasts from a team's throughput: when a backlog will be done, and how many items by a date.

Each iteration resamples the history's periods (bootstrapping) until the
backlog is done (:func:`forecast_backlog`) or until a date
(:func:`forecast_items`); growth, splitting and team changes act as
described in ``docs/forecasting.md``. Periods are weeks (7 calendar days from
``start``) or working days of the calendar.

>>> import pmsim as pm
>>> history = pm.read_history(pd.DataFrame({"period": range(1, 9), "completed": [4, 6, 5, 5, 3, 7, 5, 5]}))
>>> f = pm.forecast_backlog(history, 40, start="2027-01-04", iterations=2000, seed=1)
>>> f.percentile_periods(50), f.percentile(50)
(8.0, datetime.date(2027, 2, 26))
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .calendar import Calendar, as_date
from .errors import ValidationError
from .montecarlo.plan import task_stream
from .montecarlo.requests import check_iterations, check_percentiles, readonly
from .throughput import MAX_PERIODS, Backlog, History, read_history

__all__ = ["forecast_backlog", "forecast_items", "BacklogForecast", "ItemsForecast", "STREAM_TASK"]

STREAM_TASK = "backlog"  # a forecast draws the numbers that simulate() gives a task with this id
_CHUNK = 512  # iterations a thread takes at a time: small enough to share 10,000 iterations evenly
_BURNUP_ITERATIONS = 2000


# --------------------------------------------------------------------------- the periods on the calendar


@dataclass(frozen=True)
class _Periods:
    """Periods from ``start``: weeks of 7 calendar days, or working days of ``calendar``."""

    start: dt.date
    period: str
    calendar: Calendar

    @functools.cached_property
    def _first_workday(self) -> np.datetime64:
        return np.busday_offset(np.datetime64(self.start, "D"), 0, roll="forward", busdaycal=self.calendar.busdaycalendar)

    def end_dates(self, periods) -> np.ndarray:
        """The last working day of period ``periods`` (1 = the first), datetime64[D]."""
        n = np.asarray(periods, dtype=np.int64)
        cal = self.calendar.busdaycalendar
        if self.period == "week":
            last = np.datetime64(self.start, "D") + 7 * n - 1
            return np.busday_offset(last, 0, roll="backward", busdaycal=cal)
        return np.busday_offset(self._first_workday, np.maximum(n - 1, 0), roll="forward", busdaycal=cal)

    def index(self, date) -> int:
        """The number of periods from the start whose last working day is on or before ``date``."""
        day = np.datetime64(as_date("date", date), "D")
        if self.period == "week":
            n = max(0, int((day - np.datetime64(self.start, "D")).astype(np.int64) + 1) // 7)
            return n + 1 if self.end_dates(n + 1) <= day else n  # a week whose working days are over by then
        return max(0, int(np.busday_count(self._first_workday, day + 1, busdaycal=self.calendar.busdaycalendar)))

    def first_from(self, date) -> int:
        """The first period that starts on or after ``date`` (0 = the first period)."""
        day = np.datetime64(as_date("date", date), "D")
        if self.period == "week":
            return max(0, -(-int((day - np.datetime64(self.start, "D")).astype(np.int64)) // 7))
        return max(0, int(np.busday_count(self._first_workday, day, busdaycal=self.calendar.busdaycalendar)))


def _start(history: History, start, calendar: Calendar) -> dt.date:
    if start is not None:
        return as_date("start", start)
    if history.first is None:
        raise ValidationError(f"{history.source}: its periods are numbered, not dated; give start= (the first day "
                              "of the forecast)")
    if history.period == "week":
        return history.end
    last = np.busday_offset(np.datetime64(history.first, "D"), len(history) - 1, roll="forward",
                            busdaycal=calendar.busdaycalendar)
    return (last + 1).item()


def _weights(history: History, half_life) -> tuple[float, ...]:
    if half_life is None:
        return ()
    h = float(half_life) if isinstance(half_life, (int, float)) and not isinstance(half_life, bool) else math.nan
    if not (math.isfinite(h) and h > 0):
        raise ValidationError(f"half_life must be a number of periods > 0, got {half_life!r}")
    age = np.arange(len(history))[::-1]
    return tuple((0.5 ** (age / h)).tolist())


def _team(periods: _Periods, team_change) -> tuple[tuple[int, float], ...]:
    if team_change is None:
        return ()
    items = team_change.items() if isinstance(team_change, Mapping) else [team_change]
    out = []
    for entry in items:
        try:
            date, factor = entry
        except (TypeError, ValueError):
            raise ValidationError("team_change is a (date, factor) pair or a mapping of date -> factor, got "
                                  f"{team_change!r}") from None
        out.append((periods.first_from(date), factor))
    return tuple(out)


def _split(split) -> tuple[int, int]:
    return (1, 1) if split is None else split


def _backlog(history, items, start, calendar, period, window, half_life, growth, arrivals, split, team_change):
    """The history, its periods on the calendar and the Backlog estimate (in periods) of a forecast."""
    calendar = calendar if calendar is not None else Calendar()
    h = read_history(history, period=period, calendar=calendar)
    start = _start(h, start, calendar)  # from the whole history: a window does not move the forecast's start
    h = h.window(window)
    periods = _Periods(start, h.period, calendar)
    backlog = Backlog(items if items is not None else 1, h.completed, period_days=1.0,
                      weights=_weights(h, half_life), growth=growth, arrivals=arrivals, split=_split(split),
                      team=_team(periods, team_change), source=h.source)
    return h, periods, backlog


# --------------------------------------------------------------------------- when will the backlog be done


@dataclass(frozen=True, eq=False)
class BacklogForecast:
    """The result of :func:`forecast_backlog`.

    Attributes
    ----------
    history : History
        The periods resampled (after ``window``).
    backlog : Backlog
        The backlog and its levers, in periods.
    start : date
        The first day of the first forecast period.
    period : str
        ``"week"`` or ``"day"`` (a working day of ``calendar``).
    calendar : Calendar
    iterations, seed : int
        ``seed`` is the entropy used: the same seed repeats the forecast.
    finish : ndarray (float64, read-only)
        Per iteration, the number of periods needed.
    """

    history: History = field(repr=False)
    backlog: Backlog = field(repr=False)
    start: dt.date
    period: str
    calendar: Calendar = field(repr=False)
    iterations: int
    seed: int
    finish: np.ndarray = field(repr=False)

    @property
    def items(self) -> int:
        return self.backlog.items

    @functools.cached_property
    def _periods(self) -> _Periods:
        return _Periods(self.start, self.period, self.calendar)

    @functools.cached_property
    def finish_dates(self) -> np.ndarray:
        """The last working day of the period in which the backlog is done, per iteration (datetime64[D])."""
        return readonly(self._periods.end_dates(self.finish))

    @functools.cached_property
    def _sorted(self) -> np.ndarray:
        return np.sort(self.finish)

    def percentile_periods(self, p):
        """The periods by which at least ``p`` % of iterations are done (a list gives a list)."""
        arr = check_percentiles(p)
        out = np.percentile(self._sorted, arr, method="inverted_cdf")
        return out.tolist() if arr.ndim else float(out)

    def percentile(self, p):
        """The P-date: the date by the end of which ``p`` % of iterations are done."""
        periods = np.atleast_1d(self.percentile_periods(p))
        out = [d.item() for d in self._periods.end_dates(periods)]
        return out if np.ndim(p) else out[0]

    def probability_by(self, date) -> float:
        """The share of iterations done on or before ``date`` (by the end of that day)."""
        day = np.datetime64(as_date("probability_by", date), "D")
        return float(np.mean(self.finish_dates <= day))

    @property
    def mean(self) -> float:
        """Mean periods needed."""
        return float(self.finish.mean())

    @property
    def std(self) -> float:
        """Standard deviation of the periods needed (ddof=1)."""
        return float(self.finish.std(ddof=1)) if self.iterations > 1 else 0.0

    def histogram(self) -> pd.DataFrame:
        """Per number of periods needed: its ``date`` (the period's last working day), ``count``, ``probability``
        and ``cumulative`` probability."""
        values, counts = np.unique(self.finish, return_counts=True)
        return pd.DataFrame({"date": [d.item() for d in self._periods.end_dates(values)], "count": counts,
                             "probability": counts / self.iterations,
                             "cumulative": np.cumsum(counts) / self.iterations},
                            index=pd.Index(values.astype(np.int64), name="periods"))

    def burnup(self, percentiles=(5, 15, 50, 85, 95), iterations: int = _BURNUP_ITERATIONS) -> pd.DataFrame:
        """The burn-up fan: per period, percentiles of the items completed, and of the scope.

        Computed again from the seed over the first ``iterations`` iterations
        (the same draws as ``finish``), up to the longest of them.
        Columns ``date``, ``done P<p>`` for each percentile, ``scope P50`` and
        ``scope P95``; the index is the period (0 = the start, nothing done).
        """
        from ._kernels.backlog import forecast_burnup

        arr = check_percentiles(percentiles)
        m = int(min(self.iterations, max(1, iterations)))
        periods = int(self.finish[:m].max())
        done = np.empty((m, periods))
        scope = np.empty((m, periods))
        forecast_burnup(task_stream(self.seed, STREAM_TASK), 0, m, self.backlog.record(MAX_PERIODS), done, scope)
        done = np.hstack([np.zeros((m, 1)), done])
        scope = np.hstack([scope[:, :1], scope])
        frame = pd.DataFrame({"date": [self.start] + [d.item() for d in self._periods.end_dates(np.arange(1, periods + 1))]},
                             index=pd.RangeIndex(periods + 1, name="period"))
        for p, row in zip(np.atleast_1d(arr), np.percentile(done, np.atleast_1d(arr), axis=0)):
            frame[f"done P{p:g}"] = row
        frame["scope P50"], frame["scope P95"] = np.percentile(scope, [50, 95], axis=0)
        return frame

    def summary(self) -> pd.DataFrame:
        """The headline numbers as a one-column DataFrame (``value``)."""
        rows: dict = {"items": self.items, "history periods": len(self.history), "period": self.period,
                      "start": self.start, "iterations": self.iterations, "seed": self.seed}
        levels = [50, 70, 85, 95]
        for lvl, periods, date in zip(levels, self.percentile_periods(levels), self.percentile(levels)):
            rows[f"P{lvl} date"] = date
            rows[f"P{lvl} ({self.period}s)"] = periods
        rows[f"mean ({self.period}s)"] = self.mean
        rows["mean throughput (a period)"] = float(np.mean(self.history.completed))
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        return (f"<h4>Forecast of {self.items} backlog items from {html.escape(self.history.source)}</h4>"
                f"{self.summary().to_html(header=False)}")


def forecast_backlog(history, items, *, start=None, calendar: Calendar | None = None, iterations: int = 10_000,
                     seed=None, period: str | None = None, window: int | None = None, half_life=None,
                     growth=0.0, arrivals=0.0, split=None, team_change=None) -> BacklogForecast:
    """When will ``items`` backlog items be done? A Monte Carlo over the team's throughput history.

    Parameters
    ----------
    history : DataFrame, sequence of dates, CSV path or History
        Items completed per period (columns ``period`` and ``completed``), or completion dates
        (see :func:`pmsim.read_history`).
    items : whole number >= 1
        Items in the backlog.
    start : date-like, optional
        The first day of the forecast (default: the day after the history's last period).
    calendar : Calendar, optional
        Working days: daily periods are working days, and a date is the last working day of its period.
    iterations : int
    seed : int, Generator or None
    period : {"week", "day"}, optional
        The period of numbered periods and of completion dates (default: weeks).
    window : int, optional
        Resample only the last ``window`` periods.
    half_life : float, optional
        Weight recent periods: a period's weight halves every ``half_life`` periods of age.
    growth : float or (low, high)
        The scope grows once by this fraction (0.2: 20 % more items), sampled per iteration in a range.
    arrivals : float or (low, high)
        New items arriving each period (Poisson, at a rate sampled per iteration in a range).
    split : (low, high), optional
        Each item becomes ``low`` to ``high`` pieces of the size the history counts (e.g. ``(1, 3)``).
    team_change : (date, factor) or {date: factor}, optional
        From the first period starting on or after the date, throughput is multiplied by ``factor``
        (``8 / 6``: a team of 6 grows to 8).

    Returns
    -------
    BacklogForecast

    The draws of iteration ``i`` are those :func:`pmsim.simulate` gives a task with id
    ``"backlog"`` and a backlog estimate, at the same seed.

    >>> import pmsim as pm
    >>> f = pm.forecast_backlog(pd.DataFrame({"period": [1, 2, 3], "completed": [5, 5, 5]}), 12,
    ...                         start="2027-01-04", iterations=100, seed=1)
    >>> f.percentile([50, 95])       # 3 weeks at every percentile: Friday of the third week
    [datetime.date(2027, 1, 22), datetime.date(2027, 1, 22)]
    """
    from ._kernels import launching
    from ._kernels.backlog import forecast_periods

    iterations = check_iterations(iterations)
    seed = resolve_seed(seed)
    h, periods, backlog = _backlog(history, items, start, calendar, period, window, half_life, growth, arrivals,
                                   split, team_change)
    finish = np.empty(iterations)
    stream = task_stream(seed, STREAM_TASK)
    record = backlog.record(MAX_PERIODS)
    with launching():
        for first in range(0, iterations, 1 << 20):  # bounded scratch whatever the iterations
            count = min(1 << 20, iterations - first)
            forecast_periods(stream, first, count, _CHUNK, record, finish[first:first + count])
    late = int(np.sum(finish > MAX_PERIODS))
    if late:
        raise ValidationError(f"the backlog of {backlog.items} items is not done within {MAX_PERIODS:,} periods in "
                              f"{late:,} of {iterations:,} iterations: new items arrive about as fast as they are "
                              "completed")
    return BacklogForecast(h, backlog, periods.start, h.period, periods.calendar, iterations, seed, readonly(finish))


# --------------------------------------------------------------------------- how many by a date


@dataclass(frozen=True, eq=False)
class ItemsForecast:
    """The result of :func:`forecast_items`: backlog items completed by a date, per iteration.

    ``completed`` is read-only (int64); ``periods`` is the number of periods
    from ``start`` whose last working day is on or before ``by``.
    """

    history: History = field(repr=False)
    backlog: Backlog = field(repr=False)
    start: dt.date
    by: dt.date
    period: str
    periods: int
    iterations: int
    seed: int
    completed: np.ndarray = field(repr=False)

    def at_least(self, confidence):
        """The most items completed with at least this confidence (a share in (0, 1], or a list):
        P(completed >= x) >= confidence."""
        c = np.atleast_1d(np.asarray(confidence, dtype=float))
        if c.size == 0 or not np.all((c > 0) & (c <= 1)):
            raise ValidationError(f"a confidence must be in (0, 1], got {confidence!r}")
        ordered = np.sort(self.completed)
        m = ordered.shape[0]
        index = np.minimum(np.floor(m * (1 - c) + 1e-9).astype(np.int64), m - 1)
        out = ordered[index].tolist()
        return out if np.ndim(confidence) else out[0]

    def probability_at_least(self, items) -> float:
        """The share of iterations completing at least ``items`` items."""
        return float(np.mean(self.completed >= items))

    @property
    def mean(self) -> float:
        return float(self.completed.mean())

    def summary(self) -> pd.DataFrame:
        """The headline numbers: items completed by the date at 50/70/85/95 % confidence."""
        rows: dict = {"by": self.by, "start": self.start, f"{self.period}s": self.periods,
                      "iterations": self.iterations, "seed": self.seed}
        for c, x in zip((50, 70, 85, 95), self.at_least([0.5, 0.7, 0.85, 0.95])):
            rows[f"{c} % confidence (items or more)"] = x
        rows["mean (items)"] = self.mean
        return pd.DataFrame({"value": pd.Series(rows, dtype=object)})

    def _repr_html_(self) -> str:
        return (f"<h4>Items completed by {self.by} from {html.escape(self.history.source)}</h4>"
                f"{self.summary().to_html(header=False)}")


def forecast_items(history, by, *, start=None, calendar: Calendar | None = None, iterations: int = 10_000,
                   seed=None, period: str | None = None, window: int | None = None, half_life=None, split=None,
                   team_change=None) -> ItemsForecast:
    """How many backlog items will be done by ``by``? A Monte Carlo over the team's throughput history.

    The periods from ``start`` whose last working day is on or before ``by``
    (weeks, or working days) are resampled; with ``split``, an item counts once all its pieces are done.
    The other parameters are those of :func:`forecast_backlog`.

    >>> import pmsim as pm
    >>> f = pm.forecast_items(pd.DataFrame({"period": [1, 2], "completed": [4, 4]}), by="2027-01-29",
    ...                       start="2027-01-04", iterations=100, seed=1)
    >>> f.periods, f.at_least(0.85)
    (4, 16)
    """
    from ._kernels import launching
    from ._kernels.backlog import forecast_completed

    iterations = check_iterations(iterations)
    seed = resolve_seed(seed)
    h, periods, backlog = _backlog(history, None, start, calendar, period, window, half_life, 0.0, 0.0, split,
                                   team_change)
    by = as_date("by", by)
    if by < periods.start:
        raise ValidationError(f"by ({by}) is before the start of the forecast ({periods.start})")
    n = periods.index(by)
    if n > MAX_PERIODS:
        raise ValidationError(f"by ({by}) is more than {MAX_PERIODS:,} periods after the start ({periods.start})")
    out = np.empty(iterations, dtype=np.int64)
    with launching():
        forecast_completed(task_stream(seed, STREAM_TASK), 0, iterations, _CHUNK, backlog.record(), n, out)
    return ItemsForecast(h, backlog, periods.start, by, h.period, n, iterations, seed, readonly(out))
