"""Correlated durations: Iman-Conover rank reordering in blocks of iterations, and rank correlations of a run.

Each block of iterations of a correlation component is reordered on its own
(:func:`correlate_blocks`): the iterations are ranked by a column of
correlated normal scores, and the iteration of rank r draws its uniform
within the r-th of the block's equal strata (from the task's own
counter-based stream), so every marginal stays exact and the numbers depend
only on (seed, task, block), whatever the batch size or thread count.
:func:`rank_pairs` measures the Spearman correlation reached, pair by pair.
"""

import math

import numba as nb
import numpy as np

from .montecarlo import radix_order
from .random import draw


@nb.njit(cache=True, fastmath=True)
def _dot(x, y):
    """Dot product, vectorised (its rounding is the same on every call on a machine)."""
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * y[i]
    return s


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


@nb.njit(cache=True)
def _rank_order(values, scale, key, key2, idx, order, count):
    """The iterations (``order``) sorted by ``values`` (about normal with standard deviation ``scale``), stable.

    Two 8-bit LSD radix passes over a 16-bit key that never decreases as the
    value grows (+-6 standard deviations, clamped beyond): the order is exact
    but among equal keys (values within about 2e-4 standard deviations of each
    other, a few pairs in a block), which a stable insertion then puts in order
    by their values. Equal values keep their iteration order.
    """
    m = values.shape[0]
    a = 65536.0 / (12.0 * scale)
    for t in range(m):  # vectorises
        key[t] = np.uint16(min(max(32768.0 + a * values[t], 0.0), 65535.0))
    count[:] = 0
    for t in range(m):  # both digits' counts in one pass
        k = key[t]
        count[k & 255] += 1
        count[256 + (k >> 8)] += 1
    low = 0
    high = 0
    for b in range(256):
        c = count[b]
        count[b] = low
        low += c
        c = count[256 + b]
        count[256 + b] = high
        high += c
    for t in range(m):
        k = key[t]
        pos = count[k & 255]
        count[k & 255] = pos + 1
        key2[pos] = k
        idx[pos] = t
    for s in range(m):
        k = key2[s]
        pos = count[256 + (k >> 8)]
        count[256 + (k >> 8)] = pos + 1
        key[pos] = k
        order[pos] = idx[s]
    for t in range(1, m):
        k = key[t]
        if key[t - 1] != k:
            continue
        i = order[t]
        v = values[i]
        s = t
        while s > 0 and key[s - 1] == k and values[order[s - 1]] > v:
            order[s] = order[s - 1]
            s -= 1
        order[s] = i


@nb.njit(cache=True)
def _increasing(row, order):
    """Whether ``row`` strictly increases along ``order``."""
    ok = True
    for r in range(1, order.shape[0]):
        ok &= row[order[r - 1]] < row[order[r]]
    return ok


