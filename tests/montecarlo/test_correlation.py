"""Correlation input: parsing, checks, repair (Higham) and what the engine achieves."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pmsim as pm
from pmsim.correlation import (
    correlation_matrix,
    is_positive_semidefinite,
    nearest_correlation,
    normal_score_correlation,
    prepare_correlation,
)


@pytest.fixture
def five():
    """Five parallel tasks with the same triangular estimate."""
    return pm.Project(name="five", start="2027-01-04",
                      tasks=[pm.Task(t, optimistic=2, most_likely=4, pessimistic=9, distribution="triangular")
                             for t in "ABCDE"])


def test_groups_fill_pairs_within_each_group_in_project_order(five):
    m = correlation_matrix(five, [(["D", "B"], 0.4), (["A", "E"], -0.2)])
    assert list(m.index) == ["A", "B", "D", "E"]
    assert m.loc["B", "D"] == m.loc["D", "B"] == 0.4
    assert m.loc["A", "E"] == -0.2
    assert m.loc["A", "B"] == 0.0 and np.all(np.diag(m) == 1.0)


def test_dict_of_groups_and_overlapping_groups_with_the_same_coefficient(five):
    m = correlation_matrix(five, {"design": (["A", "B", "C"], 0.5), "build": (["C", "D"], 0.5)})
    assert m.loc["A", "C"] == 0.5 and m.loc["C", "D"] == 0.5 and m.loc["A", "D"] == 0.0


def test_matrix_is_reordered_and_uncorrelated_tasks_dropped(five):
    ids = ["C", "A", "B"]
    frame = pd.DataFrame([[1, 0.3, 0], [0.3, 1, 0], [0, 0, 1]], index=ids, columns=ids)
    m = correlation_matrix(five, frame)
    assert list(m.index) == ["A", "C"] and m.loc["A", "C"] == 0.3


def test_array_over_all_tasks(five):
    arr = np.eye(5)
    arr[0, 4] = arr[4, 0] = 0.6
    m = correlation_matrix(five, arr)
    assert list(m.index) == ["A", "E"]
    assert correlation_matrix(five, np.eye(5)) is None  # nothing correlated


def test_components_are_factored_separately(five):
    plan = prepare_correlation(five, [(["A", "B"], 0.5), (["C", "D", "E"], 0.8)])
    assert plan.components == (("A", "B"), ("C", "D", "E"))
    for comp, f in zip(plan.components, plan.factors):
        target = normal_score_correlation(plan.target.loc[list(comp), list(comp)].to_numpy())
        np.fill_diagonal(target, 1.0)
        assert np.allclose(f @ f.T, target, atol=1e-12)


def test_perfect_correlation_is_allowed_and_factored():
    # A singular (rank one) but valid correlation matrix: comonotone durations.
    assert is_positive_semidefinite(np.ones((3, 3)))
    p = pm.Project(name="x", start="2027-01-04", tasks=[pm.Task(t, optimistic=1, most_likely=2, pessimistic=3) for t in "ABC"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan = prepare_correlation(p, [(["A", "B", "C"], 1.0)])
    assert np.allclose(plan.factors[0] @ plan.factors[0].T, np.ones((3, 3)), atol=1e-12)


def test_higham_test_matrix():
    # Higham (2002), section 4: the nearest correlation matrix of tridiag(-1, 2, -1), to 4 decimals.
    a = np.array([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]], dtype=float)
    expected = np.array([
        [1.0000, -0.8084, 0.1916, 0.1068],
        [-0.8084, 1.0000, -0.6562, 0.1916],
        [0.1916, -0.6562, 1.0000, -0.8084],
        [0.1068, 0.1916, -0.8084, 1.0000],
    ])
    assert np.allclose(nearest_correlation(a), expected, atol=1e-4)


def test_not_positive_semidefinite_is_repaired_with_a_warning(five):
    ids = ["A", "B", "C"]
    bad = pd.DataFrame([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], index=ids, columns=ids)
    assert not is_positive_semidefinite(bad)
    with pytest.warns(pm.PmsimWarning, match="repaired to the nearest correlation matrix"):
        plan = prepare_correlation(five, bad)
    assert plan.repaired
    fixed = plan.target.to_numpy()
    assert is_positive_semidefinite(fixed) and np.allclose(np.diag(fixed), 1.0)
    assert np.allclose(fixed, fixed.T)
    # It moved, but not wildly: the signs of the coefficients stay.
    assert np.array_equal(np.sign(fixed), np.sign(bad.to_numpy()))
    with pytest.raises(pm.ValidationError, match="not positive semidefinite"):
        prepare_correlation(five, bad, repair=False)
    with pytest.raises(pm.ValidationError, match="not positive semidefinite"):
        pm.simulate(five, iterations=100, seed=1, correlation=bad, correlation_repair=False)


def test_normal_score_map_gives_the_rank_correlation_asked_for(five):
    sim = pm.simulate(five, iterations=20_000, seed=3, correlation=[(["A", "B", "C"], 0.6), (["D", "E"], -0.5)])
    achieved = sim.achieved_correlation
    assert list(achieved.index) == list("ABCDE")
    # Iman-Conover in blocks of 1024: within 0.02 of the target (about 4 standard errors).
    assert achieved.loc["A", "B"] == pytest.approx(0.6, abs=0.02)
    assert achieved.loc["B", "C"] == pytest.approx(0.6, abs=0.02)
    assert achieved.loc["D", "E"] == pytest.approx(-0.5, abs=0.02)
    # Tasks of different groups are drawn independently: that pair is not measured.
    assert np.isnan(achieved.loc["A", "D"])
    assert achieved.attrs["iterations"] == 20_000
    assert pm.simulate(five, iterations=100, seed=3).achieved_correlation is None


def test_correlated_durations_keep_each_tasks_distribution(five):
    m = 10 * 1024  # ten blocks of Iman-Conover
    groups = [(["A", "B", "C"], 0.6), (["D", "E"], -0.5)]
    correlated = pm.simulate(five, iterations=m, seed=11, correlation=groups, keep="tasks")
    plain = pm.simulate(five, iterations=m, seed=11, keep="tasks")
    # No links: each finish is the task's duration. Triangular(2, 4, 9): F(x) = (x - 2)^2 / 14 up to the mode,
    # 1 - (9 - x)^2 / 35 above it (closed form).
    d = np.asarray(correlated.task_finish, dtype=np.float64)
    ecdf = np.arange(1, m + 1) / m
    for j, tid in enumerate("ABCDE"):
        x = np.sort(d[:, j])
        f = np.where(x <= 4, (x - 2) ** 2 / 14, 1 - (9 - x) ** 2 / 35)
        # One draw per stratum of 1/1024 in every block: within 1/1024 of the exact CDF (a plain sample's
        # distance is about 1/sqrt(m) = 0.01), float32 durations aside.
        assert max(np.abs(ecdf - f).max(), np.abs(ecdf - 1 / m - f).max()) <= 1 / 1024 + 1e-5, tid
        # Against the same task in the uncorrelated run: below the two-sample KS 1 % critical value.
        ks = stats.ks_2samp(d[:, j], np.asarray(plain.task_finish[:, j], dtype=np.float64)).statistic
        assert ks < 1.63 * math.sqrt(2 / m), tid
    achieved = correlated.achieved_correlation
    assert achieved.loc["A", "C"] == pytest.approx(0.6, abs=0.02)
    assert achieved.loc["D", "E"] == pytest.approx(-0.5, abs=0.02)


@pytest.mark.parametrize(
    "correlation, error, message",
    [
        ([(["A", "Z"], 0.5)], pm.UnknownReferenceError, "unknown task 'Z'"),  # unknown task in a group
        ({"g": (["A", "B"], 1.5)}, pm.ValidationError, "in \\[-1, 1\\]"),  # coefficient above 1
        ([(["A", "B"], -1.01)], pm.ValidationError, "in \\[-1, 1\\]"),  # coefficient below -1
        ([(["A", "B"], "high")], pm.ValidationError, "must be a number"),  # coefficient not a number
        ([(["A"], 0.5)], pm.ValidationError, "at least two tasks"),  # a group of one
        ([(["A", "A", "B"], 0.5)], pm.ValidationError, "twice"),  # a task listed twice
        ([("AB", 0.5)], pm.ValidationError, "list of task ids"),  # a string instead of a list
        ([(["A", "B"], 0.5), (["B", "A"], 0.2)], pm.ValidationError, "one coefficient"),  # conflicting pair
        ([(["A", "B"],)], pm.ValidationError, "give \\(tasks, coefficient\\)"),  # missing coefficient
        (pd.DataFrame(np.eye(2), index=["A", "B"], columns=["A", "C"]), pm.ValidationError, "unknown task|same task ids"),  # rows and columns differ
        (pd.DataFrame(np.eye(3)[:2], index=["A", "B"], columns=["A", "B", "C"]), pm.ValidationError, "square"),  # not square
        (np.eye(3), pm.ValidationError, "must be 5 x 5"),  # array of the wrong shape
        (pd.DataFrame([[1, 0.2], [0.3, 1]], index=["A", "B"], columns=["A", "B"]), pm.ValidationError, "symmetric"),  # asymmetric
        (pd.DataFrame([[0.9, 0.2], [0.2, 1]], index=["A", "B"], columns=["A", "B"]), pm.ValidationError, "diagonal"),  # diagonal not 1
        (pd.DataFrame([[1, np.nan], [np.nan, 1]], index=["A", "B"], columns=["A", "B"]), pm.ValidationError, "missing"),  # NaN
        (pd.DataFrame([[1, 2.0], [2.0, 1]], index=["A", "X"], columns=["A", "X"]), pm.UnknownReferenceError, "unknown task 'X'"),  # unknown id
        ("A,B", pm.ValidationError, "correlation must be"),  # not a supported type
    ],
)
def test_bad_correlation(five, correlation, error, message):
    with pytest.raises(error, match=message):
        pm.simulate(five, iterations=10, seed=1, correlation=correlation)


def test_fixed_durations_take_no_part_and_the_same_groups_are_prepared_once():
    tasks = [pm.Task("M1", duration=0), pm.Task("A", optimistic=1, most_likely=2, pessimistic=6),
             pm.Task("F", duration=3), pm.Task("B", optimistic=1, most_likely=3, pessimistic=8),
             pm.Task("C", optimistic=2, most_likely=3, pessimistic=5)]
    p = pm.Project(name="fixed", start="2027-01-04", tasks=tasks)
    groups = [(["M1", "A"], 0.7), (["F", "B"], 0.7), (["A", "C"], 0.4)]
    plan = prepare_correlation(p, groups)
    # M1 and F have fixed durations: only A and C are reordered; B is correlated with nothing that varies.
    assert plan.components == (("A", "C"),)
    assert list(plan.target.index) == ["M1", "A", "F", "B", "C"]
    assert prepare_correlation(p, [tuple(g) for g in groups]) is plan  # cached with the project
    achieved = pm.simulate(p, iterations=4096, seed=2, correlation=groups).achieved_correlation
    assert achieved.loc["A", "C"] == pytest.approx(0.4, abs=0.03)
    # A fixed duration correlates with nothing (itself included); B and A are in different components.
    assert np.isnan(achieved.loc["M1", "A"]) and np.isnan(achieved.loc["M1", "M1"])
    assert np.isnan(achieved.loc["A", "B"]) and achieved.loc["B", "B"] == 1.0


def test_achieved_correlation_reuses_the_runs_draws_and_only_those(five):
    import pickle
    from dataclasses import replace

    from pmsim.montecarlo.plan import make_plan
    from pmsim.montecarlo.statistics import achieved_correlation

    groups = [(["A", "B", "C"], 0.6)]
    sim = pm.simulate(five, iterations=3000, seed=4, correlation=groups)
    # The same numbers as drawing everything again on a plan that has kept nothing.
    fresh = make_plan(five, 4, groups)
    pd.testing.assert_frame_equal(sim.achieved_correlation, achieved_correlation(fresh, 3000))
    # A plan of another seed sharing the kept draws does not get them: they are keyed by their streams.
    other = replace(make_plan(five, 5, groups), kept=fresh.kept)
    assert fresh.kept and not np.array_equal(other.correlated_uniforms(0, 3000, 3000),
                                             fresh.correlated_uniforms(0, 3000, 3000))
    assert np.array_equal(other.correlated_uniforms(0, 3000, 3000),
                          make_plan(five, 5, groups).correlated_uniforms(0, 3000, 3000))
    assert pickle.loads(pickle.dumps(fresh)).kept == {}
