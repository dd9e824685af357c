"""`level(method="exact")` (OR-Tools CP-SAT, 2 workers) on PSPLIB j30, against the heuristic given the same time.

    python benchmarks/bench_exact.py                  # all 480 instances (long on a shared machine)
    python benchmarks/bench_exact.py --sample 10      # every 10th instance
    python benchmarks/bench_exact.py --sample 10 --write

Per instance: CP-SAT's status (proven optimal or not), its wall time and makespan against the proven optimum of
``j30opt.sm``; then `level(schedules=10**6, time_limit=t)` with t the wall time CP-SAT took on that instance
(the heuristic given the same time on the same instance). Target (issue 22): every instance proven optimal,
median under 1 s.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_levelling import ROOT, data_dir, references  # noqa: E402

sys.path.insert(0, str(ROOT))
import pmsim as pm  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=1, help="every k-th instance")
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT's limit per instance, seconds")
    parser.add_argument("--write", action="store_true", help="write the exact section of RESULTS.md")
    args = parser.parse_args(argv)
    folder = data_dir()
    ref = references(folder)
    files = sorted((folder / "j30").glob("*.sm"), key=lambda f: [int(x) for x in re.findall(r"\d+", f.stem)])
    files = files[::args.sample]
    load = os.getloadavg()
    pm.level(pm.read_project(files[0]), method="exact", time_limit=5)  # import / compile
    rows = []
    for f in files:
        p = pm.read_project(f)
        opt = ref[p.name]["optimum"]
        t0 = time.perf_counter()
        s = pm.level(p, method="exact", time_limit=args.time_limit)
        wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        h = pm.level(p, schedules=10**6, time_limit=wall)
        rows.append((p.name, opt, s.makespan, s.status == "optimal", wall, h.makespan, time.perf_counter() - t0,
                     h.info["schedules"]))
    names, opt, ms, proven, wall, hms, hwall, hpasses = map(np.array, zip(*rows))
    text = "\n".join([
        f"PSPLIB j30, {'all instances' if args.sample == 1 else f'every {args.sample}th instance'} "
        f"({len(rows)}), one at a time; load average at start {load[0]:.1f} on the 2 shared cores (times are "
        "upper bounds). CP-SAT: 2 workers, limit "
        f"{args.time_limit:.0f} s; the heuristic: `schedules=10**6, time_limit=` CP-SAT's wall time on the instance.",
        "",
        "| method | proven optimal | optimum found | % above optimum | median s | max s | mean passes |",
        "|---|---|---|---|---|---|---|",
        f"| `method=\"exact\"` | {proven.sum()}/{len(rows)} | {(ms == opt).sum()}/{len(rows)} "
        f"| {100 * np.mean((ms - opt) / opt):.3f} | {np.median(wall):.2f} | {wall.max():.2f} | - |",
        f"| heuristic, same time | - | {(hms == opt).sum()}/{len(rows)} | {100 * np.mean((hms - opt) / opt):.3f} "
        f"| {np.median(hwall):.2f} | {hwall.max():.2f} | {hpasses.mean():.0f} |",
        "",
        f"Target (issue 22): every instance proven optimal ({'met' if proven.all() else 'missed'} on this sample), "
        f"median under 1 s ({'met' if np.median(wall) < 1 else 'missed'}).",
        *([f"Not proven optimal within the limit: {', '.join(names[~proven])} (best found "
           f"{', '.join(f'{m:.0f}' for m in ms[~proven])}, optimum {', '.join(str(o) for o in opt[~proven])})."]
          if not proven.all() else []),
    ])
    print(text)
    if args.write:
        from _results import write_section

        write_section("levelling exact", text)


if __name__ == "__main__":
    main()