@nb.njit(cache=True, parallel=True)
def correlate_blocks(first, count, block, streams, score_streams, comp_ptr, factor_ptr, factors,
                     correct, scores_full, scores_last, out):
    """Iman-Conover rank reordering of the correlated tasks' draws, in blocks of ``block`` iterations from a
    multiple of ``block``: ``out[col, t]`` for iteration ``first + t``. Component c: columns ``comp_ptr[c]..``,
    factor F (``factors[factor_ptr[c]:]``, row-major) with F F^T its target correlation."""
    # Plain loops, no BLAS: the matrices are small, and BLAS threads inside these threads would fight over
    # the cores. Each draw stays uniform (one per stratum of the block), so every marginal stays exact.
    n_comp = comp_ptr.shape[0] - 1
    n_blocks = (count + block - 1) // block
    for w in nb.prange(n_blocks * n_comp):
        b = w // n_comp
        cc = w % n_comp
        lo = comp_ptr[cc]
        k = comp_ptr[cc + 1] - lo
        start = b * block
        size = min(block, count - start)
        scores = scores_full if size == block else scores_last
        it0 = first + start
        r_t = np.empty((k, size))  # the scores, one row per column of R
        perm = np.empty(size, dtype=np.int64)
        perm0 = np.empty(size, dtype=np.int64)  # the first column's shuffle
        raw = np.empty(size, dtype=np.uint32)
        for col in range(k):
            # A random order of the scores: Fisher-Yates on the column's own counter stream, an index below
            # r + 1 from the high bits of each 32-bit draw (Lemire's multiply-shift, no division).
            for r in range(size):
                perm[r] = r
            stream = score_streams[lo + col]
            for r in range(size):
                raw[r] = draw(stream, it0 + r)
            for r in range(size - 1, 0, -1):
                q = np.int64((np.uint64(raw[r]) * np.uint64(r + 1)) >> np.uint64(32))
                perm[r], perm[q] = perm[q], perm[r]
            for r in range(size):
                r_t[col, perm[r]] = scores[r]
            if col == 0:
                perm0[:] = perm
        f = factors[factor_ptr[cc]:factor_ptr[cc + 1]].reshape((k, k))
        # T = R M with M = F^T, or M = Q^-T F^T when the scores' own sample
        # correlation Q Q^T = R^T R / ss is undone first.
        m_t = np.empty((k, k))  # M transposed: m_t[col] is column col of M
        for col in range(k):
            for c in range(k):
                m_t[col, c] = f[col, c]
        ss = _dot(scores, scores)
        if correct[cc] and size > 2 * k:
            gram = np.empty((k, k))
            for a in range(k):
                for c in range(a + 1):
                    gram[a, c] = gram[c, a] = _dot(r_t[a], r_t[c]) / ss
            q = np.empty((k, k))
            if cholesky(gram, q):
                for col in range(k):  # solve Q^T m = F^T[:, col] by back substitution
                    for a in range(k - 1, -1, -1):
                        x = f[col, a]
                        for c in range(a + 1, k):
                            x -= q[c, a] * m_t[col, c]
                        m_t[col, a] = x / q[a, a]
        # Each column of T has the scores' spread (F F^T has a unit diagonal): the scale of its rank keys.
        scale = max(math.sqrt(ss / size), 1e-300)
        t_row = np.empty(size)
        key = np.empty(size, dtype=np.uint16)
        key2 = np.empty(size, dtype=np.uint16)
        idx = np.empty(size, dtype=np.int32)
        order = np.empty(size, dtype=np.int64)
        counts = np.empty(512, dtype=np.int32)
        for col in range(k):
            # Column col of T; M is triangular when F is a Cholesky factor, so its trailing zeros are skipped.
            # Four columns of R a pass, so the row is read and written a quarter as often.
            t_row[:] = 0.0
            hi = k
            while hi > 0 and m_t[col, hi - 1] == 0.0:
                hi -= 1
            c = 0
            while c + 4 <= hi:
                w0, w1, w2, w3 = m_t[col, c], m_t[col, c + 1], m_t[col, c + 2], m_t[col, c + 3]
                s0, s1, s2, s3 = r_t[c], r_t[c + 1], r_t[c + 2], r_t[c + 3]
                for r in range(size):
                    t_row[r] += w0 * s0[r] + w1 * s1[r] + w2 * s2[r] + w3 * s3[r]
                c += 4
            while c < hi:
                w_c = m_t[col, c]
                src = r_t[c]
                for r in range(size):
                    t_row[r] += w_c * src[r]
                c += 1
            if hi == 1 and m_t[col, 0] > 0.0 and _increasing(t_row, perm0):
                order[:] = perm0  # a positive multiple of R's first column (F's first): sorted by its shuffle
            else:
                _rank_order(t_row, scale, key, key2, idx, order, counts)
            # The iteration of rank r draws within the r-th of ``size`` equal strata of the 32-bit range, by the
            # task's own draw there: every draw stays uniform, and the block's draws are stratified.
            stream = streams[lo + col]
            dst = out[lo + col]
            for r in range(size):  # vectorises
                raw[r] = draw(stream, it0 + r)
            if size & (size - 1) == 0:  # a power of two (every block but a run's last): shifts, no division
                bits = 0
                while (1 << bits) < size:
                    bits += 1
                high, low = np.uint64(32 - bits), np.uint64(bits)
                for r in range(size):
                    it = order[r]
                    dst[start + it] = np.uint32((np.uint64(r) << high) | (np.uint64(raw[it]) >> low))
            else:
                for r in range(size):
                    it = order[r]
                    v = np.uint64(raw[it])
                    dst[start + it] = np.uint32(((np.uint64(r) << np.uint64(32)) + v) // np.uint64(size))


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
