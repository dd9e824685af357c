"""The ``pmsim`` command line.

::

    pmsim cpm PATH [--json]
    pmsim simulate PATH --iterations N --seed S [--levelled] [--progress] [--json]
    pmsim level PATH [--json]
    pmsim evm PATH --status-date D [--json]
    pmsim report PATH -o report.html

``--json`` prints one JSON object on stdout with stable keys. Bad input
prints ``pmsim: error: ...`` on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd

import pmsim as pm

__all__ = ["main"]

# name -> (add_arguments, run); each command registers itself below.
_COMMANDS: dict[str, tuple[str, Callable, Callable]] = {}


def command(name: str, help: str):
    """Register ``run(args) -> int`` as a subcommand; ``run.arguments(parser)`` adds its options."""

    def decorator(run):
        _COMMANDS[name] = (help, getattr(run, "arguments", lambda parser: None), run)
        return run

    return decorator


def to_jsonable(value):
    """Turn numpy, pandas and date values into plain JSON values (NaN -> null)."""
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
    if value is pd.NaT:  # a missing date; NaT.isoformat() would print the string "NaT"
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit_json(obj) -> None:
    json.dump(to_jsonable(obj), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def _path_argument(parser):
    parser.add_argument("path", help="a project folder or file (.xlsx, .xml, .xer, .sm, .rcp)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def schedule_json(schedule: "pm.Schedule") -> dict:
    t = schedule.table
    cols = ["name", "phase", "duration", "start", "finish", "early_start", "early_finish",
            "late_start", "late_finish", "total_float", "free_float", "critical", "start_date", "finish_date"]
    return {
        "project": schedule.project.name,
        "start_date": schedule.start_date,
        "finish_date": schedule.finish_date,
        "makespan": schedule.makespan,
        "critical_path": list(schedule.critical_path),
        "tasks": [{"id": tid, **row} for tid, row in zip(t.index, t[cols].to_dict("records"))],
    }


def summary_json(sim: "pm.Simulation", top: int = 10) -> dict:
    """The headline numbers of a Simulation as a plain dict with stable keys (``pmsim simulate --json``).

    Keys: ``project iterations seed levelled``, ``p10 p50 p80 p90`` (ISO dates)
    and ``p10_days`` ... ``p90_days``, ``mean sd p80_standard_error`` (working
    days), ``deadline probability_on_time``, ``cost_mean cost_sd cost_p50
    cost_p80 cost_p90 currency budget probability_within_budget``, ``jcl``
    (on time and within budget, when both are set; else null) and
    ``criticality`` (the ``top`` most critical tasks: ``id name criticality``).

    >>> import pmsim as pm
    >>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=3)])
    >>> summary_json(pm.simulate(p, iterations=10, seed=1))["p80"]
    '2027-01-06'
    """
    p = sim.project
    levels = [10, 50, 80, 90]
    out: dict = {"project": p.name, "iterations": sim.iterations, "seed": sim.seed, "levelled": sim.levelled}
    for lvl, date in zip(levels, sim.percentile(levels)):
        out[f"p{lvl}"] = date.isoformat()
    for lvl, days in zip(levels, sim.percentile_days(levels)):
        out[f"p{lvl}_days"] = days
    out.update(mean=sim.mean, sd=sim.std, p80_standard_error=sim.p80_standard_error)
    on_time = within = None
    out["deadline"] = p.deadline.isoformat() if p.deadline is not None else None
    if p.deadline is not None:
        on_time = sim.finish_dates <= np.datetime64(p.deadline, "D")
    out["probability_on_time"] = float(on_time.mean()) if on_time is not None else None
    c50, c80, c90 = sim.cost_percentile([50, 80, 90])
    out.update(cost_mean=sim.cost_mean, cost_sd=sim.cost_std, cost_p50=c50, cost_p80=c80, cost_p90=c90,
               currency=p.currency, budget=p.budget)
    if p.budget is not None:
        within = sim.cost <= p.budget + 1e-9 * max(1.0, p.budget)
    out["probability_within_budget"] = float(within.mean()) if within is not None else None
    out["jcl"] = float((on_time & within).mean()) if on_time is not None and within is not None else None
    crit = sim.criticality.sort_values(ascending=False, kind="stable").head(top)
    out["criticality"] = [{"id": tid, "name": p.task(tid).name, "criticality": float(v)} for tid, v in crit.items()]
    return out


@command("cpm", "deterministic critical path schedule")
def _cpm(args) -> int:
    project = pm.read_project(args.path)
    schedule = pm.cpm(project)
    if args.json:
        emit_json(schedule_json(schedule))
    else:
        print(schedule.summary().to_string(header=False))
        print()
        cols = ["name", "start_date", "finish_date", "duration", "total_float", "free_float", "critical"]
        with pd.option_context("display.max_rows", None, "display.width", 160):
            print(schedule.table[cols].to_string())
    return 0


_cpm.arguments = _path_argument


def _evm_arguments(parser):
    _path_argument(parser)
    parser.add_argument("--status-date", required=True, help="the data date (end of that working day), YYYY-MM-DD")
    parser.add_argument("--progress", help="progress CSV or folder (default: progress.csv or progress/ in PATH)")
    parser.add_argument("--eac", default="cpi", choices=["cpi", "atypical", "cpi_spi", "bottom_up"],
                        help="the EAC behind ETC, VAC and TCPI_eac (default: cpi)")


@command("evm", "earned value and earned schedule at a status date")
def _evm(args) -> int:
    import warnings
    from pathlib import Path

    project = pm.read_project(args.path)
    source = args.progress or (args.path if Path(args.path).is_dir() else Path(args.path).parent)
    with warnings.catch_warnings(record=True):  # undefined ratios are reported in "notes"
        warnings.simplefilter("always", pm.PmsimWarning)
        report = pm.earned_value(project, pm.read_progress(source), args.status_date, eac=args.eac)
    if args.json:
        emit_json({
            "project": project.name,
            "status_date": report.status_date,
            "currency": project.currency,
            "eac_method": report.eac_method,
            "actual_time": report.actual_time,
            "planned_duration": report.planned_duration,
            "forecast_finish_date": report.forecast_finish_date,
            "metrics": report.metrics,
            "notes": list(report.notes),
            "tasks": report.tasks,
        })
    else:
        print(f"Earned value of {project.name} at {report.status_date} "
              f"({project.currency}; ES, SV_t, IEAC_t in working days)")
        print(report.metrics.to_frame("value").to_string(float_format=lambda v: f"{v:,.3f}"))
        print(f"forecast finish (IEAC_t): {report.forecast_finish_date}")
        for note in report.notes:
            print(f"note: {note}")
    return 0


_evm.arguments = _evm_arguments


def _simulate_arguments(parser):
    _path_argument(parser)
    parser.add_argument("--iterations", type=int, default=10_000, help="number of iterations (default 10000)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: fresh entropy, reported)")
    parser.add_argument("--levelled", action="store_true", help="resource-constrained iterations")
    parser.add_argument("--progress", action="store_true",
                        help="show progress on stderr (the default when stderr is a terminal)")


@command("simulate", "Monte Carlo schedule and cost risk")
def _simulate(args) -> int:
    project = pm.read_project(args.path)
    callback = None
    if args.progress or sys.stderr.isatty():
        from .progress_bars import text

        callback = text(label="simulating")
    sim = pm.simulate(project, iterations=args.iterations, seed=args.seed, levelled=args.levelled,
                      callback=callback)
    if args.json:
        emit_json(summary_json(sim))
    else:
        print(sim.summary().to_string(header=False))
        print()
        top = sim.criticality.sort_values(ascending=False, kind="stable").head(10)
        print("most critical tasks:")
        print(top.to_string())
    return 0


_simulate.arguments = _simulate_arguments


def _report_arguments(parser):
    parser.add_argument("path", help="a project folder or file; a folder's progress data adds earned value")
    parser.add_argument("-o", "--output", default="report.html", help="the HTML file to write (default report.html)")
    parser.add_argument("--iterations", type=int, default=10_000, help="Monte Carlo iterations (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0: the same report every time)")


@command("report", "the standard analysis of a project as one offline HTML page")
def _report(args) -> int:
    from .report import write_report

    out = write_report(args.path, args.output, iterations=args.iterations, seed=args.seed)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


_report.arguments = _report_arguments


def _level_arguments(parser):
    _path_argument(parser)
    parser.add_argument("--method", default="serial", choices=["serial", "parallel", "exact"],
                        help="schedule-generation scheme, or exact (OR-Tools CP-SAT)")
    parser.add_argument("--rule", default="lft", help="priority rule: lft, lst, mts, grpw, minslack (default lft)")
    parser.add_argument("--schedules", type=int, default=1, help="schedule passes the search may spend (default 1)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the search (default 0)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds (exact: default 60)")


@command("level", "resource-levelled schedule: no resource over capacity")
def _level(args) -> int:
    project = pm.read_project(args.path)
    schedule = pm.level(project, method=args.method, rule=args.rule, schedules=args.schedules,
                        seed=args.seed, time_limit=args.time_limit)
    if args.json:
        emit_json({
            **schedule_json(schedule),
            "delay": schedule.delay,
            "status": schedule.status,
            "lower_bound": schedule.lower_bound,
            "held_back": [{"id": tid, **row} for tid, row in schedule.held_back.to_dict("index").items()],
            "info": schedule.info,
        })
    else:
        print(schedule.summary().to_string(header=False))
        print()
        cols = ["name", "start_date", "finish_date", "duration", "total_float", "critical"]
        with pd.option_context("display.max_rows", None, "display.width", 160):
            print(schedule.table[cols].to_string())
            if not schedule.held_back.empty:
                print()
                print("held back by resources:")
                print(schedule.held_back.to_string())
    return 0


_level.arguments = _level_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmsim", description="Plan and simulate IT projects.")
    parser.add_argument("--version", action="version", version=f"pmsim {pm.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, run) in _COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        # ``run.arguments`` is usually assigned after the decorator ran: look it up now.
        getattr(run, "arguments", add_arguments)(p)
        p.set_defaults(run=run)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["cpm", str(pm.data_path("textbook")), "--json"])  # doctest: +ELLIPSIS
    {...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except pm.PmsimError as exc:
        print(f"pmsim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`pmsim cpm ... --json | head`): not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
