"""Statistics of a run: per risk from its outputs; sensitivity and achieved correlation regenerated from the seed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._kernels import launching
from .._kernels.random import FIXED
from .plan import BLOCK, Plan
from .runner import EngineRun, regenerate_durations, threads

__all__ = ["duration_sensitivity", "achieved_correlation", "risk_summary", "varying_tasks"]

_REGENERATED_VALUES = 2**25  # float32 samples held at once when regenerating (128 MB)


def varying_tasks(plan: Plan) -> np.ndarray:
    """Per task (topological order): can its sampled duration vary (an uncertain estimate, a risk on it, or
    a chance that it does not exist)?"""
    return np.array([not plan.override_mask[j]
                     and (plan.kind[j] != FIXED or plan.risk_ptr[j + 1] > plan.risk_ptr[j] or plan.exist_row[j] >= 0)
                     for j in range(plan.n)], dtype=bool)


def duration_sensitivity(plan: Plan, finish: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each task's sampled duration with the project finish (project order).

    The duration is the one the forward pass used (risk delays included),
    regenerated from the seed, ranked exactly (mid-ranks for ties); a task
    whose duration never varies gets 0.
    """
    from scipy.stats import rankdata

    from .._kernels.montecarlo import spearman_rows

    m, n = finish.shape[0], plan.n
    rank = rankdata(finish.astype(np.float32), method="average") - (m + 1) / 2.0
    varies = list(np.flatnonzero(varying_tasks(plan)))
    out = np.zeros(n)
    group = max(1, _REGENERATED_VALUES // m)
    for g0 in range(0, len(varies), group):
        idx = np.array(varies[g0:g0 + group], dtype=np.int64)
        values = regenerate_durations(plan, m, idx)
        values += np.float32(0.0)  # a task that does not exist has -0.0, which sorts by its bits as the largest
        rho = np.empty(idx.shape[0])
        with launching():
            spearman_rows(values, rank, threads(), rho)
        out[idx] = rho
    return plan.net.to_project(out)


def achieved_correlation(plan: Plan, iterations: int) -> pd.DataFrame | None:
    """The rank correlation reached between the correlated tasks' sampled durations (None without correlation).

    Before risk impacts, project order; measured on the first whole blocks
    that fit in 128 MB when all iterations would not (``attrs["iterations"]``).
    Spearman's rho with mid-ranks for ties, ranked in compiled code, for the
    pairs the correlation links (directly or through other tasks: one
    component of the target); NaN for pairs in different components (drawn
    independently, not measured) and for a task whose duration never varies.
    """
    from .._kernels.correlation import rank_pairs, rank_rows

    corr = plan.correlation
    if corr is None:
        return None
    ids = list(corr.target.index)
    k = len(ids)
    idx = np.array([plan.net.position[t] for t in ids], dtype=np.int64)
    m = iterations
    used = m if k * m <= _REGENERATED_VALUES else max(BLOCK, _REGENERATED_VALUES // k // BLOCK * BLOCK)
    used = min(used, m)
    # Only the tasks whose draw moves their duration are drawn again and ranked; a fixed one is constant.
    varies = np.array([not plan.override_mask[j] and plan.kind[j] != FIXED for j in idx], dtype=bool)
    rows = np.flatnonzero(varies)
    rho = np.full((k, k), np.nan)  # a constant duration correlates with nothing, itself included
    if len(rows) >= 2:
        values = regenerate_durations(plan, m, idx[rows], with_risks=False, last=used)
        # Mid-ranks are multiples of 1/2: exact in float32 (half the memory to read per pair) below 2**23.
        ranks = np.empty(values.shape, dtype=np.float32 if used < 2**23 else np.float64)
        sums = np.empty(values.shape[0])
        where = {t: i for i, t in enumerate(ids)}
        component = np.full(k, -1)  # -1: in no component (every other task it is linked to is fixed)
        for c, members in enumerate(corr.components):
            component[[where[t] for t in members]] = c
        first, second = np.triu_indices(len(rows), 1)
        linked = (component[rows[first]] == component[rows[second]]) & (component[rows[first]] >= 0)
        first, second = first[linked], second[linked]
        pair = np.empty(first.shape[0])
        with launching():
            rank_rows(values, ranks, sums, threads())
            rank_pairs(ranks, sums, first, second, pair)
        a, b = rows[first], rows[second]
        rho[a, b] = rho[b, a] = pair
        moving = rows[sums > 0.0]
        rho[moving, moving] = 1.0
    frame = pd.DataFrame(rho, index=ids, columns=ids)
    frame.attrs["iterations"] = used
    return frame


def risk_summary(project, plan: Plan, raw: EngineRun, finish: np.ndarray, cost: np.ndarray) -> pd.DataFrame:
    """Per risk of the run: name, probability, share occurred, mean impact when it did, and the difference in
    mean finish and cost between the iterations where it occurred and the others (see ``Simulation``)."""
    m = finish.shape[0]
    ids = plan.risk_ids
    # Sums over the iterations where each risk occurred and where it did not, as products with the 0/1 rows
    # (a few BLAS calls in place of four masked copies per risk: the same sums up to rounding).
    hit = raw.occurred.astype(np.float64)
    counts = raw.occurred.sum(axis=1)
    miss = m - counts
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.stack([finish.astype(np.float64), cost.astype(np.float64)])
        on = hit @ values.T
        off = (1.0 - hit) @ values.T
        added = on / counts[:, None] - off / miss[:, None]
        impact = raw.impact_sum / counts
    both = (counts > 0) & (miss > 0)
    added[~both] = math.nan
    names = {r.id: r.name for r in project.risks}
    table = pd.DataFrame({
        "name": [names[rid] for rid in ids],
        "probability": plan.risk_probability[:len(ids)].astype(float),
        "occurred": counts / m,
        "mean_impact": np.where(counts > 0, impact, math.nan),
        "delay_added": added[:, 0] if len(ids) else np.zeros(0),
        "cost_added": added[:, 1] if len(ids) else np.zeros(0),
    }, index=pd.Index(ids, name="id"))
    return table
