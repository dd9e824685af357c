"""What calendars, constraints and progress cost the engine.

Run: ``.venv/bin/python benchmarks/bench_calendars.py [--corpus DIR] [--no-write]``

1. The Monte Carlo engine on 1,000 tasks (10,000 iterations, criticality included) with
   every task on the project's standard calendar, with every task on one other
   calendar (10-hour days counted as 8 hours: a single calendar, so still
   working days), and with 10 % and 30 % of the tasks on three other calendars
   (7 days a week, 07:00-17:00, a night shift): links that cross calendars need
   a lookup in compiled code. Reported as task-iterations per second and as a
   ratio to the one-calendar run of the same process.
2. A real P6 schedule, SP10 (3,994 activities on several calendars, with
   constraints; ``HassanEmam/PyP6Xer`` ``model/SP10 - COST LOADED.xer``, see
   benchmarks/corpus/corpus.tsv, read from ``--corpus``): a fresh process's
   import, read, first CPM (numba's cached kernels loaded) and second CPM; and
   a 10,000-iteration Monte Carlo of it with ±20 %/+50 % triangular ranges.

Targets (issue 16): the one-calendar run as fast as before calendars came; SP10
read and scheduled in under 1.5 s in a fresh process; its 10,000 iterations in
under 2 s. The machine is shared (2 cores): the load average is recorded, and
ratios within one run are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _results import write_section  # noqa: E402

import pmsim as pm  # noqa: E402

SP10 = Path("HassanEmam+PyP6Xer") / "model" / "SP10 - COST LOADED.xer"

CALENDARS = [
    pm.Calendar(id="7d", workdays="Mon-Sun"),
    pm.Calendar(id="long", hours="07:00-17:00", hours_per_day=8),
    pm.Calendar(id="night", hours="00:00-06:00; 22:00-24:00", workdays="Tue-Fri", hours_per_day=8,
                week={"Mon": "22:00-24:00", "Sat": "00:00-06:00"}),
]


def network(n: int = 1000, share: float = 0.0, every: str | None = None, seed: int = 0) -> pm.Project:
    """A random network of n tasks (two links each from the 30 tasks before), ``share`` of them
    on the three other calendars, or every one on the calendar ``every``."""
    rng = np.random.default_rng(seed)
    tasks = []
    for k in range(n):
        calendar = every or (str(rng.choice(["7d", "long", "night"])) if rng.random() < share else None)
        low = float(rng.integers(1, 10))
        tasks.append(pm.Task(f"T{k}", optimistic=low, most_likely=1.5 * low, pessimistic=3 * low, calendar=calendar))
    links = {(int(i), j) for j in range(1, n) for i in rng.integers(max(0, j - 30), j, size=2)}
    return pm.Project(name="calendars", start="2027-01-04", tasks=tasks, calendars=CALENDARS,
                      dependencies=[pm.Dependency(f"T{i}", f"T{j}") for i, j in sorted(links)])


def rate(project: pm.Project, iterations: int = 10_000, repeats: int = 3) -> float:
    """Task-iterations per second, best of ``repeats`` (after a warm-up run)."""
    pm.simulate(project, iterations=1_000, seed=1)
    best = min(_timed(lambda: pm.simulate(project, iterations=iterations, seed=1))
               for _ in range(repeats))
    return len(project.tasks) * iterations / best


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


FRESH = """
import time, warnings
t0 = time.perf_counter()
import pmsim as pm
t1 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    p = pm.read_project({path!r}, check_health=False)
t2 = time.perf_counter()
s = pm.cpm(p)
t3 = time.perf_counter()
pm.cpm(p.replace(name=p.name + " "))
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, len(p.tasks))
"""


def sp10_fresh(path: Path, repeats: int = 3) -> list[float]:
    """import, read, first CPM, second CPM (seconds, best of ``repeats`` fresh processes)."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", FRESH.format(path=str(path))], capture_output=True,
                             text=True, check=True).stdout.split()
        runs.append([float(x) for x in out[:4]])
    return [min(r[k] for r in runs) for k in range(4)]


def sp10_simulation(path: Path) -> tuple[int, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = pm.read_project(path, check_health=False)
    ranged = plan.replace(tasks=[
        t if t.milestone or t.planned_duration == 0 else
        t.replace(estimate=pm.Triangular(0.8 * t.planned_duration, t.planned_duration, 1.5 * t.planned_duration))
        for t in plan.tasks])
    pm.simulate(ranged, iterations=1_000, seed=1)
    best = min(_timed(lambda: pm.simulate(ranged, iterations=10_000, seed=1)) for _ in range(3))
    return len(plan.tasks), best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.environ.get("PMSIM_CORPUS", "/work/corpus"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    plain = rate(network())
    for label, project in (("every task on the standard calendar", None),
                           ("every task on one 10-hour calendar", network(every="long")),
                           ("10 % of the tasks on three other calendars", network(share=0.1)),
                           ("30 % of the tasks on three other calendars", network(share=0.3))):
        value = plain if project is None else rate(project)
        rows.append(f"| {label} | {value / 1e6:.0f} M | {value / plain:.2f} |")
        print(rows[-1], flush=True)
    text = ["Monte Carlo, 1,000 tasks x 10,000 iterations, criticality included (best of 3):", "",
            "| calendars | task-iterations/s | ratio to one calendar |", "|---|---:|---:|", *rows, ""]
    sp10 = Path(args.corpus) / SP10
    if sp10.exists():
        imp, read, first, second = sp10_fresh(sp10)
        n, mc = sp10_simulation(sp10)
        text += [f"SP10 ({n} activities, P6, several calendars and constraints), fresh process (best of 3):", "",
                 "| step | seconds |", "|---|---:|",
                 f"| import pmsim | {imp:.2f} |", f"| read the XER | {read:.2f} |",
                 f"| first CPM (network, cached kernels loaded) | {first:.2f} |",
                 f"| read + first CPM | {read + first:.2f} |", f"| second CPM (another project) | {second:.2f} |",
                 f"| Monte Carlo, 10,000 iterations (±20 %/+50 % triangular) | {mc:.2f} |", ""]
    else:
        text += [f"SP10 not measured: {sp10} is not in the corpus folder (see benchmarks/corpus).", ""]
    text.append(f"Load average at the start: {load:.1f} (2 cores shared).")
    print("\n".join(text))
    if not args.no_write:
        write_section("calendars", "\n".join(text))


if __name__ == "__main__":
    main()
