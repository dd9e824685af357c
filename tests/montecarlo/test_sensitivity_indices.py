"""The activity sensitivity indices (CI, SI, SSI, CRI) against closed forms.

Two cases whose indices follow from probability alone:

* a chain A -> B with A random and B fixed: T = d_A + d_B, so A's duration
  decides the finish exactly (every correlation 1) and both tasks are always
  critical with no float;
* two independent Uniform(10, 20) tasks in parallel into a milestone:
  T = max(A, B). With U, V iid Uniform(0, 1) (the indices do not depend on
  location and scale): CI = P(A > B) = 1/2; TF_A = T - d_A, so
  SI = E[d_A / T * T / E T] = E d_A / E T = 15 / (10 + 10 * 2/3) = 0.9;
  sd(max) = sqrt(E max^2 - (E max)^2) = sqrt(1/2 - 4/9) = sqrt(1/18) against
  sd(U) = sqrt(1/12), so SSI = 1/2 * sqrt(18/12) = 0.6124;
  cov(U, max) = E[U max] - 1/2 * 2/3 = 3/8 - 1/3 = 1/24, so Pearson's
  r = (1/24) / sqrt(1/12 * 1/18) = sqrt(3/8) = 0.6124;
  max^2 is uniform, so Spearman's rho = 12 cov(U, max^2) = 12 (E[U max^2] - 1/4)
  = 12 (3/10 - 1/4) = 0.6;
  Kendall: of two independent draws with A1 < A2, the pair is discordant
  only when B1 is the largest of A2, B1, B2 and A1 < A2, probability
  (1/4 * 1/2) / (1/2) = 1/4, so tau = 3/4 - 1/4 = 1/2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import pmsim as pm


def test_a_chain_gives_the_textbook_extremes():
    p = pm.Project(name="chain", start="2027-01-04", tasks=[
        pm.Task("A", optimistic=4, most_likely=6, pessimistic=12), pm.Task("B", duration=3)],
        dependencies=[pm.Dependency("A", "B")])
    idx = pm.simulate(p, iterations=2000, seed=3).sensitivity_indices()
    assert list(idx.columns) == ["CI", "SI", "SSI", "CRI_r", "CRI_rho", "CRI_tau"]
    assert idx.loc["A"].tolist() == pytest.approx([1, 1, 1, 1, 1, 1], abs=1e-6)  # the engine works in float32
    # B never varies: critical and fully significant (no float), but no correlation and no SSI.
    assert idx.loc["B"].tolist() == pytest.approx([1, 1, 0, 0, 0, 0], abs=1e-6)  # the engine works in float32


@pytest.fixture(scope="module")
def parallel():
    p = pm.Project(name="parallel", start="2027-01-04", tasks=[
        pm.Task("A", estimate=pm.Uniform(10, 20)), pm.Task("B", estimate=pm.Uniform(10, 20)),
        pm.Task("M", milestone=True)],
        dependencies=[pm.Dependency("A", "M"), pm.Dependency("B", "M")])
    return pm.simulate(p, iterations=20_000, seed=11)


# 20,000 iterations: the standard error of each index is below 0.006; the tolerance is 3 of them.
@pytest.mark.parametrize("column, expected", [
    ("CI", 0.5), ("SI", 0.9), ("SSI", 0.5 * math.sqrt(18 / 12)),
    ("CRI_r", math.sqrt(3 / 8)), ("CRI_rho", 0.6), ("CRI_tau", 0.5),
])
def test_two_parallel_uniform_tasks_match_the_closed_forms(parallel, column, expected):
    idx = parallel.sensitivity_indices()
    assert idx.loc["A", column] == pytest.approx(expected, abs=0.018)
    assert idx.loc["B", column] == pytest.approx(expected, abs=0.018)


def test_the_milestone_at_the_merge(parallel):
    idx = parallel.sensitivity_indices()
    # Always critical, no duration, no float: CI = SI = 1; it never varies, so SSI and CRI are 0.
    assert idx.loc["M"].tolist() == pytest.approx([1, 1, 0, 0, 0, 0], abs=1e-6)  # the engine works in float32


def test_the_old_names_keep_working(parallel):
    idx = parallel.sensitivity_indices()
    assert parallel.cruciality.equals(idx["CRI_r"].rename("cruciality"))
    assert np.allclose(idx["CRI_rho"], parallel.sensitivity.abs())
    assert np.allclose(idx["CI"], parallel.criticality)
    # The criticality counts of the engine and the two tasks' shares add to one (ties have probability 0).
    assert idx.loc["A", "CI"] + idx.loc["B", "CI"] == pytest.approx(1.0, abs=1e-6)  # the engine works in float32


def test_the_same_seed_gives_the_same_indices(parallel):
    again = pm.simulate(parallel.project, iterations=20_000, seed=11).sensitivity_indices()
    assert again.equals(parallel.sensitivity_indices())
