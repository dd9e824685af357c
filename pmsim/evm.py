"""Earned value and earned schedule from the progress on a project's tasks: :func:`earned_value` and :func:`earned_value_series`.

The metrics (``.metrics`` keys in ``METRICS``) and their conventions (the
data date is the project's status date, the end of that day for a date
alone; planned value accrues over each task's working time on its calendar
between its baseline early dates; BAC is the baseline cost; earned schedule
by interpolation over working days of the project calendar):
``docs/costs-and-earned-value.md``. The progress is the project's own
(``Project.with_progress`` puts a table on it) or a progress table
(:mod:`pmsim.io.progress_table`).

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04",
...     tasks=[pm.Task("A", duration=4, cost_per_day=25)])
>>> progress = pd.DataFrame({"id": ["A"], "percent_complete": [60], "actual_cost": [60],
...                          "actual_start": ["2027-01-04"]})
>>> ev = earned_value(p, progress, "2027-01-05")
>>> ev.metrics[["BAC", "PV", "EV", "AC", "SPI", "CPI"]].tolist()
[100.0, 50.0, 60.0, 60.0, 1.2, 1.0]
"""

from __future__ import annotations

import datetime as dt
import html
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._cache import cached
from .budget import accrued_by_task, accrued_cost, cumulative_cost, end_of, on_calendars
from .costs import cost_model, require_costs
from .cpm import Schedule, cpm
from .errors import PmsimWarning, ValidationError
from .io.progress_table import check_progress, data_time, project_at, read_progress, task_progress
from .model import Project, require_project
from .model.ev_methods import earned_share
from .model.progress import moment_value

__all__ = [
    "EarnedValue",
    "earned_value",
    "earned_value_series",
    "earned_schedule",
    "planned_value_curve",
    "baseline_schedule",
    "METRICS",
]

METRICS = (
    "BAC PV EV AC SV CV SPI CPI EAC_atypical EAC_cpi EAC_cpi_spi EAC_bottom_up "
    "ETC VAC TCPI_bac TCPI_eac ES SV_t SPI_t IEAC_t TSPI P_factor"
).split()
# Lipke: a TSPI above 1.10 asks the rest of the work to run faster than is credible; PMI: a TCPI more
# than 0.10 above the CPI says the budget cannot be met.
TSPI_LIMIT = 1.10
TCPI_MARGIN = 0.10
_EAC_METHODS = ("atypical", "cpi", "cpi_spi", "bottom_up")


# --------------------------------------------------------------------------- planned value


def baseline_schedule(project: Project) -> Schedule:
    """The planned-value baseline: the CPM schedule of ``project`` without its progress (kept with it)."""
    return cached(project, "earned value baseline", lambda: cpm(project.without_progress()))


def planned_value_curve(project: Project) -> np.ndarray:
    """PV_c: the cumulative planned value after c working days of the project calendar, c = 0 .. max(ceil(PD), 1).

    ``PV_0`` is the value planned at the very start: 0, unless a zero-duration
    task at the start (a kick-off milestone) has a cost. The last value is BAC.
    Each task's budget accrues over its working time on its own calendar
    between its baseline early start and finish; PV_c counts what is planned
    until working day c + 1 begins (a 7-day task's weekend in the Friday's period).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=2, cost_per_day=10), pm.Task("B", duration=2, cost_per_day=30)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> planned_value_curve(p).tolist()
    [0.0, 10.0, 20.0, 50.0, 80.0]
    """
    return _planned_value_by_day(baseline_schedule(project), cost_model(project)["budget"].to_numpy())


def _period_ends(schedule: Schedule) -> np.ndarray:
    """The ends of periods 0 .. max(ceil(PD), 1): period c runs until working day c + 1 of the project
    calendar begins, so it holds the work other calendars do in the night or weekend after day c."""
    project = schedule.project
    periods = np.arange(max(int(math.ceil(schedule.makespan - 1e-9)), 1) + 1, dtype=np.float64)
    moments = np.atleast_1d(np.asarray(project.calendar.start_time(project.start, periods), dtype="datetime64[m]"))
    # A task on another calendar may end after that: the last period holds it.
    last = np.datetime64(schedule.times()["early_finish"].max(), "m")
    moments[-1] = max(moments[-1], last)
    return moments


