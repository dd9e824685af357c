"""Schedule control over time: per status date the forecast finish, earned value and earned schedule.

:func:`status_history` takes the progress at several status dates (``progress/2027-03-31.csv``, ...,
or a table with a ``status_date`` column) and, for each date, re-forecasts the project from that data
date: the CPM finish of the work left, the Monte Carlo P10/P50/P80/P90 finish (the same seed at every
date, so the trend shows the progress, not the sampling), the earned value metrics and the finish
that earned schedule forecasts (IEAC(t)). ``pm.plot.finish_trend`` draws the finish-date trend.
"""

from __future__ import annotations

import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .cpm import cpm
from .errors import PmsimWarning, ValidationError
from .evm import METRICS, baseline_schedule, earned_value, progress_by_date
from .io.progress_table import project_at
from .model import Project, require_project
from .simulation import simulate

__all__ = ["status_history", "lipke_bounds", "FINISH_COLUMNS", "QUANTILES"]

QUANTILES = (10, 50, 80, 90)
FINISH_COLUMNS = ("cpm_finish", "p10_finish", "p50_finish", "p80_finish", "p90_finish", "es_finish",
                  "es_low_finish", "es_high_finish")


def lipke_bounds(at, es, planned_duration: float, confidence: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Lipke's statistical bounds on the earned schedule forecast IEAC(t), at each status date.

    ``at`` and ``es`` are the actual time and earned schedule at successive status dates (working
    days). The periodic SPI(t) of period k is (ES_k − ES_{k−1}) / (AT_k − AT_{k−1}) (from 0, 0);
    with σ the sample standard deviation of their logarithms over the n periods so far, N = n ×
    IEAC(t) / AT the periods the whole project would take, and z the two-sided normal quantile
    of ``confidence``, ln SPI(t) lies within ln SPI(t)_cum ± z σ / √n √((N − n) / (N − 1)), and the
    duration within PD divided by those (Lipke, "Applying statistical forecasting of project
    duration to earned schedule", 2006). Returns (low, high) IEAC(t) per date; NaN before two
    periods, or when a period earned no schedule (its log is undefined).

    >>> low, high = lipke_bounds([2, 5, 9], [2, 3, 6.5], 10)
    >>> [round(float(v), 2) for v in (low[2], high[2])]
    [10.29, 18.62]
    """
    at, es = np.asarray(at, dtype=float), np.asarray(es, dtype=float)
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    d_at, d_es = np.diff(at, prepend=0.0), np.diff(es, prepend=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where((d_at > 0) & (d_es > 0), d_es / d_at, np.nan))
    low, high = np.full(at.size, np.nan), np.full(at.size, np.nan)
    for k in range(1, at.size):
        n = k + 1
        x = logs[:n]
        if np.isnan(x).any() or es[k] <= 0 or at[k] <= 0:
            continue
        spi_t = es[k] / at[k]
        whole = n * (planned_duration / spi_t) / at[k]
        adjust = np.sqrt(max(whole - n, 0.0) / (whole - 1)) if whole > 1 else 0.0
        half = z * np.std(x, ddof=1) / np.sqrt(n) * adjust
        low[k] = planned_duration / np.exp(np.log(spi_t) + half)
        high[k] = planned_duration / np.exp(np.log(spi_t) - half)
    return low, high


def status_history(project: Project, progress, *, iterations: int = 2000, seed=None,
                   confidence: float = 0.8) -> pd.DataFrame:
    """Per status date: the forecast finish (CPM and Monte Carlo), earned value and earned schedule.

    Parameters
    ----------
    project : Project
        The plan (its progress, if any, is replaced by that of each status date).
    progress : path, DataFrame or mapping
        The progress at several status dates: a project folder (``progress/*.csv`` or a
        ``progress.csv`` with ``status_date``), a table with a ``status_date`` column, or
        ``{date: table}``.
    iterations : int
        Monte Carlo iterations per status date.
    seed : int, Generator or None
        One seed for every status date (common random numbers): the same seed gives the same history.
    confidence : float
        Of the earned schedule bounds (default 0.8, the span of P10 to P90).

    Returns
    -------
    DataFrame
        Indexed by ``status_date``: ``cpm_finish`` (the CPM finish of the work left, from the data
        date), ``p10_finish`` .. ``p90_finish`` (Monte Carlo), ``es_finish`` (the finish IEAC(t)
        forecasts; NaT while undefined) and ``es_low_finish``, ``es_high_finish`` (its statistical
        bounds at ``confidence`` from the periodic SPI(t), :func:`pmsim.control.lipke_bounds`) as dates; ``AT`` and every earned value metric
        (``pmsim.evm.METRICS``); ``warnings`` (the TSPI and TCPI alerts, one per line).
        ``attrs``: ``project``, ``planned_finish`` (the baseline's finish date), ``deadline``,
        ``seed``, ``iterations`` and ``notes`` (the other warnings of the re-forecasts, once each).

    >>> import pmsim as pm
    >>> erp = pm.data_path("erp_upgrade")
    >>> h = status_history(pm.read_project(erp), erp, iterations=200, seed=1)
    >>> [d.date().isoformat() for d in h.index]
    ['2027-03-31', '2027-05-28']
    >>> bool((h["p10_finish"] <= h["p50_finish"]).all() and (h["p50_finish"] <= h["p90_finish"]).all())
    True
    """
    project = require_project(project, "status_history")
    items = progress_by_date(progress, "status_history")
    seed = resolve_seed(seed)
    plan = project.without_progress()
    rows, notes = {}, {}
    if not 0 < confidence < 1:
        raise ValidationError(f"status_history: confidence must be between 0 and 1, got {confidence!r}")
    plan_duration = baseline_schedule(plan).makespan
    for date, table in items:
        with warnings.catch_warnings(record=True) as caught:  # the alerts go in the table, the rest in notes
            warnings.simplefilter("always", PmsimWarning)
            now = project_at(plan, table, date, warn=False)
            report = earned_value(plan, table, date)
            sim = simulate(now, iterations=iterations, seed=seed)
        finish = report.forecast_finish_date
        row = {"cpm_finish": cpm(now).finish_date,
               **{f"p{q}_finish": d for q, d in zip(QUANTILES, sim.percentile(list(QUANTILES)))},
               "es_finish": pd.NaT if finish is None else finish,
               "AT": report.actual_time, **report.metrics.to_dict(),
               "warnings": "\n".join(report.alerts)}
        rows[pd.Timestamp(date)] = row
        for w in caught:
            text = str(w.message)
            if not any(alert in text for alert in report.alerts):
                notes.setdefault(text, None)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    low, high = lipke_bounds(frame["AT"], frame["ES"], plan_duration, confidence)
    cal, start = project.calendar, project.start
    for name, values in (("es_low_finish", low), ("es_high_finish", high)):
        frame[name] = [pd.NaT if np.isnan(v) else cal.finish_date(start, v) for v in values]
    for c in FINISH_COLUMNS:
        frame[c] = pd.to_datetime(frame[c])
    frame.index.name = "status_date"
    frame = frame[[*FINISH_COLUMNS, "AT", *METRICS, "warnings"]]
    frame.attrs.update(project=project, planned_finish=pd.Timestamp(baseline_schedule(plan).finish_date),
                       deadline=None if project.deadline is None else pd.Timestamp(project.deadline),
                       seed=seed, iterations=iterations, notes=tuple(notes))
    return frame

