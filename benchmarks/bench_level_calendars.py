"""What calendars, constraints and progress cost resource levelling.

Run: ``.venv/bin/python benchmarks/bench_level_calendars.py [--no-write]``

On PSPLIB instances (tests/data/psplib), three versions of each project:

- ``plain``: as read (one calendar, no dates): the plain kernels;
- ``copy``: every task on a calendar with the project calendar's hours under
  another id: the calendar kernels on elapsed minutes, the same working time
  (so the same schedules, which the run checks for one pass of the rule);
- ``mixed``: every third task on a 7-day calendar: the calendar kernels with
  two calendars.

Reported: ``pm.level`` (default search: improvement, at least 250 passes) in
seconds, and the levelled Monte Carlo (±30 %/+80 % three-point ranges, 2,000
iterations) in ms per iteration, each as a ratio to ``plain`` in the same
process. The machine is shared (2 cores): the load average is recorded, and
ratios within one run are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _results import write_section  # noqa: E402

import pmsim as pm  # noqa: E402

PSPLIB = Path(__file__).resolve().parent.parent / "tests" / "data" / "psplib"
SEVEN = pm.Calendar(workdays="Mon-Sun", id="seven", name="7 days")
COPY = pm.Calendar(id="copy", name="the project calendar's hours")
ITERATIONS = 2000


def versions(p: pm.Project) -> dict:
    mixed = [t.replace(calendar="seven") if k % 3 == 0 else t for k, t in enumerate(p.tasks)]
    return {"plain": p, "copy": p.replace(calendars=(COPY,), tasks=tuple(t.replace(calendar="copy") for t in p.tasks)),
            "mixed": p.replace(calendars=(SEVEN,), tasks=tuple(mixed))}


def uncertain(p: pm.Project) -> pm.Project:
    return p.replace(tasks=tuple(t.replace(optimistic=0.7 * t.planned_duration, most_likely=t.planned_duration,
                                           pessimistic=1.8 * t.planned_duration) if t.planned_duration > 0 else t
                                 for t in p.tasks))


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = ["| instance | version | tasks | level (s) | ratio | levelled MC (ms/iteration) | ratio | one pass = plain |",
            "|---|---|---|---|---|---|---|---|"]
    for name in ("j301_1.sm", "j1201_1.sm"):
        base = pm.read_project(PSPLIB / name)
        ref_level = ref_mc = None
        plain_pass = pm.level(base, improve=False).table["start"].to_numpy()
        for label, p in versions(base).items():
            q = uncertain(p)
            pm.level(p)  # compile and warm the caches
            pm.simulate(q, iterations=100, seed=1, levelled=True)
            lv = best_of(lambda: pm.level(p))
            mc = best_of(lambda: pm.simulate(q, iterations=ITERATIONS, seed=1, levelled=True), 2) / ITERATIONS * 1e3
            ref_level, ref_mc = (lv, mc) if label == "plain" else (ref_level, ref_mc)
            same = "-" if label == "mixed" else str(bool(np.allclose(
                pm.level(p, improve=False).table["start"].to_numpy(), plain_pass)))
            rows.append(f"| {name} | {label} | {len(p.tasks)} | {lv:.3f} | {lv / ref_level:.1f} | {mc:.3f} | "
                        f"{mc / ref_mc:.1f} | {same} |")
            print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = "\n".join([
        f"Levelling on calendars (`benchmarks/bench_level_calendars.py`), load average {load:.1f} on the shared "
        "machine: ratios to the plain kernels of the same run are the figures to compare.", "",
        *rows, "",
        "`copy` is the project calendar under another id: the calendar kernels on the same working time, one pass "
        "of the rule gives the plain schedule (last column). The calendar kernels place a task atom by atom of "
        "working time (a day cut at every shift boundary), against the plain kernels' usage breakpoints."])
    if not args.no_write:
        write_section("levelling on calendars", text)


if __name__ == "__main__":
    main()
