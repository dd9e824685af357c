"""Cost model and budget burn: hand-checked fixtures, the banana envelope, no-cost projects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pmsim as pm
from pmsim.budget import cumulative_cost
from pmsim.calendar import elapsed_working_days
from pmsim.costs import project_budget
from pmsim.cpm import schedule_from_dates
from pmsim.network import network

START = "2027-01-04"  # a Monday


@pytest.fixture
def costed():
    """A (5 d, 100/d) -> B (5 d, 100/d) and A -> C (2 d, 100/d + 40 fixed); B -> M (milestone, 50 fixed).

    CPM: A 0-5, B 5-10, C 5-7 (late 8-10), M at 10. Baseline 500 + 500 + 240 + 50 = 1290.
    """
    return pm.Project(
        name="costed", start=START, currency="EUR",
        tasks=[pm.Task("A", duration=5, cost_per_day=100), pm.Task("B", duration=5, cost_per_day=100),
               pm.Task("C", duration=2, cost_per_day=100, fixed_cost=40),
               pm.Task("M", milestone=True, fixed_cost=50)],
        dependencies=[pm.Dependency("A", "B"), pm.Dependency("A", "C"), pm.Dependency("B", "M")],
    )


def test_cost_model_by_hand():
    p = pm.Project(
        name="x", start=START,
        tasks=[pm.Task("A", optimistic=2, most_likely=4, pessimistic=12, fixed_cost=100, cost_per_day=10,
                       resources={"dev": 2, "dba": 0.5})],
        resources=[pm.Resource("dev", capacity=3, cost_per_day=500), pm.Resource("dba", cost_per_day=800)],
    )
    row = pm.cost_model(p).loc["A"]
    assert row["resource_cost_per_day"] == 2 * 500 + 0.5 * 800
    assert row["daily_rate"] == 1410
    assert row["budget"] == 100 + 1410 * 4          # at the most likely duration
    assert row["mean_duration"] == pytest.approx(5)  # Beta-PERT (2 + 4*4 + 12) / 6
    assert row["expected_cost"] == pytest.approx(100 + 1410 * 5)
    assert pm.baseline_cost(p) == 100 + 1410 * 4


def test_budget_defaults_to_baseline(costed):
    assert pm.baseline_cost(costed) == 1290
    assert project_budget(costed) == 1290
    assert project_budget(costed.replace(budget=2000)) == 2000


def test_elapsed_working_days_counts_to_the_end_of_the_day(costed):
    # Mon 4 Jan is day 1; the weekend adds nothing; a date before the start is 0.
    assert elapsed_working_days(costed, ["2027-01-01", "2027-01-04", "2027-01-10", "2027-01-11"]).tolist() == [0, 1, 5, 6]


def test_banana_envelope_by_hand(costed):
    burn = pm.budget_burn(costed, freq="D")
    # Early: A days 1-5 (100/d), B and C from day 6 (200 + 20 fixed share per day for C's 2 days).
    assert burn.loc["2027-01-08", "early"] == pytest.approx(500)
    assert burn.loc["2027-01-11", "early"] == pytest.approx(500 + 100 + 120)
    assert burn.loc["2027-01-12", "early"] == pytest.approx(500 + 200 + 240)
    # Late: C runs on days 9-10.
    assert burn.loc["2027-01-12", "late"] == pytest.approx(700)
    assert burn.loc["2027-01-14", "late"] == pytest.approx(900 + 120)
    # Both reach the baseline cost, milestone included, on the last day.
    assert burn.iloc[-1][["early", "late"]].tolist() == pytest.approx([1290, 1290])
    assert burn.index[-1] == pd.Timestamp("2027-01-15")
    assert burn.attrs["baseline_cost"] == 1290 and burn.attrs["currency"] == "EUR"


def test_weekly_rows_end_on_sundays(costed):
    burn = pm.budget_burn(costed)  # freq "W": weeks ending on Sunday
    assert [d.day_name() for d in burn.index] == ["Sunday", "Sunday"]
    assert burn["working_day"].tolist() == [5, 10]
    assert burn["early"].tolist() == pytest.approx([500, 1290])


def test_early_curve_is_never_below_late_curve():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    burn = pm.budget_burn(p, freq="D")
    assert (burn["early"] >= burn["late"] - 1e-6).all()
    assert (np.diff(burn["early"]) >= -1e-6).all() and (np.diff(burn["late"]) >= -1e-6).all()
    assert burn["early"].iloc[-1] == pytest.approx(pm.baseline_cost(p))
    # The early curve is the earned-value planned value baseline.
    from pmsim.evm import planned_value_curve

    pv = planned_value_curve(p)
    working = burn.drop_duplicates("working_day").set_index("working_day")["early"]
    assert working.to_numpy() == pytest.approx(pv[working.index.astype(int)])


def test_a_cpm_schedule_with_other_durations_moves_the_envelope(costed):
    sched = pm.cpm(costed)
    shifted = pm.cpm(costed, durations={"B": 7})  # a different plan: B takes 7 days
    burn = pm.budget_burn(costed, shifted, freq="D")
    assert "scheduled" not in burn.columns  # a CPM schedule: scheduled == early
    assert burn["early"].iloc[-1] == pytest.approx(1290 + 200)  # B's cost follows its duration
    assert pm.budget_burn(costed, sched, freq="D").equals(pm.budget_burn(costed, freq="D"))


def test_levelled_schedule_adds_its_own_curve_by_hand(costed):
    # One team: C waits for B. A 0-5, B 5-10, M at 10, C 10-12 (starts given in topological order).
    net = network(costed)
    starts = net.to_topological(np.array([0.0, 5.0, 10.0, 10.0]))  # A, B, C, M in project order
    levelled = schedule_from_dates(costed, starts, kind="levelled")
    burn = pm.budget_burn(costed, levelled, freq="D")
    # By hand: 100/day to Fri 8 Jan (500), B to Fri 15 Jan (1000) plus M's 50 at the end of that day,
    # then C's 120 a day on Mon 18 and Tue 19 January.
    assert burn.loc["2027-01-12", "scheduled"] == pytest.approx(700)
    assert burn.loc["2027-01-15", "scheduled"] == pytest.approx(1050)
    assert burn.loc[["2027-01-18", "2027-01-19"], "scheduled"].tolist() == pytest.approx([1170, 1290])
    assert burn.loc["2027-01-12", "early"] == pytest.approx(940)  # the CPM envelope is unchanged
    assert burn.index[-1] == pd.Timestamp("2027-01-19")


def test_cumulative_cost_against_a_direct_sum():
    rng = np.random.default_rng(11)
    m, n = 7, 30
    start = rng.integers(0, 40, (m, n)).astype(float)
    finish = start + rng.integers(0, 10, (m, n))  # some zero durations
    cost = rng.uniform(0, 1000, (m, n))
    times = np.arange(0, 55, 0.5)
    got = cumulative_cost(times, start, finish, cost)
    d = finish - start
    share = np.where(d[..., None] > 0,
                     np.clip((times - start[..., None]) / np.where(d > 0, d, 1)[..., None], 0, 1),
                     (times >= start[..., None]).astype(float))
    expected = (cost[..., None] * share).sum(axis=1)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_project_without_costs_is_a_clear_error():
    p = pm.Project(name="free", start=START, tasks=[pm.Task("A", duration=3)])
    with pytest.raises(pm.PmsimError, match="has no costs, so budget_burn has nothing to measure"):
        pm.budget_burn(p)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        # a frequency pandas does not know
        (dict(freq="fortnightly-ish"), "unknown frequency"),
        # a confidence given in percent
        (dict(confidence=80), r"confidence must be in \(0, 1\), got 80 \(a share: 0.8 for 80 %\)"),
        # something that is neither a schedule nor a simulation
        (dict(sim_or_schedule="plan"), "needs a Simulation or a Schedule"),
        # a band P-level above 100
        (dict(percentiles=(10, 90, 120)), r"percentiles must be P-levels in \[0, 100\]"),
    ],
)
def test_budget_burn_bad_input(costed, kwargs, message):
    with pytest.raises(pm.ValidationError, match=message):
        pm.budget_burn(costed, **kwargs)


# --------------------------------------------------------------------------- with a Simulation


@pytest.fixture(scope="module")
def erp_sim():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    return p, pm.simulate(p, iterations=2000, seed=5)


def test_bands_are_ordered_and_end_at_the_cost_distribution(erp_sim):
    p, sim = erp_sim
    burn = pm.budget_burn(p, sim)
    assert {"p10", "p50", "p90", "mean"} <= set(burn.columns)
    assert (burn["p10"] <= burn["p50"] + 1e-6).all() and (burn["p50"] <= burn["p90"] + 1e-6).all()
    assert (np.diff(burn["p50"]) >= -1e-6).all()
    # After the last simulated finish every iteration has spent its whole cost (risks included):
    # the bands end at the P-level costs (the inverted CDF, as sim.cost_percentile).
    last = burn.iloc[-1]
    assert last["p50"] == pytest.approx(np.percentile(sim.cost, 50, method="inverted_cdf"))
    assert last["p90"] == pytest.approx(np.percentile(sim.cost, 90, method="inverted_cdf"))
    assert last["p90"] == pytest.approx(sim.cost_percentile(90))
    assert last["mean"] == pytest.approx(sim.cost.mean())
    assert burn.attrs["p_on_budget"] == pytest.approx(np.mean(sim.cost <= p.budget))
    p80 = np.percentile(sim.cost, 80, method="inverted_cdf")
    assert burn.attrs["contingency"] == pytest.approx(p80 - pm.baseline_cost(p))
    assert burn.attrs["cost_percentiles"][80] == pytest.approx(p80)


def test_bands_do_not_depend_on_the_chunk_size(erp_sim):
    p, sim = erp_sim
    a = pm.budget_burn(p, sim, chunk_size=300)
    b = pm.budget_burn(p, sim, chunk_size=5000)
    pd.testing.assert_frame_equal(a, b)


def test_fixed_durations_give_bands_on_the_early_curve(costed):
    sim = pm.simulate(costed, iterations=50, seed=1)
    burn = pm.budget_burn(costed, sim, freq="D")
    for col in ("p10", "p50", "p90", "mean"):
        assert burn[col].to_numpy() == pytest.approx(burn["early"].to_numpy())


def test_a_levelled_simulation_gives_bands_of_its_levelled_iterations():
    p = pm.read_project(pm.data_path("erp_upgrade"))
    sim = pm.simulate(p, iterations=1000, seed=2, levelled=True)  # P80 standard error under a day
    burn = pm.budget_burn(p, sim, freq="W")
    # The deterministic levelled plan, as for a levelled Schedule (whose dates end with the plan).
    plan = pm.budget_burn(p, pm.level(p), freq="W")["scheduled"]
    assert burn["scheduled"].loc[plan.index].to_numpy() == pytest.approx(plan.to_numpy())
    assert burn.index[-1] > plan.index[-1] and burn["scheduled"].iloc[-1] == pytest.approx(plan.iloc[-1])
    # Once every iteration has finished, each band is its P-level cost.
    for level in (10, 50, 90):
        assert burn[f"p{level}"].iloc[-1] == pytest.approx(sim.cost_percentile(level))
    # Waiting for people spends the same money later: by any date, no more than without levelling.
    free = pm.budget_burn(p, pm.simulate(p, iterations=1000, seed=2), freq="W")
    assert burn.index[0] == free.index[0] and burn.index[-1] > free.index[-1]  # levelled runs finish later
    levelled = burn["p50"]
    unlevelled = free["p50"].reindex(levelled.index).ffill()  # flat at its total after its last date
    assert np.all(levelled.to_numpy() <= unlevelled.to_numpy() + 1e-6 * p.budget)
    assert (levelled.to_numpy() < unlevelled.to_numpy() - 1).any()


def test_risk_cost_is_booked_at_the_finish(costed):
    risky = costed.with_risk(pm.Risk("R", probability=1.0, cost_impact=1000))
    sim = pm.simulate(risky, iterations=20, seed=1)
    burn = pm.budget_burn(risky, sim, freq="D")
    assert burn["p50"].iloc[:-1].to_numpy() == pytest.approx(burn["early"].iloc[:-1].to_numpy())
    assert burn["p50"].iloc[-1] == pytest.approx(1290 + 1000)


def test_contingency_is_the_p_level_cost_above_the_baseline(erp_sim):
    p, sim = erp_sim
    cost = np.sort(sim.cost)
    for confidence in (0.5, 0.8, 0.8333, 0.95):
        # The smallest simulated cost that at least `confidence` of the iterations stay within.
        expected = cost[int(np.ceil(confidence * sim.iterations)) - 1] - pm.baseline_cost(p)
        reserve = pm.contingency(sim, confidence)
        assert reserve == pytest.approx(expected, rel=1e-12)
        # Holding baseline + contingency meets the budget in at least that share, any less does not.
        budget = pm.baseline_cost(p) + reserve
        assert np.mean(sim.cost <= budget) >= confidence > np.mean(sim.cost < budget)
    with pytest.raises(pm.ValidationError, match=r"confidence must be in \(0, 1\)"):
        pm.contingency(sim, 1.0)


def test_cumulative_cost_matches_a_direct_sum_on_random_grids():
    # The compiled accrual against the definition, task by task and time by time.
    from pmsim.budget import cumulative_cost

    rng = np.random.default_rng(11)
    for _ in range(50):
        m, n, k = rng.integers(1, 6), rng.integers(1, 12), rng.integers(1, 25)
        times = np.sort(rng.random(k) * 30)
        start = rng.random((m, n)) * 25
        finish = start + rng.integers(0, 2, (m, n)) * rng.random((m, n)) * 8  # some zero-length tasks
        cost = rng.random((m, n)) * 100
        expected = np.zeros((m, k))
        for r in range(m):
            for j in range(n):
                s, f, c = start[r, j], finish[r, j], cost[r, j]
                for i, t in enumerate(times):
                    if f > s:
                        expected[r, i] += c * min(max((t - s) / (f - s), 0.0), 1.0)
                    elif t >= s:
                        expected[r, i] += c
        np.testing.assert_allclose(cumulative_cost(times, start, finish, cost), expected, rtol=1e-12, atol=1e-9)
