"""``pmsim simulate``: Monte Carlo schedule and cost risk, as a summary, tables or JSON.

The summary gives the P10/P50/P80/P90 finish (date and working days) and
cost, the deadline with P(on time), the budget with P(within budget), the
JCL, and the most critical tasks; ``--table`` adds every task's
criticality, sensitivity and cruciality and the risk register's outcome.
With ``--progress FILE`` only the work left at the status date is simulated.
"""

from __future__ import annotations

import sys

import pmsim as pm

from .jsonout import check_simulation_dates, emit_json, joint_confidence, summary_json
from .options import (Command, add_output_choice, add_path, add_progress, add_quiet, choose_status_date,
                      is_quiet, project_path, read_progress_for, say)
from .text import amount, date_text, days, key_values, money, number, share, table

__all__ = ["COMMANDS", "simulation_summary"]

TOP = 5


def _seed_text(args, sim) -> str:
    if args.seed is not None:
        return f"seed {sim.seed}"
    return f"seed {sim.seed} (drawn at random; --seed {sim.seed} repeats this run)"


def simulation_summary(sim) -> str:
    """The headline numbers: P-dates and costs, deadline, budget, JCL."""
    p = sim.project
    cur = p.currency
    levels = [10, 50, 80, 90]
    dates = sim.percentile(levels)
    finish_days = sim.percentile_days(levels)
    costs = sim.cost_percentile(levels)
    rows = [[f"P{lvl}", date_text(d, f"The P{lvl} finish"), days(w), amount(c)]
            for lvl, d, w, c in zip(levels, dates, finish_days, costs)]
    rows.append(["mean", "", days(sim.mean), amount(sim.cost_mean)])
    rows.append(["sd", "", days(sim.std), amount(sim.cost_std)])
    lines = [table(["", "finish", "working days", f"cost ({cur})"], rows, align="llrr"), ""]
    facts = []
    if p.deadline is not None:
        facts.append(("deadline", f"{date_text(p.deadline)}: P(on time) {share(sim.probability_by(p.deadline))}"))
    else:
        facts.append(("deadline", "none set (project.toml: deadline)"))
    if p.budget is not None:
        facts.append(("budget", f"{money(p.budget, cur)}: P(within budget) {share(sim.probability_within(p.budget))}"))
    else:
        facts.append(("budget", "none set (project.toml: budget)"))
    jcl = joint_confidence(sim)
    if jcl is not None:
        facts.append(("JCL", f"{share(jcl)} (on time and within budget)"))
    facts.append(("precision", f"P80 standard error {days(sim.p80_standard_error)} working days"))
    lines.append(key_values(facts))
    return "\n".join(lines)


def _critical_table(sim, top: int | None) -> str:
    p = sim.project
    order = sim.criticality.sort_values(ascending=False, kind="stable")
    if top is not None:
        return table(["id", "task", "criticality"],
                     [[tid, p.task(tid).name, share(v)] for tid, v in order.head(top).items()], align="llr", flex=1)
    sens, cruc = sim.sensitivity, sim.cruciality
    return table(["id", "task", "criticality", "sensitivity", "cruciality"],
                 [[tid, p.task(tid).name, share(v), number(sens[tid]), number(cruc[tid])] for tid, v in order.items()],
                 align="llrrr", flex=1)


def _risk_table(sim) -> str:
    risks = sim.risk_summary
    cur = sim.project.currency
    return table(["id", "risk", "probability", "occurred", "delay added (days)", f"cost added ({cur})"],
                 [[rid, r["name"], share(r["probability"]), share(r["occurred"]), days(r["delay_added"]),
                   amount(r["cost_added"])] for rid, r in risks.iterrows()],
                 align="llrrrr", flex=1)


def _simulate_arguments(parser) -> None:
    add_path(parser)
    add_output_choice(parser, "add every task's criticality, sensitivity and cruciality, and the risks")
    add_quiet(parser)
    parser.add_argument("--iterations", type=int, default=10_000, help="number of iterations (default 10000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default: drawn at random, and shown so the run can be repeated)")
    parser.add_argument("--levelled", action="store_true", help="resource-constrained iterations")
    add_progress(parser, "re-forecast: only the work left at the status date is simulated")


def _simulate(args) -> int:
    path = project_path(args)
    project = pm.read_project(path)
    progress = read_progress_for(args, path, required=False)
    status_date = choose_status_date(args, project, progress) if progress is not None else None
    callback = None
    if not is_quiet(args) and sys.stderr.isatty():
        from ..progress_bars import text

        callback = text(label="simulating")
    sim = pm.simulate(project, iterations=args.iterations, seed=args.seed, levelled=args.levelled,
                      progress=progress, status_date=status_date, callback=callback)
    if args.json:
        emit_json(summary_json(sim))
        return 0
    check_simulation_dates(sim)
    kind = "resource-levelled Monte Carlo" if sim.levelled else "Monte Carlo"
    parts = [f"{project.name}: {kind}, {sim.iterations:,} iterations, {_seed_text(args, sim)}"]
    if status_date is not None:
        parts.append(f"re-forecast from the progress at {date_text(status_date)}: only the work left is simulated")
    parts += ["", simulation_summary(sim), ""]
    if args.table:
        parts += ["every task, most critical first:", _critical_table(sim, None)]
        if len(sim.risk_summary):
            parts += ["", "risks:", _risk_table(sim)]
    else:
        parts += ["most critical tasks:", _critical_table(sim, TOP)]
    say("\n".join(parts))
    return 0


COMMANDS = [Command("simulate", "Monte Carlo schedule and cost risk", _simulate_arguments, _simulate)]
