"""The report's Control section: the finish-date trend and the SPI(t)/CPI control charts at the status dates."""

from __future__ import annotations

import pandas as pd

from .model import Project
from .report_html import cell_text, escape, figure, note, section, table

__all__ = ["control_section"]


def _when(stamp) -> str:
    """A status date or forecast as the report writes it: a date, with the time of day when it has one; '–' if none."""
    if stamp is None or pd.isna(stamp):
        return "–"
    stamp = pd.Timestamp(stamp)
    return cell_text(stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime())


def _limits(chart: pd.DataFrame, metric: str) -> list[str]:
    return [f"{a:.2f} – {b:.2f}" if pd.notna(a) and pd.notna(b) else "–"
            for a, b in zip(chart[f"{metric}_low"], chart[f"{metric}_high"])]


def _status_progress(project: Project, progress: pd.DataFrame | None):
    """The progress by status date: the table given, or the tasks' own progress at the project's status date."""
    if progress is not None:
        return progress
    return {project.status_date: project.progress_table()}


def control_section(project: Project, progress: pd.DataFrame | None, iterations: int, seed) -> str:
    """The "Control" section: per status date the forecast finish (CPM, Monte Carlo P10–P90, earned schedule)
    and SPI(t) and CPI against the tolerance limits of the baseline's Monte Carlo, out-of-control dates named."""
    from . import plot
    from .control import status_history
    from .control_charts import control_chart
    from .costs import baseline_cost

    by_date = _status_progress(project, progress)
    runs = min(iterations, 2000)
    history = status_history(project, by_date, iterations=runs, seed=seed)
    columns = {"cpm_finish": "CPM (work left)", "p10_finish": "P10", "p50_finish": "P50", "p80_finish": "P80",
               "p90_finish": "P90", "es_finish": "earned schedule"}
    trend = pd.DataFrame({label: [_when(v) for v in history[c]] for c, label in columns.items()},
                         index=[_when(d) for d in history.index])
    parts = [
        f"<p>The forecast finish at each status date ({runs:,} iterations each, the same seed at every date, so "
        "the trend shows the progress, not the sampling).</p>",
        table(trend),
        figure(plot.finish_trend(history), "Finish-date trend"),
    ]
    if baseline_cost(project) <= 0:
        parts.append("<p>The project has no costs, so there is no earned value to put on a control chart.</p>")
        return section("control", "Control", "".join(parts))
    chart = control_chart(project, by_date, iterations=runs, seed=seed)
    tail = (1 - chart.attrs["coverage"]) / 2 * 100
    shown = pd.DataFrame({
        "AT / PD": [f"{v:.0f} %" for v in chart["percent_planned"]],
        "SPI(t)": chart["SPI_t"], "SPI(t) limits": _limits(chart, "SPI_t"),
        "SPI(t) signal": chart["SPI_t_signal"].replace("", "in control"),
        "CPI": chart["CPI"], "CPI limits": _limits(chart, "CPI"),
        "CPI signal": chart["CPI_signal"].replace("", "in control"),
    }, index=[_when(d) for d in chart.index])
    out = chart[chart["out_of_control"]]
    parts += [
        "<h3>Statistical control charts</h3>",
        f"<p>SPI(t) and CPI at each status date against tolerance limits (P{tail:g} and P{100 - tail:g}) taken, at "
        f"the same point of the plan, from {runs:,} simulated executions of the baseline (Colin and Vanhoucke's "
        "statistical project control): a value outside them is more than the variation the plan's own estimates "
        "allow.</p>",
        table(shown),
        figure(plot.control_chart(chart, "SPI_t"), "SPI(t) control chart"),
        figure(plot.control_chart(chart, "CPI"), "CPI control chart"),
    ]
    if len(out):
        items = "".join(f"<li>{escape(_when(d))}: "
                        + ", ".join(f"{name} {r[m]:.2f} {r[m + '_signal']} its limit"
                                    for m, name in (("SPI_t", "SPI(t)"), ("CPI", "CPI")) if r[m + "_signal"])
                        + "</li>" for d, r in out.iterrows())
        parts.append(f"<p><strong>Out of control at {len(out)} status date(s):</strong></p><ul>{items}</ul>")
    else:
        parts.append("<p>Every status date is within the limits.</p>")
    parts += [note(n) for n in history.attrs.get("notes", ())]
    return section("control", "Control", "".join(parts))
