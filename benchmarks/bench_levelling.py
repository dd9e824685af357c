"""Levelling quality and speed on PSPLIB, and the levelled Monte Carlo.

    python benchmarks/bench_levelling.py                 # everything, 2 processes
    python benchmarks/bench_levelling.py --sample 10     # every 10th instance (development)
    python benchmarks/bench_levelling.py --sets j30 --settings 5000 --write
    python benchmarks/bench_levelling.py --sets j120 --settings 5000 --sample 4 --seed 1   # seed noise

Deviation follows the Kolisch & Hartmann convention (see
``../shared/data/psplib/SOURCE.md``): j30 against the proven optima of
``j30opt.sm``; j120 against the critical-path bound (the ``MPM-Time`` of each
file, checked to equal pmsim's CPM makespan) and, for reference, against
the best known upper bounds of ``j120hrs.sm``; j60 likewise (``j60hrs.sm``). ``schedules`` counts schedule
passes (each forward or backward pass of the SGS is one), the usual
convention. Time per instance is the wall time of the whole ``pm.level``
call (reading the file excluded), in worker processes that first compiled
or loaded the numba code; the CPU time of the same call is shown too,
since other work on the shared cores stretches wall times.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pmsim as pm  # noqa: E402

SETTINGS = {
    "rule": ("one pass, serial SGS, LFT", dict(improve=False)),
    "default": ("default `level()`", dict()),
    "1000": ("`schedules=1000`", dict(schedules=1000)),
    "5000": ("`schedules=5000`", dict(schedules=5000)),
    "50000": ("`schedules=50000`", dict(schedules=50000)),
}


def data_dir() -> Path:
    for candidate in (os.environ.get("PSPLIB_DIR"), ROOT.parent / "shared" / "data" / "psplib",
                      Path("/work/shared/data/psplib")):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    sys.exit("PSPLIB data not found: set PSPLIB_DIR to the folder with j30/ j120/ solutions/")


def references(folder: Path) -> dict:
    """Instance name -> reference makespans: j30 optimum, j120 best-known upper bound."""
    ref = {}
    for line in (folder / "solutions" / "j30opt.sm").read_text().splitlines():
        tok = line.split()
        if len(tok) == 4 and tok[0].isdigit():
            ref[f"j30{tok[0]}_{tok[1]}"] = {"optimum": int(tok[2])}
    for name in ("j60", "j120"):
        for line in (folder / "solutions" / f"{name}hrs.sm").read_text().splitlines():
            tok = line.split("\t")
            if len(tok) > 3 and tok[0].strip().isdigit():
                ref[f"{name}{tok[0].strip()}_{tok[1].strip()}"] = {"upper_bound": int(tok[2])}
    return ref


def mpm_time(path: Path) -> int:
    header = re.search(r"MPM-Time\s*\n\s*(\d+(?:\s+\d+){5})", path.read_text()).group(1).split()
    return int(header[5])


def _solve(job):
    path, settings, seed = job
    project = pm.read_project(path)
    out = {"name": project.name, "cp": pm.cpm(project).makespan, "mpm": mpm_time(Path(path))}
    for key in settings:
        t0, c0 = time.perf_counter(), time.process_time()
        s = pm.level(project, seed=seed, **SETTINGS[key][1])
        out[key] = (s.makespan, time.perf_counter() - t0, s.info["schedules"], time.process_time() - c0)
    return out


def _warm(_):
    p = pm.read_project(ROOT / "tests" / "data" / "psplib" / "j301_1.sm")
    for key in SETTINGS:
        pm.level(p, **SETTINGS[key][1])
    return os.getpid()


def run_set(folder: Path, name: str, settings: list[str], sample: int, processes: int,
            seed: int = 0) -> list[dict]:
    files = sorted((folder / name).glob("*.sm"), key=lambda f: [int(x) for x in re.findall(r"\d+", f.stem)])
    files = files[::sample]
    jobs = [(str(f), settings, seed) for f in files]
    with mp.get_context("spawn").Pool(processes) as pool:
        pool.map(_warm, range(processes))
        return pool.map(_solve, jobs, chunksize=1)


def summarise(name: str, results: list[dict], ref: dict, settings: list[str]) -> list[dict]:
    rows = []
    for key in settings:
        spans = np.array([r[key][0] for r in results])
        times = np.array([r[key][1] for r in results])
        cpu = np.array([r[key][3] for r in results])
        row = {"setting": key, "instances": len(results), "ms": 1000 * times.mean(), "max_s": times.max(),
               "cpu_ms": 1000 * cpu.mean(), "schedules": int(np.max([r[key][2] for r in results]))}
        if name == "j30":
            opt = np.array([ref[r["name"]]["optimum"] for r in results])
            row["vs_optimum"] = 100 * np.mean((spans - opt) / opt)
            row["optimal"] = int(np.sum(spans == opt))
        else:
            cp = np.array([r["cp"] for r in results])
            assert all(r["cp"] == r["mpm"] for r in results), "CPM makespan differs from MPM-Time"
            ub = np.array([ref[r["name"]]["upper_bound"] for r in results])
            row["vs_cp"] = 100 * np.mean((spans - cp) / cp)
            row["vs_ub"] = 100 * np.mean((spans - ub) / ub)
        rows.append(row)
    return rows


def _random_project(n: int, resources, share: float, window: int, seed: int, name: str) -> pm.Project:
    """A random project: n tasks with triangular durations, up to two links back within ``window`` tasks
    (all link types, lags from -1 to 2 days), each resource used by a task with probability ``share``."""
    rng = np.random.default_rng(seed)
    tasks, links = [], []
    for j in range(n):
        ml = float(rng.integers(2, 12))
        demand = {r.id: float(rng.integers(1, r.capacity + 1)) for r in resources if rng.random() < share}
        tasks.append(pm.Task(f"T{j}", optimistic=0.7 * ml, most_likely=ml, pessimistic=1.8 * ml, resources=demand))
        for i in set(rng.integers(max(0, j - window), j, size=min(j, 2)).tolist()):
            kind = str(rng.choice(["FS", "FS", "FS", "SS", "FF", "SF"]))
            links.append(pm.Dependency(f"T{i}", f"T{j}", kind, float(rng.integers(-1, 3))))
    return pm.Project(name=name, start="2027-01-04", tasks=tasks, dependencies=links, resources=resources)


def _triangular(project: pm.Project, low: float = 0.75, high: float = 1.5) -> pm.Project:
    """The project with triangular durations (low d, d, high d) around each fixed one."""
    return project.replace(tasks=tuple(
        t.replace(optimistic=low * t.planned_duration, most_likely=t.planned_duration,
                  pessimistic=high * t.planned_duration) if t.planned_duration > 0 else t for t in project.tasks))


def montecarlo_projects(folder: Path) -> dict:
    """The projects of the levelled Monte Carlo rows."""
    j120 = pm.read_project(folder / "j120" / "j1201_1.sm")
    res3 = [pm.Resource("dev", capacity=4), pm.Resource("qa", capacity=2), pm.Resource("ops", capacity=2)]
    res5 = [pm.Resource(f"R{k}", capacity=c) for k, c in enumerate((6, 4, 4, 3, 2))]
    return {
        "random 100 tasks, 3 resources": _random_project(100, res3, 0.5, 15, 2027, "random100"),
        "PSPLIB j1201_1 (122 tasks, 4 resources), fixed durations": j120,
        "PSPLIB j1201_1, triangular (0.75 d, d, 1.5 d)": _triangular(j120),
        "random 1,000 tasks, 5 resources": _random_project(1000, res5, 0.3, 40, 2027, "random1000"),
    }


def bench_montecarlo(folder: Path, iterations: int = 10_000, seed: int = 1, repeat: int = 3) -> list[dict]:
    """Each project simulated levelled and unlevelled (the reference of the same run), best of ``repeat``."""
    import numba

    rows = []
    for label, p in montecarlo_projects(folder).items():
        pm.simulate(p, iterations=256, seed=seed, levelled=True)  # compile / load, level the plan
        times = {}
        for levelled in (False, True):
            best, cpu = np.inf, np.inf
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                sim = pm.simulate(p, iterations=iterations, seed=seed, levelled=levelled)
                best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
            times[levelled] = (best, sim.mean, cpu)
        rows.append({"project": label, "tasks": len(p.tasks), "iterations": iterations,
                     "threads": numba.get_num_threads(), "unlevelled_s": times[False][0],
                     "levelled_s": times[True][0], "unlevelled_mean": times[False][1],
                     "levelled_mean": times[True][1], "levelled_cpu": times[True][2],
                     "rate": len(p.tasks) * iterations / times[True][0] / 1e6})
        print("montecarlo", rows[-1], flush=True)
    return rows


def verdicts(tables: dict) -> list[str]:
    """One line per target: met, or missed by how much."""
    rows = {(name, r["setting"]): r for name, table in tables.items() for r in table}
    out = []

    def check(label, value, limit, unit):
        digits = 3 if limit < 1 else 2
        while value > limit and round(value - limit, digits) == 0 and digits < 6:
            digits += 1  # a miss never reads "missed by 0.00"
        out.append(f"- {label}: {value:.{digits}f}{unit} "
                   + ("(met)" if value <= limit else f"(missed by {value - limit:.{digits}f}{unit})"))

    if ("j120", "default") in rows:
        check("default `level()`, j120 wall time per instance", rows["j120", "default"]["ms"], 20, " ms")
        check("default `level()`, j120 above the CP bound", rows["j120", "default"]["vs_cp"], 38, " %")
    if ("j120", "5000") in rows:
        check("`schedules=5000`, j120 above the CP bound (issue 22)", rows["j120", "5000"]["vs_cp"], 31.5, " %")
        check("`schedules=5000`, j120 slowest instance", rows["j120", "5000"]["max_s"], 1, " s")
    if ("j120", "50000") in rows:
        check("`schedules=50000`, j120 above the CP bound (issue 22)", rows["j120", "50000"]["vs_cp"], 30.5, " %")
        check("`schedules=50000`, j120 slowest instance", rows["j120", "50000"]["max_s"], 5, " s")
    if ("j60", "5000") in rows:
        check("`schedules=5000`, j60 above the CP bound (issue 22)", rows["j60", "5000"]["vs_cp"], 10.8, " %")
    if ("j30", "5000") in rows:
        check("`schedules=5000`, j30 above the optimum", rows["j30", "5000"]["vs_optimum"], 0.05, " %")
    return out


def montecarlo_markdown(mc: list[dict]) -> str:
    lines = [f"**Levelled Monte Carlo** (`simulate(levelled=True)`), {mc[0]['iterations']:,} iterations, "
             f"{mc[0]['threads']} threads, best of 3; the unlevelled run of the same project in the same run "
             "is the reference:", "",
             "| project | levelled s (wall) | M task-iterations/s | CPU s (both threads) | unlevelled s | ratio "
             "| mean finish levelled / unlevelled |",
             "|---|---|---|---|---|---|---|"]
    for r in mc:
        lines.append(f"| {r['project']} | {r['levelled_s']:.3f} | {r['rate']:.1f} | {r['levelled_cpu']:.3f} "
                     f"| {r['unlevelled_s']:.3f} "
                     f"| {r['levelled_s'] / r['unlevelled_s']:.0f}x | {r['levelled_mean']:.1f} / "
                     f"{r['unlevelled_mean']:.1f} |")
    lines += ["", "Targets (issue 22): 120 tasks x 10,000 >= 60 M task-iterations/s; 1,000 tasks, 5 resources x "
              "10,000 <= 3 s on 2 cores."]
    return "\n".join(lines)


def markdown(tables: dict, mc: dict | None, sample: int, load: tuple, seed: int = 0) -> str:
    lines = []
    scope = "all instances" if sample == 1 else f"every {sample}th instance"
    if seed:
        scope += f", seed {seed}"
    lines.append(f"PSPLIB single-mode, {scope}; 2 worker processes; load average at start "
                 f"{load[0]:.1f} (other engineers share the 2 cores, so times are upper bounds).\n")
    if "j30" in tables:
        lines += ["**j30** (480; % above the proven optimum, `j30opt.sm`):", "",
                  "| setting | % above optimum | optimal found | ms per instance (wall) | CPU ms | max s | passes |",
                  "|---|---|---|---|---|---|---|"]
        for r in tables["j30"]:
            lines.append(f"| {SETTINGS[r['setting']][0]} | {r['vs_optimum']:.3f} | {r['optimal']}/{r['instances']} "
                         f"| {r['ms']:.1f} | {r['cpu_ms']:.1f} | {r['max_s']:.2f} | {r['schedules']} |")
        lines.append("")
    for name, count in (("j60", 480), ("j120", 600)):
        if name not in tables:
            continue
        lines += [f"**{name}** ({count}; % above the critical-path bound `MPM-Time`, and above the best known "
                  f"upper bound of `{name}hrs.sm`):", "",
                  "| setting | % above CP bound | % above best known | ms per instance (wall) | CPU ms | max s | passes |",
                  "|---|---|---|---|---|---|---|"]
        for r in tables[name]:
            lines.append(f"| {SETTINGS[r['setting']][0]} | {r['vs_cp']:.2f} | {r['vs_ub']:.2f} "
                         f"| {r['ms']:.1f} | {r['cpu_ms']:.1f} | {r['max_s']:.2f} | {r['schedules']} |")
        lines.append("")
    lines.append("Targets: default `level()` ≤ 20 ms per j120 instance and ≤ 38 % above the CP bound; "
                 "`schedules=5000`: j120 ≤ 32 % within 1 s per instance (issue 22: ≤ 31.5 % on every seed of five), "
                 "j30 ≤ 0.05 %, j60 ≤ 10.8 % (issue 22); `schedules=50000`: j120 ≤ 30.5 % within 5 s per instance "
                 "(issue 22). Published j120 at 5,000 schedules: 32.18 % (Debels & Vanhoucke 2007), 32.54 % (Valls "
                 "et al. 2008); at 50,000 the best published are about 30.7 % (issue 22; Debels & Vanhoucke 2007).")
    lines += ["", *verdicts(tables)]
    if mc:
        lines += ["", montecarlo_markdown(mc)]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="j30,j120")
    parser.add_argument("--settings", default="rule,default,1000,5000")
    parser.add_argument("--sample", type=int, default=1, help="every k-th instance")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of every level() call (0, the default, is what seed=None gives); "
                             "other seeds measure the search's noise")
    parser.add_argument("--no-mc", action="store_true", help="skip the levelled Monte Carlo benchmark")
    parser.add_argument("--mc-only", action="store_true", help="only the levelled Monte Carlo benchmark")
    parser.add_argument("--write", action="store_true", help="write the levelling section of RESULTS.md")
    parser.add_argument("--section", default="levelling",
                        help="the RESULTS.md section --write replaces (e.g. 'levelling j60', 'levelling j120 50000')")
    args = parser.parse_args(argv)
    folder = data_dir()
    ref = references(folder)
    settings = args.settings.split(",")
    load = os.getloadavg()
    tables = {}
    for name in ([] if args.mc_only else args.sets.split(",")):
        t0 = time.perf_counter()
        results = run_set(folder, name, settings, args.sample, args.processes, args.seed)
        tables[name] = summarise(name, results, ref, settings)
        print(f"{name}: {len(results)} instances in {time.perf_counter() - t0:.0f} s", flush=True)
        for row in tables[name]:
            print("  ", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}, flush=True)
    mc = None if args.no_mc else bench_montecarlo(folder)
    if args.mc_only:
        text = f"Load average at start {load[0]:.1f} (2 cores shared).\n\n" + montecarlo_markdown(mc)
        print(text)
        if args.write:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from _results import write_section

            write_section("levelled monte carlo", text)
        return
    text = markdown(tables, mc, args.sample, load, args.seed)
    print(text)
    if args.write:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _results import write_section

        write_section(args.section, text)


if __name__ == "__main__":
    main()
