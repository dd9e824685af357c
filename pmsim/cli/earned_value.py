"""``pmsim evm``: earned value and earned schedule at a status date.

The status date comes from ``--status-date``, else from the progress data
(the project's ``status_date`` when the data holds it, else the latest). The
summary gives cost (BAC, PV, EV, AC and the variances), the indices, the
chosen EAC against the budget and the forecast finish against the deadline;
``--table`` adds every metric with its meaning and a row per task.
"""

from __future__ import annotations

import warnings

import pmsim as pm

from .jsonout import emit_json
from .options import (Command, add_output_choice, add_path, add_progress, add_quiet, choose_status_date,
                      project_path, read_progress_for, say)
from .headlines import deadline_text
from .text import amount, date_text, days, key_values, money, number, share, table

__all__ = ["COMMANDS"]

MONEY = {"BAC", "PV", "EV", "AC", "SV", "CV", "EAC_atypical", "EAC_cpi", "EAC_cpi_spi", "EAC_bottom_up", "ETC", "VAC"}
TIMES = {"ES", "SV_t", "IEAC_t"}


def _value(report, key: str) -> str:
    value = report.metrics[key]
    if key in MONEY:
        return amount(value)
    if key in TIMES:
        return days(value)
    return number(value)


def _summary(report) -> str:
    p = report.project
    m = report.metrics
    eac = f"EAC_{report.eac_method}"
    meaning = report.summary()["meaning"]
    cost = table(["", p.currency, "meaning"], [[k, _value(report, k), meaning[k]] for k in
                                      ("BAC", "PV", "EV", "AC", "SV", "CV", eac, "ETC", "VAC")], align="lrl")
    indices = "   ".join(f"{k} {_value(report, k)}" for k in ("SPI", "CPI", "SPI_t", "TSPI", "TCPI_bac", "TCPI_eac",
                                                                      "P_factor"))
    rows = [
        ("indices", indices),
        ("schedule", f"earned schedule {days(m['ES'])} of {days(report.actual_time)} working days elapsed "
                     f"(SV(t) {days(m['SV_t'])})"),
    ]
    finish = report.forecast_finish_date
    if finish is not None:
        rows.append(("forecast finish", f"{date_text(finish, 'The forecast finish')} (IEAC(t) {days(m['IEAC_t'])} "
                                        f"working days)"))
        rows.append(("deadline", deadline_text(p, m["IEAC_t"])))
    else:
        rows.append(("forecast finish", "undefined (no schedule performance yet)"))
    if p.budget is not None:
        over = m[eac] - p.budget
        verdict = f"over by {money(over, p.currency)}" if over > 0 else f"{money(-over, p.currency)} to spare"
        rows.append(("budget", f"{money(p.budget, p.currency)} ({eac} {money(m[eac], p.currency)}: {verdict})"))
    else:
        rows.append(("budget", "none set (project.toml: budget)"))
    return cost + "\n\n" + key_values(rows)


def _task_table(report) -> str:
    cur = report.project.currency
    rows = [[tid, r["name"], r["status"], share(r["planned_percent"] / 100, 0), share(r["percent_complete"] / 100, 0),
             amount(r["budget"]), amount(r["PV"]), amount(r["EV"]), amount(r["AC"])]
            for tid, r in report.tasks.iterrows()]
    return table(["id", "task", "status", "planned", "complete", f"budget ({cur})", "PV", "EV", "AC"], rows,
                 align="lllrrrrrr", flex=1)


def _evm_arguments(parser) -> None:
    add_path(parser)
    add_output_choice(parser, "add every metric with its meaning, and a row per task")
    add_quiet(parser)
    add_progress(parser, "default: progress.csv or progress/ in the project folder")
    parser.add_argument("--eac", default="cpi", choices=["cpi", "atypical", "cpi_spi", "bottom_up"],
                        help="the EAC behind ETC, VAC and TCPI_eac (default: cpi)")


def _evm(args) -> int:
    path = project_path(args)
    project = pm.read_project(path)
    progress = read_progress_for(args, path, required=True)
    status_date = choose_status_date(args, project, progress)
    with warnings.catch_warnings(record=True):  # undefined ratios are reported in "notes"
        warnings.simplefilter("always", pm.PmsimWarning)
        report = pm.earned_value(project, progress, status_date, eac=args.eac)
    if args.json:
        emit_json({
            "project": project.name,
            "status_date": report.status_date,
            "currency": project.currency,
            "budget": project.budget,
            "deadline": project.deadline,
            "eac_method": report.eac_method,
            "actual_time": report.actual_time,
            "planned_duration": report.planned_duration,
            "forecast_finish_date": report.forecast_finish_date,
            "metrics": report.metrics,
            "notes": list(report.notes),
            "warnings": list(report.alerts),
            "tasks": report.tasks,
        })
        return 0
    parts = [f"{project.name}: earned value at {date_text(report.status_date)} "
             f"(working days of the project calendar; {project.currency})", "", _summary(report)]
    if args.table:
        meaning = report.summary()["meaning"]
        parts += ["", table(["metric", f"value ({project.currency})", "meaning"],
                            [[k, _value(report, k), meaning[k]] for k in report.metrics.index], align="lrl"),
                  "", _task_table(report)]
    parts += [f"warning: {text}" for text in report.alerts]
    parts += [f"note: {text}" for text in report.notes]
    say("\n".join(parts))
    return 0


COMMANDS = [Command("evm", "earned value and earned schedule at a status date", _evm_arguments, _evm)]
