"""Why did the P80 move? The change between two versions, attributed to its causes.

:func:`explain` splits the differences between a project and a changed
version of it (a :class:`~pmsim.Scenario`, a re-forecast at a later status
date, a file edited by hand) into groups (:mod:`pmsim.changes`: estimates,
escalation and rate ranges, each risk, correlation, levelling, calendars and constraints, logic,
progress) and shares out the change in P50, P80 (working days) and expected
cost between them with Shapley values: each group gets its marginal effect
averaged over every order in which the groups could have been applied, so
the shares do not depend on an order, add up to the total change, are equal
for groups that act alike and zero for a group that moves nothing.

Every mix of groups (a *coalition*) is simulated with the same seed. The
engine's random numbers are keyed by seed, task id and risk id, not by
position, so a task or risk that two coalitions share draws the same
numbers in both, whatever was added or removed around it (common random
numbers): differences between coalitions are differences of the model, not
sampling noise. Two things do change draws, by design: a task joining or
leaving a correlation group reorders the correlated draws of its group
(Iman-Conover works on the group as a whole), and a levelled run's
priorities follow the project.

Up to :data:`EXACT_GROUPS` groups, all ``2**n`` coalitions are simulated and
the Shapley values are exact (for these iterations and seed). Above, random
orders are sampled (each with its reverse, antithetic pairs): every order's
contributions add up to the total change, so the sums stay exact, and
``attrs["standard_error"]`` gives each share's standard error over the
orders.

>>> import pmsim as pm
>>> p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("A", duration=10)],
...     risks=[pm.Risk("R1", "Vendor late", 1.0, tasks=("A",), impact=pm.Fixed(3))])
>>> why = pm.explain(p, pm.Scenario("longer", tasks={"A": 1.2}, risks={"R1": False}), iterations=1000, seed=1)
>>> why[["p50", "p80"]]
                p50  p80
change
estimates  2.0  2.0
risk R1   -3.0 -3.0
>>> why.attrs["start"]["p80"], why.attrs["end"]["p80"]
(13.0, 12.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from ._seed import resolve_seed
from .changes import Changes, Settings, diff
from .errors import ValidationError
from .model import Project, require_project
from .montecarlo.plan import Plan
from .montecarlo.versions import foldable, run_versions
from .scenarios import Scenario, correlation_groups
from .simulation import check_iterations

__all__ = ["explain", "EXACT_GROUPS", "COLUMNS"]

EXACT_GROUPS = 8  # up to this many groups every coalition is simulated (2**8 = 256 runs)
COLUMNS = ("p50", "p80", "expected_cost")
DEFAULT_PERMUTATIONS = 32
_VERSIONS = 64  # risk registers per sampling pass (bounds the per-iteration arrays: versions x iterations)


def explain(project: Project, change, iterations: int = 10_000, seed=0, *, correlation=None,
            levelled: bool = False, responses=False, permutations: int | None = None,
            callback: Callable | None = None) -> pd.DataFrame:
    """Why the numbers moved from ``project`` to ``change``: one row per group of changes.

    Parameters
    ----------
    project : Project
        The base (a plan, the baseline scenario).
    change : Scenario or Project
        A scenario of ``project`` (its correlation strength and levelled
        switch count as changes too), or another version of it: a
        re-forecast at a later status date, edited estimates, risks, links or
        calendars.
    iterations, seed
        Of every simulation (all share the seed: common random numbers).
    correlation : optional
        The correlation of the base run, as :func:`pmsim.simulate` takes it,
        or a strength (rank correlation within each phase, as a Scenario's);
        a changed Project is run with the same.
    levelled : bool
        Whether the base is simulated levelled (a Scenario may switch it).
    responses : bool or iterable of risk ids
        The risks whose responses are in effect in the base, as
        :func:`pmsim.simulate` takes them. A Scenario's ``responses`` switch
        them on or off; each response switched is a group of its own
        (``response <id>``: the post-response risk and the response's cost).
    permutations : int, optional
        None (default): every coalition up to 8 groups
        (exact), 32 random orders above. A number: sample that many random
        orders (in antithetic pairs, each order and its reverse) whatever
        the number of groups.
    callback : callable, optional
        ``callback(done, total)`` after each coalition simulated.

    Returns
    -------
    DataFrame
        Indexed by group (``change``), columns ``p50``, ``p80`` (working
        days) and ``expected_cost``: each group's share of the change; each
        column sums to the total change. ``attrs``: ``start`` and ``end``
        (the three numbers of the base and of the change), ``total``,
        ``details`` (what changed in each group), ``method`` (``"exact"`` or
        ``"sampled"``), ``coalitions`` (runs made), ``permutations``,
        ``standard_error`` (per group and column; 0 when exact),
        ``iterations``, ``seed``, ``currency``. See :func:`pmsim.plot.waterfall`.
    """
    project = require_project(project, "explain")
    iterations, seed = check_iterations(iterations), resolve_seed(seed)
    if callback is not None and not callable(callback):
        raise ValidationError(f"callback must be callable, got {type(callback).__name__}")
    changes = _changes(project, change, correlation, bool(levelled), _responding(project, responses))
    n = len(changes.groups)
    values = _Coalitions(changes, iterations, seed)
    if permutations is None and n <= EXACT_GROUPS:
        total = 2**n
        values.evaluate(range(total), callback)
        shares, errors, orders = _exact(values.table, n), np.zeros((n, 3)), math.factorial(n)
        method = "exact"
    else:
        count = DEFAULT_PERMUTATIONS if permutations is None else permutations
        if isinstance(count, (bool, np.bool_)) or not isinstance(count, (int, np.integer)) or count < 2:
            raise ValidationError(f"explain: permutations must be >= 2, got {permutations!r}")
        shares, errors, orders = _sampled(values, n, count, seed, callback)
        method = "sampled"
    full = (1 << n) - 1
    start, end = values.table[0], values.table[full]
    table = pd.DataFrame(shares, columns=list(COLUMNS), index=pd.Index(list(changes.groups), name="change"))
    as_dict = lambda v: {c: float(x) for c, x in zip(COLUMNS, v)}  # noqa: E731
    table.attrs.update(
        start=as_dict(start), end=as_dict(end), total=as_dict(end - start), details=dict(changes.details),
        method=method, coalitions=len(values.table), permutations=orders,
        standard_error={g: as_dict(e) for g, e in zip(changes.groups, errors)},
        iterations=iterations, seed=seed, currency=project.currency,
        base=project.name, change=change.name if isinstance(change, (Scenario, Project)) else str(change))
    return table


def _responding(project: Project, responses) -> frozenset:
    """The ids of the risks whose responses are in effect in the base (``responses`` as simulate takes it)."""
    have = {r.id for r in project.risks if r.has_response}
    if isinstance(responses, (bool, np.bool_)):
        return frozenset(have) if responses else frozenset()
    if responses is None:
        return frozenset()
    ids = [responses] if isinstance(responses, str) else list(responses)
    for rid in ids:
        if rid not in {r.id for r in project.risks}:
            raise ValidationError(f"explain: responses names unknown risk {rid!r}")
        if rid not in have:
            raise ValidationError(f"explain: risk {rid!r} has no response (no response_cost nor post-response value)")
    return frozenset(ids)


def _changes(project: Project, change, correlation, levelled: bool, responses: frozenset) -> Changes:
    base = Settings(correlation=correlation, levelled=levelled, responses=responses)
    if isinstance(change, Scenario):
        changed = change.apply(project)
        switched = dict(change.responses)
        after = Settings(correlation=correlation if change.correlation is None else change.correlation,
                         levelled=levelled if change.levelled is None else bool(change.levelled),
                         responses=frozenset(
                             {rid for rid in responses if switched.get(rid, True)}
                             | {rid for rid, on in switched.items() if on}) & {r.id for r in changed.risks})
        return diff(project, changed, base, after)
    if isinstance(change, Project):
        return diff(project, change, base, base)
    raise ValidationError(f"explain: change must be a Scenario or a Project, got {type(change).__name__}")


class _Coalitions:
    """The three numbers of each coalition (bit k set: group k's changes), simulated once each.

    Coalitions that share a correlation (the same groups over the same tasks
    in the same topological order) share its prepared factors and its
    correlated draws, the costliest part of a correlated run: those draws do
    not depend on the estimates, so every such run would compute the same.
    Coalitions that differ only in risks run together on one plan
    (:func:`pmsim.montecarlo.versions.run_versions`: the estimates and the
    risks drawn once, one forward pass per register), which gives each the
    numbers of a run of its own to the bit; ``fold=False`` runs them apart.
    """

    def __init__(self, changes: Changes, iterations: int, seed: int, fold: bool = True):
        self.changes, self.iterations, self.seed = changes, iterations, seed
        self.fold = fold  # run the coalitions that differ only in risks on one sampling pass (run_versions)
        self.table: dict[int, np.ndarray] = {}
        self._correlated: dict = {}
        self._registers: dict = {}  # the groups other than risks (a mask) -> a shared plan, or None

    def evaluate(self, masks, callback=None) -> None:
        todo = [m for m in dict.fromkeys(masks) if m not in self.table]
        full = (1 << len(self.changes.groups)) - 1
        risks = sum(1 << b for b, g in enumerate(self.changes.groups) if g.startswith("risk "))
        by_rest: dict[int, list[int]] = {}
        for mask in todo:
            by_rest.setdefault(mask & ~risks, []).append(mask)
        done = 0
        for rest, group in by_rest.items():
            between = [m for m in group if m not in (0, full)]
            shared = self._register_plan(rest) if risks and between else None
            if shared is not None and self.fold and foldable(shared[0]) and len(between) > 1:
                for k in range(0, len(between), _VERSIONS):  # one sampling pass for many registers
                    part = between[k:k + _VERSIONS]
                    plan, versions = shared
                    active = np.array([[(mask >> bit & 1) == side if bit >= 0 else True for bit, side in versions]
                                       for mask in part], dtype=np.bool_).reshape(len(part), plan.n_risks)
                    finish, cost = run_versions(plan, self.iterations, active)
                    for mask, row in zip(part, _numbers_of_versions(finish, cost)):
                        self.table[mask] = row
                        done += 1
                        if callback is not None:
                            callback(done, len(todo))
                group = [m for m in group if m in (0, full)]
            for mask in group:
                if shared is None or mask in (0, full):
                    chosen = [g for b, g in enumerate(self.changes.groups) if mask >> b & 1]
                    self.table[mask] = self._numbers(*self.changes.mix(chosen))
                else:
                    plan, versions = shared
                    active = np.array([(mask >> bit & 1) == side if bit >= 0 else True for bit, side in versions])
                    self.table[mask] = self._run(replace(plan, risk_probability=plan.risk_probability * active),
                                                 None)
                done += 1
                if callback is not None:
                    callback(done, len(todo))

    def _register_plan(self, rest: int):
        """For the coalitions whose groups other than risks are ``rest``, when they are not levelled and
        have no progress: one plan shared by all of them, whose register holds both versions of each
        changed risk (the changed one under a stand-in id with the original's random streams), and per
        risk entry ``(bit, side)``: it plays when group ``bit`` is chosen (side 1) or not (side 0); bit
        -1: always.

        A risk that does not play has probability 0: it adds nothing (0 days, factor 1, no cost), and
        every other draw is unchanged, so the numbers are those of the coalition's own project.
        """
        from .io.progress_table import has_progress

        groups = self.changes.groups
        risk_bits = {g[len("risk "):]: b for b, g in enumerate(groups) if g.startswith("risk ")}
        if rest in self._registers:
            return self._registers[rest]
        others = [g for b, g in enumerate(groups) if rest >> b & 1]
        before, settings = self.changes.mix(others)
        responding = self.changes.base_settings.responses | self.changes.changed_settings.responses
        if settings.levelled or not risk_bits or responding & set(risk_bits):
            # (a response applies to its risk by id: not to the stand-in of a changed version)
            self._registers[rest] = None
            return None
        after, _ = self.changes.mix(others + [groups[b] for b in risk_bits.values()])
        if has_progress(before) or has_progress(after):
            self._registers[rest] = None
            return None
        old = {r.id: r for r in before.risks}
        new = {r.id: r for r in after.risks}
        register, versions, stand_ins = [], [], {}
        for rid in list(old) + [r for r in new if r not in old]:
            bit = risk_bits.get(rid, -1)
            if rid in old:
                register.append(old[rid])
                versions.append((bit, 0) if bit >= 0 and old[rid] != new.get(rid) else (-1, 0))
            if rid in new and bit >= 0 and new[rid] != old.get(rid):
                stand_in = _stand_in(rid, set(old) | set(new)) if rid in old else rid
                stand_ins[len(register)] = len(register) - 1 if rid in old else None
                register.append(new[rid].replace(id=stand_in))
                versions.append((bit, 1))
        union = before.replace(risks=tuple(register))
        plan = self._plan(union, settings)
        occur, impact = plan.risk_occur_stream.copy(), plan.risk_impact_stream.copy()
        for k, original in stand_ins.items():
            if original is not None:  # the changed version draws the numbers of the risk it replaces
                occur[k], impact[k] = occur[original], impact[original]
        self._registers[rest] = (replace(plan, risk_occur_stream=occur, risk_impact_stream=impact), versions)
        return self._registers[rest]

    def _plan(self, project: Project, settings: Settings, remaining=None):
        """The engine plan of ``project`` as :func:`pmsim.simulate` builds it (correlation shared)."""
        from .montecarlo.plan import make_plan
        from .montecarlo.requests import check_reach
        from .reforecast import reforecast_plan

        sampled = project if remaining is None else remaining.project
        check_reach(sampled)
        correlation = _correlation(sampled, settings.correlation)
        kept = {r.id for r in sampled.risks}
        plan = make_plan(sampled, self.seed, None, responses=sorted(r for r in settings.responses if r in kept))
        if correlation is not None:
            plan = self._correlate(plan, sampled, correlation)
        return plan if remaining is None else reforecast_plan(plan, remaining)

    def _run(self, plan, scheduler) -> np.ndarray:
        from .montecarlo.runner import run

        result = run(plan, self.iterations, schedule_batch=scheduler)
        return _numbers_of(result.finish, result.cost)

    def _numbers(self, project: Project, settings: Settings) -> np.ndarray:
        """P50, P80 (working days) and mean cost of one run: the numbers :func:`pmsim.simulate` gives."""
        from .io.progress_table import has_progress
        from .reforecast import remaining_work

        remaining = remaining_work(project) if has_progress(project) else None
        plan = self._plan(project, settings, remaining)
        scheduler = None
        if settings.levelled:
            from .levelled_montecarlo import levelled_scheduler

            scheduler = levelled_scheduler(project if remaining is None else remaining.project, plan)
        return self._run(plan, scheduler)

    def _correlate(self, plan, project: Project, correlation):
        """``plan`` with the correlation of ``make_plan(project, seed, correlation)``, prepared once per
        correlation and task order and with its correlated draws shared."""
        from .montecarlo.plan import make_plan

        key = (_key(correlation), plan.net.ids)
        if key not in self._correlated:
            self._correlated[key] = (make_plan(project, self.seed, correlation), {})
        source, draws = self._correlated[key]
        own = {f.name: getattr(source if f.name in _CORRELATION_FIELDS else plan, f.name) for f in fields(Plan)}
        return _SharedDraws(**own, draws=draws)


_CORRELATION_FIELDS = ("correlation", "corr_col", "corr_task", "corr_stream", "comp_ptr",
                       "factor_ptr", "factors")


@dataclass(frozen=True, eq=False)
class _SharedDraws(Plan):
    """A plan whose correlated draws are computed once and shared by the plans of the same correlation."""

    draws: dict | None = None

    def correlated_uniforms(self, first: int, count: int, iterations: int) -> np.ndarray:
        key = (first, count, iterations)
        if key not in self.draws:
            self.draws[key] = super().correlated_uniforms(first, count, iterations)
        return self.draws[key]


def _numbers_of(finish: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """P50 and P80 of the finish (inverted CDF, as :func:`pmsim.simulate`'s) and the mean cost."""
    p50, p80 = np.percentile(finish, [50, 80], method="inverted_cdf")
    return np.array([p50, p80, cost.mean()])


def _numbers_of_versions(finish: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """:func:`_numbers_of` of each row (version) of ``finish`` and ``cost``, with one partial sort for all."""
    # The inverted CDF picks an order statistic whose rank depends only on the count: found on 0, 1, 2, ...
    ranks = [int(k) for k in np.percentile(np.arange(finish.shape[1], dtype=np.float64), [50, 80],
                                           method="inverted_cdf")]
    ordered = np.partition(finish, ranks, axis=1)
    return np.column_stack([ordered[:, ranks[0]], ordered[:, ranks[1]], [c.mean() for c in cost]])


def _stand_in(rid: str, taken: set) -> str:
    """An id for the changed version of risk ``rid`` beside the original (in no project the user sees)."""
    k = 1
    while f"{rid} (changed {k})" in taken:
        k += 1
    return f"{rid} (changed {k})"


def _key(correlation):
    """A hashable key of a correlation argument (groups, a dict of groups, or a matrix)."""
    if isinstance(correlation, pd.DataFrame):
        return (tuple(correlation.index), tuple(correlation.columns), correlation.to_numpy(float).tobytes())
    return repr(correlation)


def _correlation(project: Project, correlation):
    """The correlation argument of a run of ``project``: a strength becomes groups by phase, and
    groups lose the tasks this version does not have."""
    if correlation is None or isinstance(correlation, (pd.DataFrame, dict)):
        return correlation
    if isinstance(correlation, (int, float)):
        return correlation_groups(project, float(correlation))
    ids = set(project.task_ids)
    kept = [([t for t in tasks if t in ids], rho) for tasks, rho in correlation]
    return [(tasks, rho) for tasks, rho in kept if len(tasks) > 1] or None


def _exact(values: dict, n: int) -> np.ndarray:
    """Shapley values from every coalition's numbers (``values[mask]``): (groups, 3)."""
    masks = np.arange(2**n)
    v = np.array([values[m] for m in masks.tolist()])
    size = np.array([bin(m).count("1") for m in masks.tolist()])
    weight = np.array([math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) if s < n else 0.0
                       for s in range(n + 1)])
    out = np.zeros((n, 3))
    for k in range(n):
        without = masks[(masks >> k & 1) == 0]
        out[k] = (weight[size[without]][:, None] * (v[without | (1 << k)] - v[without])).sum(axis=0)
    return _balance(out, v[-1] - v[0])


def _sampled(values: _Coalitions, n: int, count: int, seed: int, callback) -> tuple[np.ndarray, np.ndarray, int]:
    """Shapley values estimated from ``count`` random orders (antithetic pairs) and their standard errors."""
    rng = np.random.default_rng([seed, n, count])
    orders = []
    for _ in range((count + 1) // 2):
        order = rng.permutation(n)
        orders += [order, order[::-1]]
    masks = []
    for order in orders:
        mask = 0
        masks.append(mask)
        for k in order:
            mask |= 1 << int(k)
            masks.append(mask)
    values.evaluate(masks, callback)
    contributions = np.zeros((len(orders), n, 3))
    for i, order in enumerate(orders):
        mask = 0
        for k in order:
            before = values.table[mask]
            mask |= 1 << int(k)
            contributions[i, k] = values.table[mask] - before
    pairs = contributions.reshape(len(orders) // 2, 2, n, 3).mean(axis=1)
    shares = contributions.mean(axis=0)
    errors = pairs.std(axis=0, ddof=1) / math.sqrt(len(pairs)) if len(pairs) > 1 else np.full((n, 3), np.nan)
    full = (1 << n) - 1
    return _balance(shares, values.table[full] - values.table[0]), errors, len(orders)


def _balance(shares: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``shares`` with the rounding error of their sum (a few ulps) put on the largest share, so that each
    column adds up to ``total`` as closely as floating point allows."""
    out = shares.copy()
    if out.shape[0]:
        for c in range(out.shape[1]):
            k = int(np.argmax(np.abs(out[:, c])))
            out[k, c] += total[c] - out[:, c].sum()
    return out
