"""Benchmark of throughput forecasts and hybrid plans (issue 23).

Run: ``.venv/bin/python benchmarks/bench_forecast.py [--repeat N] [--no-write]``

1. ``pm.forecast_backlog``: 10,000 iterations of a 300-item backlog over a
   52-week history (target: under 50 ms), whole call (reading the history,
   the reference draws of the Backlog estimate, the compiled run); against, in
   the same run, the obvious vectorised numpy bootstrap (a matrix of sampled
   weeks, cumulated, the first week reaching the backlog);
2. a hybrid plan: a 150-task random network (as in bench_montecarlo) with one
   task's estimate replaced by a backlog forecast, ``pm.simulate`` at 100,000
   iterations against the same network without it, interleaved in one process
   (target: >= 100 M task-iterations/s).

The machine is shared: every timing is the best of several runs, the load
average is recorded, and the ratios measured in the same run are what to
compare. Results go to the ``forecast`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write_section  # noqa: E402
from bench_montecarlo import pmsim_project, random_network  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def numpy_bootstrap(counts: np.ndarray, items: int, iterations: int, seed: int) -> np.ndarray:
    """The reference: sample enough weeks for every iteration at once, cumulate, find the week reaching ``items``."""
    rng = np.random.default_rng(seed)
    weeks = int(np.ceil(items / max(counts.min(), 1))) if counts.min() > 0 else 4 * int(np.ceil(items / counts.mean()))
    done = np.cumsum(rng.choice(counts, size=(iterations, weeks)), axis=1)
    return np.argmax(done >= items, axis=1) + 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    import pmsim as pm

    load = os.getloadavg()[0]
    counts = np.random.default_rng(0).poisson(10, 52)
    history = pd.DataFrame({"period": pd.date_range("2026-01-05", periods=52, freq="7D"), "completed": counts})
    run = lambda: pm.forecast_backlog(history, 300, iterations=10_000, seed=1)  # noqa: E731
    run()  # numba loads its cached kernels
    t_pmsim = best(run, args.repeat)
    t_numpy = best(lambda: numpy_bootstrap(counts, 300, 10_000, 1), args.repeat)
    f = run()
    reference = numpy_bootstrap(counts, 300, 200_000, 2)
    p_pmsim = f.percentile_periods([50, 85, 95])
    p_numpy = np.percentile(reference, [50, 85, 95], method="inverted_cdf").tolist()

    # Hybrid: one task of a 150-task network becomes a 300-item backlog (weeks of 5 working days).
    plain = pmsim_project(random_network(150, seed=4))
    hybrid_task = plain.tasks[75].replace(estimate=pm.Backlog(300, tuple(float(c) for c in counts), period_days=5))
    hybrid = plain.with_task(hybrid_task) if hasattr(plain, "with_task") else None
    if hybrid is None:
        tasks = list(plain.tasks)
        tasks[75] = hybrid_task
        hybrid = plain.replace(tasks=tuple(tasks))
    iterations = 100_000
    for p in (plain, hybrid):
        pm.simulate(p, iterations=1000, seed=1)
    t_plain, t_hybrid = [], []
    for _ in range(args.repeat):
        for p, times in ((plain, t_plain), (hybrid, t_hybrid)):
            t = time.perf_counter()
            pm.simulate(p, iterations=iterations, seed=1)
            times.append(time.perf_counter() - t)
    t_plain, t_hybrid = min(t_plain), min(t_hybrid)
    rate = lambda t: 150 * iterations / t / 1e6  # noqa: E731
    load_after = os.getloadavg()[0]

    text = f"""
| forecast: 10,000 iterations, 300 items, 52-week history | best of {args.repeat} |
|---|---|
| `pm.forecast_backlog` (whole call) | {t_pmsim * 1e3:.1f} ms |
| numpy bootstrap (sampled matrix, cumsum, argmax) | {t_numpy * 1e3:.1f} ms |
| ratio numpy / pmsim | {t_numpy / t_pmsim:.1f} |

Same answer: P50/P85/P95 weeks {p_pmsim} (pmsim, 10,000 iterations) against {p_numpy} (numpy, 200,000).

| hybrid plan: 150 tasks, 100,000 iterations (`pm.simulate`) | best of {args.repeat} | task-iterations/s |
|---|---|---|
| plain (Beta-PERT estimates) | {t_plain * 1e3:.0f} ms | {rate(t_plain):.0f} M |
| one task a 300-item backlog forecast | {t_hybrid * 1e3:.0f} ms | {rate(t_hybrid):.0f} M |
| ratio hybrid / plain | {t_hybrid / t_plain:.2f} | |

Load average {load:.1f} before and {load_after:.1f} after (2 cores, shared with other jobs: absolute times are
inflated, the ratios less so).
"""
    print(text)
    if not args.no_write:
        write_section("forecast", text)


if __name__ == "__main__":
    main()
