"""One plan run with several risk registers at once: each version switches some risks off.

:func:`run_versions` gives, for each row of ``active`` (risks that play), the
finish and cost per iteration that :func:`~pmsim.montecarlo.runner.run` gives
for the plan with the other risks at probability 0, to the last bit, but
samples the estimates and the risks once for all versions (common random
numbers make them the same draws) and runs only the forward pass per version.
That is what an attribution over groups of risk changes (:func:`pmsim.explain`)
spends its time on: 2**k registers of k changed risks.
"""

from __future__ import annotations

import numpy as np

from .._kernels import launching
from ..errors import ValidationError
from .plan import Plan
from .runner import DEFAULT_CHUNK, batches, threads

__all__ = ["run_versions", "foldable"]


def foldable(plan: Plan) -> bool:
    """Whether :func:`run_versions` runs ``plan``: the plain forward pass (no calendars, constraints or
    progress dates: those take the dated kernel), certain resource rates and no escalation."""
    return plan.dated is None and plan.rates is None and plan.escalation is None


def run_versions(plan: Plan, iterations: int, active: np.ndarray,
                 chunk: int = DEFAULT_CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """Finish (working days) and cost of each version, float64 arrays (versions, iterations).

    ``active`` is bool (versions, risks): ``active[q, r]`` when risk ``r`` of the
    plan plays in version ``q``.
    """
    from .._kernels.coalitions import simulate_versions

    active = np.ascontiguousarray(active, dtype=np.bool_)
    r = plan.n_risks
    if active.ndim != 2 or active.shape[1] != r:
        raise ValidationError(f"run_versions: active must be (versions, {r}) booleans, got shape {active.shape}")
    if not foldable(plan):
        raise ValidationError("run_versions: a plan with calendars, constraints, progress dates or uncertain rates "
                              "takes run()")
    k, n, nthreads = active.shape[0], plan.n, threads()
    finish = np.empty((k, iterations), dtype=np.float32)
    cost = np.empty((k, iterations), dtype=np.float64)
    scratch = [np.empty((nthreads, n, chunk), dtype=np.float32) for _ in range(4)]
    u = np.empty((nthreads, chunk), dtype=np.uint32)
    fin = np.empty((nthreads, chunk), dtype=np.float32)
    fixed_fin = np.empty((nthreads, chunk), dtype=np.float32)
    cst = np.empty((nthreads, chunk), dtype=np.float64)
    risk_cost = np.empty((k, iterations))
    absent_cost = np.zeros(iterations)
    existence, net = plan.existence, plan.net
    varies = _varies(plan, active)
    costly = np.flatnonzero(plan.risk_cost[:r]).astype(np.int64)  # run()'s risk_costs order
    for batch in batches(plan, iterations):
        sl = slice(batch.first, batch.first + batch.count)
        with launching():
            simulate_versions(
                batch.first, batch.count, chunk,
                net.pred_ptr, net.pred_idx, net.pred_type, plan.pred_lag, plan.candidate,
                plan.stream, plan.kind, plan.param, plan.tables, plan.disc_val, plan.disc_cum,
                plan.corr_col, batch.corr_u, batch.corr_first,
                plan.risk_ptr, plan.risk_idx, batch.risk_impact, batch.first, plan.exist_row,
                plan.risk_neutral, active, varies, _downstream(plan, varies), batch.occurred, costly, plan.risk_cost,
                plan.release, plan.override_mask, plan.override_value, plan.daily,
                *scratch, u, fin, fixed_fin, cst, finish[:, sl], cost[:, sl], risk_cost[:, sl],
            )
        if existence is not None:
            exists = batch.risk_impact[r:r + existence.size]
            absent_cost[sl] = existence.fixed @ (1.0 - exists.astype(np.float64))
    total = np.empty((k, iterations))
    for q in range(k):  # run()'s sum, term by term in its order
        c = cost[q] + plan.fixed_cost - absent_cost + risk_cost[q] + plan.cost_offset
        if plan.cost_per_day:
            c += plan.cost_per_day * finish[q].astype(np.float64)
        total[q] = c
    return finish.astype(np.float64), total


def _downstream(plan: Plan, varies: np.ndarray) -> np.ndarray:
    """Per task: it varies or follows (through any chain of links) a task that does."""
    net = plan.net
    out = varies.copy()
    for j in range(plan.n):  # topological order: a task's predecessors come first
        if not out[j]:
            out[j] = out[net.pred_idx[net.pred_ptr[j]:net.pred_ptr[j + 1]]].any()
    return out


def _varies(plan: Plan, active: np.ndarray) -> np.ndarray:
    """Per task (topological order): whether one of its risks plays in some versions and not in others."""
    changing = active.any(axis=0) & ~active.all(axis=0)
    varies = np.zeros(plan.n, dtype=np.bool_)
    if changing.any():
        entries = plan.risk_idx[:plan.risk_ptr[-1]]
        risk_of = np.where(entries < 0, ~entries, entries)
        task_of = np.repeat(np.arange(plan.n), np.diff(plan.risk_ptr))
        varies[task_of[changing[risk_of]]] = True
    return varies
