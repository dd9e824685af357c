"""The ``--json`` answers: one JSON object on stdout, stable keys, plain values.

Dates are ISO text (``2027-09-17``), moments ISO to the minute
(``2027-09-17T13:00``), NaN and infinities ``null``; non-ASCII text is
escaped (``\\u00fc``), so the object is safe on any terminal too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys

import numpy as np
import pandas as pd

from .text import LAST_DATE, date_text, moment_text

__all__ = ["to_jsonable", "emit_json", "schedule_json", "summary_json", "check_schedule_dates",
           "check_simulation_dates"]


def to_jsonable(value):
    """Turn numpy, pandas and date values into plain JSON values (NaN -> null).

    >>> to_jsonable({"p": np.float64("nan"), "d": pd.Timestamp("2027-01-04"), "n": np.int64(3)})
    {'p': None, 'd': '2027-01-04', 'n': 3}
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.reset_index().to_dict("records")]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if value is pd.NaT or value is None:  # a missing date; NaT.isoformat() would print the string "NaT"
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64, dt.date)) and not isinstance(value, dt.datetime):
        return date_text(value) or None
    if isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.normalize() == stamp:
            return date_text(stamp)
        return moment_text(stamp).replace(" ", "T")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, sort_keys=False, ensure_ascii=True) + "\n")


def check_schedule_dates(schedule) -> None:
    """Refuse a schedule whose dates run past 9999-12-31, naming the first task that does."""
    finish = schedule.table["finish_date"]
    late = finish[finish > pd.Timestamp(LAST_DATE)] if len(finish) else finish
    if len(late):
        tid = late.index[0]
        date_text(np.datetime64(late.iloc[0].asm8, "D"), f"Task {tid!r}: its finish")


def check_simulation_dates(sim) -> None:
    """Refuse a simulation whose latest finish runs past 9999-12-31."""
    if len(sim.finish_dates):
        date_text(sim.finish_dates.max(), f"The latest finish of the {sim.iterations:,} iterations")


SCHEDULE_COLUMNS = ["name", "phase", "duration", "start", "finish", "early_start", "early_finish",
                    "late_start", "late_finish", "total_float", "free_float", "critical", "start_date",
                    "finish_date"]


def schedule_json(schedule) -> dict:
    """A Schedule as a dict: the project's dates, deadline and budget, and one entry per task.

    Keys: ``project start_date finish_date makespan deadline currency budget
    baseline_cost critical_path tasks``; each task has ``id``, the
    Schedule.table columns (working days and dates) and ``start_time``,
    ``finish_time`` (ISO moments on the task's calendar).
    """
    from ..costs import baseline_cost

    check_schedule_dates(schedule)
    p = schedule.project
    t = schedule.table
    times = schedule.times()
    records = t[SCHEDULE_COLUMNS].to_dict("records")
    tasks = []
    for tid, row, start, finish, milestone in zip(t.index, records, times["start"], times["finish"], t["milestone"]):
        row["start_time"] = moment_text(finish if milestone else start).replace(" ", "T")
        row["finish_time"] = moment_text(finish).replace(" ", "T")
        tasks.append({"id": tid, **row})
    return {
        "project": p.name,
        "start_date": schedule.start_date,
        "finish_date": schedule.finish_date,
        "makespan": schedule.makespan,
        "deadline": p.deadline,
        "currency": p.currency,
        "budget": p.budget,
        "baseline_cost": baseline_cost(p),
        "critical_path": list(schedule.critical_path),
        "tasks": tasks,
    }


def summary_json(sim, top: int = 10) -> dict:
    """The headline numbers of a Simulation as a plain dict with stable keys (``pmsim simulate --json``).

    Keys: ``project iterations seed levelled status_date``, ``p10 p50 p80
    p90`` (ISO dates) and ``p10_days`` ... ``p90_days``, ``mean sd
    p80_standard_error`` (working days), ``deadline probability_on_time``,
    ``cost_mean cost_sd cost_p50 cost_p80 cost_p90 currency budget
    probability_within_budget``, ``jcl`` (on time and within budget, when
    both are set; else null) and ``criticality`` (the ``top`` most critical
    tasks: ``id name criticality``). ``status_date`` is the data date of a
    re-forecast from progress, else null.

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> summary_json(pm.simulate(p, iterations=10, seed=1))["p80"]
    '2027-01-06'
    """
    check_simulation_dates(sim)
    p = sim.project
    levels = [10, 50, 80, 90]
    remaining = getattr(sim, "remaining", None)
    out: dict = {"project": p.name, "iterations": sim.iterations, "seed": sim.seed, "levelled": sim.levelled,
                 "status_date": getattr(remaining, "status_date", None)}
    for lvl, date in zip(levels, sim.percentile(levels)):
        out[f"p{lvl}"] = date_text(date, f"The P{lvl} finish")
    for lvl, value in zip(levels, sim.percentile_days(levels)):
        out[f"p{lvl}_days"] = value
    out.update(mean=sim.mean, sd=sim.std, p80_standard_error=sim.p80_standard_error)
    out["deadline"] = p.deadline
    out["probability_on_time"] = sim.probability_by(p.deadline) if p.deadline is not None else None
    c50, c80, c90 = sim.cost_percentile([50, 80, 90])
    out.update(cost_mean=sim.cost_mean, cost_sd=sim.cost_std, cost_p50=c50, cost_p80=c80, cost_p90=c90,
               currency=p.currency, budget=p.budget)
    out["probability_within_budget"] = sim.probability_within(p.budget) if p.budget is not None else None
    out["jcl"] = joint_confidence(sim)
    crit = sim.criticality.sort_values(ascending=False, kind="stable").head(top)
    out["criticality"] = [{"id": tid, "name": p.task(tid).name, "criticality": float(v)} for tid, v in crit.items()]
    return out


def joint_confidence(sim) -> float | None:
    """The share of iterations on time and within budget (JCL), or None without a deadline or budget."""
    p = sim.project
    if p.deadline is None or p.budget is None:
        return None
    on_time = sim.finish_dates <= np.datetime64(p.deadline, "D")
    within = sim.cost <= p.budget + 1e-9 * max(1.0, p.budget)
    return float((on_time & within).mean())
