"""A large programme: CPM, Monte Carlo and levelling at 5,000 to 50,000 tasks, time and peak memory.

The project (:func:`programme`, fixed seed): ``n`` tasks with Beta-PERT
three-point estimates (1-20 working days most likely), ``2n`` links between
tasks at most 200 ranks apart (70 % FS, 10 % each SS, FF and SF, half of them
with a lag in [-3, 5] working days), listed in a shuffled order; 40
resources of capacity 2-6, each task using one of them (1-2 units), 5 % of
the tasks none.

Each step runs in a fresh process (``--child``), so that its peak memory is
its own: the process builds the project, warms the kernels up on a
100-task project of the same kind (numba loads them from its cache; that is
``bench_import``'s and ``bench_first_change``'s subject, not this one's),
then times the step once on the big project. Reported: the wall and CPU time
of the step, the peak resident memory of the process (``ru_maxrss``) above
what it held before the step, and the time to build the project.

- ``cpm``: ``pm.cpm(project)``, the first call on the project (network arrays built).
- ``simulate``: ``pm.simulate(project, iterations, seed=0)`` (criticality, summary statistics).
- ``level``: ``pm.level(project)`` with its defaults.

The growth between sizes is what this benchmark is for: time per task
(and per task-iteration) should stay flat; a step whose time per task grows
with the size has a part that grows faster than linearly.

Run: .venv/bin/python benchmarks/bench_scale.py [--sizes 5000 10000 25000 50000] [--iterations 10000]
     [--steps cpm simulate level] [--no-write]

On a loaded machine use fewer ``--iterations`` (the Monte Carlo is linear in
them: the table states the iterations used).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 2027
STEPS = ("build", "cpm", "simulate", "level")
NOTES = {
    "simulate": "The default chunk is 64 iterations above 32,768 tasks (`default_chunk`): at 50,000 tasks 128 "
                "took 168 MB of working arrays and ran 15 % slower than 64 (measured in one process, 2,000 "
                "iterations, chunks of 16/32/64/128: 0.71/0.61/0.56/0.65 s CPU). The Monte Carlo is linear in "
                "the iterations.",
    "level": "What grew faster than linearly, found: the serial schedule-generation scheme (250 passes of it in "
             "the default search) looked for each task's window day by day from its precedence-feasible start to "
             "where its resource has room. On this programme 12 resources serve every task and are booked far "
             "ahead (levelled finish about three times the CPM's), so that walk grew with the number of tasks "
             "(69 day checks a task at 5,000 tasks, 273 at 20,000, with 8 and 32 holes too short on the way) and "
             "a pass about as n^1.7. Fixed: once the walk gets long and the rest of the pass pays for it, the "
             "pass switches to a segment tree per resource and demand over the runs of days with room "
             "(`_kernels/runs.py`), which finds the same window in O(log days); the same schedules (starts equal "
             "to the walk's on PSPLIB j30/j60/j120/RG30 and this programme). One LFT pass, CPU, walk / trees in "
             "the same process: 10,000 tasks 6.4 / 6.4 ms, 25,000 31 / 18.5 ms, 50,000 118 / 39 ms. The floats "
             "of the levelled schedule (`held_back`, resource free float) walked the same stretches and now ask "
             "a max tree of each resource's usage; `left_shift` built its profile by n insertions (O(n^2)) and "
             "now sorts once. But `level()` as a whole gains little: main / this code, one after the other (CPU, "
             "load about 17): 5,000 tasks 0.77 / 0.89 s, 10,000 2.13 / 2.30 s, 25,000 9.65 / 8.80 s, the same "
             "makespans (3,362, 6,455, 15,868 days). The walk was not most of `level()`'s time, and per task it "
             "still grows (about n^1.4 in total CPU time from 5,000 to 50,000 tasks, at load 19, which inflates "
             "CPU time). Not yet found: the rest of the search's passes (priority lists, the backward passes, "
             "the density of each member), measured apart only at 25,000 tasks (a decoding: lists 7 + 8 ms, "
             "forward and backward passes 20 + 20 ms); `left_shift`'s search for an earlier window still walks "
             "the profile's breakpoints (0.7 s at 50,000 tasks).",
}


def programme(n: int, seed: int = SEED):
    """The benchmark's project of ``n`` tasks (see the module docstring)."""
    import pmsim as pm

    rng = np.random.default_rng(seed)
    m = 2 * n
    likely = rng.integers(1, 21, n)
    low = np.maximum(1, likely - rng.integers(0, 5, n))
    high = likely + rng.integers(1, 15, n)
    pairs: set = set()
    while len(pairs) < m:
        b = rng.integers(1, n, m)
        a = b - rng.integers(1, np.minimum(b, 200) + 1)
        pairs.update(zip(a.tolist(), b.tolist()))
    pairs = sorted(pairs)[:m]
    kinds = rng.choice(["FS", "SS", "FF", "SF"], size=m, p=[0.7, 0.1, 0.1, 0.1])
    lags = np.where(rng.random(m) < 0.5, 0, rng.integers(-3, 6, m))
    resources = [pm.Resource(f"R{k}", capacity=int(c)) for k, c in enumerate(rng.integers(2, 7, 12))]
    uses = rng.integers(0, len(resources), n)
    units = rng.integers(1, 3, n)
    idle = rng.random(n) < 0.05
    order = rng.permutation(n)
    tasks = [pm.Task(f"T{k}", optimistic=int(low[k]), most_likely=int(likely[k]), pessimistic=int(high[k]),
                     resources={} if idle[k] else {f"R{uses[k]}": int(units[k])}) for k in order]
    deps = [pm.Dependency(f"T{a}", f"T{b}", str(kind), int(lag)) for (a, b), kind, lag in zip(pairs, kinds, lags)]
    return pm.Project(name=f"programme of {n:,} tasks", start="2027-01-04", tasks=tasks, dependencies=deps,
                      resources=resources)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(step: str, n: int, iterations: int) -> dict:
    import pmsim as pm

    small = programme(300, seed=1)  # the kernels loaded (from numba's cache) before anything is timed;
    pm.cpm(small)  # 300 tasks: enough for levelling to bind, so the search's kernels load too
    pm.simulate(small, iterations=200, seed=0)
    pm.level(small)
    wall, cpu = time.perf_counter(), time.process_time()
    project = programme(n)
    out = {"build_wall": time.perf_counter() - wall, "build_cpu": time.process_time() - cpu}
    before = _peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if step == "cpm":
        result = pm.cpm(project)
        out["makespan"] = float(result.makespan)
    elif step == "simulate":
        result = pm.simulate(project, iterations=iterations, seed=0)
        out["mean"] = float(result.mean)
    elif step == "level":
        result = pm.level(project)
        out["makespan"] = float(result.makespan)
    elif step != "build":
        raise SystemExit(f"unknown step {step}")
    out.update(wall=time.perf_counter() - wall, cpu=time.process_time() - cpu, rss_before=before,
               peak=_peak_mb())
    return out


