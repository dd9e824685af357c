"""The engine's samplers and its counter-based random numbers, against closed forms.

Every check uses a fixed seed; tolerances are stated as multiples of the
standard error (4 SE: a correct sampler fails about once in 15,000 runs, and
with a fixed seed the outcome never changes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import special, stats

import pmsim as pm
from pmsim._kernels.random import beta_quantile_tables, ndtri, stream_keys, uniforms
from pmsim.montecarlo.encoding import TABLE_CELLS, TABLE_POINTS

M = 20_000


def draws(estimate, iterations=M, seed=1):
    """The engine's durations of one task with this estimate (its finish in a one-task project)."""
    p = pm.Project(name="one", start="2027-01-04", tasks=[pm.Task("T", estimate=estimate)])
    return pm.simulate(p, iterations=iterations, seed=seed).finish


CONTINUOUS = [
    pm.Triangular(2, 5, 11),
    pm.Triangular(3, 3, 8),  # mode at the low end
    pm.Triangular(1, 6, 6),  # mode at the high end
    pm.BetaPert(2, 5, 11),
    pm.BetaPert(1, 2, 9, lamb=2),  # modified PERT
    pm.BetaPert(4, 4, 10),  # alpha = 1
    pm.Uniform(3, 7),
    pm.Lognormal.from_percentiles(5, 20),
    pm.Lognormal.from_three_point(4, 6, 14),
]


@pytest.mark.parametrize("estimate", CONTINUOUS, ids=repr)
def test_moments_match_the_closed_forms(estimate):
    x = draws(estimate)
    sd = estimate.std
    assert abs(x.mean() - estimate.mean) < 4 * sd / math.sqrt(M)
    # SE of the sample variance ~ sd^2 sqrt((kurtosis - 1) / M); kurtosis <= 9 for these shapes.
    assert abs(x.var(ddof=1) - estimate.var) < 4 * estimate.var * math.sqrt(8 / M)


@pytest.mark.parametrize("estimate", CONTINUOUS, ids=repr)
def test_whole_distribution_matches_the_cdf(estimate):
    # Kolmogorov-Smirnov distance below its 99.9 % critical value 1.95 / sqrt(M).
    x = draws(estimate, seed=2)
    d = stats.kstest(x, estimate.cdf).statistic
    assert d < 1.95 / math.sqrt(M)


def test_discrete_frequencies():
    d = pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2))
    x = draws(d, seed=3)
    assert set(np.unique(x)) == {10.0, 15.0, 20.0}
    for value, prob in zip(d.values, d.probabilities):
        share = np.mean(x == value)
        assert abs(share - prob) < 4 * math.sqrt(prob * (1 - prob) / M)


@dataclass(frozen=True)
class Gamma(pm.distributions.Distribution):
    """A distribution pmsim does not know: the engine samples it from a table of its ppf."""

    shape: float = 3.0

    @property
    def mean(self):
        return self.shape

    @property
    def var(self):
        return self.shape

    def ppf(self, u):
        return stats.gamma(self.shape).ppf(u)

    def cdf(self, x):
        return stats.gamma(self.shape).cdf(x)


def test_any_other_distribution_is_sampled_from_its_ppf():
    d = Gamma()
    x = draws(d, seed=5)
    assert abs(x.mean() - d.mean) < 4 * d.std / math.sqrt(M)
    assert abs(x.var(ddof=1) - d.var) < 4 * d.var * math.sqrt(8 / M)  # gamma(3) kurtosis 5
    assert stats.kstest(x, d.cdf).statistic < 1.95 / math.sqrt(M)


def test_fixed_is_exact():
    assert np.all(draws(pm.Fixed(4.5), iterations=500) == 4.5)
    assert np.all(draws(pm.Triangular(3, 3, 3), iterations=500) == 3.0)  # zero width


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


def test_a_task_keeps_its_numbers_when_the_project_changes():
    # Streams are keyed by task id, not position: common random numbers for what-if comparisons.
    a = pm.Task("A", optimistic=2, most_likely=4, pessimistic=9)
    small = pm.Project(name="x", start="2027-01-04", tasks=[a])
    big = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task("Z", optimistic=1, most_likely=2, pessimistic=3), a],
                     dependencies=[pm.Dependency("Z", "A", "SS")])
    one = pm.simulate(small, iterations=3000, seed=9, keep="tasks").task_finish[:, 0]
    two = pm.simulate(big, iterations=3000, seed=9, keep="tasks")
    _, start, finish = next(two.iter_task_dates(chunk_size=3000))
    assert np.array_equal(one.astype(np.float64), finish[:, 1] - start[:, 1])


def test_distribution_sample_method_uses_the_seed():
    d = pm.BetaPert(2, 5, 11)
    assert np.array_equal(d.sample(100, seed=4), d.sample(100, seed=4))
    assert d.sample(50_000, seed=4).mean() == pytest.approx(d.mean, abs=4 * d.std / math.sqrt(50_000))
