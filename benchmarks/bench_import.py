"""How long a fresh Python process takes to import pmsim, and what the first use of each layer costs.

Run: ``.venv/bin/python benchmarks/bench_import.py [--runs N] [--no-write]``

Issue 22's target: ``import pmsim`` in a fresh process in at most 0.3 s. The public names load on first
use, so the figure that matters to a user is also the first call: reading a project (pandas and the
model), its first CPM (numba's cached kernels), and ``import matplotlib.pyplot``'s cost for a plot.
References in the same run: ``import numpy`` and ``import pandas`` alone, so the ratios say what is
pmsim's own. Each figure is the median of N fresh processes (the machine is shared: the load
average is recorded).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _results import write_section  # noqa: E402

STEPS = {
    "import numpy (reference)": ("", "import numpy"),
    "import pandas (reference)": ("", "import pandas"),
    "import pmsim": ("", "import pmsim as pm"),
    "first read_project (textbook)": ("import pmsim as pm; path = pm.data_path('textbook')",
                                      "p = pm.read_project(path)"),
    "first cpm after the read": ("import pmsim as pm; p = pm.read_project(pm.data_path('textbook'))",
                                 "pm.cpm(p)"),
}


def _time(setup: str, statement: str) -> float:
    code = (f"import time\n{setup}\nt = time.perf_counter()\n{statement}\n"
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    _time(*STEPS["first cpm after the read"])  # numba's cache written once, not timed
    rows = []
    for name, (setup, statement) in STEPS.items():
        seconds = statistics.median(_time(setup, statement) for _ in range(args.runs))
        rows.append((name, seconds))
        print(f"{name:34s} {seconds * 1000:8.1f} ms", flush=True)
    numpy = rows[0][1]
    table = ["| step (fresh process) | median | ratio to `import numpy` |", "|---|---|---|"]
    table += [f"| {name} | {s * 1000:.0f} ms | {s / numpy:.2f} |" for name, s in rows]
    text = (f"Median of {args.runs} fresh processes per step, load average {load:.1f} at the start.\n\n"
            + "\n".join(table) + "\n\nTarget (issue 22): `import pmsim` at most 0.3 s. Every public name "
            "loads on first use, so the first read and the first CPM carry pandas, scipy and numba.")
    if not args.no_write:
        write_section("import", text)


if __name__ == "__main__":
    main()
