"""What-if scenarios, comparisons and parameter sweeps.

A :class:`Scenario` is a named set of changes to a project: estimate
multipliers (all tasks, by phase, by task), per-task estimate overrides,
capacity changes, risks turned on or off (or given a new probability), tasks
added or removed, link types changed (fast-tracking), and the simulation
settings that go with it (correlation strength, levelled, deadline, budget).

Its settings use the same names as the controls of the what-if dashboard
(:class:`pmsim.widgets.WhatIf`) and the keys of a :func:`sweep` grid:
``multiplier``, ``phase:<phase>``, ``task:<task id>``, ``capacity:<resource id>``,
``risk:<risk id>``, ``correlation``, ``levelled``, ``deadline``, ``budget``.

>>> import pmsim as pm
>>> p = pm.read_project(pm.data_path("textbook"))
>>> faster = pm.Scenario("crash", multiplier=0.9)
>>> pm.cpm(faster.apply(p)).makespan < pm.cpm(p).makespan
True
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distributions import Distribution, Fixed
from .errors import UnknownReferenceError, ValidationError
from .model import Dependency, Project, Task

__all__ = ["Scenario", "compare", "sweep", "correlation_groups", "SETTING_NAMES"]

SETTING_NAMES = ("multiplier", "phase:", "task:", "capacity:", "risk:", "correlation", "levelled",
                 "deadline", "budget", "iterations", "seed")


def _pairs(value) -> tuple:
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
    add_tasks : tasks to add; ``add_dependencies``: links to add
    remove_tasks : ids of tasks to remove (their links go with them)
    links : mapping of ``(predecessor, successor)`` to ``(type, lag)``
        Change a link, e.g. ``{("build", "test"): ("SS", 5)}`` to fast-track.
    correlation : float, optional
        Rank correlation between the durations of tasks in the same phase.
    levelled : bool, optional
        Simulate with resource levelling.
    deadline, budget : optional
        Override the project's deadline and budget.

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
    add_tasks: tuple = ()
    add_dependencies: tuple = ()
    remove_tasks: tuple = ()
    links: tuple = ()
    correlation: float | None = None
    levelled: bool | None = None
    deadline: dt.date | None = None
    budget: float | None = None

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        who = f"Scenario {self.name!r}"
        set_("name", str(self.name))
        set_("multiplier", _positive(f"{who}, multiplier", self.multiplier))
        set_("phases", tuple((str(k), _positive(f"{who}, phase {k!r}", v)) for k, v in _pairs(self.phases)))
        set_("tasks", tuple((str(k), _positive(f"{who}, task {k!r}", v)) for k, v in _pairs(self.tasks)))
        estimates = _pairs(self.estimates)
        for tid, est in estimates:
            if not isinstance(est, Distribution):
                raise ValidationError(f"{who}: the estimate of task {tid!r} must be a pmsim distribution")
        set_("estimates", tuple((str(k), v) for k, v in estimates))
        caps = []
        for rid, cap in _pairs(self.capacities):
            try:
                c = float(cap)
            except (TypeError, ValueError):
                raise ValidationError(f"{who}: capacity of {rid!r} must be a number, got {cap!r}") from None
            if not (math.isfinite(c) and c >= 0):
                raise ValidationError(f"{who}: capacity of {rid!r} must be >= 0, got {cap!r}")
            caps.append((str(rid), c))
        set_("capacities", tuple(caps))
        risks = []
        for rid, state in _pairs(self.risks):
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
        set_("add_tasks", tuple(self.add_tasks))
        set_("add_dependencies", tuple(self.add_dependencies))
        set_("remove_tasks", (self.remove_tasks,) if isinstance(self.remove_tasks, str) else tuple(self.remove_tasks))
        links = []
        for key, spec in _pairs(self.links):
            pred, succ = key
            kind, lag = (spec, 0.0) if isinstance(spec, str) else spec
            links.append(((str(pred), str(succ)), (str(kind).upper(), float(lag))))
        set_("links", tuple(links))
        if self.correlation is not None:
            c = float(self.correlation)
            if not -1 <= c <= 1:
                raise ValidationError(f"{who}: correlation must be in [-1, 1], got {c:g}")
            set_("correlation", c)
        if self.budget is not None:
            set_("budget", float(self.budget))

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
        existing = {(d.predecessor, d.successor) for d in project.dependencies}
        for (pred, succ), _ in self.links:
            if (pred, succ) not in existing:
                raise UnknownReferenceError(f"{who} changes link {pred!r} -> {succ!r}, which does not exist")

    def apply(self, project: Project) -> Project:
        """The project with this scenario's changes (validated again).

        >>> import pmsim as pm
        >>> p = pm.read_project(pm.data_path("textbook"))
        >>> Scenario("x", tasks={"Z": 2}).apply(p)
        Traceback (most recent call last):
        ...
        pmsim.errors.UnknownReferenceError: Scenario 'x' names unknown task 'Z'
        """
        self.check(project)
        phase_factor = dict(self.phases)
        task_factor = dict(self.tasks)
        overrides = dict(self.estimates)
        removed = set(self.remove_tasks)
        tasks = []
        for task in list(project.tasks) + list(self.add_tasks):
            if task.id in removed:
                continue
            estimate = overrides.get(task.id, task.estimate)
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
        resources = [r if r.id not in capacity else type(r)(r.id, r.name, capacity[r.id], r.cost_per_day)
                     for r in project.resources]
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
        return project.replace(**changes)

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
        for key in ("correlation", "levelled", "deadline", "budget"):
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
        kw: dict = {"phases": {}, "tasks": {}, "capacities": {}, "risks": {}}
        for key, value in settings.items():
            prefix, _, rest = str(key).partition(":")
            if rest:
                target = {"phase": "phases", "task": "tasks", "capacity": "capacities", "risk": "risks"}.get(prefix)
                if target is None:
                    raise ValidationError(f"unknown setting {key!r}; use one of {', '.join(SETTING_NAMES)}")
                kw[target][rest] = value
            elif key in ("multiplier", "correlation", "levelled", "deadline", "budget"):
                kw[key] = value
            elif key in ("iterations", "seed"):
                continue
            else:
                raise ValidationError(f"unknown setting {key!r}; use one of {', '.join(SETTING_NAMES)}")
        kw.update(changes)
        return cls(name, **kw)


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


def _simulate_scenario(project: Project, scenario: Scenario, iterations: int, seed, options: dict) -> dict:
    """Run one scenario and return its comparison row (runs on a Dask worker too)."""
    from .montecarlo import simulate

    changed = scenario.apply(project)
    levelled = bool(scenario.levelled) if scenario.levelled is not None else options.get("levelled", False)
    sim = simulate(
        changed,
        iterations=iterations,
        seed=seed,
        correlation=correlation_groups(changed, scenario.correlation),
        levelled=levelled,
    )
    return _row(sim)


def _check_client(client, timeout: float) -> None:
    """Fail fast and clearly if a Dask client is closed or its scheduler unreachable."""
    status = getattr(client, "status", None)
    if status != "running":
        raise ValidationError(f"the Dask client is not running (status {status!r}); start a new Client")
    try:
        client.run_on_scheduler(lambda: True, wait=True)  # a round trip to the scheduler
    except Exception as exc:  # noqa: BLE001 - any failure here means the cluster cannot be used
        raise ValidationError(f"the Dask scheduler at {getattr(client, 'scheduler', None)} does not answer: {exc}") from None


def _run(project, scenarios, iterations, seed, options, client, timeout):
    if client is None:
        return [_simulate_scenario(project, s, iterations, seed, options) for s in scenarios]
    _check_client(client, timeout)
    from dask.distributed import wait

    # Every scenario uses the same seed: common random numbers make differences
    # between scenarios sharper, and results do not depend on where a task ran.
    futures = [client.submit(_simulate_scenario, project, s, iterations, seed, options, pure=False)
               for s in scenarios]
    done, not_done = wait(futures, timeout=timeout)
    if not_done:
        client.cancel(list(not_done))
        raise ValidationError(f"{len(not_done)} of {len(futures)} scenarios did not finish within {timeout} s on the Dask cluster")
    return client.gather(futures)


def _check_iterations_and_seed(iterations, seed):
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations <= 0:
        raise ValidationError(f"iterations must be a positive integer, got {iterations!r}")
    if seed is None:
        # Without a seed the scenarios could not share random numbers; draw one and report it.
        seed = int(np.random.SeedSequence().entropy % (2**63))
    return int(iterations), seed


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
    scenarios = list(scenarios)
    if not scenarios:
        raise ValidationError("compare needs at least one scenario")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValidationError(f"scenario names must be unique, got {names}")
    for s in scenarios:
        s.check(project)
    iterations, seed = _check_iterations_and_seed(iterations, seed)
    rows = _run(project, scenarios, iterations, seed, {"levelled": levelled}, client, timeout)
    table = pd.DataFrame(rows, index=pd.Index(names, name="scenario"))
    table.attrs.update(iterations=iterations, seed=seed)
    return table


def sweep(project: Project, grid: Mapping[str, Iterable], iterations: int = 10_000, seed=0, *,
          levelled: bool = False, client=None, timeout: float | None = 600) -> pd.DataFrame:
    """Simulate every combination of a parameter grid; one tidy row per combination.

    ``grid`` maps setting names (``multiplier``, ``phase:<phase>``,
    ``task:<id>``, ``capacity:<resource id>``, ``risk:<risk id>``,
    ``correlation``, ``levelled``, ``deadline``, ``budget``) to lists of values.

    >>> import pmsim as pm
    >>> p = pm.read_project(pm.data_path("textbook"))
    >>> t = pm.sweep(p, {"multiplier": [0.9, 1.0, 1.1]}, iterations=1000, seed=1)
    >>> t["multiplier"].tolist(), bool(t["p80_days"].is_monotonic_increasing)
    ([0.9, 1.0, 1.1], True)
    """
    if not grid:
        raise ValidationError("the grid is empty; give at least one setting with values")
    keys, values = [], []
    for key, vals in grid.items():
        vals = [vals] if isinstance(vals, (str, bytes)) else list(vals)
        if not vals:
            raise ValidationError(f"grid setting {key!r} has no values")
        keys.append(key)
        values.append(vals)
    combos = list(itertools.product(*values))
    scenarios = [Scenario.from_settings(f"#{i}", dict(zip(keys, combo))) for i, combo in enumerate(combos)]
    for s in scenarios[:1]:
        s.check(project)
    iterations, seed = _check_iterations_and_seed(iterations, seed)
    rows = _run(project, scenarios, iterations, seed, {"levelled": levelled}, client, timeout)
    table = pd.DataFrame([dict(zip(keys, combo)) | row for combo, row in zip(combos, rows)])
    table.attrs.update(iterations=iterations, seed=seed)
    return table


# --------------------------------------------------------------------------- iteration ranges on Dask


def _simulate_range(project: Project, iterations: int, seed: int, levelled: bool, keep_tasks: bool,
                    first: int, last: int) -> dict:
    """Iterations ``first .. last - 1`` of a run, as raw arrays (runs on a Dask worker)."""
    from .montecarlo import _make_plan, _run

    plan = _make_plan(project, seed)
    schedule_batch = None
    if levelled:
        from .levelling import monte_carlo_scheduler

        schedule_batch = monte_carlo_scheduler(project, plan)
    return _run(plan, iterations, keep_tasks=keep_tasks, schedule_batch=schedule_batch, first=first, last=last)


def _simulate_on_cluster(client, project: Project, iterations: int, seed: int, *, levelled: bool = False,
                         keep_tasks: bool = False, timeout: float | None = 600):
    """One simulation split into ranges of iterations, each a Dask task; joined into a Simulation.

    Random numbers are a function of (seed, task, iteration), so the joined
    result is identical to ``pm.simulate`` in process.
    """
    from dask.distributed import wait

    from .montecarlo import BLOCK, _join_raw, _make_plan, _simulate_plan

    _check_client(client, timeout)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    blocks = -(-iterations // BLOCK)
    per_task = max(1, -(-blocks // (2 * workers))) * BLOCK  # two ranges per worker
    ranges = [(a, min(a + per_task, iterations)) for a in range(0, iterations, per_task)]
    futures = [client.submit(_simulate_range, project, iterations, seed, levelled, keep_tasks, a, b, pure=False)
               for a, b in ranges]
    done, not_done = wait(futures, timeout=timeout)
    if not_done:
        client.cancel(list(not_done))
        raise ValidationError(f"{len(not_done)} of {len(futures)} iteration ranges did not finish within {timeout} s")
    raw = _join_raw(client.gather(futures))
    plan = _make_plan(project, seed)
    return _simulate_plan(project, plan, iterations, seed, keep_tasks=keep_tasks, levelled=levelled, raw=raw)


# --------------------------------------------------------------------------- portfolios

_SEP = "/"


@dataclass(frozen=True, eq=False)
class PortfolioSimulation:
    """The result of :meth:`Portfolio.simulate`.

    ``finish`` and ``cost`` are the portfolio's per-iteration finish (working
    days from the portfolio start) and total cost; ``project_finish`` is a
    DataFrame with one column per project (working days from the portfolio
    start); ``simulation`` is the underlying simulation of the combined
    project (criticality, sensitivity, ... of every task, ids prefixed with
    the project name).
    """

    portfolio: "Portfolio"
    simulation: object
    project_finish: pd.DataFrame

    @property
    def finish(self) -> np.ndarray:
        return self.simulation.finish

    @property
    def cost(self) -> np.ndarray:
        return self.simulation.cost

    def project_finish_dates(self) -> pd.DataFrame:
        """Per iteration and project, the calendar date of its last working day."""
        combined = self.simulation.project
        cal, start = combined.calendar, combined.start
        return pd.DataFrame({name: pd.to_datetime(cal.finish_date(start, col.to_numpy()))
                             for name, col in self.project_finish.items()})

    def summary(self) -> pd.DataFrame:
        """P50/P80 finish dates and the chance of meeting each project's deadline; a portfolio row last."""
        dates = self.project_finish_dates()
        rows = {}
        for project in self.portfolio.projects:
            d = dates[project.name].to_numpy(dtype="datetime64[D]")
            days = self.project_finish[project.name].to_numpy()
            rows[project.name] = {
                "p50": _date_at(d, 50), "p80": _date_at(d, 80),
                "p50_days": float(np.percentile(days, 50, method="inverted_cdf")),
                "p80_days": float(np.percentile(days, 80, method="inverted_cdf")),
                "deadline": project.deadline,
                "p_on_time": None if project.deadline is None else float((d <= np.datetime64(project.deadline)).mean()),
            }
        sim = self.simulation
        rows["portfolio"] = {
            "p50": sim.percentile(50), "p80": sim.percentile(80),
            "p50_days": float(sim.percentile_days(50)), "p80_days": float(sim.percentile_days(80)),
            "deadline": None, "p_on_time": None,
            "expected_cost": float(np.mean(sim.cost)), "cost_p80": float(sim.cost_percentile(80)),
        }
        return pd.DataFrame.from_dict(rows, orient="index")