def run_child(step: str, n: int, iterations: int) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", step, "--sizes", str(n),
                          "--iterations", str(iterations)], capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise RuntimeError(f"{step} at {n:,} tasks failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 10_000, 25_000, 50_000])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--steps", nargs="+", default=["cpm", "simulate", "level"], choices=STEPS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.sizes[0], args.iterations)))
        return 0

    sys.path.insert(0, str(HERE))
    from _results import write_section

    load_before = os.getloadavg()
    run_child("build", 300, 200)  # numba's cache written once (after a kernel changed), not timed
    rows = []
    for step in args.steps:
        for n in args.sizes:
            r = run_child(step, n, args.iterations)
            rows.append((step, n, r))
            print(f"{step:9s} {n:7,d} tasks: {r['wall']:7.2f} s wall, {r['cpu']:7.2f} s CPU, peak RSS "
                  f"{r['peak']:7.0f} MB ({r['peak'] - r['rss_before']:+.0f} MB over the step), build "
                  f"{r['build_wall']:.1f} s", flush=True)
    load_after = os.getloadavg()
    for step in args.steps:  # one section per step, so that steps run at different times keep theirs
        text = _section(step, [(n, r) for s, n, r in rows if s == step], args.iterations, load_before, load_after)
        print(text)
        if not args.no_write:
            write_section(f"scale {step}", text)
    return 0


def _section(step: str, rows: list, iterations: int, load_before, load_after) -> str:
    smallest, base = rows[0]
    what = {"cpm": "`pm.cpm(project)`, first call on the project",
            "simulate": f"`pm.simulate(project, iterations={iterations:,}, seed=0)`",
            "level": "`pm.level(project)` with its defaults (250-pass search)",
            "build": "building the project only"}[step]
    lines = [
        f"{what}. A programme of n tasks and 2n links (FS/SS/FF/SF with lags, seed {SEED}), Beta-PERT "
        "estimates, 12 resources (`bench_scale.py`); each size in a fresh process, kernels loaded beforehand on "
        "a small project. Peak memory: the process's peak resident set (`ru_maxrss`), and how much the step "
        "added to it.",
        "",
        "| tasks | wall (s) | CPU (s) | µs CPU per task" + (" per iteration" if step == "simulate" else "")
        + " | per task, vs the smallest | peak RSS (MB) | added by the step (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, r in rows:
        growth = (r["cpu"] / n) / (base["cpu"] / smallest) if base["cpu"] else float("nan")
        unit = n * (iterations if step == "simulate" else 1)
        lines.append(f"| {n:,} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['cpu'] / unit * 1e6:.3g} | {growth:.2f} "
                     f"| {r['peak']:.0f} | {r['peak'] - r['rss_before']:.0f} |")
    lines += ["", "Building the project (Task, Dependency and Project objects, validated): " + ", ".join(
        f"{n:,} tasks {r['build_cpu']:.1f} s CPU" for n, r in rows) + "."]
    if step in NOTES:
        lines += ["", NOTES[step]]
    lines += ["", f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.1f}' for x in load_before)}; after: "
                  f"{', '.join(f'{x:.1f}' for x in load_after)} (2 cores shared with other work)."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
