"""What-if scenarios and their comparison.

A :class:`Scenario` is a named set of changes to a project: estimate
multipliers (all tasks, by phase, by task), per-task estimate overrides,
capacity changes, risks turned on or off (or given a new probability), tasks
added or removed, link types changed (fast-tracking), and the simulation
settings that go with it (correlation strength, levelled, deadline, budget).

Its settings use the same names as the controls of the what-if dashboard
(:class:`pmsim.widgets.WhatIf`) and the keys of a :func:`pmsim.sweep` grid:
``multiplier``, ``phase:<phase>``, ``task:<task id>``, ``capacity:<resource id>``,
``risk:<risk id>``, ``response:<risk id>``, ``correlation``, ``levelled``, ``deadline``, ``budget``, ``escalation``,
``rate_uncertainty``, and for
a backlog task of a hybrid plan ``items:<task id>``, ``growth:<task id>``, ``throughput:<task id>``,
``window:<task id>`` (see :data:`BACKLOG_LEVERS`).

>>> import pmsim as pm
>>> p = pm.read_project(pm.data_path("textbook"))
>>> faster = pm.Scenario("crash", multiplier=0.9)
>>> pm.cpm(faster.apply(p)).makespan < pm.cpm(p).makespan
True
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .distributions import Distribution, Fixed
from .errors import UnknownReferenceError, ValidationError
from .model import Dependency, Project, require_project
from .model.entities import valid_escalation
from .simulation import check_iterations, simulate
from .throughput import Backlog

__all__ = ["Scenario", "compare", "correlation_groups", "headline", "rate_uncertainty_limit", "SETTING_NAMES",
           "BACKLOG_LEVERS"]

# The levers of a backlog task (``distribution = backlog``): its items, a scope growth fraction, a factor on the
# team's throughput (a bigger or smaller team) and the history window (the last N periods resampled).
BACKLOG_LEVERS = ("items", "growth", "throughput", "window")
SETTING_NAMES = ("multiplier", "phase:", "task:", "capacity:", "risk:", "response:", *(f"{k}:" for k in BACKLOG_LEVERS),
                 "correlation", "levelled", "deadline", "budget", "escalation", "rate_uncertainty", "iterations",
                 "seed")
_PLAIN_SETTINGS = ("multiplier", "correlation", "levelled", "deadline", "budget", "escalation", "rate_uncertainty")


def rate_uncertainty_limit(resource) -> float:
    """The ``rate_uncertainty`` at which ``resource``'s optimistic rate factor reaches 0 (a scenario must stay
    below it); ``inf`` when its range does not reach below its most likely factor.

    >>> from pmsim import Resource
    >>> rate_uncertainty_limit(Resource("dev", rate_optimistic=0.8, rate_pessimistic=1.5))   # 1 / (1 - 0.8)
    5.000000000000001
    """
    if resource.rate_factor is None or not resource.rate_most_likely > resource.rate_optimistic:
        return math.inf
    return resource.rate_most_likely / (resource.rate_most_likely - resource.rate_optimistic)


def as_pairs(value) -> tuple:
    """A mapping, or an iterable of pairs, as a tuple of pairs (None gives ())."""
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((k, v) for k, v in items)


def _positive(who: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{who}: a multiplier must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise ValidationError(f"{who}: a multiplier must be > 0, got {value!r}")
    return v


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to a project.

    Parameters
    ----------
    name : str
    multiplier : float
        Scales every task estimate (> 0).
    phases, tasks : mapping of phase / task id to a multiplier
        Scale the estimates of one phase or one task (on top of ``multiplier``).
    estimates : mapping of task id to a Distribution
        Replace a task's estimate (the multipliers still apply).
    capacities : mapping of resource id to capacity
    risks : mapping of risk id to ``True``/``False`` (on/off) or a probability
    responses : mapping of risk id to ``True``/``False``
        Put a risk's response in effect (its post-response values, and its
        response cost added to the cost; see ``simulate(responses=...)``).
    add_tasks : tasks to add; ``add_dependencies``: links to add
    remove_tasks : ids of tasks to remove (their links go with them)
    links : mapping of ``(predecessor, successor)`` to ``(type, lag)``
        Change a link, e.g. ``{("build", "test"): ("SS", 5)}`` to fast-track.
    correlation : float, optional
        Rank correlation between the durations of tasks in the same phase.
    backlogs : mapping of task id to a mapping of lever to value
        Change a backlog task's forecast (:meth:`pmsim.Backlog.adjusted`): ``items``
        (whole number >= 1), ``growth`` (fraction >= 0), ``throughput`` (factor > 0 on the
        team's throughput), ``window`` (the last N history periods), e.g.
        ``{"DEV": {"items": 150, "throughput": 1.25}}``.
    levelled : bool, optional
        Simulate with resource levelling.
    deadline, budget : optional
        Override the project's deadline and budget.
    escalation : float, optional
        Override the project's cost escalation (percent per year; a resource
        with its own rate keeps it).
    rate_uncertainty : float, optional
        Widen or narrow every resource's rate range (``rate_optimistic`` ..
        ``rate_pessimistic``) around its most likely factor: 0 makes every
        rate certain at its most likely factor, 1 keeps the ranges as given,
        2 doubles them. A factor that would take a rate's optimistic point to
        0 or below is refused, naming the resource.

    >>> s = Scenario("add a developer", capacities={"dev": 4})
    >>> s.settings()
    {'capacity:dev': 4.0}
    """

    name: str
    multiplier: float = 1.0
    phases: tuple = ()
    tasks: tuple = ()
    estimates: tuple = ()
    capacities: tuple = ()
    risks: tuple = ()
    responses: tuple = ()
    add_tasks: tuple = ()
    add_dependencies: tuple = ()
    remove_tasks: tuple = ()
    links: tuple = ()
    backlogs: tuple = ()
    correlation: float | None = None
    levelled: bool | None = None
    deadline: dt.date | None = None
    budget: float | None = None
    escalation: float | None = None
    rate_uncertainty: float | None = None

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        who = f"Scenario {self.name!r}"
        set_("name", str(self.name))
        set_("multiplier", _positive(f"{who}, multiplier", self.multiplier))
        set_("phases", tuple((str(k), _positive(f"{who}, phase {k!r}", v)) for k, v in as_pairs(self.phases)))
        set_("tasks", tuple((str(k), _positive(f"{who}, task {k!r}", v)) for k, v in as_pairs(self.tasks)))
        estimates = as_pairs(self.estimates)
        for tid, est in estimates:
            if not isinstance(est, Distribution):
                raise ValidationError(f"{who}: the estimate of task {tid!r} must be a pmsim distribution")
        set_("estimates", tuple((str(k), v) for k, v in estimates))
        caps = []
        for rid, cap in as_pairs(self.capacities):
            try:
                c = float(cap)
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: capacity of {rid!r} must be a number, got {cap!r}") from None
            if not (math.isfinite(c) and c >= 0):
                raise ValidationError(f"{who}: capacity of {rid!r} must be >= 0, got {cap!r}")
            caps.append((str(rid), c))
        set_("capacities", tuple(caps))
        risks = []
        for rid, state in as_pairs(self.risks):
            if isinstance(state, (bool, np.bool_)):
                risks.append((str(rid), bool(state)))
                continue
            try:
                p = float(state)
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: risk {rid!r} must be on/off or a probability, got {state!r}") from None
            if not 0 <= p <= 1:
                raise ValidationError(f"{who}: risk {rid!r} probability must be in [0, 1], got {p:g}")
            risks.append((str(rid), p))
        set_("risks", tuple(risks))
        responses = []
        for rid, state in as_pairs(self.responses):
            if not isinstance(state, (bool, np.bool_)):
                raise ValidationError(f"{who}: response {rid!r} must be on or off (True/False), got {state!r}")
            responses.append((str(rid), bool(state)))
        set_("responses", tuple(responses))
        set_("add_tasks", tuple(self.add_tasks))
        set_("add_dependencies", tuple(self.add_dependencies))
        set_("remove_tasks", (self.remove_tasks,) if isinstance(self.remove_tasks, str) else tuple(self.remove_tasks))
        links = []
        for key, spec in as_pairs(self.links):
            pred, succ = key
            kind, lag = (spec, 0.0) if isinstance(spec, str) else spec
            links.append(((str(pred), str(succ)), (str(kind).upper(), float(lag))))
        set_("links", tuple(links))
        set_("backlogs", tuple((str(tid), tuple(_backlog_levers(f"{who}, task {tid!r}", levers).items()))
                               for tid, levers in as_pairs(self.backlogs)))  # pairs: a Scenario stays hashable
        if self.correlation is not None:
            c = float(self.correlation)
            if not -1 <= c <= 1:
                raise ValidationError(f"{who}: correlation must be in [-1, 1], got {c:g}")
            set_("correlation", c)
        if self.budget is not None:
            set_("budget", float(self.budget))
        if self.escalation is not None:
            set_("escalation", valid_escalation(who, self.escalation))
        if self.rate_uncertainty is not None:
            try:
                k = float(self.rate_uncertainty)
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: rate_uncertainty must be a number >= 0, got "
                                      f"{self.rate_uncertainty!r}") from None
            if not (math.isfinite(k) and k >= 0):
                raise ValidationError(f"{who}: rate_uncertainty must be a number >= 0 (0: certain rates, 1: the "
                                      f"ranges as given), got {self.rate_uncertainty!r}")
            set_("rate_uncertainty", k)

    # ------------------------------------------------------------------ apply

    def check(self, project: Project) -> None:
        """Raise UnknownReferenceError if the scenario names what ``project`` lacks."""
        who = f"Scenario {self.name!r}"
        ids = set(project.task_ids) | {t.id for t in self.add_tasks}
        phases = set(project.phases) | {t.phase for t in self.add_tasks}
        resources = {r.id for r in project.resources}
        risks = {r.id for r in project.risks}
        for phase, _ in self.phases:
            if phase not in phases:
                raise UnknownReferenceError(f"{who} names unknown phase {phase!r}")
        for tid in [t for t, _ in self.tasks] + [t for t, _ in self.estimates] + list(self.remove_tasks):
            if tid not in ids:
                raise UnknownReferenceError(f"{who} names unknown task {tid!r}")
        for rid, _ in self.capacities:
            if rid not in resources:
                raise UnknownReferenceError(f"{who} names unknown resource {rid!r}")
        for rid, _ in self.risks:
            if rid not in risks:
                raise UnknownReferenceError(f"{who} names unknown risk {rid!r}")
        responding = {r.id for r in project.risks if r.has_response}
        for rid, _ in self.responses:
            if rid not in risks:
                raise UnknownReferenceError(f"{who} names unknown risk {rid!r}")
            if rid not in responding:
                raise ValidationError(f"{who}: risk {rid!r} has no response (no response_cost nor post-response "
                                      "value)")
        existing = {(d.predecessor, d.successor) for d in project.dependencies}
        for (pred, succ), _ in self.links:
            if (pred, succ) not in existing:
                raise UnknownReferenceError(f"{who} changes link {pred!r} -> {succ!r}, which does not exist")
        overrides = dict(self.estimates)
        for tid, _ in self.backlogs:
            if tid not in ids:
                raise UnknownReferenceError(f"{who} names unknown task {tid!r}")
            task = next(t for t in list(project.tasks) + list(self.add_tasks) if t.id == tid)
            if not isinstance(overrides.get(tid, task.estimate), Backlog):
                raise ValidationError(f"{who}: task {tid!r} is not a backlog task (distribution = backlog); items, "
                                      "growth, throughput and window change backlog forecasts only")

    def apply(self, project: Project) -> Project:
        """The project with this scenario's changes (validated again).

        >>> import pmsim as pm
        >>> p = pm.read_project(pm.data_path("textbook"))
        >>> Scenario("x", tasks={"Z": 2}).apply(p)
        Traceback (most recent call last):
        ...
        pmsim.errors.UnknownReferenceError: Scenario 'x' names unknown task 'Z'
        """
        project = require_project(project, "Scenario.apply")
        self.check(project)
        phase_factor = dict(self.phases)
        task_factor = dict(self.tasks)
        overrides = dict(self.estimates)
        removed = set(self.remove_tasks)
        backlog = {tid: dict(levers) for tid, levers in self.backlogs}
        tasks = []
        for task in list(project.tasks) + list(self.add_tasks):
            if task.id in removed:
                continue
            estimate = overrides.get(task.id, task.estimate)
            if task.id in backlog:
                try:
                    estimate = estimate.adjusted(**backlog[task.id])
                except ValidationError as exc:
                    raise exc.with_context(f"Task {task.id!r}") from None
            factor = self.multiplier * phase_factor.get(task.phase, 1.0) * task_factor.get(task.id, 1.0)
            if factor != 1.0 and not (isinstance(estimate, Fixed) and estimate.value == 0):
                estimate = estimate.scaled(factor)
            tasks.append(task if estimate is task.estimate else task.replace(estimate=estimate))
        link_change = dict(self.links)
        deps = []
        for dep in list(project.dependencies) + list(self.add_dependencies):
            if dep.predecessor in removed or dep.successor in removed:
                continue
            change = link_change.get((dep.predecessor, dep.successor))
            deps.append(dep if change is None else Dependency(dep.predecessor, dep.successor, *change))
        capacity = dict(self.capacities)
        resources = [r if r.id not in capacity else dataclasses.replace(r, capacity=capacity[r.id])
                     for r in project.resources]
        if self.rate_uncertainty is not None:
            resources = [self._widened(r) for r in resources]
        risk_state = dict(self.risks)
        risks = []
        for risk in project.risks:
            state = risk_state.get(risk.id, True)
            if state is False:
                continue
            if state is not True:
                risk = risk.replace(probability=state)
            kept = tuple(t for t in risk.tasks if t not in removed)
            if kept != risk.tasks:
                risk = risk.replace(tasks=kept, impact=risk.impact if kept else None)
            risks.append(risk)
        changes = dict(tasks=tuple(tasks), dependencies=tuple(deps), resources=tuple(resources), risks=tuple(risks))
        if self.deadline is not None:
            changes["deadline"] = self.deadline
        if self.budget is not None:
            changes["budget"] = self.budget
        if self.escalation is not None:
            changes["escalation"] = self.escalation
        return project.replace(**changes)

    def _widened(self, resource):
        """``resource`` with its rate range scaled by ``rate_uncertainty`` around its most likely factor."""
        if resource.rate_factor is None or self.rate_uncertainty == 1:
            return resource
        k, mode = self.rate_uncertainty, resource.rate_most_likely
        low = mode - k * (mode - resource.rate_optimistic)
        high = mode + k * (resource.rate_pessimistic - mode)
        if not low > 0:
            raise ValidationError(f"Scenario {self.name!r}: rate_uncertainty {k:g} takes the rate_optimistic of "
                                  f"resource {resource.id!r} to {low:g}; a rate multiplier must stay > 0, so "
                                  f"rate_uncertainty must be below {rate_uncertainty_limit(resource):g} for this "
                                  "resource")
        return dataclasses.replace(resource, rate_optimistic=low, rate_pessimistic=high)

    def responded(self, changed: Project) -> list[str]:
        """The ids of the risks of ``changed`` (this scenario applied) whose responses are in effect."""
        kept = {r.id for r in changed.risks}
        return [rid for rid, on in self.responses if on and rid in kept]

    # --------------------------------------------------------------- settings

    def settings(self) -> dict:
        """The scenario as dashboard/grid settings (only what differs from the project).

        Task additions, removals, estimate overrides and link changes have no
        setting name; they stay on the Scenario object.
        """
        out: dict = {}
        if self.multiplier != 1.0:
            out["multiplier"] = self.multiplier
        out.update({f"phase:{k}": v for k, v in self.phases})
        out.update({f"task:{k}": v for k, v in self.tasks})
        out.update({f"capacity:{k}": v for k, v in self.capacities})
        out.update({f"risk:{k}": v for k, v in self.risks})
        out.update({f"response:{k}": v for k, v in self.responses})
        out.update({f"{lever}:{tid}": v for tid, levers in self.backlogs for lever, v in levers})
        for key in _PLAIN_SETTINGS[1:]:
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out

    @classmethod
    def from_settings(cls, name: str, settings: Mapping, **changes) -> "Scenario":
        """A Scenario from dashboard/grid settings such as ``{"multiplier": 1.1, "capacity:dev": 3}``.

        Keys ``iterations`` and ``seed`` are simulation options, not project
        changes, and are ignored here.

        >>> Scenario.from_settings("s", {"multiplier": 1.1, "capacity:dev": 3, "risk:R1": False}).settings()
        {'multiplier': 1.1, 'capacity:dev': 3.0, 'risk:R1': False}
        """
        kw: dict = {"phases": {}, "tasks": {}, "capacities": {}, "risks": {}, "responses": {}, "backlogs": {}}
        for key, value in settings.items():
            prefix, _, rest = str(key).partition(":")
            if rest and prefix in BACKLOG_LEVERS:
                kw["backlogs"].setdefault(rest, {})[prefix] = value
            elif rest:
                target = {"phase": "phases", "task": "tasks", "capacity": "capacities", "risk": "risks",
                          "response": "responses"}.get(prefix)
                if target is None:
                    raise ValidationError(f"unknown setting {key!r}; use one of {', '.join(SETTING_NAMES)}")
                kw[target][rest] = value
            elif key in _PLAIN_SETTINGS:
                kw[key] = value
            elif key in ("iterations", "seed"):
                continue
            else:
                raise ValidationError(f"unknown setting {key!r}; use one of {', '.join(SETTING_NAMES)}")
        kw.update(changes)
        return cls(name, **kw)


