"""The saved scenarios of the what-if panel: their rows, a full-width table with the plan first, two CSV files.

:class:`SavedScenarios` keeps each saved scenario with its numbers and the
plan's numbers with the same iterations and seed. :class:`ScenarioTable` shows
one row per scenario (the plan, then each saved one) with its headline
numbers, how far each is from the plan, what was changed in words, and
Restore / Delete buttons. :func:`people_frame` is the same table for a
spreadsheet (dates, whole money, percentages, signed differences);
:func:`csv_text` writes a frame with every text cell that a spreadsheet would
run as a formula neutralised.
"""

from __future__ import annotations

import base64

import ipywidgets as w
import pandas as pd

from ..errors import ValidationError
from ..io.csv_files import csv_text as shared_csv_text
from ..model import Project
from ..scenarios import Scenario
from .backlog_levers import backlog_defaults
from .controls import label
from .view import HEADLINE_KEYS, currency_label, differences, esc, fmt_date, fmt_money, fmt_share

PLAN = "Plan (as in the file)"
_COLUMNS = ("Scenario", "P50", "P80", "On time", "On budget", "JCL", "Expected cost", "Changes", "")


def describe(project: Project, settings: dict, overrides: dict) -> str:
    """What a scenario changes, in words (iterations and seed apart).

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("erp_upgrade"))
    >>> describe(p, {"multiplier": 1.2, "capacity:dev": 2.0, "risk:R02": False, "risk:R04": 0.7,
    ...              "iterations": 1000, "seed": 0}, {"BD04": (10.0, 15.0, 60.0)})
    'All estimates ×1.2; Capacity of ERP developer 2 (plan 4); Risk R02 off; Risk R04 probability 70 % (plan 35 %); Task BD04 10/15/60 days'
    """
    parts = []
    currency = currency_label(project.currency)
    backlog_plan = backlog_defaults(project)
    for key, value in settings.items():
        kind, _, ident = key.partition(":")
        if key in ("iterations", "seed"):
            continue
        if kind == "capacity":
            plan = next(r.capacity for r in project.resources if r.id == ident)
            parts.append(f"{label(project, key)} {value:g} (plan {plan:g})")
        elif kind == "risk":
            if value is False:
                parts.append(f"Risk {ident} off")
            else:
                plan = next(r.probability for r in project.risks if r.id == ident)
                parts.append(f"Risk {ident} probability {value:.0%} (plan {plan:.0%})".replace("%", " %"))
        elif key in backlog_plan:
            shown = (lambda v: f"{v:.0%}".replace("%", " %")) if kind == "growth" else (lambda v: f"{v:g}")
            plan = f" (plan {shown(backlog_plan[key])})" if kind != "throughput" else ""
            parts.append(f"{label(project, key)}{'' if kind == 'throughput' else ' '}{shown(value)}{plan}")
        elif key == "levelled":
            parts.append("Resources levelled")
        elif key == "deadline":
            parts.append(f"Deadline {fmt_date(value)}")
        elif key == "budget":
            parts.append(f"Budget {value:,.0f} {currency}")
        elif key == "escalation":
            parts.append(f"Escalation {value:g} % a year (plan {project.escalation:g} %)")
        elif key == "rate_uncertainty":
            parts.append(f"Rate uncertainty ×{value:g}")
        elif kind == "response":
            parts.append(f"Response to risk {ident} {'in effect' if value else 'not in effect'}")
        elif key in ("multiplier", "correlation") or kind == "phase":
            parts.append(f"{label(project, key)}{value:g}" if key != "correlation" else f"Correlation {value:.2f}")
        else:
            parts.append(f"{key} {value}")
    parts += [f"Task {tid} {o:g}/{m:g}/{p:g} days" for tid, (o, m, p) in overrides.items()]
    return "; ".join(parts)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV, index included, with formula-like text neutralised (:func:`pmsim.io.csv_files.csv_text`)."""
    return shared_csv_text(frame, index=True)


def _diff_number(numbers: dict, plan: dict, key: str):
    if numbers.get(key) is None or plan.get(key) is None:
        return None
    if key in ("p50", "p80"):
        return (pd.Timestamp(numbers[key]) - pd.Timestamp(plan[key])).days
    if key == "expected_cost":
        return round(numbers[key] - plan[key])
    return round(100 * (numbers[key] - plan[key]))


def people_frame(project: Project, plan: dict, rows: dict) -> pd.DataFrame:
    """The plan and the saved scenarios for people: dates, whole money, percentages, differences from the plan.

    ``plan`` holds the plan's headline numbers with ``iterations`` and
    ``seed``; ``rows`` maps each scenario's name to its row (settings,
    ``_overrides``, headline numbers and ``_plan``, the plan's numbers with
    the same iterations and seed).
    """
    currency = currency_label(project.currency)
    out = []
    for name, row, base in [(PLAN, plan, plan), *((n, r, r["_plan"]) for n, r in rows.items())]:
        settings = {k: v for k, v in row.items() if not k.startswith("_") and k not in HEADLINE_KEYS
                    and k != "overrides"}
        record = {"Scenario": name}
        for key, title in (("p50", "P50 finish"), ("p80", "P80 finish")):
            record[title] = fmt_date(row[key]) if row[key] is not None else ""
            record[f"{title} vs plan (days)"] = _diff_number(row, base, key)
        for key, title in (("p_on_time", "P(on time)"), ("p_on_budget", "P(on budget)"), ("jcl", "JCL")):
            record[title] = fmt_share(row[key]) if row[key] is not None else ""
            record[f"{title} vs plan (points)"] = _diff_number(row, base, key)
        record[f"Expected cost ({currency})"] = round(row["expected_cost"])
        record[f"Expected cost vs plan ({currency})"] = _diff_number(row, base, "expected_cost")
        record["Changes"] = describe(project, settings, row.get("_overrides", {})) or "none"
        record["Runs"], record["Seed"] = row["iterations"], row["seed"]
        out.append(record)
    frame = pd.DataFrame(out).set_index("Scenario")
    return frame.astype({c: "Int64" for c in frame.columns if "vs plan" in c})


def download_links(people: pd.DataFrame, raw: pd.DataFrame) -> str:
    """Two links that save the tables as CSV files, the data in the links themselves."""
    def link(frame, filename, text):
        data = base64.b64encode(csv_text(frame).encode("utf-8")).decode()
        return f"<a download='{filename}' href='data:text/csv;base64,{data}'>⬇ {text}</a>"

    return (f"<span class='pmsim-download'>{link(people, 'scenarios.csv', 'Export CSV')}"
            f"{link(raw, 'scenarios_raw.csv', 'Export raw values (CSV)')}</span>")


def _cell(html: str, *classes: str) -> w.HTML:
    cell = w.HTML(html)
    cell.add_class("pmsim-cell")
    for c in classes:
        cell.add_class(c)
    return cell


class ScenarioTable:
    """The table widget; ``on_restore(name)`` and ``on_delete(name)`` are called by the row buttons.

    ``name`` is None for the plan's row (whose Restore button sets every
    control back to the project as it is). When ``on_explain`` is set, each
    saved scenario's row has a "Why?" button that calls ``on_explain(name)``.
    """

    on_explain = None

    def __init__(self, project: Project, on_restore, on_delete):
        self.project = project
        self.on_restore, self.on_delete = on_restore, on_delete
        self.widget = w.Box()
        self.widget.add_class("pmsim-table")
        self.buttons: dict[tuple[str, str | None], w.Button] = {}

    def show(self, plan: dict | None, rows: dict) -> None:
        """Show the plan's row and one row per saved scenario (name -> row, see :func:`people_frame`)."""
        old = self.widget.children
        header = w.Box([_cell(esc(h), "pmsim-head") for h in _COLUMNS])
        header.add_class("pmsim-row")
        lines = [header]
        self.buttons = {}
        if plan is not None:
            lines.append(self._row(None, plan, None))
        lines += [self._row(name, row, row["_plan"]) for name, row in rows.items()]
        self.widget.children = lines
        for box in old:
            for child in box.children:
                child.close()
            box.close()

    def _row(self, name: str | None, row: dict, plan: dict | None) -> w.Box:
        currency = self.project.currency
        changed = differences(row, plan, currency) if plan is not None else {}

        def value(key, text):
            diff = changed.get(key)
            extra = f"<div class='pmsim-diff'>{esc(diff[0])}</div>" if diff and diff[1] != 0 else ""
            return _cell(f"<div>{esc(text)}</div>{extra}")

        settings = {k: v for k, v in row.items() if not k.startswith("_") and k not in HEADLINE_KEYS
                    and k != "overrides"}
        changes = describe(self.project, settings, row.get("_overrides", {})) if name is not None else "none"
        runs = f"{row['iterations']:,} runs, seed {row['seed']}"
        cells = [
            _cell(f"<b>{esc(name if name is not None else PLAN)}</b>"),
            value("p50", fmt_date(row["p50"])), value("p80", fmt_date(row["p80"])),
            value("p_on_time", fmt_share(row["p_on_time"])), value("p_on_budget", fmt_share(row["p_on_budget"])),
            value("jcl", fmt_share(row["jcl"])), value("expected_cost", fmt_money(row["expected_cost"], currency)),
            _cell(f"<div>{esc(changes or 'none')}</div><div class='pmsim-diff'>{esc(runs)}</div>"),
        ]
        restore = w.Button(description="Restore", tooltip="Set the controls to this scenario",
                           layout=w.Layout(width="auto"))
        restore.on_click(lambda _: self.on_restore(name))
        buttons = [restore]
        self.buttons[("restore", name)] = restore
        if name is not None:
            delete = w.Button(description="Delete", tooltip="Remove this scenario from the table",
                              layout=w.Layout(width="auto"))
            delete.on_click(lambda _: self.on_delete(name))
            buttons.append(delete)
            self.buttons[("delete", name)] = delete
            if self.on_explain is not None:  # "Why did this change?": this row against the plan's
                why = w.Button(description="Why?", tooltip="Why did this change? Its difference from the plan, "
                               "change by change", layout=w.Layout(width="auto"))
                why.on_click(lambda _: self.on_explain(name))
                buttons.append(why)
                self.buttons[("explain", name)] = why
        actions = w.Box(buttons)
        actions.add_class("pmsim-cell")
        actions.add_class("pmsim-actions")
        line = w.Box(cells + [actions])
        line.add_class("pmsim-row")
        if name is None:
            line.add_class("pmsim-plan")
        return line


