"""The earned value chart: PV, EV and AC by date, and the EAC forecasts."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..model import Project
from ..model.progress import moment_value
from ._common import (
    P_COLOURS, STATUS, budget_line, data_date_num, date_axis, day_end, marker_line, moment_num, money,
    money_axis, new_axes,
)

__all__ = ["evm", "finish_trend", "EAC_STYLES"]

PV_COLOUR = "#4c72b0"
EV_COLOUR = "#55a868"
AC_COLOUR = "#c44e52"
# EAC metric -> (legend label, colour), in the order they are drawn.
EAC_STYLES = {
    "EAC_cpi": ("EAC = BAC / CPI", P_COLOURS[80]),
    "EAC_cpi_spi": ("EAC = AC + (BAC − EV) / (CPI × SPI)", P_COLOURS[90]),
    "EAC_atypical": ("EAC = AC + (BAC − EV)", "#8c8c8c"),
    "EAC_bottom_up": ("EAC = AC + bottom-up ETC", "#17becf"),
}


def _series(report_or_series, project):
    """(project, frame indexed by status date with AT and the metrics)."""
    if isinstance(report_or_series, pd.DataFrame):
        frame = report_or_series
        project = project if project is not None else frame.attrs.get("project")
        if not isinstance(project, Project):
            raise ValidationError(
                "evm: a series from pm.earned_value_series does not carry its project; "
                "pass project=... to draw the planned value baseline and the forecast dates"
            )
        missing = [c for c in ("PV", "EV", "AC", "BAC") if c not in frame.columns]
        if missing:
            raise ValidationError(f"evm: the series lacks the columns {missing} (use pm.earned_value_series)")
        if len(frame) == 0:
            raise ValidationError("evm: the series has no status dates")
        return project, frame.sort_index()
    if hasattr(report_or_series, "metrics") and hasattr(report_or_series, "status_date"):
        report = report_or_series
        frame = pd.DataFrame([report.metrics], index=pd.DatetimeIndex([pd.Timestamp(report.status_date)],
                                                                       name="status_date"))
        return report.project, frame
    raise ValidationError(
        f"evm needs an EarnedValue report (pm.earned_value) or a series (pm.earned_value_series), "
        f"got {type(report_or_series).__name__}"
    )


def _planned_value_by_date(baseline):
    """The planned value at the end of each calendar day of a baseline on several calendars (x, PV)."""
    from ..budget import accrued_cost
    from ..costs import cost_model

    project = baseline.project
    when = baseline.times()
    first = np.datetime64(project.start, "D")
    last = np.datetime64(when["early_finish"].max(), "D") + np.timedelta64(1, "D")
    ends = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    moments = np.concatenate([[np.datetime64(when["early_start"].min(), "m")], ends[1:].astype("datetime64[m]")])
    pv = accrued_cost(project, when["early_start"].to_numpy(), when["early_finish"].to_numpy(),
                      cost_model(project)["budget"].to_numpy(), moments)
    return moment_num(moments), pv


def evm(report_or_series, ax=None, project: Project | None = None, forecasts=tuple(EAC_STYLES)):
    """The earned value chart: the PV baseline, EV and AC to date, and where the EACs lead.

    Parameters
    ----------
    report_or_series : EarnedValue or DataFrame
        One report from :func:`pmsim.earned_value`, or the series of
        :func:`pmsim.earned_value_series` (one row per status date).
    ax : matplotlib Axes, optional
    project : Project, optional
        The project of a series that does not carry it in ``attrs["project"]``
        (a report and the series of :func:`pmsim.earned_value_series` know theirs).
    forecasts : sequence of str
        The EAC metrics to draw from the last status date (those that are
        not finite are left out).

    Returns
    -------
    matplotlib Axes
        Lines ``"pv"`` (the planned value baseline to BAC, at the end of each
        working day; with tasks on other calendars than the project's, at the
        end of each calendar day), ``"ev"`` and ``"ac"`` (from zero at the start through
        each status date), ``"bac"``, ``"status_date"`` and one dashed
        ``"<EAC metric>"`` line per forecast: from the last actual cost to the
        EAC at the finish forecast by earned schedule (IEAC(t)), or at the
        planned finish when IEAC(t) is undefined.

    >>> import pmsim as pm
    >>> import pandas as pd
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)])
    >>> series = pm.earned_value_series(p, {
    ...     "2027-01-08": pd.DataFrame({"id": ["A"], "percent_complete": [40], "actual_cost": [450]}),
    ...     "2027-01-15": pd.DataFrame({"id": ["A"], "percent_complete": [90], "actual_cost": [950]})})
    >>> ax = pm.plot.evm(series)
    >>> ax.get_lines()[1].get_ydata().tolist()  # EV: 0 at the start, then each status date
    [0.0, 400.0, 900.0]
    """
    from ..budget import on_calendars
    from ..evm import baseline_schedule, planned_value_curve

    project, frame = _series(report_or_series, project)
    unknown = [f for f in forecasts if f not in EAC_STYLES]
    if unknown:
        raise ValidationError(f"evm: unknown forecast {unknown[0]!r}; use {', '.join(EAC_STYLES)}")
    ax = new_axes(ax)
    currency = project.currency
    baseline = baseline_schedule(project)
    if on_calendars(baseline):
        pv_x, pv = _planned_value_by_date(baseline)
    else:
        pv = planned_value_curve(project)
        pv_x = day_end(project, np.arange(pv.size, dtype=float))
    ax.plot(pv_x, pv, color=PV_COLOUR, linewidth=2, label="PV (planned value)", gid="pv", zorder=3)

    # On calendars the planned value starts at the first task's start (Monday 08:00), and so do EV and AC.
    start = float(pv_x[0]) if on_calendars(baseline) else day_end(project, 0.0)[0]
    # The data date is the end of that day, or that moment.
    status_x = np.array([data_date_num(moment_value(t)) for t in frame.index])
    xs = np.r_[start, status_x]
    ax.plot(xs, np.r_[0.0, frame["EV"].to_numpy(float)], "-o", color=EV_COLOUR, linewidth=2, markersize=4,
            label="EV (earned value)", gid="ev", zorder=4)
    ax.plot(xs, np.r_[0.0, frame["AC"].to_numpy(float)], "-o", color=AC_COLOUR, linewidth=2, markersize=4,
            label="AC (actual cost)", gid="ac", zorder=4)

    last = frame.iloc[-1]
    bac = float(last["BAC"])
    ends = [pv_x[-1], status_x[-1]]
    ieac = float(last.get("IEAC_t", math.nan))
    finish_offset = ieac if math.isfinite(ieac) else float(pv.size - 1)
    fx = day_end(project, finish_offset)[0]
    top = [bac, float(np.nanmax(frame[["EV", "AC", "PV"]].to_numpy(float)))]
    for key in forecasts:
        value = float(last.get(key, math.nan))
        if not math.isfinite(value):
            continue
        label, colour = EAC_STYLES[key]
        ax.plot([status_x[-1], fx], [float(last["AC"]), value], linestyle="--", color=colour, linewidth=1.5,
                label=f"{label}: {money(value, currency)}", gid=key, zorder=2)
        ax.plot([fx], [value], "o", color=colour, markersize=5, zorder=2)
        top.append(value)
    ends.append(fx)
    budget_line(ax, bac, f"BAC {money(bac, currency)}", gid="bac", x_text=0.01, ha="left")
    when = frame.index[-1]
    moment = isinstance(moment_value(when), dt.datetime)  # a data date with its time of day
    marker_line(ax, status_x[-1], f"Status {when:%Y-%m-%d %H:%M}" if moment else f"Status {when:%Y-%m-%d}", STATUS,
                linestyle="-", gid="status_date", y_text=0.98, side="left")

    span = max(ends) - start
    ax.set_xlim(start - 0.02 * span - 1, max(ends) + 0.04 * span + 1)
    ax.set_ylim(0, max(top) * 1.1 if max(top) > 0 else 1)
    date_axis(ax)
    money_axis(ax, "y")
    ax.set_xlabel("Date")
    ax.set_ylabel(f"Cumulative cost ({currency})")
    spi, cpi = float(last.get("SPI", math.nan)), float(last.get("CPI", math.nan))
    at = f"{when:%d %b %Y %H:%M}" if moment else f"{when:%d %b %Y}"
    ax.set_title(f"{project.name}: earned value at {at} (SPI {spi:.2f}, CPI {cpi:.2f})")
    # Curves rise to the upper right: the lower right corner is free.
    ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
    ax.grid(color="#e5e5e5", zorder=0)
    return ax



def finish_trend(history: pd.DataFrame, ax=None):
    """The finish-date trend: the forecast finish at each status date, with the Monte Carlo P10–P90 band.

    ``history`` is :func:`pmsim.status_history`'s table. Drawn against the status date: the band
    from P10 to P90 (``gid`` ``"band"``), the P50 and P80 lines (``"p50"``, ``"p80"``), the CPM
    finish of the work left (``"cpm"``) and the earned schedule forecast IEAC(t) (``"es"``) with
    its statistical bounds (``"es_bounds"``, Lipke's, from the second status date on); the
    baseline's planned finish (``"planned_finish"``) and the deadline (``"deadline"``) as
    horizontal lines. A rising line is a slipping project.

    >>> import pmsim as pm
    >>> erp = pm.data_path("erp_upgrade")
    >>> ax = pm.plot.finish_trend(pm.status_history(pm.read_project(erp), erp, iterations=200, seed=1))
    >>> sorted(line.get_gid() for line in ax.lines)
    ['cpm', 'deadline', 'es', 'p50', 'p80', 'planned_finish']
    """
    if not isinstance(history, pd.DataFrame) or "p50_finish" not in history.columns:
        raise ValidationError("finish_trend needs the table of pm.status_history(project, progress, ...)")
    ax = new_axes(ax)
    x = moment_num(history.index.to_numpy())
    # A finish date is the end of that day: plot it at the next midnight, as the other date plots do.
    y = {c: moment_num(history[c].to_numpy()) + 1.0 for c in
         ("p10_finish", "p50_finish", "p80_finish", "p90_finish", "cpm_finish")}
    ax.fill_between(x, y["p10_finish"], y["p90_finish"], color=P_COLOURS[10], alpha=0.25, linewidth=0,
                    label="Monte Carlo P10–P90", gid="band")
    ax.plot(x, y["p50_finish"], marker="o", color=P_COLOURS[50], label="P50", gid="p50")
    ax.plot(x, y["p80_finish"], marker="o", color=P_COLOURS[80], label="P80", gid="p80")
    ax.plot(x, y["cpm_finish"], marker="s", linestyle="--", color="#555555", label="CPM (work left)", gid="cpm")
    es = history["es_finish"]
    ax.plot(x, np.where(es.isna(), np.nan, moment_num(es.fillna(history.index[0]).to_numpy()) + 1.0), marker="^",
            linestyle=":", color=EV_COLOUR, label="Earned schedule IEAC(t)", gid="es")
    bounded = history["es_low_finish"].notna() & history["es_high_finish"].notna()
    if bounded.any():  # Lipke's statistical bounds on the earned schedule forecast
        lo = moment_num(history.loc[bounded, "es_low_finish"].to_numpy()) + 1.0
        hi = moment_num(history.loc[bounded, "es_high_finish"].to_numpy()) + 1.0
        ax.vlines(x[bounded.to_numpy()], lo, hi, color=EV_COLOUR, linewidth=3, alpha=0.5,
                  label="Earned schedule bounds (Lipke)", gid="es_bounds")
    planned, deadline = history.attrs.get("planned_finish"), history.attrs.get("deadline")
    if planned is not None:
        ax.axhline(moment_num([planned])[0] + 1.0, color=PV_COLOUR, linewidth=1, label="Planned finish",
                   gid="planned_finish")
    if deadline is not None:
        ax.axhline(moment_num([deadline])[0] + 1.0, color=AC_COLOUR, linestyle="--", linewidth=1, label="Deadline",
                   gid="deadline")
    date_axis(ax, "x")
    date_axis(ax, "y")
    project = history.attrs.get("project")
    ax.set_title(f"{project.name if project is not None else 'Project'}: forecast finish by status date")
    ax.set_xlabel("status date")
    ax.set_ylabel("forecast finish")
    ax.legend(loc="upper left", fontsize="small")
    return ax
