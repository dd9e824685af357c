"""The Monte Carlo engine's hot loops: sampling fused with the forward pass and the criticality trace.

Chunks of iterations run in parallel, each thread on its own scratch rows
(tasks x chunk, float32 working days); every number depends only on (seed,
task, iteration), so results ignore the chunk size and the thread count.
Entry points: :func:`simulate_batch`, :func:`sample_tasks`, :func:`risk_draws`,
:func:`spearman_rows` (correlation: :mod:`pmsim._kernels.correlation`).
"""

import math

import numba as nb
import numpy as np

from .escalation import add_escalated_rows
from .links import earliest_start_after, from_finish, raise_to_earliest_starts
from .random import draw, fill_draws, sample_into, to_uniform


@nb.njit(inline="always")
def absent(d):
    """Whether a sampled duration marks a task that does not exist in that iteration: -0.0 (it adds like 0)."""
    return d == 0.0 and math.copysign(1.0, d) < 0.0


@nb.njit(inline="always")
def _durations(j, first, count, stream, kind, param, tables, disc_val, disc_cum,
               corr_col, corr_u, corr_first, risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
               override_mask, override_value, with_risks, ubuf, out, row, offset):
    """Durations of task ``j`` for iterations ``first ..`` into ``out[row, offset + t]``; -0.0 where the task
    does not exist (``exist_row[j]``: its row of 0/1 factors in ``risk_impact``, -1 if it always exists).
    ``with_risks=False``: the sampled estimate alone (no risk, every task exists)."""
    if override_mask[j]:
        v = override_value[j]
        for t in range(count):
            out[row, offset + t] = v
        return
    col = corr_col[j]
    if col >= 0:
        base = first - corr_first
        for t in range(count):
            ubuf[t] = corr_u[col, base + t]
    else:
        sj = stream[j]
        for t in range(count):
            ubuf[t] = draw(sj, first + t)
    sample_into(kind[j], param, j, tables, disc_val, disc_cum, ubuf, count, out, row, offset)
    last = risk_ptr[j + 1]
    if with_risks and last > risk_ptr[j]:
        # A task's drivers come first (stored as ~r): they multiply the sampled duration by the risk's factor
        # (1 when it did not occur); then events add their days (0 when not; negative: an opportunity), the
        # last one flooring the duration at 0. One-dimensional rows, so the loops vectorise.
        base = first - risk_first
        dst = out[row]
        for k in range(risk_ptr[j], last):
            r = risk_idx[k]
            if r < 0:
                src = risk_impact[~r]
                for t in range(count):
                    dst[offset + t] *= src[base + t]
            elif k < last - 1:
                src = risk_impact[r]
                for t in range(count):
                    dst[offset + t] += src[base + t]
            else:
                src = risk_impact[r]
                for t in range(count):
                    dst[offset + t] = max(dst[offset + t] + src[base + t], np.float32(0.0))
    e = exist_row[j]
    if with_risks and e >= 0:
        src = risk_impact[e]
        dst = out[row]
        base = first - risk_first
        for t in range(count):
            if src[base + t] == 0.0:
                dst[offset + t] = np.float32(-0.0)


@nb.njit(inline="always")
def add_rate_costs(j, m, offset, dur_row, rate_ptr, rate_row, rate_w, rate_dev, cst):
    """Add task ``j``'s share of the uncertain resource rates: for each of its entries q, ``rate_w[q]`` (units x
    the resource's cost per day) x the draw's deviation from 1 (``rate_dev[rate_row[q], offset + t]``) x its
    duration. Nothing when ``rate_ptr`` has no entry for it."""
    for q in range(rate_ptr[j], rate_ptr[j + 1]):
        w = rate_w[q]
        dev = rate_dev[rate_row[q]]
        for t in range(m):
            cst[t] += w * dev[offset + t] * dur_row[t]


