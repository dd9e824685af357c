"""The kernels' random numbers: the counter-based generator, the quantile helpers and the search's stream.

Tolerances are multiples of the standard error (4 SE), with fixed seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from pmsim._kernels.random import (beta_quantile_tables, ndtri, stream_keys, uniforms, xorshift_next,
                                   xorshift_randint, xorshift_uniform)
from pmsim.montecarlo.encoding import TABLE_CELLS, TABLE_POINTS


@pytest.mark.parametrize("alpha, beta", [(1, 5), (1.3, 4.7), (3, 3), (5, 1), (2, 2), (1.5, 6.5), (11, 2), (1, 1)])
def test_beta_quantile_tables_match_scipy(alpha, beta):
    table = beta_quantile_tables(np.array([alpha], float), np.array([beta], float), TABLE_POINTS, TABLE_CELLS)[0]
    u = np.arange(TABLE_POINTS) / (TABLE_POINTS - 1)
    exact = special.betaincinv(alpha, beta, u)
    # float32 rounding of values in [0, 1] is 6e-8; the table is within twice that.
    assert np.abs(table - exact).max() < 1.2e-7
    assert table[0] == 0.0 and table[-1] == 1.0 and np.all(np.diff(table) >= 0)


def test_normal_quantile_to_double_precision():
    p = np.concatenate([np.logspace(-300, -1, 60), np.linspace(0.05, 0.95, 91), 1 - np.logspace(-1, -15, 30)])
    ours = np.array([ndtri(x) for x in p])
    assert np.allclose(ours, special.ndtri(p), rtol=1e-12, atol=1e-12)
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf


# --------------------------------------------------------------------------- random numbers


def streams(count, seed=12345, purpose=0):
    from pmsim.montecarlo.plan import seed_key as _seed_key

    keys = np.arange(1, count + 1, dtype=np.uint64)
    return stream_keys(_seed_key(seed), keys, purpose)


def test_uniforms_are_a_pure_function_of_stream_and_iteration():
    s = streams(3)
    whole = uniforms(s, 0, 1000)
    assert np.array_equal(uniforms(s, 400, 100), whole[:, 400:500])
    assert np.array_equal(uniforms(s[1:2], 0, 1000)[0], whole[1])
    assert whole.min() > 0.0 and whole.max() < 1.0


def test_uniform_moments_and_equidistribution():
    u = uniforms(streams(4), 0, 250_000)
    m = u.shape[1]
    assert np.all(np.abs(u.mean(axis=1) - 0.5) < 4 * math.sqrt(1 / 12 / m))
    # Var(u) = 1/12; SE of the sample variance of a uniform = sqrt(1/180 / m).
    assert np.all(np.abs(u.var(axis=1) - 1 / 12) < 4 * math.sqrt(1 / 180 / m))
    for row in u:
        counts = np.bincount((row * 64).astype(int), minlength=64)
        chi2 = ((counts - m / 64) ** 2 / (m / 64)).sum()
        assert chi2 < stats.chi2.ppf(0.9999, 63)


def test_independence_across_tasks_iterations_seeds_and_purposes():
    m = 200_000
    limit = 4 / math.sqrt(m)  # SE of a correlation of independent variables is 1/sqrt(m)
    tasks = uniforms(streams(6), 0, m)
    r = np.corrcoef(tasks)
    assert np.abs(r[np.triu_indices(6, 1)]).max() < limit
    for row in tasks:  # serial correlation at lags 1 and 2 within a stream
        assert abs(np.corrcoef(row[1:], row[:-1])[0, 1]) < limit
        assert abs(np.corrcoef(row[2:], row[:-2])[0, 1]) < limit
    other_seed = uniforms(streams(6, seed=12346), 0, m)
    assert max(abs(np.corrcoef(a, b)[0, 1]) for a, b in zip(tasks, other_seed)) < limit
    other_purpose = uniforms(streams(6, purpose=3), 0, m)
    assert max(abs(np.corrcoef(a, b)[0, 1]) for a, b in zip(tasks, other_purpose)) < limit
    # Pairs in the unit square: no lattice structure at a 32 x 32 resolution.
    counts = np.bincount((tasks[0] * 32).astype(int) * 32 + (tasks[1] * 32).astype(int), minlength=1024)
    chi2 = ((counts - m / 1024) ** 2 / (m / 1024)).sum()
    assert chi2 < stats.chi2.ppf(0.9999, 1023)


def test_the_search_stream_is_xorshift64_star():
    # The numbers the levelling search has always drawn from this state (pinned: its schedules depend on them).
    state = np.array([0x9E3779B97F4A7C15], dtype=np.uint64)
    assert [xorshift_uniform(state) for _ in range(3)] == [0.052790873358508184, 0.33112028100185353,
                                                          0.6573173557412489]
    assert [xorshift_randint(state, 10) for _ in range(5)] == [4, 5, 6, 8, 4]
    assert int(xorshift_next(state)) == 9788261334167716012