def _backlog_levers(who: str, levers) -> dict:
    """A backlog task's levers, checked (see ``Scenario(backlogs=...)``)."""
    out = {}
    for lever, value in as_pairs(levers):
        if lever not in BACKLOG_LEVERS:
            raise ValidationError(f"{who}: unknown backlog lever {lever!r}; use {', '.join(BACKLOG_LEVERS)}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{who}: {lever} must be a number, got {value!r}") from None
        whole = lever in ("items", "window")
        if not math.isfinite(v) or (whole and (v != int(v) or v < 1)) or (lever == "growth" and v < 0) or (
                lever == "throughput" and v <= 0):
            rule = {"items": "a whole number >= 1", "window": "a whole number of periods >= 1",
                    "growth": "a fraction >= 0 (0.2: 20 % more items)", "throughput": "a factor > 0"}[lever]
            raise ValidationError(f"{who}: {lever} must be {rule}, got {value!r}")
        out[lever] = int(v) if whole else v
    return out


def correlation_groups(project: Project, strength: float | None):
    """Correlation groups for a strength: tasks of each phase correlated with ``strength``.

    Returns None when ``strength`` is None or 0. A project without phases gets
    one group of all its (non-milestone) tasks.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> correlation_groups(p, 0) is None
    True
    """
    if strength is None or strength == 0:
        return None
    groups: dict[str, list[str]] = {}
    for t in project.tasks:
        if t.estimate.var > 0:
            groups.setdefault(t.phase or "(all)", []).append(t.id)
    return [(ids, float(strength)) for ids in groups.values() if len(ids) > 1] or None


