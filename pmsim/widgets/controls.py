"""The what-if panel's controls and what they mean: one widget per setting of a pmsim.Scenario.

:func:`make_controls` builds them for a project and :func:`control_tabs` lays
them out; :func:`read_settings` reads them back as Scenario settings and
:func:`task_estimates` turns the task overrides (three points each) into estimates.
"""

from __future__ import annotations

import math

import ipywidgets as w

from ..distributions import BetaPert, Distribution, Lognormal, Triangular, make_estimate
from ..errors import PmsimError
from ..model import Project


def _slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f") -> w.FloatSlider:
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
                         continuous_update=True, style={"description_width": "150px"},
                         layout=w.Layout(width="420px"))


def three_points(estimate: Distribution) -> tuple[float, float, float]:
    """The optimistic, most likely and pessimistic values shown for a task's estimate.

    >>> import pmsim as pm
    >>> three_points(pm.Triangular(10, 15, 25)), three_points(pm.Fixed(4))
    ((10.0, 15.0, 25.0), (4.0, 4.0, 4.0))
    """
    fields = estimate.to_fields()
    if {"optimistic", "most_likely", "pessimistic"} <= set(fields):
        return float(fields["optimistic"]), float(fields["most_likely"]), float(fields["pessimistic"])
    planned = float(estimate.planned)
    low = float(fields.get("optimistic", estimate.low))
    high = float(fields.get("pessimistic", estimate.high))
    return low, planned, high if math.isfinite(high) else planned