def _planned_value_by_day(schedule: Schedule, budget: np.ndarray) -> np.ndarray:
    """PV_c of :func:`planned_value_curve` from the baseline schedule and the task budgets (project order)."""
    table = schedule.table
    if on_calendars(schedule):
        when = schedule.times()
        return accrued_cost(schedule.project, when["early_start"].to_numpy(), when["early_finish"].to_numpy(),
                            budget, _period_ends(schedule))
    # At least one period, so that a project of milestones alone has a curve to invert.
    days = np.arange(max(int(math.ceil(schedule.makespan - 1e-9)), 1) + 1, dtype=np.float64)
    return cumulative_cost(days, table["early_start"].to_numpy(float), table["early_finish"].to_numpy(float), budget)


def _planned_value_by_task(schedule: Schedule, budget: np.ndarray, status, at: float) -> np.ndarray:
    """Each task's planned value at the data date ``status`` (``at`` working days from the start; ``status``
    None: the moment ``at`` working days of the project calendar are done), project order."""
    if on_calendars(schedule):
        when = schedule.times()
        if status is None:
            project = schedule.project
            moment = np.datetime64(project.calendar.finish_time(project.start, at), "m")
        else:
            moment = end_of(status)
        return accrued_by_task(schedule.project, when["early_start"].to_numpy(), when["early_finish"].to_numpy(),
                               budget, moment)
    table = schedule.table
    return cumulative_cost([at], table["early_start"].to_numpy(float)[:, None],
                           table["early_finish"].to_numpy(float)[:, None], budget[:, None])[:, 0]


def earned_schedule(pv_curve, ev: float, planned_duration: float | None = None) -> float:
    """Earned schedule ES from a cumulative planned-value curve by period.

    ``pv_curve[c]`` is the cumulative PV at the end of period c, with
    ``pv_curve[0]`` the value planned at the start (usually 0). C is the
    largest c with PV_c <= EV and ``ES = C + (EV - PV_C) / (PV_{C+1} - PV_C)``
    (Lipke 2003). ES is 0 while EV is below PV_0 (no period's value earned),
    and ``planned_duration`` (default: the number of periods) once EV reaches
    the last value (BAC).

    >>> earned_schedule([0, 100, 200, 400, 700, 1000], 350)
    2.75
    >>> earned_schedule([50, 150, 250], 0)     # a costed kick-off milestone not yet reached
    0.0
    """
    pv = np.asarray(pv_curve, dtype=np.float64)
    if pv.ndim != 1 or pv.size < 2:
        raise ValidationError("earned_schedule: the PV curve needs at least two points (start and one period)")
    if np.any(np.diff(pv) < -1e-9):
        raise ValidationError("earned_schedule: the cumulative PV curve must not decrease")
    pd_ = float(pv.size - 1) if planned_duration is None else float(planned_duration)
    bac = pv[-1]
    if ev >= bac * (1 - 1e-12):
        return pd_
    c = int(np.searchsorted(pv, ev, side="right")) - 1
    if c < 0:
        return 0.0
    return float(c + (ev - pv[c]) / (pv[c + 1] - pv[c]))


# --------------------------------------------------------------------------- earned value


