"""``pmsim status``: the status history of a project, the finish-date trend every PMO asks for.

For each status date of the progress data (``progress/2027-03-31.csv``, ... or a
``progress.csv`` with a ``status_date`` column): the forecast finish by CPM from the data date,
by Monte Carlo (P10, P50, P80, P90) and by earned schedule with Lipke's statistical bounds, with SPI, CPI, SPI(t), TSPI and the
warnings; then the control chart (:func:`pmsim.control_chart`): SPI(t) and CPI at each status date
against the tolerance limits of the baseline's Monte Carlo, the out-of-control periods named. ``--table``
adds every earned value metric per status date; ``--json`` prints it all.
"""

from __future__ import annotations

import pandas as pd

import pmsim as pm

from .jsonout import emit_json
from .options import Command, add_output_choice, add_path, add_quiet, note, project_path, read_progress_for, say
from .text import date_text, days, number, table

__all__ = ["COMMANDS"]


def _arguments(parser) -> None:
    add_path(parser)
    add_output_choice(parser, "add every earned value metric per status date")
    add_quiet(parser)
    parser.add_argument("--progress", metavar="FILE",
                        help="progress data at several status dates: a progress/ folder of YYYY-MM-DD.csv or a CSV "
                             "with a status_date column (default: the project folder's)")
    parser.add_argument("--iterations", type=int, default=2000,
                        help="Monte Carlo iterations per status date (default 2000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed, the same at every status date (default: drawn at random and shown)")


def _date(value) -> str:
    return "-" if value is None or value != value else date_text(value)


def _status(args) -> int:
    path = project_path(args)
    project = pm.read_project(path)
    progress = read_progress_for(args, path, required=True)
    history = pm.status_history(project, progress, iterations=args.iterations, seed=args.seed)
    chart = _control(project, progress, args, history.attrs["seed"])
    if args.json:
        emit_json({
            "project": project.name,
            "planned_finish": history.attrs["planned_finish"],
            "deadline": project.deadline,
            "iterations": args.iterations,
            "seed": history.attrs["seed"],
            "history": history,
            "control": None if chart is None else pd.DataFrame(chart),
            "coverage": None if chart is None else chart.attrs["coverage"],
            "notes": list(history.attrs["notes"]),
        })
        return 0
    rows = [[_date(d), _date(r["cpm_finish"]), _date(r["p10_finish"]), _date(r["p50_finish"]), _date(r["p80_finish"]),
             _date(r["p90_finish"]), _date(r["es_finish"]),
             f"{_date(r['es_low_finish'])} .. {_date(r['es_high_finish'])}" if r["es_low_finish"] == r["es_low_finish"]
             else "-", number(r["SPI"]), number(r["CPI"]), number(r["SPI_t"]),
             number(r["TSPI"])] for d, r in history.iterrows()]
    seed = history.attrs["seed"]
    parts = [f"{project.name}: forecast finish by status date ({args.iterations:,} iterations, seed {seed}"
             + ("" if args.seed is not None else f", drawn at random; --seed {seed} repeats this run") + ")",
             f"planned finish {_date(history.attrs['planned_finish'])}"
             + (f", deadline {_date(project.deadline)}" if project.deadline is not None else ""), "",
             table(["status date", "CPM", "P10", "P50", "P80", "P90", "ES", "ES 80 % bounds", "SPI", "CPI", "SPI(t)",
                    "TSPI"], rows, align="llllllllrrrr")]
    if args.table:
        metrics = [c for c in history.columns if c not in ("warnings",) and not c.endswith("_finish")]
        parts += ["", table(["metric", *[_date(d) for d in history.index]],
                            [[m, *[days(v) if m in ("AT", "ES", "SV_t", "IEAC_t") else number(v)
                                   for v in history[m]]] for m in metrics], align="l" + "r" * len(history))]
    for d, r in history.iterrows():
        for text in filter(None, r["warnings"].split("\n")):
            parts.append(f"warning ({_date(d)}): {text}")
    if chart is not None:
        parts += ["", *_control_lines(chart)]
    say("\n".join(parts))
    for text in history.attrs["notes"]:
        note(args, text)
    return 0


def _control(project, progress, args, seed):
    """The control chart at the status dates, or None for a project without costs (no earned value)."""
    if pm.baseline_cost(project) <= 0:
        note(args, "no control chart: the project has no costs, so there is no earned value to chart")
        return None
    chart = pm.control_chart(project, progress, iterations=args.iterations, seed=seed)
    chart.attrs.pop("project", None)
    return chart


def _control_lines(chart) -> list[str]:
    tail = (1 - chart.attrs["coverage"]) / 2 * 100
    rows = [[_date(d), f"{r['percent_planned']:.0f} %",
             *[x for m in ("SPI_t", "CPI") for x in (number(r[m]), f"{number(r[m + '_low'])} .. {number(r[m + '_high'])}",
                                                      r[m + "_signal"] or "in")]]
            for d, r in chart.iterrows()]
    lines = [f"control chart: limits P{tail:g}..P{100 - tail:g} of the baseline's simulation at each review time",
             table(["status date", "AT/PD", "SPI(t)", "limits", "signal", "CPI", "limits", "signal"], rows,
                   align="lrrrlrrl")]
    for d, r in chart.iterrows():
        for m, name in (("SPI_t", "SPI(t)"), ("CPI", "CPI")):
            side = r[m + "_signal"]
            if side:
                limit = r[m + ("_low" if side == "below" else "_high")]
                lines.append(f"out of control ({_date(d)}): {name} {number(r[m])} is {side} its "
                             f"{'lower' if side == 'below' else 'upper'} limit {number(limit)}")
    return lines


COMMANDS = [Command("status", "the finish-date trend: forecasts and earned value at each status date", _arguments,
                    _status)]