def make_controls(project: Project, iterations: int, seed: int, budget: float) -> dict[str, w.Widget]:
    """The controls of a panel over ``project``, by name (see :class:`pmsim.widgets.WhatIf`)."""
    p = project
    c: dict[str, w.Widget] = {}
    c["multiplier"] = _slider("All estimates ×", 1.0, 0.5, 2.0, 0.05)
    for phase in p.phases:
        c[f"phase:{phase}"] = _slider(f"{phase} ×", 1.0, 0.5, 2.0, 0.05)
    tasks = [t for t in p.tasks if not t.milestone]
    c["task"] = w.Dropdown(options=[(f"{t.id}  {t.name}", t.id) for t in tasks],
                           value=tasks[0].id if tasks else None, description="Task",
                           style={"description_width": "150px"}, layout=w.Layout(width="420px"))
    first = three_points(tasks[0].estimate) if tasks else (0.0, 0.0, 0.0)
    for key, value in zip(("optimistic", "most_likely", "pessimistic"), first):
        c[f"task:{key}"] = w.FloatText(value=value, description=key.replace("_", " ").capitalize(),
                                       continuous_update=False, style={"description_width": "150px"},
                                       layout=w.Layout(width="260px"))
    for r in p.resources:
        hi = max(2 * r.capacity, r.capacity + 4)
        c[f"capacity:{r.id}"] = _slider(f"{r.name or r.id}", r.capacity, 0.0, hi, 0.5, ".1f")
    for risk in p.risks:
        c[f"risk:{risk.id}"] = w.Checkbox(value=True, description=f"{risk.id} {risk.name}", indent=False,
                                          layout=w.Layout(width="360px"))
        c[f"probability:{risk.id}"] = w.FloatSlider(value=risk.probability, min=0.0, max=1.0, step=0.01,
                                                    description="P", readout_format=".2f",
                                                    continuous_update=True,
                                                    style={"description_width": "20px"},
                                                    layout=w.Layout(width="260px"))
    c["correlation"] = _slider("Correlation in phase", 0.0, 0.0, 0.95, 0.05)
    c["levelled"] = w.Checkbox(value=False, description="Level resources (capacities bind)", indent=False)
    c["iterations"] = w.BoundedIntText(value=iterations, min=1, max=10_000_000, step=1000,
                                       description="Iterations", continuous_update=False,
                                       style={"description_width": "150px"}, layout=w.Layout(width="300px"))
    c["seed"] = w.BoundedIntText(value=seed, min=0, max=2**63 - 1, description="Seed", continuous_update=False,
                                 style={"description_width": "150px"}, layout=w.Layout(width="300px"))
    c["deadline"] = w.DatePicker(value=p.deadline, description="Deadline",
                                 style={"description_width": "150px"})
    c["budget"] = w.BoundedFloatText(value=budget, min=0, max=1e15, step=1000,
                                     description=f"Budget ({p.currency})", continuous_update=False,
                                     style={"description_width": "150px"}, layout=w.Layout(width="300px"))
    for name, control in c.items():
        control.add_class("pmsim-control-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name))
    return c


def control_tabs(project: Project, controls: dict, reset_task: w.Button) -> w.Tab:
    """The controls in tabs: estimates, one task, resources, risks, simulation and targets."""
    c, p = controls, project
    estimates = w.VBox([c["multiplier"], *(c[f"phase:{ph}"] for ph in p.phases)])
    task = w.VBox([
        w.HTML("<i>Edit one task's three-point estimate (before multipliers).</i>"),
        c["task"], c["task:optimistic"], c["task:most_likely"], c["task:pessimistic"], reset_task,
    ])
    resources = w.VBox([c["levelled"], *(c[f"capacity:{r.id}"] for r in p.resources)] if p.resources
                       else [c["levelled"], w.HTML("<i>This project has no resources.</i>")])
    risks = w.VBox([w.HBox([c[f"risk:{r.id}"], c[f"probability:{r.id}"]]) for r in p.risks]
                   or [w.HTML("<i>This project has no risks.</i>")])
    simulation = w.VBox([c["iterations"], c["seed"], c["correlation"], c["deadline"], c["budget"]])
    tabs = w.Tab(children=[estimates, task, resources, risks, simulation])
    for i, title in enumerate(["Estimates", "Task", "Resources", "Risks", "Simulation & targets"]):
        tabs.set_title(i, title)
    tabs.layout = w.Layout(width="460px")
    return tabs


def default_values(project: Project, budget: float) -> dict:
    """The control values that mean "the project as it is"."""
    p = project
    out = {"multiplier": 1.0, "correlation": 0.0, "levelled": False, "deadline": p.deadline, "budget": budget}
    out.update({f"phase:{ph}": 1.0 for ph in p.phases})
    out.update({f"capacity:{r.id}": r.capacity for r in p.resources})
    for risk in p.risks:
        out[f"risk:{risk.id}"] = True
        out[f"probability:{risk.id}"] = risk.probability
    return out


def read_settings(project: Project, controls: dict) -> dict:
    """The settings of the controls (see :meth:`pmsim.widgets.WhatIf.settings`)."""
    p, c = project, controls
    out: dict = {}
    if c["multiplier"].value != 1.0:
        out["multiplier"] = c["multiplier"].value
    for phase in p.phases:
        if c[f"phase:{phase}"].value != 1.0:
            out[f"phase:{phase}"] = c[f"phase:{phase}"].value
    for r in p.resources:
        if c[f"capacity:{r.id}"].value != r.capacity:
            out[f"capacity:{r.id}"] = c[f"capacity:{r.id}"].value
    for risk in p.risks:
        if not c[f"risk:{risk.id}"].value:
            out[f"risk:{risk.id}"] = False
        elif c[f"probability:{risk.id}"].value != risk.probability:
            out[f"risk:{risk.id}"] = c[f"probability:{risk.id}"].value
    if c["correlation"].value:
        out["correlation"] = c["correlation"].value
    if c["levelled"].value:
        out["levelled"] = True
    if c["deadline"].value is not None and c["deadline"].value != p.deadline:
        out["deadline"] = c["deadline"].value
    if c["budget"].value is not None and c["budget"].value != p.budget:
        out["budget"] = float(c["budget"].value)
    out["iterations"] = int(c["iterations"].value)
    out["seed"] = int(c["seed"].value)
    return out


def task_estimates(project: Project, overrides: dict) -> dict:
    """Task id -> estimate for the three points ``overrides`` gives each task.

    Each keeps its task's family (Beta-PERT with its lambda, triangular or
    lognormal; other estimates become Beta-PERT); three equal points are a
    fixed duration.
    """
    out = {}
    for tid, (o, m, p) in overrides.items():
        base = project.task(tid).estimate
        try:
            if o == m == p:
                out[tid] = make_estimate(duration=m)
            elif isinstance(base, Triangular):
                out[tid] = Triangular(o, m, p)
            elif isinstance(base, Lognormal):
                out[tid] = Lognormal.from_three_point(o, m, p)
            elif isinstance(base, BetaPert):
                out[tid] = BetaPert(o, m, p, base.lamb)
            else:
                out[tid] = BetaPert(o, m, p)
        except PmsimError as exc:
            raise exc.with_context(f"Task {tid!r}") from None
    return out