def _date_at(dates: np.ndarray, p: float) -> dt.date:
    ordered = np.sort(dates)
    k = min(int(math.ceil(p / 100 * len(ordered))) - 1, len(ordered) - 1)
    return ordered[max(k, 0)].item()


@dataclass(frozen=True)
class Portfolio:
    """Several projects that share resource pools.

    Resources with the same id in several projects are one shared pool. Its
    capacity is ``pools[id]`` when given, else the largest capacity any of
    the projects declares for it (they describe the same team). Simulating a
    portfolio with ``levelled=True`` levels the shared pools across projects in
    every iteration.

    Projects may start on different dates: each starts no earlier than its own
    start date (counted on the first project's calendar).

    >>> import pmsim as pm
    >>> a = pm.read_project(pm.data_path("security_remediation"))
    >>> b = pm.read_project(pm.data_path("ecommerce_launch"))
    >>> pf = pm.Portfolio([a, b], pools={"dev": 6})
    >>> combined = pf.combined()
    >>> len(combined.tasks) == len(a.tasks) + len(b.tasks) + (a.start != b.start)
    True
    >>> combined.resource("dev").capacity
    6.0
    """

    projects: tuple
    pools: tuple = ()
    name: str = "portfolio"

    def __post_init__(self):
        projects = tuple(self.projects)
        if not projects:
            raise ValidationError("a portfolio needs at least one project")
        for p in projects:
            if not isinstance(p, Project):
                raise ValidationError(f"a portfolio holds Project objects, got {type(p).__name__}")
        names = [p.name for p in projects]
        if len(set(names)) != len(names):
            raise ValidationError(f"project names in a portfolio must be unique, got {names}")
        object.__setattr__(self, "projects", projects)
        pools = []
        known = {r.id for p in projects for r in p.resources}
        for rid, cap in _pairs(self.pools):
            if rid not in known:
                raise UnknownReferenceError(f"Portfolio pool {rid!r} is not a resource of any project")
            c = float(cap)
            if not (math.isfinite(c) and c >= 0):
                raise ValidationError(f"Portfolio pool {rid!r}: capacity must be >= 0, got {cap!r}")
            pools.append((rid, c))
        object.__setattr__(self, "pools", tuple(pools))

    def combined(self) -> Project:
        """One project holding every task (ids ``<project>/<task>``) and the shared pools."""
        first = self.projects[0]
        start = min(p.start for p in self.projects)
        cal = first.calendar
        pool_capacity = dict(self.pools)
        resources: dict[str, object] = {}
        for p in self.projects:
            for r in p.resources:
                if r.id not in resources or (r.id not in pool_capacity and r.capacity > resources[r.id].capacity):
                    resources[r.id] = r
        resources = {rid: (r if rid not in pool_capacity else type(r)(r.id, r.name, pool_capacity[rid], r.cost_per_day))
                     for rid, r in resources.items()}
        tasks, deps, risks = [], [], []
        for p in self.projects:
            prefix = p.name + _SEP
            has_pred = {d.successor for d in p.dependencies}
            tasks += [t.replace(id=prefix + t.id, phase=f"{p.name}: {t.phase}" if t.phase else p.name) for t in p.tasks]
            deps += [Dependency(prefix + d.predecessor, prefix + d.successor, d.type, d.lag) for d in p.dependencies]
            risks += [r.replace(id=prefix + r.id, tasks=tuple(prefix + t for t in r.tasks)) for r in p.risks]
            offset = cal.offset(start, p.start)
            if offset > 0:
                # The project cannot start before its own start date: a fixed lead-in task.
                gate = prefix + "(start)"
                tasks.append(Task(gate, f"{p.name} start", duration=offset))
                deps += [Dependency(gate, prefix + t.id) for t in p.tasks if t.id not in has_pred]
        budget = sum(p.budget for p in self.projects) if all(p.budget is not None for p in self.projects) else None
        deadlines = [p.deadline for p in self.projects]
        return Project(
            name=self.name, start=start, tasks=tuple(tasks), dependencies=tuple(deps),
            resources=tuple(resources.values()), risks=tuple(risks), calendar=cal,
            currency=first.currency, budget=budget,
            deadline=max(deadlines) if all(d is not None for d in deadlines) else None,
        )

    def simulate(self, iterations: int = 10_000, seed=0, *, levelled: bool = True, client=None) -> PortfolioSimulation:
        """Simulate all projects together; with ``levelled=True`` shared pools are levelled across projects.

        With ``client`` (a ``dask.distributed.Client``) the simulation runs on
        the cluster; the numbers are identical to an in-process run.
        """
        from .montecarlo import simulate

        combined = self.combined()
        iterations, seed = _check_iterations_and_seed(iterations, seed)
        if client is None:
            sim = simulate(combined, iterations=iterations, seed=seed, levelled=levelled, keep="tasks")
        else:
            sim = _simulate_on_cluster(client, combined, iterations, seed, levelled=levelled, keep_tasks=True)
        finish = np.asarray(sim.task_finish)
        ids = combined.task_ids
        columns = {}
        for p in self.projects:
            cols = [i for i, tid in enumerate(ids) if tid.startswith(p.name + _SEP)]
            columns[p.name] = finish[:, cols].max(axis=1).astype(np.float64)
        return PortfolioSimulation(self, sim, pd.DataFrame(columns))
