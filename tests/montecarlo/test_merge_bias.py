"""Simulation.merge_bias(): how much later a merge point starts than its predecessors' expected dates say."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import pmsim as pm


def merge(*preds, links=None):
    """Tasks ``preds`` (id, estimate) in parallel from the start, all into C (1 day)."""
    tasks = [pm.Task(tid, estimate=est) for tid, est in preds] + [pm.Task("C", duration=1)]
    deps = links or [pm.Dependency(tid, "C") for tid, _ in preds]
    return pm.Project(name="merge", start="2027-01-04", tasks=tasks, dependencies=deps)


def test_two_independent_uniform_paths_match_the_expected_maximum():
    # A, B ~ U(0, 3) independent: E[max] = 0 + 3 * 2/3 = 2 against each mean 1.5, so the merge adds 0.5 day.
    # sd(max) = 3 * sqrt(2 / 36) ~ 0.71: with 20,000 iterations the standard error is ~0.005; allow 0.03.
    sim = pm.simulate(merge(("A", pm.Uniform(0, 3)), ("B", pm.Uniform(0, 3))), iterations=20_000, seed=1)
    table = sim.merge_bias()
    assert table.index.tolist() == ["C"]
    row = table.loc["C"]
    assert row["predecessors"] == 2
    assert row["expected_start"] == pytest.approx(2.0, abs=0.03)
    assert row["predecessor_date"] == pytest.approx(1.5, abs=0.03)
    assert row["merge_bias"] == pytest.approx(0.5, abs=0.03)
    assert row["pert_start"] == 1.5  # the deterministic schedule at expected durations
    assert row["vs_pert"] == pytest.approx(0.5, abs=0.03)


def test_a_two_point_case_written_out():
    # A, B each 1 or 3 days with probability 1/2: max is 1 only when both are 1 (1/4), so E[max] = 1/4 + 3 * 3/4
    # = 2.5 against means of 2: a bias of exactly 0.5 in the limit (sd(max) = 0.87: allow 0.04 at 20,000).
    d = pm.Discrete((1, 3), (0.5, 0.5))
    row = pm.simulate(merge(("A", d), ("B", d)), iterations=20_000, seed=3).merge_bias().loc["C"]
    assert row["merge_bias"] == pytest.approx(0.5, abs=0.04)
    assert row["pert_start"] == 2.0


def test_one_predecessor_that_always_drives_gives_no_bias_and_names_it():
    # B (5 to 6 days) always finishes after A (1 to 2 days): the maximum is always B, so E[max] = max E.
    sim = pm.simulate(merge(("A", pm.Uniform(1, 2)), ("B", pm.Uniform(5, 6))), iterations=2000, seed=2)
    row = sim.merge_bias().loc["C"]
    assert row["latest_predecessor"] == "B"
    assert row["merge_bias"] == pytest.approx(0.0, abs=1e-5)  # float32 dates
    assert row["predecessor_date"] == pytest.approx(5.5, abs=0.03)


def test_link_types_and_lags_give_the_date_each_link_imposes():
    # A (4 days) -> C FS with lag 2: C may start at 6; B (3 days) SS lag 1 -> C: at 1; D (8 days) FF -> C (1 day):
    # C starts at 8 - 1 = 7. Fixed durations: no bias, the latest date is D's 7.
    tasks = [pm.Task("A", duration=4), pm.Task("B", duration=3), pm.Task("D", duration=8), pm.Task("C", duration=1)]
    deps = [pm.Dependency("A", "C", "FS", 2), pm.Dependency("B", "C", "SS", 1), pm.Dependency("D", "C", "FF", 0)]
    p = pm.Project(name="links", start="2027-01-04", tasks=tasks, dependencies=deps)
    row = pm.simulate(p, iterations=100, seed=1).merge_bias().loc["C"]
    assert (row["predecessors"], row["latest_predecessor"]) == (3, "D")
    assert row["predecessor_date"] == pytest.approx(7.0) and row["expected_start"] == pytest.approx(7.0)
    assert row["merge_bias"] == pytest.approx(0.0) and row["pert_start"] == 7.0


def test_bias_upstream_shows_against_pert_not_at_the_next_merge():
    # C merges A and B (U(0, 3) each: +0.5); E merges C's successor D (fixed 1) with F (fixed 1): D always drives,
    # so E's own merge adds nothing, but E starts 0.5 day later than PERT says.
    tasks = [pm.Task("A", estimate=pm.Uniform(0, 3)), pm.Task("B", estimate=pm.Uniform(0, 3)),
             pm.Task("C", duration=1), pm.Task("D", duration=1), pm.Task("F", duration=1), pm.Task("E", duration=1)]
    deps = [pm.Dependency("A", "C"), pm.Dependency("B", "C"), pm.Dependency("C", "D"), pm.Dependency("D", "E"),
            pm.Dependency("F", "E")]
    p = pm.Project(name="two merges", start="2027-01-04", tasks=tasks, dependencies=deps)
    table = pm.simulate(p, iterations=20_000, seed=5).merge_bias()
    assert table.index.tolist() == ["C", "E"]  # largest bias first
    assert table.loc["E", "merge_bias"] == pytest.approx(0.0, abs=1e-4)
    assert table.loc["E", "vs_pert"] == pytest.approx(0.5, abs=0.03)
    assert table.loc["E", "pert_start"] == 3.5


def test_no_merge_point_gives_an_empty_table():
    p = pm.Project(name="chain", start="2027-01-04", tasks=[pm.Task("A", duration=1), pm.Task("B", duration=2)],
                   dependencies=[pm.Dependency("A", "B")])
    table = pm.simulate(p, iterations=10, seed=1).merge_bias()
    assert table.empty and "merge_bias" in table.columns
    ax = pm.plot.merge_bias(table)
    assert any(t.get_gid() == "empty" for t in ax.texts)
    plt.close("all")


def test_the_chart_draws_the_bias_and_the_gap_to_pert():
    sim = pm.simulate(merge(("A", pm.Uniform(0, 3)), ("B", pm.Uniform(0, 3))), iterations=5000, seed=1)
    table = sim.merge_bias()
    ax = pm.plot.merge_bias(table)
    bars = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    assert bars["merge_bias:C"].get_width() == pytest.approx(table.loc["C", "merge_bias"])
    assert bars["merge_bias:C:pert"].get_width() == pytest.approx(table.loc["C", "vs_pert"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["C (2 preds)"]
    with pytest.raises(pm.ValidationError, match="missing"):
        pm.plot.merge_bias(table[["name"]])
    with pytest.raises(pm.ValidationError, match="top must be"):
        pm.plot.merge_bias(table, top=0)
    plt.close("all")
