"""The levers of a hybrid plan's backlog tasks in the what-if panel: items, growth, team throughput, history window.

A task whose estimate is a throughput forecast (``distribution = backlog``)
gets four controls, named as the settings of :class:`pmsim.Scenario` and the
keys of a :func:`pmsim.sweep` grid: ``items:<task id>`` (the backlog's size),
``growth:<task id>`` (the scope grows once by this fraction),
``throughput:<task id>`` (a factor on the team's throughput: 1.25 for a team
of 5 grown to about 6) and ``window:<task id>`` (resample only the last N
periods of the history). Each starts at the plan's own value; a lever at
that value is no change.
"""

from __future__ import annotations

import ipywidgets as w

from ..model import Project
from ..throughput import Backlog
from .view import esc

__all__ = ["backlog_tasks", "make_backlog_controls", "backlog_defaults", "read_backlog_settings", "backlog_pane",
           "backlog_label", "LEVER_LABELS"]

LEVER_LABELS = {"items": "Items in the backlog", "growth": "Scope growth", "throughput": "Team throughput ×",
                "window": "Periods of history"}  # the window's label names the period: "Weeks of history"


def backlog_tasks(project: Project) -> list:
    """The tasks of ``project`` whose estimate is a backlog forecast."""
    return [t for t in project.tasks if isinstance(t.estimate, Backlog)]


def _period(backlog: Backlog) -> str:
    """What a period of the history is called (a period of one working day is a day, else a week)."""
    return "days" if backlog.period_days == 1 else "weeks"


def _plan(backlog: Backlog) -> dict:
    """The plan's value of each lever (a growth range shows its middle)."""
    return {"items": backlog.items, "growth": sum(backlog.growth) / 2, "throughput": 1.0,
            "window": len(backlog.throughput)}


def make_backlog_controls(project: Project) -> dict[str, w.Widget]:
    """The four levers of each backlog task, by control name."""
    style, layout = {"description_width": "150px"}, w.Layout(width="auto")
    out: dict[str, w.Widget] = {}
    for task in backlog_tasks(project):
        b, plan, tid = task.estimate, _plan(task.estimate), task.id
        out[f"items:{tid}"] = w.IntSlider(value=b.items, min=1, max=max(3 * b.items, b.items + 50), step=1,
                                          description=LEVER_LABELS["items"], continuous_update=True, style=style,
                                          layout=layout)
        out[f"growth:{tid}"] = w.FloatSlider(value=plan["growth"], min=0.0, max=max(1.0, plan["growth"]), step=0.05,
                                             readout_format=".0%", description=LEVER_LABELS["growth"],
                                             continuous_update=True, style=style, layout=layout)
        out[f"throughput:{tid}"] = w.FloatSlider(value=1.0, min=0.25, max=3.0, step=0.05, readout_format=".2f",
                                                 description=LEVER_LABELS["throughput"], continuous_update=True,
                                                 style=style, layout=layout)
        out[f"window:{tid}"] = w.IntSlider(value=plan["window"], min=1, max=plan["window"], step=1,
                                           description=f"{_period(b).capitalize()} of history",
                                           continuous_update=True, style=style, layout=layout)
    return out


def backlog_defaults(project: Project) -> dict:
    """The control values that mean "the backlog as planned"."""
    return {f"{lever}:{t.id}": value for t in backlog_tasks(project) for lever, value in _plan(t.estimate).items()}


def read_backlog_settings(project: Project, controls: dict) -> dict:
    """The settings of the backlog levers that differ from the plan."""
    out = {}
    for key, plan in backlog_defaults(project).items():
        value = controls[key].value
        if value != plan:
            out[key] = value
    return out


def backlog_label(project: Project, name: str) -> str | None:
    """The label of a backlog lever in messages and the scenario table (None when ``name`` is not one).

    >>> import pmsim as pm
    >>> backlog_label(pm.read_project(pm.data_path("agile/platform_hybrid")), "throughput:DEV")
    'DEV team throughput ×'
    """
    lever, _, tid = name.partition(":")
    if lever not in LEVER_LABELS or not tid:
        return None
    text = LEVER_LABELS[lever]
    task = next((t for t in backlog_tasks(project) if t.id == tid), None)
    if lever == "window" and task is not None:
        text = f"{_period(task.estimate)} of history"
    return f"{tid} {text[0].lower()}{text[1:]}"


def backlog_pane(project: Project, controls: dict) -> list[w.Widget]:
    """The rows of the Backlog tab: for each backlog task a heading (its forecast in words) and its levers."""
    rows: list[w.Widget] = [w.HTML("<div class='pmsim-hint'>The development work forecast from the team's "
                                   "throughput history: change the backlog, its growth, the team or the history "
                                   "used.</div>")]
    for task in backlog_tasks(project):
        b = task.estimate
        facts = f"{b.items:,} items, {len(b.throughput)} {_period(b)} of history"
        if b.growth != (0.0, 0.0):
            facts += f", growth {b.growth[0]:.0%}–{b.growth[1]:.0%}".replace("%", " %")
        if b.split != (1, 1):
            facts += f", items split into {b.split[0]}–{b.split[1]}"
        if b.arrivals != (0.0, 0.0):
            facts += f", {b.arrivals[0]:g}–{b.arrivals[1]:g} new items a period"
        head = w.HTML(f"<div class='pmsim-backlog-head'><b>{esc(task.id)}</b> {esc(task.name)}"
                      f"<div class='pmsim-risk-impact'>{esc(facts)}</div></div>")
        rows += [head, *(controls[f"{lever}:{task.id}"] for lever in LEVER_LABELS)]
    return rows