@dataclass(frozen=True, eq=False)
class EarnedValue:
    """Earned value and earned schedule of a project at a status date.

    ``project`` holds the progress measured (on its tasks) and its status
    date; ``metrics`` is a Series with the keys in :data:`METRICS`; ``tasks``
    a table per task; ``actual_time`` (AT) and ``planned_duration`` (PD) are
    in working days of the project calendar; ``eac_method`` names the EAC
    behind ETC, VAC and TCPI_eac; ``notes`` explains any metric that is
    undefined (NaN).
    """

    project: Project = field(repr=False)
    status_date: dt.date | dt.datetime
    metrics: pd.Series = field(repr=False)
    tasks: pd.DataFrame = field(repr=False)
    actual_time: float
    planned_duration: float
    eac_method: str = "cpi"
    notes: tuple = ()
    alerts: tuple = field(default=(), repr=False)

    @property
    def level_of_effort(self) -> list:
        """The tasks measured as level of effort: they earn their planned value, whatever is done."""
        return self.tasks.index[self.tasks["ev_method"] == "level_of_effort"].tolist()

    @property
    def forecast_finish_date(self) -> dt.date | None:
        """The finish date forecast by IEAC(t) (working days from the start), or None."""
        ieac = self.metrics["IEAC_t"]
        if not math.isfinite(ieac):
            return None
        return self.project.calendar.finish_date(self.project.start, ieac)

    def summary(self) -> pd.DataFrame:
        """The metrics, with a short description, as a DataFrame."""
        return pd.DataFrame({"value": self.metrics, "meaning": pd.Series(_MEANING)})

    def _repr_html_(self) -> str:
        head = (f"<h4>Earned value of {html.escape(self.project.name)} at {self.status_date} "
                f"({html.escape(self.project.currency)}; times in working days)</h4>")
        notes = "".join(f"<p><b>Warning:</b> {html.escape(str(a))}</p>" for a in self.alerts)
        notes += "".join(f"<p>{html.escape(str(n))}</p>" for n in self.notes)
        return head + self.summary().to_html(float_format=lambda v: f"{v:,.3f}") + notes


_MEANING = {
    "BAC": "budget at completion (baseline cost)",
    "PV": "planned value at the status date",
    "EV": "earned value (percent complete × budget)",
    "AC": "actual cost",
    "SV": "schedule variance EV − PV",
    "CV": "cost variance EV − AC",
    "SPI": "schedule performance index EV / PV",
    "CPI": "cost performance index EV / AC",
    "EAC_atypical": "AC + (BAC − EV)",
    "EAC_cpi": "BAC / CPI",
    "EAC_cpi_spi": "AC + (BAC − EV) / (CPI × SPI)",
    "EAC_bottom_up": "AC + remaining cost of each task at planned rates",
    "ETC": "estimate to complete: EAC − AC",
    "VAC": "variance at completion: BAC − EAC",
    "TCPI_bac": "to-complete performance index (BAC − EV) / (BAC − AC)",
    "TCPI_eac": "to-complete performance index (BAC − EV) / (EAC − AC)",
    "ES": "earned schedule (working days)",
    "SV_t": "schedule variance ES − AT (working days)",
    "SPI_t": "schedule performance index ES / AT",
    "IEAC_t": "forecast duration PD / SPI(t) (working days)",
    "TSPI": "to-complete schedule performance index (PD − ES) / (PD − AT)",
    "P_factor": "schedule adherence Σ min(PV_i(ES), EV_i) / PV(ES)",
}


def _alerts(metrics: pd.Series) -> tuple:
    """The warnings the metrics raise: Lipke's TSPI limit and PMI's TCPI against CPI."""
    out = []
    tspi, tcpi, cpi = metrics["TSPI"], metrics["TCPI_bac"], metrics["CPI"]
    if math.isfinite(tspi) and tspi > TSPI_LIMIT:
        out.append(f"TSPI is {tspi:.2f} (above {TSPI_LIMIT:.2f}): the rest of the work would have to go faster "
                   "than is credible; the planned finish is unlikely to be met (Lipke)")
    if math.isfinite(tcpi) and math.isfinite(cpi) and tcpi - cpi > TCPI_MARGIN:
        out.append(f"TCPI(BAC) is {tcpi:.2f} against a CPI of {cpi:.2f} (more than {TCPI_MARGIN:.2f} above): the budget "
                   "at completion cannot be met (PMI); plan to an EAC instead")
    return tuple(out)


def progress_by_date(progress, what: str) -> list[tuple]:
    """``[(status date, progress rows), ...]`` in date order, from a path (a ``progress/`` folder or a file), a
    table with a ``status_date`` column, or ``{date: table}``; ``what`` names the caller in the errors."""
    if isinstance(progress, (str, Path)):
        progress = read_progress(progress)
    if isinstance(progress, Mapping):
        items = [(_status_moment(d), table) for d, table in progress.items()]
    elif isinstance(progress, pd.DataFrame):
        if "status_date" not in progress.columns:
            raise ValidationError(f"{what}: the progress table needs a status_date column (one row per task and "
                                  "status date), or pass {date: table} or a progress/ folder")
        table = progress if progress.attrs.get("checked") else check_progress(progress)
        items = []
        for d, part in table.groupby("status_date", sort=True):
            part = part.drop(columns="status_date").reset_index(drop=True)
            part.attrs.update(source=table.attrs.get("source", "progress"), checked=True)
            items.append((moment_value(d), part))
    else:
        raise ValidationError(f"{what} needs progress: a path, a table with status_date or {{date: table}}; "
                              f"got {type(progress).__name__}")
    if not items:
        raise ValidationError(f"{what}: the progress holds no status date")
    return sorted(items, key=lambda item: pd.Timestamp(item[0]))


