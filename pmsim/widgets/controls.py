"""The what-if panel's controls and what they mean: one widget per setting of a pmsim.Scenario.

:func:`make_controls` builds them for a project and :func:`control_tabs` lays
them out; :func:`read_settings` reads them back as Scenario settings (refusing
a value out of its range with a :class:`FieldError` that names the field by
its label) and :func:`task_estimates` turns the task overrides (three points
each) into estimates.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

import ipywidgets as w
import traitlets

from ..distributions import BetaPert, Distribution, Lognormal, Triangular, make_estimate
from ..errors import PmsimError, ValidationError
from ..model import Project
from ..scenarios import rate_uncertainty_limit
from .backlog_levers import backlog_defaults, backlog_label, backlog_pane, make_backlog_controls, read_backlog_settings
from .view import currency_label, esc

ITERATIONS = (100, 10_000_000)  # the range the iterations field accepts
POINTS = ("optimistic", "most_likely", "pessimistic")
POINT_LABELS = {"optimistic": "Optimistic", "most_likely": "Most likely", "pessimistic": "Pessimistic"}


class FieldError(ValidationError):
    """A control holds a value the panel refuses; ``field`` is the control's name."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class _IsoText(traitlets.Unicode):
    """Text; a date (or None) assigned to it becomes its ISO form (or empty)."""

    def validate(self, obj, value):
        if value is None:
            value = ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        return super().validate(obj, value)


