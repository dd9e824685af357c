"""Correlated durations: Iman-Conover rank reordering in blocks of iterations, and rank correlations of a run.

Each block of iterations of a correlation component is reordered on its own
(:func:`correlate_blocks`): the iterations are ranked (a counting sort) by a
column of correlated normal scores, and the iteration of rank r draws its
uniform within the r-th of the block's equal strata (by the task's own
counter-based draw, whose other half gave its score), so every marginal
stays exact and the numbers depend only on (seed, task, block), whatever the
batch size or thread count.
:func:`rank_pairs` measures the Spearman correlation reached, pair by pair.
"""

import math

import numba as nb
import numpy as np

from .montecarlo import radix_order
from .random import GAMMA, mix64

_ONE = np.uint64(1)
_S32 = np.uint64(32)


@nb.njit(cache=True)
def cholesky(a, out):
    """Lower Cholesky factor of the symmetric positive definite ``a`` into ``out``; False if it is not."""
    k = a.shape[0]
    for i in range(k):
        for j in range(i + 1):
            s = a[i, j]
            for q in range(j):
                s -= out[i, q] * out[j, q]
            if i == j:
                if s <= 0.0:
                    return False
                out[i, i] = np.sqrt(s)
            else:
                out[i, j] = s / out[j, j]
        for j in range(i + 1, k):
            out[i, j] = 0.0
    return True


_BUCKETS = 512  # rank buckets of a column of scores: equal widths over +-4 standard deviations
_HALF_RANGE = 4.0


