"""The correlation kernels' sorting and ranking against numpy's and scipy's, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pmsim._kernels.correlation import _rank_order, rank_pairs, rank_rows


def _order(values, scale=1.0):
    m = values.shape[0]
    order = np.empty(m, dtype=np.int64)
    _rank_order(values, scale, np.empty(m, np.uint16), np.empty(m, np.uint16), np.empty(m, np.int32), order,
                np.empty(512, np.int32))
    return order


@pytest.mark.parametrize("m", [1024, 784, 3])
def test_rank_order_is_a_stable_sort(m):
    rng = np.random.default_rng(5)
    values = rng.standard_normal(m) * 1.3
    assert np.array_equal(_order(values, 1.3), np.argsort(values, kind="stable"))


def test_rank_order_of_ties_near_ties_and_far_values():
    rng = np.random.default_rng(6)
    values = np.round(rng.standard_normal(1024), 1)  # exact ties: equal values keep their iteration order
    values[:40] = 0.25 + 1e-9 * rng.standard_normal(40)  # within one key of each other: put in order by value
    values[40:60] = rng.choice([-1.0, 1.0], 20) * (7.0 + 3.0 * rng.random(20))  # past +-6 sd: clamped keys
    values[60] = -np.inf
    values[61] = np.inf
    assert np.array_equal(_order(values), np.argsort(values, kind="stable"))


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
