"""The engine's samplers against closed forms (its random numbers: tests/kernels/test_random.py).

Every check uses a fixed seed; tolerances are stated as multiples of the
standard error (4 SE: a correct sampler fails about once in 15,000 runs, and
with a fixed seed the outcome never changes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

import pmsim as pm

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