@nb.njit(cache=True, parallel=True, fastmath=True)
def correlate_blocks(first, count, block, streams, comp_ptr, factor_ptr, factors, correct, table, out):
    """Iman-Conover rank reordering of the correlated tasks' draws, in blocks of ``block`` iterations from a
    multiple of ``block``: ``out[col, t]`` for iteration ``first + t``. Component c: columns ``comp_ptr[c]..``,
    factor F (``factors[factor_ptr[c]:]``, row-major) with F F^T its normal-score target correlation;
    ``table``: the normal scores of 2**b equal cells of probability (float32, b <= 32).

    One 64-bit number per task and iteration (the task's own counter stream) gives both the iteration's
    score, a normal quantile from its low half, and the task's 32-bit draw, its high half (the number an
    uncorrelated run uses). Per block and component, the scores R (iterations x k) are centred and made
    exactly uncorrelated (their sample Gram matrix Q Q^T undone), then T = R Q^-T F^T has the sample
    correlation F F^T exactly. Each column of T is ranked by a counting sort into equal-width buckets (ties
    within a bucket, values less than 1/64 of a standard deviation apart, in iteration order), and the iteration
    of rank r draws its uniform within the r-th of the block's equal strata by its own draw: a permutation
    of the strata whatever the ties, so every draw stays uniform and each block's draws are stratified.
    The numbers depend only on (seed, task, block), not on the batch or the threads."""
    # Plain loops, no BLAS: the matrices are small, and BLAS threads inside these threads would fight over the
    # cores. float32 scores: twice the lanes of float64; Q and M in float64.
    n_comp = comp_ptr.shape[0] - 1
    n_blocks = (count + block - 1) // block
    bits = 0
    while (1 << bits) < table.shape[0]:
        bits += 1
    cell_shift = np.uint64(32 - bits)
    cell_mask = np.uint64(table.shape[0] - 1)
    for w in nb.prange(n_blocks * n_comp):
        b = w // n_comp
        cc = w % n_comp
        lo = comp_ptr[cc]
        k = comp_ptr[cc + 1] - lo
        start = b * block
        size = min(block, count - start)
        it0 = first + start
        r_t = np.empty((k, size), dtype=np.float32)  # the scores, one row per column of R
        raw = np.empty((k, size), dtype=np.uint32)
        mean = np.empty(k)
        for col in range(k):
            stream = streams[lo + col]
            row = r_t[col]
            rw = raw[col]
            for r in range(size):  # vectorises
                h = mix64(stream + (np.uint64(it0 + r) + _ONE) * GAMMA)  # draw(stream, it0 + r) is h >> 32
                rw[r] = np.uint32(h >> _S32)
                row[r] = table[(h >> cell_shift) & cell_mask]
            s = np.float32(0.0)
            for r in range(size):
                s += row[r]
            mean[col] = s / size
        f = factors[factor_ptr[cc]:factor_ptr[cc + 1]].reshape((k, k))
        # T = R M with M = F^T, or M = Q^-T F^T when the scores' own sample covariance Q Q^T is undone.
        m_t = np.empty((k, k))  # M transposed: m_t[col] is column col of M
        for col in range(k):
            for c in range(k):
                m_t[col, c] = f[col, c]
        if correct[cc] and size > 2 * k:
            gram = _covariance(r_t, mean, size)
            q = np.empty((k, k))
            if cholesky(gram, q):
                for col in range(k):  # solve Q^T m = F^T[:, col] by back substitution
                    for a in range(k - 1, -1, -1):
                        x = f[col, a]
                        for c in range(a + 1, k):
                            x -= q[c, a] * m_t[col, c]
                        m_t[col, a] = x / q[a, a]
        t_row = np.empty(size, dtype=np.float32)
        bucket = np.empty(size, dtype=np.uint32)
        counts = np.empty(_BUCKETS, dtype=np.uint32)
        for col in range(k):
            _combine(r_t, m_t[col], t_row)
            # Its buckets: the column's own mean and spread (T's is about F F^T's unit diagonal; measured, so
            # an uncorrected block is bucketed as well).
            s1 = 0.0
            s2 = 0.0
            for r in range(size):
                v = np.float64(t_row[r])
                s1 += v
                s2 += v * v
            mu = s1 / size
            scale = _BUCKETS / (2.0 * _HALF_RANGE * math.sqrt(max(s2 / size - mu * mu, 1e-300)))
            shift = _BUCKETS / 2.0 - mu * scale
            top = _BUCKETS - 1.0
            for r in range(size):  # vectorises
                bucket[r] = np.uint32(min(max(np.float64(t_row[r]) * scale + shift, 0.0), top))
            counts[:] = 0
            for r in range(size):
                counts[bucket[r]] += np.uint32(1)
            below = np.uint32(0)
            for q2 in range(_BUCKETS):
                c2 = counts[q2]
                counts[q2] = below
                below += c2
            for r in range(size):  # each bucket's iterations in iteration order: the ranks, in place
                bq = bucket[r]
                rank = counts[bq]
                counts[bq] = rank + np.uint32(1)
                bucket[r] = rank
            # The iteration of rank r draws within the r-th of ``size`` equal strata of the 32-bit range, by the
            # task's own draw there: every draw stays uniform, and the block's draws are stratified.
            dst = out[lo + col]
            rw = raw[col]
            if size & (size - 1) == 0:  # a power of two (every block but a run's last): shifts
                bits_size = 0
                while (1 << bits_size) < size:
                    bits_size += 1
                high, low = np.uint32(32 - bits_size), np.uint32(bits_size)
                for r in range(size):  # vectorises
                    dst[start + r] = (bucket[r] << high) | (rw[r] >> low)
            else:
                # floor((rank 2**32 + draw) / size), exactly: below 2**42, so exact in float64, and the fraction
                # (remainder + 1/2) / size is at least 1/(2 size) from an integer, far above the rounding (2**-20).
                inverse = 1.0 / size
                for r in range(size):  # vectorises
                    x = np.float64(bucket[r]) * 4294967296.0 + np.float64(rw[r]) + 0.5
                    dst[start + r] = np.uint32(x * inverse)


@nb.njit(inline="always")
def _covariance(r_t, mean, size):
    """The sample covariance of the rows of ``r_t`` (float64 k x k), four dot products a pass."""
    k = r_t.shape[0]
    gram = np.empty((k, k))
    for a in range(k):
        ra = r_t[a]
        c = 0
        while c + 4 <= a + 1:
            x0, x1, x2, x3 = r_t[c], r_t[c + 1], r_t[c + 2], r_t[c + 3]
            s0 = s1 = s2 = s3 = np.float32(0.0)
            for r in range(size):  # vectorises
                v = ra[r]
                s0 += v * x0[r]
                s1 += v * x1[r]
                s2 += v * x2[r]
                s3 += v * x3[r]
            gram[a, c] = gram[c, a] = s0 / size - mean[a] * mean[c]
            gram[a, c + 1] = gram[c + 1, a] = s1 / size - mean[a] * mean[c + 1]
            gram[a, c + 2] = gram[c + 2, a] = s2 / size - mean[a] * mean[c + 2]
            gram[a, c + 3] = gram[c + 3, a] = s3 / size - mean[a] * mean[c + 3]
            c += 4
        while c <= a:
            xc = r_t[c]
            s0 = np.float32(0.0)
            for r in range(size):
                s0 += ra[r] * xc[r]
            gram[a, c] = gram[c, a] = s0 / size - mean[a] * mean[c]
            c += 1
    return gram


