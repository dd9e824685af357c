"""The correlation kernels: Iman-Conover blocks (strata, the tasks' own draws, rank correlation, determinism) and
the ranking of a run against scipy's, exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from pmsim._kernels.correlation import correlate_blocks, rank_pairs, rank_rows
from pmsim._kernels.random import stream_keys, uniforms

BLOCK = 1024
# A rank-correlation target over four tasks with unequal and negative coefficients (positive definite).
TARGET = np.array([[1.0, 0.7, 0.3, -0.2],
                   [0.7, 1.0, 0.5, 0.0],
                   [0.3, 0.5, 1.0, -0.4],
                   [-0.2, 0.0, -0.4, 1.0]])


def _factor(rank_corr):
    # A bivariate normal of correlation r has Spearman's rho (6 / pi) asin(r / 2) (Pearson 1907): invert it.
    normal = 2.0 * np.sin(np.pi * np.asarray(rank_corr) / 6.0)
    w, v = np.linalg.eigh(normal)
    return np.ascontiguousarray(v * np.sqrt(np.maximum(w, 0.0)))  # F F^T = normal, singular allowed


def _table(bits=12):
    cells = 1 << bits
    return special.ndtri((np.arange(cells) + 0.5) / cells).astype(np.float32)


def _streams(k, seed=3):
    return stream_keys(np.uint64(seed), np.arange(1, k + 1, dtype=np.uint64), 0)


def _correlate(targets, count, first=0, seed=3):
    """Run correlate_blocks on components with rank-correlation ``targets``: (k, count) 32-bit draws."""
    factors = [_factor(t) for t in targets]
    sizes = [f.shape[0] for f in factors]
    comp_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    factor_ptr = np.concatenate([[0], np.cumsum([s * s for s in sizes])]).astype(np.int64)
    out = np.empty((comp_ptr[-1], count), dtype=np.uint32)
    correlate_blocks(first, count, BLOCK, _streams(comp_ptr[-1], seed), comp_ptr, factor_ptr,
                     np.concatenate([f.ravel() for f in factors]), np.ones(len(sizes), dtype=np.bool_), _table(),
                     out)
    return out


def _raw(k, first, count, seed=3):
    """The tasks' own 32-bit draws: ``uniforms`` gives (draw + 0.5) / 2**32."""
    return (uniforms(_streams(k, seed), first, count) * 2.0**32 - 0.5).astype(np.uint64)


def test_each_block_draws_once_in_each_stratum_by_the_tasks_own_draw():
    m = 3 * BLOCK + 500  # three whole blocks and a short last one
    out = _correlate([TARGET], m).astype(np.uint64)
    raw = _raw(4, 0, m)
    for b in range(3):
        cols = slice(b * BLOCK, (b + 1) * BLOCK)
        rank = out[:, cols] >> np.uint64(22)  # the stratum: 1024 of them, 10 bits
        assert all(np.array_equal(np.sort(r), np.arange(BLOCK)) for r in rank)
        # Within its stratum, the high 22 bits of the task's own draw: a uniform draw stays uniform.
        assert np.array_equal(out[:, cols] & np.uint64(2**22 - 1), raw[:, cols] >> np.uint64(10))
    # The short block: 500 strata of 2**32 / 500, the draw at (rank * 2**32 + own draw) / 500.
    tail = out[:, 3 * BLOCK:]
    rank = (tail * np.uint64(500)) >> np.uint64(32)
    assert all(np.array_equal(np.sort(r), np.arange(500)) for r in rank)
    assert np.array_equal(tail, ((rank << np.uint64(32)) + raw[:, 3 * BLOCK:]) // np.uint64(500))


def test_marginals_are_exactly_uniform_up_to_the_strata():
    m = 20 * BLOCK
    u = (_correlate([TARGET], m).astype(np.float64) + 0.5) / 2.0**32
    grid = np.arange(1, m + 1) / m
    for row in u:
        # Every whole block holds one draw per stratum of width 1/1024: the run's empirical CDF is within
        # 1/1024 of the uniform's everywhere (a plain sample's KS distance would be about 1/sqrt(m) = 0.007).
        x = np.sort(row)
        ks = max(np.abs(grid - x).max(), np.abs(grid - 1.0 / m - x).max())
        assert ks <= 1.0 / BLOCK + 1.0 / m


def test_achieved_rank_correlation_is_the_target():
    m = 20 * BLOCK
    out = _correlate([TARGET, [[1.0, -0.6], [-0.6, 1.0]]], m)
    rho = stats.spearmanr(out.T).statistic
    # Each block's normal scores have the target's normal-score correlation exactly; the rank correlation is
    # then within about 0.002 (one standard deviation over 20 blocks) of the target: 0.01 is 5 of them.
    assert np.abs(rho[:4, :4] - TARGET).max() < 0.01
    assert rho[4, 5] == pytest.approx(-0.6, abs=0.01)
    # Different components are independent: 1/sqrt(m) = 0.007 is the standard error of their rho.
    assert np.abs(rho[:4, 4:]).max() < 4 / math.sqrt(m)


def test_perfect_correlation_gives_the_same_ranks():
    out = _correlate([np.ones((3, 3))], 2 * BLOCK)
    rho = stats.spearmanr(out.T).statistic
    assert rho.min() > 0.9999


def test_same_numbers_whatever_the_batch_and_the_threads():
    import numba

    m = 5 * BLOCK + 300
    whole = _correlate([TARGET], m)
    # A batch starts at a whole block: iterations 2048 .. of the same run are the same numbers.
    assert np.array_equal(_correlate([TARGET], m - 2 * BLOCK, first=2 * BLOCK), whole[:, 2 * BLOCK:])
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        alone = _correlate([TARGET], m)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(alone, whole)
    assert not np.array_equal(_correlate([TARGET], m, seed=4), whole)


def test_spearman_from_float32_mid_ranks_is_scipys():
    rng = np.random.default_rng(7)
    rows = np.round(rng.gamma(2.0, 3.0, (4, 10_000)), 1).astype(np.float32)  # many ties
    rows[1] = 0.3 * rows[0] + rows[1]
    rows[3] = 5.0  # constant: no correlation
    ranks = np.empty(rows.shape, dtype=np.float32)
    sums = np.empty(4)
    rank_rows(rows, ranks, sums, 2)
    first, second = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3])
    rho = np.empty(4)
    rank_pairs(ranks, sums, first, second, rho)
    for p in range(3):
        expected = stats.spearmanr(rows[first[p]], rows[second[p]]).statistic
        assert rho[p] == pytest.approx(expected, abs=1e-12)
    assert np.isnan(rho[3])
