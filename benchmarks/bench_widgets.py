"""How quickly the what-if dashboard answers a control change, for every sample project.

For each project in data/, a ``WhatIf(project, iterations=10_000, seed=0,
debounce=0)`` is built and warmed up; then each control change below is made
(going round the projects, one change each in turn) and timed from setting
the control's value to the new headline numbers and all five figures
(histogram, CDF, tornado, budget burn, Gantt chart) being in their widgets (with
``debounce=0`` the update is synchronous, so it is the time the assignment
takes). Reported: the median over the changes, the slowest, and the CPU time
of a change (this process and the drawing processes).

For comparison the same changes are timed with ``plots=False`` (numbers
only), and once with the plots drawn in the kernel's own thread instead of
the drawing processes. A change of the correlation strength is timed on its
own: it goes through the Iman-Conover reordering of the Monte Carlo engine.

The latency seen in a real browser (Enter pressed in a slider's box until
the P80 text changes on the page, and until the histogram's image changes)
is measured by tests/test_browser_dashboard.py for three changes, which it
writes to test-artifacts/browser_latency_ms.txt; they are copied into the
results when present.

Run: .venv/bin/python benchmarks/bench_widgets.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pmsim as pm  # noqa: E402
from pmsim import widgets  # noqa: E402
from pmsim.widgets import render_pool  # noqa: E402

from _results import write_section  # noqa: E402

ITERATIONS = 10_000
TARGET_MS = 300
BROWSER = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser_latency_ms.txt"


def changes(project) -> list[tuple[str, object]]:
    """The control changes timed for a project; they end where they started."""
    out = [("multiplier", 1.2), ("multiplier", 0.9), ("multiplier", 1.0)]
    if project.phases:
        phase = f"phase:{project.phases[0]}"
        out += [(phase, 1.5), (phase, 1.0)]
    if project.risks:
        risk = project.risks[0]
        out += [(f"risk:{risk.id}", False), (f"risk:{risk.id}", True), (f"probability:{risk.id}", 0.9),
                (f"probability:{risk.id}", risk.probability)]
    if project.resources:
        r = project.resources[0]
        out += [("levelled", True), (f"capacity:{r.id}", r.capacity + 1), (f"capacity:{r.id}", r.capacity),
                ("levelled", False)]
    out += [("seed", 1), ("seed", 0)]
    return out


def drawing_cpu() -> float:
    """CPU seconds used so far by the drawing processes (Linux /proc), 0 without them."""
    total = 0.0
    for pid in render_pool.RENDERER.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def time_changes(dash, plan, cpu: list | None = None) -> list[float]:
    """Milliseconds per change, checking that each one made an update (numbers, and plots drawn).

    With ``cpu``, appends the CPU milliseconds of each change (this process, all
    its threads, plus the drawing processes).
    """
    times = []
    for name, value in plan:
        before = dash.updates
        cpu_start = time.process_time() + drawing_cpu()
        start = time.perf_counter()
        dash.controls[name].value = value
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() + drawing_cpu() - cpu_start) * 1000)
        if dash.error is not None or dash.updates != before + 1:
            raise RuntimeError(f"{name}={value!r} did not update: {dash.error}")
    return times


def wait_for_drawing_processes(timeout: float = 300) -> None:
    render_pool.RENDERER._start()
    end = time.monotonic() + timeout
    while render_pool.RENDERER.pids() and not render_pool.RENDERER.ready and time.monotonic() < end:
        time.sleep(0.1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two projects, no in-thread comparison")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    wait_for_drawing_processes()
    names = pm.sample_projects()
    if args.quick:
        names = names[:2]
    # Every project's dashboard is live at once and the changes go round the projects, so
    # that a change of the machine's load during the run touches every project alike.
    projects = {name: pm.read_project(pm.data_path(name)) for name in names}
    plans = {name: changes(p) for name, p in projects.items()}
    full = {name: widgets.WhatIf(p, iterations=ITERATIONS, seed=0, debounce=0) for name, p in projects.items()}
    only = {name: widgets.WhatIf(p, iterations=ITERATIONS, seed=0, debounce=0, plots=False)
            for name, p in projects.items()}
    for name in names:  # warm: first levelled run, first layout of each plot
        time_changes(full[name], plans[name])
        time_changes(only[name], plans[name])
    times = {name: [] for name in names}
    cpu = {name: [] for name in names}
    numbers = {name: [] for name in names}
    for step in range(max(len(plan) for plan in plans.values())):
        for name in names:
            if step < len(plans[name]):
                times[name] += time_changes(full[name], plans[name][step:step + 1], cpu[name])
                numbers[name] += time_changes(only[name], plans[name][step:step + 1])
    rows = []
    for name in names:
        full[name].close()
        only[name].close()
        rows.append((name, len(projects[name].tasks), len(plans[name]), statistics.median(times[name]),
                     min(times[name]), max(times[name]), statistics.median(cpu[name]),
                     statistics.median(numbers[name])))
        print(f"{name:22s} {rows[-1][1]:4d} tasks: median {rows[-1][3]:6.0f} ms, fastest {rows[-1][4]:6.0f} ms, "
              f"slowest {rows[-1][5]:6.0f} ms, CPU {rows[-1][6]:5.0f} ms, numbers only {rows[-1][7]:5.0f} ms",
              flush=True)

    in_thread = None
    correlation = None
    if not args.quick:
        biggest = max(names, key=lambda n: len(pm.read_project(pm.data_path(n)).tasks))
        project = pm.read_project(pm.data_path(biggest))
        plan = [("multiplier", 1.2), ("multiplier", 0.9), ("multiplier", 1.0), ("multiplier", 1.1)]
        saved = render_pool.RENDERER
        render_pool.RENDERER = render_pool.Renderer()
        render_pool.RENDERER.disabled = True
        try:
            dash = widgets.WhatIf(project, iterations=ITERATIONS, seed=0, debounce=0)
            time_changes(dash, [("multiplier", 1.05)])
            in_thread = (biggest, statistics.median(time_changes(dash, plan)))
            dash.close()
        finally:
            render_pool.RENDERER = saved
        dash = widgets.WhatIf(project, iterations=ITERATIONS, seed=0, debounce=0)
        correlation = (biggest, statistics.median(time_changes(dash, [("correlation", 0.3), ("correlation", 0.5)])))
        dash.close()
        print(f"in-thread drawing ({in_thread[0]}): {in_thread[1]:.0f} ms; correlation change: {correlation[1]:.0f} ms")

    load_after = os.getloadavg()
    worst = max(r[3] for r in rows)
    lines = [
        f"A control change with {ITERATIONS:,} iterations: time from setting the control to the new headline "
        "numbers and all five figures (histogram, CDF, tornado, budget burn, Gantt chart) in their widgets "
        "(`WhatIf(..., debounce=0)`, synchronous). Median, fastest and slowest over the changes listed in "
        "`bench_widgets.py` (multiplier, phase, risk on/off and probability, levelling and a capacity, seed); "
        f"target {TARGET_MS} ms. Plots are drawn by {render_pool.RENDERER.processes()} drawing processes.",
        "",
        "| project | tasks | changes | median (ms) | fastest (ms) | slowest (ms) | CPU per change, median (ms) "
        "| numbers only, median (ms) |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {n} | {t} | {c} | {m:.0f} | {f:.0f} | {s:.0f} | {u:.0f} | {o:.0f} |" for n, t, c, m, f, s, u, o in rows),
        "",
        f"Worst median: {worst:.0f} ms ({'within' if worst <= TARGET_MS else 'above'} the {TARGET_MS} ms target). "
        "CPU per change counts this process (every thread) and the drawing processes; it grows far less "
        "with the load than wall time does, and no machine with this many cores can answer faster than "
        f"CPU / {os.cpu_count()} even when idle.",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.1f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.1f}' for x in load_after)} (2 cores shared with other work: "
        "wall times grow with the load).",
    ]
    if in_thread:
        lines.append(f"Same changes with the plots drawn in the kernel's thread ({in_thread[0]}): "
                     f"median {in_thread[1]:.0f} ms.")
    if correlation:
        lines.append(f"A change of the correlation strength ({correlation[0]}, groups by phase): "
                     f"median {correlation[1]:.0f} ms (the Monte Carlo engine's Iman-Conover reordering "
                     "runs in every simulation).")
    if BROWSER.exists():
        when = dt.datetime.fromtimestamp(BROWSER.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        runs = [tuple(float(x) for x in line.split()) for line in BROWSER.read_text().splitlines() if line.strip()]
        numbers, plots = runs[0]
        lines.append(f"In Chromium (tests/test_browser_dashboard.py, {when}, erp_upgrade served by Voila, "
                     f"debounce 0.15 s with a leading edge), from Enter pressed in the multiplier's box: the first "
                     f"change after the page loaded showed the new P80 text after {numbers:.0f} ms and the new "
                     f"histogram after {plots:.0f} ms; over all {len(runs)} changes timed, medians "
                     f"{statistics.median(r[0] for r in runs):.0f} ms and {statistics.median(r[1] for r in runs):.0f} ms "
                     "(the numbers are sent as soon as they are known, the plots follow; both include the "
                     "WebSocket round trip and the browser's layout, with Voila, the kernel, its drawing "
                     "processes and Chromium on the same 2 cores).")
    write_section("widgets", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
