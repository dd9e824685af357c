"""Plots of throughput forecasts: the burn-up fan and the histogram of completion dates."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np

from ..errors import ValidationError
from ._common import DEADLINE, NORMAL, as_day, date_axis, marker_line, new_axes, place_legend, spread_labels

__all__ = ["burnup", "forecast_histogram"]

_LEVELS = (50, 85, 95)
_COLOURS = {50: "#1f77b4", 85: "#ff7f0e", 95: "#d62728"}
_HISTORY = "#7f7f7f"


def _check(forecast, who: str) -> None:
    if not all(hasattr(forecast, name) for name in ("finish", "burnup", "percentile", "backlog")):
        raise ValidationError(f"{who} needs a BacklogForecast (from pm.forecast_backlog), got "
                              f"{type(forecast).__name__}")


def _end_of(days) -> np.ndarray:
    """Matplotlib numbers of the end of each day (its next midnight)."""
    return mdates.date2num(np.asarray(days, dtype="datetime64[D]") + 1)


def burnup(forecast, ax=None, *, iterations: int = 2000):
    """The burn-up fan: items done by each period end (P5-P95 and P15-P85 bands, the median), the scope, and the
    history's last weeks before the start when its periods are weeks.

    Parameters
    ----------
    forecast : BacklogForecast
    ax : matplotlib Axes, optional
    iterations : int
        Iterations the fan is computed from (regenerated from the seed).

    Returns
    -------
    matplotlib Axes
        Bands ``gid`` ``"band90"`` and ``"band70"``, lines ``"median"``, ``"scope"``, ``"history"`` (weekly histories)
        and the P-lines ``"p50"``, ``"p85"``, ``"p95"``.

    >>> import pandas as pd, pmsim as pm
    >>> f = pm.forecast_backlog(pd.DataFrame({"period": [1, 2, 3, 4], "completed": [3, 6, 4, 5]}), 30,
    ...                         start="2027-01-04", iterations=500, seed=1)
    >>> ax = pm.plot.burnup(f)
    >>> sorted(line.get_gid() for line in ax.get_lines())
    ['history', 'median', 'p50', 'p85', 'p95', 'scope']
    """
    _check(forecast, "burnup")
    fan = forecast.burnup((5, 15, 50, 85, 95), iterations=iterations)
    x = np.concatenate([[mdates.date2num(np.datetime64(forecast.start, "D"))], _end_of(fan["date"].iloc[1:])])
    ax = new_axes(ax)
    ax.fill_between(x, fan["done P5"], fan["done P95"], color=NORMAL, alpha=0.18, linewidth=0, gid="band90",
                    label="P5-P95 of items done")
    ax.fill_between(x, fan["done P15"], fan["done P85"], color=NORMAL, alpha=0.3, linewidth=0, gid="band70",
                    label="P15-P85")
    ax.plot(x, fan["done P50"], color=NORMAL, linewidth=1.8, gid="median", label="median")
    ax.step(x, fan["scope P50"], where="post", color="black", linewidth=1.2, gid="scope", label="scope (median)")
    history = forecast.history
    if history.period == "week":
        # As many past weeks as the fan has future ones, counted back from 0 at the start.
        shown = history.completed[-(len(fan) - 1 or 1):]
        starts = np.datetime64(forecast.start, "D") - 7 * np.arange(len(shown), -1, -1)
        done = np.concatenate([[0.0], np.cumsum(shown)]) - float(np.sum(shown))
        ax.plot(mdates.date2num(starts), done, color=_HISTORY, linewidth=1.2, gid="history",
                label="history (done, to the start)")
    top = float(fan["scope P95"].max())
    for p in _LEVELS:
        date = forecast.percentile(p)
        marker_line(ax, _end_of([date])[0], f"P{p} {date.isoformat()}", _COLOURS[p], label=f"P{p} {date:%a %d %b %Y}",
                    gid=f"p{p}")
    ax.set_ylim(min(ax.get_ylim()[0], 0), top * 1.12)
    date_axis(ax)
    spread_labels(ax)
    ax.set_xlabel("Date")
    ax.set_ylabel("Items done")
    ax.set_title(f"Burn-up of {forecast.items} items, {min(iterations, forecast.iterations):,} iterations")
    place_legend(ax, ("upper left", "lower right"), x, fan["done P50"].to_numpy(), fontsize="small")
    ax.grid(color="#e5e5e5", zorder=0)
    return ax


def forecast_histogram(forecast, ax=None, deadline=None):
    """The distribution of the completion date: one bar per period end, P50/P85/P95 and an optional deadline.

    Parameters
    ----------
    forecast : BacklogForecast
    ax : matplotlib Axes, optional
    deadline : date-like, optional
        Drawn with P(done by then) in its label.

    Returns
    -------
    matplotlib Axes
        Bars ``gid`` ``"bin"``; lines ``"p50"``, ``"p85"``, ``"p95"``, ``"deadline"``.

    >>> import pandas as pd, pmsim as pm
    >>> f = pm.forecast_backlog(pd.DataFrame({"period": [1, 2, 3, 4], "completed": [3, 6, 4, 5]}), 30,
    ...                         start="2027-01-04", iterations=500, seed=1)
    >>> ax = pm.plot.forecast_histogram(f, deadline="2027-02-12")
    >>> [t.get_text().split()[0] for t in ax.get_legend().get_texts()]
    ['P50', 'P85', 'P95', 'Deadline']
    """
    _check(forecast, "forecast_histogram")
    table = forecast.histogram()
    ends = _end_of(table["date"])
    ax = new_axes(ax)
    width = 5.0 if forecast.period == "week" else 0.8
    ax.bar(ends - width, table["probability"], width=width * 0.9, align="edge", color=NORMAL, edgecolor="white",
           linewidth=0.3, gid="bin", zorder=2)
    xs = list(ends)
    for p in _LEVELS:
        date = forecast.percentile(p)
        x = _end_of([date])[0]
        marker_line(ax, x, f"P{p} {date.isoformat()}", _COLOURS[p], label=f"P{p} {date:%a %d %b %Y}", gid=f"p{p}")
    if deadline is not None:
        day = as_day(deadline, "deadline")
        x = mdates.date2num(day + 1)
        share = forecast.probability_by(day.item())
        marker_line(ax, x, f"Deadline {day}", DEADLINE, linestyle=":", side="left",
                    label=f"Deadline {day.item():%a %d %b %Y}: P(done) {share:.0%}", gid="deadline")
        xs.append(x)
    span = max(xs) - min(xs) + width
    ax.set_xlim(min(xs) - width - 0.03 * span, max(xs) + 0.03 * span + 1)
    ax.set_ylim(0, float(table["probability"].max()) * 1.18)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    date_axis(ax)
    spread_labels(ax)
    ax.set_xlabel("Completion date (last working day of the period)")
    ax.set_ylabel("Share of iterations")
    ax.set_title(f"{forecast.items} items: completion date, {forecast.iterations:,} iterations")
    place_legend(ax, ("upper left", "upper right"), ends, table["probability"].to_numpy(), fontsize="small")
    ax.grid(axis="y", color="#e5e5e5", zorder=0)
    return ax