@nb.njit(inline="always")
def _combine(r_t, weights, t_row):
    """``t_row = sum_c weights[c] r_t[c]``: four rows a pass, trailing zero weights skipped (M is triangular
    when F is a Cholesky factor)."""
    k = r_t.shape[0]
    size = t_row.shape[0]
    t_row[:] = 0.0
    hi = k
    while hi > 0 and weights[hi - 1] == 0.0:
        hi -= 1
    c = 0
    while c + 4 <= hi:
        w0, w1 = np.float32(weights[c]), np.float32(weights[c + 1])
        w2, w3 = np.float32(weights[c + 2]), np.float32(weights[c + 3])
        s0, s1, s2, s3 = r_t[c], r_t[c + 1], r_t[c + 2], r_t[c + 3]
        for r in range(size):  # vectorises
            t_row[r] += w0 * s0[r] + w1 * s1[r] + w2 * s2[r] + w3 * s3[r]
        c += 4
    while c < hi:
        w_c = np.float32(weights[c])
        src = r_t[c]
        for r in range(size):
            t_row[r] += w_c * src[r]
        c += 1


@nb.njit(cache=True)
def _mid_ranks(values, ranks, key, key_a, key_b, idx_a, idx_b, count):
    """Centred mid-ranks of float32 ``values`` (ties share their mean rank) into ``ranks``; their sum of squares."""
    m = values.shape[0]
    bits = values.view(np.uint32)
    for t in range(m):  # order-preserving keys: negative floats flipped, -0.0 made +0.0 (they are equal)
        b = bits[t] if values[t] != 0.0 else np.uint32(0)
        key[t] = ~b if b >> np.uint32(31) else b | np.uint32(0x80000000)
    keys, order = radix_order(key, key_a, key_b, idx_a, idx_b, count)
    centre = (m + 1) / 2.0
    ss = 0.0
    t = 0
    while t < m:
        u = t
        while u + 1 < m and keys[u + 1] == keys[t]:
            u += 1
        rank = (t + u) / 2.0 + 1.0 - centre
        for s in range(t, u + 1):
            ranks[order[s]] = rank
        ss += (u - t + 1) * rank * rank
        t = u + 1
    return ss


@nb.njit(cache=True, parallel=True)
def rank_rows(values, ranks, sums, threads):
    """Centred mid-ranks of each row of float32 ``values`` into ``ranks`` (float32: exact below 2**23
    iterations), and each row's sum of squares; ``threads``: one set of sort buffers each."""
    g, m = values.shape
    key = np.empty((threads, m), dtype=np.uint32)
    key_a = np.empty((threads, m), dtype=np.uint32)
    key_b = np.empty((threads, m), dtype=np.uint32)
    idx_a = np.empty((threads, m), dtype=np.int32)
    idx_b = np.empty((threads, m), dtype=np.int32)
    counts = np.empty((threads, 2049), dtype=np.int64)
    for q in nb.prange(g):
        tid = nb.get_thread_id()
        sums[q] = _mid_ranks(values[q], ranks[q], key[tid], key_a[tid], key_b[tid], idx_a[tid], idx_b[tid], counts[tid])


@nb.njit(cache=True, fastmath=True)
def _dot_wide(x, y):
    """Dot product of float32 vectors, each product and the sum in float64, vectorised."""
    s = 0.0
    for i in range(x.shape[0]):
        s += np.float64(x[i]) * np.float64(y[i])
    return s


@nb.njit(cache=True, parallel=True)
def rank_pairs(ranks, sums, first, second, out):
    """Spearman's rho of rows ``first[p]`` and ``second[p]`` of centred mid-ranks (NaN when one is constant).

    Mid-ranks are multiples of 1/2, held exactly in float32 (half the memory of float64) below 2**23
    iterations; their products and, below about 300,000 iterations, their sums are exact in float64, so
    rho does not depend on the order of the additions."""
    for p in nb.prange(first.shape[0]):
        a, b = first[p], second[p]
        d = sums[a] * sums[b]
        out[p] = _dot_wide(ranks[a], ranks[b]) / math.sqrt(d) if d > 0.0 else np.nan