def _status_moment(value):
    moment = moment_value(value)
    if moment is None:
        raise ValidationError(f"status date {value!r} is blank")
    return moment


def _ratio(num: float, den: float, name: str, why: str, notes: list) -> float:
    if den == 0 or not math.isfinite(den) or not math.isfinite(num):
        notes.append(f"{name} is undefined: {why}")
        return math.nan
    return num / den


def earned_value(project: Project, progress=None, status_date=None, *, eac: str = "cpi") -> EarnedValue:
    """Earned value management and earned schedule metrics at a status date.

    Parameters
    ----------
    project : Project
        Its tasks' progress and its ``status_date`` are measured, unless a
        progress table is given.
    progress : DataFrame or path, optional
        A progress table (the columns of ``progress.csv``) or a path for
        :func:`read_progress`, put on the tasks with
        :meth:`Project.with_progress`. When it holds several status dates,
        the rows of ``status_date`` are used.
    status_date : date, datetime or ISO string
        The data date of ``progress`` (a date alone: the end of that day).
        May be omitted when the progress holds exactly one status date.
    eac : {"cpi", "atypical", "cpi_spi", "bottom_up"}
        Which EAC drives ETC (= EAC − AC), VAC (= BAC − EAC) and TCPI_eac
        (= (BAC − EV) / (EAC − AC)). The default is the CPI formula.

    Returns
    -------
    EarnedValue
        ``metrics``: BAC PV EV AC; SV CV SPI CPI; EAC_atypical (AC + BAC −
        EV), EAC_cpi (BAC / CPI), EAC_cpi_spi (AC + (BAC − EV) / (CPI ×
        SPI)), EAC_bottom_up (AC + bottom-up ETC); ETC VAC TCPI_bac TCPI_eac;
        ES SV_t SPI_t IEAC_t (working days); TSPI ((PD − ES) / (PD − AT)) and P_factor
        (Σ min(PV_i(ES), EV_i) / PV(ES)). ``tasks``: the same per task, with each task's
        ``ev_method``. ``alerts``: TSPI above 1.10, TCPI_bac more than 0.10 above CPI.

    Notes
    -----
    The baseline is the CPM schedule of the project without its progress.
    Each task's budget (its cost in :func:`pmsim.cost_model`) accrues
    linearly over its working time on its own calendar between its baseline
    early start and finish, so a task on a 7-day calendar earns planned
    value on Saturdays and one on the standard calendar does not; ES = C +
    (EV − PV_C) / (PV_{C+1} − PV_C) with PV_c at the end of working day c
    of the project calendar.

    The bottom-up ETC re-estimates each unfinished task at its planned
    rates: its remaining duration × its daily rate (own cost_per_day plus
    resource day rates) plus the unearned share of its fixed cost. A task
    not started costs its budget.

    A ratio whose denominator is zero (SPI before any value is planned, CPI
    before any cost, ...) is NaN; ``notes`` says why and a PmsimWarning is
    issued, as it is for started tasks whose actual cost is not known
    (counted as 0). A project without costs raises a ValidationError.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04",
    ...     tasks=[pm.Task("A", duration=5, cost_per_day=100), pm.Task("B", duration=5, cost_per_day=100)],
    ...     dependencies=[pm.Dependency("A", "B")])
    >>> progress = pd.DataFrame({"id": ["A", "B"], "percent_complete": [100, 20],
    ...     "actual_cost": [600, 150], "actual_start": ["2027-01-04", "2027-01-12"],
    ...     "actual_finish": ["2027-01-11", None]})
    >>> r = earned_value(p, progress, "2027-01-12")
    >>> r.metrics[["PV", "EV", "AC", "ES", "SV_t"]].round(3).tolist()
    [700.0, 600.0, 750.0, 6.0, -1.0]
    >>> float(earned_value(p.with_progress(progress, "2027-01-12")).metrics["EV"])   # the same facts on the tasks
    600.0
    """
    project = require_project(project, "earned_value")
    if eac not in _EAC_METHODS:
        raise ValidationError(f"earned_value: eac must be one of {', '.join(_EAC_METHODS)}, got {eac!r}")
    if progress is None and status_date is not None:
        raise ValidationError("earned_value: status_date= needs progress= (the project's own progress is as of "
                              "its status_date)")
    require_costs(project, "earned value")
    progressed = project_at(project, progress, status_date, warn=False)
    status = progressed.status_date
    if status is None:
        raise ValidationError("earned_value needs a status_date (the data date of the progress): pass progress= "
                              "and status_date=, or give the project a status_date")
    model = cost_model(project)
    bac_i = model["budget"]
    bac = float(bac_i.sum())
    if bac <= 0:
        raise ValidationError(
            f"Project {project.name!r} has a baseline cost of 0 (only risk costs), so earned value has nothing "
            "to measure: give tasks a fixed_cost or cost_per_day, or resources a cost_per_day"
        )
    schedule = baseline_schedule(project)
    base = schedule.table  # project task order, as the cost model
    at = data_time(project, status)
    pv_i = pd.Series(_planned_value_by_task(schedule, bac_i.to_numpy(), status, at), index=bac_i.index)
    prog = task_progress(progressed)
    methods = pd.Series([t.ev_method for t in progressed.tasks], index=bac_i.index)
    share = [earned_share(m, pct, started=st != "not started", finished=st == "finished")
             for m, pct, st in zip(methods, prog["percent_complete"], prog["status"])]
    # Level of effort earns its planned value (share NaN).
    ev_i = (pd.Series(share, index=bac_i.index) * bac_i).fillna(pv_i)
    ac_i = prog["actual_cost"]
    # Bottom-up ETC per task (see the docstring): nothing for a finished task.
    share_left = 1.0 - prog["percent_complete"] / 100.0
    etc_i = (prog["remaining_duration"] * model["daily_rate"] + share_left * model["fixed_cost"])
    etc_i = etc_i.where(prog["status"] != "finished", 0.0)

    pv, ev, ac = float(pv_i.sum()), float(ev_i.sum()), float(ac_i.sum())
    notes: list[str] = []
    unknown = prog.index[(prog["status"] != "not started") & ~prog["cost_known"]].tolist()
    if unknown:
        notes.append(f"AC counts no cost for tasks {', '.join(map(str, unknown[:10]))}"
                     f"{' and more' if len(unknown) > 10 else ''}: their actual cost is not known")
    spi = _ratio(ev, pv, "SPI", "no value is planned by the status date (PV = 0)", notes)
    cpi = _ratio(ev, ac, "CPI", "no actual cost yet (AC = 0)", notes)
    eacs = {
        "atypical": ac + (bac - ev),
        "cpi": _ratio(bac, cpi, "EAC_cpi", "CPI is undefined or zero", notes),
        "cpi_spi": ac + _ratio(bac - ev, cpi * spi, "EAC_cpi_spi", "CPI × SPI is undefined or zero", notes),
        "bottom_up": ac + float(etc_i.sum()),
    }
    chosen = eacs[eac]
    etc = chosen - ac
    pd_ = float(schedule.makespan)
    es = earned_schedule(_planned_value_by_day(schedule, bac_i.to_numpy()), ev, pd_)
    spi_t = _ratio(es, at, "SPI_t", "no working day has elapsed (AT = 0)", notes)
    ieac_t = _ratio(pd_, spi_t, "IEAC_t", "SPI(t) is undefined or zero (nothing earned yet)", notes)
    if at < pd_:
        tspi = (pd_ - es) / (pd_ - at)
    else:  # past the planned duration: no time is left to finish in (nothing to say once all is earned)
        tspi = math.nan if es >= pd_ else _ratio(pd_ - es, 0.0, "TSPI", "the planned duration has passed "
                                                 "(AT >= PD) with work left", notes)
    pv_at_es = _planned_value_by_task(schedule, bac_i.to_numpy(), None, es)
    p_factor = _ratio(float(np.minimum(pv_at_es, ev_i.to_numpy()).sum()), float(pv_at_es.sum()), "P_factor",
                      "no value is planned by ES (PV(ES) = 0)", notes)
    metrics = pd.Series(
        {
            "BAC": bac, "PV": pv, "EV": ev, "AC": ac,
            "SV": ev - pv, "CV": ev - ac, "SPI": spi, "CPI": cpi,
            "EAC_atypical": eacs["atypical"], "EAC_cpi": eacs["cpi"], "EAC_cpi_spi": eacs["cpi_spi"],
            "EAC_bottom_up": eacs["bottom_up"],
            "ETC": etc, "VAC": bac - chosen,
            "TCPI_bac": _ratio(bac - ev, bac - ac, "TCPI_bac", "AC equals BAC, nothing is left to spend", notes),
            "TCPI_eac": _ratio(bac - ev, etc, "TCPI_eac", f"EAC_{eac} is undefined or equals AC", notes),
            "ES": es, "SV_t": es - at, "SPI_t": spi_t, "IEAC_t": ieac_t, "TSPI": tspi, "P_factor": p_factor,
        },
        dtype=np.float64,
    )[METRICS]
    # A finding about the project, not about the input: kept in the report (alerts), not issued as a warning.
    alerts = _alerts(metrics)
    if notes:
        when = status.isoformat(sep=" ", timespec="minutes") if isinstance(status, dt.datetime) else status
        warnings.warn(f"earned value at {when}: " + "; ".join(notes), PmsimWarning, stacklevel=2)
    tasks = pd.DataFrame(
        {
            "name": model["name"],
            "budget": bac_i,
            "planned_start": base["early_start"],
            "planned_finish": base["early_finish"],
            "planned_percent": np.where(bac_i > 0, 100.0 * pv_i / bac_i.where(bac_i > 0, 1.0), np.nan),
            "PV": pv_i,
            "percent_complete": prog["percent_complete"],
            "EV": ev_i,
            "AC": ac_i,
            "SV": ev_i - pv_i,
            "CV": ev_i - ac_i,
            "remaining_duration": prog["remaining_duration"],
            "ETC_bottom_up": etc_i,
            "status": prog["status"],
            "ev_method": methods,
            "actual_start": prog["actual_start"],
            "actual_finish": prog["actual_finish"],
        }
    )
    tasks.index.name = "id"
    return EarnedValue(project=progressed, status_date=status, metrics=metrics, tasks=tasks,
                       actual_time=at, planned_duration=pd_, eac_method=eac, notes=tuple(notes), alerts=alerts)


