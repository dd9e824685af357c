"""Scenarios, compare and sweep (in process); Dask runs are in test_dask.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import pmsim as pm
from pmsim.scenarios import _quantile_ci, _share_ci, correlation_groups, headline

from support import make_project


@pytest.fixture
def small():
    """Design (phase 'build') then two parallel tasks, one using dev; one risk."""
    tasks = [
        pm.Task("D", optimistic=2, most_likely=3, pessimistic=6, phase="design"),
        pm.Task("B1", optimistic=4, most_likely=5, pessimistic=9, phase="build", resources={"dev": 2}),
        pm.Task("B2", optimistic=3, most_likely=4, pessimistic=8, phase="build", resources={"dev": 2}),
        pm.Task("T", optimistic=2, most_likely=2, pessimistic=4, phase="test"),
    ]
    return pm.Project(
        name="small", start="2027-01-04", tasks=tasks,
        dependencies=[pm.Dependency("D", "B1"), pm.Dependency("D", "B2"),
                      pm.Dependency("B1", "T"), pm.Dependency("B2", "T")],
        resources=[pm.Resource("dev", capacity=4, cost_per_day=500)],
        risks=[pm.Risk("R1", probability=0.5, tasks=("T",), optimistic=1, most_likely=2, pessimistic=5,
                       cost_impact=1000)],
        deadline="2027-01-25", budget=20_000,
    )


def test_multiplier_scales_every_estimate(small):
    changed = pm.Scenario("slow", multiplier=1.5).apply(small)
    for before, after in zip(small.tasks, changed.tasks):
        assert after.estimate.mean == pytest.approx(1.5 * before.estimate.mean)


def test_phase_and_task_multipliers_touch_only_their_tasks(small):
    changed = pm.Scenario("x", phases={"build": 2}, tasks={"T": 0.5}).apply(small)
    means = {t.id: t.estimate.mean for t in changed.tasks}
    original = {t.id: t.estimate.mean for t in small.tasks}
    assert means["D"] == original["D"]
    assert means["B1"] == pytest.approx(2 * original["B1"])
    assert means["B2"] == pytest.approx(2 * original["B2"])
    assert means["T"] == pytest.approx(0.5 * original["T"])


def test_capacity_risk_and_deadline_changes(small):
    changed = pm.Scenario("x", capacities={"dev": 2}, risks={"R1": 0.9}, deadline="2027-02-01",
                          budget=1).apply(small)
    assert changed.resource("dev").capacity == 2
    assert changed.risk("R1").probability == 0.9
    assert changed.deadline == dt.date(2027, 2, 1) and changed.budget == 1
    assert pm.Scenario("off", risks={"R1": False}).apply(small).risks == ()


def test_removing_a_task_removes_its_links_and_risk_mentions(small):
    changed = pm.Scenario("cut", remove_tasks=["T"]).apply(small)
    assert "T" not in changed.task_ids
    assert all("T" not in (d.predecessor, d.successor) for d in changed.dependencies)
    assert changed.risk("R1").tasks == () and changed.risk("R1").impact is None


def test_adding_a_task_with_links(small):
    doc = pm.Task("DOC", duration=3)
    changed = pm.Scenario("doc", add_tasks=[doc], add_dependencies=[pm.Dependency("T", "DOC")]).apply(small)
    assert pm.cpm(changed).makespan == pm.cpm(small).makespan + 3


def test_fast_tracking_an_fs_link_to_ss_shortens_the_plan():
    p = make_project([("build", 10), ("test", 6)], [("build", "test")])
    fast = pm.Scenario("fast-track", links={("build", "test"): ("SS", 5)}).apply(p)
    assert pm.cpm(p).makespan == 16
    assert pm.cpm(fast).makespan == 11  # test starts 5 days into build, finishes at 11


def test_settings_round_trip(small):
    s = pm.Scenario("s", multiplier=1.2, phases={"build": 1.1}, capacities={"dev": 3}, risks={"R1": False},
                    correlation=0.3, levelled=True)
    again = pm.Scenario.from_settings("s", s.settings())
    assert again == s


@pytest.mark.parametrize(
    "make, message",
    [
        # a multiplier must be positive
        (lambda: pm.Scenario("x", multiplier=0), "multiplier must be > 0"),
        # ... also per phase
        (lambda: pm.Scenario("x", phases={"build": -1}), "phase 'build': a multiplier must be > 0"),
        # a probability outside [0, 1]
        (lambda: pm.Scenario("x", risks={"R1": 1.5}), "probability must be in [0, 1]"),
        # a negative capacity
        (lambda: pm.Scenario("x", capacities={"dev": -1}), "capacity of 'dev' must be >= 0"),
        # correlation outside [-1, 1]
        (lambda: pm.Scenario("x", correlation=2), "correlation must be in [-1, 1]"),
        # a setting name nobody knows
        (lambda: pm.Scenario.from_settings("x", {"speed": 2}), "unknown setting 'speed'"),
    ],
)
def test_bad_scenarios(make, message):
    with pytest.raises(pm.ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make()


@pytest.mark.parametrize(
    "scenario, message",
    [
        # unknown task
        (pm.Scenario("x", tasks={"ZZ": 2}), "Scenario 'x' names unknown task 'ZZ'"),
        # unknown phase
        (pm.Scenario("x", phases={"deploy": 2}), "Scenario 'x' names unknown phase 'deploy'"),
        # unknown resource
        (pm.Scenario("x", capacities={"dba": 2}), "Scenario 'x' names unknown resource 'dba'"),
        # unknown risk
        (pm.Scenario("x", risks={"R9": False}), "Scenario 'x' names unknown risk 'R9'"),
        # a link that does not exist
        (pm.Scenario("x", links={("T", "D"): "SS"}), "changes link 'T' -> 'D', which does not exist"),
    ],
)
def test_scenarios_naming_unknown_things(small, scenario, message):
    with pytest.raises(pm.UnknownReferenceError, match=message):
        scenario.apply(small)


def test_headline_matches_direct_counts(small):
    sim = pm.simulate(small, iterations=4000, seed=3)
    h = headline(sim)
    on_time = sim.finish_dates <= np.datetime64(small.deadline)
    on_budget = sim.cost <= small.budget
    assert h["p_on_time"] == on_time.mean()
    assert h["p_on_budget"] == on_budget.mean()
    assert h["jcl"] == (on_time & on_budget).mean()
    assert h["p80"] == sim.percentile(80) and h["expected_cost"] == pytest.approx(sim.cost.mean())


def test_compare_uses_common_random_numbers(small):
    table = pm.compare(small, [pm.Scenario("a"), pm.Scenario("b"), pm.Scenario("slow", multiplier=1.3)],
                       iterations=3000, seed=5)
    # Identical scenarios with the same seed give identical numbers.
    assert table.loc["a"].equals(table.loc["b"])
    assert table.loc["slow", "p80_days"] > table.loc["a", "p80_days"]
    assert table.loc["a", "p80_days_low"] <= table.loc["a", "p80_days"] <= table.loc["a", "p80_days_high"]
    assert table.loc["a", "p_on_time_low"] <= table.loc["a", "p_on_time"] <= table.loc["a", "p_on_time_high"]


def test_sweep_runs_every_combination(small):
    table = pm.sweep(small, {"capacity:dev": [4, 8], "multiplier": [1.0, 1.2, 1.4]}, iterations=1000, seed=2)
    assert len(table) == 6
    assert table[["capacity:dev", "multiplier"]].values.tolist() == [
        [4, 1.0], [4, 1.2], [4, 1.4], [8, 1.0], [8, 1.2], [8, 1.4]]
    for _, group in table.groupby("capacity:dev"):
        assert group["p80_days"].is_monotonic_increasing


@pytest.mark.parametrize(
    "grid, message",
    [
        # no settings at all
        ({}, "the grid is empty"),
        # a setting with no values
        ({"multiplier": []}, "grid setting 'multiplier' has no values"),
        # a multiplier <= 0 inside a grid
        ({"multiplier": [1.0, 0.0]}, "multiplier must be > 0"),
        # an unknown resource
        ({"capacity:dba": [1, 2]}, "names unknown resource 'dba'"),
    ],
)
def test_bad_grids(small, grid, message):
    with pytest.raises(pm.PmsimError, match=message):
        pm.sweep(small, grid, iterations=100, seed=1)


def test_confidence_interval_helpers():
    # Wilson interval of 50/100 (published: 0.404 .. 0.596).
    lo, hi = _share_ci(50, 100)
    assert (round(lo, 3), round(hi, 3)) == (0.404, 0.596)
    # Order-statistic interval of the median of 0..99: ranks 50 -/+ 1.96*5 -> 40 .. 60.
    assert _quantile_ci(np.arange(100.0), 0.5) == (40.0, 60.0)


def test_correlation_groups_follow_phases(small):
    groups = correlation_groups(small, 0.5)
    assert groups == [(["B1", "B2"], 0.5)]
    assert correlation_groups(small, None) is None


@pytest.mark.parametrize("levelled", [False, True])
def test_iteration_ranges_join_to_the_whole_run(small, levelled):
    # What lets a simulation's iterations run as separate Dask tasks.
    from pmsim.cluster import _simulate_range
    from pmsim.montecarlo import BLOCK, join_runs

    n = 2 * BLOCK + 300
    whole = _simulate_range((0, n), small, n, 9, levelled, True)
    parts = join_runs([_simulate_range((a, b), small, n, 9, levelled, True)
                       for a, b in ((0, BLOCK), (BLOCK, 2 * BLOCK), (2 * BLOCK, n))])
    for key in ("finish", "cost", "crit_counts", "occurred", "impact_sum", "task_finish"):
        np.testing.assert_array_equal(getattr(whole, key), getattr(parts, key), err_msg=key)
    assert (pm.simulate(small, iterations=n, seed=9, levelled=levelled).finish == whole.finish).all()


def test_portfolio_levels_a_shared_pool_across_projects():
    def one(name, start):
        return pm.Project(name=name, start=start, tasks=[pm.Task("W", duration=10, resources={"dev": 2})],
                          resources=[pm.Resource("dev", capacity=2)])

    # Two projects that each need the whole team for 10 days: together they take 20.
    pf = pm.Portfolio([one("x", "2027-01-04"), one("y", "2027-01-04")])
    res = pf.simulate(iterations=1024, seed=4, levelled=True)
    finishes = sorted(res.project_finish.iloc[0].tolist())
    assert finishes == [10.0, 20.0]
    assert (res.finish == 20).all()
    assert list(res.summary().index) == ["x", "y", "portfolio"]
    # A bigger shared pool lets both run at once.
    wide = pm.Portfolio(pf.projects, pools={"dev": 4}).simulate(iterations=1024, seed=4, levelled=True)
    assert (wide.finish == 10).all()
    # A project starting a week later cannot start before its own start date.
    later = pm.Portfolio([one("x", "2027-01-04"), one("y", "2027-01-11")], pools={"dev": 4})
    res = later.simulate(iterations=1024, seed=4, levelled=True)
    assert res.project_finish["y"].tolist() == [15.0] * 1024