# --------------------------------------------------------------------------- running scenarios

_Z95 = 1.959963984540054


def _quantile_ci(values: np.ndarray, q: float) -> tuple[float, float]:
    """Distribution-free 95 % confidence interval of the q-quantile from order statistics."""
    x = np.sort(values)
    n = len(x)
    half = _Z95 * math.sqrt(n * q * (1 - q))
    lo = int(max(math.floor(n * q - half), 0))
    hi = int(min(math.ceil(n * q + half), n - 1))
    return float(x[lo]), float(x[hi])


def _share_ci(k: int, n: int) -> tuple[float, float]:
    """Wilson 95 % interval of a share k/n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + _Z95**2 / n
    centre = (p + _Z95**2 / (2 * n)) / denom
    half = _Z95 * math.sqrt(p * (1 - p) / n + _Z95**2 / (4 * n * n)) / denom
    return max(centre - half, 0.0), min(centre + half, 1.0)


def headline(sim, deadline=None, budget=None) -> dict:
    """The headline numbers of a simulation, as the dashboard shows them.

    Keys: ``p50``, ``p80`` (dates), ``p_on_time`` (share finishing by the
    deadline, None without one), ``p_on_budget`` (share with cost <= budget,
    None without one), ``jcl`` (both at once), ``expected_cost``.
    """
    project = sim.project
    deadline = project.deadline if deadline is None else deadline
    budget = project.budget if budget is None else budget
    out = {
        "p50": sim.percentile(50),
        "p80": sim.percentile(80),
        "p_on_time": None,
        "p_on_budget": None,
        "jcl": None,
        "expected_cost": float(np.mean(sim.cost)),
    }
    on_time = on_budget = None
    if deadline is not None:
        on_time = np.asarray(sim.finish_dates) <= np.datetime64(deadline, "D")
        out["p_on_time"] = float(on_time.mean())
    if budget is not None:
        budget = float(budget)
        # The engine's own tolerance, so the dashboard agrees with sim.probability_within and pm.jcl.
        on_budget = np.asarray(sim.cost) <= budget + 1e-9 * max(1.0, abs(budget))
        out["p_on_budget"] = float(on_budget.mean())
    if on_time is not None and on_budget is not None:
        out["jcl"] = float((on_time & on_budget).mean())
    return out


def _row(sim, deadline=None, budget=None) -> dict:
    """Headline numbers with 95 % confidence intervals, for comparison tables."""
    h = headline(sim, deadline, budget)
    finish = np.asarray(sim.finish)
    n = len(finish)
    row = {
        "p50": h["p50"],
        "p80": h["p80"],
        "p50_days": sim.percentile_days(50),
        "p80_days": sim.percentile_days(80),
    }
    row["p80_days_low"], row["p80_days_high"] = _quantile_ci(finish, 0.8)
    row["mean_days"] = float(finish.mean())
    se = float(finish.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    row["mean_days_low"], row["mean_days_high"] = row["mean_days"] - _Z95 * se, row["mean_days"] + _Z95 * se
    for key in ("p_on_time", "p_on_budget", "jcl"):
        row[key] = h[key]
        if h[key] is not None:
            row[f"{key}_low"], row[f"{key}_high"] = _share_ci(round(h[key] * n), n)
    row["expected_cost"] = h["expected_cost"]
    row["cost_p80"] = sim.cost_percentile(80)
    return row


def _simulate_scenario(scenario: Scenario, project: Project, iterations: int, seed: int, levelled: bool) -> dict:
    """Run one scenario and return its comparison row (runs on a Dask worker too)."""
    changed = scenario.apply(project)
    sim = simulate(
        changed,
        iterations=iterations,
        seed=seed,
        correlation=correlation_groups(changed, scenario.correlation),
        levelled=bool(scenario.levelled) if scenario.levelled is not None else levelled,
        responses=scenario.responded(changed),
    )
    return _row(sim)


def run_scenarios(project: Project, scenarios: list[Scenario], iterations: int, seed: int, levelled: bool,
                  client=None, timeout: float | None = 600) -> list[dict]:
    """The comparison row of each scenario, in process or each a Dask task on ``client``.

    Every scenario uses the same seed: common random numbers make differences
    between scenarios sharper, and results do not depend on where a task ran.
    """
    if client is None:
        return [_simulate_scenario(s, project, iterations, seed, levelled) for s in scenarios]
    from .cluster import check_client, map_on_client

    check_client(client)
    return map_on_client(client, _simulate_scenario, scenarios, project, iterations, seed, levelled,
                         timeout=timeout, what="scenarios")


def compare(project: Project, scenarios: Iterable[Scenario], iterations: int = 10_000, seed=0, *,
            levelled: bool = False, client=None, timeout: float | None = 600) -> pd.DataFrame:
    """Simulate each scenario and tabulate the headline numbers with 95 % confidence intervals.

    Every scenario is simulated with the same seed (common random numbers).
    With ``client`` (a ``dask.distributed.Client``) each scenario is a Dask
    task; the numbers are identical to an in-process run.

    Returns a DataFrame indexed by scenario name with ``p50``/``p80`` dates,
    ``p50_days``, ``p80_days`` with ``p80_days_low``/``_high``, ``mean_days``
    with its interval, ``p_on_time``, ``p_on_budget``, ``jcl`` with Wilson
    intervals, ``expected_cost`` and ``cost_p80``.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> t = pm.compare(p, [pm.Scenario("plan"), pm.Scenario("slower", multiplier=1.2)], iterations=2000, seed=1)
    >>> bool(t.loc["slower", "p80_days"] > t.loc["plan", "p80_days"])
    True
    """
    project = require_project(project, "compare")
    if isinstance(scenarios, (str, Scenario)) or not hasattr(scenarios, "__iter__"):
        raise ValidationError(f"compare needs a list of Scenario objects, got {type(scenarios).__name__}")
    scenarios = list(scenarios)
    if not scenarios:
        raise ValidationError("compare needs at least one scenario")
    if not all(isinstance(s, Scenario) for s in scenarios):
        other = next(s for s in scenarios if not isinstance(s, Scenario))
        raise ValidationError(f"compare needs a list of Scenario objects, got a {type(other).__name__} in it")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValidationError(f"scenario names must be unique, got {names}")
    for s in scenarios:
        s.check(project)
    iterations, seed = check_iterations(iterations), resolve_seed(seed)
    rows = run_scenarios(project, scenarios, iterations, seed, levelled, client, timeout)
    table = pd.DataFrame(rows, index=pd.Index(names, name="scenario"))
    table.attrs.update(iterations=iterations, seed=seed)
    return table
