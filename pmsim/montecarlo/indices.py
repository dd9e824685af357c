"""The standard activity sensitivity indices of schedule risk analysis, from a run's task dates.

Each index answers "which tasks drive the finish?" in its own way (the
definitions, with T the project duration and d_i, TF_i task i's duration and
total float in one iteration):

* **CI**, criticality index: P(task i is critical), the share of iterations in
  which it lies on a driving chain into the finish (Van Slyke 1963).
* **SI**, significance index (Williams 1992): E[d_i / (d_i + TF_i) · T / E[T]].
* **SSI**, schedule sensitivity index (PMI, *Practice Standard for Project
  Risk Management*, 2009): CI_i · σ(d_i) / σ(T).
* **CRI**, cruciality index: |corr(d_i, T)|, with Pearson's r (Williams 1992),
  Spearman's ρ or Kendall's τ (Vanhoucke, *Measuring Time*, Springer 2010,
  ch. 5; Vanhoucke 2010, *Using activity sensitivity and network topology
  information to monitor project time performance*, Omega 38).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import limits
from .._kernels.links import FROM_FINISH, TO_FINISH

__all__ = ["sensitivity_indices", "INDEX_COLUMNS"]

INDEX_COLUMNS = ("CI", "SI", "SSI", "CRI_r", "CRI_rho", "CRI_tau")
_TOLERANCE = 1e-6


def _late_finish(net, duration: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """The backward pass, vectorised over iterations: (m, n) late finishes in topological order."""
    m, n = duration.shape
    late_finish = np.empty((m, n))
    late_start = np.empty((m, n))
    for j in range(n - 1, -1, -1):
        lf = horizon.copy()
        for k in range(net.succ_ptr[j], net.succ_ptr[j + 1]):
            s = net.succ_idx[k]
            kind = net.succ_type[k]
            base = late_finish[:, s] if TO_FINISH[kind] else late_start[:, s]
            bound = base - net.succ_lag[k] + (0.0 if FROM_FINISH[kind] else duration[:, j])
            np.minimum(lf, bound, out=lf)
        late_finish[:, j] = lf
        late_start[:, j] = lf - duration[:, j]
    return late_finish


def sensitivity_indices(net, task_ids, chunks: Iterable[tuple[np.ndarray, np.ndarray]], finish: np.ndarray,
                        criticality: np.ndarray, spearman: np.ndarray, varies: np.ndarray) -> pd.DataFrame:
    """CI, SI, SSI and CRI (Pearson, Spearman, Kendall) per task, from each iteration's task dates.

    ``chunks`` yields (start, finish) arrays of shape (iterations, tasks), project
    order, in working days, as :meth:`pmsim.Simulation.iter_task_dates` gives
    them; ``finish`` is the project duration per iteration; ``criticality`` and
    ``spearman`` (signed rank correlation) come from the run; ``varies`` (project
    order) marks the tasks whose duration can vary: the others get no SSI or
    CRI, whatever float32 rounding of their dates says. The float of SI
    is each iteration's own backward pass from its finish over its sampled
    durations (links and lags, no date constraints), at least 0; a task of no
    duration and no float counts as fully significant (d / (d + TF) = 1).
    """
    from scipy.stats import kendalltau

    n = len(task_ids)
    order = np.array([net.position[t] for t in task_ids], dtype=np.int64)  # project k -> topological position
    finish = np.asarray(finish, dtype=float)
    m = finish.shape[0]
    # Kendall's tau needs every duration at once: float32, as the engine draws them.
    limits.check("CHUNK_BYTES", 4 * m * n, f"sensitivity_indices: the durations of {n:,} tasks x {m:,} iterations")
    durations = np.empty((m, n), dtype=np.float32)
    ratio_sum = np.zeros(n)
    mean_t = float(finish.mean())
    centred_t = finish - mean_t
    sums = np.zeros((3, n))  # sum of d, d^2 and d * (T - mean T), in float64
    for sl, start, end in chunks:
        d = end - start
        durations[sl] = d
        sums[0] += d.sum(axis=0)
        sums[1] += (d * d).sum(axis=0)
        sums[2] += centred_t[sl] @ d
        d_topo = np.empty_like(d)
        d_topo[:, order] = d
        ef_topo = np.empty_like(d)
        ef_topo[:, order] = end
        horizon = finish[sl].astype(float)
        total_float = np.maximum(_late_finish(net, d_topo, horizon) - ef_topo, 0.0)[:, order]
        total_float[total_float < _TOLERANCE] = 0.0
        span = d + total_float
        share = np.divide(d, span, out=np.ones_like(d), where=span > _TOLERANCE)
        ratio_sum += (share * (horizon / mean_t)[:, None]).sum(axis=0)
    sd_t = float(finish.std())
    mean_d = sums[0] / m
    sd_d = np.sqrt(np.maximum(sums[1] / m - mean_d * mean_d, 0.0))
    varies = np.asarray(varies, dtype=bool) & (sd_d > 0)
    sd_d = np.where(varies, sd_d, 0.0)
    pearson = np.zeros(n)
    if sd_t > 0:
        pearson[varies] = sums[2][varies] / (m * sd_d[varies] * sd_t)
    tau = np.zeros(n)
    for j in np.flatnonzero(varies):
        tau[j] = kendalltau(durations[:, j], finish).statistic if sd_t > 0 else 0.0
    ci = np.asarray(criticality, dtype=float)
    out = pd.DataFrame({
        "CI": ci,
        "SI": ratio_sum / m,
        "SSI": ci * sd_d / sd_t if sd_t > 0 else np.zeros(n),
        "CRI_r": np.abs(pearson),
        "CRI_rho": np.abs(np.asarray(spearman, dtype=float)),
        "CRI_tau": np.abs(tau),
    }, index=pd.Index(list(task_ids), name="id"))
    return out
