"""Portfolios: several projects that share resource pools, simulated together."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .errors import UnknownReferenceError, ValidationError
from .model import Dependency, Project, Task
from .scenarios import as_pairs
from .simulation import Simulation, check_iterations, simulate

__all__ = ["Portfolio", "PortfolioSimulation"]

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
    simulation: Simulation
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
        if isinstance(self.projects, Project) or not isinstance(self.projects, (list, tuple)):
            raise ValidationError(f"a portfolio needs a list of Project objects, got {type(self.projects).__name__}")
        projects = tuple(self.projects)
        if not projects:
            raise ValidationError("a portfolio needs at least one project")
        for p in projects:
            if not isinstance(p, Project):
                raise ValidationError(f"a portfolio holds Project objects, got {type(p).__name__}")
        names = [p.name for p in projects]
        if len(set(names)) != len(names):
            raise ValidationError(f"project names in a portfolio must be unique, got {names}")
        for p in projects:
            if p.cost_per_day:
                raise ValidationError(f"Portfolio: project {p.name!r} has a cost_per_day (paid until its own finish); "
                                      "a portfolio does not combine time-dependent project costs yet")
        object.__setattr__(self, "projects", projects)
        pools = []
        known = {r.id for p in projects for r in p.resources}
        for rid, cap in as_pairs(self.pools):
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
            tasks += [t.replace(id=prefix + t.id, phase=f"{p.name}: {t.phase}" if t.phase else p.name,
                                branch=prefix + t.branch if t.branch else "") for t in p.tasks]
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
        combined = self.combined()
        iterations, seed = check_iterations(iterations), resolve_seed(seed)
        if client is None:
            sim = simulate(combined, iterations=iterations, seed=seed, levelled=levelled, keep="tasks")
        else:
            from .cluster import simulate_on_client

            sim = simulate_on_client(client, combined, iterations, seed, levelled=levelled, keep_tasks=True)
        finish = np.asarray(sim.task_finish)
        ids = combined.task_ids
        columns = {}
        for p in self.projects:
            cols = [i for i, tid in enumerate(ids) if tid.startswith(p.name + _SEP)]
            columns[p.name] = finish[:, cols].max(axis=1).astype(np.float64)
        return PortfolioSimulation(self, sim, pd.DataFrame(columns))
