"""``pmsim explain BASE CHANGED``: why the P50, P80 and expected cost moved from one version to the other.

Both are project folders or files (a plan and its re-forecast, a file edited
by hand); the change is split into groups (estimates, each risk, logic,
calendars and constraints, levelling, progress) and shared out by
:func:`pmsim.explain` (Shapley values on common random numbers). ``--png``
saves the waterfall of the P80.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pmsim as pm

from .jsonout import emit_json
from .options import Command, add_path, add_quiet, note, project_path, say
from .text import table

__all__ = ["COMMANDS"]


def _arguments(parser) -> None:
    add_path(parser)
    parser.add_argument("changed", metavar="CHANGED",
                        help="the other version: a project folder or file (or a sample project's name)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout (stable keys)")
    add_quiet(parser)
    parser.add_argument("--iterations", type=int, default=10_000,
                        help="iterations of every simulation (default 10000)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed of every simulation (default: drawn at random, and shown)")
    parser.add_argument("--levelled", action="store_true", help="resource-constrained iterations on both sides")
    parser.add_argument("--png", metavar="FILE", help="save the waterfall of the P80 change as a PNG image")


def _signed(value: float, decimals: int = 1) -> str:
    return f"{value:+,.{decimals}f}"


def _run(args) -> int:
    base = pm.read_project(project_path(args))
    changed = pm.read_project(project_path(SimpleNamespace(path=args.changed, quiet=args.quiet)))
    why = pm.explain(base, changed, iterations=args.iterations, seed=args.seed, levelled=args.levelled)
    attrs = why.attrs
    if args.png:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(max(6.0, len(why) + 4.0), 4.6))
        pm.plot.waterfall(why, ax=fig.add_subplot())
        fig.savefig(Path(args.png), dpi=110, bbox_inches="tight")
        note(args, f"waterfall saved to {args.png}")
    if args.json:
        emit_json({
            "base": base.name, "changed": changed.name, "iterations": attrs["iterations"], "seed": attrs["seed"],
            "method": attrs["method"], "coalitions": attrs["coalitions"],
            "start": attrs["start"], "end": attrs["end"], "total": attrs["total"],
            "groups": [{"group": g, "detail": attrs["details"][g], **{c: float(row[c]) for c in why.columns}}
                       for g, row in why.iterrows()],
        })
        return 0
    cur = base.currency
    head = (f"{base.name} -> {changed.name}: why the numbers moved, {attrs['iterations']:,} iterations, seed "
            f"{attrs['seed']}, {attrs['coalitions']} simulations on common random numbers "
            f"({'exact Shapley values' if attrs['method'] == 'exact' else 'Shapley values sampled'})")
    rows = [["start", f"{attrs['start']['p50']:.1f}", f"{attrs['start']['p80']:.1f}",
             f"{attrs['start']['expected_cost']:,.0f}", ""]]
    rows += [[g, _signed(row["p50"]), _signed(row["p80"]), _signed(row["expected_cost"], 0), attrs["details"][g]]
             for g, row in why.iterrows()]
    rows.append(["end", f"{attrs['end']['p50']:.1f}", f"{attrs['end']['p80']:.1f}",
                 f"{attrs['end']['expected_cost']:,.0f}", ""])
    text = table(["change", "P50 (days)", "P80 (days)", f"expected cost ({cur})", "what changed"], rows,
                 align="lrrrl", flex=4)
    say(head + "\n\n" + (text if len(why) else "nothing that moves the finish or the cost changed"))
    return 0


COMMANDS = [Command("explain", "why the P50, P80 and expected cost moved between two versions of a project",
                    _arguments, _run)]
