"""Classic analytic PERT: hand-checked means, variances and normal probabilities."""

from __future__ import annotations

import importlib
import math

import pytest
from scipy.special import ndtr

import pmsim as pm
from support import make_project


def three_point(tid, o, m, p, **kw):
    return pm.Task(tid, optimistic=o, most_likely=m, pessimistic=p, **kw)


def test_textbook_reliable_construction_reproduces_hillier_lieberman():
    # Hillier & Lieberman, Introduction to Operations Research, ch. "Project management
    # with PERT/CPM": mean 44 weeks along A-B-C-E-F-J-L-N, variance 9, P(<= 47) ~ 0.84.
    p = pm.read_project(pm.data_path("textbook"))
    r = pm.pert(p, variance="classic")
    assert r.mean == pytest.approx(44.0, abs=1e-9)
    assert r.sd**2 == pytest.approx(9.0, abs=1e-9)
    assert r.critical_path == list("ABCEFJLN")
    assert r.probability_by(p.deadline) == pytest.approx(ndtr(1.0), abs=1e-12)


def test_series_mean_and_distribution_variance_by_hand():
    p = make_project([three_point("A", 2, 4, 12), three_point("B", 1, 2, 3)], [("A", "B")])
    r = pm.pert(p)
    # Beta-PERT means (2 + 16 + 12)/6 = 5 and (1 + 8 + 3)/6 = 2; variances (5-2)(12-5)/7 = 3 and 1/7.
    assert r.mean == 7.0
    assert r.sd == pytest.approx(math.sqrt(3 + 1 / 7), rel=1e-12)
    assert r.table.loc["A", "mean"] == 5.0 and r.table.loc["A", "sd"] == pytest.approx(math.sqrt(3))
    assert pm.pert(p, variance="classic").sd == pytest.approx(math.sqrt((10 / 6) ** 2 + (2 / 6) ** 2))


def test_tied_paths_take_the_one_with_the_largest_variance():
    # Two parallel chains with the same mean 6; the second is far less certain.
    p = make_project(
        [three_point("A", 2, 3, 4), three_point("B", 2, 3, 4), three_point("C", 1, 3, 11), pm.Task("D", duration=2)],
        [("A", "B"), ("C", "D")],
    )
    r = pm.pert(p)
    assert r.mean == 6.0
    assert r.critical_path == ["C", "D"]
    assert r.sd == pytest.approx(math.sqrt(p.task("C").estimate.var))
    assert r.table["on_path"].tolist() == [False, False, True, True]


def test_normal_probability_and_percentiles_agree():
    p = make_project([three_point("A", 2, 4, 6)])  # mean 4, sd sqrt(2*2/7)
    r = pm.pert(p)
    assert r.probability_by("2027-01-07") == pytest.approx(0.5)  # end of the 4th working day
    assert r.probability_by("2027-01-08") == pytest.approx(ndtr(1 / r.sd))
    assert r.probability_by("2027-01-09") == r.probability_by("2027-01-08")  # a Saturday adds no work
    for level in (10, 50, 80, 97.5):
        date = r.percentile(level)
        assert r.probability_by(date) >= level / 100 - 1e-12
    assert r.percentile([50, 90]) == [r.percentile(50), r.percentile(90)]
    assert r.percentile_days(50) == pytest.approx(4.0)


def test_fixed_durations_have_no_spread():
    p = make_project([("A", 3), ("B", 2)], [("A", "B")])
    r = pm.pert(p)
    assert (r.mean, r.sd) == (5.0, 0.0)
    assert r.probability_by("2027-01-08") == 1.0 and r.probability_by("2027-01-07") == 0.0
    assert r.percentile(100) == r.percentile(0) == r.finish_date


def test_merge_bias_pert_is_optimistic_against_monte_carlo():
    p = make_project([three_point(t, 2, 4, 8) for t in "ABCD"])  # four parallel equal tasks
    r = pm.pert(p)
    sim = pm.simulate(p, iterations=4000, seed=5)
    # PERT reads one path; the finish is the max of four, so its mean is clearly later.
    assert sim.mean > r.mean + 0.5


def test_summary_and_html():
    p = pm.read_project(pm.data_path("textbook"))
    r = pm.pert(p)
    s = r.summary()
    assert s.loc["critical path", "value"] == "A -> B -> C -> E -> F -> J -> L -> N"
    assert s.loc["P(on time)", "value"] == pytest.approx(r.probability_by(p.deadline))
    assert "PERT analysis" in r._repr_html_()


def test_importing_the_module_keeps_pm_pert_callable():
    # pytest's doctest collection imports pmsim.pert, which rebinds pm.pert to the module.
    module = importlib.import_module("pmsim.pert")
    p = make_project([("A", 3)])
    assert module(p).mean == 3.0
    assert pm.pert(p).mean == 3.0


@pytest.mark.parametrize(
    "kwargs, call, message",
    [
        ({"variance": "textbook"}, None, "variance must be"),  # unknown variance rule
        ({}, ("percentile", 0), "must be in \\(0, 100\\)"),  # normal tails are infinite
        ({}, ("percentile", 100), "must be in \\(0, 100\\)"),
        ({}, ("percentile_days", [50, 120]), "must be in \\(0, 100\\)"),  # one bad value in a list
        ({}, ("probability_by", "not a date"), "ISO date"),  # unreadable date
    ],
)
def test_bad_input(kwargs, call, message):
    p = make_project([three_point("A", 2, 4, 6)])
    with pytest.raises(pm.PmsimError, match=message):
        r = pm.pert(p, **kwargs)
        getattr(r, call[0])(call[1])