@nb.njit(cache=True, parallel=True)
def simulate_batch(
    first, count, chunk,
    pred_ptr, pred_idx, pred_type, pred_lag, candidate, candidates,
    stream, kind, param, tables, disc_val, disc_cum,
    corr_col, corr_u, corr_first,
    risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
    release, override_mask, override_value, daily, rate_ptr, rate_row, rate_w, rate_dev, rate_first,
    escalated, esc_fixed, esc_daily, esc_entry_class, esc_skip, esc_cum, esc_factor, esc_reach,
    with_criticality, keep_start, keep_finish, project_column,
    es_scratch, ef_scratch, dur_scratch, flag_scratch, any_scratch, u_scratch, fin_scratch, cost_scratch,
    finish_out, cost_out, crit_counts, start_out, task_finish_out,
):
    """Sample and schedule iterations ``first ..`` (outputs from 0): the finish, the cost ``sum_j daily[j] *
    duration_j`` (plus the uncertain rates' share, :func:`add_rate_costs`), criticality counts per thread and,
    when asked, task dates (task j in column ``project_column[j]``, none where it is -1).

    ``escalated``: the cost is instead each task's escalated cost over its dates
    (:func:`pmsim._kernels.escalation.add_escalated`: ``esc_fixed``/``esc_daily`` per class and task, the class
    of each rate entry, the index's ``esc_cum``/``esc_factor``), its fixed cost included, but for the tasks of
    ``esc_skip`` (level of effort: costed from their spans); ``esc_reach[thread]`` is raised to the latest
    finish seen, so the caller can check the index covered it."""
    n = pred_ptr.shape[0] - 1
    n_chunks = (count + chunk - 1) // chunk
    for c in nb.prange(n_chunks):
        tid = nb.get_thread_id()
        es = es_scratch[tid]
        ef = ef_scratch[tid]
        dur = dur_scratch[tid]
        ubuf = u_scratch[tid]
        fin = fin_scratch[tid]
        cst = cost_scratch[tid]
        a = c * chunk
        m = min(chunk, count - a)
        it0 = first + a
        for t in range(m):
            fin[t] = np.float32(-np.inf)
            cst[t] = 0.0
        for j in range(n):
            _durations(j, it0, m, stream, kind, param, tables, disc_val, disc_cum,
                       corr_col, corr_u, corr_first, risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
                       override_mask, override_value, True, ubuf, dur, j, 0)
            r = release[j]
            for t in range(m):
                es[j, t] = r
            for k in range(pred_ptr[j], pred_ptr[j + 1]):
                i = pred_idx[k]
                lag = pred_lag[k]
                raise_to_earliest_starts(pred_type[k], es, ef, dur, i, j, lag, m)
            for t in range(m):
                ef[j, t] = es[j, t] + dur[j, t]
            if candidate[j]:
                for t in range(m):
                    fin[t] = max(fin[t], ef[j, t])
            if escalated:
                reach = esc_reach[tid]
                for t in range(m):
                    reach = max(reach, np.float64(ef[j, t]))
                esc_reach[tid] = reach
                if not esc_skip[j]:
                    add_escalated_rows(j, m, es, ef, dur, esc_fixed, esc_daily, rate_ptr, rate_row, rate_w,
                                       rate_dev, it0 - rate_first, esc_entry_class, esc_cum, esc_factor, cst)
            else:
                w = daily[j]
                if w != 0.0:
                    for t in range(m):
                        cst[t] += w * dur[j, t]
                add_rate_costs(j, m, it0 - rate_first, dur[j], rate_ptr, rate_row, rate_w, rate_dev, cst)
            col = project_column[j]  # -1: a task whose dates are not kept
            if keep_start and col >= 0:
                for t in range(m):
                    start_out[a + t, col] = es[j, t]
            if keep_finish and col >= 0:
                for t in range(m):
                    task_finish_out[a + t, col] = ef[j, t]
        for t in range(m):
            finish_out[a + t] = fin[t]
            cost_out[a + t] = cst[t]
        if with_criticality:
            _criticality(n, m, fin, es, ef, dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                         flag_scratch[tid], any_scratch[tid], crit_counts[tid])


@nb.njit(inline="always")
def _criticality(n, m, fin, es, ef, dur, pred_ptr, pred_idx, pred_type, pred_lag, candidates,
                 flag, anyflag, counts):
    """Count, per task, the chunk's iterations in which it drives the finish."""
    # One backward sweep, vectorised over the chunk, visiting the tasks flagged in some iteration: a task is
    # flagged when it finishes last or when its link allows exactly (within float32 rounding) the start of
    # a flagged successor. Ties are all followed: with fixed durations, CPM's zero-float tasks.
    for q in range(candidates.shape[0]):
        j = candidates[q]
        hit = False
        for t in range(m):
            f = fin[t]
            on = ef[j, t] >= f - np.float32(1e-6) * max(np.float32(1.0), abs(f))
            flag[j, t] = on
            hit |= on
        anyflag[j] = hit
    for j in range(n - 1, -1, -1):
        if not anyflag[j]:
            continue
        anyflag[j] = False
        total = 0
        for t in range(m):
            total += flag[j, t] and not absent(dur[j, t])  # a task counts only where it exists
        counts[j] += total
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[k]
            lag = pred_lag[k]
            link_type = pred_type[k]
            pred_dates = ef if from_finish(link_type) else es
            hit = False
            for t in range(m):
                # The forward pass's rule, so a driving link compares equal.
                v = earliest_start_after(link_type, pred_dates[i, t], lag, dur[j, t])
                s = es[j, t]
                on = flag[j, t] and v >= s - np.float32(1e-6) * max(np.float32(1.0), abs(s))
                flag[i, t] = flag[i, t] or on
                hit |= on
            if hit:
                anyflag[i] = True
        for t in range(m):
            flag[j, t] = False


