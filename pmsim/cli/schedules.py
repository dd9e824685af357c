"""``pmsim cpm`` and ``pmsim level``: a schedule, as a summary, a table or JSON.

The summary gives the start and finish, the deadline (met with how many
working days to spare, or missed by how many), the budget against the
baseline cost, and the critical path; ``--table`` adds a row per task.
"""

from __future__ import annotations

import textwrap

import pmsim as pm

from ..costs import baseline_cost
from .headlines import budget_text, deadline_text
from .jsonout import check_schedule_dates, emit_json, schedule_json
from .options import Command, add_output_choice, add_path, add_quiet, project_path, say
from .text import date_text, days, key_values, moment_text, table, terminal_width

__all__ = ["COMMANDS", "schedule_lines", "task_table"]


def _with_time(times) -> bool:
    """Whether the times of day differ between tasks, so dates alone would hide something."""
    starts = times["start"].dt.strftime("%H:%M").unique()
    finishes = times["finish"].dt.strftime("%H:%M").unique()
    return len(starts) > 1 or len(finishes) > 1


def task_dates(schedule) -> tuple[list[str], list[str]]:
    """Each task's start and finish as text: dates, or dates and times when the times of day vary."""
    t = schedule.table
    times = schedule.times()
    real = times[~t["milestone"].to_numpy() & (t["duration"].to_numpy() > 0)]
    if len(real) and _with_time(real):
        starts = [moment_text(f if m else s) for s, f, m in
                  zip(times["start"], times["finish"], t["duration"].to_numpy() == 0)]
        return starts, [moment_text(f) for f in times["finish"]]
    return [date_text(d) for d in t["start_date"]], [date_text(d) for d in t["finish_date"]]


def task_table(schedule, *, free_float: bool = True) -> str:
    """One row per task: id, name, start, finish, working days, floats, critical."""
    t = schedule.table
    starts, finishes = task_dates(schedule)
    header = ["id", "task", "start", "finish", "days", "total float"] + (["free float"] if free_float else [])
    header.append("critical")
    rows = []
    for k, (tid, row) in enumerate(t.iterrows()):
        cells = [tid, row["name"], starts[k], finishes[k], days(row["duration"]), days(row["total_float"])]
        if free_float:
            cells.append(days(row["free_float"]))
        cells.append("yes" if row["critical"] else "")
        rows.append(cells)
    align = "llllrr" + ("r" if free_float else "") + "l"
    return table(header, rows, align=align, flex=1)


def schedule_lines(schedule) -> list[tuple[str, str]]:
    """The headline rows of a schedule: start, finish, deadline, budget, tasks."""
    p = schedule.project
    critical = int(schedule.table["critical"].sum())
    return [
        ("start", date_text(schedule.start_date)),
        ("finish", f"{date_text(schedule.finish_date, 'The finish')} ({days(schedule.makespan)} working days)"),
        ("deadline", deadline_text(p, schedule.makespan)),
        ("budget", budget_text(p, baseline_cost(p), "baseline cost")),
        ("tasks", f"{len(schedule.table)}, {critical} critical"),
    ]


def _critical_path(schedule) -> str:
    # A no-break space ties each arrow to the task before it, so a wrapped line never starts with one.
    ids = "\u00a0→ ".join(str(t) for t in schedule.critical_path)
    width = (terminal_width() or 100) - 2
    return "critical path:\n" + textwrap.fill(ids, width=width, initial_indent="  ", subsequent_indent="  ",
                                             break_on_hyphens=False)


def _cpm_arguments(parser) -> None:
    add_path(parser)
    add_output_choice(parser, "add a row per task: dates, working days, total and free float, critical")
    add_quiet(parser)


def _cpm(args) -> int:
    project = pm.read_project(project_path(args))
    schedule = pm.cpm(project)
    if args.json:
        emit_json(schedule_json(schedule))
        return 0
    check_schedule_dates(schedule)
    # Everything is worked out before the first line is printed: an error leaves no half answer.
    parts = [f"{project.name}: critical path schedule (CPM)", key_values(schedule_lines(schedule)),
             _critical_path(schedule)]
    if args.table:
        parts += ["", task_table(schedule)]
    say("\n".join(parts))
    return 0


def _level_arguments(parser) -> None:
    add_path(parser)
    add_output_choice(parser, "add a row per task, and the tasks held back by resources")
    add_quiet(parser)
    parser.add_argument("--method", default="serial", choices=["serial", "parallel", "exact"],
                        help="schedule-generation scheme, or exact (OR-Tools CP-SAT)")
    parser.add_argument("--rule", default="lft", help="priority rule: lft, lst, mts, grpw, minslack (default lft)")
    parser.add_argument("--schedules", type=int, default=1, help="schedule passes the search may spend (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the search (default 0)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds (exact: default 60)")


def _level(args) -> int:
    project = pm.read_project(project_path(args))
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
        return 0
    check_schedule_dates(schedule)
    rows = schedule_lines(schedule)
    rows.insert(2, ("delay", f"{days(schedule.delay)} working days after the unlevelled CPM finish"))
    if schedule.lower_bound is not None:
        rows.insert(3, ("lower bound", f"{days(schedule.lower_bound)} working days"))
    held = schedule.held_back
    rows.append(("held back", f"{len(held)} tasks wait for resources" if len(held) else "none"))
    rows.append(("status", f"{schedule.status} ({schedule.info.get('method', args.method)} method)"))
    parts = [f"{project.name}: resource-levelled schedule", key_values(rows), _critical_path(schedule)]
    if args.table:
        parts += ["", task_table(schedule, free_float=False)]
        if len(held):
            parts += ["", "held back by resources:",
                      table(["id", "task", "delay", "own delay", "resources", "via"],
                            [[tid, project.task(tid).name, days(r["delay"]), days(r["own_delay"]), r["resources"],
                              r["via"]] for tid, r in held.iterrows()], align="llrrll", flex=1)]
    say("\n".join(parts))
    return 0


COMMANDS = [
    Command("cpm", "deterministic critical path schedule", _cpm_arguments, _cpm),
    Command("level", "resource-levelled schedule: no resource over capacity", _level_arguments, _level),
]
