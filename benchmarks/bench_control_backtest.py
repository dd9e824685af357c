"""Back-test of finish forecasts on SYNTHETIC project history (issue 20): no public real-life data could be used.

Run: ``.venv/bin/python benchmarks/bench_control_backtest.py [--projects N] [--no-write]``

Why synthetic: the real-life project database of Batselier and Vanhoucke (planned and actual
durations with periodic progress) is published on the OR&S group's web site, not in a public
repository these tools can fetch; the one estimation data set found in a public repository
(Derek-Jones/SiP_dataset: task estimates and actuals, no network and no periodic progress) is
licensed CC BY-NC-ND 4.0, which forbids redistributing a changed copy and commercial use, so it is
not bundled with an open-source library. The history below is generated from a documented model and
every number in this section is labelled synthetic.

The model (seeded; ``--projects`` of them):

- a project is four phases (design 2–3 tasks, build 3–6, test 2–3, deploy 1); each task depends on
  one or two tasks of the phase before; estimates: most likely m ~ Uniform(5, 20) working days,
  three-point (0.85 m, m, 1.4 m); 1000 a day;
- the truth: each task takes round(m × F × R) working days (at least 1), F a project factor
  (lognormal, median 1.15, σ 0.15: projects share a bias) and R its own (lognormal, median by phase
  design 1.1, build 1.3, test 1.4, deploy 1.0, σ 0.3); tasks start as early as the logic allows;
- status dates at 15, 30, 45, 60, 75 and 90 % of the actual duration (early: 15, 30; middle: 45, 60;
  late: 75, 90), each with the percent complete and actual cost of every started task (no remaining
  durations: the forecast must not see the truth).

At each status date: the earned schedule forecast (IEAC(t) = PD / SPI(t), ``pm.earned_value``) and the
Monte Carlo re-forecast P50 (``pm.simulate`` with the progress, 500 iterations) against the actual
finish; the error is |forecast − actual| / actual duration (working days). Then the scoreboard of the
re-forecasts' P10–P90 with and without reference-class calibration fitted leave-one-project-out.
Results go to the ``control_backtest`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import pmsim as pm  # noqa: E402
from benchmarks._results import write_section  # noqa: E402

START = "2027-01-04"
PHASES = {"design": (2, 3, 1.1), "build": (3, 6, 1.3), "test": (2, 3, 1.4), "deploy": (1, 1, 1.0)}
SHARES = (0.15, 0.30, 0.45, 0.60, 0.75, 0.90)
STAGE = {0.15: "early", 0.30: "early", 0.45: "middle", 0.60: "middle", 0.75: "late", 0.90: "late"}


def synthetic_project(k: int, rng: np.random.Generator):
    """(plan, true durations by task id, history rows) of synthetic project k."""
    tasks, deps, truth, rows, previous = [], [], {}, [], []
    factor = 1.15 * math.exp(0.15 * rng.standard_normal())
    for phase, (low, high, median) in PHASES.items():
        current = []
        for i in range(int(rng.integers(low, high + 1))):
            tid = f"{phase}{i + 1}"
            m = float(rng.uniform(5, 20))
            tasks.append(pm.Task(tid, optimistic=0.85 * m, most_likely=m, pessimistic=1.4 * m, phase=phase,
                                 cost_per_day=1000))
            truth[tid] = max(1, round(m * factor * median * math.exp(0.3 * rng.standard_normal())))
            rows.append({"project": f"P{k}", "phase": phase, "estimate": m, "actual": truth[tid]})
            for pred in (rng.choice(previous, size=min(len(previous), int(rng.integers(1, 3))), replace=False)
                         if previous else []):
                deps.append(pm.Dependency(str(pred), tid))
            current.append(tid)
        previous = current
    plan = pm.Project(name=f"P{k}", start=START, tasks=tasks, dependencies=deps)
    return plan, truth, rows


def actual_schedule(plan, truth):
    fixed = plan.replace(tasks=tuple(t.replace(estimate=pm.Fixed(truth[t.id])) for t in plan.tasks))
    return pm.cpm(fixed).table


def progress_at(plan, table, truth, t: int) -> pd.DataFrame:
    cal, rows = plan.calendar, []
    for tid, r in table.iterrows():
        s, d = float(r["start"]), float(truth[tid])
        if s >= t:
            continue
        done = min(1.0, (t - s) / d)
        row = {"id": tid, "percent_complete": round(100 * done, 6), "actual_cost": 1000 * d * done,
               "actual_start": cal.start_date(plan.start, s).isoformat()}
        if done >= 1:
            row["actual_finish"] = cal.finish_date(plan.start, int(s + d)).isoformat()
        rows.append(row)
    return pd.DataFrame(rows)


def working_days(plan, date) -> float:
    """Working days from the project start to the end of ``date``."""
    return float(plan.calendar.offset(plan.start, pd.Timestamp(date).date())) + 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(20)
    started = time.perf_counter()
    projects = [synthetic_project(k, rng) for k in range(args.projects)]
    history = pd.DataFrame([row for _, _, rows in projects for row in rows])
    errors, folder = [], Path(tempfile.mkdtemp())
    inside, outside = pm.forecast_log(folder / "inside"), pm.forecast_log(folder / "outside")
    actual_dates = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PmsimWarning)
        for plan, truth, _ in projects:
            table = actual_schedule(plan, truth)
            duration = float(table["finish"].max())
            actual = plan.calendar.finish_date(plan.start, duration)
            actual_dates[plan.name] = actual
            calibrated = pm.calibrate(plan, history[history["project"] != plan.name], min_samples=10).project
            for share in SHARES:
                t = max(1, int(round(share * duration)))
                status = plan.calendar.finish_date(plan.start, t)
                progress = progress_at(plan, table, truth, t)
                es = pm.earned_value(plan, progress, status).forecast_finish_date
                sim = pm.simulate(plan, iterations=args.iterations, seed=1, progress=progress, status_date=status)
                mc = sim.percentile(50)
                errors.append({"project": plan.name, "stage": STAGE[share], "share": share,
                               "es": abs(working_days(plan, es) - duration) / duration if es else np.nan,
                               "mc": abs(working_days(plan, mc) - duration) / duration})
                inside.record(sim, label=f"{plan.name}@{share}")
                outside.record(pm.simulate(calibrated, iterations=args.iterations, seed=1, progress=progress,
                                           status_date=status), label=f"{plan.name}@{share}")
    frame = pd.DataFrame(errors)
    by_stage = frame.groupby("stage")[["es", "mc"]].mean().reindex(["early", "middle", "late"]) * 100
    labels = {f"{p.name}@{s}": actual_dates[p.name] for p, _, _ in projects for s in SHARES}
    actuals = pd.DataFrame({"label": list(labels), "actual_finish": list(labels.values())})
    before, after = inside.score(actuals), outside.score(actuals)
    elapsed = time.perf_counter() - started
    lines = [
        "### Finish forecasts against the actual finish: **synthetic** history (see the script's docstring)",
        "",
        f"{args.projects} generated projects, {len(frame)} status dates; error = |forecast − actual| / actual "
        "duration (working days); Monte Carlo: P50 of the re-forecast with the progress "
        f"({args.iterations} iterations). Load average {os.getloadavg()[0]:.1f}; {elapsed:.0f} s.",
        "",
        "| stage (share of the actual duration) | MAPE earned schedule IEAC(t) | MAPE Monte Carlo P50 |",
        "|---|---|---|",
        *(f"| {stage} ({', '.join(f'{s:.0%}' for s in SHARES if STAGE[s] == stage)}) | {r.es:.1f} % | {r.mc:.1f} % |"
          for stage, r in by_stage.iterrows()),
        "",
        "### The re-forecasts' scoreboard, without and with reference-class calibration (leave one project out)",
        "",
        "| forecasts | P50 came true | P80 came true | P90 came true | outside P10–P90 (expected 20 %) | "
        "interval score (days) | verdict |",
        "|---|---|---|---|---|---|---|",
        *(f"| {name} | {b.hit_rates.loc['finish', 'P50']:.0%} | {b.hit_rates.loc['finish', 'P80']:.0%} | "
          f"{b.hit_rates.loc['finish', 'P90']:.0%} | {b.scores.loc['finish', 'outside_p10_p90']:.0%} | "
          f"{b.scores.loc['finish', 'interval_score']:.1f} | {b.scores.loc['finish', 'verdict']} |"
          for name, b in (("three-point estimates as given", before), ("calibrated by phase", after))),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("control_backtest", text)


if __name__ == "__main__":
    main()