@nb.njit(cache=True, parallel=True)
def sample_tasks(
    tasks, first, count, chunk,
    stream, kind, param, tables, disc_val, disc_cum,
    corr_col, corr_u, corr_first,
    risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
    override_mask, override_value, with_risks, u_scratch, out,
):
    """Durations of ``tasks`` (topological indices) for iterations ``first ..`` into ``out[q, t]``: the numbers
    :func:`simulate_batch` draws."""
    # One task per parallel step: each writes its own contiguous row.
    for q in nb.prange(tasks.shape[0]):
        ubuf = u_scratch[nb.get_thread_id()]
        for a in range(0, count, chunk):
            m = min(chunk, count - a)
            _durations(tasks[q], first + a, m, stream, kind, param, tables, disc_val, disc_cum,
                       corr_col, corr_u, corr_first, risk_ptr, risk_idx, risk_impact, risk_first, exist_row,
                       override_mask, override_value, with_risks, ubuf, out, q, a)


@nb.njit(cache=True)
def risk_draws(first, count, occur_stream, impact_stream, probability, neutral, kind, param, tables,
               disc_val, disc_cum, occurred, impact):
    """Per risk and iteration: did it occur (``occurred``), and its impact (``impact``): the days an event adds,
    the factor a driver multiplies by; ``neutral[r]`` (0 or 1) when it did not occur."""
    ubuf = np.empty(count, dtype=np.uint32)
    for r in range(probability.shape[0]):
        p = probability[r]
        fill_draws(occur_stream[r], first, count, ubuf)
        for t in range(count):
            occurred[r, t] = to_uniform(ubuf[t]) < p
        fill_draws(impact_stream[r], first, count, ubuf)
        sample_into(kind[r], param, r, tables, disc_val, disc_cum, ubuf, count, impact, r, 0)
        for t in range(count):
            if not occurred[r, t]:
                impact[r, t] = neutral[r]


@nb.njit(cache=True)
def radix_order(keys, key_a, key_b, idx_a, idx_b, count):
    """Stable LSD radix sort of uint32 ``keys`` (3 passes of 11 bits): (sorted keys, order).

    Keys travel with their indices, so every pass reads sequentially.
    """
    m = keys.shape[0]
    for t in range(m):
        key_a[t] = keys[t]
        idx_a[t] = t
    for shift in (0, 11, 22):
        count[:] = 0
        for t in range(m):
            count[((key_a[t] >> shift) & 2047) + 1] += 1
        for b in range(2048):
            count[b + 1] += count[b]
        for t in range(m):
            b = (key_a[t] >> shift) & 2047
            pos = count[b]
            count[b] = pos + 1
            key_b[pos] = key_a[t]
            idx_b[pos] = idx_a[t]
        key_a, key_b = key_b, key_a
        idx_a, idx_b = idx_b, idx_a
    return key_a, idx_a


@nb.njit(cache=True, parallel=True)
def spearman_rows(values, finish_rank_centred, threads, out):
    """Spearman rank correlation (mid-ranks for ties; 0 for a constant row) of each row of ``values`` (float32 >= 0)
    with the finish, given as its centred mid-ranks; ``threads``: one set of sort buffers each."""
    g, m = values.shape
    centre = (m + 1) / 2.0
    ff = 0.0
    for t in range(m):
        ff += finish_rank_centred[t] * finish_rank_centred[t]
    key_a = np.empty((threads, m), dtype=np.uint32)
    key_b = np.empty((threads, m), dtype=np.uint32)
    idx_a = np.empty((threads, m), dtype=np.int32)
    idx_b = np.empty((threads, m), dtype=np.int32)
    counts = np.empty((threads, 2049), dtype=np.int64)
    for q in nb.prange(g):
        tid = nb.get_thread_id()
        keys = values[q].view(np.uint32)  # non-negative floats sort as their bits
        ranked, order = radix_order(keys, key_a[tid], key_b[tid], idx_a[tid], idx_b[tid], counts[tid])
        sxy = 0.0
        sxx = 0.0
        t = 0
        while t < m:
            u = t
            while u + 1 < m and ranked[u + 1] == ranked[t]:  # equal bits: equal durations
                u += 1
            rank = (t + u) / 2.0 + 1.0 - centre
            for k in range(t, u + 1):
                sxy += rank * finish_rank_centred[order[k]]
            sxx += (u - t + 1) * rank * rank
            t = u + 1
        out[q] = sxy / np.sqrt(sxx * ff) if sxx > 0.0 and ff > 0.0 else 0.0
