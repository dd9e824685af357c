"""Statistical project control and forecast calibration: the control chart and the calibration chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ._common import BAND, CRITICAL, P_COLOURS, new_axes

__all__ = ["control_chart", "calibration"]

_LABELS = {"SPI_t": "SPI(t)", "CPI": "CPI"}


def control_chart(chart: pd.DataFrame, metric: str = "SPI_t", ax=None):
    """SPI(t) or CPI at each status date against the tolerance limits of the baseline's simulation.

    ``chart`` is :func:`pmsim.control_chart`'s table. Against the percentage of the planned
    duration elapsed (AT / PD): the band between the limits (``gid`` ``"limits"``), the simulated
    median (``"median"``), the observed values (``"observed"``, a line with a point per status
    date) and the out-of-control ones circled in red (``"signals"``).

    >>> import pmsim as pm
    >>> erp = pm.data_path("erp_upgrade")
    >>> ax = control_chart(pm.control_chart(pm.read_project(erp), erp, iterations=200, seed=1))
    >>> sorted(c.get_gid() for c in ax.collections if c.get_gid())
    ['limits', 'signals']
    """
    if not isinstance(chart, pd.DataFrame) or "out_of_control" not in chart.columns or "limits" not in chart.attrs:
        raise ValidationError("plot.control_chart needs the table of pm.control_chart(project, progress, ...)")
    if metric not in _LABELS:
        raise ValidationError(f"plot.control_chart: metric must be one of {', '.join(_LABELS)}, got {metric!r}")
    ax = new_axes(ax)
    band = chart.attrs["limits"]
    x_band = band["percent_planned"].to_numpy()
    coverage = chart.attrs.get("coverage", 0.9)
    tail = (1 - coverage) / 2 * 100
    ax.fill_between(x_band, band[f"{metric}_low"], band[f"{metric}_high"], color=BAND, alpha=0.45, linewidth=0,
                    label=f"tolerance limits (P{tail:g}–P{100 - tail:g} of the baseline's simulation)", gid="limits")
    ax.plot(x_band, band[f"{metric}_median"], color=P_COLOURS[50], linewidth=1, linestyle="--",
            label="simulated median", gid="median")
    x = chart["percent_planned"].to_numpy()
    y = chart[metric].to_numpy(dtype=float)
    ax.plot(x, y, marker="o", color="#333333", label=f"observed {_LABELS[metric]}", gid="observed")
    out = (chart[f"{metric}_signal"] != "").to_numpy()
    ax.scatter(x[out], y[out], s=140, facecolors="none", edgecolors=CRITICAL, linewidths=2,
               label="out of control", gid="signals", zorder=5)
    for xi, yi, date in zip(x, y, chart.index):
        if np.isfinite(yi):
            ax.annotate(pd.Timestamp(date).strftime("%d %b"), (xi, yi), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize="x-small")
    ax.axhline(1.0, color="#999999", linewidth=0.8)
    project = chart.attrs.get("project")
    name = project.name if project is not None else "Project"
    ax.set_title(f"{name}: {_LABELS[metric]} control chart".replace("$", r"\$"))
    ax.set_xlabel("planned duration elapsed (AT / PD, %)")
    ax.set_ylabel(_LABELS[metric])
    ax.legend(loc="best", fontsize="small")
    return ax


def calibration(board, target: str = "finish", ax=None):
    """The calibration chart of a forecast scoreboard: each quantile level against the share of actuals at or
    below it, with the range a calibrated forecaster's share falls in (binomial, ``gid`` ``"range"``).

    Points below the diagonal at high quantiles and above it at low ones: forecasts too narrow.

    >>> import pmsim as pm, tempfile
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", optimistic=4, most_likely=5, pessimistic=9)])
    >>> log = pm.forecast_log(tempfile.mkdtemp())
    >>> _ = log.record(pm.simulate(p, iterations=200, seed=1), label="plan")
    >>> ax = calibration(log.score({"plan": "2027-01-12"}))
    >>> ax.get_xlabel()
    'forecast quantile'
    """
    calibration_table = getattr(board, "calibration", None)
    if not isinstance(calibration_table, pd.DataFrame):
        raise ValidationError("plot.calibration needs a Scoreboard (pm.forecast_log(folder).score(actuals))")
    targets = calibration_table.index.get_level_values("target").unique().tolist()
    if target not in targets:
        raise ValidationError(f"plot.calibration: the scoreboard has no {target!r} scores (it has: "
                              f"{', '.join(targets)})")
    table = calibration_table.loc[target]
    ax = new_axes(ax, figsize=(5.5, 5))
    q = table.index.to_numpy() / 100
    ax.fill_between(q, table["low"], table["high"], color=BAND, alpha=0.45, linewidth=0,
                    label=f"calibrated range ({board.confidence:.0%}, n = {int(table['n'].iloc[0])})", gid="range")
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=1, gid="diagonal")
    good = table["calibrated"].to_numpy()
    ax.plot(q, table["observed"], color="#333333", linewidth=1)
    ax.scatter(q[good], table["observed"][good], color=P_COLOURS[50], zorder=4, label="observed share", gid="observed")
    ax.scatter(q[~good], table["observed"][~good], color=CRITICAL, zorder=4, label="outside the range", gid="outside")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast quantile")
    ax.set_ylabel("share of actuals at or below it")
    ax.set_title(f"Forecast calibration: {target}")
    ax.legend(loc="upper left", fontsize="small")
    return ax
