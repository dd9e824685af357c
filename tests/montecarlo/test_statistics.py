"""The simulated finish against what probability theory says it must be.

Fixed seeds; each tolerance is stated next to its assertion, as a multiple of
the standard error of the estimate (so a correct engine passes with a wide
margin, and a biased one fails).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pmsim as pm
from support import make_project

M = 20_000


def series(estimates):
    tasks = [pm.Task(f"T{k}", estimate=e) for k, e in enumerate(estimates)]
    links = [(f"T{k}", f"T{k + 1}") for k in range(len(tasks) - 1)]
    return make_project(tasks, links)


def test_series_tasks_sum_their_means_and_variances():
    estimates = [pm.BetaPert(2, 5, 11), pm.Triangular(1, 2, 6), pm.Uniform(3, 4), pm.BetaPert(4, 6, 15, lamb=3),
                 pm.Lognormal.from_percentiles(2, 6), pm.Discrete((1, 3), (0.5, 0.5))]
    sim = pm.simulate(series(estimates), iterations=M, seed=21)
    mean = sum(e.mean for e in estimates)
    var = sum(e.var for e in estimates)
    assert abs(sim.mean - mean) < 4 * math.sqrt(var / M)  # 4 SE of the mean
    # A sum of six is close to normal (kurtosis ~3): SE of the variance ~ var sqrt(2/M).
    assert abs(sim.std**2 - var) < 4 * var * math.sqrt(2 / M)


def test_parallel_paths_follow_the_product_of_their_cdfs():
    estimates = [pm.Triangular(2, 4, 10), pm.BetaPert(3, 5, 9), pm.Uniform(4, 8)]
    p = make_project([pm.Task(f"P{k}", estimate=e) for k, e in enumerate(estimates)])
    sim = pm.simulate(p, iterations=M, seed=22)
    for x in (5.0, 6.0, 6.5, 7.0, 7.5, 8.5):
        exact = math.prod(float(e.cdf(x)) for e in estimates)
        empirical = float(np.mean(sim.finish <= x))
        assert abs(empirical - exact) < 4 * math.sqrt(exact * (1 - exact) / M) + 1e-9  # 4 binomial SE
    # The merge makes the expected finish later than any single path's mean.
    assert sim.mean > max(e.mean for e in estimates) + 0.3


def test_criticality_of_parallel_paths_is_the_chance_each_is_longest():
    a, b = pm.Triangular(2, 4, 10), pm.Uniform(4, 6)
    p = make_project([pm.Task("A", estimate=a), pm.Task("B", estimate=b)])
    sim = pm.simulate(p, iterations=M, seed=23)
    # P(A > B) = integral of P(A > x) over B's density (numerically, on a fine grid).
    x = np.linspace(4, 6, 20001)
    p_a_longer = float(np.mean(1 - a.cdf(x)))
    assert abs(sim.criticality["A"] - p_a_longer) < 4 * math.sqrt(p_a_longer * (1 - p_a_longer) / M)
    assert sim.criticality["A"] + sim.criticality["B"] == pytest.approx(1.0)


def test_perfect_correlation_of_series_tasks_adds_standard_deviations():
    # Same shape, different scales: comonotone, so the sd of the sum is the sum of the sds.
    estimates = [pm.Triangular(2, 4, 10), pm.Triangular(1, 2, 5), pm.Triangular(3, 6, 15)]
    p = series(estimates)
    ids = list(p.task_ids)
    independent = pm.simulate(p, iterations=M, seed=24)
    perfect = pm.simulate(p, iterations=M, seed=24, correlation=[(ids, 1.0)])
    half = pm.simulate(p, iterations=M, seed=24, correlation=[(ids, 0.5)])
    sum_sd = sum(e.std for e in estimates)
    root_sum_var = math.sqrt(sum(e.var for e in estimates))
    assert perfect.std == pytest.approx(sum_sd, rel=0.03)  # SE of an sd ~ 1/sqrt(2M) = 0.5 %
    assert independent.std == pytest.approx(root_sum_var, rel=0.03)
    assert root_sum_var * 1.05 < half.std < sum_sd * 0.97
    # Correlation moves the spread, not the mean: the marginals are untouched.
    assert perfect.mean == pytest.approx(independent.mean, abs=4 * sum_sd / math.sqrt(M))
    assert perfect.achieved_correlation.to_numpy().min() > 0.995


def test_rank_reordering_keeps_every_marginal_exact_and_stratified():
    # Iman-Conover orders each block of 1024 iterations by correlated scores; the iteration of rank r draws its
    # uniform within the r-th of 1024 equal strata, so in every whole block each stratum holds exactly one draw.
    estimates = [pm.Uniform(3, 7), pm.Triangular(1, 2, 6), pm.Discrete((1, 3, 7), (0.2, 0.5, 0.3))]
    p = make_project([pm.Task(f"T{k}", estimate=e) for k, e in enumerate(estimates)])
    m = 5000  # four whole blocks and a short last one
    correlated = pm.simulate(p, iterations=m, seed=25, keep="tasks", correlation=[(list(p.task_ids), -0.4)])
    d = correlated.task_finish  # no predecessors: each finish is the task's duration
    strata = np.arange(1024)
    for block in range(4):
        rows = slice(1024 * block, 1024 * (block + 1))
        # Uniform(3, 7): the quantile of u is 3 + 4 u, so the r-th smallest lies in [3 + 4 r/1024, 3 + 4 (r+1)/1024].
        u = np.sort((d[rows, 0] - 3.0) / 4.0)
        assert np.all(u >= strata / 1024 - 1e-6) and np.all(u <= (strata + 1) / 1024 + 1e-6)
        # Triangular(1, 2, 6): F(x) = (x-1)^2/5 below the mode 2, 1 - (6-x)^2/20 above it (closed form).
        x = np.sort(d[rows, 1].astype(np.float64))
        f = np.where(x <= 2, (x - 1) ** 2 / 5, 1 - (6 - x) ** 2 / 20)
        assert np.all(f >= strata / 1024 - 1e-5) and np.all(f <= (strata + 1) / 1024 + 1e-5)
        # Discrete: exactly round(p * 1024) strata fall on each value (a boundary stratum goes either way).
        counts = [int((d[rows, 2] == v).sum()) for v in (1, 3, 7)]
        for got, prob in zip(counts, (0.2, 0.5, 0.3)):
            assert abs(got - prob * 1024) <= 1
    # The short last block is a uniform sample too: over the whole run, each task's mean is its own within 4 SE.
    assert d[:, 0].mean() == pytest.approx(5.0, abs=4 * (4 / math.sqrt(12)) / math.sqrt(m))
    # Negative pairwise correlations among three tasks are feasible down to -1/2.
    assert correlated.achieved_correlation.loc["T0", "T1"] == pytest.approx(-0.4, abs=0.03)


def test_a_certain_risk_shifts_the_finish_by_its_impact_distribution():
    p = series([pm.Triangular(2, 4, 10), pm.Triangular(1, 2, 6)])
    impact = pm.Triangular(3, 5, 13)
    risky = p.replace(risks=(pm.Risk("R", probability=1.0, tasks=("T0",), impact=impact),))
    base = pm.simulate(p, iterations=M, seed=26)
    shifted = pm.simulate(risky, iterations=M, seed=26)
    delta = shifted.finish - base.finish  # task draws are identical: risks have their own streams
    assert delta.min() >= 3.0 - 1e-5 and delta.max() <= 13.0 + 1e-5
    assert abs(delta.mean() - impact.mean) < 4 * impact.std / math.sqrt(M)


def test_risk_occurs_with_its_probability_and_adds_its_mean_delay():
    p = series([pm.Triangular(2, 4, 10)])
    risky = p.replace(risks=(pm.Risk("R", probability=0.25, tasks=("T0",), impact=pm.Uniform(2, 6)),))
    base = pm.simulate(p, iterations=M, seed=27)
    sim = pm.simulate(risky, iterations=M, seed=27)
    row = sim.risk_summary.loc["R"]
    assert abs(row["occurred"] - 0.25) < 4 * math.sqrt(0.25 * 0.75 / M)
    assert abs(row["mean_impact"] - 4.0) < 4 * math.sqrt(16 / 12 / (0.25 * M))
    assert abs((sim.mean - base.mean) - 0.25 * 4.0) < 4 * math.sqrt((0.25 * (16 / 12 + 16) - 1) / M)


def test_sensitivity_ranks_the_task_that_drives_the_spread():
    p = series([pm.Triangular(5, 6, 30), pm.Triangular(5, 6, 8), pm.Task("F", duration=3).estimate])
    sim = pm.simulate(p, iterations=M, seed=28)
    s = sim.sensitivity
    assert s["T0"] > 0.9 and 0 < s["T1"] < 0.3 and s["T2"] == 0.0
