"""Closed forms worked by hand, planned values, bounds and scaling of the estimates.

Sampling and its statistics are tested in test_distributions.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pmsim as pm
from pmsim.errors import ValidationError

LOGNORMAL = pm.Lognormal.from_percentiles(5, 20)


@pytest.mark.parametrize(
    "estimate, mean, var",
    [
        # (1 + 2 + 6) / 3; (1 + 36 + 4 - 6 - 2 - 12) / 18
        (pm.Triangular(1, 2, 6), 3.0, 21 / 18),
        # (1 + 4*2 + 9) / 6; (mean - o)(p - mean) / (lambda + 3) = 2 * 6 / 7
        (pm.BetaPert(1, 2, 9), 3.0, 12 / 7),
        # lambda 2: (1 + 2*2 + 9) / 4 = 3.5; 2.5 * 5.5 / 5
        (pm.BetaPert(1, 2, 9, lamb=2), 3.5, 2.75),
        # (2 + 4) / 2; 2^2 / 12
        (pm.Uniform(2, 4), 3.0, 1 / 3),
        # 0.5*10 + 0.3*15 + 0.2*20; 0.5*3.5^2 + 0.3*1.5^2 + 0.2*6.5^2
        (pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2)), 13.5, 15.25),
        (pm.Fixed(4), 4.0, 0.0),
    ],
)
def test_mean_and_variance_by_hand(estimate, mean, var):
    assert estimate.mean == pytest.approx(mean, rel=1e-12)
    assert estimate.var == pytest.approx(var, rel=1e-12)


@pytest.mark.parametrize(
    "estimate, planned, low, high",
    [
        (pm.Triangular(1, 2, 6), 2.0, 1.0, 6.0),
        (pm.BetaPert(1, 2, 9), 2.0, 1.0, 9.0),
        (pm.Uniform(2, 4), 3.0, 2.0, 4.0),  # the median
        (pm.Discrete((10, 15, 20), (0.3, 0.5, 0.2)), 15.0, 10.0, 20.0),  # the most probable value
        (pm.Fixed(4), 4.0, 4.0, 4.0),
        (LOGNORMAL, 10.0, 0.0, math.inf),  # the median, sqrt(5 * 20)
    ],
)
def test_planned_value_and_bounds(estimate, planned, low, high):
    assert estimate.planned == pytest.approx(planned, rel=1e-12)
    assert (estimate.low, estimate.high) == (pytest.approx(low), high)


def test_cdf_by_hand_and_inverse_of_ppf():
    t = pm.Triangular(1, 2, 6)
    # Left of the mode: (x - 1)^2 / ((6 - 1)(2 - 1)); right: 1 - (6 - x)^2 / (5 * 4).
    assert t.cdf([0.5, 2, 4, 7]).tolist() == pytest.approx([0.0, 0.2, 0.8, 1.0])
    assert float(t.ppf(0.2)) == pytest.approx(2.0)
    u = np.linspace(0.01, 0.99, 25)
    for d in (t, pm.BetaPert(1, 2, 9), pm.BetaPert(2, 2, 8, lamb=3), pm.Uniform(2, 4), LOGNORMAL):
        assert d.cdf(d.ppf(u)) == pytest.approx(u, abs=1e-9), d


@pytest.mark.parametrize(
    "estimate",
    [pm.Triangular(1, 2, 6), pm.BetaPert(1, 2, 9, lamb=3), pm.Uniform(2, 4), LOGNORMAL,
     pm.Discrete((10, 15), (0.4, 0.6)), pm.Fixed(4)],
)
def test_scaled_multiplies_every_value(estimate):
    twice = estimate.scaled(2)
    assert type(twice) is type(estimate)
    u = np.array([0.0, 0.1, 0.5, 0.9, 0.999])
    assert twice.ppf(u) == pytest.approx(2 * estimate.ppf(u), rel=1e-12)
    assert twice.mean == pytest.approx(2 * estimate.mean, rel=1e-12)
    assert twice.var == pytest.approx(4 * estimate.var, rel=1e-12)
    assert twice.planned == pytest.approx(2 * estimate.planned, rel=1e-12)


def test_scaled_lognormal_writes_scaled_points():
    assert LOGNORMAL.scaled(2).to_fields() == {"optimistic": 10.0, "pessimistic": 40.0}


@pytest.mark.parametrize(
    "factor, message",
    [
        # zero would erase the task
        (0, "a multiplier must be > 0, got 0"),
        # negative durations do not exist
        (-1, "a multiplier must be > 0, got -1"),
        # NaN
        (float("nan"), "factor must be a finite number"),
        # text
        ("x", "factor must be a number, got 'x'"),
    ],
)
def test_bad_scale_factor(factor, message):
    with pytest.raises(ValidationError, match=message):
        pm.Triangular(1, 2, 6).scaled(factor)