class SavedScenarios:
    """The scenarios saved in a panel over ``project``, by name, in the order saved."""

    def __init__(self, project: Project):
        self.project = project
        self.saved: dict[str, Scenario] = {}
        self.rows: dict[str, dict] = {}

    def add(self, scenario: Scenario, settings: dict, overrides: dict, numbers: dict, plan: dict) -> None:
        """Keep ``scenario`` (replacing one of the same name) with its settings, numbers and the plan's."""
        self.saved[scenario.name] = scenario
        self.rows[scenario.name] = {
            **settings,
            "overrides": "; ".join(f"{tid} {o:g}/{m:g}/{p:g}" for tid, (o, m, p) in overrides.items()),
            "_overrides": dict(overrides),
            "_plan": plan,
            **{k: numbers[k] for k in HEADLINE_KEYS},
        }

    def check(self, name: str) -> None:
        if name not in self.saved:
            raise ValidationError(f"no saved scenario {name!r}; saved: {', '.join(self.saved) or 'none'}")

    def remove(self, name: str) -> None:
        self.check(name)
        del self.saved[name], self.rows[name]

    def frame(self) -> pd.DataFrame:
        """One row per saved scenario: its settings, ``iterations``, ``seed``, ``overrides`` and numbers."""
        rows = {name: {k: v for k, v in row.items() if not k.startswith("_")} for name, row in self.rows.items()}
        frame = pd.DataFrame.from_dict(rows, orient="index")
        last = ["iterations", "seed", "overrides", *HEADLINE_KEYS]
        if frame.empty:
            frame = pd.DataFrame(columns=last)
        frame = frame[[c for c in frame.columns if c not in last] + last]
        frame.index.name = "scenario"
        return frame
