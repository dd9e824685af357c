"""Statistical project control: SPI(t) and CPI at each review period against tolerance limits.

Colin and Vanhoucke ("Setting tolerance limits for statistical project control using earned value
management", Omega 49, 2014) set the limits of an earned value control chart from the plan itself:
simulate the baseline under its own estimates (the variation the plan accepts), compute the metric at
each review period in every simulated execution, and take the tolerance limits of its distribution
there. A status date whose metric falls outside them shows more than the plan's accepted variation:
a signal to look for a cause, where a fixed threshold (SPI below 0.9, say) is too wide early and too
narrow late.

:func:`pmsim.control_limits` gives the limits at any review times: :func:`pmsim.control_chart` puts a project's
status dates on them and flags the out-of-control periods; ``pm.plot.control_chart`` draws it.

In each simulated execution (``pm.simulate`` of the plan without progress, risks included unless
``risks=False``) every task earns its budget (its baseline cost) linearly over its simulated working
days, and spends its cost at the simulated duration (fixed cost + daily rate × duration, the cost
model of the Monte Carlo engine) at the same pace; risks' cost impacts are left out of AC. Earned
schedule is read off the baseline's planned value curve, as in :func:`pmsim.earned_value`. Times are
working days of the project calendar: on a project whose tasks work on other calendars the simulated
progress is taken as linear in those days, an approximation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .costs import cost_model, cost_rates, require_costs
from .errors import PmsimWarning, ValidationError
from .evm import baseline_schedule, earned_value_series, planned_value_curve
from .model import Project, require_project
from .simulation import simulate

__all__ = ["control_limits", "control_chart", "CHART_METRICS"]

CHART_METRICS = ("SPI_t", "CPI")


def _check_coverage(coverage: float, what: str) -> float:
    try:
        value = float(coverage)
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: coverage must be a number between 0 and 1, got {coverage!r}") from None
    if not 0 < value < 1:
        raise ValidationError(f"{what}: coverage must be between 0 and 1 (0.9: limits at P5 and P95), got {coverage!r}")
    return value


def _review_times(plan: Project, at, points: int) -> np.ndarray:
    if at is None:
        pd_ = baseline_schedule(plan).makespan
        return np.linspace(pd_ / points, pd_, points)
    times = np.atleast_1d(np.asarray(at, dtype=np.float64))
    if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)) or np.any(times <= 0):
        raise ValidationError("control_limits: review times (at) must be positive working days from the start, "
                              f"got {at!r}")
    return times


def _earned_schedule(pv: np.ndarray, ev: np.ndarray, planned_duration: float) -> np.ndarray:
    """Vectorised Lipke earned schedule: ES = C + (EV − PV_C) / (PV_{C+1} − PV_C) (as ``pmsim.evm.earned_schedule``)."""
    bac = pv[-1]
    c = np.searchsorted(pv, ev, side="right") - 1
    inner = np.clip(c, 0, pv.size - 2)
    step = pv[inner + 1] - pv[inner]
    with np.errstate(divide="ignore", invalid="ignore"):
        es = inner + np.where(step > 0, (ev - pv[inner]) / step, 0.0)
    es = np.where(c < 0, 0.0, es)
    return np.where(ev >= bac * (1 - 1e-12), planned_duration, es)


def _simulated_metrics(plan: Project, times: np.ndarray, iterations: int, seed: int, risks: bool):
    """(SPI_t, CPI), each (iterations, len(times)), of the simulated executions of ``plan``."""
    with warnings.catch_warnings():  # the precision of the P80 finish does not matter here
        warnings.filterwarnings("ignore", message=".*standard error", category=PmsimWarning)
        sim = simulate(plan, iterations=iterations, seed=seed, risks=risks)
    budget = cost_model(plan)["budget"].to_numpy(np.float64)
    fixed, daily = cost_rates(plan)
    pv = planned_value_curve(plan)
    pd_ = float(baseline_schedule(plan).makespan)
    spi_t = np.empty((iterations, times.size))
    cpi = np.empty((iterations, times.size))
    for rows, start, finish in sim.iter_task_dates():
        length = finish - start
        spent = fixed + daily * length  # each task's actual cost at its simulated duration
        for k, t in enumerate(times):
            with np.errstate(divide="ignore", invalid="ignore"):
                done = np.where(length > 0, np.clip((t - start) / length, 0.0, 1.0), (start <= t).astype(float))
            ev = done @ budget
            ac = (done * spent).sum(axis=1)
            spi_t[rows, k] = _earned_schedule(pv, ev, pd_) / t
            with np.errstate(divide="ignore", invalid="ignore"):
                cpi[rows, k] = np.where(ac > 0, ev / ac, np.nan)
    return spi_t, cpi


def control_limits(project: Project, at=None, *, iterations: int = 2000, seed=None, coverage: float = 0.9,
                   risks: bool = True, points: int = 20) -> pd.DataFrame:
    """Tolerance limits of SPI(t) and CPI at review times, from Monte Carlo executions of the baseline.

    Parameters
    ----------
    project : Project
        The plan (any progress on it is set aside: the limits describe the baseline).
    at : float or sequence of float, optional
        Review times, working days from the project start (the ``AT`` of a status date). Default:
        ``points`` equal review periods up to the baseline finish.
    iterations, seed : as for :func:`pmsim.simulate`.
    coverage : float
        The share of the accepted variation inside the limits: 0.9 puts them at the 5th and 95th
        percentiles of the simulated metric at each review time.
    risks : bool
        Whether the risk register plays in the simulated executions.

    Returns
    -------
    DataFrame
        Indexed by ``AT``: ``percent_planned`` (AT / PD × 100), and per metric (``SPI_t``, ``CPI``)
        ``<metric>_low``, ``<metric>_median``, ``<metric>_high``. ``attrs``: ``coverage``,
        ``iterations``, ``seed``, ``planned_duration``. A metric undefined in every iteration (CPI
        of a project without costs) has NaN limits.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", optimistic=8, most_likely=10, pessimistic=14, cost_per_day=100)])
    >>> limits = control_limits(p, at=[4], iterations=500, seed=1)
    >>> bool(limits.loc[4.0, "SPI_t_low"] < 1 < limits.loc[4.0, "SPI_t_high"])
    True
    """
    project = require_project(project, "control_limits")
    coverage = _check_coverage(coverage, "control_limits")
    if int(points) < 1:
        raise ValidationError(f"control_limits: points must be at least 1, got {points!r}")
    plan = project.without_progress()
    require_costs(plan, "control_limits")  # earned value weighs the tasks by their budgets
    times = _review_times(plan, at, int(points))
    seed = resolve_seed(seed)
    spi_t, cpi = _simulated_metrics(plan, times, iterations, seed, risks)
    tail = (1 - coverage) / 2 * 100
    pd_ = float(baseline_schedule(plan).makespan)
    frame = pd.DataFrame(index=pd.Index(times, name="AT"))
    frame["percent_planned"] = times / pd_ * 100 if pd_ > 0 else np.nan
    for name, values in (("SPI_t", spi_t), ("CPI", cpi)):
        if np.isnan(values).all():
            frame[[f"{name}_low", f"{name}_median", f"{name}_high"]] = np.nan
            continue
        low, mid, high = np.nanpercentile(values, [tail, 50, 100 - tail], axis=0)
        frame[f"{name}_low"], frame[f"{name}_median"], frame[f"{name}_high"] = low, mid, high
    frame.attrs.update(coverage=coverage, iterations=iterations, seed=seed, planned_duration=pd_)
    return frame


def control_chart(project: Project, progress, *, iterations: int = 2000, seed=None, coverage: float = 0.9,
                  risks: bool = True, points: int = 40) -> pd.DataFrame:
    """SPI(t) and CPI at each status date against the tolerance limits of the baseline's simulation.

    Parameters
    ----------
    project : Project
    progress : path, DataFrame or mapping
        The progress at several status dates (as for :func:`pmsim.status_history`).
    iterations, seed, coverage, risks : as for :func:`control_limits`.
    points : int
        Review times of the limits band kept for the chart (``attrs["limits"]``).

    Returns
    -------
    DataFrame
        Indexed by ``status_date``: ``AT``, ``percent_planned``, ``SPI_t`` and ``CPI`` (the observed
        cumulative metrics), their limits (``SPI_t_low`` ... ``CPI_high``) at that AT, and
        ``SPI_t_signal``, ``CPI_signal``: ``"below"`` (worse than the plan's accepted variation),
        ``"above"`` (better than it: ahead of plan or under cost, worth a look too) or ``""``; a
        metric undefined at a date gives no signal. ``out_of_control``: either signal. ``attrs``:
        ``limits`` (the band at ``points`` review times, :func:`control_limits`), ``coverage``,
        ``iterations``, ``seed``, ``project``.

    >>> import pmsim as pm
    >>> erp = pm.data_path("erp_upgrade")
    >>> chart = control_chart(pm.read_project(erp), erp, iterations=300, seed=1)
    >>> list(chart.columns[:4])
    ['AT', 'percent_planned', 'SPI_t', 'CPI']
    """
    project = require_project(project, "control_chart")
    coverage = _check_coverage(coverage, "control_chart")
    plan = project.without_progress()
    observed = earned_value_series(plan, progress)
    seed = resolve_seed(seed)
    pd_ = float(baseline_schedule(plan).makespan)
    grid = np.linspace(pd_ / points, pd_, int(points)) if pd_ > 0 else np.array([1.0])
    status_at = observed["AT"].to_numpy(np.float64)
    valid = status_at > 0
    times = np.unique(np.concatenate([grid, status_at[valid]]))
    limits = control_limits(plan, times, iterations=iterations, seed=seed, coverage=coverage, risks=risks)
    frame = pd.DataFrame(index=observed.index)
    frame["AT"] = status_at
    frame["percent_planned"] = status_at / pd_ * 100 if pd_ > 0 else np.nan
    columns = [f"{m}_{s}" for m in CHART_METRICS for s in ("low", "median", "high")]
    at_status = limits.reindex(np.where(valid, status_at, np.nan))[columns].to_numpy()
    for m in CHART_METRICS:
        frame[m] = observed[m].to_numpy(np.float64)
    frame[columns] = at_status
    for m in CHART_METRICS:
        value, low, high = frame[m], frame[f"{m}_low"], frame[f"{m}_high"]
        frame[f"{m}_signal"] = np.select([value < low, value > high], ["below", "above"], "")
    frame["out_of_control"] = (frame["SPI_t_signal"] != "") | (frame["CPI_signal"] != "")
    frame.attrs.update(limits=limits.loc[grid] if pd_ > 0 else limits, coverage=coverage, iterations=iterations,
                       seed=seed, project=project)
    return frame
