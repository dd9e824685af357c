"""make_estimate: how the estimate columns of a task table become a distribution.

The samplers themselves are tested in test_distributions.py; here only the
reading of the columns and its error messages.
"""

from __future__ import annotations

import math

import pytest

import pmsim as pm
from pmsim.distributions import make_estimate
from pmsim.errors import ValidationError

NAN = float("nan")


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        # a single duration is fixed
        ({"duration": 5}, pm.Fixed(5)),
        # ... whatever distribution is named, when no points are given
        ({"distribution": "triangular", "duration": 5}, pm.Fixed(5)),
        # "fixed" with only a most likely value
        ({"distribution": "fixed", "most_likely": 4}, pm.Fixed(4)),
        # three points: Beta-PERT by default
        ({"optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.BetaPert(2, 3, 7)),
        # a duration equal to most likely is allowed next to three points
        ({"duration": 3, "optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.BetaPert(2, 3, 7)),
        # names are case- and space-insensitive, with aliases for Beta-PERT
        ({"distribution": " Triangular ", "optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.Triangular(2, 3, 7)),
        ({"distribution": "PERT", "optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.BetaPert(2, 3, 7)),
        ({"distribution": "beta-pert", "optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.BetaPert(2, 3, 7)),
        ({"distribution": "beta_pert", "optimistic": 2, "most_likely": 3, "pessimistic": 7}, pm.BetaPert(2, 3, 7)),
        # a lambda gives the modified PERT
        ({"optimistic": 1, "most_likely": 2, "pessimistic": 9, "lamb": 2}, pm.BetaPert(1, 2, 9, lamb=2)),
        # numbers may come as text (from a CSV file)
        ({"optimistic": "2", "most_likely": " 3 ", "pessimistic": "7.0"}, pm.BetaPert(2, 3, 7)),
        # uniform needs only the two ends
        ({"distribution": "uniform", "optimistic": 2, "pessimistic": 4}, pm.Uniform(2, 4)),
        # discrete values with their probabilities, sorted by value
        ({"distribution": "discrete", "values": "20:0.2; 10:0.5; 15:0.3"}, pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2))),
        # a comma separates discrete values too
        ({"distribution": "discrete", "values": "10:0.5, 15:0.5"}, pm.Discrete((10, 15), (0.5, 0.5))),
        # empty cells (NaN or "") count as missing
        ({"distribution": "", "duration": 3, "optimistic": NAN, "most_likely": "", "pessimistic": None}, pm.Fixed(3)),
        ({"distribution": NAN, "optimistic": 2, "most_likely": 3, "pessimistic": 7, "lamb": NAN}, pm.BetaPert(2, 3, 7)),
    ],
)
def test_estimate_from_columns(kwargs, expected):
    assert make_estimate(**kwargs) == expected


def test_lognormal_from_percentiles_keeps_p10_and_p90():
    d = make_estimate("lognormal", optimistic=5, pessimistic=20)
    assert isinstance(d, pm.Lognormal)
    assert d.ppf([0.1, 0.9]).tolist() == pytest.approx([5.0, 20.0], rel=1e-12)
    # Its planned value is the median, the geometric mean of P10 and P90.
    assert d.planned == pytest.approx(10.0, rel=1e-12)
    assert d.to_fields() == {"optimistic": 5.0, "pessimistic": 20.0}


def test_lognormal_from_three_points_matches_pert_mean_and_sd():
    d = make_estimate("lognormal", optimistic=4, most_likely=6, pessimistic=14)
    assert d.mean == pytest.approx((4 + 4 * 6 + 14) / 6, rel=1e-12)
    assert d.std == pytest.approx((14 - 4) / 6, rel=1e-12)
    assert d.planned == 6.0  # the most likely value, as for the other three-point estimates


@pytest.mark.parametrize(
    "kwargs, message",
    [
        # nothing given
        ({}, "no estimate: give 'duration', or 'optimistic', 'most_likely' and 'pessimistic'"),
        # a NaN duration is no duration
        ({"duration": NAN}, "no estimate"),
        # two of three points
        ({"optimistic": 1, "pessimistic": 3}, "a three-point estimate is missing most_likely"),
        ({"most_likely": 2}, "a three-point estimate is missing optimistic, pessimistic"),
        # the points out of order
        ({"optimistic": 5, "most_likely": 3, "pessimistic": 9}, "optimistic \\(5\\) > most_likely \\(3\\)"),
        ({"optimistic": 1, "most_likely": 9, "pessimistic": 3}, "most_likely \\(9\\) > pessimistic \\(3\\)"),
        # a duration that contradicts most likely
        ({"duration": 6, "optimistic": 4, "most_likely": 5, "pessimistic": 9}, "duration \\(6\\) and most_likely \\(5\\) disagree"),
        # text that is not a number
        ({"optimistic": "a", "most_likely": 2, "pessimistic": 3}, "optimistic must be a number, got 'a'"),
        ({"duration": "five"}, "duration must be a number, got 'five'"),
        # an infinite duration
        ({"duration": math.inf}, "duration must be a finite number"),
        # an unknown distribution name
        ({"distribution": "weibull", "optimistic": 1, "most_likely": 2, "pessimistic": 3},
         "unknown distribution 'weibull'; use one of fixed, triangular, betapert, uniform, lognormal, discrete"),
        # "normal" is not offered: it must not quietly become Beta-PERT
        ({"distribution": "normal", "optimistic": 1, "most_likely": 2, "pessimistic": 3}, "unknown distribution 'normal'"),
        # fixed without a duration
        ({"distribution": "fixed", "optimistic": 1, "most_likely": 2, "pessimistic": 3}, "a fixed estimate needs a 'duration'"),
        # uniform without both ends
        ({"distribution": "uniform", "optimistic": 2}, "a uniform estimate needs 'optimistic' and 'pessimistic'"),
        ({"distribution": "uniform", "optimistic": 5, "pessimistic": 3}, "optimistic \\(5\\) > pessimistic \\(3\\)"),
        # a lambda that is not positive
        ({"optimistic": 1, "most_likely": 2, "pessimistic": 3, "lamb": 0}, "lambda must be > 0, got 0"),
        # lognormal P10 at zero or below
        ({"distribution": "lognormal", "optimistic": 0, "pessimistic": 20}, "a lognormal P10 \\(optimistic\\) must be > 0, got 0"),
        ({"distribution": "lognormal", "optimistic": 5, "pessimistic": 3}, "optimistic P10 \\(5\\) > pessimistic P90 \\(3\\)"),
        # lognormal three points with a zero mean
        ({"distribution": "lognormal", "optimistic": 0, "most_likely": 0, "pessimistic": 0}, "a lognormal estimate needs a mean > 0"),
        # discrete without values
        ({"distribution": "discrete"}, "a discrete estimate needs a 'values' column such as '10:0.5; 15:0.5'"),
        # discrete written without the colon
        ({"distribution": "discrete", "values": "10-0.5"}, "discrete values must be written value:probability, got '10-0.5'"),
        # discrete probabilities that do not add up
        ({"distribution": "discrete", "values": "10:0.5; 15:0.3"}, "discrete probabilities must sum to 1, got 0.8"),
        # a discrete probability out of range
        ({"distribution": "discrete", "values": "10:1.5; 15:-0.5"}, "discrete probabilities must be in \\[0, 1\\]"),
    ],
)
def test_bad_estimate(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        make_estimate(**kwargs)


def test_task_names_itself_in_estimate_errors():
    with pytest.raises(ValidationError, match="^Task 'T9': unknown distribution 'normal'"):
        pm.Task("T9", optimistic=1, most_likely=2, pessimistic=3, distribution="normal")
    with pytest.raises(ValidationError, match="^Risk 'R2': most_likely \\(9\\) > pessimistic \\(3\\)"):
        pm.Risk("R2", probability=0.5, tasks=("A",), optimistic=1, most_likely=9, pessimistic=3)


@pytest.mark.parametrize(
    "estimate",
    [pm.Fixed(5), pm.BetaPert(2, 3, 7), pm.BetaPert(1, 2, 9, lamb=2), pm.Triangular(2, 3, 7), pm.Uniform(2, 4),
     make_estimate("lognormal", optimistic=5, pessimistic=20),
     make_estimate("lognormal", optimistic=4, most_likely=6, pessimistic=14),
     pm.Discrete((10, 15, 20), (0.5, 0.3, 0.2))],
)
def test_to_fields_reads_back_to_the_same_estimate(estimate):
    # What a writer puts in the task table, make_estimate turns back into the same estimate.
    fields = estimate.to_fields()
    back = make_estimate(estimate.kind, **{("lamb" if k == "lambda" else k): v for k, v in fields.items()})
    assert back == estimate