def earned_value_series(project: Project, progresses_by_date, *, eac: str = "cpi") -> pd.DataFrame:
    """The metrics at several status dates: the data of the classic PV/EV/AC chart.

    ``progresses_by_date`` is a mapping of status date to progress table, a
    table with a ``status_date`` column, or a path for :func:`read_progress`.
    Returns one row per status date (index ``status_date``, ascending) with
    ``AT`` (working days elapsed) and the columns of :data:`METRICS`;
    ``attrs["project"]`` is the project (``pm.plot.evm`` draws from it).
    The planned-value baseline over the whole project is
    ``pm.budget_burn(project)["early"]``.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10, cost_per_day=100)])
    >>> series = earned_value_series(p, {
    ...     "2027-01-08": pd.DataFrame({"id": ["A"], "percent_complete": [40], "actual_cost": [450]}),
    ...     "2027-01-15": pd.DataFrame({"id": ["A"], "percent_complete": [90], "actual_cost": [950]})})
    >>> series[["PV", "EV", "AC"]].to_dict("list")
    {'PV': [500.0, 1000.0], 'EV': [400.0, 900.0], 'AC': [450.0, 950.0]}
    """
    project = require_project(project, "earned_value_series")
    items = progress_by_date(progresses_by_date, "earned_value_series")
    rows = {}
    for date, table in items:
        report = earned_value(project, table, date, eac=eac)
        rows[pd.Timestamp(date)] = pd.concat([pd.Series({"AT": report.actual_time}), report.metrics])
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "status_date"
    frame.attrs.update(project=project, eac_method=eac)  # for pm.plot.evm
    return frame