class IsoDate(w.Text):
    """A date typed as YYYY-MM-DD (a browser's date picker shows the reader's locale, e.g. 11/30/2027).

    ``value`` is the text; assigning a ``datetime.date`` writes its ISO form,
    and :attr:`date` reads it back (None when empty).

    >>> d = IsoDate(value=dt.date(2027, 11, 30))
    >>> d.value, d.date
    ('2027-11-30', datetime.date(2027, 11, 30))
    """

    value = _IsoText(help="The date as YYYY-MM-DD").tag(sync=True)

    @property
    def date(self) -> dt.date | None:
        text = self.value.strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldError(self.pmsim_name, f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-11-30.") from None


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")  # 1,600,000 or 1,600,000.50
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")  # 1600000, 1600000.5, 1.6e6
_SPACES = re.compile(r"[\s\u00a0\u202f_]")  # spaces (also no-break and narrow ones) and underscores between digits


def parse_number(text: str) -> float | None:
    """The number a person typed, with or without thousands separators; None when it is not one.

    Commas are accepted only as thousands separators (``1,600,000``), never as
    a decimal comma: ``1,5`` is no number rather than fifteen.

    >>> parse_number("1,600,000"), parse_number(" 10 000 "), parse_number("1600000.5"), parse_number("1.6e6")
    (1600000.0, 10000.0, 1600000.5, 1600000.0)
    >>> parse_number("1,5") is None, parse_number("abc") is None, parse_number("") is None
    (True, True, True)
    """
    compact = _SPACES.sub("", str(text))
    if _GROUPED.match(compact):
        compact = compact.replace(",", "")
    elif not _PLAIN.match(compact):
        return None
    value = float(compact)
    return value if math.isfinite(value) else None


def group_digits(value: float, whole: bool = False) -> str:
    """A number as a PM reads it: thousands separated by commas, decimals only when there are any.

    >>> group_digits(1_600_000), group_digits(1234.5), group_digits(10_000, whole=True), group_digits(-5.0)
    ('1,600,000', '1,234.5', '10,000', '-5')
    """
    if whole or float(value).is_integer():
        return f"{int(round(value)):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


class _GroupedText(traitlets.Unicode):
    """Text; a number assigned to it, or typed as one, reads with thousands separators."""

    def validate(self, obj, value):
        whole = getattr(obj, "whole", False)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy's too
            number = float(value)
        else:
            value = super().validate(obj, value)
            number = parse_number(value)
            if number is None or (whole and not number.is_integer()):
                return value  # kept as typed: the panel names the field and what is wrong
        return group_digits(number, whole=whole) if math.isfinite(number) else str(value)


class GroupedNumber(w.Text):
    """A number field that reads like the rest of the page: ``1,600,000``, ``10,000``.

    ``value`` is the text shown; assigning a number (or typing one, with or
    without separators) shows it grouped, and :attr:`number` reads it back.
    ``whole``: only whole numbers (a count).

    >>> f = GroupedNumber(value=1_600_000)
    >>> f.value, f.number
    ('1,600,000', 1600000.0)
    >>> f.value = "1250000"
    >>> f.value
    '1,250,000'
    """

    value = _GroupedText(help="The number as shown, with thousands separators").tag(sync=True)

    def __init__(self, value=0, whole: bool = False, **kwargs):
        self.whole = whole
        super().__init__(value=value, **kwargs)

    @property
    def number(self) -> float | int:
        """The number in the field (an int when ``whole``); a :class:`FieldError` when it holds none."""
        number = parse_number(self.value)
        if number is None or (self.whole and not number.is_integer()):
            kind = "a whole number" if self.whole else "a number"
            raise FieldError(getattr(self, "pmsim_name", ""), f"{self.value.strip()!r} is not {kind}; write it "
                             f"like {'10,000' if self.whole else '1,600,000'}.")
        return int(number) if self.whole else number


def _slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f") -> w.FloatSlider:
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
                         continuous_update=True, style={"description_width": "150px"}, layout=w.Layout(width="auto"))


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
    """The controls of a panel over ``project``, by name (see :class:`pmsim.widgets.WhatIf`).

    Descriptions and option labels are text (ipywidgets shows them as text,
    never as markup), so names from the project need no escaping there.
    """
    p = project
    c: dict[str, w.Widget] = {}
    c["multiplier"] = _slider("All estimates ×", 1.0, 0.5, 2.0, 0.05)
    for phase in p.phases:
        c[f"phase:{phase}"] = _slider(f"{phase} ×", 1.0, 0.5, 2.0, 0.05)
    tasks = [t for t in p.tasks if not t.milestone and t.estimate.kind != "backlog"]  # backlogs: their own tab
    c["task"] = w.Dropdown(options=[(f"{t.id}  {t.name}", t.id) for t in tasks],
                           value=tasks[0].id if tasks else None, description="Task",
                           style={"description_width": "90px"}, layout=w.Layout(width="auto"))
    first = three_points(tasks[0].estimate) if tasks else (0.0, 0.0, 0.0)
    for key, value in zip(POINTS, first):
        c[f"task:{key}"] = w.FloatText(value=value, description=f"{POINT_LABELS[key]} (days)",
                                       continuous_update=False, style={"description_width": "150px"},
                                       layout=w.Layout(width="auto"))
    for r in p.resources:
        hi = max(2 * r.capacity, r.capacity + 4)
        c[f"capacity:{r.id}"] = _slider(f"{r.name or r.id}", r.capacity, 0.0, hi, 0.5, ".1f")
    for risk in p.risks:
        c[f"risk:{risk.id}"] = w.Checkbox(value=True, indent=False, description="", tooltip=f"{risk.id} on or off",
                                          layout=w.Layout(width="22px"))
        c[f"probability:{risk.id}"] = w.FloatSlider(value=risk.probability, min=0.0, max=1.0, step=0.01,
                                                    readout_format=".0%", continuous_update=True,
                                                    tooltip=f"probability of {risk.id}",
                                                    layout=w.Layout(width="150px"))
        if risk.has_response:
            c[f"response:{risk.id}"] = w.Checkbox(value=False, indent=False, description="response in effect",
                                                  tooltip=f"{risk.id}: its post-response values and response cost",
                                                  layout=w.Layout(width="auto"))
    c.update(make_backlog_controls(p))
    c["correlation"] = _slider("Correlation in phase", 0.0, 0.0, 0.95, 0.05)
    c["levelled"] = w.Checkbox(value=False, description="Level resources (capacities bind)", indent=False,
                               layout=w.Layout(width="auto"))
    c["iterations"] = GroupedNumber(value=iterations, whole=True, description="Runs (iterations)",
                                    continuous_update=False, style={"description_width": "150px"},
                                    layout=w.Layout(width="auto"))
    c["seed"] = w.IntText(value=seed, description="Seed", continuous_update=False,
                          style={"description_width": "150px"}, layout=w.Layout(width="auto"))
    c["deadline"] = IsoDate(value=p.deadline or "", description="Deadline", placeholder="YYYY-MM-DD",
                            continuous_update=False, style={"description_width": "150px"},
                            layout=w.Layout(width="auto"))
    c["budget"] = GroupedNumber(value=budget, description=f"Budget ({currency_label(p.currency)})",
                                continuous_update=False, style={"description_width": "150px"},
                                layout=w.Layout(width="auto"))
    c.update(_cost_controls(p))
    for name, control in c.items():
        control.pmsim_name = name
        control.add_class("pmsim-control-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name))
    return c


ESCALATION = (-5.0, 25.0)  # the escalation slider's range, percent a year (widened to the project's own rate)
RATE_UNCERTAINTY = (0.0, 3.0)  # the rate uncertainty slider: 0 certain rates, 1 the ranges as given


def uncertain_rates(project: Project) -> bool:
    """Whether some resource of ``project`` has a three-point rate multiplier (the rate uncertainty lever)."""
    return any(r.rate_factor is not None for r in project.resources)


def _cost_controls(project: Project) -> dict[str, w.Widget]:
    """Escalation (percent a year) and, when some rate is uncertain, the width of the rate ranges."""
    lo, hi = min(ESCALATION[0], project.escalation), max(ESCALATION[1], project.escalation)
    out = {"escalation": _slider("Escalation (% a year)", project.escalation, lo, hi, 0.5, ".1f")}
    out["escalation"].tooltip = "Cost escalation, percent a year, on each cost by the date it is paid"
    if uncertain_rates(project):
        # No wider than keeps every optimistic rate above 0 (Scenario refuses more).
        widest = min(rate_uncertainty_limit(r) for r in project.resources)
        hi = RATE_UNCERTAINTY[1] if widest > RATE_UNCERTAINTY[1] else math.ceil(widest * 10 - 1) / 10
        out["rate_uncertainty"] = _slider("Rate uncertainty ×", 1.0, RATE_UNCERTAINTY[0], hi, 0.1, ".1f")
        out["rate_uncertainty"].tooltip = ("The width of every resource's rate range: 0 certain rates, 1 as given, "
                                           "2 twice as wide")
    return out


def label(project: Project, name: str) -> str:
    """The label a user sees for the control ``name`` (used in messages).

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("erp_upgrade"))
    >>> label(p, "task:most_likely"), label(p, "probability:R02"), label(p, "capacity:dev")
    ('Most likely (days)', 'Risk R02, probability', 'Capacity of ERP developer')
    """
    kind, _, key = name.partition(":")
    backlog = backlog_label(project, name)
    if backlog is not None:
        return backlog
    if kind == "task" and key:
        return f"{POINT_LABELS[key]} (days)"
    if kind == "probability":
        return f"Risk {key}, probability"
    if kind == "risk":
        return f"Risk {key}"
    if kind == "capacity":
        resource = next((r for r in project.resources if r.id == key), None)
        return f"Capacity of {resource.name if resource is not None else key}"
    if kind == "phase":
        return f"{key} ×"
    return {"multiplier": "All estimates ×", "correlation": "Correlation in phase", "levelled": "Level resources",
            "iterations": "Runs (iterations)", "seed": "Seed", "deadline": "Deadline",
            "budget": "Budget", "escalation": "Escalation (% a year)",
            "rate_uncertainty": "Rate uncertainty ×"}.get(name, name)


def _risk_rows(project: Project, controls: dict) -> w.Widget:
    """The risk register as rows: on/off, id, name with its impact, probability."""
    if not project.risks:
        return w.HTML("<i>This project has no risks.</i>")
    cells: list[w.Widget] = [w.HTML(f"<span class='pmsim-risk-head'>{h}</span>") for h in ("On", "Id", "Risk and impact",
                                                                                          "Probability")]
    currency = currency_label(project.currency)
    for risk in project.risks:
        impact = []
        if risk.impact is not None and risk.impact.high > 0:
            lo, _, hi = three_points(risk.impact)
            impact.append(f"+{lo:g}–{hi:g} days on {', '.join(risk.tasks)}")
        if risk.cost_impact:
            impact.append(f"+{risk.cost_impact:,.0f} {currency}")
        ident = w.HTML(f"<span class='pmsim-risk-id'>{esc(risk.id)}</span>")
        name = w.HTML(f"<div class='pmsim-risk-name' title='{esc(risk.name)}'>{esc(risk.name)}</div>"
                      f"<div class='pmsim-risk-impact'>{esc(' · '.join(impact) or 'no impact')}</div>")
        if risk.has_response:
            name = w.VBox([name, controls[f"response:{risk.id}"]])
        cells += [controls[f"risk:{risk.id}"], ident, name, controls[f"probability:{risk.id}"]]
    box = w.Box(cells)
    box.add_class("pmsim-risks")
    return box


def _pane(children) -> w.Box:
    box = w.Box(list(children))
    box.add_class("pmsim-pane")
    return box


def control_tabs(project: Project, controls: dict, reset_task: w.Button) -> w.Tab:
    """The controls in tabs: estimates, one task, resources, risks, simulation and targets."""
    c, p = controls, project
    hint = lambda text: w.HTML(f"<div class='pmsim-hint'>{text}</div>")  # noqa: E731 - fixed text, no project data
    estimates = _pane([hint("Scale every estimate, or one phase's."), c["multiplier"],
                       *(c[f"phase:{ph}"] for ph in p.phases)])
    task = _pane([hint("One task's three-point estimate in working days, before the multipliers."), c["task"],
                  *(c[f"task:{k}"] for k in POINTS), reset_task])
    resources = _pane([c["levelled"], *(c[f"capacity:{r.id}"] for r in p.resources)] if p.resources
                      else [c["levelled"], w.HTML("<i>This project has no resources.</i>")])
    risks = _pane([hint("Switch a risk off, or change how likely it is."), _risk_rows(p, c)])
    costs = [hint("Costs that follow time: escalation by the date each cost is paid"
                  + (", and the width of the resources' rate ranges." if "rate_uncertainty" in c else ".")),
             c["escalation"], *([c["rate_uncertainty"]] if "rate_uncertainty" in c else [])]
    simulation = _pane([c["iterations"], c["seed"], c["correlation"], c["deadline"], c["budget"], *costs])
    panes, titles = [estimates, task, resources, risks, simulation], ["Estimates", "Task", "Resources", "Risks",
                                                                      "Simulation"]
    backlog = backlog_pane(p, c)
    if len(backlog) > 1:  # a hybrid plan: its backlog tasks' levers second, after the estimates
        panes.insert(1, _pane(backlog))
        titles.insert(1, "Backlog")
    tabs = w.Tab(children=panes)
    tabs.titles = tuple(titles)
    return tabs


def default_values(project: Project, budget: float) -> dict:
    """The control values that mean "the project as it is"."""
    p = project
    out = {"multiplier": 1.0, "correlation": 0.0, "levelled": False, "deadline": p.deadline or "", "budget": budget,
           "escalation": p.escalation}
    if uncertain_rates(p):
        out["rate_uncertainty"] = 1.0
    out.update({f"phase:{ph}": 1.0 for ph in p.phases})
    out.update({f"capacity:{r.id}": r.capacity for r in p.resources})
    out.update(backlog_defaults(p))
    for risk in p.risks:
        out[f"risk:{risk.id}"] = True
        out[f"probability:{risk.id}"] = risk.probability
        if risk.has_response:
            out[f"response:{risk.id}"] = False
    return out


def _number(controls: dict, name: str, lo: float, hi: float, what: str) -> float:
    control = controls[name]
    value = control.number if isinstance(control, GroupedNumber) else control.value
    if value is None or not math.isfinite(value) or not lo <= value <= hi:
        shown = group_digits(value) if isinstance(control, GroupedNumber) and value is not None else repr(value)
        raise FieldError(name, f"{shown} is refused: {what}.")
    return value


def read_settings(project: Project, controls: dict) -> dict:
    """The settings of the controls (see :meth:`pmsim.widgets.WhatIf.settings`).

    Raises :class:`FieldError` for a value the panel refuses (iterations out
    of range, a negative seed or budget, a deadline that is not a date).
    """
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
        if risk.has_response and c[f"response:{risk.id}"].value:
            out[f"response:{risk.id}"] = True
    out.update(read_backlog_settings(p, c))
    if c["correlation"].value:
        out["correlation"] = c["correlation"].value
    if c["levelled"].value:
        out["levelled"] = True
    deadline = c["deadline"].date
    if deadline is not None and deadline != p.deadline:
        out["deadline"] = deadline
    budget = _number(c, "budget", 0.0, 1e15, "a budget is an amount of 0 or more")
    if budget != p.budget:
        out["budget"] = float(budget)
    if c["escalation"].value != p.escalation:
        out["escalation"] = c["escalation"].value
    if "rate_uncertainty" in c and c["rate_uncertainty"].value != 1.0:
        out["rate_uncertainty"] = c["rate_uncertainty"].value
    lo, hi = ITERATIONS
    out["iterations"] = int(_number(c, "iterations", lo, hi, f"the number of runs is between {lo:,} and {hi:,}"))
    out["seed"] = int(_number(c, "seed", 0, 2**63 - 1, "a seed is a whole number of 0 or more"))
    return out


def check_three_points(task_id: str, values: tuple[float, float, float]) -> None:
    """Refuse three points that are not numbers of days in order, naming the fields by their labels.

    >>> check_three_points("T1", (5.0, 3.0, 8.0))
    Traceback (most recent call last):
    ...
    pmsim.widgets.controls.FieldError: Task 'T1': Optimistic (5) is above Most likely (3).
    """
    for key, value in zip(POINTS, values):
        if not math.isfinite(value) or value < 0:
            raise FieldError(f"task:{key}", f"Task {task_id!r}: {POINT_LABELS[key]} must be a number of days "
                                            f"of 0 or more, got {value:g}.")
    for (a, x), (b, y) in zip(zip(POINTS, values), zip(POINTS[1:], values[1:])):
        if x > y:
            raise FieldError(f"task:{a}", f"Task {task_id!r}: {POINT_LABELS[a]} ({x:g}) is above "
                                          f"{POINT_LABELS[b]} ({y:g}).")


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
