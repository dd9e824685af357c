"""Risks ranked by their effect: each risk removed in turn, on common random numbers.

:func:`rank_risks` runs a plan again once per risk with that risk switched
off (it never occurs; every other draw of every iteration is the one of the
full run, because the streams are keyed by seed, task and risk id), and
reports how much the P80 finish and the P80 cost fall without it: the
practitioner's "risk tornado in days", in days and money rather than in
correlation coefficients.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .plan import Plan
from .runner import DEFAULT_CHUNK, run
from .versions import foldable, run_versions

_VERSIONS = 64  # registers per sampling pass (bounds the arrays: versions x iterations)

__all__ = ["RANKING_COLUMNS", "p80", "rank_risks"]

RANKING_COLUMNS = ("name", "kind", "probability", "p80_days", "p80_cost", "mean_days", "mean_cost")


def p80(values: np.ndarray) -> float:
    """The P80 of per-iteration values: the smallest value at least 80 % of iterations reach (inverted CDF)."""
    return float(np.percentile(values, 80, method="inverted_cdf"))


def rank_risks(plan: Plan, iterations: int, finish: np.ndarray, cost: np.ndarray, risks,
               scheduler: Callable | None = None, chunk: int = DEFAULT_CHUNK) -> pd.DataFrame:
    """Per risk of ``plan``: how much the P80 (and mean) finish and cost fall when it is removed.

    ``finish`` and ``cost`` are the full run's per-iteration results, ``risks``
    the :class:`~pmsim.model.Risk` objects of ``plan.risk_ids`` (for names and
    kinds), ``scheduler`` the run's batch scheduler (None: the fused kernel).
    Columns: ``name``, ``kind``, ``probability``, ``p80_days`` (P80 finish with
    every risk minus P80 finish without this one, working days: positive for
    a threat, negative for an opportunity), ``p80_cost`` (the same for the
    P80 cost), ``mean_days`` and ``mean_cost`` (the same for the means).
    Sorted by the size of ``p80_days``, then of ``p80_cost``, largest first.
    """
    base_finish, base_cost = p80(finish), p80(cost)
    rows = []
    for k, (finish_k, cost_k) in enumerate(_without_each(plan, iterations, scheduler, chunk)):
        risk = risks[k]
        rows.append({
            "name": risk.name, "kind": risk.kind, "probability": risk.probability,
            "p80_days": base_finish - p80(finish_k),
            "p80_cost": base_cost - p80(cost_k),
            "mean_days": float(finish.mean() - finish_k.mean()),
            "mean_cost": float(cost.mean() - cost_k.mean()),
        })
    table = pd.DataFrame(rows, columns=list(RANKING_COLUMNS), index=pd.Index(plan.risk_ids, name="id"))
    if table.empty:
        return table
    order = np.lexsort((-table["p80_cost"].abs().to_numpy(), -table["p80_days"].abs().to_numpy()))
    return table.iloc[order]


def _without_each(plan: Plan, iterations: int, scheduler, chunk: int):
    """Per risk of ``plan``: the finish and cost per iteration of the run without it. The plain forward pass
    runs every register on one sampling pass (:func:`run_versions`: the same numbers as a run each)."""
    r = plan.n_risks
    if scheduler is not None or not foldable(plan) or r < 2:
        for k in range(r):
            without = run(plan.without_risks([k]), iterations, chunk, schedule_batch=scheduler)
            yield without.finish, without.cost
        return
    for first in range(0, r, _VERSIONS):
        ks = np.arange(first, min(r, first + _VERSIONS))
        active = np.ones((ks.shape[0], r), dtype=np.bool_)
        active[np.arange(ks.shape[0]), ks] = False
        finishes, costs = run_versions(plan, iterations, active, chunk)
        yield from zip(finishes, costs)
