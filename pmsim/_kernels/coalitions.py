"""Many versions of one risk register on the same draws: one sampling pass, one forward pass per version.

A *version* switches some of the plan's risks off (they never occur). The
draws are common to every version: each task's sampled estimate and each
risk's occurrence and impact are the ones of the full register, so a version
differs from another only in which impacts it applies. :func:`simulate_versions`
samples every task once per chunk of iterations, then, per version, applies
the active risks in the order of :func:`pmsim._kernels.montecarlo.simulate_batch`
(drivers multiply, events add, the last floors at 0; a switched-off risk adds
its neutral impact, as a risk that did not occur), and runs the forward pass.
Each version's finish and duration cost are therefore, to the last bit, those
of a run of the plan with the switched-off risks at probability 0.
"""

import numba as nb
import numpy as np

from .links import raise_to_earliest_starts
from .montecarlo import _durations


@nb.njit(inline="always")
def _version_durations(j, q, m, offset, base, dur, risk_ptr, risk_idx, risk_impact, exist_row, neutral, active,
                       override_mask):
    """Task ``j``'s durations in version ``q``: its sampled estimates (``base[j]``) with the version's risks."""
    dst = dur[j]
    src0 = base[j]
    for t in range(m):
        dst[t] = src0[t]
    if override_mask[j]:
        return
    last = risk_ptr[j + 1]
    for k in range(risk_ptr[j], last):
        r = risk_idx[k]
        if r < 0:
            if active[q, ~r]:
                src = risk_impact[~r]
                for t in range(m):
                    dst[t] *= src[offset + t]
            else:
                v = neutral[~r]
                for t in range(m):
                    dst[t] *= v
        elif active[q, r]:
            src = risk_impact[r]
            if k < last - 1:
                for t in range(m):
                    dst[t] += src[offset + t]
            else:
                for t in range(m):
                    dst[t] = max(dst[t] + src[offset + t], np.float32(0.0))
        else:
            v = neutral[r]
            if k < last - 1:
                for t in range(m):
                    dst[t] += v
            else:
                for t in range(m):
                    dst[t] = max(dst[t] + v, np.float32(0.0))
    e = exist_row[j]
    if e >= 0:
        src = risk_impact[e]
        for t in range(m):
            if src[offset + t] == 0.0:
                dst[t] = np.float32(-0.0)


@nb.njit(inline="always")
def _forward(j, m, es, ef, dur, pred_ptr, pred_idx, pred_type, pred_lag, release, candidate, fin):
    """The forward pass of task ``j`` (as :func:`pmsim._kernels.montecarlo.simulate_batch`'s), raising ``fin``."""
    rel = release[j]
    for t in range(m):
        es[j, t] = rel
    for k in range(pred_ptr[j], pred_ptr[j + 1]):
        raise_to_earliest_starts(pred_type[k], es, ef, dur, pred_idx[k], j, pred_lag[k], m)
    for t in range(m):
        ef[j, t] = es[j, t] + dur[j, t]
    if candidate[j]:
        for t in range(m):
            fin[t] = max(fin[t], ef[j, t])


@nb.njit(cache=True, parallel=True)
def simulate_versions(
    first, count, chunk,
    pred_ptr, pred_idx, pred_type, pred_lag, candidate,
    stream, kind, param, tables, disc_val, disc_cum,
    corr_col, corr_u, corr_first,
    risk_ptr, risk_idx, risk_impact, risk_first, exist_row, neutral, active, varies, affected,
    occurred, costly, risk_cost,
    release, override_mask, override_value, daily,
    base_scratch, es_scratch, ef_scratch, dur_scratch, u_scratch, fin_scratch, fixed_fin_scratch,
    cost_scratch, finish_out, cost_out, risk_cost_out,
):
    """Iterations ``first ..`` of every version ``q`` (``active[q, r]``: risk r plays): ``finish_out[q, t]``,
    ``cost_out[q, t] = sum_j daily[j] * duration_j`` and ``risk_cost_out[q, t]``, the cost impacts of the
    playing risks that occurred (``occurred``, from column 0), added in the order of ``costly`` (outputs from 0).
    ``varies[j]``: task j has a risk that plays in some versions and not in others (the durations of the other
    tasks are set once); ``affected[j]``: it varies or follows one that does (the dates of the others, and
    their share of the finish, are computed once)."""
    n = pred_ptr.shape[0] - 1
    versions = active.shape[0]
    n_chunks = (count + chunk - 1) // chunk
    for c in nb.prange(n_chunks):
        tid = nb.get_thread_id()
        base = base_scratch[tid]
        es = es_scratch[tid]
        ef = ef_scratch[tid]
        dur = dur_scratch[tid]
        ubuf = u_scratch[tid]
        fin = fin_scratch[tid]
        fixed_fin = fixed_fin_scratch[tid]
        cst = cost_scratch[tid]
        a = c * chunk
        m = min(chunk, count - a)
        it0 = first + a
        offset = it0 - risk_first
        for j in range(n):  # the estimates alone, drawn once for every version
            _durations(j, it0, m, stream, kind, param, tables, disc_val, disc_cum,
                       corr_col, corr_u, corr_first, risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
                       override_mask, override_value, False, ubuf, base, j, 0)
            if not varies[j]:
                _version_durations(j, 0, m, offset, base, dur, risk_ptr, risk_idx, risk_impact, exist_row,
                                   neutral, active, override_mask)
        for t in range(m):
            fixed_fin[t] = np.float32(-np.inf)
        for j in range(n):  # the tasks no changing risk reaches: the same dates in every version
            if not affected[j]:
                _forward(j, m, es, ef, dur, pred_ptr, pred_idx, pred_type, pred_lag, release, candidate, fixed_fin)
        for q in range(versions):
            for t in range(m):
                fin[t] = fixed_fin[t]  # max() does not depend on the order: the same finish, to the bit
                cst[t] = 0.0
            for j in range(n):
                if varies[j]:
                    _version_durations(j, q, m, offset, base, dur, risk_ptr, risk_idx, risk_impact, exist_row,
                                       neutral, active, override_mask)
                if affected[j]:
                    _forward(j, m, es, ef, dur, pred_ptr, pred_idx, pred_type, pred_lag, release, candidate, fin)
                w = daily[j]
                if w != 0.0:
                    for t in range(m):
                        cst[t] += w * dur[j, t]
            for t in range(m):
                finish_out[q, a + t] = fin[t]
                cost_out[q, a + t] = cst[t]
                booked = 0.0
                for r in costly:  # as pmsim.montecarlo.runner.risk_costs adds them (a risk not booked adds +0.0)
                    if active[q, r] and occurred[r, a + t]:
                        booked += risk_cost[r]
                risk_cost_out[q, a + t] = booked
